/* test_par.c - running parts of the work side by side (src/par.c). */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "par.h"
#include "testutil.h"

typedef struct {
	pthread_t caller;
	atomic_int ran[PAR_MAX];
	atomic_int on_caller[PAR_MAX];
	atomic_int done; /* parts finished */
	int waits;	 /* calls of waiting */
	size_t slow;	 /* this part sleeps */
} Work;

static void part(void *ctx, size_t i, size_t n)
{
	Work *w = ctx;
	assert_true(i < n);
	atomic_fetch_add(&w->ran[i], 1);
	if (pthread_equal(pthread_self(), w->caller))
		atomic_fetch_add(&w->on_caller[i], 1);
	if (i == w->slow) {
		struct timespec ts = {0, 350 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	atomic_fetch_add(&w->done, 1);
}

static void waiting(void *ctx)
{
	Work *w = ctx;
	assert_true(pthread_equal(pthread_self(), w->caller));
	w->waits++;
}

/* Every part runs once, part 0 on the calling thread, the others not. */
static void test_every_part_runs_once(void **state)
{
	(void)state;
	for (size_t n = 1; n <= PAR_MAX + 2; n++) {
		Work w = {.caller = pthread_self(), .slow = SIZE_MAX};
		par_run(n, part, &w);
		size_t parts = n > PAR_MAX ? PAR_MAX : n;
		for (size_t i = 0; i < PAR_MAX; i++) {
			assert_int_equal(atomic_load(&w.ran[i]), i < parts);
			assert_int_equal(atomic_load(&w.on_caller[i]), i == 0);
		}
	}
}

/* While a slow part runs, waiting is called on the calling thread about
 * every tenth of a second. */
static void test_waiting_is_told_while_parts_run(void **state)
{
	(void)state;
	Work w = {.caller = pthread_self(), .slow = 3};
	par_run_waiting(PAR_MAX, part, &w, waiting);
	assert_int_equal(atomic_load(&w.done), PAR_MAX);
	assert_true(w.waits >= 2); /* 350 ms of waiting, a call each 100 ms */
	assert_true(w.waits <= 5);
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
	    cmocka_unit_test(test_waiting_is_told_while_parts_run),
	    cmocka_unit_test(test_parts_follow_the_setting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
