/* session.c - see session.h. */
#include "session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvio.h"
#include "io.h"
#include "journal.h"
#include "lock.h"
#include "mem.h"
#include "print.h"
#include "report.h"
#include "table.h"
#include "text.h"
#include "xlsxout.h"

/* A value quoted in a message is cut to this many bytes. */
#define MSG_QUOTE 40

/* A record's problems: a copy of some Diags, owned. */
typedef struct {
	Diag *items;
	size_t n;
} Diags;

/* The evaluation of one record of the table. */
typedef struct {
	Diags own;  /* rules_check_record of the record alone */
	Diags read; /* what reading the file said of it */
} RecEval;

/* One step of an action, and how to take it back. */
typedef enum { STEP_SET, STEP_INSERT, STEP_DELETE } StepKind;

typedef struct {
	StepKind kind;
	size_t rec, field;
	char *old;	 /* STEP_SET: the value before */
	RecordCopy gone; /* STEP_DELETE: the record taken out */
	Diags read;	 /* STEP_DELETE: and what reading said of it */
} Step;

/* What one action of the clerk changed: undone as a whole. */
typedef struct {
	Step *steps;
	size_t n, cap;
	unsigned long state; /* the records after it; the file's if saved then */
	size_t rec, field;   /* where the clerk was before it */
} Action;

struct Session {
	const Form *form;  /* borrowed; outlives the session */
	const Config *cfg; /* borrowed */
	Table *table;	   /* owned */
	char *path;	   /* the file saved to */
	bool is_new;	   /* the file did not exist when opened */
	bool ask_name;	   /* opened from a workbook */
	size_t rec, field; /* current record and field */
	/* a record being added, not in the table until the clerk types into
	 * it: its cells (malloc'd), or NULL.  It is record table_nrecords. */
	char **fresh;
	/* the one evaluation of the records' problems */
	RecEval *eval;	     /* per table record */
	DiagList across;     /* the rules across records, by record */
	size_t *across_at;   /* per record: its first in across; [n] = across.n */
	bool across_stale;   /* a change may have changed them */
	bool *across_field;  /* per field: a rule across records names it */
	DiagList file_diags; /* what reading said of no record */
	char *msg;	     /* for the status line, or NULL */
	bool msg_is_error;
	/* undo: the actions done, newest last; the one being done */
	Action *undo;
	size_t nundo, capundo;
	Action *doing;
	bool undoing;
	unsigned long states, saved_state;
	/* safety: the journal of committed changes, the lock, the file as
	 * loaded (to notice another program changing it) */
	Journal *journal; /* open once the first change is made */
	bool journal_failed;
	bool replaying; /* applying a journal: its entries are there already */
	Lock *lock;
	char *lock_notice; /* read-only: who holds the file, or why */
	bool have_base;
	struct stat base;
	JournalRead recovery; /* a journal found when opening, not yet applied */
	bool has_recovery;
};

static char *clip(const char *v)
{
	return text_clip(v, MSG_QUOTE);
}

void session_set_msg(Session *s, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	free(s->msg);
	s->msg = xmalloc(n > 0 ? (size_t)n + 1 : 1);
	va_start(ap, fmt);
	vsnprintf(s->msg, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
	va_end(ap);
	s->msg_is_error = error;
}

void session_clear_msg(Session *s)
{
	free(s->msg);
	s->msg = NULL;
	s->msg_is_error = false;
}

const char *session_msg(const Session *s)
{
	return s->msg;
}

bool session_msg_is_error(const Session *s)
{
	return s->msg_is_error;
}

/* --- the evaluation ---------------------------------------------------------- */

static void diags_free(Diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->items[i].msg);
	free(d->items);
	*d = (Diags){NULL, 0};
}

/* The diags of dl about record rec (all of them: rec < 0), copied. */
static Diags diags_of(const DiagList *dl, long rec)
{
	Diags d = {NULL, 0};
	for (size_t i = 0; i < dl->n; i++)
		if (rec < 0 || dl->items[i].record == rec) {
			d.items = xrealloc(d.items, (d.n + 1) * sizeof *d.items);
			d.items[d.n] = dl->items[i];
			d.items[d.n++].msg = xstrdup(dl->items[i].msg);
		}
	return d;
}

static void eval_own(Session *s, size_t rec)
{
	const Record *r = table_record_c(s->table, rec);
	DiagList dl;
	diag_init(&dl);
	if (!table_record_empty(s->table, rec))
		rules_check_record(s->form, r->cells, r->line, (long)rec, &dl);
	diags_free(&s->eval[rec].own);
	s->eval[rec].own = diags_of(&dl, -1);
	diag_free(&dl);
}

/* The rules across records again, sorted by record (stable), with the
 * first of each record found by across_at. */
static void eval_across(Session *s)
{
	size_t n = table_nrecords(s->table);
	DiagList dl;
	diag_init(&dl);
	rules_check_across(s->table, &dl);
	s->across_at = xrealloc(s->across_at, (n + 1) * sizeof *s->across_at);
	memset(s->across_at, 0, (n + 1) * sizeof *s->across_at);
	for (size_t i = 0; i < dl.n; i++)
		s->across_at[dl.items[i].record + 1]++;
	for (size_t r = 0; r < n; r++)
		s->across_at[r + 1] += s->across_at[r];
	diag_free(&s->across);
	diag_init(&s->across);
	s->across.items = xcalloc(dl.n, sizeof *s->across.items);
	s->across.n = s->across.cap = dl.n;
	size_t *next = xmalloc((n + 1) * sizeof *next);
	memcpy(next, s->across_at, (n + 1) * sizeof *next);
	for (size_t i = 0; i < dl.n; i++)
		s->across.items[next[dl.items[i].record]++] = dl.items[i];
	s->across.nerrors = dl.nerrors;
	s->across.nwarnings = dl.nwarnings;
	free(next);
	free(dl.items); /* the messages moved */
	s->across_stale = false;
}

static void eval_insert(Session *s, size_t at)
{
	size_t n = table_nrecords(s->table); /* the record is in the table already */
	s->eval = xrealloc(s->eval, n * sizeof *s->eval);
	memmove(&s->eval[at + 1], &s->eval[at], (n - 1 - at) * sizeof *s->eval);
	s->eval[at] = (RecEval){{NULL, 0}, {NULL, 0}};
	eval_own(s, at);
	s->across_stale = true;
}

static void eval_remove(Session *s, size_t at)
{
	size_t n = table_nrecords(s->table); /* the record is gone already */
	diags_free(&s->eval[at].own);
	diags_free(&s->eval[at].read);
	memmove(&s->eval[at], &s->eval[at + 1], (n - at) * sizeof *s->eval);
	s->across_stale = true;
}

/* Brings the rules across records up to date after an action. */
static void eval_settle(Session *s)
{
	if (s->across_stale)
		eval_across(s);
}

/* Appends d's items to out, as about record rec. */
static void add_diags(DiagList *out, const Diag *items, size_t n, size_t rec)
{
	for (size_t i = 0; i < n; i++)
		diag_add(out, items[i].level, items[i].line, items[i].col, (long)rec, items[i].field,
			 "%s", items[i].msg);
}

void session_record_diags(const Session *s, size_t rec, DiagList *out)
{
	if (session_is_fresh(s, rec)) {
		rules_check_record(s->form, s->fresh, 0, (long)rec, out);
		return;
	}
	const RecEval *e = &s->eval[rec];
	add_diags(out, e->read.items, e->read.n, rec);
	add_diags(out, e->own.items, e->own.n, rec);
	add_diags(out, s->across.items + s->across_at[rec], s->across_at[rec + 1] - s->across_at[rec],
		  rec);
}

