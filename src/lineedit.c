/* lineedit.c - see lineedit.h. */
#include "lineedit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "text.h"

static bool is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
}

size_t lineedit_cp_show(uint32_t cp, wchar_t *out)
{
	if (!is_control(cp)) {
		out[0] = (wchar_t)cp;
		out[1] = 0;
		return 1;
	}
	char buf[8];
	if (cp == '\n')
		snprintf(buf, sizeof buf, "\\n");
	else if (cp == '\r')
		snprintf(buf, sizeof buf, "\\r");
	else if (cp == '\t')
		snprintf(buf, sizeof buf, "\\t");
	else if (cp == 0x1B)
		snprintf(buf, sizeof buf, "\\e");
	else
		snprintf(buf, sizeof buf, "\\x%02X", (unsigned)cp);
	size_t n = strlen(buf);
	for (size_t i = 0; i <= n; i++)
		out[i] = (wchar_t)buf[i];
	return n;
}

int lineedit_cp_width(uint32_t cp)
{
	if (is_control(cp)) {
		wchar_t tmp[8];
		return (int)lineedit_cp_show(cp, tmp);
	}
	int w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w; /* unprintable: shown as one column */
}

static void decode(const char *utf8, uint32_t **cps, size_t *len, size_t *cap)
{
	size_t n = strlen(utf8);
	*cap = n + 8;
	*cps = xmalloc(*cap * sizeof **cps);
	*len = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = text_utf8_decode(utf8 + i, n - i, &cp);
		(*cps)[(*len)++] = cp; /* U+FFFD for an invalid byte */
		i += k ? k : 1;
	}
}

void lineedit_init(LineEdit *e, const char *utf8)
{
	decode(utf8, &e->cp, &e->len, &e->cap);
	e->cur = e->len;
	e->off = 0;
}

void lineedit_free(LineEdit *e)
{
	free(e->cp);
	memset(e, 0, sizeof *e);
}

char *lineedit_text(const LineEdit *e)
{
	char *s = xmalloc(4 * e->len + 1);
	size_t n = 0;
	for (size_t i = 0; i < e->len; i++)
		n += text_utf8_encode(e->cp[i], s + n);
	s[n] = '\0';
	return s;
}

void lineedit_insert(LineEdit *e, uint32_t cp)
{
	if (e->len + 1 > e->cap)
		e->cp = xrealloc(e->cp, (e->cap *= 2) * sizeof *e->cp);
	memmove(e->cp + e->cur + 1, e->cp + e->cur, (e->len - e->cur) * sizeof *e->cp);
	e->cp[e->cur++] = cp;
	e->len++;
}

bool lineedit_backspace(LineEdit *e)
{
	if (e->cur == 0)
		return false;
	e->cur--;
	return lineedit_delete(e);
}

bool lineedit_delete(LineEdit *e)
{
	if (e->cur >= e->len)
		return false;
	memmove(e->cp + e->cur, e->cp + e->cur + 1, (e->len - e->cur - 1) * sizeof *e->cp);
	e->len--;
	return true;
}

bool lineedit_left(LineEdit *e)
{
	if (e->cur == 0)
		return false;
	e->cur--;
	return true;
}

bool lineedit_right(LineEdit *e)
{
	if (e->cur >= e->len)
		return false;
	e->cur++;
	return true;
}

bool lineedit_home(LineEdit *e)
{
	bool moved = e->cur != 0;
	e->cur = 0;
	return moved;
}

bool lineedit_end(LineEdit *e)
{
	bool moved = e->cur != e->len;
	e->cur = e->len;
	return moved;
}

bool lineedit_clear(LineEdit *e)
{
	bool had = e->len != 0;
	e->len = e->cur = e->off = 0;
	return had;
}

/* Columns of cp[from..to). */
static int span_width(const uint32_t *cp, size_t from, size_t to)
{
	int w = 0;
	for (size_t i = from; i < to; i++)
		w += lineedit_cp_width(cp[i]);
	return w;
}

/* Writes cp[from..) into out until width columns are full; pads. */
static void render(const uint32_t *cp, size_t from, size_t len, int width, wchar_t *out,
		   bool mark_cut)
{
	int used = 0;
	size_t o = 0, i = from;
	for (; i < len; i++) {
		int w = lineedit_cp_width(cp[i]);
		if (used + w > width)
			break; /* a character that would straddle the edge */
		wchar_t tmp[8];
		size_t n = lineedit_cp_show(cp[i], tmp);
		for (size_t k = 0; k < n; k++)
			out[o++] = tmp[k];
		used += w;
	}
	if (mark_cut && i < len) {
		/* make room for '>' in the last column */
		while (used > width - 1 && o > 0) {
			size_t prev = o - 1;
			used -= wcwidth(out[prev]) > 1 ? 2 : 1;
			o = prev;
		}
		while (used < width - 1)
			out[o++] = L' ', used++;
		out[o++] = L'>';
		used++;
	}
	while (used < width)
		out[o++] = L' ', used++;
	out[o] = 0;
}

void lineedit_view(LineEdit *e, int width, wchar_t *out, int *cursor_col)
{
	if (e->off > e->cur)
		e->off = e->cur;
	/* keep one column for the cursor after the last character */
	while (e->off < e->cur && span_width(e->cp, e->off, e->cur) + 1 > width)
		e->off++;
	/* and show as much as fits before the cursor (after deleting, or when
	 * the field grew wider) */
	while (e->off > 0 && span_width(e->cp, e->off - 1, e->cur) + 1 <= width)
		e->off--;
	*cursor_col = span_width(e->cp, e->off, e->cur);
	render(e->cp, e->off, e->len, width, out, false);
}

void lineedit_clip(const char *utf8, int width, wchar_t *out)
{
	uint32_t *cp;
	size_t len, cap;
	decode(utf8, &cp, &len, &cap);
	render(cp, 0, len, width, out, true);
	free(cp);
}
