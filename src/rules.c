/* rules.c - the rule engine; see rules.h and forms/README.md. */
#include "rules.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "text.h"

/* A user value quoted in a message is cut to this many bytes (at a
 * character boundary) so that a multi-megabyte cell gives a readable line. */
#define QUOTE_MAX 60

/* Whether c holds of v, the value of its field. */
static bool cond_value_holds(const Form *form, const FormCond *c, const char *v)
{
	if (!*v)
		return false; /* an empty field is unknown: neither = nor != */
	bool in = false;
	if (c->value_idx) {
		long k = form_value_index(form_field(form, c->field), v);
		if (k < 0)
			return false; /* so is a value that is wrong itself: it has its own error */
		for (size_t i = 0; i < c->nvalues && !in; i++)
			in = c->value_idx[i] == (size_t)k;
	} else {
		for (size_t i = 0; i < c->nvalues && !in; i++)
			in = strcmp(c->values[i], v) == 0;
	}
	return c->op == COND_IN ? in : !in;
}

static bool cond_holds(const Form *form, const FormCond *c, char *const *cells)
{
	return !c->present || cond_value_holds(form, c, cells[c->field]);
}

FieldNeed rules_need(const Form *form, char *const *cells, size_t field, const FormRule **why)
{
	const FormRule *waiver = NULL;
	if (why)
		*why = NULL;
	size_t nr;
	const size_t *ri = form_field_rules(form, field, &nr);
	for (size_t i = 0; i < nr; i++) {
		const FormRule *r = form_rule(form, ri[i]);
		if ((r->type != RULE_REQUIRE && r->type != RULE_OPTIONAL) ||
		    !cond_holds(form, &r->when, cells))
			continue;
		if (r->type == RULE_REQUIRE) { /* require wins over optional */
			if (why)
				*why = r;
			return NEED_REQUIRED;
		}
		if (!waiver)
			waiver = r;
	}
	if (!form_field(form, field)->required)
		return NEED_OPTIONAL;
	if (waiver) {
		if (why)
			*why = waiver;
		return NEED_WAIVED;
	}
	return NEED_REQUIRED;
}

const char *rules_prompt(const Form *form, char *const *cells, size_t field)
{
	const FormRule *why;
	if (rules_need(form, cells, field, &why) == NEED_REQUIRED && why)
		return why->prompt;
	return NULL;
}

/* Whether only rule r permits the value of index k. */
static bool only_allows(const FormRule *r, size_t k)
{
	for (size_t i = 0; i < r->nvalues; i++)
		if (r->value_idx[i] == k)
			return true;
	return false;
}

bool rules_value_ok(const Form *form, char *const *cells, size_t field, const char *value,
		    const FormRule **why)
{
	if (why)
		*why = NULL;
	long k = form_value_index(form_field(form, field), value);
	if (k < 0)
		return false;
	size_t nr;
	const size_t *ri = form_field_rules(form, field, &nr);
	for (size_t i = 0; i < nr; i++) {
		const FormRule *r = form_rule(form, ri[i]);
		if (r->type == RULE_ONLY && cond_holds(form, &r->when, cells) &&
		    !only_allows(r, (size_t)k)) {
			if (why)
				*why = r;
			return false;
		}
	}
	return true;
}

size_t rules_permitted(const Form *form, char *const *cells, size_t field, size_t *out)
{
	const FormField *f = form_field(form, field);
	size_t n = 0;
	if (f->kind != KIND_CHOICE)
		return 0;
	for (size_t v = 0; v < f->nvalues; v++)
		if (rules_value_ok(form, cells, field, f->values[v], NULL))
			out[n++] = v;
	return n;
}

/* Whether an only-rule on a field names field in its when. */
static bool drives(const FormRule *r, size_t field)
{
	return r->type == RULE_ONLY && r->when.present && r->when.field == field;
}

/* Settles field f of cells as rules_follow says; true when it changed. */
static bool settle(const Form *form, char **cells, size_t f, bool fill_empty,
		   const FormRule **why)
{
	const FormField *ff = form_field(form, f);
	size_t idx[ff->nvalues ? ff->nvalues : 1];
	size_t k = rules_permitted(form, cells, f, idx);
	const char *v = cells[f];
	if (*v && !rules_value_ok(form, cells, f, v, why)) {
		if (!*why)
			return false; /* not a value of the field at all: its own error */
		cells[f] = k == 1 ? ff->values[idx[0]] : "";
		return true;
	}
	if (!*v && fill_empty && k == 1) {
		*why = NULL;
		size_t nr;
		const size_t *ri = form_field_rules(form, f, &nr);
		for (size_t i = 0; i < nr && !*why; i++) { /* the rule that leaves one value */
			const FormRule *r = form_rule(form, ri[i]);
			if (r->type == RULE_ONLY && cond_holds(form, &r->when, cells))
				*why = r;
		}
		cells[f] = ff->values[idx[0]];
		return true;
	}
	return false;
}

