/* xlsxout.c - the .xlsx export (libxlsxwriter); see xlsxout.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "atomic.h"
#include "form.h"
#include "mem.h"
#include "text.h"
#include "xlsxout.h"

/* Excel's limits. */
#define XL_ROWS 1048576u
#define XL_COLS 16384u
#define XL_CELL_CHARS 32767u
#define XL_DV_TITLE 32u   /* data-validation input title, characters */
#define XL_DV_MESSAGE 255u /* data-validation messages, characters */

#define DV_ROWS 1000u     /* rows under the data sheet's header that get dropdowns */
#define SIG_BOX_ROWS 4u   /* height of a signature box, in rows */
#define HEADER_CAP 24.0   /* a header widens its column up to this, then wraps */
#define VALUE_CAP 50.0    /* values widen their column up to this */
#define MIN_WIDTH 8.0
#define HEADER_LINES 4.0  /* lines a header with a note may wrap to */
#define LINE_PT 16.0      /* points per wrapped line of 11-point text */

/* The sheet and header texts of the template's instruction sheet. */
static char DV_ERROR_TITLE[] = "輸入錯誤";
static char DV_ERROR_MESSAGE[] = "請從下拉選單選擇";

typedef struct {
	const Table *t;
	const Form *form;
	DiagList *diags;
	lxw_workbook *wb;
	size_t nfields, ncols; /* form fields; table columns (fields + extra) */
	size_t width;	       /* columns written: ncols + the longest overflow */
	size_t *recs;	       /* indexes of the non-empty records */
	size_t nrecs;
	double *colw; /* width of each written column */
	lxw_format *f_header, *f_text, *f_num, *f_title, *f_caption, *f_box, *f_note,
	    *f_bold;
	char *list_sheet; /* quoted name of the value sheet for formulas, or NULL */
	lxw_error err;	  /* the first error a library call returned */
} Out;

/* ---- text measures ---------------------------------------------------- */

