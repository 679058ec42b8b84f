/* test_merge.c - the rules across records over several files (check
 * --across, merge) and merging tables (merge.h), through
 * forms/inventory.ini and forms/admin-account.ini. */
#include "csvio.h"
#include "merge.h"
#include "testutil.h"

static Form *form;

static int setup(void **state)
{
	(void)state;
	form = load_form_or_fail(INVENTORY);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	form_free(form);
	return 0;
}

/* A table of the example rows given by index (-1 ends), on lines 2, 3... */
static Table *rows(const int *which)
{
	Table *t = table_new(form);
	for (long k = 0; which[k] >= 0; k++)
		add_row(t, EXAMPLE_ROWS[which[k]], 2 + k);
	return t;
}

/* The diag of dl on field id (any level) whose message has text, or NULL. */
static const Diag *find(const DiagList *dl, const char *id, const char *text)
{
	long f = id ? form_field_index(form, id) : -1;
	for (size_t i = 0; i < dl->n; i++)
		if (dl->items[i].field == f && strstr(dl->items[i].msg, text))
			return &dl->items[i];
	return NULL;
}

/* Every record of the tables in one table (the merge's), with origin. */
typedef struct {
	Table *all;
	size_t file[16];
	long record[16];
	RulesOrigin origin;
} Gathered;

static void gather(Gathered *g, Table *const *t, size_t n, const char *const *names)
{
	g->all = table_new(form);
	for (size_t i = 0; i < n; i++)
		for (size_t r = 0; r < table_nrecords(t[i]); r++) {
			size_t k = table_nrecords(g->all);
			table_insert_record(g->all, k, &(RecordCopy){table_record(t[i], r)->cells,
								 form_nfields(form), NULL, 0,
								 table_record_c(t[i], r)->line});
			g->file[k] = i;
			g->record[k] = (long)r;
		}
	g->origin = (RulesOrigin){names, g->file, g->record};
}

/* R14 across files: a system entered in a.csv (record 1, line 2) and
 * again in b.csv is reported in b.csv, at its own number and line, naming
 * a.csv's record and line. */
static void test_r14_repeated_in_another_file_names_the_first(void **state)
{
	(void)state;
	Table *t[2] = {rows((int[]){0, 1, -1}), rows((int[]){2, 0, -1})};
	const char *names[] = {"a.csv", "b.csv"};
	Gathered g;
	gather(&g, t, 2, names);
	DiagList a, b;
	diag_init(&a);
	diag_init(&b);
	rules_check_across_files(g.all, &g.origin, (DiagList *[]){&a, &b});
	assert_int_equal(a.n, 0);
	const Diag *d = find(&b, "name", "與「a.csv」第 1 筆 (第 2 行)的系統名稱及系統主管機關OID相同");
	assert_non_null(d);
	assert_int_equal(d->record, 1);
	assert_int_equal(d->line, 3);
	assert_int_equal(d->level, DIAG_WARNING);
	d = find(&b, "asset_id", "與「a.csv」第 1 筆 (第 2 行)重複");
	assert_non_null(d);
	assert_int_equal(d->record, 1);
	assert_int_equal(b.n, 2);
	diag_free(&a);
	diag_free(&b);
	table_free(g.all);
	table_free(t[0]);
	table_free(t[1]);
}

/* Within one file of several, a repeat reads as check says it of that
 * file alone: no file named, its own record numbers. */
static void test_repeat_within_a_file_reads_as_check_says_it(void **state)
{
	(void)state;
	Table *t[2] = {rows((int[]){1, -1}), rows((int[]){2, 3, 3, -1})};
	const char *names[] = {"a.csv", "b.csv"};
	Gathered g;
	gather(&g, t, 2, names);
	DiagList a, b, alone;
	diag_init(&a);
	diag_init(&b);
	diag_init(&alone);
	rules_check_across_files(g.all, &g.origin, (DiagList *[]){&a, &b});
	rules_check_across(t[1], &alone);
	assert_int_equal(a.n, 0);
	assert_int_equal(b.n, alone.n);
	assert_true(alone.n > 0);
	for (size_t i = 0; i < b.n; i++) {
		assert_string_equal(b.items[i].msg, alone.items[i].msg);
		assert_int_equal(b.items[i].record, alone.items[i].record);
		assert_int_equal(b.items[i].line, alone.items[i].line);
	}
	diag_free(&a);
	diag_free(&b);
	diag_free(&alone);
	table_free(g.all);
	table_free(t[0]);
	table_free(t[1]);
}

/* check --across: runs of each file, joined, find what the tables
 * gathered find (each record's own problems too, in its file). */
