/* test_print.c - the PDF of a table (print.h), the form's [print] keys
 * that drive it, and sending a file to a printer.  What the PDF says is
 * read back with poppler in tests/cli/cases/print-*. */
#include "testutil.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "io.h"
#include "print.h"

#define ADMIN "forms/admin-account.ini"

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/spmform-print.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static char *tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	rewind(f);
	char *buf = xmalloc((size_t)len + 1);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	*n = (size_t)len;
	return buf;
}

/* Whether the n bytes at buf hold needle. */
static bool has_bytes(const char *buf, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(buf + i, needle, m) == 0)
			return true;
	return false;
}

static bool diags_say(const DiagList *dl, const char *part)
{
	for (size_t i = 0; i < dl->n; i++)
		if (strstr(dl->items[i].msg, part))
			return true;
	return false;
}

/* A form file in tmpdir with text. */
static char *write_form(const char *name, const char *text)
{
	char *p = tmp_path(name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static Table *examples(const Form *form)
{
	Table *t = table_new(form);
	for (size_t i = 0; i < 5; i++)
		add_row(t, EXAMPLE_ROWS[i], (long)i + 2);
	return t;
}

static PrintOptions options(void)
{
	return (PrintOptions){.date = 1700000000};
}

/* ---- the form's keys -------------------------------------------------- */

static void test_inventory_prints_every_column_landscape_as_a_list(void **state)
{
	(void)state;
	Form *form = load_form_or_fail(INVENTORY);
	const FormPrint *p = form_print(form);
	assert_int_equal(p->layout, PRINT_LIST);
	assert_true(p->landscape);
	assert_true(p->nsign_lines >= 1);
	assert_true(p->agency_field >= 0);
	assert_string_equal(form_field(form, (size_t)p->agency_field)->id, "agency_name");
	assert_non_null(p->date_caption);
	for (size_t i = 0; i < form_nfields(form); i++)
		assert_true(form_field(form, i)->print_width > 0);
	form_free(form);
}

static void test_admin_form_is_a_portrait_sheet_with_three_signature_boxes(void **state)
{
	(void)state;
	Form *form = load_form_or_fail(ADMIN);
	const FormPrint *p = form_print(form);
	assert_int_equal(p->layout, PRINT_SHEET);
	assert_false(p->landscape);
	assert_int_equal(p->nsignatures, 3);
	assert_int_equal(p->nnotes, 5);
	assert_true(p->full_headers);
	form_free(form);
}

static const char MINI[] = "[form]\nid = mini\ntitle = 小表\n"
			   "[field.a]\nheader = 甲\n"
			   "[field.b]\nheader = 乙\nprint_width = 2.5\n";

static void test_print_width_defaults_to_one_and_reads_decimals(void **state)
{
	(void)state;
	char *path = write_form("mini.ini", MINI);
	Form *form = load_form_or_fail(path);
	assert_true(form_field(form, 0)->print_width == 1.0);
	assert_true(form_field(form, 1)->print_width == 2.5);
	/* no [print]: a list, portrait, 9 points, full headers */
	const FormPrint *p = form_print(form);
	assert_int_equal(p->layout, PRINT_LIST);
	assert_false(p->landscape);
	assert_true(p->font_size == 9.0);
	assert_int_equal(p->agency_field, -1);
	form_free(form);
	free(path);
}

static void test_a_print_section_with_signatures_is_a_sheet_unless_it_says_list(void **state)
{
	(void)state;
	char *text = xasprintf("%s[print]\nsignatures = 甲|乙\n", MINI);
	char *path = write_form("sig.ini", text);
	Form *form = load_form_or_fail(path);
	assert_int_equal(form_print(form)->layout, PRINT_SHEET);
	form_free(form);
	free(text);
	free(path);
	text = xasprintf("%s[print]\nlayout = list\nsignatures = 甲|乙\n", MINI);
	path = write_form("sig2.ini", text);
	form = load_form_or_fail(path);
	assert_int_equal(form_print(form)->layout, PRINT_LIST);
	form_free(form);
	free(text);
	free(path);
}

/* Each bad value is an error on its own line, and all are reported. */
static void test_bad_print_keys_are_errors_with_their_lines(void **state)
{
	(void)state;
	char *text = xasprintf("%s"         /* lines 1-8 */
			       "[field.c]\n" /* 9 */
			       "header = 丙\n"
			       "print_width = -1\n" /* 11 */
			       "[print]\n"
			       "layout = table\n"       /* 13 */
			       "orientation = sideways\n" /* 14 */
			       "font_size = 99\n"       /* 15 */
			       "agency = nope\n"        /* 16 */
			       "headers = long\n"       /* 17 */
			       "colour = red\n",        /* 18 */
			       MINI);
	char *path = write_form("bad.ini", text);
	DiagList dl;
	diag_init(&dl);
	assert_null(form_load(path, &dl));
	long want[] = {11, 13, 14, 15, 16, 17, 18};
	for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
		bool seen = false;
		for (size_t i = 0; i < dl.n; i++)
			seen |= dl.items[i].line == want[k] && dl.items[i].level == DIAG_ERROR;
		if (!seen)
			fail_msg("no error on line %ld", want[k]);
	}
	assert_true(diags_say(&dl, "print_width"));
	assert_true(diags_say(&dl, "不存在的欄位「nope」"));
	diag_free(&dl);
	free(text);
	free(path);
}

static void test_a_form_with_no_printed_field_is_an_error(void **state)
{
	(void)state;
	char *path = write_form("none.ini", "[form]\nid = n\ntitle = 無\n"
					    "[field.a]\nheader = 甲\nprint_width = 0\n");
	DiagList dl;
	diag_init(&dl);
	assert_null(form_load(path, &dl));
	assert_true(diags_say(&dl, "print_width 都是 0"));
	diag_free(&dl);
	free(path);
}

/* ---- the PDF ----------------------------------------------------------- */

static void test_examples_print_on_one_a4_landscape_page_with_the_font_embedded(void **state)
{
	(void)state;
	Form *form = load_form_or_fail(INVENTORY);
	Table *t = examples(form);
	char *path = tmp_path("ex.pdf");
	DiagList dl;
	diag_init(&dl);
	PrintOptions opt = options();
	PrintSummary sum;
	assert_int_equal(print_pdf(t, path, &opt, false, &sum, &dl), 0);
	assert_int_equal(dl.nerrors, 0);
	assert_int_equal(sum.pages, 1);
	assert_int_equal(sum.records, 5);
	assert_int_equal(sum.with_errors, 0);
	assert_string_equal(sum.family, PRINT_FONT_FAMILY);
	size_t n;
	char *pdf = slurp(path, &n);
	assert_true(n > 4 && memcmp(pdf, "%PDF", 4) == 0);
	assert_true(has_bytes(pdf, n, "/MediaBox [ 0 0 841.89 595.28 ]"));
	assert_true(has_bytes(pdf, n, "/FontFile2")); /* TrueType, embedded */
	assert_true(has_bytes(pdf, n, "+UMingTW"));   /* a subset: XXXXXX+name */
	free(pdf);
	free(sum.family);
	diag_free(&dl);
	free(path);
	table_free(t);
	form_free(form);
}

static void test_admin_form_prints_portrait(void **state)
{
	(void)state;
	Form *form = load_form_or_fail(ADMIN);
	Table *t = table_new(form);
	add_row(t, "1\t1\t2.16.886.101.20003\t行政院\t資通安全處\t王小明\t科員\twang2026\twang@ey.gov.tw\t02-33568170",
		2);
	char *path = tmp_path("admin.pdf");
	DiagList dl;
	diag_init(&dl);
	PrintOptions opt = options();
	PrintSummary sum;
	assert_int_equal(print_pdf(t, path, &opt, false, &sum, &dl), 0);
	assert_int_equal(sum.pages, 1);
	size_t n;
	char *pdf = slurp(path, &n);
	assert_true(has_bytes(pdf, n, "/MediaBox [ 0 0 595.28 841.89 ]"));
	free(pdf);
	free(sum.family);
	diag_free(&dl);
	free(path);
	table_free(t);
	form_free(form);
}

static void test_records_with_errors_are_printed_and_counted(void **state)
{
	(void)state;
	Form *form = load_form_or_fail(INVENTORY);
	Table *t = examples(form);
	/* record 2 loses its required system name, record 4 its level */
	table_put(t, 1, (size_t)form_field_index(form, "name"), xstrdup(""));
	table_put(t, 3, (size_t)form_field_index(form, "level"), xstrdup("普"));
	char *path = tmp_path("err.pdf");
	DiagList dl;
	diag_init(&dl);
	PrintOptions opt = options();
	PrintSummary sum;
	assert_int_equal(print_pdf(t, path, &opt, false, &sum, &dl), 0);
	assert_int_equal(sum.records, 5);
	assert_int_equal(sum.with_errors, 2);
	free(sum.family);
	diag_free(&dl);
	free(path);
	table_free(t);
	form_free(form);
}

/* A value far taller than a page is cut between lines and goes on over the
 * pages after, each with the header row again: nothing is cut off. */
static void test_a_row_taller_than_a_page_goes_on_over_the_next_pages(void **state)
{
	(void)state;
	Form *form = load_form_or_fail(INVENTORY);
	Table *t = examples(form);
	char *big = xmalloc(3 * 3000 + 1);
	for (size_t i = 0; i < 3000; i++)
		memcpy(big + 3 * i, "說", 3);
	big[3 * 3000] = '\0';
	table_put(t, 0, (size_t)form_field_index(form, "gap_note"), big);
	char *path = tmp_path("tall.pdf");
	DiagList dl;
	diag_init(&dl);
	PrintOptions opt = options();
	PrintSummary sum;
	assert_int_equal(print_pdf(t, path, &opt, false, &sum, &dl), 0);
	/* 3,000 characters at 7.5 points, 10 to a line of the 85-point column:
	 * 300 lines of about 7.9 points, about 2,360 points: 5 pages or more */
	assert_true(sum.pages >= 5);
	assert_true(sum.pages <= 8);
	free(sum.family);
	diag_free(&dl);
	free(path);
	table_free(t);
	form_free(form);
}

static void test_an_empty_table_prints_one_page(void **state)
{
	(void)state;
	Form *form = load_form_or_fail(ADMIN);
	Table *t = table_new(form);
	char *path = tmp_path("empty.pdf");
	DiagList dl;
	diag_init(&dl);
	PrintOptions opt = options();
	PrintSummary sum;
	assert_int_equal(print_pdf(t, path, &opt, false, &sum, &dl), 0);
	assert_int_equal(sum.pages, 1);
	assert_int_equal(sum.records, 0);
	free(sum.family);
	diag_free(&dl);
	free(path);
	table_free(t);
	form_free(form);
}

/* Without a font for Traditional Chinese nothing is written, and the
 * message names the package to install. */
static void test_no_cjk_font_fails_naming_the_package(void **state)
{
	(void)state;
	char *empty = tmp_path("nofonts");
	assert_int_equal(mkdir(empty, 0700), 0);
	char *conf = xasprintf("<?xml version=\"1.0\"?>\n<fontconfig><dir>%s</dir></fontconfig>\n",
			       empty);
	char *conf_path = write_form("fonts.conf", conf);
	Form *form = load_form_or_fail(INVENTORY);
	Table *t = examples(form);
	char *path = tmp_path("nofont.pdf");
	DiagList dl;
	diag_init(&dl);
	PrintOptions opt = options();
	opt.fonts_conf = conf_path;
	assert_int_equal(print_pdf(t, path, &opt, false, NULL, &dl), -1);
	assert_true(diags_say(&dl, PRINT_FONT_PACKAGE));
	assert_int_equal(access(path, F_OK), -1);
	diag_free(&dl);
	free(path);
	table_free(t);
	form_free(form);
	free(conf_path);
	free(conf);
	free(empty);
}

/* A character the font lacks would print as a box: print says where.
 * Only the font's own folder is given to fontconfig, so that no other
 * font stands in for it; what fontconfig prints meanwhile is a warning,
 * not text on the terminal. */
static void test_a_character_the_font_lacks_is_reported_with_its_record_and_field(void **state)
{
	(void)state;
	char *conf = xasprintf("<?xml version=\"1.0\"?>\n<fontconfig><dir>%s</dir></fontconfig>\n",
			       "/usr/share/fonts/truetype/arphic");
	char *conf_path = write_form("uming.conf", conf);
	Form *form = load_form_or_fail(INVENTORY);
	Table *t = examples(form);
	size_t remarks = (size_t)form_field_index(form, "remarks");
	table_put(t, 2, remarks, xstrdup("上線 \xF0\x9F\x98\x80")); /* U+1F600 */
	char *path = tmp_path("glyph.pdf");
	DiagList dl;
	diag_init(&dl);
	PrintOptions opt = options();
	opt.fonts_conf = conf_path;
	assert_int_equal(print_pdf(t, path, &opt, false, NULL, &dl), 0);
	assert_int_equal(dl.nwarnings, 2);
	assert_int_equal(dl.items[0].record, 2);
	assert_int_equal(dl.items[0].field, (int)remarks);
	assert_true(diags_say(&dl, "「備註」欄有字型「AR PL UMing TW」沒有的字"));
	/* that fonts.conf names no cache folder: fontconfig says so on stderr,
	 * which is the entry screen's terminal; it comes back as a warning */
	assert_true(diags_say(&dl, "字型程式庫的訊息：Fontconfig error: No writable cache directories"));
	diag_free(&dl);
	free(path);
	table_free(t);
	form_free(form);
	free(conf_path);
	free(conf);
}

static void test_a_failed_print_leaves_the_old_file_and_makes_no_backup(void **state)
{
	(void)state;
	Form *form = load_form_or_fail(INVENTORY);
	Table *t = examples(form);
	DiagList dl;
	diag_init(&dl);
	PrintOptions opt = options();
	char *path = tmp_path("no/such/folder/x.pdf");
	assert_int_equal(print_pdf(t, path, &opt, true, NULL, &dl), -1);
	assert_true(dl.nerrors > 0);
	diag_free(&dl);
	free(path);
	/* an existing file is replaced, the old one kept as .bak */
	path = tmp_path("keep.pdf");
	FILE *f = fopen(path, "w");
	fputs("old", f);
	fclose(f);
	diag_init(&dl);
	assert_int_equal(print_pdf(t, path, &opt, true, NULL, &dl), 0);
	char *bak = xasprintf("%s.bak", path);
	size_t n;
	char *old = slurp(bak, &n);
	assert_string_equal(old, "old");
	free(old);
	free(bak);
	diag_free(&dl);
	free(path);
	table_free(t);
	form_free(form);
}

static void test_agency_comes_from_defaults_else_the_most_common_value(void **state)
{
	(void)state;
	/* the agency is not in the summary, but a form naming an agency field
	 * prints with and without defaults; here only that both work (the
	 * text is read back in tests/cli/cases/print-agency) */
	Form *form = load_form_or_fail(INVENTORY);
	Table *t = examples(form);
	ConfigDefault d = {"agency_name", "行政院"};
	Config cfg = {.defaults = &d, .ndefaults = 1};
	PrintOptions opt = options();
	opt.cfg = &cfg;
	char *path = tmp_path("agency.pdf");
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(print_pdf(t, path, &opt, false, NULL, &dl), 0);
	assert_int_equal(dl.n, 0);
	diag_free(&dl);
	free(path);
	table_free(t);
	form_free(form);
}

static void test_print_today_takes_source_date_epoch(void **state)
{
	(void)state;
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	assert_int_equal((long long)print_today(), 1700000000LL);
	setenv("SOURCE_DATE_EPOCH", "soon", 1);
	assert_true(print_today() > 1700000000);
	unsetenv("SOURCE_DATE_EPOCH");
}

static void test_the_default_output_is_the_input_with_pdf(void **state)
{
	(void)state;
	const char *cases[][2] = {{"a.csv", "a.pdf"},
				  {"盤點.XLSX", "盤點.pdf"},
				  {"dir.v2/data", "dir.v2/data.pdf"},
				  {".hidden", ".hidden.pdf"},
				  {"x.tar.csv", "x.tar.pdf"}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *got = io_with_ending(cases[i][0], IO_PDF);
		assert_string_equal(got, cases[i][1]);
		free(got);
	}
	assert_int_equal(io_kind("a.PDF"), IO_PDF);
}

/* ---- sending it --------------------------------------------------------- */

static void test_print_send_passes_the_file_as_one_argument_and_says_what_it_printed(void **state)
{
	(void)state;
	char *said;
	DiagList dl;
	diag_init(&dl);
	/* a name with a space, a quote and $(...) reaches the command whole */
	const char *name = "a b'$(echo x).pdf";
	assert_int_equal(print_send(name, "printf '%s|' request", &said, &dl), 0);
	assert_non_null(said);
	assert_string_equal(said, "request|a b'$(echo x).pdf|");
	free(said);
	assert_int_equal(dl.n, 0);
	diag_free(&dl);
}

static void test_print_send_escapes_control_characters_and_joins_lines(void **state)
{
	(void)state;
	char *said;
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(print_send("x.pdf", "printf '\\033[31mred\\nline2' #", &said, &dl), 0);
	assert_string_equal(said, "\\e[31mred; line2");
	free(said);
	assert_int_equal(print_send("x.pdf", "true", &said, &dl), 0);
	assert_null(said);
	diag_free(&dl);
}

static void test_print_send_reports_a_failing_command(void **state)
{
	(void)state;
	char *said;
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(print_send("x.pdf", "echo no printer >&2; exit 3; :", &said, &dl), -1);
	assert_null(said);
	assert_true(diags_say(&dl, "結束碼 3"));
	assert_true(diags_say(&dl, "no printer"));
	diag_free(&dl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_inventory_prints_every_column_landscape_as_a_list),
	    cmocka_unit_test(test_admin_form_is_a_portrait_sheet_with_three_signature_boxes),
	    cmocka_unit_test(test_print_width_defaults_to_one_and_reads_decimals),
	    cmocka_unit_test(test_a_print_section_with_signatures_is_a_sheet_unless_it_says_list),
	    cmocka_unit_test(test_bad_print_keys_are_errors_with_their_lines),
	    cmocka_unit_test(test_a_form_with_no_printed_field_is_an_error),
	    cmocka_unit_test(test_examples_print_on_one_a4_landscape_page_with_the_font_embedded),
	    cmocka_unit_test(test_admin_form_prints_portrait),
	    cmocka_unit_test(test_records_with_errors_are_printed_and_counted),
	    cmocka_unit_test(test_a_row_taller_than_a_page_goes_on_over_the_next_pages),
	    cmocka_unit_test(test_an_empty_table_prints_one_page),
	    cmocka_unit_test(test_no_cjk_font_fails_naming_the_package),
	    cmocka_unit_test(test_a_character_the_font_lacks_is_reported_with_its_record_and_field),
	    cmocka_unit_test(test_a_failed_print_leaves_the_old_file_and_makes_no_backup),
	    cmocka_unit_test(test_agency_comes_from_defaults_else_the_most_common_value),
	    cmocka_unit_test(test_print_today_takes_source_date_epoch),
	    cmocka_unit_test(test_the_default_output_is_the_input_with_pdf),
	    cmocka_unit_test(test_print_send_passes_the_file_as_one_argument_and_says_what_it_printed),
	    cmocka_unit_test(test_print_send_escapes_control_characters_and_joins_lines),
	    cmocka_unit_test(test_print_send_reports_a_failing_command),
	};
	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