size_t rules_follow(const Form *form, char **cells, size_t changed, RuleEffect *out)
{
	size_t nf = form_nfields(form), n = 0;
	/* the fields whose change is to be followed, in the order they changed */
	size_t queue[nf ? nf : 1], head = 0, tail = 0;
	bool done[nf ? nf : 1];
	memset(done, 0, sizeof done);
	queue[tail++] = changed;
	done[changed] = true;
	while (head < tail) {
		size_t x = queue[head++];
		for (size_t k = 0; k < form_nrules(form); k++) {
			const FormRule *r = form_rule(form, k);
			if (!drives(r, x) || done[r->fields[0]])
				continue;
			size_t g = r->fields[0];
			const FormRule *why = NULL;
			if (!settle(form, cells, g, true, &why))
				continue;
			out[n++] = (RuleEffect){g, why ? why : r};
			done[g] = true;
			queue[tail++] = g;
		}
	}
	return n;
}

size_t rules_fill(const Form *form, char **cells, RuleEffect *out)
{
	size_t n = 0, nf = form_nfields(form);
	bool moved = true;
	while (moved) { /* a field filled may leave one value for another */
		moved = false;
		for (size_t f = 0; f < nf; f++) {
			const FormRule *why = NULL;
			if (form_field(form, f)->kind != KIND_CHOICE || *cells[f] ||
			    !settle(form, cells, f, true, &why))
				continue;
			out[n++] = (RuleEffect){f, why};
			moved = true;
		}
	}
	return n;
}

static char *quote(const char *s)
{
	return text_clip(s, QUOTE_MAX);
}

/* Expands {when_label} {when_value} {value} {labels} {where} {count}
 * {max} in tmpl. */
typedef struct {
	const char *when_label, *when_value, *value, *labels, *where, *count, *max;
} Vars;

static char *expand(const char *tmpl, const Vars *v)
{
	static const char *const names[] = {"{when_label}", "{when_value}", "{value}", "{labels}",
					    "{where}",	    "{count}",	    "{max}"};
	const char *vals[] = {v->when_label, v->when_value, v->value, v->labels,
			      v->where,	     v->count,	    v->max};
	size_t cap = strlen(tmpl) + 64, n = 0;
	char *out = xmalloc(cap);
	for (const char *p = tmpl; *p;) {
		const char *piece = p;
		size_t len = 1, skip = 1;
		for (size_t i = 0; i < sizeof names / sizeof *names; i++)
			if (vals[i] && strncmp(p, names[i], strlen(names[i])) == 0) {
				piece = vals[i];
				len = strlen(vals[i]);
				skip = strlen(names[i]);
				break;
			}
		while (n + len + 1 > cap)
			out = xrealloc(out, cap *= 2);
		memcpy(out + n, piece, len);
		n += len;
		p += skip;
	}
	out[n] = '\0';
	return out;
}

static void rule_diag(DiagList *dl, const Form *form, const FormRule *r, char *const *cells,
		      const char *deflt, const char *value, long line, long record, size_t field)
{
	char *wv = r->when.present ? quote(cells[r->when.field]) : NULL;
	char *v = value ? quote(value) : NULL;
	Vars vars = {r->when.present ? form_field(form, r->when.field)->label : "", wv ? wv : "",
		     v ? v : "", NULL, NULL, NULL, NULL};
	char *msg = expand(r->message ? r->message : deflt, &vars);
	diag_add(dl, r->severity, line, 0, record, (int)field, "%s", msg);
	free(msg);
	free(wv);
	free(v);
}

static char *join_values(char **values, size_t n, const char *sep);

