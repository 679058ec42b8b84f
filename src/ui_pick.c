/* ui_pick.c - the dropdown of a choice field: only the values the rules
 * permit now, numbered; arrows and Enter choose, a digit picks, Esc
 * cancels.  For a multi field each value has a box: Space ticks the one
 * under the cursor, a digit the n-th, Enter keeps the ticks, Esc leaves
 * the value as it was. */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "text.h"
#include "ui_int.h"

/* Indices (into the field's values) of the values permitted now. */
static size_t permitted(const Ui *ui, size_t *idx)
{
	return session_permitted(ui->s, session_field(ui->s), idx);
}

static const FormField *pick_field(const Ui *ui)
{
	return form_field(session_form(ui->s), session_field(ui->s));
}

static void pick_close(Ui *ui)
{
	free(ui->pick_ticks);
	ui->pick_ticks = NULL;
	ui->ov = OV_NONE;
}

void ui_pick_open(Ui *ui)
{
	Session *s = ui->s;
	const FormField *f = pick_field(ui);
	size_t idx[f->nvalues ? f->nvalues : 1];
	size_t n = permitted(ui, idx);
	if (f->compute.op != COMPUTE_NONE) {
		session_set_msg(s, true, "「%s」自動計算，沒有選單", f->label);
		return;
	}
	if (n == 0) {
		session_set_msg(s, true, "「%s」目前沒有可選的值", f->label);
		return;
	}
	ui->pick_sel = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(f->values[idx[i]], session_value(s, session_field(s))) == 0)
			ui->pick_sel = i;
	free(ui->pick_ticks);
	ui->pick_ticks = NULL;
	if (f->kind == KIND_MULTI) {
		ui->pick_ticks = xcalloc(f->nvalues, sizeof *ui->pick_ticks);
		form_multi_ticks(f, session_value(s, session_field(s)), ui->pick_ticks);
	}
	ui->ov = OV_PICK;
}

/* Moves the dropdown's selection among its n values: up and down
 * (round), to the first or the last. */
static void pick_move(Ui *ui, Action a, size_t n)
{
	if (a == ACT_UP)
		ui->pick_sel = ui->pick_sel > 0 ? ui->pick_sel - 1 : n - 1;
	else if (a == ACT_DOWN)
		ui->pick_sel = ui->pick_sel + 1 < n ? ui->pick_sel + 1 : 0;
	else
		ui->pick_sel = a == ACT_PAGE_UP ? 0 : n - 1;
}

/* A key in a multi field's dropdown. */
static int multi_key(Ui *ui, UiKey k, size_t n)
{
	Session *s = ui->s;
	const FormField *f = pick_field(ui);
	bool digit = k.is_char && k.cp >= '1' && k.cp <= '9';
	Action a = digit	 ? ACT_TOGGLE
		   : k.is_char ? (k.cp < 0x80 ? ui_keys_action((int)k.cp, CTX_MULTI) : ACT_NONE)
			       : ui_keys_action(k.key, CTX_PICK);
	switch (a) {
	case ACT_TOGGLE: {
		size_t i = digit ? (size_t)(k.cp - '1') : ui->pick_sel;
		if (i < n)
			ui->pick_ticks[i] = !ui->pick_ticks[i];
		else
			session_set_msg(s, true, "「%s」只有 %zu 個可選的項目，沒有第 %zu 個", f->label, n,
					i + 1);
		break;
	}
	case ACT_UP:
	case ACT_DOWN:
	case ACT_PAGE_UP:
	case ACT_PAGE_DOWN:
		pick_move(ui, a, n);
		break;
	case ACT_ACCEPT: {
		char *v = form_multi_join(f, ui->pick_ticks);
		pick_close(ui);
		if (session_set(s, session_field(s), v) || !session_read_only(s))
			ui_form_next_field(ui);
		free(v);
		break;
	}
	case ACT_CANCEL:
		pick_close(ui);
		break;
	default:
		break;
	}
	return UI_OK;
}

int ui_pick_key(Ui *ui, UiKey k)
{
	Session *s = ui->s;
	const FormField *f = pick_field(ui);
	size_t idx[f->nvalues ? f->nvalues : 1];
	size_t n = permitted(ui, idx);
	if (ui->pick_ticks)
		return multi_key(ui, k, n);
	if (k.is_char) {
		if (k.cp == ' ')
			goto accept;
		if (ui_form_choice_char(ui, k.cp)) {
			ui->ov = OV_NONE;
			ui_form_next_field(ui);
		}
		return UI_OK;
	}
	Action a = ui_keys_action(k.key, CTX_PICK);
	switch (a) {
	case ACT_UP:
	case ACT_DOWN:
	case ACT_PAGE_UP:
	case ACT_PAGE_DOWN:
		pick_move(ui, a, n);
		break;
	case ACT_ACCEPT:
		goto accept;
	case ACT_CANCEL:
		ui->ov = OV_NONE;
		break;
	case ACT_HELP:
		ui_help_open(ui);
		break;
	default:
		break;
	}
	return UI_OK;
accept:
	ui->ov = OV_NONE;
	if (ui->pick_sel < n && (session_set(s, session_field(s), f->values[idx[ui->pick_sel]]) ||
				 !session_read_only(s)))
		ui_form_next_field(ui);
	return UI_OK;
}

/* An item of the dropdown: "1 value", for a multi field "[x] 1 value". */
static char *item_text(const Ui *ui, const FormField *f, size_t i, size_t value)
{
	const char *v = form_value_choice(f, f->values[value]); /* a code/label: the label */
	const char *box = !ui->pick_ticks ? "" : ui->pick_ticks[value] ? "[x] " : "[ ] ";
	return i < 9 ? xasprintf("%s%zu %s", box, i + 1, v) : xasprintf("%s  %s", box, v);
}

void ui_pick_draw(Ui *ui)
{
	const FormField *f = pick_field(ui);
	size_t idx[f->nvalues ? f->nvalues : 1];
	size_t n = permitted(ui, idx);
	if (ui->pick_sel >= n)
		ui->pick_sel = n ? n - 1 : 0;
	int iw = 0;
	for (size_t i = 0; i < n; i++) {
		char *v = item_text(ui, f, i, idx[i]);
		int w = ui_width(v) + 1;
		free(v);
		if (w > iw)
			iw = w;
	}
	int w = iw + 2, h = (int)n + 2;
	if (w > COLS)
		w = COLS;
	if (h > LINES - 2)
		h = LINES - 2;
	int rows = h - 2; /* items shown; the list scrolls when it is longer */
	int y = ui->cur_row + 1;
	if (y + h > LINES - 1)
		y = ui->cur_row - h;
	if (y < 1)
		y = 1;
	int x = ui->val_x;
	if (x + w > COLS)
		x = COLS - w;
	if (x < 0)
		x = 0;
	int top = (int)ui->pick_sel >= rows ? (int)ui->pick_sel - rows + 1 : 0;
	for (int r = 0; r < h; r++) {
		move(y + r, x);
		for (int c = 0; c < w; c++)
			addch(' ');
	}
	ui_box(ui, y, x, h, w);
	for (int r = 0; r < rows; r++) {
		size_t i = (size_t)(top + r);
		if (i >= n)
			break;
		char *item = item_text(ui, f, i, idx[i]);
		ui_put(y + 1 + r, x + 1, w - 2, item, i == ui->pick_sel ? A_REVERSE : A_NORMAL);
		free(item);
	}
	if (ui->pick_ticks)
		ui_draw_hints(CTX_MULTI | CTX_PICK, LINES - 1);
	curs_set(0);
	move(y + 1 + (int)ui->pick_sel - top, x + 1);
}
