/* ini.c - see ini.h. */
#define _GNU_SOURCE /* memfd_create */
#include "ini.h"

#include <errno.h>
#include <fcntl.h>
#include <iniparser/iniparser.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "text.h"

/* iniparser reads lines with fgets into a 1024-byte buffer: a line of 1023
 * bytes or more (with its newline) fails the whole load. */
#define INI_MAX_LINE 1022
/* A form or config file larger than this is not a form or config file. */
#define INI_MAX_SIZE (4L * 1024 * 1024)

typedef struct {
	char *name; /* lower-cased */
	long line;
} Name;

typedef struct {
	Name sec;
	Name *keys;
	size_t nkeys, cap;
	size_t start; /* byte offset of its [section] line */
	size_t chunk; /* the dictionary that holds its keys */
} Section;

/* iniparser's dictionary looks each key up among all the others, so one
 * dictionary of a form of 16,000 fields took ten seconds to fill.  The
 * file is handed to iniparser in chunks of this many sections, each a
 * dictionary of its own: loading stays linear in the file. */
#define CHUNK_SECTIONS 64

struct Ini {
	dictionary **dicts; /* one per chunk */
	size_t ndicts;
	Section *secs;
	size_t nsecs, cap;
	/* the sections by name: a section's index + 1 at the slot its name
	 * hashes to (0: free), so that a form of thousands of fields loads in
	 * linear time */
	size_t *slot;
	size_t nslots; /* a power of two, at least twice nsecs */
};

static char *lower_dup(const char *s, size_t n)
{
	char *p = xstrndup(s, n);
	for (char *q = p; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q + 'a' - 'A');
	return p;
}

static void span_trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
		(*n)--;
}

