/* journal.c - see journal.h. */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "text.h"

#define MAGIC "SPMJ 1"
/* A journal larger than this is not read (it would be a damaged file). */
#define JOURNAL_MAX ((size_t)1 << 30)

struct Journal {
	int fd;
};

char *journal_path(const char *data_path)
{
	return xasprintf("%s.journal", data_path);
}

static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* Escapes \ TAB LF CR and other control bytes so an entry is one line. */
static char *escape(const char *v)
{
	size_t n = strlen(v);
	char *o = xmalloc(4 * n + 1), *p = o;
	for (const unsigned char *s = (const unsigned char *)v; *s; s++) {
		if (*s == '\\')
			p += sprintf(p, "\\\\");
		else if (*s == '\t')
			p += sprintf(p, "\\t");
		else if (*s == '\n')
			p += sprintf(p, "\\n");
		else if (*s == '\r')
			p += sprintf(p, "\\r");
		else if (*s < 0x20 || *s == 0x7F)
			p += sprintf(p, "\\x%02X", *s);
		else
			*p++ = (char)*s;
	}
	*p = '\0';
	return o;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undoes escape(); returns NULL for a malformed escape. */
static char *unescape(const char *s, size_t n)
{
	char *o = xmalloc(n + 1), *p = o;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			*p++ = s[i];
			continue;
		}
		if (++i >= n)
			goto bad;
		switch (s[i]) {
		case '\\':
			*p++ = '\\';
			break;
		case 't':
			*p++ = '\t';
			break;
		case 'n':
			*p++ = '\n';
			break;
		case 'r':
			*p++ = '\r';
			break;
		case 'x': {
			int hi = i + 1 < n ? hexval(s[i + 1]) : -1, lo = i + 2 < n ? hexval(s[i + 2]) : -1;
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				goto bad; /* a NUL would cut the value */
			*p++ = (char)(hi << 4 | lo);
			i += 2;
			break;
		}
		default:
			goto bad;
		}
	}
	*p = '\0';
	return o;
bad:
	free(o);
	return NULL;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

Journal *journal_open(const char *data_path, DiagList *diags)
{
	char *jp = journal_path(data_path);
	int fd = open(jp, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "無法建立復原紀錄 %s：%s", jp, strerror(errno));
		free(jp);
		return NULL;
	}
	struct stat js, ds;
	if (fstat(fd, &js) == 0 && js.st_size == 0) {
		long long mtime = 0, size = -1;
		if (stat(data_path, &ds) == 0) {
			mtime = (long long)ds.st_mtime;
			size = (long long)ds.st_size;
		}
		char head[96];
		int n = snprintf(head, sizeof head, "%s %lld %lld\n", MAGIC, mtime, size);
		if (write_all(fd, head, (size_t)n) != 0 || fdatasync(fd) != 0) {
			diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "無法寫入復原紀錄 %s：%s", jp,
				 strerror(errno));
			close(fd);
			unlink(jp);
			free(jp);
			return NULL;
		}
	}
	free(jp);
	Journal *j = xcalloc(1, sizeof *j);
	j->fd = fd;
	return j;
}

void journal_close(Journal *j)
{
	if (!j)
		return;
	close(j->fd);
	free(j);
}

int journal_log(Journal *j, JournalOp op, size_t rec, size_t arg, const char *value)
{
	char *v = escape(value ? value : "");
	char *body = xasprintf("%lld\t%c\t%zu\t%zu\t%s", (long long)time(NULL), (char)op, rec, arg, v);
	char *line = xasprintf("%s\t%08x\n", body, (unsigned)fnv1a(body, strlen(body)));
	int rc = write_all(j->fd, line, strlen(line)) == 0 && fdatasync(j->fd) == 0 ? 0 : -1;
	free(line);
	free(body);
	free(v);
	return rc;
}

void journal_retire(const char *data_path)
{
	char *jp = journal_path(data_path);
	unlink(jp);
	free(jp);
}

char *journal_set_aside(const char *data_path)
{
	char *jp = journal_path(data_path);
	char stamp[32];
	time_t now = time(NULL);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
	/* never over an earlier one set aside in the same second */
	char *aside = xasprintf("%s.%s", jp, stamp);
	for (int k = 2; access(aside, F_OK) == 0 && k < 1000; k++) {
		free(aside);
		aside = xasprintf("%s.%s-%d", jp, stamp, k);
	}
	if (access(aside, F_OK) == 0 || rename(jp, aside) != 0) {
		free(aside);
		aside = NULL;
	}
	free(jp);
	return aside;
}