static bool wide(uint32_t cp)
{
	return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
	       (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	       (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

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
			w += wide(cp) ? 2 : 1;
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

/* ---- the table -------------------------------------------------------- */

static const char *cell(const Out *o, size_t rec, size_t col)
{
	const Record *r = table_record_c(o->t, rec);
	if (col < o->ncols)
		return r->cells[col];
	col -= o->ncols;
	return col < r->noverflow ? r->overflow[col] : "";
}

static const char *col_header(const Out *o, size_t col)
{
	if (col < o->nfields)
		return form_field(o->form, col)->full_header;
	return col < o->ncols ? table_col_header(o->t, col) : "";
}

static const char *col_label(const Out *o, size_t col)
{
	if (col < o->nfields)
		return form_field(o->form, col)->label;
	return col < o->ncols ? table_col_header(o->t, col) : "";
}

/* The value as a number when it goes into the workbook as one: an integer
 * field's 1 to 15 digits (exact in a double, shown in full by Excel)
 * without a leading zero that a number would lose. */
static bool as_number(const Out *o, size_t col, const char *s, double *v)
{
	if (col >= o->nfields || form_field(o->form, col)->kind != KIND_INTEGER)
		return false;
	size_t n = strlen(s);
	if (n == 0 || n > 15 || (s[0] == '0' && n > 1))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	*v = strtod(s, NULL);
	return true;
}

/* A value that a workbook cannot hold, reported with its place. */
static bool check_text(Out *o, const char *s, long rec, size_t col)
{
	size_t n = strlen(s), bad = text_utf8_invalid_at(s, n);
	char *msg = NULL;
	if (bad < n)
		msg = xasprintf("位元組 0x%02X 不是有效的 UTF-8", (unsigned char)s[bad]);
	else if (utf8_chars(s) > XL_CELL_CHARS)
		msg = xasprintf("有 %zu 個字，超過 Excel 一格 %u 字的上限", utf8_chars(s),
				XL_CELL_CHARS);
	if (!msg)
		return true;
	const char *label = col_label(o, col);
	if (rec < 0) { /* the title of an extra column */
		diag_add(o->diags, DIAG_ERROR, 0, 0, -1, -1, "欄位標題「%s」%s，無法寫入 .xlsx", label,
			 msg);
	} else {
		char *colname = *label ? xasprintf("「%s」欄", label) : xasprintf("第 %zu 欄", col + 1);
		diag_add(o->diags, DIAG_ERROR, table_record_c(o->t, (size_t)rec)->line, 0, rec,
			 col < o->nfields ? (int)col : -1, "第 %ld 筆記錄%s的值%s，無法寫入 .xlsx",
			 rec + 1, colname, msg);
		free(colname);
	}
	free(msg);
	return false;
}

/* Collects the non-empty records and checks that the workbook can hold
 * them; false (with diags) when it cannot. */
static bool collect(Out *o, size_t extra_rows)
{
	size_t n = table_nrecords(o->t);
	o->recs = xcalloc(n ? n : 1, sizeof *o->recs);
	o->width = o->ncols;
	bool ok = true;
	for (size_t col = o->nfields; col < o->ncols; col++)
		ok &= check_text(o, table_col_header(o->t, col), -1, col);
	for (size_t i = 0; i < n; i++) {
		if (table_record_empty(o->t, i))
			continue;
		o->recs[o->nrecs++] = i;
		const Record *r = table_record_c(o->t, i);
		if (o->ncols + r->noverflow > o->width)
			o->width = o->ncols + r->noverflow;
		for (size_t col = 0; col < o->ncols + r->noverflow; col++)
			ok &= check_text(o, cell(o, i, col), (long)i, col);
	}
	if (o->width > XL_COLS) {
		diag_add(o->diags, DIAG_ERROR, 0, 0, -1, -1,
			 "共 %zu 欄，超過 Excel 一張工作表 %u 欄的上限，無法寫入 .xlsx", o->width,
			 XL_COLS);
		ok = false;
	}
	if (o->nrecs + extra_rows > XL_ROWS) {
		diag_add(o->diags, DIAG_ERROR, 0, 0, -1, -1,
			 "共 %zu 筆記錄，超過 Excel 一張工作表 %u 列的上限，無法寫入 .xlsx",
			 o->nrecs, XL_ROWS);
		ok = false;
	}
	return ok;
}

/* ---- workbook helpers ------------------------------------------------- */

static void chk(Out *o, lxw_error e)
{
	if (e != LXW_NO_ERROR && o->err == LXW_NO_ERROR)
		o->err = e;
}

static void col_name(size_t col, char out[4])
{
	char tmp[4];
	size_t n = 0;
	for (size_t c = col + 1; c > 0 && n < 3; c = (c - 1) / 26)
		tmp[n++] = (char)('A' + (c - 1) % 26);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/* The sheet named want, or SheetN (N = its position) when Excel would
 * refuse want; a warning says so. */
static lxw_worksheet *add_sheet(Out *o, const char *want, size_t pos, char **used)
{
	if (!want)
		want = "";
	char *name = xstrdup(want);
	if (!*want || workbook_validate_sheet_name(o->wb, want) != LXW_NO_ERROR) {
		for (size_t k = pos;; k++) {
			free(name);
			name = xasprintf("Sheet%zu", k);
			if (workbook_validate_sheet_name(o->wb, name) == LXW_NO_ERROR)
				break;
		}
		diag_add(o->diags, DIAG_WARNING, 0, 0, -1, -1,
			 "工作表名稱「%s」不能用在 Excel (空白、超過 31 字、含 []:*?/\\ 或重複)，改用「%s」",
			 want, name);
	}
	lxw_worksheet *ws = workbook_add_worksheet(o->wb, name);
	if (!ws)
		chk(o, LXW_ERROR_PARAMETER_VALIDATION);
	if (used)
		*used = name;
	else
		free(name);
	return ws;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

/* Whether p begins "_xHHHH_", which Excel reads as U+HHHH. */
static bool at_escape(const char *p)
{
	return p[0] == '_' && p[1] == 'x' && is_hex(p[2]) && is_hex(p[3]) && is_hex(p[4]) &&
	       is_hex(p[5]) && p[6] == '_';
}

/* Whether p begins U+FFFE or U+FFFF, which XML cannot hold. */
static bool at_nonchar(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	return u[0] == 0xEF && u[1] == 0xBF && (u[2] == 0xBE || u[2] == 0xBF);
}

/* s as a workbook string: Excel reads "_xHHHH_" as the character U+HHHH
 * (the library writes control characters so), and libxlsxwriter 1.1.4
 * leaves such text of the user's as it is; its "_" becomes "_x005F_", as
 * Excel itself saves it.  U+FFFE and U+FFFF, which no XML may hold, are
 * written as "_xFFFE_" and "_xFFFF_", so that the workbook stays well
 * formed and reads back as it was.  Returns s itself when nothing
 * changes, else a malloc'd copy. */
static char *excel_text(const char *s, bool *copied)
{
	*copied = false;
	size_t n = 0;
	for (const char *p = s; *p; p++)
		n += at_escape(p) || at_nonchar(p);
	if (n == 0)
		return (char *)s;
	char *e = xmalloc(strlen(s) + 7 * n + 1), *q = e;
	for (const char *p = s; *p; p++) {
		if (at_escape(p)) {
			memcpy(q, "_x005F", 6);
			q += 6;
		} else if (at_nonchar(p)) {
			q += sprintf(q, "_xFFF%c_", p[2] == '\xBE' ? 'E' : 'F');
			p += 2;
			continue;
		}
		*q++ = *p;
	}
	*q = '\0';
	*copied = true;
	return e;
}

/* Writes the string s over the range, merged when it is more than one
 * cell: text, never a formula. */
static void put_range(Out *o, lxw_worksheet *ws, lxw_row_t r0, lxw_col_t c0, lxw_row_t r1,
		      lxw_col_t c1, const char *s, lxw_format *fmt)
{
	bool copied;
	char *x = excel_text(s, &copied);
	if (r0 == r1 && c0 == c1)
		chk(o, worksheet_write_string(ws, r0, c0, x, fmt));
	else
		chk(o, worksheet_merge_range(ws, r0, c0, r1, c1, x, fmt));
	if (copied)
		free(x);
}

static void put(Out *o, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s,
		lxw_format *fmt)
{
	put_range(o, ws, row, col, row, col, s, fmt);
}

static void make_formats(Out *o)
{
	lxw_format *f;
	o->f_header = f = workbook_add_format(o->wb);
	format_set_bold(f);
	format_set_text_wrap(f);
	format_set_align(f, LXW_ALIGN_CENTER);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
	format_set_bg_color(f, 0xDDEBF7);
	format_set_border(f, LXW_BORDER_THIN);

	o->f_text = f = workbook_add_format(o->wb); /* "@": Excel keeps what is typed as text */
	format_set_num_format(f, "@");
	format_set_text_wrap(f);
	format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
	format_set_border(f, LXW_BORDER_THIN);

	o->f_num = f = workbook_add_format(o->wb);
	format_set_num_format(f, "0");
	format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
	format_set_border(f, LXW_BORDER_THIN);

	o->f_title = f = workbook_add_format(o->wb);
	format_set_bold(f);
	format_set_font_size(f, 14);
	format_set_text_wrap(f);
	format_set_align(f, LXW_ALIGN_CENTER);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);

	o->f_caption = f = workbook_add_format(o->wb);
	format_set_bold(f);
	format_set_align(f, LXW_ALIGN_CENTER);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
	format_set_border(f, LXW_BORDER_THIN);

	o->f_box = f = workbook_add_format(o->wb);
	format_set_border(f, LXW_BORDER_THIN);

	o->f_note = f = workbook_add_format(o->wb);
	format_set_text_wrap(f);
	format_set_align(f, LXW_ALIGN_LEFT);
	format_set_align(f, LXW_ALIGN_VERTICAL_TOP);

	o->f_bold = f = workbook_add_format(o->wb);
	format_set_bold(f);
}

/* ---- the parts of a sheet --------------------------------------------- */

static void size_columns(Out *o)
{
	o->colw = xcalloc(o->width ? o->width : 1, sizeof *o->colw);
	for (size_t col = 0; col < o->width; col++) {
		/* a header with line breaks is laid out by them; one without
		 * (the template's title with its note) wraps under its name in
		 * at most about HEADER_LINES lines */
		const char *full = col_header(o, col);
		double hw = text_width(full);
		if (!strchr(full, '\n') && col < o->nfields) {
			double name = text_width(form_field(o->form, col)->header);
			hw = hw / HEADER_LINES > name ? hw / HEADER_LINES : name;
		}
		double vw = 0;
		for (size_t i = 0; i < o->nrecs; i++) {
			double w = text_width(cell(o, o->recs[i], col));
			if (w > vw)
				vw = w;
		}
		double w = hw < HEADER_CAP ? hw : HEADER_CAP;
		if ((vw < VALUE_CAP ? vw : VALUE_CAP) > w)
			w = vw < VALUE_CAP ? vw : VALUE_CAP;
		w += 2;
		o->colw[col] = w < MIN_WIDTH ? MIN_WIDTH : w;
	}
}

static void set_columns(Out *o, lxw_worksheet *ws)
{
	for (size_t col = 0; col < o->width; col++) {
		bool number = col < o->nfields && form_field(o->form, col)->kind == KIND_INTEGER;
		chk(o, worksheet_set_column(ws, (lxw_col_t)col, (lxw_col_t)col, o->colw[col],
					    number ? NULL : o->f_text));
	}
}

static void header_row(Out *o, lxw_worksheet *ws, lxw_row_t row)
{
	double lines = 1;
	for (size_t col = 0; col < o->width; col++) {
		const char *h = col_header(o, col);
		put(o, ws, row, (lxw_col_t)col, h, o->f_header);
		double n = wrapped_lines(h, o->colw[col]);
		if (n > lines)
			lines = n;
	}
	chk(o, worksheet_set_row(ws, row, lines * LINE_PT + 4, NULL));
}

/* Writes the records from row first on; returns the row after them.  With
 * blank_if_none, an empty bordered row stands in for no records. */
static lxw_row_t record_rows(Out *o, lxw_worksheet *ws, lxw_row_t first, bool blank_if_none)
{
	lxw_row_t row = first;
	for (size_t i = 0; i < o->nrecs; i++, row++)
		for (size_t col = 0; col < o->width; col++) {
			const char *s = cell(o, o->recs[i], col);
			double v;
			if (as_number(o, col, s, &v))
				chk(o, worksheet_write_number(ws, row, (lxw_col_t)col, v, o->f_num));
			else if (*s)
				put(o, ws, row, (lxw_col_t)col, s, o->f_text);
			else
				chk(o, worksheet_write_blank(ws, row, (lxw_col_t)col, o->f_text));
		}
	if (o->nrecs == 0 && blank_if_none) {
		for (size_t col = 0; col < o->width; col++)
			chk(o, worksheet_write_blank(ws, row, (lxw_col_t)col, o->f_text));
		row++;
	}
	return row;
}

/* A dropdown on rows r0..r1 of every choice field with a list. */
static void dropdowns(Out *o, lxw_worksheet *ws, lxw_row_t r0, lxw_row_t r1)
{
	if (!o->list_sheet)
		return;
	for (size_t col = 0; col < o->nfields; col++) {
		const FormField *f = form_field(o->form, col);
		if (f->kind != KIND_CHOICE || f->list < 0)
			continue;
		const FormList *l = form_list(o->form, (size_t)f->list);
		char lc[4];
		col_name((size_t)f->list, lc);
		char *formula = xasprintf("=%s!$%s$2:$%s$%zu", o->list_sheet, lc, lc, l->nvalues + 1);
		lxw_data_validation dv = {0};
		dv.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
		dv.value_formula = formula;
		dv.error_title = DV_ERROR_TITLE;
		dv.error_message = DV_ERROR_MESSAGE;
		if (*f->help && utf8_chars(f->label) <= XL_DV_TITLE &&
		    utf8_chars(f->help) <= XL_DV_MESSAGE) {
			/* the library copies them */
			dv.input_title = (char *)f->label;
			dv.input_message = (char *)f->help;
		}
		chk(o, worksheet_data_validation_range(ws, r0, (lxw_col_t)col, r1, (lxw_col_t)col,
						       &dv));
		free(formula);
	}
}

/* ---- the sheets ------------------------------------------------------- */

static void data_sheet(Out *o, lxw_worksheet *ws)
{
	set_columns(o, ws);
	header_row(o, ws, 0);
	lxw_row_t end = record_rows(o, ws, 1, false);
	lxw_row_t last = end - 1 > DV_ROWS ? end - 1 : DV_ROWS;
	dropdowns(o, ws, 1, last);
	if (o->width) {
		char lc[4];
		col_name(o->width - 1, lc);
		char *range = xasprintf("A2:%s%lu", lc, (unsigned long)last + 1);
		chk(o, worksheet_ignore_errors(ws, LXW_IGNORE_NUMBER_STORED_AS_TEXT, range));
		free(range);
	}
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9); /* A4 */
	chk(o, worksheet_repeat_rows(ws, 0, 0));
}

static void printable_sheet(Out *o, lxw_worksheet *ws)
{
	const FormPrint *p = form_print(o->form);
	size_t span = o->width > p->nsignatures ? o->width : p->nsignatures;
	if (span == 0)
		span = 1;
	double total = 0;
	for (size_t col = 0; col < span; col++)
		total += col < o->width ? o->colw[col] : 12;
	set_columns(o, ws);
	for (size_t col = o->width; col < span; col++)
		chk(o, worksheet_set_column(ws, (lxw_col_t)col, (lxw_col_t)col, 12, NULL));
	lxw_col_t cend = (lxw_col_t)(span - 1);

	lxw_row_t row = 0;
	if (p->title && *p->title) {
		put_range(o, ws, row, 0, row, cend, p->title, o->f_title);
		/* 14-point text: about 1.3 times as wide and tall as 11-point */
		chk(o, worksheet_set_row(ws, row, wrapped_lines(p->title, total / 1.3) * 20 + 8,
					 NULL));
		row++;
	}
	lxw_row_t hrow = row;
	header_row(o, ws, row++);
	lxw_row_t first = row;
	row = record_rows(o, ws, first, true);
	dropdowns(o, ws, first, row - 1);

	if (p->nsignatures) {
		row++;
		for (size_t k = 0; k < p->nsignatures; k++) {
			lxw_col_t c0 = (lxw_col_t)(k * span / p->nsignatures);
			lxw_col_t c1 = (lxw_col_t)((k + 1) * span / p->nsignatures - 1);
			put_range(o, ws, row, c0, row, c1, p->signatures[k], o->f_caption);
			put_range(o, ws, row + 1, c0, row + SIG_BOX_ROWS, c1, "", o->f_box);
		}
		chk(o, worksheet_set_row(ws, row, LINE_PT + 6, NULL));
		for (lxw_row_t r = row + 1; r <= row + SIG_BOX_ROWS; r++)
			chk(o, worksheet_set_row(ws, r, 22, NULL));
		row += SIG_BOX_ROWS + 1;
	}
	if (p->nnotes) {
		row++;
		if (p->notes_caption)
			put(o, ws, row++, 0, p->notes_caption, o->f_bold);
		for (size_t i = 0; i < p->nnotes; i++, row++) {
			char *note = xasprintf("%zu. %s", i + 1, p->notes[i]);
			put_range(o, ws, row, 0, row, cend, note, o->f_note);
			chk(o, worksheet_set_row(ws, row, wrapped_lines(note, total) * LINE_PT + 4,
						 NULL));
			free(note);
		}
	}
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9); /* A4 */
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_center_horizontally(ws);
	worksheet_set_margins(ws, 0.4, 0.4, 0.6, 0.6);
	chk(o, worksheet_repeat_rows(ws, hrow, hrow));
	chk(o, worksheet_print_area(ws, 0, 0, row - 1, cend));
}

static void help_sheet(Out *o, lxw_worksheet *ws)
{
	double w[3] = {0, 0, 0};
	for (size_t i = 0; i < o->nfields; i++) {
		const FormField *f = form_field(o->form, i);
		const char *c[3] = {f->header, f->help, f->help_more};
		for (size_t k = 0; k < 3; k++) {
			double tw = text_width(c[k]);
			if (tw > w[k])
				w[k] = tw;
			put(o, ws, (lxw_row_t)(i + 1), (lxw_col_t)k, c[k], o->f_text);
		}
	}
	char *const *titles;
	form_help_sheet(o->form, &titles);
	for (size_t k = 0; k < 3; k++) {
		put(o, ws, 0, (lxw_col_t)k, titles[k], o->f_header);
		double cw = (w[k] > 60 ? 60 : w[k]) + 2;
		chk(o, worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, cw < 12 ? 12 : cw,
					    o->f_text));
	}
	worksheet_freeze_panes(ws, 1, 0);
}

static void list_sheet(Out *o, lxw_worksheet *ws)
{
	for (size_t k = 0; k < form_nlists(o->form); k++) {
		const FormList *l = form_list(o->form, k);
		double w = text_width(l->title);
		put(o, ws, 0, (lxw_col_t)k, l->title, o->f_header);
		for (size_t i = 0; i < l->nvalues; i++) {
			put(o, ws, (lxw_row_t)(i + 1), (lxw_col_t)k, l->values[i], o->f_text);
			if (text_width(l->values[i]) > w)
				w = text_width(l->values[i]);
		}
		chk(o, worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k,
					    (w > VALUE_CAP ? VALUE_CAP : w) + 2, NULL));
	}
}

