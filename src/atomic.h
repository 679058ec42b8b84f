/* atomic.h - replacing a file so that a failure cannot hurt it.
 *
 * The new content goes to a temporary file in the target's folder (mode
 * 0600 while written); atomic_commit gives it the target's mode, flushes it
 * to disk, renames it over the target and makes the rename durable.  On
 * any failure the target is as it was and the temporary file is gone.
 */
#ifndef SPMFORM_ATOMIC_H
#define SPMFORM_ATOMIC_H

#include <sys/types.h>

#include "diag.h"

typedef struct {
	char *tmp; /* the temporary file's name */
	char *dir; /* the target's folder */
	int fd;    /* open for writing, or -1 once closed */
	mode_t mode; /* what the target will get */
} AtomicFile;

/* Creates the temporary file for path.  The target keeps an existing
 * file's permission bits (or gets 0666 & ~umask), unless force_mode >= 0.
 * Returns 0, or -1 with a diag (nothing to clean up then). */
int atomic_begin(AtomicFile *a, const char *path, int force_mode, DiagList *diags);

/* Writes len bytes to the temporary file; every write checked.  Returns 0,
 * or -1 with a diag (then call atomic_abort). */
int atomic_write(AtomicFile *a, const char *data, size_t len, DiagList *diags);

/* Puts the temporary file in place of path.  Returns 0, or -1 with a diag;
 * either way the AtomicFile is finished (nothing left behind). */
int atomic_commit(AtomicFile *a, const char *path, DiagList *diags);

/* Gives up: removes the temporary file. */
void atomic_abort(AtomicFile *a);

#endif
