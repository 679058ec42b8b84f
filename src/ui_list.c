/* ui_list.c - the record list: one row per record with the form's list
 * columns and a status (完成 / 未完 / 錯誤); typing filters by text, Enter
 * opens a record. */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "text.h"
#include "ui_int.h"

/* Keeps the records matching the search.  When the search only grew (a
 * character typed at its end), only the records that matched before are
 * looked at again: typing stays fast on a large file. */
static void refilter(Ui *ui)
{
	Session *s = ui->s;
	size_t n = session_nrecords(s);
	char *q = lineedit_text(&ui->search);
	bool narrowing = ui->last_search && *ui->last_search && ui->nlist_rows <= n &&
			 strncmp(q, ui->last_search, strlen(ui->last_search)) == 0;
	size_t from = narrowing ? ui->nlist_rows : n;
	if (!narrowing) {
		ui->list_rows = xrealloc(ui->list_rows, (n ? n : 1) * sizeof *ui->list_rows);
		for (size_t r = 0; r < n; r++)
			ui->list_rows[r] = r;
	}
	size_t kept = session_filter(s, q, ui->list_rows, from);
	ui->nlist_rows = kept;
	free(ui->last_search);
	ui->last_search = q;
	ui->list_sel = 0;
	for (size_t i = 0; i < ui->nlist_rows; i++)
		if (ui->list_rows[i] == session_rec(s))
			ui->list_sel = i;
}

void ui_list_open(Ui *ui)
{
	ui->ov = OV_LIST;
	ui->list_top = 0;
	lineedit_clear(&ui->search); /* a new look at the whole list */
	free(ui->last_search);
	ui->last_search = NULL;
	refilter(ui);
}

void ui_list_close(Ui *ui)
{
	ui->ov = OV_NONE;
	ui_form_open_field(ui);
}

static int list_rows_shown(void)
{
	return LINES - 4; /* title, header, search, hints */
}

int ui_list_key(Ui *ui, UiKey k)
{
	Session *s = ui->s;
	size_t n = ui->nlist_rows;
	size_t page = list_rows_shown() > 1 ? (size_t)list_rows_shown() : 1;
	if (k.is_char && k.cp >= 0x20) {
		lineedit_insert(&ui->search, k.cp);
		refilter(ui);
		return UI_OK;
	}
	Action a = ui_keys_action(k.is_char ? (int)k.cp : k.key, CTX_LIST);
	switch (a) {
	case ACT_UP:
		if (ui->list_sel > 0)
			ui->list_sel--;
		break;
	case ACT_DOWN:
		if (ui->list_sel + 1 < n)
			ui->list_sel++;
		break;
	case ACT_PAGE_UP:
		ui->list_sel = ui->list_sel > page ? ui->list_sel - page : 0;
		break;
	case ACT_PAGE_DOWN:
		ui->list_sel = ui->list_sel + page < n ? ui->list_sel + page : (n ? n - 1 : 0);
		break;
	case ACT_BACKSPACE:
		lineedit_end(&ui->search);
		lineedit_backspace(&ui->search);
		refilter(ui);
		break;
	case ACT_CLEAR_FIELD:
		lineedit_clear(&ui->search);
		refilter(ui);
		break;
	case ACT_ACCEPT:
		if (n) {
			session_goto_record(s, ui->list_rows[ui->list_sel]);
			ui_list_close(ui);
		}
		break;
	case ACT_CANCEL:
		ui_list_close(ui);
		break;
	case ACT_NEXT_ERROR:
		for (size_t k2 = 1; k2 <= n; k2++) {
			size_t i = (ui->list_sel + k2) % n;
			RecordState st = session_record_state(s, ui->list_rows[i]);
			if (st == REC_ERROR || st == REC_INCOMPLETE) {
				ui->list_sel = i;
				return UI_OK;
			}
		}
		session_set_msg(s, false, "所有記錄都沒有錯誤");
		break;
	case ACT_SAVE:
		ui_save(ui);
		break;
	case ACT_HELP:
		ui_help_open(ui);
		break;
	case ACT_QUIT:
		ui_list_close(ui);
		if (!session_dirty(s))
			return UI_QUIT;
		ui_confirm_open(ui, CONFIRM_QUIT);
		break;
	default:
		break;
	}
	return UI_OK;
}

