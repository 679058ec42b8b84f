/* test_journal.c - the recovery journal, the file lock, and the session's
 * safety: replay after a crash, damaged journals, read-only second clerk,
 * a file changed on disk, FILE.bak, failed saves that keep everything. */
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "csvio.h"
#include "journal.h"
#include "lock.h"
#include "mem.h"
#include "session.h"
#include "testutil.h"

static Form *form;
static Config cfg;
static char tmpdir[] = "/tmp/spmform-journal-XXXXXX";

static int setup(void **state)
{
	(void)state;
	DiagList dl;
	diag_init(&dl);
	form = form_load(INVENTORY, &dl);
	diag_free(&dl);
	diag_init(&dl);
	config_load(&cfg, "/nonexistent/none.ini", &dl); /* fails: defaults stay */
	diag_free(&dl);
	return form && mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	form_free(form);
	config_free(&cfg);
	return remove_tree(tmpdir);
}

/* A copy of the example file in tmpdir; returns its path. */
static char *example_copy(const char *name)
{
	size_t n;
	char *data = read_file("forms/examples/inventory.csv", &n);
	char *path = xasprintf("%s/%s", tmpdir, name);
	write_file(path, data, n);
	free(data);
	char *cmd = xasprintf("rm -f '%s'.*", path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return path;
}

static Session *open_session(const char *path)
{
	DiagList dl;
	diag_init(&dl);
	Session *s = session_open(form, &cfg, path, &dl);
	assert_non_null(s);
	diag_free(&dl);
	return s;
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 0777;
}

static void test_every_change_is_in_the_journal_and_replays(void **state)
{
	(void)state;
	char *path = example_copy("a.csv");
	Session *s = open_session(path);
	size_t name = field_of(form, "name");
	s->rec = 1;
	session_set(s, name, "改過的系統B");
	session_new_record(s);
	session_set(s, name, "新系統");
	s->rec = 0;
	session_dup_record(s);
	s->rec = 3;
	session_delete_record(s);
	char *jp = journal_path(path);
	assert_int_equal(mode_of(jp), 0600);
	/* the table as the clerk sees it now, before the "crash" */
	size_t len;
	DiagList dl;
	diag_init(&dl);
	char *want = csvio_serialize(s->table, &len, &dl);
	session_free(s); /* as if killed: nothing saved */

	s = open_session(path);
	assert_true(s->has_recovery);
	assert_int_equal(s->recovery.n, 5);
	session_recover(s);
	assert_true(s->dirty);
	size_t len2;
	char *got = csvio_serialize(s->table, &len2, &dl);
	assert_int_equal(len2, len);
	assert_memory_equal(got, want, len);
	free(got);
	/* saving retires the journal */
	assert_int_equal(session_save(s, NULL, false), SAVE_OK);
	assert_int_equal(access(jp, F_OK), -1);
	session_free(s);
	free(want);
	free(jp);
	free(path);
	diag_free(&dl);
}

static void test_truncated_journal_applies_complete_entries(void **state)
{
	(void)state;
	char *path = example_copy("b.csv");
	Session *s = open_session(path);
	size_t name = field_of(form, "name");
	session_set(s, name, "一");
	session_set(s, name, "二");
	session_free(s);
	char *jp = journal_path(path);
	size_t n;
	char *j = read_file(jp, &n);
	write_file(jp, j, n - 5); /* cut off in the middle of the last entry */
	s = open_session(path);
	assert_true(s->has_recovery);
	assert_int_equal(s->recovery.n, 1);
	assert_int_equal(s->recovery.bad_line, 3);
	session_recover(s);
	assert_string_equal(session_value(s, name), "一");
	session_free(s);
	free(j);
	free(jp);
	free(path);
}

static void test_corrupt_entries_stop_the_replay(void **state)
{
	(void)state;
	static const char head[] = "SPMJ 1 0 -1\n";
	DiagList dl;
	diag_init(&dl);
	JournalRead r;
	/* a flipped byte in the second entry: its checksum no longer fits */
	char *path = xasprintf("%s/c.csv", tmpdir);
	unlink(path);
	char *jp = journal_path(path);
	unlink(jp);
	Journal *j = journal_open(path, &dl);
	assert_non_null(j);
	assert_int_equal(journal_log(j, JOP_SET, 0, 1, "第一\t行\n二"), 0);
	assert_int_equal(journal_log(j, JOP_SET, 0, 2, "x"), 0);
	journal_close(j);
	size_t n;
	char *text = read_file(jp, &n);
	char *x = strstr(text, "\tx\t");
	x[1] = 'y';
	assert_int_equal(journal_read_mem(text, n, &r, &dl), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.entries[0].value, "第一\t行\n二");
	assert_int_equal(r.bad_line, 3);
	journal_read_free(&r);
	/* not a journal at all */
	assert_int_equal(journal_read_mem("garbage\n", 8, &r, &dl), -1);
	assert_int_equal(journal_read_mem(head, sizeof head - 1, &r, &dl), 0);
	assert_int_equal(r.n, 0);
	journal_read_free(&r);
	/* entries that do not fit the table stop the replay */
	Table *t = table_new(form);
	table_append(t, 0);
	JournalEntry es[] = {{JOP_SET, 0, 0, 1, (char *)"ok"}, {JOP_DELETE, 0, 7, 0, NULL},
			     {JOP_SET, 0, 0, 2, (char *)"never"}};
	JournalRead rr = {0, -1, es, 3, 0};
	assert_int_equal(journal_apply(t, &rr, &dl), 1);
	assert_string_equal(table_record(t, 0)->cells[1], "ok");
	table_free(t);
	free(text);
	free(jp);
	free(path);
	diag_free(&dl);
}

static void test_declined_recovery_keeps_journal_aside(void **state)
{
	(void)state;
	char *path = example_copy("d.csv");
	Session *s = open_session(path);
	session_set(s, field_of(form, "name"), "改");
	session_free(s);
	s = open_session(path);
	assert_true(s->has_recovery);
	session_discard_recovery(s);
	assert_non_null(strstr(s->msg, "d.csv.journal."));
	session_free(s);
	char *cmd = xasprintf("ls '%s'/d.csv.journal.2* >/dev/null 2>&1", tmpdir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	s = open_session(path); /* nothing to recover any more */
	assert_false(s->has_recovery);
	session_free(s);
	free(path);
}

static void test_journals_set_aside_in_one_second_are_all_kept(void **state)
{
	(void)state;
	char *path = example_copy("twice.csv");
	char *names[2];
	for (int i = 0; i < 2; i++) {
		DiagList dl;
		diag_init(&dl);
		Journal *j = journal_open(path, &dl);
		assert_non_null(j);
		journal_log(j, JOP_SET, 0, 1, i ? "second" : "first");
		journal_close(j);
		names[i] = journal_set_aside(path);
		assert_non_null(names[i]);
		diag_free(&dl);
	}
	assert_string_not_equal(names[0], names[1]);
	assert_int_equal(access(names[0], F_OK), 0);
	assert_int_equal(access(names[1], F_OK), 0);
	free(names[0]);
	free(names[1]);
	free(path);
}

static void test_journal_for_a_changed_file_is_not_applied(void **state)
{
	(void)state;
	char *path = example_copy("e.csv");
	Session *s = open_session(path);
	session_set(s, field_of(form, "name"), "改");
	session_free(s);
	sleep(1);
	write_file(path, "\xEF\xBB\xBF資產編號\r\n", 15); /* someone else rewrote it */
	s = open_session(path);
	assert_false(s->has_recovery);
	assert_non_null(strstr(s->msg, "已另存為"));
	session_free(s);
	free(path);
}

static void test_second_clerk_is_read_only_and_can_save_elsewhere(void **state)
{
	(void)state;
	char *path = example_copy("f.csv");
	Session *first = open_session(path);
	assert_false(first->read_only);
	Session *second = open_session(path); /* the lock is held (by us) */
	assert_true(second->read_only);
	assert_int_equal(second->holder.pid, getpid());
	assert_non_null(strstr(second->msg, "唯讀"));
	session_set(second, field_of(form, "name"), "x");
	assert_int_equal(session_save(second, NULL, false), SAVE_FAILED);
	assert_non_null(strstr(second->msg, "不能覆蓋"));
	char *elsewhere = xasprintf("%s/f2.csv", tmpdir);
	assert_int_equal(session_save(second, elsewhere, false), SAVE_OK);
	assert_false(second->read_only);
	assert_string_equal(second->path, elsewhere);
	session_free(second);
	session_free(first); /* releases the lock */
	Session *again = open_session(path);
	assert_false(again->read_only);
	session_free(again);
	free(elsewhere);
	free(path);
}

static void test_stale_lock_of_a_dead_process_is_taken_over(void **state)
{
	(void)state;
	char *path = example_copy("g.csv");
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0); /* its pid is now free: the holder is dead */
	char host[128];
	gethostname(host, sizeof host);
	char *lock = xasprintf("%s.lock", path);
	char *line = xasprintf("someone %ld %s %lld\n", (long)child, host, (long long)time(NULL));
	write_file(lock, line, strlen(line));
	Session *s = open_session(path);
	assert_false(s->read_only);
	session_free(s);
	/* a live holder on another host is respected */
	free(line);
	line = xasprintf("someone 1 other-host-%s %lld\n", host, (long long)time(NULL));
	write_file(lock, line, strlen(line));
	s = open_session(path);
	assert_true(s->read_only);
	assert_string_equal(s->holder.user, "someone");
	session_free(s);
	unlink(lock);
	free(line);
	free(lock);
	free(path);
}

static void test_save_asks_when_file_changed_on_disk(void **state)
{
	(void)state;
	char *path = example_copy("i.csv");
	Session *s = open_session(path);
	session_set(s, field_of(form, "name"), "改");
	sleep(1);
	size_t n;
	char *data = read_file(path, &n);
	write_file(path, data, n - 2); /* another program edits it */
	assert_int_equal(session_save(s, NULL, false), SAVE_CHANGED);
	assert_true(s->dirty);
	assert_int_equal(session_save(s, NULL, true), SAVE_OK);
	free(data);
	session_free(s);
	free(path);
}

static void test_save_keeps_previous_version_as_bak(void **state)
{
	(void)state;
	char *path = example_copy("j.csv");
	size_t n0;
	char *before = read_file(path, &n0);
	Session *s = open_session(path);
	session_set(s, field_of(form, "name"), "改");
	assert_int_equal(session_save(s, NULL, false), SAVE_OK);
	char *bak = xasprintf("%s.bak", path);
	size_t n;
	char *kept = read_file(bak, &n);
	assert_int_equal(n, n0);
	assert_memory_equal(kept, before, n);
	assert_int_equal(mode_of(bak), 0600);
	free(kept);
	session_free(s);
	/* config can turn it off */
	unlink(bak);
	cfg.backup = false;
	s = open_session(path);
	session_set(s, field_of(form, "name"), "再改");
	assert_int_equal(session_save(s, NULL, false), SAVE_OK);
	assert_int_equal(access(bak, F_OK), -1);
	cfg.backup = true;
	session_free(s);
	free(bak);
	free(before);
	free(path);
}

static void test_failed_save_keeps_file_changes_and_journal(void **state)
{
	(void)state;
	char *path = example_copy("k.csv");
	size_t n0;
	char *before = read_file(path, &n0);
	Session *s = open_session(path);
	session_set(s, field_of(form, "name"), "改");
	struct rlimit old, lim;
	getrlimit(RLIMIT_FSIZE, &old);
	lim = (struct rlimit){300, old.rlim_max};
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &lim);
	SaveResult r = session_save(s, NULL, false);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, prev);
	assert_int_equal(r, SAVE_FAILED);
	assert_non_null(strstr(s->msg, "存檔失敗"));
	assert_true(s->dirty);
	assert_string_equal(session_value(s, field_of(form, "name")), "改");
	size_t n;
	char *after = read_file(path, &n);
	assert_int_equal(n, n0);
	assert_memory_equal(after, before, n);
	char *jp = journal_path(path);
	assert_int_equal(access(jp, F_OK), 0); /* the change is still in the journal */
	char *cmd = xasprintf("ls -a '%s' | grep -q '^\\.k\\.csv\\.'", tmpdir);
	assert_int_not_equal(system(cmd), 0); /* no temporary file left */
	free(cmd);
	free(jp);
	free(after);
	free(before);
	session_free(s);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_change_is_in_the_journal_and_replays),
	    cmocka_unit_test(test_truncated_journal_applies_complete_entries),
	    cmocka_unit_test(test_corrupt_entries_stop_the_replay),
	    cmocka_unit_test(test_declined_recovery_keeps_journal_aside),
	    cmocka_unit_test(test_journals_set_aside_in_one_second_are_all_kept),
	    cmocka_unit_test(test_journal_for_a_changed_file_is_not_applied),
	    cmocka_unit_test(test_second_clerk_is_read_only_and_can_save_elsewhere),
	    cmocka_unit_test(test_stale_lock_of_a_dead_process_is_taken_over),
	    cmocka_unit_test(test_save_asks_when_file_changed_on_disk),
	    cmocka_unit_test(test_save_keeps_previous_version_as_bak),
	    cmocka_unit_test(test_failed_save_keeps_file_changes_and_journal),
	};
	return cmocka_run_group_tests_name("journal", tests, setup, teardown) ? 1 : 0;
}
