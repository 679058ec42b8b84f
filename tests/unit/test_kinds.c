/* test_kinds.c - the vocabulary of issue 20, key by key: kind = date
 * (date_format, min, max, today), kind = decimal (decimals), min and max
 * of integers, kind = multi (separator), when with and / or, comparison
 * clauses and is empty / is filled, type = compare (left, op, right), and
 * compute = max / min / sum; each as loaded (and refused when wrong, with
 * its line), as stored, as checked, as the entry session and plain mode
 * handle it, and as a workbook lays it out and reads it back.  The forms
 * are small ones written here; the two real forms have tests of their
 * own at the end. */
#include <unistd.h>

#include <xlsxwriter.h>

#include "config.h"
#include "layout.h"
#include "plain.h"
#include "session.h"
#include "testutil.h"
#include "value.h"
#include "xlsxin.h"

static char tmpdir[] = "/tmp/spmform-kinds-XXXXXX";
static Config cfg;

/* 2025-12-02 (114/12/02) in UTC: what today is in these tests. */
#define TODAY_EPOCH "1764633600"

static int setup(void **state)
{
	(void)state;
	DiagList dl;
	diag_init(&dl);
	config_load(&cfg, "/nonexistent.ini", &dl);
	diag_free(&dl);
	setenv("SOURCE_DATE_EPOCH", TODAY_EPOCH, 1);
	setenv("TZ", "UTC0", 1);
	tzset();
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	config_free(&cfg);
	return remove_tree(tmpdir);
}

/* The fields every test form has; a test adds its own sections. */
static const char BASE[] = "[form]\n"
			   "id = kinds\n"
			   "title = 測試\n"
			   "[field.name]\n"
			   "header = 名稱\n";

static char *write_tmp(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	write_file(path, text, strlen(text));
	return path;
}

/* BASE then extra, as a form; NULL when it does not load (*dl says why). */
static Form *load_extra(const char *extra, DiagList *dl)
{
	char *text = xasprintf("%s%s", BASE, extra);
	char *path = write_tmp("form.ini", text);
	diag_init(dl);
	Form *f = form_load(path, dl);
	free(path);
	free(text);
	return f;
}

static Form *load_ok(const char *extra)
{
	DiagList dl;
	Form *f = load_extra(extra, &dl);
	if (!f)
		dump_diags(&dl);
	assert_non_null(f);
	diag_free(&dl);
	return f;
}

/* Loading BASE + extra fails with an error on the line of needle (in
 * extra) that contains what. */
static void load_fails(const char *extra, const char *needle, const char *what)
{
	DiagList dl;
	Form *f = load_extra(extra, &dl);
	assert_null(f);
	const char *at = strstr(extra, needle);
	assert_non_null(at);
	long line = 1;
	for (const char *p = BASE; *p; p++)
		line += *p == '\n';
	for (const char *p = extra; p < at; p++)
		line += *p == '\n';
	bool found = false;
	for (size_t i = 0; i < dl.n && !found; i++)
		found = dl.items[i].level == DIAG_ERROR && dl.items[i].line == line &&
			strstr(dl.items[i].msg, what);
	if (!found) {
		fprintf(stderr, "wanted line %ld: %s\n", line, what);
		dump_diags(&dl);
	}
	assert_true(found);
	diag_free(&dl);
}

/* A record of form f: its cells, malloc'd, all empty at first. */
typedef struct {
	const Form *f;
	char **cells;
} Rec;

static Rec rec_new(const Form *f)
{
	Rec r = {f, xcalloc(form_nfields(f), sizeof(char *))};
	for (size_t i = 0; i < form_nfields(f); i++)
		r.cells[i] = xstrdup("");
	return r;
}

/* Sets field id to raw, normalised as a reader stores it. */
static void rec_set(Rec *r, const char *id, const char *raw)
{
	size_t k = field_of(r->f, id);
	free(r->cells[k]);
	r->cells[k] = form_normalize(form_field(r->f, k), raw);
}

static const char *rec_get(const Rec *r, const char *id)
{
	return r->cells[field_of(r->f, id)];
}

static void rec_free(Rec *r)
{
	for (size_t i = 0; i < form_nfields(r->f); i++)
		free(r->cells[i]);
	free(r->cells);
}

static DiagList rec_check(const Rec *r)
{
	DiagList dl;
	diag_init(&dl);
	rules_check_record(r->f, r->cells, 2, 0, &dl);
	return dl;
}

/* The one problem of the record, on field id: its message (static). */
static const char *only_problem(const Rec *r, const char *id)
{
	static char msg[512];
	DiagList dl = rec_check(r);
	if (dl.n != 1 || dl.items[0].field != (int)field_of(r->f, id)) {
		dump_diags(&dl);
		fail_msg("wanted one problem on %s, got %zu", id, dl.n);
	}
	snprintf(msg, sizeof msg, "%s%s", dl.items[0].level == DIAG_WARNING ? "warning: " : "",
		 dl.items[0].msg);
	diag_free(&dl);
	return msg;
}

static void no_problem(const Rec *r)
{
	DiagList dl = rec_check(r);
	if (dl.n)
		dump_diags(&dl);
	assert_int_equal(dl.n, 0);
	diag_free(&dl);
}

static char *norm(const Form *f, const char *id, const char *raw)
{
	static char out[256];
	char *v = form_normalize(form_field(f, field_of(f, id)), raw);
	snprintf(out, sizeof out, "%s", v);
	free(v);
	return out;
}

/* ---- kind = date, date_format, min, max --------------------------------------- */

static const char DATES[] = "[field.day]\n"
			    "header = 日期\n"
			    "kind = date\n"
			    "[field.roc]\n"
			    "header = 民國日期\n"
			    "kind = date\n"
			    "date_format = roc\n"
			    "min = 2024-01-01\n"
			    "max = 113/12/31\n"
			    "[field.due]\n"
			    "header = 完成日\n"
			    "kind = date\n"
			    "min = today\n"
			    "[field.until]\n"
			    "header = 截止日\n"
			    "kind = date\n"
			    "max = 民國113年6月30日\n";

static void test_date_is_stored_as_its_date_format(void **state)
{
	(void)state;
	Form *f = load_ok(DATES);
	assert_int_equal(form_field(f, 1)->kind, KIND_DATE);
	assert_false(form_field(f, 1)->roc); /* iso by default */
	assert_true(form_field(f, 2)->roc);
	static const char *const typed[] = {"2024-05-01", "2024/5/1",	    "113/05/01", "113.5.1",
					    "民國113年5月1日", "１１３／５／１", " 2024-05-01 "};
	for (size_t i = 0; i < sizeof typed / sizeof *typed; i++) {
		assert_string_equal(norm(f, "day", typed[i]), "2024-05-01");
		assert_string_equal(norm(f, "roc", typed[i]), "113/05/01");
	}
	/* not a date: kept as typed (trimmed, half-width) for check to report */
	assert_string_equal(norm(f, "day", " １１３/２/３０ "), "113/2/30");
	assert_string_equal(norm(f, "roc", "明年"), "明年");
	form_free(f);
}

