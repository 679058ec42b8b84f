/* par.h - independent pieces of work, side by side.
 *
 * par_run calls fn(ctx, i) once for every i of 0..n-1, on as many threads
 * as par_threads() says (the calling thread one of them); each thread
 * takes the next i not yet taken, so a slow piece does not hold the others
 * up.  It returns when every call has.  Pieces must not share what they
 * write.  When no thread can be started, the calling thread does every
 * piece.  spmform check uses it for many files at once.
 */
#ifndef SPMFORM_PAR_H
#define SPMFORM_PAR_H

#include <stddef.h>

#define PAR_MAX 8 /* threads */

/* The threads par_run uses: the processors this process may run on (its
 * affinity, as taskset sets it), 1 to PAR_MAX, or what par_set_threads
 * said. */
size_t par_threads(void);

/* n threads whatever the processors (0: as many as there are); config.ini
 * [spmform] threads. */
void par_set_threads(size_t n);

typedef void (*ParFn)(void *ctx, size_t i);

void par_run(size_t n, ParFn fn, void *ctx);

#endif
