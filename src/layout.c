/* layout.c - a table's workbook as data; see layout.h. */
#include "layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "form.h"
#include "mem.h"
#include "text.h"
#include "value.h"

/* What a sheet can hold (Excel's limits; LibreOffice 7.4 has the same). */
#define SHEET_ROWS 1048576u
#define SHEET_COLS 16384u
#define CELL_CHARS 32767u
#define DV_TITLE 32u   /* data-validation input title, characters */
#define DV_MESSAGE 255u /* data-validation messages, characters */
#define SHEET_NAME_CHARS 31u

#define DV_ROWS 1000u     /* rows under the data sheet's header that get dropdowns */
#define SIG_BOX_ROWS 4u   /* height of a signature box, in rows */
#define HEADER_CAP 24.0   /* a header widens its column up to this, then wraps */
#define VALUE_CAP 50.0    /* values widen their column up to this */
#define MIN_WIDTH 8.0
#define HEADER_LINES 4.0  /* lines a header with a note may wrap to */
#define LINE_PT 16.0      /* points per wrapped line of 11-point text */
#define MAX_SHEETS 4      /* data, examples, instructions, values */

struct LayoutOwned {
	char **strs; /* text made here (numbered notes) */
	size_t nstrs, cap;
	Table *examples;
	size_t *recs[2];
	double *colw[2];
};

/* The records of one table as a sheet shows them. */
typedef struct {
	const Table *t;
	size_t nfields, ncols; /* form fields; table columns (fields + extra) */
	size_t width;	       /* columns shown: ncols + the longest overflow */
	size_t *recs;	       /* indexes of the non-empty records */
	size_t nrecs;
	double *colw; /* width of each shown column */
} Rows;

typedef struct {
	const Form *form;
	DiagList *diags;
	const char *ending;
	bool xml_only;
	Layout *l;
	size_t cells_cap[MAX_SHEETS], heights_cap[MAX_SHEETS], dv_cap[MAX_SHEETS];
} Builder;

/* ---- text measures ---------------------------------------------------- */

/* Calls fn(width of each line of s, arg); lines end at "\n". */
static void each_line_width(const char *s, void (*fn)(double, void *), void *arg)
{
	size_t n = strlen(s);
	double w = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = text_utf8_decode(s + i, n - i, &cp);
		i += k ? k : 1;
		if (cp == '\n') {
			fn(w, arg);
			w = 0;
		} else if (cp >= 0x20) {
			w += text_cp_wide(cp) ? 2 : 1;
		}
	}
	fn(w, arg);
}

static void keep_max(double w, void *arg)
{
	double *m = arg;
	if (w > *m)
		*m = w;
}

/* Width of the widest line, in Excel's units (about 2 per CJK character). */
static double text_width(const char *s)
{
	double m = 0;
	each_line_width(s, keep_max, &m);
	return m;
}

typedef struct {
	double width;
	double lines;
} Wrap;

static void count_wrapped(double w, void *arg)
{
	Wrap *wr = arg;
	double per = wr->width > 2 ? wr->width - 1 : 1;
	double n = 1;
	while (w > per * n)
		n++;
	wr->lines += n;
}