static void test_date_impossible_or_not_a_date_is_named(void **state)
{
	(void)state;
	Form *f = load_ok(DATES);
	Rec r = rec_new(f);
	rec_set(&r, "day", "113/02/30");
	assert_string_equal(only_problem(&r, "day"), "「113/02/30」不是正確的日期；2 月沒有 30 日");
	rec_set(&r, "day", "113/13/01");
	assert_string_equal(only_problem(&r, "day"), "「113/13/01」不是正確的日期；沒有 13 月");
	rec_set(&r, "day", "明天");
	assert_string_equal(only_problem(&r, "day"), "「明天」不是日期；請填如 2024-05-01 的日期");
	rec_set(&r, "day", "");
	rec_set(&r, "roc", "5月1日");
	assert_string_equal(only_problem(&r, "roc"), "「5月1日」不是日期；請填如 113/05/01 的日期");
	rec_free(&r);
	form_free(f);
}

static void test_date_min_max_in_either_form_and_today(void **state)
{
	(void)state;
	Form *f = load_ok(DATES);
	Rec r = rec_new(f);
	rec_set(&r, "roc", "2023-12-31");
	assert_string_equal(only_problem(&r, "roc"), "「112/12/31」須介於 113/01/01 與 113/12/31 之間");
	rec_set(&r, "roc", "2025/1/1");
	assert_string_equal(only_problem(&r, "roc"), "「114/01/01」須介於 113/01/01 與 113/12/31 之間");
	rec_set(&r, "roc", "2024/1/1"); /* inclusive */
	no_problem(&r);
	rec_set(&r, "roc", "113/12/31");
	no_problem(&r);
	/* today is 2025-12-02 (SOURCE_DATE_EPOCH) */
	rec_set(&r, "due", "2025-12-01");
	assert_string_equal(only_problem(&r, "due"), "「2025-12-01」不可早於 今天 (2025-12-02)");
	rec_set(&r, "due", "2025-12-02");
	no_problem(&r);
	setenv("SOURCE_DATE_EPOCH", "1767225600", 1); /* 2026-01-01: the same value is late now */
	assert_string_equal(only_problem(&r, "due"), "「2025-12-02」不可早於 今天 (2026-01-01)");
	setenv("SOURCE_DATE_EPOCH", TODAY_EPOCH, 1);
	rec_set(&r, "due", "");
	rec_set(&r, "until", "2024-07-01");
	assert_string_equal(only_problem(&r, "until"), "「2024-07-01」不可晚於 2024-06-30");
	rec_free(&r);
	form_free(f);
}

static void test_date_keys_refused_where_wrong(void **state)
{
	(void)state;
	load_fails("[field.day]\nheader = 日\nkind = date\ndate_format = minguo\n",
		   "date_format = minguo", "date_format 應為 iso (2024-05-01) 或 roc (113/05/01)");
	load_fails("[field.day]\nheader = 日\ndate_format = roc\n", "date_format = roc",
		   "只有 kind = date 的欄位可以有 date_format");
	load_fails("[field.day]\nheader = 日\nkind = date\nmin = 113/02/30\n", "min = 113/02/30",
		   "min 應為日期 (例如 2024-05-01、113/05/01) 或 today，不是「113/02/30」");
	load_fails("[field.day]\nheader = 日\nkind = date\nmin = 2025-01-01\nmax = 113/01/01\n",
		   "max = 113/01/01", "max (113/01/01) 小於 min (2025-01-01)");
	load_fails("[field.t]\nheader = 文字\nmin = 1\n", "min = 1",
		   "只有 kind = integer、decimal 或 date 的欄位可以有 min");
}

/* ---- kind = decimal, decimals; min and max of numbers ----------------------------- */

static const char NUMBERS[] = "[field.hours]\n"
			      "header = 時數\n"
			      "kind = decimal\n"
			      "decimals = 1\n"
			      "min = 0\n"
			      "max = 720\n"
			      "[field.count]\n"
			      "header = 次數\n"
			      "kind = integer\n"
			      "min = 1\n"
			      "[field.small]\n"
			      "header = 小\n"
			      "kind = decimal\n"
			      "decimals = 2\n"
			      "max = 0.5\n";

static void test_decimal_digits_and_full_width_point(void **state)
{
	(void)state;
	Form *f = load_ok(NUMBERS);
	assert_int_equal(form_field(f, 1)->kind, KIND_DECIMAL);
	assert_int_equal(form_field(f, 1)->decimals, 1);
	assert_string_equal(norm(f, "hours", "１．５"), "1.5");
	assert_string_equal(norm(f, "hours", "　72　"), "72");
	Rec r = rec_new(f);
	rec_set(&r, "hours", "1.5");
	no_problem(&r);
	rec_set(&r, "hours", "０．５");
	no_problem(&r);
	rec_set(&r, "hours", "1.25");
	assert_string_equal(only_problem(&r, "hours"), "「1.25」的小數超過 1 位");
	rec_set(&r, "hours", "8小時");
	assert_string_equal(only_problem(&r, "hours"),
			    "「8小時」不是數字；只能填數字和小數點，不含單位、逗號或負號");
	rec_set(&r, "hours", "-1");
	assert_string_equal(only_problem(&r, "hours"),
			    "「-1」不是數字；只能填數字和小數點，不含單位、逗號或負號");
	rec_set(&r, "hours", "");
	rec_set(&r, "small", "0.25");
	no_problem(&r);
	rec_set(&r, "small", "0.75");
	assert_string_equal(only_problem(&r, "small"), "「0.75」不可大於 0.5");
	rec_free(&r);
	form_free(f);
}

static void test_out_of_range_message_gives_the_range(void **state)
{
	(void)state;
	Form *f = load_ok(NUMBERS);
	Rec r = rec_new(f);
	rec_set(&r, "hours", "720.5");
	assert_string_equal(only_problem(&r, "hours"), "「720.5」須介於 0 與 720 之間");
	rec_set(&r, "hours", "800");
	assert_string_equal(only_problem(&r, "hours"), "「800」須介於 0 與 720 之間");
	rec_set(&r, "hours", "99999999999999999999"); /* beyond what is counted: above any max */
	assert_string_equal(only_problem(&r, "hours"),
			    "「99999999999999999999」須介於 0 與 720 之間");
	rec_set(&r, "hours", "720"); /* inclusive */
	no_problem(&r);
	rec_set(&r, "hours", "0");
	no_problem(&r);
	rec_set(&r, "count", "0");
	assert_string_equal(only_problem(&r, "count"), "「0」不可小於 1");
	rec_set(&r, "count", "1.5"); /* an integer stays an integer */
	assert_string_equal(only_problem(&r, "count"),
			    "「1.5」不是整數；只能填數字，不含單位、逗號、小數點或負號");
	rec_set(&r, "count", "１２");
	no_problem(&r);
	rec_free(&r);
	form_free(f);
}

static void test_number_keys_refused_where_wrong(void **state)
{
	(void)state;
	load_fails("[field.h]\nheader = 時\nkind = decimal\n", "[field.h]", "需要 decimals");
	load_fails("[field.h]\nheader = 時\nkind = decimal\ndecimals = 7\n", "decimals = 7",
		   "需要 decimals：小數點後最多幾位 (1 到 6)");
	load_fails("[field.h]\nheader = 時\nkind = integer\ndecimals = 1\n", "decimals = 1",
		   "只有 kind = decimal 的欄位可以有 decimals");
	load_fails("[field.h]\nheader = 時\nkind = integer\nmax = 7.5\n", "max = 7.5",
		   "max 應為整數，不是「7.5」");
	load_fails("[field.h]\nheader = 時\nkind = decimal\ndecimals = 1\nmin = 0.25\n", "min = 0.25",
		   "min 應為數字 (小數位數不超過 decimals)");
	load_fails("[field.h]\nheader = 時\nkind = integer\nmin = 10\nmax = 5\n", "max = 5",
		   "max (5) 小於 min (10)");
}

