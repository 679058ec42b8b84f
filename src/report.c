/* report.c - see report.h. */
#include "report.h"

#include <langinfo.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "io.h"
#include "mem.h"
#include "par.h"
#include "rules.h"
#include "text.h"

/* How many of the required fields most often left empty the text and
 * Markdown name, and how many record numbers a list shows. */
#define TOP_MISSING 5
#define LIST_MAX 10

/* What is counted of one file (or of all: no record lists). */
typedef struct {
	char *name; /* escaped */
	bool readable;
	ReportCounts c;
	size_t *missing;		  /* per form field: records that need it filled */
	size_t *incomplete, nincomplete; /* record numbers, from 1 */
	size_t *wrong, nwrong;
	size_t **values; /* per [report] field: per value, then a value not
			  * among them, then empty */
} Stats;

struct Report {
	const Form *form;
	Stats *files;
	size_t n;
	Stats total;
};

static void stats_init(const Form *form, Stats *s, const char *name, bool readable)
{
	memset(s, 0, sizeof *s);
	s->name = text_escape(name);
	s->readable = readable;
	s->missing = xcalloc(form_nfields(form), sizeof *s->missing);
	const FormReport *fr = form_report(form);
	s->values = xcalloc(fr->nfields ? fr->nfields : 1, sizeof *s->values);
	for (size_t k = 0; k < fr->nfields; k++)
		s->values[k] = xcalloc(form_field(form, fr->fields[k])->nvalues + 2, sizeof **s->values);
}

static void stats_free(const Form *form, Stats *s)
{
	free(s->name);
	free(s->missing);
	free(s->incomplete);
	free(s->wrong);
	for (size_t k = 0; k < form_report(form)->nfields; k++)
		free(s->values[k]);
	free(s->values);
}

Report *report_new(const Form *form)
{
	Report *r = xcalloc(1, sizeof *r);
	r->form = form;
	stats_init(form, &r->total, "合計", true);
	return r;
}

void report_free(Report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		stats_free(r->form, &r->files[i]);
	stats_free(r->form, &r->total);
	free(r->files);
	free(r);
}

static Stats *add_file(Report *r, const char *name, bool readable)
{
	r->files = xrealloc(r->files, (r->n + 1) * sizeof *r->files);
	Stats *s = &r->files[r->n++];
	stats_init(r->form, s, name, readable);
	return s;
}

void report_add_unreadable(Report *r, const char *name)
{
	add_file(r, name, false);
}

enum { WRONG = 1, MISSING = 2 }; /* what a record's errors are */

/* Each record's errors: a wrong value (an error on a field that holds
 * one, or on no field), or required fields left empty (counted in
 * s->missing once per record and field). */
static unsigned char *record_errors(const Form *form, const Table *t, const DiagList *dl,
				    Stats *s)
{
	size_t nrec = table_nrecords(t), nf = form_nfields(form);
	unsigned char *err = xcalloc(nrec ? nrec : 1, 1);
	long *last = xmalloc((nf ? nf : 1) * sizeof *last); /* the record last counted */
	for (size_t f = 0; f < nf; f++)
		last[f] = -1;
	for (size_t i = 0; i < dl->n; i++) {
		const Diag *d = &dl->items[i];
		if (d->level != DIAG_ERROR || d->record < 0 || (size_t)d->record >= nrec)
			continue;
		char *const *cells = table_record_c(t, (size_t)d->record)->cells;
		if (d->field < 0 || *cells[d->field]) {
			err[d->record] |= WRONG;
			continue;
		}
		err[d->record] |= MISSING;
		if (last[d->field] != d->record)
			s->missing[d->field]++;
		last[d->field] = d->record;
	}
	free(last);
	return err;
}

static void push(size_t **list, size_t *n, size_t v)
{
	if ((*n & (*n - 1)) == 0) /* 0, 1, 2, 4...: room doubles */
		*list = xrealloc(*list, (*n ? 2 * *n : 1) * sizeof **list);
	(*list)[(*n)++] = v;
}

