/* io.h - files of records by their kind: which reader reads one, which
 * writer writes one, and the rules every command that writes a file
 * follows.
 *
 * The kind of a file is told by its name's ending, ASCII case ignored:
 * .csv (and any other name, when reading), .xlsx, .ods; and .pdf, which
 * is only written (print.h).  Readers and writers are csvio.h, xlsxin.h /
 * xlsxout.h and odsin.h / odsout.h; this module only chooses between them,
 * so that the entry screen, check and the converting commands read and
 * write alike.
 */
#ifndef SPMFORM_IO_H
#define SPMFORM_IO_H

#include <stdbool.h>

#include "diag.h"
#include "form.h"
#include "table.h"

typedef enum { IO_CSV, IO_XLSX, IO_ODS, IO_PDF, IO_OTHER } IoKind;

/* A set of kinds, for io_output_ok: IO_SET(IO_XLSX) | IO_SET(IO_ODS). */
#define IO_SET(k) (1u << (k))

/* The kind path names by its ending: IO_CSV for .csv, IO_XLSX for .xlsx,
 * IO_ODS for .ods, IO_PDF for .pdf, IO_OTHER for any other name. */
IoKind io_kind(const char *path);

/* Whether path names a workbook (.xlsx or .ods): read whole by io_load,
 * not as a CSV file is. */
bool io_is_workbook(const char *path);

/* The ending a file of kind k has (".csv", ".xlsx", ".ods", ".pdf"). */
const char *io_ending(IoKind k);

/* Reads path by its kind: a workbook when it ends in .xlsx or .ods, CSV
 * otherwise (as csvio_load, xlsxin_load and odsin_load: NULL when it
 * cannot be read, diags say why). */
Table *io_load(const char *path, const Form *form, FileFormat fmt, DiagList *diags);

/* path with its ending (.csv, .xlsx, or whatever follows the last dot of
 * its last component) replaced by k's, or k's ending added when it has
 * none: the default output of a command ("a.csv" -> "a.pdf").  Malloc'd. */
char *io_with_ending(const char *path, IoKind k);

/* Whether a command may write a file of one of the kinds in the set kinds
 * (IO_SET) to path: its ending must be one of theirs, and a file already
 * there is written over only with force.  Returns true, or false with an
 * error in diags naming path and saying what to do. */
bool io_output_ok(const char *path, unsigned kinds, bool force, DiagList *diags);

/* Writes t to path as a file of path's kind (.xlsx, .ods, else CSV), atomically,
 * keeping the file it replaces as path.bak when backup is set.  Nothing is
 * written, the backup neither, when t cannot be written so (a value CP950
 * or a workbook cannot hold: diags name its record and field).  Returns
 * 0, or -1 with diags saying why; path is then as it was. */
int io_save(const Table *t, const char *path, bool backup, DiagList *diags);

#endif
