/* csvio.c - see csvio.h. */
#include "csvio.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <libgen.h>
#include <pthread.h>
#include <stdatomic.h>
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
#include "par.h"
#include "progress.h"
#include "rows.h"
#include "rules.h"
#include "text.h"

/* Input is handed to libcsv in pieces of at most this many bytes. */
#define CSV_PIECE ((size_t)1 << 16)

/* Larger files are refused rather than read into memory. */
#define CSV_MAX_SIZE ((size_t)1 << 31)

/* --- place of a byte ---------------------------------------------------- */

typedef struct {
	long line; /* 1-based */
	long byte; /* 1-based byte within the line */
} Place;

/* The line separator of a file: LF, or CR for a file that has no LF (old
 * Mac Excel). */
static char line_sep(const char *buf, size_t len)
{
	return memchr(buf, '\n', len) || !memchr(buf, '\r', len) ? '\n' : '\r';
}

static Place place_of(const char *buf, size_t len, size_t off)
{
	Place p = {1, 1};
	size_t start = 0;
	char sep = line_sep(buf, len);
	for (size_t i = 0; i < off; i++)
		if (buf[i] == sep) {
			p.line++;
			start = i + 1;
		}
	p.byte = (long)(off - start) + 1;
	return p;
}

/* Characters (not bytes) of s[0..n): a column a person can count. */
static long char_count(const char *s, size_t n)
{
	long c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

/* Reports a NUL byte, or a byte that is not UTF-8 in a file marked UTF-8,
 * at line and byte (1-based, within the line). */
static void report_bad_byte(DiagList *dl, long line, long byte, unsigned char c)
{
	if (c == 0)
		diag_add(dl, DIAG_ERROR, line, 0, -1, -1,
			 "第 %ld 個位元組是 NUL (0x00)：這不是文字檔，或檔案已損壞", byte);
	else
		diag_add(dl, DIAG_ERROR, line, 0, -1, -1,
			 "第 %ld 個位元組 (0x%02X) 不是有效的 UTF-8 (檔案開頭標示為 UTF-8)", byte, c);
}

/* --- encoding ------------------------------------------------------------ */

/* Big5 user-defined areas (造字), which no standard table maps. */
static bool big5_eudc(const unsigned char *b, size_t n)
{
	if (n < 2)
		return false;
	unsigned v = (unsigned)b[0] << 8 | b[1];
	return (v >= 0xFA40 && v <= 0xFEFE) || (v >= 0x8E40 && v <= 0xA0FE) ||
	       (v >= 0x8140 && v <= 0x8DFE);
}

/* Converts CP950 in[0..n) to UTF-8.  On failure returns NULL and sets
 * *bad to the offset of the byte that failed. */
static char *cp950_to_utf8(const char *in, size_t n, size_t *outlen, size_t *bad)
{
	iconv_t cd = iconv_open("UTF-8", "CP950");
	if (cd == (iconv_t)-1) {
		*bad = 0;
		return NULL;
	}
	size_t cap = 2 * n + 16;
	char *out = xmalloc(cap);
	char *ip = (char *)in, *op = out;
	size_t il = n, ol = cap;
	while (il > 0) {
		if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1)
			break;
		if (errno == E2BIG) { /* cannot happen with 2n, but be safe */
			size_t used = (size_t)(op - out);
			out = xrealloc(out, cap *= 2);
			op = out + used;
			ol = cap - used;
			continue;
		}
		*bad = (size_t)(ip - in);
		free(out);
		iconv_close(cd);
		return NULL;
	}
	iconv_close(cd);
	*outlen = (size_t)(op - out);
	return out;
}

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

/* --- reading --------------------------------------------------------------- */

typedef struct Split Split;
static void split_publish(Split *sp, RowsHeader *h);

typedef struct {
	RowSink *sink;
	DiagList *dl;
	/* the row being read: fields copied out of libcsv's reused buffer into
	 * one buffer of ours (NUL after each), reused from row to row */
	char *text;
	size_t used, cap;
	size_t *off, *len;
	const char **cell;
	size_t nrow, caprow;
	long row_line; /* line where the current row started */
	Split *split;	/* part 0 of a file read in parts: says the header */
	bool published; /* and has */
	Cp950 *cv;	/* a CP950 file: its cells are converted as copied, */
	bool failed;	/* and one was not CP950 */
} Reader;

/* Room in r for another field of len bytes (and its NUL). */
static __attribute__((noinline)) void reader_grow(Reader *r, size_t len)
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

static void on_field(void *data, size_t len, void *ctx)
{
	Reader *r = ctx;
	if (!data)
		len = 0;
	/* the fast path grows nothing: a row's buffers are reused */
	if (__builtin_expect(r->nrow == r->caprow || r->cap - r->used < len + 1, 0))
		reader_grow(r, len);
	/* libcsv reuses its buffer: copy now */
	char *to = r->text + r->used;
	if (len)
		memcpy(to, data, len);
	to[len] = '\0';
	r->off[r->nrow] = r->used;
	r->len[r->nrow++] = len;
	r->used += len + 1;
}

/* on_field for a CP950 file parsed as it is (no byte of a Big5 code is a
 * comma, a quote or a line end): the cell is converted to UTF-8 as it is
 * copied.  Bytes that are not CP950 stop the reading (Reader.failed). */
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
		r->failed = true;
		out = 0;
	}
	r->text[r->used + out] = '\0';
	r->off[r->nrow] = r->used;
	r->len[r->nrow++] = out;
	r->used += out + 1;
}

static void on_row(int term, void *ctx)
{
	(void)term;
	Reader *r = ctx;
	for (size_t j = 0; j < r->nrow; j++)
		r->cell[j] = r->text + r->off[j];
	rows_add_view(r->sink, r->cell, r->len, r->nrow, r->row_line);
	if (r->split && !r->published && (rows_have_header(r->sink) || rows_fatal(r->sink))) {
		r->published = true;
		split_publish(r->split, rows_header(r->sink));
	}
	r->nrow = 0;
	r->used = 0;
}

