/* test_odsout.c - the .ods export: an OpenDocument package as ODF wants it
 * (the stored mimetype first), the same sheets, cells, dropdowns and
 * frozen header as the .xlsx export, text kept as typed (spaces, tabs,
 * line breaks), values XML cannot hold refused, atomic writes.
 *
 * Each package written is read by tests/unit/ods_dump.py (Python's
 * zipfile and ElementTree: a reader of its own), which prints one line per
 * thing found (its header lists them); the tests look for the lines they
 * expect.  test_odsin.c reads spmform's own packages back with odsin.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvio.h"
#include "mem.h"
#include "odsin.h"
#include "odsout.h"
#include "testutil.h"

#define ADMIN "forms/admin-account.ini"
#define INV_SHEET "資通系統盤點清冊"
#define LIST_SHEET "此頁不可刪除"

static Form *inv, *admin;
static char tmpdir[] = "/tmp/spmform-ods-XXXXXX";
static char *inv_out; /* the inspection of the five example rows' export */
static const FileFormat DEFAULT_FMT = {ENC_UTF8, true, true};

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

/* odsout_write with stderr caught: asserts that nothing was printed. */
static int write_quiet(const Table *t, const char *path, DiagList *dl)
{
	char *errpath = tmp_path("stderr.txt");
	fflush(stderr);
	int saved = dup(2);
	int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	int rc = odsout_write(t, path, false, dl);
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

/* What ods_dump.py finds in path, with a "\n" in front so that every line
 * can be looked for as "\nLINE\n". */
static char *inspect(const char *path)
{
	char *cmd = xasprintf("/usr/bin/python3 -I tests/unit/ods_dump.py '%s'", path);
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
		fprintf(stderr, "ods_dump.py failed:%s\n", out);
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

static char *example_cell(size_t row, size_t i)
{
	const char *p = EXAMPLE_ROWS[row];
	for (size_t k = 0; k < i; k++)
		p = strchr(p, '\t') + 1;
	const char *tab = strchr(p, '\t');
	return xstrndup(p, tab ? (size_t)(tab - p) : strlen(p));
}

static void assert_same_table(const Table *a, const Table *b)
{
	assert_int_equal(table_ncols(a), table_ncols(b));
	for (size_t c = 0; c < table_ncols(a); c++)
		assert_string_equal(table_col_header(a, c), table_col_header(b, c));
	assert_int_equal(table_nrecords(a), table_nrecords(b));
	for (size_t r = 0; r < table_nrecords(a); r++) {
		const Record *x = table_record_c(a, r), *y = table_record_c(b, r);
		for (size_t c = 0; c < table_ncols(a); c++)
			assert_string_equal(x->cells[c], y->cells[c]);
		assert_int_equal(x->noverflow, y->noverflow);
	}
}

/* ---- setup -------------------------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	inv = load_form_or_fail(INVENTORY);
	admin = load_form_or_fail(ADMIN);
	Table *t = load_examples();
	char *path = tmp_path("inventory.ods");
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

/* ---- the package -------------------------------------------------------- */

/* ODF 1.3 part 2, 3.3: "mimetype" is the first entry, stored, without an
 * extra field, so that its text starts at byte 38 of the file. */
static void test_package_starts_with_the_stored_mimetype(void **state)
{
	(void)state;
	assert_line(inv_out, "entry 1 mimetype 0 0");
	assert_line(inv_out, "mimetype-at 38 application/vnd.oasis.opendocument.spreadsheet");
	assert_line(inv_out, "entry 2 META-INF/manifest.xml 8 0");
	assert_line(inv_out, "entry 3 content.xml 8 0");
}

/* ---- the inventory: the template's workbook, as the .xlsx has it --------- */

static void test_inventory_sheets_are_data_examples_instructions_values_in_that_order(void **state)
{
	(void)state;
	assert_line(inv_out, "sheet 1 " INV_SHEET " visible");
	assert_line(inv_out, "sheet 2 範例 visible");
	assert_line(inv_out, "sheet 3 填表說明 visible");
	assert_line(inv_out, "sheet 4 " LIST_SHEET " visible");
	assert_int_equal(count_lines(inv_out, "sheet "), 4);
	assert_line(inv_out, "active " INV_SHEET);
}

static void test_header_row_is_the_full_titles_frozen_printed_on_every_page(void **state)
{
	(void)state;
	for (size_t i = 0; i < form_nfields(inv); i++) {
		char c[4];
		col_letters(i, c);
		char *h = esc(form_field(inv, i)->full_header);
		assert_line(inv_out, "cell " INV_SHEET "!%s1 s %s", c, h);
		assert_line(inv_out, "cell 範例!%s1 s %s", c, h);
		free(h);
	}
	assert_int_equal(count_lines(inv_out, "cell " INV_SHEET "!V1 "), 0);
	assert_line(inv_out, "freeze " INV_SHEET " 1");
	assert_line(inv_out, "freeze 範例 1");
	assert_line(inv_out, "freeze 填表說明 1");
	assert_line(inv_out, "header-row " INV_SHEET " 1");
	assert_line(inv_out, "page " INV_SHEET " landscape None");
	/* tall enough for the longest note to wrap, as in the .xlsx */
	const char *h = strstr(inv_out, "\nrow " INV_SHEET " 1 ");
	assert_non_null(h);
	assert_true(atof(h + strlen("\nrow " INV_SHEET " 1 ")) >= 60);
}

static void test_example_rows_are_text_and_downtime_a_number_on_both_sheets(void **state)
{
	(void)state;
	size_t downtime = field_of(inv, "max_downtime");
	const char *sheets[] = {INV_SHEET, "範例"};
	for (size_t s = 0; s < 2; s++)
		for (size_t r = 0; r < 5; r++)
			for (size_t i = 0; i < form_nfields(inv); i++) {
				char c[4];
				col_letters(i, c);
				char *v = example_cell(r, i);
				char *prefix = xasprintf("cell %s!%s%zu ", sheets[s], c, r + 2);
				if (*v)
					assert_line(inv_out, "%s%s %s", prefix, i == downtime ? "n" : "s", v);
				else
					assert_int_equal(count_lines(inv_out, prefix), 0);
				free(prefix);
				free(v);
			}
	assert_line(inv_out, "cell " INV_SHEET "!Q4 n 48");
	assert_line(inv_out, "cell " INV_SHEET "!B6 s Active Directory");
	assert_int_equal(count_lines(inv_out, "cell " INV_SHEET "!A7 "), 0);
	/* every value cell has the text style ("@"): its column's, which the
	 * cell then does not repeat; the number its own */
	assert_int_equal(count_lines(inv_out, "style " INV_SHEET "!A3 "), 0);
	assert_line(inv_out, "style " INV_SHEET "!Q3 ceNumber");
	assert_line(inv_out, "column " INV_SHEET " A 1.0417in ceText");
	/* widths as the .xlsx has them, at LibreOffice's 7 pixels a unit:
	 * B is "Active Directory" wide (16 + 2) */
	assert_line(inv_out, "column " INV_SHEET " B 1.8194in ceText");
	assert_line(inv_out, "column " INV_SHEET " Q 2.5972in None"); /* a number column */
}

/* The same columns and value ranges as the .xlsx's dropdowns
 * (test_xlsxout.c), over every row 2 to 1001, records or not. */
static void test_dropdowns_point_at_the_value_sheet_on_the_same_columns(void **state)
{
	(void)state;
	static const char *const want[] = {
	    "C2:C1001 of:cell-content-is-in-list([$'此頁不可刪除'.$B$2:.$B$3])",
	    "D2:D1001 of:cell-content-is-in-list([$'此頁不可刪除'.$C$2:.$C$4])",
	    "E2:E1001 of:cell-content-is-in-list([$'此頁不可刪除'.$D$2:.$D$7])",
	    "J2:J1001 of:cell-content-is-in-list([$'此頁不可刪除'.$E$2:.$E$3])",
	    "K2:K1001 of:cell-content-is-in-list([$'此頁不可刪除'.$F$2:.$F$3])",
	    "L2:L1001 of:cell-content-is-in-list([$'此頁不可刪除'.$G$2:.$G$3])",
	    "M2:M1001 of:cell-content-is-in-list([$'此頁不可刪除'.$H$2:.$H$5])",
	    "N2:N1001 of:cell-content-is-in-list([$'此頁不可刪除'.$I$2:.$I$3])",
	    "R2:R1001 of:cell-content-is-in-list([$'此頁不可刪除'.$K$2:.$K$5])",
	    "U2:U1001 of:cell-content-is-in-list([$'此頁不可刪除'.$L$2:.$L$3])",
	    "Q2:Q1001 of:cell-content-is-whole-number() and cell-content()>=0",
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		assert_line(inv_out, "dv " INV_SHEET " %s", want[i]);
	assert_int_equal(count_lines(inv_out, "dv "), sizeof want / sizeof *want);
}

static void test_value_and_instruction_sheets_hold_the_form_exactly(void **state)
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
	for (size_t i = 0; i < form_nfields(inv); i++) {
		const FormField *f = form_field(inv, i);
		assert_line(inv_out, "cell 填表說明!A%zu s %s", i + 2, f->header);
		if (*f->help)
			assert_line(inv_out, "cell 填表說明!B%zu s %s", i + 2, f->help);
		if (*f->help_more)
			assert_line(inv_out, "cell 填表說明!C%zu s %s", i + 2, f->help_more);
	}
	assert_line(inv_out, "cell 填表說明!A1 s 項目");
}

/* XML collapses spaces, so that runs of them, tabs and line breaks must be
 * written as ODF's own elements; text that looks like a formula or a
 * number stays text. */
static void test_text_is_kept_as_typed(void **state)
{
	(void)state;
	Table *t = load_examples();
	put(t, 0, "remarks", "兩個  空白　與\t定位");
	put(t, 1, "remarks", "第一行\n  第二行縮排\n\n第四行");
	put(t, 2, "remarks", "=1+1");
	put(t, 3, "remarks", "a     b");
	put(t, 0, "max_downtime", "007");
	put(t, 4, "remarks", "<&>\"'");
	char *path = tmp_path("text.ods");
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(write_quiet(t, path, &dl), 0);
	char *out = inspect(path);
	assert_line(out, "cell " INV_SHEET "!T2 s 兩個  空白　與\t定位");
	assert_line(out, "cell " INV_SHEET "!T3 s 第一行\\n  第二行縮排\\n\\n第四行");
	assert_line(out, "cell " INV_SHEET "!T4 s =1+1");
	assert_line(out, "cell " INV_SHEET "!T5 s a     b");
	assert_line(out, "cell " INV_SHEET "!Q2 s 007");
	assert_line(out, "cell " INV_SHEET "!T6 s <&>\"'");
	/* and spmform reads the same values back */
	Table *back = odsin_load(path, inv, DEFAULT_FMT, &dl);
	assert_non_null(back);
	assert_same_table(t, back);
	table_free(back);
	free(out);
	/* ODF keeps no CR: every line break reads back as "\n" */
	put(t, 0, "remarks", "甲\r\n乙\r丙\n丁");
	assert_int_equal(write_quiet(t, path, &dl), 0);
	out = inspect(path);
	assert_line(out, "cell " INV_SHEET "!T2 s 甲\\n乙\\n丙\\n丁");
	back = odsin_load(path, inv, DEFAULT_FMT, &dl);
	assert_non_null(back);
	assert_string_equal(table_record_c(back, 0)->cells[field_of(inv, "remarks")], "甲\n乙\n丙\n丁");
	table_free(back);
	free(out);
	diag_free(&dl);
	table_free(t);
	unlink(path);
	free(path);
}

static void test_extra_columns_and_overflow_follow_the_form(void **state)
{
	(void)state;
	size_t n;
	char *csv = read_file("forms/examples/inventory.csv", &n);
	/* a column the form does not know, at the end of every line, and a
	 * cell beyond the header on the last */
	char *text = xmalloc(2 * n + 64), *q = text;
	for (size_t i = 0, line = 0; i < n; i++) {
		if (csv[i] == '\r' || (csv[i] == '\n' && (i == 0 || csv[i - 1] != '\r'))) {
			q += sprintf(q, line == 0 ? ",聯絡人" : line == 5 ? ",王%zu,多的" : ",王%zu", line);
			line++;
		}
		*q++ = csv[i];
	}
	*q = '\0';
	DiagList dl;
	diag_init(&dl);
	Table *t = csvio_load_mem(text, strlen(text), inv, DEFAULT_FMT, &dl);
	assert_non_null(t);
	diag_free(&dl);
	diag_init(&dl);
	char *path = tmp_path("extra.ods");
	assert_int_equal(write_quiet(t, path, &dl), 0);
	char *out = inspect(path);
	assert_line(out, "cell " INV_SHEET "!V1 s 聯絡人");
	assert_line(out, "cell " INV_SHEET "!V2 s 王1");
	assert_line(out, "cell " INV_SHEET "!V6 s 王5");
	assert_line(out, "cell " INV_SHEET "!W6 s 多的");
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
	char *path = tmp_path("many.ods");
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(write_quiet(t, path, &dl), 0);
	char *out = inspect(path);
	assert_line(out, "dv " INV_SHEET " C2:C1201 of:cell-content-is-in-list([$'此頁不可刪除'.$B$2:.$B$3])");
	assert_line(out, "cell " INV_SHEET "!B1201 s Active Directory");
	free(out);
	diag_free(&dl);
	table_free(t);
	unlink(path);
	free(path);
}

/* ---- the admin form: the printable sheet -------------------------------- */

static void test_admin_form_is_one_printable_sheet_with_a_hidden_value_sheet(void **state)
{
	(void)state;
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
	char *path = tmp_path("admin.ods");
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(write_quiet(t, path, &dl), 0);
	assert_int_equal(dl.n, 0);
	char *out = inspect(path);
	const char *S = "機關管理者帳號申請(異動)單";
	assert_line(out, "sheet 1 %s visible", S);
	assert_line(out, "sheet 2 選項清單 hidden");
	assert_int_equal(count_lines(out, "sheet "), 2);
	assert_line(out, "cell %s!A1 s 行政院國家資通安全會報資通安全作業管考系統\\n"
			 "機關管理者帳號申請(異動)單(個別機關)", S);
	assert_line(out, "merged %s A1:J1", S);
	assert_line(out, "cell %s!B2 s 申請項目\\n1: 新增\\n0: 刪除", S);
	assert_line(out, "header-row %s 2", S);
	assert_line(out, "cell %s!A3 n 1", S);
	assert_line(out, "cell %s!B3 s 1", S);
	assert_line(out, "cell %s!J4 s 02-33568209#12", S);
	assert_line(out, "dv %s B3:B4 of:cell-content-is-in-list([$'選項清單'.$A$2:.$A$3])", S);
	assert_line(out, "dv %s A3:A4 of:cell-content-is-whole-number() and cell-content()>=0", S);
	assert_int_equal(count_lines(out, "dv "), 2);
	assert_line(out, "cell %s!A6 s 承辦人", S);
	assert_line(out, "cell %s!G6 s 機關首長", S);
	assert_line(out, "merged %s A7:C10", S);
	assert_line(out, "merged %s G7:J10", S);
	assert_line(out, "cell %s!A12 s 備註：", S);
	assert_line(out, "cell %s!A17 s 5. 每個欄位皆為必填欄位。", S);
	assert_line(out, "merged %s A17:J17", S);
	assert_line(out, "print-range %s '%s'.A1:'%s'.J17", S, S, S);
	assert_line(out, "page %s landscape 1", S);
	assert_int_equal(count_lines(out, "freeze "), 0);
	/* read back: the title, captions and notes are not records */
	Table *back = odsin_load(path, admin, DEFAULT_FMT, &dl);
	assert_non_null(back);
	assert_same_table(t, back);
	table_free(back);
	free(out);
	diag_free(&dl);
	table_free(t);
	unlink(path);
	free(path);
}

/* ---- writing the file ----------------------------------------------------- */

static void test_control_character_is_named_with_record_and_field_nothing_written(void **state)
{
	(void)state;
	char *path = tmp_path("ctl.ods");
	size_t before = files_in(tmpdir);
	Table *t = load_examples();
	size_t f = field_of(inv, "agency_name");
	table_put(t, 2, f, xstrdup("OO\x1b[31m局"));
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(write_quiet(t, path, &dl), -1);
	assert_int_equal(dl.nerrors, 1);
	assert_int_equal(dl.items[0].record, 2);
	assert_int_equal(dl.items[0].field, (int)f);
	assert_non_null(strstr(dl.items[0].msg, "「系統主管機關名稱」欄"));
	assert_non_null(strstr(dl.items[0].msg, "U+001B"));
	assert_non_null(strstr(dl.items[0].msg, ".ods"));
	assert_int_equal(files_in(tmpdir), before);
	diag_free(&dl);
	table_free(t);
	free(path);
}

static void test_replacing_a_file_keeps_its_mode_and_leaves_no_temp(void **state)
{
	(void)state;
	char *dir = tmp_path("mode");
	assert_int_equal(mkdir(dir, 0700), 0);
	char *path = xasprintf("%s/out.ods", dir);
	write_file(path, "old", 3);
	assert_int_equal(chmod(path, 0640), 0);
	Table *t = load_examples();
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(write_quiet(t, path, &dl), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(files_in(dir), 1);
	diag_free(&dl);
	table_free(t);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

static void test_write_failure_is_a_diag_and_keeps_the_old_file(void **state)
{
	(void)state;
	char *path = tmp_path("full.ods");
	write_file(path, "keep", 4);
	size_t before = files_in(tmpdir);
	Table *t = load_examples();
	DiagList dl;
	diag_init(&dl);
	/* a file-size limit below the package's size: writing fails inside
	 * minizip, as it would on a full disk */
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
	if (!strstr(dl.items[0].msg, "File too large"))
		dump_diags(&dl);
	assert_non_null(strstr(dl.items[0].msg, "無法寫出 .ods"));
	assert_non_null(strstr(dl.items[0].msg, "File too large"));
	assert_non_null(strstr(dl.items[0].msg, "原檔未更動"));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_package_starts_with_the_stored_mimetype),
	    cmocka_unit_test(test_inventory_sheets_are_data_examples_instructions_values_in_that_order),
	    cmocka_unit_test(test_header_row_is_the_full_titles_frozen_printed_on_every_page),
	    cmocka_unit_test(test_example_rows_are_text_and_downtime_a_number_on_both_sheets),
	    cmocka_unit_test(test_dropdowns_point_at_the_value_sheet_on_the_same_columns),
	    cmocka_unit_test(test_value_and_instruction_sheets_hold_the_form_exactly),
	    cmocka_unit_test(test_text_is_kept_as_typed),
	    cmocka_unit_test(test_extra_columns_and_overflow_follow_the_form),
	    cmocka_unit_test(test_dropdowns_reach_the_last_record_beyond_row_1001),
	    cmocka_unit_test(test_admin_form_is_one_printable_sheet_with_a_hidden_value_sheet),
	    cmocka_unit_test(test_control_character_is_named_with_record_and_field_nothing_written),
	    cmocka_unit_test(test_replacing_a_file_keeps_its_mode_and_leaves_no_temp),
	    cmocka_unit_test(test_write_failure_is_a_diag_and_keeps_the_old_file),
	};
	return cmocka_run_group_tests_name("odsout", tests, setup, teardown) ? 1 : 0;
}
