/* test_session.c - the entry screen's operations without a terminal:
 * what the clerk sees is what is saved (a value changes only when the
 * clerk changes it), one evaluation of the records' problems that check
 * agrees with, the record being added, undo of every action, and the
 * record list's search. */
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "csvio.h"
#include "mem.h"
#include "session.h"
#include "testutil.h"

static Form *form;
static Config cfg;
static char tmpdir[] = "/tmp/spmform-session-XXXXXX";

static int setup(void **state)
{
	(void)state;
	DiagList dl;
	diag_init(&dl);
	form = form_load(INVENTORY, &dl);
	diag_free(&dl);
	if (!form || !mkdtemp(tmpdir))
		return -1;
	char *path = xasprintf("%s/config.ini", tmpdir);
	static const char ini[] = "[defaults]\nagency_oid = ２．１６．８８６．１０１．２０００２\n"
				  "agency_name = OO局\n";
	write_file(path, ini, sizeof ini - 1);
	diag_init(&dl);
	int rc = config_load(&cfg, path, &dl);
	diag_free(&dl);
	free(path);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	form_free(form);
	config_free(&cfg);
	return remove_tree(tmpdir);
}

static char *tmp_path(const char *name)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	char *cmd = xasprintf("rm -f '%s' '%s'.*", path, path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return path;
}

static Session *open_path(const char *path)
{
	DiagList dl;
	diag_init(&dl);
	Session *s = session_open(form, &cfg, path, &dl);
	assert_non_null(s);
	diag_free(&dl);
	return s;
}

static Session *new_session(const char *name)
{
	char *path = tmp_path(name);
	Session *s = open_path(path);
	free(path);
	return s;
}

/* A file of the example file's header and these CSV lines. */
static char *file_of(const char *name, const char *body)
{
	size_t n;
	char *ex = read_file("forms/examples/inventory.csv", &n);
	char *nl = strstr(ex, "\r\n");
	char *text = xasprintf("%.*s\r\n%s", (int)(nl - ex), ex, body);
	char *path = tmp_path(name);
	write_file(path, text, strlen(text));
	free(text);
	free(ex);
	return path;
}

static void go(Session *s, const char *id)
{
	session_goto_field(s, field_of(form, id));
}

static const char *value(Session *s, const char *id)
{
	return session_value(s, field_of(form, id));
}

/* What the session writes of its records, and what is on disk. */
static char *written(const Session *s, size_t *len)
{
	DiagList dl;
	diag_init(&dl);
	char *out = csvio_serialize(session_table(s), len, &dl);
	assert_non_null(out);
	diag_free(&dl);
	return out;
}

/* --- the record being added ------------------------------------------------ */

/* A new file shows one record to type into, with the defaults: not a
 * record until something is typed, so not counted, not dirty, and not
 * saved (a save writes the header only). */
static void test_new_file_record_is_not_a_record_until_typed(void **state)
{
	(void)state;
	Session *s = new_session("new.csv");
	assert_int_equal(session_nrecords(s), 0);
	assert_true(session_is_fresh(s, session_rec(s)));
	assert_string_equal(value(s, "agency_oid"), "2.16.886.101.20002");
	assert_string_equal(value(s, "agency_name"), "OO局");
	assert_false(session_dirty(s));
	assert_int_equal(session_error_records(s), 0);
	assert_int_equal(session_save(s, NULL, false), SAVE_OK);
	size_t n;
	char *saved = read_file(session_path(s), &n);
	assert_int_equal(strstr(saved, "\r\n") + 2 - saved, (long)n); /* the header alone */
	free(saved);
	session_set(s, field_of(form, "name"), "系統A");
	assert_int_equal(session_nrecords(s), 1);
	assert_false(session_is_fresh(s, 0));
	assert_true(session_dirty(s));
	session_free(s);
}

/* ^N then ^S saves no row of defaults; leaving the untouched record
 * discards it, with a word; typing into it makes it a record, which one
 * undo takes back whole. */
