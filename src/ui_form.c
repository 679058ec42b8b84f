/* ui_form.c - the record screen: one record, its fields as "label value"
 * rows, the help of the current field, status and hints. */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "rules.h"
#include "text.h"
#include "ui_int.h"

#define MIN_COLS 40
#define MIN_LINES 10

bool form_too_small(void)
{
	return COLS < MIN_COLS || LINES < MIN_LINES;
}

static const FormField *cur_field(const Ui *ui)
{
	return form_field(ui->s->form, ui->s->field);
}

static KeyCtx field_ctx(const Ui *ui)
{
	return cur_field(ui)->kind == KIND_CHOICE ? CTX_CHOICE : CTX_TEXT;
}

void form_open_field(Ui *ui)
{
	if (ui->editing)
		lineedit_free(&ui->edit);
	ui->editing = cur_field(ui)->kind != KIND_CHOICE;
	if (ui->editing) {
		lineedit_init(&ui->edit, session_value(ui->s, ui->s->field));
		ui->edit_field = ui->s->field;
		ui->edit_rec = ui->s->rec;
	}
}

void form_commit(Ui *ui)
{
	if (!ui->editing)
		return;
	Session *s = ui->s;
	char *text = lineedit_text(&ui->edit);
	size_t rec = s->rec, field = s->field;
	s->rec = ui->edit_rec;
	s->field = ui->edit_field;
	session_set(s, ui->edit_field, text);
	s->rec = rec;
	s->field = field;
	free(text);
	lineedit_free(&ui->edit);
	ui->editing = false;
}

/* Leaves the current field: keeps what was typed and, when the value is
 * wrong, says so on the status line (the clerk may still move on). */
static void leave_field(Ui *ui)
{
	Session *s = ui->s;
	form_commit(ui);
	if (s->msg)
		return; /* a message from the rules says more */
	DiagList dl;
	diag_init(&dl);
	session_record_diags(s, s->rec, &dl);
	for (size_t i = 0; i < dl.n; i++)
		if (dl.items[i].field == (int)s->field && *session_value(s, s->field)) {
			session_set_msg(s, dl.items[i].level == DIAG_ERROR, "%s：%s", cur_field(ui)->label,
					dl.items[i].msg);
			break;
		}
	diag_free(&dl);
}

void form_next_field(Ui *ui)
{
	leave_field(ui);
	session_next_field(ui->s);
	form_open_field(ui);
}

/* A choice made by a key: a digit 1-9 (the n-th permitted value) or an
 * alias such as y/n.  Returns true when it picked something. */
bool form_choice_char(Ui *ui, uint32_t cp)
{
	Session *s = ui->s;
	const FormField *f = cur_field(ui);
	char in[8] = {0};
	text_utf8_encode(cp, in);
	char *h = text_halfwidth(in);
	bool done = false;
	if (h[0] >= '1' && h[0] <= '9' && h[1] == '\0') {
		done = session_pick(s, s->field, (size_t)(h[0] - '0'));
	} else {
		char *v = form_normalize(f, h);
		if (form_value_index(f, v) >= 0) {
			const FormRule *why;
			if (rules_value_ok(s->form, session_cells(s, s->rec), s->field, v, &why)) {
				session_set(s, s->field, v);
				done = true;
			} else {
				session_set_msg(s, true, "「%s」現在不可填「%s」", f->label, v);
			}
		} else {
			size_t idx[f->nvalues ? f->nvalues : 1];
			size_t k = rules_permitted(s->form, session_cells(s, s->rec), s->field, idx);
			session_set_msg(s, true, "請按 1-%zu 選擇，或按 Enter 開啟選單", k);
		}
		free(v);
	}
	free(h);
	return done;
}

