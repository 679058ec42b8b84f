/* main.c - the command line: the entry screen, check, export, import,
 * print, merge, report, --help, --version.
 *
 * Only start-up code may exit; everything below returns status.  Every
 * file name and every value from the environment that a message shows
 * goes through text_escape: it is data, never terminal control.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "form.h"
#include "guess.h"
#include "io.h"
#include "journals.h"
#include "lock.h"
#include "mem.h"
#include "merge.h"
#include "par.h"
#include "plain.h"
#include "print.h"
#include "report.h"
#include "rules.h"
#include "session.h"
#include "text.h"
#include "ui.h"

#ifndef SPMFORM_VERSION
#define SPMFORM_VERSION "0.1.0"
#endif

static const char HINT[] = "用法請看 spmform --help (或 man spmform)\n";

static const char USAGE[] =
    "用法 (usage):\n"
    "  spmform [--plain] [--form NAME|PATH] [--config PATH] [+LINE] [FILE[:LINE]]\n"
    "  spmform check [--form NAME|PATH] [--config PATH] [--across] FILE...\n"
    "  spmform export [--form NAME|PATH] [--force] FILE -o OUT.xlsx|OUT.ods\n"
    "  spmform import [--form NAME|PATH] [--force] FILE.xlsx|FILE.ods -o OUT.csv\n"
    "  spmform print [--form NAME|PATH] [--config PATH] [--force] FILE [-o OUT.pdf]\n"
    "  spmform merge [--form NAME|PATH] [--config PATH] [--force] [--dedupe]\n"
    "        [--source-column NAME [--source-label FILE=LABEL]...] -o OUT FILE...\n"
    "  spmform report [--form NAME|PATH] [--format text|csv|md] [--ascii] FILE...\n"
    "  spmform --journals FILE [--apply N]\n"
    "  spmform --help | --version\n"
    "\n"
    "spmform 是資通系統盤點清冊等表單的輸入與檢查工具。\n"
    "\n"
    "輸入畫面 (entry screen):\n"
    "  spmform [FILE]     開啟 FILE (沒有給時用 config.ini 的 file，再沒有則用\n"
    "                     「表單代號.csv」；檔案不存在就新建)，一筆記錄一個畫面。\n"
    "                     ^S 存檔  ^Q 離開  ^N 新增  PgDn/PgUp 換筆  ^T 清單  ^G 說明\n"
    "  FILE:LINE, +LINE FILE   開在檔案第 LINE 行的那一筆 (check 印出的 檔名:行 可直接使用)\n"
    "  --plain            逐欄問答的純文字模式 (不用游標定位，適合螢幕報讀軟體、序列埠終端機)；\n"
    "                     TERM 為 dumb 或未設定、或不在終端機上時自動使用\n"
    "\n"
    "指令 (commands):\n"
    "  check FILE...      檢查 CSV、.xlsx 或 .ods 檔，每個問題一行：\n"
    "                     檔名:行: error|warning: 第 N 筆: 欄位: 說明，\n"
    "                     每個檔案最後一行是摘要 (記錄數、錯誤數、警告數)。\n"
    "  export FILE -o OUT.xlsx   依官方範本的版面匯出 .xlsx (範例、填表說明、下拉選單)\n"
    "  export FILE -o OUT.ods    同樣的版面匯出 ODF 試算表 .ods (政府文件標準格式，LibreOffice 預設)\n"
    "  import FILE.xlsx|FILE.ods -o OUT.csv   讀取活頁簿的第一個工作表，存成 CSV\n"
    "  print FILE [-o OUT.pdf]   依表單的列印版面印成 A4 的 PDF (預設 OUT 為 FILE 改成 .pdf)，\n"
    "                     有錯誤的記錄也印，第 1 頁註明幾筆有錯誤；config.ini 的 [print] command\n"
    "                     (例如 lp) 有設定時，另外送到印表機\n"
    "  merge -o OUT FILE...   把各單位的檔案 (CSV、.xlsx、.ods) 依序合併成一個 OUT\n"
    "                     (.csv、.xlsx 或 .ods)；不同檔案裡的同一系統會指出兩處\n"
    "  report FILE...     填報摘要：每個檔案與合計的記錄數、完成、未完成 (最常漏填\n"
    "                     的欄位、哪幾筆)、有錯誤，與 [report] 所列欄位各值的筆數\n"
    "選項 (options):\n"
    "  --form NAME|PATH   表單：forms 資料夾裡的名稱 (預設 inventory) 或 .ini 檔路徑\n"
    "  --config PATH      設定檔 (預設：目前資料夾的 config.ini，沒有則用預設值)\n"
    "  -o OUT             export、import、print、merge 寫出的檔案\n"
    "  --force            OUT 已存在時覆蓋 (原檔留為 OUT.bak)；別人正在編輯的檔案一律不覆蓋\n"
    "  --across           check：所有檔案當成一份，跨檔套用 unique、count 規則\n"
    "  --dedupe           merge：完全相同的記錄只留第一筆 (並說明略去幾筆)\n"
    "  --source-column NAME   merge：加一欄 NAME，記下每筆記錄來自哪個檔案\n"
    "  --source-label FILE=LABEL   merge：FILE 的記錄在那一欄寫 LABEL (而不是檔名)\n"
    "  --format text|csv|md   report 的格式 (預設 text；csv、md 可貼進簽呈)\n"
    "  --ascii            report：長條圖用 # 畫 (終端機顯示不出方塊字元時)\n"
    "  --journals FILE    列出 FILE 擱置的復原紀錄 (開啟時選擇不復原的) 與其中的修改；\n"
    "                     --apply N 把第 N 份改回復原紀錄，下次開啟時會問是否復原\n"
    "  -h, --help         顯示這段說明\n"
    "  -V, --version      顯示版本\n"
    "\n"
    "結束碼 (exit status): 0 沒有錯誤 (可有警告)；1 有記錄錯誤；2 檔案無法讀取或解析，\n"
    "或命令列、表單、設定檔有誤。\n";

/* What the command line says. */
typedef struct {
	const char *command; /* "check", "export", "import", "print", "merge",
			      * "report", or NULL: the entry screen */
	const char *form, *config, *out;
	bool force, plain;
	char **files;
	size_t nfiles;
	long line;       /* the entry screen opens at the record on this line */
	bool journals;   /* --journals: list FILE's journals set aside */
	long apply;      /* --apply N: make the N-th of them FILE's journal */
	char *file_part; /* FILE of FILE:LINE (malloc'd), or NULL */
	/* check --across; merge's and report's options */
	bool across, dedupe, ascii;
	const char *source_column, *format;
	const char **source_labels; /* FILE=LABEL, as given */
	size_t nsource_labels;
} Args;