/* Counts the values of the [report] fields of one record. */
static void count_values(const Form *form, char *const *cells, Stats *s)
{
	const FormReport *fr = form_report(form);
	for (size_t k = 0; k < fr->nfields; k++) {
		const FormField *f = form_field(form, fr->fields[k]);
		const char *v = cells[fr->fields[k]];
		long idx = *v ? form_value_index(f, v) : -1;
		s->values[k][idx >= 0 ? (size_t)idx : *v ? f->nvalues : f->nvalues + 1]++;
	}
}

static void add_to_total(const Form *form, Stats *total, const Stats *s)
{
	total->c.records += s->c.records;
	total->c.complete += s->c.complete;
	total->c.incomplete += s->c.incomplete;
	total->c.errors += s->c.errors;
	for (size_t f = 0; f < form_nfields(form); f++)
		total->missing[f] += s->missing[f];
	const FormReport *fr = form_report(form);
	for (size_t k = 0; k < fr->nfields; k++)
		for (size_t v = 0; v < form_field(form, fr->fields[k])->nvalues + 2; v++)
			total->values[k][v] += s->values[k][v];
}

void report_add(Report *r, const char *name, const Table *t, const DiagList *dl)
{
	Stats *s = add_file(r, name, true);
	unsigned char *err = record_errors(r->form, t, dl, s);
	for (size_t i = 0; i < table_nrecords(t); i++) {
		if (table_record_empty(t, i))
			continue;
		s->c.records++;
		if (err[i] & WRONG) {
			s->c.errors++;
			push(&s->wrong, &s->nwrong, i + 1);
		} else if (err[i] & MISSING) {
			s->c.incomplete++;
			push(&s->incomplete, &s->nincomplete, i + 1);
		} else {
			s->c.complete++;
		}
		count_values(r->form, table_record_c(t, i)->cells, s);
	}
	free(err);
	add_to_total(r->form, &r->total, s);
}

ReportCounts report_counts(const Report *r, long i)
{
	return i < 0 ? r->total.c : r->files[i].c;
}

/* --- charts: what every format writes -------------------------------------- */

typedef struct {
	char *label; /* escaped */
	size_t count;
} Item;

typedef struct {
	char *title; /* escaped */
	Item *items;
	size_t n;
	size_t of; /* the records the counts are shares of */
} Chart;

static void chart_add(Chart *c, const char *label, size_t count)
{
	c->items = xrealloc(c->items, (c->n + 1) * sizeof *c->items);
	c->items[c->n++] = (Item){text_escape(label), count};
}

static void chart_free(Chart *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->items[i].label);
	free(c->items);
	free(c->title);
}

static Chart completeness(const Stats *s)
{
	Chart c = {xstrdup("完成情形"), NULL, 0, s->c.records};
	chart_add(&c, "完成", s->c.complete);
	chart_add(&c, "未完成", s->c.incomplete);
	chart_add(&c, "有錯誤", s->c.errors);
	return c;
}

/* Stable: most first, then form order. */
static void sort_items(Item *it, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && it[j].count > it[j - 1].count; j--) {
			Item x = it[j];
			it[j] = it[j - 1];
			it[j - 1] = x;
		}
}

/* The required fields left empty, most first (at most max of them). */
static Chart missing(const Form *form, const Stats *s, size_t max)
{
	Chart c = {xstrdup("最常漏填的必填欄位"), NULL, 0, s->c.records};
	for (size_t f = 0; f < form_nfields(form); f++)
		if (s->missing[f])
			chart_add(&c, form_field(form, f)->label, s->missing[f]);
	sort_items(c.items, c.n);
	for (size_t i = max; i < c.n; i++)
		free(c.items[i].label);
	if (c.n > max)
		c.n = max;
	return c;
}

/* [report] field k: its values (in its order, or most first), then a
 * wrong value and empty, when there are any. */
