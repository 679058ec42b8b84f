/* test_rules.c - rules R7-R14 and the required/permitted-value constraints
 * of the inventory form, each in both directions, through forms/inventory.ini. */
#include "mem.h"
#include "testutil.h"

static Form *form;

static int setup(void **state)
{
	(void)state;
	DiagList dl;
	diag_init(&dl);
	form = form_load(INVENTORY, &dl);
	dump_diags(&dl);
	diag_free(&dl);
	return form ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	form_free(form);
	return 0;
}

/* A table holding example row i (0-based) as record 0, line 2. */
static Table *example(size_t i)
{
	Table *t = table_new(form);
	add_row(t, EXAMPLE_ROWS[i], 2);
	return t;
}

/* Asserts that record 0 has exactly one diag, on field id, with msg. */
static void expect_one(Table *t, const char *id, DiagLevel level, const char *msg)
{
	DiagList dl = check_rec(t, 0);
	if (dl.n != 1)
		dump_diags(&dl);
	assert_int_equal(dl.n, 1);
	const char *m = diag_on(&dl, form, id, level);
	assert_non_null(m);
	if (msg)
		assert_string_equal(m, msg);
	assert_int_equal(dl.items[0].line, 2);
	diag_free(&dl);
}

static void expect_clean(Table *t)
{
	DiagList dl = check_rec(t, 0);
	if (dl.n)
		dump_diags(&dl);
	assert_int_equal(dl.n, 0);
	diag_free(&dl);
}

static void test_example_rows_are_clean(void **state)
{
	(void)state;
	for (size_t i = 0; i < 5; i++) {
		Table *t = example(i);
		expect_clean(t);
		table_free(t);
	}
}

/* --- R7 ------------------------------------------------------------------ */

static void test_r7_packaged_with_graded_level_is_error(void **state)
{
	(void)state;
	Table *t = example(3); /* 套裝軟體 */
	put(t, 0, "level", "高");
	put(t, 0, "compliance", "符合");
	DiagList dl = check_rec(t, 0);
	assert_string_equal(diag_on(&dl, form, "level", DIAG_ERROR),
			    "建置方式為「套裝軟體」時不可填「高」");
	diag_free(&dl);
	table_free(t);
}

static void test_r7_provided_with_graded_level_is_error(void **state)
{
	(void)state;
	Table *t = example(2); /* 主管/上級機關提供 */
	put(t, 0, "level", "普");
	put(t, 0, "compliance", "符合");
	DiagList dl = check_rec(t, 0);
	assert_string_equal(diag_on(&dl, form, "level", DIAG_ERROR),
			    "建置方式為「主管/上級機關提供」時不可填「普」");
	diag_free(&dl);
	table_free(t);
}

static void test_r7_self_developed_with_other_is_error(void **state)
{
	(void)state;
	Table *t = example(3);
	put(t, 0, "build", "自行開發");
	expect_one(t, "level", DIAG_ERROR, "建置方式為「自行開發」時不可填「其他」");
	table_free(t);
}

static void test_r7_permitted_levels_follow_build(void **state)
{
	(void)state;
	Table *t = example(0);
	size_t lv = field_of(form, "level"), out[8];
	size_t n = rules_permitted(form, table_record(t, 0)->cells, lv, out);
	assert_int_equal(n, 3); /* 自行委外: 普 中 高 */
	assert_string_equal(form_field(form, lv)->values[out[0]], "普");
	assert_string_equal(form_field(form, lv)->values[out[2]], "高");
	put(t, 0, "build", "套裝軟體");
	n = rules_permitted(form, table_record(t, 0)->cells, lv, out);
	assert_int_equal(n, 1);
	assert_string_equal(form_field(form, lv)->values[out[0]], "其他");
	put(t, 0, "build", ""); /* unknown build: every level is still possible */
	assert_int_equal(rules_permitted(form, table_record(t, 0)->cells, lv, out), 4);
	table_free(t);
}

/* --- R8, R9 ---------------------------------------------------------------- */

static void test_r8_isms_required_unless_provided(void **state)
{
	(void)state;
	Table *t = example(0); /* 自行委外 */
	put(t, 0, "isms", "");
	expect_one(t, "isms", DIAG_ERROR, "必填 (建置方式為「主管/上級機關提供」時才可免填)");
	table_free(t);
}

