/* writers.h - the writers that need big libraries, in a module of their own.
 *
 * xlsxout.c (libxlsxwriter, which brings libcrypto), odsout.c (libxml2,
 * which brings ICU), print.c's print_pdf (Pango, cairo, fontconfig) and
 * layout.c, which only they use, are built into spmform-writers.so.  The
 * program links none of those libraries, so that a process that writes
 * no such file never loads them (10 shared objects at start instead of
 * 53, a fifth of the memory: see the Makefile); it loads the module with
 * dlopen the first time it writes a file of theirs.
 *
 * In the program, writers.c defines xlsxout_write, odsout_write and
 * print_pdf (their headers are unchanged): each loads the module if it is
 * not loaded yet and calls the module's function through WritersTable.
 * The module is looked for in this order:
 *   DIR/spmform-writers.so                 (DIR: the program's folder,
 *                                           /proc/self/exe: a checkout,
 *                                           build/san/)
 *   DIR/../lib/spmform/spmform-writers.so  (make install, the tarball)
 *   SPMFORM_LIBDIR/spmform-writers.so      (PREFIX/lib/spmform, the
 *                                           Debian package's /usr/lib/spmform)
 * When none loads (missing, not a module, one of another version or one
 * whose libraries are missing), the write fails with an error in the diags
 * naming every place and why it failed (dlerror's text, escaped); the file
 * written is untouched.  A failure is not remembered: the next write looks
 * again.
 *
 * The module uses the program's own core (xmalloc, diag_add, table_*,
 * form_*, atomic_*...): the program exports its symbols (-rdynamic) and
 * the module links no copy of them.  The module's own symbols are hidden
 * (-fvisibility=hidden), all but spmform_writers: its xlsxout_write is
 * never bound to the program's.
 *
 * The unit tests link the writers' sources directly, without writers.c and
 * without a module (Makefile: TEST_CORE).
 */
#ifndef SPMFORM_WRITERS_H
#define SPMFORM_WRITERS_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "print.h"
#include "table.h"

#define WRITERS_MODULE "spmform-writers.so"
/* The symbol the module exports: a const WritersTable. */
#define WRITERS_SYMBOL "spmform_writers"
/* Changes whenever WritersTable does. */
#define WRITERS_ABI 1

typedef struct {
	/* checked first, in this order: a module whose abi or size differs,
	 * or whose version is not the program's (SPMFORM_VERSION), is refused */
	unsigned abi;
	size_t size; /* sizeof (WritersTable) */
	const char *version;
	int (*xlsxout_write)(const Table *t, const char *path, bool backup, DiagList *diags);
	int (*odsout_write)(const Table *t, const char *path, bool backup, DiagList *diags);
	int (*print_pdf)(const Table *t, const char *path, const PrintOptions *opt, bool backup,
			 PrintSummary *sum, DiagList *diags);
} WritersTable;

#endif
