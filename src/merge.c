/* merge.c - see merge.h. */
#include "merge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io.h"
#include "lock.h"
#include "mem.h"
#include "par.h"
#include "rules.h"
#include "text.h"

/* --- the columns ------------------------------------------------------------- */

/* The column of out titled header among those after the form's, or -1. */
static long extra_col(const Table *out, const char *header)
{
	size_t nf = form_nfields(table_form(out));
	for (size_t c = nf; c < table_ncols(out); c++)
		if (strcmp(table_col_header(out, c), header) == 0)
			return (long)c;
	return -1;
}

/* Gives out the union of the inputs' unknown columns, in order of first
 * appearance, then the source column (unless an input has it); map[i][c]
 * is the column of out that column c of input i goes to.  Returns the
 * source column, or -1. */
static long make_columns(Table *out, Table *const *in, size_t n, const char *source,
			 size_t **map)
{
	size_t nf = form_nfields(table_form(out));
	for (size_t i = 0; i < n; i++)
		for (size_t c = nf; c < table_ncols(in[i]); c++)
			if (extra_col(out, table_col_header(in[i], c)) < 0)
				table_add_extra(out, table_col_header(in[i], c));
	long src = -1;
	if (source) {
		src = extra_col(out, source);
		if (src < 0)
			src = (long)table_add_extra(out, source);
	}
	for (size_t i = 0; i < n; i++) {
		map[i] = xmalloc(table_ncols(in[i]) * sizeof **map);
		for (size_t c = 0; c < table_ncols(in[i]); c++)
			map[i][c] = c < nf ? c : (size_t)extra_col(out, table_col_header(in[i], c));
	}
	return src;
}

/* --- exact duplicates ---------------------------------------------------------- */

/* The records kept so far, by the hash of their cells (all but the
 * source column), for dedupe: open addressing, rec + 1 (0 = free). */
typedef struct {
	uint64_t *hash;
	size_t *rec;
	size_t cap, n;
} Seen;

static uint64_t hash_text(uint64_t h, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		h = (h ^ *p) * 0x100000001B3ULL;
	return (h ^ 0xFF) * 0x100000001B3ULL; /* 0xFF is never in UTF-8: cells stay apart */
}

static uint64_t record_hash(const Table *t, size_t rec, long skip)
{
	const Record *r = table_record_c(t, rec);
	uint64_t h = 0xCBF29CE484222325ULL;
	for (size_t c = 0; c < table_ncols(t); c++)
		if ((long)c != skip)
			h = hash_text(h, r->cells[c]);
	for (size_t c = 0; c < r->noverflow; c++)
		h = hash_text(h, r->overflow[c]);
	return h;
}

static bool same_record(const Table *t, size_t a, size_t b, long skip)
{
	const Record *x = table_record_c(t, a), *y = table_record_c(t, b);
	if (x->noverflow != y->noverflow)
		return false;
	for (size_t c = 0; c < table_ncols(t); c++)
		if ((long)c != skip && strcmp(x->cells[c], y->cells[c]) != 0)
			return false;
	for (size_t c = 0; c < x->noverflow; c++)
		if (strcmp(x->overflow[c], y->overflow[c]) != 0)
			return false;
	return true;
}

static void seen_put(Seen *s, uint64_t h, size_t rec)
{
	size_t k = (size_t)h & (s->cap - 1);
	while (s->rec[k])
		k = (k + 1) & (s->cap - 1);
	s->hash[k] = h;
	s->rec[k] = rec + 1;
	s->n++;
}

/* The earlier record of t equal to rec, or -1 after keeping rec as seen. */
static long seen_find_or_add(Seen *s, const Table *t, size_t rec, long skip)
{
	if (2 * (s->n + 1) > s->cap) {
		Seen old = *s;
		s->cap = old.cap ? 2 * old.cap : 1024;
		s->hash = xcalloc(s->cap, sizeof *s->hash);
		s->rec = xcalloc(s->cap, sizeof *s->rec);
		s->n = 0;
		for (size_t k = 0; k < old.cap; k++)
			if (old.rec[k])
				seen_put(s, old.hash[k], old.rec[k] - 1);
		free(old.hash);
		free(old.rec);
	}
	uint64_t h = record_hash(t, rec, skip);
	for (size_t k = (size_t)h & (s->cap - 1); s->rec[k]; k = (k + 1) & (s->cap - 1))
		if (s->hash[k] == h && same_record(t, s->rec[k] - 1, rec, skip))
			return (long)(s->rec[k] - 1);
	seen_put(s, h, rec);
	return -1;
}

/* --- the records ------------------------------------------------------------------ */

/* Appends record r of in to out through map; a choice value becomes the
 * form's own string (kept by pointer, not copied). */
