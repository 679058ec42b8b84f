/* odsout.c - the .ods export: a layout (layout.h) written as an
 * OpenDocument spreadsheet with minizip and libxml2; see odsout.h. */
#include "odsout.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/xmlwriter.h>
#include <minizip/zip.h>

#include "atomic.h"
#include "layout.h"
#include "mem.h"
#include "text.h"

#ifndef SPMFORM_VERSION
#define SPMFORM_VERSION "0.1.0"
#endif

#define MIMETYPE "application/vnd.oasis.opendocument.spreadsheet"
#define ODF_VERSION "1.3"

/* The namespaces the parts use. */
static const char *const NAMESPACES[][2] = {
    {"office", "urn:oasis:names:tc:opendocument:xmlns:office:1.0"},
    {"style", "urn:oasis:names:tc:opendocument:xmlns:style:1.0"},
    {"text", "urn:oasis:names:tc:opendocument:xmlns:text:1.0"},
    {"table", "urn:oasis:names:tc:opendocument:xmlns:table:1.0"},
    {"fo", "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"},
    {"number", "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"},
    {"config", "urn:oasis:names:tc:opendocument:xmlns:config:1.0"},
    {"meta", "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"},
    {"of", "urn:oasis:names:tc:opendocument:xmlns:of:1.2"},
};

/* The cell styles, by LayoutStyle, and the text style of a column. */
static const char *const CELL_STYLE[LAYOUT_NSTYLES] = {
    [LAYOUT_TEXT] = "ceText",	  [LAYOUT_NUMBER] = "ceNumber", [LAYOUT_HEADER] = "ceHeader",
    [LAYOUT_TITLE] = "ceTitle",	  [LAYOUT_CAPTION] = "ceCaption", [LAYOUT_BOX] = "ceBox",
    [LAYOUT_NOTE] = "ceNote",	  [LAYOUT_BOLD] = "ceBold",
};

static char DV_ERROR_TITLE[] = "輸入錯誤";
static char DV_ERROR_MESSAGE[] = "請從下拉選單選擇";

/* ---- writing XML into a zip entry ---------------------------------------- */

typedef struct {
	zipFile zip;
	xmlTextWriterPtr w;
	bool err; /* a call failed: the package is not written */
	int zip_err; /* minizip's code of the first zip failure, or 0 */
	int sys_err; /* errno of the first failed write, or 0 */
} Out;

/* Notes the first failure of a minizip call (rc, with errno as the call
 * left it). */
static void zip_failed(Out *o, int rc)
{
	if (!o->zip_err) {
		o->zip_err = rc;
		o->sys_err = errno;
	}
	o->err = true;
}

static int zip_out_write(void *ctx, const char *buf, int len)
{
	Out *o = ctx;
	errno = 0;
	int rc = zipWriteInFileInZip(o->zip, buf, (unsigned)len);
	if (rc != ZIP_OK) {
		zip_failed(o, rc);
		return -1;
	}
	return len;
}

static int zip_out_close(void *ctx)
{
	(void)ctx;
	return 0;
}

static void ok(Out *o, int rc)
{
	if (rc < 0)
		o->err = true;
}

static void start(Out *o, const char *el)
{
	ok(o, xmlTextWriterStartElement(o->w, BAD_CAST el));
}

static void end(Out *o)
{
	ok(o, xmlTextWriterEndElement(o->w));
}

static void attr(Out *o, const char *name, const char *value)
{
	ok(o, xmlTextWriterWriteAttribute(o->w, BAD_CAST name, BAD_CAST value));
}

