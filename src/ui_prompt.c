/* ui_prompt.c - yes/no questions and the one-line prompt (both on the
 * status row), and the help screen generated from the key table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "text.h"
#include "ui_int.h"

/* --- yes / no --------------------------------------------------------------- */

void ui_confirm_open(Ui *ui, ConfirmKind kind)
{
	ui->confirm = kind;
	ui->ov = OV_CONFIRM;
}

static void save_to(Ui *ui, const char *path)
{
	session_save(ui->s, path, false); /* another file: no on-disk check */
}

int ui_confirm_key(Ui *ui, UiKey k)
{
	Session *s = ui->s;
	char c = k.is_char && k.cp < 0x80 ? (char)k.cp : 0;
	bool yes = c == 'y' || c == 'Y', no = c == 'n' || c == 'N';
	bool esc = !k.is_char && (k.key == 27 || ui_keys_action(k.key, CTX_LINE) == ACT_CANCEL);
	if (!yes && !no && !esc)
		return UI_OK; /* only an answer closes the question */
	ui->ov = OV_NONE;
	switch (ui->confirm) {
	case CONFIRM_QUIT:
		if (no) {
			session_abandon(s);
			return UI_QUIT;
		}
		if (yes && ui_save(ui))
			return UI_QUIT;
		ui_form_open_field(ui); /* the save failed or must ask: go on editing */
		break;
	case CONFIRM_CHANGED:
		if (yes)
			session_save(s, NULL, true);
		else
			session_set_msg(s, false, "未存檔；可用 ^W 另存新檔");
		break;
	case CONFIRM_RECOVER:
		if (yes)
			session_recover(s);
		else if (no)
			session_discard_recovery(s);
		else
			ui->ov = OV_CONFIRM; /* this one needs y or n */
		ui_form_open_field(ui);
		break;
	case CONFIRM_DELETE:
		if (yes) {
			session_delete_record(s);
			ui_form_open_field(ui);
		}
		break;
	case CONFIRM_OVERWRITE:
		if (yes && ui->line_purpose == LINE_EXPORT)
			session_export(s, ui->pending_path);
		else if (yes && ui->line_purpose == LINE_PRINT)
			session_print(s, ui->pending_path);
		else if (yes)
			save_to(ui, ui->pending_path);
		free(ui->pending_path);
		ui->pending_path = NULL;
		break;
	}
	return UI_OK;
}

void ui_confirm_draw(Ui *ui)
{
	Session *s = ui->s;
	char *q;
	switch (ui->confirm) {
	case CONFIRM_QUIT:
		q = xstrdup("尚未存檔。存檔後離開嗎？ y 存檔並離開  n 不存檔離開  Esc 留下");
		break;
	case CONFIRM_DELETE:
		q = xasprintf("刪除第 %zu 筆記錄嗎？ y 刪除  n 或 Esc 取消", session_rec(s) + 1);
		break;
	case CONFIRM_CHANGED:
		q = xstrdup("檔案在開啟後已被其他程式修改。仍要覆蓋嗎？ y 覆蓋  n 或 Esc 取消");
		break;
	case CONFIRM_RECOVER: {
		time_t first, last;
		size_t n = session_recovery_count(s, &first, &last);
		char from[32], to[32];
		text_time(first, from, sizeof from);
		text_time(last, to, sizeof to);
		q = xasprintf("上次有 %zu 筆修改未存檔 (%s 至 %s)，要復原嗎？ y 復原  n 不要", n, from,
			      to);
		break;
	}
	default: {
		char *p = text_escape(ui->pending_path ? ui->pending_path : "");
		q = xasprintf("%s 已存在，要覆蓋嗎？ y 覆蓋  n 或 Esc 取消", p);
		free(p);
		break;
	}
	}
	int row = LINES - 2;
	move(row, 0);
	clrtoeol();
	ui_put(row, 0, COLS - 1, q, A_REVERSE | A_BOLD);
	free(q);
	curs_set(0);
}

/* --- the one-line prompt ---------------------------------------------------- */

/* Writes the file the prompt named: saved as, exported or printed, after
 * asking when another file is there. */
static void write_to(Ui *ui, const char *path)
{
	Session *s = ui->s;
	int p = ui->line_purpose;
	if (!*path)
		session_set_msg(s, true, "沒有輸入檔名，未寫出");
	else if ((p == LINE_EXPORT && !session_export_ok(s, path)) ||
		 (p == LINE_PRINT && !session_print_ok(s, path)))
		; /* the message says why */
	else if (strcmp(path, session_path(s)) != 0 && access(path, F_OK) == 0) {
		free(ui->pending_path);
		ui->pending_path = xstrdup(path);
		ui_confirm_open(ui, CONFIRM_OVERWRITE);
	} else if (p == LINE_EXPORT)
		session_export(s, path);
	else if (p == LINE_PRINT)
		session_print(s, path);
	else
		save_to(ui, path);
}