/* The value sheet's name quoted for a formula: 'name' with ' doubled. */
static char *quote_sheet(const char *name)
{
	char *q = xmalloc(2 * strlen(name) + 3), *p = q;
	*p++ = '\'';
	for (const char *s = name; *s; s++) {
		if (*s == '\'')
			*p++ = '\'';
		*p++ = *s;
	}
	*p++ = '\'';
	*p = '\0';
	return q;
}

static bool is_printable(const Form *form)
{
	return form_print(form)->layout == PRINT_SHEET;
}

/* Builds the whole workbook into o->wb. */
static void build(Out *o)
{
	make_formats(o);
	bool printable = is_printable(o->form);
	size_t pos = 1;
	lxw_worksheet *main_ws = add_sheet(o, form_title(o->form), pos++, NULL);
	char *const *titles;
	const char *help_name = printable ? NULL : form_help_sheet(o->form, &titles);
	lxw_worksheet *help_ws = help_name ? add_sheet(o, help_name, pos++, NULL) : NULL;
	lxw_worksheet *lists_ws = NULL;
	if (form_nlists(o->form) > 0) {
		char *name;
		lists_ws = add_sheet(o, form_list_sheet(o->form), pos++, &name);
		o->list_sheet = quote_sheet(name);
		free(name);
	}
	if (!main_ws || (help_name && !help_ws) || (form_nlists(o->form) && !lists_ws))
		return;
	size_columns(o);
	if (printable)
		printable_sheet(o, main_ws);
	else
		data_sheet(o, main_ws);
	if (help_ws)
		help_sheet(o, help_ws);
	if (lists_ws) {
		list_sheet(o, lists_ws);
		if (printable)
			worksheet_hide(lists_ws); /* the main sheet stays the active one */
	}
	worksheet_activate(main_ws);
}

