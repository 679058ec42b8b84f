/* rows.c - see rows.h. */
#include "rows.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

struct RowSink {
	const Form *form;
	Table *t;
	DiagList *dl;
	/* the row being taken (owned while rows_add runs) */
	char **row;
	size_t nrow;
	long row_line;
	bool have_header;
	long *colmap; /* header column -> table column */
	size_t ncols;
	bool fatal;
};

RowSink *rows_new(const Form *form, Table *t, DiagList *dl)
{
	RowSink *r = xcalloc(1, sizeof *r);
	r->form = form;
	r->t = t;
	r->dl = dl;
	return r;
}

void rows_free(RowSink *r)
{
	if (!r)
		return;
	free(r->colmap);
	free(r);
}

bool rows_have_header(const RowSink *r)
{
	return r->have_header;
}

bool rows_fatal(const RowSink *r)
{
	return r->fatal;
}

static void take_header(RowSink *r)
{
	size_t nf = form_nfields(r->form);
	bool *taken = xcalloc(nf, sizeof *taken);
	r->ncols = r->nrow;
	r->colmap = xmalloc((r->nrow ? r->nrow : 1) * sizeof *r->colmap);
	size_t matched = 0;
	for (size_t j = 0; j < r->nrow; j++) {
		long m = form_match_header(r->form, r->row[j], taken);
		r->colmap[j] = m;
		if (m >= 0) {
			taken[m] = true;
			matched++;
		}
	}
	if (matched == 0) {
		char *list = xstrdup("");
		for (size_t i = 0; i < nf; i++) {
			char *l = xasprintf("%s%s%s", list, i ? "、" : "", form_field(r->form, i)->header);
			free(list);
			list = l;
		}
		diag_add(r->dl, DIAG_ERROR, r->row_line, 0, -1, -1,
			 "標題列沒有任何認得的欄位，這不是「%s」的檔案？應有的標題：%s",
			 form_title(r->form), list);
		free(list);
		r->fatal = true;
		free(taken);
		return;
	}
	for (size_t j = 0; j < r->nrow; j++) {
		if (r->colmap[j] >= 0)
			continue;
		long again = form_match_header(r->form, r->row[j], NULL);
		size_t first = 0;
		while (again >= 0 && first < j && r->colmap[first] != again)
			first++;
		r->colmap[j] = (long)table_add_extra(r->t, r->row[j]);
		if (again >= 0)
			diag_add(r->dl, DIAG_WARNING, r->row_line, 0, -1, -1,
				 "第 %zu 欄「%s」與第 %zu 欄重複，將照原樣保留", j + 1, r->row[j],
				 first + 1);
		else if (*r->row[j])
			diag_add(r->dl, DIAG_WARNING, r->row_line, 0, -1, -1,
				 "第 %zu 欄「%s」不是表單的欄位，將照原樣保留", j + 1, r->row[j]);
		else
			diag_add(r->dl, DIAG_WARNING, r->row_line, 0, -1, -1,
				 "第 %zu 欄沒有標題，將照原樣保留", j + 1);
	}
	for (size_t i = 0; i < nf; i++)
		if (!taken[i])
			diag_add(r->dl, DIAG_WARNING, r->row_line, 0, -1, (int)i,
				 "檔案缺少這一欄「%s」，已補上空白欄", form_field(r->form, i)->header);
	free(taken);
}

static void take_record(RowSink *r)
{
	size_t nf = form_nfields(r->form);
	size_t n = r->nrow < r->ncols ? r->nrow : r->ncols;
	bool empty = true;
	for (size_t j = 0; j < r->nrow; j++) {
		if (j < n && (size_t)r->colmap[j] < nf) {
			char *v = form_normalize(form_field(r->form, (size_t)r->colmap[j]), r->row[j]);
			free(r->row[j]);
			r->row[j] = v;
		}
		empty &= *r->row[j] == '\0';
	}
	if (empty)
		return; /* an all-empty record is never kept */
	Record *rec = table_append(r->t, r->row_line);
	size_t rec_i = table_nrecords(r->t) - 1;
	for (size_t j = 0; j < n; j++) {
		table_put(r->t, rec_i, (size_t)r->colmap[j], r->row[j]);
		r->row[j] = NULL;
	}
	if (r->nrow > r->ncols) {
		bool extra_data = false;
		for (size_t j = r->ncols; j < r->nrow; j++)
			extra_data |= *r->row[j] != '\0';
		if (extra_data) {
			rec->noverflow = r->nrow - r->ncols;
			rec->overflow = xmalloc(rec->noverflow * sizeof *rec->overflow);
			for (size_t j = r->ncols; j < r->nrow; j++) {
				rec->overflow[j - r->ncols] = r->row[j];
				r->row[j] = NULL;
			}
			diag_add(r->dl, DIAG_ERROR, r->row_line, 0, (long)rec_i, -1,
				 "這筆記錄有 %zu 欄，比標題多 %zu 欄 (多了逗號？)；多出的內容照原樣保留",
				 r->nrow, r->nrow - r->ncols);
		}
	} else if (r->nrow < r->ncols) {
		diag_add(r->dl, DIAG_WARNING, r->row_line, 0, (long)rec_i, -1,
			 "這筆記錄只有 %zu 欄，標題有 %zu 欄；缺的視為空白", r->nrow, r->ncols);
	}
}

void rows_add(RowSink *r, char **cells, size_t n, long line)
{
	r->row = cells;
	r->nrow = n;
	r->row_line = line;
	if (!r->fatal) {
		if (!r->have_header) {
			r->have_header = true;
			take_header(r);
		} else {
			take_record(r);
		}
	}
	for (size_t j = 0; j < n; j++) {
		free(cells[j]);
		cells[j] = NULL;
	}
	r->row = NULL;
	r->nrow = 0;
}