/* ---- kind = multi, separator ------------------------------------------------------ */

static const char MULTI[] = "[field.measures]\n"
			    "header = 暫行措施\n"
			    "kind = multi\n"
			    "values = 加強監控|限制存取|人工作業替代|異地備援\n"
			    "aliases = 監控:加強監控|backup:異地備援\n"
			    "[field.slash]\n"
			    "header = 斜線\n"
			    "kind = multi\n"
			    "values = A 類|B 類\n"
			    "separator = /\n";

static void test_multi_stored_in_values_order_joined_by_separator(void **state)
{
	(void)state;
	Form *f = load_ok(MULTI);
	assert_string_equal(form_field(f, 1)->separator, "、");
	static const char *const typed[] = {
	    "限制存取、加強監控", "限制存取,加強監控", "限制存取，加強監控",
	    "限制存取;加強監控",  "限制存取；加強監控", "限制存取 加強監控",
	    "限制存取　監控",	  "監控、限制存取、加強監控", " 限制存取 , 加強監控 ,",
	};
	for (size_t i = 0; i < sizeof typed / sizeof *typed; i++)
		assert_string_equal(norm(f, "measures", typed[i]), "加強監控、限制存取");
	assert_string_equal(norm(f, "measures", "BACKUP"), "異地備援");
	/* a value with a space is one item; the field's own separator */
	assert_string_equal(norm(f, "slash", "B 類、A 類"), "A 類/B 類");
	assert_string_equal(norm(f, "slash", "B 類/A 類"), "A 類/B 類");
	/* an item not among values: kept as typed, for check to name */
	assert_string_equal(norm(f, "measures", "限制存取、停機"), "限制存取、停機");
	bool ticked[4];
	assert_int_equal(form_multi_ticks(form_field(f, 1), "異地備援、加強監控", ticked), 0);
	assert_true(ticked[0] && !ticked[1] && !ticked[2] && ticked[3]);
	char *joined = form_multi_join(form_field(f, 1), ticked);
	assert_string_equal(joined, "加強監控、異地備援");
	free(joined);
	form_free(f);
}

static void test_multi_unknown_item_is_named(void **state)
{
	(void)state;
	Form *f = load_ok(MULTI);
	Rec r = rec_new(f);
	rec_set(&r, "measures", "限制存取、停機、重開機");
	assert_string_equal(only_problem(&r, "measures"),
			    "「停機」、「重開機」不是可選的項目，可選的為加強監控、限制存取、人工作業替代、異地備援");
	rec_set(&r, "measures", "異地備援,限制存取");
	no_problem(&r);
	assert_string_equal(rec_get(&r, "measures"), "限制存取、異地備援");
	rec_free(&r);
	form_free(f);
}

static void test_multi_keys_refused_where_wrong(void **state)
{
	(void)state;
	load_fails("[field.m]\nheader = 多\nkind = multi\n", "[field.m]", "kind = multi 需要 values");
	load_fails("[field.m]\nheader = 多\nkind = choice\nvalues = a|b\nseparator = /\n",
		   "separator = /", "只有 kind = multi 的欄位可以有 separator");
	load_fails("[field.m]\nheader = 多\nkind = multi\nvalues = 甲、乙|丙\n", "values = 甲、乙|丙",
		   "multi 欄位的值「甲、乙」不可含有分隔符號「、」");
	load_fails("[field.m]\nheader = 多\nkind = multi\nvalues = a/b|c\nseparator = /\n",
		   "values = a/b|c", "不可含有分隔符號「/」");
}

/* ---- when: and, or, comparisons, is empty / is filled -------------------------------- */

static const char WHEN_FIELDS[] = "[field.c]\n"
				  "header = 機密性\n"
				  "kind = choice\n"
				  "values = 普|中|高\n"
				  "[field.i]\n"
				  "header = 完整性\n"
				  "kind = choice\n"
				  "values = 普|中|高\n"
				  "[field.hours]\n"
				  "header = 時數\n"
				  "kind = decimal\n"
				  "decimals = 1\n"
				  "[field.due]\n"
				  "header = 完成日\n"
				  "kind = date\n"
				  "date_format = roc\n"
				  "[field.measures]\n"
				  "header = 措施\n"
				  "kind = multi\n"
				  "values = 監控|備援\n"
				  "[field.note]\n"
				  "header = 說明\n";

/* Whether the require rule of form (BASE, WHEN_FIELDS, rule) makes 說明
 * required for the record r. */
static bool note_needed(const Rec *r)
{
	return rules_need(r->f, r->cells, field_of(r->f, "note"), NULL) == NEED_REQUIRED;
}

static Form *when_form(const char *when)
{
	char *extra = xasprintf("%s[rule.r]\ntype = require\nfields = note\nwhen = %s\n", WHEN_FIELDS,
				when);
	Form *f = load_ok(extra);
	free(extra);
	return f;
}

static void test_when_and_needs_every_clause(void **state)
{
	(void)state;
	Form *f = when_form("c = 高 and i = 高|中");
	const FormCond *w = &form_rule(f, 0)->when;
	assert_int_equal(w->nclauses, 2);
	assert_false(w->any);
	Rec r = rec_new(f);
	rec_set(&r, "c", "高");
	assert_false(note_needed(&r));
	rec_set(&r, "i", "中");
	assert_true(note_needed(&r));
	assert_string_equal(only_problem(&r, "note"), "機密性為「高」且完整性為「中」時必填");
	rec_set(&r, "c", "普");
	assert_false(note_needed(&r));
	rec_free(&r);
	form_free(f);
}

static void test_when_or_needs_one_clause(void **state)
{
	(void)state;
	Form *f = when_form("c = 高 or i = 高");
	assert_true(form_rule(f, 0)->when.any);
	Rec r = rec_new(f);
	assert_false(note_needed(&r));
	rec_set(&r, "i", "高");
	assert_true(note_needed(&r));
	assert_string_equal(only_problem(&r, "note"), "完整性為「高」時必填"); /* the one that holds */
	rec_set(&r, "c", "高");
	assert_string_equal(only_problem(&r, "note"), "機密性為「高」時必填");
	rec_free(&r);
	form_free(f);
}