/* Calls fn on each of record rec's diags until it returns true. */
static const Diag *find_diag(const Session *s, size_t rec, bool (*fn)(const Diag *, const void *),
			     const void *arg)
{
	const RecEval *e = &s->eval[rec];
	const Diags lists[3] = {e->read, e->own,
				{s->across.items + s->across_at[rec],
				 s->across_at[rec + 1] - s->across_at[rec]}};
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < lists[k].n; i++)
			if (fn(&lists[k].items[i], arg))
				return &lists[k].items[i];
	return NULL;
}

static bool error_on_field(const Diag *d, const void *arg)
{
	return d->level == DIAG_ERROR && d->field == *(const int *)arg;
}

const char *session_field_error(const Session *s, size_t field)
{
	int f = (int)field;
	if (session_is_fresh(s, s->rec))
		return NULL; /* not a record yet */
	const Diag *d = find_diag(s, s->rec, error_on_field, &f);
	return d ? d->msg : NULL;
}

static bool warning_on_field(const Diag *d, const void *arg)
{
	return d->level == DIAG_WARNING && d->field == *(const int *)arg;
}

const char *session_field_problem(const Session *s, size_t field, DiagLevel *level)
{
	const char *e = session_field_error(s, field);
	*level = DIAG_ERROR;
	if (e || session_is_fresh(s, s->rec))
		return e;
	int f = (int)field;
	const Diag *d = find_diag(s, s->rec, warning_on_field, &f);
	*level = DIAG_WARNING;
	return d ? d->msg : NULL;
}

/* A wrong value: an error on a field that holds one, or on no field. */
static bool wrong_value(const Diag *d, const void *arg)
{
	char *const *cells = arg;
	return d->level == DIAG_ERROR && (d->field < 0 || *cells[d->field]);
}

static bool any_error(const Diag *d, const void *arg)
{
	(void)arg;
	return d->level == DIAG_ERROR;
}

RecordState session_record_state(const Session *s, size_t rec)
{
	if (session_is_fresh(s, rec) || table_record_empty(s->table, rec))
		return REC_EMPTY;
	if (find_diag(s, rec, wrong_value, table_record_c(s->table, rec)->cells))
		return REC_ERROR;
	return find_diag(s, rec, any_error, NULL) ? REC_INCOMPLETE : REC_COMPLETE;
}

size_t session_error_records(const Session *s)
{
	size_t k = 0;
	for (size_t r = 0; r < table_nrecords(s->table); r++)
		k += !table_record_empty(s->table, r) && find_diag(s, r, any_error, NULL);
	return k;
}

static size_t count_level(const Session *s, DiagLevel level)
{
	size_t k = 0;
	for (size_t r = 0; r < table_nrecords(s->table); r++) {
		const RecEval *e = &s->eval[r];
		for (size_t i = 0; i < e->own.n; i++)
			k += e->own.items[i].level == level;
		for (size_t i = 0; i < e->read.n; i++)
			k += e->read.items[i].level == level;
	}
	for (size_t i = 0; i < s->file_diags.n; i++)
		k += s->file_diags.items[i].level == level;
	return k + (level == DIAG_ERROR ? s->across.nerrors : s->across.nwarnings);
}

size_t session_nerrors(const Session *s)
{
	return count_level(s, DIAG_ERROR);
}

size_t session_nwarnings(const Session *s)
{
	return count_level(s, DIAG_WARNING);
}

const DiagList *session_file_diags(const Session *s)
{
	return &s->file_diags;
}

char *session_report_text(const Session *s, int width, bool ascii)
{
	DiagList dl;
	diag_init(&dl);
	for (size_t r = 0; r < table_nrecords(s->table); r++)
		session_record_diags(s, r, &dl);
	Report *rp = report_new(s->form);
	report_add(rp, s->path, s->table, &dl);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		mem_out_of_memory();
	ReportStyle st = {REPORT_TEXT, width, ascii, true};
	report_write(rp, &st, f);
	if (fclose(f) != 0)
		mem_out_of_memory();
	report_free(rp);
	diag_free(&dl);
	return text;
}

/* --- the journal and the steps of an action --------------------------------- */

/* Appends a committed change to the journal (opened at the first one). */
static void jlog(Session *s, JournalOp op, size_t rec, size_t arg, const char *value)
{
	if (s->replaying)
		return;
	if (!s->journal && !s->journal_failed) {
		DiagList dl;
		diag_init(&dl);
		s->journal = journal_open(s->path, &dl);
		if (!s->journal) {
			s->journal_failed = true;
			session_set_msg(s, true, "%s；修改只在記憶體中，請盡快存檔",
					dl.n ? dl.items[0].msg : "無法建立復原紀錄");
		}
		diag_free(&dl);
	}
	if (s->journal && journal_log(s->journal, op, rec, arg, value) != 0 && !s->journal_failed) {
		s->journal_failed = true;
		session_set_msg(s, true, "無法寫入復原紀錄 (磁碟已滿？)；修改只在記憶體中，請盡快存檔");
	}
}

static void step_push(Session *s, Step st)
{
	Action *a = s->doing;
	if (!a || s->undoing) {
		free(st.old);
		table_record_copy_free(&st.gone);
		diags_free(&st.read);
		return;
	}
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 8;
		a->steps = xrealloc(a->steps, a->cap * sizeof *a->steps);
	}
	a->steps[a->n++] = st;
}

/* Puts v into a cell: a choice as the form's own string, anything else as
 * a copy. */
static void put_cell(Session *s, size_t rec, size_t field, const char *v)
{
	const FormField *f = form_field(s->form, field);
	long k = f->kind == KIND_CHOICE ? form_value_index(f, v) : -1;
	if (k >= 0)
		table_put_shared(s->table, rec, field, f->values[k]);
	else
		table_put(s->table, rec, field, xstrdup(v));
}

/* Sets a cell of a table record; false when it held v already. */
static bool step_set(Session *s, size_t rec, size_t field, const char *v)
{
	const char *now = table_record_c(s->table, rec)->cells[field];
	if (strcmp(now, v) == 0)
		return false;
	step_push(s, (Step){.kind = STEP_SET, .rec = rec, .field = field, .old = xstrdup(now)});
	jlog(s, JOP_SET, rec, field, v);
	put_cell(s, rec, field, v);
	eval_own(s, rec);
	if (field < form_nfields(s->form) && s->across_field[field])
		s->across_stale = true;
	return true;
}

/* Inserts at at an empty record, a copy of record from (from >= 0), or
 * the record c (with what reading said of it). */
static void step_insert(Session *s, size_t at, long from, const RecordCopy *c, Diags *read)
{
	if (c) {
		table_insert_record(s->table, at, c);
		jlog(s, JOP_NEW, at, 0, NULL);
		for (size_t k = 0; k < c->ncells; k++)
			if (*c->cells[k])
				jlog(s, JOP_SET, at, k, c->cells[k]);
	} else if (from >= 0) {
		jlog(s, JOP_COPY, at, (size_t)from, NULL);
		table_insert_copy(s->table, at, (size_t)from);
	} else {
		jlog(s, JOP_NEW, at, 0, NULL);
		table_insert(s->table, at, 0);
	}
	eval_insert(s, at);
	if (read) {
		s->eval[at].read = *read;
		*read = (Diags){NULL, 0};
	}
	step_push(s, (Step){.kind = STEP_INSERT, .rec = at});
}

