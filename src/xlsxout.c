/* xlsxout.c - the .xlsx export: a layout (layout.h) written with
 * libxlsxwriter; see xlsxout.h. */
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
#include "capture.h"
#include "layout.h"
#include "mem.h"
#include "text.h"
#include "xlsxout.h"

/* The messages of a dropdown. */
static char DV_ERROR_TITLE[] = "輸入錯誤";
static char DV_ERROR_MESSAGE[] = "請從下拉選單選擇";

typedef struct {
	const Layout *l;
	DiagList *diags;
	lxw_workbook *wb;
	lxw_format *f[LAYOUT_NSTYLES];
	char *list_sheet; /* quoted name of the value sheet for formulas, or NULL */
	lxw_error err;	  /* the first error a library call returned */
} Out;

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

static void make_formats(Out *o)
{
	lxw_format *f;
	o->f[LAYOUT_HEADER] = f = workbook_add_format(o->wb);
	format_set_bold(f);
	format_set_text_wrap(f);
	format_set_align(f, LXW_ALIGN_CENTER);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
	format_set_bg_color(f, 0xDDEBF7);
	format_set_border(f, LXW_BORDER_THIN);

	o->f[LAYOUT_TEXT] = f = workbook_add_format(o->wb); /* "@": Excel keeps what is typed as text */
	format_set_num_format(f, "@");
	format_set_text_wrap(f);
	format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
	format_set_border(f, LXW_BORDER_THIN);

	o->f[LAYOUT_NUMBER] = f = workbook_add_format(o->wb);
	format_set_num_format(f, "0");
	format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
	format_set_border(f, LXW_BORDER_THIN);

	o->f[LAYOUT_TITLE] = f = workbook_add_format(o->wb);
	format_set_bold(f);
	format_set_font_size(f, 14);
	format_set_text_wrap(f);
	format_set_align(f, LXW_ALIGN_CENTER);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);

	o->f[LAYOUT_CAPTION] = f = workbook_add_format(o->wb);
	format_set_bold(f);
	format_set_align(f, LXW_ALIGN_CENTER);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
	format_set_border(f, LXW_BORDER_THIN);

	o->f[LAYOUT_BOX] = f = workbook_add_format(o->wb);
	format_set_border(f, LXW_BORDER_THIN);

	o->f[LAYOUT_NOTE] = f = workbook_add_format(o->wb);
	format_set_text_wrap(f);
	format_set_align(f, LXW_ALIGN_LEFT);
	format_set_align(f, LXW_ALIGN_VERTICAL_TOP);

	o->f[LAYOUT_BOLD] = f = workbook_add_format(o->wb);
	format_set_bold(f);
}

/* Writes one cell of the layout: text, never a formula; a number only
 * when the layout says so. */
static void put_cell(Out *o, lxw_worksheet *ws, const LayoutCell *c)
{
	lxw_format *fmt = o->f[c->style];
	if (c->last_row != c->row || c->last_col != c->col) {
		bool copied;
		char *x = excel_text(c->text, &copied);
		chk(o, worksheet_merge_range(ws, c->row, (lxw_col_t)c->col, c->last_row,
					     (lxw_col_t)c->last_col, x, fmt));
		if (copied)
			free(x);
	} else if (c->style == LAYOUT_NUMBER) {
		chk(o, worksheet_write_number(ws, c->row, (lxw_col_t)c->col, strtod(c->text, NULL),
					      fmt));
	} else if (!*c->text) {
		chk(o, worksheet_write_blank(ws, c->row, (lxw_col_t)c->col, fmt));
	} else {
		bool copied;
		char *x = excel_text(c->text, &copied);
		chk(o, worksheet_write_string(ws, c->row, (lxw_col_t)c->col, x, fmt));
		if (copied)
			free(x);
	}
}

/* A date bound as an Excel formula: =DATE(2024,5,1), =TODAY(). */
static char *date_formula(const LayoutBound *b)
{
	return b->today ? xstrdup("=TODAY()") : xasprintf("=DATE(%d,%d,%d)", b->year, b->month, b->day);
}

/* A whole-number, decimal or date validation from d->min to d->max; the
 * formulas it points at are put in f[2], for the caller to free. */
static void range_check(lxw_data_validation *dv, const LayoutDropdown *d, char *f[2])
{
	bool both = d->min.present && d->max.present;
	const LayoutBound *one = d->min.present ? &d->min : &d->max;
	dv->validate = d->check == LAYOUT_DV_WHOLE     ? LXW_VALIDATION_TYPE_INTEGER
		       : d->check == LAYOUT_DV_DECIMAL ? LXW_VALIDATION_TYPE_DECIMAL
						       : LXW_VALIDATION_TYPE_DATE_FORMULA;
	dv->criteria = both		 ? LXW_VALIDATION_CRITERIA_BETWEEN
		       : d->min.present ? LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO
					: LXW_VALIDATION_CRITERIA_LESS_THAN_OR_EQUAL_TO;
	if (d->check != LAYOUT_DV_DATE) {
		dv->value_number = one->number;
		dv->minimum_number = d->min.number;
		dv->maximum_number = d->max.number;
		return;
	}
	f[0] = date_formula(both ? &d->min : one);
	f[1] = both ? date_formula(&d->max) : NULL;
	if (both) {
		dv->minimum_formula = f[0];
		dv->maximum_formula = f[1];
	} else {
		dv->value_formula = f[0];
	}
}

