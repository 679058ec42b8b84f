/* fuzz_xlsx.c - libFuzzer target: any bytes as an .xlsx workbook of the
 * inventory form (see fuzz_package.h). */
#define _GNU_SOURCE /* memfd_create */
#include "fuzz_package.h"
#include "xlsxin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_package(data, size, xlsxin_load);
}