static void test_when_comparisons_of_numbers_and_dates(void **state)
{
	(void)state;
	static const struct {
		const char *when, *field, *yes, *no;
	} cases[] = {
	    {"hours < 4", "hours", "3.9", "4"},	      {"hours <= 4", "hours", "4", "4.1"},
	    {"hours > 24", "hours", "24.5", "24"},     {"hours >= 24", "hours", "24", "23.9"},
	    {"due < 2025-01-01", "due", "113/12/31", "114/01/01"},
	    {"due >= 114/1/1", "due", "2025-01-01", "2024-12-31"},
	    {"due < today", "due", "114/12/01", "114/12/02"}, /* today: 2025-12-02 */
	    {"due >= today", "due", "114/12/02", "114/12/01"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		Form *f = when_form(cases[i].when);
		Rec r = rec_new(f);
		assert_false(note_needed(&r)); /* an empty field is neither < nor > */
		rec_set(&r, cases[i].field, cases[i].yes);
		if (!note_needed(&r))
			fail_msg("%s: %s should hold", cases[i].when, cases[i].yes);
		rec_set(&r, cases[i].field, cases[i].no);
		if (note_needed(&r))
			fail_msg("%s: %s should not hold", cases[i].when, cases[i].no);
		rec_set(&r, cases[i].field, "abc"); /* a wrong value has its own error */
		assert_false(note_needed(&r));
		rec_free(&r);
		form_free(f);
	}
}

static void test_when_is_empty_is_filled_and_multi(void **state)
{
	(void)state;
	Form *f = when_form("hours is empty and measures is filled");
	Rec r = rec_new(f);
	assert_false(note_needed(&r));
	rec_set(&r, "measures", "備援");
	assert_true(note_needed(&r));
	assert_string_equal(only_problem(&r, "note"), "時數空白且措施已填寫時必填");
	rec_set(&r, "hours", "1");
	assert_false(note_needed(&r));
	rec_free(&r);
	form_free(f);
	/* = on a multi field: one of its items is one of the values */
	f = when_form("measures = 監控");
	r = rec_new(f);
	rec_set(&r, "measures", "備援");
	assert_false(note_needed(&r));
	rec_set(&r, "measures", "備援、監控");
	assert_true(note_needed(&r));
	rec_free(&r);
	form_free(f);
	f = when_form("measures != 監控");
	r = rec_new(f);
	assert_false(note_needed(&r));
	rec_set(&r, "measures", "備援");
	assert_true(note_needed(&r));
	rec_set(&r, "measures", "監控、備援");
	assert_false(note_needed(&r));
	rec_free(&r);
	form_free(f);
}

/* " and " inside a value is part of it: a join is only where a clause
 * (a field, then an operator) follows. */
static void test_when_value_may_hold_and_or(void **state)
{
	(void)state;
	char *extra = xasprintf("%s[field.t]\nheader = 類\nkind = choice\nvalues = R and D|Sales or Ops\n"
				"[rule.r]\ntype = require\nfields = note\nwhen = t = R and D|Sales or Ops\n",
				WHEN_FIELDS);
	Form *f = load_ok(extra);
	free(extra);
	assert_int_equal(form_rule(f, 0)->when.nclauses, 1);
	Rec r = rec_new(f);
	rec_set(&r, "t", "Sales or Ops");
	assert_true(note_needed(&r));
	rec_free(&r);
	form_free(f);
}

static void test_when_refused_where_wrong(void **state)
{
	(void)state;
	char *extra = xasprintf("%s[rule.r]\ntype = require\nfields = note\nwhen = c = 高 and i = 高 or hours < 4\n",
				WHEN_FIELDS);
	load_fails(extra, "when = c", "when 不可同時用 and 與 or");
	free(extra);
	extra = xasprintf("%s[rule.r]\ntype = require\nfields = note\nwhen = c < 4\n", WHEN_FIELDS);
	load_fails(extra, "when = c", "when 的「<」只能用於 integer、decimal 或 date 欄位，c 不是");
	free(extra);
	extra = xasprintf("%s[rule.r]\ntype = require\nfields = note\nwhen = due < 明天\n", WHEN_FIELDS);
	load_fails(extra, "when = due", "when 的「<」之後應為日期 (例如 2024-05-01、113/05/01) 或 today，不是「 明天」");
	free(extra);
	extra = xasprintf("%s[rule.r]\ntype = require\nfields = note\nwhen = hours is zero\n", WHEN_FIELDS);
	load_fails(extra, "when = hours", "when 應寫成");
	free(extra);
	extra = xasprintf("%s[rule.r]\ntype = require\nfields = note\nwhen = c = 普 and i = 極高\n", WHEN_FIELDS);
	load_fails(extra, "when = c", "when 的「極高」不是欄位 i 的選項");
	free(extra);
}

/* A count rule's condition with two clauses: a check that reads the file
 * as it goes keeps both fields, and finds what a table check finds. */
static void test_count_rule_with_two_clauses_as_read(void **state)
{
	(void)state;
	char *extra = xasprintf("%s[rule.two]\ntype = count\nfields = name\nmax = 1\n"
				"when = c = 高 and hours >= 8\n",
				WHEN_FIELDS);
	Form *f = load_ok(extra);
	free(extra);
	Table *t = table_new(f);
	static const char *const rows[][3] = {
	    {"甲", "高", "8"}, {"甲", "高", "4"}, {"甲", "中", "9"}, {"甲", "高", "9"}};
	RulesRun *run = rules_run_new(f);
	for (size_t i = 0; i < 4; i++) {
		add_row(t, "", (long)i + 2);
		put(t, i, "name", rows[i][0]);
		put(t, i, "c", rows[i][1]);
		put(t, i, "hours", rows[i][2]);
		rules_run_record(run, table_record_c(t, i)->cells, (long)i + 2);
	}
	DiagList a, b;
	diag_init(&a);
	diag_init(&b);
	rules_check_table(t, &a);
	rules_run_end(run, &b);
	assert_int_equal(a.n, 1);
	assert_int_equal(b.n, 1);
	assert_int_equal(a.items[0].line, 5);
	assert_string_equal(a.items[0].msg, b.items[0].msg);
	assert_string_equal(a.items[0].msg, "「甲」已有 2 筆，超過 1 筆");
	diag_free(&a);
	diag_free(&b);
	rules_run_free(run);
	table_free(t);
	form_free(f);
}

/* An optional rule of two clauses says when the field may stay empty. */
static void test_optional_rule_of_clauses_says_when(void **state)
{
	(void)state;
	Form *f = load_ok("[field.c]\nheader = 機密性\nkind = choice\nvalues = 普|中|高\n"
			  "[field.hours]\nheader = 時數\nkind = decimal\ndecimals = 1\n"
			  "[field.note]\nheader = 說明\nrequired = yes\n"
			  "[rule.r]\ntype = optional\nfields = note\nwhen = c = 普 or hours < 4\n");
	Rec r = rec_new(f);
	rec_set(&r, "c", "中");
	assert_string_equal(only_problem(&r, "note"), "必填 (機密性為「普」或時數小於 4時才可免填)");
	rec_set(&r, "hours", "2");
	no_problem(&r);
	rec_free(&r);
	form_free(f);
}

/* ---- type = compare ------------------------------------------------------------------ */

static const char COMPARE_FIELDS[] = "[field.mtpd]\n"
				     "header = 最大可容忍中斷時間\n"
				     "kind = decimal\n"
				     "decimals = 1\n"
				     "[field.rto]\n"
				     "header = RTO\n"
				     "kind = decimal\n"
				     "decimals = 1\n"
				     "[field.start]\n"
				     "header = 開始日\n"
				     "kind = date\n"
				     "date_format = roc\n"
				     "[field.end]\n"
				     "header = 結束日\n"
				     "kind = date\n"
				     "date_format = roc\n"
				     "[field.kind]\n"
				     "header = 類別\n"
				     "kind = choice\n"
				     "values = 甲|乙\n";

static Form *compare_form(const char *rule)
{
	char *extra = xasprintf("%s[rule.cmp]\ntype = compare\n%s", COMPARE_FIELDS, rule);
	Form *f = load_ok(extra);
	free(extra);
	return f;
}

static void test_compare_field_with_field_waits_while_empty(void **state)
{
	(void)state;
	Form *f = compare_form("left = rto\nop = <=\nright = mtpd\n");
	Rec r = rec_new(f);
	rec_set(&r, "rto", "30");
	no_problem(&r); /* mtpd empty: waits */
	rec_set(&r, "mtpd", "24");
	DiagList dl = rec_check(&r);
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.items[0].field, (int)field_of(f, "rto")); /* on the left */
	assert_int_equal(dl.items[0].level, DIAG_ERROR);
	assert_string_equal(dl.items[0].msg, "「30」應小於或等於最大可容忍中斷時間「24」");
	diag_free(&dl);
	rec_set(&r, "rto", "24");
	no_problem(&r);
	rec_set(&r, "rto", "");
	rec_set(&r, "mtpd", "1");
	no_problem(&r);
	rec_set(&r, "rto", "1x"); /* its own error only */
	assert_string_equal(only_problem(&r, "rto"),
			    "「1x」不是數字；只能填數字和小數點，不含單位、逗號或負號");
	rec_free(&r);
	form_free(f);
}

