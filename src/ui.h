/* ui.h - the entry screen (ncursesw).  The only public entry point.
 *
 * Everything the screen does to data goes through session.h; the ui*.c
 * files only read keys, call the session, and draw.
 */
#ifndef SPMFORM_UI_H
#define SPMFORM_UI_H

#include <stdio.h>

#include "config.h"
#include "session.h"

/* Makes sure the process runs in a UTF-8 locale (the environment's, or
 * C.UTF-8).  Returns 0, or -1 with a message on stderr; call before
 * anything is drawn. */
int ui_setup_locale(void);

/* Runs the entry screen on s until the clerk quits.  The terminal is
 * restored on return.  Returns 0, or -1 when no terminal could be used
 * (a message is on stderr). */
int ui_run(Session *s, const Config *cfg);

/* Lists every key of the entry screen with what it does (for --help). */
void keys_print(FILE *out);

#endif
