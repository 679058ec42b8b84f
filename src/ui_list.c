/* ui_list.c - the record list: one row per record with its number, the
 * line it starts on in the file, a status (空白 / 完成 / 未完成 / 有錯) and
 * the form's list columns.  Typing searches (every field, or one: ^F),
 * Tab shows the records of one status only, Enter opens a record. */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "text.h"
#include "ui_int.h"

/* The order Tab shows the states in, after all of them (-1). */
static const int STATE_ORDER[] = {-1, REC_ERROR, REC_INCOMPLETE, REC_COMPLETE, REC_EMPTY};
static const char *const STATE[] = {"空白", "完成", "未完成", "有錯"};

/* Keeps the records of the state shown matching the search.  When the
 * search only grew (a character typed at its end), only the records that
 * matched before are looked at again: typing stays fast on a large file. */
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
		if (ui->list_state >= 0)
			from = session_filter_state(s, (RecordState)ui->list_state, ui->list_rows, n);
	}
	size_t kept = session_filter(s, q, ui->list_field, ui->list_rows, from);
	ui->nlist_rows = kept;
	free(ui->last_search);
	ui->last_search = q;
	ui->list_sel = 0;
	for (size_t i = 0; i < ui->nlist_rows; i++)
		if (ui->list_rows[i] == session_rec(s))
			ui->list_sel = i;
}

/* The list again from scratch (the state or the field searched changed). */
static void refilter_all(Ui *ui)
{
	free(ui->last_search);
	ui->last_search = NULL;
	refilter(ui);
}

void ui_list_open(Ui *ui)
{
	Session *s = ui->s;
	ui->ov = OV_LIST;
	ui->list_top = 0;
	ui->list_state = -1;
	ui->list_field = -1;
	memset(ui->list_counts, 0, sizeof ui->list_counts);
	for (size_t r = 0; r < session_nrecords(s); r++)
		ui->list_counts[session_record_state(s, r)]++;
	lineedit_clear(&ui->search); /* a new look at the whole list */
	refilter_all(ui);
}

/* Tab: the next state in STATE_ORDER. */
static void next_state(Ui *ui)
{
	size_t n = sizeof STATE_ORDER / sizeof *STATE_ORDER, i = 0;
	while (i < n && STATE_ORDER[i] != ui->list_state)
		i++;
	ui->list_state = STATE_ORDER[(i + 1) % n];
	refilter_all(ui);
}

/* ^F: search the next field only, after the last every field again. */
static void next_field(Ui *ui)
{
	long nf = (long)form_nfields(session_form(ui->s));
	ui->list_field = ui->list_field + 1 < nf ? ui->list_field + 1 : -1;
	refilter_all(ui);
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
	case ACT_FILTER:
		next_state(ui);
		break;
	case ACT_SEARCH_FIELD:
		next_field(ui);
		break;
	case ACT_GOTO:
		ui_list_close(ui);
		ui_line_open(ui, "", LINE_GOTO);
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

/* The title: the totals, and how many are shown when not every one is. */
static void draw_title(Ui *ui)
{
	const size_t *c = ui->list_counts;
	char *shown = ui->list_state >= 0 ? xasprintf(" | 顯示「%s」%s %zu 筆", STATE[ui->list_state],
						      ui->search.len ? "且符合搜尋" : "", ui->nlist_rows)
		      : ui->search.len ? xasprintf(" | 符合搜尋 %zu 筆", ui->nlist_rows)
				       : xstrdup("");
	char *title = xasprintf(" 記錄清單 | 共 %zu 筆：完成 %zu、未完成 %zu、有錯 %zu、空白 %zu%s",
				session_nrecords(ui->s), c[REC_COMPLETE], c[REC_INCOMPLETE], c[REC_ERROR],
				c[REC_EMPTY], shown);
	ui_put(0, 0, COLS, title, A_REVERSE);
	free(title);
	free(shown);
}

void ui_list_draw(Ui *ui)
{
	Session *s = ui->s;
	const Form *form = session_form(s);
	int W = COLS, rows = list_rows_shown();
	size_t nl;
	const size_t *cols = form_list_fields(form, &nl);
	draw_title(ui);

	/* columns: number, line, status, then the list fields sharing the rest */
	int x0 = 20, avail = W - x0 - 1;
	int cw = nl ? avail / (int)nl : avail;
	ui_put(1, 0, 6, "    #", A_BOLD);
	ui_put(1, 6, 6, "  行", A_BOLD);
	ui_put(1, 13, 7, "狀態", A_BOLD);
	for (size_t c = 0; c < nl; c++)
		ui_put(1, x0 + (int)c * cw, cw - 1, form_field(form, cols[c])->label, A_BOLD);

	if (ui->list_sel < ui->list_top)
		ui->list_top = ui->list_sel;
	if (rows > 0 && ui->list_sel >= ui->list_top + (size_t)rows)
		ui->list_top = ui->list_sel - (size_t)rows + 1;
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
		char num[24], line[24] = "";
		snprintf(num, sizeof num, "%5zu", rec + 1);
		if (session_line(s, rec))
			snprintf(line, sizeof line, "%6ld", session_line(s, rec));
		RecordState st = session_record_state(s, rec);
		ui_put(row, 0, 6, num, a);
		ui_put(row, 6, 7, line, a);
		attr_t sa = a | (st == REC_ERROR ? A_BOLD : 0) |
			    (st == REC_ERROR && ui->colors ? COLOR_PAIR(1) : 0);
		ui_put(row, 13, 7, STATE[st], sa);
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
		if (ui_draw_status(ui, srow) < 2)
			ui_draw_hints(CTX_LIST, LINES - 1);
		curs_set(0);
		move(sel_row, 0);
		return;
	}
	char *label = ui->list_field < 0
			  ? xstrdup("搜尋全部欄位：")
			  : xasprintf("搜尋「%s」：", form_field(form, (size_t)ui->list_field)->label);
	int lw = ui_width(label);
	if (lw > W / 2)
		lw = W / 2;
	ui_put(srow, 0, lw, label, A_BOLD);
	free(label);
	wchar_t *buf = xmalloc(((size_t)W + 2) * sizeof *buf);
	int col;
	lineedit_view(&ui->search, W - lw - 2, buf, &col);
	ui_put_w(srow, lw, buf, A_UNDERLINE);
	free(buf);
	ui_draw_hints(CTX_LIST, LINES - 1);
	curs_set(1);
	move(srow, lw + col);
}
