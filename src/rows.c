/* rows.c - see rows.h. */
#include "rows.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "text.h"

/* Cells of up to SHARE_MAX bytes that repeat (an agency's name and OID,
 * a department, a vendor) are kept once: each column remembers the last
 * cell stored in each of SHARE_SLOTS slots, chosen by a hash. */
#define SHARE_MAX 48
#define SHARE_SLOTS 64

typedef struct {
	const char *s; /* in the table's arena */
	size_t n;
} Shared;

struct RowSink {
	const Form *form;
	Table *t;
	DiagList *dl;
	/* the row being taken: NUL-terminated cells and their lengths, valid
	 * while rows_add* runs */
	const char *const *row;
	const size_t *len;
	size_t nrow;
	long row_line;
	bool have_header;
	long *colmap; /* header column -> table column */
	size_t ncols;
	Shared *shared; /* SHARE_SLOTS per header column */
	bool fatal;
	/* with a hook: where records go instead, a record's cells for it,
	 * and the records given */
	RowsHook hook;
	void *hook_ctx;
	bool keep; /* the records go to the table too (rows_set_hook_keeping) */
	char **cells;
	size_t given;
};

RowSink *rows_new(const Form *form, Table *t, DiagList *dl)
{
	RowSink *r = xcalloc(1, sizeof *r);
	r->form = form;
	r->t = t;
	r->dl = dl;
	return r;
}

void rows_free(RowSink *r)
{
	if (!r)
		return;
	free(r->colmap);
	free(r->shared);
	free(r->cells);
	free(r);
}

struct RowsHeader {
	long *colmap;
	size_t ncols;
	char **extra; /* headers of the table's extra columns */
	size_t nextra;
};

RowsHeader *rows_header(const RowSink *r)
{
	if (!r->have_header || r->fatal)
		return NULL;
	RowsHeader *h = xcalloc(1, sizeof *h);
	h->ncols = r->ncols;
	h->colmap = xmalloc((r->ncols ? r->ncols : 1) * sizeof *h->colmap);
	if (r->ncols)
		memcpy(h->colmap, r->colmap, r->ncols * sizeof *h->colmap);
	size_t nf = form_nfields(r->form);
	h->nextra = table_ncols(r->t) - nf;
	h->extra = xmalloc((h->nextra ? h->nextra : 1) * sizeof *h->extra);
	for (size_t i = 0; i < h->nextra; i++)
		h->extra[i] = xstrdup(table_col_header(r->t, nf + i));
	return h;
}

void rows_header_free(RowsHeader *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->nextra; i++)
		free(h->extra[i]);
	free(h->extra);
	free(h->colmap);
	free(h);
}

RowSink *rows_new_after(const Form *form, Table *t, DiagList *dl, const RowsHeader *h)
{
	RowSink *r = rows_new(form, t, dl);
	for (size_t i = 0; i < h->nextra; i++)
		table_add_extra(t, h->extra[i]);
	r->have_header = true;
	r->ncols = h->ncols;
	r->colmap = xmalloc((h->ncols ? h->ncols : 1) * sizeof *r->colmap);
	if (h->ncols)
		memcpy(r->colmap, h->colmap, h->ncols * sizeof *r->colmap);
	r->shared = xcalloc((h->ncols ? h->ncols : 1) * SHARE_SLOTS, sizeof *r->shared);
	return r;
}

bool rows_have_header(const RowSink *r)
{
	return r->have_header;
}

bool rows_fatal(const RowSink *r)
{
	return r->fatal;
}

