/* ui.h - the entry screen (ncursesw).  The only public entry point.
 *
 * Everything the screen does to data goes through session.h; the ui*.c
 * files only read keys, call the session, and draw.
 */
#ifndef SPMFORM_UI_H
#define SPMFORM_UI_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "session.h"

/* Makes sure the process runs in a UTF-8 locale (the environment's, or
 * C.UTF-8).  Returns 0, or -1 with a message on stderr; call before
 * anything is drawn. */
int ui_setup_locale(void);

/* Takes over the terminal for the entry screen, before the file is opened
 * (so that a long load shows its progress there), and catches the signals
 * that end it: ^C (the keys are not raw until ui_run), a hang-up or
 * SIGTERM stop a load under way, and end ui_run at once.  Returns 0, or -1
 * when no terminal could be used (a message is on stderr). */
int ui_start(const Config *cfg);

/* Between ui_load_begin and ui_load_end, reading a file that takes more
 * than delay_ms shows a progress bar on the screen; a signal stops the
 * reading (it fails with progress_stopped_msg). */
void ui_load_begin(const char *path, int delay_ms);
void ui_load_end(void);

/* Gives the terminal back without running the screen (the file could not
 * be opened); nothing when it was not taken. */
void ui_stop(void);

/* Runs the entry screen on s until the clerk quits (after ui_start).  The
 * terminal is restored on return.  Returns 0, or -1 when the screen ended
 * on a signal or a lost terminal (a message is on stderr). */
int ui_run(Session *s, const Config *cfg);

/* Lists every key of the entry screen with what it does (for --help). */
void ui_keys_print(FILE *out);

#endif
