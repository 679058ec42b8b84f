/* fuzz_package.h - the body of the targets that read a zip package (an
 * .xlsx workbook, an .ods spreadsheet) of the inventory form.  Reading
 * must never crash, hang or leak, and must return a table or say why not;
 * whatever is read is checked and written as CSV.
 *
 * minizip opens packages by name, so the bytes go to a memory file
 * (memfd_create) opened as /proc/self/fd/N: no disk traffic per input.
 * Include it after defining _GNU_SOURCE (memfd_create). */
#ifndef SPMFORM_FUZZ_PACKAGE_H
#define SPMFORM_FUZZ_PACKAGE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csvio.h"
#include "form.h"
#include "fuzz_util.h"
#include "rules.h"

typedef Table *PackageLoad(const char *path, const Form *form, FileFormat out_fmt,
			   DiagList *diags);

static inline int fuzz_package(const uint8_t *data, size_t size, PackageLoad *load)
{
	static Form *form;
	static int fd = -1;
	static char path[64];
	if (!form) {
		form = fuzz_inventory();
		fd = memfd_create("fuzz-package", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	DiagList dl;
	diag_init(&dl);
	FileFormat fmt = {ENC_UTF8, true, true};
	Table *t = load(path, form, fmt, &dl);
	if (!t && dl.nerrors == 0)
		abort(); /* refused without a reason */
	if (t) {
		rules_check_table(t, &dl);
		size_t len;
		free(csvio_serialize(t, &len, &dl));
		table_free(t);
	}
	diag_free(&dl);
	return 0;
}

#endif
