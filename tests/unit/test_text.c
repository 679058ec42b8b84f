/* test_text.c - UTF-8 helpers and the escaping of values before printing. */
#include "mem.h"
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
	assert_false(text_needs_escape("\xc2\xa0NBSP\xc2\xbf")); /* C2 that is no C1 control */
	assert_true(text_needs_escape("ok\xc2\x85"));             /* NEL, a C1 control */
	assert_true(text_needs_escape("ok\xc2"));                  /* cut */
	assert_true(text_needs_escape("\xe7\xb3"));               /* cut */
}

/* text_needs_escape says whether text_escape changes a string, for
 * 200,000 random strings of bytes that make C0, DEL, C1, valid, invalid
 * and cut sequences likely. */
static void test_needs_escape_agrees_with_escape(void **state)
{
	(void)state;
	static const unsigned char pool[] = {'a', ' ', 0x01, 0x1B, 0x7F, 0xC2, 0x80, 0x9F, 0xA0,
					     0xBF, 0xE7, 0xB3, 0xBB, 0xF0, 0x9F, 0xFF, 0xC0, 0xED};
	unsigned seed = 12345;
	char s[16];
	for (int round = 0; round < 200000; round++) {
		seed = seed * 1103515245u + 12345u;
		size_t n = (seed >> 16) % sizeof s;
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			s[i] = (char)pool[(seed >> 16) % sizeof pool];
		}
		s[n] = '\0';
		char *e = text_escape(s);
		assert_int_equal(text_needs_escape(s), strcmp(e, s) != 0);
		free(e);
	}
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

/* Where the first bad character of s[0..n) starts, the plain way
 * (RFC 3629, table 3-7 of Unicode): what text_utf8_invalid_at must say. */
static size_t reference_invalid_at(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t len;
		unsigned lo = 0x80, hi = 0xBF; /* the second byte's range */
		if (c < 0x80)
			len = 1;
		else if (c >= 0xC2 && c <= 0xDF)
			len = 2;
		else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			lo = c == 0xE0 ? 0xA0 : 0x80;
			hi = c == 0xED ? 0x9F : 0xBF;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			lo = c == 0xF0 ? 0x90 : 0x80;
			hi = c == 0xF4 ? 0x8F : 0xBF;
		} else
			return i;
		if (i + len > n)
			return i;
		for (size_t k = 1; k < len; k++) {
			unsigned b = s[i + k];
			if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
				return i;
		}
		i += len;
	}
	return n;
}

/* text_utf8_invalid_at reads sixteen bytes at a time where it can: on
 * 200,000 strings (valid text of every length of character, then with a
 * byte changed, dropped or cut off anywhere, ASCII runs between) it says
 * what the plain way says. */
static void test_utf8_check_agrees_with_the_plain_way(void **state)
{
	(void)state;
	static const char *const pieces[] = {"a", "ab,", "\"x\"\n", "王", "資通系統", "é", "\xF0\xA0\x95\x87",
					     "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF", "\xED\x9F\xBF", "\xE0\xA0\x80",
					     "0123456789abcdef"};
	static const unsigned char bytes[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
					      0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0,
					      0xF4, 0xF5, 0xFF, '\n'};
	unsigned seed = 109;
	unsigned char buf[200];
	size_t checked_bad = 0;
	for (int round = 0; round < 200000; round++) {
		size_t n = 0;
		seed = seed * 1103515245u + 12345u;
		size_t want = (seed >> 16) % 120;
		while (n < want) {
			seed = seed * 1103515245u + 12345u;
			const char *p = pieces[(seed >> 16) % (sizeof pieces / sizeof *pieces)];
			size_t l = strlen(p);
			if (n + l > sizeof buf)
				break;
			memcpy(buf + n, p, l);
			n += l;
		}
		seed = seed * 1103515245u + 12345u;
		switch ((seed >> 16) % 4) {
		case 0: /* left valid */
			break;
		case 1: /* a byte changed */
			if (n) {
				seed = seed * 1103515245u + 12345u;
				buf[(seed >> 8) % n] = bytes[(seed >> 16) % sizeof bytes];
			}
			break;
		case 2: /* a byte dropped */
			if (n) {
				seed = seed * 1103515245u + 12345u;
				size_t at = (seed >> 8) % n;
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
			}
			break;
		default: /* cut off */
			seed = seed * 1103515245u + 12345u;
			n = n ? (seed >> 8) % n : 0;
		}
		size_t want_at = reference_invalid_at(buf, n);
		checked_bad += want_at < n;
		assert_int_equal(text_utf8_invalid_at((const char *)buf, n), want_at);
	}
	assert_true(checked_bad > 50000); /* the bad ones were many */
}

/* xmalloc_huge gives whole 2 MiB pages, aligned, at least what was asked
 * (0 included), every byte of them usable. */
static void test_huge_blocks_are_whole_aligned_pages(void **state)
{
	(void)state;
	static const size_t asks[] = {
	    0, 1, HUGE_PAGE - 1, HUGE_PAGE, HUGE_PAGE + 1, 5 * HUGE_PAGE / 2,
	};
	for (size_t i = 0; i < sizeof asks / sizeof *asks; i++) {
		size_t got = 0;
		unsigned char *p = xmalloc_huge(asks[i], &got);
		assert_true(got >= asks[i] && got >= HUGE_PAGE);
		assert_int_equal(got % HUGE_PAGE, 0);
		assert_true(got - asks[i] < HUGE_PAGE || asks[i] == 0);
		assert_int_equal((uintptr_t)p % HUGE_PAGE, 0);
		memset(p, 0xA5, got);
		assert_int_equal(p[got - 1], 0xA5);
		free(p);
	}
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
	assert_string_equal(buf, "a\\nb.csv:7: error: 第 1 筆: 系統名稱: 「\\e[2J」不對\n");
	free(buf);
	diag_free(&dl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_trim_ascii_and_fullwidth_spaces),
	    cmocka_unit_test(test_halfwidth_converts_what_an_ime_types),
	    cmocka_unit_test(test_escape_makes_control_characters_visible),
	    cmocka_unit_test(test_needs_escape_agrees_with_escape),
	    cmocka_unit_test(test_utf8_decoder_rejects_malformed_input),
	    cmocka_unit_test(test_utf8_check_agrees_with_the_plain_way),
	    cmocka_unit_test(test_diag_print_escapes_file_label_and_message),
	    cmocka_unit_test(test_huge_blocks_are_whole_aligned_pages),
	};
	return cmocka_run_group_tests_name("text", tests, NULL, NULL) ? 1 : 0;
}
