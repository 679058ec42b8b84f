/* mem.c - see mem.h. */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "mem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void (*oom_hook)(void);

void mem_on_out_of_memory(void (*hook)(void))
{
	oom_hook = hook;
}

void mem_out_of_memory(void)
{
	if (oom_hook)
		oom_hook();
	fputs("spmform: 記憶體不足 (out of memory)\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		mem_out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		mem_out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		mem_out_of_memory();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		mem_out_of_memory();
	char *p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void *xmalloc_huge(size_t n, size_t *got)
{
	if (n > SIZE_MAX - HUGE_PAGE)
		mem_out_of_memory();
	size_t size = n ? (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1) : HUGE_PAGE;
	void *p = NULL;
	if (posix_memalign(&p, HUGE_PAGE, size) != 0)
		mem_out_of_memory();
	madvise(p, size, MADV_HUGEPAGE); /* a hint: may fail */
	if (got)
		*got = size;
	return p;
}
