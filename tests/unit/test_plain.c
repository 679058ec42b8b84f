/* test_plain.c - plain mode: the entry as line prompts, driven through
 * FILE streams (what a dumb terminal or a screen reader would see). */
#include <unistd.h>

#include "config.h"
#include "mem.h"
#include "plain.h"
#include "session.h"
#include "testutil.h"

static Form *form;
static Config cfg;
static char tmpdir[] = "/tmp/spmform-plain-XXXXXX";

static int setup(void **state)
{
	(void)state;
	DiagList dl;
	diag_init(&dl);
	form = form_load(INVENTORY, &dl);
	config_load(&cfg, "/nonexistent.ini", &dl);
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

/* Runs plain mode on a new file with input; returns what it printed. */
static char *run(const char *name, const char *input, Session **out_s)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	unlink(path);
	DiagList dl;
	diag_init(&dl);
	Session *s = session_open(form, &cfg, path, &dl);
	assert_non_null(s);
	FILE *in = fmemopen((void *)input, strlen(input), "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_int_equal(plain_run(s, in, out), 0);
	fclose(in);
	fclose(out);
	diag_free(&dl);
	free(path);
	*out_s = s;
	return buf;
}

/* Example row 4 (套裝軟體: 其他 and 不適用 are filled with the choice and
 * skipped). */
static const char ROW_C[] = "編號C\n郵件伺服器\n1\n3\n3\n2.16.886.101.20002\nOO局\n某某處\n某某處\n"
			    "y\nn\nY\n1\nM公司\nM公司\n１２\n\n\n2\n";

static void test_example_row_entered_line_by_line(void **state)
{
	(void)state;
	char *input = xasprintf("%s:w\n:q\n", ROW_C);
	Session *s;
	char *shown = run("c.csv", input, &s);
	assert_non_null(strstr(shown, "[第 1/1 筆 第 2/21 欄] 系統名稱 (必填)"));
	assert_non_null(strstr(shown, "可選：1 行政  2 業務"));
	assert_non_null(strstr(shown, "== 第 1 筆填完：0 個錯誤、0 個警告"));
	assert_non_null(strstr(shown, "已存檔"));
	assert_null(strchr(shown, 0x1b)); /* no escape sequence at all */
	/* the level and compliance fields were never asked: filled by the rules */
	assert_null(strstr(shown, "防護需求等級 (必填)"));
	size_t n;
	char *saved = read_file(session_path(s), &n);
	assert_non_null(strstr(saved, "\r\n編號C,郵件伺服器,行政,機關自用,套裝軟體,2.16.886.101.20002,OO局,某某處,某某處,是,否,是,其他,是,M公司,M公司,12,不適用,,,無\r\n"));
	free(saved);
	session_free(s);
	free(shown);
	free(input);
}

static void test_refused_digit_asks_again(void **state)
{
	(void)state;
	Session *s;
	char *shown = run("d.csv", "\n\n7\n2\n", &s);
	assert_non_null(strstr(shown, "目前只有 2 個可選的值，沒有第 7 個"));
	assert_string_equal(session_value(s, field_of(form, "attribute")), "業務");
	session_free(s);
	free(shown);
}

static void test_values_are_printed_escaped(void **state)
{
	(void)state;
	Session *s;
	char *shown = run("e.csv", "\x1b]0;pwned\x07\n<\n", &s);
	assert_null(strchr(shown, 0x1b));
	assert_non_null(strstr(shown, "目前：\\e]0;pwned\\x07"));
	session_free(s);
	free(shown);
}

static void test_end_of_input_keeps_the_journal(void **state)
{
	(void)state;
	Session *s;
	char *shown = run("f.csv", "編號Z\n", &s);
	assert_non_null(strstr(shown, "輸入結束：未存檔的修改留在復原紀錄中"));
	char *jp = xasprintf("%s.journal", session_path(s));
	assert_int_equal(access(jp, F_OK), 0);
	free(jp);
	session_free(s);
	free(shown);
}

/* Runs plain mode on the file path (which exists) with input. */
static char *run_on(const char *path, const char *input, Session **out_s)
{
	DiagList dl;
	diag_init(&dl);
	Session *s = session_open(form, &cfg, path, &dl);
	assert_non_null(s);
	diag_free(&dl);
	FILE *in = fmemopen((void *)input, strlen(input), "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_int_equal(plain_run(s, in, out), 0);
	fclose(in);
	fclose(out);
	*out_s = s;
	return buf;
}

/* :n then :w saves no row of defaults; leaving the untouched record
 * discards it with a word; the messages name plain mode's commands. */
static void test_record_added_untouched_is_not_saved(void **state)
{
	(void)state;
	char *path = xasprintf("%s/n.csv", tmpdir);
	size_t n0;
	char *ex = read_file("forms/examples/inventory.csv", &n0);
	write_file(path, ex, n0);
	Session *s;
	char *shown = run_on(path, ":n\n:w\n:g 1\n:q\n", &s);
	assert_non_null(strstr(shown, "[第 6 筆 (新增) 第 1/21 欄]"));
	assert_non_null(strstr(shown, "-- 第 6 筆沒有輸入任何資料，已捨棄"));
	assert_null(strstr(shown, "^"));
	size_t n;
	char *after = read_file(path, &n);
	assert_int_equal(n, n0);
	assert_memory_equal(after, ex, n);
	free(after);
	free(ex);
	free(shown);
	session_free(s);
	free(path);
}

/* :e goes from record to record with errors as the screen's ^K does, and
 * a wrong value is shown with its reason as the field is asked. */
static void test_next_error_and_wrong_value_shown(void **state)
{
	(void)state;
	char *path = xasprintf("%s/e2.csv", tmpdir);
	size_t n0;
	char *ex = read_file("forms/examples/inventory.csv", &n0);
	char *bad = xstrdup(ex);
	strstr(strstr(bad, "編號B"), ",24,")[1] = 'x'; /* 編號B: x4 hours */
	write_file(path, bad, n0);
	Session *s;
	char *shown = run_on(path, ":e\n:q\n", &s);
	assert_non_null(strstr(shown, "[第 2/5 筆 第 17/21 欄] 最大可容忍中斷時間(小時) (必填) 目前：x4 !! 「x4」不是整數"));
	free(shown);
	free(bad);
	free(ex);
	session_free(s);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_example_row_entered_line_by_line),
	    cmocka_unit_test(test_refused_digit_asks_again),
	    cmocka_unit_test(test_values_are_printed_escaped),
	    cmocka_unit_test(test_end_of_input_keeps_the_journal),
	    cmocka_unit_test(test_record_added_untouched_is_not_saved),
	    cmocka_unit_test(test_next_error_and_wrong_value_shown),
	};
	return cmocka_run_group_tests_name("plain", tests, setup, teardown) ? 1 : 0;
}
