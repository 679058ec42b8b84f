/* test_odsin.c - reading the first sheet of an .ods spreadsheet: the same
 * table as the CSV reader gives for the same rows, whether spmform or
 * LibreOffice wrote them (repeated cells and rows, covered cells, spaces
 * as <text:s/>), every kind of cell as LibreOffice shows it, messages at
 * the sheet's row, hostile files refused with a reason and never a crash.
 *
 * Packages are built by tests/unit/ods_write.py (Python's zipfile) from a
 * spec: the XML of the first sheet's rows, and options (its header).
 * R(...) below builds a row of string cells from tab-separated values.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "csvio.h"
#include "mem.h"
#include "odsin.h"
#include "odsout.h"
#include "testutil.h"

static Form *form;
static char tmpdir[] = "/tmp/spmform-odsin-XXXXXX";
static const FileFormat DEFAULT_FMT = {ENC_UTF8, true, true};

static int setup(void **state)
{
	(void)state;
	DiagList dl;
	diag_init(&dl);
	form = form_load(INVENTORY, &dl);
	diag_free(&dl);
	return form && mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	form_free(form);
	return remove_tree(tmpdir);
}

/* Appends printf output to *s. */
static void cat(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cat(char **s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	size_t old = *s ? strlen(*s) : 0;
	*s = xrealloc(*s, old + (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(*s + old, (size_t)n + 1, fmt, ap);
	va_end(ap);
}

/* A row of string cells: tsv's values ("" = an empty cell). */
static char *row(const char *tsv)
{
	char *s = xstrdup("<table:table-row>");
	for (const char *p = tsv;;) {
		const char *tab = strchr(p, '\t');
		int n = tab ? (int)(tab - p) : (int)strlen(p);
		if (n)
			cat(&s, "<table:table-cell office:value-type=\"string\"><text:p>%.*s</text:p>"
				"</table:table-cell>", n, p);
		else
			cat(&s, "<table:table-cell/>");
		if (!tab)
			break;
		p = tab + 1;
	}
	cat(&s, "</table:table-row>");
	return s;
}

/* The headers of the form, tab-separated. */
static char *header_tsv(void)
{
	char *s = NULL;
	for (size_t f = 0; f < form_nfields(form); f++)
		cat(&s, "%s%s", f ? "\t" : "", form_field(form, f)->header);
	return s;
}

/* Builds the package of spec; returns its path (caller frees). */
static char *ods(const char *spec)
{
	static int n;
	char *spec_path = xasprintf("%s/s%d.spec", tmpdir, n);
	char *path = xasprintf("%s/s%d.ods", tmpdir, n++);
	write_file(spec_path, spec, strlen(spec));
	char *cmd = xasprintf("/usr/bin/python3 -I tests/unit/ods_write.py '%s' '%s'", spec_path, path);
	int rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "ods_write.py failed on:\n%s\n", spec);
	assert_int_equal(rc, 0);
	free(cmd);
	free(spec_path);
	return path;
}

static Table *load(const char *path, DiagList *dl)
{
	diag_init(dl);
	return odsin_load(path, form, DEFAULT_FMT, dl);
}

static Table *load_spec(const char *spec, DiagList *dl)
{
	char *path = ods(spec);
	Table *t = load(path, dl);
	unlink(path);
	free(path);
	return t;
}

static const Diag *find_diag(const DiagList *dl, DiagLevel level, long line, const char *text)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->items[i].level == level && dl->items[i].line == line &&
		    strstr(dl->items[i].msg, text))
			return &dl->items[i];
	return NULL;
}

/* Loads spec, expecting NULL and an error on line containing text. */
static void assert_refused_at(const char *spec, long line, const char *text)
{
	DiagList dl;
	Table *t = load_spec(spec, &dl);
	if (t || !find_diag(&dl, DIAG_ERROR, line, text)) {
		fprintf(stderr, "expected an error with \"%s\" for:\n%.600s\n", text, spec);
		dump_diags(&dl);
	}
	assert_null(t);
	assert_non_null(find_diag(&dl, DIAG_ERROR, line, text));
	diag_free(&dl);
}

static void assert_refused(const char *spec, const char *text)
{
	assert_refused_at(spec, 0, text);
}

