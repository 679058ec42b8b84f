/* ui_form.c - the record screen: one record, its fields as "label value"
 * rows, the help of the current field, status and hints.
 *
 * Arriving at a text field that holds a value shows it whole (reversed): a
 * character typed then replaces it, as in Excel; F2, Left, Right, End or
 * Backspace edit it in place instead.  What is typed is kept as typed
 * (full-width digits of a number made ASCII, as the form's normalisation
 * does) and becomes the field's value when the clerk leaves the field; the
 * rules then say what is wrong with it.  A key is never refused because of
 * what the value would be. */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "mem.h"
#include "text.h"
#include "ui_int.h"

#define MIN_COLS 40
#define MIN_LINES 10

bool ui_form_too_small(void)
{
	return COLS < MIN_COLS || LINES < MIN_LINES;
}

static const FormField *cur_field(const Ui *ui)
{
	return form_field(session_form(ui->s), session_field(ui->s));
}

/* Whether a field's value is chosen (a choice, a multi field) or made (a
 * computed field) rather than typed. */
static bool not_typed(const FormField *f)
{
	return f->kind == KIND_CHOICE || f->kind == KIND_MULTI || f->compute.op != COMPUTE_NONE;
}

static KeyCtx field_ctx(const Ui *ui)
{
	return not_typed(cur_field(ui)) ? CTX_CHOICE : CTX_TEXT;
}

void ui_form_open_field(Ui *ui)
{
	if (ui->editing)
		lineedit_free(&ui->edit);
	ui->editing = !not_typed(cur_field(ui));
	ui->replace = false;
	if (ui->editing) {
		lineedit_init(&ui->edit, session_value(ui->s, session_field(ui->s)));
		ui->edit_field = session_field(ui->s);
		ui->edit_rec = session_rec(ui->s);
		ui->replace = ui->edit.len > 0;
	}
}

void ui_form_commit(Ui *ui)
{
	if (!ui->editing)
		return;
	char *text = lineedit_text(&ui->edit);
	session_set_at(ui->s, ui->edit_rec, ui->edit_field, text);
	free(text);
	lineedit_free(&ui->edit);
	ui->editing = false;
}

/* Leaves the current field: keeps what was typed and, when the value is
 * wrong, says so on the status line (the clerk may still move on). */
static void leave_field(Ui *ui)
{
	Session *s = ui->s;
	ui_form_commit(ui);
	if (session_msg(s))
		return; /* a message from the rules says more */
	DiagLevel level;
	const char *p = session_field_problem(s, session_field(s), &level);
	if (p && *session_value(s, session_field(s)))
		session_set_msg(s, level == DIAG_ERROR, "%s：%s", cur_field(ui)->label, p);
}

/* On to the next field; past the record's last, how the record stands. */
static void advance(Ui *ui)
{
	bool last = !session_next_field(ui->s);
	ui_form_open_field(ui);
	if (last)
		ui_done_open(ui);
}

void ui_form_next_field(Ui *ui)
{
	leave_field(ui);
	advance(ui);
}

bool ui_form_choice_char(Ui *ui, uint32_t cp)
{
	char in[8] = {0};
	text_utf8_encode(cp, in);
	return session_choose(ui->s, session_field(ui->s), in);
}

/* A character typed into a text, integer or OID field: kept as typed,
 * full-width digits and dots of a number as their ASCII twins. */
static void type_char(Ui *ui, uint32_t cp)
{
	const FormField *f = cur_field(ui);
	if (!session_can_edit(ui->s))
		return;
	if ((f->kind == KIND_INTEGER || f->kind == KIND_OID || f->kind == KIND_DECIMAL) &&
	    cp >= 0xFF01 && cp <= 0xFF5E)
		cp = cp - 0xFF01 + 0x21;
	if (ui->replace)
		lineedit_clear(&ui->edit);
	ui->replace = false;
	lineedit_insert(&ui->edit, cp);
}

