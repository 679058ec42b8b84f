/* check.c - see check.h. */
#include "check.h"

#include <stdlib.h>
#include <unistd.h>

#include "csvio.h"
#include "diag.h"
#include "guess.h"
#include "io.h"
#include "mem.h"
#include "par.h"
#include "progress.h"
#include "rules.h"
#include "text.h"

static void print_all(FILE *out, const char *path, const Form *form, DiagList *dl)
{
	diag_sort(dl);
	for (size_t i = 0; i < dl->n; i++) {
		const Diag *d = &dl->items[i];
		const char *label = d->field >= 0 ? form_field(form, (size_t)d->field)->label : NULL;
		diag_print(out, path, d, label);
	}
}

/* --- progress -------------------------------------------------------------- */

static char *progress_name;
static bool progress_shown;

static bool show_progress(size_t done, size_t total)
{
	if (!progress_shown && !progress_due())
		return true; /* quick files never show it */
	progress_shown = true;
	fprintf(stderr, "\r讀取 %s：%3zu%%", progress_name, total ? done * 100 / total : 100);
	fflush(stderr);
	return true;
}

void check_progress_begin(const char *path, int delay_ms)
{
	if (!isatty(STDERR_FILENO))
		return;
	free(progress_name);
	progress_name = text_escape(path);
	progress_shown = false;
	progress_set(show_progress, delay_ms);
}

void check_progress_end(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr); /* clear the line for what follows */
	progress_shown = false;
	free(progress_name);
	progress_name = NULL;
	progress_set(NULL, 0);
}

/* --- checking ---------------------------------------------------------------- */

/* Reads and checks path: its problems into dl, its records counted in
 * *nrec; false when it cannot be read. */
static bool check_into(const char *path, const Form *form, DiagList *dl, size_t *nrec)
{
	FileFormat fmt = {ENC_UTF8, true, true}; /* how a table would be written: unused */
	if (io_is_workbook(path)) {
		Table *t = io_load(path, form, fmt, dl);
		if (t)
			*nrec = rules_check_table(t, dl);
		table_free(t);
		return t != NULL;
	}
	/* checked as read: a big file is never held in memory */
	RulesRun *run = NULL;
	CsvSource src = {.path = path};
	Table *t = csvio_read(&src, form, fmt, CSV_CHECK, &run, dl);
	table_free(t);
	if (run)
		*nrec = rules_run_end(run, dl);
	rules_run_free(run);
	return run != NULL;
}

/* Writes the report of path, whose problems are dl, to out; note (may be
 * NULL) is said first. */
static int report(FILE *out, const char *path, const Form *form, DiagList *dl, bool readable,
		  size_t nrec, const char *note)
{
	char *name = text_escape(path);
	if (note)
		fprintf(out, "%s: %s\n", name, note);
	print_all(out, path, form, dl);
	int rc;
	if (!readable) {
		fprintf(out, "%s: 無法讀取，未檢查任何記錄\n", name);
		rc = CHECK_UNREADABLE;
	} else {
		fprintf(out, "%s: %zu 筆記錄，%zu 個錯誤，%zu 個警告\n", name, nrec, dl->nerrors,
			dl->nwarnings);
		rc = dl->nerrors ? CHECK_ERRORS : CHECK_OK;
	}
	free(name);
	return rc;
}

/* When a form beside form fits path (guess.h), dl says only that: which
 * form, and how to name it; returns it (the caller frees it), or NULL. */
static Form *say_other_form(const char *path, const Form *form, DiagList *dl)
{
	Form *other = guess_form(path, form);
	if (other) { /* instead of listing the titles form wants */
		diag_clear(dl);
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "這個檔案的欄位是「%s」的；請改用 --form %s",
			 form_title(other), form_id(other));
	}
	return other;
}

/* Checks path and writes its report; a file of another form beside this
 * one (guess.h) is checked with it, or named, as guess says. */
static int check_report(FILE *out, const char *path, const Form *form, CheckGuess guess)
{
	DiagList dl;
	diag_init(&dl);
	size_t nrec = 0;
	bool readable = check_into(path, form, &dl, &nrec);
	Form *other = NULL;
	char *note = NULL;
	if (!readable && guess_needed(&dl) && guess == CHECK_GUESS_USE &&
	    (other = guess_form(path, form))) {
		diag_clear(&dl);
		readable = check_into(path, other, &dl, &nrec);
		note = xasprintf("欄位是「%s」的，已改用表單 %s 檢查", form_title(other), form_id(other));
	} else if (!readable && guess_needed(&dl)) {
		other = say_other_form(path, form, &dl);
	}
	int rc = report(out, path, note ? other : form, &dl, readable, nrec, note);
	free(note);
	form_free(other);
	diag_free(&dl);
	return rc;
}