static void test_record_added_and_left_untouched_is_discarded(void **state)
{
	(void)state;
	char *path = file_of("added.csv", "編號A,系統A,行政,共用,自行委外,2.16.886.101.20002,OO局,某某處,某某處,是,否,是,中,是,X公司,X公司,24,部分符合,說明,,無\r\n");
	size_t n0;
	char *before = read_file(path, &n0);
	Session *s = open_path(path);
	session_new_record(s);
	assert_true(session_is_fresh(s, 1));
	assert_int_equal(session_rec(s), 1);
	assert_int_equal(session_nrecords(s), 1);
	assert_false(session_dirty(s));
	assert_int_equal(session_save(s, NULL, false), SAVE_OK); /* writes the one record */
	size_t n;
	char *after = read_file(path, &n);
	assert_int_equal(n, n0);
	assert_memory_equal(after, before, n);
	free(after);
	assert_true(session_prev_record(s));
	assert_int_equal(session_rec(s), 0);
	assert_false(session_is_fresh(s, 1));
	assert_non_null(strstr(session_msg(s), "第 2 筆沒有輸入任何資料，已捨棄"));
	session_new_record(s);
	session_set(s, field_of(form, "name"), "系統B");
	assert_int_equal(session_nrecords(s), 2);
	assert_string_equal(session_cells(s, 1)[field_of(form, "agency_name")], "OO局");
	assert_true(session_undo(s));
	assert_int_equal(session_nrecords(s), 1);
	assert_false(session_dirty(s));
	free(before);
	session_free(s);
	free(path);
}

/* --- a value changes only when the clerk changes it --------------------- */

/* What the clerk types is kept as typed, and said wrong as check says it:
 * 1.5 and -3 are not turned into 15 and 3.  The form's normalisations
 * (full-width digits, Y for 是, trimming) are not changes of value. */
static void test_typed_value_is_kept_as_typed(void **state)
{
	(void)state;
	Session *s = new_session("typed.csv");
	size_t hours = field_of(form, "max_downtime");
	assert_true(session_set(s, hours, "1.5"));
	assert_string_equal(session_value(s, hours), "1.5");
	assert_string_equal(session_field_error(s, hours),
			    "「1.5」不是整數；只能填數字，不含單位、逗號、小數點或負號");
	session_set(s, hours, "-3");
	assert_string_equal(session_value(s, hours), "-3");
	assert_non_null(session_field_error(s, hours));
	session_set(s, hours, " ２４ ");
	assert_string_equal(session_value(s, hours), "24");
	assert_null(session_field_error(s, hours));
	session_set(s, field_of(form, "core"), "y");
	assert_string_equal(value(s, "core"), "是");
	session_set(s, field_of(form, "agency_oid"), "2.16.886.101.x");
	assert_string_equal(value(s, "agency_oid"), "2.16.886.101.x");
	assert_non_null(session_field_error(s, field_of(form, "agency_oid")));
	session_free(s);
}

/* Walking over a record with wrong values changes none: 套裝軟體 with 普
 * and 符合 (R7, R11) stays so, marked wrong, whatever field is reached. */
static void test_moving_never_changes_a_value(void **state)
{
	(void)state;
	char *path = file_of("walk.csv", "編號C,郵件伺服器,行政,機關自用,套裝軟體,2.16.886.101.20002,OO局,某某處,某某處,是,否,是,普,是,M公司,M公司,12,符合,,,無\r\n,系統C,業務,公版,主管/上級機關提供,2.16.886.101.20002,總統府,某某處,某某處,否,否,否,,否,,,48,,,,無\r\n");
	Session *s = open_path(path);
	size_t n0, n1;
	char *before = written(s, &n0);
	for (int round = 0; round < 2; round++) {
		for (size_t f = 0; f < form_nfields(form); f++)
			session_next_field(s);
		while (session_prev_field(s))
			;
		session_next_record(s);
		session_next_error(s);
		session_prev_record(s);
	}
	char *after = written(s, &n1);
	assert_int_equal(n0, n1);
	assert_memory_equal(before, after, n0);
	assert_false(session_dirty(s));
	session_goto_record(s, 0);
	go(s, "level");
	assert_string_equal(value(s, "level"), "普");
	assert_string_equal(session_field_error(s, field_of(form, "level")),
			    "建置方式為「套裝軟體」時不可填「普」");
	assert_int_equal(session_record_state(s, 0), REC_ERROR);
	assert_int_equal(session_record_state(s, 1), REC_INCOMPLETE); /* level left empty */
	free(before);
	free(after);
	session_free(s);
	free(path);
}

