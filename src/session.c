/* session.c - see session.h. */
#include "session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvio.h"
#include "io.h"
#include "mem.h"
#include "xlsxout.h"
#include "rules.h"
#include "text.h"

/* A value quoted in a message is cut to this many bytes. */
#define MSG_QUOTE 40

static void undo_clear(Session *s)
{
	for (size_t i = 0; i < s->nundo; i++)
		free(s->undo[i].old);
	s->nundo = 0;
}

static void undo_push(Session *s, size_t rec, size_t field, const char *old)
{
	if (s->nundo == s->capundo) {
		s->capundo = s->capundo ? 2 * s->capundo : 32;
		s->undo = xrealloc(s->undo, s->capundo * sizeof *s->undo);
	}
	s->undo[s->nundo++] = (UndoEntry){rec, field, xstrdup(old), s->group};
}

/* Appends a committed change to the journal (opened at the first one). */
static void jlog(Session *s, JournalOp op, size_t rec, size_t arg, const char *value)
{
	if (s->read_only)
		return; /* the journal belongs to the clerk who holds the file */
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

static char *clip(const char *v)
{
	return text_clip(v, MSG_QUOTE);
}

static void fill_defaults(Session *s, size_t rec, bool log)
{
	for (size_t f = 0; f < form_nfields(s->form); f++) {
		if (!form_field(s->form, f)->autonumber)
			continue;
		long max = 0; /* the next number after the highest in the file */
		for (size_t r = 0; r < session_nrecords(s); r++) {
			char *end;
			long v = strtol(session_cells(s, r)[f], &end, 10);
			if (r != rec && *end == '\0' && v > max)
				max = v;
		}
		char *v = xasprintf("%ld", max + 1);
		if (log)
			jlog(s, JOP_SET, rec, f, v);
		table_put(s->table, rec, f, v);
	}
	for (size_t i = 0; i < s->cfg->ndefaults; i++) {
		long f = form_field_index(s->form, s->cfg->defaults[i].id);
		if (f < 0)
			continue;
		char *v = form_normalize(form_field(s->form, (size_t)f), s->cfg->defaults[i].value);
		if (log)
			jlog(s, JOP_SET, rec, (size_t)f, v);
		table_put(s->table, rec, (size_t)f, v);
	}
}

static void remember_base(Session *s)
{
	s->have_base = stat(s->path, &s->base) == 0;
}

static bool changed_on_disk(const Session *s)
{
	struct stat now;
	if (stat(s->path, &now) != 0)
		return s->have_base; /* it was there and is gone */
	return !s->have_base || now.st_mtime != s->base.st_mtime || now.st_size != s->base.st_size ||
	       now.st_ino != s->base.st_ino || now.st_dev != s->base.st_dev;
}

static char *time_text(time_t t)
{
	char buf[32];
	strftime(buf, sizeof buf, "%m-%d %H:%M", localtime(&t));
	return xstrdup(buf);
}

/* The lock, and a journal an earlier session left behind. */
static void take_file(Session *s)
{
	s->lock = lock_acquire(s->path, &s->holder);
	if (!s->lock && s->holder.pid) {
		s->read_only = true;
		char *since = time_text(s->holder.since);
		char *user = text_escape(s->holder.user);
		session_set_msg(s, true, "以唯讀開啟：%s 自 %s 起正在編輯 (程序 %ld)；^W 可另存新檔", user,
				since, s->holder.pid);
		free(user);
		free(since);
		return;
	}
	char *jp = journal_path(s->path);
	DiagList dl;
	diag_init(&dl);
	if (journal_read(jp, &s->recovery, &dl) == 0) {
		bool fits = s->have_base ? s->recovery.base_mtime == (long long)s->base.st_mtime &&
					       s->recovery.base_size == (long long)s->base.st_size
					 : s->recovery.base_size == -1;
		if (s->recovery.n == 0) {
			journal_read_free(&s->recovery);
			journal_retire(s->path);
		} else if (fits) {
			s->has_recovery = true;
		} else {
			journal_read_free(&s->recovery);
			char *aside = journal_set_aside(s->path);
			char *a = text_escape(aside ? aside : jp);
			session_set_msg(s, true, "找到舊的復原紀錄，但檔案在那之後已被修改，不能套用；紀錄已另存為 %s", a);
			free(a);
			free(aside);
		}
	} else if (access(jp, F_OK) == 0) {
		/* there, but not a journal we can read: keep it aside, untouched */
		char *aside = journal_set_aside(s->path);
		char *a = text_escape(aside ? aside : jp);
		session_set_msg(s, true, "復原紀錄無法讀取，已另存為 %s", a);
		free(a);
		free(aside);
	}
	diag_free(&dl);
	free(jp);
}

Session *session_open(const Form *form, const Config *cfg, const char *path, DiagList *diags)
{
	Table *t;
	RulesRun *run = NULL; /* a CSV file's records, checked as they were read */
	bool is_new = access(path, F_OK) != 0 && errno == ENOENT;
	if (is_new) {
		t = table_new(form);
		table_set_format(t, cfg->out);
	} else {
		CsvSource src = {.path = path};
		t = io_is_workbook(path) ? io_load(path, form, cfg->out, diags)
					     : csvio_read(&src, form, cfg->out, CSV_KEEP_CHECK, &run, diags);
		if (!t)
			return NULL;
	}
	Session *s = xcalloc(1, sizeof *s);
	s->form = form;
	s->cfg = cfg;
	s->table = t;
	s->path = xstrdup(path);
	s->is_new = is_new;
	s->ask_name = io_is_workbook(path) && !is_new;
	remember_base(s);
	take_file(s);
	diag_init(&s->load_diags);
	for (size_t i = 0; i < diags->n; i++) { /* keep a copy: the screen shows them */
		const Diag *d = &diags->items[i];
		diag_add(&s->load_diags, d->level, d->line, d->col, d->record, d->field, "%s", d->msg);
	}
	if (run) /* the records' own problems were found as they were read */
		rules_run_end_table(run, t, &s->load_diags);
	else
		rules_check_table(t, &s->load_diags);
	rules_run_free(run);
	diag_sort(&s->load_diags);
	/* records with a wrong value, from the check just made (the diags are
	 * sorted by line, so a record's come together) */
	long last = -1;
	for (size_t i = 0; i < s->load_diags.n; i++) {
		const Diag *d = &s->load_diags.items[i];
		if (d->level != DIAG_ERROR || d->record < 0 || d->record == last)
			continue;
		if (d->field < 0 || *table_record(t, (size_t)d->record)->cells[d->field]) {
			s->load_errors++;
			last = d->record;
		}
	}
	for (size_t i = 0; i < cfg->ndefaults; i++)
		if (form_field_index(form, cfg->defaults[i].id) < 0)
			session_set_msg(s, true, "%s 的 [defaults]「%s」不是表單的欄位，已略過",
					cfg->path ? cfg->path : "config.ini", cfg->defaults[i].id);
	if (table_nrecords(t) == 0) {
		table_append(t, 0);
		fill_defaults(s, 0, false); /* defaults alone are not a change */
	}
	return s;
}

void session_free(Session *s)
{
	if (!s)
		return;
	undo_clear(s);
	free(s->undo);
	journal_close(s->journal);
	lock_release(s->lock);
	journal_read_free(&s->recovery);
	table_free(s->table);
	diag_free(&s->load_diags);
	free(s->path);
	free(s->msg);
	free(s);
}

size_t session_nrecords(const Session *s)
{
	return table_nrecords(s->table);
}

char **session_cells(const Session *s, size_t rec)
{
	return table_record(s->table, rec)->cells;
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

size_t session_filter(const Session *s, const char *text, size_t *rows, size_t n)
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
	for (size_t k = 0; k < n; k++) {
		char **cells = session_cells(s, rows[k]);
		bool hit = false;
		for (size_t c = 0; c < nf && !hit; c++)
			hit = filter_hit(&f, cells[c]);
		if (hit)
			rows[kept++] = rows[k];
	}
	return kept;
}

const char *session_value(const Session *s, size_t field)
{
	return session_cells(s, s->rec)[field];
}

bool session_set(Session *s, size_t field, const char *raw)
{
	size_t n;
	TableChange *c = table_set(s->table, s->rec, field, raw, &n);
	if (n == 0)
		return false;
	s->group++;
	for (size_t i = 0; i < n; i++) {
		undo_push(s, s->rec, c[i].field, c[i].old);
		jlog(s, JOP_SET, s->rec, c[i].field, session_cells(s, s->rec)[c[i].field]);
	}
	s->dirty = true;
	if (n > 1) {
		/* say what the rules cleared, and why: never silently */
		const FormField *set = form_field(s->form, field);
		const FormField *gone = form_field(s->form, c[1].field);
		char *nv = clip(session_value(s, field));
		char *ov = clip(c[1].old);
		session_set_msg(s, true, "「%s」改為「%s」後，「%s」不可填「%s」，已清除%s", set->label,
				nv, gone->label, ov, n > 2 ? "(還有其他欄位也已清除)" : "");
		free(nv);
		free(ov);
	}
	table_changes_free(c, n);
	return true;
}

bool session_pick(Session *s, size_t field, size_t n)
{
	const FormField *f = form_field(s->form, field);
	size_t idx[f->nvalues ? f->nvalues : 1];
	size_t k = rules_permitted(s->form, session_cells(s, s->rec), field, idx);
	if (n < 1 || n > k) {
		session_set_msg(s, true, "「%s」目前只有 %zu 個可選的值，沒有第 %zu 個", f->label, k, n);
		return false;
	}
	session_set(s, field, f->values[idx[n - 1]]);
	return true;
}

void session_autofill_forward(Session *s)
{
	size_t nf = form_nfields(s->form);
	for (;;) {
		const FormField *f = form_field(s->form, s->field);
		if (f->kind != KIND_CHOICE)
			return;
		size_t idx[f->nvalues ? f->nvalues : 1];
		if (rules_permitted(s->form, session_cells(s, s->rec), s->field, idx) != 1)
			return;
		if (strcmp(session_value(s, s->field), f->values[idx[0]]) != 0)
			session_set(s, s->field, f->values[idx[0]]);
		if (s->field + 1 >= nf)
			return;
		s->field++;
	}
}

bool session_next_field(Session *s)
{
	if (s->field + 1 >= form_nfields(s->form))
		return false;
	s->field++;
	session_autofill_forward(s);
	return true;
}

bool session_prev_field(Session *s)
{
	if (s->field == 0)
		return false;
	s->field--;
	return true;
}

bool session_goto_record(Session *s, size_t rec)
{
	if (rec >= session_nrecords(s) || rec == s->rec)
		return false;
	s->rec = rec;
	return true;
}

bool session_next_record(Session *s)
{
	if (s->rec + 1 >= session_nrecords(s)) {
		session_set_msg(s, false, "已是最後一筆 (Ctrl-N 新增一筆)");
		return false;
	}
	s->rec++;
	return true;
}

bool session_prev_record(Session *s)
{
	if (s->rec == 0) {
		session_set_msg(s, false, "已是第一筆");
		return false;
	}
	s->rec--;
	return true;
}

bool session_next_error(Session *s)
{
	size_t n = session_nrecords(s);
	for (size_t k = 1; k <= n; k++) {
		size_t r = (s->rec + k) % n;
		if (session_record_state(s, r) != REC_ERROR)
			continue;
		s->rec = r;
		DiagList dl;
		diag_init(&dl);
		session_record_diags(s, r, &dl);
		char **cells = session_cells(s, r);
		for (size_t i = 0; i < dl.n; i++) /* the first wrong value, not a missing one */
			if (dl.items[i].level == DIAG_ERROR && dl.items[i].field >= 0 &&
			    *cells[dl.items[i].field]) {
				s->field = (size_t)dl.items[i].field;
				break;
			}
		diag_free(&dl);
		return true;
	}
	session_set_msg(s, false, "沒有錯誤的記錄");
	return false;
}

void session_new_record(Session *s)
{
	size_t at = session_nrecords(s);
	jlog(s, JOP_NEW, at, 0, NULL);
	table_append(s->table, 0);
	fill_defaults(s, at, true);
	undo_clear(s);
	s->rec = at;
	s->field = 0;
	s->dirty = true;
}

void session_dup_record(Session *s)
{
	jlog(s, JOP_COPY, s->rec + 1, s->rec, NULL);
	table_insert_copy(s->table, s->rec + 1, s->rec);
	undo_clear(s);
	s->rec++;
	s->dirty = true;
	session_set_msg(s, false, "已複製為第 %zu 筆", s->rec + 1);
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
		/* refused like a digit would be: never let a copy clear others */
		char *q = clip(prev);
		session_set_msg(s, true, "「%s」現在不可填「%s」，未複製", f->label, q);
		free(q);
		return false;
	}
	char *v = xstrdup(prev);
	session_set(s, s->field, v);
	free(v);
	return true;
}