static void assert_same_table(Table *a, Table *b)
{
	assert_int_equal(table_ncols(a), table_ncols(b));
	for (size_t c = 0; c < table_ncols(a); c++)
		assert_string_equal(table_col_header(a, c), table_col_header(b, c));
	assert_int_equal(table_nrecords(a), table_nrecords(b));
	for (size_t r = 0; r < table_nrecords(a); r++) {
		const Record *x = table_record_c(a, r), *y = table_record_c(b, r);
		assert_int_equal(x->line, y->line);
		for (size_t c = 0; c < table_ncols(a); c++)
			assert_string_equal(x->cells[c], y->cells[c]);
		assert_int_equal(x->noverflow, y->noverflow);
	}
}

static void assert_reads_as_example_csv(Table *t, DiagList *dl)
{
	dump_diags(dl);
	assert_non_null(t);
	assert_int_equal(dl->n, 0);
	DiagList dc;
	diag_init(&dc);
	Table *csv = csvio_load("forms/examples/inventory.csv", form, DEFAULT_FMT, &dc);
	assert_non_null(csv);
	assert_same_table(t, csv);
	table_free(csv);
	diag_free(&dc);
}

/* --- the example rows -------------------------------------------------------- */

static void test_spmform_export_reads_as_the_example_csv(void **state)
{
	(void)state;
	DiagList dl;
	diag_init(&dl);
	Table *csv = csvio_load("forms/examples/inventory.csv", form, DEFAULT_FMT, &dl);
	char *path = xasprintf("%s/export.ods", tmpdir);
	assert_int_equal(odsout_write(csv, path, false, &dl), 0);
	table_free(csv);
	diag_free(&dl);
	Table *t = load(path, &dl);
	assert_reads_as_example_csv(t, &dl);
	table_free(t);
	diag_free(&dl);
	unlink(path);
	free(path);
}

/* The example rows as LibreOffice writes them: the header inside
 * <table:table-header-rows>, equal neighbours as one repeated cell, the
 * downtime a float whose text is formatted, spans, a comment, the rest
 * of the 16,384 columns and 1,048,576 rows as repeated empty ones. */
static void test_libreoffice_style_rows_read_as_the_example_csv(void **state)
{
	(void)state;
	char *h = header_tsv(), *hr = row(h);
	char *spec = xasprintf("<table:table-column table:number-columns-repeated=\"1024\"/>"
			       "<table:table-header-rows>%s</table:table-header-rows>\n",
			       hr);
	/* the header row's trailing columns */
	char *tail = strstr(spec, "</table:table-row></table:table-header-rows>");
	assert_non_null(tail);
	*tail = '\0';
	char *rest = xasprintf("<table:table-cell table:number-columns-repeated=\"16363\"/>"
			       "</table:table-row></table:table-header-rows>\n");
	cat(&spec, "%s", rest);
	free(rest);
	size_t downtime = field_of(form, "max_downtime");
	for (size_t r = 0; r < 5; r++) {
		cat(&spec, "<table:table-row table:style-name=\"ro2\">");
		const char *p = EXAMPLE_ROWS[r];
		for (size_t f = 0; f < form_nfields(form); f++) {
			const char *tab = strchr(p, '\t');
			int n = tab ? (int)(tab - p) : (int)strlen(p);
			const char *next = tab ? tab + 1 : p + n;
			const char *tab2 = strchr(next, '\t');
			int n2 = tab2 ? (int)(tab2 - next) : (int)strlen(next);
			bool same_next = tab && n && n == n2 && strncmp(p, next, (size_t)n) == 0;
			if (!n)
				cat(&spec, "<table:table-cell/>");
			else if (f == downtime)
				cat(&spec, "<table:table-cell office:value-type=\"float\" office:value=\"%.*s\">"
					   "<text:p>%.*s.00</text:p></table:table-cell>", n, p, n, p);
			else if (same_next) { /* 某某處 某某處: one cell, repeated */
				cat(&spec, "<table:table-cell table:number-columns-repeated=\"2\" "
					   "office:value-type=\"string\"><text:p>%.*s</text:p></table:table-cell>",
				    n, p);
				p = next;
				f++;
				tab = strchr(p, '\t');
			} else if (r == 0 && f == 1) /* 系統A in a span, with a comment */
				cat(&spec, "<table:table-cell office:value-type=\"string\"><office:annotation>"
					   "<dc:creator>x</dc:creator><text:p>不是內容</text:p></office:annotation>"
					   "<text:p><text:span>系統</text:span>A</text:p></table:table-cell>");
			else
				cat(&spec, "<table:table-cell office:value-type=\"string\"><text:p>%.*s</text:p>"
					   "</table:table-cell>", n, p);
			p = tab ? tab + 1 : p + strlen(p);
		}
		cat(&spec, "<table:table-cell table:number-columns-repeated=\"16363\"/></table:table-row>\n");
	}
	cat(&spec, "<table:table-row table:number-rows-repeated=\"1048570\">"
		   "<table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>\n"
		   "!after <table:table table:name=\"範例\">%s</table:table>\n", hr);
	DiagList dl;
	Table *t = load_spec(spec, &dl);
	assert_reads_as_example_csv(t, &dl);
	table_free(t);
	diag_free(&dl);
	free(spec);
	free(hr);
	free(h);
}

