/* fuzz_csv.c - libFuzzer target: any bytes as a CSV file of the inventory
 * form.  Reading must never crash, hang or leak; whatever is read is
 * checked, written and read again, and the second writing must give the
 * same bytes (spmform's own output is a fixed point). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "form.h"
#include "rules.h"

static Form *form;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!form) {
		DiagList dl;
		diag_init(&dl);
		form = form_load("forms/inventory.ini", &dl);
		diag_free(&dl);
		if (!form)
			abort(); /* run from the repository root */
	}
	DiagList dl;
	diag_init(&dl);
	FileFormat fmt = {ENC_UTF8, true, true};
	Table *t = csvio_load_mem((const char *)data, size, form, fmt, &dl);
	if (t) {
		rules_check_table(t, &dl);
		size_t len;
		char *out = csvio_serialize(t, &len, &dl);
		if (out) {
			DiagList d2;
			diag_init(&d2);
			Table *t2 = csvio_load_mem(out, len, form, table_format(t), &d2);
			if (!t2)
				abort(); /* what we wrote must read back */
			size_t len2;
			char *out2 = csvio_serialize(t2, &len2, &d2);
			if (!out2 || len2 != len || memcmp(out, out2, len) != 0)
				abort(); /* and be a fixed point */
			free(out2);
			table_free(t2);
			diag_free(&d2);
			free(out);
		}
		table_free(t);
	}
	diag_free(&dl);
	return 0;
}
