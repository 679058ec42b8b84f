/* test_csvio.c - reading and writing CSV faithfully: encodings, line
 * endings, quoting, header variants, places of problems, atomic saves. */
#include <dirent.h>
#include <iconv.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvio.h"
#include "mem.h"
#include "rules.h"
#include "progress.h"
#include "testutil.h"

static Form *form;
static char tmpdir[] = "/tmp/spmform-csv-XXXXXX";
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

/* The official header line, as spmform writes it. */
static char *header_line(void)
{
	Table *t = table_new(form);
	size_t len;
	DiagList dl;
	diag_init(&dl);
	table_set_format(t, (FileFormat){ENC_UTF8, false, false});
	char *s = csvio_serialize(t, &len, &dl);
	assert_non_null(s);
	s[len - 1] = '\0'; /* drop "\n" */
	table_free(t);
	diag_free(&dl);
	return s;
}

/* Example row i as a CSV line (tabs become commas: no value needs quotes). */
static char *example_csv(size_t i)
{
	char *s = xstrdup(EXAMPLE_ROWS[i]);
	for (char *p = s; *p; p++)
		if (*p == '\t')
			*p = ',';
	return s;
}

static Table *load(const char *text, DiagList *dl)
{
	diag_init(dl);
	return csvio_load_mem(text, strlen(text), form, DEFAULT_FMT, dl);
}

static char *cp950(const char *utf8)
{
	iconv_t cd = iconv_open("CP950", "UTF-8");
	assert_true(cd != (iconv_t)-1);
	size_t n = strlen(utf8), ol = 2 * n + 1;
	char *out = xmalloc(ol), *op = out, *ip = (char *)utf8;
	assert_true(iconv(cd, &ip, &n, &op, &ol) != (size_t)-1);
	*op = '\0';
	iconv_close(cd);
	return out;
}

static const char *cellv(Table *t, size_t rec, const char *id)
{
	return table_record(t, rec)->cells[field_of(form, id)];
}

static char *file_text(const char *body)
{
	char *h = header_line();
	char *s = xasprintf("%s\r\n%s", h, body);
	free(h);
	return s;
}

static void test_example_file_loads_with_record_lines(void **state)
{
	(void)state;
	DiagList dl;
	diag_init(&dl);
	Table *t = csvio_load("forms/examples/inventory.csv", form, DEFAULT_FMT, &dl);
	dump_diags(&dl);
	assert_non_null(t);
	assert_int_equal(dl.n, 0);
	assert_int_equal(table_nrecords(t), 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(table_record(t, i)->line, (long)i + 2);
	assert_string_equal(cellv(t, 2, "build"), "主管/上級機關提供");
	assert_string_equal(cellv(t, 4, "name"), "Active Directory");
	assert_string_equal(cellv(t, 0, "max_downtime"), "24");
	table_free(t);
	diag_free(&dl);
}

static void test_written_file_is_read_back_to_the_same_bytes(void **state)
{
	(void)state;
	size_t n;
	char *orig = read_file("forms/examples/inventory.csv", &n);
	DiagList dl;
	diag_init(&dl);
	Table *t = csvio_load_mem(orig, n, form, DEFAULT_FMT, &dl);
	assert_non_null(t);
	size_t len;
	char *out = csvio_serialize(t, &len, &dl);
	assert_non_null(out);
	assert_int_equal(len, n);
	assert_memory_equal(out, orig, n);
	/* and once more from what was written */
	Table *t2 = csvio_load_mem(out, len, form, DEFAULT_FMT, &dl);
	size_t len2;
	char *out2 = csvio_serialize(t2, &len2, &dl);
	assert_int_equal(len2, len);
	assert_memory_equal(out2, out, len);
	free(out2);
	table_free(t2);
	free(out);
	table_free(t);
	free(orig);
	diag_free(&dl);
}

static void test_default_output_is_utf8_bom_crlf_official_headers(void **state)
{
	(void)state;
	Table *t = table_new(form);
	add_row(t, EXAMPLE_ROWS[1], 0);
	size_t len;
	DiagList dl;
	diag_init(&dl);
	char *out = csvio_serialize(t, &len, &dl);
	assert_non_null(out);
	assert_memory_equal(out, "\xEF\xBB\xBF資產編號,系統名稱(必填),", strlen("\xEF\xBB\xBF資產編號,系統名稱(必填),"));
	assert_non_null(strstr(out, ",\"最大可容忍中斷時間(小時, 數字)(必填)\","));
	assert_non_null(strstr(out, ",不否符合防護基準說明,備註,本資產是否含有大陸元件(Y/N)(必填)\r\n"));
	assert_non_null(strstr(out, "\r\n編號B,系統B,業務,機關自用,自行委外,"));
	assert_int_equal(out[len - 2], '\r');
	assert_int_equal(out[len - 1], '\n');
	free(out);
	table_free(t);
	diag_free(&dl);
}

static void test_bom_crlf_and_lf_variants_read_the_same(void **state)
{
	(void)state;
	char *h = header_line(), *r0 = example_csv(0), *r1 = example_csv(1);
	char *variants[] = {
	    xasprintf("\xEF\xBB\xBF%s\r\n%s\r\n%s\r\n", h, r0, r1),
	    xasprintf("%s\n%s\n%s\n", h, r0, r1),
	    xasprintf("%s\n%s\n%s", h, r0, r1), /* no final newline */
	    xasprintf("\xEF\xBB\xBF%s\r\n\r\n%s\r\n%s\r\n\r\n", h, r0, r1),
	};
	for (size_t v = 0; v < 4; v++) {
		DiagList dl;
		Table *t = load(variants[v], &dl);
		assert_non_null(t);
		assert_int_equal(dl.n, 0);
		assert_int_equal(table_nrecords(t), 2);
		assert_string_equal(cellv(t, 1, "name"), "系統B");
		assert_string_equal(cellv(t, 1, "china_parts"), "無");
		assert_int_equal(table_record(t, 1)->line, v == 3 ? 4 : 3);
		table_free(t);
		diag_free(&dl);
		free(variants[v]);
	}
	free(h);
	free(r0);
	free(r1);
}

static void test_quoted_fields_and_record_lines(void **state)
{
	(void)state;
	char *r0 = example_csv(0);
	char *body = xasprintf(
	    "%s\r\n"
	    "編號B,\"系統,B\",業務,機關自用,自行委外,2.16.886.101.20002,OO局,某某處,某某處,是,是,否,中,是,Y公司,Y公司,24,部分符合,"
	    "\"第一行\r\n第二行 \"\"引號\"\"\n第三行\",,無\r\n"
	    "編號E,系統E,業務,機關自用,自行委外,2.16.886.101.20002,OO局,某某處,某某處,是,是,否,高,是,Y公司,Y公司,24,符合,,\"備,註\",無\r\n",
	    r0);
	char *text = file_text(body);
	DiagList dl;
	Table *t = load(text, &dl);
	assert_non_null(t);
	assert_int_equal(table_nrecords(t), 3);
	assert_int_equal(table_record(t, 0)->line, 2);
	assert_int_equal(table_record(t, 1)->line, 3);
	assert_int_equal(table_record(t, 2)->line, 6); /* record 2 spans lines 3-5 */
	assert_string_equal(cellv(t, 1, "name"), "系統,B");
	assert_string_equal(cellv(t, 1, "gap_note"), "第一行\r\n第二行 \"引號\"\n第三行");
	assert_string_equal(cellv(t, 2, "remarks"), "備,註");
	/* a problem in the record that spans lines is reported on its first */
	put(t, 2, "name", "系統,B");
	diag_clear(&dl);
	rules_check_table(t, &dl);
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.items[0].line, 6);
	/* and written back quoted, as read */
	size_t len;
	char *out = csvio_serialize(t, &len, &dl);
	assert_non_null(strstr(out, ",\"第一行\r\n第二行 \"\"引號\"\"\n第三行\",,無\r\n"));
	assert_non_null(strstr(out, ",\"系統,B\","));
	free(out);
	table_free(t);
	diag_free(&dl);
	free(text);
	free(body);
	free(r0);
}

