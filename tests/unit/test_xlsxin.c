/* test_xlsxin.c - reading the first sheet of an .xlsx workbook: the same
 * table as the CSV reader gives for the same rows, every kind of cell as
 * Excel shows it, messages at the sheet's row, hostile files refused with
 * a reason and never a crash.
 *
 * The workbooks are built by the Python script below (Debian's python3;
 * python3-openpyxl for the one openpyxl writes) from a spec, one line per
 * sheet row: "ROW<TAB>K:value<TAB>...".  ROW is the row number, or "-" for
 * a row without r (it follows the previous one).  An empty field is a
 * column without a cell; otherwise K says what the cell is:
 *   s shared string      r shared rich text: runs split by |, ^run = phonetic
 *   i inline string      I inline rich text, as r
 *   n number (<v> as written)   f string formula FORMULA|CACHED
 *   F number formula FORMULA|CACHED (CACHED may be empty)
 *   b boolean   e error   z styled empty cell   x the cell's raw XML
 * A leading "-" (-s:text) writes the cell without r.  "\n" in a value is
 * a line break.  Lines starting with ! are options:
 *   !first-not-sheet1  the data sheet is sheet2.xml, listed first; sheet1.xml
 *                      is a decoy listed second (its header matches nothing)
 *   !openpyxl          written by openpyxl instead (s, n and z cells only)
 *   !store             stored, not deflated
 *   !part NAME<TAB>XML replaces or adds a part ("-" removes it)
 *   !big NAME          the zip directory claims 300 MiB for NAME
 *   !corrupt NAME      one letter of NAME's first inline string changes case
 *                      (stored, so that only the CRC tells)
 */
#include <sys/stat.h>
#include <unistd.h>

#include "csvio.h"
#include "mem.h"
#include "testutil.h"
#include "xlsxin.h"

static Form *form;
static char tmpdir[] = "/tmp/spmform-xlsxin-XXXXXX";
static const FileFormat DEFAULT_FMT = {ENC_UTF8, true, true};

