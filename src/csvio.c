/* csvio.c - see csvio.h. */
#include "csvio.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "cp950.h"
#include "mem.h"
#include "progress.h"
#include "rows.h"
#include "rules.h"
#include "text.h"

/* A text is read in blocks of this many bytes, unless the source says. */
#define BLOCK_DEFAULT ((size_t)1 << 20)

/* Input is handed to libcsv in pieces of at most this many bytes. */
#define CSV_PIECE ((size_t)1 << 16)

/* Larger files are refused rather than read. */
#define CSV_MAX_SIZE ((size_t)1 << 31)

/* --- the bytes ------------------------------------------------------------ */

/* Where the bytes come from: a file (read with pread) or text in memory. */
typedef struct {
	int fd; /* -1: mem */
	const char *mem;
	size_t size;
} Input;

/* Opens src.  A FIFO or a device is refused before it is read (opening
 * does not wait for a writer: O_NONBLOCK).  false with a diag. */
static bool input_open(Input *in, const CsvSource *src, DiagList *dl)
{
	*in = (Input){.fd = -1, .mem = src->data, .size = src->len};
	if (!src->path)
		return true;
	in->fd = open(src->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	const char *why = in->fd < 0 ? "無法開啟" : fstat(in->fd, &st) != 0 ? "無法讀取" : NULL;
	if (why)
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "%s：%s", why, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1,
			 S_ISDIR(st.st_mode) ? "這是資料夾，不是檔案" : "不是一般檔案");
	else if ((size_t)st.st_size > CSV_MAX_SIZE)
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "檔案太大 (%lld 位元組)",
			 (long long)st.st_size);
	else {
		in->size = (size_t)st.st_size;
		return true;
	}
	if (in->fd >= 0)
		close(in->fd);
	in->fd = -1;
	return false;
}

static void input_close(Input *in)
{
	if (in->fd >= 0)
		close(in->fd);
}