static void test_values_are_trimmed_and_normalised_on_read(void **state)
{
	(void)state;
	char *text = file_text(
	    "　編號A　,\" 系統A \",行政,共用,自行委外,２．１６．８８６．１０１．２０００２,OO局,某某處,某某處,Y,n,ｙ,中,N,X公司,X公司,２４,符合,,,N\r\n");
	DiagList dl;
	Table *t = load(text, &dl);
	assert_non_null(t);
	assert_string_equal(cellv(t, 0, "asset_id"), "編號A");
	assert_string_equal(cellv(t, 0, "name"), "系統A");
	assert_string_equal(cellv(t, 0, "agency_oid"), "2.16.886.101.20002");
	assert_string_equal(cellv(t, 0, "onsite"), "是");
	assert_string_equal(cellv(t, 0, "core"), "否");
	assert_string_equal(cellv(t, 0, "sensitive"), "是");
	assert_string_equal(cellv(t, 0, "isms"), "否");
	assert_string_equal(cellv(t, 0, "max_downtime"), "24");
	assert_string_equal(cellv(t, 0, "china_parts"), "無");
	rules_check_table(t, &dl);
	assert_int_equal(dl.n, 0);
	table_free(t);
	diag_free(&dl);
	free(text);
}

static void test_header_variants_and_column_order(void **state)
{
	(void)state;
	/* Excel-style titles with notes, a line break before 註, full-width
	 * parentheses, spaces, the corrected spelling, columns reordered */
	const char *text =
	    "系統名稱(必填),資產編號,系統屬性（必填）,系統版本(必填),建置方式(必填),系統主管機關OID(必填),"
	    "系統主管機關名稱(必填),系統管理者(部門)(必填),系統使用者(部門)(必填),主機設置於機關內(Y/N)(必填),"
	    "\"核心系統(Y/N)(必填)\n註：機關之核心系統以應用系統為主\",含機敏資訊(Y/N)(必填),"
	    "防護需求等級(必填) 註：「其他」表示系統建置方式為「主管/上級機關提供」或「套裝軟體」,"
	    "是否包含於ISMS導入範圍(Y/N) 註：「系統建置方式」為「主管/上級機關提供」得免填,"
	    "建置廠商註：「系統建置方式」為「主管/上級機關提供」得免填,維運廠商,"
	    "最大可容忍中斷時間(小時，數字)(必填),是否符合防護基準(必填),不符合防護基準說明,  備註  ,"
	    "本資產是否含有大陸元件(Y/N)(必填)\r\n"
	    "系統A,編號A,行政,共用,自行委外,2.16.886.101.20002,OO局,某某處,某某處,是,否,是,中,是,X公司,X公司,24,部分符合,說明,備註,無\r\n";
	DiagList dl;
	Table *t = load(text, &dl);
	dump_diags(&dl);
	assert_non_null(t);
	assert_int_equal(dl.n, 0);
	assert_int_equal(table_ncols(t), 21);
	assert_string_equal(cellv(t, 0, "name"), "系統A");
	assert_string_equal(cellv(t, 0, "asset_id"), "編號A");
	assert_string_equal(cellv(t, 0, "core"), "否");
	assert_string_equal(cellv(t, 0, "gap_note"), "說明");
	/* written back in form order with the official headers */
	size_t len;
	char *out = csvio_serialize(t, &len, &dl);
	char *h = header_line();
	assert_memory_equal(out + 3, h, strlen(h));
	assert_non_null(strstr(out, "\r\n編號A,系統A,行政,"));
	free(h);
	free(out);
	table_free(t);
	diag_free(&dl);
}

static void test_unknown_column_kept_missing_column_added(void **state)
{
	(void)state;
	char *h = header_line();
	/* drop 備註 (column 20), add 聯絡人 at the end */
	char *hdr = xstrdup(h);
	char *at = strstr(hdr, ",備註,");
	memmove(at, at + strlen(",備註"), strlen(at + strlen(",備註")) + 1);
	char *r = example_csv(1);
	char *row = xstrdup(r); /* ...,符合,,,無 -> drop one empty cell */
	char *e = strstr(row, ",,,無");
	memmove(e, e + 1, strlen(e + 1) + 1);
	char *text = xasprintf("%s,聯絡人\r\n%s,王小明\r\n", hdr, row);
	DiagList dl;
	Table *t = load(text, &dl);
	dump_diags(&dl);
	assert_non_null(t);
	assert_int_equal(dl.nwarnings, 2);
	assert_int_equal(dl.nerrors, 0);
	bool unknown = false, missing = false;
	for (size_t i = 0; i < dl.n; i++) {
		unknown |= strstr(dl.items[i].msg, "「聯絡人」不是表單的欄位") != NULL;
		missing |= strstr(dl.items[i].msg, "缺少這一欄「備註」") != NULL;
		assert_int_equal(dl.items[i].line, 1);
	}
	assert_true(unknown && missing);
	assert_int_equal(table_ncols(t), 22);
	assert_string_equal(table_record(t, 0)->cells[21], "王小明");
	size_t len;
	char *out = csvio_serialize(t, &len, &dl);
	char *want = xasprintf("%s,聯絡人\r\n", h);
	assert_memory_equal(out + 3, want, strlen(want));
	assert_non_null(strstr(out, ",符合,,,無,王小明\r\n"));
	free(want);
	free(out);
	table_free(t);
	diag_free(&dl);
	free(text);
	free(row);
	free(r);
	free(hdr);
	free(h);
}

static void test_header_matching_nothing_is_an_error_listing_expected(void **state)
{
	(void)state;
	DiagList dl;
	Table *t = load("姓名,電話\r\n王小明,02-1234\r\n", &dl);
	assert_null(t);
	assert_int_equal(dl.nerrors, 1);
	assert_int_equal(dl.items[0].line, 1);
	assert_non_null(strstr(dl.items[0].msg, "應有的標題：資產編號、系統名稱(必填)、"));
	assert_non_null(strstr(dl.items[0].msg, "不否符合防護基準說明"));
	diag_free(&dl);
}

static void test_too_many_and_too_few_cells(void **state)
{
	(void)state;
	char *r0 = example_csv(0), *r1 = example_csv(1);
	char *body = xasprintf("%s,多的,更多\r\n%s,,,\r\n編號X,系統X\r\n", r0, r1);
	char *text = file_text(body);
	DiagList dl;
	Table *t = load(text, &dl);
	assert_non_null(t);
	assert_int_equal(table_nrecords(t), 3);
	/* extra data: an error, kept; trailing empty cells: nothing; short: warning */
	assert_int_equal(dl.nerrors, 1);
	assert_int_equal(dl.items[0].line, 2);
	assert_non_null(strstr(dl.items[0].msg, "比標題多 2 欄"));
	assert_int_equal(dl.nwarnings, 1);
	assert_int_equal(dl.items[1].line, 4);
	assert_int_equal(table_record(t, 0)->noverflow, 2);
	size_t len;
	char *out = csvio_serialize(t, &len, &dl);
	assert_non_null(strstr(out, ",無,多的,更多\r\n"));
	free(out);
	table_free(t);
	diag_free(&dl);
	free(text);
	free(body);
	free(r0);
	free(r1);
}