static void print_diags(const char *file, DiagList *dl)
{
	diag_sort(dl);
	for (size_t i = 0; i < dl->n; i++)
		diag_print(stderr, file, &dl->items[i], NULL);
}

/* Says what is wrong with the command line on stderr, and returns 2. */
static int usage_error(const char *msg)
{
	fprintf(stderr, "spmform: %s\n%s", msg, HINT);
	return 2;
}

/* The same for a message about arg (escaped: it is the user's text),
 * which fmt shows with one %s. */
static int usage_error_arg(const char *fmt, const char *arg)
{
	char *e = text_escape(arg);
	char *msg = xasprintf(fmt, e);
	usage_error(msg);
	free(msg);
	free(e);
	return 2;
}

/* Value of an option given as "--opt VALUE" or "--opt=VALUE"; advances
 * *i.  *missing is set when the value is not there. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

static bool is_command(const char *a)
{
	return strcmp(a, "check") == 0 || strcmp(a, "export") == 0 || strcmp(a, "import") == 0 ||
	       strcmp(a, "print") == 0 || strcmp(a, "merge") == 0 || strcmp(a, "report") == 0;
}

/* The line number s is (all digits, 1 or more), or 0. */
static long line_number(const char *s)
{
	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 9)
		return 0;
	return strtol(s, NULL, 10);
}

/* An option (any but --, --help and --version): true when argv[*i] is
 * one, advancing *i past its value; *rc is then the exit status when its
 * value is missing or wrong, else left as it was. */
