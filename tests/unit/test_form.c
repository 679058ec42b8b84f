/* test_form.c - the form model: forms/inventory.ini as loaded, behaviour that
 * follows a modified copy of the file, and broken form files reported with
 * their line, never a crash. */
#include <unistd.h>

#include "mem.h"
#include "testutil.h"

static char tmpdir[] = "/tmp/spmform-form-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return remove_tree(tmpdir);
}

static char *inventory_text(void)
{
	size_t n;
	char *s = read_file(INVENTORY, &n);
	assert_non_null(s);
	return s;
}

/* Replaces the first occurrence of from in *s by to. */
static void replace(char **s, const char *from, const char *to)
{
	char *at = strstr(*s, from);
	assert_non_null(at);
	char *r = xasprintf("%.*s%s%s", (int)(at - *s), *s, to, at + strlen(from));
	free(*s);
	*s = r;
}

static char *write_tmp(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	write_file(path, text, strlen(text));
	return path;
}

/* Loads text as a form; returns it, the diags in *dl. */
static Form *load_text(const char *text, DiagList *dl)
{
	char *path = write_tmp("form.ini", text);
	diag_init(dl);
	Form *f = form_load(path, dl);
	free(path);
	return f;
}

/* Line (1-based) of the first line of text containing needle. */
static long line_of(const char *text, const char *needle)
{
	const char *at = strstr(text, needle);
	assert_non_null(at);
	long line = 1;
	for (const char *p = text; p < at; p++)
		line += *p == '\n';
	return line;
}

/* Asserts that loading text fails with an error on line of needle whose
 * message contains what. */
static void expect_error(const char *text, const char *needle, const char *what)
{
	DiagList dl;
	Form *f = load_text(text, &dl);
	assert_null(f);
	long line = line_of(text, needle);
	bool found = false;
	for (size_t i = 0; i < dl.n && !found; i++)
		found = dl.items[i].level == DIAG_ERROR && dl.items[i].line == line &&
			strstr(dl.items[i].msg, what);
	if (!found) {
		fprintf(stderr, "wanted line %ld: %s\n", line, what);
		dump_diags(&dl);
	}
	assert_true(found);
	diag_free(&dl);
}

static void test_inventory_has_21_columns_in_template_order(void **state)
{
	(void)state;
	Form *f = load_form_or_fail(INVENTORY);
	assert_int_equal(form_nfields(f), 21);
	assert_string_equal(form_title(f), "資通系統盤點清冊");
	assert_string_equal(form_field(f, 0)->header, "資產編號");
	assert_string_equal(form_field(f, 16)->header, "最大可容忍中斷時間(小時, 數字)(必填)");
	assert_int_equal(form_field(f, 16)->kind, KIND_INTEGER);
	/* column 19 keeps the template's own spelling; the label is corrected */
	assert_string_equal(form_field(f, 18)->header, "不否符合防護基準說明");
	assert_string_equal(form_field(f, 18)->label, "不符合防護基準說明");
	assert_string_equal(form_field(f, 20)->header, "本資產是否含有大陸元件(Y/N)(必填)");
	const FormField *build = form_field(f, 4);
	assert_int_equal(build->kind, KIND_CHOICE);
	assert_int_equal(build->nvalues, 6);
	assert_string_equal(build->values[0], "自行委外");
	assert_string_equal(build->values[4], "主管/上級機關提供");
	assert_string_equal(build->values[5], "其他");
	assert_true(form_field(f, 1)->required);
	assert_false(form_field(f, 0)->required);
	assert_int_equal(form_field(f, 5)->kind, KIND_OID);
	assert_true(strlen(form_field(f, 3)->help) > 0);
	form_free(f);
}

/* A choice is found by its index whether it is the form's own string (as
 * a table keeps it), a copy, or a piece of a cell; a pointer inside one of
 * the form's strings is not that value. */