/* --- cells ------------------------------------------------------------------- */

/* Values of unknown columns are kept as read: each case is a column
 * titled k0, k1... */
static const struct {
	const char *cell, *want;
} CELLS[] = {
    {"office:value-type=\"float\" office:value=\"24\"><text:p>24.00", "24"},
    {"office:value-type=\"float\" office:value=\"0.30000000000000004\"><text:p>0.3", "0.3"},
    {"office:value-type=\"float\" office:value=\"1E+20\"><text:p>1E+20", "1E+20"},
    {"office:value-type=\"percentage\" office:value=\"0.5\"><text:p>50%", "0.5"},
    {"office:value-type=\"currency\" office:currency=\"TWD\" office:value=\"1000\"><text:p>NT$1,000",
     "1000"},
    {"office:value-type=\"boolean\" office:boolean-value=\"true\"><text:p>TRUE", "TRUE"},
    {"office:value-type=\"boolean\" office:boolean-value=\"false\"><text:p>FALSE", "FALSE"},
    {"office:value-type=\"date\" office:date-value=\"2021-02-24\"><text:p>110/02/24", "2021-02-24"},
    {"office:value-type=\"time\" office:time-value=\"PT12H00M00S\"><text:p>12:00", "PT12H00M00S"},
    {"office:value-type=\"string\" office:string-value=\"值\"><text:p>顯示", "值"},
    {"office:value-type=\"string\"><text:p>a<text:s text:c=\"3\"/>b<text:s/>c", "a   b c"},
    {"office:value-type=\"string\"><text:p>a<text:tab/>b<text:line-break/>c", "a\tb\nc"},
    /* the XML's own white space, as a pretty-printing writer leaves it */
    {"office:value-type=\"string\"><text:p>\n   a \t b\r\n  <text:span> c </text:span> ", "a b c"},
    {"office:value-type=\"string\"><text:p><text:s text:c=\"2\"/>  a<text:s/>", "  a "},
    {"office:value-type=\"string\"><text:p>第一行</text:p><text:p/><text:h>第三行</text:h><text:p>末",
     "第一行\n\n第三行\n末"},
    {"office:value-type=\"string\"><text:p><text:a xlink:href=\"x\">連結</text:a>文字", "連結文字"},
    {"table:formula=\"of:=1+1\" office:value-type=\"float\" office:value=\"2\"><text:p>2", "2"},
    {"table:formula=\"of:=&quot;a&quot;\" office:value-type=\"string\"><text:p>a", "a"},
    {"><text:p>沒有型別", "沒有型別"},
    {"office:value-type=\"string\"><draw:frame><draw:text-box><text:p>圖</text:p></draw:text-box>"
     "</draw:frame><text:p>字",
     "字"},
};

static void test_cells_read_as_libreoffice_shows_them(void **state)
{
	(void)state;
	size_t n = sizeof CELLS / sizeof *CELLS;
	char *spec = xstrdup("<table:table-row><table:table-cell office:value-type=\"string\">"
			     "<text:p>系統名稱(必填)</text:p></table:table-cell>");
	for (size_t i = 0; i < n; i++)
		cat(&spec, "<table:table-cell office:value-type=\"string\"><text:p>k%zu</text:p>"
			   "</table:table-cell>", i);
	cat(&spec, "</table:table-row>\n<table:table-row><table:table-cell office:value-type=\"string\">"
		   "<text:p>系統A</text:p></table:table-cell>");
	for (size_t i = 0; i < n; i++)
		cat(&spec, "<table:table-cell %s</text:p></table:table-cell>", CELLS[i].cell);
	cat(&spec, "</table:table-row>\n");
	/* xlink is used by one cell */
	char *at = strstr(spec, "<text:a ");
	assert_non_null(at);
	char *fixed = xasprintf("%.*s<text:a xmlns:xlink=\"http://www.w3.org/1999/xlink\" %s",
				(int)(at - spec), spec, at + strlen("<text:a "));
	DiagList dl;
	Table *t = load_spec(fixed, &dl);
	if (!t)
		dump_diags(&dl);
	assert_non_null(t);
	size_t nf = form_nfields(form);
	assert_int_equal(table_ncols(t), nf + n);
	const Record *r = table_record_c(t, 0);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(r->cells[nf + i], CELLS[i].want) != 0)
			fprintf(stderr, "cell %zu: %s\n", i, CELLS[i].cell);
		assert_string_equal(r->cells[nf + i], CELLS[i].want);
	}
	table_free(t);
	diag_free(&dl);
	free(fixed);
	free(spec);
}

