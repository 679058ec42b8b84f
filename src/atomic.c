/* atomic.c - see atomic.h. */
#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"

/* The file path stands for: itself, or the file its link points at.
 * NULL with a diag when that cannot be written over. */
static char *resolve_target(const char *path, DiagList *diags)
{
	struct stat st;
	if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode)) {
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "不是一般檔案，不能寫入；原檔未更動");
			return NULL;
		}
		return xstrdup(path);
	}
	char *real = realpath(path, NULL);
	if (!real) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "這是指向不存在檔案的連結 (%s)；未寫入",
			 strerror(errno));
		return NULL;
	}
	if (stat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "連結指向的不是一般檔案，不能寫入；原檔未更動");
		free(real);
		return NULL;
	}
	char *t = xstrdup(real); /* realpath's memory is malloc's, not ours */
	free(real);
	return t;
}

int atomic_begin(AtomicFile *a, const char *path, int force_mode, DiagList *diags)
{
	memset(a, 0, sizeof *a);
	a->fd = -1;
	a->target = resolve_target(path, diags);
	if (!a->target)
		return -1;
	char *dup = xstrdup(a->target);
	a->dir = xstrdup(dirname(dup));
	free(dup);
	dup = xstrdup(a->target);
	a->tmp = xasprintf("%s/.%s.XXXXXX", a->dir, basename(dup));
	free(dup);
	a->fd = mkstemp(a->tmp); /* 0600 until it is complete */
	if (a->fd < 0) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "無法在 %s 建立暫存檔：%s", a->dir,
			 strerror(errno));
		free(a->target);
		free(a->tmp);
		free(a->dir);
		return -1;
	}
	struct stat st;
	if (force_mode >= 0) {
		a->mode = (mode_t)force_mode;
	} else if (stat(a->target, &st) == 0) {
		a->mode = st.st_mode & 07777;
	} else {
		mode_t um = umask(0);
		umask(um);
		a->mode = 0666 & ~um;
	}
	return 0;
}

int atomic_write(AtomicFile *a, const char *data, size_t len, DiagList *diags)
{
	for (size_t done = 0; done < len;) {
		ssize_t w = write(a->fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "寫入失敗：%s；原檔未更動",
				 strerror(w < 0 ? errno : ENOSPC));
			return -1;
		}
		done += (size_t)w;
	}
	return 0;
}

static void finish(AtomicFile *a)
{
	free(a->target);
	free(a->tmp);
	free(a->dir);
	a->target = a->tmp = a->dir = NULL;
}

void atomic_abort(AtomicFile *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	unlink(a->tmp);
	finish(a);
}

/* Reads the regular file path whole; NULL (errno set) when it cannot, or
 * with errno ENOENT when there is none. */
static char *read_whole(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n == cap)
			buf = xrealloc(buf, cap *= 2);
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	*len = n;
	return buf;
}

/* Keeps what target holds now as target.bak (0600, itself atomically). */
static int keep_backup(const char *target, DiagList *diags)
{
	size_t n;
	char *old = read_whole(target, &n);
	if (!old) {
		if (errno == ENOENT)
			return 0; /* nothing to keep yet */
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "無法讀取原檔以備份：%s；未存檔",
			 strerror(errno));
		return -1;
	}
	char *bak = xasprintf("%s.bak", target);
	AtomicFile b;
	int rc = atomic_begin(&b, bak, 0600, diags);
	if (rc == 0 && (rc = atomic_write(&b, old, n, diags)) != 0)
		atomic_abort(&b);
	else if (rc == 0)
		rc = atomic_commit(&b, false, diags);
	free(bak);
	free(old);
	return rc;
}

int atomic_commit(AtomicFile *a, bool backup, DiagList *diags)
{
	const char *what = NULL;
	int err = 0;
	if (a->fd < 0 && (a->fd = open(a->tmp, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) < 0)
		what = "無法開啟暫存檔", err = errno;
	if (!what && fchmod(a->fd, a->mode) != 0)
		what = "無法設定權限", err = errno;
	if (!what && fsync(a->fd) != 0)
		what = "fsync 失敗", err = errno;
	if (a->fd >= 0 && close(a->fd) != 0 && !what)
		what = "關閉檔案失敗", err = errno;
	a->fd = -1;
	if (what) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "%s：%s；原檔未更動", what, strerror(err));
		unlink(a->tmp);
		finish(a);
		return -1;
	}
	/* the new file is whole on disk: only now is the old one kept */
	if (backup && keep_backup(a->target, diags) != 0) {
		unlink(a->tmp);
		finish(a);
		return -1;
	}
	if (rename(a->tmp, a->target) != 0) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "無法取代原檔：%s；原檔未更動",
			 strerror(errno));
		unlink(a->tmp);
		finish(a);
		return -1;
	}
	int dfd = open(a->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd); /* make the rename itself durable */
		close(dfd);
	}
	finish(a);
	return 0;
}

int atomic_replace(const char *path, const char *data, size_t len, bool backup,
		   DiagList *diags)
{
	AtomicFile a;
	if (atomic_begin(&a, path, -1, diags) != 0)
		return -1;
	if (atomic_write(&a, data, len, diags) != 0) {
		atomic_abort(&a);
		return -1;
	}
	return atomic_commit(&a, backup, diags);
}
