/* test_xlsxout.c - the .xlsx export: the template's workbook for the
 * inventory, the printable sheet for the admin form, text never becoming a
 * formula, dropdowns on the value sheet, atomic and silent writes.
 *
 * Each workbook written is read back by openpyxl (Debian's
 * python3-openpyxl, run as /usr/bin/python3), which prints one line per
 * thing found; the tests look for the lines they expect:
 *   sheet POS NAME STATE          freeze NAME CELL
 *   cell NAME!REF TYPE VALUE      (TYPE: s string, n number, f formula;
 *                                  "\n" in VALUE printed as \n)
 *   dv NAME SQREF TYPE FORMULA1   merged NAME RANGE
 *   height NAME ROW POINTS        page NAME ORIENTATION FITW FITH FITPAGE
 *   stored TEXT                   (a shared string as stored, when it has _x)
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvio.h"
#include "mem.h"
#include "testutil.h"
#include "xlsxin.h"
#include "xlsxout.h"

#define ADMIN "forms/admin-account.ini"
#define INV_SHEET "資通系統盤點清冊"
#define LIST_SHEET "此頁不可刪除"

static Form *inv, *admin;
static char tmpdir[] = "/tmp/spmform-xlsx-XXXXXX";
static char *inv_out; /* the inspection of the five example rows' export */
static const FileFormat DEFAULT_FMT = {ENC_UTF8, true, true};

static const char INSPECT_PY[] =
    "import re, sys, zipfile, openpyxl\n"
    "def esc(v):\n"
    "    return str(v).replace('\\\\', '\\\\\\\\').replace('\\n', '\\\\n')\n"
    "wb = openpyxl.load_workbook(sys.argv[1])\n"
    "for i, ws in enumerate(wb.worksheets):\n"
    "    print('sheet', i + 1, ws.title, ws.sheet_state)\n"
    "    print('freeze', ws.title, ws.freeze_panes)\n"
    "    for row in ws.iter_rows():\n"
    "        for c in row:\n"
    "            if c.value is not None:\n"
    "                print('cell %s!%s %s %s' % (ws.title, c.coordinate, c.data_type, "
    "esc(c.value)))\n"
    "    for dv in ws.data_validations.dataValidation:\n"
    "        print('dv', ws.title, dv.sqref, dv.type, dv.formula1)\n"
    "    for m in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):\n"
    "        print('merged', ws.title, m.coord)\n"
    "    for r, d in sorted(ws.row_dimensions.items()):\n"
    "        if d.height is not None:\n"
    "            print('height', ws.title, r, d.height)\n"
    "    pr = ws.sheet_properties.pageSetUpPr\n"
    "    ps = ws.page_setup\n"
    "    fitw = 1 if ps.fitToWidth is None else ps.fitToWidth  # OOXML's default\n"
    "    print('page', ws.title, ps.orientation, fitw, ps.fitToHeight,\n"
    "          pr.fitToPage if pr else None)\n"
    "sst = zipfile.ZipFile(sys.argv[1]).read('xl/sharedStrings.xml').decode()\n"
    "for t in re.findall('<t[^>]*>([^<]*)</t>', sst):\n"
    "    if '_x' in t:\n"
    "        print('stored', esc(t))\n";

/* ---- helpers ------------------------------------------------------------ */

