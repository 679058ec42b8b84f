/* io.c - see io.h. */
#include "io.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "csvio.h"
#include "mem.h"
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
	if (ends_with(path, ".pdf"))
		return IO_PDF;
	return IO_OTHER;
}

const char *io_ending(IoKind k)
{
	return k == IO_XLSX ? ".xlsx" : k == IO_CSV ? ".csv" : k == IO_PDF ? ".pdf" : "";
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
	return io_kind(path) == IO_XLSX ? xlsxin_load(path, form, fmt, diags)
					: csvio_load(path, form, fmt, diags);
}

bool io_output_ok(const char *path, IoKind want, bool force, DiagList *diags)
{
	if (io_kind(path) != want) {
		diag_add(diags, DIAG_ERROR, 0, 0, -1, -1, "輸出檔的檔名要以 %s 結尾", io_ending(want));
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
	if (io_kind(path) == IO_XLSX)
		return xlsxout_write(t, path, backup, diags);
	return csvio_save(t, path, backup, diags);
}