static void step_delete(Session *s, size_t at)
{
	Step st = {.kind = STEP_DELETE, .rec = at, .gone = table_copy_record(s->table, at),
		   .read = s->eval[at].read};
	s->eval[at].read = (Diags){NULL, 0};
	jlog(s, JOP_DELETE, at, 0, NULL);
	table_remove(s->table, at);
	eval_remove(s, at);
	step_push(s, st);
}

static unsigned long state_now(const Session *s)
{
	return s->nundo ? s->undo[s->nundo - 1].state : 0;
}

/* Starts recording an action; end_action keeps it (if it changed
 * anything) and brings the evaluation up to date. */
static void begin_action(Session *s)
{
	s->doing = xcalloc(1, sizeof *s->doing);
	s->doing->rec = s->rec;
	s->doing->field = s->field;
}

static void end_action(Session *s)
{
	Action *a = s->doing;
	s->doing = NULL;
	eval_settle(s);
	if (!a->n) {
		free(a);
		return;
	}
	if (s->nundo == s->capundo) {
		s->capundo = s->capundo ? 2 * s->capundo : 32;
		s->undo = xrealloc(s->undo, s->capundo * sizeof *s->undo);
	}
	a->state = ++s->states;
	s->undo[s->nundo++] = *a;
	free(a);
}

static void action_free(Action *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->steps[i].old);
		table_record_copy_free(&a->steps[i].gone);
		diags_free(&a->steps[i].read);
	}
	free(a->steps);
}

/* --- the record being added -------------------------------------------------- */

bool session_is_fresh(const Session *s, size_t rec)
{
	return s->fresh && rec == table_nrecords(s->table);
}

static void fresh_free(Session *s)
{
	if (!s->fresh)
		return;
	for (size_t f = 0; f < form_nfields(s->form); f++)
		free(s->fresh[f]);
	free(s->fresh);
	s->fresh = NULL;
}

/* Leaving the record being added, untouched: it goes, with a word. */
static void make_fresh(Session *s);

static void fresh_discard(Session *s)
{
	if (!s->fresh)
		return;
	size_t n = table_nrecords(s->table);
	fresh_free(s);
	if (s->rec >= n)
		s->rec = n ? n - 1 : 0;
	if (n)
		session_set_msg(s, false, "第 %zu 筆沒有輸入任何資料，已捨棄", n + 1);
	else /* a file keeps one record on screen to type into */
		make_fresh(s);
}

/* The record being added becomes a record (the clerk typed into it): one
 * step of the action under way, which undoing takes back whole. */
static void fresh_commit(Session *s)
{
	size_t at = table_nrecords(s->table);
	char **cells = s->fresh;
	s->fresh = NULL;
	step_insert(s, at, -1, NULL, NULL);
	for (size_t f = 0; f < form_nfields(s->form); f++)
		if (*cells[f])
			step_set(s, at, f, cells[f]);
	for (size_t f = 0; f < form_nfields(s->form); f++)
		free(cells[f]);
	free(cells);
}

void session_new_record(Session *s)
{
	if (s->fresh && s->rec == table_nrecords(s->table)) {
		session_set_msg(s, false, "這一筆還沒有輸入資料");
		return;
	}
	if (session_can_edit(s))
		make_fresh(s);
}

/* The record being added, made (not yet a record). */
static void make_fresh(Session *s)
{
	size_t nf = form_nfields(s->form);
	char **c = xcalloc(nf ? nf : 1, sizeof *c);
	for (size_t f = 0; f < nf; f++) {
		const FormField *ff = form_field(s->form, f);
		long max = 0; /* autonumber: the next after the highest in the file */
		for (size_t r = 0; ff->autonumber && r < table_nrecords(s->table); r++) {
			char *end;
			long v = strtol(table_record_c(s->table, r)->cells[f], &end, 10);
			if (*end == '\0' && v > max)
				max = v;
		}
		c[f] = ff->autonumber ? xasprintf("%ld", max + 1) : xstrdup("");
	}
	for (size_t i = 0; i < s->cfg->ndefaults; i++) {
		long f = form_field_index(s->form, s->cfg->defaults[i].id);
		if (f >= 0) {
			free(c[f]);
			c[f] = form_normalize(form_field(s->form, (size_t)f), s->cfg->defaults[i].value);
		}
	}
	char *scratch[nf ? nf : 1];
	memcpy(scratch, c, nf * sizeof *c);
	RuleEffect eff[nf ? nf : 1];
	size_t ne = rules_fill(s->form, scratch, eff);
	for (size_t i = 0; i < ne; i++) {
		char *v = xstrdup(scratch[eff[i].field]);
		free(c[eff[i].field]);
		c[eff[i].field] = v;
	}
	s->fresh = c;
	s->rec = table_nrecords(s->table);
	s->field = 0;
}

/* --- accessors ---------------------------------------------------------------- */

const Form *session_form(const Session *s)
{
	return s->form;
}

const Table *session_table(const Session *s)
{
	return s->table;
}

const char *session_path(const Session *s)
{
	return s->path;
}

char *session_path_as(const Session *s, const char *ending)
{
	IoKind k = IO_CSV;
	while (k < IO_OTHER && strcmp(io_ending(k), ending) != 0)
		k++;
	return io_with_ending(s->path, k);
}

size_t session_nrecords(const Session *s)
{
	return table_nrecords(s->table);
}

size_t session_nsaved(const Session *s)
{
	size_t k = 0;
	for (size_t r = 0; r < table_nrecords(s->table); r++)
		k += !table_record_empty(s->table, r);
	return k;
}

size_t session_rec(const Session *s)
{
	return s->rec;
}

size_t session_field(const Session *s)
{
	return s->field;
}

char *const *session_cells(const Session *s, size_t rec)
{
	return session_is_fresh(s, rec) ? s->fresh : table_record_c(s->table, rec)->cells;
}

const char *session_value(const Session *s, size_t field)
{
	return session_cells(s, s->rec)[field];
}

long session_line(const Session *s, size_t rec)
{
	return session_is_fresh(s, rec) ? 0 : table_record_c(s->table, rec)->line;
}

long session_record_at_line(const Session *s, long line)
{
	long found = -1;
	for (size_t r = 0; r < session_nrecords(s); r++) {
		long l = session_line(s, r);
		if (l > 0 && l <= line && (found < 0 || l > session_line(s, (size_t)found)))
			found = (long)r;
	}
	if (found < 0)
		return -1;
	/* within the lines the record itself takes */
	const Record *rec = table_record_c(s->table, (size_t)found);
	long end = rec->line;
	for (size_t c = 0; c < table_ncols(s->table); c++)
		for (const char *p = rec->cells[c]; (p = strchr(p, '\n')); p++)
			end++;
	return line <= end ? found : -1;
}

bool session_goto_line(Session *s, long line)
{
	long rec = session_record_at_line(s, line);
	if (rec < 0) {
		session_set_msg(s, true, "檔案的第 %ld 行不在任何一筆記錄裡", line);
		return false;
	}
	session_goto_record(s, (size_t)rec);
	session_first_field(s);
	session_set_msg(s, false, "檔案的第 %ld 行是第 %ld 筆", line, rec + 1);
	return true;
}

bool session_dirty(const Session *s)
{
	return state_now(s) != s->saved_state;
}

bool session_read_only(const Session *s)
{
	return s->lock_notice != NULL;
}

const char *session_lock_notice(const Session *s)
{
	return s->lock_notice;
}

bool session_ask_name(const Session *s)
{
	return s->ask_name;
}

bool session_journaled(const Session *s)
{
	return s->journal && !s->journal_failed;
}

