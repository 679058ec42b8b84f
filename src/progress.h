/* progress.h - how far reading a file has come, for whoever shows it.
 *
 * One hook for the process: the command line sets it while a file is read
 * (check's line on stderr, the entry screen's bar); the readers (CSV,
 * .xlsx) report to it as they go, a few dozen times per file.
 */
#ifndef SPMFORM_PROGRESS_H
#define SPMFORM_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

/* Called with done of total bytes read so far; returns false to stop the
 * reading (the clerk interrupted it). */
typedef bool (*ProgressFn)(size_t done, size_t total);

/* Sets the hook (NULL, the default, for none) and starts the clock of
 * progress_due. */
void progress_set(ProgressFn fn, int delay_ms);

/* Whether delay_ms have passed since progress_set: a display shows
 * nothing before, so that quick files never show progress. */
bool progress_due(void);

/* Tells the hook, if any; false when the reading is to stop, after which
 * the reader fails with progress_stopped_msg as its reason. */
bool progress_report(size_t done, size_t total);
extern const char progress_stopped_msg[];

#endif