/* Typed text for a text, integer or OID field. */
static void type_char(Ui *ui, uint32_t cp)
{
	const FormField *f = cur_field(ui);
	if (f->kind == KIND_INTEGER || f->kind == KIND_OID) {
		if (cp >= 0xFF01 && cp <= 0xFF5E)
			cp = cp - 0xFF01 + 0x21; /* full-width digits and dot */
		if (f->kind == KIND_INTEGER && (cp < '0' || cp > '9')) {
			session_set_msg(ui->s, true, "「%s」只能填數字 (整數)", f->label);
			return;
		}
	}
	lineedit_insert(&ui->edit, cp);
}

static int do_action(Ui *ui, Action a)
{
	Session *s = ui->s;
	switch (a) {
	case ACT_NEXT_FIELD:
		form_next_field(ui);
		break;
	case ACT_PREV_FIELD:
		leave_field(ui);
		session_prev_field(s);
		form_open_field(ui);
		break;
	case ACT_NEXT_REC:
		leave_field(ui);
		session_next_record(s);
		form_open_field(ui);
		break;
	case ACT_PREV_REC:
		leave_field(ui);
		session_prev_record(s);
		form_open_field(ui);
		break;
	case ACT_NEW_REC:
		leave_field(ui);
		session_new_record(s);
		session_clear_msg(s);
		session_set_msg(s, false, "新增第 %zu 筆", s->rec + 1);
		form_open_field(ui);
		break;
	case ACT_DUP_FIELD:
		if (ui->editing) {
			lineedit_free(&ui->edit);
			ui->editing = false;
		}
		if (session_dup_field(s))
			session_next_field(s);
		form_open_field(ui);
		break;
	case ACT_DUP_REC:
		leave_field(ui);
		session_dup_record(s);
		form_open_field(ui);
		break;
	case ACT_DEL_REC:
		form_commit(ui);
		form_open_field(ui);
		confirm_open(ui, CONFIRM_DELETE);
		break;
	case ACT_UNDO: {
		char *typed = ui->editing ? lineedit_text(&ui->edit) : NULL;
		bool typing = typed && strcmp(typed, session_value(s, s->field)) != 0;
		free(typed);
		if (typing) /* first undo what was typed into this field */
			session_set_msg(s, false, "已復原此欄的輸入");
		else
			session_undo(s);
		form_open_field(ui);
		break;
	}
	case ACT_LIST:
		leave_field(ui);
		list_open(ui);
		break;
	case ACT_NEXT_ERROR:
		leave_field(ui);
		session_clear_msg(s);
		session_next_error(s);
		form_open_field(ui);
		break;
	case ACT_SAVE:
		ui_save(ui);
		form_open_field(ui);
		break;
	case ACT_SAVE_AS:
		form_commit(ui);
		form_open_field(ui);
		line_open(ui, s->path, LINE_SAVE_AS);
		break;
	case ACT_EXPORT: {
		form_commit(ui);
		form_open_field(ui);
		/* the file's name with .xlsx in place of its ending */
		char *name = xstrdup(s->path);
		char *dot = strrchr(name, '.'), *slash = strrchr(name, '/');
		if (dot && (!slash || dot > slash))
			*dot = '\0';
		char *x = xasprintf("%s.xlsx", name);
		line_open(ui, x, LINE_EXPORT);
		free(x);
		free(name);
		break;
	}
	case ACT_QUIT:
		form_commit(ui);
		if (!s->dirty)
			return UI_QUIT;
		form_open_field(ui);
		confirm_open(ui, CONFIRM_QUIT);
		break;
	case ACT_HELP:
		help_open(ui);
		break;
	case ACT_CLEAR_FIELD:
		if (ui->editing)
			lineedit_clear(&ui->edit);
		else
			session_set(s, s->field, "");
		break;
	case ACT_OPEN_PICK:
		pick_open(ui);
		break;
	case ACT_CANCEL:
		form_open_field(ui); /* back to the stored value */
		break;
	case ACT_LEFT:
		lineedit_left(&ui->edit);
		break;
	case ACT_RIGHT:
		lineedit_right(&ui->edit);
		break;
	case ACT_HOME:
		lineedit_home(&ui->edit);
		break;
	case ACT_END:
		lineedit_end(&ui->edit);
		break;
	case ACT_BACKSPACE:
		lineedit_backspace(&ui->edit);
		break;
	case ACT_DELETE:
		lineedit_delete(&ui->edit);
		break;
	default:
		break;
	}
	return UI_OK;
}

