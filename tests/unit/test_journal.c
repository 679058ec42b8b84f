/* test_journal.c - the files beside the data and what cannot be turned
 * against the clerk: the recovery journal (replay after a crash, damaged
 * or forged journals, links and FIFOs planted in its place), the kernel's
 * lock (a second clerk, a holder killed with -9, forged lock files), a file
 * changed on disk, FILE.bak, a data file that is a link, failed saves that
 * keep everything. */
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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

/* A copy of the example file in tmpdir, nothing beside it; its path. */
static char *example_copy(const char *name)
{
	size_t n;
	char *data = read_file("forms/examples/inventory.csv", &n);
	char *path = xasprintf("%s/%s", tmpdir, name);
	char *cmd = xasprintf("rm -rf '%s' '%s'.*", path, path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	write_file(path, data, n);
	free(data);
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

static char *records_of(const Session *s, size_t *len)
{
	DiagList dl;
	diag_init(&dl);
	char *out = csvio_serialize(session_table(s), len, &dl);
	assert_non_null(out);
	diag_free(&dl);
	return out;
}

/* --- the journal ------------------------------------------------------------ */

static void test_every_change_is_in_the_journal_and_replays(void **state)
{
	(void)state;
	char *path = example_copy("a.csv");
	Session *s = open_session(path);
	size_t name = field_of(form, "name");
	session_goto_record(s, 1);
	session_set(s, name, "改過的系統B");
	session_set(s, field_of(form, "build"), "套裝軟體"); /* and what follows */
	session_new_record(s);
	session_set(s, name, "新系統");
	session_goto_record(s, 0);
	session_dup_record(s);
	session_goto_record(s, 3);
	session_delete_record(s);
	session_undo(s); /* an undo is a change too */
	session_goto_record(s, 4);
	session_delete_record(s);
	char *jp = journal_path(path);
	assert_int_equal(mode_of(jp), 0600);
	/* the records as the clerk sees them now, before the "crash" */
	size_t len;
	char *want = records_of(s, &len);
	session_free(s); /* as if killed: nothing saved */

	s = open_session(path);
	assert_true(session_has_recovery(s));
	session_recover(s);
	assert_true(session_dirty(s));
	size_t len2;
	char *got = records_of(s, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(got, want, len);
	free(got);
	/* the recovery is one action: undone, the file as it is */
	assert_true(session_undo(s));
	assert_false(session_dirty(s));
	size_t n0;
	char *file = read_file(path, &n0);
	got = records_of(s, &len2);
	assert_int_equal(len2, n0);
	assert_memory_equal(got, file, n0);
	free(got);
	free(file);
	/* saving retires the journal */
	session_set(s, name, "存");
	assert_int_equal(session_save(s, NULL, false), SAVE_OK);
	assert_int_equal(access(jp, F_OK), -1);
	session_free(s);
	free(want);
	free(jp);
	free(path);
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
	assert_true(session_has_recovery(s));
	time_t first, last;
	assert_int_equal(session_recovery_count(s, &first, &last), 1);
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
	/* not a journal at all; an older spmform's base line; a damaged one */
	assert_int_equal(journal_read_mem("garbage\n", 8, &r, &dl), -1);
	static const char v1[] = "SPMJ 1 0 -1\n", bad[] = "SPMJ 2 1 2000000000 3\n";
	assert_int_equal(journal_read_mem(v1, sizeof v1 - 1, &r, &dl), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.base_nsec, -1);
	journal_read_free(&r);
	assert_int_equal(journal_read_mem(bad, sizeof bad - 1, &r, &dl), -1);
	free(text);
	free(jp);
	free(path);
	diag_free(&dl);
}

/* A journal whose entries do not fit the file any more stops where they
 * stop fitting, and says so. */
static void test_replay_stops_at_an_entry_that_does_not_fit(void **state)
{
	(void)state;
	char *path = example_copy("fit.csv");
	char *jp = journal_path(path);
	DiagList dl;
	diag_init(&dl);
	Journal *j = journal_open(path, &dl);
	assert_non_null(j);
	journal_log(j, JOP_SET, 0, 1, "ok");
	journal_log(j, JOP_DELETE, 70, 0, NULL);
	journal_log(j, JOP_SET, 0, 1, "never");
	journal_close(j);
	Session *s = open_session(path);
	assert_true(session_has_recovery(s));
	session_recover(s);
	assert_string_equal(session_cells(s, 0)[1], "ok");
	assert_non_null(strstr(session_msg(s), "第 2 筆與檔案對不上"));
	session_free(s);
	diag_free(&dl);
	free(jp);
	free(path);
}

/* A forged journal (its checksums right) with an entry time no clock can
 * show, or a base no file has, never crashes the screen: it is set aside
 * with a message. */
static void test_forged_journal_is_set_aside(void **state)
{
	(void)state;
	char *path = example_copy("forged.csv");
	Session *s = open_session(path);
	session_set(s, field_of(form, "name"), "改");
	session_free(s);
	char *jp = journal_path(path);
	size_t n;
	char *j = read_file(jp, &n);
	char *entry = strchr(j, '\n') + 1;
	char *tab = strchr(entry, '\t');
	char *body = xasprintf("999999999999999999%.*s", (int)(strrchr(entry, '\t') - tab), tab);
	uint32_t h = 2166136261u; /* FNV-1a, as the journal sums a line */
	for (const char *p = body; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	char *forged = xasprintf("%.*s%s\t%08x\n", (int)(entry - j), j, body, (unsigned)h);
	write_file(jp, forged, strlen(forged));
	s = open_session(path);
	assert_false(session_has_recovery(s));
	assert_non_null(strstr(session_msg(s), "已另存為"));
	session_free(s);
	assert_int_equal(access(jp, F_OK), -1);
	free(forged);
	free(body);
	free(j);
	free(jp);
	free(path);
}

static void test_declined_recovery_keeps_journal_aside(void **state)
{
	(void)state;
	char *path = example_copy("d.csv");
	Session *s = open_session(path);
	session_set(s, field_of(form, "name"), "改");
	session_free(s);
	s = open_session(path);
	assert_true(session_has_recovery(s));
	session_discard_recovery(s);
	assert_non_null(strstr(session_msg(s), "d.csv.journal."));
	session_free(s);
	char *cmd = xasprintf("ls '%s'/d.csv.journal.2* >/dev/null 2>&1", tmpdir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	s = open_session(path); /* nothing to recover any more */
	assert_false(session_has_recovery(s));
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

/* Rewritten by another program (the same size, in the same second): the
 * journal is not applied to it. */
static void test_journal_for_a_changed_file_is_not_applied(void **state)
{
	(void)state;
	char *path = example_copy("e.csv");
	Session *s = open_session(path);
	session_set(s, field_of(form, "name"), "改");
	session_free(s);
	size_t n;
	char *data = read_file(path, &n);
	strstr(data, ",24,")[2] = '5'; /* 24 hours become 25 */
	write_file(path, data, n); /* someone else rewrote it */
	s = open_session(path);
	assert_false(session_has_recovery(s));
	assert_non_null(strstr(session_msg(s), "已另存為"));
	session_free(s);
	free(data);
	free(path);
}

/* A link or a FIFO planted as FILE.journal is never followed nor waited
 * on.  Planted before the clerk opens the file, it is set aside (renamed,
 * never opened) and a journal of the clerk's own is made; planted after,
 * the journal cannot be made and the clerk is told the changes are only
 * in memory.  Either way nothing is created or appended where a link
 * points. */
static void test_journal_never_follows_a_link_or_waits_on_a_fifo(void **state)
{
	(void)state;
	char *path = example_copy("planted.csv");
	char *jp = journal_path(path);
	char *target = xasprintf("%s/planted-target", tmpdir);
	char *victim = xasprintf("%s/planted-victim", tmpdir);
	unlink(target);
	write_file(victim, "keep\n", 5);
	for (int k = 0; k < 6; k++) {
		bool after = k >= 3; /* planted after the file was opened */
		Session *s = after ? open_session(path) : NULL;
		unlink(jp);
		if (k % 3 == 0)
			assert_int_equal(symlink(target, jp), 0); /* dangling */
		else if (k % 3 == 1)
			assert_int_equal(symlink(victim, jp), 0);
		else
			assert_int_equal(mkfifo(jp, 0600), 0);
		if (!after)
			s = open_session(path);
		assert_false(session_has_recovery(s));
		session_clear_msg(s);
		session_set(s, field_of(form, "name"), k % 2 ? "改" : "再改");
		if (after) {
			assert_non_null(strstr(session_msg(s), "修改只在記憶體中"));
			assert_false(session_journaled(s));
		} else {
			assert_true(session_journaled(s));
			struct stat st;
			assert_int_equal(lstat(jp, &st), 0);
			assert_true(S_ISREG(st.st_mode));
		}
		session_free(s);
		assert_int_equal(access(target, F_OK), -1);
		size_t n;
		char *v = read_file(victim, &n);
		assert_int_equal(n, 5);
		free(v);
		char *cmd = xasprintf("rm -f '%s' '%s'.*", jp, jp);
		assert_int_equal(system(cmd), 0);
		free(cmd);
	}
	unlink(victim);
	free(victim);
	free(target);
	free(jp);
	free(path);
}

/* --- the lock ----------------------------------------------------------------- */

static void test_second_clerk_is_read_only_and_can_save_elsewhere(void **state)
{
	(void)state;
	char *path = example_copy("f.csv");
	Session *first = open_session(path);
	assert_false(session_read_only(first));
	Session *second = open_session(path); /* the lock is held (by us) */
	assert_true(session_read_only(second));
	char *pid = xasprintf("(行程 %ld)", (long)getpid());
	assert_non_null(strstr(session_lock_notice(second), pid));
	free(pid);
	size_t name = field_of(form, "name");
	assert_false(session_set(second, name, "x"));
	assert_string_equal(session_value(second, name), "系統A");
	assert_non_null(strstr(session_msg(second), "不能修改"));
	assert_false(session_dirty(second));
	assert_int_equal(session_save(second, NULL, false), SAVE_FAILED);
	char *jp = journal_path(path);
	assert_int_equal(access(jp, F_OK), -1);
	char *elsewhere = xasprintf("%s/f2.csv", tmpdir);
	unlink(elsewhere);
	assert_int_equal(session_save(second, elsewhere, false), SAVE_OK);
	assert_false(session_read_only(second));
	assert_string_equal(session_path(second), elsewhere);
	session_free(second);
	session_free(first); /* releases the lock */
	Session *again = open_session(path);
	assert_false(session_read_only(again));
	session_free(again);
	free(jp);
	free(elsewhere);
	free(path);
}

/* The kernel holds the lock: a holder killed with -9 that nobody has
 * reaped (a zombie) holds nothing, and the file opens writable at once. */
static void test_lock_of_a_killed_holder_is_free_at_once(void **state)
{
	(void)state;
	char *path = example_copy("g.csv");
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t child = fork();
	if (child == 0) {
		Lock *l;
		LockHolder h;
		char *why;
		if (lock_acquire(path, &l, &h, &why) != LOCK_OK)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	Session *s = open_session(path);
	assert_true(session_read_only(s));
	session_free(s);
	kill(child, SIGKILL);
	/* not reaped: a zombie; its files are closed all the same */
	for (int i = 0; i < 200; i++) {
		char st[64];
		char *statf = xasprintf("/proc/%ld/stat", (long)child);
		FILE *f = fopen(statf, "r");
		free(statf);
		bool zombie = f && fgets(st, sizeof st, f) && strstr(st, ") Z");
		if (f)
			fclose(f);
		if (zombie)
			break;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	s = open_session(path);
	assert_false(session_read_only(s));
	session_free(s);
	waitpid(child, NULL, 0);
	close(ready[0]);
	close(ready[1]);
	free(path);
}

/* What a lock file says is only read, range-checked: a time no clock can
 * show, garbage, a FIFO or a link planted as FILE.lock never crash or
 * hang; a FIFO or a link is not used (read-only, saying why). */
static void test_forged_lock_files_are_harmless(void **state)
{
	(void)state;
	LockHolder h;
	static const char forged[] = "mallory 42 host 9223372036854775807\n";
	lock_parse_holder(forged, sizeof forged - 1, &h);
	assert_string_equal(h.user, "mallory");
	assert_int_equal(h.pid, 42);
	assert_int_equal(h.since, 0);
	char t[32];
	text_time(9223372036854775807LL, t, sizeof t);
	assert_string_equal(t, "?");
	lock_parse_holder("\xff\xfe x -5", 7, &h);
	assert_int_equal(h.pid, 0);

	char *path = example_copy("forged-lock.csv");
	char *lp = xasprintf("%s.lock", path);
	write_file(lp, forged, sizeof forged - 1); /* left behind, no process holds it */
	Session *s = open_session(path);
	assert_false(session_read_only(s));
	session_free(s);
	assert_int_equal(mkfifo(lp, 0600), 0);
	s = open_session(path);
	assert_true(session_read_only(s));
	assert_non_null(strstr(session_lock_notice(s), "鎖定檔不是一般檔案"));
	session_free(s);
	unlink(lp);
	char *elsewhere = xasprintf("%s/elsewhere", tmpdir);
	assert_int_equal(symlink(elsewhere, lp), 0);
	s = open_session(path);
	assert_true(session_read_only(s));
	assert_non_null(strstr(session_lock_notice(s), "符號連結"));
	session_free(s);
	assert_int_equal(access(elsewhere, F_OK), -1);
	unlink(lp);
	free(elsewhere);
	free(lp);
	free(path);
}

/* --- saving --------------------------------------------------------------------- */

/* Another program's change is noticed to the nanosecond: the same size,
 * the same second. */
static void test_save_asks_when_file_changed_on_disk(void **state)
{
	(void)state;
	char *path = example_copy("i.csv");
	Session *s = open_session(path);
	session_set(s, field_of(form, "name"), "改");
	size_t n;
	char *data = read_file(path, &n);
	strstr(data, ",24,")[2] = '5';
	write_file(path, data, n); /* another program edits it, keeping its size */
	assert_int_equal(session_save(s, NULL, false), SAVE_CHANGED);
	assert_true(session_dirty(s));
	assert_int_equal(session_save(s, NULL, true), SAVE_OK);
	assert_int_equal(session_save(s, NULL, false), SAVE_OK); /* our own save is not a change */
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

/* A save refused because CP950 cannot hold a value writes nothing: no
 * file, and no FILE.bak either. */
static void test_refused_save_writes_no_backup(void **state)
{
	(void)state;
	char *path = example_copy("cp.csv");
	/* the example without its BOM, in CP950 */
	char *cmd = xasprintf("tail -c +4 '%s' | iconv -f UTF-8 -t CP950 > '%s.x' && mv '%s.x' '%s'", path,
			path, path, path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	Session *s = open_session(path);
	session_set(s, field_of(form, "name"), "陳喆的系統"); /* 喆 is not in CP950 */
	assert_int_equal(session_save(s, NULL, false), SAVE_FAILED);
	assert_non_null(strstr(session_msg(s), "CP950"));
	char *bak = xasprintf("%s.bak", path);
	assert_int_equal(access(bak, F_OK), -1);
	free(bak);
	session_free(s);
	free(path);
}

/* A data file that is a link is saved through the link, in the folder of
 * the file it points at: the link stays, the real file changes. */
static void test_link_to_the_data_is_saved_through(void **state)
{
	(void)state;
	char *real = example_copy("real.csv");
	char *link = xasprintf("%s/link.csv", tmpdir);
	unlink(link);
	assert_int_equal(symlink(real, link), 0);
	Session *s = open_session(link);
	session_set(s, field_of(form, "name"), "經由連結");
	assert_int_equal(session_save(s, NULL, false), SAVE_OK);
	session_free(s);
	struct stat st;
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	size_t n;
	char *data = read_file(real, &n);
	assert_non_null(strstr(data, "經由連結"));
	free(data);
	unlink(link);
	free(link);
	free(real);
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
	assert_non_null(strstr(session_msg(s), "存檔失敗"));
	assert_true(session_dirty(s));
	assert_string_equal(session_value(s, field_of(form, "name")), "改");
	size_t n;
	char *after = read_file(path, &n);
	assert_int_equal(n, n0);
	assert_memory_equal(after, before, n);
	char *jp = journal_path(path);
	assert_int_equal(access(jp, F_OK), 0); /* the change is still in the journal */
	char *bak = xasprintf("%s.bak", path);
	assert_int_equal(access(bak, F_OK), -1); /* the save did not happen */
	char *cmd = xasprintf("ls -a '%s' | grep -q '^\\.k\\.csv\\.'", tmpdir);
	assert_int_not_equal(system(cmd), 0); /* no temporary file left */
	free(cmd);
	free(bak);
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
	    cmocka_unit_test(test_replay_stops_at_an_entry_that_does_not_fit),
	    cmocka_unit_test(test_forged_journal_is_set_aside),
	    cmocka_unit_test(test_declined_recovery_keeps_journal_aside),
	    cmocka_unit_test(test_journals_set_aside_in_one_second_are_all_kept),
	    cmocka_unit_test(test_journal_for_a_changed_file_is_not_applied),
	    cmocka_unit_test(test_journal_never_follows_a_link_or_waits_on_a_fifo),
	    cmocka_unit_test(test_second_clerk_is_read_only_and_can_save_elsewhere),
	    cmocka_unit_test(test_lock_of_a_killed_holder_is_free_at_once),
	    cmocka_unit_test(test_forged_lock_files_are_harmless),
	    cmocka_unit_test(test_save_asks_when_file_changed_on_disk),
	    cmocka_unit_test(test_save_keeps_previous_version_as_bak),
	    cmocka_unit_test(test_refused_save_writes_no_backup),
	    cmocka_unit_test(test_link_to_the_data_is_saved_through),
	    cmocka_unit_test(test_failed_save_keeps_file_changes_and_journal),
	};
	return cmocka_run_group_tests_name("journal", tests, setup, teardown) ? 1 : 0;
}
