/* test_value.c - the dates and numbers of the ordered kinds (value.h):
 * every way a clerk writes a date, impossible days named, the two stored
 * forms, Excel's serials, today, and the numbers of integer and decimal
 * fields. */
#include "testutil.h"
#include "value.h"

/* The date s stands for, written ISO; "" when it is none (*why then). */
static char *date_of(const char *s, char **why)
{
	long day;
	char *w = NULL;
	static char out[16];
	out[0] = '\0';
	if (value_date_parse(s, &day, &w))
		value_date_format(day, false, out, sizeof out);
	if (why)
		*why = w;
	else
		free(w);
	return out;
}

static void test_date_every_way_a_clerk_writes_it(void **state)
{
	(void)state;
	static const char *const same[] = {
	    "2024-05-01", "2024/5/1",	 "2024.5.1",	      "2024年5月1日", "113/05/01",
	    "113.5.1",	  "113/5/1",	 "民國113年5月1日", "113年5月1日",  "中華民國113年5月1日",
	    "民國 113/5/1", "2024-05-01T00:00:00", "2024年05月01",
	};
	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		if (strcmp(date_of(same[i], NULL), "2024-05-01") != 0)
			fail_msg("%s read as %s", same[i], date_of(same[i], NULL));
	}
	/* a year of 1 to 3 digits is a ROC year, 4 digits a Gregorian one */
	assert_string_equal(date_of("1/1/1", NULL), "1912-01-01");
	assert_string_equal(date_of("99/12/31", NULL), "2010-12-31");
	assert_string_equal(date_of("1911/1/1", NULL), "1911-01-01");
	/* 民國 makes any year a ROC year */
	assert_string_equal(date_of("民國1000年1月1日", NULL), "2911-01-01");
}

static void test_date_not_a_date_has_no_reason(void **state)
{
	(void)state;
	static const char *const not[] = {"",	  "明年",      "2024",	       "2024-05",   "2024-5/1",
					  "2024/5/1/", "20240501",  "12345/1/1",   "113/5/1日", "113年5/1",
					  "113/05/001", "-113/1/1", "2024-05-01x", "113／5／1"};
	for (size_t i = 0; i < sizeof not / sizeof *not; i++) {
		char *why = (char *)"unset";
		const char *d = date_of(not[i], &why);
		if (*d || why)
			fail_msg("%s read as %s (%s)", not[i], d, why ? why : "");
	}
}