void session_delete_record(Session *s)
{
	jlog(s, JOP_DELETE, s->rec, 0, NULL);
	table_remove(s->table, s->rec);
	undo_clear(s);
	if (session_nrecords(s) == 0) {
		jlog(s, JOP_NEW, 0, 0, NULL);
		table_append(s->table, 0);
	}
	if (s->rec >= session_nrecords(s))
		s->rec = session_nrecords(s) - 1;
	s->dirty = true;
	session_set_msg(s, false, "已刪除記錄");
}

bool session_undo(Session *s)
{
	if (s->nundo == 0) {
		session_set_msg(s, false, "沒有可以復原的修改");
		return false;
	}
	unsigned g = s->undo[s->nundo - 1].group;
	while (s->nundo > 0 && s->undo[s->nundo - 1].group == g) {
		UndoEntry *u = &s->undo[--s->nundo];
		jlog(s, JOP_SET, u->rec, u->field, u->old);
		table_put(s->table, u->rec, u->field, u->old); /* takes the string */
		s->rec = u->rec;
		s->field = u->field;
	}
	s->dirty = true;
	session_set_msg(s, false, "已復原");
	return true;
}

void session_record_diags(const Session *s, size_t rec, DiagList *out)
{
	const Record *r = table_record_c(s->table, rec);
	rules_check_record(s->form, r->cells, r->line, (long)rec, out);
}

