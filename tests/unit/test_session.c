/* test_session.c - the entry screen's operations without a terminal:
 * picking the n-th permitted value, auto-filled fields, the rules clearing
 * a value with a message, records added, copied, deleted, undo, save, and
 * the record list's search. */
#include <unistd.h>

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

static Session *new_session(const char *name)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	unlink(path);
	DiagList dl;
	diag_init(&dl);
	Session *s = session_open(form, &cfg, path, &dl);
	assert_non_null(s);
	diag_free(&dl);
	free(path);
	return s;
}

static void go(Session *s, const char *id)
{
	s->field = field_of(form, id);
}

static void test_new_file_starts_with_one_record_with_defaults(void **state)
{
	(void)state;
	Session *s = new_session("new.csv");
	assert_true(s->is_new);
	assert_int_equal(session_nrecords(s), 1);
	assert_string_equal(session_value(s, field_of(form, "agency_oid")), "2.16.886.101.20002");
	assert_string_equal(session_value(s, field_of(form, "agency_name")), "OO局");
	assert_false(s->dirty);
	session_free(s);
}

static void test_digit_picks_nth_permitted_value(void **state)
{
	(void)state;
	Session *s = new_session("pick.csv");
	size_t build = field_of(form, "build"), level = field_of(form, "level");
	assert_true(session_pick(s, build, 4)); /* 自行開發 */
	assert_string_equal(session_value(s, build), "自行開發");
	assert_true(session_pick(s, level, 3)); /* 普 中 高: the third is 高 */
	assert_string_equal(session_value(s, level), "高");
	/* a digit beyond the permitted list is refused and changes nothing */
	assert_false(session_pick(s, level, 4));
	assert_string_equal(session_value(s, level), "高");
	assert_non_null(s->msg);
	assert_true(s->msg_is_error);
	session_free(s);
}

static void test_single_permitted_values_are_filled_and_skipped(void **state)
{
	(void)state;
	Session *s = new_session("auto.csv");
	session_pick(s, field_of(form, "build"), 3); /* 套裝軟體 */
	go(s, "sensitive");
	assert_true(session_next_field(s)); /* into 防護需求等級: only 其他 */
	assert_string_equal(session_value(s, field_of(form, "level")), "其他");
	assert_int_equal(s->field, field_of(form, "isms"));
	go(s, "max_downtime");
	session_next_field(s); /* into 是否符合防護基準: only 不適用 */
	assert_string_equal(session_value(s, field_of(form, "compliance")), "不適用");
	assert_int_equal(s->field, field_of(form, "gap_note"));
	session_free(s);
}

static void test_changed_rule_clears_value_and_says_why(void **state)
{
	(void)state;
	Session *s = new_session("clear.csv");
	session_pick(s, field_of(form, "build"), 1); /* 自行委外 */
	session_pick(s, field_of(form, "level"), 2); /* 中 */
	session_clear_msg(s);
	session_set(s, field_of(form, "build"), "主管/上級機關提供");
	assert_string_equal(session_value(s, field_of(form, "level")), "");
	assert_non_null(s->msg);
	assert_string_equal(s->msg, "「建置方式」改為「主管/上級機關提供」後，「防護需求等級」不可填「中」，已清除");
	session_free(s);
}

static void test_undo_restores_the_last_action(void **state)
{
	(void)state;
	Session *s = new_session("undo.csv");
	size_t build = field_of(form, "build"), level = field_of(form, "level");
	session_pick(s, build, 1);
	session_pick(s, level, 2);
	session_set(s, build, "套裝軟體"); /* clears 中 */
	assert_true(session_undo(s));        /* both come back */
	assert_string_equal(session_value(s, build), "自行委外");
	assert_string_equal(session_value(s, level), "中");
	assert_true(session_undo(s));
	assert_string_equal(session_value(s, level), "");
	assert_true(session_undo(s));
	assert_string_equal(session_value(s, build), "");
	assert_false(session_undo(s));
	session_free(s);
}

