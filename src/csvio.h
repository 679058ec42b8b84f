/* csvio.h - reading and writing the form's CSV files faithfully.
 *
 * Reading: UTF-8 with or without BOM, or CP950 (what Excel on a Traditional
 * Chinese Windows saves as "CSV"), told apart by content; CRLF, LF or CR;
 * quoted fields with commas, quotes and line breaks (libcsv, strict).  The
 * first non-blank row is the header; its titles are matched to the form's
 * fields with form_match_header, so columns may come in any order.  Unknown
 * columns are kept; missing ones are added empty.  Cells of form fields are
 * stored normalised (form_normalize); records whose cells are all empty are
 * dropped.
 *
 * There is one reader.  A file or a text in memory is read block by block,
 * never held whole: each block is checked (NUL bytes, and UTF-8 unless the
 * text is read as CP950), then parsed a line at a time.  A text without
 * BOM that turns out not to be UTF-8 is read again from its start as CP950:
 * no byte of a Big5 code is a comma, a quote or a line end, so libcsv parses
 * the CP950 bytes and each cell is converted to UTF-8 as it is copied.
 *
 * Every Diag carries the physical line where its record starts; col, when
 * set, counts characters in that line.  Encoding problems name the byte
 * (and for CP950, the column of the record it is in).
 *
 * Writing: the form's headers in form order (then the unknown columns), then
 * the non-empty records, in the table's FileFormat; quotes only where
 * needed.  Saving is atomic (atomic.h).
 */
#ifndef SPMFORM_CSVIO_H
#define SPMFORM_CSVIO_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "form.h"
#include "table.h"

typedef struct RulesRun RulesRun; /* rules.h */

/* Where a CSV text comes from: the file path, or (path NULL) the len bytes
 * at data.  block is how many bytes are read at a time (0: 1 MiB); tests
 * make it small, so that block edges fall everywhere in small texts. */
typedef struct {
	const char *path;
	const char *data;
	size_t len;
	size_t block;
} CsvSource;

/* What becomes of the records read. */
typedef enum {
	CSV_KEEP,	/* kept in the table returned */
	CSV_CHECK,	/* each checked as it is read (rules_run_record) and not
			 * kept: the table returned has the header's columns and no
			 * record (spmform check holds no file in memory) */
	CSV_KEEP_CHECK, /* kept, and checked as they are read (the entry screen) */
} CsvMode;

/* Reads src.  The table gets format out_fmt for writing it back, except
 * that a text read as CP950 keeps CP950.  Returns NULL when the text cannot
 * be read or parsed at all (diags say why, with the place); a table
 * otherwise, with the reading problems in diags.  With CSV_CHECK and
 * CSV_KEEP_CHECK, *run gets the run that checked the records (NULL when
 * the text could not be read), for rules_run_end or rules_run_end_table:
 * the problems of the records are in it, not in diags. */
Table *csvio_read(const CsvSource *src, const Form *form, FileFormat out_fmt, CsvMode mode,
		  RulesRun **run, DiagList *diags);

/* csvio_read of the file path, keeping the records. */
Table *csvio_load(const char *path, const Form *form, FileFormat out_fmt, DiagList *diags);
/* csvio_read of text in memory, keeping the records. */
Table *csvio_load_mem(const char *data, size_t len, const Form *form, FileFormat out_fmt,
		      DiagList *diags);

/* Serialises t in its format into a malloc'd buffer (*len bytes).  Returns
 * NULL, with one diag per value that cannot be encoded (naming record and
 * field), when the table's encoding cannot hold every value. */
char *csvio_serialize(const Table *t, size_t *len, DiagList *diags);

/* Writes t to path atomically, keeping the file it replaces as path.bak
 * when backup is set.  Nothing is written (no backup either) when a value
 * cannot be encoded.  Returns 0, or -1 with diags saying why; after -1,
 * path is as it was. */
int csvio_save(const Table *t, const char *path, bool backup, DiagList *diags);

#endif