/* Reads up to n bytes at offset off (fewer only at the end); -1 on error. */
static ssize_t input_read(const Input *in, char *buf, size_t n, size_t off)
{
	if (in->fd < 0) {
		size_t k = off >= in->size ? 0 : in->size - off < n ? in->size - off : n;
		memcpy(buf, in->mem + off, k);
		return (ssize_t)k;
	}
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(in->fd, buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* The line separator: LF, or CR for a text that has no LF (old Mac Excel). */
static char input_line_sep(const Input *in)
{
	char b[1 << 16];
	bool cr = false;
	ssize_t got;
	for (size_t off = 0; (got = input_read(in, b, sizeof b, off)) > 0; off += (size_t)got) {
		if (memchr(b, '\n', (size_t)got))
			return '\n';
		cr = cr || memchr(b, '\r', (size_t)got);
	}
	return cr ? '\r' : '\n';
}

/* --- the place of a byte --------------------------------------------------- */

typedef struct {
	long line; /* 1-based */
	long byte; /* 1-based byte within the line */
} Place;

/* The place of raw[at], in a block whose first byte is on line line, after
 * line_bytes bytes of that line in earlier blocks. */
static Place block_place(const char *raw, size_t at, char sep, long line, long line_bytes)
{
	size_t start = 0;
	for (size_t i = 0; i < at; i++)
		if (raw[i] == sep) {
			line++;
			start = i + 1;
			line_bytes = 0;
		}
	return (Place){line, line_bytes + (long)(at - start) + 1};
}

/* Big5 user-defined areas (造字), which no standard table maps. */
static bool big5_eudc(const unsigned char *b, size_t n)
{
	if (n < 2)
		return false;
	unsigned v = (unsigned)b[0] << 8 | b[1];
	return (v >= 0xFA40 && v <= 0xFEFE) || (v >= 0x8E40 && v <= 0xA0FE) ||
	       (v >= 0x8140 && v <= 0x8DFE);
}

/* Bytes at the end of buf[0..n) that begin a UTF-8 character the buffer
 * cuts off (0 to 3): they wait for the next block. */
static size_t cut_tail(const char *buf, size_t n)
{
	for (size_t k = 1; k <= 3 && k <= n; k++) {
		unsigned char c = (unsigned char)buf[n - k];
		if ((c & 0xC0) == 0x80)
			continue; /* a continuation byte: look further back */
		size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
		return need > k ? k : 0;
	}
	return 0;
}

/* --- the reader ------------------------------------------------------------ */

/* Where a reading of the text as UTF-8 failed, for the CP950 reading that
 * follows it: when that fails too, and UTF-8 other than ASCII came before
 * the bad byte, the text was meant to be UTF-8 and this is what is said. */
typedef struct {
	Place at;
	unsigned char c;
	bool meant; /* non-ASCII UTF-8 came before it */
} Utf8Fail;

typedef struct {
	const Form *form;
	RowSink *sink;
	DiagList *dl;
	Cp950 *cv;		/* reading CP950: cells converted as copied */
	const Utf8Fail *utf8;	/* the UTF-8 reading's failure, then */
	bool saw_non_ascii;	/* reading UTF-8: a byte above 0x7F so far */
	bool failed;		/* a diag says why the reading ends */
	/* the row being read: its cells copied out of libcsv's reused buffer
	 * into text (a NUL after each), reused from row to row */
	char *text;
	size_t used, cap;
	size_t *off, *len;
	const char **cell;
	size_t nrow, caprow;
	long row_line; /* the line where the row began */
	/* libcsv, fed a line at a time: a record begins on the line at whose
	 * start the parser was between rows */
	struct csv_parser p;
	char sep;
	long line;	    /* lines begun so far */
	bool at_line_start; /* the next byte fed begins a line */
	long line_chars;    /* characters of the current line fed so far */
	long line_bytes;    /* and bytes */
	bool lead_counted;  /* CP950: the last byte counted was a lead byte */
} Reader;

/* Room for another field of len bytes (and its NUL). */
static void reader_grow(Reader *r, size_t len)
{
	if (r->nrow == r->caprow) {
		r->caprow = r->caprow ? 2 * r->caprow : 32;
		r->off = xrealloc(r->off, r->caprow * sizeof *r->off);
		r->len = xrealloc(r->len, r->caprow * sizeof *r->len);
		r->cell = xrealloc(r->cell, r->caprow * sizeof *r->cell);
	}
	while (r->cap - r->used < len + 1)
		r->text = xrealloc(r->text, r->cap = r->cap ? 2 * r->cap : 4096);
}

static void field_done(Reader *r, size_t n)
{
	r->text[r->used + n] = '\0';
	r->off[r->nrow] = r->used;
	r->len[r->nrow++] = n;
	r->used += n + 1;
}

static void on_field(void *data, size_t len, void *ctx)
{
	Reader *r = ctx;
	if (!data)
		len = 0;
	if (r->nrow == r->caprow || r->cap - r->used < len + 1)
		reader_grow(r, len);
	if (len) /* libcsv reuses its buffer: copy now */
		memcpy(r->text + r->used, data, len);
	field_done(r, len);
}

/* Counts the line ends of s[0..n). */
static long lines_in(const char *s, size_t n, char sep)
{
	long k = 0;
	for (const char *p = s; (p = memchr(p, sep, (size_t)(s + n - p))); p++)
		k++;
	return k;
}

/* Says that the cell data[0..len), the field after the r->nrow fields of
 * the row so far, is not CP950; or, when the text was meant to be UTF-8,
 * where it is not UTF-8. */
static void report_cp950_cell(Reader *r, const char *data, size_t len)
{
	r->failed = true;
	if (r->utf8->meant) {
		diag_add(r->dl, DIAG_ERROR, r->utf8->at.line, 0, -1, -1,
			 "第 %ld 個位元組 (0x%02X) 不是有效的 UTF-8 (整個檔案也不是 CP950/Big5)",
			 r->utf8->at.byte, r->utf8->c);
		return;
	}
	/* how far it converts, and what it gives up to there */
	char *out = xmalloc(CP950_ROOM(len) + 1), *ip = (char *)data, *op = out;
	size_t il = len, ol = CP950_ROOM(len);
	cp950_conv(r->cv, &ip, &il, &op, &ol);
	size_t bad = (size_t)(ip - data);
	*op = '\0';
	long line = r->row_line + lines_in(r->text, r->used, r->sep) + lines_in(data, bad, r->sep);
	const unsigned char *b = (const unsigned char *)data + bad;
	const char *eudc = big5_eudc(b, len - bad) ? "：這是 Big5 造字區的字，沒有標準的對應" : "";
	const char *nl = strrchr(out, r->sep);
	char *after = text_tail(nl ? nl + 1 : out, 30);
	if (*after)
		diag_add(r->dl, DIAG_ERROR, line, 0, -1, -1,
			 "第 %zu 欄「%s」之後的位元組 0x%02X 無法以 CP950/Big5 讀取%s (整個檔案也不是 UTF-8)",
			 r->nrow + 1, after, b[0], eudc);
	else
		diag_add(r->dl, DIAG_ERROR, line, 0, -1, -1,
			 "第 %zu 欄的位元組 0x%02X 無法以 CP950/Big5 讀取%s (整個檔案也不是 UTF-8)",
			 r->nrow + 1, b[0], eudc);
	free(after);
	free(out);
}

/* on_field for CP950 parsed as it is: the cell converted as it is copied. */
static void on_field_cp950(void *data, size_t len, void *ctx)
{
	Reader *r = ctx;
	if (!data)
		len = 0;
	size_t room = CP950_ROOM(len);
	if (r->nrow == r->caprow || r->cap - r->used < room + 1)
		reader_grow(r, room);
	size_t out = len ? cp950_cell(r->cv, data, len, r->text + r->used) : 0;
	if (out == (size_t)-1) {
		if (!r->failed)
			report_cp950_cell(r, data, len);
		out = 0;
	}
	field_done(r, out);
}

static void on_row(int term, void *ctx)
{
	(void)term;
	Reader *r = ctx;
	if (!r->failed) {
		for (size_t j = 0; j < r->nrow; j++)
			r->cell[j] = r->text + r->off[j];
		rows_add_view(r->sink, r->cell, r->len, r->nrow, r->row_line);
		r->failed = rows_fatal(r->sink);
	}
	r->nrow = 0;
	r->used = 0;
}

/* Characters of s[0..n), as a person counts them in the line: a UTF-8
 * character or a CP950 one (a lead byte and the byte after it). */
static long count_chars(Reader *r, const char *s, size_t n, bool commit)
{
	long c = 0;
	if (!r->cv) {
		for (size_t i = 0; i < n; i++)
			c += ((unsigned char)s[i] & 0xC0) != 0x80;
		return c;
	}
	bool lead = r->lead_counted;
	for (size_t i = 0; i < n; i++) {
		if (lead)
			lead = false; /* the second byte of a character */
		else
			c++, lead = (unsigned char)s[i] >= 0x81;
	}
	if (commit)
		r->lead_counted = lead;
	return c;
}

/* Feeds buf[0..len) to libcsv a line at a time; a problem sets r->failed. */
static void feed(Reader *r, const char *buf, size_t len)
{
	void (*field)(void *, size_t, void *) = r->cv ? on_field_cp950 : on_field;
	for (size_t pos = 0; pos < len && !r->failed;) {
		const char *nl = memchr(buf + pos, r->sep, len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) + 1 : len - pos;
		if (r->at_line_start) {
			r->line++;
			r->line_chars = r->line_bytes = 0;
			r->lead_counted = false;
			if (r->p.pstate == 0) /* ROW_NOT_BEGUN: a row starts on this line */
				r->row_line = r->line;
		}
		/* libcsv grows a field's buffer by a fixed block: a long line goes
		 * in pieces, the block growing with the buffer, so that a
		 * multi-megabyte field costs linear, not quadratic, time */
		for (size_t done = 0; done < n && !r->failed; done += CSV_PIECE) {
			size_t piece = n - done < CSV_PIECE ? n - done : CSV_PIECE;
			size_t used = csv_parse(&r->p, buf + pos + done, piece, field, on_row, r);
			if (used != piece && !r->failed) {
				long col = r->line_chars + count_chars(r, buf + pos, done + used, false) + 1;
				diag_add(r->dl, DIAG_ERROR, r->line, col, -1, -1,
					 "引號用法不對 (第 %zu 欄)：含逗號、引號或換行的欄位要整個用 \" 括住，欄位裡的 \" 要寫成 \"\"",
					 r->nrow + 1);
				r->failed = true;
			}
			size_t have = csv_get_buffer_size(&r->p);
			csv_set_blk_size(&r->p, have > CSV_PIECE ? have : CSV_PIECE);
		}
		r->at_line_start = nl != NULL;
		if (!nl) {
			r->line_chars += count_chars(r, buf + pos, n, true);
			r->line_bytes += (long)n;
		}
		pos += n;
	}
}

/* Checks a block before it is parsed: a NUL, or (reading UTF-8) a byte
 * that is not UTF-8.  *used gets the bytes to parse now (a character the
 * block cuts off waits for the next one, unless the text ends).  Returns
 * the offset of the first bad byte, or SIZE_MAX. */
static size_t check_block(Reader *r, const char *raw, size_t n, bool end, size_t *used)
{
	*used = n - (end || r->cv ? 0 : cut_tail(raw, n));
	const char *nul = memchr(raw, '\0', *used);
	size_t lim = nul ? (size_t)(nul - raw) : *used;
	size_t bad = r->cv ? lim : text_utf8_invalid_at(raw, lim);
	if (!r->cv && !r->saw_non_ascii)
		r->saw_non_ascii = text_has_non_ascii(raw, bad);
	return bad < lim || nul ? bad : SIZE_MAX;
}

static void say_nul(Reader *r, Place pl)
{
	diag_add(r->dl, DIAG_ERROR, pl.line, 0, -1, -1,
		 "第 %ld 個位元組是 NUL (0x00)：這不是文字檔，或檔案已損壞", pl.byte);
}

/* A reading that failed (a quote, a cell, the header) in a text that
 * holds a NUL says where the NUL is, however far it is: such a file is
 * not a text, whatever failed first, and a reading in big blocks, which
 * checks a block for NULs before it parses it, says the same.  The bytes
 * before off, whose first is on line line after line_bytes bytes of it,
 * hold no NUL. */
static void say_nul_after(Reader *r, const Input *in, size_t off, long line, long line_bytes)
{
	char b[1 << 16];
	ssize_t got;
	for (; (got = input_read(in, b, sizeof b, off)) > 0; off += (size_t)got) {
		const char *nul = memchr(b, '\0', (size_t)got);
		if (nul) {
			say_nul(r, block_place(b, (size_t)(nul - b), r->sep, line, line_bytes));
			return;
		}
		Place next = block_place(b, (size_t)got, r->sep, line, line_bytes);
		line = next.line;
		line_bytes = next.byte - 1;
	}
}

/* Says what is wrong with raw[bad], at place pl: a NUL, a byte a text
 * with a BOM cannot have; or, reading a text without BOM as UTF-8, only
 * keeps where (*u8) for the CP950 reading that comes next. */
static void report_bad_byte(Reader *r, unsigned char c, Place pl, bool bom, Utf8Fail *u8)
{
	r->failed = true;
	if (c == 0)
		say_nul(r, pl);
	else if (bom)
		diag_add(r->dl, DIAG_ERROR, pl.line, 0, -1, -1,
			 "第 %ld 個位元組 (0x%02X) 不是有效的 UTF-8 (檔案開頭標示為 UTF-8)", pl.byte, c);
	else
		*u8 = (Utf8Fail){pl, c, r->saw_non_ascii};
}

/* Reads the whole input block by block into r's sink.  With a BOM, its
 * three bytes are skipped (and counted in the first line's bytes).
 * Returns true when the text was read to its end; a reading as UTF-8
 * that found a byte that is not UTF-8 in a text without BOM returns false
 * with *u8 set and nothing said. */
static bool read_blocks(Reader *r, const Input *in, size_t block, bool bom, Utf8Fail *u8)
{
	char *buf = xmalloc(block + 4);
	size_t pos = bom ? 3 : 0, carry = 0; /* pos: of the byte after buf's */
	long line = 1, line_bytes = (long)pos; /* the place of buf[0] */
	u8->c = 0;
	while (!r->failed) {
		ssize_t got = input_read(in, buf + carry, block, pos);
		if (got < 0) {
			diag_add(r->dl, DIAG_ERROR, 0, 0, -1, -1, "讀取失敗：%s", strerror(errno));
			r->failed = true;
			break;
		}
		pos += (size_t)got;
		size_t n = carry + (size_t)got, used;
		bool end = (size_t)got < block;
		size_t bad = check_block(r, buf, n, end, &used);
		/* what comes before a bad byte is read first: what is said
		 * does not depend on where the blocks end */
		feed(r, buf, bad != SIZE_MAX ? bad : used);
		if (r->failed) {
			say_nul_after(r, in, pos - n, line, line_bytes);
			break;
		}
		if (bad != SIZE_MAX) {
			report_bad_byte(r, (unsigned char)buf[bad],
					block_place(buf, bad, r->sep, line, line_bytes), bom, u8);
			break;
		}
		if (r->line > 0) { /* the place of buf[used], once a line has begun */
			line = r->line + r->at_line_start;
			line_bytes = r->at_line_start ? 0 : r->line_bytes + (line == 1 && bom ? 3 : 0);
		}
		if (!r->failed && !progress_report(pos - (n - used), in->size)) {
			diag_add(r->dl, DIAG_ERROR, 0, 0, -1, -1, "%s", progress_stopped_msg);
			r->failed = true;
		}
		if (end)
			break;
		carry = n - used;
		memmove(buf, buf + used, carry);
	}
	free(buf);
	if (!r->failed && csv_fini(&r->p, r->cv ? on_field_cp950 : on_field, on_row, r) != 0) {
		diag_add(r->dl, DIAG_ERROR, r->row_line, 0, -1, -1,
			 "從這一行開始的引號到檔案結尾都沒有結束 (少了一個 \")");
		r->failed = true;
	}
	return !r->failed;
}

/* Drops the diags added since there were n: what a first reading said
 * no longer holds. */
static void diags_truncate(DiagList *dl, size_t n)
{
	while (dl->n > n)
		free(dl->items[--dl->n].msg);
	dl->nerrors = dl->nwarnings = 0;
	for (size_t i = 0; i < dl->n; i++)
		dl->items[i].level == DIAG_ERROR ? dl->nerrors++ : dl->nwarnings++;
}

/* What each record is handed to when it is checked as it is read. */
static void give_to_run(void *ctx, char *const *cells, long line)
{
	rules_run_record(ctx, cells, line);
}

/* One reading of the whole input, as UTF-8 or (cv) as CP950 after the
 * UTF-8 reading failed at *before.  Returns the table, or NULL (*run
 * freed; diags say why, except for a UTF-8 reading that only found the
 * text is not UTF-8: then u8->c is set). */
static Table *read_as(const Input *in, const CsvSource *src, const Form *form, CsvMode mode,
		      Cp950 *cv, const Utf8Fail *before, bool bom, Utf8Fail *u8, RulesRun **run,
		      DiagList *dl)
{
	size_t before_n = dl->n;
	Table *t = table_new(form);
	Reader r = {.form = form, .dl = dl, .cv = cv, .utf8 = before, .at_line_start = true};
	r.sink = rows_new(form, t, dl);
	if (mode != CSV_KEEP) {
		*run = mode == CSV_CHECK ? rules_run_new(form) : rules_run_new_table(form);
		(mode == CSV_CHECK ? rows_set_hook : rows_set_hook_keeping)(r.sink, give_to_run, *run);
	}
	r.sep = input_line_sep(in);
	bool ok = csv_init(&r.p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) == 0;
	if (!ok)
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "libcsv 初始化失敗");
	ok = ok && read_blocks(&r, in, src->block ? src->block : BLOCK_DEFAULT, bom, u8);
	csv_free(&r.p);
	if (ok && !rows_have_header(r.sink)) {
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "檔案是空的 (沒有標題列)");
		ok = false;
	}
	rows_free(r.sink);
	free(r.text);
	free(r.off);
	free(r.len);
	free(r.cell);
	if (ok)
		return t;
	/* a reading that fails says only why: what it found before the
	 * problem would depend on how far it had come (the size of its
	 * blocks) */
	if (dl->n > before_n) {
		Diag last = dl->items[--dl->n];
		diags_truncate(dl, before_n);
		dl->items[dl->n++] = last;
		last.level == DIAG_ERROR ? dl->nerrors++ : dl->nwarnings++;
	}
	table_free(t);
	if (mode != CSV_KEEP) {
		rules_run_free(*run);
		*run = NULL;
	}
	return NULL;
}

