/* plain.c - see plain.h. */
#include "plain.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "text.h"

static const char HELP[] =
    "指令：直接按 Enter 保留目前的值並到下一欄；輸入新值取代；\n"
    "  -  清除這一欄      <  上一欄         :n 新增一筆      :d 複製上一筆此欄\n"
    "  :g N 到第 N 筆     :e 下一筆有錯的   :l 列出所有記錄  :u 復原上一個動作\n"
    "  :w 存檔            :w 檔名 另存新檔  :q 離開 (有未存檔的修改時會問)\n"
    "  :? 這段說明\n"
    "選項欄位可輸入號碼 (1、2…)、選項文字，或是/否欄的 y/n。\n";

/* Prints s escaped: values are data, never terminal control. */
static void put(FILE *out, const char *s)
{
	char *e = text_escape(s);
	fputs(e, out);
	free(e);
}

/* Reads one line without its newline (malloc'd), or NULL at the end. */
static char *get_line(FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, in);
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

/* The keys the session's messages name, and the commands that do the
 * same here. */
static const char *const KEYS[][2] = {
    {"^Z", ":u"}, {"^K", ":e"}, {"^W", ":w 檔名"}, {"^N", ":n"}, {"^S", ":w"},
};

/* The session's message, with this mode's commands for the screen's keys. */
static void show_msg(Session *s, FILE *out)
{
	if (!session_msg(s))
		return;
	fputs(session_msg_is_error(s) ? "!! " : "-- ", out);
	char *m = xstrdup(session_msg(s));
	for (size_t k = 0; k < sizeof KEYS / sizeof *KEYS; k++)
		for (char *at; (at = strstr(m, KEYS[k][0]));) {
			*at = '\0';
			char *next = xasprintf("%s%s%s", m, KEYS[k][1], at + strlen(KEYS[k][0]));
			free(m);
			m = next;
		}
	put(out, m);
	free(m);
	fputc('\n', out);
	session_clear_msg(s);
}

/* A multi field's values, numbered, each with its box. */
static void ask_multi(Session *s, const FormField *f, size_t field, FILE *out)
{
	bool ticked[f->nvalues ? f->nvalues : 1];
	form_multi_ticks(f, session_value(s, field), ticked);
	fputs("  可複選 (輸入號碼勾選或取消，可一次輸入多個；Enter 完成)：", out);
	for (size_t i = 0; i < f->nvalues; i++) {
		fprintf(out, "%s[%c]%zu ", i ? "  " : "", ticked[i] ? 'x' : ' ', i + 1);
		put(out, f->values[i]);
	}
	fputc('\n', out);
}

static void ask(Session *s, FILE *out)
{
	const Form *form = session_form(s);
	size_t field = session_field(s);
	const FormField *f = form_field(form, field);
	static const char *const need[] = {"選填", "必填", "免填"};
	if (session_is_fresh(s, session_rec(s)))
		fprintf(out, "\n[第 %zu 筆 (新增) 第 %zu/%zu 欄] ", session_rec(s) + 1, field + 1,
			form_nfields(form));
	else
		fprintf(out, "\n[第 %zu/%zu 筆 第 %zu/%zu 欄] ", session_rec(s) + 1, session_nrecords(s),
			field + 1, form_nfields(form));
	put(out, f->label);
	fprintf(out, " (%s)", f->compute.op != COMPUTE_NONE ? "自動計算" : need[session_need(s, field)]);
	if (*session_value(s, field)) {
		fputs(" 目前：", out);
		put(out, session_value(s, field));
		const char *err = session_field_error(s, field);
		if (err) {
			fputs(" !! ", out);
			put(out, err);
		}
	}
	fputc('\n', out);
	const char *prompt = session_prompt(s, field);
	if (prompt) {
		fputs("  ", out);
		put(out, prompt);
		fputc('\n', out);
	}
	if (*f->help) {
		fputs("  說明：", out);
		put(out, f->help);
		if (*f->help_more) {
			fputc(' ', out);
			put(out, f->help_more);
		}
		fputc('\n', out);
	}
	if (f->kind == KIND_CHOICE) {
		size_t idx[f->nvalues ? f->nvalues : 1];
		size_t k = session_permitted(s, field, idx);
		fputs("  可選：", out);
		for (size_t i = 0; i < k; i++) {
			fprintf(out, "%s%zu ", i ? "  " : "", i + 1);
			put(out, form_value_choice(f, f->values[idx[i]]));
		}
		fputc('\n', out);
	}
	if (f->kind == KIND_MULTI)
		ask_multi(s, f, field, out);
	fputs("> ", out);
	fflush(out);
}

