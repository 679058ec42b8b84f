/* par.c - see par.h. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "par.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

static size_t threads_wanted; /* 0: as many as processors */

size_t par_threads(void)
{
	size_t n = threads_wanted;
	if (n == 0) {
		/* the processors this process may run on (taskset on a shared
		 * host), else those online */
		cpu_set_t set;
		long cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set)
									: sysconf(_SC_NPROCESSORS_ONLN);
		n = cpus > 0 ? (size_t)cpus : 1;
	}
	return n < 1 ? 1 : n > PAR_MAX ? PAR_MAX : n;
}

void par_set_threads(size_t n)
{
	threads_wanted = n;
}

typedef struct {
	ParFn fn;
	void *ctx;
	size_t n;
	atomic_size_t next; /* the next piece to take */
} Run;

static void *work(void *arg)
{
	Run *run = arg;
	for (size_t i; (i = atomic_fetch_add(&run->next, 1)) < run->n;)
		run->fn(run->ctx, i);
	return NULL;
}

void par_run(size_t n, ParFn fn, void *ctx)
{
	Run run = {fn, ctx, n, 0};
	pthread_t tid[PAR_MAX];
	size_t want = par_threads() < n ? par_threads() : n, started = 0;
	while (started + 1 < want && pthread_create(&tid[started], NULL, work, &run) == 0)
		started++;
	work(&run); /* the calling thread takes pieces too */
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
}
