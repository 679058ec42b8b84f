/* testutil.h - shared helpers for the cmocka unit tests.
 *
 * Tests run from the repository root (make test does), so the real
 * forms/inventory.ini is loaded by its path in the repository.
 */
#ifndef SPMFORM_TESTUTIL_H
#define SPMFORM_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "form.h"
#include "mem.h"
#include "rules.h"
#include "table.h"
#include "text.h"

#define INVENTORY "forms/inventory.ini"

/* The five example rows of the template (spec, "The template's example
 * rows"), tab-separated, in form order. */
static const char *const EXAMPLE_ROWS[] = {
    "編號A\t系統A\t行政\t共用\t自行委外\t2.16.886.101.20002\tOO局\t某某處\t某某處\t是\t否\t是\t中\t是\tX公司\tX公司\t24\t部分符合\t營運持續計畫-系統備份\t109年10月正式上線\t無",
    "編號B\t系統B\t業務\t機關自用\t自行委外\t2.16.886.101.20002\tOO局\t某某處\t某某處\t是\t是\t否\t普\t是\tY公司\tY公司\t24\t符合\t\t\t無",
    "\t系統C\t業務\t公版\t主管/上級機關提供\t2.16.886.101.20002\t總統府\t某某處\t某某處\t否\t否\t否\t其他\t否\t\t\t48\t不適用\t\t\t無",
    "編號C\t郵件伺服器\t行政\t機關自用\t套裝軟體\t2.16.886.101.20002\tOO局\t某某處\t某某處\t是\t否\t是\t其他\t是\tM公司\tM公司\t12\t不適用\t\t\t無",
    "編號D\tActive Directory\t行政\t機關自用\t套裝軟體\t2.16.886.101.20002\tOO局\t某某處\t某某處\t是\t否\t是\t其他\t是\tM公司\tM公司\t24\t不適用\t\t\t無",
};

static inline Form *load_form_or_fail(const char *path)
{
	DiagList dl;
	diag_init(&dl);
	Form *f = form_load(path, &dl);
	for (size_t i = 0; i < dl.n; i++)
		diag_print(stderr, path, &dl.items[i], NULL);
	diag_free(&dl);
	assert_non_null(f);
	return f;
}

/* Appends a record built from a tab-separated row (cells in form order,
 * normalised as the reader would) and returns its index. */
static inline size_t add_row(Table *t, const char *tsv, long line)
{
	const Form *form = table_form(t);
	table_append(t, line);
	size_t rec = table_nrecords(t) - 1;
	const char *p = tsv;
	for (size_t f = 0; f < form_nfields(form); f++) {
		const char *tab = strchr(p, '\t');
		size_t n = tab ? (size_t)(tab - p) : strlen(p);
		char *raw = xstrndup(p, n);
		table_put(t, rec, f, form_normalize(form_field(form, f), raw));
		free(raw);
		if (!tab)
			break;
		p = tab + 1;
	}
	return rec;
}

static inline size_t field_of(const Form *form, const char *id)
{
	long i = form_field_index(form, id);
	assert_true(i >= 0);
	return (size_t)i;
}

/* Sets field id of record rec without re-evaluating other fields. */
static inline void put(Table *t, size_t rec, const char *id, const char *raw)
{
	const Form *form = table_form(t);
	size_t f = field_of(form, id);
	table_put(t, rec, f, form_normalize(form_field(form, f), raw));
}

/* Checks one record; returns the diags (caller frees). */
static inline DiagList check_rec(Table *t, size_t rec)
{
	DiagList dl;
	diag_init(&dl);
	const Record *r = table_record_c(t, rec);
	rules_check_record(table_form(t), r->cells, r->line, (long)rec, &dl);
	return dl;
}

/* The message of the one diag on field id at level, or NULL. */
static inline const char *diag_on(const DiagList *dl, const Form *form, const char *id,
				  DiagLevel level)
{
	long f = form_field_index(form, id);
	for (size_t i = 0; i < dl->n; i++)
		if (dl->items[i].field == f && dl->items[i].level == level)
			return dl->items[i].msg;
	return NULL;
}

static inline void dump_diags(const DiagList *dl)
{
	for (size_t i = 0; i < dl->n; i++)
		fprintf(stderr, "  diag: line %ld field %d %s: %s\n", dl->items[i].line,
			dl->items[i].field, diag_level_name(dl->items[i].level), dl->items[i].msg);
}

/* Removes a test's temporary folder and everything in it; 0 on success. */
static inline int remove_tree(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* Writes data to path (for tests that need a file). */
static inline void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static inline char *read_file(const char *path, size_t *len)
{
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0, got;
	char *b = malloc(cap);
	while ((got = fread(b + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			b = realloc(b, cap *= 2);
	}
	fclose(f);
	b[n] = '\0';
	*len = n;
	return b;
}

#endif