static void list_records(Session *s, FILE *out)
{
	static const char *const STATE[] = {"空白", "完成", "未完成", "有錯"};
	size_t nl;
	const size_t *cols = form_list_fields(session_form(s), &nl);
	for (size_t r = 0; r < session_nrecords(s); r++) {
		fprintf(out, "%5zu %s", r + 1, STATE[session_record_state(s, r)]);
		if (session_line(s, r))
			fprintf(out, " (第 %ld 行)", session_line(s, r));
		for (size_t c = 0; c < nl; c++) {
			fputs("  ", out);
			put(out, session_cells(s, r)[cols[c]]);
		}
		fputc('\n', out);
	}
}

/* After the last field of a record: say how it stands. */
static void record_done(Session *s, FILE *out)
{
	DiagList dl;
	diag_init(&dl);
	session_record_diags(s, session_rec(s), &dl);
	if (session_is_fresh(s, session_rec(s)))
		fprintf(out, "\n== 第 %zu 筆沒有輸入任何資料\n", session_rec(s) + 1);
	else
		fprintf(out, "\n== 第 %zu 筆填完：%zu 個錯誤、%zu 個警告\n", session_rec(s) + 1,
			dl.nerrors, dl.nwarnings);
	for (size_t i = 0; i < dl.n && !session_is_fresh(s, session_rec(s)); i++) {
		fprintf(out, "   %s ", dl.items[i].level == DIAG_ERROR ? "錯誤" : "警告");
		if (dl.items[i].field >= 0) {
			put(out, form_field(session_form(s), (size_t)dl.items[i].field)->label);
			fputs(": ", out);
		}
		put(out, dl.items[i].msg);
		fputc('\n', out);
	}
	diag_free(&dl);
	fputs("   (Enter 到下一筆，:n 新增一筆，:w 存檔，:q 離開)\n", out);
}

/* Saves (to name, or the file's own when name is ""), asking when the
 * file changed on disk. */
static void save(Session *s, const char *name, FILE *in, FILE *out)
{
	if (session_save(s, *name ? name : NULL, false) != SAVE_CHANGED)
		return;
	show_msg(s, out);
	fputs("檔案在開啟後已被其他程式修改。仍要覆蓋嗎？(y/n) ", out);
	fflush(out);
	char *a = get_line(in);
	if (a && (a[0] == 'y' || a[0] == 'Y'))
		session_save(s, NULL, true);
	else
		session_set_msg(s, false, "未存檔；可用 :w 檔名 另存新檔");
	free(a);
}

/* :q - returns 1 to quit. */
static int quit(Session *s, FILE *in, FILE *out)
{
	if (!session_dirty(s))
		return 1;
	fputs("尚未存檔。存檔後離開嗎？(y 存檔並離開 / n 不存檔離開 / 其他 留下) ", out);
	fflush(out);
	char *a = get_line(in);
	int done = 0;
	if (a && (a[0] == 'n' || a[0] == 'N')) {
		session_abandon(s);
		done = 1;
	} else if (a && (a[0] == 'y' || a[0] == 'Y')) {
		done = session_save(s, NULL, false) == SAVE_OK;
	}
	free(a);
	return done;
}