/* A key that edits the value in place: typing no longer replaces it. */
static void edit_in_place(Ui *ui)
{
	ui->replace = false;
}

static bool first_field(Session *s)
{
	session_first_field(s);
	return true;
}

/* Moves to another record or field through fn, after keeping what was
 * typed. */
static void move_by(Ui *ui, bool (*fn)(Session *))
{
	leave_field(ui);
	fn(ui->s);
	ui_form_open_field(ui);
}

static int do_action(Ui *ui, Action a)
{
	Session *s = ui->s;
	switch (a) {
	case ACT_NEXT_FIELD:
		ui_form_next_field(ui);
		break;
	case ACT_PREV_FIELD:
		move_by(ui, session_prev_field);
		break;
	case ACT_NEXT_REC:
		move_by(ui, session_next_record);
		break;
	case ACT_PREV_REC:
		move_by(ui, session_prev_record);
		break;
	case ACT_NEW_REC:
		leave_field(ui);
		session_clear_msg(s);
		session_new_record(s);
		if (!session_msg(s))
			session_set_msg(s, false, "新增第 %zu 筆", session_rec(s) + 1);
		ui_form_open_field(ui);
		break;
	case ACT_DUP_FIELD:
		if (ui->editing) {
			lineedit_free(&ui->edit);
			ui->editing = false;
		}
		if (session_dup_field(s))
			advance(ui);
		else
			ui_form_open_field(ui);
		break;
	case ACT_DUP_REC:
		leave_field(ui);
		session_dup_record(s);
		ui_form_open_field(ui);
		break;
	case ACT_DEL_REC:
		ui_form_commit(ui);
		ui_form_open_field(ui);
		if (session_can_edit(s))
			ui_confirm_open(ui, CONFIRM_DELETE);
		break;
	case ACT_UNDO: {
		char *typed = ui->editing ? lineedit_text(&ui->edit) : NULL;
		bool typing = typed && strcmp(typed, session_value(s, session_field(s))) != 0;
		free(typed);
		if (typing) /* first undo what was typed into this field */
			session_set_msg(s, false, "已復原此欄的輸入");
		else
			session_undo(s);
		ui_form_open_field(ui);
		break;
	}
	case ACT_LIST:
		leave_field(ui);
		ui_list_open(ui);
		break;
	case ACT_NEXT_ERROR:
		leave_field(ui);
		session_clear_msg(s);
		session_next_error(s);
		ui_form_open_field(ui);
		break;
	case ACT_SAVE:
		ui_save(ui);
		ui_form_open_field(ui);
		break;
	case ACT_SAVE_AS:
		ui_form_commit(ui);
		ui_form_open_field(ui);
		ui_line_open(ui, session_path(s), LINE_SAVE_AS);
		break;
	case ACT_EXPORT: {
		ui_form_commit(ui);
		ui_form_open_field(ui);
		char *x = session_path_as(s, ".xlsx");
		ui_line_open(ui, x, LINE_EXPORT);
		free(x);
		break;
	}
	case ACT_PRINT: {
		ui_form_commit(ui);
		ui_form_open_field(ui);
		char *pdf = session_path_as(s, ".pdf");
		ui_line_open(ui, pdf, LINE_PRINT);
		free(pdf);
		break;
	}
	case ACT_GOTO:
		leave_field(ui);
		ui_form_open_field(ui);
		ui_line_open(ui, "", LINE_GOTO);
		break;
	case ACT_QUIT:
		ui_form_commit(ui);
		if (!session_dirty(s))
			return UI_QUIT;
		ui_form_open_field(ui);
		ui_confirm_open(ui, CONFIRM_QUIT);
		break;
	case ACT_HELP:
		ui_help_open(ui);
		break;
	case ACT_REPORT:
		leave_field(ui);
		ui_report_open(ui);
		break;
	case ACT_CLEAR_FIELD:
		if (ui->editing) {
			lineedit_clear(&ui->edit);
			ui->replace = false;
		}
		else
			session_set(s, session_field(s), "");
		break;
	case ACT_OPEN_PICK:
		ui_pick_open(ui);
		break;
	case ACT_CANCEL:
		ui_form_open_field(ui); /* back to the stored value */
		break;
	case ACT_EDIT:
		edit_in_place(ui);
		break;
	case ACT_LEFT:
		edit_in_place(ui);
		lineedit_left(&ui->edit);
		break;
	case ACT_RIGHT:
		edit_in_place(ui);
		lineedit_right(&ui->edit);
		break;
	case ACT_HOME:
		if (ui->replace || ui->edit.len == 0) /* not being edited: the first field */
			move_by(ui, first_field);
		else
			lineedit_home(&ui->edit);
		break;
	case ACT_FIRST_FIELD:
		move_by(ui, first_field);
		break;
	case ACT_END:
		edit_in_place(ui);
		lineedit_end(&ui->edit);
		break;
	case ACT_BACKSPACE:
		edit_in_place(ui);
		lineedit_backspace(&ui->edit);
		break;
	case ACT_DELETE:
		edit_in_place(ui);
		lineedit_delete(&ui->edit);
		break;
	default:
		break;
	}
	return UI_OK;
}