static bool parse_option(int argc, char **argv, int *i, Args *a, int *rc)
{
	const struct {
		const char *name;
		bool *on;
	} flags[] = {{"--plain", &a->plain},   {"--force", &a->force},   {"--across", &a->across},
		     {"--dedupe", &a->dedupe}, {"--ascii", &a->ascii},   {"--journals", &a->journals}};
	for (size_t k = 0; k < sizeof flags / sizeof *flags; k++)
		if (strcmp(argv[*i], flags[k].name) == 0) {
			*flags[k].on = true;
			return true;
		}
	const struct {
		const char *name;
		const char **to; /* NULL: --source-label (one more), --apply (a number) */
	} valued[] = {{"--form", &a->form},	    {"--config", &a->config}, {"-o", &a->out},
		      {"--source-column", &a->source_column}, {"--format", &a->format},
		      {"--source-label", NULL}, {"--apply", NULL}};
	for (size_t k = 0; k < sizeof valued / sizeof *valued; k++) {
		bool missing = false;
		const char *v = opt_value(argc, argv, i, valued[k].name, &missing);
		if (!v && !missing)
			continue;
		if (missing)
			*rc = usage_error_arg("%s 後面要有值", valued[k].name);
		else if (valued[k].to)
			*valued[k].to = v;
		else if (strcmp(valued[k].name, "--source-label") == 0)
			a->source_labels[a->nsource_labels++] = v;
		else if (!(a->apply = line_number(v)))
			*rc = usage_error_arg("%s 後面要有編號 (--journals 列出的)", "--apply");
		return true;
	}
	return false;
}


/* The entry screen's FILE:LINE (or FILE:LINE:COL, as check prints a place)
 * when no file is named so but FILE is one: a->files[0] becomes FILE. */
static void split_place(Args *a)
{
	if (a->command || a->nfiles != 1 || a->line || access(a->files[0], F_OK) == 0)
		return;
	char *f = xstrdup(a->files[0]);
	for (int parts = 0; parts < 2; parts++) {
		char *colon = strrchr(f, ':');
		if (!colon || !line_number(colon + 1))
			break;
		long n = line_number(colon + 1);
		*colon = '\0';
		if (access(f, F_OK) == 0) {
			a->line = n;
			a->file_part = f;
			a->files[0] = f;
			return;
		}
	}
	free(f);
}

/* Reads argv into a.  Returns -1 when the program is to go on, else the
 * exit status (after --help, --version, or a message on stderr). */
static int parse_args(int argc, char **argv, Args *a)
{
	bool options_done = false;
	int rc = -1;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (!options_done && strcmp(arg, "--") == 0) {
			options_done = true;
		} else if (!options_done && (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)) {
			fputs(USAGE, stdout);
			fputs("\n輸入畫面的按鍵 (keys of the entry screen):\n", stdout);
			ui_keys_print(stdout);
			char *guide = config_find_guide();
			printf("\n完整說明：man spmform；給承辦人的使用說明：%s\n",
			       guide ? guide : "docs/" GUIDE_NAME);
			free(guide);
			return 0;
		} else if (!options_done && (strcmp(arg, "-V") == 0 || strcmp(arg, "--version") == 0)) {
			printf("spmform %s\n", SPMFORM_VERSION);
			return 0;
		} else if (!options_done && parse_option(argc, argv, &i, a, &rc)) {
			if (rc >= 0)
				return rc;
		} else if (!options_done && arg[0] == '+' && line_number(arg + 1) > 0) {
			a->line = line_number(arg + 1);
		} else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
			return usage_error_arg("不認得的選項 %s", arg);
		} else if (!a->command && a->nfiles == 0 && is_command(arg)) {
			a->command = arg;
		} else {
			a->files[a->nfiles++] = argv[i];
		}
	}
	return -1;
}

static bool is(const Args *a, const char *command)
{
	return a->command && strcmp(a->command, command) == 0;
}

