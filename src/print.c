/* print.c - the PDF of a table (Pango + cairo); see print.h.  Built into
 * spmform-writers.so (writers.h); print_today and print_send are in
 * print_job.c. */
#include "print.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>

#include "atomic.h"
#include "capture.h"
#include "config.h"
#include "form.h"
#include "mem.h"
#include "rules.h"
#include "text.h"
#include "value.h"

#ifndef SPMFORM_VERSION
#define SPMFORM_VERSION "0.1.0"
#endif

/* The page, in points (1/72 in).  forms/README.md ("Printing") gives these
 * numbers to form authors; tests/cli/cases/print-pages computes pages
 * from them. */
#define A4_SHORT 595.28
#define A4_LONG 841.89
#define MARGIN_X 28.8  /* 0.4 in, as the .xlsx export's printable sheet */
#define MARGIN_Y 43.2  /* 0.6 in */
#define PAD_X 2.0      /* between a cell's border and its text */
#define PAD_Y 1.5
#define RULE 0.5       /* the width of the table's lines */
#define TITLE_SCALE 1.4 /* the title's size, times font_size */
#define SEAL_BOX 100.0  /* height of a signature box: room for a seal (35 mm) */
#define SIGN_ROOM 3.0   /* lines of room above a signature line */
#define SIGN_LINE 150.0 /* length of the line to sign on */
#define HEADER_RGB 0xDD / 255.0, 0xEB / 255.0, 0xF7 / 255.0 /* the .xlsx header's */
#define EPS 0.01

typedef struct {
	const Table *t;
	const Form *form;
	const FormPrint *p;
	const PrintOptions *opt;
	DiagList *diags;
	FcConfig *fc;
	PangoFontMap *map;
	PangoContext *ctx;
	PangoFontDescription *font, *title_font;
	char *family;
	/* the page */
	double page_w, page_h, left, width, top, bottom;
	/* the table: its printed fields and their columns */
	size_t *cols, ncols;
	double *colx, *colw;
	PangoLayout **cell; /* one per column, reused row after row */
	const char **cell_src; /* the value each cell's layout holds */
	double *cell_h;     /* the height of each cell's text */
	PangoLayout **head;
	double head_h, line_h;
	size_t *recs, nrecs, with_errors;
	char *agency, *date;
	/* where the pass is */
	cairo_t *cr; /* NULL while measuring */
	size_t page, pages, rows_on_page;
	double y;
	bool measuring;
	size_t glyph_warnings;
	/* writing */
	AtomicFile af;
	bool write_failed;
} Print;

/* ---- text --------------------------------------------------------------- */

/* What a value prints as: escaped as on screen (text_escape), line breaks
 * kept (a CR before one goes).  Returns s itself when nothing changes. */
static char *printable(const char *s, bool *copied)
{
	*copied = false;
	bool plain = true;
	for (const char *p = s; *p && plain; p++)
		plain = *p != '\n' && *p != '\r';
	if (plain && !text_needs_escape(s))
		return (char *)s;
	size_t n = strlen(s), cap = 4 * n + 1, len = 0;
	char *out = xmalloc(cap);
	for (const char *p = s;;) {
		const char *nl = strchr(p, '\n');
		size_t k = nl ? (size_t)(nl - p) : strlen(p);
		size_t keep = nl && k > 0 && p[k - 1] == '\r' ? k - 1 : k;
		char *part = xstrndup(p, keep);
		char *e = text_escape(part);
		size_t m = strlen(e);
		if (len + m + 2 > cap) {
			cap = 2 * (len + m + 2);
			out = xrealloc(out, cap);
		}
		memcpy(out + len, e, m);
		len += m;
		free(e);
		free(part);
		if (!nl)
			break;
		out[len++] = '\n';
		p = nl + 1;
	}
	out[len] = '\0';
	*copied = true;
	return out;
}

