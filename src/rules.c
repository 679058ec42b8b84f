/* rules.c - the rule engine; see rules.h and forms/README.md. */
#include "rules.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "text.h"
#include "value.h"

/* A user value quoted in a message is cut to this many bytes (at a
 * character boundary) so that a multi-megabyte cell gives a readable line. */
#define QUOTE_MAX 60

/* The number (millionths) or day of v, a value of integer, decimal or
 * date field f; false when v is not one (its own error says so). */
static bool scalar(const FormField *f, const char *v, int64_t *out)
{
	if (f->kind == KIND_DATE) {
		long day;
		char *why;
		bool ok = value_date_parse(v, &day, &why);
		free(why);
		*out = day;
		return ok;
	}
	int decimals;
	return value_number_parse(v, out, &decimals) == 0 &&
	       decimals <= (f->kind == KIND_DECIMAL ? f->decimals : 0);
}

static int64_t bound_value(const FormBound *b)
{
	return b->today ? value_today() : b->v;
}

/* Whether clause c (= or !=) holds of v, not empty: a multi field's
 * holds = when one of its items is one of the values. */
static bool in_holds(const Form *form, const FormClause *c, const char *v)
{
	const FormField *f = form_field(form, c->field);
	bool in = false;
	if (f->kind == KIND_MULTI) {
		bool ticked[f->nvalues ? f->nvalues : 1];
		if (form_multi_ticks(f, v, ticked))
			return false; /* an item that is no value: its own error */
		for (size_t i = 0; i < c->nvalues && !in; i++)
			in = ticked[c->value_idx[i]];
	} else if (c->value_idx) {
		long k = form_value_index(f, v);
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

/* Whether clause c holds of v, the value of its field. */
static bool clause_holds(const Form *form, const FormClause *c, const char *v)
{
	if (c->op == COND_EMPTY || c->op == COND_FILLED)
		return (*v == '\0') == (c->op == COND_EMPTY);
	if (!*v)
		return false; /* an empty field is unknown: neither = nor !=, < nor > */
	if (c->op == COND_IN || c->op == COND_NOT_IN)
		return in_holds(form, c, v);
	int64_t x;
	if (!scalar(form_field(form, c->field), v, &x))
		return false; /* a wrong value has its own error */
	int64_t b = bound_value(&c->bound);
	return c->op == COND_LT ? x < b : c->op == COND_LE ? x <= b : c->op == COND_GT ? x > b : x >= b;
}

/* The first clause of c that holds (and: the first of all), or NULL. */
static const FormClause *cond_clause(const Form *form, const FormCond *c, char *const *cells)
{
	if (!c->present)
		return NULL;
	for (size_t i = 0; i < c->nclauses; i++) {
		const FormClause *cl = &c->clauses[i];
		bool holds = clause_holds(form, cl, cells[cl->field]);
		if (c->any && holds)
			return cl;
		if (!c->any && !holds)
			return NULL;
	}
	return c->any ? NULL : &c->clauses[0];
}

static bool cond_holds(const Form *form, const FormCond *c, char *const *cells)
{
	return !c->present || cond_clause(form, c, cells) != NULL;
}

/* Whether c names field in a clause. */
static bool cond_names(const FormCond *c, size_t field)
{
	for (size_t i = 0; c->present && i < c->nclauses; i++)
		if (c->clauses[i].field == field)
			return true;
	return false;
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
	if (f->kind == KIND_MULTI) { /* no rule narrows a multi field */
		for (size_t v = 0; v < f->nvalues; v++)
			out[v] = v;
		return f->nvalues;
	}
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
	return r->type == RULE_ONLY && cond_names(&r->when, field);
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

const char *rules_computed(const Form *form, char *const *cells, size_t field, char *buf)
{
	const FormField *f = form_field(form, field);
	const FormCompute *c = &f->compute;
	long best = -1;
	int64_t sum = 0;
	for (size_t i = 0; i < c->nfields; i++) {
		const FormField *g = form_field(form, c->fields[i]);
		const char *v = cells[c->fields[i]];
		int64_t x;
		if (c->op == COMPUTE_SUM) {
			if (!*v || !scalar(g, v, &x) || __builtin_add_overflow(sum, x, &sum))
				return NULL;
			continue;
		}
		long k = form_value_index(g, v); /* the same values, the same indices */
		if (k < 0)
			return NULL;
		if (best < 0 || (c->op == COMPUTE_MAX ? k > best : k < best))
			best = k;
	}
	if (c->op == COMPUTE_NONE || c->nfields == 0)
		return NULL;
	if (c->op != COMPUTE_SUM)
		return f->values[best];
	value_number_format(sum, buf, 32);
	return buf;
}

/* The effect on field f among out[0..*n), added when there is none. */
static RuleEffect *effect_of(RuleEffect *out, size_t *n, size_t f)
{
	for (size_t i = 0; i < *n; i++)
		if (out[i].field == f)
			return &out[i];
	out[*n] = (RuleEffect){.field = f};
	return &out[(*n)++];
}

/* Makes computed field f anew in cells (cleared when it cannot be
 * made); true when it changed. */
static bool recompute(const Form *form, char **cells, size_t f, RuleEffect *out, size_t *n)
{
	char buf[32];
	const char *v = rules_computed(form, cells, f, buf);
	if (!v)
		v = "";
	if (strcmp(v, cells[f]) == 0)
		return false;
	RuleEffect *e = effect_of(out, n, f);
	e->why = NULL;
	if (v == buf) {
		memcpy(e->text, buf, sizeof e->text);
		v = e->text;
	}
	cells[f] = (char *)v;
	return true;
}

/* Whether computed field f is made of field x. */
static bool made_of(const FormField *f, size_t x)
{
	for (size_t i = 0; i < f->compute.nfields; i++)
		if (f->compute.fields[i] == x)
			return true;
	return false;
}

/* A queue of the fields whose change is to be followed, each in it at
 * most once at a time. */
typedef struct {
	size_t *q, head, n, cap;
	bool *in;
} FieldQueue;

static void enqueue(FieldQueue *fq, size_t f)
{
	if (fq->in[f])
		return;
	fq->in[f] = true;
	fq->q[(fq->head + fq->n++) % fq->cap] = f;
}

static size_t dequeue(FieldQueue *fq)
{
	size_t f = fq->q[fq->head];
	fq->head = (fq->head + 1) % fq->cap;
	fq->n--;
	fq->in[f] = false;
	return f;
}

size_t rules_follow(const Form *form, char **cells, size_t changed, RuleEffect *out)
{
	size_t nf = form_nfields(form), n = 0;
	size_t q[nf ? nf : 1];
	bool in[nf ? nf : 1], done[nf ? nf : 1];
	memset(in, 0, sizeof in);
	memset(done, 0, sizeof done);
	FieldQueue fq = {q, 0, 0, nf ? nf : 1, in};
	enqueue(&fq, changed);
	done[changed] = true;
	while (fq.n) {
		size_t x = dequeue(&fq);
		for (size_t k = 0; k < form_nrules(form); k++) {
			const FormRule *r = form_rule(form, k);
			if (!drives(r, x) || done[r->fields[0]])
				continue;
			size_t g = r->fields[0];
			const FormRule *why = NULL;
			if (!settle(form, cells, g, true, &why))
				continue;
			RuleEffect *e = effect_of(out, &n, g);
			e->why = why ? why : r;
			done[g] = true;
			enqueue(&fq, g);
		}
		/* a computed field is made anew each time one of its fields
		 * changes; none of those is computed itself (form.c) */
		for (size_t g = 0; g < nf; g++)
			if (made_of(form_field(form, g), x) && recompute(form, cells, g, out, &n))
				enqueue(&fq, g);
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
			const FormField *ff = form_field(form, f);
			if (ff->compute.op != COMPUTE_NONE) {
				moved |= recompute(form, cells, f, out, &n);
				continue;
			}
			const FormRule *why = NULL;
			if (ff->kind != KIND_CHOICE || *cells[f] || !settle(form, cells, f, true, &why))
				continue;
			effect_of(out, &n, f)->why = why;
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
 * {max} {when} {left_label} {left_value} {right_label} {right_value} in
 * tmpl; a placeholder whose value is NULL stays as written. */
typedef struct {
	const char *when_label, *when_value, *value, *labels, *where, *count, *max;
	const char *when, *left_label, *left_value, *right_label, *right_value;
} Vars;

static char *expand(const char *tmpl, const Vars *v)
{
	static const char *const names[] = {
	    "{when_label}", "{when_value}", "{value}",	    "{labels}",	    "{where}",
	    "{count}",	    "{max}",	    "{when}",	    "{left_label}", "{left_value}",
	    "{right_label}", "{right_value}"};
	const char *vals[] = {v->when_label, v->when_value, v->value,	   v->labels,
			      v->where,	     v->count,	    v->max,	   v->when,
			      v->left_label, v->left_value, v->right_label, v->right_value};
	size_t cap = strlen(tmpl) + 64, n = 0;
	char *out = xmalloc(cap);
	for (const char *p = tmpl; *p;) {
		const char *piece = p;
		size_t len = 1, skip = 1;
		for (size_t i = 0; *p == '{' && i < sizeof names / sizeof *names; i++)
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

/* s + sep + t, s freed (sep only between two). */
static char *append(char *s, const char *sep, char *t)
{
	char *r = xasprintf("%s%s%s", s, *s ? sep : "", t);
	free(s);
	free(t);
	return r;
}

/* What an operator is called between two numbers or two dates. */
static const char *op_word(bool date, CompareOp op)
{
	static const char *const number[] = {"小於", "小於或等於", "大於", "大於或等於", "等於", "不等於"};
	static const char *const day[] = {"早於", "不晚於", "晚於", "不早於", "等於", "不等於"};
	return (date ? day : number)[op];
}

/* A bound as a message gives it: the number as the form wrote it, a date
 * as field f stores dates, today as 今天 (115/12/02). */
static char *bound_text(const FormField *f, const FormBound *b)
{
	if (f->kind != KIND_DATE)
		return xstrdup(b->text);
	char day[16];
	value_date_format(bound_value(b), f->roc, day, sizeof day);
	return b->today ? xasprintf("今天 (%s)", day) : xstrdup(day);
}

/* How clause c of a condition reads in a message about the record:
 * 建置方式為「套裝軟體」, 執行說明空白. */
static char *clause_text(const Form *form, const FormClause *c, char *const *cells)
{
	const char *label = form_field(form, c->field)->label;
	if (c->op == COND_EMPTY)
		return xasprintf("%s空白", label);
	if (c->op == COND_FILLED)
		return xasprintf("%s已填寫", label);
	char *q = quote(cells[c->field]);
	char *t = xasprintf("%s為「%s」", label, q);
	free(q);
	return t;
}

/* The clauses that make c hold of the record, as they read ({when}):
 * with and all of them, joined by 且; with or the first that holds. */
static char *when_text(const Form *form, const FormCond *c, char *const *cells)
{
	const FormClause *first = cond_clause(form, c, cells);
	if (!first)
		return xstrdup("");
	if (c->any)
		return clause_text(form, first, cells);
	char *s = xstrdup("");
	for (size_t i = 0; i < c->nclauses; i++)
		s = append(s, "且", clause_text(form, &c->clauses[i], cells));
	return s;
}

/* How clause c reads as a rule (whatever a record holds): 建置方式為「A」或「B」,
 * 最大可容忍中斷時間小於 24. */
static char *clause_rule_text(const Form *form, const FormClause *c)
{
	const FormField *f = form_field(form, c->field);
	if (c->op == COND_EMPTY || c->op == COND_FILLED)
		return xasprintf("%s%s", f->label, c->op == COND_EMPTY ? "空白" : "已填寫");
	if (c->op == COND_IN || c->op == COND_NOT_IN) {
		char *vals = join_values(c->values, c->nvalues, "」或「");
		char *t = xasprintf("%s%s「%s」", f->label, c->op == COND_IN ? "為" : "不是", vals);
		free(vals);
		return t;
	}
	static const CompareOp ops[] = {[COND_LT] = CMP_LT, [COND_LE] = CMP_LE, [COND_GT] = CMP_GT,
					[COND_GE] = CMP_GE};
	char *b = bound_text(f, &c->bound);
	char *t = xasprintf("%s%s %s", f->label, op_word(f->kind == KIND_DATE, ops[c->op]), b);
	free(b);
	return t;
}

static char *cond_rule_text(const Form *form, const FormCond *c)
{
	char *s = xstrdup("");
	for (size_t i = 0; i < c->nclauses; i++)
		s = append(s, c->any ? "或" : "且", clause_rule_text(form, &c->clauses[i]));
	return s;
}

static void rule_diag(DiagList *dl, const Form *form, const FormRule *r, char *const *cells,
		      const char *deflt, const char *value, long line, long record, size_t field)
{
	const FormClause *cl = cond_clause(form, &r->when, cells);
	char *wv = cl ? quote(cells[cl->field]) : NULL;
	char *v = value ? quote(value) : NULL;
	char *when = when_text(form, &r->when, cells);
	Vars vars = {.when_label = cl ? form_field(form, cl->field)->label : "",
		     .when_value = wv ? wv : "",
		     .value = v ? v : "",
		     .when = when};
	char *msg = expand(r->message ? r->message : deflt, &vars);
	diag_add(dl, r->severity, line, 0, record, (int)field, "%s", msg);
	free(msg);
	free(when);
	free(wv);
	free(v);
}

char *rules_why_not(const Form *form, char *const *cells, size_t field, const char *value)
{
	const FormRule *why;
	if (rules_value_ok(form, cells, field, value, &why))
		return xstrdup("");
	DiagList dl;
	diag_init(&dl);
	if (why) {
		rule_diag(&dl, form, why, cells, "{when}時不可填「{value}」", value, 0, -1, field);
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

/* A value x (v as written) of an integer, decimal or date field outside
 * its min and max. */
static void check_range(DiagList *dl, const FormField *f, const char *v, int64_t x, long line,
			long record, size_t field)
{
	bool low = f->min.present && x < bound_value(&f->min);
	bool high = f->max.present && x > bound_value(&f->max);
	if (!low && !high)
		return;
	bool date = f->kind == KIND_DATE;
	char *q = quote(v);
	char *a = f->min.present ? bound_text(f, &f->min) : NULL;
	char *b = f->max.present ? bound_text(f, &f->max) : NULL;
	if (a && b)
		diag_add(dl, DIAG_ERROR, line, 0, record, (int)field, "「%s」須介於 %s 與 %s 之間", q, a, b);
	else
		diag_add(dl, DIAG_ERROR, line, 0, record, (int)field, "「%s」不可%s %s", q,
			 a ? (date ? "早於" : "小於") : (date ? "晚於" : "大於"), a ? a : b);
	free(a);
	free(b);
	free(q);
}

static void check_integer(DiagList *dl, const FormField *f, const char *v, long line, long record,
			  size_t field)
{
	for (const char *p = v; *p; p++)
		if (*p < '0' || *p > '9') {
			char *q = quote(v);
			diag_add(dl, DIAG_ERROR, line, 0, record, (int)field,
				 "「%s」不是整數；只能填數字，不含單位、逗號、小數點或負號", q);
			free(q);
			return;
		}
	int64_t x;
	int decimals;
	if (value_number_parse(v, &x, &decimals) != 0)
		x = INT64_MAX; /* 10^12 or more: beyond any max a form gives */
	check_range(dl, f, v, x, line, record, field);
}

static void check_decimal(DiagList *dl, const FormField *f, const char *v, long line, long record,
			  size_t field)
{
	int64_t x;
	int decimals;
	int rc = value_number_parse(v, &x, &decimals);
	char *q = rc < 0 || decimals > f->decimals ? quote(v) : NULL;
	if (rc < 0)
		diag_add(dl, DIAG_ERROR, line, 0, record, (int)field,
			 "「%s」不是數字；只能填數字和小數點，不含單位、逗號或負號", q);
	else if (decimals > f->decimals)
		diag_add(dl, DIAG_ERROR, line, 0, record, (int)field, "「%s」的小數超過 %d 位", q,
			 f->decimals);
	else
		check_range(dl, f, v, rc ? INT64_MAX : x, line, record, field);
	free(q);
}

static void check_date(DiagList *dl, const FormField *f, const char *v, long line, long record,
		       size_t field)
{
	long day;
	char *why;
	if (value_date_parse(v, &day, &why)) {
		check_range(dl, f, v, day, line, record, field);
		return;
	}
	char *q = quote(v);
	if (why)
		diag_add(dl, DIAG_ERROR, line, 0, record, (int)field, "「%s」不是正確的日期；%s", q, why);
	else
		diag_add(dl, DIAG_ERROR, line, 0, record, (int)field,
			 "「%s」不是日期；請填如 %s 的日期", q, f->roc ? "113/05/01" : "2024-05-01");
	free(q);
	free(why);
}

static void check_multi(DiagList *dl, const FormField *f, const char *v, long line, long record,
			size_t field)
{
	char *unknown = form_multi_unknown(f, v, QUOTE_MAX);
	if (*unknown) {
		char *list = join_values(f->values, f->nvalues, "、");
		diag_add(dl, DIAG_ERROR, line, 0, record, (int)field, "%s不是可選的項目，可選的為%s",
			 unknown, list);
		free(list);
	}
	free(unknown);
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
		rule_diag(dl, form, why, cells, "{when}時不可填「{value}」", v, line, record, field);
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
		char *cond = cond_rule_text(form, &r->when);
		diag_add(dl, DIAG_ERROR, line, 0, record, (int)field, "必填 (%s時才可免填)", cond);
		free(cond);
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

/* A computed field whose value is not what its fields make: reported;
 * true when it was (nothing else is said of the field then). */
static bool check_computed(DiagList *dl, const Form *form, char *const *cells, size_t field,
			   long line, long record)
{
	const FormField *f = form_field(form, field);
	char buf[32];
	const char *want = rules_computed(form, cells, field, buf);
	const char *v = cells[field];
	if (!want || strcmp(v, want) == 0)
		return false;
	int64_t x, y;
	if (f->compute.op == COMPUTE_SUM && *v && scalar(f, v, &x) && scalar(f, want, &y) && x == y)
		return false; /* 3.0 is 3 */
	char *how = form_compute_text(form, f);
	char *q = quote(v);
	if (*v)
		diag_add(dl, DIAG_ERROR, line, 0, record, (int)field, "「%s」與計算結果「%s」不符 (%s)",
			 q, want, how);
	else
		diag_add(dl, DIAG_ERROR, line, 0, record, (int)field, "空白；計算結果為「%s」(%s)", want,
			 how);
	free(q);
	free(how);
	return true;
}

/* A compare rule: when its condition holds and both sides have a value,
 * left op right must hold; else the message, on left. */
static void check_compare(DiagList *dl, const Form *form, const FormRule *r, char *const *cells,
			  long line, long record)
{
	if (r->nfields < 1)
		return;
	const FormField *lf = form_field(form, r->fields[0]);
	const char *lv = cells[r->fields[0]];
	int64_t x, y;
	if (!*lv || !scalar(lf, lv, &x) || !cond_holds(form, &r->when, cells))
		return; /* waits, or the left has its own error */
	const FormField *rf = r->nfields == 2 ? form_field(form, r->fields[1]) : NULL;
	const char *rv = rf ? cells[r->fields[1]] : NULL;
	if (rf && (!*rv || !scalar(rf, rv, &y)))
		return;
	if (!rf)
		y = bound_value(&r->right);
	bool ok = r->cmp == CMP_LT   ? x < y
		  : r->cmp == CMP_LE ? x <= y
		  : r->cmp == CMP_GT ? x > y
		  : r->cmp == CMP_GE ? x >= y
		  : r->cmp == CMP_EQ ? x == y
				     : x != y;
	if (ok)
		return;
	char day[16];
	if (!rf && lf->kind == KIND_DATE)
		value_date_format(y, lf->roc, day, sizeof day);
	char *lq = quote(lv), *rq = quote(rf ? rv : lf->kind == KIND_DATE ? day : r->right.text);
	char *deflt = xasprintf("「{left_value}」應%s{right_label}「{right_value}」",
				op_word(lf->kind == KIND_DATE, r->cmp));
	char *when = when_text(form, &r->when, cells);
	Vars vars = {.when = when,
		     .left_label = lf->label,
		     .left_value = lq,
		     .right_label = rf ? rf->label : r->right.today ? "今天" : "",
		     .right_value = rq};
	char *msg = expand(r->message ? r->message : deflt, &vars);
	diag_add(dl, r->severity, line, 0, record, (int)r->fields[0], "%s", msg);
	free(msg);
	free(when);
	free(deflt);
	free(lq);
	free(rq);
}

/* The checks of a field's text: a formula Excel would run, pattern and
 * warn_pattern. */
static void check_text(DiagList *dl, const FormField *f, const char *v, long line, long record,
		       size_t i)
{
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
}

/* The checks of a non-empty value's kind. */
static void check_kind(DiagList *dl, const Form *form, char *const *cells, size_t i, long line,
		       long record)
{
	const FormField *f = form_field(form, i);
	const char *v = cells[i];
	switch (f->kind) {
	case KIND_CHOICE:
		/* most choice fields: any of their values will do */
		if (f->restricted || form_value_index(f, v) < 0)
			check_choice(dl, form, cells, i, line, record);
		break;
	case KIND_INTEGER:
		check_integer(dl, f, v, line, record, i);
		break;
	case KIND_DECIMAL:
		check_decimal(dl, f, v, line, record, i);
		break;
	case KIND_DATE:
		check_date(dl, f, v, line, record, i);
		break;
	case KIND_MULTI:
		check_multi(dl, f, v, line, record, i);
		break;
	case KIND_OID:
		check_oid(dl, f, v, line, record, i);
		break;
	case KIND_TEXT:
		break;
	}
}

void rules_check_record(const Form *form, char *const *cells, long line, long record,
			DiagList *dl)
{
	for (size_t i = 0; i < form_nfields(form); i++) {
		const FormField *f = form_field(form, i);
		const char *v = cells[i];
		if (f->compute.op != COMPUTE_NONE && check_computed(dl, form, cells, i, line, record))
			continue;
		if (!*v) {
			const FormRule *why;
			if (rules_need(form, cells, i, &why) != NEED_REQUIRED)
				continue;
			if (why)
				rule_diag(dl, form, why, cells, "{when}時必填", NULL, line, record, i);
			else
				missing_diag(dl, form, i, line, record);
			continue;
		}
		check_text(dl, f, v, line, record, i);
		check_kind(dl, form, cells, i, line, record);
	}
	for (size_t k = 0; k < form_nrules(form); k++)
		if (form_rule(form, k)->type == RULE_COMPARE)
			check_compare(dl, form, form_rule(form, k), cells, line, record);
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
		Vars vars = {.when_label = "", .when_value = "", .value = v, .labels = labels,
			     .where = where, .count = "", .max = ""};
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

/* Puts into cells (a record's cell array) the cells of record i that
 * condition c reads; the others are not set. */
static void cond_cells(const Across *a, size_t i, const FormCond *c, const char **cells)
{
	for (size_t k = 0; c->present && k < c->nclauses; k++)
		cells[c->clauses[k].field] = across_cell(a, i, c->clauses[k].field);
}

/* Whether record i counts for a count rule. */
static bool count_selects(const Form *form, const Across *a, size_t i, const FormRule *r)
{
	if (across_empty(a, i) || !key_complete(a, i, r))
		return false;
	const char *cells[form_nfields(form)];
	cond_cells(a, i, &r->when, cells);
	return cond_holds(form, &r->when, (char *const *)cells);
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
		const char *cells[form_nfields(form)];
		cond_cells(a, i, &r->when, cells);
		const FormClause *cl = cond_clause(form, &r->when, (char *const *)cells);
		char *wv = cl ? quote(cells[cl->field]) : xstrdup("");
		char *when = when_text(form, &r->when, (char *const *)cells);
		Vars vars = {.when_label = cl ? form_field(form, cl->field)->label : "",
			     .when_value = wv,
			     .value = v,
			     .labels = "",
			     .where = "",
			     .count = cnt,
			     .max = mx,
			     .when = when};
		char *msg = expand(r->message ? r->message : "「{value}」已有 {count} 筆，超過 {max} 筆",
				   &vars);
		free(when);
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
		for (size_t i = 0; r->when.present && i < r->when.nclauses; i++)
			if (run->slot[r->when.clauses[i].field] < 0)
				run->slot[r->when.clauses[i].field] = (long)run->nkeep++;
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