char *rules_why_not(const Form *form, char *const *cells, size_t field, const char *value)
{
	const FormRule *why;
	if (rules_value_ok(form, cells, field, value, &why))
		return xstrdup("");
	DiagList dl;
	diag_init(&dl);
	if (why) {
		rule_diag(&dl, form, why, cells, "{when_label}為「{when_value}」時不可填「{value}」", value,
			  0, -1, field);
	} else {
		const FormField *f = form_field(form, field);
		char *list = join_values(f->values, f->nvalues, "、");
		diag_add(&dl, DIAG_ERROR, 0, 0, -1, (int)field, "不是可填的值，可填的值為%s", list);
		free(list);
	}
	char *m = xstrdup(dl.items[0].msg);
	diag_free(&dl);
	return m;
}

static char *join_values(char **values, size_t n, const char *sep)
{
	char *s = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%s%s", s, i ? sep : "", values[i]);
		free(s);
		s = t;
	}
	return s;
}

static void check_integer(DiagList *dl, const char *v, long line, long record, size_t field)
{
	for (const char *p = v; *p; p++)
		if (*p < '0' || *p > '9') {
			char *q = quote(v);
			diag_add(dl, DIAG_ERROR, line, 0, record, (int)field,
				 "「%s」不是整數；只能填數字，不含單位、逗號、小數點或負號", q);
			free(q);
			return;
		}
}

/* true when v looks like a 10-character agency code (機關代碼), e.g.
 * 376470000A: digits and letters, no dot, at least one of each. */
static bool looks_like_agency_code(const char *v)
{
	size_t n = strlen(v), digits = 0, letters = 0;
	for (const char *p = v; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
			letters++;
		else
			return false;
	}
	return n >= 6 && n <= 12 && digits && letters;
}

static void check_oid(DiagList *dl, const FormField *f, const char *v, long line, long record,
		      size_t field)
{
	const char *problem = NULL;
	if (looks_like_agency_code(v)) {
		char *q = quote(v);
		diag_add(dl, DIAG_ERROR, line, 0, record, (int)field,
			 "「%s」看起來是機關代碼，不是 OID；請填物件識別碼 (以點分隔的數字)", q);
		free(q);
		return;
	}
	size_t arcs = 0;
	for (const char *p = v; *p && !problem;) {
		const char *start = p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p && *p != '.')
			problem = "只能有數字和點";
		else if (p == start)
			problem = *p == '\0' ? "不可以點結尾" : "有空的節點 (開頭的點或連續的點)";
		else if (*start == '0' && p - start > 1)
			problem = "的節點不可以 0 開頭";
		else if (*p == '.' && p[1] == '\0')
			problem = "不可以點結尾";
		arcs++;
		if (*p == '.')
			p++;
	}
	if (!problem && arcs < 2)
		problem = "至少要有兩節 (例如 2.16)";
	char *q = NULL; /* the value quoted, for a message only */
	if (problem) {
		q = quote(v);
		diag_add(dl, DIAG_ERROR, line, 0, record, (int)field, "「%s」不是正確的 OID；OID %s",
			 q, problem);
	} else if (f->noid_expect) {
		bool under = false;
		for (size_t i = 0; i < f->noid_expect && !under; i++) {
			size_t n = strlen(f->oid_expect[i]);
			under = strncmp(v, f->oid_expect[i], n) == 0 && (v[n] == '\0' || v[n] == '.');
		}
		if (!under) {
			q = quote(v);
			char *list = join_values(f->oid_expect, f->noid_expect, "、");
			diag_add(dl, DIAG_WARNING, line, 0, record, (int)field,
				 "OID「%s」不在 %s 之下，請確認", q, list);
			free(list);
		}
	}
	free(q);
}

static void check_choice(DiagList *dl, const Form *form, char *const *cells, size_t field,
			 long line, long record)
{
	const FormField *f = form_field(form, field);
	const char *v = cells[field];
	const FormRule *why;
	if (rules_value_ok(form, cells, field, v, &why))
		return;
	if (why) {
		rule_diag(dl, form, why, cells, "{when_label}為「{when_value}」時不可填「{value}」",
			  v, line, record, field);
		return;
	}
	char *q = quote(v);
	char *list = join_values(f->values, f->nvalues, "、");
	diag_add(dl, DIAG_ERROR, line, 0, record, (int)field, "「%s」不是可填的值，可填的值為%s", q,
		 list);
	free(q);
	free(list);
}

/* "必填", and when an optional rule could waive the field, when that is:
 * "必填 (建置方式為「主管/上級機關提供」時才可免填)". */