static void test_r8_isms_may_be_empty_when_provided(void **state)
{
	(void)state;
	Table *t = example(2);
	put(t, 0, "isms", "");
	expect_clean(t);
	size_t f = field_of(form, "isms");
	assert_int_equal(rules_need(form, table_record(t, 0)->cells, f, NULL), NEED_WAIVED);
	table_free(t);
}

static void test_r9_vendors_required_unless_provided(void **state)
{
	(void)state;
	Table *t = example(0);
	put(t, 0, "builder", "");
	put(t, 0, "operator", "");
	DiagList dl = check_rec(t, 0);
	assert_int_equal(dl.nerrors, 2);
	assert_string_equal(diag_on(&dl, form, "builder", DIAG_ERROR),
			    "必填 (建置方式為「主管/上級機關提供」時才可免填)");
	assert_string_equal(diag_on(&dl, form, "operator", DIAG_ERROR),
			    "必填 (建置方式為「主管/上級機關提供」時才可免填)");
	diag_free(&dl);
	table_free(t);
}

static void test_r9_vendors_and_isms_may_be_empty_when_provided(void **state)
{
	(void)state;
	Table *t = example(2); /* already has empty vendors */
	put(t, 0, "isms", "");
	expect_clean(t);
	table_free(t);
}

/* --- R10 ----------------------------------------------------------------- */

static void test_r10_whole_hours_only(void **state)
{
	(void)state;
	static const char *const bad[] = {"24小時", "1,000", "1.5", "-3", "二十四", "24 h"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		Table *t = example(0);
		put(t, 0, "max_downtime", bad[i]);
		DiagList dl = check_rec(t, 0);
		const char *m = diag_on(&dl, form, "max_downtime", DIAG_ERROR);
		assert_non_null(m);
		assert_non_null(strstr(m, "不是整數"));
		diag_free(&dl);
		table_free(t);
	}
	Table *t = example(0);
	put(t, 0, "max_downtime", "720");
	expect_clean(t);
	table_free(t);
}

static void test_r10_fullwidth_digits_become_ascii(void **state)
{
	(void)state;
	Table *t = example(0);
	put(t, 0, "max_downtime", "　２４ ");
	assert_string_equal(table_record(t, 0)->cells[field_of(form, "max_downtime")], "24");
	expect_clean(t);
	table_free(t);
}

/* --- R11 ----------------------------------------------------------------- */

static void test_r11_not_applicable_only_without_level(void **state)
{
	(void)state;
	Table *t = example(1); /* 普 */
	put(t, 0, "compliance", "不適用");
	expect_one(t, "compliance", DIAG_ERROR, "防護需求等級為「普」時不可填「不適用」");
	table_free(t);
}

static void test_r11_level_other_requires_not_applicable(void **state)
{
	(void)state;
	Table *t = example(3); /* 其他 */
	put(t, 0, "compliance", "符合");
	expect_one(t, "compliance", DIAG_ERROR, "防護需求等級為「其他」時不可填「符合」");
	table_free(t);
}

static void test_wrong_value_in_condition_field_does_not_trigger_rules(void **state)
{
	(void)state;
	Table *t = example(3); /* 其他 + 不適用 */
	put(t, 0, "level", "高高");
	/* one error for 高高 itself; R11 does not guess from a wrong level */
	expect_one(t, "level", DIAG_ERROR, "「高高」不是可填的值，可填的值為普、中、高、其他");
	table_free(t);
}

/* --- R12 ----------------------------------------------------------------- */

static void test_r12_explanation_required_when_not_met(void **state)
{
	(void)state;
	static const char *const unmet[] = {"部分符合", "不符合"};
	for (size_t i = 0; i < 2; i++) {
		Table *t = example(0);
		put(t, 0, "compliance", unmet[i]);
		put(t, 0, "gap_note", "");
		char *msg = xasprintf("是否符合防護基準為「%s」時必填", unmet[i]);
		expect_one(t, "gap_note", DIAG_ERROR, msg);
		free(msg);
		size_t f = field_of(form, "gap_note");
		assert_string_equal(rules_prompt(form, table_record(t, 0)->cells, f),
				    "請填寫不符合的項目、原因及改善措施");
		table_free(t);
	}
}

