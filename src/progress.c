/* progress.c - see progress.h. */
#include "progress.h"

static ProgressFn hook;

void progress_set(ProgressFn fn)
{
	hook = fn;
}

const char progress_stopped_msg[] = "讀取已中斷，未讀完";

bool progress_report(size_t done, size_t total)
{
	return !hook || hook(done, total);
}