static void attrf(Out *o, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void attrf(Out *o, const char *name, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	attr(o, name, buf);
}

static void text(Out *o, const char *s, size_t n)
{
	if (n == 0)
		return;
	char small[256], *t = n < sizeof small ? small : xmalloc(n + 1);
	memcpy(t, s, n);
	t[n] = '\0';
	ok(o, xmlTextWriterWriteString(o->w, BAD_CAST t));
	if (t != small)
		free(t);
}

/* An element with nothing inside, and attributes name, value pairs. */
static void empty(Out *o, const char *el, ...)
{
	start(o, el);
	va_list ap;
	va_start(ap, el);
	for (const char *n; (n = va_arg(ap, const char *));)
		attr(o, n, va_arg(ap, const char *));
	va_end(ap);
	end(o);
}

/* A config:config-item of type and value. */
static void config_item(Out *o, const char *name, const char *type, const char *value)
{
	start(o, "config:config-item");
	attr(o, "config:name", name);
	attr(o, "config:type", type);
	text(o, value, strlen(value));
	end(o);
}

/* Starts entry name of the package (stored when store) and a writer for
 * it, its root element el with the namespaces; false on failure. */
static bool part_begin(Out *o, const char *name, const char *root)
{
	zip_fileinfo zi = {0};
	time_t now = time(NULL);
	struct tm tm;
	if (localtime_r(&now, &tm)) {
		zi.tmz_date = (tm_zip){(uInt)tm.tm_sec, (uInt)tm.tm_min, (uInt)tm.tm_hour,
				       (uInt)tm.tm_mday, (uInt)tm.tm_mon, (uInt)tm.tm_year + 1900};
	}
	errno = 0;
	int rc = zipOpenNewFileInZip64(o->zip, name, &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED,
				       Z_DEFAULT_COMPRESSION, 0);
	if (rc != ZIP_OK) {
		zip_failed(o, rc);
		return false;
	}
	xmlOutputBufferPtr buf = xmlOutputBufferCreateIO(zip_out_write, zip_out_close, o, NULL);
	o->w = buf ? xmlNewTextWriter(buf) : NULL; /* the writer owns buf */
	if (!o->w) {
		if (buf)
			xmlOutputBufferClose(buf);
		o->err = true;
		zipCloseFileInZip(o->zip);
		return false;
	}
	ok(o, xmlTextWriterStartDocument(o->w, "1.0", "UTF-8", NULL));
	start(o, root);
	for (size_t i = 0; i < sizeof NAMESPACES / sizeof *NAMESPACES; i++) {
		char *a = xasprintf("xmlns:%s", NAMESPACES[i][0]);
		attr(o, a, NAMESPACES[i][1]);
		free(a);
	}
	if (strcmp(root, "manifest:manifest") != 0)
		attr(o, "office:version", ODF_VERSION);
	return true;
}

static void part_end(Out *o)
{
	ok(o, xmlTextWriterEndDocument(o->w)); /* closes every element */
	ok(o, xmlTextWriterFlush(o->w));
	xmlFreeTextWriter(o->w); /* closes the output buffer */
	o->w = NULL;
	errno = 0;
	int rc = zipCloseFileInZip(o->zip);
	if (rc != ZIP_OK)
		zip_failed(o, rc);
}

/* The first entry: "mimetype", stored, no extra field (ODF 1.3 part 2,
 * 3.3), so that a program can tell the file by its first bytes. */
static void mimetype(Out *o)
{
	zip_fileinfo zi = {0};
	errno = 0;
	int rc = zipOpenNewFileInZip64(o->zip, "mimetype", &zi, NULL, 0, NULL, 0, NULL, 0, 0, 0);
	if (rc == ZIP_OK)
		rc = zipWriteInFileInZip(o->zip, MIMETYPE, (unsigned)strlen(MIMETYPE));
	if (rc != ZIP_OK)
		zip_failed(o, rc);
	errno = 0;
	rc = zipCloseFileInZip(o->zip);
	if (rc != ZIP_OK)
		zip_failed(o, rc);
}

static void manifest(Out *o)
{
	static const char *const parts[] = {"content.xml", "styles.xml", "settings.xml", "meta.xml"};
	if (!part_begin(o, "META-INF/manifest.xml", "manifest:manifest"))
		return;
	attr(o, "xmlns:manifest", "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0");
	attr(o, "manifest:version", ODF_VERSION);
	empty(o, "manifest:file-entry", "manifest:full-path", "/", "manifest:version", ODF_VERSION,
	      "manifest:media-type", MIMETYPE, (char *)NULL);
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
		empty(o, "manifest:file-entry", "manifest:full-path", parts[i],
		      "manifest:media-type", "text/xml", (char *)NULL);
	part_end(o);
}

static void meta(Out *o)
{
	if (!part_begin(o, "meta.xml", "office:document-meta"))
		return;
	start(o, "office:meta");
	start(o, "meta:generator");
	const char *gen = "spmform/" SPMFORM_VERSION;
	text(o, gen, strlen(gen));
	end(o);
	end(o);
	part_end(o);
}

/* ---- styles ----------------------------------------------------------------- */

/* Cell properties of a LayoutStyle: border, wrap, alignment, weight. */
static void cell_style(Out *o, LayoutStyle st)
{
	start(o, "style:style");
	attr(o, "style:name", CELL_STYLE[st]);
	attr(o, "style:family", "table-cell");
	attr(o, "style:parent-style-name", "Default");
	if (st == LAYOUT_TEXT)
		attr(o, "style:data-style-name", "NText");
	if (st == LAYOUT_NUMBER)
		attr(o, "style:data-style-name", "NNumber");
	bool border = st == LAYOUT_TEXT || st == LAYOUT_NUMBER || st == LAYOUT_HEADER ||
		      st == LAYOUT_CAPTION || st == LAYOUT_BOX;
	bool wrap = st == LAYOUT_TEXT || st == LAYOUT_HEADER || st == LAYOUT_TITLE ||
		    st == LAYOUT_NOTE;
	bool centre = st == LAYOUT_HEADER || st == LAYOUT_TITLE || st == LAYOUT_CAPTION;
	bool top = st == LAYOUT_TEXT || st == LAYOUT_NUMBER || st == LAYOUT_NOTE;
	bool bold = st == LAYOUT_HEADER || st == LAYOUT_TITLE || st == LAYOUT_CAPTION ||
		    st == LAYOUT_BOLD;
	start(o, "style:table-cell-properties");
	if (border)
		attr(o, "fo:border", "0.06pt solid #000000");
	if (wrap)
		attr(o, "fo:wrap-option", "wrap");
	if (st == LAYOUT_HEADER)
		attr(o, "fo:background-color", "#ddebf7");
	if (centre || top)
		attr(o, "style:vertical-align", centre ? "middle" : "top");
	if (centre || st == LAYOUT_NOTE)
		attr(o, "style:text-align-source", "fix");
	end(o);
	if (centre || st == LAYOUT_NOTE)
		empty(o, "style:paragraph-properties", "fo:text-align", centre ? "center" : "start",
		      (char *)NULL);
	if (bold || st == LAYOUT_TITLE) {
		start(o, "style:text-properties");
		if (bold) {
			attr(o, "fo:font-weight", "bold");
			attr(o, "style:font-weight-asian", "bold");
			attr(o, "style:font-weight-complex", "bold");
		}
		if (st == LAYOUT_TITLE) {
			attr(o, "fo:font-size", "14pt");
			attr(o, "style:font-size-asian", "14pt");
			attr(o, "style:font-size-complex", "14pt");
		}
		end(o);
	}
	end(o);
}

/* The distinct widths and heights of the layout, for their styles. */
typedef struct {
	double *v;
	size_t n, cap;
} Sizes;

static size_t size_index(Sizes *s, double v)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == v)
			return i;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 32;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n] = v;
	return s->n++;
}