static const char WRITER_PY[] =
	"import struct, sys, zipfile\n"
	"from xml.sax.saxutils import escape as esc\n"
	"spec, out = sys.argv[1], sys.argv[2]\n"
	"rows, parts, opts, big, bad = [], {}, set(), [], []\n"
	"def un(s):\n"
	"    return s.replace('\\\\n', '\\n').replace('\\\\t', '\\t')\n"
	"for line in open(spec, encoding='utf-8').read().split('\\n'):\n"
	"    if line.startswith('!part '):\n"
	"        name, text = line[6:].split('\\t', 1)\n"
	"        parts[name] = un(text)\n"
	"    elif line.startswith('!big '):\n"
	"        big.append(line[5:])\n"
	"    elif line.startswith('!corrupt '):\n"
	"        bad.append(line[9:])\n"
	"    elif line.startswith('!'):\n"
	"        opts.add(line[1:])\n"
	"    elif line:\n"
	"        rows.append(line.split('\\t'))\n"
	"def col(i):\n"
	"    s = ''\n"
	"    i += 1\n"
	"    while i:\n"
	"        i, r = divmod(i - 1, 26)\n"
	"        s = chr(65 + r) + s\n"
	"    return s\n"
	"def runs(p):\n"
	"    o = ''\n"
	"    for r in p.split('|'):\n"
	"        if r.startswith('^'):\n"
	"            o += '<rPh sb=\"0\" eb=\"1\"><t>%s</t></rPh>' % esc(r[1:])\n"
	"        else:\n"
	"            o += '<r><rPr><b/></rPr><t xml:space=\"preserve\">%s</t></r>' % esc(r)\n"
	"    return o\n"
	"if 'openpyxl' in opts:\n"
	"    import openpyxl\n"
	"    from openpyxl.styles import Font\n"
	"    wb = openpyxl.Workbook()\n"
	"    ws = wb.active\n"
	"    ws.title = '資通系統盤點清冊'\n"
	"    for row in rows:\n"
	"        for i, c in enumerate(row[1:]):\n"
	"            if not c:\n"
	"                continue\n"
	"            k, p = c.split(':', 1)\n"
	"            cell = ws.cell(row=int(row[0]), column=i + 1)\n"
	"            if k == 's':\n"
	"                cell.value = un(p)\n"
	"            elif k == 'n':\n"
	"                cell.value = float(p) if '.' in p else int(p)\n"
	"            elif k == 'z':\n"
	"                cell.font = Font(bold=True)\n"
	"    wb.create_sheet('此頁不可刪除')['A1'] = '這是第二個工作表'\n"
	"    wb.save(out)\n"
	"    sys.exit(0)\n"
	"sst, sheet, rn = [], [], 0\n"
	"def si(x):\n"
	"    sst.append('<si>%s</si>' % x)\n"
	"    return len(sst) - 1\n"
	"def cell(k, p):\n"
	"    if k == 's':\n"
	"        return ' t=\"s\"><v>%d</v>' % si('<t xml:space=\"preserve\">%s</t>' % esc(p))\n"
	"    if k == 'r':\n"
	"        return ' t=\"s\"><v>%d</v>' % si(runs(p))\n"
	"    if k == 'i':\n"
	"        return ' t=\"inlineStr\"><is><t>%s</t></is>' % esc(p)\n"
	"    if k == 'I':\n"
	"        return ' t=\"inlineStr\"><is>%s</is>' % runs(p)\n"
	"    if k == 'n':\n"
	"        return ' s=\"1\"><v>%s</v>' % esc(p)\n"
	"    if k in 'fF':\n"
	"        f, v = p.split('|')\n"
	"        return '%s><f>%s</f><v>%s</v>' % (' t=\"str\"' if k == 'f' else '', esc(f), esc(v))\n"
	"    if k in 'be':\n"
	"        return ' t=\"%s\"><v>%s</v>' % (k, esc(p))\n"
	"    return ' s=\"1\">'\n"
	"for row in rows:\n"
	"    cells = []\n"
	"    rn = rn + 1 if row[0] == '-' else int(row[0])\n"
	"    for i, c in enumerate(row[1:]):\n"
	"        if not c:\n"
	"            continue\n"
	"        ref = ''\n"
	"        if c.startswith('-'):\n"
	"            c = c[1:]\n"
	"        else:\n"
	"            ref = ' r=\"%s%d\"' % (col(i), rn)\n"
	"        k, p = c.split(':', 1)\n"
	"        cells.append(un(p) if k == 'x' else '<c%s%s</c>' % (ref, cell(k, un(p))))\n"
	"    r = '' if row[0] == '-' else ' r=\"%s\"' % row[0]\n"
	"    sheet.append('<row%s>%s</row>' % (r, ''.join(cells)))\n"
	"MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'\n"
	"REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'\n"
	"PKG = 'http://schemas.openxmlformats.org/package/2006/'\n"
	"CT = 'application/vnd.openxmlformats-officedocument.spreadsheetml.'\n"
	"DECL = '<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\\n'\n"
	"def sheet_xml(body):\n"
	"    w = '<worksheet xmlns=\"%s\"><sheetData>%s</sheetData></worksheet>'\n"
	"    return DECL + w % (MAIN, body)\n"
	"def rel(rid, kind, target):\n"
	"    return '<Relationship Id=\"%s\" Type=\"%s/%s\" Target=\"%s\"/>' % (rid, REL, kind, target)\n"
	"def ct(part, kind):\n"
	"    return '<Override PartName=\"/xl/%s\" ContentType=\"%s%s+xml\"/>' % (part, CT, kind)\n"
	"twice = 'first-not-sheet1' in opts\n"
	"sheets = [('資通系統盤點清冊', 'rId1', 'sheet2.xml' if twice else 'sheet1.xml')]\n"
	"if twice:\n"
	"    sheets.append(('此頁不可刪除', 'rId2', 'sheet1.xml'))\n"
	"files = {}\n"
	"files['[Content_Types].xml'] = (\n"
	"    DECL + '<Types xmlns=\"%scontent-types\">' % PKG\n"
	"    + '<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.'\n"
	"    + 'relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>'\n"
	"    + ct('workbook.xml', 'sheet.main')\n"
	"    + ''.join(ct('worksheets/' + s[2], 'worksheet') for s in sheets)\n"
	"    + ct('sharedStrings.xml', 'sharedStrings') + ct('styles.xml', 'styles') + '</Types>')\n"
	"files['_rels/.rels'] = (\n"
	"    DECL + '<Relationships xmlns=\"%srelationships\">' % PKG\n"
	"    + rel('rId1', 'officeDocument', 'xl/workbook.xml') + '</Relationships>')\n"
	"files['xl/workbook.xml'] = (\n"
	"    DECL + '<workbook xmlns=\"%s\" xmlns:r=\"%s\"><sheets>' % (MAIN, REL)\n"
	"    + ''.join('<sheet name=\"%s\" sheetId=\"%d\" r:id=\"%s\"/>' % (s[0], i + 1, s[1])\n"
	"              for i, s in enumerate(sheets)) + '</sheets></workbook>')\n"
	"files['xl/_rels/workbook.xml.rels'] = (\n"
	"    DECL + '<Relationships xmlns=\"%srelationships\">' % PKG\n"
	"    + ''.join(rel(s[1], 'worksheet', 'worksheets/' + s[2]) for s in sheets)\n"
	"    + rel('rId8', 'sharedStrings', 'sharedStrings.xml')\n"
	"    + rel('rId9', 'styles', 'styles.xml') + '</Relationships>')\n"
	"files['xl/styles.xml'] = (\n"
	"    DECL + '<styleSheet xmlns=\"%s\"><fonts count=\"1\"><font/></fonts>' % MAIN\n"
	"    + '<fills count=\"1\"><fill/></fills><borders count=\"1\"><border/></borders>'\n"
	"    + '<cellXfs count=\"2\"><xf/><xf/></cellXfs></styleSheet>')\n"
	"files['xl/sharedStrings.xml'] = (\n"
	"    DECL + '<sst xmlns=\"%s\" count=\"%d\" uniqueCount=\"%d\">' % (MAIN, len(sst), len(sst))\n"
	"    + ''.join(sst) + '</sst>')\n"
	"files['xl/worksheets/' + sheets[0][2]] = sheet_xml('\\n'.join(sheet))\n"
	"if twice:\n"
	"    files['xl/worksheets/sheet1.xml'] = sheet_xml(\n"
	"        '<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>這是第二個工作表</t></is></c></row>')\n"
	"for k, v in parts.items():\n"
	"    if v == '-':\n"
	"        files.pop(k, None)\n"
	"    else:\n"
	"        files[k] = v\n"
	"mode = zipfile.ZIP_STORED if 'store' in opts or bad else zipfile.ZIP_DEFLATED\n"
	"with zipfile.ZipFile(out, 'w', mode) as z:\n"
	"    for k, v in files.items():\n"
	"        z.writestr(k, v.encode('utf-8'))\n"
	"data = bytearray(open(out, 'rb').read())\n"
	"for name in big:  # the central directory claims 300 MiB uncompressed\n"
	"    i = data.find(b'PK\\x01\\x02')\n"
	"    while i >= 0:\n"
	"        if data[i + 46:i + 46 + len(name)] == name.encode():\n"
	"            struct.pack_into('<I', data, i + 24, 300 << 20)\n"
	"        i = data.find(b'PK\\x01\\x02', i + 4)\n"
	"for name in bad:  # one letter of an inline string changes case: the CRC fails\n"
	"    j = data.find(b'<is><t>', data.find(name.encode())) + 7\n"
	"    data[j] ^= 0x20\n"
	"open(out, 'wb').write(data)\n";