/* ---- stderr capture --------------------------------------------------- */

typedef struct {
	FILE *file;
	int saved;
} Capture;

static void capture_begin(Capture *c)
{
	c->saved = -1;
	fflush(stderr);
	c->file = tmpfile();
	if (!c->file)
		return;
	c->saved = dup(STDERR_FILENO);
	if (c->saved < 0 || dup2(fileno(c->file), STDERR_FILENO) < 0) {
		if (c->saved >= 0)
			close(c->saved);
		fclose(c->file);
		c->file = NULL;
	}
}

/* Restores stderr; returns what was printed meanwhile (lines joined by
 * "; "), or NULL when nothing was. */
static char *capture_end(Capture *c)
{
	if (!c->file)
		return NULL;
	fflush(stderr);
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	char buf[2048];
	rewind(c->file);
	size_t n = fread(buf, 1, sizeof buf - 1, c->file);
	fclose(c->file);
	buf[n] = '\0';
	char *s = text_trim(buf);
	if (!*s) {
		free(s);
		return NULL;
	}
	/* one line: "\n" between the library's lines becomes "; " */
	char *j = xmalloc(2 * strlen(s) + 1), *q = j;
	for (const char *p = s; *p; p++) {
		if (*p == '\n') {
			*q++ = ';';
			*q++ = ' ';
		} else {
			*q++ = *p;
		}
	}
	*q = '\0';
	free(s);
	return j;
}

