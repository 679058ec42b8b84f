/* xlsxout.h - writing a table as an .xlsx workbook in its form's layout.
 *
 * The sheets, their cells, sizes, dropdowns (list validations pointing at
 * the value sheet, LIST_FORMULA: libxlsxwriter 1.1.4 overflows on inline
 * CJK lists) and print setup are layout.h's; this module writes them.
 * Excel's own habits are kept: every text cell is a string, never a
 * formula; "_xHHHH_" in a value is written escaped (_x005F_xHHHH_), as
 * Excel saves it, so that it reads back as typed; the cells of numbers
 * stored as text are told not to be flagged.
 *
 * libxlsxwriter prints its own errors to stderr; xlsxout_write keeps the
 * process's stderr (fd 2) redirected to a temporary file while it calls the
 * library and puts what was printed into the diag instead, so that the call
 * is safe while curses owns the terminal.  (A sanitizer report raised inside
 * that window would be lost with it.)
 */
#ifndef SPMFORM_XLSXOUT_H
#define SPMFORM_XLSXOUT_H

#include <stdbool.h>

#include "diag.h"
#include "table.h"

/* Writes t to path as .xlsx, atomically (atomic.h): the workbook is built
 * in a temporary file of path's folder (mode 0600 while written), fsync'd,
 * given the mode of the file it replaces (or 0666 & ~umask), then renamed
 * over path, keeping the file it replaces as path.bak when backup is set.  Returns 0 (diags may get warnings), or -1 with an error in diags
 * saying why; after -1, path is as it was and no temporary file is left.
 * Values that cannot go into a workbook (layout_build: invalid UTF-8, more
 * than 32,767 characters, more rows or columns than Excel has) are
 * reported with their record and field before anything is written. */
int xlsxout_write(const Table *t, const char *path, bool backup, DiagList *diags);

#endif