static void test_r12_explanation_optional_when_met(void **state)
{
	(void)state;
	Table *t = example(1); /* 符合, empty note */
	expect_clean(t);
	size_t f = field_of(form, "gap_note");
	assert_int_equal(rules_need(form, table_record(t, 0)->cells, f, NULL), NEED_OPTIONAL);
	assert_null(rules_prompt(form, table_record(t, 0)->cells, f));
	table_free(t);
}

/* --- R13 ----------------------------------------------------------------- */

static void test_r13_value_not_in_list_is_error(void **state)
{
	(void)state;
	Table *t = example(0);
	put(t, 0, "attribute", "技術");
	expect_one(t, "attribute", DIAG_ERROR, "「技術」不是可填的值，可填的值為行政、業務");
	table_free(t);
}

static void test_r13_yes_no_letters_stored_as_words(void **state)
{
	(void)state;
	Table *t = example(0);
	put(t, 0, "onsite", "Y");
	put(t, 0, "core", "n");
	put(t, 0, "sensitive", "ｙ"); /* full-width, as an IME types it */
	put(t, 0, "china_parts", "N");
	char **c = table_record(t, 0)->cells;
	assert_string_equal(c[field_of(form, "onsite")], "是");
	assert_string_equal(c[field_of(form, "core")], "否");
	assert_string_equal(c[field_of(form, "sensitive")], "是");
	assert_string_equal(c[field_of(form, "china_parts")], "無");
	expect_clean(t);
	table_free(t);
}

static void test_r13_required_choice_empty_is_error(void **state)
{
	(void)state;
	Table *t = example(0);
	put(t, 0, "china_parts", "");
	expect_one(t, "china_parts", DIAG_ERROR, "必填");
	table_free(t);
}

static void test_required_text_empty_is_error(void **state)
{
	(void)state;
	Table *t = example(0);
	put(t, 0, "name", "　 "); /* only white space, full-width too */
	expect_one(t, "name", DIAG_ERROR, "必填");
	table_free(t);
}

static void test_optional_text_may_be_empty(void **state)
{
	(void)state;
	Table *t = example(0);
	put(t, 0, "asset_id", "");
	put(t, 0, "remarks", "");
	expect_clean(t);
	table_free(t);
}

/* --- OID --------------------------------------------------------------------- */

static void test_oid_syntax_errors(void **state)
{
	(void)state;
	static const char *const bad[][2] = {
	    {"2.16..886", "有空的節點"}, {".2.16", "有空的節點"},  {"2.16.886.", "不可以點結尾"},
	    {"02.16.886", "0 開頭"},     {"2.16.abc", "只能有數字和點"}, {"2", "至少要有兩節"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		Table *t = example(0);
		put(t, 0, "agency_oid", bad[i][0]);
		DiagList dl = check_rec(t, 0);
		const char *m = diag_on(&dl, form, "agency_oid", DIAG_ERROR);
		if (!m || !strstr(m, bad[i][1]))
			fprintf(stderr, "value %s: %s\n", bad[i][0], m ? m : "(no error)");
		assert_non_null(m);
		assert_non_null(strstr(m, bad[i][1]));
		diag_free(&dl);
		table_free(t);
	}
}

static void test_oid_agency_code_is_named(void **state)
{
	(void)state;
	Table *t = example(0);
	put(t, 0, "agency_oid", "376470000A");
	expect_one(t, "agency_oid", DIAG_ERROR,
		   "「376470000A」看起來是機關代碼，不是 OID；請填物件識別碼 (以點分隔的數字)");
	table_free(t);
}

static void test_oid_outside_government_arcs_is_warning(void **state)
{
	(void)state;
	Table *t = example(0);
	put(t, 0, "agency_oid", "2.16.840.1.113883");
	expect_one(t, "agency_oid", DIAG_WARNING, NULL);
	table_free(t);
	t = example(0);
	put(t, 0, "agency_oid", "2.16.886.111.90001");
	expect_clean(t);
	table_free(t);
	t = example(0);
	put(t, 0, "agency_oid", "2.16.886.1011"); /* a prefix of digits is not an arc */
	expect_one(t, "agency_oid", DIAG_WARNING, NULL);
	table_free(t);
}

static void test_oid_fullwidth_typing_is_converted(void **state)
{
	(void)state;
	Table *t = example(0);
	put(t, 0, "agency_oid", "２．１６．８８６．１０１．２０００２");
	assert_string_equal(table_record(t, 0)->cells[field_of(form, "agency_oid")],
			    "2.16.886.101.20002");
	expect_clean(t);
	table_free(t);
}

/* --- R14 ----------------------------------------------------------------- */

static void test_r14_repeated_asset_id_is_warning_naming_first_line(void **state)
{
	(void)state;
	Table *t = table_new(form);
	add_row(t, EXAMPLE_ROWS[0], 2);
	add_row(t, EXAMPLE_ROWS[1], 3);
	size_t r = add_row(t, EXAMPLE_ROWS[3], 4);
	put(t, r, "asset_id", "編號A");
	DiagList dl;
	diag_init(&dl);
	rules_check_table(t, &dl);
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.items[0].line, 4);
	assert_int_equal(dl.items[0].level, DIAG_WARNING);
	assert_string_equal(diag_on(&dl, form, "asset_id", DIAG_WARNING), "與第 1 筆 (第 2 行)重複");
	diag_free(&dl);
	table_free(t);
}