/* Repeated rows are as many records, each with its own sheet row; blank
 * rows count; merged ranges leave their covered cells empty. */
static void test_repeated_rows_are_records_at_their_own_rows(void **state)
{
	(void)state;
	char *h = row("資產編號\t系統名稱(必填)\t系統屬性(必填)\t不明欄位");
	char *spec = xasprintf("<table:table-row table:number-rows-repeated=\"2\"><table:table-cell/></table:table-row>\n"
			       "%s\n"
			       "<table:table-row table:number-rows-repeated=\"3\">"
			       "<table:table-cell office:value-type=\"string\"><text:p>編號</text:p></table:table-cell>"
			       "<table:table-cell office:value-type=\"string\" table:number-columns-spanned=\"2\">"
			       "<text:p>系統</text:p></table:table-cell><table:covered-table-cell/>"
			       "<table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell>"
			       "<table:table-cell office:value-type=\"string\"><text:p>多出來的</text:p></table:table-cell>"
			       "</table:table-row>\n"
			       "<table:table-row table:number-rows-repeated=\"4\"/>\n"
			       "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>編號B</text:p>"
			       "</table:table-cell><table:table-cell table:number-columns-repeated=\"2\" "
			       "office:value-type=\"string\"><text:p>其他值</text:p></table:table-cell></table:table-row>\n",
			       h);
	DiagList dl;
	Table *t = load_spec(spec, &dl);
	assert_non_null(t);
	/* the header is the first non-blank row: row 3 */
	assert_non_null(find_diag(&dl, DIAG_WARNING, 3, "不明欄位"));
	assert_int_equal(table_nrecords(t), 4);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(table_record(t, i)->line, 4 + (long)i);
		assert_string_equal(table_record(t, i)->cells[field_of(form, "name")], "系統");
		assert_string_equal(table_record(t, i)->cells[field_of(form, "attribute")], "");
		assert_non_null(find_diag(&dl, DIAG_ERROR, 4 + (long)i, "比標題多 1 欄"));
	}
	assert_int_equal(table_record(t, 3)->line, 11);
	assert_string_equal(table_record(t, 3)->cells[field_of(form, "name")], "其他值");
	assert_string_equal(table_record(t, 3)->cells[field_of(form, "attribute")], "其他值");
	table_free(t);
	diag_free(&dl);
	free(spec);
	free(h);
}

/* The first table is read, whatever it is called; the rest are not even
 * parsed (a damaged second sheet does not matter). */
static void test_only_the_first_sheet_is_read(void **state)
{
	(void)state;
	char *a = row("系統名稱(必填)"), *b = row("系統A"), *c = row("別的工作表");
	char *spec = xasprintf("!name Sheet1\n%s%s\n!after <table:table table:name=\"二\">%s<broken>"
			       "</table:table>\n",
			       a, b, c);
	DiagList dl;
	Table *t = load_spec(spec, &dl);
	assert_non_null(t);
	assert_int_equal(table_nrecords(t), 1);
	assert_string_equal(table_record(t, 0)->cells[field_of(form, "name")], "系統A");
	table_free(t);
	diag_free(&dl);
	free(spec);
	free(a);
	free(b);
	free(c);
}

static void test_empty_sheet_and_unknown_header_are_refused(void **state)
{
	(void)state;
	assert_refused("<table:table-row table:number-rows-repeated=\"1048576\"><table:table-cell/></table:table-row>",
		       "工作表「清冊」是空的 (沒有標題列)");
	char *a = row("甲\t乙"), *b = row("1\t2");
	char *spec = xasprintf("%s%s", a, b);
	assert_refused_at(spec, 1, "沒有任何認得的欄位");
	free(spec);
	free(a);
	free(b);
}