static void take_header(RowSink *r)
{
	size_t nf = form_nfields(r->form);
	bool *taken = xcalloc(nf, sizeof *taken);
	r->ncols = r->nrow;
	r->colmap = xmalloc((r->nrow ? r->nrow : 1) * sizeof *r->colmap);
	r->shared = xcalloc((r->nrow ? r->nrow : 1) * SHARE_SLOTS, sizeof *r->shared);
	size_t matched = 0;
	for (size_t j = 0; j < r->nrow; j++) {
		long m = form_match_header(r->form, r->row[j], taken);
		r->colmap[j] = m;
		if (m >= 0) {
			taken[m] = true;
			matched++;
		}
	}
	if (matched == 0) {
		char *list = xstrdup("");
		for (size_t i = 0; i < nf; i++) {
			char *l = xasprintf("%s%s%s", list, i ? "、" : "", form_field(r->form, i)->header);
			free(list);
			list = l;
		}
		diag_add(r->dl, DIAG_ERROR, r->row_line, 0, -1, -1,
			 ROWS_NO_HEADER "，這不是「%s」的檔案？應有的標題：%s",
			 form_title(r->form), list);
		free(list);
		r->fatal = true;
		free(taken);
		return;
	}
	for (size_t j = 0; j < r->nrow; j++) {
		if (r->colmap[j] >= 0)
			continue;
		long again = form_match_header(r->form, r->row[j], NULL);
		size_t first = 0;
		while (again >= 0 && first < j && r->colmap[first] != again)
			first++;
		r->colmap[j] = (long)table_add_extra(r->t, r->row[j]);
		if (again >= 0)
			diag_add(r->dl, DIAG_WARNING, r->row_line, 0, -1, -1,
				 "第 %zu 欄「%s」與第 %zu 欄重複，將照原樣保留", j + 1, r->row[j],
				 first + 1);
		else if (*r->row[j])
			diag_add(r->dl, DIAG_WARNING, r->row_line, 0, -1, -1,
				 "第 %zu 欄「%s」不是表單的欄位，將照原樣保留", j + 1, r->row[j]);
		else
			diag_add(r->dl, DIAG_WARNING, r->row_line, 0, -1, -1,
				 "第 %zu 欄沒有標題，將照原樣保留", j + 1);
	}
	for (size_t i = 0; i < nf; i++)
		if (!taken[i])
			diag_add(r->dl, DIAG_WARNING, r->row_line, 0, -1, (int)i,
				 "檔案缺少這一欄「%s」，已補上空白欄", form_field(r->form, i)->header);
	free(taken);
}

/* true when form_normalize would return s[0..n) unchanged, decided without
 * allocating: no white space at either end, only ASCII in a number or an
 * OID, a choice already one of its values (its index then in *value).
 * Most cells of a file are. */
static bool already_normal(const FormField *f, const char *s, size_t n, long *value)
{
	*value = -1;
	if (n == 0)
		return true;
	/* white space at either end: the ASCII ones are all at most ' ', and
	 * U+3000 begins with 0xE3 and ends with 0x80, so that most cells take
	 * one comparison at each end */
	unsigned char a = (unsigned char)s[0], z = (unsigned char)s[n - 1];
	if ((a <= ' ' && (a == ' ' || a == '\t' || a == '\r' || a == '\n')) ||
	    (z <= ' ' && (z == ' ' || z == '\t' || z == '\r' || z == '\n')))
		return false;
	if (n >= 3 && ((a == 0xE3 && memcmp(s, "\xE3\x80\x80", 3) == 0) ||
		       (z == 0x80 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0)))
		return false;
	switch (f->kind) {
	case KIND_INTEGER:
	case KIND_OID:
	case KIND_DECIMAL:
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] >= 0x80)
				return false;
		return true;
	case KIND_CHOICE:
		*value = form_value_find(f, s, n);
		return *value >= 0;
	case KIND_DATE:
	case KIND_MULTI:
		return false; /* written as the field writes them: form_normalize */
	case KIND_TEXT:
		return !f->phone; /* a telephone number is made one form */
	}
	return true;
}

/* The slot of a short cell: a hash of its length and its first and last
 * eight bytes (enough to tell names apart; a collision only costs a copy). */
static size_t share_slot(const char *s, size_t n)
{
	uint64_t a = 0, z = 0;
	memcpy(&a, s, n < 8 ? n : 8);
	memcpy(&z, s + (n < 8 ? 0 : n - 8), n < 8 ? n : 8);
	uint64_t h = (a ^ (z * 0x9E3779B97F4A7C15ULL) ^ n) * 0xFF51AFD7ED558CCDULL;
	return (size_t)(h >> 58) % SHARE_SLOTS;
}

/* Puts cell s[0..n) of header column j into the record rec: a choice as
 * the form's own string (value, its index, when known), a short cell seen
 * lately in the column as that copy, anything else as a new copy. */
static void put_cell(RowSink *r, size_t rec, size_t j, const char *s, size_t n, long value)
{
	size_t col = (size_t)r->colmap[j];
	size_t nf = form_nfields(r->form);
	if (value < 0 && col < nf && form_field(r->form, col)->kind == KIND_CHOICE)
		value = form_value_find(form_field(r->form, col), s, n);
	if (value >= 0) {
		table_put_shared(r->t, rec, col, form_field(r->form, col)->values[value]);
		return;
	}
	if (n == 0 || n > SHARE_MAX) {
		table_put_copy(r->t, rec, col, s, n);
		return;
	}
	Shared *sh = &r->shared[j * SHARE_SLOTS + share_slot(s, n)];
	if (sh->n == n && memcmp(sh->s, s, n) == 0) {
		table_put_shared(r->t, rec, col, sh->s);
		return;
	}
	sh->s = table_put_copy(r->t, rec, col, s, n);
	sh->n = n;
}

