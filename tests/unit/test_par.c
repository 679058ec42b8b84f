/* test_par.c - pieces of work side by side (src/par.c), and spmform check
 * of many files at once (check_files), which is what they are for.
 *
 * A piece only records what it saw; every assertion runs on the test's
 * own thread, after par_run has returned (cmocka's are not for other
 * threads). */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "mem.h"
#include "par.h"
#include "testutil.h"

#define PIECES 200

typedef struct {
	atomic_int ran[PIECES];
	pthread_t by[PIECES]; /* the thread that did the piece */
	atomic_int busy;      /* pieces under way now */
	atomic_int most_busy; /* the most at once */
	long sleep_us;	      /* each piece takes this long */
} Work;

static void piece(void *ctx, size_t i)
{
	Work *w = ctx;
	w->by[i] = pthread_self();
	int now = atomic_fetch_add(&w->busy, 1) + 1;
	for (int m = atomic_load(&w->most_busy); now > m;)
		if (atomic_compare_exchange_weak(&w->most_busy, &m, now))
			break;
	if (w->sleep_us) {
		struct timespec ts = {0, w->sleep_us * 1000};
		nanosleep(&ts, NULL);
	}
	atomic_fetch_add(&w->ran[i], 1);
	atomic_fetch_sub(&w->busy, 1);
}

/* Distinct threads that did pieces [0, n). */
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

static void test_every_piece_runs_once(void **state)
{
	(void)state;
	for (size_t threads = 1; threads <= 4; threads++)
		for (size_t n = 0; n <= 9; n++) {
			par_set_threads(threads);
			Work *w = xcalloc(1, sizeof *w);
			par_run(n, piece, w);
			for (size_t i = 0; i < n; i++)
				assert_int_equal(atomic_load(&w->ran[i]), 1);
			for (size_t i = n; i < PIECES; i++)
				assert_int_equal(atomic_load(&w->ran[i]), 0);
			assert_true(threads_used(w, n) <= threads);
			free(w);
		}
	par_set_threads(0);
}

/* With two threads and pieces that take a while, two run at once, and
 * the work is shared; never more at once than threads. */
static void test_pieces_run_side_by_side(void **state)
{
	(void)state;
	par_set_threads(2);
	Work *w = xcalloc(1, sizeof *w);
	w->sleep_us = 2000;
	par_run(40, piece, w);
	assert_int_equal(atomic_load(&w->most_busy), 2);
	assert_int_equal(threads_used(w, 40), 2);
	for (size_t i = 0; i < 40; i++)
		assert_int_equal(atomic_load(&w->ran[i]), 1);
	free(w);
	par_set_threads(0);
}

static void test_threads_are_bounded(void **state)
{
	(void)state;
	par_set_threads(0);
	assert_true(par_threads() >= 1 && par_threads() <= PAR_MAX);
	par_set_threads(100);
	assert_int_equal(par_threads(), PAR_MAX);
	par_set_threads(3);
	assert_int_equal(par_threads(), 3);
	par_set_threads(0);
}

/* What check_files prints for many files, side by side, is byte for
 * byte what checking them one at a time prints, in the order given:
 * clean files, files with errors, a missing one, a CP950 one. */
static void test_check_many_files_prints_as_one_at_a_time(void **state)
{
	(void)state;
	char dir[] = "/tmp/spmform-par-XXXXXX";
	assert_non_null(mkdtemp(dir));
	Form *form = load_form_or_fail(INVENTORY);
	size_t ex_len;
	char *example = read_file("forms/examples/inventory.csv", &ex_len);
	enum { NFILES = 24 };
	char *paths[NFILES];
	for (size_t i = 0; i < NFILES; i++) {
		paths[i] = xasprintf("%s/f%02zu.csv", dir, i);
		if (i % 6 == 5)
			continue; /* not there */
		char *text = i % 3 == 1 ? xasprintf("%.*s編號A,系統Z,行政\r\n", (int)ex_len, example)
					: xstrndup(example, ex_len);
		write_file(paths[i], text, strlen(text));
		free(text);
	}
	for (size_t threads = 1; threads <= 4; threads += 3) {
		par_set_threads(threads);
		char *one = NULL, *many = NULL;
		size_t lone, lmany;
		FILE *f = open_memstream(&one, &lone);
		int rc1 = 0;
		for (size_t i = 0; i < NFILES; i++) {
			int r = check_file(paths[i], form, CHECK_GUESS_SAY, 500, f);
			rc1 = r > rc1 ? r : rc1;
		}
		fclose(f);
		f = open_memstream(&many, &lmany);
		int rc2 = check_files(paths, NFILES, form, CHECK_GUESS_SAY, 500, f);
		fclose(f);
		assert_int_equal(rc1, rc2);
		assert_int_equal(rc2, CHECK_UNREADABLE);
		assert_int_equal(lone, lmany);
		assert_memory_equal(one, many, lone);
		free(one);
		free(many);
	}
	par_set_threads(0);
	for (size_t i = 0; i < NFILES; i++) {
		unlink(paths[i]);
		free(paths[i]);
	}
	rmdir(dir);
	free(example);
	form_free(form);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_piece_runs_once),
	    cmocka_unit_test(test_pieces_run_side_by_side),
	    cmocka_unit_test(test_threads_are_bounded),
	    cmocka_unit_test(test_check_many_files_prints_as_one_at_a_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL) ? 1 : 0;
}