static void test_value_index_of_own_strings_copies_and_pieces(void **state)
{
	(void)state;
	Form *f = load_form_or_fail(INVENTORY);
	for (size_t c = 0; c < form_nfields(f); c++) {
		const FormField *ff = form_field(f, c);
		for (size_t i = 0; i < ff->nvalues; i++) {
			const char *own = ff->values[i];
			assert_int_equal(form_value_index(ff, own), (long)i);
			char *copy = xstrdup(own);
			assert_int_equal(form_value_index(ff, copy), (long)i);
			free(copy);
			char *cell = xasprintf("x%sy", own);
			assert_int_equal(form_value_find(ff, cell + 1, strlen(own)), (long)i);
			assert_int_equal(form_value_find(ff, cell + 1, strlen(own) + 1), -1);
			free(cell);
			/* a pointer inside the string (past its index too) is
			 * found only when the rest equals a value, as 部分符合's
			 * tail 符合 does */
			for (size_t k = 1; k < strlen(own); k++) {
				long want = -1;
				for (size_t j = 0; j < ff->nvalues && want < 0; j++)
					if (strcmp(ff->values[j], own + k) == 0)
						want = (long)j;
				assert_int_equal(form_value_index(ff, own + k), want);
			}
		}
		assert_int_equal(form_value_index(ff, ""), -1);
	}
	const FormField *comp = form_field(f, 17);
	assert_int_equal(form_value_index(comp, comp->values[1] + strlen("部分")), 0);
	form_free(f);
}

/* form_value_find as the plain search it stands for. */
static long find_naive(const FormField *f, const char *s, size_t n)
{
	for (size_t i = 0; i < f->nvalues; i++)
		if (f->value_lens[i] == n && memcmp(f->values[i], s, n) == 0)
			return (long)i;
	return -1;
}

/* Cells near each value (one byte changed, one more or fewer, pieces of
 * two values) and random ones are found as the plain search finds them. */
static void assert_find_agrees(const FormField *f, unsigned *seed)
{
	char buf[64];
	for (int round = 0; round < 20000; round++) {
		size_t n;
		if (f->nvalues && round % 4 != 3) {
			const char *v = f->values[(size_t)rand_r(seed) % f->nvalues];
			n = strlen(v);
			memcpy(buf, v, n);
			switch (rand_r(seed) % 4) {
			case 0: /* unchanged */
				break;
			case 1: /* one byte changed */
				if (n)
					buf[(size_t)rand_r(seed) % n] ^= (char)(1 + rand_r(seed) % 255);
				break;
			case 2: /* one byte fewer or more */
				if (n && rand_r(seed) % 2)
					n--;
				else
					buf[n++] = (char)(rand_r(seed) % 256);
				break;
			default: { /* the start of this one, the end of another */
				const char *w = f->values[(size_t)rand_r(seed) % f->nvalues];
				size_t cut = n ? (size_t)rand_r(seed) % n : 0, wn = strlen(w);
				size_t from = wn ? (size_t)rand_r(seed) % wn : 0;
				memcpy(buf + cut, w + from, wn - from);
				n = cut + wn - from;
			}
			}
		} else {
			n = (size_t)rand_r(seed) % 30;
			for (size_t i = 0; i < n; i++)
				buf[i] = (char)(rand_r(seed) % 256);
		}
		assert_true(n < sizeof buf);
		if (form_value_find(f, buf, n) != find_naive(f, buf, n)) {
			fprintf(stderr, "field %s: %zu bytes \"%.*s\"\n", f->id, n, (int)n, buf);
			fail();
		}
	}
}