static void reader_free(Reader *r)
{
	free(r->text);
	free(r->off);
	free(r->len);
	free(r->cell);
}

/* The state of parsing UTF-8 text fed in pieces.  libcsv is fed one line
 * at a time, which tells where each record starts: a record begins on the
 * line at whose start the parser was between rows. */
typedef struct {
	struct csv_parser p;
	char sep;	    /* the line separator: LF, or CR for old Mac files */
	long line;	    /* lines begun so far */
	bool at_line_start; /* the next byte fed begins a line */
	long line_chars;    /* characters of the current line fed so far */
	long line_bytes;    /* and bytes */
	bool ok;
	void (*field)(void *data, size_t len, void *ctx); /* libcsv's callback */
} Parse;

/* Begins parsing UTF-8 text, or CP950 text whose cells r->cv converts
 * (the columns parse_feed counts are then bytes, not characters, but no
 * message of that reading is kept: a file it fails on is read again,
 * converting first). */
static bool parse_begin(Reader *r, Parse *ps, char sep)
{
	memset(ps, 0, sizeof *ps);
	if (csv_init(&ps->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		diag_add(r->dl, DIAG_ERROR, 0, 0, -1, -1, "libcsv 初始化失敗");
		return false;
	}
	ps->sep = sep;
	ps->at_line_start = true;
	ps->ok = true;
	ps->field = r->cv ? on_field_cp950 : on_field;
	return true;
}

static void parse_feed(Reader *r, Parse *ps, const char *buf, size_t len)
{
	for (size_t pos = 0; pos < len && ps->ok && !r->failed && !rows_fatal(r->sink);) {
		const char *nl = memchr(buf + pos, ps->sep, len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) + 1 : len - pos;
		if (ps->at_line_start) {
			ps->line++;
			ps->line_chars = 0;
			ps->line_bytes = 0;
			if (ps->p.pstate == 0) /* ROW_NOT_BEGUN: a row starts on this line */
				r->row_line = ps->line;
		}
		/* libcsv grows a field's buffer by a fixed block: feed a long line
		 * in pieces and let the block grow with the buffer, so that a
		 * multi-megabyte field costs linear, not quadratic, time */
		for (size_t done = 0; done < n && ps->ok;) {
			size_t piece = n - done < CSV_PIECE ? n - done : CSV_PIECE;
			size_t used = csv_parse(&ps->p, buf + pos + done, piece, ps->field, on_row, r);
			if (used != piece) {
				diag_add(r->dl, DIAG_ERROR, ps->line,
					 ps->line_chars + char_count(buf + pos, done + used) + 1, -1, -1,
					 "引號用法不對 (第 %zu 欄)：含逗號、引號或換行的欄位要整個用 \" 括住，欄位裡的 \" 要寫成 \"\"",
					 r->nrow + 1);
				ps->ok = false;
			}
			done += piece;
			size_t have = csv_get_buffer_size(&ps->p);
			csv_set_blk_size(&ps->p, have > CSV_PIECE ? have : CSV_PIECE);
		}
		ps->at_line_start = nl != NULL;
		if (!nl) {
			ps->line_chars += char_count(buf + pos, n);
			ps->line_bytes += (long)n;
		}
		pos += n;
	}
}

/* Finishes; true when the whole text was parsed. */
static bool parse_end(Reader *r, Parse *ps)
{
	if (ps->ok && !r->failed && !rows_fatal(r->sink) &&
	    csv_fini(&ps->p, ps->field, on_row, r) != 0) {
		diag_add(r->dl, DIAG_ERROR, r->row_line, 0, -1, -1,
			 "從這一行開始的引號到檔案結尾都沒有結束 (少了一個 \")");
		ps->ok = false;
	}
	csv_free(&ps->p);
	return ps->ok && !r->failed && !rows_fatal(r->sink);
}

/* Parses UTF-8 text (no BOM) held in memory. */
static bool parse_utf8(Reader *r, const char *buf, size_t len)
{
	Parse ps;
	if (!parse_begin(r, &ps, line_sep(buf, len)))
		return false;
	parse_feed(r, &ps, buf, len);
	return parse_end(r, &ps);
}

/* What a reader hands each record to when the file is only checked. */
static void give_to_run(void *ctx, char *const *cells, long line)
{
	rules_run_record(ctx, cells, line);
}

/* A new sink, which hands its records to run when there is one. */
static RowSink *sink_new(const Form *form, Table *t, DiagList *dl, const RowsHeader *h,
			 RulesRun *run)
{
	RowSink *sink = h ? rows_new_after(form, t, dl, h) : rows_new(form, t, dl);
	if (run && rules_run_for_table(run))
		rows_set_hook_keeping(sink, give_to_run, run);
	else if (run)
		rows_set_hook(sink, give_to_run, run);
	return sink;
}

static Table *load_text(const char *buf, size_t len, const Form *form, FileFormat fmt,
			DiagList *dl, RulesRun *run)
{
	if (len == 0) {
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "檔案是空的");
		return NULL;
	}
	if (len >= 2 && (memcmp(buf, "\xFF\xFE", 2) == 0 || memcmp(buf, "\xFE\xFF", 2) == 0)) {
		diag_add(dl, DIAG_ERROR, 1, 0, -1, -1,
			 "這是 UTF-16 的文字檔 (Excel 的「Unicode 文字」)，不是 CSV；請在 Excel 另存為「CSV UTF-8」");
		return NULL;
	}
	const char *nul = memchr(buf, '\0', len);
	if (nul) {
		Place pl = place_of(buf, len, (size_t)(nul - buf));
		report_bad_byte(dl, pl.line, pl.byte, 0);
		return NULL;
	}
	bool bom = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0;
	const char *text = bom ? buf + 3 : buf;
	size_t tlen = bom ? len - 3 : len;
	char *converted = NULL;
	size_t bad = text_utf8_invalid_at(text, tlen);
	if (bad < tlen) {
		Place pu = place_of(buf, len, (size_t)(text - buf) + bad);
		if (bom) {
			report_bad_byte(dl, pu.line, pu.byte, (unsigned char)text[bad]);
			return NULL;
		}
		size_t bad950 = 0;
		converted = cp950_to_utf8(text, tlen, &tlen, &bad950);
		if (!converted) {
			/* valid UTF-8 with non-ASCII text before the bad byte: the file
			 * was meant to be UTF-8, so that byte is the place to show */
			bool meant_utf8 = false;
			for (size_t i = 0; i < bad && !meant_utf8; i++)
				meant_utf8 = (unsigned char)text[i] >= 0x80;
			Place pc = place_of(buf, len, bad950);
			const unsigned char *b = (const unsigned char *)buf + bad950;
			bool eudc = bad950 + 1 < len && big5_eudc(b, 2);
			if (meant_utf8)
				diag_add(dl, DIAG_ERROR, pu.line, 0, -1, -1,
					 "第 %ld 個位元組 (0x%02X) 不是有效的 UTF-8 (整個檔案也不是 CP950/Big5)",
					 pu.byte, (unsigned char)text[bad]);
			else
				diag_add(dl, DIAG_ERROR, pc.line, 0, -1, -1,
					 "第 %ld 個位元組 (0x%02X) 無法以 CP950/Big5 讀取%s (整個檔案也不是 UTF-8)",
					 pc.byte, b[0], eudc ? "：這是 Big5 造字區的字，沒有標準的對應" : "");
			return NULL;
		}
		text = converted;
		fmt.encoding = ENC_CP950;
	}
	Table *t = table_new(form);
	Reader r = {.sink = sink_new(form, t, dl, NULL, run), .dl = dl};
	bool ok = parse_utf8(&r, text, tlen);
	if (ok && !rows_have_header(r.sink)) {
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "檔案是空的 (沒有標題列)");
		ok = false;
	}
	reader_free(&r);
	rows_free(r.sink);
	free(converted);
	if (!ok) {
		table_free(t);
		return NULL;
	}
	table_set_format(t, fmt);
	return t;
}