/* A column width in Excel's units as LibreOffice sizes it: about 7
 * pixels a unit and 5 of padding, at 72 to the inch. */
static double width_inches(double w)
{
	return (w * 7 + 5) / 72;
}

typedef struct {
	const Layout *l;
	Sizes widths, heights;
} Styles;

static void automatic_styles(Out *o, Styles *st)
{
	start(o, "office:automatic-styles");
	/* data styles: "@" keeps what is typed as text, "0" an integer */
	start(o, "number:text-style");
	attr(o, "style:name", "NText");
	empty(o, "number:text-content", (char *)NULL);
	end(o);
	start(o, "number:number-style");
	attr(o, "style:name", "NNumber");
	empty(o, "number:number", "number:decimal-places", "0", "number:min-decimal-places", "0",
	      "number:min-integer-digits", "1", (char *)NULL);
	end(o);
	for (LayoutStyle s = 0; s < LAYOUT_NSTYLES; s++)
		cell_style(o, s);
	for (size_t i = 0; i < st->l->nsheets; i++) {
		const LayoutSheet *s = &st->l->sheets[i];
		for (size_t c = 0; c < s->ncols; c++)
			size_index(&st->widths, s->cols[c].width);
		for (size_t r = 0; r < s->nheights; r++)
			size_index(&st->heights, s->heights[r].points);
	}
	for (size_t i = 0; i < st->widths.n; i++) {
		start(o, "style:style");
		attrf(o, "style:name", "co%zu", i + 1);
		attr(o, "style:family", "table-column");
		start(o, "style:table-column-properties");
		attrf(o, "style:column-width", "%.4fin", width_inches(st->widths.v[i]));
		end(o);
		end(o);
	}
	for (size_t i = 0; i < st->heights.n; i++) {
		start(o, "style:style");
		attrf(o, "style:name", "ro%zu", i + 1);
		attr(o, "style:family", "table-row");
		start(o, "style:table-row-properties");
		attrf(o, "style:row-height", "%.2fpt", st->heights.v[i]);
		attr(o, "style:use-optimal-row-height", "false");
		end(o);
		end(o);
	}
	for (size_t i = 0; i < st->l->nsheets; i++) {
		const LayoutSheet *s = &st->l->sheets[i];
		start(o, "style:style");
		attrf(o, "style:name", "ta%zu", i + 1);
		attr(o, "style:family", "table");
		attrf(o, "style:master-page-name", "mp%zu", i + 1);
		empty(o, "style:table-properties", "table:display", s->hidden ? "false" : "true",
		      "style:writing-mode", "lr-tb", (char *)NULL);
		end(o);
	}
	end(o);
}