/* The clerk's change to 建置方式 makes the fields it drives follow (中 ->
 * 其他, 部分符合 -> 不適用), says so, and one undo takes it all back; the
 * clerk's own value is never changed by the rules. */
static void test_change_follows_and_one_undo_takes_all_back(void **state)
{
	(void)state;
	char *path = file_of("follow.csv", "編號A,系統A,行政,共用,自行委外,2.16.886.101.20002,OO局,某某處,某某處,是,否,是,中,是,X公司,X公司,24,部分符合,說明,,無\r\n");
	Session *s = open_path(path);
	size_t build = field_of(form, "build");
	assert_true(session_set(s, build, "套裝軟體"));
	assert_string_equal(value(s, "level"), "其他");
	assert_string_equal(value(s, "compliance"), "不適用");
	assert_string_equal(session_msg(s),
			    "「建置方式」改為「套裝軟體」，所以「防護需求等級」由「中」改為「其他」、「是否符合防護基準」由「部分符合」改為「不適用」 (^Z 全部復原)");
	assert_true(session_dirty(s));
	assert_true(session_undo(s));
	assert_string_equal(value(s, "build"), "自行委外");
	assert_string_equal(value(s, "level"), "中");
	assert_string_equal(value(s, "compliance"), "部分符合");
	assert_false(session_dirty(s)); /* back to the file */
	assert_false(session_undo(s));
	session_free(s);
	free(path);
}

/* Digits pick the n-th value permitted now; y/n the aliases; a value's
 * text or label; anything else is refused, with the reason, and changes
 * nothing. */
static void test_choosing_a_value_by_key_or_text(void **state)
{
	(void)state;
	Session *s = new_session("choose.csv");
	size_t build = field_of(form, "build"), level = field_of(form, "level");
	assert_true(session_choose(s, build, "4")); /* 自行開發 */
	assert_string_equal(value(s, "build"), "自行開發");
	assert_true(session_choose(s, level, "３")); /* 普 中 高: the third */
	assert_string_equal(value(s, "level"), "高");
	assert_false(session_choose(s, level, "4"));
	assert_string_equal(value(s, "level"), "高");
	assert_true(session_msg_is_error(s));
	assert_false(session_choose(s, level, "x"));
	assert_string_equal(session_msg(s), "「x」不是「防護需求等級」可選的值；請按 1-3 選擇，或按 Enter 開啟選單");
	assert_false(session_choose(s, level, "其他")); /* not permitted for 自行開發 */
	assert_string_equal(session_msg(s), "「防護需求等級」現在不可填「其他」；建置方式為「自行開發」時不可填「其他」");
	assert_string_equal(value(s, "level"), "高");
	assert_true(session_choose(s, field_of(form, "core"), "n"));
	assert_string_equal(value(s, "core"), "否");
	assert_true(session_choose(s, level, "中"));
	assert_string_equal(value(s, "level"), "中");
	session_free(s);
}

/* --- undo of every action ------------------------------------------------------ */

static void test_every_action_is_undone_in_order(void **state)
{
	(void)state;
	char *path = file_of("undo.csv",
			     "編號A,系統A,行政,共用,自行委外,2.16.886.101.20002,OO局,某某處,某某處,是,否,是,中,是,X公司,X公司,24,部分符合,說明,,無\r\n"
			     "編號B,系統B,業務,機關自用,自行委外,2.16.886.101.20002,OO局,某某處,某某處,是,是,否,普,是,Y公司,Y公司,24,符合,,,無\r\n");
	Session *s = open_path(path);
	size_t n0;
	char *orig = written(s, &n0);
	size_t name = field_of(form, "name");
	session_goto_record(s, 1);
	assert_true(session_delete_record(s)); /* ^X */
	assert_int_equal(session_nrecords(s), 1);
	assert_true(session_dup_record(s)); /* ^R */
	assert_int_equal(session_nrecords(s), 2);
	assert_int_equal(session_field(s), 0); /* at the copy's first field */
	go(s, "name");
	session_set(s, name, "系統C");
	go(s, "remarks");
	assert_true(session_dup_field(s) || true); /* ^D: 備註 is "" above: nothing */
	session_new_record(s); /* ^N, typed into */
	session_set(s, name, "系統D");
	assert_int_equal(session_nrecords(s), 3);
	/* and back, action by action */
	assert_true(session_undo(s));
	assert_int_equal(session_nrecords(s), 2);
	assert_true(session_undo(s));
	assert_string_equal(session_cells(s, 1)[name], "系統A");
	assert_true(session_undo(s));
	assert_int_equal(session_nrecords(s), 1);
	assert_true(session_dirty(s));
	assert_true(session_undo(s));
	assert_int_equal(session_nrecords(s), 2);
	assert_string_equal(session_cells(s, 1)[name], "系統B");
	assert_false(session_dirty(s));
	size_t n1;
	char *now = written(s, &n1);
	assert_int_equal(n0, n1);
	assert_memory_equal(orig, now, n0);
	free(orig);
	free(now);
	session_free(s);
	free(path);
}

