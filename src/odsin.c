/* odsin.c - see odsin.h. */
#include "odsin.h"

#include <locale.h>
#include <minizip/unzip.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "rows.h"
#include "text.h"
#include "zipxml.h"

#define NS_OFFICE "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define NS_TABLE "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
#define NS_TEXT "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#define NS_DRAW "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
#define NS_MANIFEST "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
#define MIMETYPE "application/vnd.oasis.opendocument.spreadsheet"

/* A sheet's size in LibreOffice 7.4 and Excel. */
#define ODS_MAX_ROWS 1048576L
#define ODS_MAX_COLS 16384L
/* content.xml holds every sheet, and ODF's XML is wordy (about 2 KB a
 * row of the inventory, as LibreOffice and spmform write it: 190 MB for
 * 100,000 rows): its limit is higher than other parts'.  What it may
 * expand into is limited by the cells and text handed on. */
#define ODS_MAX_CONTENT ((ZPOS64_T)1 << 30)
/* A repeat count beyond any sheet's size is read as this (and then hits
 * the limits above when the cell or row holds anything). */
#define ODS_MAX_REPEAT ((long)1 << 30)

static const ZipxmlKind ODS_KIND = {".ods", "試算表", "在 LibreOffice 另存為「ODF 試算表 (.ods)」"};

/* --- small helpers ------------------------------------------------------ */

/* A repeat count ("3"); 1 when absent or not a positive number. */
static long repeat_count(const char *v)
{
	if (!v || !*v)
		return 1;
	long n = 0;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return 1;
		n = n * 10 + (*v - '0');
		if (n > ODS_MAX_REPEAT)
			n = ODS_MAX_REPEAT;
	}
	return n > 0 ? n : 1;
}

/* --- content.xml: the first sheet ---------------------------------------- */

typedef struct {
	RowSink *sink;
	DiagList *dl;
	locale_t cloc;
	int body_depth, table_depth; /* office:spreadsheet; the first table:table
				      * (-1 once it has ended) */
	int row_depth, cell_depth, para_depth, skip_depth; /* 0 = not inside */
	char *title; /* the first sheet's name */
	long row;    /* rows of the sheet before the current one */
	long row_repeat;
	long col;    /* the current cell's column */
	long cell_repeat;
	char *value; /* the cell's value from its attributes, or NULL: its text */
	ZipxmlBuf text;    /* the cell's text */
	size_t paragraphs;
	size_t para_start; /* where the current paragraph's text starts */
	bool lit_space;    /* the text ends with a space of the XML text (one
			    * that white-space processing may drop) */
	/* the current row: cells[0..ncells) malloc'd or NULL (empty) */
	char **cells;
	size_t ncells, cap;
	size_t row_text; /* bytes of text in the row */
	bool have_header;
	size_t header_n; /* cells of the header row */
	size_t handed;   /* cells handed to the sink so far */
	size_t handed_text; /* bytes of text in them */
} Sheet;

/* Adds n bytes of s to the cell's text, within the limit; false after a
 * diag. */
static bool cell_text(ZipxmlPart *p, Sheet *sh, const char *s, size_t n)
{
	if (n > ZIPXML_MAX_TEXT - sh->text.n) {
		zipxml_fail(p, xasprintf("第 %ld 列的一格文字超過 %zu MiB", sh->row + 1,
					 ZIPXML_MAX_TEXT >> 20));
		return false;
	}
	zipxml_buf_add(&sh->text, s, n);
	return true;
}

static void start_row(Sheet *sh, const char **atts, int depth)
{
	sh->row_depth = depth;
	sh->row_repeat = repeat_count(zipxml_attr_ns(atts, NS_TABLE, "number-rows-repeated"));
	sh->col = 0;
	sh->row_text = 0;
}

/* The value a cell's attributes give it (malloc'd), or NULL when it is
 * its text. */
static char *attr_value(Sheet *sh, const char **atts)
{
	const char *type = zipxml_attr_ns(atts, NS_OFFICE, "value-type");
	const char *sv = zipxml_attr_ns(atts, NS_OFFICE, "string-value");
	if (!type || strcmp(type, "string") == 0)
		return sv ? xstrdup(sv) : NULL;
	if (strcmp(type, "float") == 0 || strcmp(type, "percentage") == 0 ||
	    strcmp(type, "currency") == 0) {
		const char *v = zipxml_attr_ns(atts, NS_OFFICE, "value");
		return v ? zipxml_number_text(v, sh->cloc) : NULL;
	}
	if (strcmp(type, "boolean") == 0) {
		const char *v = zipxml_attr_ns(atts, NS_OFFICE, "boolean-value");
		return v ? xstrdup(strcmp(v, "true") == 0 ? "TRUE" : strcmp(v, "false") == 0 ? "FALSE" : v)
			 : NULL;
	}
	const char *v = strcmp(type, "date") == 0   ? zipxml_attr_ns(atts, NS_OFFICE, "date-value")
			: strcmp(type, "time") == 0 ? zipxml_attr_ns(atts, NS_OFFICE, "time-value")
						    : NULL;
	return v ? xstrdup(v) : NULL;
}

