/* progress.c - see progress.h. */
#include "progress.h"

static ProgressFn hook;

void progress_set(ProgressFn fn)
{
	hook = fn;
}

void progress_report(size_t done, size_t total)
{
	if (hook)
		hook(done, total);
}