static void test_all_empty_records_are_dropped(void **state)
{
	(void)state;
	char *r0 = example_csv(0);
	char *body = xasprintf(",,,,,,,,,,,,,,,,,,,,\r\n%s\r\n\" \",,\r\n", r0);
	char *text = file_text(body);
	DiagList dl;
	Table *t = load(text, &dl);
	assert_non_null(t);
	assert_int_equal(table_nrecords(t), 1);
	assert_int_equal(table_record(t, 0)->line, 3);
	table_free(t);
	diag_free(&dl);
	free(text);
	free(body);
	free(r0);
}

static void test_stray_quote_is_reported_with_line_and_column(void **state)
{
	(void)state;
	char *r0 = example_csv(0);
	char *body = xasprintf("%s\r\n編號B,系\"統B,業務\r\n", r0);
	char *text = file_text(body);
	DiagList dl;
	Table *t = load(text, &dl);
	assert_null(t);
	assert_int_equal(dl.nerrors, 1);
	assert_int_equal(dl.items[0].line, 3);
	assert_int_equal(dl.items[0].col, 6); /* characters: 編號B,系 then the quote */
	assert_non_null(strstr(dl.items[0].msg, "第 2 欄"));
	diag_free(&dl);
	free(text);
	free(body);
	free(r0);
}

static void test_unterminated_quote_reports_the_record_start(void **state)
{
	(void)state;
	char *r0 = example_csv(0);
	char *body = xasprintf("%s\r\n編號B,\"系統B,業務\r\n下一行\r\n再下一行\r\n", r0);
	char *text = file_text(body);
	DiagList dl;
	Table *t = load(text, &dl);
	assert_null(t);
	assert_int_equal(dl.nerrors, 1);
	assert_int_equal(dl.items[0].line, 3);
	assert_non_null(strstr(dl.items[0].msg, "引號到檔案結尾都沒有結束"));
	diag_free(&dl);
	free(text);
	free(body);
	free(r0);
}

static void test_cp950_is_detected_and_written_back_as_cp950(void **state)
{
	(void)state;
	size_t n;
	char *utf8 = read_file("forms/examples/inventory.csv", &n);
	char *big5 = cp950(utf8 + 3); /* without the BOM */
	/* spmform's CP950 output of the same table */
	DiagList dl;
	diag_init(&dl);
	Table *t = csvio_load_mem(big5, strlen(big5), form, DEFAULT_FMT, &dl);
	assert_non_null(t);
	assert_int_equal(dl.n, 0);
	assert_int_equal(table_format(t).encoding, ENC_CP950);
	assert_int_equal(table_nrecords(t), 5);
	assert_string_equal(cellv(t, 2, "build"), "主管/上級機關提供");
	assert_string_equal(cellv(t, 0, "remarks"), "109年10月正式上線");
	size_t len;
	char *out = csvio_serialize(t, &len, &dl);
	assert_non_null(out);
	assert_int_equal(len, strlen(big5));
	assert_memory_equal(out, big5, len);
	free(out);
	table_free(t);
	free(big5);
	free(utf8);
	diag_free(&dl);
}

static void test_big5_trail_bytes_backslash_and_bar_survive(void **state)
{
	(void)state;
	/* 許 = B3 5C, 功 = A5 5C, 蓋 = BB 5C: trail byte '\' */
	char *text = file_text("編號A,許功蓋|系統,行政,共用,自行委外,2.16.886.101.20002,OO局,某某處,某某處,是,否,是,中,是,X公司,X公司,24,符合,,,無\r\n");
	char *big5 = cp950(text);
	DiagList dl;
	diag_init(&dl);
	Table *t = csvio_load_mem(big5, strlen(big5), form, DEFAULT_FMT, &dl);
	assert_non_null(t);
	assert_string_equal(cellv(t, 0, "name"), "許功蓋|系統");
	table_free(t);
	free(big5);
	free(text);
	diag_free(&dl);
}

static void test_undecodable_bytes_name_line_and_byte(void **state)
{
	(void)state;
	char *text = file_text("編號A,系統A\r\n編號B,X\xFF\xFFY,行政\r\n");
	DiagList dl;
	Table *t = load(text, &dl);
	assert_null(t);
	assert_int_equal(dl.nerrors, 1);
	assert_int_equal(dl.items[0].line, 3);
	/* "編號B,X" is 9 bytes: the bad byte is the 10th of line 3 */
	assert_string_equal(dl.items[0].msg,
			    "第 10 個位元組 (0xFF) 不是有效的 UTF-8 (整個檔案也不是 CP950/Big5)");
	diag_free(&dl);
	free(text);

	/* Big5 造字 (EUDC) is named as such */
	char *h = header_line();
	char *b = cp950(h);
	char *big5 = xasprintf("%s\r\n\xA4\xFD\xFA\x40,x\r\n", b);
	diag_init(&dl);
	t = csvio_load_mem(big5, strlen(big5), form, DEFAULT_FMT, &dl);
	assert_null(t);
	assert_int_equal(dl.items[0].line, 2);
	assert_non_null(strstr(dl.items[0].msg, "造字"));
	diag_free(&dl);
	free(big5);
	free(b);
	free(h);
}

static void test_duplicate_column_is_named_as_such(void **state)
{
	(void)state;
	char *h = header_line(), *r = example_csv(1);
	char *text = xasprintf("%s,備註\r\n%s,第二個備註\r\n", h, r);
	DiagList dl;
	Table *t = load(text, &dl);
	assert_non_null(t);
	assert_int_equal(dl.n, 1);
	assert_string_equal(dl.items[0].msg, "第 22 欄「備註」與第 20 欄重複，將照原樣保留");
	assert_string_equal(table_record(t, 0)->cells[21], "第二個備註");
	table_free(t);
	diag_free(&dl);
	free(text);
	free(r);
	free(h);
}

static void test_cr_line_ends_count_lines(void **state)
{
	(void)state;
	char *h = header_line(), *r0 = example_csv(0), *r1 = example_csv(1);
	char *text = xasprintf("%s\r%s\r%s\r", h, r0, r1);
	DiagList dl;
	Table *t = load(text, &dl);
	assert_non_null(t);
	assert_int_equal(table_nrecords(t), 2);
	assert_int_equal(table_record(t, 1)->line, 3);
	table_free(t);
	diag_free(&dl);
	free(text);
	free(h);
	free(r0);
	free(r1);
}

static void test_utf16_is_named(void **state)
{
	(void)state;
	DiagList dl;
	diag_init(&dl);
	assert_null(csvio_load_mem("\xFF\xFE" "a\0b\0", 6, form, DEFAULT_FMT, &dl));
	assert_non_null(strstr(dl.items[0].msg, "UTF-16"));
	diag_free(&dl);
}

