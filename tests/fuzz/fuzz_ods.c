/* fuzz_ods.c - libFuzzer target: any bytes as an .ods spreadsheet of the
 * inventory form (see fuzz_package.h). */
#define _GNU_SOURCE /* memfd_create */
#include "fuzz_package.h"
#include "odsin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_package(data, size, odsin_load);
}