static void test_compare_every_operator(void **state)
{
	(void)state;
	static const struct {
		const char *op, *ok, *bad, *word;
	} cases[] = {
	    {"<", "3", "4", "小於"},	 {"<=", "4", "4.5", "小於或等於"}, {">", "5", "4", "大於"},
	    {">=", "4", "3", "大於或等於"}, {"=", "4", "4.5", "等於"},	    {"!=", "5", "4", "不等於"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *rule = xasprintf("left = rto\nop = %s\nright = 4\n", cases[i].op);
		Form *f = compare_form(rule);
		free(rule);
		Rec r = rec_new(f);
		rec_set(&r, "rto", cases[i].ok);
		no_problem(&r);
		rec_set(&r, "rto", cases[i].bad);
		char *want = xasprintf("「%s」應%s「4」", cases[i].bad, cases[i].word);
		assert_string_equal(only_problem(&r, "rto"), want);
		free(want);
		rec_free(&r);
		form_free(f);
	}
}

static void test_compare_dates_today_when_severity_message(void **state)
{
	(void)state;
	Form *f = compare_form("left = end\nop = >=\nright = start\n");
	Rec r = rec_new(f);
	rec_set(&r, "start", "114/05/01");
	rec_set(&r, "end", "2025-04-30");
	assert_string_equal(only_problem(&r, "end"), "「114/04/30」應不早於開始日「114/05/01」");
	rec_free(&r);
	form_free(f);
	f = compare_form("left = end\nop = >=\nright = today\nwhen = kind = 甲\nseverity = warning\n"
			 "message = {left_label}{left_value}已過{right_label}{right_value}\n");
	r = rec_new(f);
	rec_set(&r, "end", "114/12/01");
	no_problem(&r); /* when does not hold */
	rec_set(&r, "kind", "甲");
	assert_string_equal(only_problem(&r, "end"), "warning: 結束日114/12/01已過今天114/12/02");
	rec_set(&r, "end", "114/12/02");
	no_problem(&r);
	rec_free(&r);
	form_free(f);
}

static void test_compare_refused_where_wrong(void **state)
{
	(void)state;
	char *extra = xasprintf("%s[rule.cmp]\ntype = compare\nleft = rto\nop = =<\nright = mtpd\n",
				COMPARE_FIELDS);
	load_fails(extra, "op = =<", "op 應為 <、<=、>、>=、= 或 !=，不是「=<」");
	free(extra);
	extra = xasprintf("%s[rule.cmp]\ntype = compare\nop = <\nright = mtpd\n", COMPARE_FIELDS);
	load_fails(extra, "[rule.cmp]", "compare 規則需要 left");
	free(extra);
	extra = xasprintf("%s[rule.cmp]\ntype = compare\nleft = rto\nop =\nright = mtpd\n", COMPARE_FIELDS);
	load_fails(extra, "op =", "compare 規則需要 op"); /* an empty op is none (found by fuzzing) */
	free(extra);
	extra = xasprintf("%s[rule.cmp]\ntype = compare\nleft = rto\nop = <\nright = start\n",
			  COMPARE_FIELDS);
	load_fails(extra, "right = start", "right 的欄位 start 不能與 left 的 rto 比較");
	free(extra);
	extra = xasprintf("%s[rule.cmp]\ntype = compare\nleft = kind\nop = <\nright = 1\n",
			  COMPARE_FIELDS);
	load_fails(extra, "left = kind", "left 的欄位 kind 應為 integer、decimal 或 date");
	free(extra);
	extra = xasprintf("%s[rule.cmp]\ntype = compare\nleft = start\nop = <\nright = soon\n",
			  COMPARE_FIELDS);
	load_fails(extra, "right = soon", "right 應為欄位代號或日期");
	free(extra);
	extra = xasprintf("%s[rule.cmp]\ntype = compare\nleft = rto\nop = <\nright = 1\nfields = rto\n",
			  COMPARE_FIELDS);
	load_fails(extra, "fields = rto", "compare 規則用 left 與 right，不是「fields」");
	free(extra);
	extra = xasprintf("%s[rule.r]\ntype = require\nfields = rto\nwhen = kind = 甲\nleft = rto\n",
			  COMPARE_FIELDS);
	load_fails(extra, "left = rto", "只有 compare 規則可以有 left");
	free(extra);
}

/* ---- compute = max / min / sum -------------------------------------------------------- */

static const char COMPUTE[] = "[field.c]\n"
			      "header = 機密性\n"
			      "kind = choice\n"
			      "values = 普|中|高\n"
			      "[field.i]\n"
			      "header = 完整性\n"
			      "kind = choice\n"
			      "values = 普|中|高\n"
			      "[field.a]\n"
			      "header = 可用性\n"
			      "kind = choice\n"
			      "values = 普|中|高\n"
			      "[field.level]\n"
			      "header = 防護需求等級\n"
			      "kind = choice\n"
			      "values = 普|中|高\n"
			      "compute = max(c, i, a)\n"
			      "[field.low]\n"
			      "header = 最低\n"
			      "kind = choice\n"
			      "values = 普|中|高\n"
			      "compute = min (c,i,a)\n"
			      "[field.p]\n"
			      "header = 計畫\n"
			      "kind = decimal\n"
			      "decimals = 1\n"
			      "[field.u]\n"
			      "header = 非計畫\n"
			      "kind = integer\n"
			      "[field.total]\n"
			      "header = 合計\n"
			      "kind = decimal\n"
			      "decimals = 2\n"
			      "compute = sum(p, u)\n"
			      "[field.short]\n"
			      "header = 短\n"
			      "kind = decimal\n"
			      "decimals = 1\n"
			      "[rule.short_high]\n"
			      "type = only\n"
			      "field = a\n"
			      "when = short < 4\n"
			      "values = 高\n";

static void test_compute_max_min_sum(void **state)
{
	(void)state;
	Form *f = load_ok(COMPUTE);
	const FormField *level = form_field(f, field_of(f, "level"));
	assert_int_equal(level->compute.op, COMPUTE_MAX);
	assert_int_equal(level->compute.nfields, 3);
	char *how = form_compute_text(f, level);
	assert_string_equal(how, "機密性、完整性、可用性中最高者");
	free(how);
	Rec r = rec_new(f);
	char buf[32];
	rec_set(&r, "c", "中");
	rec_set(&r, "i", "高");
	assert_null(rules_computed(f, r.cells, field_of(f, "level"), buf)); /* a is empty */
	rec_set(&r, "a", "普");
	assert_string_equal(rules_computed(f, r.cells, field_of(f, "level"), buf), "高");
	assert_string_equal(rules_computed(f, r.cells, field_of(f, "low"), buf), "普");
	rec_set(&r, "p", "1.5");
	rec_set(&r, "u", "2");
	assert_string_equal(rules_computed(f, r.cells, field_of(f, "total"), buf), "3.5");
	rec_set(&r, "u", "2x");
	assert_null(rules_computed(f, r.cells, field_of(f, "total"), buf));
	assert_null(rules_computed(f, r.cells, field_of(f, "name"), buf)); /* not computed */
	rec_free(&r);
	form_free(f);
}

static void test_check_reports_a_value_that_is_not_the_computed_one(void **state)
{
	(void)state;
	Form *f = load_ok(COMPUTE);
	Rec r = rec_new(f);
	rec_set(&r, "c", "中");
	rec_set(&r, "i", "高");
	rec_set(&r, "a", "普");
	rec_set(&r, "low", "普");
	rec_set(&r, "level", "中");
	assert_string_equal(only_problem(&r, "level"),
			    "「中」與計算結果「高」不符 (機密性、完整性、可用性中最高者)");
	rec_set(&r, "level", "");
	assert_string_equal(only_problem(&r, "level"),
			    "空白；計算結果為「高」(機密性、完整性、可用性中最高者)");
	rec_set(&r, "level", "高");
	no_problem(&r);
	rec_set(&r, "p", "1");
	rec_set(&r, "u", "2");
	rec_set(&r, "total", "3.00"); /* the same number */
	no_problem(&r);
	rec_set(&r, "total", "4");
	assert_string_equal(only_problem(&r, "total"), "「4」與計算結果「3」不符 (計畫、非計畫的合計)");
	rec_set(&r, "u", "");
	no_problem(&r); /* not computed while a field is empty: a value stays */
	rec_free(&r);
	form_free(f);
}

static void test_follow_fills_computed_fields_as_inputs_change(void **state)
{
	(void)state;
	Form *f = load_ok(COMPUTE);
	Rec r = rec_new(f);
	rec_set(&r, "c", "中");
	rec_set(&r, "i", "普");
	size_t nf = form_nfields(f);
	char *cells[nf];
	memcpy(cells, r.cells, sizeof cells);
	cells[field_of(f, "a")] = (char *)"中";
	RuleEffect eff[nf];
	size_t n = rules_follow(f, cells, field_of(f, "a"), eff);
	assert_int_equal(n, 2);
	assert_int_equal(eff[0].field, field_of(f, "level"));
	assert_null(eff[0].why);
	assert_string_equal(cells[field_of(f, "level")], "中");
	assert_string_equal(cells[field_of(f, "low")], "普");
	/* a sum lives in the effect's text */
	cells[field_of(f, "p")] = (char *)"0.5";
	assert_int_equal(rules_follow(f, cells, field_of(f, "p"), eff), 0); /* u empty */
	cells[field_of(f, "u")] = (char *)"3";
	assert_int_equal(rules_follow(f, cells, field_of(f, "u"), eff), 1);
	assert_string_equal(cells[field_of(f, "total")], "3.5");
	assert_ptr_equal(cells[field_of(f, "total")], eff[0].text);
	/* an input emptied clears it */
	cells[field_of(f, "u")] = (char *)"";
	assert_int_equal(rules_follow(f, cells, field_of(f, "u"), eff), 1);
	assert_string_equal(cells[field_of(f, "total")], "");
	/* a comparison clause moves 可用性 to 高, and the computed fields follow */
	cells[field_of(f, "short")] = (char *)"2";
	n = rules_follow(f, cells, field_of(f, "short"), eff);
	assert_int_equal(n, 2); /* 最低 stays 普 */
	assert_int_equal(eff[0].field, field_of(f, "a"));
	assert_string_equal(eff[0].why->id, "short_high");
	assert_string_equal(cells[field_of(f, "a")], "高");
	assert_string_equal(cells[field_of(f, "level")], "高");
	assert_string_equal(cells[field_of(f, "low")], "普");
	/* a record being made gets its computed values */
	char *fresh[nf];
	for (size_t i = 0; i < nf; i++)
		fresh[i] = (char *)"";
	fresh[field_of(f, "c")] = (char *)"高";
	fresh[field_of(f, "i")] = (char *)"高";
	fresh[field_of(f, "a")] = (char *)"中";
	n = rules_fill(f, fresh, eff);
	assert_int_equal(n, 2);
	assert_string_equal(fresh[field_of(f, "level")], "高");
	assert_string_equal(fresh[field_of(f, "low")], "中");
	rec_free(&r);
	form_free(f);
}

static void test_compute_refused_where_wrong(void **state)
{
	(void)state;
	static const char C[] = "[field.c]\nheader = C\nkind = choice\nvalues = 普|中|高\n"
				"[field.d]\nheader = D\nkind = choice\nvalues = 低|中|高\n"
				"[field.n]\nheader = N\nkind = decimal\ndecimals = 2\n";
	char *extra = xasprintf("%s[field.x]\nheader = X\nkind = choice\nvalues = 普|中|高\ncompute = max(c, d)\n", C);
	load_fails(extra, "compute = max", "compute 的欄位 d 的 values 與本欄不同");
	free(extra);
	extra = xasprintf("%s[field.x]\nheader = X\nkind = choice\nvalues = 普|中|高\ncompute = largest(c)\n", C);
	load_fails(extra, "compute = largest", "compute 應寫成 max(欄位, 欄位…)、min(…) 或 sum(…)");
	free(extra);
	extra = xasprintf("%s[field.x]\nheader = X\nkind = text\ncompute = max(c)\n", C);
	load_fails(extra, "compute = max", "compute = max(…) 或 min(…) 的欄位要是 choice");
	free(extra);
	extra = xasprintf("%s[field.x]\nheader = X\nkind = integer\ncompute = sum(n)\n", C);
	load_fails(extra, "compute = sum", "compute 的欄位 n 的小數位數比本欄多");
	free(extra);
	extra = xasprintf("%s[field.x]\nheader = X\nkind = integer\ncompute = sum(c)\n", C);
	load_fails(extra, "compute = sum", "compute 的欄位 c 不是 integer 或 decimal");
	free(extra);
	extra = xasprintf("%s[field.x]\nheader = X\nkind = choice\nvalues = 普|中|高\ncompute = max(c, zz)\n", C);
	load_fails(extra, "compute = max", "compute 指向不存在的欄位「zz」");
	free(extra);
	extra = xasprintf("%s[field.x]\nheader = X\nkind = choice\nvalues = 普|中|高\ncompute = max(c)\n"
			  "[field.y]\nheader = Y\nkind = choice\nvalues = 普|中|高\ncompute = max(x, c)\n",
			  C);
	load_fails(extra, "compute = max(x", "compute 的欄位 x 本身也由 compute 算出");
	free(extra);
	extra = xasprintf("%s[field.x]\nheader = X\nkind = choice\nvalues = 普|中|高\ncompute = max(c)\n"
			  "[rule.r]\ntype = only\nfield = x\nwhen = c = 普\nvalues = 普\n",
			  C);
	load_fails(extra, "field = x", "only 規則的欄位 x 由 compute 算出，不能限制它的值");
	free(extra);
}

/* ---- the entry session and plain mode ------------------------------------------------ */

static Session *open_new(const Form *f, const char *name)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	unlink(path);
	DiagList dl;
	diag_init(&dl);
	Session *s = session_open(f, &cfg, path, &dl);
	diag_free(&dl);
	free(path);
	assert_non_null(s);
	return s;
}