static int setup(void **state)
{
	(void)state;
	DiagList dl;
	diag_init(&dl);
	form = form_load(INVENTORY, &dl);
	diag_free(&dl);
	if (!form || !mkdtemp(tmpdir))
		return -1;
	char *py = xasprintf("%s/writer.py", tmpdir);
	write_file(py, WRITER_PY, strlen(WRITER_PY));
	free(py);
	return 0;
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

/* A value as the spec writes it: a line break as "\n". */
static char *spec_text(const char *v)
{
	char *out = NULL;
	cat(&out, "%s", "");
	for (const char *p = v; *p; p++)
		if (*p == '\n')
			cat(&out, "\\n");
		else
			cat(&out, "%c", *p);
	return out;
}

/* Builds the workbook of spec; returns its path (caller frees). */
static char *xlsx(const char *spec)
{
	static int n;
	char *spec_path = xasprintf("%s/w%d.spec", tmpdir, n);
	char *path = xasprintf("%s/w%d.xlsx", tmpdir, n++);
	write_file(spec_path, spec, strlen(spec));
	char *cmd = xasprintf("/usr/bin/python3 '%s/writer.py' '%s' '%s'", tmpdir, spec_path, path);
	int rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "writer.py failed on:\n%s\n", spec);
	assert_int_equal(rc, 0);
	free(cmd);
	free(spec_path);
	return path;
}

static Table *load(const char *path, DiagList *dl)
{
	diag_init(dl);
	return xlsxin_load(path, form, DEFAULT_FMT, dl);
}

/* Builds spec, loads it; the path is removed. */
static Table *load_spec(const char *spec, DiagList *dl)
{
	char *path = xlsx(spec);
	Table *t = load(path, dl);
	unlink(path);
	free(path);
	return t;
}

/* The diag at level on line whose message contains text, or NULL. */
static const Diag *find_diag(const DiagList *dl, DiagLevel level, long line, const char *text)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->items[i].level == level && dl->items[i].line == line &&
		    strstr(dl->items[i].msg, text))
			return &dl->items[i];
	return NULL;
}

/* Loads spec, expecting NULL and an error (line 0) containing text. */
static void assert_refused(const char *spec, const char *text)
{
	DiagList dl;
	Table *t = load_spec(spec, &dl);
	if (t || !find_diag(&dl, DIAG_ERROR, 0, text)) {
		fprintf(stderr, "expected an error with \"%s\" for:\n%s\n", text, spec);
		dump_diags(&dl);
	}
	assert_null(t);
	assert_non_null(find_diag(&dl, DIAG_ERROR, 0, text));
	diag_free(&dl);
}

/* The template's title cell of field f: the header, then the note (if the
 * form has one) after a line break, as the template's cells have it, e.g.
 * "核心系統(Y/N)(必填)\n註：機關之核心系統以應用系統為主". */
static char *title_cell(size_t f)
{
	const FormField *ff = form_field(form, f);
	size_t n = strlen(ff->header);
	if (strncmp(ff->full_header, ff->header, n) != 0 || !ff->full_header[n])
		return xstrdup(ff->header);
	const char *note = ff->full_header + n;
	while (*note == ' ')
		note++;
	return xasprintf("%s\n%s", ff->header, note);
}

/* Row 1 of the template: every title cell with kind k ("s"). */
static char *header_row(const char *k)
{
	char *s = xstrdup("1");
	for (size_t f = 0; f < form_nfields(form); f++) {
		char *title = title_cell(f), *text = spec_text(title);
		cat(&s, "\t%s:%s", k, text);
		free(title);
		free(text);
	}
	return s;
}

/* Cell j of EXAMPLE_ROWS[i]. */
static char *example_cell(size_t i, size_t j)
{
	const char *p = EXAMPLE_ROWS[i];
	for (size_t k = 0; k < j; k++)
		p = strchr(p, '\t') + 1;
	const char *tab = strchr(p, '\t');
	return xstrndup(p, tab ? (size_t)(tab - p) : strlen(p));
}

/* How a test writes the cell of example row i, field id, value v: a
 * malloc'd spec field ("" = no cell). */
typedef char *(*CellSpec)(size_t i, const char *id, const char *v);