static void test_joined_runs_find_what_the_gathered_tables_find(void **state)
{
	(void)state;
	Table *t[3] = {rows((int[]){0, 1, -1}), rows((int[]){3, -1}), rows((int[]){1, 3, 4, -1})};
	put(t[1], 0, "max_downtime", "24小時"); /* an error of the record alone */
	const char *names[] = {"a.csv", "b.csv", "c.xlsx"};
	Gathered g;
	gather(&g, t, 3, names);
	DiagList want[3], got[3];
	for (int i = 0; i < 3; i++) {
		diag_init(&want[i]);
		diag_init(&got[i]);
		for (size_t r = 0; r < table_nrecords(t[i]); r++) {
			const Record *rec = table_record_c(t[i], r);
			rules_check_record(form, rec->cells, rec->line, (long)r, &want[i]);
		}
	}
	rules_check_across_files(g.all, &g.origin, (DiagList *[]){&want[0], &want[1], &want[2]});
	assert_non_null(find(&want[1], "max_downtime", "不是整數"));
	assert_non_null(find(&want[2], "name", "與「a.csv」第 2 筆 (第 3 行)"));
	assert_non_null(find(&want[2], "name", "與「b.csv」第 1 筆 (第 2 行)"));
	RulesRun *all = NULL;
	for (int i = 0; i < 3; i++) {
		RulesRun *run = rules_run_new(form);
		for (size_t r = 0; r < table_nrecords(t[i]); r++)
			rules_run_record(run, table_record_c(t[i], r)->cells, table_record_c(t[i], r)->line);
		if (all)
			rules_run_join(all, run);
		else
			all = run;
	}
	assert_int_equal(rules_run_end_files(all, &g.origin, (DiagList *[]){&got[0], &got[1], &got[2]}),
			 6);
	rules_run_free(all);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(got[i].n, want[i].n);
		for (size_t k = 0; k < got[i].n; k++) {
			assert_string_equal(got[i].items[k].msg, want[i].items[k].msg);
			assert_int_equal(got[i].items[k].record, want[i].items[k].record);
			assert_int_equal(got[i].items[k].line, want[i].items[k].line);
		}
		diag_free(&got[i]);
		diag_free(&want[i]);
		table_free(t[i]);
	}
	table_free(g.all);
}

/* The count rule (administrators: at most two 新增 per agency OID) counts
 * the records of every file together. */
static void test_count_rule_counts_across_files(void **state)
{
	(void)state;
	Form *admin = load_form_or_fail("forms/admin-account.ini");
	const char *csv = "序號,申請項目,機關OID,機關名稱,單位,姓名,職稱,管考系統帳號名稱,公務信箱,公務電話\n"
			  "1,1,2.16.886.101.20002,OO局,資訊室,王一,科員,a1,a1@ey.gov.tw,02-33568170\n"
			  "2,1,2.16.886.101.20002,OO局,資訊室,王二,科員,a2,a2@ey.gov.tw,02-33568170\n";
	const char *csv2 = "序號,申請項目,機關OID,機關名稱,單位,姓名,職稱,管考系統帳號名稱,公務信箱,公務電話\n"
			   "1,1,2.16.886.101.20002,OO局,人事室,王三,科員,a3,a3@ey.gov.tw,02-33568170\n";
	FileFormat fmt = {ENC_UTF8, true, true};
	DiagList read;
	diag_init(&read);
	Table *t[2] = {csvio_load_mem(csv, strlen(csv), admin, fmt, &read),
		       csvio_load_mem(csv2, strlen(csv2), admin, fmt, &read)};
	assert_non_null(t[0]);
	assert_non_null(t[1]);
	DiagList a, b;
	diag_init(&a);
	diag_init(&b);
	for (int i = 0; i < 2; i++) { /* each file alone: within the limit */
		DiagList dl;
		diag_init(&dl);
		rules_check_across(t[i], &dl);
		assert_int_equal(dl.n, 0);
		diag_free(&dl);
	}
	Merged m;
	merge_tables(t, (const char *const[]){"u1.csv", "u2.csv"}, 2, &(MergeOptions){0}, fmt,
		     (DiagList *[]){&a, &b}, &m);
	assert_int_equal(a.n, 0);
	assert_int_equal(b.n, 1);
	assert_non_null(strstr(b.items[0].msg, "已有 3 筆新增"));
	assert_int_equal(b.items[0].record, 0);
	assert_int_equal(b.items[0].line, 2);
	merge_free(&m);
	diag_free(&a);
	diag_free(&b);
	diag_free(&read);
	form_free(admin);
}

/* A table read from CSV text (header of the form, then the example rows
 * given), with the extra columns and values given after each row. */
