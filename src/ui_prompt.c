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

/* --- the save-as prompt ------------------------------------------------------- */

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
	case ACT_ACCEPT: {
		char *raw = lineedit_text(&ui->line);
		char *path = text_trim(raw);
		free(raw);
		ui->ov = OV_NONE;
		if (!*path) {
			session_set_msg(ui->s, true, "沒有輸入檔名，未存檔");
		} else if (ui->line_purpose == LINE_EXPORT && !session_export_ok(ui->s, path)) {
			/* the message says why */
		} else if (strcmp(path, session_path(ui->s)) != 0 && access(path, F_OK) == 0) {
			free(ui->pending_path);
			ui->pending_path = path;
			ui_confirm_open(ui, CONFIRM_OVERWRITE);
			return UI_OK;
		} else if (ui->line_purpose == LINE_EXPORT) {
			session_export(ui->s, path);
		} else {
			save_to(ui, path);
		}
		free(path);
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
	const char *label = ui->line_purpose == LINE_EXPORT ? "匯出活頁簿：" : "另存新檔：";
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

/* --- help ------------------------------------------------------------------------ */

void ui_help_open(Ui *ui)
{
	ui->help_from = ui->ov;
	ui->ov = OV_HELP;
}

int ui_help_key(Ui *ui, UiKey k)
{
	(void)k;
	ui->ov = ui->help_from; /* back to the record list or the record */
	if (ui->ov == OV_NONE)
		ui_form_open_field(ui);
	return UI_OK;
}

/* Word-wraps utf8 into rows from y on, width w; returns the next row. */
static int wrap(int y, int w, int last, const char *utf8, attr_t a)
{
	LineEdit e;
	lineedit_init(&e, utf8);
	size_t i = 0;
	while (i < e.len && y <= last) {
		int used = 0;
		size_t j = i;
		while (j < e.len && used + lineedit_cp_width(e.cp[j]) <= w)
			used += lineedit_cp_width(e.cp[j++]);
		uint32_t save = j < e.len ? e.cp[j] : 0;
		e.cp[j < e.len ? j : e.len - 1] = j < e.len ? 0 : e.cp[e.len - 1];
		LineEdit part = {e.cp + i, j - i, j - i, 0, 0};
		char *t = lineedit_text(&part);
		ui_put(y++, 0, w, t, a);
		free(t);
		if (j < e.len)
			e.cp[j] = save;
		i = j;
	}
	lineedit_free(&e);
	return y;
}

void ui_help_draw(Ui *ui)
{
	Session *s = ui->s;
	const FormField *f = form_field(session_form(s), session_field(s));
	ui_put(0, 0, COLS, " 說明：按任何鍵返回", A_REVERSE);
	int y = 1, last = LINES - 1;
	char *head = xasprintf("【%s】", f->label);
	y = wrap(y, COLS - 1, last, head, A_BOLD);
	free(head);
	y = wrap(y, COLS - 1, last, f->help, A_NORMAL);
	if (*f->help_more)
		y = wrap(y, COLS - 1, last, f->help_more, A_NORMAL);
	y++;
	/* every binding, once per (name, action), in table order, two columns */
	int colw = COLS / 2, col = 0;
	for (size_t i = 0; i < NKEYS && y <= last; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = KEYS[j].action == KEYS[i].action && strcmp(KEYS[j].name, KEYS[i].name) == 0;
		if (seen)
			continue;
		char *item = xasprintf("%-10s %s", KEYS[i].name, KEYS[i].label);
		ui_put(y, col * colw, colw - 1, item, A_NORMAL);
		free(item);
		if (++col == 2) {
			col = 0;
			y++;
		}
	}
	curs_set(0);
}
