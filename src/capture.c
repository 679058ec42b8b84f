/* capture.c - see capture.h. */
#include "capture.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "text.h"

void capture_begin(Capture *c)
{
	c->saved = -1;
	fflush(stderr);
	c->file = tmpfile();
	if (!c->file)
		return;
	c->saved = dup(STDERR_FILENO);
	if (c->saved < 0 || dup2(fileno(c->file), STDERR_FILENO) < 0) {
		if (c->saved >= 0)
			close(c->saved);
		fclose(c->file);
		c->file = NULL;
	}
}

char *capture_end(Capture *c)
{
	if (!c->file)
		return NULL;
	fflush(stderr);
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	char buf[2048];
	rewind(c->file);
	size_t n = fread(buf, 1, sizeof buf - 1, c->file);
	fclose(c->file);
	buf[n] = '\0';
	char *s = text_trim(buf);
	if (!*s) {
		free(s);
		return NULL;
	}
	/* one line: "\n" between the library's lines becomes "; " */
	char *j = xmalloc(2 * strlen(s) + 1), *q = j;
	for (const char *p = s; *p; p++) {
		if (*p == '\n') {
			*q++ = ';';
			*q++ = ' ';
		} else {
			*q++ = *p;
		}
	}
	*q = '\0';
	free(s);
	return j;
}
