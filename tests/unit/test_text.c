/* test_text.c - UTF-8 helpers and the escaping of values before printing. */
#include "testutil.h"

static void test_trim_ascii_and_fullwidth_spaces(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	    {"  a b  ", "a b"},   {"\t\r\nx\r\n", "x"}, {"　系統　A　", "系統　A"},
	    {"", ""},             {"　　", ""},          {"王", "王"},
	    {"\xE3\x80", "\xE3\x80"}, /* a cut U+3000 is not a space (and no overread) */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *t = text_trim(cases[i][0]);
		assert_string_equal(t, cases[i][1]);
		free(t);
	}
}

static void test_halfwidth_converts_what_an_ime_types(void **state)
{
	(void)state;
	char *h = text_halfwidth("２．１６．８８６　ＹｎＡ（必填）王");
	assert_string_equal(h, "2.16.886 YnA(必填)王");
	free(h);
}

static void test_escape_makes_control_characters_visible(void **state)
{
	(void)state;
	char *e = text_escape("a\x1b]0;evil\x07" "b\r\n\t\x7f\xc2\x9b" "c\xff王");
	assert_string_equal(e, "a\\e]0;evil\\x07b\\r\\n\\t\\x7F\\x9Bc\\xFF王");
	assert_null(strchr(e, 0x1b));
	free(e);
	assert_true(text_needs_escape("x\x1b"));
	assert_false(text_needs_escape("系統A (ok)"));
}

static void test_utf8_decoder_rejects_malformed_input(void **state)
{
	(void)state;
	uint32_t cp;
	assert_int_equal(text_utf8_decode("王", 3, &cp), 3);
	assert_int_equal(cp, 0x738B);
	assert_int_equal(text_utf8_decode("\xF0\xA0\x95\x87", 4, &cp), 4); /* U+20547 */
	assert_int_equal(cp, 0x20547);
	assert_int_equal(text_utf8_decode("\xC0\xAF", 2, &cp), 0);         /* overlong */
	assert_int_equal(text_utf8_decode("\xED\xA0\x80", 3, &cp), 0);     /* surrogate */
	assert_int_equal(text_utf8_decode("\xE7\x8E", 2, &cp), 0);         /* truncated */
	assert_int_equal(cp, 0xFFFD);
	assert_int_equal(text_utf8_invalid_at("ab王\xFFz", 7), 5);
	char out[4];
	assert_int_equal(text_utf8_encode(0x20547, out), 4);
	assert_memory_equal(out, "\xF0\xA0\x95\x87", 4);
}

static void test_diag_print_escapes_file_label_and_message(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	DiagList dl;
	diag_init(&dl);
	diag_add(&dl, DIAG_ERROR, 7, 0, 0, 1, "「%s」不對", "\x1b[2J");
	diag_print(f, "a\nb.csv", &dl.items[0], "系統名稱");
	fclose(f);
	assert_string_equal(buf, "a\\nb.csv:7: error: 系統名稱: 「\\e[2J」不對\n");
	free(buf);
	diag_free(&dl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_trim_ascii_and_fullwidth_spaces),
	    cmocka_unit_test(test_halfwidth_converts_what_an_ime_types),
	    cmocka_unit_test(test_escape_makes_control_characters_visible),
	    cmocka_unit_test(test_utf8_decoder_rejects_malformed_input),
	    cmocka_unit_test(test_diag_print_escapes_file_label_and_message),
	};
	return cmocka_run_group_tests_name("text", tests, NULL, NULL) ? 1 : 0;
}
