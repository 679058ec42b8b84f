/* text.c - UTF-8 helpers; see text.h. */
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

size_t text_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	*cp = 0xFFFD;
	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t need;
	uint32_t c;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		need = 1;
		c = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		need = 2;
		c = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		need = 3;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < need + 1)
		return 0;
	for (size_t i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((need == 2 && c < 0x800) || (need == 3 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return need + 1;
}

size_t text_utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The byte by byte check: where the first bad character starts. */
static size_t utf8_invalid_at_bytes(const char *str, size_t n)
{
	/* a tight loop: this runs over every byte of every file read */
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			while (i + 8 <= n) { /* in ASCII: eight bytes at a time */
				uint64_t w;
				memcpy(&w, s + i, 8);
				if (w & 0x8080808080808080ULL)
					break;
				i += 8;
			}
		} else if (c >= 0xC2 && c <= 0xDF) {
			if (i + 1 >= n || (s[i + 1] & 0xC0) != 0x80)
				return i;
			i += 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			if (i + 2 >= n || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 ||
			    (c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] > 0x9F))
				return i; /* cut, overlong, or a surrogate */
			i += 3;
		} else if (c >= 0xF0 && c <= 0xF4) {
			if (i + 3 >= n || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 ||
			    (s[i + 3] & 0xC0) != 0x80 || (c == 0xF0 && s[i + 1] < 0x90) ||
			    (c == 0xF4 && s[i + 1] > 0x8F))
				return i;
			i += 4;
		} else {
			return i;
		}
	}
	return n;
}

#if defined(__x86_64__) || defined(__i386__)
#include <tmmintrin.h>

/* Whether s[0..n) is all UTF-8, sixteen bytes at a time with SSSE3: the
 * lookup method of Keiser and Lemire ("Validating UTF-8 in less than one
 * instruction per byte", 2021).  Each byte is classified by its high
 * nibble and the previous byte's two nibbles through three 16-entry
 * tables; their AND has a bit set for each kind of error a pair of bytes
 * can show, except that the 3rd and 4th bytes of long characters must be
 * continuations, which is checked apart. */
#define TOO_SHORT (1 << 0)  /* a lead byte or ASCII after a lead byte */
#define TOO_LONG (1 << 1)   /* a continuation after ASCII */
#define OVERLONG_3 (1 << 2) /* E0 followed by 80..9F */
#define TOO_LARGE (1 << 3)  /* above U+10FFFF */
#define SURROGATE (1 << 4)  /* ED followed by A0..BF */
#define OVERLONG_2 (1 << 5) /* C0 or C1 */
#define TOO_LARGE_1000 (1 << 6)
#define OVERLONG_4 (1 << 6) /* F0 followed by 80..8F */
#define TWO_CONTS (1 << 7)  /* a continuation after a continuation */
#define CARRY (TOO_SHORT | TOO_LONG | TWO_CONTS)

__attribute__((target("ssse3"))) static inline __m128i nibble_hi(__m128i v)
{
	return _mm_and_si128(_mm_srli_epi16(v, 4), _mm_set1_epi8(0x0F));
}