/* The five example rows in rows 2-6, written by cell(). */
static char *example_rows(CellSpec cell)
{
	char *s = NULL;
	for (size_t i = 0; i < 5; i++) {
		cat(&s, "%zu", i + 2);
		for (size_t f = 0; f < form_nfields(form); f++) {
			char *v = example_cell(i, f), *c = cell(i, form_field(form, f)->id, v);
			cat(&s, "\t%s", c);
			free(c);
			free(v);
		}
		cat(&s, "\n");
	}
	return s;
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

/* Loads the example workbook built from spec and compares it with the
 * example CSV file. */
static void assert_reads_as_example_csv(const char *spec)
{
	DiagList dl, dc;
	Table *t = load_spec(spec, &dl);
	dump_diags(&dl);
	assert_non_null(t);
	assert_int_equal(dl.n, 0);
	diag_init(&dc);
	Table *csv = csvio_load("forms/examples/inventory.csv", form, DEFAULT_FMT, &dc);
	assert_non_null(csv);
	assert_int_equal(dc.n, 0);
	assert_same_table(t, csv);
	table_free(csv);
	table_free(t);
	diag_free(&dc);
	diag_free(&dl);
}

/* --- the example rows, as openpyxl and as Excel write them ----------------- */

static char *openpyxl_cell(size_t i, const char *id, const char *v)
{
	if (strcmp(id, "max_downtime") == 0)
		return xasprintf("n:%s", v); /* a number cell: 24 */
	if (!*v) /* some empty cells are styled, the others have no cell */
		return xstrdup(i == 1 ? "z:" : "");
	return xasprintf("s:%s", v);
}

static void test_openpyxl_workbook_reads_as_the_example_csv(void **state)
{
	(void)state;
	char *spec = header_row("s"), *rows = example_rows(openpyxl_cell);
	cat(&spec, "\n%s!openpyxl\n", rows);
	assert_reads_as_example_csv(spec);
	free(rows);
	free(spec);
}

/* Every way Excel can store the same values. */
static char *excel_cell(size_t i, const char *id, const char *v)
{
	bool id_is_name = strcmp(id, "name") == 0, downtime = strcmp(id, "max_downtime") == 0;
	if (i == 4) /* row 6: neither the row nor its cells have r */
		return *v ? xasprintf("-s:%s", v) : xstrdup("-z:");
	if (i == 0 && id_is_name) /* rich text: 系統 in bold, A plain, a phonetic guide */
		return xstrdup("r:系統|A|^けいとうえー");
	if (i == 0 && strcmp(id, "operator") == 0)
		return xasprintf("f:O2|%s", v); /* =O2, cached */
	if (i == 0 && downtime)
		return xstrdup("n:24.0");
	if (i == 0 && strcmp(id, "remarks") == 0) /* a CR as Excel escapes it, trimmed */
		return xasprintf("s:%s_x000D_", v);
	if (i == 1 && downtime)
		return xstrdup("F:12*2|24");
	if (i == 1 && !*v)
		return xstrdup("s:"); /* an empty shared string */
	if (i == 2 && id_is_name)
		return xasprintf("i:%s", v);
	if (i == 3 && downtime)
		return xstrdup("n:1.2E1");
	if (i == 2 && !*v)
		return xstrdup(""); /* skipped columns, 資產編號 among them */
	return *v ? xasprintf("s:%s", v) : xstrdup("z:");
}

static void test_excel_workbook_reads_as_the_example_csv(void **state)
{
	(void)state;
	char *spec = header_row("s"), *rows = example_rows(excel_cell);
	/* row 6 without r: replace its leading "6" */
	char *six = strstr(rows, "\n6\t");
	assert_non_null(six);
	six[1] = '-';
	cat(&spec, "\n%s!first-not-sheet1\n", rows);
	assert_reads_as_example_csv(spec);
	free(rows);
	free(spec);
}

static void test_note_after_a_line_break_in_a_title_is_matched(void **state)
{
	(void)state;
	DiagList dl;
	Table *t = load_spec("1\ti:核心系統(Y/N)(必填)\\n註：機關之核心系統以應用系統為主\ts:系統名稱(必填)\n"
			     "2\ts:Y\ts:系統A\n",
			     &dl);
	assert_non_null(t);
	assert_null(find_diag(&dl, DIAG_WARNING, 1, "不是表單的欄位"));
	assert_string_equal(table_record(t, 0)->cells[field_of(form, "core")], "是");
	assert_string_equal(table_record(t, 0)->cells[field_of(form, "name")], "系統A");
	table_free(t);
	diag_free(&dl);
}

/* --- cells --------------------------------------------------------------------- */

/* Values of unknown columns are kept as read (no normalising): each case
 * is a column titled with the expected value's name. */
static const struct {
	const char *cell, *want;
} CELLS[] = {
    {"b:1", "TRUE"},
    {"b:0", "FALSE"},
    {"e:#N/A", "#N/A"},
    {"n:24", "24"},
    {"n:24.0", "24"},
    {"n:-0", "0"},
    {"n:1E3", "1000"},
    {"n:2.4E1", "24"},
    {"n:123456789012345", "123456789012345"},
    {"n:12.5", "12.5"},
    {"n:0.30000000000000004", "0.3"},
    {"n:1E+20", "1E+20"},
    {"n:1e-5", "1E-05"},
    {"n:1E999", "1E999"},
    {"n:abc", "abc"},
    {"f:A1&\"\"|文字", "文字"},
    {"i:a_x000D_\\nb", "a\r\nb"},
    {"i:_x005F_x000D_", "_x000D_"},
    {"i:_xD83D__xDE00_", "\xF0\x9F\x98\x80"},
    {"i:_xd800_!", "\xEF\xBF\xBD!"},
    {"i:_x0000_", "_x0000_"},
    {"i:_x41_", "_x41_"},
    {"I:漢|字|^かんじ", "漢字"},
    {"r:  a|b  ", "  ab  "},
    {"s:多行\\n文字", "多行\n文字"},
};

static void test_cells_read_as_excel_shows_them(void **state)
{
	(void)state;
	size_t n = sizeof CELLS / sizeof *CELLS;
	char *spec = xstrdup("1\ts:系統名稱(必填)");
	for (size_t i = 0; i < n; i++)
		cat(&spec, "\ts:k%zu", i);
	cat(&spec, "\ts:no-result\ts:empty-result\n2\ts:系統A");
	for (size_t i = 0; i < n; i++)
		cat(&spec, "\t%s", CELLS[i].cell);
	cat(&spec, "\tF:1/0|\tx:<c t=\"str\"><f>\"\"</f><v></v></c>\n");
	DiagList dl;
	Table *t = load_spec(spec, &dl);
	assert_non_null(t);
	size_t nf = form_nfields(form);
	assert_int_equal(table_ncols(t), nf + n + 2);
	const Record *r = table_record_c(t, 0);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(r->cells[nf + i], CELLS[i].want) != 0)
			fprintf(stderr, "cell %s\n", CELLS[i].cell);
		assert_string_equal(r->cells[nf + i], CELLS[i].want);
	}
	/* a formula without a cached result: empty, with a warning naming it;
	 * a formula whose result is "" is just empty */
	assert_int_equal(n, 25); /* the formulas are in AA2 and AB2 */
	assert_string_equal(r->cells[nf + n], "");
	assert_string_equal(r->cells[nf + n + 1], "");
	const Diag *d = find_diag(&dl, DIAG_WARNING, 2, "沒有計算結果");
	assert_non_null(d);
	assert_non_null(strstr(d->msg, "儲存格 AA2 是公式"));
	assert_null(find_diag(&dl, DIAG_WARNING, 2, "AB2"));
	table_free(t);
	diag_free(&dl);
	free(spec);
}