static char *tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static size_t files_in(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* xlsxout_write with stderr caught: asserts that nothing was printed. */
static int write_quiet(const Table *t, const char *path, DiagList *dl)
{
	char *errpath = tmp_path("stderr.txt");
	fflush(stderr);
	int saved = dup(2);
	int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	int rc = xlsxout_write(t, path, false, dl);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	size_t n;
	char *printed = read_file(errpath, &n);
	if (n)
		fprintf(stderr, "printed on stderr: %s\n", printed);
	assert_int_equal(n, 0);
	free(printed);
	unlink(errpath);
	free(errpath);
	return rc;
}

/* What openpyxl finds in path, with a "\n" in front so that every line can
 * be looked for as "\nLINE\n". */
static char *inspect(const char *path)
{
	char *cmd = xasprintf("/usr/bin/python3 -I '%s/xlsx_dump.py' '%s'", tmpdir, path);
	FILE *p = popen(cmd, "r");
	free(cmd);
	assert_non_null(p);
	size_t cap = 1 << 16, n = 1;
	char *out = xmalloc(cap);
	out[0] = '\n';
	size_t got;
	while ((got = fread(out + n, 1, cap - n - 1, p)) > 0)
		if ((n += got) + 1 == cap)
			out = xrealloc(out, cap *= 2);
	out[n] = '\0';
	int st = pclose(p);
	if (st != 0)
		fprintf(stderr, "python3 failed (is python3-openpyxl installed?):%s\n", out);
	assert_int_equal(st, 0);
	return out;
}

static bool has_line(const char *out, const char *line)
{
	char *l = xasprintf("\n%s\n", line);
	bool found = strstr(out, l) != NULL;
	if (!found)
		fprintf(stderr, "missing line: %s\n", line);
	free(l);
	return found;
}

static void assert_line(const char *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void assert_line(const char *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	char *line = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(line, (size_t)n + 1, fmt, ap);
	va_end(ap);
	assert_true(has_line(out, line));
	free(line);
}

/* Lines starting with prefix. */
static size_t count_lines(const char *out, const char *prefix)
{
	char *p = xasprintf("\n%s", prefix);
	size_t n = 0;
	for (const char *s = strstr(out, p); s; s = strstr(s + 1, p))
		n++;
	free(p);
	return n;
}

/* A value as the inspector prints it. */
static char *esc(const char *s)
{
	char *e = xmalloc(2 * strlen(s) + 1), *q = e;
	for (; *s; s++) {
		if (*s == '\\' || *s == '\n')
			*q++ = '\\';
		*q++ = *s == '\n' ? 'n' : *s;
	}
	*q = '\0';
	return e;
}

static void col_letters(size_t col, char out[4])
{
	if (col < 26) {
		out[0] = (char)('A' + col), out[1] = '\0';
	} else {
		out[0] = (char)('A' + col / 26 - 1), out[1] = (char)('A' + col % 26);
		out[2] = '\0';
	}
}

/* "cell DATA!REF " for column letters c and row r (static buffer). */
static const char *line_prefix(const char *c, size_t r)
{
	static char buf[128];
	snprintf(buf, sizeof buf, "cell " INV_SHEET "!%s%zu ", c, r);
	return buf;
}

static Table *load_examples(void)
{
	DiagList dl;
	diag_init(&dl);
	Table *t = csvio_load("forms/examples/inventory.csv", inv, DEFAULT_FMT, &dl);
	dump_diags(&dl);
	assert_non_null(t);
	assert_int_equal(dl.n, 0);
	diag_free(&dl);
	return t;
}

/* The tab-separated cell i of an example row. */
static char *example_cell(size_t row, size_t i)
{
	const char *p = EXAMPLE_ROWS[row];
	for (size_t k = 0; k < i; k++)
		p = strchr(p, '\t') + 1;
	const char *tab = strchr(p, '\t');
	return xstrndup(p, tab ? (size_t)(tab - p) : strlen(p));
}

/* ---- setup -------------------------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	char *py = tmp_path("xlsx_dump.py");
	write_file(py, INSPECT_PY, strlen(INSPECT_PY));
	free(py);
	inv = load_form_or_fail(INVENTORY);
	admin = load_form_or_fail(ADMIN);
	Table *t = load_examples();
	char *path = tmp_path("inventory.xlsx");
	DiagList dl;
	diag_init(&dl);
	int rc = write_quiet(t, path, &dl);
	dump_diags(&dl);
	if (rc != 0 || dl.n != 0)
		return -1;
	inv_out = inspect(path);
	diag_free(&dl);
	unlink(path);
	free(path);
	table_free(t);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(inv_out);
	form_free(inv);
	form_free(admin);
	return remove_tree(tmpdir);
}

/* ---- the inventory: the template's workbook ----------------------------- */

/* The template's four sheets, in its order (the seed: the rows, the
 * filled examples, the instructions, the permitted values). */
static void test_inventory_sheets_are_data_examples_instructions_values_in_that_order(void **state)
{
	(void)state;
	assert_line(inv_out, "sheet 1 " INV_SHEET " visible");
	assert_line(inv_out, "sheet 2 範例 visible");
	assert_line(inv_out, "sheet 3 填表說明 visible");
	assert_line(inv_out, "sheet 4 " LIST_SHEET " visible");
	assert_int_equal(count_lines(inv_out, "sheet "), 4);
}

/* 範例 is the form's examples file (forms/examples/inventory.csv) under
 * the data sheet's header, frozen, without dropdowns; whatever the
 * records exported are. */
static void test_examples_sheet_holds_the_form_examples_under_the_header(void **state)
{
	(void)state;
	Table *t = table_new(inv); /* no records: the examples are still there */
	char *path = tmp_path("no-records.xlsx");
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(write_quiet(t, path, &dl), 0);
	assert_int_equal(dl.n, 0);
	char *out = inspect(path);
	size_t downtime = field_of(inv, "max_downtime");
	for (size_t i = 0; i < form_nfields(inv); i++) {
		char c[4];
		col_letters(i, c);
		char *h = esc(form_field(inv, i)->full_header);
		assert_line(out, "cell 範例!%s1 s %s", c, h);
		free(h);
		for (size_t r = 0; r < 5; r++) {
			char *v = example_cell(r, i);
			if (*v)
				assert_line(out, "cell 範例!%s%zu %s %s", c, r + 2,
					    i == downtime ? "n" : "s", v);
			free(v);
		}
	}
	assert_line(out, "cell 範例!B6 s Active Directory");
	assert_int_equal(count_lines(out, "cell 範例!A7 "), 0);
	assert_line(out, "freeze 範例 A2");
	assert_int_equal(count_lines(out, "dv 範例 "), 0);
	/* the data sheet has its header and nothing under it */
	assert_line(out, "cell " INV_SHEET "!A1 s 資產編號");
	assert_int_equal(count_lines(out, "cell " INV_SHEET "!A2 "), 0);
	assert_int_equal(count_lines(out, "cell " INV_SHEET "!B2 "), 0);
	free(out);
	diag_free(&dl);
	table_free(t);
	unlink(path);
	free(path);
}

static void test_inventory_header_row_is_the_full_titles_frozen_and_tall(void **state)
{
	(void)state;
	for (size_t i = 0; i < form_nfields(inv); i++) {
		char c[4];
		col_letters(i, c);
		char *h = esc(form_field(inv, i)->full_header);
		assert_line(inv_out, "cell " INV_SHEET "!%s1 s %s", c, h);
		free(h);
	}
	assert_line(inv_out, "cell " INV_SHEET "!A1 s 資產編號");
	assert_line(inv_out, "cell " INV_SHEET "!K1 s 核心系統(Y/N)(必填) 註：機關之核心系統以應用系統為主");
	assert_line(inv_out, "cell " INV_SHEET "!S1 s 不否符合防護基準說明 "
			     "註：「是否符合防護基準」為「部分符合」及「不符合」則為必填");
	assert_line(inv_out, "cell " INV_SHEET "!U1 s 本資產是否含有大陸元件(Y/N)(必填)");
	assert_int_equal(count_lines(inv_out, "cell " INV_SHEET "!V1 "), 0);
	assert_line(inv_out, "freeze " INV_SHEET " A2");
	/* tall enough for the longest note to wrap */
	const char *h = strstr(inv_out, "\nheight " INV_SHEET " 1 ");
	assert_non_null(h);
	assert_true(atof(h + strlen("\nheight " INV_SHEET " 1 ")) >= 60);
}

static void test_example_rows_are_text_and_downtime_a_number(void **state)
{
	(void)state;
	size_t downtime = field_of(inv, "max_downtime");
	for (size_t r = 0; r < 5; r++)
		for (size_t i = 0; i < form_nfields(inv); i++) {
			char c[4];
			col_letters(i, c);
			char *v = example_cell(r, i);
			if (*v)
				assert_line(inv_out, "cell " INV_SHEET "!%s%zu %s %s", c, r + 2,
					    i == downtime ? "n" : "s", v);
			else
				assert_int_equal(count_lines(inv_out, line_prefix(c, r + 2)), 0);
			free(v);
		}
	assert_line(inv_out, "cell " INV_SHEET "!Q2 n 24");
	assert_line(inv_out, "cell " INV_SHEET "!Q4 n 48");
	assert_line(inv_out, "cell " INV_SHEET "!F2 s 2.16.886.101.20002");
	assert_line(inv_out, "cell " INV_SHEET "!T2 s 109年10月正式上線");
	assert_line(inv_out, "cell " INV_SHEET "!B6 s Active Directory");
	assert_int_equal(count_lines(inv_out, "cell " INV_SHEET "!A7 "), 0);
	assert_int_equal(count_lines(inv_out, "cell " INV_SHEET "!A4 "), 0); /* 系統C has no 資產編號 */
	/* no cell anywhere is a formula */
	assert_null(strstr(inv_out, " f "));
}

static void test_inventory_dropdowns_point_at_the_value_sheet(void **state)
{
	(void)state;
	/* field -> its column; list -> its column of 此頁不可刪除 */
	static const char *const want[] = {
	    "C2:C1001 list '此頁不可刪除'!$B$2:$B$3",  /* 系統屬性 */
	    "D2:D1001 list '此頁不可刪除'!$C$2:$C$4",  /* 系統版本 */
	    "E2:E1001 list '此頁不可刪除'!$D$2:$D$7",  /* 建置方式 */
	    "J2:J1001 list '此頁不可刪除'!$E$2:$E$3",  /* 主機設置於機關內 */
	    "K2:K1001 list '此頁不可刪除'!$F$2:$F$3",  /* 核心系統 */
	    "L2:L1001 list '此頁不可刪除'!$G$2:$G$3",  /* 含機敏資訊 */
	    "M2:M1001 list '此頁不可刪除'!$H$2:$H$5",  /* 防護需求等級 */
	    "N2:N1001 list '此頁不可刪除'!$I$2:$I$3",  /* ISMS */
	    "R2:R1001 list '此頁不可刪除'!$K$2:$K$5",  /* 是否符合防護基準 */
	    "U2:U1001 list '此頁不可刪除'!$L$2:$L$3",  /* 大陸元件 */
	    "Q2:Q1001 whole 0", /* 最大可容忍中斷時間: an integer, no sign */
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		assert_line(inv_out, "dv " INV_SHEET " %s", want[i]);
	assert_int_equal(count_lines(inv_out, "dv "), sizeof want / sizeof *want);
}

static void test_value_sheet_holds_the_lists_exactly(void **state)
{
	(void)state;
	size_t ncells = 0;
	for (size_t k = 0; k < form_nlists(inv); k++) {
		const FormList *l = form_list(inv, k);
		char c[4];
		col_letters(k, c);
		assert_line(inv_out, "cell " LIST_SHEET "!%s1 s %s", c, l->title);
		for (size_t i = 0; i < l->nvalues; i++)
			assert_line(inv_out, "cell " LIST_SHEET "!%s%zu s %s", c, i + 2, l->values[i]);
		ncells += 1 + l->nvalues;
	}
	assert_int_equal(count_lines(inv_out, "cell " LIST_SHEET "!"), ncells);
	/* the template's sheet, spot-checked */
	assert_line(inv_out, "cell " LIST_SHEET "!A1 s 是否");
	assert_line(inv_out, "cell " LIST_SHEET "!D6 s 主管/上級機關提供");
	assert_line(inv_out, "cell " LIST_SHEET "!J1 s 最大可容忍中段時間");
	assert_line(inv_out, "cell " LIST_SHEET "!L3 s 無");
	assert_int_equal(count_lines(inv_out, "cell " LIST_SHEET "!M"), 0);
}

static void test_instruction_sheet_has_a_row_per_field(void **state)
{
	(void)state;
	assert_line(inv_out, "cell 填表說明!A1 s 項目");
	assert_line(inv_out, "cell 填表說明!B1 s 填表說明");
	assert_line(inv_out, "cell 填表說明!C1 s 填表說明2");
	for (size_t i = 0; i < form_nfields(inv); i++) {
		const FormField *f = form_field(inv, i);
		assert_line(inv_out, "cell 填表說明!A%zu s %s", i + 2, f->header);
		if (*f->help)
			assert_line(inv_out, "cell 填表說明!B%zu s %s", i + 2, f->help);
		if (*f->help_more)
			assert_line(inv_out, "cell 填表說明!C%zu s %s", i + 2, f->help_more);
	}
	assert_line(inv_out, "cell 填表說明!A5 s 系統版本(必填)");
	assert_line(inv_out, "cell 填表說明!C12 s 註：機關之核心系統以應用系統為主");
	assert_int_equal(count_lines(inv_out, "cell 填表說明!A23 "), 0);
}

static void test_formula_like_values_stay_text(void **state)
{
	(void)state;
	Table *t = load_examples();
	put(t, 0, "remarks", "=1+1");
	put(t, 1, "remarks", "+886-2-1234");
	put(t, 2, "remarks", "-3");
	put(t, 3, "remarks", "@SUM(A1)");
	put(t, 0, "max_downtime", "1,000");
	put(t, 1, "max_downtime", "007");
	put(t, 2, "max_downtime", "1234567890123456");
	put(t, 4, "remarks", "_x0041_");
	char *path = tmp_path("formula.xlsx");
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(write_quiet(t, path, &dl), 0);
	char *out = inspect(path);
	assert_line(out, "cell " INV_SHEET "!T2 s =1+1");
	assert_line(out, "cell " INV_SHEET "!T3 s +886-2-1234");
	assert_line(out, "cell " INV_SHEET "!T4 s -3");
	assert_line(out, "cell " INV_SHEET "!T5 s @SUM(A1)");
	/* integers that a number would not keep stay text */
	assert_line(out, "cell " INV_SHEET "!Q2 s 1,000");
	assert_line(out, "cell " INV_SHEET "!Q3 s 007");
	assert_line(out, "cell " INV_SHEET "!Q4 s 1234567890123456");
	assert_line(out, "cell " INV_SHEET "!Q5 n 12");
	/* Excel would read a stored _x0041_ as "A": its "_" is stored
	 * escaped, as Excel saves it, and reads back as typed */
	assert_line(out, "cell " INV_SHEET "!T6 s _x0041_");
	assert_line(out, "stored _x005F_x0041_");
	assert_null(strstr(out, " f "));
	free(out);
	diag_free(&dl);
	table_free(t);
	unlink(path);
	free(path);
}

/* U+FFFE and U+FFFF, which XML cannot hold, are written escaped: the
 * workbook stays well formed (openpyxl reads it), and spmform reads the
 * same characters back. */
static void test_characters_xml_cannot_hold_are_escaped(void **state)
{
	(void)state;
	Table *t = load_examples();
	put(t, 0, "remarks", "a\xEF\xBF\xBE" "b\xEF\xBF\xBF" "c");
	char *path = tmp_path("nonchar.xlsx");
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(write_quiet(t, path, &dl), 0);
	char *out = inspect(path); /* fails on a workbook that is not XML */
	assert_non_null(strstr(out, "stored a_xFFFE_b_xFFFF_c"));
	free(out);
	Table *back = xlsxin_load(path, table_form(t), table_format(t), &dl);
	assert_non_null(back);
	assert_string_equal(table_record(back, 0)->cells[field_of(table_form(t), "remarks")],
			    "a\xEF\xBF\xBE" "b\xEF\xBF\xBF" "c");
	table_free(back);
	diag_free(&dl);
	table_free(t);
	unlink(path);
	free(path);
}

static void test_extra_columns_follow_the_form_with_their_header(void **state)
{
	(void)state;
	size_t n;
	char *csv = read_file("forms/examples/inventory.csv", &n);
	/* a column the form does not know, at the end of every line */
	char *text = xmalloc(2 * n + 64), *q = text;
	for (size_t i = 0, line = 0; i < n; i++) {
		if (csv[i] == '\r' || (csv[i] == '\n' && (i == 0 || csv[i - 1] != '\r'))) {
			q += sprintf(q, line == 0 ? ",聯絡人" : ",王%zu", line);
			line++;
		}
		*q++ = csv[i];
	}
	*q = '\0';
	DiagList dl;
	diag_init(&dl);
	Table *t = csvio_load_mem(text, strlen(text), inv, DEFAULT_FMT, &dl);
	assert_non_null(t);
	assert_int_equal(table_ncols(t), form_nfields(inv) + 1);
	char *path = tmp_path("extra.xlsx");
	assert_int_equal(write_quiet(t, path, &dl), 0);
	assert_int_equal(dl.nerrors, 0);
	char *out = inspect(path);
	assert_line(out, "cell " INV_SHEET "!V1 s 聯絡人");
	assert_line(out, "cell " INV_SHEET "!V2 s 王1");
	assert_line(out, "cell " INV_SHEET "!V6 s 王5");
	assert_line(out, "cell " INV_SHEET "!U6 s 無");
	free(out);
	diag_free(&dl);
	table_free(t);
	unlink(path);
	free(path);
	free(text);
	free(csv);
}

static void test_dropdowns_reach_the_last_record_beyond_row_1001(void **state)
{
	(void)state;
	Table *t = table_new(inv);
	for (size_t i = 0; i < 1200; i++)
		add_row(t, EXAMPLE_ROWS[i % 5], 0);
	char *path = tmp_path("many.xlsx");
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(write_quiet(t, path, &dl), 0);
	char *out = inspect(path);
	assert_line(out, "dv " INV_SHEET " C2:C1201 list '此頁不可刪除'!$B$2:$B$3");
	assert_line(out, "cell " INV_SHEET "!B1201 s Active Directory");
	free(out);
	diag_free(&dl);
	table_free(t);
	unlink(path);
	free(path);
}

/* A form file copied without its examples file: the workbook is not
 * written, and the message names the file. */
static void test_missing_examples_file_is_named_and_nothing_written(void **state)
{
	(void)state;
	size_t n;
	char *text = read_file(INVENTORY, &n);
	assert_non_null(text);
	char *form_path = tmp_path("copied.ini");
	write_file(form_path, text, n);
	Form *copied = load_form_or_fail(form_path);
	Table *t = table_new(copied);
	char *path = tmp_path("no-examples.xlsx");
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(write_quiet(t, path, &dl), -1);
	bool named = false;
	char *want = xasprintf("無法讀取範例檔 %s/examples/inventory.csv", tmpdir);
	for (size_t i = 0; i < dl.n; i++)
		named |= dl.items[i].level == DIAG_ERROR && strstr(dl.items[i].msg, want) != NULL;
	if (!named)
		dump_diags(&dl);
	assert_true(named);
	assert_int_equal(access(path, F_OK), -1);
	free(want);
	diag_free(&dl);
	table_free(t);
	form_free(copied);
	unlink(form_path);
	free(form_path);
	free(path);
	free(text);
}

/* ---- the admin form: the printable sheet -------------------------------- */

static Table *admin_table(void)
{
	Table *t = table_new(admin);
	static const char *const rows[][10] = {
	    {"1", "1", "2.16.886.101.20003", "行政院", "資通安全處", "王小明", "科員",
	     "wangxm01", "wxm@ey.gov.tw", "02-33568170"},
	    {"2", "0", "2.16.886.101.20003", "行政院", "資通安全處", "陳大文", "科長",
	     "chendw02", "cdw@ey.gov.tw", "02-33568209#12"},
	};
	for (size_t r = 0; r < 2; r++) {
		table_append(t, 0);
		for (size_t f = 0; f < form_nfields(admin); f++)
			table_put(t, r, f, xstrdup(rows[r][f]));
	}
	return t;
}

static void test_admin_form_is_one_printable_sheet(void **state)
{
	(void)state;
	Table *t = admin_table();
	char *path = tmp_path("admin.xlsx");
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(write_quiet(t, path, &dl), 0);
	assert_int_equal(dl.n, 0);
	char *out = inspect(path);
	const char *S = "機關管理者帳號申請(異動)單";
	assert_line(out, "sheet 1 %s visible", S);
	assert_line(out, "sheet 2 選項清單 hidden");
	assert_int_equal(count_lines(out, "sheet "), 2);
	/* the title, two lines, across the ten columns */
	assert_line(out, "cell %s!A1 s 行政院國家資通安全會報資通安全作業管考系統\\n"
			 "機關管理者帳號申請(異動)單(個別機關)", S);
	assert_line(out, "merged %s A1:J1", S);
	/* the header row */
	assert_line(out, "cell %s!A2 s 序號", S);
	assert_line(out, "cell %s!B2 s 申請項目\\n1: 新增\\n0: 刪除", S);
	assert_line(out, "cell %s!D2 s 機關名稱\\n(請填寫全名)", S);
	assert_line(out, "cell %s!J2 s 公務電話", S);
	/* the records: 序號 a number, 申請項目 the digit as text */
	assert_line(out, "cell %s!A3 n 1", S);
	assert_line(out, "cell %s!B3 s 1", S);
	assert_line(out, "cell %s!A4 n 2", S);
	assert_line(out, "cell %s!B4 s 0", S);
	assert_line(out, "cell %s!H4 s chendw02", S);
	assert_line(out, "cell %s!J4 s 02-33568209#12", S);
	assert_line(out, "dv %s B3:B4 list '選項清單'!$A$2:$A$3", S);
	assert_line(out, "dv %s A3:A4 whole 0", S); /* 序號, an integer */
	assert_int_equal(count_lines(out, "dv "), 2);
	/* the signature boxes: captions over empty boxes */
	assert_line(out, "cell %s!A6 s 承辦人", S);
	assert_line(out, "cell %s!D6 s 單位主管", S);
	assert_line(out, "cell %s!G6 s 機關首長", S);
	assert_line(out, "merged %s A6:C6", S);
	assert_line(out, "merged %s A7:C10", S);
	assert_line(out, "merged %s D7:F10", S);
	assert_line(out, "merged %s G7:J10", S);
	/* the notes */
	assert_line(out, "cell %s!A12 s 備註：", S);
	const FormPrint *p = form_print(admin);
	assert_int_equal(p->nnotes, 5);
	for (size_t i = 0; i < p->nnotes; i++) {
		assert_line(out, "cell %s!A%zu s %zu. %s", S, 13 + i, i + 1, p->notes[i]);
		assert_line(out, "merged %s A%zu:J%zu", S, 13 + i, 13 + i);
	}
	assert_line(out, "cell %s!A13 s 1. 各機關之機關管理者以1-2位為原則，"
			 "新增前請先確認是否符合人數規定，並請定期盤點機關管理者帳號之有效性。", S);
	assert_line(out, "cell %s!A17 s 5. 每個欄位皆為必填欄位。", S);
	assert_int_equal(count_lines(out, "cell 機關管理者帳號申請(異動)單!A18 "), 0);
	/* the value sheet and the print setup */
	assert_line(out, "cell 選項清單!A1 s 申請項目");
	assert_line(out, "cell 選項清單!A2 s 1");
	assert_line(out, "cell 選項清單!A3 s 0");
	assert_line(out, "page %s landscape 1 0 True", S);
	assert_null(strstr(out, " f "));
	free(out);
	diag_free(&dl);
	table_free(t);
	unlink(path);
	free(path);
}

static void test_admin_form_without_records_keeps_a_row_to_fill_in(void **state)
{
	(void)state;
	Table *t = table_new(admin);
	char *path = tmp_path("admin-empty.xlsx");
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(write_quiet(t, path, &dl), 0);
	char *out = inspect(path);
	const char *S = "機關管理者帳號申請(異動)單";
	assert_line(out, "dv %s B3 list '選項清單'!$A$2:$A$3", S);
	assert_line(out, "cell %s!A5 s 承辦人", S);
	free(out);
	diag_free(&dl);
	table_free(t);
	unlink(path);
	free(path);
}

/* ---- writing the file ----------------------------------------------------- */

static void test_replacing_a_file_keeps_its_mode_and_leaves_no_temp(void **state)
{
	(void)state;
	char *dir = tmp_path("mode");
	assert_int_equal(mkdir(dir, 0700), 0);
	char *path = xasprintf("%s/out.xlsx", dir);
	write_file(path, "old", 3);
	assert_int_equal(chmod(path, 0640), 0);
	Table *t = load_examples();
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(write_quiet(t, path, &dl), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_true(st.st_size > 1000);
	assert_int_equal(files_in(dir), 1);
	char *out = inspect(path);
	assert_line(out, "cell " INV_SHEET "!B2 s 系統A");
	free(out);
	diag_free(&dl);
	table_free(t);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

static void test_missing_folder_fails_with_a_diag_and_leaves_nothing(void **state)
{
	(void)state;
	char *path = tmp_path("no-such-dir/out.xlsx");
	size_t before = files_in(tmpdir);
	Table *t = load_examples();
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(write_quiet(t, path, &dl), -1);
	assert_int_equal(dl.nerrors, 1);
	assert_non_null(strstr(dl.items[0].msg, "暫存檔"));
	assert_int_equal(files_in(tmpdir), before);
	diag_free(&dl);
	table_free(t);
	free(path);
}

static void test_target_that_is_a_folder_fails_and_leaves_no_temp(void **state)
{
	(void)state;
	char *path = tmp_path("a-folder");
	assert_int_equal(mkdir(path, 0700), 0);
	size_t before = files_in(tmpdir);
	Table *t = load_examples();
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(write_quiet(t, path, &dl), -1);
	assert_int_equal(dl.nerrors, 1);
	assert_non_null(strstr(dl.items[0].msg, "原檔未更動"));
	assert_int_equal(files_in(tmpdir), before);
	assert_int_equal(files_in(path), 0);
	diag_free(&dl);
	table_free(t);
	rmdir(path);
	free(path);
}

static void test_library_failure_is_a_diag_not_stderr_and_keeps_the_old_file(void **state)
{
	(void)state;
	char *path = tmp_path("full.xlsx");
	write_file(path, "keep", 4);
	size_t before = files_in(tmpdir);
	Table *t = load_examples();
	DiagList dl;
	diag_init(&dl);
	/* a file-size limit below the workbook's size: writing fails inside
	 * libxlsxwriter, as it would on a full disk */
	struct rlimit old, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = (struct rlimit){2000, old.rlim_max};
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int rc = write_quiet(t, path, &dl);
	lim = old;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	signal(SIGXFSZ, prev);
	assert_int_equal(rc, -1);
	assert_int_equal(dl.nerrors, 1);
	assert_non_null(strstr(dl.items[0].msg, "無法寫出 .xlsx"));
	assert_non_null(strstr(dl.items[0].msg, "原檔未更動"));
	/* what the library printed is in the message, not on stderr */
	assert_non_null(strstr(dl.items[0].msg, "File too large"));
	size_t n;
	char *got = read_file(path, &n);
	assert_int_equal(n, 4);
	assert_memory_equal(got, "keep", 4);
	assert_int_equal(files_in(tmpdir), before);
	free(got);
	diag_free(&dl);
	table_free(t);
	unlink(path);
	free(path);
}

static void test_invalid_utf8_is_named_with_record_and_field_nothing_written(void **state)
{
	(void)state;
	char *path = tmp_path("bad.xlsx");
	size_t before = files_in(tmpdir);
	Table *t = load_examples();
	size_t f = field_of(inv, "agency_name");
	table_put(t, 3, f, xstrdup("OO\xff局"));
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(write_quiet(t, path, &dl), -1);
	assert_int_equal(dl.nerrors, 1);
	assert_int_equal(dl.items[0].record, 3);
	assert_int_equal(dl.items[0].field, (int)f);
	assert_int_equal(dl.items[0].line, 5);
	assert_non_null(strstr(dl.items[0].msg, "「系統主管機關名稱」欄"));
	assert_non_null(strstr(dl.items[0].msg, "0xFF"));
	assert_int_equal(files_in(tmpdir), before);
	diag_free(&dl);
	table_free(t);
	free(path);
}

static void test_cell_longer_than_excel_allows_is_refused(void **state)
{
	(void)state;
	char *path = tmp_path("long.xlsx");
	Table *t = load_examples();
	char *big = xmalloc(40000);
	memset(big, 'x', 39999);
	big[39999] = '\0';
	table_put(t, 0, field_of(inv, "remarks"), big);
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(write_quiet(t, path, &dl), -1);
	assert_int_equal(dl.nerrors, 1);
	assert_non_null(strstr(dl.items[0].msg, "32767"));
	assert_int_equal(access(path, F_OK), -1);
	diag_free(&dl);
	table_free(t);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_inventory_sheets_are_data_examples_instructions_values_in_that_order),
	    cmocka_unit_test(test_examples_sheet_holds_the_form_examples_under_the_header),
	    cmocka_unit_test(test_missing_examples_file_is_named_and_nothing_written),
	    cmocka_unit_test(test_inventory_header_row_is_the_full_titles_frozen_and_tall),
	    cmocka_unit_test(test_example_rows_are_text_and_downtime_a_number),
	    cmocka_unit_test(test_inventory_dropdowns_point_at_the_value_sheet),
	    cmocka_unit_test(test_value_sheet_holds_the_lists_exactly),
	    cmocka_unit_test(test_instruction_sheet_has_a_row_per_field),
	    cmocka_unit_test(test_formula_like_values_stay_text),
	    cmocka_unit_test(test_characters_xml_cannot_hold_are_escaped),
	    cmocka_unit_test(test_extra_columns_follow_the_form_with_their_header),
	    cmocka_unit_test(test_dropdowns_reach_the_last_record_beyond_row_1001),
	    cmocka_unit_test(test_admin_form_is_one_printable_sheet),
	    cmocka_unit_test(test_admin_form_without_records_keeps_a_row_to_fill_in),
	    cmocka_unit_test(test_replacing_a_file_keeps_its_mode_and_leaves_no_temp),
	    cmocka_unit_test(test_missing_folder_fails_with_a_diag_and_leaves_nothing),
	    cmocka_unit_test(test_target_that_is_a_folder_fails_and_leaves_no_temp),
	    cmocka_unit_test(test_library_failure_is_a_diag_not_stderr_and_keeps_the_old_file),
	    cmocka_unit_test(test_invalid_utf8_is_named_with_record_and_field_nothing_written),
	    cmocka_unit_test(test_cell_longer_than_excel_allows_is_refused),
	};
	return cmocka_run_group_tests_name("xlsxout", tests, setup, teardown) ? 1 : 0;
}