static void test_bom_with_invalid_utf8_is_reported(void **state)
{
	(void)state;
	char *h = header_line();
	char *text = xasprintf("\xEF\xBB\xBF%s\r\nA,\xA4\xA4\r\n", h);
	DiagList dl;
	Table *t = load(text, &dl);
	assert_null(t);
	assert_int_equal(dl.items[0].line, 2);
	assert_non_null(strstr(dl.items[0].msg, "第 3 個位元組 (0xA4) 不是有效的 UTF-8"));
	diag_free(&dl);
	free(text);
	free(h);
}

static void test_nul_and_empty_files_are_refused(void **state)
{
	(void)state;
	DiagList dl;
	diag_init(&dl);
	char *h = header_line();
	char *nul = xasprintf("%s\r\nc,@d\r\n", h);
	size_t n = strlen(nul);
	*strchr(nul, '@') = '\0';
	assert_null(csvio_load_mem(nul, n, form, DEFAULT_FMT, &dl));
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.items[0].line, 2);
	assert_non_null(strstr(dl.items[0].msg, "NUL"));
	diag_clear(&dl);
	free(nul);
	free(h);
	assert_null(csvio_load_mem("", 0, form, DEFAULT_FMT, &dl));
	assert_non_null(strstr(dl.items[0].msg, "空的"));
	diag_clear(&dl);
	assert_null(csvio_load_mem("\r\n\r\n", 4, form, DEFAULT_FMT, &dl));
	assert_non_null(strstr(dl.items[0].msg, "空的"));
	diag_clear(&dl);
	assert_null(csvio_load(tmpdir, form, DEFAULT_FMT, &dl)); /* a folder */
	assert_non_null(strstr(dl.items[0].msg, "資料夾"));
	diag_clear(&dl);
	assert_null(csvio_load("/nonexistent/x.csv", form, DEFAULT_FMT, &dl));
	assert_non_null(strstr(dl.items[0].msg, "無法開啟"));
	diag_free(&dl);
}

static void test_header_only_file_has_no_records(void **state)
{
	(void)state;
	char *text = file_text("");
	DiagList dl;
	Table *t = load(text, &dl);
	assert_non_null(t);
	assert_int_equal(table_nrecords(t), 0);
	assert_int_equal(dl.n, 0);
	table_free(t);
	diag_free(&dl);
	free(text);
}

/* --- saving ----------------------------------------------------------------- */

static size_t files_in_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.' || (e->d_name[1] && e->d_name[1] != '.');
	closedir(d);
	return n;
}

static void test_save_is_atomic_and_keeps_permissions(void **state)
{
	(void)state;
	char *path = xasprintf("%s/out.csv", tmpdir);
	write_file(path, "old", 3);
	assert_int_equal(chmod(path, 0640), 0);
	Table *t = table_new(form);
	add_row(t, EXAMPLE_ROWS[0], 0);
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(csvio_save(t, path, false, &dl), 0);
	size_t n, len;
	char *got = read_file(path, &n);
	char *want = csvio_serialize(t, &len, &dl);
	assert_int_equal(n, len);
	assert_memory_equal(got, want, n);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(files_in_tmpdir(), 1); /* no temporary file left */
	free(got);
	free(want);
	table_free(t);
	diag_free(&dl);
	unlink(path);
	free(path);
}

static void test_unencodable_cp950_value_names_record_and_field_writes_nothing(void **state)
{
	(void)state;
	char *path = xasprintf("%s/big5.csv", tmpdir);
	write_file(path, "good old file", 13);
	Table *t = table_new(form);
	add_row(t, EXAMPLE_ROWS[0], 2);
	add_row(t, EXAMPLE_ROWS[1], 3);
	put(t, 1, "manager_dept", "陳喆的處");
	table_set_format(t, (FileFormat){ENC_CP950, false, true});
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(csvio_save(t, path, false, &dl), -1);
	assert_int_equal(dl.nerrors, 1);
	assert_int_equal(dl.items[0].record, 1);
	assert_int_equal(dl.items[0].field, (int)field_of(form, "manager_dept"));
	assert_int_equal(dl.items[0].line, 3);
	assert_non_null(strstr(dl.items[0].msg, "「系統管理者(部門)」欄的「喆」(U+5586)"));
	size_t n;
	char *got = read_file(path, &n);
	assert_int_equal(n, 13);
	assert_memory_equal(got, "good old file", 13);
	assert_int_equal(files_in_tmpdir(), 1);
	free(got);
	table_free(t);
	diag_free(&dl);
	unlink(path);
	free(path);
}

static void test_save_into_missing_folder_fails_cleanly(void **state)
{
	(void)state;
	Table *t = table_new(form);
	add_row(t, EXAMPLE_ROWS[0], 0);
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(csvio_save(t, "/nonexistent-dir/x.csv", false, &dl), -1);
	assert_int_equal(dl.nerrors, 1);
	assert_non_null(strstr(dl.items[0].msg, "暫存檔"));
	table_free(t);
	diag_free(&dl);
}

static void test_failed_write_keeps_old_file_and_leaves_no_temp(void **state)
{
	(void)state;
	char *path = xasprintf("%s/f.csv", tmpdir);
	write_file(path, "keep", 4);
	Table *t = table_new(form);
	add_row(t, EXAMPLE_ROWS[0], 0);
	DiagList dl;
	diag_init(&dl);
	/* a file-size limit below the output: write() fails with EFBIG, as it
	 * would on a full disk with ENOSPC */
	struct rlimit old, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = (struct rlimit){200, old.rlim_max}; /* soft limit only: it can be undone */
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int rc = csvio_save(t, path, false, &dl);
	lim = old;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	signal(SIGXFSZ, prev);
	assert_int_equal(rc, -1);
	assert_int_equal(dl.nerrors, 1);
	assert_non_null(strstr(dl.items[0].msg, "寫入失敗"));
	assert_non_null(strstr(dl.items[0].msg, "原檔未更動"));
	size_t n;
	char *got = read_file(path, &n);
	assert_int_equal(n, 4);
	assert_memory_equal(got, "keep", 4);
	assert_int_equal(files_in_tmpdir(), 1);
	free(got);
	table_free(t);
	diag_free(&dl);
	unlink(path);
	free(path);
}

static void test_output_format_lf_no_bom_and_cp950_from_utf8(void **state)
{
	(void)state;
	Table *t = table_new(form);
	add_row(t, EXAMPLE_ROWS[2], 0);
	table_set_format(t, (FileFormat){ENC_UTF8, false, false});
	DiagList dl;
	diag_init(&dl);
	size_t len;
	char *out = csvio_serialize(t, &len, &dl);
	assert_memory_equal(out, "資產編號,", strlen("資產編號,"));
	assert_null(strchr(out, '\r'));
	free(out);
	table_set_format(t, (FileFormat){ENC_CP950, true, true});
	out = csvio_serialize(t, &len, &dl);
	char *h = header_line();
	char *want = cp950(h);
	assert_memory_equal(out, want, strlen(want)); /* no BOM in CP950 */
	free(want);
	free(h);
	free(out);
	table_free(t);
	diag_free(&dl);
}

/* Cells that repeat are kept once (a choice as the form's own string, a
 * short text as one copy), yet editing one leaves the others alone. */