int ui_form_key(Ui *ui, UiKey k)
{
	if (ui_form_too_small())
		return ui_keys_action(k.key, CTX_FORM) == ACT_QUIT ? do_action(ui, ACT_QUIT) : UI_OK;
	KeyCtx ctx = field_ctx(ui);
	if (k.is_char) {
		Action a = k.cp < 0x80 ? ui_keys_action((int)k.cp, ctx) : ACT_NONE;
		if (a != ACT_NONE)
			return do_action(ui, a);
		if (!ui->editing) {
			/* a digit ticks a multi field's value: the clerk stays */
			if (ui_form_choice_char(ui, k.cp) && cur_field(ui)->kind != KIND_MULTI)
				ui_form_next_field(ui);
		} else {
			type_char(ui, k.cp);
		}
		return UI_OK;
	}
	Action a = ui_keys_action(k.key, ctx);
	if (a == ACT_NONE)
		a = ui_keys_action(k.key, CTX_FORM);
	if (a == ACT_NONE && k.key != 27) {
		const char *name = keyname(k.key);
		session_set_msg(ui->s, false, "按鍵 %s 沒有作用 (^G 看說明)", name ? name : "?");
	}
	return do_action(ui, a);
}

/* --- drawing --------------------------------------------------------------- */

/* "1 行政  2 業務" for the values permitted now. */
static char *choices_text(const Ui *ui, size_t field)
{
	const Session *s = ui->s;
	const FormField *f = form_field(session_form(s), field);
	size_t idx[f->nvalues ? f->nvalues : 1];
	size_t k = session_permitted(s, field, idx);
	char *t = xstrdup("");
	bool ticked[f->nvalues ? f->nvalues : 1];
	if (f->kind == KIND_MULTI)
		form_multi_ticks(f, session_value(s, field), ticked);
	for (size_t i = 0; i < k; i++) {
		const char *v = form_value_choice(f, f->values[idx[i]]);
		const char *box = f->kind != KIND_MULTI ? "" : ticked[idx[i]] ? "[x]" : "[ ]";
		char *n = xasprintf("%s%s%s%zu %s", t, i ? "  " : "", box, i + 1, v);
		free(t);
		t = n;
	}
	return t;
}

/* The title line: what matters most first (a narrow terminal cuts the
 * end): the record, the lock notice, the unsaved mark, form and file. */