/* Whether merge's and report's options fit the command. */
static int check_new_args(const Args *a)
{
	if (is(a, "merge") && (a->nfiles == 0 || !a->out))
		return usage_error("merge 需要 -o 輸出檔和至少一個輸入檔");
	if (is(a, "report") && a->nfiles == 0)
		return usage_error("report 需要至少一個檔案");
	if (a->across && !is(a, "check"))
		return usage_error("--across 只用於 check");
	if ((a->dedupe || a->source_column || a->nsource_labels) && !is(a, "merge"))
		return usage_error("--dedupe、--source-column、--source-label 只用於 merge");
	if (a->nsource_labels && !a->source_column)
		return usage_error("--source-label 需要 --source-column (放標籤的欄)");
	if ((a->format || a->ascii) && !is(a, "report"))
		return usage_error("--format、--ascii 只用於 report");
	if (a->format && strcmp(a->format, "text") != 0 && strcmp(a->format, "csv") != 0 &&
	    strcmp(a->format, "md") != 0)
		return usage_error_arg("--format 應為 text、csv 或 md，不是「%s」", a->format);
	return -1;
}

/* Whether the options fit the command. */
static int check_args(const Args *a)
{
	bool print = is(a, "print"), merge = is(a, "merge");
	bool convert = is(a, "export") || is(a, "import");
	if (convert && (a->nfiles != 1 || !a->out))
		return usage_error_arg("%s 需要一個輸入檔和 -o 輸出檔", a->command);
	if (print && a->nfiles != 1)
		return usage_error("print 需要一個輸入檔 (-o 輸出檔可省略)");
	if (!convert && !print && !merge && a->out)
		return usage_error("-o 只用於 export、import、print 與 merge");
	if (!convert && !print && !merge && a->force)
		return usage_error("--force 只用於 export、import、print 與 merge");
	if (a->command && a->plain)
		return usage_error("--plain 只用於輸入畫面");
	if (a->command && strcmp(a->command, "check") == 0 && a->nfiles == 0)
		return usage_error("check 需要至少一個檔案");
	if (!a->command && a->nfiles > 1)
		return usage_error("輸入畫面一次只開一個檔案");
	if (a->command && a->line)
		return usage_error("+行號 只用於輸入畫面");
	if (a->journals && (a->command || a->nfiles != 1 || a->plain || a->line))
		return usage_error("--journals 需要一個資料檔，不與指令同用");
	if (a->apply && !a->journals)
		return usage_error("--apply 只用於 --journals");
	return check_new_args(a);
}

/* Import: a text cell Excel would run as a formula when it opens the CSV
 * gets check's warning (naming the input's line) and, with on, a ' in
 * front, as OWASP advises for CSV. */
static void neutralise(Table *t, const char *in, bool on)
{
	const Form *form = table_form(t);
	for (size_t r = 0; r < table_nrecords(t); r++)
		for (size_t f = 0; f < form_nfields(form); f++) {
			const FormField *ff = form_field(form, f);
			const char *v = table_record_c(t, r)->cells[f];
			if (!rules_formula_like(ff, v))
				continue;
			char *m = rules_formula_warning(v);
			Diag d = {DIAG_WARNING, table_record_c(t, r)->line, 0, (long)r, (int)f,
				  on ? xasprintf("%s；已在前面加上 ' 寫出", m) : xstrdup(m)};
			diag_print(stderr, in, &d, ff->label);
			free(d.msg);
			free(m);
			if (on)
				table_put(t, r, f, xasprintf("'%s", v));
		}
}

/* Prints what writing said: a problem of a record names the input file,
 * where its line is; any other, the output. */
static void print_write_diags(const char *in, const char *out, DiagList *dl)
{
	diag_sort(dl);
	for (size_t i = 0; i < dl->n; i++)
		diag_print(stderr, dl->items[i].line > 0 ? in : out, &dl->items[i], NULL);
}

/* Takes the lock of out, a file a command is about to write, for the time
 * it writes it; false, after a message, when another spmform holds it
 * (then even --force does not write over it) or it cannot be taken. */
static bool lock_output(const char *out, Lock **lock)
{
	LockHolder h;
	char *why = NULL;
	LockStatus st = lock_acquire(out, lock, &h, &why);
	if (st != LOCK_OK) {
		char *eout = text_escape(out);
		char *who = text_escape(st == LOCK_BUSY ? (*h.user ? h.user : "另一位使用者") : why);
		if (st == LOCK_BUSY)
			fprintf(stderr, "spmform: %s 正由 %s 編輯中，不能覆蓋 (--force 也不行)\n", eout, who);
		else
			fprintf(stderr, "spmform: 無法鎖定 %s (%s)，未寫入\n", eout, who);
		free(who);
		free(eout);
	}
	free(why);
	return st == LOCK_OK;
}