/* Parses a decimal number spanning all of s[0..n). */
static bool number(const char *s, size_t n, long long *out)
{
	if (n == 0 || n > 18)
		return false;
	long long v = 0;
	bool neg = s[0] == '-';
	for (size_t i = neg; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (neg && n == 1)
		return false;
	*out = neg ? -v : v;
	return true;
}

/* Parses one entry line (without '\n'); false when it is damaged. */
static bool parse_entry(const char *s, size_t n, JournalEntry *e)
{
	const char *f[6];
	size_t len[6], k = 0;
	const char *start = s;
	for (size_t i = 0; i <= n && k < 6; i++)
		if (i == n || s[i] == '\t') {
			f[k] = start;
			len[k++] = (size_t)(s + i - start);
			start = s + i + 1;
		}
	if (k != 6 || start <= s + n) /* exactly six fields */
		return false;
	if (len[5] != 8)
		return false;
	char hex[9];
	memcpy(hex, f[5], 8);
	hex[8] = '\0';
	char *end;
	unsigned long want = strtoul(hex, &end, 16);
	if (*end || fnv1a(s, (size_t)(f[5] - 1 - s)) != (uint32_t)want)
		return false;
	long long when, rec, arg;
	if (!number(f[0], len[0], &when) || len[1] != 1 || !number(f[2], len[2], &rec) ||
	    !number(f[3], len[3], &arg) || rec < 0 || arg < 0)
		return false;
	char op = f[1][0];
	if (op != JOP_SET && op != JOP_NEW && op != JOP_COPY && op != JOP_DELETE)
		return false;
	e->op = (JournalOp)op;
	e->when = (time_t)when;
	e->rec = (size_t)rec;
	e->arg = (size_t)arg;
	e->value = NULL;
	if (op == JOP_SET) {
		e->value = unescape(f[4], len[4]);
		if (!e->value)
			return false;
	}
	return true;
}

int journal_read_mem(const char *data, size_t len, JournalRead *out, DiagList *diags)
{
	memset(out, 0, sizeof *out);
	const char *nl = memchr(data, '\n', len);
	long long mt, sz;
	if (!nl || (size_t)(nl - data) < strlen(MAGIC) + 4 || memcmp(data, MAGIC " ", strlen(MAGIC) + 1) != 0) {
		diag_add(diags, DIAG_ERROR, 1, 0, -1, -1, "不是 spmform 的復原紀錄");
		return -1;
	}
	const char *p = data + strlen(MAGIC) + 1, *sp = memchr(p, ' ', (size_t)(nl - p));
	if (!sp || !number(p, (size_t)(sp - p), &mt) || !number(sp + 1, (size_t)(nl - sp - 1), &sz)) {
		diag_add(diags, DIAG_ERROR, 1, 0, -1, -1, "復原紀錄的第一行已損壞");
		return -1;
	}
	out->base_mtime = mt;
	out->base_size = sz;
	size_t cap = 0;
	long line = 1;
	for (const char *s = nl + 1; s < data + len; line++) {
		const char *e = memchr(s, '\n', (size_t)(data + len - s));
		JournalEntry ent;
		if (!e || memchr(s, '\0', (size_t)(e - s)) || !parse_entry(s, (size_t)(e - s), &ent)) {
			out->bad_line = line + 1;
			diag_add(diags, DIAG_WARNING, line + 1, 0, -1, -1,
				 e ? "復原紀錄在這一行損壞，只使用之前的 %zu 筆修改"
				   : "復原紀錄在這一行被截斷 (寫到一半)，只使用之前的 %zu 筆修改",
				 out->n);
			break;
		}
		if (out->n == cap) {
			cap = cap ? 2 * cap : 64;
			out->entries = xrealloc(out->entries, cap * sizeof *out->entries);
		}
		out->entries[out->n++] = ent;
		s = e + 1;
	}
	return 0;
}

int journal_read(const char *journal_file, JournalRead *out, DiagList *diags)
{
	memset(out, 0, sizeof *out);
	FILE *f = fopen(journal_file, "rb");
	if (!f)
		return -1;
	size_t cap = 1 << 14, n = 0, got;
	char *buf = xmalloc(cap);
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n > JOURNAL_MAX)
			break;
		if (n == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	fclose(f);
	int rc = journal_read_mem(buf, n, out, diags);
	free(buf);
	return rc;
}

void journal_read_free(JournalRead *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->entries[i].value);
	free(r->entries);
	memset(r, 0, sizeof *r);
}

size_t journal_apply(Table *t, const JournalRead *r, DiagList *diags)
{
	size_t i;
	for (i = 0; i < r->n; i++) {
		const JournalEntry *e = &r->entries[i];
		size_t n = table_nrecords(t);
		bool ok;
		switch (e->op) {
		case JOP_SET:
			ok = e->rec < n && e->arg < table_ncols(t);
			if (ok)
				table_put(t, e->rec, e->arg, xstrdup(e->value));
			break;
		case JOP_NEW:
			ok = e->rec <= n;
			if (ok)
				table_insert(t, e->rec, 0);
			break;
		case JOP_COPY:
			ok = e->rec <= n && e->arg < n;
			if (ok)
				table_insert_copy(t, e->rec, e->arg);
			break;
		case JOP_DELETE:
			ok = e->rec < n;
			if (ok)
				table_remove(t, e->rec);
			break;
		default:
			ok = false;
		}
		if (!ok) {
			diag_add(diags, DIAG_WARNING, 0, 0, -1, -1,
				 "復原紀錄的第 %zu 筆修改與檔案對不上，只套用之前的 %zu 筆", i + 1, i);
			break;
		}
	}
	return i;
}
