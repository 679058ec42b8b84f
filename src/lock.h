/* lock.h - one clerk at a time per file, on this host.
 *
 * While spmform has FILE open for editing it holds FILE.lock, a small text
 * file naming the user, the process, the host and the time.  A second
 * spmform on the same file sees who holds it and opens the file
 * read-only.  A lock whose process is gone (same host, pid not alive) is
 * stale and taken over.
 */
#ifndef SPMFORM_LOCK_H
#define SPMFORM_LOCK_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

typedef struct {
	char user[64];
	char host[128];
	long pid;
	time_t since;
} LockHolder;

typedef struct Lock Lock;

/* Takes the lock of data_path.  Returns it, or NULL when another live
 * process holds it (*holder says who) or the lock cannot be created (then
 * holder->pid is 0). */
Lock *lock_acquire(const char *data_path, LockHolder *holder);
/* Releases it (removes the lock file); NULL is fine. */
void lock_release(Lock *l);

#endif
