/* ui.c - the entry screen's terminal, input and main loop; see ui.h. */
#include "ui.h"

#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "mem.h"
#include "progress.h"
#include "text.h"
#include "ui_int.h"

int ui_setup_locale(void)
{
	if (setlocale(LC_ALL, "") && strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
		return 0;
	/* the environment's locale is missing or not UTF-8: our data is */
	if (setlocale(LC_CTYPE, "C.UTF-8") && strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
		return 0;
	fprintf(stderr, "spmform: 需要 UTF-8 的語系環境 (locale)，但 C.UTF-8 也無法使用\n");
	return -1;
}

/* --- drawing helpers ------------------------------------------------------ */

void ui_put_w(int y, int x, const wchar_t *ws, attr_t attr)
{
	attr_t old;
	short pair;
	attr_get(&old, &pair, NULL);
	attrset(attr);
	mvaddwstr(y, x, ws);
	attrset(old);
}

void ui_put(int y, int x, int width, const char *utf8, attr_t attr)
{
	if (width <= 0)
		return;
	wchar_t *buf = xmalloc(((size_t)width + 2) * sizeof *buf);
	lineedit_clip(utf8, width, buf);
	ui_put_w(y, x, buf, attr);
	free(buf);
}

int ui_width(const char *utf8)
{
	LineEdit e;
	lineedit_init(&e, utf8);
	int w = 0;
	for (size_t i = 0; i < e.len; i++)
		w += lineedit_cp_width(e.cp[i]);
	lineedit_free(&e);
	return w;
}

void ui_box(Ui *ui, int y, int x, int h, int w)
{
	if (ui->cfg->ascii_lines) {
		mvaddch(y, x, '+');
		mvaddch(y, x + w - 1, '+');
		mvaddch(y + h - 1, x, '+');
		mvaddch(y + h - 1, x + w - 1, '+');
		mvhline(y, x + 1, '-', w - 2);
		mvhline(y + h - 1, x + 1, '-', w - 2);
		mvvline(y + 1, x, '|', h - 2);
		mvvline(y + 1, x + w - 1, '|', h - 2);
	} else {
		mvaddch(y, x, ACS_ULCORNER);
		mvaddch(y, x + w - 1, ACS_URCORNER);
		mvaddch(y + h - 1, x, ACS_LLCORNER);
		mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
		mvhline(y, x + 1, ACS_HLINE, w - 2);
		mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
		mvvline(y + 1, x, ACS_VLINE, h - 2);
		mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
	}
}

/* The code points of e[from..) that fit in width columns: how many. */
static size_t fitting(const LineEdit *e, size_t from, int width)
{
	int used = 0;
	size_t j = from;
	while (j < e->len && used + lineedit_cp_width(e->cp[j]) <= width)
		used += lineedit_cp_width(e->cp[j++]);
	return j - from;
}

/* Draws the rows of utf8 cut at width columns, from its row skip on, at
 * row..row+rows-1; when it goes on after those, the last ends with more
 * (when not NULL).  Returns the rows drawn. */
static int put_rows(int row, int skip, int rows, int width, const char *utf8, attr_t attr,
		    const char *more)
{
	LineEdit e;
	lineedit_init(&e, utf8);
	size_t i = 0;
	for (int k = 0; k < skip && i < e.len; k++)
		i += fitting(&e, i, width);
	int used = 0;
	for (; used < rows && (i < e.len || used == 0); used++) {
		size_t n = fitting(&e, i, width);
		bool last = more && used + 1 == rows && i + n < e.len;
		if (last) /* room for the mark at the end of the last row */
			n = fitting(&e, i, width - ui_width(more));
		LineEdit part = {e.cp + i, n, n, n, 0};
		char *t = lineedit_text(&part);
		char *shown = last ? xasprintf("%s%s", t, more) : xstrdup(t);
		move(row + used, 0);
		clrtoeol();
		ui_put(row + used, 0, width, shown, attr);
		free(shown);
		free(t);
		i += n ? n : 1;
	}
	lineedit_free(&e);
	return used;
}

int ui_put_wrapped(int row, int rows, int width, const char *utf8, attr_t attr)
{
	return put_rows(row, 0, rows, width, utf8, attr, "…(^G 看全文)");
}

int ui_put_rows(int row, int skip, int rows, int width, const char *utf8, attr_t attr)
{
	return put_rows(row, skip, rows, width, utf8, attr, NULL);
}

int ui_rows_of(const char *utf8, int width)
{
	LineEdit e;
	lineedit_init(&e, utf8);
	int rows = 0;
	for (size_t i = 0; i < e.len || rows == 0; rows++) {
		size_t n = fitting(&e, i, width);
		i += n ? n : 1;
	}
	lineedit_free(&e);
	return rows;
}

int ui_draw_message(Ui *ui, int row, const char *text, bool error)
{
	attr_t a = error ? A_BOLD : A_NORMAL;
	if (error && ui->colors)
		a |= COLOR_PAIR(1);
	/* a long message takes the hint row below as its second line */
	return ui_put_wrapped(row, row + 1 < LINES ? 2 : 1, COLS - 1, text, a);
}

int ui_draw_status(Ui *ui, int row)
{
	Session *s = ui->s;
	move(row, 0);
	clrtoeol();
	if (!session_msg(s))
		return 1;
	return ui_draw_message(ui, row, session_msg(s), session_msg_is_error(s));
}

void ui_draw_hints(KeyCtx ctx, int row)
{
	wchar_t buf[512];
	ui_keys_hint_line(ctx, COLS - 1, buf, sizeof buf / sizeof *buf);
	move(row, 0);
	clrtoeol();
	ui_put_w(row, 0, buf, A_DIM);
}

bool ui_save(Ui *ui)
{
	ui_form_commit(ui);
	if (session_ask_name(ui->s)) { /* opened from a workbook: which file to write? */
		char *csv = session_path_as(ui->s, ".csv");
		ui_form_open_field(ui);
		ui_line_open(ui, csv, LINE_SAVE_AS);
		session_set_msg(ui->s, false, "存成 .csv、.xlsx 或 .ods：請輸入檔名");
		free(csv);
		return false;
	}
	SaveResult r = session_save(ui->s, NULL, false);
	if (r == SAVE_CHANGED)
		ui_confirm_open(ui, CONFIRM_CHANGED);
	return r == SAVE_OK;
}

/* --- input ------------------------------------------------------------------ */

/* Reads one key.  Bytes are decoded as UTF-8 here, not by ncurses: its
 * get_wch swallows the keys that follow an invalid byte.  An invalid or
 * cut sequence becomes U+FFFD and the byte that broke it is read again. */
static UiKey read_key(void)
{
	static int pending = -1;
	UiKey k = {false, 0, 0};
	int c = pending >= 0 ? pending : getch();
	pending = -1;
	if (c == ERR) {
		k.key = ERR;
		return k;
	}
	if (c >= KEY_MIN || c < 0x20 || c == 0x7F) {
		k.key = c;
		return k;
	}
	k.is_char = true;
	if (c < 0x80) {
		k.cp = (uint32_t)c;
		return k;
	}
	int need;
	uint32_t cp;
	if (c >= 0xC2 && c <= 0xDF)
		need = 1, cp = (uint32_t)c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		need = 2, cp = (uint32_t)c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		need = 3, cp = (uint32_t)c & 0x07;
	else {
		k.cp = 0xFFFD;
		return k;
	}
	timeout(1000); /* the rest of a character comes in the same burst */
	for (int i = 0; i < need; i++) {
		int d = getch();
		if (d == ERR || d >= KEY_MIN || (d & 0xC0) != 0x80) {
			if (d != ERR)
				pending = d;
			timeout(-1);
			k.cp = 0xFFFD;
			return k;
		}
		cp = (cp << 6) | ((uint32_t)d & 0x3F);
	}
	timeout(-1);
	if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	k.cp = cp;
	return k;
}

/* --- signals ------------------------------------------------------------------ */

/* A hang-up or a request to stop: the loop ends and the terminal is
 * restored.  Installed without SA_RESTART so that a blocked read returns. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static void catch_stop_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	int sigs[] = {SIGHUP, SIGTERM, SIGINT, SIGQUIT};
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* --- loop --------------------------------------------------------------------- */

static void draw(Ui *ui)
{
	erase();
	if (ui_form_too_small()) {
		const char *msg = ui->ov == OV_CONFIRM && ui->confirm == CONFIRM_QUIT
				      ? "終端機太小。尚未存檔：y 存檔並離開 n 不存檔離開 Esc 留下"
				      : "終端機太小：至少要 40x10";
		int y = LINES / 2, x = (COLS - ui_width(msg)) / 2;
		ui_put(y < 0 ? 0 : y, x < 0 ? 0 : x, COLS > 1 ? COLS - 1 : 1, msg, A_BOLD);
		refresh();
		return;
	}
	switch (ui->ov) {
	case OV_LIST:
		ui_list_draw(ui);
		break;
	case OV_HELP:
		ui_help_draw(ui);
		break;
	case OV_REPORT:
		ui_report_draw(ui);
		break;
	default:
		ui_form_draw(ui);
		if (ui->ov == OV_PICK)
			ui_pick_draw(ui);
		else if (ui->ov == OV_CONFIRM)
			ui_confirm_draw(ui);
		else if (ui->ov == OV_LINE)
			ui_line_draw(ui);
		else if (ui->ov == OV_DONE)
			ui_done_draw(ui);
		break;
	}
	refresh();
}

static int dispatch(Ui *ui, UiKey k)
{
	switch (ui->ov) {
	case OV_PICK:
		return ui_pick_key(ui, k);
	case OV_LIST:
		return ui_list_key(ui, k);
	case OV_HELP:
		return ui_help_key(ui, k);
	case OV_CONFIRM:
		return ui_confirm_key(ui, k);
	case OV_LINE:
		return ui_line_key(ui, k);
	case OV_DONE:
		return ui_done_key(ui, k);
	case OV_REPORT:
		return ui_report_key(ui, k);
	case OV_NONE:
		break;
	}
	return ui_form_key(ui, k);
}

/* --- the terminal, and progress while the file loads ------------------------ */

static SCREEN *screen;
static bool screen_colors;

/* Before the program aborts for want of memory: the terminal back to
 * normal, so that the message can be read. */
static void give_terminal_back(void)
{
	if (screen)
		endwin();
}

int ui_start(const Config *cfg)
{
	screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		/* TERM is the environment's: data, never terminal control */
		char *term = text_escape(getenv("TERM") ? getenv("TERM") : "");
		fprintf(stderr, "spmform: 無法使用這個終端機 (TERM=%s)\n", term);
		free(term);
		return -1;
	}
	/* ^C, a hang-up or SIGTERM while the file loads stop the loading
	 * (load_progress); the keys go raw once the screen runs (ui_run) */
	catch_stop_signals();
	mem_on_out_of_memory(give_terminal_back);
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	if (!getenv("ESCDELAY"))
		set_escdelay(cfg->escdelay); /* after newterm, which reads ESCDELAY */
	screen_colors = false;
	if (cfg->color && has_colors()) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_RED, -1);
		init_pair(2, COLOR_CYAN, -1);
		screen_colors = true;
	}
	return 0;
}

