/* text.h - UTF-8 helpers shared by every module.
 *
 * All text inside spmform is UTF-8 in NUL-terminated char arrays.  These
 * helpers never depend on the process locale (no mbstowcs, no wcwidth), so
 * the core behaves the same under C, C.UTF-8 or a Big5 locale.
 * Functions that return char * return a malloc'd string the caller frees
 * (mem.h: they never return NULL).
 */
#ifndef SPMFORM_TEXT_H
#define SPMFORM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Decodes one code point of s[0..n).  Stores it in *cp and returns the
 * number of bytes used (1..4), or 0 when the bytes at s are not valid
 * UTF-8 (overlong, surrogate, truncated, > U+10FFFF); *cp is then 0xFFFD. */
size_t text_utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Encodes cp into out (at least 4 bytes); returns the byte count. */
size_t text_utf8_encode(uint32_t cp, char *out);

/* Offset of the first byte of s[0..n) that is not valid UTF-8, or n. */
size_t text_utf8_invalid_at(const char *s, size_t n);

/* Copy of s without leading and trailing white space: ASCII space, tab,
 * CR, LF and the full-width space U+3000. */
char *text_trim(const char *s);

/* Copy of s with full-width ASCII forms (U+FF01..U+FF5E, e.g. '２', '．',
 * 'Ｙ') turned into their ASCII twins and U+3000 into a space: what a
 * Chinese input method types where ASCII was meant. */
char *text_halfwidth(const char *s);

/* Copy of s with every control character (C0, DEL, C1, and so ESC) and
 * every invalid byte made visible: "\n", "\r", "\t", "\e", or "\xHH" (for
 * other C0 and C1 code points and for invalid bytes).  The result can be written to a terminal
 * without the terminal acting on it. */
char *text_escape(const char *s);

/* true when s has a control character or an invalid byte that
 * text_escape would rewrite. */
bool text_needs_escape(const char *s);

/* Copy of s cut to at most max bytes at a character boundary, with "…"
 * added when it was cut: a value quoted in a message stays readable. */
char *text_clip(const char *s, size_t max);

/* The end of s, at most max bytes of it at a character boundary, with
 * "…" before it when it was cut: what comes just before a place. */
char *text_tail(const char *s, size_t max);

/* Whether code point cp takes two columns of a terminal or a printed
 * line (East Asian Wide and Fullwidth: CJK, kana, hangul, full-width
 * forms); ambiguous ones (○, █) count as narrow, as glibc's UTF-8
 * locales count them. */
bool text_cp_wide(uint32_t cp);

/* Columns s takes on a terminal: two for a wide character, one for any
 * other (an invalid byte too), whatever the locale.  For text already
 * escaped (text_escape): control characters count one. */
size_t text_columns(const char *s);

/* Whether s[0..n) has a byte above 0x7F. */
bool text_has_non_ascii(const char *s, size_t n);

/* "MM-DD HH:MM" of t in local time into out (at least 16 bytes), or "?"
 * for a time that cannot be shown (localtime fails on a year beyond
 * what struct tm holds): for times read from files. */
void text_time(time_t t, char *out, size_t size);

/* ASCII-only case-insensitive comparison (bytes >= 0x80 compare as is),
 * whatever the locale; text_ncasecmp compares at most n bytes. */
int text_casecmp(const char *a, const char *b);
int text_ncasecmp(const char *a, const char *b, size_t n);

#endif