FieldNeed session_need(const Session *s, size_t field)
{
	return rules_need(s->form, session_cells(s, s->rec), field, NULL);
}

const char *session_prompt(const Session *s, size_t field)
{
	return rules_prompt(s->form, session_cells(s, s->rec), field);
}

size_t session_permitted(const Session *s, size_t field, size_t *out)
{
	return rules_permitted(s->form, session_cells(s, s->rec), field, out);
}

/* A search of session_filter: the text, and for one with letters, its
 * first byte in both cases (the places a match may begin). */
typedef struct {
	const char *text;
	size_t len;
	char firsts[3]; /* "" when the text has no letter */
} Filter;

/* true when text occurs in hay.  With letters, only the places that begin
 * like the text are compared (strpbrk): comparing at every byte made a
 * letter typed into the search of a 100,000-record list take 50 ms. */
static bool filter_hit(const Filter *f, const char *hay)
{
	if (!f->firsts[0])
		return strstr(hay, f->text) != NULL; /* the common case: Chinese, digits */
	for (const char *p = hay; (p = strpbrk(p, f->firsts)); p++)
		if (text_ncasecmp(p, f->text, f->len) == 0) /* ASCII only, whatever the locale */
			return true;
	return false;
}

size_t session_filter(const Session *s, const char *text, long field, size_t *rows, size_t n)
{
	if (!*text)
		return n;
	Filter f = {.text = text, .len = strlen(text)};
	bool letters = false;
	for (const char *p = text; *p; p++)
		letters |= (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z');
	if (letters) {
		f.firsts[0] = text[0];
		if (text[0] >= 'A' && text[0] <= 'Z')
			f.firsts[1] = (char)(text[0] - 'A' + 'a');
		else if (text[0] >= 'a' && text[0] <= 'z')
			f.firsts[1] = (char)(text[0] - 'a' + 'A');
	}
	size_t nf = form_nfields(s->form), kept = 0;
	size_t from = field >= 0 ? (size_t)field : 0, to = field >= 0 ? (size_t)field + 1 : nf;
	for (size_t k = 0; k < n; k++) {
		char *const *cells = session_cells(s, rows[k]);
		bool hit = false;
		for (size_t c = from; c < to && !hit; c++)
			hit = filter_hit(&f, cells[c]);
		if (hit)
			rows[kept++] = rows[k];
	}
	return kept;
}

size_t session_filter_state(const Session *s, RecordState state, size_t *rows, size_t n)
{
	size_t kept = 0;
	for (size_t k = 0; k < n; k++)
		if (session_record_state(s, rows[k]) == state)
			rows[kept++] = rows[k];
	return kept;
}

/* --- opening ------------------------------------------------------------------ */

static void remember_base(Session *s)
{
	s->have_base = stat(s->path, &s->base) == 0;
}

/* Whether another program changed the file since it was read or saved:
 * its time to the nanosecond, size, inode or change time differ. */
static bool changed_on_disk(const Session *s)
{
	struct stat now;
	if (stat(s->path, &now) != 0)
		return s->have_base; /* it was there and is gone */
	return !s->have_base || now.st_mtim.tv_sec != s->base.st_mtim.tv_sec ||
	       now.st_mtim.tv_nsec != s->base.st_mtim.tv_nsec || now.st_size != s->base.st_size ||
	       now.st_ino != s->base.st_ino || now.st_dev != s->base.st_dev ||
	       now.st_ctim.tv_sec != s->base.st_ctim.tv_sec ||
	       now.st_ctim.tv_nsec != s->base.st_ctim.tv_nsec;
}

/* Keeps the journal aside, saying why (what, a sentence). */
static void set_journal_aside(Session *s, const char *what)
{
	char *aside = journal_set_aside(s->path);
	char *a = aside ? text_escape(aside) : NULL;
	if (a)
		session_set_msg(s, true, "%s；紀錄已另存為 %s", what, a);
	else
		session_set_msg(s, true, "%s，也無法另存", what);
	free(a);
	free(aside);
}

/* A journal an earlier session left behind. */
static void find_journal(Session *s)
{
	char *jp = journal_path(s->path);
	DiagList dl;
	diag_init(&dl);
	struct stat st;
	bool there = lstat(jp, &st) == 0;
	if (journal_read(jp, &s->recovery, &dl) == 0) {
		if (s->recovery.n == 0 && !s->recovery.bad_line) {
			journal_retire(s->path); /* nothing in it */
		} else if (s->recovery.n == 0) {
			set_journal_aside(s, "復原紀錄已損壞，沒有可用的修改");
		} else if (journal_fits(&s->recovery, s->have_base ? &s->base : NULL)) {
			s->has_recovery = true;
			diag_free(&dl);
			free(jp);
			return;
		} else {
			set_journal_aside(s, "找到舊的復原紀錄，但檔案在那之後已被修改，不能套用");
		}
		journal_read_free(&s->recovery);
	} else if (there) {
		/* there, but not a journal that can be read: keep it aside, untouched */
		set_journal_aside(s, "復原紀錄無法讀取");
	}
	diag_free(&dl);
	free(jp);
}

/* The lock; then, when the file is the clerk's, the journal. */
static void take_file(Session *s)
{
	LockHolder h;
	char *why = NULL;
	switch (lock_acquire(s->path, &s->lock, &h, &why)) {
	case LOCK_OK:
		find_journal(s);
		break;
	case LOCK_BUSY: {
		char since[32];
		text_time(h.since, since, sizeof since);
		char *user = text_escape(*h.user ? h.user : "另一位使用者");
		char *host = text_escape(*h.host ? h.host : "?");
		s->lock_notice = h.pid ? xasprintf("唯讀：%s 自 %s 起在 %s 編輯這個檔案 (行程 %ld)", user,
						   since, host, h.pid)
				       : xstrdup("唯讀：另一個 spmform 正在編輯這個檔案");
		free(user);
		free(host);
		break;
	}
	case LOCK_FAILED: {
		char *w = text_escape(why);
		s->lock_notice = xasprintf("唯讀：無法鎖定這個檔案 (%s)", w);
		free(w);
		break;
	}
	}
	free(why);
}

/* The evaluation of a table just read: what reading said (file and
 * records) and what checking each record alone found (own, with record
 * indexes). */
static void eval_load(Session *s, const DiagList *read, const DiagList *own)
{
	size_t n = table_nrecords(s->table);
	s->eval = xcalloc(n ? n : 1, sizeof *s->eval);
	for (size_t i = 0; i < read->n; i++) {
		const Diag *d = &read->items[i];
		if (d->record < 0 || (size_t)d->record >= n) {
			diag_add(&s->file_diags, d->level, d->line, d->col, d->record, d->field, "%s",
				 d->msg);
			continue;
		}
		Diags *e = &s->eval[d->record].read;
		e->items = xrealloc(e->items, (e->n + 1) * sizeof *e->items);
		e->items[e->n] = *d;
		e->items[e->n++].msg = xstrdup(d->msg);
	}
	for (size_t i = 0; i < own->n; i++) {
		Diags *e = &s->eval[own->items[i].record].own;
		e->items = xrealloc(e->items, (e->n + 1) * sizeof *e->items);
		e->items[e->n] = own->items[i];
		e->items[e->n++].msg = xstrdup(own->items[i].msg);
	}
	eval_across(s);
}

/* Reads the file into s->table, and the evaluation; false when it cannot
 * be read (diags say why). */
static bool load(Session *s, DiagList *diags)
{
	size_t before = diags->n;
	RulesRun *run = NULL;
	DiagList own;
	diag_init(&own);
	if (io_is_workbook(s->path)) {
		s->table = io_load(s->path, s->form, s->cfg->out, diags);
		for (size_t r = 0; s->table && r < table_nrecords(s->table); r++)
			if (!table_record_empty(s->table, r))
				rules_check_record(s->form, table_record_c(s->table, r)->cells,
						   table_record_c(s->table, r)->line, (long)r, &own);
	} else { /* each record checked as it is read */
		CsvSource src = {.path = s->path};
		s->table = csvio_read(&src, s->form, s->cfg->out, CSV_KEEP_CHECK, &run, diags);
		if (run)
			rules_run_take(run, &own);
		rules_run_free(run);
	}
	if (s->table) {
		DiagList read = {diags->items + before, diags->n - before, diags->n - before, 0, 0};
		eval_load(s, &read, &own);
	}
	diag_free(&own);
	return s->table != NULL;
}

Session *session_open(const Form *form, const Config *cfg, const char *path, DiagList *diags)
{
	Session *s = xcalloc(1, sizeof *s);
	s->form = form;
	s->cfg = cfg;
	s->path = xstrdup(path);
	diag_init(&s->file_diags);
	diag_init(&s->across);
	size_t nf = form_nfields(form);
	s->across_field = xcalloc(nf ? nf : 1, sizeof *s->across_field);
	for (size_t k = 0; k < form_nrules(form); k++) {
		const FormRule *r = form_rule(form, k);
		if (r->type != RULE_UNIQUE && r->type != RULE_COUNT)
			continue;
		for (size_t i = 0; i < r->nfields; i++)
			s->across_field[r->fields[i]] = true;
		for (size_t i = 0; r->when.present && i < r->when.nclauses; i++)
			s->across_field[r->when.clauses[i].field] = true;
	}
	s->is_new = access(path, F_OK) != 0 && errno == ENOENT;
	if (s->is_new) {
		s->table = table_new(form);
		table_set_format(s->table, cfg->out);
		s->eval = xcalloc(1, sizeof *s->eval);
		eval_across(s);
	} else if (!load(s, diags)) {
		session_free(s);
		return NULL;
	}
	s->ask_name = io_is_workbook(path) && !s->is_new;
	remember_base(s);
	take_file(s);
	for (size_t i = 0; i < cfg->ndefaults; i++)
		if (form_field_index(form, cfg->defaults[i].id) < 0) {
			char *c = text_escape(cfg->path ? cfg->path : "config.ini");
			char *id = text_escape(cfg->defaults[i].id);
			session_set_msg(s, true, "%s 的 [defaults]「%s」不是表單的欄位，已略過", c, id);
			free(c);
			free(id);
		}
	if (table_nrecords(s->table) == 0)
		make_fresh(s); /* a record to type into; not one yet */
	return s;
}

void session_free(Session *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nundo; i++)
		action_free(&s->undo[i]);
	free(s->undo);
	journal_close(s->journal);
	lock_release(s->lock);
	journal_read_free(&s->recovery);
	for (size_t r = 0; s->table && r < table_nrecords(s->table); r++) {
		diags_free(&s->eval[r].own);
		diags_free(&s->eval[r].read);
	}
	free(s->eval);
	diag_free(&s->across);
	free(s->across_at);
	free(s->across_field);
	diag_free(&s->file_diags);
	fresh_free(s);
	table_free(s->table);
	free(s->lock_notice);
	free(s->path);
	free(s->msg);
	free(s);
}

