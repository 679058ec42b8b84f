/* xlsxout.h - writing a table as an .xlsx workbook in its form's layout.
 *
 * The layout follows from the form's data alone:
 *
 * - A form whose [print] layout is a sheet (FormPrint.layout PRINT_SHEET,
 *   i.e. the admin account form) becomes one printable sheet named
 *   after the form's title: the print title merged across the columns, the
 *   header row (FormField.full_header), the records (one empty bordered row
 *   when there are none), the signature boxes (a caption over an empty box
 *   each, side by side), then 備註： and the numbered notes.  Landscape, one
 *   page wide, the header row repeated on every page.  The form's lists go to
 *   a hidden sheet named form_list_sheet().
 *
 * - Any other form becomes the template's workbook: a data sheet named after
 *   the form's title (header row of full_header cells, frozen; the records
 *   below), a 填表說明 sheet (項目 / 填表說明 / 填表說明2: each field's
 *   header, help and help_more) and the value sheet form_list_sheet() with
 *   every FormList as a column (title on top) in file order.
 *
 * In both, every choice field with a list (FormField.list >= 0) gets a
 * dropdown: list validation pointing at its column of the value sheet, on
 * rows 2 to 1001 of the data sheet (or to the last record when there are
 * more), on the record rows of the printable sheet.  Only non-empty
 * records are written, in table order; the table's extra columns follow the
 * form's with their headers, and a record's overflow cells follow those.
 * Every cell is a string, never a formula (a value "=1+1" stays text),
 * except that an integer field's value of 1 to 15 digits without a leading
 * zero is written as a number.  A sheet name that Excel would refuse (too
 * long, []:*?/\, taken) is replaced by SheetN, with a warning in diags.
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
 * Values that cannot go into a workbook (invalid UTF-8, more than 32,767
 * characters, more rows or columns than Excel has) are reported with their
 * record and field before anything is written. */
int xlsxout_write(const Table *t, const char *path, bool backup, DiagList *diags);

#endif
