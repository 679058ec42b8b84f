/* par.h - work split into parts that run side by side.
 *
 * A big file is read, and its records checked, in parts, one per
 * processor it may use: par_run calls fn(ctx, i, n) for every i of 0..n-1, part 0 on
 * the calling thread (so that it may report progress or draw), the others
 * on threads of their own, and returns when every part has returned.  A
 * part whose thread cannot be started runs on the calling thread after
 * part 0: parts must never wait for a later part, only for an earlier one.
 */
#ifndef SPMFORM_PAR_H
#define SPMFORM_PAR_H

#include <stddef.h>

#define PAR_MAX 8

/* How many parts to make: the processors this process may run on (its
 * affinity, as taskset sets it), 1 to PAR_MAX. */
size_t par_parts(void);

/* For tests and the benchmark: n parts whatever the processors (0: as
 * many as there are). */
void par_set_parts(size_t n);

typedef void (*ParFn)(void *ctx, size_t i, size_t n);

/* Runs fn for the n (at most PAR_MAX) parts; see above. */
void par_run(size_t n, ParFn fn, void *ctx);

/* The same; once part 0 is done, waiting(ctx) is called on the calling
 * thread every tenth of a second until the other parts are (to show
 * progress, or to see whether the clerk stopped the work). */
void par_run_waiting(size_t n, ParFn fn, void *ctx, void (*waiting)(void *ctx));

#endif