Table *csvio_load_mem(const char *data, size_t len, const Form *form, FileFormat out_fmt,
		      DiagList *diags)
{
	return load_text(data, len, form, out_fmt, diags, NULL);
}

/* Reads up to n bytes at offset off (fewer only at the end of the file);
 * -1 on error. */
static ssize_t pread_full(int fd, char *buf, size_t n, size_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, buf + got, n - got, (off_t)(off + got));
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

/* A file is read in blocks of this many bytes (1 MiB; tests set less). */
static size_t read_block = (size_t)1 << 20;

void csvio_set_block_size(size_t n)
{
	read_block = n ? n : (size_t)1 << 20;
}


/* Where reading a file without BOM as UTF-8 failed: reading it as CP950
 * comes next, and says this place when that fails too. */
typedef struct {
	size_t offset; /* of the bad byte in the file */
	long line, byte;
	unsigned char c;
} Utf8Fail;

/* What csvio_load does when load_stream returns NULL. */
typedef enum {
	NEXT_NONE,  /* nothing: the file cannot be read (diags say why) */
	NEXT_CP950, /* read it again as CP950 (it is not UTF-8) */
	NEXT_CP950_CONVERTED, /* read it again as CP950, converting it before
			       * parsing: it failed parsed as it is */
	NEXT_WHOLE, /* read it whole: empty, unreadable or UTF-16, refused
		     * with the reason by load_text */
} Next;

/* The place of raw[at], in a block whose first byte is on line line,
 * after line_bytes bytes of that line in earlier blocks. */
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

/* Whether the file has a byte of 0x80 or more before offset end. */
static bool non_ascii_before(int fd, size_t end)
{
	char b[4096];
	for (size_t off = 0; off < end;) {
		ssize_t got = pread(fd, b, end - off < sizeof b ? end - off : sizeof b, (off_t)off);
		if (got <= 0)
			return false;
		for (ssize_t i = 0; i < got; i++)
			if ((unsigned char)b[i] >= 0x80)
				return true;
		off += (size_t)got;
	}
	return false;
}

/* Says why a file is neither UTF-8 (it failed at *u8) nor CP950 (it
 * failed at byte c, at offset off and place pc). */
static void report_neither(DiagList *dl, int fd, const Utf8Fail *u8, unsigned char c, size_t off,
			   Place pc)
{
	/* valid UTF-8 with non-ASCII text before its bad byte: the file was
	 * meant to be UTF-8, so that byte is the place to show */
	if (non_ascii_before(fd, u8->offset)) {
		diag_add(dl, DIAG_ERROR, u8->line, 0, -1, -1,
			 "第 %ld 個位元組 (0x%02X) 不是有效的 UTF-8 (整個檔案也不是 CP950/Big5)",
			 u8->byte, u8->c);
		return;
	}
	unsigned char b[2]; /* read again: the next byte may be in the next block */
	bool eudc = pread(fd, b, 2, (off_t)off) == 2 && big5_eudc(b, 2);
	diag_add(dl, DIAG_ERROR, pc.line, 0, -1, -1,
		 "第 %ld 個位元組 (0x%02X) 無法以 CP950/Big5 讀取%s (整個檔案也不是 UTF-8)", pc.byte,
		 c, eudc ? "：這是 Big5 造字區的字，沒有標準的對應" : "");
}

/* CP950 converted first (load_stream's convert_first) goes through a
 * buffer of this size (a quarter of a block: 256 KiB), parsed each time
 * it fills. */
static size_t cp950_out_size(void)
{
	return read_block / 4 + 16; /* room for a character, whatever the block */
}