static void test_session_toggles_multi_values(void **state)
{
	(void)state;
	Form *f = load_ok(MULTI);
	Session *s = open_new(f, "multi.csv");
	size_t m = field_of(f, "measures");
	assert_true(session_toggle(s, m, 3));
	assert_string_equal(session_value(s, m), "人工作業替代");
	assert_true(session_toggle(s, m, 1));
	assert_string_equal(session_value(s, m), "加強監控、人工作業替代");
	assert_true(session_toggle(s, m, 3));
	assert_string_equal(session_value(s, m), "加強監控");
	assert_false(session_toggle(s, m, 5));
	assert_string_equal(session_msg(s), "「暫行措施」只有 4 個可選的項目，沒有第 5 個");
	/* typed: numbers toggle (several at once), items are the value */
	assert_true(session_choose(s, m, "2 4"));
	assert_string_equal(session_value(s, m), "加強監控、限制存取、異地備援");
	assert_true(session_choose(s, m, "４"));
	assert_string_equal(session_value(s, m), "加強監控、限制存取");
	assert_true(session_choose(s, m, "異地備援,監控"));
	assert_string_equal(session_value(s, m), "加強監控、異地備援");
	session_clear_msg(s);
	assert_false(session_choose(s, m, "異地備援、停機"));
	assert_string_equal(session_msg(s), "「停機」不是「暫行措施」可選的項目；請按號碼勾選，或按 Enter 開啟選單");
	assert_string_equal(session_value(s, m), "加強監控、異地備援");
	/* each change one undo */
	assert_true(session_undo(s));
	assert_string_equal(session_value(s, m), "加強監控、限制存取");
	size_t idx[4];
	assert_int_equal(session_permitted(s, m, idx), 4);
	session_free(s);
	form_free(f);
}

