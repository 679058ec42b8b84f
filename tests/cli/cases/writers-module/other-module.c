/* A module that is not the program's: interface ABI, spmform VERSION. */
#include "writers.h"

__attribute__((visibility("default"))) const WritersTable spmform_writers = {
    .abi = ABI, .size = sizeof(WritersTable), .version = VERSION};
