/* xlsxin.c - see xlsxin.h. */
#include "xlsxin.h"

#include <expat.h>
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
#include "value.h"
#include "zipxml.h"

/* Limits that keep a hostile file from exhausting memory or time, beyond
 * those of zipxml.h. */
#define XLSX_MAX_COLS 16384L                /* XFD, Excel's last column */
#define XLSX_MAX_ROWS 1048576L              /* Excel's last row */
#define XLSX_MAX_STRINGS ((size_t)1 << 24)  /* shared strings */

static const ZipxmlKind XLSX_KIND = {".xlsx", "活頁簿", "在 Excel 另存為「Excel 活頁簿 (*.xlsx)」"};

/* --- small helpers ------------------------------------------------------ */

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);
	return n >= m && strcmp(s + n - m, end) == 0;
}

/* Parses a decimal number 1..max (digits only); returns 0 when s is not
 * one. */
static long parse_index(const char *s, long max)
{
	long v = 0;
	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
		if (v > max)
			return 0;
	}
	return v;
}

/* Writes the letters of 0-based column col ("A", "AB") into out (>= 4). */
static void col_letters(long col, char *out)
{
	char tmp[4];
	int n = 0;
	for (col++; col > 0 && n < 3; col = (col - 1) / 26)
		tmp[n++] = (char)('A' + (col - 1) % 26);
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/* The 0-based column of a cell reference such as "C2" (letters, then a row
 * number), or -1 when ref is not one within XFD1048576. */
static long ref_column(const char *ref)
{
	long col = 0;
	int letters = 0;
	for (; (*ref >= 'A' && *ref <= 'Z') || (*ref >= 'a' && *ref <= 'z'); ref++) {
		if (++letters > 3)
			return -1;
		col = col * 26 + ((*ref | 0x20) - 'a' + 1);
	}
	if (letters == 0 || col > XLSX_MAX_COLS || parse_index(ref, XLSX_MAX_ROWS) == 0)
		return -1;
	return col - 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* The code unit of an escape _xHHHH_ at s[0..n), or -1. */
static long xescape_at(const char *s, size_t n)
{
	if (n < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_')
		return -1;
	long v = 0;
	for (int i = 2; i < 6; i++) {
		int h = hexval(s[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Decodes the _xHHHH_ escapes of an OOXML string (ST_Xstring): UTF-16
 * code units, surrogate pairs as two escapes.  A lone surrogate becomes
 * U+FFFD; _x0000_ stays as written (a cell cannot hold NUL). */
static char *xstring_decode(const char *s, size_t n)
{
	if (!memchr(s, '_', n))
		return xstrndup(s, n);
	ZipxmlBuf out = {0};
	zipxml_buf_add(&out, "", 0);
	size_t i = 0;
	while (i < n) {
		long u = xescape_at(s + i, n - i);
		if (u <= 0) {
			zipxml_buf_add(&out, s + i, 1);
			i++;
			continue;
		}
		uint32_t cp = (uint32_t)u;
		size_t used = 7;
		if (u >= 0xD800 && u <= 0xDBFF) {
			long lo = xescape_at(s + i + 7, n - i - 7);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + (((uint32_t)u - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
				used = 14;
			} else {
				cp = 0xFFFD;
			}
		} else if (u >= 0xDC00 && u <= 0xDFFF) {
			cp = 0xFFFD;
		}
		char enc[4];
		zipxml_buf_add(&out, enc, text_utf8_encode(cp, enc));
		i += used;
	}
	return out.s;
}

/* --- parts ---------------------------------------------------------------- */

/* Resolves a relationship target against the folder of its source part
 * ("" for the package): a target starting with "/" is from the package
 * root.  "." and ".." segments are resolved.  Returns a malloc'd part
 * name, or NULL when the target leaves the package or is empty. */
static char *resolve_target(const char *base_dir, const char *target)
{
	char *joined = target[0] == '/' ? xstrdup(target + 1)
					: xasprintf("%s%s%s", base_dir, *base_dir ? "/" : "", target);
	char *out = xmalloc(strlen(joined) + 1);
	size_t n = 0;
	for (char *seg = joined, *next; seg; seg = next) {
		char *slash = strchr(seg, '/');
		next = slash ? slash + 1 : NULL;
		size_t len = slash ? (size_t)(slash - seg) : strlen(seg);
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			if (n == 0) {
				free(joined);
				free(out);
				return NULL;
			}
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--; /* the slash */
			continue;
		}
		if (n > 0)
			out[n++] = '/';
		memcpy(out + n, seg, len);
		n += len;
	}
	out[n] = '\0';
	free(joined);
	if (n == 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* --- relationships (_rels/.rels, xl/_rels/workbook.xml.rels) --------------- */

typedef struct {
	char *id, *type, *target;
	bool external;
} Rel;

typedef struct {
	Rel *v;
	size_t n, cap;
} Rels;

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	ZipxmlPart *p = ud;
	Rels *r = p->state;
	if (p->stopped)
		return;
	if (++p->depth != 2 || strcmp(zipxml_local(name), "Relationship") != 0)
		return;
	const char *id = zipxml_attr(atts, "Id", false), *type = zipxml_attr(atts, "Type", false);
	const char *target = zipxml_attr(atts, "Target", false), *mode = zipxml_attr(atts, "TargetMode", false);
	if (!id || !type || !target)
		return;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 8;
		r->v = xrealloc(r->v, r->cap * sizeof *r->v);
	}
	r->v[r->n++] = (Rel){xstrdup(id), xstrdup(type), xstrdup(target),
			     mode && strcmp(mode, "External") == 0};
}

static void rels_free(Rels *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].id);
		free(r->v[i].type);
		free(r->v[i].target);
	}
	free(r->v);
	*r = (Rels){0};
}

static const Rel *rels_by_type(const Rels *r, const char *type_end)
{
	for (size_t i = 0; i < r->n; i++)
		if (!r->v[i].external && ends_with(r->v[i].type, type_end))
			return &r->v[i];
	return NULL;
}

/* --- the workbook part: its first sheet ------------------------------------ */

typedef struct {
	char *name, *rid; /* of the first <sheet>, or NULL */
	bool in_sheets;
} Workbook;

static void XMLCALL workbook_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	ZipxmlPart *p = ud;
	Workbook *w = p->state;
	const char *l = zipxml_local(name);
	if (p->stopped)
		return;
	if (++p->depth == 2 && strcmp(l, "sheets") == 0)
		w->in_sheets = true;
	else if (w->in_sheets && p->depth == 3 && strcmp(l, "sheet") == 0 && !w->rid) {
		const char *rid = zipxml_attr(atts, "id", true), *sname = zipxml_attr(atts, "name", false);
		if (!rid) {
			zipxml_fail(p, xstrdup("第一個 <sheet> 沒有 r:id"));
			return;
		}
		w->rid = xstrdup(rid);
		w->name = xstrdup(sname ? sname : "");
	}
}

static void XMLCALL workbook_end(void *ud, const XML_Char *name)
{
	ZipxmlPart *p = ud;
	if (!p->stopped && p->depth-- == 2 && strcmp(zipxml_local(name), "sheets") == 0)
		((Workbook *)p->state)->in_sheets = false;
}

/* --- shared strings ---------------------------------------------------------- */

typedef struct {
	ZipxmlBuf pool;       /* the decoded strings, each NUL-terminated */
	size_t *offset; /* of string i in pool */
	size_t n, cap;
	/* while reading */
	ZipxmlBuf text;
	int si_depth, t_depth, rph_depth; /* 0 = not inside */
} Strings;

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	(void)atts;
	ZipxmlPart *p = ud;
	Strings *s = p->state;
	const char *l = zipxml_local(name);
	if (p->stopped)
		return;
	p->depth++;
	if (!s->si_depth) {
		if (p->depth == 2 && strcmp(l, "si") == 0) {
			s->si_depth = p->depth;
			zipxml_buf_clear(&s->text);
		}
	} else if (!s->rph_depth && strcmp(l, "rPh") == 0) {
		s->rph_depth = p->depth; /* phonetic guide (furigana): not the text */
	} else if (!s->rph_depth && !s->t_depth && strcmp(l, "t") == 0) {
		s->t_depth = p->depth;
	}
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
	(void)name;
	ZipxmlPart *p = ud;
	Strings *s = p->state;
	if (p->stopped)
		return;
	if (p->depth == s->t_depth)
		s->t_depth = 0;
	else if (p->depth == s->rph_depth)
		s->rph_depth = 0;
	else if (p->depth == s->si_depth) {
		s->si_depth = 0;
		if (s->n == XLSX_MAX_STRINGS) {
			zipxml_fail(p, xasprintf("共用字串超過 %zu 個", XLSX_MAX_STRINGS));
		} else {
			if (s->n == s->cap) {
				s->cap = s->cap ? 2 * s->cap : 256;
				s->offset = xrealloc(s->offset, s->cap * sizeof *s->offset);
			}
			char *v = xstring_decode(zipxml_buf_str(&s->text), s->text.n);
			s->offset[s->n++] = s->pool.n;
			zipxml_buf_add(&s->pool, v, strlen(v) + 1);
			free(v);
		}
	}
	p->depth--;
}

static void XMLCALL sst_text(void *ud, const XML_Char *text, int len)
{
	Strings *s = ((ZipxmlPart *)ud)->state;
	if (s->t_depth) /* expat hands text in pieces: gather them */
		zipxml_buf_add(&s->text, text, (size_t)len);
}

static void strings_free(Strings *s)
{
	free(s->pool.s);
	free(s->offset);
	free(s->text.s);
}

/* --- the sheet ------------------------------------------------------------ */

typedef enum { T_NUMBER, T_SHARED, T_INLINE, T_STR, T_BOOL, T_OTHER } CellType;

typedef struct {
	RowSink *sink;
	const Form *form;
	const Strings *sst;
	DiagList *dl;
	locale_t cloc;
	int data_depth, row_depth, c_depth, v_depth, is_depth, t_depth, rph_depth;
	long row;      /* number of the current (or last) row */
	long col;      /* 0-based column of the current cell */
	long next_col; /* for a cell without r */
	CellType type;
	bool has_f;
	ZipxmlBuf v, is;
	ZipxmlBuf no_result; /* cells of the row: formulas without a cached result */
	/* the current row: cells[0..ncells) malloc'd or NULL (empty) */
	char **cells;
	size_t ncells, cap;
	bool have_header;
	size_t header_n; /* cells of the header row */
	size_t handed;   /* cells handed to the sink so far */
	size_t text;     /* bytes of text in the cells read so far */
} Sheet;

static void sheet_start_row(ZipxmlPart *p, Sheet *sh, const char **atts)
{
	const char *r = zipxml_attr(atts, "r", false);
	long row = r ? parse_index(r, XLSX_MAX_ROWS) : sh->row + 1;
	if (row == 0 || row > XLSX_MAX_ROWS) {
		char *clip = r ? text_clip(r, 40) : NULL;
		zipxml_fail(p, r ? xasprintf("列號「%s」不對 (應為 1 到 %ld)", clip, XLSX_MAX_ROWS)
			       : xasprintf("超過 %ld 列", XLSX_MAX_ROWS));
		free(clip);
		return;
	}
	sh->row = row;
	sh->row_depth = p->depth;
	sh->next_col = 0;
}

static void sheet_start_cell(ZipxmlPart *p, Sheet *sh, const char **atts)
{
	const char *r = zipxml_attr(atts, "r", false), *t = zipxml_attr(atts, "t", false);
	long col = r ? ref_column(r) : sh->next_col;
	if (col < 0 || col >= XLSX_MAX_COLS) {
		char *clip = r ? text_clip(r, 40) : NULL;
		zipxml_fail(p, r ? xasprintf("第 %ld 列的儲存格位置「%s」不對", sh->row, clip)
			       : xasprintf("第 %ld 列超過 %ld 欄", sh->row, XLSX_MAX_COLS));
		free(clip);
		return;
	}
	sh->col = col;
	sh->next_col = col + 1;
	sh->c_depth = p->depth;
	sh->type = !t || strcmp(t, "n") == 0 ? T_NUMBER
		   : strcmp(t, "s") == 0	 ? T_SHARED
		   : strcmp(t, "inlineStr") == 0 ? T_INLINE
		   : strcmp(t, "str") == 0	 ? T_STR
		   : strcmp(t, "b") == 0	 ? T_BOOL
					 : T_OTHER; /* e (error), d (ISO date) */
	sh->has_f = false;
	zipxml_buf_clear(&sh->v);
	zipxml_buf_clear(&sh->is);
}

/* The message for the cell at ref, whose text would pass the limit. */
static char *text_over(const char *ref)
{
	return xasprintf("儲存格 %s：工作表的文字合計超過 %zu MiB (共用字串被重複引用)，不讀取", ref,
			 ZIPXML_MAX_TEXT >> 20);
}

/* A number cell's text (malloc'd).  In a date field's column a number is
 * a date Excel stored as its serial (typed there, as the date validation
 * asks): the date then. */
static char *number_text(const Sheet *sh, const char *v, locale_t cloc)
{
	long f = rows_column_field(sh->sink, (size_t)sh->col);
	long day;
	if (f < 0 || form_field(sh->form, (size_t)f)->kind != KIND_DATE ||
	    !value_date_from_serial(v, &day))
		return zipxml_number_text(v, cloc);
	char out[16];
	value_date_format(day, false, out, sizeof out);
	return xstrdup(out);
}

/* The value of the cell just read (malloc'd; "" when empty), or NULL after
 * zipxml_fail. */
static char *sheet_cell_value(ZipxmlPart *p, Sheet *sh, const char *ref)
{
	const char *v = zipxml_buf_str(&sh->v);
	switch (sh->type) {
	case T_SHARED: {
		if (sh->v.n == 0)
			return xstrdup("");
		size_t i = 0;
		bool ok = sh->v.n <= 10;
		for (size_t k = 0; ok && k < sh->v.n; k++) {
			ok = v[k] >= '0' && v[k] <= '9';
			i = i * 10 + (size_t)(v[k] - '0');
		}
		if (!ok || i >= sh->sst->n) {
			char *clip = text_clip(v, 40);
			zipxml_fail(p, xasprintf("儲存格 %s 的共用字串編號「%s」超出範圍 (共有 %zu 個)", ref,
					       clip, sh->sst->n));
			free(clip);
			return NULL;
		}
		const char *str = sh->sst->pool.s + sh->sst->offset[i];
		if (strlen(str) > ZIPXML_MAX_TEXT - sh->text) { /* before it is copied */
			zipxml_fail(p, text_over(ref));
			return NULL;
		}
		return xstrdup(str);
	}
	case T_INLINE:
		return xstring_decode(zipxml_buf_str(&sh->is), sh->is.n);
	case T_STR:
		return xstring_decode(v, sh->v.n);
	case T_BOOL:
		return xstrdup(strcmp(v, "1") == 0 ? "TRUE" : strcmp(v, "0") == 0 ? "FALSE" : v);
	case T_NUMBER:
		if (sh->has_f && sh->v.n == 0) { /* reported with the row, if not blank */
			ZipxmlBuf *nr = &sh->no_result;
			if (nr->n >= 64) {
				if (!ends_with(nr->s, "…"))
					zipxml_buf_add(nr, "…", strlen("…"));
			} else {
				if (nr->n)
					zipxml_buf_add(nr, "、", strlen("、"));
				zipxml_buf_add(nr, ref, strlen(ref));
			}
		}
		return number_text(sh, v, sh->cloc);
	case T_OTHER:
		break;
	}
	return xstrdup(v);
}

static void sheet_end_cell(ZipxmlPart *p, Sheet *sh)
{
	char ref[32];
	col_letters(sh->col, ref);
	snprintf(ref + strlen(ref), sizeof ref - strlen(ref), "%ld", sh->row);
	char *val = sheet_cell_value(p, sh, ref);
	if (!val)
		return;
	if (!*val) { /* an empty cell is the same as a missing one */
		free(val);
		return;
	}
	/* a shared string can be used by any number of cells: the text
	 * they add up to is limited, not only the part */
	size_t len = strlen(val);
	if (len > ZIPXML_MAX_TEXT - sh->text) {
		free(val);
		zipxml_fail(p, text_over(ref));
		return;
	}
	sh->text += len;
	size_t col = (size_t)sh->col;
	if (col >= sh->cap) {
		size_t cap = sh->cap ? sh->cap : 32;
		while (cap <= col)
			cap *= 2;
		sh->cells = xrealloc(sh->cells, cap * sizeof *sh->cells);
		memset(sh->cells + sh->cap, 0, (cap - sh->cap) * sizeof *sh->cells);
		sh->cap = cap;
	}
	free(sh->cells[col]); /* a cell given twice: the last one counts */
	sh->cells[col] = val;
	if (col + 1 > sh->ncells)
		sh->ncells = col + 1;
}

static void sheet_end_row(ZipxmlPart *p, Sheet *sh)
{
	size_t n = sh->ncells;
	if (n > 0 && sh->no_result.n)
		diag_add(sh->dl, DIAG_WARNING, sh->row, 0, -1, -1,
			 "儲存格 %s 是公式，但檔案裡沒有計算結果 (請用 Excel 開啟後存檔一次)，當作空白",
			 sh->no_result.s);
	zipxml_buf_clear(&sh->no_result);
	if (n == 0)
		return; /* a blank row, as a blank line of a CSV file */
	if (sh->have_header && n < sh->header_n)
		n = sh->header_n;
	if (n > sh->cap) {
		sh->cells = xrealloc(sh->cells, n * sizeof *sh->cells);
		memset(sh->cells + sh->cap, 0, (n - sh->cap) * sizeof *sh->cells);
		sh->cap = n;
	}
	if (sh->handed + n > ZIPXML_MAX_CELLS) {
		diag_add(sh->dl, DIAG_ERROR, sh->row, 0, -1, -1,
			 "工作表太大：超過 %zu 個儲存格，不讀取", ZIPXML_MAX_CELLS);
		zipxml_stop(p);
		return;
	}
	sh->handed += n;
	for (size_t j = 0; j < n; j++)
		if (!sh->cells[j])
			sh->cells[j] = xstrdup("");
	if (!sh->have_header) {
		sh->have_header = true;
		sh->header_n = n;
	}
	rows_add(sh->sink, sh->cells, n, sh->row); /* takes the cells, NULLs them */
	sh->ncells = 0;
	if (rows_fatal(sh->sink))
		zipxml_stop(p);
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	ZipxmlPart *p = ud;
	Sheet *sh = p->state;
	const char *l = zipxml_local(name);
	if (p->stopped)
		return; /* expat may still call a handler or two after a stop */
	p->depth++;
	if (!sh->data_depth) {
		if (p->depth == 2 && strcmp(l, "sheetData") == 0)
			sh->data_depth = p->depth;
	} else if (!sh->row_depth) {
		if (p->depth == sh->data_depth + 1 && strcmp(l, "row") == 0)
			sheet_start_row(p, sh, atts);
	} else if (!sh->c_depth) {
		if (p->depth == sh->row_depth + 1 && strcmp(l, "c") == 0)
			sheet_start_cell(p, sh, atts);
	} else if (p->depth == sh->c_depth + 1) {
		if (strcmp(l, "v") == 0)
			sh->v_depth = p->depth;
		else if (strcmp(l, "is") == 0)
			sh->is_depth = p->depth;
		else if (strcmp(l, "f") == 0)
			sh->has_f = true;
	} else if (sh->is_depth && !sh->rph_depth) {
		if (strcmp(l, "rPh") == 0)
			sh->rph_depth = p->depth;
		else if (!sh->t_depth && strcmp(l, "t") == 0)
			sh->t_depth = p->depth;
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
	if (d == sh->t_depth)
		sh->t_depth = 0;
	else if (d == sh->rph_depth)
		sh->rph_depth = 0;
	else if (d == sh->is_depth)
		sh->is_depth = 0;
	else if (d == sh->v_depth)
		sh->v_depth = 0;
	else if (d == sh->c_depth) {
		sh->c_depth = 0;
		sheet_end_cell(p, sh);
	} else if (d == sh->row_depth) {
		sh->row_depth = 0;
		sheet_end_row(p, sh);
	} else if (d == sh->data_depth) {
		sh->data_depth = -1; /* done: a second <sheetData> is not read */
	}
}

static void XMLCALL sheet_text(void *ud, const XML_Char *text, int len)
{
	Sheet *sh = ((ZipxmlPart *)ud)->state;
	if (sh->v_depth)
		zipxml_buf_add(&sh->v, text, (size_t)len);
	else if (sh->t_depth)
		zipxml_buf_add(&sh->is, text, (size_t)len);
}

static void sheet_free(Sheet *sh)
{
	for (size_t j = 0; j < sh->cap; j++)
		free(sh->cells[j]);
	free(sh->cells);
	free(sh->v.s);
	free(sh->is.s);
	free(sh->no_result.s);
}

/* --- the workbook ------------------------------------------------------------- */

/* The folder of part name ("xl" for "xl/workbook.xml", "" at the root). */
static char *part_dir(const char *name)
{
	const char *slash = strrchr(name, '/');
	return slash ? xstrndup(name, (size_t)(slash - name)) : xstrdup("");
}

/* The relationships part of part name: "xl/_rels/workbook.xml.rels". */
static char *rels_name(const char *name)
{
	const char *slash = strrchr(name, '/');
	if (!slash)
		return xasprintf("_rels/%s.rels", name);
	return xasprintf("%.*s/_rels/%s.rels", (int)(slash - name), name, slash + 1);
}

/* Where the sheet and its strings are, found from the package's and the
 * workbook's relationships. */
typedef struct {
	char *title;      /* the first sheet's name */
	char *sheet_part; /* e.g. "xl/worksheets/sheet2.xml" */
	char *sst_part;   /* e.g. "xl/sharedStrings.xml" */
} Where;

static void where_free(Where *w)
{
	free(w->title);
	free(w->sheet_part);
	free(w->sst_part);
}

/* The workbook part: the package's officeDocument, else xl/workbook.xml.
 * NULL after a diag. */
static char *find_workbook(unzFile z, ZipxmlPart *p)
{
	Rels rels = {0};
	p->state = &rels;
	char *name = NULL;
	if (zipxml_parse(z, "_rels/.rels", false, p, rels_start, zipxml_end_depth, zipxml_no_text) >= 0) {
		const Rel *office = rels_by_type(&rels, "/officeDocument");
		name = office ? resolve_target("", office->target) : NULL;
		if (!name)
			name = xstrdup("xl/workbook.xml");
	}
	rels_free(&rels);
	return name;
}

/* Fills w from workbook part wb_name and its relationships; false after a
 * diag. */
static bool find_first_sheet(unzFile z, ZipxmlPart *p, const char *wb_name, Where *w)
{
	Workbook wb = {0};
	p->state = &wb;
	int found = zipxml_parse(z, wb_name, false, p, workbook_start, workbook_end, zipxml_no_text);
	if (found == 0)
		diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1, "這不是 Excel 活頁簿：ZIP 檔裡沒有 %s",
			 wb_name);
	if (found > 0 && !wb.rid)
		diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1, "活頁簿裡沒有任何工作表");
	if (found <= 0 || !wb.rid) {
		free(wb.name);
		free(wb.rid);
		return false;
	}
	w->title = text_clip(wb.name, 80);
	free(wb.name);

	char *dir = part_dir(wb_name), *rels_part = rels_name(wb_name);
	Rels rels = {0};
	p->state = &rels;
	if (zipxml_parse(z, rels_part, true, p, rels_start, zipxml_end_depth, zipxml_no_text) > 0) {
		const Rel *sheet = NULL;
		for (size_t i = 0; i < rels.n && !sheet; i++)
			if (strcmp(rels.v[i].id, wb.rid) == 0)
				sheet = &rels.v[i];
		if (!sheet || sheet->external)
			diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1,
				 "活頁簿損壞：第一個工作表「%s」(%s) 在 %s 裡%s", w->title, wb.rid,
				 rels_part, sheet ? "指向外部檔案" : "找不到");
		else if (ends_with(sheet->type, "/chartsheet"))
			diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1,
				 "第一個工作表「%s」是圖表，不是資料；請把資料工作表移到最前面", w->title);
		else if (!(w->sheet_part = resolve_target(dir, sheet->target)))
			diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1,
				 "活頁簿損壞：第一個工作表「%s」的位置不對", w->title);
		const Rel *sst = rels_by_type(&rels, "/sharedStrings");
		w->sst_part = sst ? resolve_target(dir, sst->target)
				  : xasprintf("%s%ssharedStrings.xml", dir, *dir ? "/" : "");
	}
	rels_free(&rels);
	free(rels_part);
	free(dir);
	free(wb.rid);
	return w->sheet_part != NULL;
}