/* Converts CP950 raw[0..n) and parses it, as far as it can (reading
 * again a file that failed as CP950 parsed as it is, to say where and
 * why): returns the bytes done.  A character cut at the end is left for
 * the next block (EINVAL); a byte that is not CP950 stops it with *bad
 * set. */
static size_t cp950_feed(Cp950 *cv, const char *raw, size_t n, char *out, Reader *r, Parse *ps,
			 bool *bad)
{
	char *ip = (char *)raw;
	size_t il = n;
	*bad = false;
	while (il > 0 && ps->ok && !rows_fatal(r->sink)) {
		char *op = out;
		size_t ol = cp950_out_size();
		size_t rc = cp950_conv(cv, &ip, &il, &op, &ol);
		int e = errno;
		parse_feed(r, ps, out, (size_t)(op - out));
		if (rc != (size_t)-1 || e == E2BIG)
			continue;
		*bad = e != EINVAL;
		break;
	}
	return (size_t)(ip - raw);
}

/* Drops the diagnostics added since there were n: what a first try said
 * no longer holds. */
static void diags_truncate(DiagList *dl, size_t n)
{
	while (dl->n > n)
		free(dl->items[--dl->n].msg);
	dl->nerrors = dl->nwarnings = 0;
	for (size_t i = 0; i < dl->n; i++)
		dl->items[i].level == DIAG_ERROR ? dl->nerrors++ : dl->nwarnings++;
}

/* line_sep for a whole file, whose first n bytes are in buf: without an
 * LF there, the rest of the file is looked through for one. */
static char file_line_sep(int fd, const char *buf, size_t n)
{
	if (memchr(buf, '\n', n))
		return '\n';
	bool cr = memchr(buf, '\r', n) != NULL;
	char b[4096];
	ssize_t got;
	for (off_t off = (off_t)n; (got = pread(fd, b, sizeof b, off)) > 0; off += got) {
		if (memchr(b, '\n', (size_t)got))
			return '\n';
		cr = cr || memchr(b, '\r', (size_t)got);
	}
	return cr ? '\r' : '\n';
}

/* --- reading a big file in parts, side by side --------------------------- */

/* A big file is cut into parts at record boundaries, one per processor it
 * may use (par.h), and each part is read by load_stream on a thread of its
 * own into a table of its own; the tables and their problems are then
 * joined in order.
 * Where a part begins is guessed by split_find from the bytes there; the
 * part before must then end between rows, which makes the cut right: that
 * part was read exactly as reading the file as one would have read it.
 *
 * Reading in parts only ever saves time: when any part fails, the file is
 * read again as one, which says what is wrong exactly as it always has.
 * The one exception: when the first part to fail found a file without BOM
 * not to be UTF-8 (and those before it are fine), every part is read again
 * as CP950, which is what reading it as one would do next. */

/* A part is at least this big (smaller files are read as one). */
static size_t split_min = (size_t)1 << 20;

void csvio_set_split_min(size_t n)
{
	split_min = n ? n : (size_t)1 << 20;
}

/* How many parts the last csvio_load read (1: none, it read the file as one). */
static size_t last_parts = 1;

size_t csvio_last_parts(void)
{
	return last_parts;
}

typedef struct {
	size_t start, end; /* the bytes [start, end) of the file */
	long line;	   /* the line of byte start */
} Span;

typedef struct Split {
	int fd;
	size_t total;
	const Form *form;
	FileFormat fmt;
	Encoding enc;
	bool bom;
	char sep;
	size_t n;
	Span span[PAR_MAX];
	/* what each part read: a table, its messages, the line ends in it
	 * (a part counts its lines from 1: its records' and messages' lines
	 * are moved on when the parts are joined) */
	size_t seps[PAR_MAX];
	Table *t[PAR_MAX];
	DiagList dl[PAR_MAX];
	bool check;		 /* the records are checked, */
	bool keep;		 /* and kept in t as well (rules_run_for_table) */
	RulesRun *run[PAR_MAX]; /* by these */
	Next next[PAR_MAX];
	/* while reading: the header, published by part 0 for the others */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool header_done;
	RowsHeader *header;
	_Atomic size_t done[PAR_MAX]; /* bytes each part has read */
	_Atomic size_t first_failed;  /* the first part that failed so far */
	bool stopped;		      /* the clerk stopped it (the calling thread knows) */
} Split;

/* Part 0 says what the header is (NULL: there is none it could use). */
static void split_publish(Split *sp, RowsHeader *h)
{
	pthread_mutex_lock(&sp->mu);
	if (!sp->header_done) {
		sp->header = h;
		sp->header_done = true;
		pthread_cond_broadcast(&sp->cv);
	} else {
		rows_header_free(h);
	}
	pthread_mutex_unlock(&sp->mu);
}

static const RowsHeader *split_header(Split *sp)
{
	pthread_mutex_lock(&sp->mu);
	while (!sp->header_done)
		pthread_cond_wait(&sp->cv, &sp->mu);
	const RowsHeader *h = sp->header;
	pthread_mutex_unlock(&sp->mu);
	return h;
}

/* Part i failed: the parts after it need not go on. */
static void split_fail(Split *sp, size_t i)
{
	size_t f = atomic_load(&sp->first_failed);
	while (i < f && !atomic_compare_exchange_weak(&sp->first_failed, &f, i))
		;
}

static bool split_abandoned(Split *sp, size_t i)
{
	return atomic_load(&sp->first_failed) < i;
}

/* Tells the progress hook how far all the parts have come (on the calling
 * thread only); false, with every part stopping, when it is to stop. */
static bool split_report(Split *sp)
{
	size_t sum = 0;
	for (size_t k = 0; k < sp->n; k++)
		sum += atomic_load(&sp->done[k]);
	if (progress_report(sum, sp->total))
		return true;
	sp->stopped = true;
	split_fail(sp, 0);
	return false;
}

/* Part i has read done bytes of its span; the calling thread tells the
 * hook. */