int check_file(const char *path, const Form *form, CheckGuess guess, int progress_delay_ms,
	       FILE *out)
{
	check_progress_begin(path, progress_delay_ms);
	int rc = check_report(out, path, form, guess);
	check_progress_end();
	return rc;
}

/* check_files' work: a report per file, in memory until printed. */
typedef struct {
	char *const *paths;
	const Form *form;
	CheckGuess guess;
	char **text;
	size_t *len;
	int *rc;
} Many;

static void check_one(void *ctx, size_t i)
{
	Many *m = ctx;
	FILE *f = open_memstream(&m->text[i], &m->len[i]);
	if (!f)
		mem_out_of_memory();
	m->rc[i] = check_report(f, m->paths[i], m->form, m->guess);
	if (fclose(f) != 0)
		mem_out_of_memory();
}

/* check_files_across' work: each file read and its records checked alone
 * (side by side), then the rules across records over all of them. */
typedef struct {
	char *const *paths;
	const Form *form;
	DiagList *dl;
	RulesRun **run; /* per file; NULL when it cannot be read */
} Gather;

/* Reads path i into a run of its own: a CSV file as it is checked, a
 * workbook through its table. */
static void gather_one(void *ctx, size_t i)
{
	Gather *g = ctx;
	FileFormat fmt = {ENC_UTF8, true, true}; /* unused: nothing is written */
	const char *path = g->paths[i];
	if (!io_is_workbook(path)) {
		CsvSource src = {.path = path};
		table_free(csvio_read(&src, g->form, fmt, CSV_CHECK, &g->run[i], &g->dl[i]));
		return;
	}
	Table *t = io_load(path, g->form, fmt, &g->dl[i]);
	if (!t)
		return;
	g->run[i] = rules_run_new(g->form);
	for (size_t r = 0; r < table_nrecords(t); r++)
		if (!table_record_empty(t, r))
			rules_run_record(g->run[i], table_record_c(t, r)->cells, table_record_c(t, r)->line);
	table_free(t);
}

int check_files_across(char *const *paths, size_t n, const Form *form, int progress_delay_ms,
		       FILE *out)
{
	if (n == 1)
		return check_file(paths[0], form, CHECK_GUESS_SAY, progress_delay_ms, out);
	Gather g = {paths, form, xcalloc(n, sizeof *g.dl), xcalloc(n, sizeof *g.run)};
	for (size_t i = 0; i < n; i++)
		diag_init(&g.dl[i]);
	par_run(n, gather_one, &g);
	size_t *nrec = xcalloc(n, sizeof *nrec), total = 0;
	bool *readable = xcalloc(n, sizeof *readable);
	for (size_t i = 0; i < n; i++) {
		readable[i] = g.run[i] != NULL;
		total += nrec[i] = readable[i] ? rules_run_count(g.run[i]) : 0;
	}
	size_t *file = xmalloc((total ? total : 1) * sizeof *file);
	long *record = xmalloc((total ? total : 1) * sizeof *record);
	DiagList **dls = xmalloc(n * sizeof *dls);
	RulesRun *all = NULL;
	for (size_t i = 0, k = 0; i < n; i++) {
		dls[i] = &g.dl[i];
		for (size_t r = 0; r < nrec[i]; r++, k++) {
			file[k] = i;
			record[k] = (long)r;
		}
		if (readable[i] && all)
			rules_run_join(all, g.run[i]); /* which frees it */
		else if (readable[i])
			all = g.run[i];
	}
	RulesOrigin origin = {(const char *const *)paths, file, record};
	if (all)
		rules_run_end_files(all, &origin, dls);
	rules_run_free(all);
	int rc = CHECK_OK;
	for (size_t i = 0; i < n; i++) {
		if (!readable[i] && guess_needed(&g.dl[i])) /* all of one form: only say it */
			form_free(say_other_form(paths[i], form, &g.dl[i]));
		int r = report(out, paths[i], form, &g.dl[i], readable[i], nrec[i], NULL);
		rc = r > rc ? r : rc;
		diag_free(&g.dl[i]);
	}
	free(dls);
	free(readable);
	free(record);
	free(file);
	free(nrec);
	free(g.run);
	free(g.dl);
	return rc;
}

int check_files(char *const *paths, size_t n, const Form *form, CheckGuess guess,
		int progress_delay_ms, FILE *out)
{
	if (n == 1)
		return check_file(paths[0], form, guess, progress_delay_ms, out);
	Many m = {paths, form, guess, xcalloc(n, sizeof *m.text), xcalloc(n, sizeof *m.len),
		  xcalloc(n, sizeof *m.rc)};
	par_run(n, check_one, &m);
	int rc = CHECK_OK;
	for (size_t i = 0; i < n; i++) {
		fwrite(m.text[i], 1, m.len[i], out);
		free(m.text[i]);
		if (m.rc[i] > rc)
			rc = m.rc[i];
	}
	free(m.text);
	free(m.len);
	free(m.rc);
	return rc;
}
