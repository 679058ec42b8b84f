/* test_report.c - the summary of spmform report (report.h) and the
 * form's [report] section: the counts as the entry screen counts them,
 * the charts, the widths, the three formats. */
#include <unistd.h>

#include "config.h"
#include "csvio.h"
#include "report.h"
#include "session.h"
#include "testutil.h"

static Form *form;
static char tmpdir[] = "/tmp/spmform-report-XXXXXX";

static int setup(void **state)
{
	(void)state;
	form = load_form_or_fail(INVENTORY);
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	form_free(form);
	return remove_tree(tmpdir);
}

/* The example rows as a table; then row 1 misses a required field
 * (incomplete), row 3 has a wrong value, row 2 both (an error). */
static Table *mixed(void)
{
	Table *t = table_new(form);
	for (size_t i = 0; i < 5; i++)
		add_row(t, EXAMPLE_ROWS[i], (long)i + 2);
	put(t, 1, "user_dept", "");
	put(t, 1, "agency_name", "");
	put(t, 3, "max_downtime", "二十四");
	put(t, 2, "user_dept", "");
	put(t, 2, "attribute", "其它");
	return t;
}

static Report *report_of(Table *t, const char *name)
{
	DiagList dl;
	diag_init(&dl);
	rules_check_table(t, &dl);
	Report *r = report_new(table_form(t));
	report_add(r, name, t, &dl);
	diag_free(&dl);
	return r;
}

/* The report written in style st, as a string (caller frees). */
static char *written(const Report *r, ReportStyle st)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	report_write(r, &st, f);
	assert_int_equal(fclose(f), 0);
	return text;
}

static const ReportStyle TEXT80 = {REPORT_TEXT, 80, false, false};

/* complete: no error; incomplete: only required fields left empty;
 * with errors: a value is wrong (whatever else). */
static void test_records_counted_as_complete_incomplete_or_wrong(void **state)
{
	(void)state;
	Table *t = mixed();
	table_append(t, 9); /* an empty record: not counted */
	Report *r = report_of(t, "a.csv");
	ReportCounts c = report_counts(r, 0);
	assert_int_equal(c.records, 5);
	assert_int_equal(c.complete, 2);
	assert_int_equal(c.incomplete, 1);
	assert_int_equal(c.errors, 2);
	c = report_counts(r, -1);
	assert_int_equal(c.records, 5);
	char *text = written(r, TEXT80);
	assert_non_null(strstr(text, "未完成的記錄 (只缺必填欄位)\n  第 2 筆\n"));
	assert_non_null(strstr(text, "有錯誤的記錄 (有填錯的值)\n  第 3、4 筆\n"));
	free(text);
	report_free(r);
	table_free(t);
}

/* The counts are those the entry screen shows: each record's state as
 * session_record_state has it, for the same file. */
static void test_counts_agree_with_the_entry_screen(void **state)
{
	(void)state;
	Table *t = mixed();
	char *path = xasprintf("%s/mixed.csv", tmpdir);
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(csvio_save(t, path, false, &dl), 0);
	Config cfg;
	char *ini = xasprintf("%s/config.ini", tmpdir);
	write_file(ini, "", 0);
	assert_int_equal(config_load(&cfg, ini, &dl), 0);
	free(ini);
	Session *s = session_open(form, &cfg, path, &dl);
	assert_non_null(s);
	ReportCounts want = {0};
	for (size_t i = 0; i < session_nrecords(s); i++) {
		RecordState st = session_record_state(s, i);
		want.records += st != REC_EMPTY;
		want.complete += st == REC_COMPLETE;
		want.incomplete += st == REC_INCOMPLETE;
		want.errors += st == REC_ERROR;
	}
	Report *r = report_of(t, path);
	ReportCounts got = report_counts(r, 0);
	assert_int_equal(got.records, want.records);
	assert_int_equal(got.complete, want.complete);
	assert_int_equal(got.incomplete, want.incomplete);
	assert_int_equal(got.errors, want.errors);
	char *text = session_report_text(s, 80, false);
	assert_non_null(strstr(text, "未完成的記錄 (只缺必填欄位)\n  第 2 筆\n"));
	assert_null(strstr(text, "\n防護需求等級\n")); /* the screen's: completeness only */
	free(text);
	report_free(r);
	session_free(s);
	config_free(&cfg);
	diag_free(&dl);
	free(path);
	table_free(t);
}

/* The required fields most often left empty, most first, each counted
 * once per record. */
static void test_fields_left_empty_most_first(void **state)
{
	(void)state;
	Table *t = mixed();
	Report *r = report_of(t, "a.csv");
	char *text = written(r, (ReportStyle){REPORT_CSV, 80, false, false});
	assert_non_null(strstr(text, "a.csv,最常漏填的必填欄位,系統使用者(部門),2,40.0\r\n"
				     "a.csv,最常漏填的必填欄位,系統主管機關名稱,1,20.0\r\n"
				     "a.csv,防護需求等級,普,1,20.0\r\n"));
	free(text);
	report_free(r);
	table_free(t);
}

