/* check.c - see check.h. */
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvio.h"
#include "progress.h"
#include "diag.h"
#include "rules.h"
#include "text.h"
#include "xlsxin.h"

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

bool path_is_xlsx(const char *path)
{
	size_t n = strlen(path);
	return n > 5 && text_casecmp(path + n - 5, ".xlsx") == 0;
}

Table *check_load(const char *path, const Form *form, FileFormat fmt, DiagList *diags)
{
	return path_is_xlsx(path) ? xlsxin_load(path, form, fmt, diags)
				  : csvio_load(path, form, fmt, diags);
}

int check_file(const char *path, const Form *form, FileFormat fmt, int progress_delay_ms,
	       FILE *out)
{
	DiagList dl;
	diag_init(&dl);
	char *name = text_escape(path);
	int rc;
	size_t nrec = 0;
	bool readable;
	check_progress_begin(path, progress_delay_ms);
	if (path_is_xlsx(path)) {
		Table *t = xlsxin_load(path, form, fmt, &dl);
		check_progress_end();
		readable = t != NULL;
		if (t)
			nrec = rules_check_table(t, &dl);
		table_free(t);
	} else {
		/* checked as read: a big file is never held in memory (fmt,
		 * how a table would be written back, does not apply) */
		RulesRun *run = csvio_check(path, form, &dl);
		check_progress_end();
		readable = run != NULL;
		if (run)
			nrec = rules_run_end(run, &dl);
		rules_run_free(run);
	}
	print_all(out, path, form, &dl);
	if (!readable) {
		fprintf(out, "%s: 無法讀取，未檢查任何記錄\n", name);
		rc = CHECK_UNREADABLE;
	} else {
		fprintf(out, "%s: %zu 筆記錄，%zu 個錯誤，%zu 個警告\n", name, nrec, dl.nerrors,
			dl.nwarnings);
		rc = dl.nerrors ? CHECK_ERRORS : CHECK_OK;
	}
	free(name);
	diag_free(&dl);
	return rc;
}