/* What no reading can start on: an empty text, or UTF-16. */
static bool refuse_start(const Input *in, DiagList *dl, bool *bom)
{
	char head[3] = {0};
	ssize_t got = input_read(in, head, sizeof head, 0);
	*bom = got == 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0;
	if (got < 0)
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "讀取失敗：%s", strerror(errno));
	else if (got == 0)
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "檔案是空的");
	else if (got >= 2 && (memcmp(head, "\xFF\xFE", 2) == 0 || memcmp(head, "\xFE\xFF", 2) == 0))
		diag_add(dl, DIAG_ERROR, 1, 0, -1, -1,
			 "這是 UTF-16 的文字檔 (Excel 的「Unicode 文字」)，不是 CSV；請在 Excel 另存為「CSV UTF-8」");
	else
		return false;
	return true;
}

Table *csvio_read(const CsvSource *src, const Form *form, FileFormat out_fmt, CsvMode mode,
		  RulesRun **run, DiagList *diags)
{
	RulesRun *no_run = NULL;
	if (!run)
		run = &no_run;
	*run = NULL;
	Input in;
	bool bom;
	if (!input_open(&in, src, diags))
		return NULL;
	if (refuse_start(&in, diags, &bom)) {
		input_close(&in);
		return NULL;
	}
	size_t before = diags->n;
	Utf8Fail u8, again;
	Table *t = read_as(&in, src, form, mode, NULL, NULL, bom, &u8, run, diags);
	if (!t && u8.c) { /* not UTF-8: CP950, from the start */
		diags_truncate(diags, before);
		Cp950 *cv = cp950_open();
		if (!cv)
			diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "這個系統的 iconv 不支援 CP950：%s",
				 strerror(errno));
		else
			t = read_as(&in, src, form, mode, cv, &u8, false, &again, run, diags);
		cp950_close(cv);
		if (t)
			out_fmt.encoding = ENC_CP950; /* written back as it was read */
	}
	input_close(&in);
	if (t)
		table_set_format(t, out_fmt);
	return t;
}

