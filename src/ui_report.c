/* ui_report.c - the completeness summary of the open file, on a key of
 * the record screen: what spmform report says of it (records, complete,
 * incomplete, with errors, the required fields most often left empty and
 * which records), made by the session from its one evaluation.  The
 * arrows and the page keys scroll it; any other key goes back to the
 * record. */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "ui_int.h"

void ui_report_open(Ui *ui)
{
	free(ui->report_text);
	int w = COLS - 1 < 80 ? COLS - 1 : 80;
	ui->report_text = session_report_text(ui->s, w, ui->cfg->ascii_lines);
	ui->report_top = 0;
	ui->ov = OV_REPORT;
}

static size_t count_lines(const char *t)
{
	size_t n = 0;
	for (; *t; t++)
		n += *t == '\n';
	return n;
}

/* Rows the text is shown in: all but the title and the hint line. */
static size_t rows(void)
{
	return LINES > 3 ? (size_t)LINES - 2 : 1;
}

int ui_report_key(Ui *ui, UiKey k)
{
	size_t n = count_lines(ui->report_text), page = rows();
	size_t last = n > page ? n - page : 0, *top = &ui->report_top;
	switch (k.is_char ? ACT_NONE : ui_keys_action(k.key, CTX_REPORT)) {
	case ACT_UP:
		*top -= *top > 0;
		break;
	case ACT_DOWN:
		*top += *top < last;
		break;
	case ACT_PAGE_UP:
		*top = *top > page ? *top - page : 0;
		break;
	case ACT_PAGE_DOWN:
		*top = *top + page < last ? *top + page : last;
		break;
	default: /* back to the record */
		free(ui->report_text);
		ui->report_text = NULL;
		ui->ov = OV_NONE;
		ui_form_open_field(ui);
		break;
	}
	return UI_OK;
}

void ui_report_draw(Ui *ui)
{
	ui_put(0, 0, COLS, " 填報摘要：上下鍵捲動，其他鍵返回", A_REVERSE);
	const char *p = ui->report_text;
	for (size_t skip = 0; skip < ui->report_top && (p = strchr(p, '\n')); skip++)
		p++;
	for (size_t row = 1; p && *p && row <= rows(); row++) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *line = xstrndup(p, len);
		ui_put((int)row, 0, COLS - 1, line, A_NORMAL);
		free(line);
		p = end ? end + 1 : NULL;
	}
	ui_draw_hints(CTX_REPORT, LINES - 1);
	curs_set(0);
}