static void test_date_impossible_day_is_named(void **state)
{
	(void)state;
	static const struct {
		const char *in, *why;
	} cases[] = {
	    {"113/02/30", "2 月沒有 30 日"},   {"113/13/01", "沒有 13 月"},
	    {"2024/0/1", "沒有 0 月"},	   {"2023-02-29", "2023 年 2 月沒有 29 日"},
	    {"114/2/29", "114 年 2 月沒有 29 日"}, {"113/4/31", "4 月沒有 31 日"},
	    {"113/1/0", "1 月沒有 0 日"},	   {"0/1/1", "民國年份至少是 1"},
	    {"0000-01-01", "年份超出範圍"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *why;
		assert_string_equal(date_of(cases[i].in, &why), "");
		assert_non_null(why);
		assert_string_equal(why, cases[i].why);
		free(why);
	}
	/* leap years: 2024 (113) has a 29 February, 2000 too, 1900 not */
	assert_string_equal(date_of("113/2/29", NULL), "2024-02-29");
	assert_string_equal(date_of("2000-02-29", NULL), "2000-02-29");
	assert_string_equal(date_of("1900-02-29", NULL), "");
}

static void test_date_stored_iso_or_roc(void **state)
{
	(void)state;
	long day;
	char *why;
	char out[16];
	assert_true(value_date_parse("2024/5/1", &day, &why));
	value_date_format(day, false, out, sizeof out);
	assert_string_equal(out, "2024-05-01");
	value_date_format(day, true, out, sizeof out);
	assert_string_equal(out, "113/05/01");
	/* before 民國 1 a ROC field keeps the ISO date */
	assert_true(value_date_parse("1911-12-31", &day, &why));
	value_date_format(day, true, out, sizeof out);
	assert_string_equal(out, "1911-12-31");
	assert_int_equal(value_date_day(1970, 1, 1), 0);
	assert_int_equal(value_date_day(1970, 1, 2), 1);
	int y, m, d;
	value_date_ymd(value_date_day(2024, 2, 29), &y, &m, &d);
	assert_true(y == 2024 && m == 2 && d == 29);
	/* days compare as dates do */
	assert_true(value_date_day(2024, 5, 1) < value_date_day(2024, 5, 2));
	assert_true(value_date_day(2023, 12, 31) < value_date_day(2024, 1, 1));
}

static void test_excel_serials(void **state)
{
	(void)state;
	static const struct {
		const char *serial, *date;
	} cases[] = {
	    {"1", "1900-01-01"},     {"59", "1900-02-28"}, {"60", "1900-03-01"}, /* Excel's 29 Feb */
	    {"61", "1900-03-01"},    {"45413", "2024-05-01"}, {"45413.75", "2024-05-01"},
	    {"2958465", "9999-12-31"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		long day;
		char out[16];
		assert_true(value_date_from_serial(cases[i].serial, &day));
		value_date_format(day, false, out, sizeof out);
		assert_string_equal(out, cases[i].date);
	}
	long day;
	assert_false(value_date_from_serial("0", &day));
	assert_false(value_date_from_serial("2958466", &day));
	assert_false(value_date_from_serial("-1", &day));
	assert_false(value_date_from_serial("abc", &day));
}

static void test_today_follows_source_date_epoch(void **state)
{
	(void)state;
	setenv("TZ", "UTC0", 1);
	tzset();
	setenv("SOURCE_DATE_EPOCH", "1764633600", 1); /* 2025-12-02 00:00 UTC */
	assert_int_equal(value_now(), 1764633600);
	assert_int_equal(value_today(), value_date_day(2025, 12, 2));
	setenv("TZ", "CST-8", 1); /* Taipei */
	tzset();
	setenv("SOURCE_DATE_EPOCH", "1764615600", 1); /* 2025-12-01 19:00 UTC */
	assert_int_equal(value_today(), value_date_day(2025, 12, 2));
	setenv("SOURCE_DATE_EPOCH", "soon", 1);
	assert_true(value_now() > 1764633600);
	unsetenv("SOURCE_DATE_EPOCH");
	unsetenv("TZ");
	tzset();
}

static void test_numbers_of_integer_and_decimal_fields(void **state)
{
	(void)state;
	int64_t v;
	int d;
	assert_int_equal(value_number_parse("24", &v, &d), 0);
	assert_true(v == 24 * (int64_t)VALUE_SCALE && d == 0);
	assert_int_equal(value_number_parse("007", &v, &d), 0);
	assert_true(v == 7 * (int64_t)VALUE_SCALE);
	assert_int_equal(value_number_parse("1.5", &v, &d), 0);
	assert_true(v == 1500000 && d == 1);
	assert_int_equal(value_number_parse("0.25", &v, &d), 0);
	assert_true(v == 250000 && d == 2);
	/* digits beyond the sixth are counted, not kept */
	assert_int_equal(value_number_parse("0.12345678", &v, &d), 0);
	assert_true(v == 123456 && d == 8);
	static const char *const not[] = {"", ".5", "5.", "1,000", "-3", "+5", "24小時", "1.2.3", " 1", "1e3"};
	for (size_t i = 0; i < sizeof not / sizeof *not; i++)
		if (value_number_parse(not[i], &v, &d) != -1)
			fail_msg("%s read as a number", not[i]);
	assert_int_equal(value_number_parse("999999999999", &v, &d), 0);
	assert_int_equal(value_number_parse("1000000000000", &v, &d), 1);
	assert_int_equal(value_number_parse("123456789012345678901234567890.5", &v, &d), 1);
	char out[32];
	value_number_format(3 * (int64_t)VALUE_SCALE, out, sizeof out);
	assert_string_equal(out, "3");
	value_number_format(3500000, out, sizeof out);
	assert_string_equal(out, "3.5");
	value_number_format(250000, out, sizeof out);
	assert_string_equal(out, "0.25");
	value_number_format(720 * (int64_t)VALUE_SCALE + 1, out, sizeof out);
	assert_string_equal(out, "720.000001");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_date_every_way_a_clerk_writes_it),
	    cmocka_unit_test(test_date_not_a_date_has_no_reason),
	    cmocka_unit_test(test_date_impossible_day_is_named),
	    cmocka_unit_test(test_date_stored_iso_or_roc),
	    cmocka_unit_test(test_excel_serials),
	    cmocka_unit_test(test_today_follows_source_date_epoch),
	    cmocka_unit_test(test_numbers_of_integer_and_decimal_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