static void missing_diag(DiagList *dl, const Form *form, size_t field, long line, long record)
{
	size_t nr;
	const size_t *ri = form_field_rules(form, field, &nr);
	for (size_t i = 0; i < nr; i++) {
		const FormRule *r = form_rule(form, ri[i]);
		if (r->type != RULE_OPTIONAL || !r->when.present)
			continue;
		char *vals = join_values(r->when.values, r->when.nvalues, "」或「");
		diag_add(dl, DIAG_ERROR, line, 0, record, (int)field, "必填 (%s%s「%s」時才可免填)",
			 form_field(form, r->when.field)->label, r->when.op == COND_IN ? "為" : "不是",
			 vals);
		free(vals);
		return;
	}
	diag_add(dl, DIAG_ERROR, line, 0, record, (int)field, "必填");
}

bool rules_formula_like(const FormField *f, const char *v)
{
	return f->kind == KIND_TEXT && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@');
}

char *rules_formula_warning(const char *v)
{
	char *q = quote(v);
	char *m = xasprintf("「%s」以「%c」開頭；Excel 開啟 CSV 時可能當成公式執行", q, v[0]);
	free(q);
	return m;
}

void rules_check_record(const Form *form, char *const *cells, long line, long record,
			DiagList *dl)
{
	for (size_t i = 0; i < form_nfields(form); i++) {
		const FormField *f = form_field(form, i);
		const char *v = cells[i];
		if (!*v) {
			const FormRule *why;
			if (rules_need(form, cells, i, &why) != NEED_REQUIRED)
				continue;
			if (why)
				rule_diag(dl, form, why, cells, "{when_label}為「{when_value}」時必填",
					  NULL, line, record, i);
			else
				missing_diag(dl, form, i, line, record);
			continue;
		}
		if (rules_formula_like(f, v)) {
			char *m = rules_formula_warning(v);
			diag_add(dl, DIAG_WARNING, line, 0, record, (int)i, "%s", m);
			free(m);
		}
		if (f->pattern_re && regexec(f->pattern_re, v, 0, NULL, 0) != 0) {
			char *q = quote(v);
			diag_add(dl, DIAG_ERROR, line, 0, record, (int)i, "「%s」格式不對；%s", q,
				 f->pattern_message ? f->pattern_message : f->pattern);
			free(q);
		} else if (f->warn_re && regexec(f->warn_re, v, 0, NULL, 0) == 0) {
			char *q = quote(v);
			diag_add(dl, DIAG_WARNING, line, 0, record, (int)i, "「%s」%s", q,
				 f->warn_message ? f->warn_message : "請確認");
			free(q);
		}
		switch (f->kind) {
		case KIND_CHOICE:
			/* most choice fields: any of their values will do */
			if (f->restricted || form_value_index(f, v) < 0)
				check_choice(dl, form, cells, i, line, record);
			break;
		case KIND_INTEGER:
			check_integer(dl, v, line, record, i);
			break;
		case KIND_OID:
			check_oid(dl, f, v, line, record, i);
			break;
		case KIND_TEXT:
			break;
		}
	}
}

/* --- rules across records (unique, count) ---------------------------------- */

/* What a run keeps of each record is an entry of a flat array: its line,
 * the hash of its key for each unique rule (hashed as the record came,
 * while its cells were in the cache), and the cells of the fields the
 * rules across records name, copied into chunks freed with the run.
 * Both are huge pages: 100,000 records keep about 8 MB, and page faults
 * cost more than the copying. */
typedef struct KeepChunk {
	struct KeepChunk *next;
	size_t used, cap;
	char data[];
} KeepChunk;

/* The first chunk of a run, in ordinary pages: a small file needs no more. */
#define KEEP_FIRST ((size_t)1 << 18)

struct RulesRun {
	const Form *form;
	size_t nkeep;	   /* fields kept of each record */
	long *slot;	   /* per form field: its place among those kept, or -1 */
	size_t *kept;	   /* the fields kept, in that order */
	size_t nunique;	   /* unique rules */
	long *unique;	   /* per rule of the form: its place among them, or -1 */
	size_t *unique_rule; /* the unique rules, in that order */
	size_t hash_at;	 /* where an entry's hashes begin (its line first) */
	size_t cells_at; /* and its cells */
	size_t stride;	 /* bytes of an entry */
	unsigned char *entry;
	size_t n, cap; /* records checked; entries there is room for */
	KeepChunk *text;
	DiagList dl;	/* what checking them one by one found */
	bool for_table; /* rules_run_new_table: nothing kept */
};

static long *entry_line(const RulesRun *run, size_t i)
{
	return (long *)(run->entry + i * run->stride);
}