static void start_cell(Sheet *sh, const char **atts, int depth, bool covered)
{
	sh->cell_depth = depth;
	sh->cell_repeat = repeat_count(zipxml_attr_ns(atts, NS_TABLE, "number-columns-repeated"));
	free(sh->value);
	sh->value = covered ? NULL : attr_value(sh, atts);
	zipxml_buf_clear(&sh->text);
	sh->paragraphs = 0;
}

static void end_cell(ZipxmlPart *p, Sheet *sh)
{
	char *v = sh->value ? sh->value : xstrdup(sh->text.cap ? sh->text.s : "");
	sh->value = NULL;
	long reps = sh->cell_repeat, col = sh->col;
	size_t len = strlen(v);
	if (col < ODS_MAX_COLS)
		sh->col = reps > ODS_MAX_COLS - col ? ODS_MAX_COLS : col + reps;
	if (len == 0) { /* an empty cell is the same as a missing one */
		free(v);
		return;
	}
	if (col >= ODS_MAX_COLS || reps > ODS_MAX_COLS - col) {
		free(v);
		zipxml_fail(p, xasprintf("第 %ld 列超過 %ld 欄", sh->row + 1, ODS_MAX_COLS));
		return;
	}
	/* repeated cells copy their text: the text they add up to is
	 * limited, not only the part */
	if ((size_t)reps > (ZIPXML_MAX_TEXT - sh->handed_text - sh->row_text) / len) {
		free(v);
		diag_add(sh->dl, DIAG_ERROR, sh->row + 1, 0, -1, -1,
			 "工作表太大：儲存格的文字超過 %zu MiB，不讀取", ZIPXML_MAX_TEXT >> 20);
		zipxml_stop(p);
		return;
	}
	sh->row_text += len * (size_t)reps;
	size_t last = (size_t)(col + reps);
	if (last > sh->cap) {
		size_t cap = sh->cap ? sh->cap : 32;
		while (cap < last)
			cap *= 2;
		sh->cells = xrealloc(sh->cells, cap * sizeof *sh->cells);
		memset(sh->cells + sh->cap, 0, (cap - sh->cap) * sizeof *sh->cells);
		sh->cap = cap;
	}
	for (size_t c = (size_t)col; c < last; c++) {
		free(sh->cells[c]);
		sh->cells[c] = c + 1 < last ? xstrdup(v) : v;
	}
	if (last > sh->ncells)
		sh->ncells = last;
}

static void end_row(ZipxmlPart *p, Sheet *sh)
{
	size_t n = sh->ncells;
	long reps = sh->row_repeat;
	if (n == 0) { /* blank rows, as blank lines of a CSV file */
		sh->row = reps > ODS_MAX_ROWS - sh->row ? ODS_MAX_ROWS : sh->row + reps;
		return;
	}
	if (sh->have_header && n < sh->header_n)
		n = sh->header_n;
	if (n > sh->cap) {
		sh->cells = xrealloc(sh->cells, n * sizeof *sh->cells);
		memset(sh->cells + sh->cap, 0, (n - sh->cap) * sizeof *sh->cells);
		sh->cap = n;
	}
	size_t *lens = xmalloc(n * sizeof *lens);
	for (size_t j = 0; j < n; j++) {
		if (!sh->cells[j])
			sh->cells[j] = xstrdup("");
		lens[j] = strlen(sh->cells[j]);
	}
	for (long k = 0; k < reps && !p->stopped; k++) {
		if (sh->row >= ODS_MAX_ROWS) {
			zipxml_fail(p, xasprintf("超過 %ld 列", ODS_MAX_ROWS));
			break;
		}
		sh->row++;
		if (sh->handed + n > ZIPXML_MAX_CELLS || sh->row_text > ZIPXML_MAX_TEXT - sh->handed_text) {
			diag_add(sh->dl, DIAG_ERROR, sh->row, 0, -1, -1,
				 sh->handed + n > ZIPXML_MAX_CELLS
				     ? "工作表太大：超過 %zu 個儲存格，不讀取"
				     : "工作表太大：儲存格的文字超過 %zu MiB，不讀取",
				 sh->handed + n > ZIPXML_MAX_CELLS ? ZIPXML_MAX_CELLS
								   : ZIPXML_MAX_TEXT >> 20);
			zipxml_stop(p);
			break;
		}
		sh->handed += n;
		sh->handed_text += sh->row_text;
		if (!sh->have_header) {
			sh->have_header = true;
			sh->header_n = n;
		}
		rows_add_view(sh->sink, (const char *const *)sh->cells, lens, n, sh->row);
		if (rows_fatal(sh->sink))
			zipxml_stop(p);
	}
	free(lens);
	for (size_t j = 0; j < sh->cap; j++) {
		free(sh->cells[j]);
		sh->cells[j] = NULL;
	}
	sh->ncells = 0;
}

