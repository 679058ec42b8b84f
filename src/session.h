/* session.h - one clerk editing one file: the state behind the entry screen.
 *
 * A Session owns the Table of the file being edited and knows the current
 * record and field, whether there are unsaved changes, what every record's
 * problems are, and how to undo each action.  Every operation the entry
 * screen and plain mode offer is here, without curses, so that it is
 * unit-tested directly; the screen maps keys to these calls and draws what
 * they leave.
 *
 * What the clerk sees is what is saved:
 * - A value changes only when the clerk changes it.  Moving the cursor,
 *   arriving at or leaving a field, opening a file never change one; a
 *   wrong value read from a file stays, with its problem.  A change the
 *   clerk makes may make the form's only-rules change the fields it drives
 *   (a value no longer permitted replaced by the one permitted now, or
 *   cleared; an empty field with one permitted value filled): that is
 *   part of the clerk's action, said on the status line, and one
 *   session_undo takes it all back.
 * - A record added with session_new_record holds the [defaults] of
 *   config.ini but is not a record until the clerk changes something in
 *   it: until then it is not saved, counted or checked, and leaving it
 *   discards it (with a word).
 * - The problems of every record come from one evaluation (rules.h, as
 *   spmform check makes it), kept up to date as values change:
 *   session_record_diags, the record states, session_next_error and the
 *   counts all read it.
 * - Every action that changes the file can be undone, in order; the
 *   session is dirty while the records differ from the file's.
 * - When another spmform holds the file (or it cannot be locked) the
 *   session is read-only: every change is refused with the notice.
 *
 * Every change that reaches the table is appended to FILE.journal at once
 * (journal.h); a save retires it.
 *
 * Operations that have something to tell the clerk leave it as the
 * session's message (a Traditional Chinese sentence; NULL when there is
 * nothing to say); the screen shows it and clears it.
 */
#ifndef SPMFORM_SESSION_H
#define SPMFORM_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "diag.h"
#include "form.h"
#include "rules.h"

typedef struct Session Session;

/* Opens path (a file that does not exist yet is a new, empty file).
 * Returns NULL when the file exists but cannot be read or parsed; the
 * reasons are in diags (with the reading's other problems; the session
 * keeps its own copy of those).  Takes the file's lock; when another
 * spmform holds it, or it cannot be locked, the session is read-only.  A
 * journal left by an earlier session that fits the file is offered
 * (session_has_recovery): call session_recover or
 * session_discard_recovery before editing.  One that does not fit or
 * cannot be read is set aside under a dated name, with a message. */
Session *session_open(const Form *form, const Config *cfg, const char *path, DiagList *diags);
void session_free(Session *s);

/* --- what there is ---------------------------------------------------- */

const Form *session_form(const Session *s);
/* The records as they are now (the record being added not among them):
 * to read, for writing them out. */
const Table *session_table(const Session *s);
const char *session_path(const Session *s);
/* The session's path with its ending replaced by ending (".csv",
 * ".xlsx"): the name offered to save or export to.  Malloc'd. */
char *session_path_as(const Session *s, const char *ending);
/* Records of the file: 0 to session_nrecords - 1.  A record being added
 * that was not typed into yet is not one of them: it is record
 * session_nrecords while it is the current one (session_is_fresh). */
size_t session_nrecords(const Session *s);
/* Records that are saved and counted: those with a value. */
size_t session_nsaved(const Session *s);
/* Whether rec is the record being added, not typed into yet. */
bool session_is_fresh(const Session *s, size_t rec);
size_t session_rec(const Session *s);
size_t session_field(const Session *s);
/* The cells of record rec (the form's fields in form order). */
char *const *session_cells(const Session *s, size_t rec);
/* Field of the current record. */
const char *session_value(const Session *s, size_t field);
/* The physical line record rec starts on in the file read (or last
 * saved), or 0 for a record added since. */
long session_line(const Session *s, size_t rec);
/* The record whose lines in the file include line (as check names
 * them), or -1. */
long session_record_at_line(const Session *s, long line);
bool session_dirty(const Session *s);
bool session_read_only(const Session *s);
/* Who holds the file and since when, while read-only (else NULL). */
const char *session_lock_notice(const Session *s);
/* Opened from a workbook: the first save asks for a name (.csv, .xlsx, .ods). */
bool session_ask_name(const Session *s);
/* Whether the changes are in the journal (a crash would lose none). */
bool session_journaled(const Session *s);