static void styles_part(Out *o, const Layout *l)
{
	if (!part_begin(o, "styles.xml", "office:document-styles"))
		return;
	start(o, "office:styles");
	empty(o, "style:style", "style:name", "Default", "style:family", "table-cell", (char *)NULL);
	end(o);
	/* a page layout and master page per sheet: A4 (210 x 297 mm) */
	start(o, "office:automatic-styles");
	for (size_t i = 0; i < l->nsheets; i++) {
		const LayoutSheet *s = &l->sheets[i];
		bool land = s->print && s->landscape;
		start(o, "style:page-layout");
		attrf(o, "style:name", "pm%zu", i + 1);
		start(o, "style:page-layout-properties");
		attr(o, "fo:page-width", land ? "29.7cm" : "21cm");
		attr(o, "fo:page-height", land ? "21cm" : "29.7cm");
		attr(o, "style:print-orientation", land ? "landscape" : "portrait");
		if (s->print && s->margin_lr > 0) {
			attrf(o, "fo:margin-left", "%.2fin", s->margin_lr);
			attrf(o, "fo:margin-right", "%.2fin", s->margin_lr);
			attrf(o, "fo:margin-top", "%.2fin", s->margin_tb);
			attrf(o, "fo:margin-bottom", "%.2fin", s->margin_tb);
		}
		if (s->print && s->fit_width) {
			attr(o, "style:scale-to-X", "1");
			attr(o, "style:scale-to-Y", "0");
		}
		if (s->print && s->center)
			attr(o, "style:table-centering", "horizontal");
		end(o);
		end(o);
	}
	end(o);
	start(o, "office:master-styles");
	for (size_t i = 0; i < l->nsheets; i++) {
		start(o, "style:master-page");
		attrf(o, "style:name", "mp%zu", i + 1);
		attrf(o, "style:page-layout-name", "pm%zu", i + 1);
		end(o);
	}
	end(o);
	part_end(o);
}

/* ---- settings: the frozen header, the sheet shown first --------------------- */

static void settings_part(Out *o, const Layout *l)
{
	if (!part_begin(o, "settings.xml", "office:document-settings"))
		return;
	start(o, "office:settings");
	start(o, "config:config-item-set");
	attr(o, "config:name", "ooo:view-settings");
	start(o, "config:config-item-map-indexed");
	attr(o, "config:name", "Views");
	start(o, "config:config-item-map-entry");
	config_item(o, "ViewId", "string", "view1");
	start(o, "config:config-item-map-named");
	attr(o, "config:name", "Tables");
	for (size_t i = 0; i < l->nsheets; i++) {
		const LayoutSheet *s = &l->sheets[i];
		if (!s->freeze_rows)
			continue;
		char rows[16];
		snprintf(rows, sizeof rows, "%u", (unsigned)s->freeze_rows);
		start(o, "config:config-item-map-entry");
		attr(o, "config:name", s->name);
		config_item(o, "HorizontalSplitMode", "short", "0");
		config_item(o, "VerticalSplitMode", "short", "2");
		config_item(o, "HorizontalSplitPosition", "int", "0");
		config_item(o, "VerticalSplitPosition", "int", rows);
		config_item(o, "ActiveSplitRange", "short", "2");
		config_item(o, "PositionLeft", "int", "0");
		config_item(o, "PositionRight", "int", "0");
		config_item(o, "PositionTop", "int", "0");
		config_item(o, "PositionBottom", "int", rows);
		end(o);
	}
	end(o);
	config_item(o, "ActiveTable", "string", l->sheets[l->active].name);
	end(o);
	end(o);
	end(o);
	part_end(o);
}