static PangoLayout *new_layout(Print *P, const PangoFontDescription *font, double width,
			       PangoAlignment align)
{
	PangoLayout *l = pango_layout_new(P->ctx);
	pango_layout_set_font_description(l, font);
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_width(l, width > 1 ? (int)(width * PANGO_SCALE) : PANGO_SCALE);
	pango_layout_set_alignment(l, align);
	return l;
}

static void set_text(PangoLayout *l, const char *s)
{
	bool copied;
	char *x = printable(s, &copied);
	pango_layout_set_text(l, x, -1);
	if (copied)
		free(x);
}

static double height_of(PangoLayout *l)
{
	int w, h;
	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

/* Draws the lines of l whose tops lie in [from, to) (layout coordinates)
 * with the layout's top at y - from. */
static void draw_lines(Print *P, PangoLayout *l, double x, double y, double from, double to)
{
	PangoLayoutIter *it = pango_layout_get_iter(l);
	do {
		PangoRectangle r;
		pango_layout_iter_get_line_extents(it, NULL, &r);
		double top = (double)r.y / PANGO_SCALE;
		if (top + EPS >= from && top + EPS < to) {
			double base = (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
			cairo_move_to(P->cr, x + (double)r.x / PANGO_SCALE, y - from + base);
			pango_cairo_show_layout_line(P->cr, pango_layout_iter_get_line_readonly(it));
		}
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
}

static void draw_layout(Print *P, PangoLayout *l, double x, double y)
{
	draw_lines(P, l, x, y, 0, 1e9);
}

/* Where a cell's text may be cut so that its part from start is at most
 * room tall: the bottom of the last line that ends by then (start when
 * none does), or its whole height when the rest fits. */
static double cut_at(PangoLayout *l, double h, double start, double room)
{
	if (h - start <= room + EPS)
		return h;
	double cut = start;
	PangoLayoutIter *it = pango_layout_get_iter(l);
	do {
		PangoRectangle r;
		pango_layout_iter_get_line_extents(it, NULL, &r);
		double top = (double)r.y / PANGO_SCALE, bot = (double)(r.y + r.height) / PANGO_SCALE;
		if (top + EPS >= start && bot <= start + room + EPS)
			cut = bot;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	return cut;
}

/* The bottom of the first line that starts at or after start: at least one
 * line per page, however tall. */
static double next_line_end(PangoLayout *l, double h, double start)
{
	double end = h;
	PangoLayoutIter *it = pango_layout_get_iter(l);
	do {
		PangoRectangle r;
		pango_layout_iter_get_line_extents(it, NULL, &r);
		double top = (double)r.y / PANGO_SCALE;
		if (top + EPS >= start) {
			end = (double)(r.y + r.height) / PANGO_SCALE;
			break;
		}
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	return end;
}

/* ---- fonts -------------------------------------------------------------- */

/* The fonts.conf of an unpacked tarball, beside the program, or NULL. */
static char *bundled_fonts_conf(void)
{
	char *bin = config_program_dir();
	if (!bin)
		return NULL;
	char *p = xasprintf("%s/../share/spmform/fonts/fonts.conf", bin);
	free(bin);
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The family to print with: PRINT_FONT_FAMILY, else the first by name of
 * those covering zh-tw; NULL when there is none. */
static char *choose_family(FcConfig *fc)
{
	FcPattern *pat = FcPatternCreate();
	FcLangSet *ls = FcLangSetCreate();
	FcLangSetAdd(ls, (const FcChar8 *)"zh-tw");
	FcPatternAddLangSet(pat, FC_LANG, ls);
	FcLangSetDestroy(ls);
	FcObjectSet *os = FcObjectSetBuild(FC_FAMILY, (char *)NULL);
	FcFontSet *set = FcFontList(fc, pat, os);
	FcObjectSetDestroy(os);
	FcPatternDestroy(pat);
	char *found = NULL;
	char **names = xcalloc(set && set->nfont ? (size_t)set->nfont : 1, sizeof *names);
	size_t n = 0;
	for (int i = 0; set && i < set->nfont && !found; i++) {
		FcChar8 *fam;
		for (int k = 0; FcPatternGetString(set->fonts[i], FC_FAMILY, k, &fam) == FcResultMatch; k++)
			if (strcmp((const char *)fam, PRINT_FONT_FAMILY) == 0)
				found = xstrdup(PRINT_FONT_FAMILY);
		if (FcPatternGetString(set->fonts[i], FC_FAMILY, 0, &fam) == FcResultMatch)
			names[n++] = (char *)fam;
	}
	if (!found && n) {
		qsort(names, n, sizeof *names, cmp_str);
		found = xstrdup(names[0]);
	}
	free(names);
	if (set)
		FcFontSetDestroy(set);
	return found;
}

static int open_fonts(Print *P)
{
	char *bundled = P->opt->fonts_conf ? NULL : bundled_fonts_conf();
	const char *conf = P->opt->fonts_conf ? P->opt->fonts_conf : bundled;
	if (conf) {
		P->fc = FcConfigCreate();
		if (!FcConfigParseAndLoad(P->fc, (const FcChar8 *)conf, FcTrue) ||
		    !FcConfigBuildFonts(P->fc)) {
			diag_add(P->diags, DIAG_ERROR, 0, 0, -1, -1, "無法讀取字型設定 %s，未列印", conf);
			free(bundled);
			return -1;
		}
	} else {
		P->fc = FcInitLoadConfigAndFonts();
	}
	free(bundled);
	if (!P->fc) {
		diag_add(P->diags, DIAG_ERROR, 0, 0, -1, -1, "fontconfig 無法載入字型設定，未列印");
		return -1;
	}
	/* whatever asks fontconfig for "the" configuration (cairo does) gets
	 * this one too, never a default that may not exist */
	FcConfigSetCurrent(P->fc);
	P->family = choose_family(P->fc);
	if (!P->family) {
		diag_add(P->diags, DIAG_ERROR, 0, 0, -1, -1,
			 "找不到繁體中文字型，未列印 (中文會印成方框)；請安裝 %s 套件：apt-get install %s",
			 PRINT_FONT_PACKAGE, PRINT_FONT_PACKAGE);
		return -1;
	}
	if (strcmp(P->family, PRINT_FONT_FAMILY) != 0)
		diag_add(P->diags, DIAG_WARNING, 0, 0, -1, -1,
			 "沒有字型「%s」(%s 套件)，改用「%s」", PRINT_FONT_FAMILY, PRINT_FONT_PACKAGE,
			 P->family);
	P->map = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
	if (!P->map) {
		diag_add(P->diags, DIAG_ERROR, 0, 0, -1, -1, "cairo 沒有 FreeType 字型支援，未列印");
		return -1;
	}
	pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(P->map), P->fc);
	P->ctx = pango_font_map_create_context(P->map);
	pango_cairo_context_set_resolution(P->ctx, 72); /* a Pango unit is a point */
	pango_context_set_round_glyph_positions(P->ctx, FALSE);
	/* the same sizes measured and drawn, on any output */
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(P->ctx, fo);
	cairo_font_options_destroy(fo);
	P->font = pango_font_description_new();
	pango_font_description_set_family(P->font, P->family);
	pango_font_description_set_size(P->font, (int)(P->p->font_size * PANGO_SCALE));
	P->title_font = pango_font_description_copy(P->font);
	pango_font_description_set_size(P->title_font,
					(int)(P->p->font_size * TITLE_SCALE * PANGO_SCALE));
	return 0;
}

/* ---- what is printed ---------------------------------------------------- */

typedef struct {
	const char *value;
	size_t order;
} Seen;

static int cmp_seen(const void *a, const void *b)
{
	const Seen *x = a, *y = b;
	int c = strcmp(x->value, y->value);
	return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* The agency: [defaults] when it sets the field, else the value most
 * records have (of those as common, the one that comes first); NULL for
 * none. */
static char *find_agency(const Print *P)
{
	long f = P->p->agency_field;
	if (f < 0)
		return NULL;
	const FormField *field = form_field(P->form, (size_t)f);
	const Config *cfg = P->opt->cfg;
	for (size_t i = 0; cfg && i < cfg->ndefaults; i++)
		if (text_casecmp(cfg->defaults[i].id, field->id) == 0 && *cfg->defaults[i].value)
			return xstrdup(cfg->defaults[i].value);
	Seen *v = xcalloc(P->nrecs ? P->nrecs : 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < P->nrecs; i++) {
		const char *c = table_record_c(P->t, P->recs[i])->cells[f];
		if (*c)
			v[n++] = (Seen){c, i};
	}
	/* equal values side by side, each run in table order */
	qsort(v, n, sizeof *v, cmp_seen);
	size_t best = 0, first = SIZE_MAX;
	const char *win = NULL;
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && strcmp(v[j].value, v[i].value) == 0;)
			j++;
		if (j - i > best || (j - i == best && v[i].order < first)) {
			best = j - i;
			first = v[i].order;
			win = v[i].value;
		}
	}
	char *out = win ? xstrdup(win) : NULL;
	free(v);
	return out;
}

static char *date_text(time_t when)
{
	struct tm tm;
	if (!localtime_r(&when, &tm))
		return xstrdup("");
	int y = tm.tm_year + 1900;
	if (y > 1911)
		return xasprintf("中華民國 %d 年 %d 月 %d 日", y - 1911, tm.tm_mon + 1, tm.tm_mday);
	return xasprintf("%d-%02d-%02d", y, tm.tm_mon + 1, tm.tm_mday);
}

static void collect(Print *P)
{
	size_t n = table_nrecords(P->t);
	P->recs = xcalloc(n ? n : 1, sizeof *P->recs);
	for (size_t i = 0; i < n; i++)
		if (!table_record_empty(P->t, i))
			P->recs[P->nrecs++] = i;
	P->with_errors = rules_records_with_errors(P->t);
	P->agency = find_agency(P);
	P->date = P->p->date_caption ? date_text(P->opt->date) : NULL;
}

static void set_geometry(Print *P)
{
	P->page_w = P->p->landscape ? A4_LONG : A4_SHORT;
	P->page_h = P->p->landscape ? A4_SHORT : A4_LONG;
	P->left = MARGIN_X;
	P->width = P->page_w - 2 * MARGIN_X;
	P->top = MARGIN_Y;
	P->bottom = P->page_h - MARGIN_Y;
	size_t nf = form_nfields(P->form);
	P->cols = xcalloc(nf ? nf : 1, sizeof *P->cols);
	double total = 0;
	for (size_t i = 0; i < nf; i++)
		if (form_field(P->form, i)->print_width > 0) {
			P->cols[P->ncols++] = i;
			total += form_field(P->form, i)->print_width;
		}
	size_t nc = P->ncols ? P->ncols : 1;
	P->colx = xcalloc(nc, sizeof *P->colx);
	P->colw = xcalloc(nc, sizeof *P->colw);
	P->cell = xcalloc(nc, sizeof *P->cell);
	P->cell_src = xcalloc(nc, sizeof *P->cell_src);
	P->cell_h = xcalloc(nc, sizeof *P->cell_h);
	P->head = xcalloc(nc, sizeof *P->head);
	double x = P->left;
	for (size_t c = 0; c < P->ncols; c++) {
		const FormField *f = form_field(P->form, P->cols[c]);
		P->colx[c] = x;
		P->colw[c] = P->width * f->print_width / total;
		x += P->colw[c];
		double inner = P->colw[c] - 2 * PAD_X;
		P->cell[c] = new_layout(P, P->font, inner, PANGO_ALIGN_LEFT);
		P->head[c] = new_layout(P, P->font, inner, PANGO_ALIGN_CENTER);
		set_text(P->head[c], P->p->full_headers ? f->full_header : f->header);
		double h = height_of(P->head[c]);
		if (h > P->head_h)
			P->head_h = h;
	}
	PangoLayout *l = new_layout(P, P->font, P->width, PANGO_ALIGN_LEFT);
	pango_layout_set_text(l, "", 0);
	P->line_h = height_of(l);
	g_object_unref(l);
	if (P->head_h < P->line_h)
		P->head_h = P->line_h;
	P->head_h += 2 * PAD_Y;
}

/* ---- pages -------------------------------------------------------------- */

static void set_black(Print *P)
{
	cairo_set_source_rgb(P->cr, 0, 0, 0);
}

/* A line of text at y, aligned in the table's width; returns its height. */
static double text_line(Print *P, const char *s, const PangoFontDescription *font,
			PangoAlignment align, double y)
{
	PangoLayout *l = new_layout(P, font, P->width, align);
	set_text(l, s);
	double h = height_of(l);
	if (P->cr) {
		set_black(P);
		draw_layout(P, l, P->left, y);
	}
	g_object_unref(l);
	return h;
}

static void new_page(Print *P)
{
	if (P->cr && P->page > 0)
		cairo_show_page(P->cr);
	P->page++;
	P->rows_on_page = 0;
	P->y = P->top;
	if (P->cr) {
		char *s = xasprintf("第 %zu 頁，共 %zu 頁", P->page, P->pages);
		double y = P->bottom + (MARGIN_Y - P->line_h) / 2;
		text_line(P, s, P->font, PANGO_ALIGN_CENTER, y);
		free(s);
	}
}

/* Lines (verticals between cells and the row's box) of a row part. */
static void row_box(Print *P, double y, double h)
{
	cairo_set_line_width(P->cr, RULE);
	set_black(P);
	cairo_rectangle(P->cr, P->left, y, P->width, h);
	for (size_t c = 1; c < P->ncols; c++) {
		cairo_move_to(P->cr, P->colx[c], y);
		cairo_line_to(P->cr, P->colx[c], y + h);
	}
	cairo_stroke(P->cr);
}

static void header_row(Print *P)
{
	if (P->cr) {
		cairo_set_source_rgb(P->cr, HEADER_RGB);
		cairo_rectangle(P->cr, P->left, P->y, P->width, P->head_h);
		cairo_fill(P->cr);
		set_black(P);
		for (size_t c = 0; c < P->ncols; c++) {
			double h = height_of(P->head[c]);
			double dy = (P->head_h - 2 * PAD_Y - h) / 2;
			draw_layout(P, P->head[c], P->colx[c] + PAD_X, P->y + PAD_Y + dy);
		}
		row_box(P, P->y, P->head_h);
	}
	P->y += P->head_h;
}

static void first_page_top(Print *P)
{
	const char *title = P->p->title && *P->p->title ? P->p->title : form_title(P->form);
	P->y += text_line(P, title, P->title_font, PANGO_ALIGN_CENTER, P->y);
	P->y += P->line_h / 2;
	if (P->agency || P->date) {
		double h = 0;
		if (P->agency) {
			char *s = xasprintf("%s%s", P->p->agency_caption, P->agency);
			h = text_line(P, s, P->font, PANGO_ALIGN_LEFT, P->y);
			free(s);
		}
		if (P->date) {
			char *s = xasprintf("%s%s", P->p->date_caption, P->date);
			double d = text_line(P, s, P->font, PANGO_ALIGN_RIGHT, P->y);
			h = d > h ? d : h;
			free(s);
		}
		P->y += h;
	}
	char *s = P->with_errors
			  ? xasprintf("共 %zu 筆記錄，其中 %zu 筆有錯誤：這是草稿，更正前請勿簽核 "
				      "(spmform check 可看是哪些問題)",
				      P->nrecs, P->with_errors)
			  : xasprintf("共 %zu 筆記錄，%zu 筆有錯誤", P->nrecs, P->with_errors);
	P->y += text_line(P, s, P->font, PANGO_ALIGN_LEFT, P->y);
	free(s);
	P->y += P->line_h / 2;
}

/* Sets each column's layout to record rec's value; returns the row's
 * height.  While measuring, a character the font lacks is reported. */
static double layout_record(Print *P, size_t rec)
{
	const Record *r = table_record_c(P->t, rec);
	double h = P->line_h;
	for (size_t c = 0; c < P->ncols; c++) {
		const char *v = r->cells[P->cols[c]];
		/* a choice is the form's own string: the same pointer, the same
		 * text, already laid out */
		if (v != P->cell_src[c]) {
			set_text(P->cell[c], v);
			P->cell_src[c] = v;
			P->cell_h[c] = height_of(P->cell[c]);
			if (P->measuring && *v && pango_layout_get_unknown_glyphs_count(P->cell[c]) > 0 &&
			    P->glyph_warnings++ < 20) {
				const FormField *f = form_field(P->form, P->cols[c]);
				diag_add(P->diags, DIAG_WARNING, r->line, 0, (long)rec, (int)P->cols[c],
					 "「%s」欄有字型「%s」沒有的字，會印成方框", f->label, P->family);
			}
		}
		if (P->cell_h[c] > h)
			h = P->cell_h[c];
	}
	return h + 2 * PAD_Y;
}

/* Draws the part of each cell's text from start[c] to end[c] in a row
 * part at P->y, ph tall. */
static void draw_row_part(Print *P, const double *start, const double *end, double ph)
{
	set_black(P);
	for (size_t c = 0; c < P->ncols; c++)
		if (end[c] > start[c])
			draw_lines(P, P->cell[c], P->colx[c] + PAD_X, P->y + PAD_Y, start[c], end[c]);
	row_box(P, P->y, ph);
}

static void record_row(Print *P, size_t rec)
{
	double h = layout_record(P, rec);
	if (P->y + h > P->bottom + EPS && P->rows_on_page > 0) {
		new_page(P);
		header_row(P);
	}
	double *start = xcalloc(P->ncols ? P->ncols : 1, sizeof *start);
	double *end = xcalloc(P->ncols ? P->ncols : 1, sizeof *end);
	for (;;) {
		double room = P->bottom - P->y - 2 * PAD_Y, rest = 0;
		bool done = true, moved = false;
		for (size_t c = 0; c < P->ncols; c++) {
			end[c] = cut_at(P->cell[c], P->cell_h[c], start[c], room);
			moved |= end[c] > start[c];
		}
		for (size_t c = 0; !moved && c < P->ncols; c++) /* a line taller than a page */
			if (start[c] < P->cell_h[c] - EPS)
				end[c] = next_line_end(P->cell[c], P->cell_h[c], start[c]);
		for (size_t c = 0; c < P->ncols; c++) {
			done &= end[c] >= P->cell_h[c] - EPS;
			if (P->cell_h[c] - start[c] > rest)
				rest = P->cell_h[c] - start[c];
		}
		/* the last part is as tall as what is left; the others fill the page */
		double ph = done ? rest : room;
		ph += 2 * PAD_Y;
		if (P->cr)
			draw_row_part(P, start, end, ph);
		P->y += ph;
		P->rows_on_page++;
		if (done)
			break;
		new_page(P);
		header_row(P);
		memcpy(start, end, P->ncols * sizeof *start);
	}
	free(start);
	free(end);
}

static void empty_row(Print *P)
{
	double h = P->line_h + 2 * PAD_Y;
	if (P->cr)
		row_box(P, P->y, h);
	P->y += h;
}

/* Makes room for a block h tall after the table: a new page when it does
 * not fit. */
static void room_for(Print *P, double h)
{
	if (P->y + h > P->bottom + EPS) {
		new_page(P);
	}
}

static void signature_boxes(Print *P)
{
	const FormPrint *p = P->p;
	double cap = P->line_h + 2 * PAD_Y;
	room_for(P, P->line_h + cap + SEAL_BOX);
	P->y += P->line_h;
	double w = P->width / (double)p->nsignatures;
	for (size_t k = 0; k < p->nsignatures; k++) {
		double x = P->left + w * (double)k;
		PangoLayout *l = new_layout(P, P->font, w - 2 * PAD_X, PANGO_ALIGN_CENTER);
		set_text(l, p->signatures[k]);
		if (P->cr) {
			cairo_set_source_rgb(P->cr, HEADER_RGB);
			cairo_rectangle(P->cr, x, P->y, w, cap);
			cairo_fill(P->cr);
			set_black(P);
			draw_layout(P, l, x + PAD_X, P->y + PAD_Y);
			cairo_set_line_width(P->cr, RULE);
			cairo_rectangle(P->cr, x, P->y, w, cap);
			cairo_rectangle(P->cr, x, P->y + cap, w, SEAL_BOX);
			cairo_stroke(P->cr);
		}
		g_object_unref(l);
	}
	P->y += cap + SEAL_BOX;
}

static void signature_lines(Print *P)
{
	const FormPrint *p = P->p;
	double h = (SIGN_ROOM + 1) * P->line_h;
	room_for(P, P->line_h + h);
	P->y += P->line_h;
	double slot = P->width / (double)p->nsign_lines;
	for (size_t k = 0; k < p->nsign_lines; k++) {
		/* right-aligned in its slot: caption, then the line to sign on */
		double end = P->left + slot * (double)(k + 1);
		double line0 = end - (SIGN_LINE < slot / 2 ? SIGN_LINE : slot / 2);
		PangoLayout *l = new_layout(P, P->font, line0 - (end - slot), PANGO_ALIGN_RIGHT);
		set_text(l, p->sign_lines[k]);
		if (P->cr) {
			double y = P->y + SIGN_ROOM * P->line_h;
			set_black(P);
			draw_layout(P, l, end - slot, y);
			double base = y + (double)pango_layout_get_baseline(l) / PANGO_SCALE;
			cairo_set_line_width(P->cr, RULE);
			cairo_move_to(P->cr, line0 + PAD_X, base + 1);
			cairo_line_to(P->cr, end, base + 1);
			cairo_stroke(P->cr);
		}
		g_object_unref(l);
	}
	P->y += h;
}

static void notes(Print *P)
{
	const FormPrint *p = P->p;
	P->y += P->line_h;
	if (p->notes_caption) {
		room_for(P, P->line_h);
		P->y += text_line(P, p->notes_caption, P->font, PANGO_ALIGN_LEFT, P->y);
	}
	for (size_t i = 0; i < p->nnotes; i++) {
		char *s = xasprintf("%zu. %s", i + 1, p->notes[i]);
		PangoLayout *l = new_layout(P, P->font, P->width, PANGO_ALIGN_LEFT);
		set_text(l, s);
		double h = height_of(l);
		room_for(P, h);
		if (P->cr) {
			set_black(P);
			draw_layout(P, l, P->left, P->y);
		}
		P->y += h;
		g_object_unref(l);
		free(s);
	}
}

/* One pass over everything: measuring (P->cr NULL) counts the pages;
 * drawing draws them. */
static void lay_out(Print *P)
{
	P->page = 0;
	for (size_t c = 0; c < P->ncols; c++)
		P->cell_src[c] = NULL;
	new_page(P);
	first_page_top(P);
	if (P->ncols) {
		header_row(P);
		for (size_t i = 0; i < P->nrecs; i++)
			record_row(P, P->recs[i]);
		if (P->nrecs == 0)
			empty_row(P);
	}
	if (P->p->nsignatures)
		signature_boxes(P);
	if (P->p->nsign_lines)
		signature_lines(P);
	if (P->p->nnotes)
		notes(P);
}

/* ---- the file ----------------------------------------------------------- */

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int len)
{
	Print *P = closure;
	if (P->write_failed)
		return CAIRO_STATUS_WRITE_ERROR;
	if (atomic_write(&P->af, (const char *)data, len, P->diags) != 0) {
		P->write_failed = true;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static void set_metadata(Print *P, cairo_surface_t *s)
{
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, form_title(P->form));
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "spmform " SPMFORM_VERSION);
	struct tm tm;
	char when[32];
	if (gmtime_r(&P->opt->date, &tm) && strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, when);
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, when);
	}
}

/* Draws the document into the temporary file; 0 or -1 with a diag. */
static int write_pdf(Print *P)
{
	cairo_surface_t *s =
	    cairo_pdf_surface_create_for_stream(write_out, P, P->page_w, P->page_h);
	cairo_pdf_surface_restrict_to_version(s, CAIRO_PDF_VERSION_1_5);
	set_metadata(P, s);
	P->cr = cairo_create(s);
	P->measuring = false;
	lay_out(P);
	cairo_status_t st = cairo_status(P->cr);
	cairo_destroy(P->cr);
	P->cr = NULL;
	cairo_surface_finish(s);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(s);
	cairo_surface_destroy(s);
	if (st != CAIRO_STATUS_SUCCESS) {
		if (!P->write_failed) /* atomic_write said why */
			diag_add(P->diags, DIAG_ERROR, 0, 0, -1, -1, "無法寫出 PDF：%s",
				 cairo_status_to_string(st));
		return -1;
	}
	return 0;
}

static void free_print(Print *P)
{
	for (size_t c = 0; c < P->ncols; c++) {
		if (P->cell[c])
			g_object_unref(P->cell[c]);
		if (P->head[c])
			g_object_unref(P->head[c]);
	}
	free(P->cell);
	free(P->cell_src);
	free(P->cell_h);
	free(P->head);
	free(P->cols);
	free(P->colx);
	free(P->colw);
	free(P->recs);
	free(P->agency);
	free(P->date);
	free(P->family);
	if (P->font)
		pango_font_description_free(P->font);
	if (P->title_font)
		pango_font_description_free(P->title_font);
	if (P->ctx)
		g_object_unref(P->ctx);
	if (P->map)
		g_object_unref(P->map);
	if (P->fc)
		FcConfigDestroy(P->fc); /* fontconfig's current one keeps it */
}

int print_pdf(const Table *t, const char *path, const PrintOptions *opt, bool backup,
	      PrintSummary *sum, DiagList *diags)
{
	Print P = {.t = t, .form = table_form(t), .opt = opt, .diags = diags};
	P.p = form_print(P.form);
	if (sum)
		*sum = (PrintSummary){0};
	int rc = -1;
	Capture cap; /* fontconfig's and Pango's complaints: not on the screen */
	capture_begin(&cap);
	if (open_fonts(&P) == 0) {
		collect(&P);
		set_geometry(&P);
		P.measuring = true;
		lay_out(&P);
		P.pages = P.page;
		if (atomic_begin(&P.af, path, -1, diags) == 0) {
			if (write_pdf(&P) == 0 && P.page == P.pages)
				rc = atomic_commit(&P.af, backup, diags);
			else
				atomic_abort(&P.af);
		}
	}
	char *printed = capture_end(&cap);
	if (printed)
		diag_add(diags, DIAG_WARNING, 0, 0, -1, -1, "字型程式庫的訊息：%s", printed);
	free(printed);
	if (sum) {
		sum->pages = P.pages;
		sum->records = P.nrecs;
		sum->with_errors = P.with_errors;
		sum->family = P.family ? xstrdup(P.family) : NULL;
	}
	free_print(&P);
	return rc;
}
