/* check.h - `spmform check`: every problem of a file, with its place.
 *
 * Prints one line per problem, "FILE:LINE: error|warning: LABEL: message",
 * in line order, then a summary line for the file.  Text that comes from
 * the file (values, names) is escaped: it never reaches a terminal raw.
 */
#ifndef SPMFORM_CHECK_H
#define SPMFORM_CHECK_H

#include <stdio.h>

#include "form.h"
#include "table.h"

enum {
	CHECK_OK = 0,       /* no errors (warnings allowed) */
	CHECK_ERRORS = 1,   /* at least one error in a record */
	CHECK_UNREADABLE = 2, /* the file could not be read or parsed */
};

/* Whether path names an .xlsx workbook (by its ending). */
bool path_is_xlsx(const char *path);

/* Loads a file of records: an .xlsx workbook (by its name) with the
 * .xlsx reader, anything else as CSV.  As csvio_load. */
Table *check_load(const char *path, const Form *form, FileFormat fmt, DiagList *diags);

/* Shows on stderr, when it is a terminal, how far reading path has come,
 * once it takes longer than delay_ms; progress_end clears the line. */
void check_progress_begin(const char *path, int delay_ms);
void check_progress_end(void);

/* Checks the file at path against form, writing to out.  Returns one of
 * the CHECK_ values. */
int check_file(const char *path, const Form *form, FileFormat fmt, int progress_delay_ms,
	       FILE *out);

#endif
