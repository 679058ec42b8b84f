/* lock.c - see lock.h. */
#define _GNU_SOURCE /* F_OFD_SETLK */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"

struct Lock {
	char *path;
	int fd;
};

/* Copies the next word of s (up to n bytes, *at advanced) into out. */
static void word(const char *s, size_t n, size_t *at, char *out, size_t size)
{
	while (*at < n && (s[*at] == ' ' || s[*at] == '\t'))
		(*at)++;
	size_t k = 0;
	for (; *at < n && s[*at] != ' ' && s[*at] != '\t' && s[*at] != '\n'; (*at)++)
		if (k + 1 < size)
			out[k++] = s[*at];
	out[k] = '\0';
}

/* A decimal number of at most 18 digits in w, between lo and hi; else 0. */
static long long number(const char *w, long long lo, long long hi)
{
	if (!*w || strlen(w) > 18)
		return 0;
	long long v = 0;
	for (const char *p = w; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v >= lo && v <= hi ? v : 0;
}

void lock_parse_holder(const char *text, size_t n, LockHolder *h)
{
	memset(h, 0, sizeof *h);
	char pid[32], since[32];
	size_t at = 0;
	word(text, n, &at, h->user, sizeof h->user);
	word(text, n, &at, pid, sizeof pid);
	word(text, n, &at, h->host, sizeof h->host);
	word(text, n, &at, since, sizeof since);
	h->pid = (long)number(pid, 1, 0x7FFFFFFF);
	/* a time at most a year ahead of this clock: anything else is not one */
	h->since = (time_t)number(since, 1, (long long)time(NULL) + 366L * 24 * 3600);
}

static void read_holder(int fd, LockHolder *h)
{
	char buf[512];
	ssize_t got = pread(fd, buf, sizeof buf, 0);
	lock_parse_holder(buf, got > 0 ? (size_t)got : 0, h);
}

static void write_holder(int fd)
{
	const struct passwd *pw = getpwuid(getuid());
	char host[128];
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "?");
	host[sizeof host - 1] = '\0';
	char *line = xasprintf("%s %ld %s %lld\n", pw ? pw->pw_name : "?", (long)getpid(), host,
			       (long long)time(NULL));
	if (ftruncate(fd, 0) != 0 || pwrite(fd, line, strlen(line), 0) < 0) {
		/* only the notice for a second clerk is lost: the lock holds */
	}
	free(line);
}

/* Opens path for the lock, never following a link nor waiting on a FIFO;
 * -1 with *why. */
static int open_lock_file(const char *path, char **why)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0644);
	if (fd < 0) {
		*why = errno == ELOOP ? xstrdup("鎖定檔是符號連結，不使用")
				      : xasprintf("無法建立鎖定檔：%s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*why = xstrdup("鎖定檔不是一般檔案，不使用");
		close(fd);
		return -1;
	}
	return fd;
}

LockStatus lock_acquire(const char *data_path, Lock **lock, LockHolder *holder, char **why)
{
	*lock = NULL;
	*why = NULL;
	memset(holder, 0, sizeof *holder);
	char *path = xasprintf("%s.lock", data_path);
	for (int attempt = 0; attempt < 5; attempt++) {
		int fd = open_lock_file(path, why);
		if (fd < 0)
			break;
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
			int e = errno;
			if (e == EAGAIN || e == EACCES) {
				read_holder(fd, holder);
				close(fd);
				free(path);
				return LOCK_BUSY;
			}
			*why = xasprintf("這個檔案系統不支援鎖定 (%s)", strerror(e));
			close(fd);
			break;
		}
		/* the file may have been removed by the holder letting go, and
		 * another made, between the open and the lock: then take that one */
		struct stat a, b;
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino) {
			write_holder(fd);
			Lock *l = xmalloc(sizeof *l);
			*l = (Lock){path, fd};
			*lock = l;
			return LOCK_OK;
		}
		close(fd);
	}
	if (!*why)
		*why = xstrdup("無法取得鎖定");
	free(path);
	return LOCK_FAILED;
}

bool lock_held(const char *data_path, LockHolder *holder)
{
	memset(holder, 0, sizeof *holder);
	char *path = xasprintf("%s.lock", data_path);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	free(path);
	if (fd < 0)
		return false;
	struct stat st;
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	bool held = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fcntl(fd, F_OFD_GETLK, &fl) == 0 &&
		    fl.l_type != F_UNLCK;
	if (held)
		read_holder(fd, holder);
	close(fd);
	return held;
}

void lock_release(Lock *l)
{
	if (!l)
		return;
	unlink(l->path); /* while still held: whoever locks the old file sees it gone */
	close(l->fd);
	free(l->path);
	free(l);
}