static size_t name_hash(const char *s)
{
	size_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot of name: where it is, or the free one it would go to. */
static size_t slot_of(const Ini *ini, const char *name)
{
	size_t i = name_hash(name) & (ini->nslots - 1);
	while (ini->slot[i] && strcmp(ini->secs[ini->slot[i] - 1].sec.name, name) != 0)
		i = (i + 1) & (ini->nslots - 1);
	return i;
}

static Section *find_section(const Ini *ini, const char *name)
{
	if (!ini->nslots)
		return NULL;
	size_t k = ini->slot[slot_of(ini, name)];
	return k ? &ini->secs[k - 1] : NULL;
}

/* Adds a section (its name malloc'd, taken over) whose [section] line
 * begins at byte start, and returns it. */
static Section *add_section(Ini *ini, char *name, long line, size_t start)
{
	if (ini->nsecs == ini->cap) {
		ini->cap = ini->cap ? 2 * ini->cap : 16;
		ini->secs = xrealloc(ini->secs, ini->cap * sizeof *ini->secs);
	}
	ini->secs[ini->nsecs] = (Section){{name, line}, NULL, 0, 0, start, ini->nsecs / CHUNK_SECTIONS};
	ini->nsecs++;
	if (2 * ini->nsecs > ini->nslots) { /* index them all again, in a bigger table */
		free(ini->slot);
		ini->nslots = ini->nslots ? 2 * ini->nslots : 32;
		ini->slot = xcalloc(ini->nslots, sizeof *ini->slot);
		for (size_t i = 0; i < ini->nsecs; i++)
			ini->slot[slot_of(ini, ini->secs[i].sec.name)] = i + 1;
	} else {
		ini->slot[slot_of(ini, name)] = ini->nsecs;
	}
	return &ini->secs[ini->nsecs - 1];
}

static const Name *find_key(const Section *s, const char *key)
{
	for (size_t i = 0; i < s->nkeys; i++)
		if (strcmp(s->keys[i].name, key) == 0)
			return &s->keys[i];
	return NULL;
}

/* A line's bytes (s, n): 0 when iniparser can read them, else 1 with the
 * error at lineno: NUL, not UTF-8.  (Too long is checked before.) */
static size_t line_bytes(const char *s, size_t n, long lineno, DiagList *dl)
{
	if (memchr(s, '\0', n)) {
		diag_add(dl, DIAG_ERROR, lineno, 0, -1, -1, "這一行有 NUL 位元組");
		return 1;
	}
	size_t inv = text_utf8_invalid_at(s, n);
	if (inv == n)
		return 0;
	long col = 1; /* in characters, as every Diag.col */
	for (size_t i = 0; i < inv; i++)
		col += ((unsigned char)s[i] & 0xC0) != 0x80;
	diag_add(dl, DIAG_ERROR, lineno, col, -1, -1,
		 "不是 UTF-8 (位元組 0x%02X)：設定與表單檔必須存成 UTF-8", (unsigned char)s[inv]);
	return 1;
}

/* A section line "[name]" (trimmed, s[0] == '['), which starts at byte
 * line_at: *cur becomes its section, or NULL when it is wrong (then 1 is
 * returned, the error added). */
static size_t section_line(Ini *ini, const char *s, size_t n, long lineno, size_t line_at,
			   Section **cur, DiagList *dl)
{
	*cur = NULL;
	if (s[n - 1] != ']') {
		diag_add(dl, DIAG_ERROR, lineno, 0, -1, -1,
			 "段落標題必須以 ] 結尾 (iniparser 不接受段落標題後的註解)");
		return 1;
	}
	const char *name = s + 1;
	size_t nn = n - 2;
	span_trim(&name, &nn);
	char *lname = lower_dup(name, nn);
	Section *dup = NULL;
	if (nn == 0 || strchr(lname, ':') || strchr(lname, '[') || strchr(lname, ']'))
		diag_add(dl, DIAG_ERROR, lineno, 0, -1, -1, "段落名稱「%s」不可空白，也不可含 : [ ]",
			 lname);
	else if ((dup = find_section(ini, lname)))
		diag_add(dl, DIAG_ERROR, lineno, 0, -1, -1, "段落 [%s] 重複 (第 %ld 行已有)", lname,
			 dup->sec.line);
	else {
		*cur = add_section(ini, lname, lineno, line_at);
		return 0;
	}
	free(lname);
	return 1;
}

/* What iniparser does to a value that a clerk would not expect: an
 * unclosed quote (an error, counted in the result), an unquoted ';' or '#'
 * that starts a comment (a warning). */
static size_t value_text(const Section *cur, const char *key, const char *v, size_t vn,
			 long lineno, DiagList *dl)
{
	span_trim(&v, &vn);
	if (vn && v[0] != '"' && v[0] != '\'' && (memchr(v, ';', vn) || memchr(v, '#', vn)))
		diag_add(dl, DIAG_WARNING, lineno, 0, -1, -1,
			 "值中的 ; 或 # 之後會被當成註解截掉；若是值的一部分，請用雙引號括住整個值");
	if (!vn || (v[0] != '"' && v[0] != '\'') || memchr(v + 1, v[0], vn - 1))
		return 0;
	diag_add(dl, DIAG_ERROR, lineno, 0, -1, -1, "[%s] %s 的值以 %c 開頭，但引號沒有結束 (少了一個 %c)",
		 cur->sec.name, key, v[0], v[0]);
	return 1;
}

/* A key line "key = value" (trimmed) in section cur (NULL: none yet):
 * the key is recorded with its line; the number of errors. */
static size_t key_line(Section *cur, const char *s, size_t n, long lineno, DiagList *dl)
{
	const char *eq = memchr(s, '=', n);
	if (!eq) {
		diag_add(dl, DIAG_ERROR, lineno, 0, -1, -1,
			 "看不懂這一行：應為 [段落]、鍵 = 值，或以 ; 開頭的註解");
		return 1;
	}
	const char *k = s;
	size_t kn = (size_t)(eq - s);
	span_trim(&k, &kn);
	char *key = lower_dup(k, kn);
	const Name *dup = NULL;
	if (kn == 0 || strchr(key, ':'))
		diag_add(dl, DIAG_ERROR, lineno, 0, -1, -1, "鍵名不可空白，也不可含 :");
	else if (!cur)
		diag_add(dl, DIAG_ERROR, lineno, 0, -1, -1, "鍵「%s」不在任何 [段落] 之下", key);
	else if ((dup = find_key(cur, key)))
		diag_add(dl, DIAG_ERROR, lineno, 0, -1, -1,
			 "[%s] 的鍵「%s」重複 (第 %ld 行已有)；iniparser 會默默只留最後一個",
			 cur->sec.name, key, dup->line);
	else {
		if (cur->nkeys == cur->cap) {
			cur->cap = cur->cap ? 2 * cur->cap : 8;
			cur->keys = xrealloc(cur->keys, cur->cap * sizeof *cur->keys);
		}
		cur->keys[cur->nkeys++] = (Name){key, lineno};
		return value_text(cur, key, eq + 1, n - (size_t)(eq + 1 - s), lineno, dl);
	}
	free(key);
	return 1;
}

/* Walks the text line by line as iniparser will, recording sections and
 * keys with their lines, and reporting what iniparser would get wrong or
 * reject.  Returns the number of errors. */
static size_t prescan(Ini *ini, const char *buf, size_t len, DiagList *dl)
{
	size_t errors = 0;
	long lineno = 0;
	bool continued = false; /* previous line ended in '\' */
	size_t joined = 0;      /* bytes of the logical line so far */
	long joined_from = 0;
	Section *cur = NULL;
	for (size_t pos = 0; pos < len;) {
		size_t line_at = pos;
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		const char *s = buf + pos;
		pos += n + (nl ? 1 : 0);
		lineno++;
		if (n > INI_MAX_LINE) {
			diag_add(dl, DIAG_ERROR, lineno, 0, -1, -1,
				 "這一行有 %zu 位元組，超過 iniparser 的上限 %d：請把長文字分成幾個鍵或縮短",
				 n, INI_MAX_LINE);
			errors++;
			continued = false;
			continue;
		}
		size_t bad = line_bytes(s, n, lineno, dl);
		errors += bad;
		if (bad)
			continue;
		size_t raw = n; /* iniparser keeps leading spaces of a continuation */
		size_t rtrim = n;
		while (rtrim && (s[rtrim - 1] == ' ' || s[rtrim - 1] == '\t' || s[rtrim - 1] == '\r'))
			rtrim--;
		span_trim(&s, &n);
		bool was_continued = continued;
		continued = n > 0 && s[n - 1] == '\\';
		/* iniparser reads a continuation into the same 1,024-byte buffer,
		 * after what came before minus its trailing '\' */
		if (!was_continued) {
			joined = 0;
			joined_from = lineno;
		}
		if (joined + raw > INI_MAX_LINE) {
			diag_add(dl, DIAG_ERROR, joined_from, 0, -1, -1,
				 "以 \\ 接續的各行合計 %zu 位元組，超過 iniparser 的上限 %d", joined + raw,
				 INI_MAX_LINE);
			errors++;
			continued = false;
			continue;
		}
		joined += rtrim ? rtrim - 1 : 0;
		if (was_continued || n == 0 || s[0] == ';' || s[0] == '#')
			continue;
		if (s[0] == '[')
			errors += section_line(ini, s, n, lineno, line_at, &cur, dl);
		else
			errors += key_line(cur, s, n, lineno, dl);
	}
	return errors;
}

/* iniparser reports through this callback; it is global state, set around
 * each load (not thread-safe, as iniparser itself).  cb_lines: the lines
 * before the chunk being loaded. */
static DiagList *cb_diags;
static long cb_lines;

static int ini_error_cb(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!cb_diags)
		return n;
	/* "iniparser: syntax error in F (N):\n-> LINE\n" */
	long line = 0;
	const char *paren = strrchr(msg, '(');
	const char *colon = strstr(msg, "):");
	if (colon) {
		for (const char *p = colon; p > msg; p--)
			if (*p == '(') {
				paren = p;
				break;
			}
	}
	if (paren)
		line = strtol(paren + 1, NULL, 10);
	const char *what = strstr(msg, "too long")       ? "這一行太長 (iniparser 的上限是 1022 位元組)"
			   : strstr(msg, "syntax error") ? "iniparser 看不懂這一行"
							 : "iniparser 無法讀取";
	diag_add(cb_diags, DIAG_ERROR, line ? line + cb_lines : 0, 0, -1, -1, "%s", what);
	return n;
}