static bool split_progress(Split *sp, size_t i, size_t done)
{
	atomic_store(&sp->done[i], done);
	if (!par_on_calling_thread())
		return true;
	return !sp->stopped && split_report(sp); /* the hook hears no more once stopped */
}

/* While the calling thread waits for the others. */
static void split_waiting(void *ctx)
{
	Split *sp = ctx;
	if (!sp->stopped)
		split_report(sp);
}

/* Reads a file block by block, decoding, validating and parsing as it
 * goes, so that the file is never held whole in memory: as UTF-8 (with or
 * without BOM), or, after that failed at *u8, as CP950.  Returns the table,
 * or NULL with *next saying what comes next.  With sp, reads only part i
 * of the file (see Split); the result is then sp->t[i].
 * CP950 is parsed as it is, each cell converted as it is copied (a third
 * fewer bytes to parse than its UTF-8), unless convert_first.  That way
 * cannot say where a byte is not CP950, nor at which character a line
 * goes wrong: a file it fails on is read again converting first
 * (NEXT_CP950_CONVERTED), which says it as it always has. */
static Table *load_stream(int fd, size_t total, const Form *form, FileFormat fmt, DiagList *dl,
			  Encoding enc, bool convert_first, Utf8Fail *u8, Next *next, Split *sp,
			  size_t part, RulesRun *run)
{
	*next = NEXT_NONE;
	Span span = sp ? sp->span[part] : (Span){0, SIZE_MAX, 1};
	size_t fpos = span.start; /* of the next byte to read */
	char *buf = xmalloc(read_block + 4);
	size_t want = read_block < 4 ? 4 : read_block; /* a BOM whole */
	if (want > span.end - fpos)
		want = span.end - fpos;
	ssize_t got = pread_full(fd, buf, want, fpos);
	if (got <= 0 || (got >= 2 && span.start == 0 &&
			 (memcmp(buf, "\xFF\xFE", 2) == 0 || memcmp(buf, "\xFE\xFF", 2) == 0))) {
		free(buf);
		*next = NEXT_WHOLE;
		if (sp && part == 0)
			split_publish(sp, NULL);
		return NULL;
	}
	fpos += (size_t)got;
	Cp950 *cv = enc == ENC_CP950 ? cp950_open() : NULL;
	if (enc == ENC_CP950 && !cv) {
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "這個系統的 iconv 不支援 CP950：%s", strerror(errno));
		free(buf);
		if (sp && part == 0)
			split_publish(sp, NULL);
		return NULL;
	}
	/* converting first: a piece in UTF-8 */
	char *out = cv && convert_first ? xmalloc(cp950_out_size()) : NULL;
	size_t n = (size_t)got, carry = 0;
	bool bom = enc == ENC_UTF8 && n >= 3 && span.start == 0 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0;
	size_t skip = bom ? 3 : 0;
	if (sp && part > 0)
		bom = sp->bom;
	Table *t = table_new(form);
	Reader r = {.dl = dl, .split = sp && part == 0 ? sp : NULL, .cv = out ? NULL : cv};
	bool ok = true, said = false; /* said: stopped, or what reading again would say */
	if (sp && part > 0) {
		const RowsHeader *h = split_header(sp);
		ok = h != NULL;
		r.sink = sink_new(form, t, dl, h, run);
	} else {
		r.sink = sink_new(form, t, dl, NULL, run);
	}
	Parse ps; /* begun even when the header failed: it is freed below */
	ok = parse_begin(&r, &ps, sp ? sp->sep : file_line_sep(fd, buf, n)) && ok;
	ps.line = span.line - 1; /* the first line fed is span.line */
	/* the place of the block's first byte, in the file's own bytes */
	/* (the BOM's bytes count in its line's, as the file has them) */
	long line = span.line, line_bytes = (long)skip, bom_bytes = (long)skip;
	size_t offset = span.start; /* of buf[0] in the file */
	while (ok) {
		/* the file (or the part) ends in this block */
		bool end = (size_t)got < want || fpos >= span.end;
		size_t diags_before = dl->n;
		const char *raw = buf + skip;
		size_t rawlen = n - skip, used = 0;
		const char *nul = memchr(raw, '\0', rawlen);
		size_t bad = SIZE_MAX; /* where the block cannot be read, if anywhere */
		if (enc == ENC_UTF8) {
			/* hold back a character the block cuts off, unless the file ends */
			used = rawlen - (end ? 0 : cut_tail(raw, rawlen));
			size_t lim = nul ? (size_t)(nul - raw) : used; /* a NUL is never held back */
			size_t u = text_utf8_invalid_at(raw, lim);
			bad = u < lim ? u : nul ? lim : SIZE_MAX;
		} else if (nul) {
			bad = (size_t)(nul - raw);
		} else if (out) {
			bool not_cp950;
			used = cp950_feed(cv, raw, rawlen, out, &r, &ps, &not_cp950);
			if (not_cp950 || (end && used < rawlen && ps.ok && !rows_fatal(r.sink)))
				bad = used; /* or a character the end cuts */
		} else {
			used = rawlen; /* CP950 parsed as it is: a character cut here
					* is whole in the field libcsv keeps */
		}
		if (bad != SIZE_MAX) {
			/* a block that cannot be read says only that (CP950
			 * converted first is parsed while converted: what parsing
			 * it said goes) */
			diags_truncate(dl, diags_before);
			Place pl = block_place(raw, bad, ps.sep, line, line_bytes);
			unsigned char c = (unsigned char)raw[bad];
			ok = false;
			said = c == 0; /* a NUL is found before converting either way */
			if (c == 0)
				report_bad_byte(dl, pl.line, pl.byte, 0);
			else if (enc == ENC_UTF8 && !bom) {
				*u8 = (Utf8Fail){offset + skip + bad, pl.line, pl.byte, c};
				*next = NEXT_CP950; /* not UTF-8: try CP950 */
			} else if (enc == ENC_UTF8)
				report_bad_byte(dl, pl.line, pl.byte, c);
			else if (!sp)
				report_neither(dl, fd, u8, c, offset + skip + bad, pl);
			break;
		}
		if (!out) {
			parse_feed(&r, &ps, raw, used);
			/* the parser counted the lines and the bytes of the last
			 * one as it fed them (all of raw[0..used), unless it
			 * stopped, which ends the reading) */
			line = ps.line + ps.at_line_start;
			line_bytes = ps.at_line_start ? 0
				     : ps.line_bytes + (line == span.line ? bom_bytes : 0);
		} else { /* what was parsed is the UTF-8: count the file's bytes */
			for (const char *p = raw, *e = raw + used; (p = memchr(p, ps.sep, (size_t)(e - p)));
			     p++) {
				line++;
				line_bytes = -(long)(p + 1 - raw); /* so that adding used counts from p + 1 */
			}
			line_bytes += (long)used;
		}
		if (r.failed)
			break; /* not CP950: reading again says where, before any stop */
		size_t done = offset + skip + used;
		if (sp ? !split_progress(sp, part, done - span.start) : !progress_report(done, total)) {
			diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "%s", progress_stopped_msg);
			ok = false;
			said = true;
			break;
		}
		if (!ps.ok || r.failed || rows_fatal(r.sink) || end)
			break;
		if (sp && split_abandoned(sp, part)) {
			ok = false;
			break;
		}
		carry = rawlen - used;
		memmove(buf, raw + used, carry);
		offset += skip + used;
		skip = 0;
		want = read_block;
		if (want > span.end - fpos)
			want = span.end - fpos;
		got = pread_full(fd, buf + carry, want, fpos);
		if (got < 0) {
			diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "讀取失敗：%s", strerror(errno));
			ok = false;
			break;
		}
		fpos += (size_t)got;
		n = carry + (size_t)got;
	}
	if (sp)
		sp->seps[part] = (size_t)(line - span.line);
	if (ok && sp && part + 1 < sp->n) {
		/* a part before the last must end between rows */
		ok = ps.ok && !r.failed && !rows_fatal(r.sink) && ps.p.pstate == 0;
		csv_free(&ps.p);
	} else if (ok) {
		ok = parse_end(&r, &ps);
	} else {
		csv_free(&ps.p);
	}
	if (ok && !rows_have_header(r.sink)) {
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "檔案是空的 (沒有標題列)");
		ok = false;
	}
	if (sp && part == 0)
		split_publish(sp, NULL); /* if it has not yet: the others wait for it */
	reader_free(&r);
	rows_free(r.sink);
	free(buf);
	free(out);
	cp950_close(cv);
	if (!ok) {
		table_free(t);
		if (cv && !out && !said)
			*next = NEXT_CP950_CONVERTED;
		return NULL;
	}
	if (enc == ENC_CP950) /* written back as read; UTF-8 as out_fmt says */
		fmt.encoding = ENC_CP950;
	table_set_format(t, fmt);
	table_shrink(t);
	return t;
}

