/* odsin.h - reading the first sheet of an OpenDocument spreadsheet (.ods)
 * into a Table.
 *
 * The package is opened with minizip and content.xml parsed with expat as
 * it is inflated (zipxml.h), as the .xlsx reader does; no part is held in
 * memory whole.  The sheet read is the first <table:table> of the
 * spreadsheet body, whatever its name or visibility.  Each row goes to a
 * RowSink (rows.h), so the header matching, the normalisation, the unknown
 * and missing columns and every message about them are those of the CSV
 * and .xlsx readers.  The line of a row is its sheet row number, counting
 * repeated rows (messages read "FILE.ods:7: error: ...").
 *
 * What a cell becomes:
 * - text (office:value-type "string", or none): its paragraphs joined by
 *   "\n" (<text:p>, <text:h>, and <text:line-break/> within one), with
 *   <text:s text:c="N"/> as N spaces and <text:tab/> as a tab; the XML
 *   text's own white space as ODF says (a tab, CR or LF is a space, a
 *   space after another or at either end of a paragraph is dropped:
 *   "<text:p>\n  a  b\n</text:p>" is "a b"); spans and
 *   links are their text; comments (office:annotation) and drawings are
 *   not the cell's text.  office:string-value, where given, wins;
 * - numbers (float, percentage, currency): office:value as Excel and
 *   LibreOffice show it ("24", "0.3", "1E+20"; zipxml_number_text),
 *   whatever the cell's format displays;
 * - booleans: "TRUE" or "FALSE"; dates and times: office:date-value
 *   ("2021-02-24") and office:time-value ("PT12H00M00S") as written;
 * - formulas: their cached value, as above.
 * A cell repeated (table:number-columns-repeated) fills as many columns,
 * a row repeated (table:number-rows-repeated) is as many rows; merged
 * ranges leave their covered cells empty.  A row's trailing empty cells
 * are dropped, a record row shorter than the header is filled up to it,
 * rows without a non-empty cell are skipped (as blank lines of a CSV
 * file); the first non-blank row is the header.
 *
 * The sheets after the first are not parsed, only inflated (the part's
 * CRC is checked).  Hostile files are refused, never trusted (zipxml.h):
 * content.xml larger than 1 GiB uncompressed (it holds every sheet, and
 * ODF is wordy: 190 MB for 100,000 rows), other parts than 256 MiB, a DTD, an encrypted package (a password), a
 * package whose mimetype is another kind of document, more than 1,048,576
 * rows or 16,384 columns holding values, more than 2^22 cells or 128 MiB
 * of text handed on (repeated rows and cells, <text:s text:c="..."/>
 * expand a few bytes into much).
 */
#ifndef SPMFORM_ODSIN_H
#define SPMFORM_ODSIN_H

#include "diag.h"
#include "form.h"
#include "table.h"

/* Loads the first sheet of the spreadsheet at path.  The table gets format
 * out_fmt for writing it back.  Returns NULL when the file is not a
 * readable spreadsheet (not a zip, no content.xml, no sheet, a damaged
 * part, an XML error, which diags name with the part and its XML line) or
 * when no header title matched; a table otherwise (caller frees), with the
 * reading problems in diags. */
Table *odsin_load(const char *path, const Form *form, FileFormat out_fmt, DiagList *diags);

#endif