static bool read_all(const char *path, char **buf, size_t *len, DiagList *dl)
{
	/* O_NONBLOCK: a FIFO is refused below, never waited on */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
	if (!f) {
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "無法開啟：%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "不是一般檔案");
		fclose(f);
		return false;
	}
	size_t cap = 4096, n = 0;
	char *b = xmalloc(cap);
	size_t got;
	while ((got = fread(b + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n > (size_t)INI_MAX_SIZE) {
			diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "檔案太大 (超過 %ld 位元組)",
				 INI_MAX_SIZE);
			free(b);
			fclose(f);
			return false;
		}
		if (n == cap)
			b = xrealloc(b, cap *= 2);
	}
	bool err = ferror(f);
	fclose(f);
	if (err) {
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "讀取失敗");
		free(b);
		return false;
	}
	*buf = b;
	*len = n;
	return true;
}

/* iniparser 4.1 can only load a path: a chunk of the file (without its
 * BOM) is handed over as a file in memory. */
static dictionary *load_text(const char *body, size_t len)
{
	int fd = memfd_create("spmform-ini", MFD_CLOEXEC);
	if (fd < 0)
		return NULL;
	dictionary *d = NULL;
	if (write(fd, body, len) == (ssize_t)len) {
		char p[64];
		snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
		d = iniparser_load(p);
	}
	close(fd);
	return d;
}

