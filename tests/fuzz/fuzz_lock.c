/* fuzz_lock.c - libFuzzer target: any bytes as the content of FILE.lock.
 * A second clerk's spmform reads the holder line of a lock file anyone may
 * have written; reading it must never crash or overrun, and what it gives
 * back is bounded: NUL-terminated names that fit their arrays, a pid and a
 * time that are 0 or in range. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	LockHolder h;
	memset(&h, 0x55, sizeof h); /* whatever it leaves is seen below */
	lock_parse_holder((const char *)data, size, &h);
	if (!memchr(h.user, '\0', sizeof h.user) || !memchr(h.host, '\0', sizeof h.host))
		abort();
	if (h.pid < 0 || h.since < 0)
		abort();
	return 0;
}
