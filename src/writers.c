/* writers.c - xlsxout_write, odsout_write and print_pdf in the program:
 * each loads spmform-writers.so and calls it; see writers.h. */
#include "writers.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "mem.h"
#include "odsout.h"
#include "text.h"
#include "xlsxout.h"

#ifndef SPMFORM_VERSION
#define SPMFORM_VERSION "0.1.0"
#endif
#ifndef SPMFORM_LIBDIR
#define SPMFORM_LIBDIR "/usr/local/lib/spmform"
#endif

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const WritersTable *loaded; /* the module stays loaded until exit */

/* Why the table w (of a module that has one) is refused (malloc'd), or
 * NULL when it is the program's own version.  abi and size are read
 * before anything else, as writers.h says. */
static char *refused(const WritersTable *w)
{
	if (w->abi != WRITERS_ABI || w->size != sizeof *w)
		return xasprintf("介面第 %u 版，程式要第 %d 版", w->abi, WRITERS_ABI);
	if (strcmp(w->version, SPMFORM_VERSION) == 0)
		return NULL;
	char *ev = text_escape(w->version);
	char *why = xasprintf("是 spmform %s 的，程式是 %s", ev, SPMFORM_VERSION);
	free(ev);
	return why;
}

/* The table of the module at path, or NULL and *why (malloc'd). */
static const WritersTable *load_from(const char *path, char **why)
{
	if (access(path, F_OK) != 0) {
		*why = xstrdup("不存在");
		return NULL;
	}
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		size_t n = strlen(path);
		if (!e)
			e = "無法載入";
		else if (strncmp(e, path, n) == 0 && strncmp(e + n, ": ", 2) == 0)
			e += n + 2; /* dlerror names the file first: it is named already */
		*why = text_escape(e);
		return NULL;
	}
	const WritersTable *w = dlsym(h, WRITERS_SYMBOL);
	*why = w ? refused(w) : xstrdup("不是 spmform 的寫檔模組");
	if (!*why)
		return w;
	dlclose(h);
	return NULL;
}

/* Looks in the places writers.h lists; NULL after an error in diags. */
static const WritersTable *find(DiagList *diags)
{
	char *dir = config_program_dir();
	char *places[] = {
	    dir ? xasprintf("%s/" WRITERS_MODULE, dir) : NULL,
	    dir ? xasprintf("%s/../lib/spmform/" WRITERS_MODULE, dir) : NULL,
	    xstrdup(SPMFORM_LIBDIR "/" WRITERS_MODULE),
	};
	free(dir);
	const WritersTable *w = NULL;
	char *tried = xstrdup("");
	for (size_t i = 0; i < sizeof places / sizeof *places; i++) {
		if (places[i] && !w) {
			char *why;
			w = load_from(places[i], &why);
			if (!w) {
				char *ep = text_escape(places[i]);
				char *t = xasprintf("%s%s%s (%s)", tried, *tried ? "、" : "", ep, why);
				free(ep);
				free(tried);
				tried = t;
			}
			free(why);
		}
		free(places[i]);
	}
	if (!w)
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1,
			 "找不到可用的寫檔模組 %s (寫 .xlsx、.ods 與 PDF 檔要用)，未寫入；找過 %s；"
			 "請重新安裝 spmform",
			 WRITERS_MODULE, tried);
	free(tried);
	return w;
}

/* The module's table, loaded on the first call that finds it. */
static const WritersTable *writers(DiagList *diags)
{
	pthread_mutex_lock(&lock);
	if (!loaded)
		loaded = find(diags);
	const WritersTable *w = loaded;
	pthread_mutex_unlock(&lock);
	return w;
}

int xlsxout_write(const Table *t, const char *path, bool backup, DiagList *diags)
{
	const WritersTable *w = writers(diags);
	return w ? w->xlsxout_write(t, path, backup, diags) : -1;
}

int odsout_write(const Table *t, const char *path, bool backup, DiagList *diags)
{
	const WritersTable *w = writers(diags);
	return w ? w->odsout_write(t, path, backup, diags) : -1;
}

int print_pdf(const Table *t, const char *path, const PrintOptions *opt, bool backup,
	      PrintSummary *sum, DiagList *diags)
{
	const WritersTable *w = writers(diags);
	if (w)
		return w->print_pdf(t, path, opt, backup, sum, diags);
	if (sum)
		*sum = (PrintSummary){0};
	return -1;
}