/* Loads body, the file path without its BOM, in chunks of CHUNK_SECTIONS
 * sections; false when iniparser fails on one.  A file of one chunk
 * without BOM is loaded from its path: writing a copy would count against
 * a file-size limit (ulimit -f). */
static bool load_chunks(Ini *ini, const char *path, bool bom, const char *body, size_t len)
{
	ini->ndicts = ini->nsecs ? (ini->nsecs - 1) / CHUNK_SECTIONS + 1 : 1;
	ini->dicts = xcalloc(ini->ndicts, sizeof *ini->dicts);
	if (ini->ndicts == 1 && !bom) {
		cb_lines = 0;
		return (ini->dicts[0] = iniparser_load(path)) != NULL;
	}
	for (size_t c = 0; c < ini->ndicts; c++) {
		/* the first chunk from the top, the others from their first
		 * section's line, each to where the next begins */
		size_t from = c ? ini->secs[c * CHUNK_SECTIONS].start : 0;
		size_t to = c + 1 < ini->ndicts ? ini->secs[(c + 1) * CHUNK_SECTIONS].start : len;
		cb_lines = c ? ini->secs[c * CHUNK_SECTIONS].sec.line - 1 : 0;
		if (!(ini->dicts[c] = load_text(body + from, to - from)))
			return false;
	}
	return true;
}

Ini *ini_load(const char *path, DiagList *diags)
{
	char *buf;
	size_t len;
	if (!read_all(path, &buf, &len, diags))
		return NULL;
	bool bom = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0;
	const char *body = bom ? buf + 3 : buf;
	size_t blen = bom ? len - 3 : len;
	Ini *ini = xcalloc(1, sizeof *ini);
	size_t before = diags->nerrors;
	if (prescan(ini, body, blen, diags) > 0) {
		free(buf);
		ini_free(ini);
		return NULL;
	}
	cb_diags = diags;
	iniparser_set_error_callback(ini_error_cb);
	bool ok = load_chunks(ini, path, bom, body, blen);
	iniparser_set_error_callback(NULL);
	cb_diags = NULL;
	free(buf);
	if (!ok) {
		if (diags->nerrors == before)
			diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "iniparser 無法載入此檔");
		ini_free(ini);
		return NULL;
	}
	return ini;
}