/* ---- content: the sheets ----------------------------------------------------- */

/* A sheet's name in a cell reference: 'name' with ' doubled. */
static char *quoted(const char *name)
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

static void col_letters(size_t col, char out[4])
{
	char tmp[4];
	size_t n = 0;
	for (size_t c = col + 1; c > 0 && n < 3; c = (c - 1) / 26)
		tmp[n++] = (char)('A' + (c - 1) % 26);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/* A bound of a validation as OpenFormula: 720, DATE(2024;5;1), TODAY(). */
static char *bound_formula(const LayoutDropdown *d, const LayoutBound *b)
{
	if (d->check != LAYOUT_DV_DATE)
		return xstrdup(b->text);
	return b->today ? xstrdup("TODAY()") : xasprintf("DATE(%d;%d;%d)", b->year, b->month, b->day);
}

/* The condition of a validation, as LibreOffice writes it (NULL for
 * LAYOUT_DV_ANY: no condition); vs is the value sheet's quoted name. */
static char *condition(const LayoutDropdown *d, const char *vs)
{
	if (d->check == LAYOUT_DV_ANY)
		return NULL;
	if (d->check == LAYOUT_DV_LIST) {
		char lc[4];
		col_letters(d->list, lc);
		return xasprintf("of:cell-content-is-in-list([$%s.$%s$2:.$%s$%zu])", vs, lc, lc,
				 d->nvalues + 1);
	}
	const char *is = d->check == LAYOUT_DV_WHOLE	 ? "of:cell-content-is-whole-number()"
			 : d->check == LAYOUT_DV_DECIMAL ? "of:cell-content-is-decimal-number()"
							 : "of:cell-content-is-date()";
	char *lo = d->min.present ? bound_formula(d, &d->min) : NULL;
	char *hi = d->max.present ? bound_formula(d, &d->max) : NULL;
	char *c = lo && hi ? xasprintf("%s and cell-content-is-between(%s,%s)", is, lo, hi)
		  : lo	   ? xasprintf("%s and cell-content()>=%s", is, lo)
			   : xasprintf("%s and cell-content()<=%s", is, hi);
	free(lo);
	free(hi);
	return c;
}

/* One validation, named "dvS_K" (sheet, validation). */
static void validation(Out *o, const LayoutDropdown *d, const char *sq, const char *vs, size_t sheet,
		       size_t k)
{
	char cc[4];
	col_letters(d->col, cc);
	start(o, "table:content-validation");
	attrf(o, "table:name", "dv%zu_%zu", sheet + 1, k + 1);
	char *cond = condition(d, vs);
	if (cond) {
		attr(o, "table:condition", cond);
		attr(o, "table:allow-empty-cell", "true");
	}
	free(cond);
	if (d->check == LAYOUT_DV_LIST)
		attr(o, "table:display-list", "unsorted");
	char *base = xasprintf("%s.%s%u", sq, cc, (unsigned)d->first_row + 1);
	attr(o, "table:base-cell-address", base);
	free(base);
	if (d->input_title) {
		start(o, "table:help-message");
		attr(o, "table:title", d->input_title);
		attr(o, "table:display", "true");
		start(o, "text:p");
		text(o, d->input_message, strlen(d->input_message));
		end(o);
		end(o);
	}
	if (d->check != LAYOUT_DV_ANY) {
		const char *msg = d->error_message ? d->error_message : DV_ERROR_MESSAGE;
		start(o, "table:error-message");
		attr(o, "table:message-type", "stop");
		attr(o, "table:title", DV_ERROR_TITLE);
		attr(o, "table:display", "true");
		start(o, "text:p");
		text(o, msg, strlen(msg));
		end(o);
		end(o);
	}
	end(o);
}

/* The validations of every sheet (a dropdown needs the value sheet). */
static void validations(Out *o, const Layout *l)
{
	char *vs = l->value_sheet >= 0 ? quoted(l->sheets[l->value_sheet].name) : NULL;
	bool any = false;
	for (size_t i = 0; i < l->nsheets; i++) {
		const LayoutSheet *s = &l->sheets[i];
		char *sq = s->ndropdowns ? quoted(s->name) : NULL;
		for (size_t k = 0; k < s->ndropdowns; k++) {
			if (!vs && s->dropdowns[k].check == LAYOUT_DV_LIST)
				continue;
			if (!any)
				start(o, "table:content-validations");
			any = true;
			validation(o, &s->dropdowns[k], sq, vs, i, k);
		}
		free(sq);
	}
	if (any)
		end(o);
	free(vs);
}

/* One paragraph of a cell: s[0..n) with the spaces XML would collapse
 * (at either end, or after another) as <text:s/> and tabs as <text:tab/>. */
static void paragraph(Out *o, const char *s, size_t n)
{
	start(o, "text:p");
	size_t i = 0, from = 0;
	while (i < n) {
		if (s[i] != ' ' && s[i] != '\t') {
			i++;
			continue;
		}
		text(o, s + from, i - from);
		if (s[i] == '\t') {
			empty(o, "text:tab", (char *)NULL);
			from = ++i;
			continue;
		}
		size_t k = i;
		while (k < n && s[k] == ' ')
			k++;
		size_t run = k - i;
		bool inside = i > 0 && k < n;
		if (inside) {
			text(o, " ", 1);
			run--;
		}
		if (run > 0) {
			start(o, "text:s");
			if (run > 1)
				attrf(o, "text:c", "%zu", run);
			end(o);
		}
		from = i = k;
	}
	text(o, s + from, n - from);
	end(o);
}

/* What goes into one cell of a row. */
typedef struct {
	const LayoutCell *cell; /* or NULL */
	bool covered;           /* inside a merged range, not its first cell */
	long dv;                /* index of the sheet's dropdown, or -1 */
} Slot;

static bool same_empty(const Slot *a, const Slot *b)
{
	return !a->cell && !b->cell && a->covered == b->covered && a->dv == b->dv;
}

/* A cell's style, value and text; the style is left out when it is its
 * column's own (text in a text column: most cells, 30 bytes each). */
static void cell_content(Out *o, const LayoutCell *c, bool text_column)
{
	if (!(c->style == LAYOUT_TEXT && text_column))
		attr(o, "table:style-name", CELL_STYLE[c->style]);
	if (c->last_col > c->col || c->last_row > c->row) {
		attrf(o, "table:number-columns-spanned", "%u", (unsigned)(c->last_col - c->col + 1));
		attrf(o, "table:number-rows-spanned", "%u", (unsigned)(c->last_row - c->row + 1));
	}
	if (!*c->text)
		return;
	if (c->style == LAYOUT_NUMBER) {
		attr(o, "office:value-type", "float");
		attr(o, "office:value", c->text);
	} else {
		attr(o, "office:value-type", "string");
	}
	/* a line break is a line break: CR LF, LF and CR each end a
	 * paragraph (XML has no CR that ODF keeps) */
	for (const char *p = c->text;;) {
		size_t n = strcspn(p, "\r\n");
		paragraph(o, p, n);
		if (!p[n])
			break;
		p += n + (p[n] == '\r' && p[n + 1] == '\n' ? 2 : 1);
	}
}

/* Writes the slots of one row (width of them), runs of the same empty
 * slot as one repeated cell. */
static void row_cells(Out *o, const LayoutSheet *sh, size_t sheet, const Slot *slots, size_t width)
{
	for (size_t c = 0; c < width;) {
		const Slot *s = &slots[c];
		size_t run = 1;
		while (c + run < width && same_empty(s, &slots[c + run]))
			run++;
		start(o, s->covered ? "table:covered-table-cell" : "table:table-cell");
		if (run > 1)
			attrf(o, "table:number-columns-repeated", "%zu", run);
		if (s->dv >= 0)
			attrf(o, "table:content-validation-name", "dv%zu_%ld", sheet + 1, s->dv + 1);
		if (s->cell)
			cell_content(o, s->cell, c < sh->ncols && sh->cols[c].text);
		end(o);
		c += run;
	}
}

/* The table's start: its name, style, print range and columns. */
static void sheet_head(Out *o, const LayoutSheet *s, size_t si, Styles *st)
{
	start(o, "table:table");
	attr(o, "table:name", s->name);
	attrf(o, "table:style-name", "ta%zu", si + 1);
	if (s->print && s->print_area) {
		char *q = quoted(s->name), lc[4];
		col_letters(s->print_last_col, lc);
		char *range = xasprintf("%s.A1:%s.%s%u", q, q, lc, (unsigned)s->print_last_row + 1);
		attr(o, "table:print-ranges", range);
		free(range);
		free(q);
	}
	for (size_t c = 0; c < s->ncols; c++) {
		start(o, "table:table-column");
		attrf(o, "table:style-name", "co%zu", size_index(&st->widths, s->cols[c].width) + 1);
		if (s->cols[c].text)
			attr(o, "table:default-cell-style-name", CELL_STYLE[LAYOUT_TEXT]);
		end(o);
	}
}

/* A walk down a sheet's rows: the cells (sorted by row) and heights
 * taken so far, the merged ranges, and the slots of the row at hand. */
typedef struct {
	const LayoutSheet *s;
	size_t width, nrows;    /* how far the columns and rows go */
	const LayoutCell **merged; /* the merged ranges (a few title, caption
				    * and note cells) */
	size_t nmerged;
	Slot *slots; /* width of them */
	size_t ci, hi; /* the next cell and height */
} Walk;

static Walk walk_begin(const LayoutSheet *s)
{
	Walk w = {.s = s, .width = s->ncols};
	for (size_t i = 0; i < s->ncells; i++) {
		const LayoutCell *c = &s->cells[i];
		w.width = c->last_col + 1 > w.width ? c->last_col + 1 : w.width;
		w.nrows = c->last_row + 1 > w.nrows ? c->last_row + 1 : w.nrows;
	}
	for (size_t k = 0; k < s->ndropdowns; k++) {
		const LayoutDropdown *d = &s->dropdowns[k];
		w.width = d->col + 1 > w.width ? d->col + 1 : w.width;
		w.nrows = d->last_row + 1 > w.nrows ? d->last_row + 1 : w.nrows;
	}
	if (w.width == 0)
		w.width = 1;
	w.merged = xcalloc(s->ncells ? s->ncells : 1, sizeof *w.merged);
	for (size_t i = 0; i < s->ncells; i++)
		if (s->cells[i].last_row > s->cells[i].row || s->cells[i].last_col > s->cells[i].col)
			w.merged[w.nmerged++] = &s->cells[i];
	w.slots = xcalloc(w.width, sizeof *w.slots);
	return w;
}

/* Fills w->slots for row r, taking its cells; true when the row is plain:
 * no cell, no merged range, only dropdowns. */
static bool walk_row(Walk *w, size_t r)
{
	const LayoutSheet *s = w->s;
	bool plain = true;
	for (size_t c = 0; c < w->width; c++)
		w->slots[c] = (Slot){NULL, false, -1};
	for (; w->ci < s->ncells && s->cells[w->ci].row == r; w->ci++)
		w->slots[s->cells[w->ci].col].cell = &s->cells[w->ci], plain = false;
	for (size_t i = 0; i < w->nmerged; i++) {
		const LayoutCell *m = w->merged[i];
		if (m->row > r || m->last_row < r)
			continue;
		for (size_t c = m->col; c <= m->last_col; c++)
			if (!(r == m->row && c == m->col))
				w->slots[c].covered = true, plain = false;
	}
	for (size_t k = 0; k < s->ndropdowns; k++) {
		const LayoutDropdown *d = &s->dropdowns[k];
		if (r >= d->first_row && r <= d->last_row)
			w->slots[d->col].dv = (long)k;
	}
	while (w->hi < s->nheights && s->heights[w->hi].row < r)
		w->hi++;
	return plain;
}

/* Whether plain row rr is written as plain row r is: no cell, height or
 * merged range, and in the same dropdowns. */
static bool walk_same(const Walk *w, size_t r, size_t rr)
{
	const LayoutSheet *s = w->s;
	if ((w->ci < s->ncells && s->cells[w->ci].row == rr) ||
	    (w->hi < s->nheights && s->heights[w->hi].row == rr))
		return false;
	for (size_t i = 0; i < w->nmerged; i++)
		if (w->merged[i]->row <= rr && w->merged[i]->last_row >= rr)
			return false;
	for (size_t k = 0; k < s->ndropdowns; k++) {
		const LayoutDropdown *d = &s->dropdowns[k];
		if ((r >= d->first_row && r <= d->last_row) != (rr >= d->first_row && rr <= d->last_row))
			return false;
	}
	return true;
}

static void sheet_table(Out *o, const Layout *l, size_t si, Styles *st)
{
	const LayoutSheet *s = &l->sheets[si];
	sheet_head(o, s, si, st);
	Walk w = walk_begin(s);
	for (size_t r = 0; r < w.nrows;) {
		bool plain = walk_row(&w, r);
		bool high = w.hi < s->nheights && s->heights[w.hi].row == r;
		/* rows with only dropdowns, alike and without a height: one
		 * repeated row */
		size_t repeat = 1;
		while (plain && !high && r + repeat < w.nrows && walk_same(&w, r, r + repeat))
			repeat++;
		bool header = s->print && s->repeat_row >= 0 && (size_t)s->repeat_row == r;
		if (header)
			start(o, "table:table-header-rows");
		start(o, "table:table-row");
		if (high)
			attrf(o, "table:style-name", "ro%zu",
			      size_index(&st->heights, s->heights[w.hi].points) + 1);
		if (repeat > 1)
			attrf(o, "table:number-rows-repeated", "%zu", repeat);
		row_cells(o, s, si, w.slots, w.width);
		end(o);
		if (header)
			end(o);
		r += repeat;
	}
	if (w.nrows == 0) { /* a table has at least one row */
		start(o, "table:table-row");
		empty(o, "table:table-cell", (char *)NULL);
		end(o);
	}
	free(w.slots);
	free(w.merged);
	end(o);
}

static void content_part(Out *o, const Layout *l)
{
	if (!part_begin(o, "content.xml", "office:document-content"))
		return;
	Styles st = {.l = l};
	automatic_styles(o, &st);
	start(o, "office:body");
	start(o, "office:spreadsheet");
	validations(o, l);
	for (size_t i = 0; i < l->nsheets && !o->err; i++)
		sheet_table(o, l, i, &st);
	end(o);
	end(o);
	part_end(o);
	free(st.widths.v);
	free(st.heights.v);
}

/* ---- the file ------------------------------------------------------------------ */

static void quiet_errors(void *ctx, const char *msg, ...)
{
	(void)ctx, (void)msg;
}

/* Writes the package into the file tmp.  Returns 0, or -1 with a diag. */
static int write_package(const Layout *l, const char *tmp, DiagList *diags)
{
	Out o = {0};
	xmlSetGenericErrorFunc(NULL, quiet_errors);
	o.zip = zipOpen64(tmp, APPEND_STATUS_CREATE);
	if (!o.zip) {
		o.err = true;
	} else {
		mimetype(&o);
		if (!o.err)
			manifest(&o);
		if (!o.err)
			content_part(&o, l);
		if (!o.err)
			styles_part(&o, l);
		if (!o.err)
			settings_part(&o, l);
		if (!o.err)
			meta(&o);
		errno = 0;
		int rc = zipClose(o.zip, NULL);
		if (rc != ZIP_OK)
			zip_failed(&o, rc);
	}
	xmlSetGenericErrorFunc(NULL, NULL);
	if (!o.err)
		return 0;
	const char *why = !o.zip ? "無法開啟暫存檔"
			  : o.sys_err ? strerror(o.sys_err)
			  : o.zip_err == ZIP_ERRNO ? "寫入失敗 (磁碟已滿或檔案太大？)"
			  : o.zip_err ? "ZIP 壓縮失敗"
				      : "XML 寫入失敗";
	diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "無法寫出 .ods：%s；原檔未更動", why);
	return -1;
}

int odsout_write(const Table *t, const char *path, bool backup, DiagList *diags)
{
	Layout *l = layout_build(t, ".ods", true, diags);
	if (!l)
		return -1;
	int rc = -1;
	AtomicFile a;
	if (atomic_begin(&a, path, -1, diags) == 0) {
		close(a.fd); /* minizip opens it by name and truncates it: the
			      * inode and its mode 0600 stay */
		a.fd = -1;
		if (write_package(l, a.tmp, diags) == 0)
			rc = atomic_commit(&a, backup, diags);
		else
			atomic_abort(&a);
	}
	layout_free(l);
	return rc;
}