static Table *csv_table(const char *extra_header, const int *which, const char *const *extra)
{
	char *text = xstrdup("");
	for (size_t f = 0; f < form_nfields(form); f++) {
		char *h = form_field(form, f)->header;
		char *q = strchr(h, ',') ? xasprintf("\"%s\"", h) : xstrdup(h);
		char *t = xasprintf("%s%s%s", text, f ? "," : "", q);
		free(q);
		free(text);
		text = t;
	}
	char *t = xasprintf("%s%s%s\n", text, extra_header ? "," : "", extra_header ? extra_header : "");
	free(text);
	text = t;
	for (size_t k = 0; which[k] >= 0; k++) {
		char *row = xstrdup(EXAMPLE_ROWS[which[k]]);
		for (char *p = row; *p; p++)
			if (*p == '\t')
				*p = ',';
		t = xasprintf("%s%s%s%s\n", text, row, extra ? "," : "", extra ? extra[k] : "");
		free(row);
		free(text);
		text = t;
	}
	DiagList dl;
	diag_init(&dl);
	Table *tab = csvio_load_mem(text, strlen(text), form, (FileFormat){ENC_UTF8, true, true}, &dl);
	assert_non_null(tab);
	diag_free(&dl);
	free(text);
	return tab;
}

static const char *cell(const Table *t, size_t rec, const char *header)
{
	for (size_t c = 0; c < table_ncols(t); c++)
		if (strcmp(table_col_header(t, c), header) == 0)
			return table_record_c(t, rec)->cells[c];
	fail_msg("no column %s", header);
	return NULL;
}

/* Records keep their order, file by file; the unknown columns are the
 * union in order of first appearance; empty records are dropped; each
 * record knows its file and number there. */
static void test_merge_keeps_order_and_the_union_of_columns(void **state)
{
	(void)state;
	Table *in[3] = {csv_table("聯絡人", (int[]){0, 1, -1}, (const char *[]){"王", "李"}),
			csv_table("分機,聯絡人", (int[]){2, -1}, (const char *[]){"12,陳"}),
			csv_table(NULL, (int[]){3, -1}, NULL)};
	table_append(in[2], 9); /* an empty record: not merged */
	DiagList dl[3];
	for (int i = 0; i < 3; i++)
		diag_init(&dl[i]);
	Merged m;
	merge_tables(in, (const char *const[]){"a.csv", "b.csv", "c.csv"}, 3, &(MergeOptions){0},
		     (FileFormat){ENC_UTF8, false, false}, (DiagList *[]){&dl[0], &dl[1], &dl[2]}, &m);
	size_t nf = form_nfields(form);
	assert_int_equal(table_ncols(m.table), nf + 2);
	assert_string_equal(table_col_header(m.table, nf), "聯絡人");
	assert_string_equal(table_col_header(m.table, nf + 1), "分機");
	assert_int_equal(table_nrecords(m.table), 4);
	const char *names[] = {"系統A", "系統B", "系統C", "郵件伺服器"};
	size_t file[] = {0, 0, 1, 2};
	long rec[] = {0, 1, 0, 0};
	for (size_t r = 0; r < 4; r++) {
		assert_string_equal(cell(m.table, r, "系統名稱(必填)"), names[r]);
		assert_int_equal(m.file[r], file[r]);
		assert_int_equal(m.record[r], rec[r]);
	}
	assert_string_equal(cell(m.table, 1, "聯絡人"), "李");
	assert_string_equal(cell(m.table, 2, "聯絡人"), "陳");
	assert_string_equal(cell(m.table, 2, "分機"), "12");
	assert_string_equal(cell(m.table, 3, "分機"), "");
	assert_false(table_format(m.table).bom);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(dl[i].n, 0);
		diag_free(&dl[i]);
	}
	merge_free(&m);
}

/* --source-column: each record's input, or its label; an input that has
 * the column keeps its values, and only its empty cells get the label. */
static void test_source_column_names_each_input(void **state)
{
	(void)state;
	Table *in[3] = {csv_table(NULL, (int[]){0, -1}, NULL),
			csv_table("填報單位", (int[]){1, 2, -1}, (const char *[]){"人事室", ""}),
			csv_table(NULL, (int[]){3, -1}, NULL)};
	DiagList dl[3];
	for (int i = 0; i < 3; i++)
		diag_init(&dl[i]);
	Merged m;
	const char *labels[] = {NULL, "資訊室", "主計室"};
	merge_tables(in, (const char *const[]){"units/a.csv", "b.csv", "c.xlsx"}, 3,
		     &(MergeOptions){"填報單位", labels, false}, (FileFormat){ENC_UTF8, true, true},
		     (DiagList *[]){&dl[0], &dl[1], &dl[2]}, &m);
	assert_int_equal(table_ncols(m.table), form_nfields(form) + 1);
	assert_string_equal(cell(m.table, 0, "填報單位"), "units/a.csv");
	assert_string_equal(cell(m.table, 1, "填報單位"), "人事室");
	assert_string_equal(cell(m.table, 2, "填報單位"), "資訊室");
	assert_string_equal(cell(m.table, 3, "填報單位"), "主計室");
	for (int i = 0; i < 3; i++)
		diag_free(&dl[i]);
	merge_free(&m);
}

