/* fuzz_util.h - what the fuzz targets share. */
#ifndef SPMFORM_FUZZ_UTIL_H
#define SPMFORM_FUZZ_UTIL_H

#include <stdlib.h>

#include "form.h"

/* forms/inventory.ini, loaded once (targets run from the repository root). */
static inline Form *fuzz_inventory(void)
{
	static Form *form;
	if (!form) {
		DiagList dl;
		diag_init(&dl);
		form = form_load("forms/inventory.ini", &dl);
		diag_free(&dl);
		if (!form)
			abort(); /* not run from the repository root */
	}
	return form;
}

#endif