static uint32_t *entry_hash(const RulesRun *run, size_t i)
{
	return (uint32_t *)(run->entry + i * run->stride + run->hash_at);
}

static const char **entry_cells(const RulesRun *run, size_t i)
{
	return (const char **)(run->entry + i * run->stride + run->cells_at);
}

/* The records the rules across records look at: a table's, or those a
 * run kept of a file checked as it was read; with origin, gathered from
 * several files, whose problems go to dls[file]. */
typedef struct {
	const Table *t;
	const RulesRun *run;
	const RulesOrigin *origin;
	DiagList *const *dls;
} Across;

static size_t across_n(const Across *a)
{
	return a->t ? table_nrecords(a->t) : a->run->n;
}

static const char *across_cell(const Across *a, size_t i, size_t field)
{
	if (a->t)
		return table_record_c(a->t, i)->cells[field];
	/* a run keeps every field a rule across records names (rules_run_new),
	 * and only those are asked for: slot[field] >= 0 */
	return entry_cells(a->run, i)[a->run->slot[field]];
}

static long across_line(const Across *a, size_t i)
{
	return a->t ? table_record_c(a->t, i)->line : *entry_line(a->run, i);
}

/* Adds a problem of record i to dl, or with an origin to its file's
 * list, numbered as in its file. */
static void across_add(const Across *a, DiagList *dl, size_t i, DiagLevel level, size_t field,
		       const char *msg)
{
	long rec = (long)i;
	if (a->origin) {
		dl = a->dls[a->origin->file[i]];
		rec = a->origin->record[i];
	}
	diag_add(dl, level, across_line(a, i), 0, rec, (int)field, "%s", msg);
}

static char *across_where(const Across *a, size_t first, size_t i)
{
	return rules_where(a->origin, first, across_line(a, first), i);
}

char *rules_where(const RulesOrigin *origin, size_t first, long line, size_t later)
{
	long rec = origin ? origin->record[first] : (long)first;
	char *at = line > 0 ? xasprintf("第 %ld 筆 (第 %ld 行)", rec + 1, line)
			    : xasprintf("第 %ld 筆", rec + 1);
	if (!origin || origin->file[first] == origin->file[later])
		return at;
	char *where = xasprintf("「%s」%s", origin->names[origin->file[first]], at);
	free(at);
	return where;
}

/* A run never gets an empty record: the readers drop them. */
static bool across_empty(const Across *a, size_t i)
{
	return a->t && table_record_empty(a->t, i);
}

/* The hash check_unique keeps of a record's key: 0 when a cell of the
 * key is empty (no key), else 32 bits with the lowest set.  Made of the
 * key's cells with key_hash_cell, eight bytes at a time: a big file has
 * hundreds of thousands of keys to hash. */
static uint64_t key_hash_cell(uint64_t h, const char *p)
{
	const uint64_t k = 0x9E3779B97F4A7C15ULL;
	size_t n = strlen(p);
	h = (h ^ n) * k;
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	uint64_t w = 0;
	memcpy(&w, p, n);
	h = (h ^ w) * k;
	return h ^ (h >> 29);
}

static uint32_t key_hash_end(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32)) | 1;
}

/* The key hash of a record's cells (0: no key). */
static uint32_t cells_hash(char *const *cells, const FormRule *r)
{
	uint64_t h = r->nfields;
	for (size_t i = 0; i < r->nfields; i++) {
		const char *v = cells[r->fields[i]];
		if (!*v)
			return 0;
		h = key_hash_cell(h, v);
	}
	return key_hash_end(h);
}

static bool same_key(const Across *a, size_t x, size_t y, const FormRule *r)
{
	for (size_t i = 0; i < r->nfields; i++)
		if (strcmp(across_cell(a, x, r->fields[i]), across_cell(a, y, r->fields[i])) != 0)
			return false;
	return true;
}

static bool key_complete(const Across *a, size_t rec, const FormRule *r)
{
	for (size_t i = 0; i < r->nfields; i++)
		if (!*across_cell(a, rec, r->fields[i]))
			return false;
	return true;
}

/* A slot of check_unique's open-addressing table: a key's hash (32 bits,
 * the lowest set) and the first record with the key (index + 1; 0 =
 * free).  A file has at most 2^31 bytes, so fewer records than that. */
typedef struct {
	uint32_t hash, rec;
} KeySlot;