static void test_session_computed_field_is_never_typed(void **state)
{
	(void)state;
	Form *f = load_ok(COMPUTE);
	Session *s = open_new(f, "computed.csv");
	size_t level = field_of(f, "level");
	assert_false(session_set(s, level, "高"));
	assert_string_equal(session_msg(s),
			    "「防護需求等級」自動計算 (機密性、完整性、可用性中最高者)，不能直接修改");
	session_clear_msg(s);
	assert_false(session_choose(s, level, "3"));
	assert_non_null(session_msg(s));
	assert_false(session_pick(s, level, 1));
	assert_string_equal(session_value(s, level), "");
	/* filled as its fields change, with the change said and undone whole */
	assert_true(session_set(s, field_of(f, "c"), "中"));
	assert_true(session_set(s, field_of(f, "i"), "普"));
	assert_string_equal(session_value(s, level), "");
	session_clear_msg(s);
	assert_true(session_choose(s, field_of(f, "a"), "3"));
	assert_string_equal(session_value(s, level), "高");
	assert_string_equal(session_value(s, field_of(f, "low")), "普");
	assert_string_equal(session_msg(s), "「可用性」改為「高」，所以「防護需求等級」填入「高」、「最低」填入「普」 (^Z 全部復原)");
	assert_true(session_undo(s));
	assert_string_equal(session_value(s, level), "");
	assert_string_equal(session_value(s, field_of(f, "a")), "");
	session_free(s);
	form_free(f);
}

static void test_plain_mode_ticks_multi_and_asks_again(void **state)
{
	(void)state;
	Form *f = load_ok(MULTI);
	Session *s = open_new(f, "plain.csv");
	static const char input[] = "甲\n1 3\n2\n\n\n:w\n:q\n";
	FILE *in = fmemopen((void *)input, strlen(input), "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_int_equal(plain_run(s, in, out), 0);
	fclose(in);
	fclose(out);
	assert_non_null(strstr(buf, "可複選 (輸入號碼勾選或取消，可一次輸入多個；Enter 完成)：[ ]1 加強監控  [ ]2 限制存取"));
	assert_non_null(strstr(buf, "[x]1 加強監控  [ ]2 限制存取  [x]3 人工作業替代  [ ]4 異地備援"));
	assert_non_null(strstr(buf, "目前：加強監控、限制存取、人工作業替代"));
	size_t n;
	char *saved = read_file(session_path(s), &n);
	assert_non_null(strstr(saved, "\r\n甲,加強監控、限制存取、人工作業替代,\r\n"));
	free(saved);
	free(buf);
	session_free(s);
	form_free(f);
}

/* ---- workbooks: validations laid out, dates read back -------------------------------- */

static const LayoutDropdown *dv_of(const Layout *l, size_t col)
{
	for (size_t i = 0; i < l->sheets[0].ndropdowns; i++)
		if (l->sheets[0].dropdowns[i].col == col)
			return &l->sheets[0].dropdowns[i];
	return NULL;
}

static void test_layout_validations_of_the_new_kinds(void **state)
{
	(void)state;
	Form *f = load_ok("[field.day]\nheader = 日期\nkind = date\n"
			  "[field.due]\nheader = 完成日\nkind = date\ndate_format = roc\nmin = today\nmax = 2030-12-31\n"
			  "[field.hours]\nheader = 時數\nkind = decimal\ndecimals = 1\nmin = 0.5\nmax = 720\n"
			  "[field.count]\nheader = 次數\nkind = integer\nhelp = 填次數\n"
			  "[field.m]\nheader = 措施\nkind = multi\nvalues = 監控|備援\nhelp = 可填多項\n");
	Table *t = table_new(f);
	DiagList dl;
	diag_init(&dl);
	Layout *l = layout_build(t, ".xlsx", false, &dl);
	assert_non_null(l);
	const LayoutDropdown *d = dv_of(l, 1);
	assert_int_equal(d->check, LAYOUT_DV_DATE);
	assert_true(d->min.present && !d->min.today && d->min.year == 1900 && d->min.month == 1);
	assert_true(d->max.present && d->max.year == 9999 && d->max.day == 31);
	d = dv_of(l, 2);
	assert_int_equal(d->check, LAYOUT_DV_DATE);
	assert_true(d->min.today);
	assert_true(d->max.year == 2030 && d->max.month == 12 && d->max.day == 31);
	assert_string_equal(d->error_message, "請填 今天 到 2030/12/31 之間的日期");
	d = dv_of(l, 3);
	assert_int_equal(d->check, LAYOUT_DV_DECIMAL);
	assert_string_equal(d->min.text, "0.5");
	assert_string_equal(d->max.text, "720");
	assert_true(d->max.number == 720);
	assert_string_equal(d->error_message, "請填 0.5 到 720 之間的數字 (最多 1 位小數)");
	d = dv_of(l, 4);
	assert_int_equal(d->check, LAYOUT_DV_WHOLE);
	assert_true(d->min.present && d->min.number == 0 && !d->max.present); /* no sign */
	assert_string_equal(d->error_message, "請填 0 以上的整數");
	assert_string_equal(d->input_title, "次數");
	assert_string_equal(d->input_message, "填次數");
	d = dv_of(l, 5);
	assert_int_equal(d->check, LAYOUT_DV_ANY);
	assert_string_equal(d->input_message, "可填多項；可複選：以「、」分隔多個項目，例如「監控、備援」");
	assert_null(dv_of(l, 0)); /* text: none */
	layout_free(l);
	diag_free(&dl);
	table_free(t);
	form_free(f);
}

/* What Excel stores for a date typed into a date column, its serial, is
 * read back as that date, in the field's date_format. */
static void test_xlsx_date_serial_read_as_the_date(void **state)
{
	(void)state;
	Form *f = load_ok("[field.roc]\nheader = 民國日期\nkind = date\ndate_format = roc\n"
			  "[field.n]\nheader = 數量\nkind = integer\n");
	char *path = xasprintf("%s/serial.xlsx", tmpdir);
	lxw_workbook *wb = workbook_new(path);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "測試");
	lxw_format *date = workbook_add_format(wb);
	format_set_num_format(date, "yyyy/mm/dd");
	worksheet_write_string(ws, 0, 0, "名稱", NULL);
	worksheet_write_string(ws, 0, 1, "民國日期", NULL);
	worksheet_write_string(ws, 0, 2, "數量", NULL);
	worksheet_write_string(ws, 1, 0, "甲", NULL);
	worksheet_write_number(ws, 1, 1, 45413, date); /* 2024-05-01 */
	worksheet_write_number(ws, 1, 2, 45413, NULL); /* a number stays one */
	worksheet_write_string(ws, 2, 0, "乙", NULL);
	worksheet_write_string(ws, 2, 1, "2024/5/2", NULL);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	DiagList dl;
	diag_init(&dl);
	FileFormat fmt = {ENC_UTF8, true, true};
	Table *t = xlsxin_load(path, f, fmt, &dl);
	assert_non_null(t);
	assert_string_equal(table_record_c(t, 0)->cells[1], "113/05/01");
	assert_string_equal(table_record_c(t, 0)->cells[2], "45413");
	assert_string_equal(table_record_c(t, 1)->cells[1], "113/05/02");
	table_free(t);
	diag_free(&dl);
	free(path);
	form_free(f);
}

