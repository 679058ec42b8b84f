/* table.c - see table.h. */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "table.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mem.h"
#include "text.h"

/* Cell text read from a file lives in an arena of large chunks, freed
 * with the table: a file of 100,000 records would otherwise cost two
 * million small allocations.  The first chunk is 1 MiB of ordinary
 * memory (a small file uses only the pages it touches); each later one is
 * a 2 MiB huge page where the system allows it (MADV_HUGEPAGE): a big
 * file then costs a few dozen page faults instead of thousands, which
 * threads reading parts of it would also wait on each other for.  So do the records' cell arrays (one of a
 * removed record stays there until the table goes).  A cell changed later
 * is a malloc'd string; Record.owned marks those (NULL while none is).
 * Empty cells all point at one shared empty string, and a choice at the
 * form's own string for it. */
#define CHUNK_SIZE HUGE_PAGE
#define FIRST_CHUNK ((size_t)1 << 20)

typedef struct Chunk {
	struct Chunk *next;
	size_t used, cap;
	char data[];
} Chunk;

struct Table {
	const Form *form; /* borrowed */
	FileFormat fmt;
	Record *recs;
	size_t n, cap;
	char **extra; /* headers of the columns the form does not know */
	size_t nextra;
	Chunk *arena;
};

static char EMPTY[1];

Table *table_new(const Form *form)
{
	Table *t = xcalloc(1, sizeof *t);
	t->form = form;
	t->fmt = (FileFormat){ENC_UTF8, true, true};
	return t;
}

static bool owned(const Record *r, size_t col)
{
	return r->owned && r->owned[col];
}

static void record_free(Record *r, size_t ncols)
{
	for (size_t c = 0; r->owned && c < ncols; c++)
		if (r->owned[c])
			free(r->cells[c]);
	free(r->owned); /* the cells array is in the arena */
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
	while (t->arena) {
		Chunk *next = t->arena->next;
		free(t->arena);
		t->arena = next;
	}
	free(t);
}

/* n bytes of the arena, at a multiple of align (a power of two). */
static void *arena_alloc(Table *t, size_t n, size_t align)
{
	Chunk *c = t->arena;
	size_t at = c ? (c->used + align - 1) & ~(align - 1) : 0;
	if (!c || at > c->cap || c->cap - at < n) {
		if (n > CHUNK_SIZE - sizeof *c || !t->arena) {
			/* a cell bigger than a chunk, or the first chunk: a small
			 * file's only one, in pages as small as the system's */
			size_t cap = n > FIRST_CHUNK - sizeof *c ? n : FIRST_CHUNK - sizeof *c;
			c = xmalloc(sizeof *c + cap); /* data[] is aligned as malloc aligns */
			c->cap = cap;
		} else {
			c = xmalloc_huge(CHUNK_SIZE, NULL);
			c->cap = CHUNK_SIZE - sizeof *c;
		}
		c->used = 0;
		c->next = t->arena;
		t->arena = c;
		at = 0;
	}
	c->used = at + n;
	return c->data + at;
}