static void check_unique(const Form *form, const Across *a, size_t rule, DiagList *dl)
{
	const FormRule *r = form_rule(form, rule);
	size_t n = across_n(a), cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	/* zeroed by writing, not calloc: calloc's pages would first be read
	 * as the shared zero page, and each first write to one would then
	 * stop the other parts' processors to flush their TLBs */
	KeySlot *slot = cap * sizeof *slot >= HUGE_PAGE ? xmalloc_huge(cap * sizeof *slot, NULL)
							: xmalloc(cap * sizeof *slot);
	memset(slot, 0, cap * sizeof *slot);
	char *labels = xstrdup("");
	for (size_t i = 0; i < r->nfields; i++) {
		char *l = xasprintf("%s%s%s", labels, i ? "及" : "", form_field(form, r->fields[i])->label);
		free(labels);
		labels = l;
	}
	const char *deflt =
	    r->nfields == 1 ? "與{where}重複" : "與{where}的{labels}相同，可能重複填寫";
	/* the hashes first, so that the slot of a record a few ahead can be
	 * fetched while this one is looked up: the table is too big for the
	 * cache, and most lookups would wait for memory */
	enum { AHEAD = 8 };
	uint32_t *hash = NULL; /* 0: no key; a run hashed them as they came */
	size_t u = a->run ? (size_t)a->run->unique[rule] : 0;
	if (!a->run) {
		hash = xmalloc((n ? n : 1) * sizeof *hash);
		for (size_t i = 0; i < n; i++) /* an empty record has no key either */
			hash[i] = across_empty(a, i) ? 0 : cells_hash(table_record_c(a->t, i)->cells, r);
	}
	for (size_t i = 0; i < n; i++) {
		if (i + AHEAD < n)
			__builtin_prefetch(
			    &slot[(hash ? hash[i + AHEAD] : entry_hash(a->run, i + AHEAD)[u]) & (cap - 1)]);
		uint32_t h = hash ? hash[i] : entry_hash(a->run, i)[u];
		if (!h)
			continue;
		size_t s = (size_t)h & (cap - 1);
		while (slot[s].rec && (slot[s].hash != h || !same_key(a, slot[s].rec - 1, i, r)))
			s = (s + 1) & (cap - 1);
		if (!slot[s].rec) {
			slot[s] = (KeySlot){h, (uint32_t)(i + 1)};
			continue;
		}
		char *where = across_where(a, slot[s].rec - 1, i);
		char *v = quote(across_cell(a, i, r->fields[0]));
		Vars vars = {"", "", v, labels, where, "", ""};
		char *msg = expand(r->message ? r->message : deflt, &vars);
		across_add(a, dl, i, r->severity, r->fields[0], msg);
		free(msg);
		free(v);
		free(where);
	}
	free(labels);
	free(slot);
	free(hash);
}

/* Whether record i counts for a count rule. */
static bool count_selects(const Form *form, const Across *a, size_t i, const FormRule *r)
{
	return !across_empty(a, i) && key_complete(a, i, r) &&
	       (!r->when.present || cond_value_holds(form, &r->when, across_cell(a, i, r->when.field)));
}

/* RULE_COUNT: at most r->max records where the condition holds share the
 * values of r->fields; each record beyond that is reported. */
static void check_count(const Form *form, const Across *a, const FormRule *r, DiagList *dl)
{
	size_t n = across_n(a);
	/* a small quadratic pass over the records the condition selects: a
	 * count rule is for forms of a few rows (administrators), and the
	 * counts need the earlier records anyway */
	for (size_t i = 0; i < n; i++) {
		if (!count_selects(form, a, i, r))
			continue;
		long seen = 0;
		for (size_t j = 0; j < i; j++)
			seen += count_selects(form, a, j, r) && same_key(a, j, i, r);
		if (seen + 1 <= r->max)
			continue;
		char *v = quote(across_cell(a, i, r->fields[0]));
		char *cnt = xasprintf("%ld", seen + 1);
		char *mx = xasprintf("%ld", r->max);
		char *wv = r->when.present ? quote(across_cell(a, i, r->when.field)) : xstrdup("");
		Vars vars = {r->when.present ? form_field(form, r->when.field)->label : "", wv, v, "",
			     "", cnt, mx};
		char *msg = expand(r->message ? r->message : "「{value}」已有 {count} 筆，超過 {max} 筆",
				   &vars);
		free(wv);
		across_add(a, dl, i, r->severity, r->fields[0], msg);
		free(msg);
		free(mx);
		free(cnt);
		free(v);
	}
}