static Chart values(const Form *form, const Stats *s, size_t k)
{
	const FormReport *fr = form_report(form);
	const FormField *f = form_field(form, fr->fields[k]);
	Chart c = {text_escape(fr->titles[k]), NULL, 0, s->c.records};
	for (size_t v = 0; v < f->nvalues; v++) {
		char *shown = form_value_text(f, f->values[v]);
		chart_add(&c, shown, s->values[k][v]);
		free(shown);
	}
	if (fr->by_count)
		sort_items(c.items, c.n);
	if (s->values[k][f->nvalues])
		chart_add(&c, "(不是可填的值)", s->values[k][f->nvalues]);
	if (s->values[k][f->nvalues + 1])
		chart_add(&c, "(空白)", s->values[k][f->nvalues + 1]);
	return c;
}

/* Tenths of a percent of count in of. */
static unsigned long permille(size_t count, size_t of)
{
	return of ? (unsigned long)((count * 2000 + of) / (2 * of)) : 0;
}

/* --- text ------------------------------------------------------------------ */

typedef struct {
	FILE *f;
	int width;
	bool ascii;
	int lw, cw; /* charts: label and count columns */
} Text;

static void spaces(FILE *f, int n)
{
	for (int i = 0; i < n; i++)
		fputc(' ', f);
}

/* s (escaped), then spaces up to width columns. */
static void padded(FILE *f, const char *s, int width)
{
	fputs(s, f);
	spaces(f, width - (int)text_columns(s));
}

/* Writes s in lines of at most width columns, breaking after a 、，or ：
 * where one is near the end (a space is not a place to break: it stands
 * between a number and its word, 第 3 筆), else between any two
 * characters; the lines after the first start with indent spaces. */
static void wrapped(const Text *o, const char *s, int indent)
{
	size_t n = strlen(s), start = 0;
	int room = o->width;
	while (start < n) {
		size_t i = start, brk = 0;
		int used = 0;
		while (i < n) {
			uint32_t cp;
			size_t k = text_utf8_decode(s + i, n - i, &cp);
			int w = text_cp_wide(cp) ? 2 : 1;
			if (used + w > room)
				break;
			used += w;
			i += k ? k : 1;
			if (cp == 0x3001 || cp == 0xFF0C || cp == 0xFF1A) /* 、，： */
				brk = i;
		}
		if (i < n && brk > start && brk + 24 > i)
			i = brk;
		size_t end = i;
		while (end > start && s[end - 1] == ' ')
			end--;
		fwrite(s + start, 1, end - start, o->f);
		fputc('\n', o->f);
		start = i;
		while (start < n && s[start] == ' ')
			start++;
		if (start < n)
			spaces(o->f, indent);
		room = o->width - indent;
	}
}

/* A bar of width columns for count in of: block characters in eighths of
 * a column, or '#'; a count above 0 always shows. */