static void test_records_new_dup_field_dup_record_delete(void **state)
{
	(void)state;
	Session *s = new_session("recs.csv");
	size_t name = field_of(form, "name");
	session_set(s, name, "系統A");
	session_new_record(s);
	assert_int_equal(session_nrecords(s), 2);
	assert_int_equal(s->rec, 1);
	assert_int_equal(s->field, 0);
	assert_string_equal(session_value(s, field_of(form, "agency_name")), "OO局");
	s->field = name;
	assert_true(session_dup_field(s));
	assert_string_equal(session_value(s, name), "系統A");
	session_dup_record(s);
	assert_int_equal(session_nrecords(s), 3);
	assert_int_equal(s->rec, 2);
	assert_string_equal(session_value(s, name), "系統A");
	session_delete_record(s);
	assert_int_equal(session_nrecords(s), 2);
	assert_int_equal(s->rec, 1);
	s->rec = 0;
	assert_false(session_dup_field(s)); /* no previous record */
	session_free(s);
}

static void test_save_writes_only_non_empty_records_and_clears_dirty(void **state)
{
	(void)state;
	Session *s = new_session("save.csv");
	for (size_t f = 0; f < form_nfields(form); f++)
		session_set(s, f, ""); /* the defaults too: an empty record */
	session_new_record(s);
	char *row = xstrdup(EXAMPLE_ROWS[1]);
	char *p = row;
	for (size_t f = 0; f < form_nfields(form); f++) {
		char *tab = strchr(p, '\t');
		if (tab)
			*tab = '\0';
		session_set(s, f, p);
		p = tab ? tab + 1 : p + strlen(p);
	}
	free(row);
	assert_true(s->dirty);
	assert_int_equal(session_save(s, NULL, false), SAVE_OK);
	assert_false(s->dirty);
	DiagList dl;
	diag_init(&dl);
	Table *t = csvio_load(s->path, form, cfg.out, &dl);
	assert_non_null(t);
	assert_int_equal(table_nrecords(t), 1);
	assert_int_equal(session_record_state(s, 0), REC_EMPTY);
	assert_int_equal(session_record_state(s, 1), REC_COMPLETE);
	table_free(t);
	diag_free(&dl);
	session_free(s);
}

static void test_record_states(void **state)
{
	(void)state;
	Session *s = new_session("states.csv");
	session_set(s, field_of(form, "name"), "系統X");
	assert_int_equal(session_record_state(s, 0), REC_INCOMPLETE);
	session_set(s, field_of(form, "max_downtime"), "24小時");
	assert_int_equal(session_record_state(s, 0), REC_ERROR);
	assert_true(session_next_error(s));
	assert_int_equal(s->field, field_of(form, "max_downtime"));
	session_free(s);
}

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
	char *path = xasprintf("%s/%s", tmpdir, name);
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(csvio_save(t, path, false, &dl), 0);
	table_free(t);
	Session *s = session_open(form, &cfg, path, &dl);
	assert_non_null(s);
	diag_free(&dl);
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
	*kept = session_filter(s, text, rows, n);
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
	size_t narrow = session_filter(s, "Active Dir 24", rows, kept);
	assert_int_equal(narrow, 111); /* 243, 2403..2493, 24003..24993 */
	assert_int_equal(rows[0], 243);
	assert_int_equal(rows[narrow - 1], 24993);
	free(rows);
	session_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_file_starts_with_one_record_with_defaults),
	    cmocka_unit_test(test_digit_picks_nth_permitted_value),
	    cmocka_unit_test(test_single_permitted_values_are_filled_and_skipped),
	    cmocka_unit_test(test_changed_rule_clears_value_and_says_why),
	    cmocka_unit_test(test_undo_restores_the_last_action),
	    cmocka_unit_test(test_records_new_dup_field_dup_record_delete),
	    cmocka_unit_test(test_save_writes_only_non_empty_records_and_clears_dirty),
	    cmocka_unit_test(test_record_states),
	    cmocka_unit_test(test_search_finds_text_in_any_field_letters_in_either_case),
	    cmocka_unit_test(test_narrowing_a_search_keeps_order),
	};
	return cmocka_run_group_tests_name("session", tests, setup, teardown) ? 1 : 0;
}