Table *csvio_load(const char *path, const Form *form, FileFormat out_fmt, DiagList *diags)
{
	CsvSource src = {.path = path};
	return csvio_read(&src, form, out_fmt, CSV_KEEP, NULL, diags);
}

Table *csvio_load_mem(const char *data, size_t len, const Form *form, FileFormat out_fmt,
		      DiagList *diags)
{
	CsvSource src = {.data = data, .len = len};
	return csvio_read(&src, form, out_fmt, CSV_KEEP, NULL, diags);
}

/* --- writing -------------------------------------------------------------- */

/* Converts UTF-8 s to CP950 into out (NUL-terminated; Big5 has no NUL
 * bytes).  On failure returns false and sets *bad to the offset in s of the
 * character that cannot be written. */
static bool utf8_to_cp950(iconv_t cd, const char *s, char **out, size_t *cap, size_t *bad)
{
	size_t n = strlen(s);
	if (*cap < 2 * n + 8) {
		*cap = 2 * n + 8;
		*out = xrealloc(*out, *cap);
	}
	char *ip = (char *)s, *op = *out;
	size_t il = n, ol = *cap - 1;
	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		*bad = (size_t)(ip - s);
		return false;
	}
	*op = '\0';
	return true;
}


typedef struct {
	char *buf;
	size_t len, cap;
} Buf;