static void copy_record(Table *out, const Table *in, size_t r, const size_t *map)
{
	const Form *form = table_form(out);
	const Record *src = table_record_c(in, r);
	table_append(out, src->line);
	size_t k = table_nrecords(out) - 1, nf = form_nfields(form);
	for (size_t c = 0; c < table_ncols(in); c++) {
		const char *v = src->cells[c];
		long idx = c < nf && *v ? form_value_index(form_field(form, c), v) : -1;
		if (idx >= 0)
			table_put_shared(out, k, map[c], form_field(form, c)->values[idx]);
		else if (*v)
			table_put_copy(out, k, map[c], v, strlen(v));
	}
	Record *o = table_record(out, k);
	if (src->noverflow) {
		o->overflow = xmalloc(src->noverflow * sizeof *o->overflow);
		for (size_t c = 0; c < src->noverflow; c++)
			o->overflow[c] = xstrdup(src->overflow[c]);
		o->noverflow = src->noverflow;
	}
}

/* The record just appended to out is a copy of an earlier one: it is
 * removed, and said at its place in input i. */
static void drop_duplicate(Merged *m, size_t first, size_t i, long rec, long line,
			   const RulesOrigin *o, DiagList *dl)
{
	table_remove(m->table, table_nrecords(m->table) - 1);
	size_t k = table_nrecords(m->table); /* its index, had it been kept */
	m->file[k] = i;
	m->record[k] = rec;
	char *where = rules_where(o, first, table_record_c(m->table, first)->line, k);
	diag_add(dl, DIAG_WARNING, line, 0, rec, -1, "與%s完全相同，已略去 (--dedupe)", where);
	free(where);
	m->dropped++;
}

void merge_tables(Table **in, const char *const *names, size_t n, const MergeOptions *opt,
		  FileFormat fmt, DiagList *const *dls, Merged *m)
{
	const Form *form = table_form(in[0]);
	memset(m, 0, sizeof *m);
	m->table = table_new(form);
	table_set_format(m->table, fmt);
	size_t **map = xmalloc(n * sizeof *map), total = 0;
	long src = make_columns(m->table, in, n, opt->source_column, map);
	for (size_t i = 0; i < n; i++)
		total += table_nrecords(in[i]);
	/* one more: a record dropped last is numbered where it would be */
	m->file = xmalloc((total + 1) * sizeof *m->file);
	m->record = xmalloc((total + 1) * sizeof *m->record);
	RulesOrigin origin = {names, m->file, m->record};
	Seen seen = {0};
	for (size_t i = 0; i < n; i++) {
		const char *label = opt->labels && opt->labels[i] ? opt->labels[i] : names[i];
		for (size_t r = 0; r < table_nrecords(in[i]); r++) {
			if (table_record_empty(in[i], r))
				continue;
			copy_record(m->table, in[i], r, map[i]);
			size_t k = table_nrecords(m->table) - 1;
			if (src >= 0 && !*table_record_c(m->table, k)->cells[src])
				table_put_copy(m->table, k, (size_t)src, label, strlen(label));
			long first = opt->dedupe ? seen_find_or_add(&seen, m->table, k, src) : -1;
			if (first >= 0) {
				drop_duplicate(m, (size_t)first, i, (long)r, table_record_c(in[i], r)->line,
					       &origin, dls[i]);
				continue;
			}
			m->file[k] = i;
			m->record[k] = (long)r;
		}
		table_free(in[i]); /* what is merged is copied: the inputs go as they are done */
		in[i] = NULL;
		free(map[i]);
	}
	free(map);
	free(seen.hash);
	free(seen.rec);
	rules_check_across_files(m->table, &origin, dls);
}

void merge_free(Merged *m)
{
	table_free(m->table);
	free(m->file);
	free(m->record);
	memset(m, 0, sizeof *m);
}

bool merge_label(const char *spec, char *const *names, size_t n, const char **labels)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(names[i]);
		if (strncmp(spec, names[i], k) == 0 && spec[k] == '=') {
			labels[i] = spec + k + 1;
			return true;
		}
	}
	return false;
}

/* --- the command --------------------------------------------------------------- */

static void print_diags(FILE *err, const char *name, const Form *form, DiagList *dl)
{
	diag_sort(dl);
	for (size_t i = 0; i < dl->n; i++) {
		const Diag *d = &dl->items[i];
		diag_print(err, name, d, d->field >= 0 ? form_field(form, (size_t)d->field)->label : NULL);
	}
}

/* Says so and returns false when an input is given twice, or out is one
 * of them (merging must never write over an input). */
