/* fuzz_sst.c - libFuzzer target: the shared strings and the sheet of an
 * otherwise well-formed .xlsx.  The input is split at its first NUL byte:
 * before it xl/sharedStrings.xml, after it xl/worksheets/sheet1.xml.  A
 * small part whose strings many cells name must be refused at the text
 * limit (zipxml.h), never expanded into memory; reading must never crash,
 * hang or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <minizip/zip.h>

#include "fuzz_util.h"
#include "xlsxin.h"

static const char CONTENT_TYPES[] =
    "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>";
static const char RELS[] =
    "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
static const char WORKBOOK[] =
    "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"s\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char WB_RELS[] =
    "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "</Relationships>";

static void add(zipFile z, const char *name, const void *data, size_t n)
{
	if (zipOpenNewFileInZip(z, name, NULL, NULL, 0, NULL, 0, NULL, Z_DEFLATED, 1) != ZIP_OK ||
	    zipWriteInFileInZip(z, data, (unsigned)n) != ZIP_OK || zipCloseFileInZip(z) != ZIP_OK)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const Form *form = fuzz_inventory();
	static char path[64];
	if (!*path) /* one file per process, written anew for each input */
		snprintf(path, sizeof path, "/tmp/fuzz-sst-%ld.xlsx", (long)getpid());
	const uint8_t *nul = memchr(data, '\0', size);
	size_t na = nul ? (size_t)(nul - data) : size;
	zipFile z = zipOpen(path, APPEND_STATUS_CREATE);
	if (!z)
		abort();
	add(z, "[Content_Types].xml", CONTENT_TYPES, strlen(CONTENT_TYPES));
	add(z, "_rels/.rels", RELS, strlen(RELS));
	add(z, "xl/workbook.xml", WORKBOOK, strlen(WORKBOOK));
	add(z, "xl/_rels/workbook.xml.rels", WB_RELS, strlen(WB_RELS));
	add(z, "xl/sharedStrings.xml", data, na);
	add(z, "xl/worksheets/sheet1.xml", nul ? nul + 1 : data + size, nul ? size - na - 1 : 0);
	if (zipClose(z, NULL) != ZIP_OK)
		abort();
	DiagList dl;
	diag_init(&dl);
	Table *t = xlsxin_load(path, form, (FileFormat){ENC_UTF8, true, true}, &dl);
	table_free(t);
	diag_free(&dl);
	unlink(path);
	return 0;
}
