/* lock.h - one clerk at a time per file, held by the kernel.
 *
 * While spmform has FILE open for editing it holds an open-file-description
 * lock (fcntl F_OFD_SETLK) on FILE.lock.  The kernel releases it when the
 * process ends, however it ends (kill -9, a power cut, a parent that never
 * reaps it), so a lock left behind is never in the way, and it can never
 * be held twice.  The file's content (user, process, host, time) only tells
 * a second clerk who holds it.
 *
 * The lock is only as good as the file system's fcntl locks: on NFS it
 * needs a working lock manager (lockd); where the file system cannot lock
 * at all, lock_acquire says so and the file is opened read-only.
 *
 * FILE.lock is opened with O_NOFOLLOW and must be a regular file: a link
 * or a FIFO planted there is refused (never followed, never waited on).
 */
#ifndef SPMFORM_LOCK_H
#define SPMFORM_LOCK_H

#include <stdbool.h>
#include <time.h>

typedef struct {
	char user[64];	/* "" when the lock file does not say */
	char host[128];
	long pid;	/* 0 when not said */
	time_t since;	/* 0 when not said, or not a time that can be */
} LockHolder;

typedef enum {
	LOCK_OK,     /* taken: *lock is it */
	LOCK_BUSY,   /* another process holds it: *holder says who, as far as
		      * its file says */
	LOCK_FAILED, /* it cannot be taken here: *why says why (malloc'd) */
} LockStatus;

typedef struct Lock Lock;

/* Takes the lock of data_path. */
LockStatus lock_acquire(const char *data_path, Lock **lock, LockHolder *holder, char **why);

/* Whether another process holds the lock of data_path now, without
 * taking it and without creating anything (for a command that only reads
 * the file, and says it is being edited): true with *holder (as far as its
 * file says); false when nobody does, or there is no lock file. */
bool lock_held(const char *data_path, LockHolder *holder);

/* Releases it and removes FILE.lock; NULL is fine. */
void lock_release(Lock *l);

/* Reads a holder line ("user pid host since") from text[0..n): fields
 * that are missing or out of range stay 0 / "".  For lock_acquire and the
 * fuzz target. */
void lock_parse_holder(const char *text, size_t n, LockHolder *h);

#endif