/* spmform export / import: reads in (CSV, .xlsx or .ods, by its name) and
 * writes out: a workbook, .xlsx or .ods by out's name (export), or CSV
 * (import).  Reading problems that
 * leave the file usable are printed; converting does not judge the data,
 * but says how many records still have errors. */
static int convert_file(const Args *a, const Form *form, const Config *cfg)
{
	bool export = strcmp(a->command, "export") == 0;
	const char *in = a->files[0], *out = a->out;
	DiagList dl;
	diag_init(&dl);
	char *eout = text_escape(out);
	int rc = 2;
	Lock *lock = NULL;
	if (!io_output_ok(out, export ? IO_SET(IO_XLSX) | IO_SET(IO_ODS) : IO_SET(IO_CSV),
			  a->force, &dl)) {
		print_diags(out, &dl);
		goto done;
	}
	if (!lock_output(out, &lock))
		goto done;
	Table *t = io_load(in, form, cfg->out, &dl);
	print_diags(in, &dl);
	diag_clear(&dl);
	if (!t) {
		char *ein = text_escape(in);
		fprintf(stderr, "spmform: 無法讀取 %s，未轉換\n", ein);
		free(ein);
		goto done;
	}
	if (!export)
		neutralise(t, in, cfg->neutralise_formulas);
	if (io_save(t, out, cfg->backup, &dl) != 0) {
		print_write_diags(in, out, &dl);
		fprintf(stderr, "spmform: 無法寫入 %s\n", eout);
	} else {
		print_write_diags(in, out, &dl);
		size_t bad = rules_records_with_errors(t);
		if (bad)
			fprintf(stderr, "spmform: 已寫入 %s；其中 %zu 筆記錄還有錯誤 (spmform check 可看)\n",
				eout, bad);
		rc = 0;
	}
	table_free(t);
done:
	lock_release(lock);
	free(eout);
	diag_free(&dl);
	return rc;
}

/* spmform print: reads in (CSV or .xlsx) and writes its PDF to -o OUT, or
 * to in with .pdf; then sends it to [print] command when one is set.  Like
 * export, an existing OUT is refused without --force and one another
 * spmform holds always; records with errors are printed (and counted). */
static int print_file(const Args *a, const Form *form, const Config *cfg)
{
	const char *in = a->files[0];
	char *out = a->out ? xstrdup(a->out) : io_with_ending(in, IO_PDF);
	DiagList dl;
	diag_init(&dl);
	char *eout = text_escape(out);
	int rc = 2;
	Lock *lock = NULL;
	Table *t = NULL;
	if (!io_output_ok(out, IO_SET(IO_PDF), a->force, &dl)) {
		print_diags(out, &dl);
		goto done;
	}
	if (!lock_output(out, &lock))
		goto done;
	t = io_load(in, form, cfg->out, &dl);
	print_diags(in, &dl);
	diag_clear(&dl);
	if (!t) {
		char *ein = text_escape(in);
		fprintf(stderr, "spmform: 無法讀取 %s，未列印\n", ein);
		free(ein);
		goto done;
	}
	PrintOptions opt = {.cfg = cfg, .date = print_today()};
	PrintSummary sum;
	int written = print_pdf(t, out, &opt, cfg->backup, &sum, &dl);
	print_write_diags(in, out, &dl);
	diag_clear(&dl);
	free(sum.family);
	if (written != 0) {
		fprintf(stderr, "spmform: 無法寫入 %s\n", eout);
		goto done;
	}
	fprintf(stderr, "spmform: 已寫入 %s：%zu 頁，%zu 筆記錄，%zu 筆有錯誤\n", eout, sum.pages,
		sum.records, sum.with_errors);
	rc = 0;
	if (cfg->print_command) {
		char *said;
		char *ecmd = text_escape(cfg->print_command);
		if (print_send(out, cfg->print_command, &said, &dl) == 0) {
			fprintf(stderr, "spmform: 已送印 (%s)%s%s\n", ecmd, said ? "：" : "",
				said ? said : "");
			free(said);
		} else {
			print_diags(out, &dl);
			rc = 2;
		}
		free(ecmd);
	}
done:
	table_free(t);
	lock_release(lock);
	free(eout);
	free(out);
	diag_free(&dl);
	return rc;
}