/* Columns of each line of text; fails the test above width. */
static void expect_lines_fit(const char *text, int width)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		char *line = xstrndup(p, (size_t)(nl - p));
		if ((int)text_columns(line) > width)
			fail_msg("%d columns > %d: %s", (int)text_columns(line), width, line);
		assert_true(nl == p || nl[-1] != ' '); /* no trailing space */
		free(line);
		p = nl + 1;
	}
}

/* Text wraps to the width asked (40 to 80 columns), long file names and
 * record lists included. */
static void test_text_fits_the_width(void **state)
{
	(void)state;
	Table *t = mixed();
	for (size_t i = 0; i < 40; i++) { /* many incomplete records */
		size_t k = add_row(t, EXAMPLE_ROWS[0], (long)i + 10);
		put(t, k, "name", "");
	}
	Report *r = report_of(t, "某機關/資訊室/一個很長很長的資料夾名稱/盤點清冊-一百一十年度-第二次修正.csv");
	for (int w = 40; w <= 80; w += 7) {
		char *text = written(r, (ReportStyle){REPORT_TEXT, w, w % 2, false});
		expect_lines_fit(text, w);
		free(text);
	}
	report_free(r);
	table_free(t);
}

static size_t count_of(const char *text, const char *s)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, s)); p += strlen(s))
		n++;
	return n;
}

/* The eighths a bar on the line starting with label shows. */
static size_t bar_eighths(const char *text, const char *label)
{
	static const char *const part[] = {"▏", "▎", "▍", "▌", "▋", "▊", "▉"};
	char *key = xasprintf("\n  %s ", label);
	const char *p = strstr(text, key);
	assert_non_null(p);
	free(key);
	char *line = xstrndup(p + 1, (size_t)(strchr(p + 1, '\n') - p - 1));
	size_t e = 8 * count_of(line, "█");
	for (size_t k = 0; k < 7; k++)
		e += (k + 1) * count_of(line, part[k]);
	free(line);
	return e;
}

/* A bar's length is its share of the records, in eighths of a column;
 * --ascii draws whole columns of '#' and no block character. */
static void test_bars_are_shares_of_the_records(void **state)
{
	(void)state;
	Table *t = mixed();
	Report *r = report_of(t, "a.csv");
	char *text = written(r, TEXT80);
	size_t full = bar_eighths(text, "無"); /* 大陸元件: 無 in every record */
	assert_true(full > 8 * 30);
	assert_int_equal(bar_eighths(text, "有"), 0);
	size_t one = bar_eighths(text, "普"); /* 1 of 5 */
	assert_true(5 * one >= full - 4 && 5 * one <= full + 4);
	assert_non_null(strstr(text, "  普 "));
	free(text);
	text = written(r, (ReportStyle){REPORT_TEXT, 80, true, false});
	assert_int_equal(count_of(text, "█"), 0);
	assert_int_equal(count_of(text, "▏") + count_of(text, "▌"), 0);
	assert_true(count_of(text, "#") > 30);
	free(text);
	report_free(r);
	table_free(t);
}

/* A small form of its own, written to the test's folder. */
static Form *form_text(const char *ini, DiagList *dl)
{
	char *path = xasprintf("%s/form.ini", tmpdir);
	write_file(path, ini, strlen(ini));
	diag_init(dl);
	Form *f = form_load(path, dl);
	free(path);
	return f;
}

#define SMALL_FORM                                                                                 \
	"[form]\nid = t\ntitle = 測試表\n\n[field.name]\nheader = 名稱\nrequired = yes\n\n"           \
	"[field.level]\nheader = 等級\nkind = choice\nvalues = 普|中|高\nrequired = yes\n\n"       \
	"[field.note]\nheader = 說明\n"

/* [report] order = count: the values most first (ties in the field's
 * order); a wrong value and an empty one have rows of their own. */
static void test_report_section_orders_values_by_count(void **state)
{
	(void)state;
	DiagList dl;
	Form *f = form_text(SMALL_FORM "\n[report]\nfields = level\ntitles = 防護等級\norder = count\n", &dl);
	assert_non_null(f);
	assert_int_equal(form_report(f)->nfields, 1);
	assert_true(form_report(f)->by_count);
	const char *csv = "名稱,等級,說明\n甲,中,\n乙,高,\n丙,中,\n丁,極高,\n戊,,\n";
	Table *t = csvio_load_mem(csv, strlen(csv), f, (FileFormat){ENC_UTF8, true, true}, &dl);
	assert_non_null(t);
	Report *r = report_of(t, "t.csv");
	char *text = written(r, (ReportStyle){REPORT_CSV, 80, false, false});
	assert_non_null(strstr(text, "t.csv,防護等級,中,2,40.0\r\n"
				     "t.csv,防護等級,高,1,20.0\r\n"
				     "t.csv,防護等級,普,0,0.0\r\n"
				     "t.csv,防護等級,(不是可填的值),1,20.0\r\n"
				     "t.csv,防護等級,(空白),1,20.0\r\n"));
	free(text);
	report_free(r);
	table_free(t);
	form_free(f);
	diag_free(&dl);
}