/* After a save, undoing the saved change makes the session dirty: the
 * records differ from the file; undoing back is the file again only
 * while nothing new was done. */
static void test_dirty_follows_the_file_not_the_keys(void **state)
{
	(void)state;
	Session *s = new_session("dirty.csv");
	size_t name = field_of(form, "name");
	session_set(s, name, "一");
	assert_int_equal(session_save(s, NULL, false), SAVE_OK);
	assert_false(session_dirty(s));
	session_set(s, name, "二");
	assert_true(session_dirty(s));
	session_undo(s);
	assert_false(session_dirty(s));
	session_undo(s);
	assert_true(session_dirty(s)); /* before the save: not the file */
	session_set(s, name, "一");
	assert_true(session_dirty(s)); /* the same text, another action */
	session_free(s);
}

/* --- one truth about errors ------------------------------------------------------ */

/* A file with every kind of problem the rules know (a missing required
 * value, R7, R8, R10, R11, R12, a wrong OID, a value not among the
 * permitted, a too-long record, R14 twice, a warning of Excel formula):
 * the session's counts, each record's problems and state, and the stops
 * of next-error are what spmform check prints of it. */
static void test_session_and_check_see_the_same_problems(void **state)
{
	(void)state;
	char *path = file_of("problems.csv",
			     "編號A,系統A,行政,共用,自行委外,2.16.886.101.20002,OO局,某某處,某某處,是,否,是,中,是,X公司,X公司,24,部分符合,說明,,無\r\n"
			     "編號A,系統B,業務,機關自用,自行委外,2.16.886.101.20002,OO局,某某處,某某處,是,是,否,普,是,Y公司,Y公司,1.5,符合,,,無\r\n"
			     ",系統A,行政,共用,自行委外,2.16.886.101.20002,OO局,某某處,某某處,是,否,是,中,是,X公司,X公司,24,不符合,,,無\r\n"
			     "編號C,郵件伺服器,行政,機關自用,套裝軟體,376470000A,OO局,某某處,某某處,是,否,是,普,是,M公司,M公司,12,符合,,,無\r\n"
			     "編號D,系統D,行政,機關自用,自行委外,2.16.886.101.20002,OO局,某某處,,是,否,是,中,,,,,,,,\r\n"
			     "編號E,=HYPERLINK(1),行政,機關自用,自行委外,2.16.886.101.20002,OO局,某某處,某某處,是,否,X,高,是,Z公司,Z公司,0,符合,,,無,多一欄\r\n"
			     "編號F,系統F,行政,機關自用,自行委外,2.16.886.101.20002,OO局,某某處,某某處,是,否,是,高,是,Z公司,Z公司,0,符合,,,無\r\n");
	Session *s = open_path(path);
	/* what check prints: "FILE:LINE: level: LABEL: message" per problem */
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);
	int rc = check_file(path, form, CHECK_GUESS_SAY, 500, f);
	fclose(f);
	assert_int_equal(rc, CHECK_ERRORS);
	size_t nerr = 0, nwarn = 0;
	for (const char *p = out; (p = strstr(p, ": error: ")); p++)
		nerr++;
	for (const char *p = out; (p = strstr(p, ": warning: ")); p++)
		nwarn++;
	assert_int_equal(session_nerrors(s), nerr);
	assert_int_equal(session_nwarnings(s), nwarn);
	/* each record's problems, as check words them, on its line */
	size_t with_errors = 0;
	for (size_t r = 0; r < session_nrecords(s); r++) {
		DiagList dl;
		diag_init(&dl);
		session_record_diags(s, r, &dl);
		bool err = false;
		for (size_t i = 0; i < dl.n; i++) {
			const Diag *d = &dl.items[i];
			char *line = xasprintf("%s:%ld: %s: 第 %zu 筆: %s%s%s\n", path, d->line,
					       diag_level_name(d->level), r + 1,
					       d->field >= 0 ? form_field(form, (size_t)d->field)->label : "",
					       d->field >= 0 ? ": " : "", d->msg);
			if (!strstr(out, line))
				fail_msg("check does not say %s", line);
			free(line);
			err |= d->level == DIAG_ERROR;
		}
		with_errors += err;
		RecordState st = session_record_state(s, r);
		assert_int_equal(err, st == REC_ERROR || st == REC_INCOMPLETE);
		diag_free(&dl);
	}
	assert_int_equal(session_error_records(s), with_errors);
	assert_int_equal(with_errors, 5); /* all but 編號A and 編號F */
	/* next-error stops at exactly those records, in order, at a field */
	size_t stops = 0, last = session_rec(s);
	session_goto_record(s, session_nrecords(s) - 1);
	for (size_t k = 0; k < with_errors; k++) {
		assert_true(session_next_error(s));
		assert_true(k == 0 || session_rec(s) > last);
		assert_int_not_equal(session_record_state(s, session_rec(s)), REC_COMPLETE);
		assert_non_null(session_field_error(s, session_field(s)));
		last = session_rec(s);
		stops++;
	}
	assert_true(session_next_error(s)); /* and round again, to the first */
	assert_int_equal(session_rec(s), 1);
	assert_int_equal(stops, with_errors);
	free(out);
	session_free(s);
	free(path);
}