static void test_repeated_cells_are_shared_but_edited_alone(void **state)
{
	(void)state;
	char *h = header_line(), *a = example_csv(0);
	char *text = xasprintf("%s\n%s\n%s\n%s\n", h, a, a, a);
	DiagList dl;
	Table *t = load(text, &dl);
	assert_non_null(t);
	assert_int_equal(table_nrecords(t), 3);
	size_t name = field_of(form, "agency_name"), build = field_of(form, "build");
	const FormField *bf = form_field(form, build);
	assert_ptr_equal(table_record(t, 0)->cells[build], bf->values[form_value_index(bf, "自行委外")]);
	assert_ptr_equal(table_record(t, 0)->cells[name], table_record(t, 2)->cells[name]);
	table_put(t, 1, name, xstrdup("某某局"));
	table_put_shared(t, 1, build, bf->values[form_value_index(bf, "套裝軟體")]);
	assert_string_equal(cellv(t, 1, "agency_name"), "某某局");
	assert_string_equal(cellv(t, 0, "agency_name"), "OO局");
	assert_string_equal(cellv(t, 2, "agency_name"), "OO局");
	assert_string_equal(cellv(t, 1, "build"), "套裝軟體");
	assert_string_equal(cellv(t, 0, "build"), "自行委外");
	assert_string_equal(bf->values[form_value_index(bf, "自行委外")], "自行委外");
	table_free(t);
	diag_free(&dl);
	free(text);
	free(a);
	free(h);
}

/* Reads path (or, with mem, the same bytes from memory) in blocks of
 * block bytes, keeping the records: the table, the messages in *dl. */
static Table *read_with(const char *path, bool mem, size_t block, DiagList *dl)
{
	diag_init(dl);
	size_t len = 0;
	char *data = mem ? read_file(path, &len) : NULL;
	CsvSource src = {.path = mem ? NULL : path, .data = data, .len = len, .block = block};
	Table *t = csvio_read(&src, form, DEFAULT_FMT, CSV_KEEP, NULL, dl);
	free(data);
	return t;
}

/* A Big5 造字 whose lead byte ends a reading block is still named as one:
 * the cell is converted whole, after the block's edge. */
static void test_stream_eudc_at_block_edge(void **state)
{
	(void)state;
	char *h = header_line(), *a = example_csv(0);
	char *text = xasprintf("%s\n%s\n", h, a);
	char *big5 = cp950(text);
	size_t n = strlen(big5);
	char *data = xasprintf("%sX\x87\x51\n", big5); /* a row of one cell: X then 造字 */
	char *path = xasprintf("%s/eudc.csv", tmpdir);
	write_file(path, data, n + 4);
	for (int pass = 0; pass < 2; pass++) {
		DiagList dl;
		/* 0x87 last in the block, or not */
		assert_null(read_with(path, false, pass == 0 ? n + 2 : 0, &dl));
		assert_int_equal(dl.n, 1);
		assert_int_equal(dl.items[0].line, 3);
		assert_string_equal(dl.items[0].msg,
				    "第 1 欄「X」之後的位元組 0x87 無法以 CP950/Big5 讀取：這是 Big5 造字區的字，沒有標準的對應 (整個檔案也不是 UTF-8)");
		diag_free(&dl);
	}
	free(path);
	free(data);
	free(big5);
	free(text);
	free(a);
	free(h);
}

/* A reading that fails in a text holding a NUL says where the NUL is,
 * however big its blocks: after a header no form has, and after a cell
 * that is neither UTF-8 nor CP950 (found by fuzz_csv: read whole, the NUL
 * was said; in small blocks, the cell). */
static void test_a_text_with_nul_is_said_to_be_one(void **state)
{
	(void)state;
	static const char *const texts[] = {"a,b\r\nc,@d\r\n", "\xE8\xB3\x87,\xE5\xA1@0\r\n"};
	static const long lines[] = {2, 1}, bytes[] = {3, 7};
	char *path = xasprintf("%s/nul.csv", tmpdir);
	for (size_t i = 0; i < 2; i++) {
		char *data = xstrdup(texts[i]);
		size_t n = strlen(data);
		*strchr(data, '@') = '\0';
		write_file(path, data, n);
		char *says = xasprintf("第 %ld 個位元組是 NUL (0x00)", bytes[i]);
		for (size_t block = 1; block <= n + 1; block++)
			for (int mem = 0; mem < 2; mem++) {
				DiagList dl;
				assert_null(read_with(path, mem, block, &dl));
				assert_int_equal(dl.n, 1);
				assert_int_equal(dl.items[0].line, lines[i]);
				assert_non_null(strstr(dl.items[0].msg, says));
				diag_free(&dl);
			}
		free(says);
		free(data);
	}
	unlink(path);
	free(path);
}

/* After a BOM, a bad byte in the first character is counted after the
 * BOM's three bytes in blocks of every size (found by fuzz_csv: in
 * blocks of 1 byte, a character cut by the block's end lost the BOM's
 * count: 第 1 個位元組). */
static void test_bad_byte_after_bom_in_small_blocks(void **state)
{
	(void)state;
	static const char data[] = "\xEF\xBB\xBF\xE8]\xB3,x\r\n";
	char *path = xasprintf("%s/bom.csv", tmpdir);
	write_file(path, data, sizeof data - 1);
	for (size_t block = 1; block <= sizeof data; block++)
		for (int mem = 0; mem < 2; mem++) {
			DiagList dl;
			assert_null(read_with(path, mem, block, &dl));
			assert_int_equal(dl.n, 1);
			assert_int_equal(dl.items[0].line, 1);
			assert_non_null(strstr(dl.items[0].msg, "第 4 個位元組 (0xE8) 不是有效的 UTF-8"));
			diag_free(&dl);
		}
	unlink(path);
	free(path);
}

static int calls;
static bool stop_at_second(size_t done, size_t total)
{
	(void)done;
	(void)total;
	return ++calls < 2;
}

/* A reading stopped through the progress hook (a signal in the entry
 * screen) fails with its own reason, whatever the file's encoding. */
static void test_progress_hook_stops_reading(void **state)
{
	(void)state;
	char *h = header_line(), *a = example_csv(0);
	char *text = xasprintf("%s\n%s\n%s\n%s\n", h, a, a, a);
	char *big5 = cp950(text);
	char *utf8 = xasprintf("%s/stop.csv", tmpdir), *cp = xasprintf("%s/stop-cp950.csv", tmpdir);
	write_file(utf8, text, strlen(text));
	write_file(cp, big5, strlen(big5));
	const char *paths[] = {utf8, cp};
	for (int k = 0; k < 2; k++) {
		calls = 0;
		progress_set(stop_at_second, 0);
		DiagList dl;
		assert_null(read_with(paths[k], false, 64, &dl));
		progress_set(NULL, 0);
		assert_int_equal(calls, 2);
		assert_int_equal(dl.nerrors, 1);
		assert_string_equal(dl.items[dl.n - 1].msg, progress_stopped_msg);
		diag_free(&dl);
		/* and without the hook it reads */
		Table *t = read_with(paths[k], false, 64, &dl);
		assert_non_null(t);
		assert_int_equal(table_nrecords(t), 3);
		table_free(t);
		diag_free(&dl);
	}
	free(cp);
	free(utf8);
	free(big5);
	free(text);
	free(a);
	free(h);
}

/* --- one reader, every way it is called ---------------------------------- */

static void assert_same_diags(const DiagList *a, const DiagList *b)
{
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->nerrors, b->nerrors);
	assert_int_equal(a->nwarnings, b->nwarnings);
	for (size_t i = 0; i < a->n; i++) {
		const Diag *x = &a->items[i], *y = &b->items[i];
		assert_string_equal(x->msg, y->msg);
		assert_int_equal(x->level, y->level);
		assert_int_equal(x->line, y->line);
		assert_int_equal(x->col, y->col);
		assert_int_equal(x->record, y->record);
		assert_int_equal(x->field, y->field);
	}
}

