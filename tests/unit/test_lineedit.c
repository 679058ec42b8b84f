/* test_lineedit.c - the entry screen's line editor, without a terminal:
 * cursor columns with CJK, deleting wide characters, clipping at the edge,
 * control characters shown escaped. */
#include <locale.h>
#include <wchar.h>

#include "lineedit.h"
#include "testutil.h"

static int setup(void **state)
{
	(void)state;
	return setlocale(LC_ALL, "C.UTF-8") ? 0 : -1; /* wcwidth needs it */
}

static char *text(const LineEdit *e)
{
	return lineedit_text(e);
}

static void expect_text(const LineEdit *e, const char *want)
{
	char *t = text(e);
	assert_string_equal(t, want);
	free(t);
}

static void expect_view(LineEdit *e, int width, const wchar_t *want, int want_col)
{
	wchar_t out[64];
	int col;
	lineedit_view(e, width, out, &col);
	if (wcscmp(out, want) != 0 || col != want_col)
		fprintf(stderr, "view [%ls] col %d, want [%ls] col %d\n", out, col, want, want_col);
	assert_true(wcscmp(out, want) == 0);
	assert_int_equal(col, want_col);
}

static void test_insert_anywhere_and_move(void **state)
{
	(void)state;
	LineEdit e;
	lineedit_init(&e, "王明");
	assert_int_equal(e.cur, 2);
	assert_true(lineedit_left(&e));
	lineedit_insert(&e, 0x5C0F); /* 小 */
	expect_text(&e, "王小明");
	assert_true(lineedit_home(&e));
	assert_false(lineedit_left(&e));
	lineedit_insert(&e, 'A');
	expect_text(&e, "A王小明");
	assert_true(lineedit_end(&e));
	assert_false(lineedit_right(&e));
	lineedit_free(&e);
}

static void test_cursor_columns_with_cjk(void **state)
{
	(void)state;
	LineEdit e;
	lineedit_init(&e, "AB王小");
	expect_view(&e, 10, L"AB王小    ", 6);
	lineedit_left(&e);
	expect_view(&e, 10, L"AB王小    ", 4);
	lineedit_left(&e);
	expect_view(&e, 10, L"AB王小    ", 2);
	lineedit_left(&e);
	expect_view(&e, 10, L"AB王小    ", 1);
	lineedit_free(&e);
}

static void test_backspace_and_delete_remove_whole_wide_characters(void **state)
{
	(void)state;
	LineEdit e;
	lineedit_init(&e, "系統A");
	assert_true(lineedit_backspace(&e));
	expect_text(&e, "系統");
	assert_true(lineedit_backspace(&e));
	expect_text(&e, "系");
	lineedit_home(&e);
	assert_false(lineedit_backspace(&e));
	assert_true(lineedit_delete(&e));
	expect_text(&e, "");
	assert_false(lineedit_delete(&e));
	lineedit_free(&e);
	lineedit_init(&e, "abc");
	assert_true(lineedit_clear(&e));
	expect_text(&e, "");
	lineedit_free(&e);
}

static void test_long_value_scrolls_and_never_splits_a_wide_character(void **state)
{
	(void)state;
	LineEdit e;
	lineedit_init(&e, "一二三四五六");
	/* 12 columns in a 7-column field: the cursor at the end needs one
	 * column, so the view starts at 四 (3 chars = 6 cols + cursor) */
	expect_view(&e, 7, L"四五六 ", 6);
	lineedit_home(&e);
	/* from the start: 一二三 fill 6 columns; 四 would straddle the edge */
	expect_view(&e, 7, L"一二三 ", 0);
	lineedit_free(&e);
}

static void test_mixed_width_clip_at_odd_edge(void **state)
{
	(void)state;
	wchar_t out[32];
	lineedit_clip("AB一二", 5, out);
	assert_true(wcscmp(out, L"AB一>") == 0); /* cut: marked */
	lineedit_clip("AB一", 5, out);
	assert_true(wcscmp(out, L"AB一 ") == 0);
	lineedit_clip("一二三四五六", 9, out);
	assert_true(wcscmp(out, L"一二三四>") == 0);
}

static void test_control_characters_are_shown_escaped(void **state)
{
	(void)state;
	LineEdit e;
	lineedit_init(&e, "a\x1b]0;x\x07\nb");
	wchar_t out[64];
	int col;
	lineedit_view(&e, 20, out, &col);
	assert_true(wcscmp(out, L"a\\e]0;x\\x07\\nb      ") == 0);
	assert_null(wcschr(out, 0x1b));
	assert_int_equal(col, 14);
	expect_text(&e, "a\x1b]0;x\x07\nb"); /* the value itself is unchanged */
	lineedit_free(&e);
}

static void test_invalid_utf8_becomes_replacement_character(void **state)
{
	(void)state;
	LineEdit e;
	lineedit_init(&e, "a\xffz");
	expect_text(&e, "a\xEF\xBF\xBDz");
	lineedit_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_insert_anywhere_and_move),
	    cmocka_unit_test(test_cursor_columns_with_cjk),
	    cmocka_unit_test(test_backspace_and_delete_remove_whole_wide_characters),
	    cmocka_unit_test(test_long_value_scrolls_and_never_splits_a_wide_character),
	    cmocka_unit_test(test_mixed_width_clip_at_odd_edge),
	    cmocka_unit_test(test_control_characters_are_shown_escaped),
	    cmocka_unit_test(test_invalid_utf8_becomes_replacement_character),
	};
	return cmocka_run_group_tests_name("lineedit", tests, setup, NULL) ? 1 : 0;
}