static void bar(const Text *o, size_t count, size_t of, int width)
{
	static const char *const part[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
	size_t unit = o->ascii ? 1 : 8;
	size_t cells = of ? (count * (size_t)width * unit * 2 + of) / (2 * of) : 0;
	if (count && !cells)
		cells = 1;
	int used = (int)(cells / unit);
	for (int i = 0; i < used; i++)
		fputs(o->ascii ? "#" : "█", o->f);
	if (cells % unit) {
		fputs(part[cells % unit], o->f);
		used++;
	}
	spaces(o->f, width - used);
}

static int digits(size_t n)
{
	int d = 1;
	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

static void chart_text(const Text *o, const Chart *c)
{
	fputc('\n', o->f);
	wrapped(o, c->title, 2);
	int bw = o->width - 11 - o->lw - o->cw;
	for (size_t i = 0; i < c->n; i++) {
		const Item *it = &c->items[i];
		fputs("  ", o->f);
		if ((int)text_columns(it->label) > o->lw) { /* its own line */
			fprintf(o->f, "%s\n  ", it->label);
			padded(o->f, "", o->lw);
		} else {
			padded(o->f, it->label, o->lw);
		}
		fputc(' ', o->f);
		bar(o, it->count, c->of, bw);
		unsigned long pm = permille(it->count, c->of);
		fprintf(o->f, " %*zu %3lu.%lu%%\n", o->cw, it->count, pm / 10, pm % 10);
	}
}

/* The files, one line each: records, complete, incomplete, with errors. */
static void files_text(const Text *o, const Report *r)
{
	int nw = o->width - 32;
	padded(o->f, "檔案", nw);
	fputs("    記錄    完成  未完成  有錯誤\n", o->f);
	for (size_t i = 0; i <= r->n; i++) {
		const Stats *s = i < r->n ? &r->files[i] : &r->total;
		if ((int)text_columns(s->name) > nw) {
			wrapped(o, s->name, 2);
			spaces(o->f, nw);
		} else {
			padded(o->f, s->name, nw);
		}
		if (!s->readable)
			fputs("  無法讀取\n", o->f);
		else
			fprintf(o->f, "%8zu%8zu%8zu%8zu\n", s->c.records, s->c.complete, s->c.incomplete,
				s->c.errors);
	}
}

/* "第 2、5、9 筆", or the first LIST_MAX and "等，共 N 筆"; malloc'd. */
static char *record_list(const size_t *recs, size_t n)
{
	char *s = xstrdup("第 ");
	for (size_t i = 0; i < n && i < LIST_MAX; i++) {
		char *t = xasprintf("%s%s%zu", s, i ? "、" : "", recs[i]);
		free(s);
		s = t;
	}
	char *t = n > LIST_MAX ? xasprintf("%s 筆等，共 %zu 筆", s, n) : xasprintf("%s 筆", s);
	free(s);
	return t;
}

/* Which records are incomplete, and which have errors, file by file. */
static void lists_text(const Text *o, const Report *r)
{
	for (int which = 0; which < 2; which++) {
		bool any = false;
		for (size_t i = 0; i < r->n; i++) {
			const Stats *s = &r->files[i];
			size_t n = which ? s->nwrong : s->nincomplete;
			if (!n)
				continue;
			if (!any)
				fputs(which ? "\n有錯誤的記錄 (有填錯的值)\n" : "\n未完成的記錄 (只缺必填欄位)\n",
				      o->f);
			any = true;
			char *list = record_list(which ? s->wrong : s->incomplete, n);
			char *line = r->n > 1 ? xasprintf("  %s：%s", s->name, list) : xasprintf("  %s", list);
			wrapped(o, line, 4);
			free(line);
			free(list);
		}
	}
}

/* The width of the widest label of every chart, and of the counts. */
static void measure(Text *o, const Chart *charts, size_t n, size_t records)
{
	o->lw = 4;
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < charts[k].n; i++)
			if ((int)text_columns(charts[k].items[i].label) > o->lw)
				o->lw = (int)text_columns(charts[k].items[i].label);
	o->cw = digits(records);
	int most = o->width - 11 - o->cw - 10; /* a bar keeps 10 columns at least */
	if (o->lw > most)
		o->lw = most;
}

/* The charts of s: completeness, the fields left empty (at most top),
 * then the values of the [report] fields (room for 2 + their number). */
static size_t make_charts(const Form *form, const Stats *s, const ReportStyle *st, Chart *out,
			  size_t top)
{
	size_t n = 0;
	out[n++] = completeness(s);
	out[n++] = missing(form, s, top);
	for (size_t k = 0; !st->completeness_only && k < form_report(form)->nfields; k++)
		out[n++] = values(form, s, k);
	return n;
}

static void write_text(const Report *r, const ReportStyle *st, FILE *f)
{
	Text o = {f, st->width < 40 ? 40 : st->width > 80 ? 80 : st->width, st->ascii, 0, 0};
	char *title = text_escape(form_title(r->form));
	char *head = r->n > 1 ? xasprintf("填報摘要：%s，%zu 個檔案", title, r->n)
			      : xasprintf("填報摘要：%s", title);
	wrapped(&o, head, 2);
	free(head);
	free(title);
	fputc('\n', f);
	if (r->n == 1 && r->files[0].readable) {
		char *line = xasprintf("%s：%zu 筆記錄", r->files[0].name, r->files[0].c.records);
		wrapped(&o, line, 2);
		free(line);
	} else if (r->n == 1) {
		char *line = xasprintf("%s：無法讀取", r->files[0].name);
		wrapped(&o, line, 2);
		free(line);
	} else {
		files_text(&o, r);
	}
	Chart charts[2 + form_report(r->form)->nfields];
	size_t nc = make_charts(r->form, &r->total, st, charts, TOP_MISSING);
	measure(&o, charts, nc, r->total.c.records);
	for (size_t k = 0; k < nc; k++) {
		if (charts[k].n)
			chart_text(&o, &charts[k]);
		if (k == 1) /* after the fields left empty, the records */
			lists_text(&o, r);
		chart_free(&charts[k]);
	}
}

/* --- csv ----------------------------------------------------------------------- */

static void csv_cell(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") || *s == ' ' || (*s && s[strlen(s) - 1] == ' ')) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
}

/* One row: scope, item, value, count, percent (of records; "" for none). */
static void csv_row(FILE *f, const char *scope, const char *item, const char *value,
		    size_t count, size_t of, bool share)
{
	csv_cell(f, scope);
	fputc(',', f);
	csv_cell(f, item);
	fputc(',', f);
	csv_cell(f, value);
	fprintf(f, ",%zu,", count);
	if (share) {
		unsigned long pm = permille(count, of);
		fprintf(f, "%lu.%lu", pm / 10, pm % 10);
	}
	fputs("\r\n", f);
}

static void csv_stats(const Report *r, const ReportStyle *st, const Stats *s, FILE *f)
{
	if (!s->readable) {
		csv_cell(f, s->name);
		fputs(",無法讀取,,,\r\n", f);
		return;
	}
	csv_row(f, s->name, "記錄", "", s->c.records, 0, false);
	Chart c[2 + form_report(r->form)->nfields];
	size_t nc = make_charts(r->form, s, st, c, SIZE_MAX);
	for (size_t k = 0; k < nc; k++) {
		for (size_t i = 0; i < c[k].n; i++)
			if (k == 0)
				csv_row(f, s->name, c[k].items[i].label, "", c[k].items[i].count, c[k].of, true);
			else
				csv_row(f, s->name, c[k].title, c[k].items[i].label, c[k].items[i].count,
					c[k].of, true);
		chart_free(&c[k]);
	}
}

static void write_csv(const Report *r, const ReportStyle *st, FILE *f)
{
	fputs("範圍,項目,值,筆數,百分比\r\n", f);
	for (size_t i = 0; i < r->n; i++)
		csv_stats(r, st, &r->files[i], f);
	if (r->n > 1)
		csv_stats(r, st, &r->total, f);
}

/* --- markdown ------------------------------------------------------------------ */

/* s (escaped) for a table cell: a | would end it. */
static void md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void md_chart(FILE *f, const Chart *c, bool first_col_value)
{
	fprintf(f, "\n### ");
	md_cell(f, c->title);
	fprintf(f, "\n\n| %s | 筆數 | 百分比 |\n| --- | ---: | ---: |\n", first_col_value ? "值" : "項目");
	for (size_t i = 0; i < c->n; i++) {
		unsigned long pm = permille(c->items[i].count, c->of);
		fputs("| ", f);
		md_cell(f, c->items[i].label);
		fprintf(f, " | %zu | %lu.%lu%% |\n", c->items[i].count, pm / 10, pm % 10);
	}
}

static void md_lists(const Report *r, FILE *f)
{
	for (int which = 0; which < 2; which++)
		for (size_t i = 0; i < r->n; i++) {
			const Stats *s = &r->files[i];
			size_t n = which ? s->nwrong : s->nincomplete;
			if (!n)
				continue;
			char *list = record_list(which ? s->wrong : s->incomplete, n);
			fprintf(f, "\n- %s：", which ? "有錯誤的記錄" : "未完成的記錄");
			md_cell(f, s->name);
			fprintf(f, " %s\n", list);
			free(list);
		}
}

static void write_md(const Report *r, const ReportStyle *st, FILE *f)
{
	fputs("## 填報摘要：", f);
	md_cell(f, form_title(r->form));
	fputs("\n\n| 檔案 | 記錄 | 完成 | 未完成 | 有錯誤 |\n| --- | ---: | ---: | ---: | ---: |\n", f);
	for (size_t i = 0; i <= r->n; i++) {
		const Stats *s = i < r->n ? &r->files[i] : &r->total;
		if (i == r->n && r->n == 1)
			break;
		fputs("| ", f);
		md_cell(f, s->name);
		if (s->readable)
			fprintf(f, " | %zu | %zu | %zu | %zu |\n", s->c.records, s->c.complete,
				s->c.incomplete, s->c.errors);
		else
			fputs(" | 無法讀取 | | | |\n", f);
	}
	md_lists(r, f);
	Chart c[2 + form_report(r->form)->nfields];
	size_t nc = make_charts(r->form, &r->total, st, c, TOP_MISSING);
	for (size_t k = 0; k < nc; k++) {
		if (c[k].n)
			md_chart(f, &c[k], k >= 2);
		chart_free(&c[k]);
	}
}

void report_write(const Report *r, const ReportStyle *st, FILE *out)
{
	if (st->format == REPORT_CSV)
		write_csv(r, st, out);
	else if (st->format == REPORT_MD)
		write_md(r, st, out);
	else
		write_text(r, st, out);
}

/* --- the terminal, and the command --------------------------------------------- */

int report_width(void)
{
	int w = 0;
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		w = ws.ws_col;
	const char *cols = getenv("COLUMNS");
	if (w <= 0 && cols && *cols)
		w = atoi(cols);
	if (w <= 0)
		w = 80;
	return w < 40 ? 40 : w > 80 ? 80 : w;
}

bool report_blocks_ok(void)
{
	const char *term = getenv("TERM");
	if (term && (strcmp(term, "linux") == 0 || strcmp(term, "dumb") == 0))
		return false;
	const char *now = setlocale(LC_CTYPE, NULL);
	char *saved = xstrdup(now ? now : "C");
	bool ok = setlocale(LC_CTYPE, "") && strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	setlocale(LC_CTYPE, saved);
	free(saved);
	return ok;
}

/* report_files' reading: each file read and checked on its own. */
typedef struct {
	char *const *paths;
	const Form *form;
	Table **t;
	DiagList *dl;
} Reading;

static void read_one(void *ctx, size_t i)
{
	Reading *r = ctx;
	FileFormat fmt = {ENC_UTF8, true, true}; /* unused: nothing is written */
	r->t[i] = io_load(r->paths[i], r->form, fmt, &r->dl[i]);
	if (r->t[i])
		rules_check_table(r->t[i], &r->dl[i]);
}

int report_files(char *const *paths, size_t n, const Form *form, const ReportStyle *st,
		 FILE *out, FILE *err)
{
	Reading g = {paths, form, xcalloc(n, sizeof *g.t), xcalloc(n, sizeof *g.dl)};
	for (size_t i = 0; i < n; i++)
		diag_init(&g.dl[i]);
	par_run(n, read_one, &g);
	Report *r = report_new(form);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (g.t[i]) {
			report_add(r, paths[i], g.t[i], &g.dl[i]);
		} else {
			diag_sort(&g.dl[i]);
			for (size_t k = 0; k < g.dl[i].n; k++)
				if (g.dl[i].items[k].level == DIAG_ERROR)
					diag_print(err, paths[i], &g.dl[i].items[k], NULL);
			char *e = text_escape(paths[i]);
			fprintf(err, "spmform: 無法讀取 %s\n", e);
			free(e);
			report_add_unreadable(r, paths[i]);
			rc = 2;
		}
		table_free(g.t[i]);
		diag_free(&g.dl[i]);
	}
	report_write(r, st, out);
	report_free(r);
	free(g.t);
	free(g.dl);
	return rc;
}
