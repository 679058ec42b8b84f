/* main.c - command line: spmform check, --help, --version.
 *
 * Only start-up code may exit; everything below returns status.
 */
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "csvio.h"
#include "mem.h"
#include "xlsxout.h"
#include "form.h"
#include "par.h"
#include "plain.h"
#include "session.h"
#include "text.h"
#include "ui.h"

#ifndef SPMFORM_VERSION
#define SPMFORM_VERSION "0.1.0"
#endif

static const char HINT[] = "用法請看 spmform --help (或 man spmform)\n";

static const char USAGE[] =
    "用法 (usage):\n"
    "  spmform [--plain] [--form NAME|PATH] [--config PATH] [FILE]\n"
    "  spmform check [--form NAME|PATH] [--config PATH] FILE...\n"
    "  spmform export|import [--form NAME|PATH] FILE -o OUT\n"
    "  spmform --help | --version\n"
    "\n"
    "spmform 是資通系統盤點清冊等表單的輸入與檢查工具。\n"
    "\n"
    "輸入畫面 (entry screen):\n"
    "  spmform [FILE]     開啟 FILE (沒有給時用 config.ini 的 file，再沒有則用\n"
    "                     「表單代號.csv」；檔案不存在就新建)，一筆記錄一個畫面。\n"
    "                     ^S 存檔  ^Q 離開  ^N 新增  PgDn/PgUp 換筆  ^T 清單  ^G 說明\n"
    "  --plain            逐欄問答的純文字模式 (不用游標定位，適合讀屏軟體、序列終端)；\n"
    "                     TERM 為 dumb 或未設定、或不在終端機上時自動使用\n"
    "\n"
    "指令 (commands):\n"
    "  export FILE.csv -o FILE.xlsx   依官方範本的版面匯出 .xlsx (下拉選單、填表說明)\n"
    "  import FILE.xlsx -o FILE.csv   讀取活頁簿的第一個工作表，存成 CSV\n"
    "  check FILE...      檢查 CSV 或 .xlsx 檔，每個問題一行：檔名:行: error|warning: 欄位: 說明，\n"
    "                     每個檔案最後一行是摘要 (記錄數、錯誤數、警告數)。\n"
    "選項 (options):\n"
    "  --form NAME|PATH   表單：forms 資料夾裡的名稱 (預設 inventory) 或 .ini 檔路徑\n"
    "  --config PATH      設定檔 (預設：目前資料夾的 config.ini，沒有則用預設值)\n"
    "  -h, --help         顯示這段說明\n"
    "  -V, --version      顯示版本\n"
    "\n"
    "結束碼 (exit status): 0 沒有錯誤 (可有警告)；1 有記錄錯誤；2 檔案無法讀取或解析，\n"
    "或命令列、表單、設定檔有誤。\n";

static void print_diags(const char *file, DiagList *dl)
{
	diag_sort(dl);
	for (size_t i = 0; i < dl->n; i++)
		diag_print(stderr, file, &dl->items[i], NULL);
}

/* Value of an option given as "--opt VALUE" or "--opt=VALUE"; advances *i. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		fprintf(stderr, "spmform: %s 後面要有值\n", name);
		exit(2);
	}
	return argv[++*i];
}

/* spmform export / import: reads in (CSV or .xlsx, by its name) and
 * writes out (.xlsx or CSV, by its name).  Reading problems that leave
 * the file usable are warnings here: converting does not judge the data
 * (that is what check is for). */
static int convert_file(const Form *form, const Config *cfg, const char *in, const char *out)
{
	DiagList dl;
	diag_init(&dl);
	Table *t = check_load(in, form, cfg->out, &dl);
	int rc = 0;
	if (!t) {
		diag_sort(&dl);
		for (size_t i = 0; i < dl.n; i++)
			diag_print(stderr, in, &dl.items[i], NULL);
		fprintf(stderr, "spmform: 無法讀取 %s，未轉換\n", in);
		rc = 2;
	} else {
		diag_clear(&dl);
		int w = path_is_xlsx(out) ? xlsxout_write(t, out, &dl) : csvio_save(t, out, &dl);
		for (size_t i = 0; i < dl.n; i++)
			diag_print(stderr, out, &dl.items[i], NULL);
		if (w != 0) {
			fprintf(stderr, "spmform: 無法寫入 %s\n", out);
			rc = 2;
		}
	}
	table_free(t);
	diag_free(&dl);
	return rc;
}

/* Opens the entry screen on path (or the configured file, or a new
 * "<form id>.csv"); returns the exit status. */
static int run_entry_screen(const Form *form, const Config *cfg, const char *path, bool plain)
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
	Session *s = session_open(form, cfg, path, &dl);
	if (plain)
		check_progress_end();
	else
		ui_load_end();
	int rc = 0;
	if (!s) {
		ui_stop();
		diag_sort(&dl);
		for (size_t i = 0; i < dl.n; i++)
			diag_print(stderr, path, &dl.items[i], NULL);
		fprintf(stderr, "spmform: 無法開啟 (檔案未更動)\n");
		rc = 2;
	} else if (plain) {
		plain_run(s, stdin, stdout);
	} else if (ui_run(s, cfg) != 0) {
		rc = 2;
	}
	session_free(s);
	diag_free(&dl);
	free(fallback);
	return rc;
}

