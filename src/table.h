/* table.h - the records of one file, in memory.
 *
 * A Table holds the records of one form.  Each Record has one cell per
 * column: first the form's fields in form order, then the columns the file
 * had that the form does not know (kept so that they are written back
 * unchanged).  Cells are never NULL ("" = empty); they belong to the table,
 * except that a choice may be the form's own string for it (and cells may
 * share one string): never write into a cell, replace it.
 * Cells beyond the header that a record of the file had are kept in
 * Record.overflow, also written back.
 *
 * Record pointers stay valid until the next table_append or table_free.
 * A table stores; it does not judge: what the rules make of a change is
 * rules.h's and session.h's.
 */
#ifndef SPMFORM_TABLE_H
#define SPMFORM_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "form.h"

typedef enum { ENC_UTF8, ENC_CP950 } Encoding;

/* How a file is (or is to be) written. */
typedef struct {
	Encoding encoding;
	bool bom;  /* UTF-8 only: start with EF BB BF */
	bool crlf; /* record terminator CRLF, else LF */
} FileFormat;

typedef struct {
	char **cells; /* table_ncols() of them; read-only for users: change
		       * them with table_put, table_put_copy or table_set */
	unsigned char *owned; /* internal: which cells are malloc'd */
	char **overflow;
	size_t noverflow;
	long line; /* physical line where it started in the file read; 0 = new */
} Record;

/* A record taken out of a table (to be put back, by an undo): every cell
 * of the table's columns and the overflow cells, owned. */
typedef struct {
	char **cells;
	size_t ncells;
	char **overflow;
	size_t noverflow;
	long line;
} RecordCopy;

typedef struct Table Table;

/* An empty table of form (which must outlive it), format UTF-8 + BOM + CRLF. */
Table *table_new(const Form *form);
void table_free(Table *t);

const Form *table_form(const Table *t);
FileFormat table_format(const Table *t);
void table_set_format(Table *t, FileFormat fmt);

size_t table_nrecords(const Table *t);
Record *table_record(Table *t, size_t i);
const Record *table_record_c(const Table *t, size_t i);

/* Columns: the form's fields, then the extra ones. */
size_t table_ncols(const Table *t);
const char *table_col_header(const Table *t, size_t col);
/* Adds a column the form does not know; returns its column index.  Only
 * while the table has no records. */
size_t table_add_extra(Table *t, const char *header);

/* Appends a record with every cell empty; returns it. */
Record *table_append(Table *t, long line);

/* Moves every record of from (a table of the same form with the same
 * extra columns, e.g. a later part of the same file read on its own) to
 * the end of t, with the memory its cells use, and frees from. */
void table_adopt(Table *t, Table *from);

/* Gives back to the system the memory t holds for cells still to come
 * (the end of its last 2 MiB chunk): for a reader done with a file. */
void table_shrink(Table *t);

/* Inserts a record with every cell empty at index at (0..nrecords),
 * moving the later ones up; returns it. */
Record *table_insert(Table *t, size_t at, long line);

/* Inserts a copy of record from at index at; returns the copy. */
Record *table_insert_copy(Table *t, size_t at, size_t from);

/* Removes record i, moving the later ones down. */
void table_remove(Table *t, size_t i);

/* Replaces a cell without normalising or re-evaluating (takes ownership of
 * value, a malloc'd string).  For readers that normalise themselves. */
void table_put(Table *t, size_t rec, size_t col, char *value);
/* The same with a copy of s[0..n) kept in the table's arena: what readers
 * use for the many cells of a file.  Returns the copy, which stays as it is
 * until table_free (another cell may share it: table_put_shared). */
const char *table_put_copy(Table *t, size_t rec, size_t col, const char *s, size_t n);

/* The same for s, a string that lives as long as the table (a value of
 * the form's fields, or a copy table_put_copy returned): kept by pointer,
 * not copied. */
void table_put_shared(Table *t, size_t rec, size_t col, const char *s);

/* true when every cell (and overflow cell) is empty. */
bool table_record_empty(const Table *t, size_t rec);

/* A copy of record i (free with table_record_copy_free). */
RecordCopy table_copy_record(const Table *t, size_t i);
/* Inserts a record holding what c holds at index at (0..nrecords); c
 * stays the caller's. */
void table_insert_record(Table *t, size_t at, const RecordCopy *c);
void table_record_copy_free(RecordCopy *c);

#endif
