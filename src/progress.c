/* progress.c - see progress.h. */
#include "progress.h"

#include <time.h>

static ProgressFn hook;
static struct timespec started;
static int delay; /* ms */

void progress_set(ProgressFn fn, int delay_ms)
{
	hook = fn;
	delay = delay_ms;
	clock_gettime(CLOCK_MONOTONIC, &started);
}

bool progress_due(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (now.tv_sec - started.tv_sec) * 1000 + (now.tv_nsec - started.tv_nsec) / 1000000;
	return ms >= delay;
}

const char progress_stopped_msg[] = "讀取已中斷，未讀完";

bool progress_report(size_t done, size_t total)
{
	return !hook || hook(done, total);
}
