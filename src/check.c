/* check.c - see check.h. */
#include "check.h"

#include <stdlib.h>

#include "csvio.h"
#include "diag.h"
#include "rules.h"
#include "session.h"
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

Table *check_load(const char *path, const Form *form, FileFormat fmt, DiagList *diags)
{
	return path_is_xlsx(path) ? xlsxin_load(path, form, fmt, diags)
				  : csvio_load(path, form, fmt, diags);
}

int check_file(const char *path, const Form *form, FileFormat fmt, FILE *out)
{
	DiagList dl;
	diag_init(&dl);
	char *name = text_escape(path);
	int rc;
	Table *t = check_load(path, form, fmt, &dl);
	if (!t) {
		print_all(out, path, form, &dl);
		fprintf(out, "%s: 無法讀取，未檢查任何記錄\n", name);
		rc = CHECK_UNREADABLE;
	} else {
		rules_check_table(t, &dl);
		print_all(out, path, form, &dl);
		size_t nrec = 0;
		for (size_t i = 0; i < table_nrecords(t); i++)
			nrec += !table_record_empty(t, i);
		fprintf(out, "%s: %zu 筆記錄，%zu 個錯誤，%zu 個警告\n", name, nrec, dl.nerrors,
			dl.nwarnings);
		rc = dl.nerrors ? CHECK_ERRORS : CHECK_OK;
	}
	free(name);
	table_free(t);
	diag_free(&dl);
	return rc;
}