static void draw_title(Ui *ui, bool scrolls)
{
	Session *s = ui->s;
	char *path = text_escape(session_path(s));
	char *rec = session_is_fresh(s, session_rec(s))
			? xasprintf("第 %zu 筆 (新增，尚未輸入)", session_rec(s) + 1)
			: xasprintf("第 %zu/%zu 筆", session_rec(s) + 1, session_nsaved(s));
	const char *notice = session_lock_notice(s);
	char *title = xasprintf(" %s%s%s%s | %s | %s%s", rec, notice ? " " : "", notice ? notice : "",
				session_dirty(s) ? " *未存檔" : "", form_title(session_form(s)), path,
				scrolls ? " | 欄位可捲動" : "");
	ui_put(0, 0, COLS, title, A_REVERSE);
	free(title);
	free(rec);
	free(path);
}

/* What an empty field shows: the choices (current field), the rules'
 * prompt, 免填 or (必填). */
static char *empty_hint(const Ui *ui, size_t i, bool cur, FieldNeed need, const char *prompt)
{
	const FormField *f = form_field(session_form(ui->s), i);
	if (f->compute.op != COMPUTE_NONE)
		return xstrdup("(自動計算)");
	if (cur && (f->kind == KIND_CHOICE || f->kind == KIND_MULTI))
		return choices_text(ui, i);
	if (prompt)
		return xasprintf("(%s)", prompt);
	if (need == NEED_WAIVED)
		return xstrdup("免填");
	return need == NEED_REQUIRED ? xstrdup("(必填)") : NULL;
}

/* One field's row (dl: the record's problems): mark, label, value or
 * hint; *cur_x gets the cursor's column when it is the current one being
 * typed into. */
static void draw_field(Ui *ui, const DiagList *dl, size_t i, int row, int lw, int vw, int *cur_x)
{
	Session *s = ui->s;
	const FormField *f = form_field(session_form(s), i);
	bool cur = i == session_field(s);
	bool err = false;
	for (size_t d = 0; d < dl->n && !err; d++)
		err = dl->items[d].field == (int)i && dl->items[d].level == DIAG_ERROR;
	FieldNeed need = session_need(s, i);
	bool empty = !*session_value(s, i);
	char mark = err && !empty ? '!' : need == NEED_REQUIRED ? '*' : need == NEED_WAIVED ? '-' : ' ';
	mvaddch(row, 0, cur ? '>' : ' ');
	attrset(mark == '!' ? A_BOLD | (ui->colors ? COLOR_PAIR(1) : 0) : A_NORMAL);
	mvaddch(row, 1, (chtype)mark);
	attrset(A_NORMAL);
	ui_put(row, 2, lw, f->label, cur ? A_REVERSE : mark == '!' ? A_BOLD : A_NORMAL);
	if (cur && ui->editing && ui->edit.len > 0) {
		wchar_t *buf = xmalloc(((size_t)vw + 2) * sizeof *buf);
		int col;
		lineedit_view(&ui->edit, vw, buf, &col);
		if (ui->replace) { /* the value alone reversed, not the room after it */
			size_t n = wcslen(buf);
			while (n > 0 && buf[n - 1] == L' ')
				buf[--n] = L'\0';
		}
		ui_put_w(row, ui->val_x, buf, ui->replace ? A_REVERSE : A_UNDERLINE);
		free(buf);
		*cur_x = ui->val_x + col;
		return;
	}
	if (cur && ui->editing)
		empty = true; /* typed nothing yet: show what the field needs */
	if (!empty) {
		attr_t a = mark == '!' ? A_BOLD | A_UNDERLINE | (ui->colors ? COLOR_PAIR(1) : 0) : A_NORMAL;
		char *shown = form_value_text(f, session_value(s, i));
		ui_put(row, ui->val_x, vw, shown, a);
		free(shown);
		return;
	}
	const char *prompt = session_prompt(s, i);
	char *hint = empty_hint(ui, i, cur, need, prompt);
	if (hint)
		ui_put(row, ui->val_x, vw, hint,
		       A_DIM | (prompt ? A_UNDERLINE : 0) | (ui->colors ? COLOR_PAIR(2) : 0));
	free(hint);
}