/* t2 holds the records of t1 (which writes s1, l1 bytes), on the same
 * lines, and writes the same bytes. */
static void assert_same_table(const Table *t1, const char *s1, size_t l1, const Table *t2)
{
	assert_int_equal(table_nrecords(t1), table_nrecords(t2));
	for (size_t i = 0; i < table_nrecords(t1); i++)
		assert_int_equal(table_record_c(t1, i)->line, table_record_c(t2, i)->line);
	size_t l2;
	DiagList ds;
	diag_init(&ds);
	char *s2 = csvio_serialize(t2, &l2, &ds);
	assert_non_null(s2);
	assert_int_equal(l1, l2);
	assert_memory_equal(s1, s2, l1);
	free(s2);
	diag_free(&ds);
}

/* What a reading in mode gives: the table (for CSV_CHECK, NULL or an
 * empty one) and, in *dl, what the reading and the rules found, sorted
 * as check prints them; *checked the records the rules checked. */
static Table *read_and_check(const CsvSource *src, CsvMode mode, DiagList *dl, size_t *checked)
{
	diag_init(dl);
	RulesRun *run = NULL;
	Table *t = csvio_read(src, form, DEFAULT_FMT, mode, mode == CSV_KEEP ? NULL : &run, dl);
	if (mode != CSV_KEEP)
		assert_int_equal(!t, !run);
	*checked = 0;
	if (mode == CSV_KEEP && t)
		*checked = rules_check_table(t, dl);
	else if (mode == CSV_CHECK && t)
		*checked = rules_run_end(run, dl);
	else if (t)
		*checked = rules_run_end_table(run, t, dl);
	rules_run_free(run);
	diag_sort(dl);
	return t;
}

/* Reads path in every way spmform does (from the file and from memory;
 * keeping the records and checking the table, checking as read,
 * keeping and checking as read) in blocks of each size of blocks[] (0:
 * the default): the same table (bytes written, every record's line),
 * the same records checked and the same messages, or the same failure.
 * Returns whether path could be read. */
static bool assert_read_alike_in(const char *path, const size_t *blocks, size_t nblocks)
{
	size_t len;
	char *data = read_file(path, &len);
	CsvSource src = {.path = path};
	DiagList want;
	size_t checked;
	Table *t1 = read_and_check(&src, CSV_KEEP, &want, &checked);
	size_t l1 = 0;
	char *s1 = NULL;
	if (t1) {
		DiagList ds;
		diag_init(&ds);
		s1 = csvio_serialize(t1, &l1, &ds);
		assert_non_null(s1);
		diag_free(&ds);
	}
	static const CsvMode modes[] = {CSV_KEEP, CSV_CHECK, CSV_KEEP_CHECK};
	for (size_t b = 0; b < nblocks; b++)
		for (int mem = 0; mem < 2; mem++)
			for (size_t m = 0; m < 3; m++) {
				CsvSource s2 = {.path = mem ? NULL : path, .data = data, .len = len,
						.block = blocks[b]};
				DiagList d2;
				size_t c2;
				Table *t2 = read_and_check(&s2, modes[m], &d2, &c2);
				assert_int_equal(!t1, !t2);
				assert_int_equal(checked, c2);
				assert_same_diags(&want, &d2);
				if (t1 && modes[m] != CSV_CHECK)
					assert_same_table(t1, s1, l1, t2);
				if (t2 && modes[m] == CSV_CHECK)
					assert_int_equal(table_nrecords(t2), 0);
				table_free(t2);
				diag_free(&d2);
			}
	bool readable = t1 != NULL;
	free(s1);
	table_free(t1);
	diag_free(&want);
	free(data);
	return readable;
}

/* assert_read_alike_in with blocks of 1 MiB, 64, 37 and 3 bytes (all of
 * 1 to 64 in make test-slow). */
static bool assert_read_alike(const char *path)
{
	static const size_t blocks[] = {0, 64, 37, 3};
	return assert_read_alike_in(path, blocks, sizeof blocks / sizeof *blocks);
}

/* A file of many records, each kind of line a file may have: quoted
 * cells with commas, quotes and line breaks (in a column the form does
 * not know), too many and too few cells, empty records and blank lines,
 * a layout row.  sep ends the lines. */
static char *varied_file(const char *sep)
{
	char *h = header_line();
	char *text = xasprintf("%s,附註%s", h, sep);
	free(h);
	for (size_t i = 0; i < 60; i++) {
		char *row = example_csv(i % 5);
		char *extra;
		switch (i % 6) {
		case 0:
			extra = xasprintf(",\"第一行%s第二行, \"\"引號\"\"\"", sep);
			break;
		case 1:
			extra = xstrdup(",多一欄,又一欄"); /* too many cells */
			break;
		case 2:
			extra = xasprintf(",\"%s%s\"%s,,,,%s", sep, sep, sep, sep); /* then an empty record */
			break;
		case 3:
			extra = xasprintf("%s", sep); /* a blank line follows */
			break;
		default:
			extra = xstrdup(",\"a,b\"");
		}
		char *next = i % 10 == 7 ? xasprintf("%s只有一格%s", text, sep) /* too few */
					 : xasprintf("%s%s%s%s", text, row, extra, sep);
		free(text);
		text = next;
		free(row);
		free(extra);
	}
	return text;
}

/* The varied file, with every line end, as UTF-8 with and without BOM
 * and as CP950, reads alike every way. */
static void test_every_way_of_reading_reads_alike(void **state)
{
	(void)state;
	static const char *const seps[] = {"\r\n", "\n", "\r"};
	char *path = xasprintf("%s/varied.csv", tmpdir);
	for (size_t k = 0; k < 3; k++) {
		char *text = varied_file(seps[k]);
		for (int variant = 0; variant < 3; variant++) {
			char *data = variant == 0   ? xasprintf("\xEF\xBB\xBF%s", text)
				     : variant == 1 ? xstrdup(text)
						    : cp950(text);
			write_file(path, data, strlen(data));
			assert_true(assert_read_alike(path));
			free(data);
		}
		free(text);
	}
	free(path);
}

/* A byte that is not UTF-8 is placed by its line and its byte in that
 * line, the BOM and the line's bytes in earlier blocks counted, whatever
 * the size of the blocks the file is read in. */
static void test_bad_byte_place_counts_earlier_blocks_and_bom(void **state)
{
	(void)state;
	char *h = header_line();
	size_t at = strlen(h) - 10; /* in the header, far past the first block */
	char *path = xasprintf("%s/bad-place.csv", tmpdir);
	for (int bom = 0; bom < 2; bom++)
		for (int line = 1; line <= 2; line++) {
			/* the header, or a second line as long, with 0xFF at byte at */
			char *bad = xasprintf("%.*s\xFF%s", (int)at, h, h + at);
			char *text = line == 1 ? xasprintf("%s%s\r\n", bom ? "\xEF\xBB\xBF" : "", bad)
					       : xasprintf("%s%s\r\n%s\r\n", bom ? "\xEF\xBB\xBF" : "", h, bad);
			write_file(path, text, strlen(text));
			char *want = xasprintf(
			    bom ? "第 %zu 個位元組 (0xFF) 不是有效的 UTF-8 (檔案開頭標示為 UTF-8)"
				: "第 %zu 個位元組 (0xFF) 不是有效的 UTF-8 (整個檔案也不是 CP950/Big5)",
			    at + 1 + (bom && line == 1 ? 3 : 0));
			for (size_t block = 0; block <= 64; block += 37) {
				DiagList dl;
				assert_null(read_with(path, false, block, &dl));
				assert_int_equal(dl.n, 1);
				assert_int_equal(dl.items[0].line, line);
				assert_string_equal(dl.items[0].msg, want);
				diag_free(&dl);
			}
			assert_false(assert_read_alike(path));
			free(want);
			free(text);
			free(bad);
		}
	free(path);
	free(h);
}

