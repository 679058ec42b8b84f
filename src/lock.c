/* lock.c - see lock.h. */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "text.h"

struct Lock {
	char *path;
};

static void this_host(char *host, size_t n)
{
	if (gethostname(host, n) != 0)
		snprintf(host, n, "?");
	host[n - 1] = '\0';
}

/* Reads "user pid host since" from a lock file; false when unreadable. */
static bool read_holder(const char *path, LockHolder *h)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	long long since = 0;
	bool ok = fscanf(f, "%63s %ld %127s %lld", h->user, &h->pid, h->host, &since) == 4;
	h->since = (time_t)since;
	fclose(f);
	return ok;
}

static bool holder_alive(const LockHolder *h)
{
	char host[128];
	this_host(host, sizeof host);
	if (strcmp(host, h->host) != 0)
		return true; /* another host: we cannot tell, so respect it */
	if (h->pid <= 0)
		return false;
	return kill((pid_t)h->pid, 0) == 0 || errno == EPERM;
}

Lock *lock_acquire(const char *data_path, LockHolder *holder)
{
	memset(holder, 0, sizeof *holder);
	char *path = xasprintf("%s.lock", data_path);
	for (int attempt = 0; attempt < 2; attempt++) {
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0) {
			const struct passwd *pw = getpwuid(getuid());
			char host[128];
			this_host(host, sizeof host);
			char *line = xasprintf("%s %ld %s %lld\n", pw ? pw->pw_name : "?", (long)getpid(),
					       host, (long long)time(NULL));
			bool ok = write(fd, line, strlen(line)) == (ssize_t)strlen(line);
			free(line);
			close(fd);
			if (!ok) {
				unlink(path);
				break;
			}
			Lock *l = xcalloc(1, sizeof *l);
			l->path = path;
			return l;
		}
		if (errno != EEXIST)
			break;
		LockHolder h;
		if (read_holder(path, &h) && holder_alive(&h)) {
			*holder = h;
			break;
		}
		/* a stale lock (its process is gone) or a damaged one: take over */
		if (unlink(path) != 0)
			break;
	}
	free(path);
	return NULL;
}

void lock_release(Lock *l)
{
	if (!l)
		return;
	unlink(l->path);
	free(l->path);
	free(l);
}
