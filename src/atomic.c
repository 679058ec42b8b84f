/* atomic.c - see atomic.h. */
#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "text.h"

int atomic_begin(AtomicFile *a, const char *path, int force_mode, DiagList *diags)
{
	char *dup = xstrdup(path);
	a->dir = xstrdup(dirname(dup));
	free(dup);
	dup = xstrdup(path);
	a->tmp = xasprintf("%s/.%s.XXXXXX", a->dir, basename(dup));
	free(dup);
	a->fd = mkstemp(a->tmp); /* 0600 until it is complete */
	if (a->fd < 0) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "無法在 %s 建立暫存檔：%s", a->dir,
			 strerror(errno));
		free(a->tmp);
		free(a->dir);
		return -1;
	}
	struct stat st;
	if (force_mode >= 0) {
		a->mode = (mode_t)force_mode;
	} else if (stat(path, &st) == 0) {
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
	free(a->tmp);
	free(a->dir);
	a->tmp = a->dir = NULL;
}

void atomic_abort(AtomicFile *a)
{
	if (a->fd >= 0)
		close(a->fd);
	unlink(a->tmp);
	finish(a);
}

int atomic_commit(AtomicFile *a, const char *path, DiagList *diags)
{
	const char *what = NULL;
	int err = 0;
	if (a->fd < 0 && (a->fd = open(a->tmp, O_RDWR | O_CLOEXEC)) < 0)
		what = "無法開啟暫存檔", err = errno;
	if (!what && fchmod(a->fd, a->mode) != 0)
		what = "無法設定權限", err = errno;
	if (!what && fsync(a->fd) != 0)
		what = "fsync 失敗", err = errno;
	if (a->fd >= 0 && close(a->fd) != 0 && !what)
		what = "關閉檔案失敗", err = errno;
	a->fd = -1;
	if (!what && rename(a->tmp, path) != 0)
		what = "無法取代原檔", err = errno;
	if (what) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "%s：%s；原檔未更動", what, strerror(err));
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
