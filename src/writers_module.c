/* writers_module.c - the table spmform-writers.so exports (writers.h):
 * the one symbol of the module that is not hidden. */
#include "writers.h"

#include "odsout.h"
#include "print.h"
#include "xlsxout.h"

__attribute__((visibility("default"))) extern const WritersTable spmform_writers;
const WritersTable spmform_writers = {
    .abi = WRITERS_ABI,
    .size = sizeof(WritersTable),
    .version = SPMFORM_VERSION,
    .xlsxout_write = xlsxout_write,
    .odsout_write = odsout_write,
    .print_pdf = print_pdf,
};