/* spmform merge: the inputs into -o OUT (CSV, .xlsx or .ods by its
 * name); like export, an existing OUT is refused without --force and one
 * another spmform holds always. */
static int merge_command(const Args *a, const Form *form, const Config *cfg)
{
	const char **labels = xcalloc(a->nfiles, sizeof *labels);
	for (size_t i = 0; i < a->nsource_labels; i++)
		if (!merge_label(a->source_labels[i], a->files, a->nfiles, labels)) {
			free(labels);
			return usage_error_arg("--source-label「%s」沒有指到任何輸入檔 (寫成 輸入檔=標籤)",
					       a->source_labels[i]);
		}
	DiagList dl;
	diag_init(&dl);
	Lock *lock = NULL;
	int rc = 2;
	if (!io_output_ok(a->out, IO_SET(IO_CSV) | IO_SET(IO_XLSX) | IO_SET(IO_ODS), a->force, &dl)) {
		print_diags(a->out, &dl);
	} else if (lock_output(a->out, &lock)) {
		MergeOptions opt = {a->source_column, labels, a->dedupe};
		rc = merge_files(a->files, a->nfiles, form, cfg->out, cfg->backup, &opt, a->out, stderr);
	}
	lock_release(lock);
	diag_free(&dl);
	free(labels);
	return rc;
}

/* spmform report: the summary on stdout, as wide as the terminal (at most
 * 80 columns), with block characters where they can be shown. */
static int report_command(const Args *a, const Form *form)
{
	ReportStyle st = {REPORT_TEXT, report_width(), a->ascii || !report_blocks_ok(), false};
	if (a->format && strcmp(a->format, "csv") == 0)
		st.format = REPORT_CSV;
	else if (a->format && strcmp(a->format, "md") == 0)
		st.format = REPORT_MD;
	return report_files(a->files, a->nfiles, form, &st, stdout, stderr);
}

/* Opens the entry screen on path (or the configured file, or a new
 * "<form id>.csv"), at the record on line when it is not 0; returns the
 * exit status. */
/* The session on path with form, or, when its header has none of form's
 * titles but another form beside it fits (guess.h), with that one when
 * guess is set (*other gets it, for the caller to free); without guess
 * dl says only which form it is. */
static Session *open_with_guess(const Form *form, const Config *cfg, const char *path, bool guess,
				Form **other, DiagList *dl)
{
	*other = NULL;
	Session *s = session_open(form, cfg, path, dl);
	if (s || !guess_needed(dl) || !(*other = guess_form(path, form)))
		return s;
	diag_clear(dl);
	if (!guess) {
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "這個檔案的欄位是「%s」的；請改用 --form %s 開啟",
			 form_title(*other), form_id(*other));
		form_free(*other);
		*other = NULL;
		return NULL;
	}
	s = session_open(*other, cfg, path, dl);
	if (s)
		session_set_msg(s, false, "這個檔案的欄位是「%s」的，已改用表單 %s 開啟",
				form_title(*other), form_id(*other));
	return s;
}

static int run_entry_screen(const Form *form, const Config *cfg, const char *path, bool plain,
			    long line, bool guess)
{
	char *fallback = NULL;
	if (!path)
		path = cfg->file ? cfg->file : (fallback = xasprintf("%s.csv", form_id(form)));
	DiagList dl;
	diag_init(&dl);
	/* the screen starts before the file is read, so that a large file
	 * shows how far it has come (plain mode: a line on stderr) */
	if (!plain && ui_start(cfg) != 0) {
		diag_free(&dl);
		free(fallback);
		return 2;
	}
	if (plain)
		check_progress_begin(path, cfg->progress_delay);
	else
		ui_load_begin(path, cfg->progress_delay);
	Form *other;
	Session *s = open_with_guess(form, cfg, path, guess, &other, &dl);
	if (plain)
		check_progress_end();
	else
		ui_load_end();
	int rc = 0;
	if (s && line)
		session_goto_line(s, line);
	if (!s) {
		ui_stop();
		print_diags(path, &dl);
		fprintf(stderr, "spmform: 無法開啟 (檔案未更動)\n");
		rc = 2;
	} else if (plain) {
		plain_run(s, stdin, stdout);
	} else if (ui_run(s, cfg) != 0) {
		rc = 2;
	}
	session_free(s);
	form_free(other);
	diag_free(&dl);
	free(fallback);
	return rc;
}