/* One guess of split_find's: whether it started inside a quoted cell. */
typedef struct {
	bool alive;	    /* nothing has ruled it out yet */
	bool in;	    /* inside a quoted cell now */
	bool quote;	    /* a quote inside a cell was just read: it closes the
			     * cell, unless another follows (a "" in the cell) */
	size_t record;	    /* where the first record after from begins */
} Guess;

static bool line_end(char c)
{
	return c == '\n' || c == '\r';
}

/* Reads c (prev before it, at offset pos) under the guess g. */
static void guess_feed(Guess *g, char prev, char c, size_t pos, char sep)
{
	if (g->quote) {
		g->quote = false;
		if (c == '"')
			return; /* "" inside the cell */
		g->in = false; /* it was the closing quote: a cell ends here */
		if (c != ',' && c != ' ' && c != '\t' && !line_end(c)) {
			g->alive = false;
			return;
		}
	} else if (g->in) {
		g->quote = c == '"';
		return;
	}
	if (c == '"') { /* opens a cell, so it must begin one */
		g->in = true;
		g->alive = prev == ',' || prev == ' ' || prev == '\t' || line_end(prev);
	} else if (c == sep && g->record == SIZE_MAX) {
		g->record = pos + 1;
	}
}

/* Where a record begins at or after byte from, worked out without reading
 * the file from its start: the bytes from there on are read under two
 * guesses, that from is outside any quoted cell and that it is inside
 * one.  Strict CSV soon rules one out (a quote that would open a cell in
 * the middle of one, or close a cell that something other than a comma or
 * a line end follows); the first line end outside quotes under the other
 * is a record's start.  When no quote rules either out within split_min
 * bytes, outside is taken.  A wrong guess costs only time: the part before
 * would not end between rows, and the file is then read as one.  Sets
 * *at; false when there is no such place before byte limit (about where
 * the next part would begin). */
static bool split_find(const Split *sp, size_t from, size_t limit, size_t *at)
{
	Guess g[2] = {{true, false, false, SIZE_MAX}, {true, true, false, SIZE_MAX}};
	char b[1 << 16], prev = '\n';
	if (from > 0 && pread_full(sp->fd, &prev, 1, from - 1) != 1)
		return false;
	ssize_t got;
	for (size_t pos = from; pos < limit && (got = pread_full(sp->fd, b, sizeof b, pos)) > 0;) {
		for (ssize_t k = 0; k < got; k++, pos++) {
			for (int h = 0; h < 2; h++)
				if (g[h].alive)
					guess_feed(&g[h], prev, b[k], pos, sp->sep);
			prev = b[k];
			if (!g[0].alive && !g[1].alive)
				return false; /* not CSV: reading it as one will say why */
			for (int h = 0; h < 2; h++)
				if (g[h].alive && g[h].record != SIZE_MAX &&
				    (!g[1 - h].alive || (h == 0 && pos - from >= split_min))) {
					*at = g[h].record;
					return *at < sp->total;
				}
		}
	}
	return false;
}