static bool in_text(const char *name)
{
	return zipxml_is(name, NS_TEXT, "p") || zipxml_is(name, NS_TEXT, "h");
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	ZipxmlPart *p = ud;
	Sheet *sh = p->state;
	if (p->stopped)
		return; /* expat may still call a handler or two after a stop */
	int d = ++p->depth;
	if (sh->skip_depth || sh->table_depth < 0)
		return;
	if (!sh->body_depth) {
		if (d == 3 && zipxml_is(name, NS_OFFICE, "spreadsheet"))
			sh->body_depth = d;
	} else if (!sh->table_depth) {
		if (d == sh->body_depth + 1 && zipxml_is(name, NS_TABLE, "table")) {
			sh->table_depth = d;
			const char *t = zipxml_attr_ns(atts, NS_TABLE, "name");
			sh->title = text_clip(t ? t : "", 80);
		}
	} else if (!sh->row_depth) {
		if (zipxml_is(name, NS_TABLE, "table-row"))
			start_row(sh, atts, d);
	} else if (!sh->cell_depth) {
		if (d == sh->row_depth + 1 && zipxml_is(name, NS_TABLE, "table-cell"))
			start_cell(sh, atts, d, false);
		else if (d == sh->row_depth + 1 && zipxml_is(name, NS_TABLE, "covered-table-cell"))
			start_cell(sh, atts, d, true);
	} else if (zipxml_is(name, NS_OFFICE, "annotation") ||
		   strncmp(name, NS_DRAW, strlen(NS_DRAW)) == 0) {
		sh->skip_depth = d; /* a comment or a drawing: not the cell's text */
	} else if (!sh->para_depth) {
		if (in_text(name)) {
			if (sh->paragraphs++ > 0)
				cell_text(p, sh, "\n", 1);
			sh->para_depth = d;
			sh->para_start = sh->text.n;
			sh->lit_space = false;
		}
	} else if (zipxml_is(name, NS_TEXT, "s")) {
		long c = repeat_count(zipxml_attr_ns(atts, NS_TEXT, "c"));
		if ((size_t)c > ZIPXML_MAX_TEXT - sh->text.n) {
			zipxml_fail(p, xasprintf("第 %ld 列的 <text:s text:c=\"%ld\"/> 超過文字上限 %zu MiB",
						 sh->row + 1, c, ZIPXML_MAX_TEXT >> 20));
			return;
		}
		char spaces[64];
		memset(spaces, ' ', sizeof spaces);
		for (long left = c; left > 0 && !p->stopped; left -= (long)sizeof spaces)
			cell_text(p, sh, spaces, left < (long)sizeof spaces ? (size_t)left : sizeof spaces);
		sh->lit_space = false;
	} else if (zipxml_is(name, NS_TEXT, "tab")) {
		cell_text(p, sh, "\t", 1);
		sh->lit_space = false;
	} else if (zipxml_is(name, NS_TEXT, "line-break")) {
		cell_text(p, sh, "\n", 1);
		sh->lit_space = false;
	}
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
	(void)name;
	ZipxmlPart *p = ud;
	Sheet *sh = p->state;
	if (p->stopped)
		return;
	int d = p->depth--;
	if (sh->skip_depth) {
		if (d == sh->skip_depth)
			sh->skip_depth = 0;
	} else if (d == sh->para_depth) {
		sh->para_depth = 0;
		if (sh->lit_space) /* white space ending a paragraph is dropped */
			sh->text.s[--sh->text.n] = '\0';
	} else if (d == sh->cell_depth) {
		sh->cell_depth = 0;
		end_cell(p, sh);
	} else if (d == sh->row_depth) {
		sh->row_depth = 0;
		end_row(p, sh);
	} else if (d == sh->table_depth) {
		sh->table_depth = -1; /* done: the other sheets are not read */
		zipxml_finish(p);
	}
}

/* Text of a paragraph, with ODF's white-space processing (ODF 1.3 part
 * 3, 6.1.2): a tab, CR or LF of the XML text is a space, and a space that
 * follows another or starts or ends the paragraph is dropped; spaces the
 * writer meant are <text:s/>.  expat hands text in pieces: they are
 * gathered. */
