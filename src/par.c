/* par.c - see par.h. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "par.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "text.h"

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

/* What the threads of one par_run share.  A thread that starts late
 * (an idle processor may take milliseconds to wake) may find every part
 * taken: par_run does not wait for it, and whichever of them is last to
 * let go of the Run frees it. */
typedef struct {
	ParFn fn;
	void *ctx;
	size_t n;
	_Atomic size_t next; /* the next part to take */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t done; /* parts done */
	size_t refs; /* the calling thread, and the threads not yet ended */
} Run;

/* Whether this thread is one of par_run's own. */
static _Thread_local bool on_worker;

bool par_on_calling_thread(void)
{
	return !on_worker;
}

/* Runs the parts not yet taken, in order, one at a time. */
static void take_parts(Run *r)
{
	size_t i;
	while ((i = atomic_fetch_add(&r->next, 1)) < r->n) {
		r->fn(r->ctx, i, r->n);
		pthread_mutex_lock(&r->mu);
		if (++r->done == r->n)
			pthread_cond_signal(&r->cv);
		pthread_mutex_unlock(&r->mu);
	}
}

static void run_release(Run *r)
{
	pthread_mutex_lock(&r->mu);
	bool last = --r->refs == 0;
	pthread_mutex_unlock(&r->mu);
	if (last) {
		pthread_cond_destroy(&r->cv);
		pthread_mutex_destroy(&r->mu);
		free(r);
	}
}

static void *worker_main(void *arg)
{
	Run *r = arg;
	on_worker = true;
	take_parts(r);
	run_release(r);
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
	if (n > PAR_PARTS_MAX)
		n = PAR_PARTS_MAX;
	if (n == 0)
		return;
	size_t nthreads = par_parts() < n ? par_parts() : n;
	Run *run = xcalloc(1, sizeof *run);
	*run = (Run){.fn = fn, .ctx = ctx, .n = n, .refs = 1};
	atomic_init(&run->next, 1); /* part 0 is the calling thread's */
	pthread_mutex_init(&run->mu, NULL);
	pthread_cond_init(&run->cv, NULL);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigset_t old;
	block_outside_signals(&old);
	for (size_t k = 1; k < nthreads; k++) {
		pthread_mutex_lock(&run->mu);
		pthread_t tid;
		run->refs += pthread_create(&tid, &attr, worker_main, run) == 0;
		pthread_mutex_unlock(&run->mu);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	fn(ctx, 0, n);
	pthread_mutex_lock(&run->mu);
	run->done++;
	pthread_mutex_unlock(&run->mu);
	take_parts(run);
	/* while the others finish, tell waiting every tenth of a second */
	pthread_mutex_lock(&run->mu);
	while (run->done < n) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100 * 1000 * 1000;
		if (until.tv_nsec >= 1000 * 1000 * 1000) {
			until.tv_sec++;
			until.tv_nsec -= 1000 * 1000 * 1000;
		}
		int rc = pthread_cond_timedwait(&run->cv, &run->mu, &until);
		if (rc == ETIMEDOUT && run->done < n && waiting) {
			pthread_mutex_unlock(&run->mu);
			waiting(ctx);
			pthread_mutex_lock(&run->mu);
		}
	}
	pthread_mutex_unlock(&run->mu);
	run_release(run);
}

void par_run(size_t n, ParFn fn, void *ctx)
{
	par_run_waiting(n, fn, ctx, NULL);
}