void ini_free(Ini *ini)
{
	if (!ini)
		return;
	for (size_t c = 0; c < ini->ndicts; c++)
		if (ini->dicts[c])
			iniparser_freedict(ini->dicts[c]);
	free(ini->dicts);
	for (size_t i = 0; i < ini->nsecs; i++) {
		for (size_t k = 0; k < ini->secs[i].nkeys; k++)
			free(ini->secs[i].keys[k].name);
		free(ini->secs[i].keys);
		free(ini->secs[i].sec.name);
	}
	free(ini->secs);
	free(ini->slot);
	free(ini);
}

size_t ini_nsections(const Ini *ini)
{
	return ini->nsecs;
}

const char *ini_section(const Ini *ini, size_t i)
{
	return ini->secs[i].sec.name;
}

long ini_section_line(const Ini *ini, size_t i)
{
	return ini->secs[i].sec.line;
}

size_t ini_nkeys(const Ini *ini, const char *section)
{
	const Section *s = find_section(ini, section);
	return s ? s->nkeys : 0;
}

const char *ini_key(const Ini *ini, const char *section, size_t i)
{
	return find_section(ini, section)->keys[i].name;
}

const char *ini_get(const Ini *ini, const char *section, const char *key)
{
	const Section *s = find_section(ini, section);
	if (!s || !find_key(s, key))
		return NULL; /* never ask iniparser for anything but a known key */
	char *full = xasprintf("%s:%s", section, key);
	const char *v = iniparser_getstring(ini->dicts[s->chunk], full, NULL);
	free(full);
	return v;
}

long ini_line(const Ini *ini, const char *section, const char *key)
{
	const Section *s = find_section(ini, section);
	if (!s)
		return 0;
	const Name *k = key ? find_key(s, key) : NULL; /* no key: the section's line */
	return k ? k->line : s->sec.line;
}

size_t ini_check_keys(const Ini *ini, const char *section, const char *const *allowed,
		      DiagList *diags)
{
	const Section *s = find_section(ini, section);
	size_t bad = 0;
	for (size_t i = 0; s && i < s->nkeys; i++) {
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = strcmp(*a, s->keys[i].name) == 0;
		if (ok)
			continue;
		char *list = xstrdup("");
		for (const char *const *a = allowed; *a; a++) {
			char *l = xasprintf("%s%s%s", list, *list ? ", " : "", *a);
			free(list);
			list = l;
		}
		diag_add(diags, DIAG_ERROR, s->keys[i].line, 0, -1, -1,
			 "[%s] 沒有「%s」這個鍵 (可用：%s)", section, s->keys[i].name, list);
		free(list);
		bad++;
	}
	return bad;
}

int ini_bool(const char *v)
{
	static const char *const yes[] = {"yes", "true", "1", "on", "y"};
	static const char *const no[] = {"no", "false", "0", "off", "n"};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		if (text_casecmp(v, yes[i]) == 0)
			return 1;
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		if (text_casecmp(v, no[i]) == 0)
			return 0;
	return -1;
}

char **ini_split(const char *value, size_t *n, size_t *nempty)
{
	size_t cap = 4, count = 0, empty = 0;
	char **v = xmalloc(cap * sizeof *v);
	const char *p = value;
	for (;;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		char *raw = xstrndup(p, len);
		char *item = text_trim(raw);
		free(raw);
		if (*item) {
			if (count == cap)
				v = xrealloc(v, (cap *= 2) * sizeof *v);
			v[count++] = item;
		} else {
			free(item);
			empty++;
		}
		if (!bar)
			break;
		p = bar + 1;
	}
	*n = count;
	if (nempty)
		*nempty = empty;
	return v;
}

void ini_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}
