/* par.h - work split into parts that run side by side.
 *
 * par_run calls fn(ctx, i, n) for every i of 0..n-1 on as many threads as
 * the processors this process may use (par_parts), the calling thread
 * one of them.  Part 0 runs first on the calling thread (the first part
 * of the work, a file's header, is then never late); each thread then
 * takes the next part not yet taken, in order, until none is left, so that
 * a thread that starts late or runs slowly takes fewer.  Only the calling
 * thread may report progress or draw: par_on_calling_thread tells a part
 * where it runs.  par_run returns when every part has.  When
 * no thread can be started, the calling thread runs every part.  A part
 * may wait for an earlier part, never for a later one: the earlier one has
 * been taken.
 */
#ifndef SPMFORM_PAR_H
#define SPMFORM_PAR_H

#include <stdbool.h>
#include <stddef.h>

#define PAR_MAX 8 /* threads */
#define PAR_PARTS_MAX 64 /* parts of one par_run */

/* How many threads par_run uses, and so how many parts to make of work
 * that splits evenly: the processors this process may run on (its
 * affinity, as taskset sets it), 1 to PAR_MAX. */
size_t par_parts(void);

/* For tests and the benchmark: n parts whatever the processors (0: as
 * many as there are). */
void par_set_parts(size_t n);

typedef void (*ParFn)(void *ctx, size_t i, size_t n);

/* Runs fn for the n (at most PAR_PARTS_MAX) parts; see above. */
void par_run(size_t n, ParFn fn, void *ctx);

/* The same; once no part is left to take, waiting(ctx) is called on the
 * calling thread every tenth of a second until the other threads' parts
 * are done (to show progress, or to see whether the clerk stopped the
 * work). */
void par_run_waiting(size_t n, ParFn fn, void *ctx, void (*waiting)(void *ctx));

/* Whether a part runs on the thread that called par_run (true outside
 * par_run). */
bool par_on_calling_thread(void);

#endif