/* "N": record N; ":L" (or "第 L 行"): the record on line L of the file. */
static void go_to(Ui *ui, const char *text)
{
	Session *s = ui->s;
	bool by_line = *text == ':';
	char *h = text_halfwidth(text + by_line); /* full-width digits too */
	char *end;
	errno = 0;
	long n = strtol(h, &end, 10);
	bool number = *h && !*end && errno == 0 && n > 0;
	free(h);
	if (!number)
		session_set_msg(s, true, "請輸入筆數 (例如 12)，或冒號加檔案的行號 (例如 :35)");
	else if (by_line)
		session_goto_line(s, n);
	else if ((size_t)n > session_nrecords(s))
		session_set_msg(s, true, "沒有第 %ld 筆 (共 %zu 筆)", n, session_nrecords(s));
	else {
		session_goto_record(s, (size_t)n - 1);
		session_first_field(s);
	}
	ui_form_open_field(ui);
}

void ui_line_open(Ui *ui, const char *initial, int purpose)
{
	lineedit_free(&ui->line);
	lineedit_init(&ui->line, initial);
	ui->line_purpose = purpose;
	ui->ov = OV_LINE;
}

int ui_line_key(Ui *ui, UiKey k)
{
	if (k.is_char && k.cp >= 0x20) {
		lineedit_insert(&ui->line, k.cp);
		return UI_OK;
	}
	switch (ui_keys_action(k.is_char ? (int)k.cp : k.key, CTX_LINE)) {
	case ACT_LEFT:
		lineedit_left(&ui->line);
		break;
	case ACT_RIGHT:
		lineedit_right(&ui->line);
		break;
	case ACT_HOME:
		lineedit_home(&ui->line);
		break;
	case ACT_END:
		lineedit_end(&ui->line);
		break;
	case ACT_BACKSPACE:
		lineedit_backspace(&ui->line);
		break;
	case ACT_DELETE:
		lineedit_delete(&ui->line);
		break;
	case ACT_CLEAR_FIELD:
		lineedit_clear(&ui->line);
		break;
	case ACT_CANCEL:
		ui->ov = OV_NONE;
		break;
	case ACT_HELP:
		ui_help_open(ui);
		break;
	case ACT_ACCEPT: {
		char *raw = lineedit_text(&ui->line);
		char *text = text_trim(raw);
		free(raw);
		ui->ov = OV_NONE;
		if (ui->line_purpose == LINE_GOTO)
			go_to(ui, text);
		else
			write_to(ui, text);
		free(text);
		break;
	}
	default:
		break;
	}
	return UI_OK;
}

void ui_line_draw(Ui *ui)
{
	int row = LINES - 2;
	static const char *const LABEL[] = {"另存新檔：", "匯出活頁簿：", "列印到 PDF：",
					    "跳到第幾筆 (:行號 = 檔案的第幾行)："};
	const char *label = LABEL[ui->line_purpose];
	int lw = ui_width(label);
	move(row, 0);
	clrtoeol();
	ui_put(row, 0, lw, label, A_BOLD);
	int w = COLS - lw - 1;
	wchar_t *buf = xmalloc(((size_t)w + 2) * sizeof *buf);
	int col;
	lineedit_view(&ui->line, w, buf, &col);
	ui_put_w(row, lw, buf, A_UNDERLINE);
	free(buf);
	ui_draw_hints(CTX_LINE, LINES - 1);
	curs_set(1);
	move(row, lw + col);
}

/* --- the end of a record ------------------------------------------------------ */

void ui_done_open(Ui *ui)
{
	ui->ov = OV_DONE;
}

int ui_done_key(Ui *ui, UiKey k)
{
	Session *s = ui->s;
	Action a = ui_keys_action(k.is_char ? (int)k.cp : k.key, CTX_LINE);
	ui->ov = OV_NONE;
	if (a == ACT_ACCEPT) { /* the next record, or a new one after the last */
		if (session_rec(s) + 1 < session_nrecords(s))
			session_goto_record(s, session_rec(s) + 1);
		else
			session_new_record(s);
		session_first_field(s);
		ui_form_open_field(ui);
		return UI_OK;
	}
	if (a == ACT_CANCEL || (k.is_char && k.cp >= 0x20))
		return UI_OK; /* back to the record's last field */
	return ui_form_key(ui, k);
}