/* A form without [report] gets the completeness part only. */
static void test_form_without_report_section_gets_completeness_only(void **state)
{
	(void)state;
	DiagList dl;
	Form *f = form_text(SMALL_FORM, &dl);
	assert_non_null(f);
	assert_int_equal(form_report(f)->nfields, 0);
	const char *csv = "名稱,等級,說明\n甲,中,\n,高,\n";
	Table *t = csvio_load_mem(csv, strlen(csv), f, (FileFormat){ENC_UTF8, true, true}, &dl);
	Report *r = report_of(t, "t.csv");
	char *text = written(r, TEXT80);
	assert_non_null(strstr(text, "完成情形\n"));
	assert_non_null(strstr(text, "最常漏填的必填欄位\n  名稱 "));
	assert_null(strstr(text, "等級"));
	free(text);
	report_free(r);
	table_free(t);
	form_free(f);
	diag_free(&dl);
}

/* Each mistake in [report] is an error at its line. */
static void test_report_section_mistakes_are_errors(void **state)
{
	(void)state;
	static const char *const bad[][2] = {
	    {"[report]\nfields = name\n", "「name」不是選項欄位"},
	    {"[report]\nfields = levle\n", "不存在的欄位「levle」"},
	    {"[report]\nfields = level\ntitles = 甲|乙\n", "titles 有 2 項，fields 有 1 項"},
	    {"[report]\nfields = level\norder = most\n", "order 應為 values"},
	    {"[report]\nfield = level\n", "缺少 fields"},
	    {"[report]\nfields = level\ncolour = red\n", "colour"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *ini = xasprintf(SMALL_FORM "\n%s", bad[i][0]);
		DiagList dl;
		Form *f = form_text(ini, &dl);
		bool found = false;
		for (size_t k = 0; k < dl.n; k++)
			found |= dl.items[k].level == DIAG_ERROR && dl.items[k].line >= 18 &&
				 strstr(dl.items[k].msg, bad[i][1]);
		if (!found || f)
			dump_diags(&dl);
		assert_null(f);
		assert_true(found);
		diag_free(&dl);
		free(ini);
	}
}

/* Several files: a line each and the total; one that cannot be read is
 * named; text from the files is escaped in every format. */
static void test_several_files_and_escaped_names(void **state)
{
	(void)state;
	Table *a = mixed(), *b = table_new(form);
	add_row(b, EXAMPLE_ROWS[4], 2);
	DiagList dl;
	diag_init(&dl);
	rules_check_table(a, &dl);
	Report *r = report_new(form);
	report_add(r, "a|b,\033[31m.csv", a, &dl);
	diag_clear(&dl);
	report_add(r, "b.csv", b, &dl);
	report_add_unreadable(r, "c.csv");
	assert_int_equal(report_counts(r, -1).records, 6);
	assert_int_equal(report_counts(r, -1).complete, 3);
	assert_int_equal(report_counts(r, 1).complete, 1);
	char *text = written(r, TEXT80);
	assert_non_null(strstr(text, "填報摘要：資通系統盤點清冊，3 個檔案\n"));
	assert_non_null(strstr(text, "a|b,\\e[31m.csv"));
	/* the name column is 80 - 4 x 8 wide, each number 8 */
	char *want = xasprintf("\nc.csv%*s  無法讀取\n合計%*s%8d%8d%8d%8d\n", 48 - 5, "", 48 - 4, "",
			       6, 3, 1, 2);
	assert_non_null(strstr(text, want));
	free(want);
	assert_non_null(strstr(text, "  a|b,\\e[31m.csv：第 2 筆\n"));
	assert_null(strchr(text, '\033'));
	free(text);
	text = written(r, (ReportStyle){REPORT_CSV, 80, false, false});
	assert_non_null(strstr(text, "\"a|b,\\e[31m.csv\",記錄,,5,\r\n"));
	assert_non_null(strstr(text, "c.csv,無法讀取,,,\r\n"));
	assert_non_null(strstr(text, "合計,有錯誤,,2,33.3\r\n"));
	free(text);
	text = written(r, (ReportStyle){REPORT_MD, 80, false, false});
	assert_non_null(strstr(text, "| a\\|b,\\\\e[31m.csv | 5 | 2 | 1 | 2 |\n"));
	assert_non_null(strstr(text, "| 合計 | 6 | 3 | 1 | 2 |\n"));
	free(text);
	report_free(r);
	diag_free(&dl);
	table_free(a);
	table_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_records_counted_as_complete_incomplete_or_wrong),
	    cmocka_unit_test(test_counts_agree_with_the_entry_screen),
	    cmocka_unit_test(test_fields_left_empty_most_first),
	    cmocka_unit_test(test_text_fits_the_width),
	    cmocka_unit_test(test_bars_are_shares_of_the_records),
	    cmocka_unit_test(test_report_section_orders_values_by_count),
	    cmocka_unit_test(test_form_without_report_section_gets_completeness_only),
	    cmocka_unit_test(test_report_section_mistakes_are_errors),
	    cmocka_unit_test(test_several_files_and_escaped_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown) ? 1 : 0;
}