static void XMLCALL sheet_text(void *ud, const XML_Char *s, int len)
{
	ZipxmlPart *p = ud;
	Sheet *sh = p->state;
	if (p->stopped || !sh->para_depth || sh->skip_depth || sh->table_depth <= 0)
		return;
	size_t n = (size_t)len, from = 0;
	for (size_t i = 0; i < n && !p->stopped; i++) {
		char c = s[i];
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			continue;
		if (i > from) {
			cell_text(p, sh, s + from, i - from);
			sh->lit_space = false;
		}
		from = i + 1;
		bool after_space = sh->text.n > sh->para_start && sh->text.s[sh->text.n - 1] == ' ';
		if (sh->text.n > sh->para_start && !after_space) {
			cell_text(p, sh, " ", 1);
			sh->lit_space = true;
		}
	}
	if (n > from && !p->stopped) {
		cell_text(p, sh, s + from, n - from);
		sh->lit_space = false;
	}
}

static void sheet_free(Sheet *sh)
{
	for (size_t j = 0; j < sh->cap; j++)
		free(sh->cells[j]);
	free(sh->cells);
	free(sh->value);
	free(sh->text.s);
	free(sh->title);
}

/* --- the package ------------------------------------------------------------- */

static void XMLCALL manifest_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	(void)atts;
	ZipxmlPart *p = ud;
	p->depth++;
	if (!p->stopped && zipxml_is(name, NS_MANIFEST, "encryption-data"))
		*(bool *)p->state = true;
}

/* Whether the package is a spreadsheet that can be read: its mimetype (when
 * it has one), its manifest (no encryption), content.xml there.  false
 * after a diag. */
static bool check_package(unzFile z, ZipxmlPart *p)
{
	if (unzLocateFile(z, "mimetype", 1) == UNZ_OK && unzOpenCurrentFile(z) == UNZ_OK) {
		char mt[128];
		int got = unzReadCurrentFile(z, mt, sizeof mt - 1);
		unzCloseCurrentFile(z);
		mt[got > 0 ? got : 0] = '\0';
		if (got > 0 && strcmp(mt, MIMETYPE) != 0 && strcmp(mt, MIMETYPE "-template") != 0) {
			char *e = text_escape(mt);
			diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1,
				 "這不是 OpenDocument 試算表 (檔案種類是 %s)；請在 LibreOffice Calc 另存為 .ods", e);
			free(e);
			return false;
		}
	}
	bool encrypted = false;
	p->state = &encrypted;
	if (zipxml_parse(z, "META-INF/manifest.xml", false, p, manifest_start, zipxml_end_depth, zipxml_no_text) < 0)
		return false;
	if (encrypted) {
		diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1,
			 "試算表設了開啟密碼 (已加密)，無法讀取；請在 LibreOffice 另存新檔，不勾選「以密碼儲存」");
		return false;
	}
	if (unzLocateFile(z, "content.xml", 2) != UNZ_OK) {
		bool xlsx = unzLocateFile(z, "xl/workbook.xml", 2) == UNZ_OK;
		diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1,
			 xlsx ? "這是 .xlsx 活頁簿，不是 .ods 試算表；請把檔名改為 .xlsx"
			      : "這不是 .ods 試算表：ZIP 檔裡沒有 content.xml");
		return false;
	}
	return true;
}

/* Feeds the rows of the first sheet to a RowSink on t; false after a diag. */
static bool read_sheet(unzFile z, ZipxmlPart *p, const Form *form, Table *t)
{
	Sheet sh = {.dl = p->dl};
	sh.sink = rows_new(form, t, p->dl);
	sh.cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	p->state = &sh;
	p->progress_total = zipxml_part_size(z, "content.xml");
	p->progress_done = 0;
	p->max_size = ODS_MAX_CONTENT;
	bool ok = zipxml_parse(z, "content.xml", true, p, sheet_start, sheet_end, sheet_text) > 0;
	p->max_size = 0;
	if (ok && !sh.title) {
		diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1, "試算表裡沒有任何工作表");
		ok = false;
	}
	if (ok && !rows_have_header(sh.sink)) {
		diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1, "工作表「%s」是空的 (沒有標題列)", sh.title);
		ok = false;
	}
	ok = ok && !rows_fatal(sh.sink);
	rows_free(sh.sink);
	if (sh.cloc)
		freelocale(sh.cloc);
	sheet_free(&sh);
	return ok;
}

Table *odsin_load(const char *path, const Form *form, FileFormat out_fmt, DiagList *diags)
{
	if (!zipxml_check_file(path, &ODS_KIND, diags))
		return NULL;
	unzFile z = unzOpen64(path);
	if (!z) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1,
			 "ZIP 結構損壞，無法當作 .ods 試算表讀取 (檔案不完整？)");
		return NULL;
	}
	ZipxmlPart p = {.dl = diags};
	Table *t = table_new(form);
	bool ok = check_package(z, &p) && read_sheet(z, &p, form, t);
	unzClose(z);
	if (!ok) {
		table_free(t);
		return NULL;
	}
	table_set_format(t, out_fmt);
	return t;
}
