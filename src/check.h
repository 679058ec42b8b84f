/* check.h - `spmform check`: every problem of a file, with its place.
 *
 * Prints one line per problem, "FILE:LINE: error|warning: LABEL: message",
 * in line order, then a summary line for the file.  Text that comes from
 * the file (values, names) is escaped: it never reaches a terminal raw.
 */
#ifndef SPMFORM_CHECK_H
#define SPMFORM_CHECK_H

#include <stdio.h>

#include "form.h"
#include "table.h"

enum {
	CHECK_OK = 0,	      /* no errors (warnings allowed) */
	CHECK_ERRORS = 1,     /* at least one error in a record */
	CHECK_UNREADABLE = 2, /* the file could not be read or parsed */
};

/* Shows on stderr, when it is a terminal, how far reading path has come,
 * once it takes longer than delay_ms; progress_end clears the line. */
void check_progress_begin(const char *path, int delay_ms);
void check_progress_end(void);

/* What check does with a file whose header has none of the form's titles
 * when another form beside it fits the file (guess.h): */
typedef enum {
	CHECK_GUESS_USE, /* check it with that form, saying so (no --form given) */
	CHECK_GUESS_SAY, /* only say which form it is and how to name it */
} CheckGuess;

/* Checks the file at path against form, writing to out.  Returns one of
 * the CHECK_ values. */
int check_file(const char *path, const Form *form, CheckGuess guess, int progress_delay_ms,
	       FILE *out);

/* Checks the n files, side by side on the processors par.h gives (each
 * reading on a thread of its own), writing each file's report to out in
 * the order given, byte for byte what check_file writes for it.  Progress
 * shows only for a single file.  Returns the highest CHECK_ value. */
int check_files(char *const *paths, size_t n, const Form *form, CheckGuess guess,
		int progress_delay_ms, FILE *out);

/* check_files with the unique and count rules applied across all n files
 * at once, as over the records of one file (--across): a record whose key
 * an earlier file has is reported in its own file's report, naming that
 * file (rules_check_across_files).  Everything else, and the order, is as
 * check_files says.  Returns the highest CHECK_ value. */
int check_files_across(char *const *paths, size_t n, const Form *form, int progress_delay_ms,
		       FILE *out);

#endif