static void test_value_find_agrees_with_plain_search(void **state)
{
	(void)state;
	unsigned seed = 2026;
	const char *forms[] = {INVENTORY, "forms/admin-account.ini"};
	for (size_t k = 0; k < 2; k++) {
		Form *f = load_form_or_fail(forms[k]);
		for (size_t c = 0; c < form_nfields(f); c++)
			assert_find_agrees(form_field(f, c), &seed);
		form_free(f);
	}
	/* long values alike but for their middles or their ends, many values
	 * (compared one by one), short values */
	char *text = inventory_text();
	char *many = xstrdup("values   = ");
	for (int i = 0; i < 70; i++) {
		char *m = xasprintf("%s%s選項%02d", many, i ? "|" : "", i);
		free(many);
		many = m;
	}
	static const struct {
		const char *values;
		bool table; /* form_value_find has its table */
	} cases[] = {
	    {"values   = 甲乙乙乙乙乙乙乙丙|丁乙乙乙乙乙乙乙丙|甲乙乙乙乙乙乙乙丁|甲乙乙乙乙乙乙乙", true},
	    {"values   = 甲甲甲甲乙丙丙丙丙|甲甲甲甲丁丙丙丙丙", false}, /* hashed alike */
	    {NULL, false},					      /* many */
	    {"values   = a|b|c|ab|abc|abcd|abcde|abcdefgh|abcdefghi", true},
	};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		char *t = xstrdup(text);
		replace(&t, "values   = 行政|業務", cases[k].values ? cases[k].values : many);
		replace(&t, "values = 行政|業務", "values = 甲");
		DiagList dl;
		Form *f = load_text(t, &dl);
		if (!f)
			dump_diags(&dl);
		assert_non_null(f);
		const FormField *attr = form_field(f, 2);
		assert_int_equal(attr->value_slot != NULL, cases[k].table);
		assert_find_agrees(attr, &seed);
		form_free(f);
		diag_free(&dl);
		free(t);
	}
	free(many);
	free(text);
}