static void test_cells_without_r_follow_the_previous_cell(void **state)
{
	(void)state;
	DiagList dl;
	Table *t = load_spec("1\ts:資產編號\ts:系統名稱(必填)\ts:系統屬性(必填)\n"
			     "-\t\t-s:系統B\t-s:業務\n" /* B2 then C2, no r */
			     "-\ts:編號C\t\ts:行政\n"   /* A3 and C3 */
			     "9\t-s:編號D\t-s:系統D\n",
			     &dl);
	assert_non_null(t);
	assert_int_equal(table_nrecords(t), 3);
	Record *r = table_record(t, 0);
	assert_int_equal(r->line, 2);
	/* B2 has no r and follows nothing: the first column */
	assert_string_equal(r->cells[field_of(form, "asset_id")], "系統B");
	assert_string_equal(r->cells[field_of(form, "name")], "業務");
	r = table_record(t, 1);
	assert_int_equal(r->line, 3);
	assert_string_equal(r->cells[field_of(form, "asset_id")], "編號C");
	assert_string_equal(r->cells[field_of(form, "name")], "");
	assert_string_equal(r->cells[field_of(form, "attribute")], "行政");
	r = table_record(t, 2);
	assert_int_equal(r->line, 9);
	assert_string_equal(r->cells[field_of(form, "name")], "系統D");
	table_free(t);
	diag_free(&dl);
}

/* --- rows and their lines -------------------------------------------------- */

static void test_messages_name_the_sheet_row(void **state)
{
	(void)state;
	DiagList dl;
	char *path = xlsx("1\tz:\tz:\n"
			  "3\ts:資產編號\ts:系統名稱(必填)\ts:系統屬性(必填)\ts:不明欄位\n"
			  "5\tz:\ts:\ti:\n"
			  "7\ts:編號A\ts:系統A\ts:行政\t\ts:多出來的\n"
			  "9\ts:編號B\ts:系統B\ts:其他值\n");
	Table *t = load(path, &dl);
	assert_non_null(t);
	/* the header is the first non-blank row: row 3 */
	assert_non_null(find_diag(&dl, DIAG_WARNING, 3, "不明欄位"));
	/* row 7 has a cell beyond the header */
	const Diag *d = find_diag(&dl, DIAG_ERROR, 7, "比標題多 1 欄");
	assert_non_null(d);
	assert_int_equal(d->record, 0);
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);
	diag_print(mem, "book.xlsx", d, NULL);
	fclose(mem);
	assert_true(strncmp(out, "book.xlsx:7: error: ", strlen("book.xlsx:7: error: ")) == 0);
	free(out);
	/* records know their row, so the rules report it too */
	assert_int_equal(table_nrecords(t), 2);
	assert_int_equal(table_record(t, 0)->line, 7);
	assert_int_equal(table_record(t, 1)->line, 9);
	DiagList rl;
	diag_init(&rl);
	rules_check_table(t, &rl);
	d = NULL;
	for (size_t i = 0; i < rl.n && !d; i++)
		if (rl.items[i].field == (int)field_of(form, "attribute"))
			d = &rl.items[i];
	assert_non_null(d);
	assert_int_equal(d->line, 9);
	assert_int_equal(d->level, DIAG_ERROR);
	diag_free(&rl);
	table_free(t);
	diag_free(&dl);
	free(path);
}

