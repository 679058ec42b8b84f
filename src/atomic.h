/* atomic.h - replacing a file so that a failure cannot hurt it.
 *
 * The new content goes to a temporary file in the target's folder (mode
 * 0600 while written); atomic_commit gives it the target's mode, flushes it
 * to disk, keeps the old file as TARGET.bak when asked, renames the new one
 * over the target and makes the rename durable.  On any failure the target
 * is as it was, no backup was made, and the temporary file is gone.
 *
 * A target that is a symbolic link is written through the link: the file
 * it points at is replaced, in that file's folder, and the link stays.
 */
#ifndef SPMFORM_ATOMIC_H
#define SPMFORM_ATOMIC_H

#include <stdbool.h>
#include <sys/types.h>

#include "diag.h"

typedef struct {
	char *target; /* the file replaced: path, or what its link points at */
	char *tmp;    /* the temporary file's name */
	char *dir;    /* the target's folder */
	int fd;       /* open for writing, or -1 once closed */
	mode_t mode;  /* what the target will get */
} AtomicFile;

/* Creates the temporary file for path.  The target keeps an existing
 * file's permission bits (or gets 0666 & ~umask), unless force_mode >= 0.
 * Returns 0, or -1 with a diag (nothing to clean up then): also for a
 * link that points nowhere, and for a target that is not a regular file. */
int atomic_begin(AtomicFile *a, const char *path, int force_mode, DiagList *diags);

/* Writes len bytes to the temporary file; every write checked.  Returns 0,
 * or -1 with a diag (then call atomic_abort). */
int atomic_write(AtomicFile *a, const char *data, size_t len, DiagList *diags);

/* Puts the temporary file in place of the target, first keeping the
 * target's content as TARGET.bak (mode 0600) when backup is set and there
 * is one.  Returns 0, or -1 with a diag; either way the AtomicFile is
 * finished (nothing left behind). */
int atomic_commit(AtomicFile *a, bool backup, DiagList *diags);

/* Gives up: removes the temporary file. */
void atomic_abort(AtomicFile *a);

/* Writes len bytes of data to path so (begin, write, commit).  Returns 0
 * or -1 with a diag. */
int atomic_replace(const char *path, const char *data, size_t len, bool backup,
		   DiagList *diags);

#endif