int main(int argc, char **argv)
{
	/* a file-size limit makes write() fail with EFBIG, which a save
	 * handles; the signal would kill the program */
	signal(SIGXFSZ, SIG_IGN);
	/* big blocks (reading buffers, the records' memory) are mapped and
	 * given back when freed: glibc would otherwise raise the threshold
	 * after the first is freed and keep the later ones in the arenas of
	 * the threads that read a big file in parts */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	const char *form_opt = NULL, *config_opt = NULL, *command = NULL, *out_opt = NULL;
	char **files = xcalloc((size_t)argc, sizeof *files);
	size_t nfiles = 0;
	bool options_done = false, plain_opt = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if (!options_done && strcmp(a, "--") == 0) {
			options_done = true;
		} else if (!options_done && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
			fputs(USAGE, stdout);
			fputs("\n輸入畫面的按鍵 (keys of the entry screen):\n", stdout);
			keys_print(stdout);
			fputs("\n完整說明：man spmform\n", stdout);
			free(files);
			return 0;
		} else if (!options_done && (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0)) {
			printf("spmform %s\n", SPMFORM_VERSION);
			free(files);
			return 0;
		} else if (!options_done && strcmp(a, "--plain") == 0) {
			plain_opt = true;
		} else if (!options_done && (v = opt_value(argc, argv, &i, "--form"))) {
			form_opt = v;
		} else if (!options_done && (v = opt_value(argc, argv, &i, "--config"))) {
			config_opt = v;
		} else if (!options_done && (v = opt_value(argc, argv, &i, "-o"))) {
			out_opt = v;
		} else if (!options_done && a[0] == '-' && a[1] != '\0') {
			char *e = text_escape(a);
			fprintf(stderr, "spmform: 不認得的選項 %s\n%s", e, HINT);
			free(e);
			free(files);
			return 2;
		} else if (!command) {
			command = a;
		} else {
			files[nfiles++] = argv[i];
		}
	}
	bool check = command && strcmp(command, "check") == 0;
	bool convert = command && (strcmp(command, "export") == 0 || strcmp(command, "import") == 0);
	if (convert && (nfiles != 1 || !out_opt)) {
		fprintf(stderr, "spmform: %s 需要一個輸入檔和 -o 輸出檔\n%s", command, HINT);
		free(files);
		return 2;
	}
	if (!check && !convert && command)
		files[nfiles++] = (char *)command; /* the entry screen's FILE */
	if (check && nfiles == 0) {
		fprintf(stderr, "spmform: check 需要至少一個檔案\n%s", HINT);
		free(files);
		return 2;
	}
	if (!check && !convert && nfiles > 1) {
		fprintf(stderr, "spmform: 輸入畫面一次只開一個檔案\n%s", HINT);
		free(files);
		return 2;
	}
	if (!check && !convert && ui_setup_locale() != 0) {
		free(files);
		return 2;
	}

	DiagList dl;
	diag_init(&dl);
	Config cfg;
	if (config_load(&cfg, config_opt, &dl) != 0) {
		print_diags(cfg.path ? cfg.path : config_opt, &dl);
		fprintf(stderr, "spmform: 設定檔有誤，未執行\n");
		diag_free(&dl);
		config_free(&cfg);
		free(files);
		return 2;
	}
	print_diags(cfg.path ? cfg.path : "config.ini", &dl); /* warnings */
	diag_clear(&dl);
	par_set_parts((size_t)cfg.threads);
	const char *want = form_opt ? form_opt : cfg.form;
	char *form_path = config_form_path(&cfg, want, nfiles ? files[0] : NULL);
	Form *form = NULL;
	if (!form_path) {
		char *e = text_escape(want);
		fprintf(stderr, "spmform: 找不到表單「%s」(找過設定的 forms_dir、./forms、程式旁的 forms)\n",
			e);
		free(e);
	} else {
		form = form_load(form_path, &dl);
		print_diags(form_path, &dl);
		if (!form)
			fprintf(stderr, "spmform: 表單檔有誤，未執行\n");
	}
	int rc = 2;
	if (form && check) {
		rc = 0;
		for (size_t i = 0; i < nfiles; i++) {
			int r = check_file(files[i], form, cfg.out, cfg.progress_delay, stdout);
			if (r > rc)
				rc = r;
		}
	} else if (form && convert) {
		rc = convert_file(form, &cfg, files[0], out_opt);
	} else if (form) {
		/* line prompts where a screen cannot be drawn: a dumb or unknown
		 * terminal, a pipe, or when asked */
		const char *term = getenv("TERM");
		bool plain = plain_opt || !term || !*term || strcmp(term, "dumb") == 0 ||
			     !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO);
		rc = run_entry_screen(form, &cfg, nfiles ? files[0] : NULL, plain);
	}
	fflush(stdout);
	form_free(form);
	free(form_path);
	diag_free(&dl);
	config_free(&cfg);
	free(files);
	return rc;
}
