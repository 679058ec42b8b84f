/* rows.h - rows of cells, from any reader, into a Table.
 *
 * The first row given is the header: its titles are matched to the form's
 * fields (form_match_header), unknown columns are kept as extra columns,
 * missing ones reported.  Each later row becomes a record (cells of form
 * fields normalised, all-empty rows dropped, cells beyond the header kept
 * as overflow).  Problems go to the DiagList with the row's line.  Used by
 * the CSV reader and the .xlsx reader alike.
 */
#ifndef SPMFORM_ROWS_H
#define SPMFORM_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "form.h"
#include "table.h"

/* How the error begins when no title of the header is one of the form's
 * (guess.h looks for it). */
#define ROWS_NO_HEADER "標題列沒有任何認得的欄位"

typedef struct RowSink RowSink;

/* form and t must outlive the sink; problems are added to dl. */
RowSink *rows_new(const Form *form, Table *t, DiagList *dl);
void rows_free(RowSink *r);

/* Takes one row: cells[0..n) are malloc'd strings whose ownership passes
 * to the sink (the entries are set to NULL); line is where the row starts
 * (for messages and Record.line). */
void rows_add(RowSink *r, char **cells, size_t n, long line);

/* The same for a row the caller keeps: cells[j] is NUL-terminated, of
 * lens[j] bytes; nothing is taken over (what is kept is copied). */
void rows_add_view(RowSink *r, const char *const *cells, const size_t *lens, size_t n, long line);

/* The header a sink has taken, copied (for a sink that reads a later
 * part of the same file at the same time): NULL while it has none, or
 * when it is unusable.  Free with rows_header_free. */
typedef struct RowsHeader RowsHeader;
RowsHeader *rows_header(const RowSink *r);
void rows_header_free(RowsHeader *h);

/* A sink whose header is h: every row given is a record.  Adds h's extra
 * columns to t, which must have none yet. */
RowSink *rows_new_after(const Form *form, Table *t, DiagList *dl, const RowsHeader *h);

/* Hands every record to hook instead of keeping it in the table (for a
 * file that is only checked): cells are the form's fields in form order,
 * normalised as the table would keep them (a choice as the form's own
 * string), valid during the call.  The records are counted as if kept:
 * the problems of reading them name the same record numbers. */
typedef void (*RowsHook)(void *ctx, char *const *cells, long line);
void rows_set_hook(RowSink *r, RowsHook hook, void *ctx);

/* The same, but every record is kept in the table as well, and the hook
 * is given its cells there (for a file read and checked at once). */
void rows_set_hook_keeping(RowSink *r, RowsHook hook, void *ctx);

/* The form field that column col of the file's rows holds, or -1 (no
 * header yet, or a column the form does not know). */
long rows_column_field(const RowSink *r, size_t col);

/* Whether a header was seen; whether the file is unusable (no header
 * title matched), after which rows are ignored. */
bool rows_have_header(const RowSink *r);
bool rows_fatal(const RowSink *r);

#endif