int form_key(Ui *ui, UiKey k)
{
	if (form_too_small())
		return keys_action(k.key, CTX_FORM) == ACT_QUIT ? do_action(ui, ACT_QUIT) : UI_OK;
	KeyCtx ctx = field_ctx(ui);
	if (k.is_char) {
		Action a = k.cp < 0x80 ? keys_action((int)k.cp, ctx) : ACT_NONE;
		if (a != ACT_NONE)
			return do_action(ui, a);
		if (!ui->editing) {
			if (form_choice_char(ui, k.cp))
				form_next_field(ui);
		} else {
			type_char(ui, k.cp);
		}
		return UI_OK;
	}
	Action a = keys_action(k.key, ctx);
	if (a == ACT_NONE)
		a = keys_action(k.key, CTX_FORM);
	if (a == ACT_NONE && k.key != 27) {
		const char *name = keyname(k.key);
		session_set_msg(ui->s, false, "按鍵 %s 沒有作用 (^G 看說明)", name ? name : "?");
	}
	return do_action(ui, a);
}

/* --- drawing --------------------------------------------------------------- */

/* "1行政 2業務" for the values permitted now. */
static char *choices_text(const Ui *ui, size_t field)
{
	const Session *s = ui->s;
	const FormField *f = form_field(s->form, field);
	size_t idx[f->nvalues ? f->nvalues : 1];
	size_t k = rules_permitted(s->form, session_cells(s, s->rec), field, idx);
	char *t = xstrdup("");
	for (size_t i = 0; i < k; i++) {
		char *v = form_value_text(f, f->values[idx[i]]);
		char *n = xasprintf("%s%s%zu %s", t, i ? "  " : "", i + 1, v);
		free(v);
		free(t);
		t = n;
	}
	return t;
}

