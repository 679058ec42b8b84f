/* capture.h - what a library prints on stderr, caught while it runs.
 *
 * libxlsxwriter and fontconfig print their complaints to the process's
 * stderr (fd 2), which is the terminal the entry screen draws on.  Between
 * capture_begin and capture_end fd 2 is a temporary file, and what was
 * printed there comes back as text for a diag.  (A sanitizer report
 * raised inside that window would be lost with it.)
 */
#ifndef SPMFORM_CAPTURE_H
#define SPMFORM_CAPTURE_H

#include <stdio.h>

typedef struct {
	FILE *file; /* NULL: nothing is captured (no temporary file) */
	int saved;  /* the stderr to restore */
} Capture;

void capture_begin(Capture *c);
/* Restores stderr; returns what was printed meanwhile as one line (the
 * lines joined by "; ", malloc'd), or NULL when nothing was. */
char *capture_end(Capture *c);

#endif