/* Feeds the rows of the sheet to a RowSink on t; false after a diag. */
static bool read_sheet(unzFile z, ZipxmlPart *p, const Where *w, const Strings *sst,
		       const Form *form, Table *t)
{
	Sheet sh = {.dl = p->dl, .sst = sst};
	sh.sink = rows_new(form, t, p->dl);
	sh.form = form;
	sh.cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	p->state = &sh;
	bool ok = zipxml_parse(z, w->sheet_part, true, p, sheet_start, sheet_end, sheet_text) > 0;
	if (ok && !rows_have_header(sh.sink)) {
		diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1, "工作表「%s」是空的 (沒有標題列)", w->title);
		ok = false;
	}
	ok = ok && !rows_fatal(sh.sink);
	rows_free(sh.sink);
	if (sh.cloc)
		freelocale(sh.cloc);
	sheet_free(&sh);
	return ok;
}

/* Reads the first sheet of z into t; false after a diag. */
static bool read_workbook(unzFile z, const Form *form, Table *t, DiagList *dl)
{
	ZipxmlPart p = {.dl = dl};
	Where w = {0};
	Strings sst = {0};
	char *wb_name = find_workbook(z, &p);
	bool ok = wb_name && find_first_sheet(z, &p, wb_name, &w);
	if (ok) {
		p.progress_total = zipxml_part_size(z, w.sheet_part) + (w.sst_part ? zipxml_part_size(z, w.sst_part) : 0);
		p.progress_done = 0;
	}
	if (ok && w.sst_part) { /* a workbook without text cells has none */
		p.state = &sst;
		ok = zipxml_parse(z, w.sst_part, false, &p, sst_start, sst_end, sst_text) >= 0;
	}
	ok = ok && read_sheet(z, &p, &w, &sst, form, t);
	strings_free(&sst);
	where_free(&w);
	free(wb_name);
	return ok;
}

Table *xlsxin_load(const char *path, const Form *form, FileFormat out_fmt, DiagList *diags)
{
	if (!zipxml_check_file(path, &XLSX_KIND, diags))
		return NULL;
	unzFile z = unzOpen64(path);
	if (!z) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1,
			 "ZIP 結構損壞，無法當作 .xlsx 活頁簿讀取 (檔案不完整？)");
		return NULL;
	}
	Table *t = table_new(form);
	bool ok = read_workbook(z, form, t, diags);
	unzClose(z);
	if (!ok) {
		table_free(t);
		return NULL;
	}
	table_set_format(t, out_fmt);
	return t;
}