static void buf_put(Buf *b, const char *s, size_t n)
{
	while (b->cap - b->len < n + 1) {
		b->cap = b->cap ? 2 * b->cap : 4096;
		b->buf = xrealloc(b->buf, b->cap);
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
}

/* Minimal quoting: only where a reader would misread the value (and where
 * libcsv would trim it). */
static bool needs_quotes(const char *s)
{
	size_t n = strlen(s);
	if (n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		return true;
	return strpbrk(s, ",\"\r\n") != NULL;
}

static void put_field(Buf *b, const char *s)
{
	if (!needs_quotes(s)) {
		buf_put(b, s, strlen(s));
		return;
	}
	buf_put(b, "\"", 1);
	for (const char *p = s; *p; p++) {
		buf_put(b, p, 1);
		if (*p == '"')
			buf_put(b, "\"", 1);
	}
	buf_put(b, "\"", 1);
}

/* The value of column col of record rec (or the header when rec < 0). */
static const char *cell(const Table *t, long rec, size_t col)
{
	return rec < 0 ? table_col_header(t, col) : table_record_c(t, (size_t)rec)->cells[col];
}

static void report_cp950(const Table *t, long rec, size_t col, const char *s, size_t bad,
			 DiagList *dl)
{
	uint32_t cp;
	size_t n = text_utf8_decode(s + bad, strlen(s + bad), &cp);
	char ch[5] = {0};
	memcpy(ch, s + bad, n ? n : 1);
	const Form *form = table_form(t);
	size_t nf = form_nfields(form);
	const char *label = col < nf ? form_field(form, col)->label : table_col_header(t, col);
	if (rec < 0)
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1,
			 "標題「%s」的「%s」(U+%04X) 無法以 CP950 (Big5) 寫出", label, ch,
			 (unsigned)cp);
	else
		diag_add(dl, DIAG_ERROR, table_record_c(t, (size_t)rec)->line, 0, rec,
			 col < nf ? (int)col : -1,
			 "「%s」欄的「%s」(U+%04X) 無法以 CP950 (Big5) 寫出；請改字或改存 UTF-8", label,
			 ch, (unsigned)cp);
}

char *csvio_serialize(const Table *t, size_t *len, DiagList *diags)
{
	FileFormat fmt = table_format(t);
	Buf out = {0};
	char *conv = NULL; /* a value in CP950; quoting works on it unchanged,
			    * since Big5 trail bytes are never , " CR LF space tab */
	size_t convcap = 0;
	iconv_t cd = (iconv_t)-1;
	if (fmt.encoding == ENC_CP950) {
		cd = iconv_open("CP950", "UTF-8");
		if (cd == (iconv_t)-1) {
			diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "系統沒有 CP950 轉換 (iconv)");
			return NULL;
		}
	} else if (fmt.bom) {
		buf_put(&out, "\xEF\xBB\xBF", 3);
	}
	size_t errors = 0, ncols = table_ncols(t);
	for (long rec = -1; rec < (long)table_nrecords(t); rec++) {
		if (rec >= 0 && table_record_empty(t, (size_t)rec))
			continue;
		const Record *r = rec >= 0 ? table_record_c(t, (size_t)rec) : NULL;
		size_t n = ncols + (r ? r->noverflow : 0);
		for (size_t col = 0; col < n; col++) {
			const char *s = col < ncols ? cell(t, rec, col) : r->overflow[col - ncols];
			if (col)
				buf_put(&out, ",", 1);
			size_t bad;
			if (cd == (iconv_t)-1) {
				put_field(&out, s);
			} else if (utf8_to_cp950(cd, s, &conv, &convcap, &bad)) {
				put_field(&out, conv);
			} else {
				report_cp950(t, rec, col, s, bad, diags);
				errors++;
			}
		}
		buf_put(&out, fmt.crlf ? "\r\n" : "\n", fmt.crlf ? 2 : 1);
	}
	free(conv);
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	if (errors) {
		free(out.buf);
		return NULL;
	}
	buf_put(&out, "", 0); /* makes room for the NUL */
	out.buf[out.len] = '\0';
	*len = out.len;
	return out.buf;
}

int csvio_save(const Table *t, const char *path, bool backup, DiagList *diags)
{
	size_t len;
	char *data = csvio_serialize(t, &len, diags);
	if (!data)
		return -1;
	int rc = atomic_replace(path, data, len, backup, diags);
	free(data);
	return rc;
}
