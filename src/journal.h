/* journal.h - the recovery journal: every committed change, on disk at once.
 *
 * While a clerk edits FILE, each change that reaches the table (a cell
 * set, a record added, copied or deleted) is appended to FILE.journal in
 * the same folder and flushed to disk (fdatasync) before the screen moves
 * on.  After a crash, a hang-up or a power cut, replaying the journal on
 * top of FILE gives back every committed change.  A successful save
 * retires the journal.
 *
 * The format is text, one entry a line, each with its own checksum:
 *
 *   SPMJ 2 <mtime of FILE: seconds> <nanoseconds> <size of FILE>
 *                                                  (first line: the base)
 *   <time>\t<op>\t<rec>\t<arg>\t<value>\t<crc>     (one per change)
 *
 * Entry times are from 2000 to a year ahead of the clock; another time
 * marks the line damaged.
 *
 * op: S = set cell (rec, field = arg, value), N = new empty record at rec,
 * C = copy of record arg inserted at rec, D = delete record rec.  Values
 * are escaped (\\ \t \n \r and \xHH for other control bytes); crc is the
 * FNV-1a hash of the line before it, in hex.  A line cut off or with a
 * wrong checksum ends the journal: what came before it is still used.
 *
 * Journal files are created with mode 0600, exclusively (O_EXCL), never
 * through a link (O_NOFOLLOW), and only a regular file with one link is
 * written or read: a link, a FIFO or a hard link planted beside the data
 * is refused, never followed or waited on.
 */
#ifndef SPMFORM_JOURNAL_H
#define SPMFORM_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "diag.h"
#include "table.h"

typedef enum { JOP_SET = 'S', JOP_NEW = 'N', JOP_COPY = 'C', JOP_DELETE = 'D' } JournalOp;

typedef struct {
	JournalOp op;
	time_t when;
	size_t rec, arg;
	char *value; /* JOP_SET only, else NULL; owned */
} JournalEntry;

typedef struct {
	/* the data file the entries apply to: its mtime (nanoseconds -1 in a
	 * journal of an older spmform, which kept seconds) and size (-1: it
	 * did not exist yet) */
	long long base_mtime, base_nsec, base_size;
	JournalEntry *entries;
	size_t n;
	long bad_line; /* the first line not used (cut off or damaged), or 0 */
} JournalRead;

typedef struct Journal Journal;

/* "DIR/NAME.journal" for data file "DIR/NAME" (malloc'd). */
char *journal_path(const char *data_path);

/* Opens data_path's journal for appending, creating it (mode 0600) with a
 * base line for the data file as it is now when it does not exist.
 * Returns NULL with a diag when it cannot. */
Journal *journal_open(const char *data_path, DiagList *diags);
/* Closes it (the file stays). */
void journal_close(Journal *j);

/* Appends one entry and flushes it to disk.  Returns 0, or -1 (the disk
 * is full, ...): the change is still in memory, the caller says so. */
int journal_log(Journal *j, JournalOp op, size_t rec, size_t arg, const char *value);

/* Removes the journal of data_path (after a successful save). */
void journal_retire(const char *data_path);

/* Renames the journal aside as "NAME.journal.YYYYMMDD-HHMMSS"; returns
 * the new name (malloc'd) or NULL. */
char *journal_set_aside(const char *data_path);

/* The journals set aside for data_path ("NAME.journal.YYYYMMDD-HHMMSS",
 * oldest first), as paths (malloc'd, like the array); *n their number. */
char **journal_list_aside(const char *data_path, size_t *n);

/* Makes the journal aside data_path's journal again, so that the next
 * opening of data_path offers to recover it.  Refused (-1, a diag) when
 * data_path has a journal already. */
int journal_restore(const char *aside, const char *data_path, DiagList *diags);

/* Whether r was written on top of the data file as st says it is now
 * (st NULL: the file does not exist), so that its entries apply to it. */
bool journal_fits(const JournalRead *r, const struct stat *st);

/* Reads a journal (file or memory).  Returns 0 with the entries in *out
 * (a damaged end is reported in diags and out->bad_line), or -1 when
 * there is no usable journal at all. */
int journal_read(const char *journal_file, JournalRead *out, DiagList *diags);
int journal_read_mem(const char *data, size_t len, JournalRead *out, DiagList *diags);
void journal_read_free(JournalRead *r);

/* Applies entries to t in order; stops at the first that does not fit
 * the table (reported in diags).  Returns how many were applied. */
size_t journal_apply(Table *t, const JournalRead *r, DiagList *diags);

#endif
