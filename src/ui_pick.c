/* ui_pick.c - the dropdown of a choice field: only the values the rules
 * permit now, numbered; arrows and Enter choose, a digit picks, Esc
 * cancels. */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
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

void ui_pick_open(Ui *ui)
{
	Session *s = ui->s;
	const FormField *f = pick_field(ui);
	size_t idx[f->nvalues ? f->nvalues : 1];
	size_t n = permitted(ui, idx);
	if (n == 0) {
		session_set_msg(s, true, "「%s」目前沒有可選的值", f->label);
		return;
	}
	ui->pick_sel = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(f->values[idx[i]], session_value(s, session_field(s))) == 0)
			ui->pick_sel = i;
	ui->ov = OV_PICK;
}

int ui_pick_key(Ui *ui, UiKey k)
{
	Session *s = ui->s;
	const FormField *f = pick_field(ui);
	size_t idx[f->nvalues ? f->nvalues : 1];
	size_t n = permitted(ui, idx);
	if (k.is_char) {
		if (k.cp == ' ')
			goto accept;
		if (ui_form_choice_char(ui, k.cp)) {
			ui->ov = OV_NONE;
			ui_form_next_field(ui);
		}
		return UI_OK;
	}
	switch (ui_keys_action(k.key, CTX_PICK)) {
	case ACT_UP:
		ui->pick_sel = ui->pick_sel > 0 ? ui->pick_sel - 1 : n - 1;
		break;
	case ACT_DOWN:
		ui->pick_sel = ui->pick_sel + 1 < n ? ui->pick_sel + 1 : 0;
		break;
	case ACT_PAGE_UP:
		ui->pick_sel = 0;
		break;
	case ACT_PAGE_DOWN:
		ui->pick_sel = n - 1;
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

void ui_pick_draw(Ui *ui)
{
	const FormField *f = pick_field(ui);
	size_t idx[f->nvalues ? f->nvalues : 1];
	size_t n = permitted(ui, idx);
	if (ui->pick_sel >= n)
		ui->pick_sel = n ? n - 1 : 0;
	int iw = 0;
	for (size_t i = 0; i < n; i++) {
		int w = ui_width(form_value_choice(f, f->values[idx[i]])) + 3; /* "1 " + value + space */
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
		const char *v = form_value_choice(f, f->values[idx[i]]);
		char *item = i < 9 ? xasprintf("%zu %s", i + 1, v) : xasprintf("  %s", v);
		ui_put(y + 1 + r, x + 1, w - 2, item, i == ui->pick_sel ? A_REVERSE : A_NORMAL);
		free(item);
	}
	curs_set(0);
	move(y + 1 + (int)ui->pick_sel - top, x + 1);
}
