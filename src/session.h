/* session.h - one clerk editing one file: the state behind the entry screen.
 *
 * A Session owns the Table of the file being edited and knows the current
 * record and field, whether there are unsaved changes, and how to undo the
 * last changes.  Every operation the entry screen offers is here, without
 * curses, so that it is unit-tested directly; the screen only maps keys to
 * these calls and draws the result.
 *
 * Operations that have something to tell the clerk put it in s->msg (a
 * Traditional Chinese sentence; NULL when there is nothing to say).  The
 * screen shows it and calls session_clear_msg.
 */
#ifndef SPMFORM_SESSION_H
#define SPMFORM_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include <sys/stat.h>

#include "config.h"
#include "diag.h"
#include "form.h"
#include "journal.h"
#include "lock.h"
#include "table.h"

/* One cell as it was before a change. */
typedef struct {
	size_t rec, field;
	char *old;
	unsigned group; /* changes made by one action share a group */
} UndoEntry;

typedef struct {
	const Form *form;   /* borrowed; outlives the session */
	const Config *cfg;  /* borrowed */
	Table *table;       /* owned; always holds at least one record */
	char *path;         /* the file saved to */
	bool is_new;        /* the file did not exist when opened */
	bool ask_name;      /* opened from a workbook: the first save asks for a
			     * .csv or .xlsx name */
	size_t rec, field;  /* current record and field */
	bool dirty;         /* changes not saved */
	DiagList load_diags; /* problems found when the file was opened */
	size_t load_errors; /* records with errors when opened (rules included) */
	char *msg;          /* for the status line, or NULL */
	bool msg_is_error;
	UndoEntry *undo;
	size_t nundo, capundo;
	unsigned group;
	/* safety: the journal of committed changes, the lock, the file as
	 * loaded (to notice another program changing it) */
	Journal *journal;  /* open once the first change is made */
	bool journal_failed; /* said once: the journal could not be written */
	Lock *lock;
	bool read_only;    /* another spmform holds the file: saving over it is refused */
	LockHolder holder; /* who, when read_only */
	bool have_base;
	struct stat base;
	JournalRead recovery; /* a journal found when opening, not yet applied */
	bool has_recovery;
} Session;

/* Opens path (a file that does not exist yet is a new, empty file).
 * Returns NULL when the file exists but cannot be read or parsed; the
 * reasons are in diags.  A new or empty file gets one new record.
 * Takes the file's lock; when another spmform holds it the session is
 * read-only.  A journal left by an earlier session that fits the file is
 * kept in s->recovery (has_recovery): call session_recover or
 * session_discard_recovery before editing.  One that does not fit the file
 * any more is set aside under a dated name, with a message. */
Session *session_open(const Form *form, const Config *cfg, const char *path, DiagList *diags);
void session_free(Session *s);

size_t session_nrecords(const Session *s);
char **session_cells(const Session *s, size_t rec);

/* Keeps, of the records rows[0..n) (record indexes), those with a field
 * containing text, ASCII letters compared without case whatever the
 * locale ("" keeps every one); they are moved to the front of rows, in
 * their order, and their number is returned.  A long list is looked
 * through in parts side by side (par.h): the record list's search. */
size_t session_filter(const Session *s, const char *text, size_t *rows, size_t n);
const char *session_value(const Session *s, size_t field);

void session_set_msg(Session *s, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void session_clear_msg(Session *s);

/* Sets the current record's field to raw (normalised) and applies the
 * rules: values no longer permitted are cleared, and the message says
 * which and why.  Returns true when anything changed. */
bool session_set(Session *s, size_t field, const char *raw);

/* Choice fields: picks the n-th (1-based) value permitted now.  Returns
 * false, with a message, when there is no such value. */
bool session_pick(Session *s, size_t field, size_t n);

/* Moves to the next (or previous) field.  Moving forward fills a choice
 * field that has exactly one permitted value and skips over it.  At the
 * last field it stays.  Returns true when the field changed. */
bool session_next_field(Session *s);
bool session_prev_field(Session *s);
/* Fills the current field if it is a choice with exactly one permitted
 * value, and moves on while that is so (used when arriving at a field). */
void session_autofill_forward(Session *s);

bool session_goto_record(Session *s, size_t rec);
bool session_next_record(Session *s);
bool session_prev_record(Session *s);
/* The next record after the current one (wrapping) with an error; false
 * with a message when there is none. */
bool session_next_error(Session *s);

/* Appends a new record, prefilled with [defaults] of config.ini, and makes
 * it current at its first field. */
void session_new_record(Session *s);
/* Inserts a copy of the current record after it and makes it current. */
void session_dup_record(Session *s);
/* Copies the current field's value from the previous record (Dup key).
 * Returns false, with a message, on the first record. */
bool session_dup_field(Session *s);
/* Deletes the current record (a file keeps at least one, empty). */
void session_delete_record(Session *s);
/* Undoes the last action's changes (on any record; moves there).  Returns
 * false, with a message, when there is nothing to undo. */
bool session_undo(Session *s);

/* Problems of one record, as the rules see it now (caller frees). */
void session_record_diags(const Session *s, size_t rec, DiagList *out);

typedef enum { REC_EMPTY, REC_COMPLETE, REC_INCOMPLETE, REC_ERROR } RecordState;
/* complete: no errors; incomplete: only required fields missing;
 * error: a value is wrong. */
RecordState session_record_state(const Session *s, size_t rec);

/* Applies the journal found when opening (the clerk said yes). */
void session_recover(Session *s);
/* Keeps that journal aside under a dated name (the clerk said no). */
void session_discard_recovery(Session *s);

typedef enum {
	SAVE_OK = 0,
	SAVE_FAILED = -1,    /* reason in s->msg; the old file is untouched */
	SAVE_CHANGED = 1,    /* the file changed on disk since it was loaded: ask */
} SaveResult;

/* Saves to path (NULL = the session's path) atomically (as a workbook
 * when the name ends in .xlsx), keeping the
 * previous version as FILE.bak when config says so; on success the
 * session's path becomes path, it is no longer dirty and the journal is
 * retired.  Saving over a file another spmform holds is refused; over a
 * file that changed on disk since it was loaded only with force. */
SaveResult session_save(Session *s, const char *path, bool force);

/* Writes the records as an .xlsx workbook in the form's layout (the
 * session's file and state stay as they are).  Returns 0, or -1 with the
 * reason in s->msg. */
int session_export(Session *s, const char *path);

/* Ends the session's hold on its file for a quit without saving: the
 * journal is kept aside under a dated name (nothing is ever deleted). */
void session_abandon(Session *s);

#endif