static void split_read(void *ctx, size_t i, size_t n)
{
	(void)n;
	Split *sp = ctx;
	Utf8Fail u8;
	diag_init(&sp->dl[i]);
	if (split_abandoned(sp, i))
		return; /* a part before it failed, or the clerk stopped */
	sp->run[i] = !sp->check ? NULL
		     : sp->keep ? rules_run_new_table(sp->form)
				: rules_run_new(sp->form);
	sp->t[i] = load_stream(sp->fd, sp->total, sp->form, sp->fmt, &sp->dl[i], sp->enc, false, &u8,
			       &sp->next[i], sp, i, sp->run[i]);
	if (!sp->t[i])
		split_fail(sp, i);
}

/* What load_split did. */
typedef enum {
	SPLIT_DONE,	/* read: the table is returned */
	SPLIT_NOT_UTF8, /* the file is not UTF-8: read it as CP950 */
	SPLIT_STOPPED,	/* the clerk stopped it (the reason is in diags) */
	SPLIT_WHOLE,	/* read it as one */
} SplitResult;

/* Reads a big file in parts (see above) as enc.  With run, the records
 * are checked instead of kept: *run gets what checked them (the table
 * returned has none). */
static Table *load_split(int fd, size_t total, const Form *form, FileFormat fmt, DiagList *dl,
			 Encoding enc, SplitResult *res, RulesRun **run)
{
	*res = SPLIT_WHOLE;
	size_t n = par_parts();
	if (n > total / split_min)
		n = total / split_min;
	char head[1 << 16];
	ssize_t got = n >= 2 ? pread_full(fd, head, sizeof head, 0) : -1;
	if (got < 4 || memcmp(head, "\xFF\xFE", 2) == 0 || memcmp(head, "\xFE\xFF", 2) == 0)
		return NULL;
	Split *sp = xcalloc(1, sizeof *sp);
	*sp = (Split){.fd = fd, .total = total, .form = form, .fmt = fmt, .enc = enc,
		      .check = run != NULL, .keep = run && *run && rules_run_for_table(*run)};
	sp->bom = enc == ENC_UTF8 && memcmp(head, "\xEF\xBB\xBF", 3) == 0;
	sp->sep = file_line_sep(fd, head, (size_t)got);
	sp->n = 1;
	sp->span[0] = (Span){0, total, 1};
	for (size_t i = 1; i < n; i++) {
		size_t from = (size_t)((uint64_t)total * i / n), at;
		size_t limit = (size_t)((uint64_t)total * (i + 1) / n);
		if (from >= sp->span[sp->n - 1].start + split_min &&
		    split_find(sp, from, limit, &at) && at > sp->span[sp->n - 1].start) {
			sp->span[sp->n - 1].end = at;
			sp->span[sp->n++] = (Span){at, total, 1};
		}
	}
	sp->span[sp->n - 1].end = SIZE_MAX; /* the last part reads on to the end, as one would */
	Table *t = NULL;
	if (sp->n >= 2) {
		pthread_mutex_init(&sp->mu, NULL);
		pthread_cond_init(&sp->cv, NULL);
		atomic_init(&sp->first_failed, SIZE_MAX);
		for (size_t i = 0; i < sp->n; i++)
			atomic_init(&sp->done[i], 0);
		par_run_waiting(sp->n, split_read, sp, split_waiting);
		if (atomic_load(&sp->first_failed) == SIZE_MAX && !progress_report(total, total)) {
			sp->stopped = true; /* part 0 reported its own end, not the file's */
			split_fail(sp, 0);
		}
		size_t first = atomic_load(&sp->first_failed);
		if (first == SIZE_MAX) {
			*res = SPLIT_DONE;
			last_parts = sp->n;
			t = sp->t[0];
			diag_move(dl, &sp->dl[0], 0, 0);
			long lines = (long)sp->seps[0]; /* line ends before part i */
			for (size_t i = 1; i < sp->n; i++) {
				for (size_t k = 0; k < table_nrecords(sp->t[i]); k++)
					table_record(sp->t[i], k)->line += lines;
				long records = (long)(run ? rules_run_count(sp->run[0]) : table_nrecords(t));
				table_adopt(t, sp->t[i]);
				if (run)
					rules_run_adopt(sp->run[0], sp->run[i], lines);
				diag_move(dl, &sp->dl[i], records, lines);
				lines += (long)sp->seps[i];
			}
			if (run) { /* what the caller passed goes */
				rules_run_free(*run);
				*run = sp->run[0];
			}
		} else {
			if (sp->stopped) {
				/* what part 0 found before (the file's first lines;
				 * its own stop message is dropped) and why it stopped,
				 * as reading the file as one would keep */
				*res = SPLIT_STOPPED;
				DiagList *d0 = &sp->dl[0];
				if (d0->n && strcmp(d0->items[d0->n - 1].msg, progress_stopped_msg) == 0)
					diags_truncate(d0, d0->n - 1);
				diag_move(dl, d0, 0, 0);
				diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "%s", progress_stopped_msg);
			} else if (sp->next[first] == NEXT_CP950) {
				*res = SPLIT_NOT_UTF8;
			}
			for (size_t i = 0; i < sp->n; i++) {
				table_free(sp->t[i]);
				diag_free(&sp->dl[i]);
				rules_run_free(sp->run[i]);
			}
		}
		rows_header_free(sp->header);
		pthread_mutex_destroy(&sp->mu);
		pthread_cond_destroy(&sp->cv);
	}
	free(sp);
	return t;
}

/* A new run for another reading of the file, when the records are
 * checked (run not NULL), of the kind *run is (for a table or not; none
 * yet: not): what checked an earlier reading goes. */
static RulesRun *run_again(RulesRun **run, const Form *form)
{
	if (!run)
		return NULL;
	bool table = *run && rules_run_for_table(*run);
	rules_run_free(*run);
	return *run = table ? rules_run_new_table(form) : rules_run_new(form);
}

