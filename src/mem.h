/* mem.h - memory that is there, or the program stops.
 *
 * The core never continues with half-built state: each of these calls
 * malloc, realloc or vsnprintf and, when memory runs out, runs the hook
 * set by mem_on_out_of_memory (the entry screen's gives the terminal
 * back), prints one line on stderr and aborts.  Every returned pointer is
 * the caller's, to free.
 */
#ifndef SPMFORM_MEM_H
#define SPMFORM_MEM_H

#include <stddef.h>

void mem_on_out_of_memory(void (*hook)(void));
/* Runs the hook, says so and aborts: for a size that cannot be had. */
_Noreturn void mem_out_of_memory(void);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* A NUL-terminated copy of s[0..n). */
char *xstrndup(const char *s, size_t n);
/* At least n bytes for a big block filled as it is used (a reader's
 * records, a hash table), freed with free: n rounded up to whole 2 MiB
 * huge pages where the system allows them (MADV_HUGEPAGE).  *got (may be
 * NULL) gets the size given. */
#define HUGE_PAGE ((size_t)1 << 21)
void *xmalloc_huge(size_t n, size_t *got);
/* printf into a fresh string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