/* Lines of a file of 60 example records: lines[0] the header. */
#define TWIN_LINES 61
static char **twin_lines(void)
{
	char **lines = xcalloc(TWIN_LINES, sizeof *lines);
	lines[0] = header_line();
	for (size_t i = 1; i < TWIN_LINES; i++)
		lines[i] = example_csv(i % 5);
	return lines;
}

/* The lines joined by CRLF, each converted to CP950 when big5. */
static char *join_lines(char **lines, bool big5)
{
	char *text = xstrdup("");
	for (size_t i = 0; i < TWIN_LINES; i++) {
		char *l = big5 ? cp950(lines[i]) : xstrdup(lines[i]);
		char *next = xasprintf("%s%s\r\n", text, l);
		free(l);
		free(text);
		text = next;
	}
	return text;
}

/* Reads data from a file: the table (NULL if it failed), the messages in
 * *dl; every other way of reading it must agree. */
static Table *load_file(const char *data, size_t n, DiagList *dl)
{
	char *path = xasprintf("%s/twin.csv", tmpdir);
	write_file(path, data, n);
	Table *t = read_with(path, false, 0, dl);
	assert_int_equal(assert_read_alike(path), t != NULL);
	free(path);
	return t;
}

/* A CP950 file is parsed as it is, its cells converted as they are
 * copied.  It reads as its UTF-8 twin does, a code the table leaves to
 * iconv (0x80 alone) included; a quote out of place is placed as in the
 * twin (the line and the character); a byte that is not CP950 is named
 * with its line, its column of the record and what comes before it; and
 * so is a character cut off by the end of the file. */
static void test_cp950_reads_as_its_utf8_twin(void **state)
{
	(void)state;
	char **lines = twin_lines();
	/* a name with U+0080 in it: 0x80 alone in CP950 */
	char *name = strchr(lines[10], ',') + 1;
	char *l10 = xasprintf("%.*s\xC2\x80%s", (int)(name - lines[10]), lines[10], name);
	free(lines[10]);
	lines[10] = l10;
	char *utf8 = join_lines(lines, false), *big5 = join_lines(lines, true);
	DiagList d8, d950;
	Table *t8 = load_file(utf8, strlen(utf8), &d8), *t950 = load_file(big5, strlen(big5), &d950);
	assert_non_null(t8);
	assert_non_null(t950);
	assert_same_diags(&d8, &d950);
	assert_int_equal(table_nrecords(t8), table_nrecords(t950));
	for (size_t r = 0; r < table_nrecords(t8); r++)
		for (size_t f = 0; f < form_nfields(form); f++)
			assert_string_equal(table_record(t8, r)->cells[f], table_record(t950, r)->cells[f]);
	assert_non_null(strstr(cellv(t950, 9, "name"), "\xC2\x80"));
	assert_int_equal(table_format(t950).encoding, ENC_CP950);
	table_free(t8);
	table_free(t950);
	diag_free(&d8);
	diag_free(&d950);
	free(utf8);
	free(big5);

	/* a quote in the middle of line 41's second cell, after a character */
	char *l41 = lines[40];
	char *cell = strchr(l41, ',') + 1;
	char first[4] = {0}; /* the cell's first character */
	memcpy(first, cell, 3);
	lines[40] = xasprintf("%.*s%.3s\"%s", (int)(cell - l41), l41, cell, cell + 3);
	free(l41);
	utf8 = join_lines(lines, false);
	big5 = join_lines(lines, true);
	t8 = load_file(utf8, strlen(utf8), &d8);
	t950 = load_file(big5, strlen(big5), &d950);
	assert_null(t8);
	assert_null(t950);
	assert_int_equal(d950.n, 1);
	assert_int_equal(d950.items[0].line, 41);
	assert_true(d950.items[0].col > 0);
	assert_same_diags(&d8, &d950);
	diag_free(&d8);
	diag_free(&d950);
	free(utf8);

	/* 0xFF in line 41, in place of that quote: after the first character
	 * of the second cell */
	size_t line_start = 0;
	for (size_t i = 0, nl = 0; nl < 40; i++)
		if (big5[i] == '\n') {
			nl++;
			line_start = i + 1;
		}
	char *q = strchr(big5 + line_start, '"');
	*q = '\xFF';
	t950 = load_file(big5, strlen(big5), &d950);
	assert_null(t950);
	assert_int_equal(d950.n, 1);
	assert_int_equal(d950.items[0].line, 41);
	char *want = xasprintf("第 2 欄「%s」之後的位元組 0xFF 無法以 CP950/Big5 讀取 (整個檔案也不是 UTF-8)",
			       first);
	assert_string_equal(d950.items[0].msg, want);
	free(want);
	diag_free(&d950);
	free(big5);

	/* the lead byte of a character the end of the file cuts off */
	*strchr(lines[40], '"') = 'x';
	big5 = join_lines(lines, true);
	char *cut = xasprintf("%s\xA4", big5);
	t950 = load_file(cut, strlen(cut), &d950);
	assert_null(t950);
	assert_int_equal(d950.n, 1);
	assert_int_equal(d950.items[0].line, TWIN_LINES + 1);
	assert_string_equal(d950.items[0].msg,
			    "第 1 欄的位元組 0xA4 無法以 CP950/Big5 讀取 (整個檔案也不是 UTF-8)");
	diag_free(&d950);
	free(cut);
	free(big5);
	for (size_t i = 0; i < TWIN_LINES; i++)
		free(lines[i]);
	free(lines);
}

/* Checking a file as it is read sees the cells as the table would keep
 * them: trimmed, full-width digits and Y/N made the form's values (so
 * the second 系統A is the first one again), a value that is not one of
 * the field's an error. */
static void test_check_as_read_sees_normalised_cells(void **state)
{
	(void)state;
	char *text = file_text(
	    "　編號A　,\" 系統A \",行政,共用,自行委外,２．１６．８８６．１０１．２０００２,OO局,某某處,某某處,Y,n,ｙ,中,N,X公司,X公司,２４,符合,,,N\r\n"
	    "編號B,系統A,行政,共用,自行委外,2.16.886.101.20002,OO局,某某處,某某處,是,否,是,中,否,X公司,X公司,24,符合,,,無\r\n"
	    "編號C,系統C,行政,共用,自行委外,2.16.886.101.20002,OO局,某某處,某某處,X,否,是,中,否,X公司,X公司,24,符合,,,無\r\n");
	char *path = xasprintf("%s/normalised.csv", tmpdir);
	write_file(path, text, strlen(text));
	CsvSource src = {.path = path};
	DiagList dl;
	size_t checked;
	Table *t = read_and_check(&src, CSV_CHECK, &dl, &checked);
	assert_non_null(t);
	assert_int_equal(checked, 3);
	assert_int_equal(dl.n, 2);
	assert_int_equal(dl.items[0].line, 3); /* 系統A again, with the same OID */
	assert_int_equal(dl.items[0].level, DIAG_WARNING);
	assert_int_equal(dl.items[0].field, field_of(form, "name"));
	assert_int_equal(dl.items[1].line, 4);
	assert_int_equal(dl.items[1].level, DIAG_ERROR);
	assert_int_equal(dl.items[1].field, field_of(form, "onsite"));
	table_free(t);
	diag_free(&dl);
	assert_true(assert_read_alike(path));
	free(path);
	free(text);
}