/* --- moving ------------------------------------------------------------------- */

/* Whether field holds the one value permitted now (Tab passes over it). */
static bool settled(const Session *s, size_t field)
{
	const FormField *f = form_field(s->form, field);
	if (f->kind != KIND_CHOICE)
		return false;
	size_t idx[f->nvalues ? f->nvalues : 1];
	return session_permitted(s, field, idx) == 1 &&
	       strcmp(session_value(s, field), f->values[idx[0]]) == 0;
}

/* Whether field holds what config's [defaults] fills it with (Tab passes
 * over it, unless [ui] stop_at_defaults). */
static bool prefilled(const Session *s, size_t field)
{
	if (s->cfg->stop_at_defaults || !*session_value(s, field))
		return false;
	const FormField *f = form_field(s->form, field);
	for (size_t i = 0; i < s->cfg->ndefaults; i++) {
		if (strcmp(s->cfg->defaults[i].id, f->id) != 0)
			continue;
		char *v = form_normalize(f, s->cfg->defaults[i].value);
		bool same = strcmp(v, session_value(s, field)) == 0;
		free(v);
		return same;
	}
	return false;
}

bool session_next_field(Session *s)
{
	size_t nf = form_nfields(s->form);
	if (s->field + 1 >= nf)
		return false;
	s->field++;
	while (s->field + 1 < nf && (settled(s, s->field) || prefilled(s, s->field)))
		s->field++;
	return true;
}

bool session_prev_field(Session *s)
{
	if (s->field == 0)
		return false;
	s->field--;
	return true;
}

void session_first_field(Session *s)
{
	s->field = 0;
}

bool session_goto_field(Session *s, size_t field)
{
	if (field >= form_nfields(s->form) || field == s->field)
		return false;
	s->field = field;
	return true;
}

/* Leaves the current record for rec; the record being added, untouched,
 * is discarded (rec must not be it). */
static void leave_for(Session *s, size_t rec)
{
	bool was_fresh = session_is_fresh(s, s->rec);
	s->rec = rec;
	if (was_fresh)
		fresh_discard(s);
}

bool session_goto_record(Session *s, size_t rec)
{
	if (rec >= session_nrecords(s) || rec == s->rec)
		return false;
	leave_for(s, rec);
	return true;
}

bool session_next_record(Session *s)
{
	if (s->rec + 1 >= session_nrecords(s)) {
		session_set_msg(s, false, "已是最後一筆 (^N 新增一筆)");
		return false;
	}
	return session_goto_record(s, s->rec + 1);
}

bool session_prev_record(Session *s)
{
	if (s->rec == 0) {
		session_set_msg(s, false, "已是第一筆");
		return false;
	}
	return session_goto_record(s, s->rec - 1);
}

static bool first_error(const Diag *d, const void *arg)
{
	(void)arg;
	return d->level == DIAG_ERROR && d->field >= 0;
}

bool session_next_error(Session *s)
{
	size_t n = table_nrecords(s->table);
	/* from the record being added (after the last): the first one on */
	size_t from = s->rec < n ? s->rec : n - 1;
	for (size_t k = 1; k <= n; k++) {
		size_t r = (from + k) % n;
		if (table_record_empty(s->table, r) || !find_diag(s, r, any_error, NULL))
			continue;
		if (r != s->rec)
			leave_for(s, r);
		/* the first field, in form order, with an error */
		size_t best = form_nfields(s->form);
		DiagList dl;
		diag_init(&dl);
		session_record_diags(s, r, &dl);
		for (size_t i = 0; i < dl.n; i++)
			if (first_error(&dl.items[i], NULL) && (size_t)dl.items[i].field < best)
				best = (size_t)dl.items[i].field;
		diag_free(&dl);
		if (best < form_nfields(s->form))
			s->field = best;
		return true;
	}
	session_set_msg(s, false, "所有記錄都沒有錯誤");
	return false;
}

/* --- changing ------------------------------------------------------------------- */

bool session_can_edit(Session *s)
{
	if (!s->lock_notice)
		return true;
	session_set_msg(s, true, "%s；不能修改，^W 可另存新檔", s->lock_notice);
	return false;
}

