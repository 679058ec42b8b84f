/* rules.c - the rule engine; see rules.h and forms/README.md. */
#include "rules.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "par.h"
#include "text.h"

/* A user value quoted in a message is cut to this many bytes (at a
 * character boundary) so that a multi-megabyte cell gives a readable line. */
#define QUOTE_MAX 60

static bool cond_holds(const Form *form, const FormCond *c, char *const *cells)
{
	if (!c->present)
		return true;
	const char *v = cells[c->field];
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
				 "「%s」不是整數：只能填數字，不含單位、逗號、小數點或負號", q);
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
	char *q = quote(v);
	const char *problem = NULL;
	if (looks_like_agency_code(v)) {
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
	if (problem) {
		diag_add(dl, DIAG_ERROR, line, 0, record, (int)field, "「%s」不是正確的 OID：OID %s",
			 q, problem);
	} else if (f->noid_expect) {
		bool under = false;
		for (size_t i = 0; i < f->noid_expect && !under; i++) {
			size_t n = strlen(f->oid_expect[i]);
			under = strncmp(v, f->oid_expect[i], n) == 0 && (v[n] == '\0' || v[n] == '.');
		}
		if (!under) {
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
	diag_add(dl, DIAG_ERROR, line, 0, record, (int)field, "「%s」不是可填的值；可填：%s", q,
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
		if (f->kind == KIND_TEXT && strchr("=+-@", v[0])) {
			char *q = quote(v);
			diag_add(dl, DIAG_WARNING, line, 0, record, (int)i,
				 "「%s」以「%c」開頭：Excel 開啟 CSV 時可能當成公式執行", q, v[0]);
			free(q);
		}
		if (f->pattern_re && regexec(f->pattern_re, v, 0, NULL, 0) != 0) {
			char *q = quote(v);
			diag_add(dl, DIAG_ERROR, line, 0, record, (int)i, "「%s」格式不對：%s", q,
				 f->pattern_message ? f->pattern_message : f->pattern);
			free(q);
		} else if (f->warn_re && regexec(f->warn_re, v, 0, NULL, 0) == 0) {
			char *q = quote(v);
			diag_add(dl, DIAG_WARNING, line, 0, record, (int)i, "「%s」：%s", q,
				 f->warn_message ? f->warn_message : "請確認");
			free(q);
		}
		switch (f->kind) {
		case KIND_CHOICE:
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

/* --- unique rules: one hash set per rule over the records' keys ------- */

/* A hash of the key's cells, eight bytes at a time (a big file has
 * hundreds of thousands of keys to hash). */
static uint64_t hash_key(const Record *rec, const FormRule *r)
{
	const uint64_t k = 0x9E3779B97F4A7C15ULL;
	uint64_t h = r->nfields;
	for (size_t i = 0; i < r->nfields; i++) {
		const char *p = rec->cells[r->fields[i]];
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
		h ^= h >> 29;
	}
	return h ^ (h >> 32);
}

static bool same_key(const Record *a, const Record *b, const FormRule *r)
{
	for (size_t i = 0; i < r->nfields; i++)
		if (strcmp(a->cells[r->fields[i]], b->cells[r->fields[i]]) != 0)
			return false;
	return true;
}

static bool key_complete(const Record *rec, const FormRule *r)
{
	for (size_t i = 0; i < r->nfields; i++)
		if (!*rec->cells[r->fields[i]])
			return false;
	return true;
}

/* A slot of check_unique's open-addressing table: a key's hash (32 bits,
 * the lowest set) and the first record with the key (index + 1; 0 =
 * free).  A file has at most 2^31 bytes, so fewer records than that. */
typedef struct {
	uint32_t hash, rec;
} KeySlot;

static void check_unique(const Table *t, const FormRule *r, DiagList *dl)
{
	const Form *form = table_form(t);
	size_t n = table_nrecords(t), cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	/* zeroed by writing, not calloc: calloc's pages would first be read
	 * as the shared zero page, and each first write to one would then
	 * stop the other parts' processors to flush their TLBs */
	KeySlot *slot = xmalloc(cap * sizeof *slot);
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
	uint32_t *hash = xmalloc((n ? n : 1) * sizeof *hash); /* 0: no key */
	for (size_t i = 0; i < n; i++) {
		const Record *rec = table_record_c(t, i);
		/* an empty record has no key either */
		hash[i] = key_complete(rec, r) ? (uint32_t)hash_key(rec, r) | 1 : 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (i + AHEAD < n)
			__builtin_prefetch(&slot[hash[i + AHEAD] & (cap - 1)]);
		if (!hash[i])
			continue;
		const Record *rec = table_record_c(t, i);
		uint32_t h = hash[i];
		size_t s = (size_t)h & (cap - 1);
		while (slot[s].rec &&
		       (slot[s].hash != h || !same_key(table_record_c(t, slot[s].rec - 1), rec, r)))
			s = (s + 1) & (cap - 1);
		if (!slot[s].rec) {
			slot[s] = (KeySlot){h, (uint32_t)(i + 1)};
			continue;
		}
		const Record *first = table_record_c(t, slot[s].rec - 1);
		char *where = first->line > 0 ? xasprintf("第 %ld 行", first->line)
					      : xasprintf("第 %u 筆記錄", slot[s].rec);
		char *v = quote(rec->cells[r->fields[0]]);
		Vars vars = {"", "", v, labels, where, "", ""};
		char *msg = expand(r->message ? r->message : deflt, &vars);
		diag_add(dl, r->severity, rec->line, 0, (long)i, (int)r->fields[0], "%s", msg);
		free(msg);
		free(v);
		free(where);
	}
	free(labels);
	free(slot);
	free(hash);
}

/* RULE_COUNT: at most r->max records where the condition holds share the
 * values of r->fields; each record beyond that is reported. */
static void check_count(const Table *t, const FormRule *r, DiagList *dl)
{
	const Form *form = table_form(t);
	size_t n = table_nrecords(t);
	/* a small quadratic pass over the records the condition selects: a
	 * count rule is for forms of a few rows (administrators), and the
	 * counts need the earlier records anyway */
	for (size_t i = 0; i < n; i++) {
		const Record *rec = table_record_c(t, i);
		if (table_record_empty(t, i) || !key_complete(rec, r) || !cond_holds(form, &r->when, rec->cells))
			continue;
		long seen = 0;
		for (size_t j = 0; j < i; j++) {
			const Record *o = table_record_c(t, j);
			seen += !table_record_empty(t, j) && cond_holds(form, &r->when, o->cells) &&
				same_key(o, rec, r);
		}
		if (seen + 1 <= r->max)
			continue;
		char *v = quote(rec->cells[r->fields[0]]);
		char *cnt = xasprintf("%ld", seen + 1);
		char *mx = xasprintf("%ld", r->max);
		char *wv = r->when.present ? quote(rec->cells[r->when.field]) : xstrdup("");
		Vars vars = {r->when.present ? form_field(form, r->when.field)->label : "", wv, v, "",
			     "", cnt, mx};
		char *msg = expand(r->message ? r->message : "「{value}」已有 {count} 筆，超過 {max} 筆",
				   &vars);
		free(wv);
		diag_add(dl, r->severity, rec->line, 0, (long)i, (int)r->fields[0], "%s", msg);
		free(msg);
		free(mx);
		free(cnt);
		free(v);
	}
}

/* The work of rules_check_table, in parts that run side by side: part i
 * checks the records [from[i], from[i + 1]) one by one, then every
 * n-th rule across records, from the i-th.  Every record range
 * and every rule has a DiagList of its own, joined in order afterwards:
 * the problems come in the order one would find them checking alone. */
typedef struct {
	const Table *t;
	size_t nparts;
	size_t from[PAR_MAX + 1];
	size_t checked[PAR_MAX];
	DiagList part_dl[PAR_MAX];
	DiagList *rule_dl; /* one per rule of the form */
} Check;

/* Below this many records a part is not worth a thread. */
#define CHECK_PART_MIN 2000

static void check_part(void *ctx, size_t i, size_t n)
{
	Check *c = ctx;
	const Form *form = table_form(c->t);
	/* counted here, not in c: parts writing next to each other in one
	 * cache line would slow each other down */
	DiagList dl;
	diag_init(&dl);
	size_t checked = 0;
	for (size_t r = c->from[i]; r < c->from[i + 1]; r++) {
		if (table_record_empty(c->t, r))
			continue;
		const Record *rec = table_record_c(c->t, r);
		rules_check_record(form, rec->cells, rec->line, (long)r, &dl);
		checked++;
	}
	c->part_dl[i] = dl;
	c->checked[i] = checked;
	size_t across = 0; /* rules across records so far */
	for (size_t k = 0; k < form_nrules(form); k++) {
		const FormRule *rule = form_rule(form, k);
		if (rule->type != RULE_UNIQUE && rule->type != RULE_COUNT)
			continue;
		if (across++ % n != i)
			continue;
		if (rule->type == RULE_UNIQUE)
			check_unique(c->t, rule, &c->rule_dl[k]);
		else
			check_count(c->t, rule, &c->rule_dl[k]);
	}
}

size_t rules_check_table(const Table *t, DiagList *dl)
{
	const Form *form = table_form(t);
	size_t nrec = table_nrecords(t);
	Check c = {.t = t, .nparts = par_parts()};
	if (c.nparts > nrec / CHECK_PART_MIN)
		c.nparts = nrec / CHECK_PART_MIN ? nrec / CHECK_PART_MIN : 1;
	for (size_t i = 0; i <= c.nparts; i++)
		c.from[i] = nrec * i / c.nparts;
	for (size_t i = 0; i < c.nparts; i++)
		diag_init(&c.part_dl[i]);
	size_t nrules = form_nrules(form);
	c.rule_dl = xcalloc(nrules ? nrules : 1, sizeof *c.rule_dl);
	par_run(c.nparts, check_part, &c);
	size_t checked = 0;
	for (size_t i = 0; i < c.nparts; i++) {
		checked += c.checked[i];
		diag_move(dl, &c.part_dl[i], 0, 0);
	}
	for (size_t k = 0; k < nrules; k++)
		diag_move(dl, &c.rule_dl[k], 0, 0);
	free(c.rule_dl);
	return checked;
}
