/* plain.h - the entry screen as line prompts, for a dumb terminal, a
 * serial console, a printing terminal or a screen reader.
 *
 * No cursor addressing and no escape sequences: each field is asked for on
 * a line of its own, with its label, help and numbered permitted values;
 * the answer is a line.  The same Session does the work, so the rules, the
 * journal and the save are those of the full-screen entry.
 */
#ifndef SPMFORM_PLAIN_H
#define SPMFORM_PLAIN_H

#include <stdio.h>

#include "session.h"

/* Runs the prompts on s, reading in and writing out, until the clerk
 * quits or the input ends.  Returns 0. */
int plain_run(Session *s, FILE *in, FILE *out);

#endif