/* Loads the form the options or config.ini name; NULL after a message. */
static Form *load_form(const Args *a, const Config *cfg)
{
	const char *want = a->form ? a->form : cfg->form;
	char *path = config_form_path(cfg, want, a->nfiles ? a->files[0] : NULL);
	if (!path) {
		char *e = text_escape(want);
		fprintf(stderr, "spmform: 找不到表單「%s」(找過設定的 forms_dir、./forms、程式旁的 forms)\n",
			e);
		free(e);
		return NULL;
	}
	DiagList dl;
	diag_init(&dl);
	Form *form = form_load(path, &dl);
	print_diags(path, &dl);
	if (!form)
		fprintf(stderr, "spmform: 表單檔有誤，未執行\n");
	diag_free(&dl);
	free(path);
	return form;
}

/* Line prompts where a screen cannot be drawn: a dumb or unknown
 * terminal, a pipe, or when asked. */
static bool want_plain(const Args *a)
{
	const char *term = getenv("TERM");
	return a->plain || !term || !*term || strcmp(term, "dumb") == 0 || !isatty(STDIN_FILENO) ||
	       !isatty(STDOUT_FILENO);
}

static int run(const Args *a)
{
	bool entry = !a->command && !a->journals;
	bool plain = entry && want_plain(a);
	if (entry && !plain && ui_setup_locale() != 0)
		return 2;
	DiagList dl;
	diag_init(&dl);
	Config cfg;
	int rc = 2;
	if (config_load(&cfg, a->config, &dl) != 0) {
		print_diags(cfg.path ? cfg.path : a->config, &dl);
		fprintf(stderr, "spmform: 設定檔有誤，未執行\n");
		diag_free(&dl);
		config_free(&cfg);
		return 2;
	}
	print_diags(cfg.path ? cfg.path : "config.ini", &dl); /* warnings */
	diag_free(&dl);
	par_set_threads((size_t)cfg.threads);
	Form *form = load_form(a, &cfg);
	if (form && a->journals)
		rc = journals_run(a->files[0], form, a->apply, stdout);
	else if (form && entry)
		rc = run_entry_screen(form, &cfg, a->nfiles ? a->files[0] : NULL, plain, a->line,
				      !a->form);
	else if (form && strcmp(a->command, "check") == 0 && a->across)
		rc = check_files_across(a->files, a->nfiles, form, cfg.progress_delay, stdout);
	else if (form && strcmp(a->command, "check") == 0)
		rc = check_files(a->files, a->nfiles, form, a->form ? CHECK_GUESS_SAY : CHECK_GUESS_USE,
				 cfg.progress_delay, stdout);
	else if (form && strcmp(a->command, "merge") == 0)
		rc = merge_command(a, form, &cfg);
	else if (form && strcmp(a->command, "report") == 0)
		rc = report_command(a, form);
	else if (form && strcmp(a->command, "print") == 0)
		rc = print_file(a, form, &cfg);
	else if (form)
		rc = convert_file(a, form, &cfg);
	fflush(stdout);
	form_free(form);
	config_free(&cfg);
	return rc;
}

int main(int argc, char **argv)
{
	/* a file-size limit makes write() fail with EFBIG, which a save
	 * handles; the signal would kill the program */
	signal(SIGXFSZ, SIG_IGN);
	Args a = {.files = xcalloc((size_t)argc, sizeof *a.files),
		  .source_labels = xcalloc((size_t)argc, sizeof *a.source_labels)};
	int rc = parse_args(argc, argv, &a);
	if (rc < 0) {
		split_place(&a);
		rc = check_args(&a);
	}
	if (rc < 0)
		rc = run(&a);
	free(a.files);
	free(a.file_part);
	free(a.source_labels);
	return rc;
}
