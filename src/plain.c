/* plain.c - see plain.h. */
#include "plain.h"

#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "text.h"

static const char HELP[] =
    "指令：直接按 Enter 保留目前的值並到下一欄；輸入新值取代；\n"
    "  -  清除這一欄      <  上一欄         :n 新增一筆      :d 複製上一筆此欄\n"
    "  :g N 到第 N 筆     :e 下一筆有錯的   :l 列出所有記錄  :w 存檔\n"
    "  :q 離開 (有未存檔的修改時會問)      :? 這段說明\n"
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

static void show_msg(Session *s, FILE *out)
{
	if (!s->msg)
		return;
	fputs(s->msg_is_error ? "!! " : "-- ", out);
	put(out, s->msg);
	fputc('\n', out);
	session_clear_msg(s);
}

static void ask(Session *s, FILE *out)
{
	const Form *form = s->form;
	const FormField *f = form_field(form, s->field);
	char **cells = session_cells(s, s->rec);
	const char *need[] = {"選填", "必填", "免填"};
	fprintf(out, "\n[第 %zu/%zu 筆 第 %zu/%zu 欄] ", s->rec + 1, session_nrecords(s),
		s->field + 1, form_nfields(form));
	put(out, f->label);
	fprintf(out, " (%s)", need[rules_need(form, cells, s->field, NULL)]);
	if (*cells[s->field]) {
		fputs(" 目前：", out);
		put(out, cells[s->field]);
	}
	fputc('\n', out);
	const char *prompt = rules_prompt(form, cells, s->field);
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
		size_t k = rules_permitted(form, cells, s->field, idx);
		fputs("  可選：", out);
		for (size_t i = 0; i < k; i++) {
			fprintf(out, "%s%zu ", i ? "  " : "", i + 1);
			put(out, f->values[idx[i]]);
			if (f->value_labels) {
				fputc(' ', out);
				put(out, f->value_labels[idx[i]]);
			}
		}
		fputc('\n', out);
	}
	fputs("> ", out);
	fflush(out);
}

static void list_records(Session *s, FILE *out)
{
	static const char *const STATE[] = {"空白", "完成", "未完", "錯誤"};
	size_t nl;
	const size_t *cols = form_list_fields(s->form, &nl);
	for (size_t r = 0; r < session_nrecords(s); r++) {
		fprintf(out, "%5zu %s", r + 1, STATE[session_record_state(s, r)]);
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
	session_record_diags(s, s->rec, &dl);
	fprintf(out, "\n== 第 %zu 筆填完：%zu 個錯誤、%zu 個警告\n", s->rec + 1, dl.nerrors,
		dl.nwarnings);
	for (size_t i = 0; i < dl.n; i++) {
		fprintf(out, "   %s ", dl.items[i].level == DIAG_ERROR ? "錯誤" : "警告");
		if (dl.items[i].field >= 0) {
			put(out, form_field(s->form, (size_t)dl.items[i].field)->label);
			fputs(": ", out);
		}
		put(out, dl.items[i].msg);
		fputc('\n', out);
	}
	diag_free(&dl);
	fputs("   (Enter 到下一筆，:n 新增一筆，:w 存檔，:q 離開)\n", out);
}

/* A command line starting with ':'.  Returns 1 to quit. */
static int command(Session *s, const char *c, FILE *in, FILE *out)
{
	switch (c[1]) {
	case 'n':
		session_new_record(s);
		session_set_msg(s, false, "新增第 %zu 筆", s->rec + 1);
		break;
	case 'd':
		if (session_dup_field(s))
			session_next_field(s);
		break;
	case 'g': {
		char *end;
		long n = strtol(c + 2, &end, 10);
		if (n < 1 || (size_t)n > session_nrecords(s))
			session_set_msg(s, true, "沒有第 %s 筆", c + 2);
		else {
			s->rec = (size_t)n - 1;
			s->field = 0;
		}
		break;
	}
	case 'e':
		session_next_error(s);
		break;
	case 'l':
		list_records(s, out);
		break;
	case 'w':
		if (session_save(s, NULL, false) == SAVE_CHANGED) {
			fputs("檔案在開啟後已被其他程式修改。仍要覆蓋嗎？(y/n) ", out);
			fflush(out);
			char *a = get_line(in);
			if (a && (a[0] == 'y' || a[0] == 'Y'))
				session_save(s, NULL, true);
			free(a);
		}
		break;
	case 'q':
		if (!s->dirty)
			return 1;
		fputs("尚未存檔。存檔後離開嗎？(y 存檔並離開 / n 不存檔離開 / 其他 留下) ", out);
		fflush(out);
		char *a = get_line(in);
		int quit = 0;
		if (a && (a[0] == 'n' || a[0] == 'N')) {
			session_abandon(s);
			quit = 1;
		} else if (a && (a[0] == 'y' || a[0] == 'Y')) {
			quit = session_save(s, NULL, false) == SAVE_OK;
		}
		free(a);
		return quit;
	case '?':
		fputs(HELP, out);
		break;
	default:
		session_set_msg(s, true, "不認得的指令 (輸入 :? 看說明)");
	}
	return 0;
}

int plain_run(Session *s, FILE *in, FILE *out)
{
	fputs("spmform ", out);
	put(out, form_title(s->form));
	fputs(" -- ", out);
	put(out, s->path);
	fprintf(out, " (%zu 筆記錄)\n%s", session_nrecords(s), HELP);
	if (s->has_recovery) {
		fprintf(out, "上次有 %zu 筆修改未存檔，要復原嗎？(y/n) ", s->recovery.n);
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
				s->dirty ? "：未存檔的修改留在復原紀錄中，下次開啟時可以復原" : "");
			return 0;
		}
		char *t = text_trim(line);
		free(line);
		if (t[0] == ':') {
			size_t rec = s->rec;
			int quit = command(s, t, in, out);
			if (s->rec != rec || t[1] == 'n')
				at_end = false;
			free(t);
			if (quit)
				return 0;
			continue;
		}
		if (at_end) { /* Enter: the next record, or a new one after the last */
			if (s->rec + 1 < session_nrecords(s))
				s->rec++;
			else
				session_new_record(s);
			s->field = 0;
			at_end = false;
			free(t);
			continue;
		}
		const FormField *f = form_field(s->form, s->field);
		if (strcmp(t, "<") == 0) {
			session_prev_field(s);
			free(t);
			continue;
		}
		if (strcmp(t, "-") == 0) {
			session_set(s, s->field, "");
		} else if (*t) {
			char *h = text_halfwidth(t);
			char *end;
			long n = strtol(h, &end, 10);
			bool digit = f->kind == KIND_CHOICE && *h && *end == '\0' && n >= 1 && n <= 9 &&
				     form_value_index(f, h) < 0;
			free(h);
			if (digit && !session_pick(s, s->field, (size_t)n)) {
				free(t);
				continue; /* the message says why; ask again */
			}
			if (!digit)
				session_set(s, s->field, t);
		}
		free(t);
		if (!session_next_field(s))
			at_end = true;
	}
}