static void test_blank_rows_are_skipped_and_missing_trailing_cells_are_empty(void **state)
{
	(void)state;
	DiagList dl;
	Table *t = load_spec("1\ts:資產編號\ts:系統名稱(必填)\ts:系統屬性(必填)\tz:\tz:\n"
			     "2\ts:編號A\n" /* C2, D2... missing: empty, not short */
			     "3\tz:\tz:\ts:\n"
			     "4\n"
			     "5\ts:編號B\ts:系統B\ts:業務\tz:\tz:\tz:\tz:\n",
			     &dl);
	assert_non_null(t);
	assert_int_equal(table_nrecords(t), 2);
	assert_int_equal(table_record(t, 0)->line, 2);
	assert_int_equal(table_record(t, 1)->line, 5);
	assert_int_equal(table_record(t, 1)->noverflow, 0);
	/* the styled empty title cells are no columns: only the missing
	 * fields are reported, on the header's row */
	for (size_t i = 0; i < dl.n; i++) {
		assert_int_equal(dl.items[i].line, 1);
		assert_non_null(strstr(dl.items[i].msg, "檔案缺少這一欄"));
	}
	assert_int_equal(table_ncols(t), form_nfields(form));
	table_free(t);
	diag_free(&dl);
}

static void test_table_gets_the_requested_format(void **state)
{
	(void)state;
	char *path = xlsx("1\ts:系統名稱(必填)\n2\ts:系統A\n");
	DiagList dl;
	diag_init(&dl);
	FileFormat lf = {ENC_UTF8, false, false};
	Table *t = xlsxin_load(path, form, lf, &dl);
	assert_non_null(t);
	FileFormat got = table_format(t);
	assert_int_equal(got.encoding, ENC_UTF8);
	assert_false(got.bom);
	assert_false(got.crlf);
	table_free(t);
	diag_free(&dl);
	free(path);
}

static void test_empty_sheet_and_unknown_header_are_refused(void **state)
{
	(void)state;
	assert_refused("1\tz:\tz:\n2\ts:\n", "是空的 (沒有標題列)");
	DiagList dl;
	Table *t = load_spec("2\ts:甲\ts:乙\n3\ts:1\ts:2\n", &dl);
	assert_null(t);
	assert_non_null(find_diag(&dl, DIAG_ERROR, 2, "沒有任何認得的欄位"));
	diag_free(&dl);
}

/* --- the workbook's structure ------------------------------------------------ */

#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_PKG "http://schemas.openxmlformats.org/package/2006/relationships"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
/* A relationship of type TYPE (officeDocument, worksheet...). */
#define REL(ID, TYPE, TARGET) \
	"<Relationship Id=\"" ID "\" Type=\"" NS_REL "/" TYPE "\" Target=\"" TARGET "\"/>"

static void test_workbook_found_through_relationships_with_prefixes(void **state)
{
	(void)state;
	/* the workbook part named by _rels/.rels, absolute targets, "." and
	 * ".." segments, namespace prefixes on every element; sheet1.xml is
	 * the second sheet */
	DiagList dl;
	Table *t = load_spec(
	    "!part _rels/.rels\t<Relationships xmlns=\"" NS_PKG "\">"
	    REL("a", "officeDocument", "/book/main.xml") "</Relationships>\n"
	    "!part xl/workbook.xml\t-\n"
	    "!part book/main.xml\t<x:workbook xmlns:x=\"" NS_MAIN "\" xmlns:rel=\"" NS_REL "\">"
	    "<x:sheets><x:sheet name=\"清冊\" sheetId=\"7\" rel:id=\"s7\"/>"
	    "<x:sheet name=\"其他\" sheetId=\"1\" rel:id=\"s1\"/></x:sheets></x:workbook>\n"
	    "!part book/_rels/main.xml.rels\t<Relationships xmlns=\"" NS_PKG "\">"
	    REL("s1", "worksheet", "/xl/worksheets/sheet1.xml")
	    REL("s7", "worksheet", "./sheets/../data/s.xml")
	    REL("t", "sharedStrings", "/strings.xml") "</Relationships>\n"
	    "!part strings.xml\t<x:sst xmlns:x=\"" NS_MAIN "\"><x:si><x:t>系統名稱(必填)</x:t></x:si>"
	    "<x:si><x:r><x:t>系統</x:t></x:r><x:r><x:t>Z</x:t></x:r></x:si></x:sst>\n"
	    "!part book/data/s.xml\t<x:worksheet xmlns:x=\"" NS_MAIN "\"><x:sheetData>"
	    "<x:row r=\"1\"><x:c r=\"A1\" t=\"s\"><x:v>0</x:v></x:c></x:row>"
	    "<x:row><x:c t=\"s\"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>\n"
	    "1\ts:這是 sheet1.xml\n",
	    &dl);
	assert_non_null(t);
	assert_int_equal(table_nrecords(t), 1);
	assert_int_equal(table_record(t, 0)->line, 2);
	assert_string_equal(table_record(t, 0)->cells[field_of(form, "name")], "系統Z");
	table_free(t);
	diag_free(&dl);
}

