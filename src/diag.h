/* diag.h - problems found in a user's file, kept as data with their place.
 *
 * The core never prints: it appends Diags to a DiagList the caller owns, and
 * the caller (spmform check, later the entry screen) decides how to show
 * them.  A Diag knows its line (1-based; 0 = the whole file), an optional
 * column (1-based, in characters of that line as a person counts them,
 * whatever the file's encoding), the record (0-based, -1 = none) and the
 * form field (0-based index into the form, -1 = none).  The message does not repeat the field's
 * label: diag_print adds it.
 */
#ifndef SPMFORM_DIAG_H
#define SPMFORM_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef enum { DIAG_ERROR, DIAG_WARNING } DiagLevel;

typedef struct {
	DiagLevel level;
	long line;   /* physical line where the record (or problem) starts */
	long col;    /* character column within that line, 0 = not known */
	long record; /* 0-based record index, -1 = none */
	int field;   /* 0-based form field index, -1 = none */
	char *msg;   /* owned, UTF-8, may hold user data: escape it to print */
} Diag;

typedef struct {
	Diag *items; /* owned */
	size_t n, cap;
	size_t nerrors, nwarnings;
} DiagList;

void diag_init(DiagList *dl);
/* Frees every message; the list can be reused after diag_init. */
void diag_free(DiagList *dl);
/* Drops every diag (keeps the allocation). */
void diag_clear(DiagList *dl);

void diag_add(DiagList *dl, DiagLevel level, long line, long col, long record, int field,
	      const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Appends every diag of from to to, their records moved on by
 * record_offset and their lines (but 0, the whole file) by line_offset
 * (from was about a later part of the same file), and frees from's. */
void diag_move(DiagList *to, DiagList *from, long record_offset, long line_offset);

/* Sorts by line, then column, keeping the order of equal places. */
void diag_sort(DiagList *dl);

const char *diag_level_name(DiagLevel level);

/* Writes "FILE:LINE: level: 第 N 筆: LABEL: message\n" (":COL" after LINE
 * when known, "第 N 筆: " only for a record's problem, with N counted from
 * 1 as the entry screen counts, no "LABEL: " when label is NULL).  The file name, label and
 * message are escaped with text_escape: they are data, never terminal
 * control. */
void diag_print(FILE *out, const char *file, const Diag *d, const char *label);

#endif