/* A file that cannot be read, or not as UTF-8, wherever the problem is:
 * every way of reading says the same. */
static void test_broken_files_read_alike(void **state)
{
	(void)state;
	char *text = varied_file("\n");
	size_t n = strlen(text);
	char *path = xasprintf("%s/broken.csv", tmpdir);
	char *big5 = cp950(text);
	static const char *const bad[] = {"\xFF", "\x80", "x\"y", "\"", "\xA4", "\x87\x51"};
	for (size_t b = 0; b < sizeof bad / sizeof *bad; b++)
		for (int at = 1; at <= 4; at++) { /* a quarter of the way in, ..., at the end */
			for (int base = 0; base < 3; base++) {
				const char *src = base == 2 ? big5 : text;
				size_t len = base == 2 ? strlen(big5) : n;
				size_t cut = len * (size_t)at / 4;
				while (cut < len && src[cut] != ',')
					cut++; /* between cells */
				char *data = xasprintf("%s%.*s%s%s", base == 0 ? "\xEF\xBB\xBF" : "",
						       (int)cut, src, bad[b], src + cut);
				write_file(path, data, strlen(data));
				assert_read_alike(path);
				free(data);
			}
		}
	/* a NUL byte */
	char *data = xstrdup(text);
	data[n / 2] = '\0';
	write_file(path, data, n);
	assert_false(assert_read_alike(path));
	free(data);
	free(big5);
	free(path);
	free(text);
}

/* make test-slow: the varied and broken files of the tests above, in
 * blocks of every size from 1 to 64 bytes. */
static void test_every_block_size_reads_alike(void **state)
{
	(void)state;
	if (!getenv("SPMFORM_TEST_SLOW"))
		skip();
	size_t blocks[64];
	for (size_t i = 0; i < 64; i++)
		blocks[i] = i + 1;
	char *path = xasprintf("%s/every-block.csv", tmpdir);
	char *text = varied_file("\r\n");
	char *big5 = cp950(text);
	const char *variants[] = {text, big5};
	for (size_t v = 0; v < 2; v++)
		for (size_t cut = 0; cut <= 2; cut++) {
			/* whole, with 0xFF, with a stray quote halfway */
			size_t len = strlen(variants[v]), half = len / 2;
			char *data = cut == 0 ? xstrdup(variants[v])
					      : xasprintf("%.*s%s%s", (int)half, variants[v],
							  cut == 1 ? "\xFF" : "x\"y", variants[v] + half);
			write_file(path, data, strlen(data));
			assert_read_alike_in(path, blocks, 64);
			free(data);
		}
	free(big5);
	free(text);
	free(path);
}

/* The clerk stops a reading as it goes: it says that, and only that,
 * wherever it was stopped (in the header, or after warnings of its own). */
static int stop_after;
static bool stop_at_nth(size_t done, size_t total)
{
	(void)done;
	(void)total;
	return ++calls < stop_after;
}

static void test_stopped_reading_says_why(void **state)
{
	(void)state;
	char *text = varied_file("\n");
	char *path = xasprintf("%s/stop-varied.csv", tmpdir);
	write_file(path, text, strlen(text));
	for (stop_after = 1; stop_after <= 11; stop_after += 10) {
		calls = 0;
		progress_set(stop_at_nth, 0);
		DiagList dl;
		assert_null(read_with(path, false, 64, &dl));
		progress_set(NULL, 0);
		assert_int_equal(calls, stop_after);
		assert_int_equal(dl.n, 1);
		assert_string_equal(dl.items[0].msg, progress_stopped_msg);
		diag_free(&dl);
	}
	free(path);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_example_file_loads_with_record_lines),
	    cmocka_unit_test(test_written_file_is_read_back_to_the_same_bytes),
	    cmocka_unit_test(test_default_output_is_utf8_bom_crlf_official_headers),
	    cmocka_unit_test(test_bom_crlf_and_lf_variants_read_the_same),
	    cmocka_unit_test(test_quoted_fields_and_record_lines),
	    cmocka_unit_test(test_values_are_trimmed_and_normalised_on_read),
	    cmocka_unit_test(test_header_variants_and_column_order),
	    cmocka_unit_test(test_unknown_column_kept_missing_column_added),
	    cmocka_unit_test(test_header_matching_nothing_is_an_error_listing_expected),
	    cmocka_unit_test(test_too_many_and_too_few_cells),
	    cmocka_unit_test(test_all_empty_records_are_dropped),
	    cmocka_unit_test(test_stray_quote_is_reported_with_line_and_column),
	    cmocka_unit_test(test_unterminated_quote_reports_the_record_start),
	    cmocka_unit_test(test_cp950_is_detected_and_written_back_as_cp950),
	    cmocka_unit_test(test_big5_trail_bytes_backslash_and_bar_survive),
	    cmocka_unit_test(test_undecodable_bytes_name_line_and_byte),
	    cmocka_unit_test(test_duplicate_column_is_named_as_such),
	    cmocka_unit_test(test_cr_line_ends_count_lines),
	    cmocka_unit_test(test_utf16_is_named),
	    cmocka_unit_test(test_bom_with_invalid_utf8_is_reported),
	    cmocka_unit_test(test_nul_and_empty_files_are_refused),
	    cmocka_unit_test(test_a_text_with_nul_is_said_to_be_one),
	    cmocka_unit_test(test_bad_byte_after_bom_in_small_blocks),
	    cmocka_unit_test(test_header_only_file_has_no_records),
	    cmocka_unit_test(test_save_is_atomic_and_keeps_permissions),
	    cmocka_unit_test(test_unencodable_cp950_value_names_record_and_field_writes_nothing),
	    cmocka_unit_test(test_save_into_missing_folder_fails_cleanly),
	    cmocka_unit_test(test_failed_write_keeps_old_file_and_leaves_no_temp),
	    cmocka_unit_test(test_output_format_lf_no_bom_and_cp950_from_utf8),
	    cmocka_unit_test(test_repeated_cells_are_shared_but_edited_alone),
	    cmocka_unit_test(test_stream_eudc_at_block_edge),
	    cmocka_unit_test(test_progress_hook_stops_reading),
	    cmocka_unit_test(test_every_way_of_reading_reads_alike),
	    cmocka_unit_test(test_cp950_reads_as_its_utf8_twin),
	    cmocka_unit_test(test_bad_byte_place_counts_earlier_blocks_and_bom),
	    cmocka_unit_test(test_broken_files_read_alike),
	    cmocka_unit_test(test_check_as_read_sees_normalised_cells),
	    cmocka_unit_test(test_every_block_size_reads_alike),
	    cmocka_unit_test(test_stopped_reading_says_why),
	};
	return cmocka_run_group_tests_name("csvio", tests, setup, teardown) ? 1 : 0;
}