void ui_stop(void)
{
	if (!screen)
		return;
	endwin();
	delscreen(screen);
	screen = NULL;
	mem_on_out_of_memory(NULL);
}

static char *load_name;
static bool load_shown;

/* A bar in the middle of the screen:  讀取 FILE … 45%  [#########.........]
 * Returns false to stop the loading: a signal came (^C, a hang-up). */
static bool load_progress(size_t done, size_t total)
{
	if (stop_signal)
		return false;
	if (!load_shown && !progress_due())
		return true; /* quick files never show it */
	int pct = total ? (int)(done * 100 / total) : 100;
	if (!load_shown)
		erase();
	load_shown = true;
	int y = LINES / 2 - 1, w = COLS - 4;
	if (y < 0 || w < 10)
		return true;
	char *line = xasprintf("讀取 %s … %3d%%", load_name, pct);
	move(y, 2);
	clrtoeol();
	ui_put(y, 2, w, line, A_BOLD);
	free(line);
	int inner = w - 2, fill = inner * pct / 100;
	mvaddch(y + 1, 2, '[');
	for (int i = 0; i < inner; i++)
		addch(i < fill ? '#' : '.');
	addch(']');
	move(y + 1, 2 + fill + 1 > w ? w : 2 + fill + 1);
	refresh();
	return true;
}

