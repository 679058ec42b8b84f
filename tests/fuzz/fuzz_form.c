/* fuzz_form.c - libFuzzer target: any bytes as a form file.  Loading must
 * never crash, hang or leak (iniparser 4.1 behind ini.c's pre-scan); a
 * form that loads must check a record without crashing. */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "form.h"
#include "rules.h"
#include "table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-form", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	DiagList dl;
	diag_init(&dl);
	Form *f = form_load(path, &dl);
	if (f) {
		Table *t = table_new(f);
		table_append(t, 2);
		/* each field set in turn, and what the rules make of it */
		size_t nf = form_nfields(f);
		char **cells = calloc(nf ? nf : 1, sizeof *cells);
		RuleEffect *eff = calloc(nf ? nf : 1, sizeof *eff);
		if (!cells || !eff)
			abort();
		memcpy(cells, table_record(t, 0)->cells, nf * sizeof *cells);
		for (size_t i = 0; i < nf; i++) {
			const FormField *ff = form_field(f, i);
			cells[i] = ff->nvalues ? ff->values[0] : "1";
			size_t n = rules_follow(f, cells, i, eff);
			if (n > nf)
				abort();
		}
		rules_fill(f, cells, eff);
		for (size_t i = 0; i < nf; i++)
			table_put(t, 0, i, strdup(cells[i]));
		free(cells);
		free(eff);
		rules_check_table(t, &dl);
		table_free(t);
		form_free(f);
	}
	diag_free(&dl);
	close(fd);
	return 0;
}