long rows_column_field(const RowSink *r, size_t col)
{
	if (!r->have_header || col >= r->ncols || (size_t)r->colmap[col] >= form_nfields(r->form))
		return -1;
	return r->colmap[col];
}

void rows_set_hook(RowSink *r, RowsHook hook, void *ctx)
{
	r->hook = hook;
	r->hook_ctx = ctx;
}

void rows_set_hook_keeping(RowSink *r, RowsHook hook, void *ctx)
{
	rows_set_hook(r, hook, ctx);
	r->keep = true;
}

/* Keeps the cells beyond the header in rec (NULL: a record not kept), and
 * reports a row longer or shorter than the header. */
static void take_overflow(RowSink *r, Record *rec, size_t rec_i)
{
	if (r->nrow > r->ncols) {
		bool extra_data = false;
		for (size_t j = r->ncols; j < r->nrow; j++)
			extra_data |= r->len[j] != 0;
		if (extra_data) {
			if (rec) {
				rec->noverflow = r->nrow - r->ncols;
				rec->overflow = xmalloc(rec->noverflow * sizeof *rec->overflow);
				for (size_t j = r->ncols; j < r->nrow; j++)
					rec->overflow[j - r->ncols] = xstrndup(r->row[j], r->len[j]);
			}
			diag_add(r->dl, DIAG_ERROR, r->row_line, 0, (long)rec_i, -1,
				 "這筆記錄有 %zu 欄，比標題多 %zu 欄 (多了逗號？)；多出的內容照原樣保留",
				 r->nrow, r->nrow - r->ncols);
		}
	} else if (r->nrow < r->ncols) {
		diag_add(r->dl, DIAG_WARNING, r->row_line, 0, (long)rec_i, -1,
			 "這筆記錄只有 %zu 欄，標題有 %zu 欄；缺的視為空白", r->nrow, r->ncols);
	}
}

/* take_record for a sink with a hook: the row's cells, in one pass, as
 * put_cell would keep them, handed to the hook unless all are empty.  What
 * is normalised and when a row is empty must stay as take_record has it.
 * r->cells is reused from row to row: after the hook returns, its cells
 * point at freed copies and at the reader's reused buffer until the next
 * row overwrites them (the fields without a column stay empty). */
static void give_record(RowSink *r)
{
	size_t nf = form_nfields(r->form);
	size_t n = r->nrow < r->ncols ? r->nrow : r->ncols;
	static char empty_cell[1];
	if (!r->cells) { /* a field the header has no column for stays empty */
		r->cells = xmalloc((nf ? nf : 1) * sizeof *r->cells);
		for (size_t f = 0; f < nf; f++)
			r->cells[f] = empty_cell;
	}
	/* cells that needed normalising get a malloc'd copy, freed below */
	char *fixed_small[64];
	char **fixed = n <= 64 ? fixed_small : xmalloc(n * sizeof *fixed);
	size_t nfixed = 0;
	bool empty = true;
	for (size_t j = 0; j < n; j++) {
		size_t col = (size_t)r->colmap[j];
		if (col >= nf) {
			empty &= r->len[j] == 0;
			continue;
		}
		const FormField *f = form_field(r->form, col);
		const char *s = r->row[j];
		size_t len = r->len[j];
		long v;
		if (!already_normal(f, s, len, &v)) {
			s = fixed[nfixed++] = form_normalize(f, s);
			len = strlen(s);
		}
		if (v < 0 && f->kind == KIND_CHOICE)
			v = form_value_find(f, s, len);
		empty &= len == 0;
		r->cells[col] = v >= 0 ? f->values[v] : (char *)s;
	}
	for (size_t j = n; j < r->nrow; j++)
		empty &= r->len[j] == 0;
	for (size_t j = n; j < r->ncols; j++) /* a row shorter than the header */
		if ((size_t)r->colmap[j] < nf)
			r->cells[r->colmap[j]] = empty_cell;
	if (!empty) { /* an all-empty record is never given */
		take_overflow(r, NULL, r->given++);
		r->hook(r->hook_ctx, r->cells, r->row_line);
	}
	for (size_t i = 0; i < nfixed; i++)
		free(fixed[i]);
	if (fixed != fixed_small)
		free(fixed);
}