static void test_r14_empty_asset_ids_do_not_repeat(void **state)
{
	(void)state;
	Table *t = table_new(form);
	size_t a = add_row(t, EXAMPLE_ROWS[0], 2);
	size_t b = add_row(t, EXAMPLE_ROWS[1], 3);
	put(t, a, "asset_id", "");
	put(t, b, "asset_id", "");
	DiagList dl;
	diag_init(&dl);
	rules_check_table(t, &dl);
	assert_int_equal(dl.n, 0);
	diag_free(&dl);
	table_free(t);
}

static void test_r14_same_name_and_oid_is_warning(void **state)
{
	(void)state;
	Table *t = table_new(form);
	add_row(t, EXAMPLE_ROWS[0], 2);
	size_t b = add_row(t, EXAMPLE_ROWS[1], 3);
	put(t, b, "name", "系統A");
	DiagList dl;
	diag_init(&dl);
	rules_check_table(t, &dl);
	assert_int_equal(dl.n, 1);
	assert_string_equal(diag_on(&dl, form, "name", DIAG_WARNING),
			    "與第 1 筆 (第 2 行)的系統名稱及系統主管機關OID相同，可能重複填寫");
	diag_free(&dl);
	/* the same name under another agency is another system */
	put(t, b, "agency_oid", "2.16.886.101.20003");
	diag_init(&dl);
	rules_check_table(t, &dl);
	assert_int_equal(dl.n, 0);
	diag_free(&dl);
	table_free(t);
}

static void test_all_empty_record_is_never_checked(void **state)
{
	(void)state;
	Table *t = table_new(form);
	table_append(t, 2);
	DiagList dl;
	diag_init(&dl);
	rules_check_table(t, &dl);
	assert_int_equal(dl.n, 0);
	diag_free(&dl);
	table_free(t);
}

static void test_value_excel_would_run_as_formula_is_warned(void **state)
{
	(void)state;
	static const char *const bad[] = {"=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)"};
	for (size_t i = 0; i < 4; i++) {
		Table *t = example(0);
		put(t, 0, "remarks", bad[i]);
		DiagList dl = check_rec(t, 0);
		const char *m = diag_on(&dl, form, "remarks", DIAG_WARNING);
		assert_non_null(m);
		assert_non_null(strstr(m, "公式"));
		diag_free(&dl);
		table_free(t);
	}
	Table *t = example(0);
	put(t, 0, "remarks", "系統 = 好"); /* not at the start: fine */
	expect_clean(t);
	table_free(t);
}

/* --- rules_follow: what a change makes of the fields it drives ------------ */

/* The cells of table record rec, as a scratch copy to follow a change in. */
static char **scratch_of(Table *t, size_t rec)
{
	size_t nf = form_nfields(form);
	char **c = xmalloc(nf * sizeof *c);
	memcpy(c, table_record(t, rec)->cells, nf * sizeof *c);
	return c;
}

