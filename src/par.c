/* par.c - see par.h. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "par.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

static size_t parts_wanted; /* 0: as many as processors */

size_t par_parts(void)
{
	size_t n = parts_wanted;
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

void par_set_parts(size_t n)
{
	parts_wanted = n;
}

/* What the threads of one par_run share. */
typedef struct {
	ParFn fn;
	void *ctx;
	size_t n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t running; /* parts started on threads and not yet done */
} Run;

typedef struct {
	Run *run;
	size_t i;
} Part;

static void *part_main(void *arg)
{
	Part *p = arg;
	Run *r = p->run;
	r->fn(r->ctx, p->i, r->n);
	pthread_mutex_lock(&r->mu);
	r->running--;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* Blocks the signals that come from outside (^C, a hang-up, a resized
 * terminal): the calling thread's handlers expect them.  Faults (SIGSEGV
 * and the like) stay with the thread that causes them. */
static void block_outside_signals(sigset_t *old)
{
	sigset_t set;
	sigfillset(&set);
	static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS};
	for (size_t k = 0; k < sizeof faults / sizeof *faults; k++)
		sigdelset(&set, faults[k]);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

void par_run_waiting(size_t n, ParFn fn, void *ctx, void (*waiting)(void *ctx))
{
	if (n > PAR_MAX)
		n = PAR_MAX;
	Run run = {.fn = fn, .ctx = ctx, .n = n};
	pthread_mutex_init(&run.mu, NULL);
	pthread_cond_init(&run.cv, NULL);
	Part part[PAR_MAX];
	pthread_t tid[PAR_MAX];
	bool started[PAR_MAX] = {false};
	sigset_t old;
	block_outside_signals(&old);
	for (size_t i = 1; i < n; i++) {
		part[i] = (Part){&run, i};
		pthread_mutex_lock(&run.mu);
		started[i] = pthread_create(&tid[i], NULL, part_main, &part[i]) == 0;
		run.running += started[i];
		pthread_mutex_unlock(&run.mu);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (n > 0)
		fn(ctx, 0, n);
	/* while the others finish, tell waiting every tenth of a second */
	pthread_mutex_lock(&run.mu);
	while (run.running > 0) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100 * 1000 * 1000;
		if (until.tv_nsec >= 1000 * 1000 * 1000) {
			until.tv_sec++;
			until.tv_nsec -= 1000 * 1000 * 1000;
		}
		int rc = pthread_cond_timedwait(&run.cv, &run.mu, &until);
		if (rc == ETIMEDOUT && run.running > 0 && waiting) {
			pthread_mutex_unlock(&run.mu);
			waiting(ctx);
			pthread_mutex_lock(&run.mu);
		}
	}
	pthread_mutex_unlock(&run.mu);
	for (size_t i = 1; i < n; i++)
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			fn(ctx, i, n);
	pthread_cond_destroy(&run.cv);
	pthread_mutex_destroy(&run.mu);
}

void par_run(size_t n, ParFn fn, void *ctx)
{
	par_run_waiting(n, fn, ctx, NULL);
}
