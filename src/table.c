/* table.c - see table.h. */
#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "text.h"

struct Table {
	const Form *form; /* borrowed */
	FileFormat fmt;
	Record *recs;
	size_t n, cap;
	char **extra; /* headers of the columns the form does not know */
	size_t nextra;
};

Table *table_new(const Form *form)
{
	Table *t = xcalloc(1, sizeof *t);
	t->form = form;
	t->fmt = (FileFormat){ENC_UTF8, true, true};
	return t;
}

static void record_free(Record *r, size_t ncols)
{
	for (size_t c = 0; c < ncols; c++)
		free(r->cells[c]);
	free(r->cells);
	for (size_t c = 0; c < r->noverflow; c++)
		free(r->overflow[c]);
	free(r->overflow);
}

void table_free(Table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		record_free(&t->recs[i], table_ncols(t));
	free(t->recs);
	for (size_t i = 0; i < t->nextra; i++)
		free(t->extra[i]);
	free(t->extra);
	free(t);
}

const Form *table_form(const Table *t)
{
	return t->form;
}

FileFormat table_format(const Table *t)
{
	return t->fmt;
}

void table_set_format(Table *t, FileFormat fmt)
{
	t->fmt = fmt;
}

size_t table_nrecords(const Table *t)
{
	return t->n;
}

Record *table_record(Table *t, size_t i)
{
	return &t->recs[i];
}

const Record *table_record_c(const Table *t, size_t i)
{
	return &t->recs[i];
}

size_t table_ncols(const Table *t)
{
	return form_nfields(t->form) + t->nextra;
}

const char *table_col_header(const Table *t, size_t col)
{
	size_t nf = form_nfields(t->form);
	return col < nf ? form_field(t->form, col)->header : t->extra[col - nf];
}

size_t table_add_extra(Table *t, const char *header)
{
	t->extra = xrealloc(t->extra, (t->nextra + 1) * sizeof *t->extra);
	t->extra[t->nextra++] = xstrdup(header);
	return table_ncols(t) - 1;
}

Record *table_append(Table *t, long line)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->recs = xrealloc(t->recs, t->cap * sizeof *t->recs);
	}
	Record *r = &t->recs[t->n++];
	size_t nc = table_ncols(t);
	r->cells = xmalloc(nc * sizeof *r->cells);
	for (size_t c = 0; c < nc; c++)
		r->cells[c] = xstrdup("");
	r->overflow = NULL;
	r->noverflow = 0;
	r->line = line;
	return r;
}

Record *table_insert(Table *t, size_t at, long line)
{
	table_append(t, line);
	Record r = t->recs[t->n - 1];
	memmove(&t->recs[at + 1], &t->recs[at], (t->n - 1 - at) * sizeof *t->recs);
	t->recs[at] = r;
	return &t->recs[at];
}

Record *table_insert_copy(Table *t, size_t at, size_t from)
{
	size_t src = from >= at ? from + 1 : from; /* where it is after the insert */
	Record *r = table_insert(t, at, 0);
	const Record *o = &t->recs[src];
	for (size_t c = 0; c < table_ncols(t); c++) {
		free(r->cells[c]);
		r->cells[c] = xstrdup(o->cells[c]);
	}
	return r;
}

void table_remove(Table *t, size_t i)
{
	record_free(&t->recs[i], table_ncols(t));
	memmove(&t->recs[i], &t->recs[i + 1], (t->n - i - 1) * sizeof *t->recs);
	t->n--;
}

void table_put(Table *t, size_t rec, size_t col, char *value)
{
	free(t->recs[rec].cells[col]);
	t->recs[rec].cells[col] = value;
}

bool table_record_empty(const Table *t, size_t rec)
{
	const Record *r = &t->recs[rec];
	for (size_t c = 0; c < table_ncols(t); c++)
		if (*r->cells[c])
			return false;
	for (size_t c = 0; c < r->noverflow; c++)
		if (*r->overflow[c])
			return false;
	return true;
}

static void change_add(TableChange **c, size_t *n, size_t field, char *old, const FormRule *why)
{
	*c = xrealloc(*c, (*n + 1) * sizeof **c);
	(*c)[(*n)++] = (TableChange){field, old, why};
}

TableChange *table_set(Table *t, size_t rec, size_t field, const char *raw, size_t *n)
{
	TableChange *changes = NULL;
	*n = 0;
	char **cells = t->recs[rec].cells;
	char *v = form_normalize(form_field(t->form, field), raw);
	if (strcmp(v, cells[field]) == 0) {
		free(v);
		return NULL;
	}
	change_add(&changes, n, field, cells[field], NULL);
	cells[field] = v;
	/* Clearing one value can change what another rule permits, so repeat
	 * until nothing moves; each pass clears at least one cell, so this ends
	 * within nfields passes. */
	bool moved = true;
	while (moved) {
		moved = false;
		for (size_t f = 0; f < form_nfields(t->form); f++) {
			const FormField *ff = form_field(t->form, f);
			const FormRule *why;
			if (f == field || ff->kind != KIND_CHOICE || !*cells[f] ||
			    form_value_index(ff, cells[f]) < 0 ||
			    rules_value_ok(t->form, cells, f, cells[f], &why))
				continue;
			change_add(&changes, n, f, cells[f], why);
			cells[f] = xstrdup("");
			moved = true;
		}
	}
	return changes;
}

void table_changes_free(TableChange *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].old);
	free(c);
}