/* What the only-rules make of record rec after field changed, applied as
 * steps of the action under way, and said. */
static void follow(Session *s, size_t rec, size_t field)
{
	size_t nf = form_nfields(s->form);
	char *scratch[nf ? nf : 1];
	memcpy(scratch, table_record_c(s->table, rec)->cells, nf * sizeof *scratch);
	RuleEffect eff[nf ? nf : 1];
	size_t n = rules_follow(s->form, scratch, field, eff);
	if (!n)
		return;
	char *said = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		size_t g = eff[i].field;
		const char *label = form_field(s->form, g)->label;
		char *old = clip(table_record_c(s->table, rec)->cells[g]);
		char *part = !*scratch[g] ? xasprintf("「%s」的「%s」已清除", label, old)
			     : *old	  ? xasprintf("「%s」由「%s」改為「%s」", label, old, scratch[g])
					  : xasprintf("「%s」填入「%s」", label, scratch[g]);
		char *next = xasprintf("%s%s%s", said, i ? "、" : "", part);
		free(said);
		free(part);
		free(old);
		said = next;
		step_set(s, rec, g, scratch[g]);
	}
	char *v = clip(table_record_c(s->table, rec)->cells[field]);
	if (!s->msg || !s->msg_is_error) /* a journal that cannot be written says more */
		session_set_msg(s, false, "「%s」改為「%s」，所以%s (^Z 全部復原)",
				form_field(s->form, field)->label, v, said);
	free(v);
	free(said);
}

/* A computed field is never typed into: true, with a message, when field
 * is one. */
static bool refuse_computed(Session *s, size_t field)
{
	const FormField *f = form_field(s->form, field);
	if (f->compute.op == COMPUTE_NONE)
		return false;
	char *how = form_compute_text(s->form, f);
	session_set_msg(s, true, "「%s」自動計算 (%s)，不能直接修改", f->label, how);
	free(how);
	return true;
}

bool session_set_at(Session *s, size_t rec, size_t field, const char *raw)
{
	if (rec >= session_nrecords(s) && !session_is_fresh(s, rec))
		return false;
	if (refuse_computed(s, field))
		return false;
	char *v = form_normalize(form_field(s->form, field), raw);
	bool same = strcmp(v, session_cells(s, rec)[field]) == 0;
	if (same || !session_can_edit(s)) {
		free(v);
		return false;
	}
	begin_action(s);
	if (session_is_fresh(s, rec))
		fresh_commit(s);
	step_set(s, rec, field, v);
	follow(s, rec, field);
	end_action(s);
	free(v);
	return true;
}

bool session_set(Session *s, size_t field, const char *raw)
{
	return session_set_at(s, s->rec, field, raw);
}

bool session_pick(Session *s, size_t field, size_t n)
{
	if (refuse_computed(s, field))
		return false;
	const FormField *f = form_field(s->form, field);
	size_t idx[f->nvalues ? f->nvalues : 1];
	size_t k = session_permitted(s, field, idx);
	if (n < 1 || n > k) {
		session_set_msg(s, true, "「%s」目前只有 %zu 個可選的值，沒有第 %zu 個", f->label, k, n);
		return false;
	}
	if (!session_set(s, field, f->values[idx[n - 1]]))
		return !session_read_only(s); /* it held that value already */
	return true;
}

/* Sets a multi field to the values ticked. */
static bool set_ticks(Session *s, size_t field, const bool *ticked)
{
	char *v = form_multi_join(form_field(s->form, field), ticked);
	bool done = session_set(s, field, v) || !session_read_only(s);
	free(v);
	return done;
}

bool session_toggle(Session *s, size_t field, size_t n)
{
	const FormField *f = form_field(s->form, field);
	bool ticked[f->nvalues ? f->nvalues : 1];
	form_multi_ticks(f, session_value(s, field), ticked);
	if (n < 1 || n > f->nvalues) {
		session_set_msg(s, true, "「%s」只有 %zu 個可選的項目，沒有第 %zu 個", f->label,
				f->nvalues, n);
		return false;
	}
	ticked[n - 1] = !ticked[n - 1];
	return set_ticks(s, field, ticked);
}

/* Whether t is numbers only, separated by spaces, commas or 、. */
static bool numbers_only(const char *t)
{
	bool digit = false;
	for (const char *p = t; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digit = true;
		else if (strncmp(p, "、", strlen("、")) == 0)
			p += strlen("、") - 1;
		else if (*p != ' ' && *p != ',')
			return false;
	}
	return digit;
}

/* session_choose of a multi field: numbers toggle those values, anything
 * else is the items it is to hold. */
static bool choose_multi(Session *s, size_t field, const char *typed, const char *t)
{
	const FormField *f = form_field(s->form, field);
	if (!numbers_only(t)) {
		char *unknown = form_multi_unknown(f, typed, MSG_QUOTE);
		bool known = !*unknown;
		if (!known)
			session_set_msg(s, true, "%s不是「%s」可選的項目；請按號碼勾選，或按 Enter 開啟選單",
					unknown, f->label);
		free(unknown);
		return known && (session_set(s, field, typed) || !session_read_only(s));
	}
	bool ticked[f->nvalues ? f->nvalues : 1];
	form_multi_ticks(f, session_value(s, field), ticked);
	for (const char *p = t; *p;) {
		char *end;
		long n = strtol(p, &end, 10);
		if (end == p) {
			p++;
			continue;
		}
		if (n < 1 || (size_t)n > f->nvalues) {
			session_set_msg(s, true, "「%s」只有 %zu 個可選的項目，沒有第 %ld 個", f->label,
					f->nvalues, n);
			return false;
		}
		ticked[n - 1] = !ticked[n - 1];
		p = end;
	}
	return set_ticks(s, field, ticked);
}

bool session_choose(Session *s, size_t field, const char *typed)
{
	if (refuse_computed(s, field))
		return false;
	const FormField *f = form_field(s->form, field);
	if (f->kind == KIND_MULTI) {
		char *h = text_halfwidth(typed), *t = text_trim(h);
		bool done = choose_multi(s, field, typed, t);
		free(h);
		free(t);
		return done;
	}
	size_t idx[f->nvalues ? f->nvalues : 1];
	size_t k = session_permitted(s, field, idx);
	char *h = text_halfwidth(typed), *t = text_trim(h);
	free(h);
	/* a value, its label, or an alias of one */
	char *v = form_normalize(f, t);
	long val = form_value_index(f, v);
	for (size_t i = 0; i < f->nvalues && val < 0 && f->value_labels; i++)
		if (strcmp(f->value_labels[i], t) == 0)
			val = (long)i;
	bool done = false;
	char *end;
	long n = strtol(t, &end, 10);
	if (val >= 0) {
		bool ok = false;
		for (size_t i = 0; i < k && !ok; i++)
			ok = idx[i] == (size_t)val;
		char *why = ok ? NULL : rules_why_not(s->form, session_cells(s, s->rec), field, f->values[val]);
		if (ok)
			done = session_set(s, field, f->values[val]) || !session_read_only(s);
		else
			session_set_msg(s, true, "「%s」現在不可填「%s」；%s", f->label, f->values[val], why);
		free(why);
	} else if (*t && *end == '\0' && n >= 1) {
		done = session_pick(s, field, (size_t)n);
	} else {
		char *q = clip(t);
		session_set_msg(s, true, "「%s」不是「%s」可選的值；請按 1-%zu 選擇，或按 Enter 開啟選單", q,
				f->label, k);
		free(q);
	}
	free(v);
	free(t);
	return done;
}