__attribute__((target("ssse3"))) static __m128i utf8_block_errors(__m128i in, __m128i prev_in)
{
	const __m128i t1_high = _mm_setr_epi8(
	    TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
	    (char)TWO_CONTS, (char)TWO_CONTS, (char)TWO_CONTS, (char)TWO_CONTS,
	    TOO_SHORT | OVERLONG_2, TOO_SHORT, TOO_SHORT | OVERLONG_3 | SURROGATE,
	    TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4);
	const __m128i t1_low = _mm_setr_epi8(
	    (char)(CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4), (char)(CARRY | OVERLONG_2),
	    (char)CARRY, (char)CARRY, (char)(CARRY | TOO_LARGE),
	    (char)(CARRY | TOO_LARGE | TOO_LARGE_1000), (char)(CARRY | TOO_LARGE | TOO_LARGE_1000),
	    (char)(CARRY | TOO_LARGE | TOO_LARGE_1000), (char)(CARRY | TOO_LARGE | TOO_LARGE_1000),
	    (char)(CARRY | TOO_LARGE | TOO_LARGE_1000), (char)(CARRY | TOO_LARGE | TOO_LARGE_1000),
	    (char)(CARRY | TOO_LARGE | TOO_LARGE_1000), (char)(CARRY | TOO_LARGE | TOO_LARGE_1000),
	    (char)(CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE),
	    (char)(CARRY | TOO_LARGE | TOO_LARGE_1000), (char)(CARRY | TOO_LARGE | TOO_LARGE_1000));
	const __m128i t2_high = _mm_setr_epi8(
	    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
	    (char)(TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4),
	    (char)(TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE),
	    (char)(TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE),
	    (char)(TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE), TOO_SHORT, TOO_SHORT,
	    TOO_SHORT, TOO_SHORT);
	__m128i prev1 = _mm_alignr_epi8(in, prev_in, 15);
	__m128i sc = _mm_and_si128(
	    _mm_and_si128(_mm_shuffle_epi8(t1_high, nibble_hi(prev1)),
			  _mm_shuffle_epi8(t1_low, _mm_and_si128(prev1, _mm_set1_epi8(0x0F)))),
	    _mm_shuffle_epi8(t2_high, nibble_hi(in)));
	__m128i prev2 = _mm_alignr_epi8(in, prev_in, 14), prev3 = _mm_alignr_epi8(in, prev_in, 13);
	/* only 111_____ two back, or 1111____ three back, reach 0x80 */
	__m128i third = _mm_subs_epu8(prev2, _mm_set1_epi8((char)(0xE0 - 0x80)));
	__m128i fourth = _mm_subs_epu8(prev3, _mm_set1_epi8((char)(0xF0 - 0x80)));
	__m128i must23 = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8((char)0x80));
	return _mm_xor_si128(must23, sc);
}

__attribute__((target("ssse3"))) static bool utf8_valid_ssse3(const unsigned char *s, size_t n)
{
	/* a block whose last bytes begin a character continues into the next */
	const __m128i max_end = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
					      (char)(0xF0 - 1), (char)(0xE0 - 1), (char)(0xC0 - 1));
	__m128i err = _mm_setzero_si128(), prev = _mm_setzero_si128(), incomplete = prev;
	for (size_t i = 0; i < n; i += 16) {
		__m128i in;
		if (n - i >= 16) {
			in = _mm_loadu_si128((const __m128i *)(s + i));
		} else { /* the end, padded with NUL (ASCII) */
			unsigned char last[16] = {0};
			memcpy(last, s + i, n - i);
			in = _mm_loadu_si128((const __m128i *)last);
		}
		if (_mm_movemask_epi8(in) == 0) {
			err = _mm_or_si128(err, incomplete); /* ASCII after a cut character */
		} else {
			err = _mm_or_si128(err, utf8_block_errors(in, prev));
			incomplete = _mm_subs_epu8(in, max_end);
		}
		prev = in;
	}
	err = _mm_or_si128(err, incomplete);
	return _mm_movemask_epi8(_mm_cmpeq_epi8(err, _mm_setzero_si128())) == 0xFFFF;
}
#endif

size_t text_utf8_invalid_at(const char *str, size_t n)
{
#if defined(__x86_64__) || defined(__i386__)
	/* this runs over every byte of every file read: most are valid, so a
	 * quick check first, and the place of the error only when there is
	 * one */
	if (__builtin_cpu_supports("ssse3") && utf8_valid_ssse3((const unsigned char *)str, n))
		return n;
#endif
	return utf8_invalid_at_bytes(str, n);
}

/* Length of the white space (as text_trim counts it) at s, or 0. */
static size_t space_len(const char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		return 1;
	if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 &&
	    (unsigned char)s[2] == 0x80) /* U+3000; stops at a NUL */
		return 3;
	return 0;
}