/* ---- the two forms of the issue ------------------------------------------------------- */

static void test_asset_inventory_form_as_the_issue_lists_it(void **state)
{
	(void)state;
	Form *f = load_form_or_fail("forms/asset-inventory.ini");
	static const char *const headers[] = {
	    "資產名稱", "主分類(PE/DC/DA/SW/HW/VM/BS)", "子分類", "擁有者", "保管單位",
	    "機密性(普/中/高)", "完整性(普/中/高)", "可用性(普/中/高)", "是否資通系統(是/否)",
	    "是否大陸廠牌(是/否)", "備註"};
	for (size_t i = 0; i < 11; i++)
		assert_string_equal(form_field(f, i)->header, headers[i]);
	const FormField *cat = form_field(f, 1);
	assert_string_equal(cat->values[6], "BS");
	assert_string_equal(cat->value_labels[6], "基礎服務");
	const FormField *level = form_field(f, field_of(f, "level"));
	assert_int_equal(level->compute.op, COMPUTE_MAX);
	const FormField *contract = form_field(f, field_of(f, "contract_end"));
	assert_true(contract->kind == KIND_DATE && contract->roc);
	const FormField *mtpd = form_field(f, field_of(f, "mtpd"));
	assert_true(mtpd->kind == KIND_DECIMAL && mtpd->decimals == 1);
	assert_true(mtpd->min.v == 0 && mtpd->max.v == 720 * (int64_t)VALUE_SCALE);
	/* every 子分類 belongs to exactly one 主分類 */
	const FormField *sub = form_field(f, 2);
	for (size_t v = 0; v < sub->nvalues; v++) {
		size_t owners = 0;
		for (size_t k = 0; k < form_nrules(f); k++) {
			const FormRule *r = form_rule(f, k);
			for (size_t i = 0; r->type == RULE_ONLY && r->fields[0] == 2 && i < r->nvalues; i++)
				owners += strcmp(r->values[i], sub->values[v]) == 0;
		}
		if (owners != 1)
			fail_msg("子分類 %s belongs to %zu 主分類", sub->values[v], owners);
	}
	form_free(f);
}

static void test_protection_baseline_form_as_the_issue_lists_it(void **state)
{
	(void)state;
	Form *f = load_form_or_fail("forms/protection-baseline.ini");
	static const char *const headers[] = {
	    "項次",	     "構面",	       "措施內容",		      "系統防護需求等級", "是否套用",
	    "執行說明", "執行結果符合性", "發現缺失及建議改善事項", "預計完成日期",	  "備註"};
	assert_int_equal(form_nfields(f), 10);
	for (size_t i = 0; i < 10; i++)
		assert_string_equal(form_field(f, i)->header, headers[i]);
	const FormField *due = form_field(f, 8);
	assert_true(due->kind == KIND_DATE && due->min.today);
	Rec r = rec_new(f);
	rec_set(&r, "item", "1");
	rec_set(&r, "aspect", "存取控制");
	rec_set(&r, "measure", "帳號管理");
	rec_set(&r, "level", "中");
	rec_set(&r, "applied", "否");
	rec_set(&r, "how", "尚未採購");
	rec_set(&r, "result", "不符合");
	rec_set(&r, "gap", "未導入");
	assert_string_equal(only_problem(&r, "due"), "執行結果符合性為「不符合」時必填");
	rec_set(&r, "due", "民國118年6月30日");
	assert_string_equal(rec_get(&r, "due"), "118/06/30");
	no_problem(&r);
	rec_free(&r);
	form_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_date_is_stored_as_its_date_format),
	    cmocka_unit_test(test_date_impossible_or_not_a_date_is_named),
	    cmocka_unit_test(test_date_min_max_in_either_form_and_today),
	    cmocka_unit_test(test_date_keys_refused_where_wrong),
	    cmocka_unit_test(test_decimal_digits_and_full_width_point),
	    cmocka_unit_test(test_out_of_range_message_gives_the_range),
	    cmocka_unit_test(test_number_keys_refused_where_wrong),
	    cmocka_unit_test(test_multi_stored_in_values_order_joined_by_separator),
	    cmocka_unit_test(test_multi_unknown_item_is_named),
	    cmocka_unit_test(test_multi_keys_refused_where_wrong),
	    cmocka_unit_test(test_when_and_needs_every_clause),
	    cmocka_unit_test(test_when_or_needs_one_clause),
	    cmocka_unit_test(test_when_comparisons_of_numbers_and_dates),
	    cmocka_unit_test(test_when_is_empty_is_filled_and_multi),
	    cmocka_unit_test(test_when_value_may_hold_and_or),
	    cmocka_unit_test(test_when_refused_where_wrong),
	    cmocka_unit_test(test_count_rule_with_two_clauses_as_read),
	    cmocka_unit_test(test_optional_rule_of_clauses_says_when),
	    cmocka_unit_test(test_compare_field_with_field_waits_while_empty),
	    cmocka_unit_test(test_compare_every_operator),
	    cmocka_unit_test(test_compare_dates_today_when_severity_message),
	    cmocka_unit_test(test_compare_refused_where_wrong),
	    cmocka_unit_test(test_compute_max_min_sum),
	    cmocka_unit_test(test_check_reports_a_value_that_is_not_the_computed_one),
	    cmocka_unit_test(test_follow_fills_computed_fields_as_inputs_change),
	    cmocka_unit_test(test_compute_refused_where_wrong),
	    cmocka_unit_test(test_session_toggles_multi_values),
	    cmocka_unit_test(test_session_computed_field_is_never_typed),
	    cmocka_unit_test(test_plain_mode_ticks_multi_and_asks_again),
	    cmocka_unit_test(test_layout_validations_of_the_new_kinds),
	    cmocka_unit_test(test_xlsx_date_serial_read_as_the_date),
	    cmocka_unit_test(test_asset_inventory_form_as_the_issue_lists_it),
	    cmocka_unit_test(test_protection_baseline_form_as_the_issue_lists_it),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