bool session_dup_record(Session *s)
{
	if (!session_can_edit(s))
		return false;
	if (session_is_fresh(s, s->rec)) {
		session_set_msg(s, true, "這一筆還沒有輸入資料，沒有可以複製的");
		return false;
	}
	begin_action(s);
	step_insert(s, s->rec + 1, (long)s->rec, NULL, NULL);
	end_action(s);
	s->rec++;
	s->field = 0;
	session_set_msg(s, false, "已複製為第 %zu 筆", s->rec + 1);
	return true;
}

bool session_dup_field(Session *s)
{
	if (s->rec == 0) {
		session_set_msg(s, true, "這是第一筆，沒有上一筆可以複製");
		return false;
	}
	const char *prev = session_cells(s, s->rec - 1)[s->field];
	const FormField *f = form_field(s->form, s->field);
	if (f->kind == KIND_CHOICE && *prev &&
	    !rules_value_ok(s->form, session_cells(s, s->rec), s->field, prev, NULL)) {
		/* refused as a digit would be: a copy never clears others */
		char *q = clip(prev);
		session_set_msg(s, true, "「%s」現在不可填「%s」，未複製", f->label, q);
		free(q);
		return false;
	}
	char *v = xstrdup(prev);
	bool changed = session_set(s, s->field, v);
	free(v);
	return changed || !session_read_only(s);
}

bool session_delete_record(Session *s)
{
	if (session_is_fresh(s, s->rec)) {
		fresh_discard(s);
		return true;
	}
	if (!session_can_edit(s))
		return false;
	size_t at = s->rec;
	begin_action(s);
	step_delete(s, at);
	end_action(s);
	if (s->rec >= table_nrecords(s->table) && s->rec > 0)
		s->rec--;
	if (table_nrecords(s->table) == 0)
		make_fresh(s);
	session_set_msg(s, false, "已刪除第 %zu 筆 (^Z 可復原)", at + 1);
	return true;
}

/* Takes back one step (with the journal told). */
static void step_undo(Session *s, Step *st)
{
	switch (st->kind) {
	case STEP_SET:
		step_set(s, st->rec, st->field, st->old);
		break;
	case STEP_INSERT:
		jlog(s, JOP_DELETE, st->rec, 0, NULL);
		table_remove(s->table, st->rec);
		eval_remove(s, st->rec);
		break;
	case STEP_DELETE:
		step_insert(s, st->rec, -1, &st->gone, &st->read);
		break;
	}
}

bool session_undo(Session *s)
{
	if (s->nundo == 0) {
		session_set_msg(s, false, "沒有可以復原的修改");
		return false;
	}
	if (!session_can_edit(s))
		return false;
	if (session_is_fresh(s, s->rec))
		fresh_free(s); /* left for the record the undo goes to */
	Action *a = &s->undo[--s->nundo];
	s->undoing = true;
	for (size_t i = a->n; i-- > 0;)
		step_undo(s, &a->steps[i]);
	s->undoing = false;
	eval_settle(s);
	fresh_free(s);
	size_t n = table_nrecords(s->table);
	s->rec = a->rec < n ? a->rec : n ? n - 1 : 0;
	s->field = a->field;
	action_free(a);
	if (n == 0)
		make_fresh(s);
	session_set_msg(s, false, "已復原%s", session_dirty(s) ? "" : "：與檔案相同");
	return true;
}

/* --- recovery --------------------------------------------------------------------- */

size_t session_journals_aside(const Session *s)
{
	size_t n;
	char **names = journal_list_aside(s->path, &n);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return n;
}

void session_opening_message(Session *s)
{
	if (session_msg(s))
		return;
	size_t nerr = session_nerrors(s), nwarn = session_nwarnings(s);
	size_t recs = session_error_records(s), aside = session_journals_aside(s);
	char *found = !nerr && !nwarn ? xstrdup("")
		      : recs ? xasprintf("開啟時發現 %zu 個錯誤、%zu 個警告，在 %zu 筆記錄；^K 跳到下一筆有錯的記錄",
					 nerr, nwarn, recs)
			     : xasprintf("開啟時發現 %zu 個錯誤、%zu 個警告 (都不在記錄裡，見 spmform check)", nerr,
					 nwarn);
	char *path = text_escape(session_path(s));
	char *kept = aside ? xasprintf("%s另有 %zu 份擱置的復原紀錄 (spmform --journals %s 可查看)",
				       *found ? "。" : "", aside, path)
			   : xstrdup("");
	if (*found || *kept)
		session_set_msg(s, nerr > 0, "%s%s", found, kept);
	free(kept);
	free(path);
	free(found);
}

bool session_has_recovery(const Session *s)
{
	return s->has_recovery;
}

size_t session_recovery_count(const Session *s, time_t *first, time_t *last)
{
	const JournalRead *r = &s->recovery;
	*first = r->n ? r->entries[0].when : 0;
	*last = r->n ? r->entries[r->n - 1].when : 0;
	return r->n;
}

/* Applies one journal entry as steps; false when it does not fit. */
static bool apply_entry(Session *s, const JournalEntry *e)
{
	size_t n = table_nrecords(s->table);
	switch (e->op) {
	case JOP_SET:
		if (e->rec >= n || e->arg >= table_ncols(s->table))
			return false;
		if (e->arg < form_nfields(s->form))
			step_set(s, e->rec, e->arg, e->value);
		else /* a column the form does not know: kept as it is */
			table_put(s->table, e->rec, e->arg, xstrdup(e->value));
		return true;
	case JOP_NEW:
		if (e->rec > n)
			return false;
		step_insert(s, e->rec, -1, NULL, NULL);
		return true;
	case JOP_COPY:
		if (e->rec > n || e->arg >= n)
			return false;
		step_insert(s, e->rec, (long)e->arg, NULL, NULL);
		return true;
	case JOP_DELETE:
		if (e->rec >= n)
			return false;
		step_delete(s, e->rec);
		return true;
	}
	return false;
}

void session_recover(Session *s)
{
	if (!s->has_recovery)
		return;
	fresh_free(s);
	begin_action(s);
	s->replaying = true; /* the entries are in the journal already */
	size_t i = 0;
	while (i < s->recovery.n && apply_entry(s, &s->recovery.entries[i]))
		i++;
	s->replaying = false;
	end_action(s);
	if (i < s->recovery.n)
		session_set_msg(s, true,
				"已復原 %zu 筆未存檔的修改；第 %zu 筆與檔案對不上，之後的未套用；請記得存檔", i,
				i + 1);
	else
		session_set_msg(s, false, "已復原 %zu 筆未存檔的修改 (^Z 可取消)；請記得存檔", i);
	journal_read_free(&s->recovery);
	s->has_recovery = false;
	if (s->rec >= table_nrecords(s->table))
		s->rec = 0;
	if (table_nrecords(s->table) == 0)
		make_fresh(s);
	/* go on appending to the same journal: its base is still the file */
	DiagList dl;
	diag_init(&dl);
	s->journal = journal_open(s->path, &dl);
	s->journal_failed = !s->journal;
	diag_free(&dl);
}

void session_discard_recovery(Session *s)
{
	if (!s->has_recovery)
		return;
	journal_read_free(&s->recovery);
	s->has_recovery = false;
	char *aside = journal_set_aside(s->path);
	char *a = text_escape(aside ? aside : "?");
	session_set_msg(s, false, "未套用復原紀錄；紀錄已另存為 %s", a);
	free(a);
	free(aside);
}

/* --- files ---------------------------------------------------------------------- */