void form_draw(Ui *ui)
{
	Session *s = ui->s;
	const Form *form = s->form;
	size_t nf = form_nfields(form);
	int H = LINES, W = COLS;

	/* layout: title, fields, help, status, hints; at exactly one row short
	 * the help and status share a row, below that the fields scroll */
	bool merged = H == (int)nf + 3;
	int area = merged ? (int)nf : H - 4;
	int help_row = H - 3 + (merged ? 1 : 0), status_row = H - 2, hint_row = H - 1;
	if (area > (int)nf)
		area = (int)nf;
	if ((int)s->field < ui->field_top)
		ui->field_top = (int)s->field;
	if ((int)s->field >= ui->field_top + area)
		ui->field_top = (int)s->field - area + 1;
	if (ui->field_top + area > (int)nf)
		ui->field_top = (int)nf - area;
	if (ui->field_top < 0)
		ui->field_top = 0;

	/* title */
	char *path = text_escape(s->path);
	/* what matters most first: a narrow terminal cuts the end */
	char *title = xasprintf(" 第 %zu/%zu 筆%s%s | %s | %s%s", s->rec + 1, session_nrecords(s),
				s->read_only ? " [唯讀]" : "", s->dirty ? " *未存檔" : "", form_title(form), path,
				ui->field_top > 0 || ui->field_top + area < (int)nf ? " | 欄位可捲動" : "");
	ui_put(0, 0, W, title, A_REVERSE);
	free(title);
	free(path);

	int lw = 0;
	for (size_t i = 0; i < nf; i++) {
		int w = ui_width(form_field(form, i)->label);
		if (w > lw)
			lw = w;
	}
	if (lw > W * 2 / 5)
		lw = W * 2 / 5;
	ui->val_x = 3 + lw;
	int vw = W - ui->val_x - 1;

	DiagList dl;
	diag_init(&dl);
	session_record_diags(s, s->rec, &dl);
	char **cells = session_cells(s, s->rec);
	int cur_x = ui->val_x, cur_y = 1;
	for (int r = 0; r < area; r++) {
		size_t i = (size_t)(ui->field_top + r);
		int row = 1 + r;
		const FormField *f = form_field(form, i);
		bool cur = i == s->field;
		const Diag *err = NULL;
		for (size_t d = 0; d < dl.n && !err; d++)
			if (dl.items[d].field == (int)i && dl.items[d].level == DIAG_ERROR)
				err = &dl.items[d];
		FieldNeed need = rules_need(form, cells, i, NULL);
		bool empty = !*cells[i];
		char mark = err && !empty ? '!' : need == NEED_REQUIRED ? '*' : need == NEED_WAIVED ? '-' : ' ';
		mvaddch(row, 0, cur ? '>' : ' ');
		attr_t ma = mark == '!' ? A_BOLD | (ui->colors ? COLOR_PAIR(1) : 0) : A_NORMAL;
		attrset(ma);
		mvaddch(row, 1, (chtype)mark);
		attrset(A_NORMAL);
		ui_put(row, 2, lw, f->label, cur ? A_REVERSE : (err && !empty) ? A_BOLD : A_NORMAL);
		if (cur) {
			ui->cur_row = row;
			cur_y = row;
		}
		if (cur && ui->editing && ui->edit.len > 0) {
			wchar_t *buf = xmalloc(((size_t)vw + 2) * sizeof *buf);
			int col;
			lineedit_view(&ui->edit, vw, buf, &col);
			ui_put_w(row, ui->val_x, buf, A_UNDERLINE);
			free(buf);
			cur_x = ui->val_x + col;
			continue;
		}
		if (cur && ui->editing)
			empty = true; /* typed nothing yet: show what the field needs */
		if (!empty) {
			attr_t a = err ? A_BOLD | A_UNDERLINE | (ui->colors ? COLOR_PAIR(1) : 0) : A_NORMAL;
			char *shown = form_value_text(f, cells[i]);
			ui_put(row, ui->val_x, vw, shown, a);
			free(shown);
			continue;
		}
		/* an empty value: say what it needs */
		const char *prompt = rules_prompt(form, cells, i);
		char *hint = NULL;
		if (cur && f->kind == KIND_CHOICE)
			hint = choices_text(ui, i);
		else if (prompt)
			hint = xasprintf("(%s)", prompt);
		else if (need == NEED_WAIVED)
			hint = xstrdup("免填");
		else if (need == NEED_REQUIRED)
			hint = xstrdup("(必填)");
		if (hint)
			ui_put(row, ui->val_x, vw, hint,
			       A_DIM | (prompt ? A_UNDERLINE : 0) | (ui->colors ? COLOR_PAIR(2) : 0));
		free(hint);
	}
	diag_free(&dl);

	/* help of the current field (or the rules' prompt), status, hints */
	const FormField *f = cur_field(ui);
	if (!merged || !s->msg) {
		const char *prompt = rules_prompt(form, cells, s->field);
		char *help;
		const char *more = *f->help_more ? " " : "";
		if (f->kind == KIND_CHOICE) {
			char *c = choices_text(ui, s->field);
			help = xasprintf("%s | %s%s%s", c, f->help, more, f->help_more);
			free(c);
		} else {
			help = xasprintf("%s%s%s%s%s", prompt ? prompt : "", prompt ? " | " : "", f->help,
					 more, f->help_more);
		}
		move(help_row, 0);
		clrtoeol();
		ui_put(help_row, 0, W - 1, help, ui->colors ? COLOR_PAIR(2) : A_NORMAL);
		free(help);
	}
	if (!merged || s->msg)
		ui_draw_status(ui, status_row);
	ui_draw_hints(field_ctx(ui), hint_row);
	curs_set(1);
	move(cur_y, cur_x);
}
