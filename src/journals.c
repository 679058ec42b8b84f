/* journals.c - see journals.h. */
#include "journals.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "journal.h"
#include "lock.h"
#include "mem.h"
#include "text.h"

/* One entry as a clerk reads it: "第 2 筆「系統名稱」改為「系統AX」". */
static void print_entry(FILE *out, const Form *form, const JournalEntry *e)
{
	char when[32];
	text_time(e->when, when, sizeof when);
	fprintf(out, "    %s  ", when);
	switch (e->op) {
	case JOP_SET: {
		const char *label = e->arg < form_nfields(form) ? form_field(form, e->arg)->label : "?";
		char *v = text_clip(e->value, 40);
		char *ev = text_escape(v);
		char *el = text_escape(label);
		if (*e->value)
			fprintf(out, "第 %zu 筆「%s」改為「%s」\n", e->rec + 1, el, ev);
		else
			fprintf(out, "第 %zu 筆「%s」清除\n", e->rec + 1, el);
		free(el);
		free(ev);
		free(v);
		break;
	}
	case JOP_NEW:
		fprintf(out, "新增第 %zu 筆\n", e->rec + 1);
		break;
	case JOP_COPY:
		fprintf(out, "複製第 %zu 筆為第 %zu 筆\n", e->arg + 1, e->rec + 1);
		break;
	case JOP_DELETE:
		fprintf(out, "刪除第 %zu 筆\n", e->rec + 1);
		break;
	}
}

/* Lists one journal set aside (number k of the list); says whether it
 * still fits the file.  Returns whether it does. */
static bool print_journal(FILE *out, const Form *form, const char *name, size_t k,
			  const struct stat *st)
{
	JournalRead r;
	DiagList dl;
	diag_init(&dl);
	char *ename = text_escape(name);
	bool fits = false;
	if (journal_read(name, &r, &dl) != 0) {
		fprintf(out, "%zu. %s：無法讀取 (%s)\n", k, ename, dl.n ? dl.items[0].msg : "");
	} else {
		fits = r.n > 0 && journal_fits(&r, st);
		fprintf(out, "%zu. %s：%zu 筆修改；%s\n", k, ename, r.n,
			!r.n ? "沒有可用的修改"
			: fits ? "檔案之後沒有變動，可以套用"
			       : "檔案在那之後已被修改，不能套用 (請依下列內容重新輸入)");
		if (r.bad_line)
			fprintf(out, "    (第 %ld 行起損壞，只列出之前的修改)\n", r.bad_line);
		for (size_t i = 0; i < r.n; i++)
			print_entry(out, form, &r.entries[i]);
		journal_read_free(&r);
	}
	diag_free(&dl);
	free(ename);
	return fits;
}

/* Makes journal k of names the file's journal again; the file's lock is
 * held meanwhile, so that no one is editing it. */
static int restore(const char *data_path, char **names, size_t n, long k, const struct stat *st,
		   FILE *out)
{
	char *epath = text_escape(data_path);
	int rc = 2;
	JournalRead r;
	DiagList dl;
	diag_init(&dl);
	Lock *lock = NULL;
	LockHolder h;
	char *why = NULL;
	if (k < 1 || (size_t)k > n) {
		fprintf(out, "spmform: 沒有第 %ld 份 (共 %zu 份)\n", k, n);
	} else if (journal_read(names[k - 1], &r, &dl) != 0) {
		fprintf(out, "spmform: 第 %ld 份無法讀取\n", k);
	} else {
		bool fits = r.n > 0 && journal_fits(&r, st);
		size_t changes = r.n;
		journal_read_free(&r);
		if (!fits)
			fprintf(out, "spmform: 第 %ld 份不能套用：%s 在那之後已被修改\n", k, epath);
		else if (lock_acquire(data_path, &lock, &h, &why) != LOCK_OK)
			fprintf(out, "spmform: %s 正在編輯中 (或無法鎖定)，未套用\n", epath);
		else if (journal_restore(names[k - 1], data_path, &dl) != 0)
			fprintf(out, "spmform: %s\n", dl.items[dl.n - 1].msg);
		else {
			fprintf(out, "已改回復原紀錄：下次開啟 %s 時會問是否復原這 %zu 筆修改\n", epath, changes);
			rc = 0;
		}
	}
	lock_release(lock);
	free(why);
	diag_free(&dl);
	free(epath);
	return rc;
}

int journals_run(const char *data_path, const Form *form, long apply, FILE *out)
{
	size_t n;
	char **names = journal_list_aside(data_path, &n);
	struct stat st;
	bool exists = stat(data_path, &st) == 0;
	int rc = 0;
	if (apply) {
		rc = restore(data_path, names, n, apply, exists ? &st : NULL, out);
	} else if (n == 0) {
		char *e = text_escape(data_path);
		fprintf(out, "%s 沒有擱置的復原紀錄\n", e);
		free(e);
	} else {
		size_t usable = 0;
		for (size_t i = 0; i < n; i++)
			usable += print_journal(out, form, names[i], i + 1, exists ? &st : NULL);
		char *e = text_escape(data_path);
		if (usable)
			fprintf(out, "套用其中一份：spmform --journals %s --apply 編號 (下次開啟時會問是否復原)\n", e);
		free(e);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}
