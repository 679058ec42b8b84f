/* zipxml.h - the XML parts of a zip package (an .xlsx workbook, an .ods
 * spreadsheet), parsed with expat as they are inflated by minizip, with
 * the limits that keep a hostile file from exhausting memory or time.
 *
 * Used by xlsxin.c and odsin.c: a reader opens the package with unzOpen64,
 * then hands each part it wants to zipxml_parse with its own expat
 * handlers.  No part's XML is held in memory whole.  Limits enforced here
 * and shared by both readers:
 * - a part larger than ZIPXML_MAX_PART uncompressed (as the zip directory
 *   says, and as inflated) is refused, or than the part's own limit
 *   (ZipxmlPart.max_size: an .ods has every sheet in one content.xml);
 * - a part with a DTD (<!DOCTYPE>) is refused before any entity is
 *   defined: no part of a workbook has one, so it could only serve entity
 *   tricks (billion laughs, external entities);
 * - encrypted entries, bad CRCs and inflate errors are refused.
 * The readers enforce the others themselves with the constants below: the
 * cells they hand on and the bytes of text in them.
 *
 * Every refusal is one DIAG_ERROR (line 0) in the reader's DiagList that
 * names the part, and its XML line where there is one.
 */
#ifndef SPMFORM_ZIPXML_H
#define SPMFORM_ZIPXML_H

#include <expat.h>
#include <locale.h>
#include <minizip/unzip.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

#define ZIPXML_MAX_PART ((ZPOS64_T)256 << 20) /* uncompressed bytes of a part */
#define ZIPXML_MAX_CELLS ((size_t)1 << 22)    /* cells a reader hands to its RowSink */
#define ZIPXML_MAX_TEXT ((size_t)128 << 20)   /* bytes of text in those cells */

/* Separates a namespace URI from the local name in expat's names (the
 * parser is created with namespace processing). */
#define ZIPXML_NS_SEP '|'

/* One XML part being parsed; handlers get it as their user data. */
typedef struct {
	XML_Parser xp;
	DiagList *dl;
	const char *name; /* the part's name in the zip */
	bool stopped;     /* a handler stopped the parser (after any diag) */
	bool finished;    /* a handler has read all it wants (zipxml_finish) */
	ZPOS64_T max_size; /* the part's limit, or 0 for ZIPXML_MAX_PART */
	int depth;        /* of the element being read, the root is 1; the
			   * handlers keep it */
	void *state;      /* the reader's own state for this part */
	/* progress over the parts that take long (progress.h): their total
	 * size, and what of it earlier parts had; 0: none reported */
	size_t progress_total, progress_done;
} ZipxmlPart;

/* What the messages call the file ("的 .xlsx 活頁簿"...). */
typedef struct {
	const char *ending;    /* ".xlsx", ".ods" */
	const char *noun;      /* "活頁簿", "試算表" */
	const char *save_as;   /* how to save one: "在 Excel 另存為「Excel 活頁簿 (*.xlsx)」" */
} ZipxmlKind;

/* Checks that path is a regular, non-empty file that starts like a zip,
 * and says what it is when it is not (a folder, an old .xls or an
 * encrypted workbook, text).  false with a diag. */
bool zipxml_check_file(const char *path, const ZipxmlKind *kind, DiagList *dl);

/* Parses part name of z with the handlers (user data: p; p->dl, p->state
 * and the progress fields are the caller's, the rest is set here).  Part
 * names are compared ignoring ASCII case.  Returns 1 when parsed, 0 when
 * the part is absent and not required, -1 on failure (a diag says why).
 * A handler that stops the parse with zipxml_fail or zipxml_stop makes it
 * -1 as well. */
int zipxml_parse(unzFile z, const char *name, bool required, ZipxmlPart *p,
		 XML_StartElementHandler on_start, XML_EndElementHandler on_end,
		 XML_CharacterDataHandler on_text);

/* Stops the parse because of damage in the part: one diag naming it and
 * the current XML line, with msg (malloc'd; freed here). */
void zipxml_fail(ZipxmlPart *p, char *msg);

/* Stops the parse for a reason already reported. */
void zipxml_stop(ZipxmlPart *p);

/* Stops the parse because the reader has read what it wants (an .ods
 * reader after its first sheet): the rest of the part is only inflated,
 * so that its CRC is still checked, and zipxml_parse returns 1. */
void zipxml_finish(ZipxmlPart *p);

/* The uncompressed size of part name of z (as its directory says), or 0
 * when absent. */
size_t zipxml_part_size(unzFile z, const char *name);

/* The local part of an expat name ("URI|local" or "local"). */
const char *zipxml_local(const char *name);

/* The namespace URI of an expat name, compared: whether name is local in
 * namespace ns (ns NULL: in none). */
bool zipxml_is(const char *name, const char *ns, const char *local);

/* The value of the attribute local of atts; namespaced says whether it
 * must carry a namespace (r:id) or must not (r, t); NULL when absent. */
const char *zipxml_attr(const char **atts, const char *local, bool namespaced);

/* The value of the attribute ns|local (ns a namespace URI), or NULL. */
const char *zipxml_attr_ns(const char **atts, const char *ns, const char *local);

/* A number cell's value (an .xlsx <v>, an .ods office:value) as Excel
 * and LibreOffice show it: an integral value below 10^15 in full without
 * a fraction ("24.0", "2.4E1" -> "24"), any other with 15 significant
 * digits ("0.30000000000000004" -> "0.3", "1E+20"); text that is not a
 * decimal number is kept.  cloc is the "C" locale (newlocale), so that
 * the decimal point is "." whatever LC_NUMERIC says (the entry screen
 * calls setlocale(LC_ALL, "")); (locale_t)0 keeps v.  Malloc'd. */
char *zipxml_number_text(const char *v, locale_t cloc);

/* Handlers both readers use: an end that only keeps depth, and text that
 * is not wanted. */
void XMLCALL zipxml_end_depth(void *ud, const XML_Char *name);
void XMLCALL zipxml_no_text(void *ud, const XML_Char *s, int len);

/* Text gathered from character data, which expat hands in pieces. */
typedef struct {
	char *s; /* NUL-terminated when cap > 0 */
	size_t n, cap;
} ZipxmlBuf;

void zipxml_buf_add(ZipxmlBuf *b, const char *s, size_t n);
void zipxml_buf_clear(ZipxmlBuf *b);
/* The text so far ("" before any). */
const char *zipxml_buf_str(const ZipxmlBuf *b);

#endif
