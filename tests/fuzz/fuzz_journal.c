/* fuzz_journal.c - libFuzzer target: any bytes as a recovery journal.
 * Reading must never crash, hang or leak; whatever entries are read are
 * applied to a table of the example rows without crashing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "csvio.h"
#include "form.h"
#include "fuzz_util.h"
#include "journal.h"

static Form *form;
static char *example;
static size_t example_len;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!form) {
		form = fuzz_inventory();
		FILE *f = fopen("forms/examples/inventory.csv", "rb");
		if (!f)
			abort(); /* run from the repository root */
		example = malloc(1 << 16);
		example_len = fread(example, 1, 1 << 16, f);
		fclose(f);
	}
	DiagList dl;
	diag_init(&dl);
	JournalRead r;
	if (journal_read_mem((const char *)data, size, &r, &dl) == 0) {
		Table *t = csvio_load_mem(example, example_len, form, (FileFormat){ENC_UTF8, true, true},
					  &dl);
		if (!t)
			abort();
		journal_apply(t, &r, &dl);
		table_free(t);
		journal_read_free(&r);
	}
	diag_free(&dl);
	return 0;
}