void ui_load_begin(const char *path, int delay_ms)
{
	free(load_name);
	load_name = text_escape(path);
	load_shown = false;
	progress_set(load_progress, delay_ms);
}

void ui_load_end(void)
{
	progress_set(NULL, 0);
	free(load_name);
	load_name = NULL;
}

int ui_run(Session *s, const Config *cfg)
{
	raw(); /* ^S, ^Q, ^Z and ^C reach the program: no flow control, no signals */
	flushinp(); /* keys typed while the file loaded were typed blind */
	Ui ui = {.s = s, .cfg = cfg, .colors = screen_colors};
	lineedit_init(&ui.search, "");
	lineedit_init(&ui.line, "");
	session_opening_message(s);
	bool gone = false; /* the terminal went away */
	ui_form_open_field(&ui);
	if (session_has_recovery(s))
		ui_confirm_open(&ui, CONFIRM_RECOVER);
	for (;;) {
		draw(&ui);
		UiKey k = stop_signal ? (UiKey){.key = ERR} : read_key();
		if (stop_signal || (!k.is_char && k.key == ERR)) {
			/* a signal, or a blocking read that failed: the terminal is
			 * gone (a dropped link may close it before SIGHUP arrives).
			 * What was being typed goes to the journal too. */
			ui_form_commit(&ui);
			gone = !stop_signal || stop_signal == SIGHUP;
			break;
		}
		if (!k.is_char && k.key == KEY_RESIZE)
			continue; /* ncurses has resized stdscr; draw() lays out anew */
		if (!k.is_char && ui_keys_action(k.key, CTX_FORM) == ACT_REDRAW && ui.ov != OV_LINE) {
			clearok(curscr, TRUE);
			continue;
		}
		if (ui.ov != OV_HELP) { /* which shows it whole, while it is open */
			free(ui.last_msg);
			ui.last_msg = session_msg(s) ? xstrdup(session_msg(s)) : NULL;
		}
		session_clear_msg(s); /* a message lasts until the next key */
		if (dispatch(&ui, k) & UI_QUIT)
			break;
	}
	if (ui.editing)
		lineedit_free(&ui.edit);
	lineedit_free(&ui.search);
	lineedit_free(&ui.line);
	free(ui.list_rows);
	free(ui.pick_ticks);
	free(ui.last_search);
	free(ui.pending_path);
	free(ui.last_msg);
	free(ui.report_text);
	if (!gone) /* after a hang-up there is no terminal to restore */
		endwin();
	delscreen(screen);
	screen = NULL;
	mem_on_out_of_memory(NULL);
	if (stop_signal || gone) {
		fprintf(stderr, "spmform: %s，已關閉畫面%s\n",
			stop_signal ? "收到結束訊號" : "終端機已斷線",
			!session_dirty(s) ? ""
			: session_journaled(s)
			    ? "；未存檔的修改都在復原紀錄中，下次開啟時可以復原"
			    : "；未存檔的修改沒有保留下來");
		return -1;
	}
	return 0;
}