void ui_done_draw(Ui *ui)
{
	Session *s = ui->s;
	size_t rec = session_rec(s);
	DiagList dl;
	diag_init(&dl);
	session_record_diags(s, rec, &dl);
	bool fresh = session_is_fresh(s, rec);
	char *head = fresh ? xasprintf("第 %zu 筆沒有輸入任何資料", rec + 1)
		     : dl.n ? xasprintf("第 %zu 筆填完：%zu 個錯誤、%zu 個警告", rec + 1, dl.nerrors,
					dl.nwarnings)
			    : xasprintf("第 %zu 筆填完，沒有錯誤", rec + 1);
	int shown = fresh ? 0 : (int)dl.n, room = LINES - 6;
	if (shown > room)
		shown = room > 0 ? room : 0;
	int h = shown + 4, y = LINES - 1 - h, w = COLS;
	for (int r = 0; r < h; r++) {
		move(y + r, 0);
		clrtoeol();
	}
	ui_box(ui, y, 0, h, w);
	ui_put(y + 1, 2, w - 4, head, A_BOLD);
	for (int i = 0; i < shown; i++) {
		const Diag *d = &dl.items[i];
		const char *label = d->field >= 0 ? form_field(session_form(s), (size_t)d->field)->label : "";
		char *line = xasprintf("%s %s%s%s", d->level == DIAG_ERROR ? "錯誤" : "警告", label,
				       *label ? "：" : "", d->msg);
		ui_put(y + 2 + i, 2, w - 4, line,
		       d->level == DIAG_ERROR ? A_BOLD | (ui->colors ? COLOR_PAIR(1) : 0) : A_NORMAL);
		free(line);
	}
	bool last = rec + 1 >= session_nrecords(s);
	char *keys = xasprintf("Enter %s  Esc 返回此筆  ^K 下一個有錯的記錄  ^S 存檔",
			       last ? "新增下一筆" : "到下一筆");
	ui_put(y + h - 2, 2, w - 4, keys, A_DIM);
	free(keys);
	free(head);
	diag_free(&dl);
	ui_draw_hints(CTX_LINE, LINES - 1);
	curs_set(0);
}

/* --- help ------------------------------------------------------------------------ */

/* The help screen's text, one entry a paragraph; "" is a blank row. */
typedef struct {
	char **text;
	bool *bold;
	size_t n, cap;
} Help;

static void add(Help *h, bool bold, char *text)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 64;
		h->text = xrealloc(h->text, h->cap * sizeof *h->text);
		h->bold = xrealloc(h->bold, h->cap * sizeof *h->bold);
	}
	h->bold[h->n] = bold;
	h->text[h->n++] = text;
}

static const char *const MARKS_AND_INPUT[] = {
    "【畫面上的記號】",
    " >  目前所在的欄位",
    " *  必填，還沒有填",
    " -  免填：依照其他欄位的答案，這一欄不必填",
    " !  這一欄的值有錯 (下方的狀態列說明原因)",
    "",
    "【文字欄】(名稱、OID、數字等)",
    " 直接打字會取代原有的內容 (反白顯示的值)，和 Excel 一樣。",
    " 要修改其中幾個字：先按 F2、←、→ 或 End，再打字；Backspace 刪除游標前的字，"
    "Delete 刪除游標上的字，Home 到開頭。",
    " Enter 或 Tab 到下一欄；Esc 取消這一欄的修改，回到原來的值。",
    "",
    "【選項欄】(畫面下方列出 1 2 3… 的欄位)",
    " 按數字選第幾個選項 (例如 2 選第二個)；是/否、有/無的欄位也可以按 y 或 n。",
    " Enter 或空白鍵開啟選單；Backspace 或 Delete 清除這一欄。",
    " 選單中：↑ ↓ 移動，Enter 選定，Esc 返回不修改。",
    "",
    "【輸入中文】",
    " 用您電腦或終端機本身的輸入法 (注音、倉頡、嘸蝦米…) 打字，選字後送出的字就會填入欄位；"
    "spmform 不需要另外設定。",
    "",
    "【記錄】",
    " 一筆記錄一個畫面；最後一欄之後按 Enter，會顯示這一筆的錯誤，再按 Enter 到下一筆。"
    "^K 跳到下一筆有錯的記錄；^Y 跳到第幾筆，或輸入冒號加行號 (例如 :35) 跳到 "
    "spmform check 所說的那一行。",
    "",
    "【記錄清單】(^T)",
    " 每一筆的編號、在檔案裡的行號、狀態 (完成、未完成、有錯、空白)；標題列有各狀態的筆數。"
    "打字搜尋所有欄位；^F 改成只搜尋某一欄 (再按換下一欄)；Tab 只顯示某一種狀態 "
    "(有錯、未完成、完成、空白，再按回到全部)。Enter 開啟，Esc 返回。",
};