RecordState session_record_state(const Session *s, size_t rec)
{
	if (table_record_empty(s->table, rec))
		return REC_EMPTY;
	DiagList dl;
	diag_init(&dl);
	session_record_diags(s, rec, &dl);
	char **cells = session_cells(s, rec);
	RecordState st = REC_COMPLETE;
	for (size_t i = 0; i < dl.n && st != REC_ERROR; i++) {
		const Diag *d = &dl.items[i];
		if (d->level != DIAG_ERROR)
			continue;
		/* an error on an empty field can only be a missing value */
		st = d->field >= 0 && !*cells[d->field] ? REC_INCOMPLETE : REC_ERROR;
	}
	diag_free(&dl);
	return st;
}

void session_recover(Session *s)
{
	if (!s->has_recovery)
		return;
	DiagList dl;
	diag_init(&dl);
	size_t n = journal_apply(s->table, &s->recovery, &dl);
	if (session_nrecords(s) == 0)
		table_append(s->table, 0);
	if (s->rec >= session_nrecords(s))
		s->rec = 0;
	s->dirty = n > 0;
	session_set_msg(s, dl.n > 0, "已復原 %zu 筆未存檔的修改%s%s；請記得存檔", n, dl.n ? "：" : "",
			dl.n ? dl.items[0].msg : "");
	diag_free(&dl);
	journal_read_free(&s->recovery);
	s->has_recovery = false;
	/* go on appending to the same journal: its base is still the file */
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

void session_abandon(Session *s)
{
	journal_close(s->journal);
	s->journal = NULL;
	if (!s->read_only && s->dirty) {
		char *aside = journal_set_aside(s->path);
		free(aside);
	}
}

int session_export(Session *s, const char *path)
{
	DiagList dl;
	diag_init(&dl);
	char *where = text_escape(path);
	int rc = xlsxout_write(s->table, path, false, &dl);
	if (rc != 0)
		session_set_msg(s, true, "匯出失敗 (%s)：%s", where, dl.n ? dl.items[0].msg : "");
	else
		session_set_msg(s, false, "已匯出：%s", where);
	free(where);
	diag_free(&dl);
	return rc;
}

SaveResult session_save(Session *s, const char *path, bool force)
{
	const char *to = path ? path : s->path;
	bool same = strcmp(to, s->path) == 0;
	char *where = text_escape(to);
	if (same && s->read_only) {
		session_set_msg(s, true, "這個檔案正由 %s 編輯中，不能覆蓋；請用 ^W 另存新檔",
				s->holder.user);
		free(where);
		return SAVE_FAILED;
	}
	if (same && !force && !s->is_new && changed_on_disk(s)) {
		session_set_msg(s, true, "%s 在開啟後已被其他程式修改", where);
		free(where);
		return SAVE_CHANGED;
	}
	Lock *newlock = NULL;
	if (!same) {
		LockHolder h;
		newlock = lock_acquire(to, &h);
		if (!newlock && h.pid) {
			session_set_msg(s, true, "%s 正由 %s 編輯中，不能覆蓋", where, h.user);
			free(where);
			return SAVE_FAILED;
		}
	}
	DiagList dl;
	diag_init(&dl);
	if (io_save(s->table, to, s->cfg->backup, &dl) != 0) {
		session_set_msg(s, true, "存檔失敗 (%s)：%s", where, dl.n ? dl.items[0].msg : "");
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
	if (!s->read_only)
		journal_retire(s->path);
	if (!same) {
		lock_release(s->lock);
		s->lock = newlock;
		s->read_only = false;
		free(s->path);
		s->path = xstrdup(to);
	}
	remember_base(s);
	s->dirty = false;
	s->is_new = false;
	s->ask_name = false;
	size_t n = 0;
	for (size_t r = 0; r < session_nrecords(s); r++)
		n += !table_record_empty(s->table, r);
	session_set_msg(s, false, "已存檔：%s (%zu 筆記錄)", where, n);
	free(where);
	return SAVE_OK;
}