/* --- hostile and damaged files ------------------------------------------------- */

static Table *load_bytes(const char *data, size_t len, DiagList *dl)
{
	char *path = xasprintf("%s/bytes.ods", tmpdir);
	write_file(path, data, len);
	Table *t = load(path, dl);
	unlink(path);
	free(path);
	return t;
}

static void assert_bytes_refused(const char *data, size_t len, const char *text)
{
	DiagList dl;
	Table *t = load_bytes(data, len, &dl);
	if (!find_diag(&dl, DIAG_ERROR, 0, text))
		dump_diags(&dl);
	assert_null(t);
	assert_non_null(find_diag(&dl, DIAG_ERROR, 0, text));
	diag_free(&dl);
}

static void test_files_that_are_no_spreadsheet_say_what_they_are(void **state)
{
	(void)state;
	assert_bytes_refused("", 0, "檔案是空的");
	assert_bytes_refused("資產編號,系統名稱\r\n", strlen("資產編號,系統名稱\r\n"), "不是 .ods 試算表 (不是 ZIP 檔)");
	assert_bytes_refused("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0", 11, "舊版 Excel (.xls)");
	assert_bytes_refused("PK\3\4 and nothing", 16, "ZIP 結構損壞");
	DiagList dl;
	assert_null(load(tmpdir, &dl));
	assert_non_null(find_diag(&dl, DIAG_ERROR, 0, "資料夾"));
	diag_free(&dl);
	/* other zips */
	assert_refused("!mimetype application/vnd.oasis.opendocument.text\n",
		       "這不是 OpenDocument 試算表 (檔案種類是 application/vnd.oasis.opendocument.text)");
	assert_refused("!part content.xml\t-\n!part xl/workbook.xml\t<workbook/>\n!mimetype -\n",
		       "這是 .xlsx 活頁簿");
	assert_refused("!part content.xml\t-\n", "ZIP 檔裡沒有 content.xml");
	assert_refused("!part META-INF/manifest.xml\t<manifest:manifest xmlns:manifest=\""
		       "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"><manifest:file-entry "
		       "manifest:full-path=\"content.xml\"><manifest:encryption-data/>"
		       "</manifest:file-entry></manifest:manifest>\n",
		       "設了開啟密碼");
	/* a package without a mimetype is read (some writers leave it out) */
	char *a = row("系統名稱(必填)"), *b = row("系統A");
	char *spec = xasprintf("!mimetype -\n%s%s", a, b);
	Table *t = load_spec(spec, &dl);
	assert_non_null(t);
	table_free(t);
	diag_free(&dl);
	free(spec);
	free(a);
	free(b);
	assert_refused("!content <office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:"
		       "xmlns:office:1.0\"><office:body><office:text/></office:body></office:document-content>",
		       "沒有任何工作表");
}

static void test_xml_error_names_part_and_line(void **state)
{
	(void)state;
	assert_refused("<table:table-row>\n<table:table-cell><text:p>a</table:table-cell>",
		       "content.xml 第 3 行第 30 字：XML 格式錯誤 (mismatched tag)");
	assert_refused("!content ", "no element found");
}

static void test_truncated_package_is_refused_at_every_length(void **state)
{
	(void)state;
	char *a = row("系統名稱(必填)"), *b = row("系統A");
	char *spec = xasprintf("%s%s", a, b);
	char *path = ods(spec);
	size_t len;
	char *data = read_file(path, &len);
	assert_non_null(data);
	for (size_t n = 1; n < len; n += n < 64 ? 1 : 11) {
		DiagList dl;
		Table *t = load_bytes(data, n, &dl);
		assert_null(t);
		assert_true(dl.nerrors > 0);
		diag_free(&dl);
	}
	free(data);
	free(path);
	free(spec);
	free(a);
	free(b);
}

/* Every byte of a stored package changed in turn: a table or a reason,
 * never a crash, a hang or a leak. */