/* load_stream again, from the start, as CP950: what an earlier reading
 * said (the diags after the first before) goes, and so does its run. */
static Table *load_cp950_again(int fd, size_t total, const Form *form, FileFormat fmt,
			       DiagList *diags, size_t before, bool convert_first, Utf8Fail *u8,
			       Next *next, RulesRun **run)
{
	diags_truncate(diags, before);
	if (lseek(fd, 0, SEEK_SET) != 0) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "讀取失敗：%s", strerror(errno));
		*next = NEXT_NONE;
		return NULL;
	}
	return load_stream(fd, total, form, fmt, diags, ENC_CP950, convert_first, u8, next, NULL, 0,
			   run_again(run, form));
}

/* csvio_load, and with run csvio_check. */
static Table *load(const char *path, const Form *form, FileFormat out_fmt, DiagList *diags,
		   RulesRun **run)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "無法開啟：%s", strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "無法讀取：%s", strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1,
			 S_ISDIR(st.st_mode) ? "這是資料夾，不是檔案" : "不是一般檔案");
		close(fd);
		return NULL;
	}
	if ((size_t)st.st_size > CSV_MAX_SIZE) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "檔案太大 (%lld 位元組)",
			 (long long)st.st_size);
		close(fd);
		return NULL;
	}
	/* UTF-8, then CP950, each read block by block; what neither can start
	 * on (an empty or UTF-16 file) whole, to be refused with its reason */
	Utf8Fail u8;
	Next next;
	size_t before = diags->n;
	SplitResult res;
	last_parts = 1;
	Table *t = load_split(fd, (size_t)st.st_size, form, out_fmt, diags, ENC_UTF8, &res, run);
	if (res == SPLIT_NOT_UTF8)
		t = load_split(fd, (size_t)st.st_size, form, out_fmt, diags, ENC_CP950, &res, run);
	if (res == SPLIT_DONE || res == SPLIT_STOPPED) {
		close(fd);
		return t;
	}
	RulesRun *r1 = run_again(run, form);
	t = load_stream(fd, (size_t)st.st_size, form, out_fmt, diags, ENC_UTF8, false, &u8, &next,
			NULL, 0, r1);
	if (!t && next == NEXT_CP950) /* not UTF-8: CP950, parsed as it is */
		t = load_cp950_again(fd, (size_t)st.st_size, form, out_fmt, diags, before, false, &u8,
				     &next, run);
	if (!t && next == NEXT_CP950_CONVERTED) /* which failed: converting first says why */
		t = load_cp950_again(fd, (size_t)st.st_size, form, out_fmt, diags, before, true, &u8,
				     &next, run);
	if (t || next != NEXT_WHOLE) {
		close(fd);
		return t;
	}
	diags_truncate(diags, before);
	if (lseek(fd, 0, SEEK_SET) != 0) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "讀取失敗：%s", strerror(errno));
		close(fd);
		return NULL;
	}
	size_t cap = (size_t)st.st_size + 1, len = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (len == cap)
			buf = xrealloc(buf, cap *= 2);
		ssize_t got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "讀取失敗：%s", strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	RulesRun *r3 = run_again(run, form);
	t = load_text(buf, len, form, out_fmt, diags, r3);
	free(buf);
	return t;
}

Table *csvio_load(const char *path, const Form *form, FileFormat out_fmt, DiagList *diags)
{
	return load(path, form, out_fmt, diags, NULL);
}

Table *csvio_load_checked(const char *path, const Form *form, FileFormat out_fmt,
			  DiagList *diags, RulesRun **run)
{
	*run = rules_run_new_table(form); /* the kind of run load makes */
	Table *t = load(path, form, out_fmt, diags, run);
	if (!t) {
		rules_run_free(*run);
		*run = NULL;
	}
	return t;
}

RulesRun *csvio_check(const char *path, const Form *form, DiagList *diags)
{
	RulesRun *run = NULL;
	FileFormat fmt = {ENC_UTF8, true, true}; /* for writing: unused */
	/* the table read holds the header's extra columns and no record: it
	 * says only that the file was read */
	Table *t = load(path, form, fmt, diags, &run);
	if (!t) {
		rules_run_free(run);
		return NULL;
	}
	table_free(t);
	return run;
}

/* --- writing -------------------------------------------------------------- */

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
			 "第 %ld 筆記錄「%s」欄的「%s」(U+%04X) 無法以 CP950 (Big5) 寫出；請改字或改存 UTF-8",
			 rec + 1, label, ch, (unsigned)cp);
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

/* As csvio_write_atomic; the file gets force_mode when it is not -1. */
static int write_atomic(const char *path, const char *data, size_t len, int force_mode,
			DiagList *diags)
{
	AtomicFile a;
	if (atomic_begin(&a, path, force_mode, diags) != 0)
		return -1;
	if (atomic_write(&a, data, len, diags) != 0) {
		atomic_abort(&a);
		return -1;
	}
	return atomic_commit(&a, path, diags);
}

int csvio_write_atomic(const char *path, const char *data, size_t len, DiagList *diags)
{
	return write_atomic(path, data, len, -1, diags);
}

int csvio_backup(const char *path, DiagList *diags)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1; /* nothing to keep yet */
	size_t cap = 1 << 16, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got < 0) {
				diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "無法讀取原檔以備份：%s",
					 strerror(errno));
				free(buf);
				close(fd);
				return -1;
			}
			break;
		}
		if ((n += (size_t)got) == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	close(fd);
	char *bak = xasprintf("%s.bak", path);
	int rc = write_atomic(bak, buf, n, 0600, diags);
	free(bak);
	free(buf);
	return rc;
}

int csvio_save(const Table *t, const char *path, DiagList *diags)
{
	size_t len;
	char *data = csvio_serialize(t, &len, diags);
	if (!data)
		return -1;
	int rc = csvio_write_atomic(path, data, len, diags);
	free(data);
	return rc;
}