char *text_trim(const char *s)
{
	size_t k;
	while ((k = space_len(s)) > 0)
		s += k;
	size_t n = strlen(s), end = 0, i = 0;
	while (i < n) {
		k = space_len(s + i);
		if (k == 0) {
			/* step over a whole character so that a trail byte is never
			 * taken for the start of U+3000 */
			uint32_t cp;
			size_t len = text_utf8_decode(s + i, n - i, &cp);
			i += len ? len : 1;
			end = i;
		} else {
			i += k;
		}
	}
	return xstrndup(s, end);
}

char *text_halfwidth(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = text_utf8_decode(s + i, n - i, &cp);
		if (len == 0) {
			out[o++] = s[i++];
			continue;
		}
		if (cp >= 0xFF01 && cp <= 0xFF5E)
			out[o++] = (char)(cp - 0xFF01 + 0x21);
		else if (cp == 0x3000)
			out[o++] = ' ';
		else {
			memcpy(out + o, s + i, len);
			o += len;
		}
		i += len;
	}
	out[o] = '\0';
	return out;
}

bool text_needs_escape(const char *s)
{
	/* a byte scan first: most text has no C0 control, DEL, invalid byte
	 * or C1 control (whose UTF-8 begins with 0xC2) */
	size_t n = 0;
	bool c2 = false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++) {
		if (*p < 0x20 || *p == 0x7F)
			return true;
		c2 |= *p == 0xC2;
	}
	if (text_utf8_invalid_at(s, n) < n)
		return true;
	if (!c2)
		return false;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = text_utf8_decode(s + i, n - i, &cp);
		if (len == 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
			return true;
		i += len;
	}
	return false;
}

char *text_escape(const char *s)
{
	size_t n = strlen(s);
	/* worst case: every byte becomes "\xHH" (4 bytes) */
	char *out = xmalloc(4 * n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = text_utf8_decode(s + i, n - i, &cp);
		if (len == 0) {
			o += (size_t)sprintf(out + o, "\\x%02X", (unsigned char)s[i]);
			i++;
			continue;
		}
		if (cp == '\n')
			o += (size_t)sprintf(out + o, "\\n");
		else if (cp == '\r')
			o += (size_t)sprintf(out + o, "\\r");
		else if (cp == '\t')
			o += (size_t)sprintf(out + o, "\\t");
		else if (cp == 0x1B)
			o += (size_t)sprintf(out + o, "\\e");
		else if (cp < 0x20 || cp == 0x7F)
			o += (size_t)sprintf(out + o, "\\x%02X", (unsigned)cp);
		else if (cp >= 0x80 && cp < 0xA0) /* 2 bytes in, at most 4 out */
			o += (size_t)sprintf(out + o, "\\x%02X", (unsigned)cp);
		else {
			memcpy(out + o, s + i, len);
			o += len;
		}
		i += len;
	}
	out[o] = '\0';
	return out;
}

char *text_clip(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return xstrdup(s);
	size_t cut = max;
	while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--;
	char *head = xstrndup(s, cut);
	char *q = xasprintf("%s…", head);
	free(head);
	return q;
}

char *text_tail(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return xstrdup(s);
	size_t from = n - max;
	while (from < n && ((unsigned char)s[from] & 0xC0) == 0x80)
		from++;
	return xasprintf("…%s", s + from);
}

bool text_cp_wide(uint32_t cp)
{
	return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
	       (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	       (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

size_t text_columns(const char *s)
{
	size_t n = strlen(s), w = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = text_utf8_decode(s + i, n - i, &cp);
		i += k ? k : 1;
		w += text_cp_wide(cp) ? 2 : 1;
	}
	return w;
}

bool text_has_non_ascii(const char *s, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ULL)
			return true;
	}
	for (; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

void text_time(time_t t, char *out, size_t size)
{
	struct tm tm;
	if (t <= 0 || !localtime_r(&t, &tm) || strftime(out, size, "%m-%d %H:%M", &tm) == 0)
		snprintf(out, size, "?");
}

int text_ncasecmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ca = (unsigned char)a[i], cb = (unsigned char)b[i];
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb || ca == 0)
			return ca - cb;
	}
	return 0;
}

int text_casecmp(const char *a, const char *b)
{
	return text_ncasecmp(a, b, SIZE_MAX);
}