/* --dedupe drops a record every cell of which equals an earlier one's
 * (the source column aside), says so at its place, and counts it; a
 * record that only shares the key stays, reported by R14. */
static void test_dedupe_drops_exact_copies_only(void **state)
{
	(void)state;
	Table *in[2] = {csv_table(NULL, (int[]){0, 1, -1}, NULL), csv_table(NULL, (int[]){0, 1, 2, -1}, NULL)};
	put(in[1], 1, "remarks", "改了備註"); /* 系統B again, one cell different */
	DiagList a, b;
	diag_init(&a);
	diag_init(&b);
	Merged m;
	merge_tables(in, (const char *const[]){"a.csv", "b.csv"}, 2,
		     &(MergeOptions){"填報單位", NULL, true}, (FileFormat){ENC_UTF8, true, true},
		     (DiagList *[]){&a, &b}, &m);
	assert_int_equal(m.dropped, 1);
	assert_int_equal(table_nrecords(m.table), 4);
	assert_string_equal(cell(m.table, 2, "備註"), "改了備註");
	assert_int_equal(m.file[3], 1);
	assert_int_equal(m.record[3], 2);
	const Diag *d = find(&b, NULL, "與「a.csv」第 1 筆 (第 2 行)完全相同，已略去 (--dedupe)");
	assert_non_null(d);
	assert_int_equal(d->record, 0);
	assert_int_equal(d->line, 2);
	d = find(&b, "name", "與「a.csv」第 2 筆 (第 3 行)的系統名稱及系統主管機關OID相同");
	assert_non_null(d);
	assert_int_equal(d->record, 1);
	assert_int_equal(b.n, 3); /* the drop, and R14's two warnings on the kept 系統B */
	assert_int_equal(a.n, 0);
	diag_free(&a);
	diag_free(&b);
	merge_free(&m);
}

/* Without --dedupe nothing is dropped: the copy stays, reported. */
static void test_without_dedupe_copies_stay(void **state)
{
	(void)state;
	Table *in[2] = {csv_table(NULL, (int[]){0, -1}, NULL), csv_table(NULL, (int[]){0, -1}, NULL)};
	DiagList a, b;
	diag_init(&a);
	diag_init(&b);
	Merged m;
	merge_tables(in, (const char *const[]){"a.csv", "b.csv"}, 2, &(MergeOptions){0},
		     (FileFormat){ENC_UTF8, true, true}, (DiagList *[]){&a, &b}, &m);
	assert_int_equal(m.dropped, 0);
	assert_int_equal(table_nrecords(m.table), 2);
	assert_non_null(find(&b, "name", "與「a.csv」第 1 筆 (第 2 行)"));
	diag_free(&a);
	diag_free(&b);
	merge_free(&m);
}

static void test_source_label_names_an_input(void **state)
{
	(void)state;
	char *names[] = {"a.csv", "dir/a=b.csv"};
	const char *labels[2] = {NULL, NULL};
	assert_true(merge_label("dir/a=b.csv=人事室", names, 2, labels));
	assert_string_equal(labels[1], "人事室");
	assert_true(merge_label("a.csv=", names, 2, labels));
	assert_string_equal(labels[0], "");
	assert_false(merge_label("b.csv=x", names, 2, labels));
	assert_false(merge_label("a.csv", names, 2, labels));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_r14_repeated_in_another_file_names_the_first),
	    cmocka_unit_test(test_repeat_within_a_file_reads_as_check_says_it),
	    cmocka_unit_test(test_joined_runs_find_what_the_gathered_tables_find),
	    cmocka_unit_test(test_count_rule_counts_across_files),
	    cmocka_unit_test(test_merge_keeps_order_and_the_union_of_columns),
	    cmocka_unit_test(test_source_column_names_each_input),
	    cmocka_unit_test(test_dedupe_drops_exact_copies_only),
	    cmocka_unit_test(test_without_dedupe_copies_stay),
	    cmocka_unit_test(test_source_label_names_an_input),
	};
	return cmocka_run_group_tests(tests, setup, teardown) ? 1 : 0;
}