/* --- hostile and damaged files --------------------------------------------------- */

static Table *load_bytes(const char *data, size_t len, DiagList *dl)
{
	char *path = xasprintf("%s/bytes.xlsx", tmpdir);
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

static void test_files_that_are_no_workbook_say_what_they_are(void **state)
{
	(void)state;
	char random[4096];
	unsigned x = 12345;
	for (size_t i = 0; i < sizeof random; i++)
		random[i] = (char)((x = x * 1103515245 + 12345) >> 16);
	random[0] = 'Q';
	assert_bytes_refused(random, sizeof random, "不是 ZIP 檔");
	random[0] = 'P', random[1] = 'K';
	assert_bytes_refused(random, sizeof random, "ZIP 結構損壞");
	assert_bytes_refused("", 0, "檔案是空的");
	assert_bytes_refused("資產編號,系統名稱\r\n", strlen("資產編號,系統名稱\r\n"), "不是 ZIP 檔");
	assert_bytes_refused("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0", 11, "舊版 Excel (.xls)");

	DiagList dl;
	assert_null(load(tmpdir, &dl));
	assert_non_null(find_diag(&dl, DIAG_ERROR, 0, "資料夾"));
	diag_free(&dl);
	char *missing = xasprintf("%s/none.xlsx", tmpdir);
	assert_null(load(missing, &dl));
	assert_non_null(find_diag(&dl, DIAG_ERROR, 0, "無法開啟"));
	diag_free(&dl);
	free(missing);

	/* a zip, but not a workbook */
	assert_refused("!part xl/workbook.xml\t-\n!part _rels/.rels\t-\n1\ts:x\n", "沒有 xl/workbook.xml");
}

static void test_truncated_workbook_is_refused_at_every_length(void **state)
{
	(void)state;
	char *path = xlsx("1\ts:系統名稱(必填)\n2\ts:系統A\n");
	size_t len;
	char *data = read_file(path, &len);
	assert_non_null(data);
	for (size_t n = 1; n < len; n += n < 64 ? 1 : 13) {
		DiagList dl;
		Table *t = load_bytes(data, n, &dl);
		assert_null(t);
		assert_true(dl.nerrors > 0);
		diag_free(&dl);
	}
	free(data);
	free(path);
}

/* Every byte of a stored workbook changed in turn: a table or a reason,
 * never a crash, a hang or a leak. */
static void test_every_changed_byte_is_survived(void **state)
{
	(void)state;
	char *path = xlsx("!store\n1\ts:資產編號\ti:系統名稱(必填)\n2\tr:a|^b\tn:1.5\n3\tb:1\tF:x|\n");
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
	assert_true(tables > 0); /* some changes (in the zip's dates...) are harmless */
	free(data);
	free(path);
}

static void test_xml_error_names_part_and_line(void **state)
{
	(void)state;
	assert_refused("!part xl/worksheets/sheet1.xml\t<?xml version=\"1.0\"?>\\n<worksheet>\\n"
		       "<sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></row></sheetData></worksheet>\n"
		       "1\ts:系統名稱(必填)\n",
		       "xl/worksheets/sheet1.xml 第 3 行第 49 字：XML 格式錯誤 (mismatched tag)");
	assert_refused("!part xl/sharedStrings.xml\t<sst><si><t>a</si></sst>\n1\ts:系統名稱(必填)\n",
		       "xl/sharedStrings.xml 第 1 行");
	assert_refused("!part xl/workbook.xml\t<workbook><sheets>\n1\ts:x\n", "xl/workbook.xml 第 1 行");
	assert_refused("!part xl/worksheets/sheet1.xml\t\n1\ts:x\n", "no element found");
}

static void test_shared_string_index_out_of_range_is_refused(void **state)
{
	(void)state;
	assert_refused("1\ts:系統名稱(必填)\tx:<c r=\"B1\" t=\"s\"><v>1</v></c>\n",
		       "儲存格 B1 的共用字串編號「1」超出範圍 (共有 1 個)");
	assert_refused("1\ts:系統名稱(必填)\n2\tx:<c r=\"A2\" t=\"s\"><v>99999999999999999999999</v></c>\n",
		       "儲存格 A2 的共用字串編號");
	assert_refused("1\ts:系統名稱(必填)\n2\tx:<c r=\"A2\" t=\"s\"><v>-1</v></c>\n", "超出範圍");
	assert_refused("!part xl/sharedStrings.xml\t-\n1\tx:<c r=\"A1\" t=\"s\"><v>0</v></c>\n",
		       "(共有 0 個)");
}

/* A small workbook whose one big shared string many cells name (3 MiB,
 * 100 times) would expand to far more than it holds: it is refused, with
 * the cell where the text passes the cap, before it is copied. */
static void test_shared_string_expansion_is_capped(void **state)
{
	(void)state;
	char *big = xmalloc((3u << 20) + 1);
	memset(big, 'x', 3u << 20);
	big[3u << 20] = '\0';
	char *spec = xasprintf("!part xl/sharedStrings.xml\t<sst><si><t>%s</t></si></sst>\n"
			       "1\ti:系統名稱(必填)\n",
			       big);
	for (int r = 2; r <= 101; r++) {
		char *next = xasprintf("%s%d\tx:<c r=\"A%d\" t=\"s\"><v>0</v></c>\n", spec, r, r);
		free(spec);
		spec = next;
	}
	char *path = xlsx(spec);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size < 64 * 1024); /* the file itself is small */
	DiagList dl;
	Table *t = load(path, &dl);
	assert_null(t);
	assert_non_null(find_diag(&dl, DIAG_ERROR, 0, "儲存格 A44：工作表的文字合計超過 128 MiB"));
	diag_free(&dl);
	unlink(path);
	free(path);
	free(spec);
	free(big);
}