static void put_dropdown(Out *o, lxw_worksheet *ws, const LayoutDropdown *d)
{
	char *f[2] = {NULL, NULL};
	lxw_data_validation dv = {0};
	if (d->check == LAYOUT_DV_LIST) {
		char lc[4];
		col_name(d->list, lc);
		f[0] = xasprintf("=%s!$%s$2:$%s$%zu", o->list_sheet, lc, lc, d->nvalues + 1);
		dv.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
		dv.value_formula = f[0];
	} else if (d->check == LAYOUT_DV_ANY) {
		dv.validate = LXW_VALIDATION_TYPE_ANY;
	} else {
		range_check(&dv, d, f);
	}
	if (d->check != LAYOUT_DV_ANY) {
		dv.error_title = DV_ERROR_TITLE;
		dv.error_message = d->error_message ? (char *)d->error_message : DV_ERROR_MESSAGE;
	}
	if (d->input_title) { /* the library copies them */
		dv.input_title = (char *)d->input_title;
		dv.input_message = (char *)d->input_message;
	}
	chk(o, worksheet_data_validation_range(ws, d->first_row, (lxw_col_t)d->col, d->last_row,
					       (lxw_col_t)d->col, &dv));
	free(f[0]);
	free(f[1]);
}

static void write_sheet(Out *o, lxw_worksheet *ws, const LayoutSheet *s)
{
	for (size_t col = 0; col < s->ncols; col++)
		chk(o, worksheet_set_column(ws, (lxw_col_t)col, (lxw_col_t)col, s->cols[col].width,
					    s->cols[col].text ? o->f[LAYOUT_TEXT] : NULL));
	for (size_t i = 0; i < s->nheights; i++)
		chk(o, worksheet_set_row(ws, s->heights[i].row, s->heights[i].points, NULL));
	for (size_t i = 0; i < s->ncells; i++)
		put_cell(o, ws, &s->cells[i]);
	for (size_t i = 0; i < s->ndropdowns; i++)
		if (o->list_sheet || s->dropdowns[i].check != LAYOUT_DV_LIST)
			put_dropdown(o, ws, &s->dropdowns[i]);
	if (s->quiet) {
		char lc[4];
		col_name(s->quiet_last_col, lc);
		char *range = xasprintf("A2:%s%lu", lc, (unsigned long)s->quiet_last_row + 1);
		chk(o, worksheet_ignore_errors(ws, LXW_IGNORE_NUMBER_STORED_AS_TEXT, range));
		free(range);
	}
	if (s->freeze_rows)
		worksheet_freeze_panes(ws, (lxw_row_t)s->freeze_rows, 0);
	if (s->print) {
		if (s->landscape)
			worksheet_set_landscape(ws);
		worksheet_set_paper(ws, 9); /* A4 */
		if (s->fit_width)
			worksheet_fit_to_pages(ws, 1, 0);
		if (s->center)
			worksheet_center_horizontally(ws);
		if (s->margin_lr > 0)
			worksheet_set_margins(ws, s->margin_lr, s->margin_lr, s->margin_tb,
					      s->margin_tb);
		if (s->repeat_row >= 0)
			chk(o, worksheet_repeat_rows(ws, (lxw_row_t)s->repeat_row,
						     (lxw_row_t)s->repeat_row));
		if (s->print_area)
			chk(o, worksheet_print_area(ws, 0, 0, s->print_last_row,
						    (lxw_col_t)s->print_last_col));
	}
	if (s->hidden)
		worksheet_hide(ws);
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

/* Builds the whole workbook into o->wb. */
static void build(Out *o)
{
	const Layout *l = o->l;
	make_formats(o);
	lxw_worksheet **ws = xcalloc(l->nsheets ? l->nsheets : 1, sizeof *ws);
	bool all = true;
	for (size_t i = 0; i < l->nsheets; i++)
		if (!(ws[i] = workbook_add_worksheet(o->wb, l->sheets[i].name))) {
			chk(o, LXW_ERROR_PARAMETER_VALIDATION);
			all = false;
		}
	if (l->value_sheet >= 0)
		o->list_sheet = quote_sheet(l->sheets[l->value_sheet].name);
	/* the active sheet before any is hidden: hiding the active one
	 * would leave none */
	if (all) {
		worksheet_activate(ws[l->active]);
		for (size_t i = 0; i < l->nsheets; i++)
			write_sheet(o, ws[i], &l->sheets[i]);
	}
	free(ws);
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
	Layout *l = layout_build(t, ".xlsx", false, diags);
	if (!l)
		return -1;
	Out o = {.l = l, .diags = diags};
	int rc = -1;
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
	free(o.list_sheet);
	layout_free(l);
	return rc;
}