/* Every binding, once per (name, action), in table order, as "KEY  what". */
static void add_keys(Help *h)
{
	add(h, true, xstrdup("【按鍵】"));
	for (size_t i = 0; i < NKEYS; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = KEYS[j].action == KEYS[i].action && strcmp(KEYS[j].name, KEYS[i].name) == 0;
		if (!seen)
			add(h, false, xasprintf(" %-10s %s", KEYS[i].name, KEYS[i].label));
	}
}

static Help build_help(const Ui *ui)
{
	Session *s = ui->s;
	const FormField *f = form_field(session_form(s), session_field(s));
	Help h = {0};
	if (ui->last_msg) {
		add(&h, true, xstrdup("【剛才的訊息】"));
		add(&h, false, xstrdup(ui->last_msg));
		add(&h, false, xstrdup(""));
	}
	DiagLevel level;
	const char *p = *session_value(s, session_field(s)) ? session_field_problem(s, session_field(s), &level)
							      : NULL;
	if (p && (!ui->last_msg || !strstr(ui->last_msg, p))) {
		add(&h, true, xstrdup("【這一欄的問題】"));
		add(&h, false, xstrdup(p));
		add(&h, false, xstrdup(""));
	}
	add(&h, true, xasprintf("【%s】", f->label));
	add(&h, false, xstrdup(f->help));
	if (*f->help_more)
		add(&h, false, xstrdup(f->help_more));
	add(&h, false, xstrdup(""));
	for (size_t i = 0; i < sizeof MARKS_AND_INPUT / sizeof *MARKS_AND_INPUT; i++)
		add(&h, strncmp(MARKS_AND_INPUT[i], "【", strlen("【")) == 0, xstrdup(MARKS_AND_INPUT[i]));
	add(&h, false, xstrdup(""));
	add_keys(&h);
	add(&h, false, xstrdup(""));
	add(&h, true,
	    ui->cfg->guide ? xasprintf("完整的使用說明 (有畫面範例)：%s", ui->cfg->guide)
			   : xstrdup("完整的使用說明 (有畫面範例)：docs/" GUIDE_NAME "，在程式的原始碼或安裝資料夾裡"));
	return h;
}

static void help_free(Help *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->text[i]);
	free(h->text);
	free(h->bold);
}

/* The rows the paragraphs take at width w; first_row_of[i] gets the row
 * paragraph i begins at. */
static int help_rows(const Help *h, int w, int *first_row_of)
{
	int rows = 0;
	for (size_t i = 0; i < h->n; i++) {
		first_row_of[i] = rows;
		rows += ui_rows_of(h->text[i], w);
	}
	return rows;
}

void ui_help_open(Ui *ui)
{
	ui->help_from = ui->ov;
	ui->ov = OV_HELP;
	ui->help_top = 0;
}

int ui_help_key(Ui *ui, UiKey k)
{
	int page = LINES - 2 > 1 ? LINES - 2 : 1;
	Action a = k.is_char ? (k.cp == ' ' ? ACT_PAGE_DOWN : ACT_NONE) : ui_keys_action(k.key, CTX_LIST);
	switch (a) {
	case ACT_UP:
		ui->help_top--;
		break;
	case ACT_DOWN:
		ui->help_top++;
		break;
	case ACT_PAGE_UP:
		ui->help_top -= page;
		break;
	case ACT_PAGE_DOWN:
		ui->help_top += page;
		break;
	default:
		ui->ov = ui->help_from; /* back to where it was opened */
		if (ui->ov == OV_NONE)
			ui_form_open_field(ui);
		return UI_OK;
	}
	if (ui->help_top < 0)
		ui->help_top = 0; /* help_draw keeps it from passing the end */
	return UI_OK;
}

void ui_help_draw(Ui *ui)
{
	Help h = build_help(ui);
	int w = COLS - 1, shown = LINES - 1;
	int *first = xmalloc((h.n ? h.n : 1) * sizeof *first);
	int total = help_rows(&h, w, first);
	if (ui->help_top > total - shown)
		ui->help_top = total - shown > 0 ? total - shown : 0;
	int top = ui->help_top;
	char *title = xasprintf(" 說明 第 %d-%d 行，共 %d 行 | ↑ ↓ PgUp PgDn 捲動，其他鍵返回", top + 1,
				top + shown < total ? top + shown : total, total);
	ui_put(0, 0, COLS, title, A_REVERSE);
	free(title);
	for (size_t i = 0; i < h.n; i++) {
		int end = i + 1 < h.n ? first[i + 1] : total;
		if (end <= top || first[i] >= top + shown)
			continue;
		int skip = top > first[i] ? top - first[i] : 0; /* cut at the top */
		int y = 1 + first[i] + skip - top;
		ui_put_rows(y, skip, shown + 1 - y, w, h.text[i], h.bold[i] ? A_BOLD : A_NORMAL);
	}
	free(first);
	help_free(&h);
	curs_set(0);
}