static void test_hostile_parts_are_refused(void **state)
{
	(void)state;
	/* entity expansion (billion laughs) never starts: no DTD is read */
	assert_refused("!part xl/workbook.xml\t<!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\">"
		       "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
		       "<workbook><sheets><sheet name=\"&b;\"/></sheets></workbook>\n1\ts:x\n",
		       "DTD");
	/* sizes and places beyond what Excel has */
	assert_refused("!big xl/worksheets/sheet1.xml\n1\ts:x\n", "超過上限 256 MiB");
	assert_refused("!corrupt xl/worksheets/sheet1.xml\n1\ts:系統名稱(必填)\n2\ti:abc\n", "CRC");
	assert_refused("1\tx:<c r=\"XFE1\" t=\"b\"><v>1</v></c>\n", "儲存格位置「XFE1」不對");
	assert_refused("1\tx:<c r=\"A\" t=\"b\"><v>1</v></c>\n", "儲存格位置「A」不對");
	assert_refused("1\tx:<c r=\"A0\" t=\"b\"><v>1</v></c>\n", "儲存格位置「A0」不對");
	assert_refused("0\ts:x\n", "列號「0」不對");
	assert_refused("1048577\ts:x\n", "列號「1048577」不對");
	assert_refused("1048576\ts:系統名稱(必填)\n-\ts:y\n", "超過 1048576 列");
	/* the first sheet's way from the workbook to its part */
	assert_refused("!part xl/workbook.xml\t<workbook><sheets/></workbook>\n1\ts:x\n",
		       "沒有任何工作表");
	assert_refused("!part xl/workbook.xml\t<workbook xmlns:r=\"urn:r\"><sheets>"
		       "<sheet name=\"a\" r:id=\"rId5\"/></sheets></workbook>\n1\ts:x\n",
		       "第一個工作表「a」(rId5) 在 xl/_rels/workbook.xml.rels 裡找不到");
	assert_refused("!part xl/workbook.xml\t<workbook><sheets>"
		       "<sheet name=\"a\" id=\"rId1\"/></sheets></workbook>\n1\ts:x\n",
		       "沒有 r:id");
#define SHEET_REL(ATTRS) \
	"!part xl/_rels/workbook.xml.rels\t<Relationships><Relationship Id=\"rId1\" " ATTRS \
	"/></Relationships>\n1\ts:x\n"
	assert_refused(SHEET_REL("Type=\"x/worksheet\" Target=\"../../../etc/passwd\""), "位置不對");
	assert_refused(SHEET_REL("Type=\"x/worksheet\" Target=\"nope.xml\""), "缺少 xl/nope.xml");
	assert_refused(SHEET_REL("Type=\"x/worksheet\" Target=\"http://example.com/s.xml\" "
				 "TargetMode=\"External\""),
		       "指向外部檔案");
	assert_refused(SHEET_REL("Type=\"x/chartsheet\" Target=\"c.xml\""), "是圖表");
#undef SHEET_REL
	assert_refused("!part xl/_rels/workbook.xml.rels\t-\n1\ts:x\n",
		       "缺少 xl/_rels/workbook.xml.rels");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_openpyxl_workbook_reads_as_the_example_csv),
	    cmocka_unit_test(test_excel_workbook_reads_as_the_example_csv),
	    cmocka_unit_test(test_note_after_a_line_break_in_a_title_is_matched),
	    cmocka_unit_test(test_cells_read_as_excel_shows_them),
	    cmocka_unit_test(test_cells_without_r_follow_the_previous_cell),
	    cmocka_unit_test(test_messages_name_the_sheet_row),
	    cmocka_unit_test(test_blank_rows_are_skipped_and_missing_trailing_cells_are_empty),
	    cmocka_unit_test(test_table_gets_the_requested_format),
	    cmocka_unit_test(test_empty_sheet_and_unknown_header_are_refused),
	    cmocka_unit_test(test_workbook_found_through_relationships_with_prefixes),
	    cmocka_unit_test(test_files_that_are_no_workbook_say_what_they_are),
	    cmocka_unit_test(test_truncated_workbook_is_refused_at_every_length),
	    cmocka_unit_test(test_every_changed_byte_is_survived),
	    cmocka_unit_test(test_xml_error_names_part_and_line),
	    cmocka_unit_test(test_shared_string_index_out_of_range_is_refused),
	    cmocka_unit_test(test_shared_string_expansion_is_capped),
	    cmocka_unit_test(test_hostile_parts_are_refused),
	};
	return cmocka_run_group_tests_name("xlsxin", tests, setup, teardown) ? 1 : 0;
}
