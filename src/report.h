/* report.h - `spmform report`: how far the files are, at a glance.
 *
 * Per file and in total: the records, how many are complete (no error;
 * warnings allowed), incomplete (their only errors are required fields
 * left empty) and with errors (a value is wrong), as the entry screen's
 * record list counts them; which required fields are most often left
 * empty, and which records are incomplete or wrong; then, for each field
 * the form's [report] names, how many records hold each of its values.
 * Written as text for the terminal (horizontal bar charts of block
 * characters, or of '#'), as CSV or as Markdown (to paste into a memo).
 *
 * The core: it reads nothing and draws on no terminal.  Text from the
 * files (names, values) is escaped: it never reaches a terminal raw.
 */
#ifndef SPMFORM_REPORT_H
#define SPMFORM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "form.h"
#include "table.h"

typedef enum { REPORT_TEXT, REPORT_CSV, REPORT_MD } ReportFormat;

typedef struct {
	ReportFormat format;
	int width;  /* text: the columns a line may take (20 to 80) */
	bool ascii; /* text: bars of '#' instead of block characters */
	bool completeness_only; /* no counts by value (the entry screen's) */
} ReportStyle;

typedef struct Report Report;

/* A report of files of form (which must outlive it). */
Report *report_new(const Form *form);
void report_free(Report *r);

/* Adds the file name, whose records are t and whose problems are dl:
 * every one of them (reading, each record's, across records), each
 * record's problems together (as rules_check_table or one
 * session_record_diags a record gives them).  Empty records are not
 * counted. */
void report_add(Report *r, const char *name, const Table *t, const DiagList *dl);

/* Adds a file that could not be read: named, counted in nothing. */
void report_add_unreadable(Report *r, const char *name);

/* What the report counts of file i (the order added), or of all of them
 * (i = -1). */
typedef struct {
	size_t records, complete, incomplete, errors;
} ReportCounts;
ReportCounts report_counts(const Report *r, long i);

/* Writes the report in style st. */
void report_write(const Report *r, const ReportStyle *st, FILE *out);

/* The columns the text may take on stdout: the terminal's width when
 * it is one (else $COLUMNS when set, else 80), at most 80, at least 20. */
int report_width(void);

/* Whether the block characters can be shown: the locale's character set
 * (LC_ALL, LC_CTYPE, LANG) is UTF-8, and TERM is not one whose fonts lack
 * them (linux, the console; dumb). */
bool report_blocks_ok(void);

/* spmform report: reads each of the n files (CSV, .xlsx, .ods), checks
 * it against form and writes the report to out in style st.  A file that
 * cannot be read is said on err (with why) and named in the report.
 * Returns 0, or 2 when a file could not be read. */
int report_files(char *const *paths, size_t n, const Form *form, const ReportStyle *st,
		 FILE *out, FILE *err);

#endif