static bool across_rule(const FormRule *r)
{
	return r->type == RULE_UNIQUE || r->type == RULE_COUNT;
}

/* The rules across records (unique, count), over the records a sees. */
static void check_across(const Form *form, const Across *a, DiagList *dl)
{
	for (size_t k = 0; k < form_nrules(form); k++) {
		const FormRule *rule = form_rule(form, k);
		if (rule->type == RULE_UNIQUE)
			check_unique(form, a, k, dl);
		else if (rule->type == RULE_COUNT)
			check_count(form, a, rule, dl);
	}
}

void rules_check_across(const Table *t, DiagList *dl)
{
	check_across(table_form(t), &(Across){.t = t}, dl);
}

void rules_check_across_files(const Table *t, const RulesOrigin *origin, DiagList *const *dls)
{
	check_across(table_form(t), &(Across){.t = t, .origin = origin, .dls = dls}, NULL);
}

size_t rules_check_table(const Table *t, DiagList *dl)
{
	const Form *form = table_form(t);
	size_t checked = 0;
	for (size_t r = 0; r < table_nrecords(t); r++) {
		if (table_record_empty(t, r))
			continue;
		const Record *rec = table_record_c(t, r);
		rules_check_record(form, rec->cells, rec->line, (long)r, dl);
		checked++;
	}
	check_across(form, &(Across){.t = t}, dl);
	return checked;
}

size_t rules_records_with_errors(const Table *t)
{
	DiagList dl;
	diag_init(&dl);
	rules_check_table(t, &dl);
	size_t n = 0;
	long last = -1;
	diag_sort(&dl);
	for (size_t i = 0; i < dl.n; i++)
		if (dl.items[i].level == DIAG_ERROR && dl.items[i].record >= 0 &&
		    dl.items[i].record != last) {
			n++;
			last = dl.items[i].record;
		}
	diag_free(&dl);
	return n;
}

/* --- checking records as they are read ------------------------------------ */

/* n rounded up to a multiple of a (a power of two). */
static size_t round_up(size_t n, size_t a)
{
	return (n + a - 1) & ~(a - 1);
}

RulesRun *rules_run_new(const Form *form)
{
	RulesRun *run = xcalloc(1, sizeof *run);
	run->form = form;
	diag_init(&run->dl);
	size_t nf = form_nfields(form), nr = form_nrules(form);
	run->slot = xmalloc((nf ? nf : 1) * sizeof *run->slot);
	for (size_t f = 0; f < nf; f++)
		run->slot[f] = -1;
	run->unique = xmalloc((nr ? nr : 1) * sizeof *run->unique);
	for (size_t k = 0; k < nr; k++) {
		const FormRule *r = form_rule(form, k);
		run->unique[k] = r->type == RULE_UNIQUE ? (long)run->nunique++ : -1;
		if (!across_rule(r))
			continue;
		for (size_t i = 0; i < r->nfields; i++)
			if (run->slot[r->fields[i]] < 0)
				run->slot[r->fields[i]] = (long)run->nkeep++;
		if (r->when.present && run->slot[r->when.field] < 0)
			run->slot[r->when.field] = (long)run->nkeep++;
	}
	run->kept = xmalloc((run->nkeep ? run->nkeep : 1) * sizeof *run->kept);
	for (size_t f = 0; f < nf; f++)
		if (run->slot[f] >= 0)
			run->kept[run->slot[f]] = f;
	run->unique_rule = xmalloc((run->nunique ? run->nunique : 1) * sizeof *run->unique_rule);
	for (size_t k = 0; k < nr; k++)
		if (run->unique[k] >= 0)
			run->unique_rule[run->unique[k]] = k;
	/* an entry: long line; uint32_t hash[nunique]; const char *cells[nkeep],
	 * each aligned as its type needs, and entries one after another */
	size_t align = _Alignof(long) > _Alignof(const char *) ? _Alignof(long)
							       : _Alignof(const char *);
	run->hash_at = sizeof(long);
	run->cells_at = round_up(run->hash_at + run->nunique * sizeof(uint32_t),
				 _Alignof(const char *));
	run->stride = round_up(run->cells_at + run->nkeep * sizeof(const char *), align);
	return run;
}

RulesRun *rules_run_new_table(const Form *form)
{
	RulesRun *run = rules_run_new(form);
	run->for_table = true;
	run->nkeep = 0; /* so rules_run_record keeps nothing */
	return run;
}