void session_abandon(Session *s)
{
	journal_close(s->journal);
	s->journal = NULL;
	if (s->lock_notice)
		return; /* a read-only session has no journal of its own */
	if (session_dirty(s))
		free(journal_set_aside(s->path));
	else
		journal_retire(s->path); /* what it holds comes to the file as it is */
}

/* The lock of another file to write (save as, export); NULL with a
 * message when another spmform holds it or it cannot be taken.  *ok says
 * which. */
static Lock *lock_other(Session *s, const char *path, const char *where, bool *ok)
{
	Lock *l = NULL;
	LockHolder h;
	char *why = NULL;
	LockStatus st = lock_acquire(path, &l, &h, &why);
	*ok = st == LOCK_OK;
	if (st == LOCK_BUSY) {
		char *user = text_escape(*h.user ? h.user : "另一位使用者");
		session_set_msg(s, true, "%s 正由 %s 編輯中，不能覆蓋", where, user);
		free(user);
	} else if (st == LOCK_FAILED) {
		char *w = text_escape(why);
		session_set_msg(s, true, "無法鎖定 %s (%s)，未寫入", where, w);
		free(w);
	}
	free(why);
	return l;
}

/* After a save: each record's line in the file just written, so that the
 * messages and session_record_at_line agree with it.  The header is line
 * 1, empty records are not written, and a CSV record takes a line more
 * for each line break in its cells (a workbook's, a row each). */
static void renumber(Session *s)
{
	bool csv = !io_is_workbook(s->path);
	long line = 2;
	size_t nc = table_ncols(s->table);
	for (size_t r = 0; r < table_nrecords(s->table); r++) {
		if (table_record_empty(s->table, r))
			continue;
		Record *rec = table_record(s->table, r);
		rec->line = line++;
		for (size_t c = 0; csv && c < nc; c++)
			for (const char *p = rec->cells[c]; (p = strchr(p, '\n')); p++)
				line++;
	}
}

/* "WHAT (WHERE)：第 N 筆：why" from the first of dl, as the message. */
static void fail_msg(Session *s, const char *what, const char *where, const DiagList *dl)
{
	const Diag *d = dl->n ? &dl->items[0] : NULL;
	if (d && d->record >= 0)
		session_set_msg(s, true, "%s (%s)：第 %ld 筆的%s", what, where, d->record + 1, d->msg);
	else
		session_set_msg(s, true, "%s (%s)：%s", what, where, d ? d->msg : "");
}

/* "；其中 K 筆記錄還有錯誤，^K 可跳到" when some do. */
static char *errors_note(const Session *s)
{
	size_t k = session_error_records(s);
	return k ? xasprintf("；其中 %zu 筆記錄還有錯誤或未填完，^K 可跳到", k) : xstrdup("");
}

bool session_export_ok(Session *s, const char *path)
{
	if (io_is_workbook(path))
		return true;
	session_set_msg(s, true, "匯出的檔名要以 .xlsx 或 .ods 結尾");
	return false;
}

int session_export(Session *s, const char *path)
{
	char *where = text_escape(path);
	bool ok;
	Lock *l = strcmp(path, s->path) == 0 ? NULL : lock_other(s, path, where, &ok);
	if (strcmp(path, s->path) == 0 || !ok) {
		if (strcmp(path, s->path) == 0)
			session_set_msg(s, true, "匯出的檔名不可與正在編輯的檔案相同");
		free(where);
		return -1;
	}
	DiagList dl;
	diag_init(&dl);
	int rc = session_export_ok(s, path) ? io_save(s->table, path, s->cfg->backup, &dl) : -1;
	if (!io_is_workbook(path))
		; /* said */
	else if (rc != 0)
		fail_msg(s, "匯出失敗", where, &dl);
	else {
		char *note = errors_note(s);
		session_set_msg(s, false, "已匯出：%s (%zu 筆記錄%s)", where, session_nsaved(s), note);
		free(note);
	}
	lock_release(l);
	free(where);
	diag_free(&dl);
	return rc;
}

bool session_print_ok(Session *s, const char *path)
{
	if (io_kind(path) == IO_PDF)
		return true;
	session_set_msg(s, true, "列印的檔名要以 .pdf 結尾");
	return false;
}

int session_print(Session *s, const char *path)
{
	if (!session_print_ok(s, path))
		return -1;
	char *where = text_escape(path);
	bool ok;
	Lock *l = lock_other(s, path, where, &ok);
	if (!ok) {
		free(where);
		return -1;
	}
	DiagList dl;
	diag_init(&dl);
	PrintOptions opt = {.cfg = s->cfg, .date = print_today()};
	PrintSummary sum;
	int rc = print_pdf(s->table, path, &opt, s->cfg->backup, &sum, &dl);
	free(sum.family);
	lock_release(l);
	if (rc != 0) {
		fail_msg(s, "列印失敗", where, &dl);
		diag_free(&dl);
		free(where);
		return -1;
	}
	diag_clear(&dl);
	char *sent = NULL;
	if (s->cfg->print_command) {
		char *said = NULL;
		char *cmd = text_escape(s->cfg->print_command);
		if (print_send(path, s->cfg->print_command, &said, &dl) == 0)
			sent = xasprintf("；已送印 (%s)%s%s", cmd, said ? "：" : "", said ? said : "");
		else
			sent = xasprintf("；送印失敗 (%s)：%s", cmd, dl.n ? dl.items[0].msg : "");
		free(said);
		free(cmd);
		rc = dl.nerrors ? -1 : 0;
	}
	session_set_msg(s, rc != 0, "已印成 %s：%zu 頁，%zu 筆記錄，%zu 筆有錯誤%s", where, sum.pages,
			sum.records, sum.with_errors, sent ? sent : "");
	free(sent);
	diag_free(&dl);
	free(where);
	return rc;
}

SaveResult session_save(Session *s, const char *path, bool force)
{
	const char *to = path ? path : s->path;
	bool same = strcmp(to, s->path) == 0;
	char *where = text_escape(to);
	if (same && !session_can_edit(s)) {
		free(where);
		return SAVE_FAILED;
	}
	if (same && !force && !s->is_new && changed_on_disk(s)) {
		session_set_msg(s, true, "%s 在開啟後已被其他程式修改", where);
		free(where);
		return SAVE_CHANGED;
	}
	bool ok = true;
	Lock *newlock = same ? NULL : lock_other(s, to, where, &ok);
	if (!ok) {
		free(where);
		return SAVE_FAILED;
	}
	DiagList dl;
	diag_init(&dl);
	if (io_save(s->table, to, s->cfg->backup, &dl) != 0) {
		fail_msg(s, "存檔失敗", where, &dl);
		diag_free(&dl);
		free(where);
		lock_release(newlock);
		return SAVE_FAILED;
	}
	diag_free(&dl);
	/* the file now holds every change: the journal is no longer needed */
	journal_close(s->journal);
	s->journal = NULL;
	s->journal_failed = false;
	if (!s->lock_notice)
		journal_retire(s->path);
	if (!same) {
		lock_release(s->lock);
		s->lock = newlock;
		free(s->lock_notice);
		s->lock_notice = NULL;
		free(s->path);
		s->path = xstrdup(to);
	}
	renumber(s);
	remember_base(s);
	s->saved_state = state_now(s);
	s->is_new = false;
	s->ask_name = false;
	char *note = errors_note(s);
	session_set_msg(s, false, "已存檔：%s (%zu 筆記錄%s)", where, session_nsaved(s), note);
	free(note);
	free(where);
	return SAVE_OK;
}