/* A command line starting with ':'.  Returns 1 to quit. */
static int command(Session *s, const char *c, FILE *in, FILE *out)
{
	char *arg = text_trim(c + 2);
	int rc = 0;
	switch (c[1]) {
	case 'n':
		session_new_record(s);
		if (!session_msg(s))
			session_set_msg(s, false, "新增第 %zu 筆", session_rec(s) + 1);
		break;
	case 'd':
		if (session_dup_field(s))
			session_next_field(s);
		break;
	case 'g': {
		char *end;
		long n = strtol(arg, &end, 10);
		if (n < 1 || (size_t)n > session_nrecords(s) || *end) {
			char *q = text_clip(arg, 20);
			session_set_msg(s, true, "沒有第 %s 筆", q);
			free(q);
		} else {
			session_goto_record(s, (size_t)n - 1);
			session_first_field(s);
		}
		break;
	}
	case 'e':
		session_next_error(s);
		break;
	case 'l':
		list_records(s, out);
		break;
	case 'u':
		session_undo(s);
		break;
	case 'w':
		save(s, arg, in, out);
		break;
	case 'q':
		rc = quit(s, in, out);
		break;
	case '?':
		fputs(HELP, out);
		break;
	default:
		session_set_msg(s, true, "不認得的指令 (輸入 :? 看說明)");
	}
	free(arg);
	return rc;
}

/* A line typed at a field's prompt: "<", "-", a value, or nothing.
 * Returns whether it moves on to the next field. */
static bool answer(Session *s, const char *t)
{
	size_t field = session_field(s);
	const FormField *f = form_field(session_form(s), field);
	if (strcmp(t, "<") == 0) {
		session_prev_field(s);
		return false;
	}
	if (strcmp(t, "-") == 0)
		return session_set(s, field, "") || !session_read_only(s);
	if (!*t)
		return true; /* Enter keeps the value */
	if (f->kind == KIND_CHOICE)
		return session_choose(s, field, t); /* refused: the message says why; ask again */
	if (f->kind == KIND_MULTI) { /* ticks, and asks again: Enter moves on */
		session_choose(s, field, t);
		return false;
	}
	return session_set(s, field, t) || !session_read_only(s);
}

int plain_run(Session *s, FILE *in, FILE *out)
{
	fputs("spmform ", out);
	put(out, form_title(session_form(s)));
	fputs(" -- ", out);
	put(out, session_path(s));
	fprintf(out, " (%zu 筆記錄)\n%s", session_nsaved(s), HELP);
	session_opening_message(s);
	if (session_lock_notice(s)) {
		fputs("!! ", out);
		put(out, session_lock_notice(s));
		fputc('\n', out);
	}
	if (session_has_recovery(s)) {
		time_t first, last;
		fprintf(out, "上次有 %zu 筆修改未存檔，要復原嗎？(y/n) ",
			session_recovery_count(s, &first, &last));
		fflush(out);
		char *a = get_line(in);
		if (a && (a[0] == 'y' || a[0] == 'Y'))
			session_recover(s);
		else
			session_discard_recovery(s);
		free(a);
	}
	bool at_end = false; /* past the last field of the record */
	for (;;) {
		show_msg(s, out);
		if (at_end)
			record_done(s, out);
		else
			ask(s, out);
		char *line = get_line(in);
		if (!line) {
			fprintf(out, "\n輸入結束%s\n",
				session_dirty(s) ? "：未存檔的修改留在復原紀錄中，下次開啟時可以復原" : "");
			return 0;
		}
		char *t = text_trim(line);
		free(line);
		if (t[0] == ':') {
			size_t rec = session_rec(s);
			int q = command(s, t, in, out);
			if (session_rec(s) != rec || t[1] == 'n')
				at_end = false;
			free(t);
			if (q)
				return 0;
			continue;
		}
		if (at_end) { /* Enter: the next record, or a new one after the last */
			if (session_rec(s) + 1 < session_nrecords(s))
				session_goto_record(s, session_rec(s) + 1);
			else
				session_new_record(s);
			session_first_field(s);
			at_end = false;
		} else if (answer(s, t) && !session_next_field(s)) {
			at_end = true;
		}
		free(t);
	}
}
