/* guess.c - see guess.h. */
#include "guess.h"

#include <dirent.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "mem.h"
#include "rows.h"

bool guess_needed(const DiagList *dl)
{
	for (size_t i = 0; i < dl->n; i++)
		if (strncmp(dl->items[i].msg, ROWS_NO_HEADER, strlen(ROWS_NO_HEADER)) == 0)
			return true;
	return false;
}

/* Whether form reads the file with every one of its fields found: no
 * column reported missing (a warning of the header row naming a field). */
static bool fits(const char *data_path, const Form *form)
{
	DiagList dl;
	diag_init(&dl);
	Table *t = io_load(data_path, form, (FileFormat){ENC_UTF8, true, true}, &dl);
	bool ok = t != NULL;
	for (size_t i = 0; ok && i < dl.n; i++)
		ok = !(dl.items[i].record < 0 && dl.items[i].field >= 0);
	table_free(t);
	diag_free(&dl);
	return ok;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .ini files in dir but the one named skip (paths, malloc'd, in name
 * order); *n of them. */
static char **form_files(const char *dir, const char *skip, size_t *n)
{
	*n = 0;
	size_t cap = 0;
	char **names = NULL;
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".ini") != 0 || e->d_name[0] == '.' ||
		    strcmp(e->d_name, skip) == 0)
			continue;
		char *p = xasprintf("%s/%s", dir, e->d_name);
		if (*n == cap)
			names = xrealloc(names, (cap = cap ? 2 * cap : 8) * sizeof *names);
		names[(*n)++] = p;
	}
	if (d)
		closedir(d);
	if (*n)
		qsort(names, *n, sizeof *names, by_name);
	return names;
}

Form *guess_form(const char *data_path, const Form *tried)
{
	const char *tp = form_path(tried), *slash = strrchr(tp, '/');
	char *dup = xstrdup(tp);
	char *dir = xstrdup(dirname(dup));
	size_t n;
	char **files = form_files(dir, slash ? slash + 1 : tp, &n);
	Form *found = NULL;
	for (size_t i = 0; i < n; i++) {
		DiagList dl;
		diag_init(&dl);
		Form *f = found ? NULL : form_load(files[i], &dl);
		diag_free(&dl);
		if (f && fits(data_path, f))
			found = f;
		else
			form_free(f);
		free(files[i]);
	}
	free(files);
	free(dir);
	free(dup);
	return found;
}