/* 套裝軟體 leaves one permitted level, 其他, which takes the place of 中;
 * that leaves one permitted 是否符合防護基準, 不適用, in place of 部分符合;
 * each says which rule made it so.  The change itself is the caller's. */
static void test_change_follows_to_the_one_permitted_value(void **state)
{
	(void)state;
	Table *t = example(0); /* 自行委外, 中, 部分符合 */
	size_t build = field_of(form, "build"), level = field_of(form, "level");
	size_t comp = field_of(form, "compliance");
	char **c = scratch_of(t, 0);
	c[build] = "套裝軟體";
	RuleEffect eff[32];
	size_t n = rules_follow(form, c, build, eff);
	assert_int_equal(n, 2);
	assert_int_equal(eff[0].field, level);
	assert_string_equal(eff[0].why->id, "r7_other");
	assert_string_equal(c[level], "其他");
	assert_int_equal(eff[1].field, comp);
	assert_string_equal(eff[1].why->id, "r11_not_applicable");
	assert_string_equal(c[comp], "不適用");
	/* the form's own strings, as a table keeps a choice */
	const FormField *lf = form_field(form, level);
	assert_ptr_equal(c[level], lf->values[form_value_index(lf, "其他")]);
	free(c);
	table_free(t);
}

/* Back to 自行委外, 其他 is not permitted and three values are: it is
 * cleared, and 不適用 with it (the level is then unknown: R11 waits). */
static void test_change_clears_a_value_when_several_are_permitted(void **state)
{
	(void)state;
	Table *t = example(3); /* 套裝軟體, 其他, 不適用 */
	size_t build = field_of(form, "build"), level = field_of(form, "level");
	size_t comp = field_of(form, "compliance");
	char **c = scratch_of(t, 0);
	c[build] = "自行委外";
	RuleEffect eff[32];
	size_t n = rules_follow(form, c, build, eff);
	assert_int_equal(n, 1);
	assert_int_equal(eff[0].field, level);
	assert_string_equal(c[level], "");
	assert_string_equal(c[comp], "不適用"); /* no level: R11 does not decide */
	free(c);
	table_free(t);
}

/* A wrong value in a field that does not depend on the change stays:
 * changing the name of a 套裝軟體 system with level 普 changes nothing. */
static void test_change_leaves_what_it_does_not_drive(void **state)
{
	(void)state;
	Table *t = example(3);
	put(t, 0, "level", "普");
	put(t, 0, "compliance", "符合");
	char **c = scratch_of(t, 0);
	size_t name = field_of(form, "name");
	c[name] = "另一個名字";
	RuleEffect eff[32];
	assert_int_equal(rules_follow(form, c, name, eff), 0);
	assert_string_equal(c[field_of(form, "level")], "普");
	assert_string_equal(c[field_of(form, "compliance")], "符合");
	free(c);
	table_free(t);
}

/* An empty field with one permitted value is filled as the change that
 * leaves it so; a brand-new record gets what its defaults leave. */
static void test_empty_field_with_one_value_is_filled(void **state)
{
	(void)state;
	Table *t = table_new(form);
	table_append(t, 0);
	size_t build = field_of(form, "build"), level = field_of(form, "level");
	size_t comp = field_of(form, "compliance");
	char **c = scratch_of(t, 0);
	RuleEffect eff[32];
	assert_int_equal(rules_fill(form, c, eff), 0); /* nothing decides yet */
	c[build] = "主管/上級機關提供";
	assert_int_equal(rules_follow(form, c, build, eff), 2);
	assert_string_equal(c[level], "其他");
	assert_string_equal(c[comp], "不適用");
	c[level] = "";
	c[comp] = "";
	assert_int_equal(rules_fill(form, c, eff), 2); /* a record made so */
	assert_string_equal(c[level], "其他");
	assert_string_equal(c[comp], "不適用");
	free(c);
	table_free(t);
}

/* Checking a table finds each record's problems, record by record, then
 * those across records, and counts the non-empty records. */
