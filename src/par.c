/* par.c - see par.h. */
#include "par.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>

static size_t parts_wanted; /* 0: as many as processors */

size_t par_parts(void)
{
	size_t n = parts_wanted;
	if (n == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		n = cpus > 0 ? (size_t)cpus : 1;
	}
	return n < 1 ? 1 : n > PAR_MAX ? PAR_MAX : n;
}

void par_set_parts(size_t n)
{
	parts_wanted = n;
}

typedef struct {
	ParFn fn;
	void *ctx;
	size_t i, n;
} Part;

static void *part_main(void *arg)
{
	Part *p = arg;
	p->fn(p->ctx, p->i, p->n);
	return NULL;
}

void par_run(size_t n, ParFn fn, void *ctx)
{
	if (n > PAR_MAX)
		n = PAR_MAX;
	Part part[PAR_MAX];
	pthread_t tid[PAR_MAX];
	bool started[PAR_MAX] = {false};
	/* signals (^C, a hang-up) go to the calling thread, whose handlers
	 * expect it: the parts' threads are started with every signal blocked */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (size_t i = 1; i < n; i++) {
		part[i] = (Part){fn, ctx, i, n};
		started[i] = pthread_create(&tid[i], NULL, part_main, &part[i]) == 0;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (n > 0)
		fn(ctx, 0, n);
	for (size_t i = 1; i < n; i++)
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			fn(ctx, i, n);
}
