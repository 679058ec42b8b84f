/* io.c - see io.h. */
#include "io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvio.h"
#include "mem.h"
#include "odsin.h"
#include "odsout.h"
#include "text.h"
#include "xlsxin.h"
#include "xlsxout.h"

static bool ends_with(const char *path, const char *ending)
{
	size_t n = strlen(path), m = strlen(ending);
	return n > m && text_casecmp(path + n - m, ending) == 0;
}

IoKind io_kind(const char *path)
{
	if (ends_with(path, ".csv"))
		return IO_CSV;
	if (ends_with(path, ".xlsx"))
		return IO_XLSX;
	if (ends_with(path, ".ods"))
		return IO_ODS;
	if (ends_with(path, ".pdf"))
		return IO_PDF;
	return IO_OTHER;
}

bool io_is_workbook(const char *path)
{
	IoKind k = io_kind(path);
	return k == IO_XLSX || k == IO_ODS;
}

const char *io_ending(IoKind k)
{
	static const char *const endings[] = {".csv", ".xlsx", ".ods", ".pdf", ""};
	return endings[k <= IO_OTHER ? k : IO_OTHER];
}

char *io_with_ending(const char *path, IoKind k)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t keep = dot && dot != base ? (size_t)(dot - path) : strlen(path);
	return xasprintf("%.*s%s", (int)keep, path, io_ending(k));
}

Table *io_load(const char *path, const Form *form, FileFormat fmt, DiagList *diags)
{
	switch (io_kind(path)) {
	case IO_XLSX:
		return xlsxin_load(path, form, fmt, diags);
	case IO_ODS:
		return odsin_load(path, form, fmt, diags);
	default:
		return csvio_load(path, form, fmt, diags);
	}
}

bool io_output_ok(const char *path, unsigned kinds, bool force, DiagList *diags)
{
	if (!(kinds & IO_SET(io_kind(path)))) {
		char *want = xstrdup("");
		for (IoKind k = IO_CSV; k < IO_OTHER; k++) {
			if (!(kinds & IO_SET(k)))
				continue;
			char *w = xasprintf("%s%s%s", want, *want ? " 或 " : "", io_ending(k));
			free(want);
			want = w;
		}
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "輸出檔的檔名要以 %s 結尾", want);
		free(want);
		return false;
	}
	struct stat st;
	if (!force && lstat(path, &st) == 0) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "檔案已存在，未覆蓋；確定要覆蓋請加 --force");
		return false;
	}
	return true;
}

int io_save(const Table *t, const char *path, bool backup, DiagList *diags)
{
	switch (io_kind(path)) {
	case IO_XLSX:
		return xlsxout_write(t, path, backup, diags);
	case IO_ODS:
		return odsout_write(t, path, backup, diags);
	default:
		return csvio_save(t, path, backup, diags);
	}
}