static void test_checking_a_table_finds_each_record_then_across(void **state)
{
	(void)state;
	Table *t = table_new(form);
	for (size_t i = 0; i < 9000; i++) {
		if (i % 100 == 99) {
			table_append(t, (long)i + 2); /* an empty record */
			continue;
		}
		size_t rec = add_row(t, EXAMPLE_ROWS[i % 5], (long)i + 2);
		if (i % 7 == 3)
			put(t, rec, "max_downtime", "二十四");
	}
	/* what each record has, record by record: the first problems */
	DiagList each;
	diag_init(&each);
	for (size_t i = 0; i < table_nrecords(t); i++)
		if (!table_record_empty(t, i))
			rules_check_record(form, table_record(t, i)->cells, table_record(t, i)->line,
					   (long)i, &each);
	DiagList alone;
	diag_init(&alone);
	size_t n1 = rules_check_table(t, &alone);
	assert_true(alone.n > each.n);
	for (size_t i = 0; i < each.n; i++) {
		assert_string_equal(alone.items[i].msg, each.items[i].msg);
		assert_int_equal(alone.items[i].record, each.items[i].record);
	}
	diag_free(&each);
	assert_int_equal(n1, 9000 - 90);
	assert_true(alone.nerrors > 1200);  /* the bad hours */
	assert_true(alone.nwarnings > 8000); /* rows repeated */
	diag_free(&alone);
	table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_example_rows_are_clean),
	    cmocka_unit_test(test_checking_a_table_finds_each_record_then_across),
	    cmocka_unit_test(test_r7_packaged_with_graded_level_is_error),
	    cmocka_unit_test(test_r7_provided_with_graded_level_is_error),
	    cmocka_unit_test(test_r7_self_developed_with_other_is_error),
	    cmocka_unit_test(test_r7_permitted_levels_follow_build),
	    cmocka_unit_test(test_r8_isms_required_unless_provided),
	    cmocka_unit_test(test_r8_isms_may_be_empty_when_provided),
	    cmocka_unit_test(test_r9_vendors_required_unless_provided),
	    cmocka_unit_test(test_r9_vendors_and_isms_may_be_empty_when_provided),
	    cmocka_unit_test(test_r10_whole_hours_only),
	    cmocka_unit_test(test_r10_fullwidth_digits_become_ascii),
	    cmocka_unit_test(test_r11_not_applicable_only_without_level),
	    cmocka_unit_test(test_r11_level_other_requires_not_applicable),
	    cmocka_unit_test(test_wrong_value_in_condition_field_does_not_trigger_rules),
	    cmocka_unit_test(test_r12_explanation_required_when_not_met),
	    cmocka_unit_test(test_r12_explanation_optional_when_met),
	    cmocka_unit_test(test_r13_value_not_in_list_is_error),
	    cmocka_unit_test(test_r13_yes_no_letters_stored_as_words),
	    cmocka_unit_test(test_r13_required_choice_empty_is_error),
	    cmocka_unit_test(test_required_text_empty_is_error),
	    cmocka_unit_test(test_optional_text_may_be_empty),
	    cmocka_unit_test(test_oid_syntax_errors),
	    cmocka_unit_test(test_oid_agency_code_is_named),
	    cmocka_unit_test(test_oid_outside_government_arcs_is_warning),
	    cmocka_unit_test(test_oid_fullwidth_typing_is_converted),
	    cmocka_unit_test(test_r14_repeated_asset_id_is_warning_naming_first_line),
	    cmocka_unit_test(test_r14_empty_asset_ids_do_not_repeat),
	    cmocka_unit_test(test_r14_same_name_and_oid_is_warning),
	    cmocka_unit_test(test_all_empty_record_is_never_checked),
	    cmocka_unit_test(test_value_excel_would_run_as_formula_is_warned),
	    cmocka_unit_test(test_change_follows_to_the_one_permitted_value),
	    cmocka_unit_test(test_change_clears_a_value_when_several_are_permitted),
	    cmocka_unit_test(test_change_leaves_what_it_does_not_drive),
	    cmocka_unit_test(test_empty_field_with_one_value_is_filled),
	};
	return cmocka_run_group_tests_name("rules", tests, setup, teardown) ? 1 : 0;
}