/* A copy of s[0..n) in the arena. */
static char *intern(Table *t, const char *s, size_t n)
{
	if (n == 0)
		return EMPTY;
	char *p = arena_alloc(t, n + 1, 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Puts value into a cell and returns what was there as a malloc'd string
 * the caller owns.  value_owned: value is malloc'd (else arena/EMPTY). */
static char *swap_cell(Table *t, size_t rec, size_t col, char *value, bool value_owned)
{
	Record *r = &t->recs[rec];
	char *old = r->cells[col];
	if (!owned(r, col))
		old = xstrdup(old);
	if (value_owned && !r->owned)
		r->owned = xcalloc(table_ncols(t), 1);
	if (r->owned)
		r->owned[col] = value_owned;
	r->cells[col] = value;
	return old;
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

void table_shrink(Table *t)
{
	Chunk *c = t->arena;
	if (!c)
		return;
	/* whole pages only, inside the chunk: what lies beyond its end may be
	 * malloc's */
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t end = (uintptr_t)(c->data + c->cap) & ~(page - 1);
	uintptr_t tail = ((uintptr_t)(c->data + c->used) + page - 1) & ~(page - 1);
	if (tail < end)
		madvise((void *)tail, end - tail, MADV_DONTNEED); /* reads as zeros when used */
}

void table_adopt(Table *t, Table *from)
{
	if (t->cap - t->n < from->n) {
		t->cap = t->n + from->n;
		t->recs = xrealloc(t->recs, t->cap * sizeof *t->recs);
	}
	if (from->n)
		memcpy(&t->recs[t->n], from->recs, from->n * sizeof *from->recs);
	t->n += from->n;
	from->n = 0;
	/* from's chunks go behind t's current one, which stays the one used */
	if (from->arena) {
		Chunk *last = from->arena;
		while (last->next)
			last = last->next;
		if (t->arena) {
			last->next = t->arena->next;
			t->arena->next = from->arena;
		} else {
			t->arena = from->arena;
		}
		from->arena = NULL;
	}
	table_free(from);
}

Record *table_append(Table *t, long line)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->recs = xrealloc(t->recs, t->cap * sizeof *t->recs);
	}
	Record *r = &t->recs[t->n++];
	size_t nc = table_ncols(t);
	r->cells = arena_alloc(t, nc * sizeof *r->cells, _Alignof(char *));
	for (size_t c = 0; c < nc; c++)
		r->cells[c] = EMPTY;
	r->owned = NULL;
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
	table_insert(t, at, 0);
	for (size_t c = 0; c < table_ncols(t); c++)
		table_put_copy(t, at, c, t->recs[src].cells[c], strlen(t->recs[src].cells[c]));
	return &t->recs[at];
}

void table_remove(Table *t, size_t i)
{
	record_free(&t->recs[i], table_ncols(t));
	memmove(&t->recs[i], &t->recs[i + 1], (t->n - i - 1) * sizeof *t->recs);
	t->n--;
}

void table_put(Table *t, size_t rec, size_t col, char *value)
{
	free(swap_cell(t, rec, col, value, true));
}

const char *table_put_copy(Table *t, size_t rec, size_t col, const char *s, size_t n)
{
	Record *r = &t->recs[rec];
	if (owned(r, col)) {
		free(r->cells[col]);
		r->owned[col] = 0;
	}
	return r->cells[col] = intern(t, s, n);
}

void table_put_shared(Table *t, size_t rec, size_t col, const char *s)
{
	Record *r = &t->recs[rec];
	if (owned(r, col)) {
		free(r->cells[col]);
		r->owned[col] = 0;
	}
	r->cells[col] = *s ? (char *)s : EMPTY;
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

RecordCopy table_copy_record(const Table *t, size_t i)
{
	const Record *r = &t->recs[i];
	RecordCopy c = {xcalloc(table_ncols(t), sizeof *c.cells), table_ncols(t),
			xcalloc(r->noverflow, sizeof *c.overflow), r->noverflow, r->line};
	for (size_t k = 0; k < c.ncells; k++)
		c.cells[k] = xstrdup(r->cells[k]);
	for (size_t k = 0; k < c.noverflow; k++)
		c.overflow[k] = xstrdup(r->overflow[k]);
	return c;
}

void table_insert_record(Table *t, size_t at, const RecordCopy *c)
{
	Record *r = table_insert(t, at, c->line);
	for (size_t k = 0; k < c->ncells && k < table_ncols(t); k++)
		table_put_copy(t, at, k, c->cells[k], strlen(c->cells[k]));
	r = &t->recs[at];
	if (c->noverflow) {
		r->overflow = xcalloc(c->noverflow, sizeof *r->overflow);
		for (size_t k = 0; k < c->noverflow; k++)
			r->overflow[k] = xstrdup(c->overflow[k]);
		r->noverflow = c->noverflow;
	}
}

void table_record_copy_free(RecordCopy *c)
{
	for (size_t k = 0; k < c->ncells; k++)
		free(c->cells[k]);
	for (size_t k = 0; k < c->noverflow; k++)
		free(c->overflow[k]);
	free(c->cells);
	free(c->overflow);
	memset(c, 0, sizeof *c);
}
