/* diag.c - see diag.h. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "text.h"

void diag_init(DiagList *dl)
{
	memset(dl, 0, sizeof *dl);
}

void diag_clear(DiagList *dl)
{
	for (size_t i = 0; i < dl->n; i++)
		free(dl->items[i].msg);
	dl->n = dl->nerrors = dl->nwarnings = 0;
}

void diag_free(DiagList *dl)
{
	diag_clear(dl);
	free(dl->items);
	diag_init(dl);
}

void diag_add(DiagList *dl, DiagLevel level, long line, long col, long record, int field,
	      const char *fmt, ...)
{
	if (dl->n == dl->cap) {
		dl->cap = dl->cap ? 2 * dl->cap : 16;
		dl->items = xrealloc(dl->items, dl->cap * sizeof *dl->items);
	}
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *msg = xmalloc(len > 0 ? (size_t)len + 1 : 1);
	va_start(ap, fmt);
	vsnprintf(msg, len > 0 ? (size_t)len + 1 : 1, fmt, ap);
	va_end(ap);
	dl->items[dl->n++] = (Diag){level, line, col, record, field, msg};
	if (level == DIAG_ERROR)
		dl->nerrors++;
	else
		dl->nwarnings++;
}

void diag_move(DiagList *to, DiagList *from, long record_offset, long line_offset)
{
	if (to->cap - to->n < from->n) {
		to->cap = to->n + from->n;
		to->items = xrealloc(to->items, to->cap * sizeof *to->items);
	}
	for (size_t i = 0; i < from->n; i++) {
		Diag d = from->items[i];
		if (d.record >= 0)
			d.record += record_offset;
		if (d.line > 0)
			d.line += line_offset;
		to->items[to->n++] = d;
	}
	to->nerrors += from->nerrors;
	to->nwarnings += from->nwarnings;
	from->n = from->nerrors = from->nwarnings = 0;
	diag_free(from);
}

/* Stable merge sort on (line, col); qsort is not stable. */
static void merge_sort(Diag *a, Diag *tmp, size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	merge_sort(a, tmp, h);
	merge_sort(a + h, tmp, n - h);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n) {
		const Diag *x = &a[i], *y = &a[j];
		if (y->line < x->line || (y->line == x->line && y->col < x->col))
			tmp[k++] = a[j++];
		else
			tmp[k++] = a[i++];
	}
	while (i < h)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof *a);
}

void diag_sort(DiagList *dl)
{
	if (dl->n < 2)
		return;
	Diag *tmp = xmalloc(dl->n * sizeof *tmp);
	merge_sort(dl->items, tmp, dl->n);
	free(tmp);
}

const char *diag_level_name(DiagLevel level)
{
	return level == DIAG_ERROR ? "error" : "warning";
}

/* Writes s with text_escape, copying only what needs it (a check prints
 * thousands of lines, nearly all clean). */
static void put_escaped(FILE *out, const char *s)
{
	if (!text_needs_escape(s)) {
		fputs(s, out);
		return;
	}
	char *e = text_escape(s);
	fputs(e, out);
	free(e);
}

void diag_print(FILE *out, const char *file, const Diag *d, const char *label)
{
	put_escaped(out, file);
	if (d->line > 0)
		fprintf(out, ":%ld", d->line);
	if (d->line > 0 && d->col > 0)
		fprintf(out, ":%ld", d->col);
	fprintf(out, ": %s: ", diag_level_name(d->level));
	if (d->record >= 0)
		fprintf(out, "第 %ld 筆: ", d->record + 1);
	if (label) {
		put_escaped(out, label);
		fputs(": ", out);
	}
	put_escaped(out, d->msg);
	fputc('\n', out);
}
