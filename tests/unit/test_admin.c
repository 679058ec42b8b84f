/* test_admin.c - the agency-administrator form (forms/admin-account.ini)
 * through the same engine: code/label choices, patterns, free-mail
 * warning, at most two additions per agency, automatic numbering. */
#include <unistd.h>

#include "config.h"
#include "csvio.h"
#include "mem.h"
#include "session.h"
#include "testutil.h"

static Form *form;

static int setup(void **state)
{
	(void)state;
	DiagList dl;
	diag_init(&dl);
	form = form_load("forms/admin-account.ini", &dl);
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

static const char ROW[] =
    "1\t1\t2.16.886.101.20003\t行政院\t資通安全處\t王小明\t科員\twang2026\twang@ey.gov.tw\t02-33568170";

static void test_columns_and_code_label_choice(void **state)
{
	(void)state;
	assert_int_equal(form_nfields(form), 10);
	const FormField *a = form_field(form, field_of(form, "action"));
	assert_int_equal(a->nvalues, 2);
	assert_string_equal(a->values[0], "1");
	assert_string_equal(a->value_labels[0], "新增");
	assert_string_equal(a->value_labels[1], "刪除");
	assert_string_equal(a->full_header, "申請項目\n1: 新增\n0: 刪除");
	char *v = form_normalize(a, "刪除");
	assert_string_equal(v, "0");
	free(v);
	for (size_t i = 0; i < form_nfields(form); i++)
		assert_true(form_field(form, i)->required); /* A1 */
	assert_int_equal(form_print(form)->nsignatures, 3);
	assert_string_equal(form_print(form)->signatures[2], "機關首長");
	assert_int_equal(form_print(form)->nnotes, 5);
	assert_int_equal(form_match_header(form, "申請項目\n1: 新增\n0: 刪除", NULL),
			 (long)field_of(form, "action"));
	assert_int_equal(form_match_header(form, "機關名稱\n(請填寫全名)", NULL),
			 (long)field_of(form, "agency_name"));
}

static void test_valid_row_is_clean(void **state)
{
	(void)state;
	Table *t = table_new(form);
	add_row(t, ROW, 2);
	DiagList dl = check_rec(t, 0);
	dump_diags(&dl);
	assert_int_equal(dl.n, 0);
	diag_free(&dl);
	table_free(t);
}

static void test_account_is_6_to_30_letters_and_digits(void **state)
{
	(void)state;
	static const char *const bad[] = {"abc12", "a234567890123456789012345678901", "王小明123",
					  "wang_01", "wang 01"};
	for (size_t i = 0; i < 5; i++) {
		Table *t = table_new(form);
		add_row(t, ROW, 2);
		put(t, 0, "account", bad[i]);
		DiagList dl = check_rec(t, 0);
		assert_non_null(diag_on(&dl, form, "account", DIAG_ERROR));
		diag_free(&dl);
		table_free(t);
	}
	Table *t = table_new(form);
	add_row(t, ROW, 2);
	put(t, 0, "account", "ABCdef123456");
	DiagList dl = check_rec(t, 0);
	assert_int_equal(dl.n, 0);
	diag_free(&dl);
	table_free(t);
}

static void test_email_well_formed_and_free_mail_warned(void **state)
{
	(void)state;
	Table *t = table_new(form);
	add_row(t, ROW, 2);
	put(t, 0, "email", "wang@ey");
	DiagList dl = check_rec(t, 0);
	assert_non_null(diag_on(&dl, form, "email", DIAG_ERROR));
	diag_free(&dl);
	put(t, 0, "email", "Wang@Gmail.COM");
	dl = check_rec(t, 0);
	assert_null(diag_on(&dl, form, "email", DIAG_ERROR));
	assert_non_null(strstr(diag_on(&dl, form, "email", DIAG_WARNING), "私人信箱"));
	diag_free(&dl);
	table_free(t);
}

/* normalize = phone: the ways clerks write a number, stored one way
 * (form_normalize, which reading, typing and importing all go through),
 * which the field's pattern then accepts. */
static void test_phone_written_any_way_is_stored_one_way(void **state)
{
	(void)state;
	static const struct {
		const char *typed, *stored;
	} cases[] = {
	    {"02-33568170", "02-33568170"},
	    {"0233568170", "0233568170"}, /* no groups: where the area code ends is not known */
	    {"(02)3356-8170", "02-33568170"},
	    {"(02) 3356 8170", "02-33568170"},
	    {"02 3356 8170", "02-33568170"},
	    {"02-3356-8170 #123", "02-33568170#123"},
	    {"02-33568170 轉 123", "02-33568170#123"},
	    {"049-2222333分機45", "049-2222333#45"},
	    {"02-33568170 Ext. 7", "02-33568170#7"},
	    {"0912-345-678", "0912-345678"},
	    {"（０２）３３５６－８１７０＃１２", "02-33568170#12"}, /* full-width */
	    {"  02 3356 8170  ", "02-33568170"},
	};
	const FormField *f = form_field(form, field_of(form, "phone"));
	assert_true(f->phone);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *v = form_normalize(f, cases[i].typed);
		if (strcmp(v, cases[i].stored) != 0)
			fail_msg("「%s」 stored as 「%s」, not 「%s」", cases[i].typed, v, cases[i].stored);
		Table *t = table_new(form);
		add_row(t, ROW, 2);
		put(t, 0, "phone", v);
		DiagList dl = check_rec(t, 0);
		if (dl.n)
			fail_msg("「%s」 (stored 「%s」): %s", cases[i].typed, v, dl.items[0].msg);
		diag_free(&dl);
		table_free(t);
		free(v);
	}
	/* what is not a number stays as typed, and the pattern says why */
	static const char *const bad[] = {"3356", "02-3356-8170 ext", "電話", "(02 3356-8170", "02-33568170#1234567"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *v = form_normalize(f, bad[i]);
		Table *t = table_new(form);
		add_row(t, ROW, 2);
		put(t, 0, "phone", v);
		DiagList dl = check_rec(t, 0);
		if (!diag_on(&dl, form, "phone", DIAG_ERROR))
			fail_msg("「%s」 (stored 「%s」) is accepted", bad[i], v);
		diag_free(&dl);
		table_free(t);
		free(v);
	}
}