static void test_header_matching_is_tolerant(void **state)
{
	(void)state;
	Form *f = load_form_or_fail(INVENTORY);
	static const struct {
		const char *title;
		long field;
	} cases[] = {
	    {"核心系統(Y/N)(必填) 註：機關之核心系統以應用系統為主", 10},
	    {"核心系統(Y/N)(必填)\n註：機關之核心系統以應用系統為主", 10},
	    {"核心系統（Y/N）（必填）", 10},
	    {" 系統名稱 (必填) ", 1},
	    {"不符合防護基準說明", 18},
	    {"不否符合防護基準說明 註：「是否符合防護基準」為「部分符合」及「不符合」則為必填", 18},
	    {"最大可容忍中斷時間(小時，數字)(必填)", 16},
	    {"最大可容忍中段時間(小時，數字)(必填)", 16}, /* the instructions sheet's typo */
	    {"系統名稱", 1},                               /* without (必填) */
	    {"建置廠商註：「系統建置方式」為「主管/上級機關提供」得免填", 14},
	    {"維運廠商", 15},
	    {"備註", 19},
	    {"備註說明", -1}, /* 註 without a colon is not a note */
	    {"聯絡人", -1},
	    {"", -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		long got = form_match_header(f, cases[i].title, NULL);
		if (got != cases[i].field)
			fprintf(stderr, "title [%s]: got %ld\n", cases[i].title, got);
		assert_int_equal(got, cases[i].field);
	}
	bool taken[21] = {0};
	taken[1] = true;
	assert_int_equal(form_match_header(f, "系統名稱(必填)", taken), -1);
	form_free(f);
}

/* --- behaviour follows the file ------------------------------------------- */

static void test_renamed_value_follows_the_file(void **state)
{
	(void)state;
	char *text = inventory_text();
	replace(&text, "values   = 行政|業務", "values   = 行政類|業務類");
	DiagList dl;
	Form *f = load_text(text, &dl);
	dump_diags(&dl);
	assert_non_null(f);
	Table *t = table_new(f);
	add_row(t, EXAMPLE_ROWS[0], 2); /* 行政 */
	DiagList d = check_rec(t, 0);
	assert_string_equal(diag_on(&d, f, "attribute", DIAG_ERROR),
			    "「行政」不是可填的值，可填的值為行政類、業務類");
	diag_free(&d);
	put(t, 0, "attribute", "行政類");
	d = check_rec(t, 0);
	assert_int_equal(d.n, 0);
	diag_free(&d);
	table_free(t);
	form_free(f);
	diag_free(&dl);
	free(text);
}

static void test_extra_column_follows_the_file(void **state)
{
	(void)state;
	char *text = inventory_text();
	replace(&text, "; ---- rules between fields",
		"[field.contact]\nheader = 聯絡人(必填)\nlabel = 聯絡人\nkind = text\n"
		"required = yes\n\n; ---- rules between fields");
	DiagList dl;
	Form *f = load_text(text, &dl);
	dump_diags(&dl);
	assert_non_null(f);
	assert_int_equal(form_nfields(f), 22);
	assert_string_equal(form_field(f, 21)->header, "聯絡人(必填)");
	assert_int_equal(form_match_header(f, "聯絡人", NULL), 21);
	Table *t = table_new(f);
	add_row(t, EXAMPLE_ROWS[0], 2); /* 21 cells: the new one stays empty */
	DiagList d = check_rec(t, 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(diag_on(&d, f, "contact", DIAG_ERROR), "必填");
	diag_free(&d);
	table_free(t);
	form_free(f);
	diag_free(&dl);
	free(text);
}

static void test_changed_condition_follows_the_file(void **state)
{
	(void)state;
	char *text = inventory_text();
	/* R7 narrowed: only 套裝軟體 forces 其他 (and the graded levels rule
	 * no longer covers 主管/上級機關提供 either) */
	replace(&text, "when   = build = 主管/上級機關提供|套裝軟體", "when   = build = 套裝軟體");
	replace(&text, "when   = build != 主管/上級機關提供|套裝軟體",
		"when   = build != 套裝軟體|主管/上級機關提供|其他");
	DiagList dl;
	Form *f = load_text(text, &dl);
	dump_diags(&dl);
	assert_non_null(f);
	Table *t = table_new(f);
	add_row(t, EXAMPLE_ROWS[2], 2); /* 主管/上級機關提供 + 其他 + 不適用 */
	put(t, 0, "level", "中");
	put(t, 0, "compliance", "符合");
	DiagList d = check_rec(t, 0);
	assert_int_equal(d.n, 0); /* an error with the official form */
	diag_free(&d);
	table_free(t);
	form_free(f);
	diag_free(&dl);
	free(text);

	/* the same record against the official form */
	f = load_form_or_fail(INVENTORY);
	t = table_new(f);
	add_row(t, EXAMPLE_ROWS[2], 2);
	put(t, 0, "level", "中");
	put(t, 0, "compliance", "符合");
	d = check_rec(t, 0);
	assert_non_null(diag_on(&d, f, "level", DIAG_ERROR));
	diag_free(&d);
	table_free(t);
	form_free(f);
}

static void test_changed_aliases_follow_the_file(void **state)
{
	(void)state;
	char *text = inventory_text();
	replace(&text, "aliases  = Y:有|N:無|YES:有|NO:無", "aliases  = 1:有|0:無");
	DiagList dl;
	Form *f = load_text(text, &dl);
	assert_non_null(f);
	const FormField *cp = form_field(f, 20);
	char *v = form_normalize(cp, "1");
	assert_string_equal(v, "有");
	free(v);
	v = form_normalize(cp, "Y"); /* no longer an alias: kept, and an error */
	assert_string_equal(v, "Y");
	free(v);
	form_free(f);
	diag_free(&dl);
	free(text);
}

/* --- broken form files ------------------------------------------------------ */

static void test_rule_naming_unknown_field_is_reported_with_line(void **state)
{
	(void)state;
	char *text = inventory_text();
	replace(&text, "fields = isms|builder|operator", "fields = isms|bulider|operator");
	expect_error(text, "fields = isms|bulider", "不存在的欄位「bulider」");
	free(text);
}

static void test_rule_naming_unknown_value_is_reported_with_line(void **state)
{
	(void)state;
	char *text = inventory_text();
	replace(&text, "values = 符合|部分符合|不符合\n", "values = 符合|部份符合|不符合\n");
	expect_error(text, "values = 符合|部份符合", "「部份符合」不是欄位 compliance 的選項");
	free(text);
	text = inventory_text();
	replace(&text, "when   = level = 其他", "when   = level = 另外");
	expect_error(text, "when   = level = 另外", "「另外」不是欄位 level 的選項");
	free(text);
	text = inventory_text();
	replace(&text, "when   = level = 其他", "when   = levle = 其他");
	expect_error(text, "when   = levle = 其他", "不存在的欄位「levle」");
	free(text);
}

/* The examples sheet: its file is taken beside the form file, and the two
 * keys come together. */
static void test_examples_file_is_found_beside_the_form(void **state)
{
	(void)state;
	Form *f = load_form_or_fail(INVENTORY);
	const char *sheet, *path = form_examples(f, &sheet);
	assert_string_equal(sheet, "範例");
	assert_string_equal(path, "forms/examples/inventory.csv");
	form_free(f);
	char *text = inventory_text();
	replace(&text, "examples       = examples/inventory.csv\n", "");
	expect_error(text, "examples_sheet = 範例", "examples_sheet 需要 examples");
	free(text);
	text = inventory_text();
	replace(&text, "examples_sheet = 範例\n", "");
	expect_error(text, "examples       = examples", "examples 需要 examples_sheet");
	free(text);
	text = inventory_text();
	replace(&text, "examples       = examples/inventory.csv", "examples = /abs/ex.csv");
	DiagList dl;
	f = load_text(text, &dl);
	assert_non_null(f);
	assert_string_equal(form_examples(f, &sheet), "/abs/ex.csv");
	form_free(f);
	diag_free(&dl);
	free(text);
}

static void test_duplicate_key_is_reported(void **state)
{
	(void)state;
	char *text = inventory_text();
	replace(&text, "label    = 系統屬性\n", "label    = 系統屬性\nLABEL = 屬性\n");
	expect_error(text, "LABEL = 屬性", "重複");
	free(text);
}

static void test_duplicate_section_is_reported(void **state)
{
	(void)state;
	char *text = inventory_text();
	replace(&text, "[field.remarks]", "[field.name]");
	expect_error(text, "[field.name]\nheader   = 備註", "重複");
	free(text);
}

static void test_long_line_is_reported_not_fatal_to_the_program(void **state)
{
	(void)state;
	char *text = inventory_text();
	char *help = xmalloc(1200);
	memset(help, 'x', 1199);
	help[1199] = '\0';
	char *line = xasprintf("help     = %s\n", help);
	replace(&text, "help     = 如無編號則免填\n", line);
	expect_error(text, "help     = xxx", "超過");
	free(line);
	free(help);
	free(text);
}

static void test_long_continued_line_is_reported(void **state)
{
	(void)state;
	char *text = inventory_text();
	char *half = xmalloc(601);
	memset(half, 'y', 600);
	half[600] = '\0';
	char *line = xasprintf("help     = %s \\\n%s\n", half, half);
	replace(&text, "help     = 如無編號則免填\n", line);
	expect_error(text, "help     = yyy", "接續");
	free(line);
	free(half);
	free(text);
}

static void test_optional_rule_takes_no_message(void **state)
{
	(void)state;
	char *text = inventory_text();
	replace(&text, "when   = build = 主管/上級機關提供\n", "when   = build = 主管/上級機關提供\nseverity = warning\n");
	expect_error(text, "severity = warning", "optional 規則不產生訊息");
	free(text);
}

static void test_bom_is_accepted(void **state)
{
	(void)state;
	char *text = inventory_text();
	char *bom = xasprintf("\xEF\xBB\xBF%s", text);
	DiagList dl;
	Form *f = load_text(bom, &dl);
	dump_diags(&dl);
	assert_non_null(f);
	assert_int_equal(form_nfields(f), 21);
	assert_string_equal(form_id(f), "inventory");
	form_free(f);
	diag_free(&dl);
	free(bom);
	free(text);
}

static void test_syntax_errors_are_reported_with_line(void **state)
{
	(void)state;
	char *text = inventory_text();
	replace(&text, "label    = 系統版本\n", "label    = 系統版本\nthis line has no equals sign\n");
	expect_error(text, "this line has no", "看不懂這一行");
	free(text);
	text = inventory_text();
	replace(&text, "[field.core]", "[field.core] ; the core flag");
	expect_error(text, "[field.core] ;", "段落標題必須以 ] 結尾");
	free(text);
}

static void test_unknown_kind_key_and_section_are_reported(void **state)
{
	(void)state;
	char *text = inventory_text();
	replace(&text, "kind           = integer", "kind           = number");
	expect_error(text, "kind           = number", "kind「number」不認得");
	free(text);
	text = inventory_text();
	replace(&text, "required = no\nhelp     = 如無編號則免填",
		"requried = no\nhelp     = 如無編號則免填");
	expect_error(text, "requried = no", "沒有「requried」這個鍵");
	free(text);
	text = inventory_text();
	replace(&text, "[rule.r12_gap_note]", "[rules.r12_gap_note]");
	expect_error(text, "[rules.r12_gap_note]", "不認得的段落");
	free(text);
}

static void test_semicolon_in_value_is_warned(void **state)
{
	(void)state;
	char *text = inventory_text();
	replace(&text, "help     = 如無編號則免填", "help     = 如無編號則免填; 請勿亂填");
	DiagList dl;
	Form *f = load_text(text, &dl);
	assert_non_null(f); /* a warning, the form still loads */
	assert_int_equal(dl.nwarnings, 1);
	assert_int_equal(dl.items[0].line, line_of(text, "; 請勿亂填"));
	/* quoted, the value keeps its semicolon and nothing is warned */
	form_free(f);
	diag_free(&dl);
	free(text);
	text = inventory_text();
	replace(&text, "help     = 如無編號則免填", "help     = \"如無編號則免填; 請勿亂填\"");
	f = load_text(text, &dl);
	assert_non_null(f);
	assert_int_equal(dl.n, 0);
	assert_string_equal(form_field(f, 0)->help, "如無編號則免填; 請勿亂填");
	form_free(f);
	diag_free(&dl);
	free(text);
}

static void test_section_without_keys_does_not_crash(void **state)
{
	(void)state;
	/* iniparser 4.1 crashes on typed getters with a section name
	 * (CVE-2023-33461); sections with no keys must be safe */
	static const char text[] = "[form]\nid = x\ntitle = t\n[field.a]\n[rule.b]\n";
	DiagList dl;
	Form *f = load_text(text, &dl);
	assert_null(f);
	assert_true(dl.nerrors >= 2); /* field.a has no header, rule.b no type */
	diag_free(&dl);
}

static void test_missing_or_unreadable_form(void **state)
{
	(void)state;
	DiagList dl;
	diag_init(&dl);
	assert_null(form_load("forms/does-not-exist.ini", &dl));
	assert_int_equal(dl.nerrors, 1);
	diag_clear(&dl);
	assert_null(form_load("forms", &dl)); /* a folder */
	assert_int_equal(dl.nerrors, 1);
	diag_free(&dl);
	Form *f = load_text("", &dl);
	assert_null(f);
	assert_true(dl.nerrors >= 1);
	diag_free(&dl);
	f = load_text("\x01\x02\xff\xfe garbage\n", &dl);
	assert_null(f);
	diag_free(&dl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_inventory_has_21_columns_in_template_order),
	    cmocka_unit_test(test_value_index_of_own_strings_copies_and_pieces),
	    cmocka_unit_test(test_value_find_agrees_with_plain_search),
	    cmocka_unit_test(test_header_matching_is_tolerant),
	    cmocka_unit_test(test_renamed_value_follows_the_file),
	    cmocka_unit_test(test_extra_column_follows_the_file),
	    cmocka_unit_test(test_changed_condition_follows_the_file),
	    cmocka_unit_test(test_changed_aliases_follow_the_file),
	    cmocka_unit_test(test_rule_naming_unknown_field_is_reported_with_line),
	    cmocka_unit_test(test_rule_naming_unknown_value_is_reported_with_line),
	    cmocka_unit_test(test_examples_file_is_found_beside_the_form),
	    cmocka_unit_test(test_duplicate_key_is_reported),
	    cmocka_unit_test(test_duplicate_section_is_reported),
	    cmocka_unit_test(test_long_line_is_reported_not_fatal_to_the_program),
	    cmocka_unit_test(test_long_continued_line_is_reported),
	    cmocka_unit_test(test_optional_rule_takes_no_message),
	    cmocka_unit_test(test_bom_is_accepted),
	    cmocka_unit_test(test_syntax_errors_are_reported_with_line),
	    cmocka_unit_test(test_unknown_kind_key_and_section_are_reported),
	    cmocka_unit_test(test_semicolon_in_value_is_warned),
	    cmocka_unit_test(test_section_without_keys_does_not_crash),
	    cmocka_unit_test(test_missing_or_unreadable_form),
	};
	return cmocka_run_group_tests_name("form", tests, setup, teardown) ? 1 : 0;
}