/* Lines s takes in a wrapped cell width units wide. */
static double wrapped_lines(const char *s, double width)
{
	Wrap wr = {width, 0};
	each_line_width(s, count_wrapped, &wr);
	return wr.lines;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* ---- the records -------------------------------------------------------- */

static const char *cell(const Rows *r, size_t rec, size_t col)
{
	const Record *x = table_record_c(r->t, rec);
	if (col < r->ncols)
		return x->cells[col];
	col -= r->ncols;
	return col < x->noverflow ? x->overflow[col] : "";
}

static const char *col_header(const Rows *r, size_t col)
{
	if (col < r->nfields)
		return form_field(table_form(r->t), col)->full_header;
	return col < r->ncols ? table_col_header(r->t, col) : "";
}

static const char *col_label(const Rows *r, size_t col)
{
	if (col < r->nfields)
		return form_field(table_form(r->t), col)->label;
	return col < r->ncols ? table_col_header(r->t, col) : "";
}

/* Whether the value goes into the workbook as a number: an integer
 * field's 1 to 15 digits (exact in a double, shown in full) without a
 * leading zero that a number would lose. */
static bool as_number(const Rows *r, size_t col, const char *s)
{
	if (col >= r->nfields || form_field(table_form(r->t), col)->kind != KIND_INTEGER)
		return false;
	size_t n = strlen(s);
	if (n == 0 || n > 15 || (s[0] == '0' && n > 1))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* What is wrong with s for the file (malloc'd), or NULL. */
static char *text_problem(const Builder *b, const char *s)
{
	size_t n = strlen(s), bad = text_utf8_invalid_at(s, n);
	if (bad < n)
		return xasprintf("位元組 0x%02X 不是有效的 UTF-8", (unsigned char)s[bad]);
	if (utf8_chars(s) > CELL_CHARS)
		return xasprintf("有 %zu 個字，超過一格 %u 字的上限", utf8_chars(s), CELL_CHARS);
	if (b->xml_only)
		for (size_t i = 0; i < n;) {
			uint32_t cp;
			size_t k = text_utf8_decode(s + i, n - i, &cp);
			i += k ? k : 1;
			if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE ||
			    cp == 0xFFFF)
				return xasprintf("含有控制字元 U+%04X，%s 檔 (XML) 存不下", (unsigned)cp,
						 b->ending);
		}
	return NULL;
}

/* A value that the file cannot hold, reported with its place; of is the
 * examples file, or NULL for the table being written. */
static bool check_text(Builder *b, const Rows *r, const char *s, long rec, size_t col,
		       const char *of)
{
	char *msg = text_problem(b, s);
	if (!msg)
		return true;
	const char *label = col_label(r, col);
	char *where = of ? xasprintf("範例檔 %s 的", of) : xstrdup("");
	if (rec < 0) { /* the title of an extra column */
		diag_add(b->diags, DIAG_ERROR, 0, 0, -1, -1, "%s欄位標題「%s」%s，無法寫入 %s", where,
			 label, msg, b->ending);
	} else {
		/* the table's record is named by the Diag; an examples file's here */
		char *colname = *label ? xasprintf("「%s」欄", label) : xasprintf("第 %zu 欄", col + 1);
		char *recname = of ? xasprintf("第 %ld 筆記錄", rec + 1) : xstrdup("");
		diag_add(b->diags, DIAG_ERROR, of ? 0 : table_record_c(r->t, (size_t)rec)->line, 0,
			 of ? -1 : rec, !of && col < r->nfields ? (int)col : -1, "%s%s%s的值%s，無法寫入 %s",
			 where, recname, colname, msg, b->ending);
		free(recname);
		free(colname);
	}
	free(where);
	free(msg);
	return false;
}

/* Collects the non-empty records of t into r and checks that a sheet can
 * hold them with extra_rows more; false (with diags) when it cannot. */
static bool collect(Builder *b, const Table *t, Rows *r, size_t extra_rows, const char *of)
{
	*r = (Rows){.t = t, .nfields = form_nfields(table_form(t)), .ncols = table_ncols(t)};
	size_t n = table_nrecords(t);
	r->recs = xcalloc(n ? n : 1, sizeof *r->recs);
	r->width = r->ncols;
	bool ok = true;
	for (size_t col = r->nfields; col < r->ncols; col++)
		ok &= check_text(b, r, table_col_header(t, col), -1, col, of);
	for (size_t i = 0; i < n; i++) {
		if (table_record_empty(t, i))
			continue;
		r->recs[r->nrecs++] = i;
		const Record *x = table_record_c(t, i);
		if (r->ncols + x->noverflow > r->width)
			r->width = r->ncols + x->noverflow;
		for (size_t col = 0; col < r->ncols + x->noverflow; col++)
			ok &= check_text(b, r, cell(r, i, col), (long)i, col, of);
	}
	if (r->width > SHEET_COLS) {
		diag_add(b->diags, DIAG_ERROR, 0, 0, -1, -1,
			 "共 %zu 欄，超過一張工作表 %u 欄的上限，無法寫入 %s", r->width, SHEET_COLS,
			 b->ending);
		ok = false;
	}
	if (r->nrecs + extra_rows > SHEET_ROWS) {
		diag_add(b->diags, DIAG_ERROR, 0, 0, -1, -1,
			 "共 %zu 筆記錄，超過一張工作表 %u 列的上限，無法寫入 %s", r->nrecs,
			 SHEET_ROWS, b->ending);
		ok = false;
	}
	return ok;
}

static void size_columns(Rows *r)
{
	const Form *form = table_form(r->t);
	r->colw = xcalloc(r->width ? r->width : 1, sizeof *r->colw);
	for (size_t col = 0; col < r->width; col++) {
		/* a header with line breaks is laid out by them; one without
		 * (the template's title with its note) wraps under its name in
		 * at most about HEADER_LINES lines */
		const char *full = col_header(r, col);
		double hw = text_width(full);
		if (!strchr(full, '\n') && col < r->nfields) {
			double name = text_width(form_field(form, col)->header);
			hw = hw / HEADER_LINES > name ? hw / HEADER_LINES : name;
		}
		double vw = 0;
		for (size_t i = 0; i < r->nrecs; i++) {
			double w = text_width(cell(r, r->recs[i], col));
			if (w > vw)
				vw = w;
		}
		double w = hw < HEADER_CAP ? hw : HEADER_CAP;
		if ((vw < VALUE_CAP ? vw : VALUE_CAP) > w)
			w = vw < VALUE_CAP ? vw : VALUE_CAP;
		w += 2;
		r->colw[col] = w < MIN_WIDTH ? MIN_WIDTH : w;
	}
}

/* ---- sheets ------------------------------------------------------------- */

static const char *own(Layout *l, char *s)
{
	struct LayoutOwned *o = l->owned;
	if (o->nstrs == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 16;
		o->strs = xrealloc(o->strs, o->cap * sizeof *o->strs);
	}
	return o->strs[o->nstrs++] = s;
}

/* Whether Excel and LibreOffice accept name for a sheet of l. */
static bool sheet_name_ok(const Layout *l, const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || utf8_chars(name) > SHEET_NAME_CHARS || strpbrk(name, "[]:*?/\\") ||
	    name[0] == '\'' || name[n - 1] == '\'')
		return false;
	for (size_t i = 0; i < l->nsheets; i++)
		if (text_casecmp(l->sheets[i].name, name) == 0)
			return false;
	return true;
}

/* A new sheet named want, or SheetN (N = its position) when want cannot
 * be a sheet's name; a warning says so. */
static size_t add_sheet(Builder *b, const char *want)
{
	Layout *l = b->l;
	if (!want)
		want = "";
	char *name = NULL;
	if (sheet_name_ok(l, want)) {
		name = xstrdup(want);
	} else {
		for (size_t k = l->nsheets + 1;; k++) {
			free(name);
			name = xasprintf("Sheet%zu", k);
			if (sheet_name_ok(l, name))
				break;
		}
		diag_add(b->diags, DIAG_WARNING, 0, 0, -1, -1,
			 "工作表名稱「%s」不能用在 Excel 或 LibreOffice (空白、超過 31 字、含 []:*?/\\、前後有 ' 或重複)，改用「%s」",
			 want, name);
	}
	size_t i = l->nsheets++;
	l->sheets[i] = (LayoutSheet){.name = name, .repeat_row = -1};
	return i;
}

static void put_range(Builder *b, size_t sh, uint32_t r0, uint32_t c0, uint32_t r1, uint32_t c1,
		      const char *text, LayoutStyle style)
{
	LayoutSheet *s = &b->l->sheets[sh];
	if (s->ncells == b->cells_cap[sh]) {
		b->cells_cap[sh] = b->cells_cap[sh] ? 2 * b->cells_cap[sh] : 64;
		s->cells = xrealloc(s->cells, b->cells_cap[sh] * sizeof *s->cells);
	}
	s->cells[s->ncells++] = (LayoutCell){r0, c0, r1, c1, text, style};
}

static void put(Builder *b, size_t sh, uint32_t row, uint32_t col, const char *text,
		LayoutStyle style)
{
	put_range(b, sh, row, col, row, col, text, style);
}

static void set_height(Builder *b, size_t sh, uint32_t row, double points)
{
	LayoutSheet *s = &b->l->sheets[sh];
	if (s->nheights == b->heights_cap[sh]) {
		b->heights_cap[sh] = b->heights_cap[sh] ? 2 * b->heights_cap[sh] : 16;
		s->heights = xrealloc(s->heights, b->heights_cap[sh] * sizeof *s->heights);
	}
	s->heights[s->nheights++] = (LayoutHeight){row, points};
}

static void set_columns(LayoutSheet *s, size_t n)
{
	s->cols = xcalloc(n ? n : 1, sizeof *s->cols);
	s->ncols = n;
}

/* Columns as the records of r want them: text, but an integer, decimal
 * or date field's. */
static void record_columns(LayoutSheet *s, const Rows *r, size_t span)
{
	set_columns(s, span);
	const Form *form = table_form(r->t);
	for (size_t col = 0; col < span; col++) {
		bool shown = col < r->width;
		/* a number or a date the clerk types becomes one, not text */
		FieldKind k = col < r->nfields ? form_field(form, col)->kind : KIND_TEXT;
		bool number = k == KIND_INTEGER || k == KIND_DECIMAL || k == KIND_DATE;
		s->cols[col] = (LayoutColumn){shown ? r->colw[col] : 12, shown && !number};
	}
}

static void header_row(Builder *b, size_t sh, const Rows *r, uint32_t row)
{
	double lines = 1;
	for (size_t col = 0; col < r->width; col++) {
		const char *h = col_header(r, col);
		put(b, sh, row, (uint32_t)col, h, LAYOUT_HEADER);
		double n = wrapped_lines(h, r->colw[col]);
		if (n > lines)
			lines = n;
	}
	set_height(b, sh, row, lines * LINE_PT + 4);
}

/* Lays out the records of r from row first on; returns the row after
 * them.  With blank_if_none, an empty bordered row stands in for no
 * records. */
static uint32_t record_rows(Builder *b, size_t sh, const Rows *r, uint32_t first,
			    bool blank_if_none)
{
	uint32_t row = first;
	for (size_t i = 0; i < r->nrecs; i++, row++)
		for (size_t col = 0; col < r->width; col++) {
			const char *s = cell(r, r->recs[i], col);
			put(b, sh, row, (uint32_t)col, s,
			    as_number(r, col, s) ? LAYOUT_NUMBER : LAYOUT_TEXT);
		}
	if (r->nrecs == 0 && blank_if_none) {
		for (size_t col = 0; col < r->width; col++)
			put(b, sh, row, (uint32_t)col, "", LAYOUT_TEXT);
		row++;
	}
	return row;
}

/* A new validation of sheet sh, on rows r0..r1 of column col. */
static LayoutDropdown *add_validation(Builder *b, size_t sh, uint32_t r0, uint32_t r1, size_t col,
				      LayoutCheck check)
{
	LayoutSheet *s = &b->l->sheets[sh];
	if (s->ndropdowns == b->dv_cap[sh]) {
		b->dv_cap[sh] = b->dv_cap[sh] ? 2 * b->dv_cap[sh] : 16;
		s->dropdowns = xrealloc(s->dropdowns, b->dv_cap[sh] * sizeof *s->dropdowns);
	}
	LayoutDropdown *d = &s->dropdowns[s->ndropdowns++];
	*d = (LayoutDropdown){.first_row = r0, .last_row = r1, .col = (uint32_t)col, .check = check};
	return d;
}

/* The field's label and help as the input message, when they fit. */
static void input_help(LayoutDropdown *d, const FormField *f)
{
	if (*f->help && utf8_chars(f->label) <= DV_TITLE && utf8_chars(f->help) <= DV_MESSAGE) {
		d->input_title = f->label;
		d->input_message = f->help;
	}
}

/* A bound of field f (fb) for a validation; def when the field has none
 * (no bound then without has_def). */
static LayoutBound layout_bound(const FormField *f, const FormBound *fb, bool has_def, int64_t def)
{
	LayoutBound b = {0};
	if (!fb->present && !has_def)
		return b;
	int64_t v = fb->present ? fb->v : def;
	b.present = true;
	if (f->kind == KIND_DATE) {
		b.today = fb->present && fb->today;
		value_date_ymd((long)v, &b.year, &b.month, &b.day);
	} else {
		b.number = (double)v / VALUE_SCALE;
		value_number_format(v, b.text, sizeof b.text);
	}
	return b;
}

/* What a refused value of an integer, decimal or date field is told:
 * 請填 0 到 720 之間的數字 (最多 1 位小數). */
static const char *range_message(Builder *b, const FormField *f, const LayoutDropdown *d)
{
	char lo[32] = "", hi[32] = "";
	const LayoutBound *x[2] = {&d->min, &d->max};
	char *out[2] = {lo, hi};
	for (int i = 0; i < 2; i++) {
		if (!x[i]->present)
			continue;
		if (f->kind != KIND_DATE)
			snprintf(out[i], 32, "%s", x[i]->text);
		else if (x[i]->today)
			snprintf(out[i], 32, "今天");
		else
			snprintf(out[i], 32, "%04d/%02d/%02d", x[i]->year, x[i]->month, x[i]->day);
	}
	const char *what = f->kind == KIND_DATE ? "日期" : f->kind == KIND_INTEGER ? "整數" : "數字";
	char *decimals = f->kind == KIND_DECIMAL ? xasprintf(" (最多 %d 位小數)", f->decimals) : xstrdup("");
	char *m = *lo && *hi ? xasprintf("請填 %s 到 %s 之間的%s%s", lo, hi, what, decimals)
		  : *lo	     ? xasprintf("請填 %s 以上的%s%s", lo, what, decimals)
			     : xasprintf("請填 %s 以下的%s%s", hi, what, decimals);
	free(decimals);
	return own(b->l, m);
}

/* A multi field's input message: how to separate its items. */
static void multi_help(Builder *b, LayoutDropdown *d, const FormField *f)
{
	const char *two = f->nvalues > 1 ? f->values[1] : f->values[0];
	char *how = xasprintf("可複選：以「%s」分隔多個項目，例如「%s%s%s」", f->separator,
			      f->values[0], f->separator, two);
	char *m = *f->help ? xasprintf("%s；%s", f->help, how) : xstrdup(how);
	if (utf8_chars(m) > DV_MESSAGE) {
		free(m);
		m = xstrdup(utf8_chars(how) <= DV_MESSAGE ? how : "可複選");
	}
	free(how);
	d->input_title = utf8_chars(f->label) <= DV_TITLE ? f->label : "可複選";
	d->input_message = own(b->l, m);
}

/* The validations on rows r0..r1: a dropdown for every choice field with
 * a list, a range for every integer, decimal and date field, the input
 * message of every multi field. */
static void validations(Builder *b, size_t sh, uint32_t r0, uint32_t r1)
{
	static const LayoutCheck checks[] = {[KIND_INTEGER] = LAYOUT_DV_WHOLE,
					     [KIND_DECIMAL] = LAYOUT_DV_DECIMAL,
					     [KIND_DATE] = LAYOUT_DV_DATE};
	for (size_t col = 0; col < form_nfields(b->form); col++) {
		const FormField *f = form_field(b->form, col);
		if (f->kind == KIND_CHOICE && f->list >= 0 && b->l->value_sheet >= 0) {
			LayoutDropdown *d = add_validation(b, sh, r0, r1, col, LAYOUT_DV_LIST);
			d->list = (size_t)f->list;
			d->nvalues = form_list(b->form, (size_t)f->list)->nvalues;
			input_help(d, f);
		} else if (f->kind == KIND_INTEGER || f->kind == KIND_DECIMAL || f->kind == KIND_DATE) {
			LayoutDropdown *d = add_validation(b, sh, r0, r1, col, checks[f->kind]);
			bool date = f->kind == KIND_DATE;
			/* no sign: from 0; a date: within Excel's first and last */
			d->min = layout_bound(f, &f->min, true, date ? value_date_day(1900, 1, 1) : 0);
			d->max = layout_bound(f, &f->max, date, value_date_day(9999, 12, 31));
			d->error_message = range_message(b, f, d);
			input_help(d, f);
		} else if (f->kind == KIND_MULTI) {
			multi_help(b, add_validation(b, sh, r0, r1, col, LAYOUT_DV_ANY), f);
		}
	}
}

static void data_sheet(Builder *b, size_t sh, const Rows *r, bool with_dropdowns)
{
	LayoutSheet *s = &b->l->sheets[sh];
	record_columns(s, r, r->width);
	header_row(b, sh, r, 0);
	uint32_t end = record_rows(b, sh, r, 1, false);
	uint32_t last = end - 1 > DV_ROWS ? end - 1 : DV_ROWS;
	if (with_dropdowns)
		validations(b, sh, 1, last);
	s = &b->l->sheets[sh];
	if (r->width && (with_dropdowns || end > 1)) {
		s->quiet = true;
		s->quiet_last_row = with_dropdowns ? last : end - 1;
		s->quiet_last_col = (uint32_t)(r->width - 1);
	}
	s->freeze_rows = 1;
	s->print = true;
	s->landscape = true;
	s->repeat_row = 0;
}

static void printable_sheet(Builder *b, size_t sh, const Rows *r)
{
	const FormPrint *p = form_print(b->form);
	size_t span = r->width > p->nsignatures ? r->width : p->nsignatures;
	if (span == 0)
		span = 1;
	double total = 0;
	for (size_t col = 0; col < span; col++)
		total += col < r->width ? r->colw[col] : 12;
	record_columns(&b->l->sheets[sh], r, span);
	uint32_t cend = (uint32_t)(span - 1);

	uint32_t row = 0;
	if (p->title && *p->title) {
		put_range(b, sh, row, 0, row, cend, p->title, LAYOUT_TITLE);
		/* 14-point text: about 1.3 times as wide and tall as 11-point */
		set_height(b, sh, row, wrapped_lines(p->title, total / 1.3) * 20 + 8);
		row++;
	}
	uint32_t hrow = row;
	header_row(b, sh, r, row++);
	uint32_t first = row;
	row = record_rows(b, sh, r, first, true);
	validations(b, sh, first, row - 1);

	if (p->nsignatures) {
		row++;
		for (size_t k = 0; k < p->nsignatures; k++) {
			uint32_t c0 = (uint32_t)(k * span / p->nsignatures);
			uint32_t c1 = (uint32_t)((k + 1) * span / p->nsignatures - 1);
			put_range(b, sh, row, c0, row, c1, p->signatures[k], LAYOUT_CAPTION);
			put_range(b, sh, row + 1, c0, row + SIG_BOX_ROWS, c1, "", LAYOUT_BOX);
		}
		set_height(b, sh, row, LINE_PT + 6);
		for (uint32_t rr = row + 1; rr <= row + SIG_BOX_ROWS; rr++)
			set_height(b, sh, rr, 22);
		row += SIG_BOX_ROWS + 1;
	}
	if (p->nnotes) {
		row++;
		if (p->notes_caption)
			put(b, sh, row++, 0, p->notes_caption, LAYOUT_BOLD);
		for (size_t i = 0; i < p->nnotes; i++, row++) {
			const char *note = own(b->l, xasprintf("%zu. %s", i + 1, p->notes[i]));
			put_range(b, sh, row, 0, row, cend, note, LAYOUT_NOTE);
			set_height(b, sh, row, wrapped_lines(note, total) * LINE_PT + 4);
		}
	}
	LayoutSheet *s = &b->l->sheets[sh];
	s->print = true;
	s->landscape = true;
	s->fit_width = true;
	s->center = true;
	s->margin_lr = 0.4;
	s->margin_tb = 0.6;
	s->repeat_row = hrow;
	s->print_area = true;
	s->print_last_row = row - 1;
	s->print_last_col = cend;
}

static void help_sheet(Builder *b, size_t sh)
{
	double w[3] = {0, 0, 0};
	for (size_t i = 0; i < form_nfields(b->form); i++) {
		const FormField *f = form_field(b->form, i);
		const char *c[3] = {f->header, f->help, f->help_more};
		for (size_t k = 0; k < 3; k++) {
			double tw = text_width(c[k]);
			if (tw > w[k])
				w[k] = tw;
			put(b, sh, (uint32_t)(i + 1), (uint32_t)k, c[k], LAYOUT_TEXT);
		}
	}
	char *const *titles;
	form_help_sheet(b->form, &titles);
	LayoutSheet *s = &b->l->sheets[sh];
	set_columns(s, 3);
	for (size_t k = 0; k < 3; k++) {
		put(b, sh, 0, (uint32_t)k, titles[k], LAYOUT_HEADER);
		double cw = (w[k] > 60 ? 60 : w[k]) + 2;
		b->l->sheets[sh].cols[k] = (LayoutColumn){cw < 12 ? 12 : cw, true};
	}
	b->l->sheets[sh].freeze_rows = 1;
}

static void list_sheet(Builder *b, size_t sh)
{
	size_t n = form_nlists(b->form);
	set_columns(&b->l->sheets[sh], n);
	for (size_t k = 0; k < n; k++) {
		const FormList *fl = form_list(b->form, k);
		double w = text_width(fl->title);
		put(b, sh, 0, (uint32_t)k, fl->title, LAYOUT_HEADER);
		for (size_t i = 0; i < fl->nvalues; i++) {
			put(b, sh, (uint32_t)(i + 1), (uint32_t)k, fl->values[i], LAYOUT_TEXT);
			if (text_width(fl->values[i]) > w)
				w = text_width(fl->values[i]);
		}
		b->l->sheets[sh].cols[k] = (LayoutColumn){(w > VALUE_CAP ? VALUE_CAP : w) + 2, false};
	}
}

static bool is_printable(const Form *form)
{
	return form_print(form)->layout == PRINT_SHEET;
}

static int by_place(const void *a, const void *b)
{
	const LayoutCell *x = a, *y = b;
	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

static int by_row(const void *a, const void *b)
{
	const LayoutHeight *x = a, *y = b;
	return x->row < y->row ? -1 : x->row > y->row;
}

/* The examples table of the form, read with it; NULL when the form has
 * none, or after an error naming the file. */
static Table *load_examples(Builder *b, bool *failed)
{
	const char *sheet, *path = form_examples(b->form, &sheet);
	*failed = false;
	if (!path)
		return NULL;
	DiagList dl;
	diag_init(&dl);
	FileFormat fmt = {ENC_UTF8, true, true};
	Table *t = csvio_load(path, b->form, fmt, &dl);
	diag_sort(&dl);
	for (size_t i = 0; i < dl.n; i++) {
		const Diag *d = &dl.items[i];
		char *where = d->line > 0 ? xasprintf("%s:%ld", path, d->line) : xstrdup(path);
		diag_add(b->diags, t ? DIAG_WARNING : d->level, 0, 0, -1, -1, "範例檔 %s：%s", where,
			 d->msg);
		free(where);
	}
	if (!t) {
		diag_add(b->diags, DIAG_ERROR, 0, 0, -1, -1,
			 "無法讀取範例檔 %s (表單檔 %s 的 [form] examples)，無法寫入 %s", path,
			 form_path(b->form), b->ending);
		*failed = true;
	}
	diag_free(&dl);
	return t;
}

Layout *layout_build(const Table *t, const char *ending, bool xml_only, DiagList *diags)
{
	Builder b = {.form = table_form(t), .diags = diags, .ending = ending, .xml_only = xml_only};
	Layout *l = b.l = xcalloc(1, sizeof *l);
	l->owned = xcalloc(1, sizeof *l->owned);
	l->sheets = xcalloc(MAX_SHEETS, sizeof *l->sheets);
	l->value_sheet = -1;
	bool printable = is_printable(b.form);
	const FormPrint *p = form_print(b.form);
	size_t extra = 1 + (printable ? 6 + SIG_BOX_ROWS + p->nnotes : 0);
	Rows data, ex = {0};
	bool ok = collect(&b, t, &data, extra, NULL);
	l->owned->recs[0] = data.recs;
	bool failed = false;
	Table *et = printable ? NULL : load_examples(&b, &failed);
	ok = ok && !failed;
	if (et) {
		l->owned->examples = et;
		const char *sheet;
		ok &= collect(&b, et, &ex, 1, form_examples(b.form, &sheet));
		l->owned->recs[1] = ex.recs;
	}
	if (!ok) {
		layout_free(l);
		return NULL;
	}
	size_columns(&data);
	l->owned->colw[0] = data.colw;

	size_t main_sh = add_sheet(&b, form_title(b.form));
	size_t ex_sh = 0, help_sh = 0, list_sh = 0;
	const char *ex_name;
	if (et) {
		form_examples(b.form, &ex_name);
		ex_sh = add_sheet(&b, ex_name);
		size_columns(&ex);
		l->owned->colw[1] = ex.colw;
	}
	char *const *titles;
	const char *help_name = printable ? NULL : form_help_sheet(b.form, &titles);
	if (help_name)
		help_sh = add_sheet(&b, help_name);
	if (form_nlists(b.form) > 0) {
		list_sh = add_sheet(&b, form_list_sheet(b.form));
		l->value_sheet = (long)list_sh;
	}
	if (printable)
		printable_sheet(&b, main_sh, &data);
	else
		data_sheet(&b, main_sh, &data, true);
	if (et)
		data_sheet(&b, ex_sh, &ex, false);
	if (help_name)
		help_sheet(&b, help_sh);
	if (l->value_sheet >= 0) {
		list_sheet(&b, list_sh);
		l->sheets[list_sh].hidden = printable; /* the main sheet stays the active one */
	}
	l->active = main_sh;
	for (size_t i = 0; i < l->nsheets; i++) {
		LayoutSheet *s = &l->sheets[i];
		if (s->ncells)
			qsort(s->cells, s->ncells, sizeof *s->cells, by_place);
		if (s->nheights)
			qsort(s->heights, s->nheights, sizeof *s->heights, by_row);
	}
	return l;
}

void layout_free(Layout *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nsheets; i++) {
		LayoutSheet *s = &l->sheets[i];
		free(s->name);
		free(s->cols);
		free(s->heights);
		free(s->cells);
		free(s->dropdowns);
	}
	free(l->sheets);
	struct LayoutOwned *o = l->owned;
	for (size_t i = 0; i < o->nstrs; i++)
		free(o->strs[i]);
	free(o->strs);
	table_free(o->examples);
	for (size_t i = 0; i < 2; i++) {
		free(o->recs[i]);
		free(o->colw[i]);
	}
	free(o);
	free(l);
}