static void test_more_than_two_additions_per_agency_is_warned(void **state)
{
	(void)state;
	Table *t = table_new(form);
	add_row(t, ROW, 2);
	add_row(t, ROW, 3);
	size_t r = add_row(t, ROW, 4);
	add_row(t, ROW, 5);
	put(t, 3, "action", "0"); /* a removal does not count */
	DiagList dl;
	diag_init(&dl);
	rules_check_table(t, &dl);
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.items[0].record, (long)r);
	assert_string_equal(dl.items[0].msg,
			    "機關OID「2.16.886.101.20003」已有 3 筆新增；各機關之機關管理者以 1-2 位為原則");
	/* the same when the file is checked as it is read (spmform check) */
	char dir[] = "/tmp/spmform-admin-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/admin.csv", dir);
	DiagList ds;
	diag_init(&ds);
	assert_int_equal(csvio_save(t, path, false, &ds), 0);
	RulesRun *run = NULL;
	CsvSource src = {.path = path};
	Table *read = csvio_read(&src, form, table_format(t), CSV_CHECK, &run, &ds);
	assert_non_null(read);
	assert_int_equal(rules_run_end(run, &ds), 4);
	rules_run_free(run);
	table_free(read);
	assert_int_equal(ds.n, 1);
	assert_int_equal(ds.items[0].record, (long)r);
	assert_int_equal(ds.items[0].line, dl.items[0].line);
	assert_string_equal(ds.items[0].msg, dl.items[0].msg);
	diag_free(&ds);
	unlink(path);
	rmdir(dir);
	free(path);
	diag_free(&dl);
	put(t, r, "agency_oid", "2.16.886.101.20004"); /* another agency */
	diag_init(&dl);
	rules_check_table(t, &dl);
	assert_int_equal(dl.n, 0);
	diag_free(&dl);
	table_free(t);
}

static void test_serial_number_is_filled_in_order(void **state)
{
	(void)state;
	char dir[] = "/tmp/spmform-admin-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/a.csv", dir);
	Config cfg;
	DiagList dl;
	diag_init(&dl);
	config_load(&cfg, NULL, &dl);
	Session *s = session_open(form, &cfg, path, &dl);
	assert_non_null(s);
	size_t name = field_of(form, "name");
	assert_string_equal(session_value(s, field_of(form, "serial")), "1");
	session_set(s, name, "王小明"); /* a record once something is typed */
	session_new_record(s);
	assert_string_equal(session_value(s, field_of(form, "serial")), "2");
	session_set(s, name, "李小華");
	session_new_record(s);
	assert_string_equal(session_value(s, field_of(form, "serial")), "3");
	session_new_record(s); /* still untouched: no fourth */
	assert_string_equal(session_value(s, field_of(form, "serial")), "3");
	session_free(s);
	config_free(&cfg);
	diag_free(&dl);
	assert_int_equal(remove_tree(dir), 0);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_columns_and_code_label_choice),
	    cmocka_unit_test(test_valid_row_is_clean),
	    cmocka_unit_test(test_account_is_6_to_30_letters_and_digits),
	    cmocka_unit_test(test_email_well_formed_and_free_mail_warned),
	    cmocka_unit_test(test_phone_written_any_way_is_stored_one_way),
	    cmocka_unit_test(test_more_than_two_additions_per_agency_is_warned),
	    cmocka_unit_test(test_serial_number_is_filled_in_order),
	};
	return cmocka_run_group_tests_name("admin", tests, setup, teardown) ? 1 : 0;
}