static bool inputs_ok(char *const *paths, size_t n, const char *out, FILE *err)
{
	struct stat *st = xcalloc(n + 1, sizeof *st);
	bool *there = xcalloc(n + 1, sizeof *there), ok = true;
	for (size_t i = 0; i <= n; i++)
		there[i] = stat(i < n ? paths[i] : out, &st[i]) == 0;
	for (size_t i = 0; i < n && ok; i++)
		for (size_t j = i + 1; j <= n && ok; j++) {
			if (!there[i] || !there[j] || st[i].st_dev != st[j].st_dev ||
			    st[i].st_ino != st[j].st_ino)
				continue;
			char *a = text_escape(paths[i]), *b = text_escape(j < n ? paths[j] : out);
			if (j < n)
				fprintf(err, "spmform: %s 與 %s 是同一個檔案，不能合併兩次\n", a, b);
			else
				fprintf(err, "spmform: 輸出檔 %s 就是輸入檔 %s；合併不會寫入輸入檔\n", b, a);
			free(a);
			free(b);
			ok = false;
		}
	free(st);
	free(there);
	return ok;
}

/* The warning for an input a clerk has open: read as it is on disk. */
static void say_if_edited(const char *path, DiagList *dl)
{
	LockHolder h;
	if (!lock_held(path, &h))
		return;
	char since[32] = "";
	if (h.since)
		text_time(h.since, since, sizeof since);
	diag_add(dl, DIAG_WARNING, 0, 0, -1, -1,
		 "正由 %s 編輯中%s%s%s；合併的是磁碟上已存檔的內容，不含尚未存檔的修改",
		 *h.user ? h.user : "另一位使用者", *since ? " (" : "", since, *since ? " 起)" : "");
}

/* merge_files' reading: each input with its own list, side by side. */
typedef struct {
	char *const *paths;
	const Form *form;
	FileFormat fmt;
	Table **t;
	DiagList *dl;
} Reading;

static void read_one(void *ctx, size_t i)
{
	Reading *r = ctx;
	r->t[i] = io_load(r->paths[i], r->form, r->fmt, &r->dl[i]);
}

/* Writes m to out; a problem of a record (a value the output cannot hold)
 * is said at its place in its input. */
static int write_merged(const Merged *m, char *const *paths, const char *out, bool backup,
			FILE *err)
{
	DiagList dl;
	diag_init(&dl);
	int rc = io_save(m->table, out, backup, &dl);
	diag_sort(&dl);
	const Form *form = table_form(m->table);
	for (size_t i = 0; i < dl.n; i++) {
		Diag d = dl.items[i];
		const char *name = out;
		if (d.record >= 0 && (size_t)d.record < table_nrecords(m->table)) {
			name = paths[m->file[d.record]];
			d.record = m->record[d.record];
		}
		diag_print(err, name, &d, d.field >= 0 ? form_field(form, (size_t)d.field)->label : NULL);
	}
	diag_free(&dl);
	return rc;
}

static void summary(const Merged *m, size_t n, const char *out, FILE *err)
{
	char *eout = text_escape(out);
	fprintf(err, "spmform: 已寫入 %s：%zu 筆記錄，來自 %zu 個檔案", eout,
		table_nrecords(m->table), n);
	if (m->dropped)
		fprintf(err, "；略去 %zu 筆完全相同的重複記錄", m->dropped);
	size_t bad = rules_records_with_errors(m->table);
	if (bad)
		fprintf(err, "；其中 %zu 筆記錄還有錯誤 (spmform check 可看)", bad);
	fputs("\n", err);
	free(eout);
}

int merge_files(char *const *paths, size_t n, const Form *form, FileFormat fmt, bool backup,
		const MergeOptions *opt, const char *out, FILE *err)
{
	if (!inputs_ok(paths, n, out, err))
		return 2;
	Reading r = {paths, form, fmt, xcalloc(n, sizeof *r.t), xcalloc(n, sizeof *r.dl)};
	DiagList **dls = xmalloc(n * sizeof *dls);
	for (size_t i = 0; i < n; i++) {
		diag_init(&r.dl[i]);
		dls[i] = &r.dl[i];
		say_if_edited(paths[i], &r.dl[i]);
	}
	par_run(n, read_one, &r);
	size_t unreadable = 0;
	for (size_t i = 0; i < n; i++)
		unreadable += r.t[i] == NULL;
	int rc = 2;
	Merged m = {0};
	if (!unreadable)
		merge_tables(r.t, (const char *const *)paths, n, opt, fmt, dls, &m);
	for (size_t i = 0; i < n; i++) {
		print_diags(err, paths[i], form, &r.dl[i]);
		if (!r.t[i] && unreadable) {
			char *e = text_escape(paths[i]);
			fprintf(err, "spmform: 無法讀取 %s\n", e);
			free(e);
		}
		table_free(r.t[i]);
		diag_free(&r.dl[i]);
	}
	if (unreadable) {
		fprintf(err, "spmform: %zu 個檔案無法讀取，未合併 (%s 未寫入)\n", unreadable, out);
	} else if (write_merged(&m, paths, out, backup, err) != 0) {
		char *e = text_escape(out);
		fprintf(err, "spmform: 無法寫入 %s\n", e);
		free(e);
	} else {
		summary(&m, n, out, err);
		rc = 0;
	}
	merge_free(&m);
	free(dls);
	free(r.t);
	free(r.dl);
	return rc;
}
