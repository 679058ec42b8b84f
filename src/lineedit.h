/* lineedit.h - a one-line text editor for the entry screen, without curses.
 *
 * The value is kept as code points; the cursor is an index between them.
 * lineedit_view lays the value out in a field of a given width in terminal
 * columns: double-width (CJK) characters take two columns and are never
 * split at an edge, control characters are shown escaped ("\n", "\e", ...)
 * and so never reach the terminal, and the view scrolls horizontally to
 * keep the cursor visible.  Widths come from wcwidth(), so the process
 * must run in a UTF-8 locale (the entry screen makes sure of that).
 */
#ifndef SPMFORM_LINEEDIT_H
#define SPMFORM_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

typedef struct {
	uint32_t *cp; /* owned */
	size_t len, cap;
	size_t cur; /* 0..len */
	size_t off; /* first code point in view */
} LineEdit;

/* Starts editing utf8 (invalid bytes become U+FFFD), cursor at the end. */
void lineedit_init(LineEdit *e, const char *utf8);
void lineedit_free(LineEdit *e);
/* The value as a malloc'd UTF-8 string. */
char *lineedit_text(const LineEdit *e);

void lineedit_insert(LineEdit *e, uint32_t cp);
/* Each returns false when it could do nothing (at an end, empty). */
bool lineedit_backspace(LineEdit *e);
bool lineedit_delete(LineEdit *e);
bool lineedit_left(LineEdit *e);
bool lineedit_right(LineEdit *e);
bool lineedit_home(LineEdit *e);
bool lineedit_end(LineEdit *e);
bool lineedit_clear(LineEdit *e);

/* Columns code point cp takes on screen (an escape for a control
 * character takes the columns of its text). */
int lineedit_cp_width(uint32_t cp);

/* The visible text of a code point: itself, or its escape ("\n", "\e",
 * "\x07").  Writes at most 6 wide characters plus NUL to out; returns
 * the count. */
size_t lineedit_cp_show(uint32_t cp, wchar_t *out);

/* Lays the value out in width columns (width >= 2): out gets exactly
 * width columns of text (padded with spaces; room for width + 1 wide
 * characters), *cursor_col the cursor's column.  Scrolls e->off as
 * needed. */
void lineedit_view(LineEdit *e, int width, wchar_t *out, int *cursor_col);

/* The same for a value that is not being edited: the start of s,
 * clipped to width columns (never splitting a wide character), padded,
 * with '>' in the last column when it was cut. */
void lineedit_clip(const char *utf8, int width, wchar_t *out);

#endif