/* The help row: the choices or the rules' prompt, then the field's help. */
static void draw_help(Ui *ui, int row)
{
	Session *s = ui->s;
	const FormField *f = cur_field(ui);
	const char *prompt = session_prompt(s, session_field(s));
	const char *more = *f->help_more ? " " : "";
	char *help;
	if (f->compute.op != COMPUTE_NONE) {
		char *how = form_compute_text(session_form(s), f);
		help = xasprintf("自動計算：%s | %s%s%s", how, f->help, more, f->help_more);
		free(how);
	} else if (f->kind == KIND_CHOICE || f->kind == KIND_MULTI) {
		char *c = choices_text(ui, session_field(s));
		help = xasprintf("%s | %s%s%s", c, f->help, more, f->help_more);
		free(c);
	} else {
		help = xasprintf("%s%s%s%s%s", prompt ? prompt : "", prompt ? " | " : "", f->help, more,
				 f->help_more);
	}
	/* cut, it says that ^G shows it whole */
	ui_put_wrapped(row, 1, COLS - 1, help, ui->colors ? COLOR_PAIR(2) : A_NORMAL);
	free(help);
}

/* What is wrong with the current field's value (arriving shows it at
 * once), or NULL; *level says how bad. */
static const char *field_problem(const Ui *ui, DiagLevel *level)
{
	const Session *s = ui->s;
	if (!*session_value(s, session_field(s)))
		return NULL; /* an empty field shows what it needs instead */
	return session_field_problem(s, session_field(s), level);
}

/* The status row: the session's message, or else the current field's
 * problem; returns the rows it took (a long one takes the hint row too). */
static int draw_status(Ui *ui, int row)
{
	Session *s = ui->s;
	DiagLevel level;
	const char *p = field_problem(ui, &level);
	if (session_msg(s) || !p)
		return ui_draw_status(ui, row);
	char *m = xasprintf("%s：%s", cur_field(ui)->label, p);
	int rows = ui_draw_message(ui, row, m, level == DIAG_ERROR);
	free(m);
	return rows;
}

void ui_form_draw(Ui *ui)
{
	Session *s = ui->s;
	const Form *form = session_form(s);
	size_t nf = form_nfields(form);
	int H = LINES, W = COLS;

	/* layout: title, fields, help, status, hints; at exactly one row short
	 * the help and status share a row, below that the fields scroll */
	bool merged = H == (int)nf + 3;
	int area = merged ? (int)nf : H - 4;
	int help_row = H - 3 + (merged ? 1 : 0), status_row = H - 2, hint_row = H - 1;
	if (area > (int)nf)
		area = (int)nf;
	int field = (int)session_field(s);
	if (field < ui->field_top)
		ui->field_top = field;
	if (field >= ui->field_top + area)
		ui->field_top = field - area + 1;
	if (ui->field_top + area > (int)nf)
		ui->field_top = (int)nf - area;
	if (ui->field_top < 0)
		ui->field_top = 0;
	draw_title(ui, ui->field_top > 0 || ui->field_top + area < (int)nf);

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
	int cur_x = ui->val_x, cur_y = 1;
	DiagList dl;
	diag_init(&dl);
	session_record_diags(s, session_rec(s), &dl);
	for (int r = 0; r < area; r++) {
		size_t i = (size_t)(ui->field_top + r);
		if (i == session_field(s)) {
			ui->cur_row = 1 + r;
			cur_y = 1 + r;
		}
		draw_field(ui, &dl, i, 1 + r, lw, vw, &cur_x);
	}
	diag_free(&dl);
	/* one row short: the help gives way to a message or a problem */
	DiagLevel level;
	bool status = session_msg(s) || field_problem(ui, &level);
	if (!merged || !status)
		draw_help(ui, help_row);
	int status_rows = !merged || status ? draw_status(ui, status_row) : 1;
	if (status_rows < 2)
		ui_draw_hints(field_ctx(ui), hint_row);
	curs_set(1);
	move(cur_y, cur_x);
}