void rules_run_take(RulesRun *run, DiagList *dl)
{
	diag_move(dl, &run->dl, 0, 0);
}

void rules_run_free(RulesRun *run)
{
	if (!run)
		return;
	while (run->text) {
		KeepChunk *next = run->text->next;
		free(run->text);
		run->text = next;
	}
	free(run->entry);
	free(run->unique);
	free(run->unique_rule);
	free(run->slot);
	free(run->kept);
	diag_free(&run->dl);
	free(run);
}

/* A copy of s in run's chunks. */
static const char *keep_text(RulesRun *run, const char *s)
{
	size_t n = strlen(s) + 1;
	if (n == 1)
		return "";
	KeepChunk *c = run->text;
	if (!c || c->cap - c->used < n) {
		size_t size = KEEP_FIRST;
		if (c || sizeof *c + n > size) /* the first of a small file in small pages */
			c = xmalloc_huge(sizeof *c + n, &size);
		else
			c = xmalloc(size);
		c->used = 0;
		c->cap = size - sizeof *c;
		c->next = run->text;
		run->text = c;
	}
	char *p = c->data + c->used;
	memcpy(p, s, n);
	c->used += n;
	return p;
}

/* Room for at least cap entries: the first few in small pages (a small
 * file needs no more), then in huge ones. */
static void run_grow(RulesRun *run, size_t cap)
{
	if (cap > SIZE_MAX / run->stride)
		mem_out_of_memory();
	size_t size = cap * run->stride;
	unsigned char *e = !run->cap ? xmalloc(size) : xmalloc_huge(size, &size);
	if (run->n)
		memcpy(e, run->entry, run->n * run->stride);
	free(run->entry);
	run->entry = e;
	run->cap = size / run->stride;
}

void rules_run_record(RulesRun *run, char *const *cells, long line)
{
	rules_check_record(run->form, cells, line, (long)run->n, &run->dl);
	if (run->nkeep) {
		if (run->n == run->cap)
			run_grow(run, run->cap ? 2 * run->cap : 1024);
		*entry_line(run, run->n) = line;
		uint32_t *hash = entry_hash(run, run->n);
		for (size_t u = 0; u < run->nunique; u++)
			hash[u] = cells_hash(cells, form_rule(run->form, run->unique_rule[u]));
		const char **kept = entry_cells(run, run->n);
		for (size_t i = 0; i < run->nkeep; i++)
			kept[i] = keep_text(run, cells[run->kept[i]]);
	}
	run->n++;
}

size_t rules_run_count(const RulesRun *run)
{
	return run->n;
}

size_t rules_run_end(RulesRun *run, DiagList *dl)
{
	diag_move(dl, &run->dl, 0, 0); /* which leaves run->dl empty */
	check_across(run->form, &(Across){.run = run}, dl);
	return run->n;
}

void rules_run_join(RulesRun *into, RulesRun *from)
{
	if (into->nkeep) { /* a form without rules across records keeps no entries */
		if (into->cap - into->n < from->n)
			run_grow(into, into->n + from->n);
		if (from->n)
			memcpy(into->entry + into->n * into->stride, from->entry, from->n * from->stride);
	}
	diag_move(&into->dl, &from->dl, (long)into->n, 0);
	into->n += from->n;
	if (from->text) { /* the cells kept: from's chunks go behind into's current one */
		KeepChunk *last = from->text;
		while (last->next)
			last = last->next;
		if (into->text) {
			last->next = into->text->next;
			into->text->next = from->text;
		} else {
			into->text = from->text;
		}
		from->text = NULL;
	}
	from->n = 0;
	rules_run_free(from);
}

size_t rules_run_end_files(RulesRun *run, const RulesOrigin *origin, DiagList *const *dls)
{
	for (size_t i = 0; i < run->dl.n; i++) { /* each record's own, to its file */
		Diag *d = &run->dl.items[i];
		size_t f = origin->file[d->record];
		diag_add(dls[f], d->level, d->line, d->col, origin->record[d->record], d->field, "%s",
			 d->msg);
	}
	diag_free(&run->dl);
	diag_init(&run->dl);
	check_across(run->form, &(Across){.run = run, .origin = origin, .dls = dls}, NULL);
	return run->n;
}

size_t rules_run_end_table(RulesRun *run, const Table *t, DiagList *dl)
{
	diag_move(dl, &run->dl, 0, 0);
	check_across(run->form, &(Across){.t = t}, dl);
	return run->n;
}