static void test_every_changed_byte_is_survived(void **state)
{
	(void)state;
	char *a = row("資產編號\t系統名稱(必填)"), *b = row("a\t系統A");
	char *spec = xasprintf("!store\n%s<table:table-row table:number-rows-repeated=\"2\">"
			       "<table:table-cell office:value-type=\"float\" office:value=\"1.5\"/>"
			       "<table:table-cell><text:p>x<text:s text:c=\"2\"/>y</text:p></table:table-cell>"
			       "</table:table-row>%s",
			       a, b);
	char *path = ods(spec);
	size_t len;
	char *data = read_file(path, &len);
	assert_non_null(data);
	size_t tables = 0;
	for (size_t i = 0; i < len; i++) {
		char keep = data[i];
		data[i] = (char)(keep ^ (i % 2 ? 0x20 : 0xFF));
		DiagList dl;
		Table *t = load_bytes(data, len, &dl);
		assert_true(t || dl.nerrors > 0);
		tables += t != NULL;
		table_free(t);
		diag_free(&dl);
		data[i] = keep;
	}
	assert_true(tables > 0);
	free(data);
	free(path);
	free(spec);
	free(a);
	free(b);
}

static void test_hostile_parts_are_refused(void **state)
{
	(void)state;
	/* entity expansion (billion laughs) never starts: no DTD is read */
	assert_refused("!content <?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\">"
		       "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><d>&b;</d>",
		       "DTD");
	assert_refused("!big content.xml 1100\n", "超過上限 1024 MiB");
	assert_refused("!big META-INF/manifest.xml\n", "超過上限 256 MiB");
	char *a = row("系統名稱(必填)"), *b = row("系統A");
	char *spec = xasprintf("!corrupt\n%s%s", a, b);
	assert_refused(spec, "CRC");
	free(spec);
	/* a few bytes that would expand into gigabytes */
	spec = xasprintf("%s<table:table-row><table:table-cell><text:p>"
			 "<text:s text:c=\"2000000000\"/></text:p></table:table-cell></table:table-row>", a);
	assert_refused(spec, "超過文字上限 128 MiB");
	free(spec);
	char *kb = xmalloc(1025);
	memset(kb, 'x', 1024);
	kb[1024] = '\0';
	spec = xasprintf("%s<table:table-row table:number-rows-repeated=\"100\"><table:table-cell "
			 "table:number-columns-repeated=\"16000\"><text:p>%s</text:p></table:table-cell>"
			 "</table:table-row>", a, kb);
	assert_refused_at(spec, 10, "文字超過 128 MiB");
	free(spec);
	spec = xasprintf("%s<table:table-row table:number-rows-repeated=\"1000000\">"
			 "<table:table-cell table:number-columns-repeated=\"21\"><text:p>x</text:p>"
			 "</table:table-cell></table:table-row>", a);
	assert_refused_at(spec, 199730, "超過 4194304 個儲存格");
	free(spec);
	/* beyond a sheet's size */
	spec = xasprintf("<table:table-row table:number-rows-repeated=\"1048575\"><table:table-cell/>"
			 "</table:table-row>%s%s", a, b);
	assert_refused(spec, "超過 1048576 列");
	free(spec);
	spec = xasprintf("%s<table:table-row><table:table-cell table:number-columns-repeated=\"16384\"/>"
			 "<table:table-cell><text:p>x</text:p></table:table-cell></table:table-row>", a);
	assert_refused(spec, "第 2 列超過 16384 欄");
	free(spec);
	/* blank rows and columns beyond the sheet are nothing */
	spec = xasprintf("%s%s<table:table-row table:number-rows-repeated=\"99999999999\">"
			 "<table:table-cell table:number-columns-repeated=\"99999999999\"/></table:table-row>",
			 a, b);
	DiagList dl;
	Table *t = load_spec(spec, &dl);
	assert_non_null(t);
	assert_int_equal(table_nrecords(t), 1);
	table_free(t);
	diag_free(&dl);
	free(spec);
	free(kb);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spmform_export_reads_as_the_example_csv),
	    cmocka_unit_test(test_libreoffice_style_rows_read_as_the_example_csv),
	    cmocka_unit_test(test_cells_read_as_libreoffice_shows_them),
	    cmocka_unit_test(test_repeated_rows_are_records_at_their_own_rows),
	    cmocka_unit_test(test_only_the_first_sheet_is_read),
	    cmocka_unit_test(test_empty_sheet_and_unknown_header_are_refused),
	    cmocka_unit_test(test_files_that_are_no_spreadsheet_say_what_they_are),
	    cmocka_unit_test(test_xml_error_names_part_and_line),
	    cmocka_unit_test(test_truncated_package_is_refused_at_every_length),
	    cmocka_unit_test(test_every_changed_byte_is_survived),
	    cmocka_unit_test(test_hostile_parts_are_refused),
	};
	return cmocka_run_group_tests_name("odsin", tests, setup, teardown) ? 1 : 0;
}