void ui_list_draw(Ui *ui)
{
	Session *s = ui->s;
	const Form *form = session_form(s);
	int W = COLS, rows = list_rows_shown();
	size_t nl;
	const size_t *cols = form_list_fields(form, &nl);
	char *title = xasprintf(" 記錄清單 | 共 %zu 筆%s", session_nrecords(s),
				ui->search.len ? " | 符合搜尋" : "");
	char *t2 = ui->search.len ? xasprintf("%s %zu 筆", title, ui->nlist_rows) : xstrdup(title);
	ui_put(0, 0, W, t2, A_REVERSE);
	free(t2);
	free(title);

	/* columns: number, status, then the list fields sharing the rest */
	int x0 = 14, avail = W - x0 - 1;
	int cw = nl ? avail / (int)nl : avail;
	ui_put(1, 0, 6, "    #", A_BOLD);
	ui_put(1, 6, 7, "狀態", A_BOLD);
	for (size_t c = 0; c < nl; c++)
		ui_put(1, x0 + (int)c * cw, cw - 1, form_field(form, cols[c])->label, A_BOLD);

	if (ui->list_sel < ui->list_top)
		ui->list_top = ui->list_sel;
	if (rows > 0 && ui->list_sel >= ui->list_top + (size_t)rows)
		ui->list_top = ui->list_sel - (size_t)rows + 1;
	static const char *const STATE[] = {"空白", "完成", "未完成", "有錯"};
	int sel_row = 2;
	for (int r = 0; r < rows; r++) {
		size_t i = ui->list_top + (size_t)r;
		if (i >= ui->nlist_rows)
			break;
		size_t rec = ui->list_rows[i];
		attr_t a = i == ui->list_sel ? A_REVERSE : A_NORMAL;
		int row = 2 + r;
		if (i == ui->list_sel)
			sel_row = row;
		char num[24];
		snprintf(num, sizeof num, "%5zu", rec + 1);
		RecordState st = session_record_state(s, rec);
		ui_put(row, 0, 6, num, a);
		attr_t sa = a | (st == REC_ERROR ? A_BOLD : 0) |
			    (st == REC_ERROR && ui->colors ? COLOR_PAIR(1) : 0);
		ui_put(row, 6, 7, STATE[st], sa);
		char *const *cells = session_cells(s, rec);
		for (size_t c = 0; c < nl; c++)
			ui_put(row, x0 + (int)c * cw, c + 1 < nl ? cw : avail - (int)c * cw, cells[cols[c]],
			       a);
	}
	if (ui->nlist_rows == 0)
		ui_put(2, 2, W - 3, "(沒有符合的記錄)", A_DIM);

	/* the search line */
	int srow = LINES - 2;
	move(srow, 0);
	clrtoeol();
	if (session_msg(s)) {
		ui_draw_status(ui, srow);
	} else {
		ui_put(srow, 0, 6, "搜尋：", A_BOLD);
		wchar_t *buf = xmalloc(((size_t)W + 2) * sizeof *buf);
		int col;
		lineedit_view(&ui->search, W - 8, buf, &col);
		ui_put_w(srow, 6, buf, A_UNDERLINE);
		free(buf);
		(void)sel_row;
		ui_draw_hints(CTX_LIST, LINES - 1);
		curs_set(1);
		move(srow, 6 + col);
		return;
	}
	ui_draw_hints(CTX_LIST, LINES - 1);
	curs_set(0);
	move(sel_row, 0);
}
