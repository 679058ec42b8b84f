/* print_job.c - print.h's half that needs no Pango: the date a PDF is
 * printed with, and sending the PDF to a printer.  It stays in the program
 * when print_pdf (print.c) is in spmform-writers.so (writers.h). */
#include "print.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mem.h"
#include "text.h"
#include "value.h"

time_t print_today(void)
{
	return value_now(); /* SOURCE_DATE_EPOCH, read in one place */
}

/* ---- sending it to a printer -------------------------------------------- */

int print_send(const char *pdf, const char *command, char **said, DiagList *diags)
{
	*said = NULL;
	int fd[2];
	if (pipe(fd) != 0) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "無法送印：%s", strerror(errno));
		return -1;
	}
	/* everything the child needs, made before fork */
	char *script = xasprintf("%s \"$1\"", command);
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, STDIN_FILENO);
		dup2(fd[1], STDOUT_FILENO);
		dup2(fd[1], STDERR_FILENO);
		close(fd[0]);
		close(fd[1]);
		execl("/bin/sh", "sh", "-c", script, "spmform-print", pdf, (char *)NULL);
		_exit(127);
	}
	free(script);
	close(fd[1]);
	if (pid < 0) {
		close(fd[0]);
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "無法送印：%s", strerror(errno));
		return -1;
	}
	char buf[4096];
	size_t n = 0;
	for (;;) {
		char tmp[1024];
		ssize_t k = read(fd[0], tmp, sizeof tmp);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		size_t take = (size_t)k < sizeof buf - 1 - n ? (size_t)k : sizeof buf - 1 - n;
		memcpy(buf + n, tmp, take); /* the rest is read and dropped */
		n += take;
	}
	close(fd[0]);
	buf[n] = '\0';
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* one line: line breaks become "; ", the rest escaped */
	char *trimmed = text_trim(buf);
	for (char *p = trimmed; *p; p++)
		if (*p == '\n')
			*p = '\036';
	char *e = text_escape(trimmed);
	free(trimmed);
	char *out = xmalloc(2 * strlen(e) + 1), *q = out;
	for (const char *p = e; *p; p++) {
		if (strncmp(p, "\\x1E", 4) == 0) {
			*q++ = ';';
			*q++ = ' ';
			p += 3;
		} else {
			*q++ = *p;
		}
	}
	*q = '\0';
	free(e);
	bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (ok) {
		if (*out)
			*said = out;
		else
			free(out);
		return 0;
	}
	char *ecmd = text_escape(command);
	if (WIFEXITED(status))
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "送印失敗：「%s」結束碼 %d%s%s", ecmd,
			 WEXITSTATUS(status), *out ? "：" : "", out);
	else
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "送印失敗：「%s」被訊號 %d 中止%s%s", ecmd,
			 WTERMSIG(status), *out ? "：" : "", out);
	free(ecmd);
	free(out);
	return -1;
}
