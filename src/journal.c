/* journal.c - see journal.h. */
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "text.h"

#define MAGIC "SPMJ 2"
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

/* The base line of a journal for the data file as it is now (or for none
 * yet: size -1). */
static char *base_line(const char *data_path)
{
	struct stat ds;
	if (stat(data_path, &ds) != 0)
		return xasprintf("%s 0 0 -1\n", MAGIC);
	return xasprintf("%s %lld %ld %lld\n", MAGIC, (long long)ds.st_mtim.tv_sec,
			 (long)ds.st_mtim.tv_nsec, (long long)ds.st_size);
}

Journal *journal_open(const char *data_path, DiagList *diags)
{
	char *jp = journal_path(data_path);
	/* a journal of this session's is created here, never an existing one
	 * taken over, and never a link followed: what a link points at would
	 * get the journal */
	int fd = open(jp, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	bool created = fd >= 0;
	if (fd < 0 && errno == EEXIST) /* the journal of the file, kept on after a recovery */
		fd = open(jp, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat js;
	if (fd >= 0 && (fstat(fd, &js) != 0 || !S_ISREG(js.st_mode) || js.st_nlink != 1)) {
		close(fd);
		fd = -1;
		errno = EINVAL;
	}
	if (fd < 0) {
		char *e = text_escape(jp);
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "無法建立復原紀錄 %s：%s", e,
			 errno == ELOOP || errno == EINVAL ? "那裡有連結或不是一般檔案的東西" : strerror(errno));
		free(e);
		free(jp);
		return NULL;
	}
	if (created) {
		char *head = base_line(data_path);
		if (write_all(fd, head, strlen(head)) != 0 || fdatasync(fd) != 0) {
			char *e = text_escape(jp);
			diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "無法寫入復原紀錄 %s：%s", e,
				 strerror(errno));
			free(e);
			close(fd);
			unlink(jp);
			free(head);
			free(jp);
			return NULL;
		}
		free(head);
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
	struct tm tm;
	if (!localtime_r(&now, &tm) || !strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm))
		snprintf(stamp, sizeof stamp, "%lld", (long long)now);
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

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **journal_list_aside(const char *data_path, size_t *n)
{
	*n = 0;
	char *dup = xstrdup(data_path), *dup2 = xstrdup(data_path);
	const char *dir = dirname(dup);
	char *prefix = xasprintf("%s.journal.", basename(dup2));
	size_t plen = strlen(prefix), cap = 0;
	char **names = NULL;
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		const char *stamp = e->d_name + plen;
		if (strncmp(e->d_name, prefix, plen) != 0 || strlen(stamp) < 15 ||
		    strspn(stamp, "0123456789-") != strlen(stamp))
			continue;
		if (*n == cap)
			names = xrealloc(names, (cap = cap ? 2 * cap : 8) * sizeof *names);
		names[(*n)++] = strcmp(dir, ".") == 0 && !strchr(data_path, '/')
				    ? xstrdup(e->d_name)
				    : xasprintf("%s/%s", dir, e->d_name);
	}
	if (d)
		closedir(d);
	if (*n)
		qsort(names, *n, sizeof *names, by_name);
	free(prefix);
	free(dup2);
	free(dup);
	return names;
}

int journal_restore(const char *aside, const char *data_path, DiagList *diags)
{
	char *jp = journal_path(data_path);
	/* link, not rename: a journal there already is never replaced */
	int rc = link(aside, jp) == 0 && unlink(aside) == 0 ? 0 : -1;
	if (rc != 0)
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "無法改回復原紀錄：%s",
			 errno == EEXIST ? "檔案已有一份未處理的復原紀錄 (先開啟檔案處理它)"
					 : strerror(errno));
	free(jp);
	return rc;
}

bool journal_fits(const JournalRead *r, const struct stat *st)
{
	if (!st)
		return r->base_size == -1;
	return r->base_mtime == (long long)st->st_mtim.tv_sec &&
	       (r->base_nsec < 0 || r->base_nsec == (long long)st->st_mtim.tv_nsec) &&
	       r->base_size == (long long)st->st_size;
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

/* Reads the base line, "SPMJ 2 SEC NSEC SIZE" (or "SPMJ 1 SEC SIZE" of
 * an older spmform), n bytes at line; false when it is not one. */
static bool parse_base(const char *line, size_t n, JournalRead *out)
{
	const char *w[6];
	size_t len[6], k = 0;
	for (size_t i = 0, start = 0; i <= n; i++)
		if (i == n || line[i] == ' ') {
			if (k == 6)
				return false;
			w[k] = line + start;
			len[k++] = i - start;
			start = i + 1;
		}
	if (k < 4 || len[0] != 4 || memcmp(w[0], "SPMJ", 4) != 0 || len[1] != 1)
		return false;
	long long sec, nsec = -1, size;
	bool v2 = w[1][0] == '2' && k == 5, v1 = w[1][0] == '1' && k == 4;
	if (v2 ? !number(w[2], len[2], &sec) || !number(w[3], len[3], &nsec) ||
		     !number(w[4], len[4], &size) || nsec < 0 || nsec > 999999999
	    : !v1 || !number(w[2], len[2], &sec) || !number(w[3], len[3], &size))
		return false;
	out->base_mtime = sec;
	out->base_nsec = nsec;
	out->base_size = size;
	return true;
}

int journal_read_mem(const char *data, size_t len, JournalRead *out, DiagList *diags)
{
	memset(out, 0, sizeof *out);
	const char *nl = memchr(data, '\n', len);
	if (!nl || nl - data < 5 || memcmp(data, "SPMJ ", 5) != 0) {
		diag_add(diags, DIAG_ERROR, 1, 0, -1, -1, "不是 spmform 的復原紀錄");
		return -1;
	}
	if (memchr(data, '\0', (size_t)(nl - data)) || !parse_base(data, (size_t)(nl - data), out)) {
		diag_add(diags, DIAG_ERROR, 1, 0, -1, -1, "復原紀錄的第一行已損壞");
		return -1;
	}
	/* an entry's time: from 2000 to a year ahead of this clock */
	time_t latest = time(NULL) + 366L * 24 * 3600;
	size_t cap = 0;
	long line = 1;
	for (const char *s = nl + 1; s < data + len; line++) {
		const char *e = memchr(s, '\n', (size_t)(data + len - s));
		JournalEntry ent;
		bool ok = e && !memchr(s, '\0', (size_t)(e - s)) && parse_entry(s, (size_t)(e - s), &ent);
		if (ok && (ent.when < 946684800 || ent.when > latest)) {
			free(ent.value);
			ok = false;
		}
		if (!ok) {
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
	int fd = open(journal_file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "無法讀取復原紀錄：%s",
				 errno == ELOOP ? "它是符號連結" : strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > JOURNAL_MAX) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1,
			 S_ISREG(st.st_mode) ? "復原紀錄太大，不是 spmform 寫的" : "復原紀錄不是一般檔案");
		close(fd);
		return -1;
	}
	size_t n = (size_t)st.st_size, got = 0;
	char *buf = xmalloc(n + 1);
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	int rc = journal_read_mem(buf, got, out, diags);
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