/* A rule across records shows at the record concerned, naming the other
 * by its number and line, as soon as the value is committed; and goes
 * when it no longer holds. */
static void test_rule_across_records_shows_when_committed(void **state)
{
	(void)state;
	char *path = file_of("across.csv",
			     "編號A,系統A,行政,共用,自行委外,2.16.886.101.20002,OO局,某某處,某某處,是,否,是,中,是,X公司,X公司,24,符合,,,無\r\n"
			     "編號B,系統B,業務,機關自用,自行委外,2.16.886.101.20002,OO局,某某處,某某處,是,是,否,普,是,Y公司,Y公司,24,符合,,,無\r\n");
	Session *s = open_path(path);
	size_t asset = field_of(form, "asset_id");
	session_goto_record(s, 1);
	session_set(s, asset, "編號A");
	DiagList dl;
	diag_init(&dl);
	session_record_diags(s, 1, &dl);
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.items[0].field, (int)asset);
	assert_string_equal(dl.items[0].msg, "與第 1 筆 (第 2 行)重複");
	diag_free(&dl);
	assert_int_equal(session_nwarnings(s), 1);
	session_set(s, asset, "編號B");
	assert_int_equal(session_nwarnings(s), 0);
	session_free(s);
	free(path);
}

/* Saving with errors is allowed, and says how many records still have
 * them. */
static void test_save_with_errors_says_how_many(void **state)
{
	(void)state;
	Session *s = new_session("half.csv");
	session_set(s, field_of(form, "name"), "系統X");
	assert_int_equal(session_save(s, NULL, false), SAVE_OK);
	assert_non_null(strstr(session_msg(s), "(1 筆記錄；其中 1 筆記錄還有錯誤或未填完，^K 可跳到)"));
	session_free(s);
}

/* --- the record list's search ----------------------------------------------------- */

/* A session on a file of n records: the five example rows over and over,
 * record i's 系統名稱 (name) then "系統i" with every tenth "Active Dir i". */