/* ---- the file --------------------------------------------------------- */

/* Builds the workbook into the file tmp (stderr captured meanwhile).
 * Returns 0, or -1 with a diag. */
static int write_workbook(Out *o, const char *tmp)
{
	Capture cap;
	capture_begin(&cap);
	o->wb = workbook_new(tmp);
	lxw_error closed = LXW_ERROR_MEMORY_MALLOC_FAILED;
	if (o->wb) {
		build(o);
		closed = workbook_close(o->wb); /* frees the workbook, also on error */
		o->wb = NULL;
	}
	char *printed = capture_end(&cap);
	lxw_error e = o->err ? o->err : closed;
	if (e != LXW_NO_ERROR)
		diag_add(o->diags, DIAG_ERROR, 0, 0, -1, -1, "無法寫出 .xlsx：%s%s%s%s；原檔未更動",
			 lxw_strerror(e), printed ? " (" : "", printed ? printed : "",
			 printed ? ")" : "");
	else if (printed) /* 1.1.4 prints only on errors */
		diag_add(o->diags, DIAG_WARNING, 0, 0, -1, -1, "libxlsxwriter：%s", printed);
	free(printed);
	return e == LXW_NO_ERROR ? 0 : -1;
}


int xlsxout_write(const Table *t, const char *path, bool backup, DiagList *diags)
{
	Out o = {.t = t, .form = table_form(t), .diags = diags};
	o.nfields = form_nfields(o.form);
	o.ncols = table_ncols(t);
	const FormPrint *p = form_print(o.form);
	size_t extra = 1 + (is_printable(o.form) ? 6 + SIG_BOX_ROWS + p->nnotes : 0);
	int rc = -1;
	if (collect(&o, extra)) {
		AtomicFile a;
		if (atomic_begin(&a, path, -1, diags) == 0) {
			close(a.fd); /* the library opens it by name and truncates it:
				      * the inode and its mode 0600 stay */
			a.fd = -1;
			if (write_workbook(&o, a.tmp) == 0)
				rc = atomic_commit(&a, backup, diags);
			else
				atomic_abort(&a);
		}
	}
	free(o.recs);
	free(o.colw);
	free(o.list_sheet);
	return rc;
}
