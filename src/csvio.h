/* csvio.h - reading and writing the form's CSV files faithfully.
 *
 * Reading: UTF-8 with or without BOM, or CP950 (what Excel on a Traditional
 * Chinese Windows saves as "CSV"), told apart by content; CRLF or LF;
 * quoted fields with commas, quotes and line breaks (libcsv, strict).  The
 * first non-blank row is the header; its titles are matched to the form's
 * fields with form_match_header, so columns may come in any order.  Unknown
 * columns are kept; missing ones are added empty.  Cells of form fields are
 * stored normalised (form_normalize); records whose cells are all empty are
 * dropped.
 *
 * Every Diag carries the physical line where its record starts (col, when
 * set, counts characters in that line).  Encoding problems name the byte.
 *
 * Writing: the form's headers in form order (then the unknown columns), then
 * the non-empty records, in the table's FileFormat.  Saving is atomic: a
 * temporary file in the target's folder, every write checked, fsync,
 * rename.  A save that fails for any reason leaves the old file as it was
 * and no temporary file behind.
 */
#ifndef SPMFORM_CSVIO_H
#define SPMFORM_CSVIO_H

#include <stddef.h>

#include "diag.h"
#include "form.h"
#include "table.h"

/* Sets the size of the blocks csvio_load reads (0: the default, 1 MiB):
 * for tests, which make the block edges fall everywhere in small files. */
void csvio_set_block_size(size_t n);

/* A big file is read in parts side by side, one per processor (par.h),
 * each part at least this big (0: the default, 1 MiB): tests set less, so
 * that small files are read in parts too. */
void csvio_set_split_min(size_t n);
/* How many parts the last csvio_load read side by side (1: it read the
 * file as one): for tests. */
size_t csvio_last_parts(void);

/* Loads path.  The table gets format out_fmt for writing it back, except
 * that a file read as CP950 keeps CP950.  Returns NULL when the file
 * cannot be read or parsed at all (diags say why, with the place); a
 * table otherwise, with the reading problems in diags. */
Table *csvio_load(const char *path, const Form *form, FileFormat out_fmt, DiagList *diags);

typedef struct RulesRun RulesRun; /* rules.h */

/* Reads path as csvio_load does, but checks each record with the form's
 * rules as it is read instead of keeping it (rules_run_record): only
 * what the rules across records need stays in memory.  Returns NULL when
 * csvio_load would (diags say why), else the run that checked the
 * records, to be finished with rules_run_end.  The problems of reading
 * are in diags, those of the records in the run. */
RulesRun *csvio_check(const char *path, const Form *form, DiagList *diags);

/* csvio_load, checking each record as it is read (for the entry screen):
 * *run gets what checked them, for rules_run_end_table with the table
 * returned (NULL when the file could not be read). */
Table *csvio_load_checked(const char *path, const Form *form, FileFormat out_fmt,
			  DiagList *diags, RulesRun **run);

/* Loads CSV text already in memory; name is used in messages only. */
Table *csvio_load_mem(const char *data, size_t len, const Form *form, FileFormat out_fmt,
		      DiagList *diags);

/* Serialises t in its format into a malloc'd buffer (*len bytes).  Returns
 * NULL, with one diag per value that cannot be encoded (naming record and
 * field), when the table's encoding cannot hold every value. */
char *csvio_serialize(const Table *t, size_t *len, DiagList *diags);

/* Writes t to path atomically.  Returns 0, or -1 with diags saying why;
 * after -1, path is as it was. */
int csvio_save(const Table *t, const char *path, DiagList *diags);

/* Writes len bytes of data to path atomically (temp file in the same
 * folder, fsync, rename), keeping an existing file's permission bits.
 * Returns 0, or -1 with a diag. */
int csvio_write_atomic(const char *path, const char *data, size_t len, DiagList *diags);

/* Keeps the current content of path as path.bak (mode 0600, atomic).
 * Returns 0 (also when path does not exist yet), or -1 with a diag. */
int csvio_backup(const char *path, DiagList *diags);

#endif