static Session *session_of(const char *name, size_t n)
{
	Table *t = table_new(form);
	size_t fname = field_of(form, "name");
	for (size_t i = 0; i < n; i++) {
		add_row(t, EXAMPLE_ROWS[i % 5], 0);
		char *v = i % 10 == 3 ? xasprintf("Active Dir %zu", i) : xasprintf("系統%zu", i);
		table_put(t, i, fname, v);
	}
	char *path = tmp_path(name);
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(csvio_save(t, path, false, &dl), 0);
	table_free(t);
	diag_free(&dl);
	Session *s = open_path(path);
	free(path);
	return s;
}

/* What session_filter keeps of every record, as a fresh array of *kept. */
static size_t *filtered(const Session *s, const char *text, size_t *kept)
{
	size_t n = session_nrecords(s);
	size_t *rows = xmalloc((n ? n : 1) * sizeof *rows);
	for (size_t i = 0; i < n; i++)
		rows[i] = i;
	*kept = session_filter(s, text, -1, rows, n);
	return rows;
}

/* The search finds text in any field, Chinese or not; letters match in
 * either case (ASCII only), also past a first letter that begins no
 * match; "" keeps every record. */
static void test_search_finds_text_in_any_field_letters_in_either_case(void **state)
{
	(void)state;
	Session *s = session_of("search.csv", 20);
	size_t kept;
	size_t *rows = filtered(s, "aCTIVE dIR 1", &kept);
	assert_int_equal(kept, 1); /* Active Dir 13 */
	assert_int_equal(rows[0], 13);
	free(rows);
	rows = filtered(s, "IR 3", &kept); /* the i of Active begins no match */
	assert_int_equal(kept, 1);
	assert_int_equal(rows[0], 3);
	free(rows);
	rows = filtered(s, "系統1", &kept); /* 系統1, 系統10..19 less 13 */
	assert_int_equal(kept, 10);
	assert_int_equal(rows[0], 1);
	assert_int_equal(rows[9], 19);
	free(rows);
	rows = filtered(s, "OO局", &kept); /* another field: all but the 系統C rows */
	assert_int_equal(kept, 16);
	assert_int_equal(rows[2], 3);
	free(rows);
	rows = filtered(s, "", &kept);
	assert_int_equal(kept, 20);
	free(rows);
	rows = filtered(s, "沒有這個", &kept);
	assert_int_equal(kept, 0);
	free(rows);
	session_free(s);
}

/* Narrowing a search (a character typed at its end) searches only the
 * records the search kept, and keeps them in order. */
static void test_narrowing_a_search_keeps_order(void **state)
{
	(void)state;
	Session *s = session_of("search-big.csv", 25000);
	size_t kept;
	size_t *rows = filtered(s, "Active Dir 2", &kept); /* 23, 203, 213, ... */
	assert_true(kept > 100);
	assert_int_equal(rows[0], 23);
	for (size_t i = 1; i < kept; i++)
		assert_true(rows[i - 1] < rows[i]);
	size_t narrow = session_filter(s, "Active Dir 24", -1, rows, kept);
	assert_int_equal(narrow, 111); /* 243, 2403..2493, 24003..24993 */
	assert_int_equal(rows[0], 243);
	assert_int_equal(rows[narrow - 1], 24993);
	free(rows);
	session_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_file_record_is_not_a_record_until_typed),
	    cmocka_unit_test(test_record_added_and_left_untouched_is_discarded),
	    cmocka_unit_test(test_typed_value_is_kept_as_typed),
	    cmocka_unit_test(test_moving_never_changes_a_value),
	    cmocka_unit_test(test_change_follows_and_one_undo_takes_all_back),
	    cmocka_unit_test(test_choosing_a_value_by_key_or_text),
	    cmocka_unit_test(test_every_action_is_undone_in_order),
	    cmocka_unit_test(test_dirty_follows_the_file_not_the_keys),
	    cmocka_unit_test(test_session_and_check_see_the_same_problems),
	    cmocka_unit_test(test_rule_across_records_shows_when_committed),
	    cmocka_unit_test(test_save_with_errors_says_how_many),
	    cmocka_unit_test(test_search_finds_text_in_any_field_letters_in_either_case),
	    cmocka_unit_test(test_narrowing_a_search_keeps_order),
	};
	return cmocka_run_group_tests_name("session", tests, setup, teardown) ? 1 : 0;
}