const char *session_msg(const Session *s);
bool session_msg_is_error(const Session *s);
void session_set_msg(Session *s, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void session_clear_msg(Session *s);

/* Keeps, of the records rows[0..n) (record indexes), those with a field
 * containing text (field >= 0: that field only), ASCII letters compared
 * without case whatever the locale ("" keeps every one); they are moved
 * to the front of rows, in their order, and their number is returned:
 * the record list's search. */
size_t session_filter(const Session *s, const char *text, long field, size_t *rows, size_t n);


/* --- what the rules say (the current record unless rec is given) ------- */

FieldNeed session_need(const Session *s, size_t field);
/* The prompt of an active require rule on field, or NULL. */
const char *session_prompt(const Session *s, size_t field);
/* The values of a choice field permitted now: indices into its values
 * written to out (room for nvalues), counted. */
size_t session_permitted(const Session *s, size_t field, size_t *out);

/* Problems of record rec as the one evaluation has them: its own, those
 * of reading it, those across records (naming the other record).  Each
 * Diag's record is rec.  The caller frees out. */
void session_record_diags(const Session *s, size_t rec, DiagList *out);
/* The first error on field of the current record, or NULL (valid until
 * the next change). */
const char *session_field_error(const Session *s, size_t field);
/* The same, or else its first warning (*level says which), or NULL. */
const char *session_field_problem(const Session *s, size_t field, DiagLevel *level);

typedef enum { REC_EMPTY, REC_COMPLETE, REC_INCOMPLETE, REC_ERROR } RecordState;
/* complete: no errors (warnings allowed); incomplete: its only errors are
 * required fields left empty; error: a value is wrong. */
RecordState session_record_state(const Session *s, size_t rec);
/* As session_filter, by state: those of rows[0..n) whose state is state. */
size_t session_filter_state(const Session *s, RecordState state, size_t *rows, size_t n);
/* Records with an error (incomplete ones included), and errors and
 * warnings in all (the file's own included): what spmform check counts. */
size_t session_error_records(const Session *s);
size_t session_nerrors(const Session *s);
size_t session_nwarnings(const Session *s);
/* Problems of the file as read that belong to no record (the header). */
const DiagList *session_file_diags(const Session *s);

/* The completeness summary of the file as it is now (spmform report's,
 * without the counts by value): records, complete, incomplete, with
 * errors, the required fields most often left empty and which records;
 * text in lines of at most width columns (each ending in "\n"), bars of
 * '#' when ascii.  Malloc'd. */
char *session_report_text(const Session *s, int width, bool ascii);

/* --- moving (never changes a value) ------------------------------------- */

/* Moves to the next field; a choice field that holds the one value
 * permitted now is skipped, and so is a field that holds what config's
 * [defaults] fills it with (unless [ui] stop_at_defaults).  At the last
 * field it stays (false). */
bool session_next_field(Session *s);
bool session_prev_field(Session *s);
/* The first field of the record. */
void session_first_field(Session *s);
bool session_goto_field(Session *s, size_t field);
/* Moves to record rec (at its first field unless it is the current one);
 * leaving a record being added that was not typed into discards it. */
bool session_goto_record(Session *s, size_t rec);
/* Goes to the first field of the record on line of the file (as check
 * names it: FILE:LINE), saying which record it is; false, with a message,
 * when no record is there. */
bool session_goto_line(Session *s, long line);
bool session_next_record(Session *s);
bool session_prev_record(Session *s);
/* The next record after the current one (wrapping) with an error, at its
 * first field with an error; false with a message when there is none. */
bool session_next_error(Session *s);

/* --- changing (each refused, with the notice, when read-only) ---------- */

/* Whether the clerk may change the file; when not (read-only), the
 * message says why. */
bool session_can_edit(Session *s);

/* Sets field of record rec (of the current record: session_set) to raw,
 * normalised as the form says (trimmed, full-width digits, aliases), and
 * lets the only-rules and the computed fields follow (see above).  A
 * computed field ([field] compute) is refused, with a message: it changes
 * only with its fields.  Returns true when anything changed. */
bool session_set_at(Session *s, size_t rec, size_t field, const char *raw);
bool session_set(Session *s, size_t field, const char *raw);

/* What the clerk typed into a choice field of the current record (a key
 * in the screen, a line in plain mode): one of the values permitted now
 * (its text or its label), an alias of one (y, n), or the number of one
 * in the list (1 = the first permitted now).  Anything else changes
 * nothing and says why.  Returns true when it set the field. */
bool session_choose(Session *s, size_t field, const char *typed);
/* The n-th (1-based) value permitted now; false with a message when there
 * is none. */
bool session_pick(Session *s, size_t field, size_t n);

/* A multi field ([field] kind = multi): ticks the n-th (1-based) of its
 * values when the current record's value does not hold it, else unticks
 * it; the value keeps the form's order.  false with a message when there
 * is no such value.  session_choose of a multi field takes numbers
 * ("1 3": each toggled so) or the items to hold ("A、B", aliases, any
 * separator form_normalize knows); an item that is none of its values
 * changes nothing and is named. */
bool session_toggle(Session *s, size_t field, size_t n);

/* Adds a record after the last, holding the [defaults] (and, in a choice
 * field with one permitted value, that value), and makes it current at
 * its first field: it becomes a record when the clerk types into it. */
void session_new_record(Session *s);
/* Inserts a copy of the current record after it and makes it current at
 * its first field. */
bool session_dup_record(Session *s);
/* Copies the current field's value from the previous record.  Returns
 * false, with a message, on the first record or when the value is not
 * permitted here. */
bool session_dup_field(Session *s);
/* Deletes the current record (the record being added is discarded). */
bool session_delete_record(Session *s);
/* Undoes the last action that changed the file (a value and what the
 * rules made of it, a record added, copied or deleted, a recovery), and
 * goes where it was.  false, with a message, when there is none. */
bool session_undo(Session *s);

/* --- recovery ----------------------------------------------------------- */

/* How many journals of the file were set aside (recoveries declined, or
 * journals that no longer fit it): spmform --journals FILE lists them. */
size_t session_journals_aside(const Session *s);
/* The message of the first screen, unless opening said something already:
 * the problems found in the file, and the journals set aside. */
void session_opening_message(Session *s);
bool session_has_recovery(const Session *s);
/* The changes found and when the first and last were made. */
size_t session_recovery_count(const Session *s, time_t *first, time_t *last);
/* Applies the journal found when opening (the clerk said yes): one action,
 * which session_undo takes back. */
void session_recover(Session *s);
/* Keeps that journal aside under a dated name (the clerk said no). */
void session_discard_recovery(Session *s);

/* --- files -------------------------------------------------------------- */

typedef enum {
	SAVE_OK = 0,
	SAVE_FAILED = -1, /* reason in the message; the file is as it was */
	SAVE_CHANGED = 1, /* the file changed on disk since it was loaded: ask */
} SaveResult;

/* Saves to path (NULL = the session's path) atomically, as a workbook when
 * the name ends in .xlsx or .ods, keeping the previous version as FILE.bak when
 * config says so; on success the session's path becomes path, it is no
 * longer dirty and the journal is retired.  The message says how many
 * records still have errors.  Saving over a file another spmform holds is
 * refused; over a file that changed on disk since it was loaded only with
 * force. */
SaveResult session_save(Session *s, const char *path, bool force);

/* Whether path is a name to export to (it ends in .xlsx or .ods); says
 * why not. */
bool session_export_ok(Session *s, const char *path);

/* Writes the records as a workbook (.xlsx or .ods) in the form's layout (the
 * session's file and state stay as they are).  A file another spmform
 * holds is refused.  Returns 0, or -1 with the reason in the message. */
int session_export(Session *s, const char *path);

/* Whether path is a name to print to (it ends in .pdf); says why not. */
bool session_print_ok(Session *s, const char *path);

/* Prints the records as the form lays them out on paper (print.h) to the
 * PDF path, then sends it to config's [print] command when one is set;
 * records with errors are printed and counted.  A file another spmform
 * holds is refused.  Returns 0, or -1 with the reason in the message. */
int session_print(Session *s, const char *path);

/* Ends the session's hold on its file for a quit without saving: the
 * journal is kept aside under a dated name (nothing is ever deleted). */
void session_abandon(Session *s);

#endif