/* Keeps the row being taken as a record of the table, unless all its
 * cells are empty (give_record does the same for a hook). */
static void take_record(RowSink *r)
{
	if (r->hook && !r->keep) {
		give_record(r);
		return;
	}
	size_t nf = form_nfields(r->form);
	size_t n = r->nrow < r->ncols ? r->nrow : r->ncols;
	/* cells that needed normalising get a malloc'd copy, freed below; a
	 * choice found among its values, the index */
	char *fixed_small[64];
	long value_small[64];
	char **fixed = n <= 64 ? fixed_small : xmalloc(n * sizeof *fixed);
	long *value = n <= 64 ? value_small : xmalloc(n * sizeof *value);
	bool empty = true, any_fixed = false;
	for (size_t j = 0; j < n; j++) {
		fixed[j] = NULL;
		value[j] = -1;
		if ((size_t)r->colmap[j] < nf) {
			const FormField *f = form_field(r->form, (size_t)r->colmap[j]);
			if (!already_normal(f, r->row[j], r->len[j], &value[j])) {
				fixed[j] = form_normalize(f, r->row[j]);
				any_fixed = true;
				empty &= *fixed[j] == '\0';
				continue;
			}
		}
		empty &= r->len[j] == 0;
	}
	for (size_t j = n; j < r->nrow; j++)
		empty &= r->len[j] == 0;
	if (!empty) {
		Record *rec = table_append(r->t, r->row_line);
		size_t rec_i = table_nrecords(r->t) - 1;
		for (size_t j = 0; j < n; j++) {
			if (fixed[j])
				put_cell(r, rec_i, j, fixed[j], strlen(fixed[j]), -1);
			else
				put_cell(r, rec_i, j, r->row[j], r->len[j], value[j]);
		}
		take_overflow(r, rec, rec_i);
		if (r->hook) /* its cells as kept: as give_record would give them */
			r->hook(r->hook_ctx, rec->cells, r->row_line);
	}
	for (size_t j = 0; any_fixed && j < n; j++)
		free(fixed[j]);
	if (fixed != fixed_small) {
		free(fixed);
		free(value);
	}
	/* an all-empty record is never kept */
}

/* true when a row is part of the form's printable layout, not data: its
 * title, the signature captions, the notes caption or a numbered note
 * (what the .xlsx export writes around the records). */
static bool layout_row(const Form *form, const char *const *cells, size_t n)
{
	const FormPrint *p = form_print(form);
	if (p->layout != PRINT_SHEET || (!p->title && !p->nsignatures && !p->nnotes))
		return false;
	bool any = false;
	for (size_t j = 0; j < n; j++) {
		const char *c = cells[j];
		if (!*c)
			continue;
		any = true;
		bool known = (p->title && strcmp(c, p->title) == 0) ||
			     (p->notes_caption && strcmp(c, p->notes_caption) == 0);
		for (size_t k = 0; k < p->nsignatures && !known; k++)
			known = strcmp(c, p->signatures[k]) == 0;
		for (size_t k = 0; k < p->nnotes && !known; k++) {
			char *numbered = xasprintf("%zu. %s", k + 1, p->notes[k]);
			known = strcmp(c, numbered) == 0 || strcmp(c, p->notes[k]) == 0;
			free(numbered);
		}
		if (!known)
			return false;
	}
	return any;
}

void rows_add_view(RowSink *r, const char *const *cells, const size_t *lens, size_t n, long line)
{
	if (layout_row(r->form, cells, n))
		return;
	r->row = cells;
	r->len = lens;
	r->nrow = n;
	r->row_line = line;
	if (!r->fatal) {
		if (!r->have_header) {
			r->have_header = true;
			take_header(r);
		} else {
			take_record(r);
		}
	}
	r->row = NULL;
	r->len = NULL;
	r->nrow = 0;
}

void rows_add(RowSink *r, char **cells, size_t n, long line)
{
	size_t *lens = xmalloc((n ? n : 1) * sizeof *lens);
	for (size_t j = 0; j < n; j++)
		lens[j] = strlen(cells[j]);
	rows_add_view(r, (const char *const *)cells, lens, n, line);
	free(lens);
	for (size_t j = 0; j < n; j++) {
		free(cells[j]);
		cells[j] = NULL;
	}
}
