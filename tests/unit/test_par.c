/* test_par.c - running parts of the work side by side (src/par.c). */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "mem.h"
#include "par.h"
#include "testutil.h"

typedef struct {
	pthread_t caller;
	atomic_int ran[PAR_PARTS_MAX];
	atomic_int on_caller[PAR_PARTS_MAX];
	atomic_int said_caller[PAR_PARTS_MAX]; /* par_on_calling_thread agreed */
	pthread_t by[PAR_PARTS_MAX];	       /* the thread that ran the part */
	atomic_int done;		       /* parts finished */
	int waits;			       /* calls of waiting */
	size_t slow;			       /* this part sleeps, */
	bool slow_off_caller;		       /* only when on another thread, */
	int slow_until;			       /* or until this many parts are done */
	long first_ms;			       /* part 0 sleeps first */
} Work;

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000 * 1000};
	nanosleep(&ts, NULL);
}

static void part(void *ctx, size_t i, size_t n)
{
	Work *w = ctx;
	assert_true(i < n);
	atomic_fetch_add(&w->ran[i], 1);
	w->by[i] = pthread_self();
	bool caller = pthread_equal(pthread_self(), w->caller);
	atomic_fetch_add(&w->on_caller[i], caller);
	atomic_fetch_add(&w->said_caller[i], par_on_calling_thread() == caller);
	if (i == 0 && w->first_ms)
		sleep_ms(w->first_ms);
	if (i == w->slow && w->slow_until) /* at most 5 s */
		for (int ms = 0; ms < 5000 && atomic_load(&w->done) < w->slow_until; ms++)
			sleep_ms(1);
	else if (i == w->slow && !(w->slow_off_caller && caller))
		sleep_ms(350);
	atomic_fetch_add(&w->done, 1);
}

static void waiting(void *ctx)
{
	Work *w = ctx;
	assert_true(pthread_equal(pthread_self(), w->caller));
	w->waits++;
}

/* Distinct threads that ran parts [0, n). */
static size_t threads_used(const Work *w, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = pthread_equal(w->by[i], w->by[j]);
		k += !seen;
	}
	return k;
}

/* Every part runs once, part 0 on the calling thread, on no more threads
 * than par_parts, and par_on_calling_thread says which thread it is on. */
static void test_every_part_runs_once(void **state)
{
	(void)state;
	for (size_t threads = 1; threads <= 4; threads++) {
		par_set_parts(threads);
		for (size_t n = 1; n <= PAR_PARTS_MAX + 2; n++) {
			Work *w = xcalloc(1, sizeof *w);
			w->caller = pthread_self();
			w->slow = SIZE_MAX;
			par_run(n, part, w);
			size_t parts = n > PAR_PARTS_MAX ? PAR_PARTS_MAX : n;
			assert_int_equal(atomic_load(&w->done), parts);
			for (size_t i = 0; i < PAR_PARTS_MAX; i++) {
				assert_int_equal(atomic_load(&w->ran[i]), i < parts);
				assert_int_equal(atomic_load(&w->said_caller[i]), i < parts);
			}
			assert_int_equal(atomic_load(&w->on_caller[0]), 1);
			assert_true(threads_used(w, parts) <= threads);
			free(w);
		}
	}
	assert_true(par_on_calling_thread()); /* outside par_run */
	par_set_parts(0);
}

/* A thread busy with a slow part takes no more: the other thread takes
 * the parts after it (the slow part waits until the other seven are done,
 * which only the other thread can do). */
static void test_parts_go_to_the_thread_that_is_free(void **state)
{
	(void)state;
	par_set_parts(2);
	Work w = {.caller = pthread_self(), .slow = 1, .slow_until = 7};
	par_run(8, part, &w);
	assert_int_equal(atomic_load(&w.done), 8);
	for (size_t i = 2; i < 8; i++)
		assert_false(pthread_equal(w.by[i], w.by[1]));
	assert_true(threads_used(&w, 8) <= 2);
	par_set_parts(0);
}

/* While a slow part runs on another thread, waiting is called on the
 * calling thread about every tenth of a second. */
static void test_waiting_is_told_while_parts_run(void **state)
{
	(void)state;
	par_set_parts(2);
	/* part 0 gives the other thread 50 ms to start and take part 1; if
	 * it has not, part 1 runs on the caller, quickly, and nothing waits */
	Work w = {.caller = pthread_self(), .slow = 1, .slow_off_caller = true, .first_ms = 50};
	par_run_waiting(2, part, &w, waiting);
	assert_int_equal(atomic_load(&w.done), 2);
	if (!atomic_load(&w.on_caller[1])) {
		assert_true(w.waits >= 2); /* 350 ms of waiting, a call each 100 ms */
		assert_true(w.waits <= 5);
	} else {
		assert_int_equal(w.waits, 0);
	}
	par_set_parts(0);
}

static void test_parts_follow_the_setting(void **state)
{
	(void)state;
	par_set_parts(3);
	assert_int_equal(par_parts(), 3);
	par_set_parts(PAR_MAX + 5);
	assert_int_equal(par_parts(), PAR_MAX);
	par_set_parts(0); /* the processors this process may use */
	assert_true(par_parts() >= 1 && par_parts() <= PAR_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_part_runs_once),
	    cmocka_unit_test(test_parts_go_to_the_thread_that_is_free),
	    cmocka_unit_test(test_waiting_is_told_while_parts_run),
	    cmocka_unit_test(test_parts_follow_the_setting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
