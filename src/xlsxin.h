/* xlsxin.h - reading the first sheet of an .xlsx workbook into a Table.
 *
 * The workbook is opened with minizip and its parts parsed with expat as
 * they are inflated (zipxml.h) (no part's XML is held in memory whole; the shared
 * strings are kept, decoded).  The sheet read is the first
 * <sheet> of the workbook part (found through _rels/.rels, normally
 * xl/workbook.xml), resolved through its r:id in the workbook's
 * relationships: never assumed to be sheet1.xml.  Each row of the sheet
 * goes to a RowSink (rows.h), so the header matching, the normalisation,
 * the unknown and missing columns and every message about them are those
 * of the CSV reader.  The line of a row is its sheet row number (r="7" is
 * line 7), so messages read "FILE.xlsx:7: error: ...".
 *
 * What a cell becomes:
 * - shared (t="s") and inline (t="inlineStr") strings: every <t> of the
 *   string, rich-text runs (<r>) included, phonetic runs (<rPh>) skipped;
 * - formula results (t="str"), errors (t="e", e.g. "#N/A") and dates
 *   written as text (t="d"): the cached <v>;
 * - booleans (t="b"): "TRUE" or "FALSE", as Excel shows them (and writes
 *   them into a CSV); other <v> text is kept as it is;
 * - numbers (no t, or t="n"): an integral value below 10^15 in full without
 *   a fraction ("24.0", "2.4E1" -> "24"), any other value with 15
 *   significant digits as Excel shows it ("0.30000000000000004" -> "0.3",
 *   "1E+20"); text that is not a number is kept.  Dates stored as numbers
 *   stay serial numbers (the styles are not read);
 * - a formula without a cached result (openpyxl writes them so): empty,
 *   with a warning naming the cell when its row is not blank.
 * In string values, _xHHHH_ escapes are decoded (Excel writes _x000D_ for
 * CR; _x005F_ is a literal "_"); _x0000_ cannot be held and is kept as
 * written.
 *
 * Cells are placed by their reference (r="C2"), so skipped columns are
 * empty; a cell without r follows the previous cell, a row without r the
 * previous row.  A row's trailing empty cells are dropped, and a record row
 * shorter than the header is filled up to it (an .xlsx row has no length of
 * its own: a missing trailing cell is an empty one, not a short record).
 * Rows without a non-empty cell are skipped, as blank lines in a CSV file
 * are; the first non-blank row is the header.
 *
 * Hostile files are refused, never trusted (zipxml.h): parts larger than
 * 256 MiB uncompressed, a DTD, references beyond XFD1048576, shared-string
 * indices beyond the strings, more than 2^24 shared strings, 2^22 cells or
 * 128 MiB of text in the cells (one shared string used by many cells).
 */
#ifndef SPMFORM_XLSXIN_H
#define SPMFORM_XLSXIN_H

#include "diag.h"
#include "form.h"
#include "table.h"

/* Loads the first sheet of the workbook at path.  The table gets format
 * out_fmt for writing it back (a workbook has no text encoding of its
 * own).  Returns NULL when the file is not a readable workbook (not a zip,
 * no workbook part, no sheet, a damaged part, an XML error, which diags
 * name with the part and its XML line) or when no header title matched; a
 * table otherwise (caller frees), with the reading problems in diags. */
Table *xlsxin_load(const char *path, const Form *form, FileFormat out_fmt, DiagList *diags);

#endif
