/* form.c - loads forms/NAME.ini into a Form; see form.h and forms/README.md. */
#include "form.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "mem.h"
#include "text.h"
#include "value.h"

struct Form {
	char *path, *id, *title;
	FormField *fields;
	size_t nfields;
	FormRule *rules;
	size_t nrules;
	size_t *list; /* fields shown in the record list */
	size_t nlist;
	FormList *lists;
	size_t nlists;
	char *list_sheet;
	char *help_sheet;
	char *examples_sheet, *examples; /* the examples file, resolved */
	char **help_cols;
	size_t nhelp_cols;
	FormPrint print;
	FormReport report;
	size_t **field_rules; /* per field: the rules that name it (fields/field) */
	size_t *nfield_rules;
};

static const char *const FORM_KEYS[] = {"id",		"title",      "version",
					"note",		"list_columns", "list_sheet",
					"help_sheet",	"help_columns", "examples_sheet",
					"examples",	NULL};
static const char *const FIELD_KEYS[] = {
    "header",	"label",	   "help",	   "help_more",	      "full_header",
    "kind",	"required",	   "values",	   "labels",	      "aliases",
    "header_aliases", "oid_expect",  "list",	   "pattern",	      "pattern_message",
    "warn_pattern",   "warn_message", "autonumber", "print_width", "min",
    "max",	      "decimals",     "date_format", "separator",   "compute",	      "normalize",
    NULL};
static const char *const RULE_KEYS[] = {"type",	    "field",   "fields", "when", "values",
					"severity", "message", "prompt", "max",	 "left",
					"op",	    "right",   NULL};
static const char *const LIST_KEYS[] = {"title", "values", NULL};
static const char *const PRINT_KEYS[] = {
    "layout", "orientation", "font_size", "headers", "title",	     "signatures", "sign_line",
    "agency", "agency_caption", "date_caption", "notes_caption", "note1",      "note2",
    "note3",  "note4",	       "note5",	       "note6",	     "note7",	   "note8",
    "note9",  NULL};
static const char *const REPORT_KEYS[] = {"fields", "titles", "order", NULL};

static const struct {
	const char *name;
	FieldKind kind;
} KINDS[] = {
    {"text", KIND_TEXT},
    {"choice", KIND_CHOICE},
    {"integer", KIND_INTEGER},
    {"oid", KIND_OID},
    {"date", KIND_DATE},
    {"decimal", KIND_DECIMAL},
    {"multi", KIND_MULTI},
};

static const struct {
	const char *name;
	RuleType type;
} RULE_TYPES[] = {
    {"only", RULE_ONLY},
    {"optional", RULE_OPTIONAL},
    {"require", RULE_REQUIRE},
    {"unique", RULE_UNIQUE},
    {"count", RULE_COUNT},
    {"compare", RULE_COMPARE},
};

/* State of one load: the Ini, the diags, and the form being built. */
typedef struct {
	const Ini *ini;
	DiagList *dl;
	Form *form;
} Loader;

#define ERR_AT(L, sec, key, ...)                                                           \
	diag_add((L)->dl, DIAG_ERROR, ini_line((L)->ini, (sec), (key)), 0, -1, -1, __VA_ARGS__)

static bool valid_id(const char *id)
{
	if (!*id)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '-'))
			return false;
	return true;
}

/* A string value that must be present and not empty. */
static char *need(Loader *L, const char *sec, const char *key)
{
	const char *v = ini_get(L->ini, sec, key);
	if (!v || !*v) {
		ERR_AT(L, sec, key, "[%s] 缺少「%s」", sec, key);
		return NULL;
	}
	return xstrdup(v);
}

static char *opt(Loader *L, const char *sec, const char *key, const char *def)
{
	const char *v = ini_get(L->ini, sec, key);
	return v ? xstrdup(v) : def ? xstrdup(def) : NULL;
}

/* A '|' list; an empty item is an error (a stray '|' is a typo). */
static char **list(Loader *L, const char *sec, const char *key, size_t *n)
{
	const char *v = ini_get(L->ini, sec, key);
	*n = 0;
	if (!v)
		return NULL;
	size_t empty;
	char **items = ini_split(v, n, &empty);
	if (empty && *v)
		ERR_AT(L, sec, key, "[%s] %s 有空的項目 (多了一個 | ?)", sec, key);
	for (size_t i = 0; i < *n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(items[i], items[j]) == 0)
				ERR_AT(L, sec, key, "[%s] %s 的「%s」重複", sec, key, items[i]);
	return items;
}

/* Compiles an extended regular expression, reporting a bad one. */
static regex_t *compile(Loader *L, const char *sec, const char *key, const char *pattern,
			int flags)
{
	if (!pattern)
		return NULL;
	regex_t *re = xmalloc(sizeof *re);
	int rc = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB | flags);
	if (rc != 0) {
		char msg[128];
		regerror(rc, re, msg, sizeof msg);
		ERR_AT(L, sec, key, "[%s] %s 不是正確的正規表示式：%s", sec, key, msg);
		free(re);
		return NULL;
	}
	return re;
}

/* Copy of v with each "\\n" turned into a line break (INI values are one
 * line; a template cell may have several). */
static char *line_breaks(const char *v)
{
	char *out = xstrdup(v), *o = out;
	for (const char *q = v; *q; q++) {
		if (q[0] == '\\' && q[1] == 'n') {
			*o++ = '\n';
			q++;
		} else {
			*o++ = *q;
		}
	}
	*o = '\0';
	return out;
}

static void load_list(Loader *L, const char *sec, FormList *l)
{
	memset(l, 0, sizeof *l);
	l->id = xstrdup(sec + strlen("list."));
	ini_check_keys(L->ini, sec, LIST_KEYS, L->dl);
	l->title = need(L, sec, "title");
	l->values = list(L, sec, "values", &l->nvalues);
	if (l->nvalues == 0)
		ERR_AT(L, sec, "values", "[%s] 缺少 values", sec);
}

static bool field_ref(Loader *L, const char *sec, const char *key, const char *id, size_t *out);

/* A decimal number from min to max ("9", "7.5"), read without strtod (whose
 * decimal point is the locale's); false when v is not one. */
static bool decimal(const char *v, double min, double max, double *out)
{
	double x = 0, scale = 0;
	const char *p = v;
	for (; *p; p++) {
		if (*p == '.' && scale == 0 && p != v) {
			scale = 1;
		} else if (*p >= '0' && *p <= '9') {
			x = x * 10 + (*p - '0');
			if (scale)
				scale *= 10;
			if (x > 1e9)
				return false;
		} else {
			return false;
		}
	}
	if (p == v || p[-1] == '.')
		return false;
	x /= scale ? scale : 1;
	if (x < min || x > max)
		return false;
	*out = x;
	return true;
}

static void load_print(Loader *L, FormPrint *p)
{
	ini_check_keys(L->ini, "print", PRINT_KEYS, L->dl);
	const char *t = ini_get(L->ini, "print", "title");
	p->title = t ? line_breaks(t) : NULL;
	p->signatures = list(L, "print", "signatures", &p->nsignatures);
	p->sign_lines = list(L, "print", "sign_line", &p->nsign_lines);
	p->notes_caption = opt(L, "print", "notes_caption", NULL);
	p->notes = xcalloc(9, sizeof *p->notes);
	for (int i = 1; i <= 9; i++) {
		char key[16];
		snprintf(key, sizeof key, "note%d", i);
		const char *v = ini_get(L->ini, "print", key);
		if (v)
			p->notes[p->nnotes++] = xstrdup(v);
	}
	const char *v = ini_get(L->ini, "print", "layout");
	p->layout = (p->title || p->nsignatures || p->nnotes) ? PRINT_SHEET : PRINT_LIST;
	if (v && strcmp(v, "sheet") == 0)
		p->layout = PRINT_SHEET;
	else if (v && strcmp(v, "list") == 0)
		p->layout = PRINT_LIST;
	else if (v)
		ERR_AT(L, "print", "layout", "[print] layout 應為 sheet 或 list，不是「%s」", v);
	v = ini_get(L->ini, "print", "orientation");
	if (v && strcmp(v, "landscape") == 0)
		p->landscape = true;
	else if (v && strcmp(v, "portrait") != 0)
		ERR_AT(L, "print", "orientation",
		       "[print] orientation 應為 portrait (直式) 或 landscape (橫式)，不是「%s」", v);
	p->font_size = 9;
	v = ini_get(L->ini, "print", "font_size");
	if (v && !decimal(v, 5, 20, &p->font_size))
		ERR_AT(L, "print", "font_size", "[print] font_size 應為 5 到 20 的點數 (例如 9 或 7.5)，不是「%s」",
		       v);
	p->full_headers = true;
	v = ini_get(L->ini, "print", "headers");
	if (v && strcmp(v, "header") == 0)
		p->full_headers = false;
	else if (v && strcmp(v, "full_header") != 0)
		ERR_AT(L, "print", "headers", "[print] headers 應為 full_header 或 header，不是「%s」", v);
	p->agency_field = -1; /* resolved once the fields are loaded */
	p->agency_caption = opt(L, "print", "agency_caption", NULL);
	p->date_caption = opt(L, "print", "date_caption", NULL);
}

/* The [print] keys that name fields, once the fields are loaded. */
static void resolve_print(Loader *L, FormPrint *p)
{
	const char *id = ini_get(L->ini, "print", "agency");
	size_t k;
	if (id && field_ref(L, "print", "agency", id, &k))
		p->agency_field = (long)k;
	if (p->agency_caption && !id)
		ERR_AT(L, "print", "agency_caption", "[print] agency_caption 需要 agency (機關名稱所在的欄位)");
	if (p->agency_field >= 0 && !p->agency_caption)
		p->agency_caption = xasprintf("%s：", L->form->fields[p->agency_field].label);
	double total = 0;
	for (size_t i = 0; i < L->form->nfields; i++)
		total += L->form->fields[i].print_width;
	if (L->form->nfields && total == 0)
		ERR_AT(L, "print", NULL, "每個欄位的 print_width 都是 0：列印時沒有欄位可印");
}

/* [report]: the choice fields spmform report counts, their charts'
 * titles and the order of their values; once the fields are loaded. */
static void load_report(Loader *L, FormReport *r)
{
	bool present = false;
	for (size_t i = 0; i < ini_nsections(L->ini) && !present; i++)
		present = strcmp(ini_section(L->ini, i), "report") == 0;
	if (!present)
		return;
	ini_check_keys(L->ini, "report", REPORT_KEYS, L->dl);
	size_t n, ntitles;
	char **ids = list(L, "report", "fields", &n);
	char **titles = list(L, "report", "titles", &ntitles);
	if (n == 0)
		ERR_AT(L, "report", "fields", "[report] 缺少 fields：要統計的選項欄位，以 | 分隔");
	if (titles && ntitles != n)
		ERR_AT(L, "report", "titles", "[report] titles 有 %zu 項，fields 有 %zu 項：應一樣多",
		       ntitles, n);
	r->fields = xcalloc(n ? n : 1, sizeof *r->fields);
	r->titles = xcalloc(n ? n : 1, sizeof *r->titles);
	for (size_t i = 0; i < n; i++) {
		size_t k;
		if (!field_ref(L, "report", "fields", ids[i], &k))
			continue;
		const FormField *f = &L->form->fields[k];
		if (f->kind != KIND_CHOICE)
			ERR_AT(L, "report", "fields", "[report] fields 的「%s」不是選項欄位 (kind = choice)",
			       ids[i]);
		r->fields[r->nfields] = k;
		r->titles[r->nfields++] = xstrdup(titles && ntitles == n ? titles[i] : f->label);
	}
	ini_strv_free(ids, n);
	ini_strv_free(titles, ntitles);
	const char *v = ini_get(L->ini, "report", "order");
	if (v && strcmp(v, "count") == 0)
		r->by_count = true;
	else if (v && strcmp(v, "values") != 0)
		ERR_AT(L, "report", "order", "[report] order 應為 values (選項的順序) 或 count (筆數多的在前)，不是「%s」",
		       v);
}

static void free_report(FormReport *r)
{
	ini_strv_free(r->titles, r->nfields);
	free(r->fields);
}

/* form_value_find hashes a value's bytes into one of this many slots. */
#define VALUE_SLOTS 64
#define VALUE_SLOT_BITS 6

/* What form_value_find knows of s[0..n): its first and last eight bytes,
 * or four, or its first, middle and last bytes when shorter.  For a string
 * of at most 16 bytes they and its length are all of it. */
typedef struct ValueKey {
	uint64_t a, z;
} ValueKey;

static inline ValueKey value_key(const char *s, size_t n)
{
	ValueKey k = {0, 0};
	if (n >= 8) {
		memcpy(&k.a, s, 8);
		memcpy(&k.z, s + n - 8, 8);
	} else if (n >= 4) {
		uint32_t x, y;
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		k.a = x;
		k.z = y;
	} else if (n > 0) {
		k.a = (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[n / 2] << 8 |
		      (uint64_t)(unsigned char)s[n - 1] << 16;
	}
	return k;
}

static inline size_t value_slot(ValueKey k, size_t n, uint64_t mul)
{
	uint64_t h = k.a ^ ((k.z << 29 | k.z >> 35) * 0x9E3779B97F4A7C15ULL) ^ (n * 0xD6E8FEB86659FD93ULL);
	return (size_t)((h * mul) >> (64 - VALUE_SLOT_BITS));
}

/* Finds a multiplier that puts each of f's values in a slot of its own,
 * for form_value_find; leaves f->value_slot NULL when none of those tried
 * does (many values, or values alike in all that is hashed), and the
 * values are then compared one by one. */
static void hash_values(FormField *f)
{
	if (f->nvalues == 0 || f->nvalues > VALUE_SLOTS / 2)
		return;
	unsigned char *slot = xmalloc(VALUE_SLOTS);
	f->value_keys = xmalloc(f->nvalues * sizeof *f->value_keys);
	for (size_t i = 0; i < f->nvalues; i++)
		f->value_keys[i] = value_key(f->values[i], f->value_lens[i]);
	uint64_t seed = 0;
	for (int tries = 0; tries < 1000; tries++) {
		/* splitmix64: a fixed sequence, so that a form loads alike */
		uint64_t m = (seed += 0x9E3779B97F4A7C15ULL);
		m = (m ^ (m >> 30)) * 0xBF58476D1CE4E5B9ULL;
		m = (m ^ (m >> 27)) * 0x94D049BB133111EBULL;
		m = (m ^ (m >> 31)) | 1;
		memset(slot, 0xFF, VALUE_SLOTS);
		bool apart = true;
		for (size_t i = 0; i < f->nvalues && apart; i++) {
			size_t k = value_slot(f->value_keys[i], f->value_lens[i], m);
			apart = slot[k] == 0xFF;
			slot[k] = (unsigned char)i;
		}
		if (apart) {
			f->value_slot = slot;
			f->value_mul = m;
			return;
		}
	}
	free(slot);
}

/* Moves f's values into one block, each after its index as a uint32_t,
 * so that form_value_index finds the index of the form's own string (as a
 * table and a checked record keep a choice) without comparing. */
static void pool_values(FormField *f)
{
	size_t n = f->nvalues, size = 0;
	f->value_lens = xcalloc(n ? n : 1, sizeof *f->value_lens);
	for (size_t i = 0; i < n; i++) {
		f->value_lens[i] = strlen(f->values[i]);
		size += sizeof(uint32_t) + f->value_lens[i] + 1;
	}
	if (n > UINT32_MAX || !n)
		return; /* no pool: form_value_index compares */
	char *p = f->value_pool = xmalloc(size);
	f->value_pool_size = size;
	for (size_t i = 0; i < n; i++) {
		uint32_t k = (uint32_t)i;
		memcpy(p, &k, sizeof k);
		p += sizeof k;
		memcpy(p, f->values[i], f->value_lens[i] + 1);
		free(f->values[i]);
		f->values[i] = p;
		p += f->value_lens[i] + 1;
	}
	hash_values(f);
}

static void load_kind(Loader *L, const char *sec, FormField *f)
{
	const char *kind = ini_get(L->ini, sec, "kind");
	f->kind = KIND_TEXT;
	if (!kind)
		return;
	size_t k = 0;
	while (k < sizeof KINDS / sizeof *KINDS && strcmp(KINDS[k].name, kind) != 0)
		k++;
	if (k == sizeof KINDS / sizeof *KINDS)
		ERR_AT(L, sec, "kind",
		       "[%s] kind「%s」不認得 (可用：text, choice, integer, oid, date, decimal, multi)", sec,
		       kind);
	else
		f->kind = KINDS[k].kind;
}

/* A yes/no key (required, autonumber); false when absent.  The error
 * quotes the value when quote. */
static bool yes_no(Loader *L, const char *sec, const char *key, bool quote)
{
	const char *v = ini_get(L->ini, sec, key);
	if (!v)
		return false;
	int b = ini_bool(v);
	if (b < 0 && quote)
		ERR_AT(L, sec, key, "[%s] %s 應為 yes 或 no，不是「%s」", sec, key, v);
	else if (b < 0)
		ERR_AT(L, sec, key, "[%s] %s 應為 yes 或 no", sec, key);
	return b == 1;
}

/* Whether a field of this kind has values (choice, multi). */
static bool has_values(const FormField *f)
{
	return f->kind == KIND_CHOICE || f->kind == KIND_MULTI;
}

static void load_aliases(Loader *L, const char *sec, FormField *f)
{
	size_t na;
	char **al = list(L, sec, "aliases", &na);
	if (na && !has_values(f))
		ERR_AT(L, sec, "aliases", "[%s] 只有 kind = choice 或 multi 的欄位可以有 aliases", sec);
	f->aliases = xcalloc(na, sizeof *f->aliases);
	for (size_t i = 0; i < na; i++) {
		char *colon = strchr(al[i], ':');
		if (!colon) {
			ERR_AT(L, sec, "aliases", "[%s] aliases 的「%s」應寫成 輸入:值", sec, al[i]);
			continue;
		}
		*colon = '\0';
		FormAlias a = {text_trim(al[i]), text_trim(colon + 1)};
		if (form_value_index(f, a.to) < 0)
			ERR_AT(L, sec, "aliases", "[%s] aliases 指向「%s」，但它不在 values 中", sec,
			       a.to);
		f->aliases[f->naliases++] = a;
	}
	ini_strv_free(al, na);
}

static void load_labels(Loader *L, const char *sec, FormField *f)
{
	size_t nlabels;
	f->value_labels = list(L, sec, "labels", &nlabels);
	if (f->value_labels && nlabels != f->nvalues)
		ERR_AT(L, sec, "labels", "[%s] labels 有 %zu 個，values 有 %zu 個：要一樣多", sec,
		       nlabels, f->nvalues);
	for (size_t i = f->nvalues; f->value_labels && i < nlabels; i++)
		free(f->value_labels[i]); /* one label per value: the rest go */
	if (f->value_labels && nlabels < f->nvalues) { /* keep every value labelled */
		f->value_labels = xrealloc(f->value_labels, f->nvalues * sizeof *f->value_labels);
		for (size_t i = nlabels; i < f->nvalues; i++)
			f->value_labels[i] = xstrdup(f->values[i]);
	}
}

/* What always separates a multi field's items on input, besides its own
 * separator (form_normalize). */
static const char *const MULTI_SEPS[] = {"、", ",", "，", ";", "；"};

/* A multi field's separator; its values may hold no separator. */
static void load_separator(Loader *L, const char *sec, FormField *f)
{
	const char *sep = ini_get(L->ini, sec, "separator");
	if (sep && f->kind != KIND_MULTI)
		ERR_AT(L, sec, "separator", "[%s] 只有 kind = multi 的欄位可以有 separator", sec);
	if (sep && !*sep)
		ERR_AT(L, sec, "separator", "[%s] separator 不可空白", sec);
	if (f->kind != KIND_MULTI)
		return;
	f->separator = xstrdup(sep && *sep ? sep : "、");
	for (size_t i = 0; i < f->nvalues; i++) {
		const char *hit = strstr(f->values[i], f->separator) ? f->separator : NULL;
		for (size_t k = 0; !hit && k < sizeof MULTI_SEPS / sizeof *MULTI_SEPS; k++)
			if (strstr(f->values[i], MULTI_SEPS[k]))
				hit = MULTI_SEPS[k];
		if (hit)
			ERR_AT(L, sec, "values", "[%s] multi 欄位的值「%s」不可含有分隔符號「%s」", sec,
			       f->values[i], hit);
	}
}

static void load_values(Loader *L, const char *sec, FormField *f)
{
	f->values = list(L, sec, "values", &f->nvalues);
	pool_values(f);
	if (has_values(f) && f->nvalues == 0)
		ERR_AT(L, sec, "values", "[%s] kind = %s 需要 values (以 | 分隔)", sec,
		       f->kind == KIND_MULTI ? "multi" : "choice");
	if (!has_values(f) && ini_get(L->ini, sec, "values"))
		ERR_AT(L, sec, "values", "[%s] 只有 kind = choice 或 multi 的欄位可以有 values", sec);
	load_aliases(L, sec, f);
	load_labels(L, sec, f);
	load_separator(L, sec, f);
}

static void load_patterns(Loader *L, const char *sec, FormField *f)
{
	f->pattern = opt(L, sec, "pattern", NULL);
	f->pattern_message = opt(L, sec, "pattern_message", NULL);
	f->warn_pattern = opt(L, sec, "warn_pattern", NULL);
	f->warn_message = opt(L, sec, "warn_message", NULL);
	const char *norm = ini_get(L->ini, sec, "normalize");
	f->phone = norm && strcmp(norm, "phone") == 0;
	if (norm && !f->phone)
		ERR_AT(L, sec, "normalize", "[%s] normalize「%s」不認得 (可用：phone)", sec, norm);
	else if (f->phone && f->kind != KIND_TEXT)
		ERR_AT(L, sec, "normalize", "[%s] 只有 kind = text 的欄位可以有 normalize", sec);
	f->pattern_re = compile(L, sec, "pattern", f->pattern, 0);
	f->warn_re = compile(L, sec, "warn_pattern", f->warn_pattern, REG_ICASE);
	if ((f->pattern || f->warn_pattern) && f->kind != KIND_TEXT)
		ERR_AT(L, sec, f->pattern ? "pattern" : "warn_pattern",
		       "[%s] 只有 kind = text 的欄位可以有 pattern", sec);
}

/* Whether values of field f are ordered: an integer, a decimal or a date. */
static bool ordered(const FormField *f)
{
	return f->kind == KIND_INTEGER || f->kind == KIND_DECIMAL || f->kind == KIND_DATE;
}

/* Reads v as a value of ordered field f into b: a number (integer: no
 * point; decimal: at most f->decimals after it), or for a date a date in
 * any form a clerk may type, or today.  On failure, returns what v should
 * be (a static phrase). */
static const char *parse_bound(const FormField *f, const char *v, FormBound *b)
{
	char *h = text_halfwidth(v), *t = text_trim(h);
	free(h);
	const char *want = NULL;
	int decimals = 0;
	memset(b, 0, sizeof *b);
	if (f->kind == KIND_DATE && strcmp(t, "today") == 0) {
		b->today = true;
	} else if (f->kind == KIND_DATE) {
		char *why;
		long day;
		if (value_date_parse(t, &day, &why))
			b->v = day;
		else
			want = "日期 (例如 2024-05-01、113/05/01) 或 today";
		free(why);
	} else if (value_number_parse(t, &b->v, &decimals) != 0 ||
		   decimals > (f->kind == KIND_DECIMAL ? f->decimals : 0)) {
		want = f->kind == KIND_DECIMAL ? "數字 (小數位數不超過 decimals)" : "整數";
	}
	if (want) {
		free(t);
		return want;
	}
	b->present = true;
	b->text = t;
	return NULL;
}

static void load_bound(Loader *L, const char *sec, const char *key, FormField *f, FormBound *b)
{
	const char *v = ini_get(L->ini, sec, key);
	if (!v)
		return;
	if (!ordered(f)) {
		ERR_AT(L, sec, key, "[%s] 只有 kind = integer、decimal 或 date 的欄位可以有 %s", sec,
		       key);
		return;
	}
	const char *want = parse_bound(f, v, b);
	if (want)
		ERR_AT(L, sec, key, "[%s] %s 應為%s，不是「%s」", sec, key, want, v);
}

/* decimals, date_format, min and max. */
static void load_ordered(Loader *L, const char *sec, FormField *f)
{
	const char *d = ini_get(L->ini, sec, "decimals");
	if (d && f->kind != KIND_DECIMAL)
		ERR_AT(L, sec, "decimals", "[%s] 只有 kind = decimal 的欄位可以有 decimals", sec);
	else if (f->kind == KIND_DECIMAL && (!d || strlen(d) != 1 || d[0] < '1' || d[0] > '6'))
		ERR_AT(L, sec, d ? "decimals" : NULL,
		       "[%s] kind = decimal 需要 decimals：小數點後最多幾位 (1 到 6)", sec);
	else if (d)
		f->decimals = d[0] - '0';
	const char *df = ini_get(L->ini, sec, "date_format");
	if (df && f->kind != KIND_DATE)
		ERR_AT(L, sec, "date_format", "[%s] 只有 kind = date 的欄位可以有 date_format", sec);
	else if (df && strcmp(df, "roc") != 0 && strcmp(df, "iso") != 0)
		ERR_AT(L, sec, "date_format",
		       "[%s] date_format 應為 iso (2024-05-01) 或 roc (113/05/01)，不是「%s」", sec, df);
	f->roc = df && strcmp(df, "roc") == 0;
	load_bound(L, sec, "min", f, &f->min);
	load_bound(L, sec, "max", f, &f->max);
	if (f->min.present && f->max.present && !f->min.today && !f->max.today &&
	    f->min.v > f->max.v)
		ERR_AT(L, sec, "max", "[%s] max (%s) 小於 min (%s)", sec, f->max.text, f->min.text);
}

static void load_field(Loader *L, const char *sec, long line, FormField *f)
{
	memset(f, 0, sizeof *f);
	f->line = line;
	f->id = xstrdup(sec + strlen("field."));
	if (!valid_id(f->id))
		ERR_AT(L, sec, NULL, "欄位代號「%s」只能用小寫英文字母、數字、_ 和 -", f->id);
	ini_check_keys(L->ini, sec, FIELD_KEYS, L->dl);
	f->header = need(L, sec, "header");
	f->label = opt(L, sec, "label", f->header);
	f->help = opt(L, sec, "help", "");
	f->help_more = opt(L, sec, "help_more", "");
	const char *fh = ini_get(L->ini, sec, "full_header");
	f->full_header = line_breaks(fh ? fh : f->header ? f->header : "");
	load_kind(L, sec, f);
	f->required = yes_no(L, sec, "required", true);
	load_values(L, sec, f);
	f->list = -1; /* resolved once the lists are loaded */
	load_patterns(L, sec, f);
	f->autonumber = yes_no(L, sec, "autonumber", false);
	if (f->autonumber && f->kind != KIND_INTEGER)
		ERR_AT(L, sec, "autonumber", "[%s] 只有 kind = integer 的欄位可以 autonumber", sec);
	f->print_width = 1;
	const char *pw = ini_get(L->ini, sec, "print_width");
	if (pw && !decimal(pw, 0, 1000, &f->print_width))
		ERR_AT(L, sec, "print_width",
		       "[%s] print_width 應為 0 到 1000 的數 (列印時的相對欄寬；0 = 不印)，不是「%s」", sec,
		       pw);
	f->header_aliases = list(L, sec, "header_aliases", &f->nheader_aliases);
	f->oid_expect = list(L, sec, "oid_expect", &f->noid_expect);
	if (f->noid_expect && f->kind != KIND_OID)
		ERR_AT(L, sec, "oid_expect", "[%s] 只有 kind = oid 的欄位可以有 oid_expect", sec);
	load_ordered(L, sec, f);
}

/* The field named by id, reported when unknown. */
static bool field_ref(Loader *L, const char *sec, const char *key, const char *id, size_t *out)
{
	long i = form_field_index(L->form, id);
	if (i < 0) {
		ERR_AT(L, sec, key, "[%s] %s 指向不存在的欄位「%s」", sec, key, id);
		return false;
	}
	*out = (size_t)i;
	return true;
}

/* Every one of values must be a value of choice or multi field f; returns
 * their indices among f's values (malloc'd), or NULL when f has no
 * values. */
static size_t *check_values(Loader *L, const char *sec, const char *key, const FormField *f,
			    char **values, size_t n)
{
	if (!has_values(f))
		return NULL;
	size_t *idx = xcalloc(n ? n : 1, sizeof *idx);
	for (size_t i = 0; i < n; i++) {
		long k = form_value_index(f, values[i]);
		if (k < 0)
			ERR_AT(L, sec, key, "[%s] %s 的「%s」不是欄位 %s 的選項", sec, key, values[i],
			       f->id);
		else
			idx[i] = (size_t)k;
	}
	return idx;
}

/* The operators of a clause, each before those it begins with. */
static const struct {
	const char *text;
	CondOp op;
} COND_OPS[] = {
    {"!=", COND_NOT_IN}, {"<=", COND_LE}, {">=", COND_GE},
    {"<", COND_LT},	 {">", COND_GT},  {"=", COND_IN},
};

/* Where the operator of clause s begins: " is ", or the first of = ! < >;
 * NULL when there is none. */
static const char *clause_op(const char *s)
{
	const char *op = strpbrk(s, "=!<>");
	const char *is = strstr(s, " is ");
	return is && (!op || is < op) ? is : op;
}

/* Whether a clause begins at s: a field's ID, then an operator. */
static bool clause_starts(const Loader *L, const char *s)
{
	s += strspn(s, " ");
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
	char *id = xstrndup(s, n);
	bool field = n && form_field_index(L->form, id) >= 0;
	free(id);
	s += n;
	s += strspn(s, " ");
	return field && (strchr("=!<>", *s) && *s ? true : strncmp(s, "is ", 3) == 0);
}

/* A clause's values (= and !=), or its number or date (< <= > >=) for
 * field f. */
static bool load_operand(Loader *L, const char *sec, const FormField *f, const char *op,
			 const char *rest, FormClause *c)
{
	if (c->op == COND_IN || c->op == COND_NOT_IN) {
		size_t nempty;
		c->values = ini_split(rest, &c->nvalues, &nempty);
		if (c->nvalues == 0 || nempty) {
			ERR_AT(L, sec, "when", "[%s] when 的值不可空白", sec);
			return false;
		}
		c->value_idx = check_values(L, sec, "when", f, c->values, c->nvalues);
		return true;
	}
	if (!ordered(f)) {
		ERR_AT(L, sec, "when", "[%s] when 的「%s」只能用於 integer、decimal 或 date 欄位，%s 不是",
		       sec, op, f->id);
		return false;
	}
	const char *want = parse_bound(f, rest, &c->bound);
	if (want)
		ERR_AT(L, sec, "when", "[%s] when 的「%s」之後應為%s，不是「%s」", sec, op, want, rest);
	return !want;
}

/* One clause: "FIELD = A|B", "FIELD != A|B", "FIELD < N" (<= > >=),
 * "FIELD is empty", "FIELD is filled". */
static bool load_clause(Loader *L, const char *sec, const char *s, FormClause *c)
{
	const char *at = clause_op(s);
	char *raw = at ? xstrndup(s, (size_t)(at - s)) : NULL;
	char *id = raw ? text_trim(raw) : NULL;
	free(raw);
	size_t k = 0;
	while (at && *at != ' ' && k < sizeof COND_OPS / sizeof *COND_OPS &&
	       strncmp(at, COND_OPS[k].text, strlen(COND_OPS[k].text)) != 0)
		k++;
	char *word = at && *at == ' ' ? text_trim(at + strlen(" is ")) : NULL;
	bool is = word && (strcmp(word, "empty") == 0 || strcmp(word, "filled") == 0);
	if (!id || !*id || (word && !is) || (!word && k == sizeof COND_OPS / sizeof *COND_OPS)) {
		ERR_AT(L, sec, "when",
		       "[%s] when 應寫成「欄位 = 值|值」、「欄位 != 值|值」、「欄位 < 數字或日期」或「欄位 is empty」",
		       sec);
		free(id);
		free(word);
		return false;
	}
	bool ok = field_ref(L, sec, "when", id, &c->field);
	free(id);
	if (word) {
		c->op = strcmp(word, "empty") == 0 ? COND_EMPTY : COND_FILLED;
		free(word);
		return ok;
	}
	c->op = COND_OPS[k].op;
	const char *rest = at + strlen(COND_OPS[k].text);
	return ok && load_operand(L, sec, &L->form->fields[c->field], COND_OPS[k].text, rest, c);
}

/* The next " and " or " or " in w after which a clause begins, or NULL;
 * *is_or says which, *skip its length. */
static const char *next_join(const Loader *L, const char *w, bool *is_or, size_t *skip)
{
	for (const char *q = w; *q; q++) {
		if (strncmp(q, " and ", 5) == 0 && clause_starts(L, q + 5)) {
			*is_or = false;
			*skip = 5;
			return q;
		}
		if (strncmp(q, " or ", 4) == 0 && clause_starts(L, q + 4)) {
			*is_or = true;
			*skip = 4;
			return q;
		}
	}
	return NULL;
}

/* when: clauses joined by " and " or by " or " (a value may hold those
 * words: a join counts only where a clause follows it). */
static void load_cond(Loader *L, const char *sec, FormCond *c)
{
	const char *w = ini_get(L->ini, sec, "when");
	if (!w)
		return;
	bool ok = true, ands = false, ors = false;
	for (const char *start = w;;) {
		bool is_or;
		size_t skip;
		const char *next = next_join(L, start, &is_or, &skip);
		char *text = next ? xstrndup(start, (size_t)(next - start)) : xstrdup(start);
		c->clauses = xrealloc(c->clauses, (c->nclauses + 1) * sizeof *c->clauses);
		memset(&c->clauses[c->nclauses], 0, sizeof *c->clauses);
		ok &= load_clause(L, sec, text, &c->clauses[c->nclauses++]);
		free(text);
		if (!next)
			break;
		ands |= !is_or;
		ors |= is_or;
		start = next + skip;
	}
	if (ands && ors)
		ERR_AT(L, sec, "when", "[%s] when 不可同時用 and 與 or (請分成兩條規則)", sec);
	c->any = ors;
	c->present = ok && !(ands && ors);
}

static const struct {
	const char *text;
	CompareOp op;
} CMP_OPS[] = {
    {"<", CMP_LT}, {"<=", CMP_LE}, {">", CMP_GT}, {">=", CMP_GE}, {"=", CMP_EQ}, {"!=", CMP_NE},
};

/* The right of a compare rule whose left is field lf: a field of the
 * same sort (a number, a date), or a constant. */
static void load_right(Loader *L, const char *sec, const char *right, FormRule *r)
{
	const FormField *lf = &L->form->fields[r->fields[0]];
	long rf = form_field_index(L->form, right);
	if (rf >= 0) {
		const FormField *g = &L->form->fields[rf];
		if (!ordered(g) || (g->kind == KIND_DATE) != (lf->kind == KIND_DATE))
			ERR_AT(L, sec, "right",
			       "[%s] right 的欄位 %s 不能與 left 的 %s 比較：要都是數字 (integer、decimal) 或都是日期",
			       sec, g->id, lf->id);
		r->fields[r->nfields++] = (size_t)rf;
		return;
	}
	const char *want = parse_bound(lf, right, &r->right);
	if (want)
		ERR_AT(L, sec, "right", "[%s] right 應為欄位代號或%s，不是「%s」", sec, want, right);
}

/* left, op and right of a compare rule; the others may not have them. */
static void load_compare(Loader *L, const char *sec, FormRule *r)
{
	static const char *const keys[] = {"left", "op", "right"};
	const char *v[3];
	for (int i = 0; i < 3; i++) {
		v[i] = ini_get(L->ini, sec, keys[i]);
		if (v[i] && r->type != RULE_COMPARE)
			ERR_AT(L, sec, keys[i], "[%s] 只有 compare 規則可以有 %s", sec, keys[i]);
		else if ((!v[i] || !*v[i]) && r->type == RULE_COMPARE)
			ERR_AT(L, sec, v[i] ? keys[i] : NULL, "[%s] compare 規則需要 %s", sec, keys[i]);
	}
	if (r->type != RULE_COMPARE)
		return;
	r->fields = xcalloc(2, sizeof *r->fields);
	size_t k = 0;
	while (v[1] && k < sizeof CMP_OPS / sizeof *CMP_OPS && strcmp(CMP_OPS[k].text, v[1]) != 0)
		k++;
	if (v[1] && *v[1] && k == sizeof CMP_OPS / sizeof *CMP_OPS)
		ERR_AT(L, sec, "op", "[%s] op 應為 <、<=、>、>=、= 或 !=，不是「%s」", sec, v[1]);
	else if (v[1] && *v[1])
		r->cmp = CMP_OPS[k].op;
	if (!v[0] || !*v[0] || !field_ref(L, sec, "left", v[0], &r->fields[0]))
		return;
	r->nfields = 1;
	const FormField *lf = &L->form->fields[r->fields[0]];
	if (!ordered(lf))
		ERR_AT(L, sec, "left", "[%s] left 的欄位 %s 應為 integer、decimal 或 date", sec, lf->id);
	else if (v[2] && *v[2])
		load_right(L, sec, v[2], r);
}

/* The rule's type; false (said) when it is none. */
static bool rule_type(Loader *L, const char *sec, RuleType *out)
{
	const char *type = ini_get(L->ini, sec, "type");
	size_t t = 0;
	while (type && t < sizeof RULE_TYPES / sizeof *RULE_TYPES &&
	       strcmp(RULE_TYPES[t].name, type) != 0)
		t++;
	if (!type || t == sizeof RULE_TYPES / sizeof *RULE_TYPES) {
		ERR_AT(L, sec, "type", "[%s] type 應為 only, optional, require, unique, count 或 compare",
		       sec);
		return false;
	}
	*out = RULE_TYPES[t].type;
	return true;
}

static void load_count_max(Loader *L, const char *sec, FormRule *r)
{
	const char *max = ini_get(L->ini, sec, "max");
	if (r->type == RULE_COUNT) {
		char *end = NULL;
		r->max = max ? strtol(max, &end, 10) : -1;
		if (!max || !*max || *end || r->max < 1)
			ERR_AT(L, sec, "max", "[%s] count 規則需要 max (正整數)", sec);
	} else if (max) {
		ERR_AT(L, sec, "max", "[%s] 只有 count 規則可以有 max", sec);
	}
}

/* field (only) or fields (optional, require, unique, count). */
static void load_rule_fields(Loader *L, const char *sec, FormRule *r, const char *type)
{
	if (r->type == RULE_COMPARE) {
		for (int i = 0; i < 2; i++)
			if (ini_get(L->ini, sec, i ? "fields" : "field"))
				ERR_AT(L, sec, i ? "fields" : "field",
				       "[%s] compare 規則用 left 與 right，不是「%s」", sec, i ? "fields" : "field");
		return;
	}
	const char *fkey = r->type == RULE_ONLY ? "field" : "fields";
	const char *other = r->type == RULE_ONLY ? "fields" : "field";
	if (ini_get(L->ini, sec, other))
		ERR_AT(L, sec, other, "[%s] %s 規則用「%s」，不是「%s」", sec, type, fkey, other);
	size_t nids;
	char **ids = list(L, sec, fkey, &nids);
	if (nids == 0)
		ERR_AT(L, sec, fkey, "[%s] 缺少 %s", sec, fkey);
	if (r->type == RULE_ONLY && nids > 1)
		ERR_AT(L, sec, fkey, "[%s] only 規則只能有一個 field", sec);
	r->fields = xcalloc(nids ? nids : 1, sizeof *r->fields);
	for (size_t i = 0; i < nids; i++)
		if (field_ref(L, sec, fkey, ids[i], &r->fields[r->nfields]))
			r->nfields++;
	ini_strv_free(ids, nids);
	if (r->type == RULE_OPTIONAL)
		for (size_t i = 0; i < r->nfields; i++)
			if (!L->form->fields[r->fields[i]].required)
				ERR_AT(L, sec, "fields",
				       "[%s] 欄位 %s 本來就不是必填，optional 對它沒有作用", sec,
				       L->form->fields[r->fields[i]].id);
}

/* values (only). */
static void load_rule_values(Loader *L, const char *sec, FormRule *r)
{
	r->values = list(L, sec, "values", &r->nvalues);
	if (r->type != RULE_ONLY) {
		if (r->nvalues)
			ERR_AT(L, sec, "values", "[%s] 只有 only 規則可以有 values", sec);
		return;
	}
	if (r->nvalues == 0) {
		ERR_AT(L, sec, "values", "[%s] only 規則需要 values", sec);
		return;
	}
	if (r->nfields != 1)
		return;
	const FormField *f = &L->form->fields[r->fields[0]];
	if (f->kind != KIND_CHOICE)
		ERR_AT(L, sec, "field", "[%s] only 規則的欄位 %s 不是 choice", sec, f->id);
	else if (f->compute.op != COMPUTE_NONE)
		ERR_AT(L, sec, "field", "[%s] only 規則的欄位 %s 由 compute 算出，不能限制它的值", sec,
		       f->id);
	r->value_idx = check_values(L, sec, "values", f, r->values, r->nvalues);
}

/* severity, message, prompt. */
static void load_rule_words(Loader *L, const char *sec, FormRule *r)
{
	const char *sev = ini_get(L->ini, sec, "severity");
	r->severity = DIAG_ERROR;
	if (sev && strcmp(sev, "warning") == 0)
		r->severity = DIAG_WARNING;
	else if (sev && strcmp(sev, "error") != 0)
		ERR_AT(L, sec, "severity", "[%s] severity 應為 error 或 warning", sec);
	r->message = opt(L, sec, "message", NULL);
	r->prompt = opt(L, sec, "prompt", NULL);
	if (r->prompt && r->type != RULE_REQUIRE)
		ERR_AT(L, sec, "prompt", "[%s] 只有 require 規則可以有 prompt", sec);
	if (r->type == RULE_OPTIONAL && (r->message || sev))
		ERR_AT(L, sec, r->message ? "message" : "severity",
		       "[%s] optional 規則不產生訊息，不能有 message 或 severity", sec);
}

static void load_rule(Loader *L, const char *sec, long line, FormRule *r)
{
	memset(r, 0, sizeof *r);
	r->line = line;
	r->id = xstrdup(sec + strlen("rule."));
	ini_check_keys(L->ini, sec, RULE_KEYS, L->dl);
	if (!rule_type(L, sec, &r->type))
		return;
	const char *type = ini_get(L->ini, sec, "type");
	load_cond(L, sec, &r->when);
	if (r->type == RULE_UNIQUE && r->when.present)
		ERR_AT(L, sec, "when", "[%s] unique 規則不能有 when", sec);
	bool when_optional = r->type == RULE_UNIQUE || r->type == RULE_COUNT || r->type == RULE_COMPARE;
	if (!when_optional && !r->when.present && !ini_get(L->ini, sec, "when"))
		ERR_AT(L, sec, NULL, "[%s] %s 規則需要 when", sec, type);
	load_count_max(L, sec, r);
	load_rule_fields(L, sec, r, type);
	load_compare(L, sec, r);
	load_rule_values(L, sec, r);
	load_rule_words(L, sec, r);
}

/* [field] compute = max(a, b) | min(a, b) | sum(a, b), once every field
 * is loaded: the fields named, and what they must be. */
static bool compute_input(Loader *L, const char *sec, const FormField *f, const FormField *g)
{
	char *gsec = xasprintf("field.%s", g->id);
	bool computed = ini_get(L->ini, gsec, "compute") != NULL;
	free(gsec);
	const char *problem = NULL;
	if (computed)
		problem = "本身也由 compute 算出";
	else if (f->compute.op != COMPUTE_SUM && g->kind != KIND_CHOICE)
		problem = "不是 choice";
	else if (f->compute.op != COMPUTE_SUM && g->nvalues != f->nvalues)
		problem = "的 values 與本欄不同 (要一樣的值、一樣的順序)";
	else if (f->compute.op == COMPUTE_SUM && g->kind != KIND_INTEGER && g->kind != KIND_DECIMAL)
		problem = "不是 integer 或 decimal";
	else if (f->compute.op == COMPUTE_SUM &&
		 (g->kind == KIND_DECIMAL ? g->decimals : 0) >
		     (f->kind == KIND_DECIMAL ? f->decimals : 0))
		problem = "的小數位數比本欄多";
	for (size_t i = 0; !problem && f->compute.op != COMPUTE_SUM && i < f->nvalues; i++)
		if (strcmp(f->values[i], g->values[i]) != 0)
			problem = "的 values 與本欄不同 (要一樣的值、一樣的順序)";
	if (problem)
		ERR_AT(L, sec, "compute", "[%s] compute 的欄位 %s %s", sec, g->id, problem);
	return !problem;
}

/* The operator of compute = NAME(…): max, min or sum before the
 * parenthesis; COMPUTE_NONE when v is not NAME(…). */
static ComputeOp compute_op(const char *v, const char **open)
{
	static const char *const names[] = {"max", "min", "sum"};
	static const ComputeOp ops[] = {COMPUTE_MAX, COMPUTE_MIN, COMPUTE_SUM};
	*open = strchr(v, '(');
	size_t n = *open ? (size_t)(*open - v) : 0;
	while (n > 0 && v[n - 1] == ' ')
		n--;
	if (!*open || v[strlen(v) - 1] != ')')
		return COMPUTE_NONE;
	for (int i = 0; i < 3; i++)
		if (n == 3 && strncmp(v, names[i], 3) == 0)
			return ops[i];
	return COMPUTE_NONE;
}

/* compute's fields, between the parentheses, separated by commas. */
static void load_compute_fields(Loader *L, const char *sec, FormField *f, const char *open)
{
	char *inner = xstrndup(open + 1, strlen(open) - 2);
	for (char *p = inner; (p = strchr(p, ',')); p++)
		*p = '|';
	size_t nids, nempty;
	char **ids = ini_split(inner, &nids, &nempty);
	free(inner);
	if (nids == 0 || nempty)
		ERR_AT(L, sec, "compute", "[%s] compute 的欄位不可空白", sec);
	f->compute.fields = xcalloc(nids ? nids : 1, sizeof *f->compute.fields);
	for (size_t i = 0; i < nids; i++) {
		size_t g;
		if (field_ref(L, sec, "compute", ids[i], &g) &&
		    compute_input(L, sec, f, &L->form->fields[g]))
			f->compute.fields[f->compute.nfields++] = g;
	}
	ini_strv_free(ids, nids);
}

static void load_compute(Loader *L, const char *sec, FormField *f)
{
	const char *v = ini_get(L->ini, sec, "compute");
	if (!v)
		return;
	const char *open;
	ComputeOp op = compute_op(v, &open);
	if (op == COMPUTE_NONE)
		ERR_AT(L, sec, "compute", "[%s] compute 應寫成 max(欄位, 欄位…)、min(…) 或 sum(…)", sec);
	else if (op != COMPUTE_SUM && f->kind != KIND_CHOICE)
		ERR_AT(L, sec, "compute", "[%s] compute = max(…) 或 min(…) 的欄位要是 choice", sec);
	else if (op == COMPUTE_SUM && f->kind != KIND_INTEGER && f->kind != KIND_DECIMAL)
		ERR_AT(L, sec, "compute", "[%s] compute = sum(…) 的欄位要是 integer 或 decimal", sec);
	else {
		f->compute.op = op;
		load_compute_fields(L, sec, f, open);
	}
}

/* [form] examples_sheet and examples: both or neither.  The file is
 * taken relative to the form file's folder; it is read when a workbook is
 * written (layout.c), so that a form file copied without it still checks
 * files. */
static void load_examples(Loader *L, const char *form_path)
{
	Form *form = L->form;
	form->examples_sheet = opt(L, "form", "examples_sheet", NULL);
	const char *file = ini_get(L->ini, "form", "examples");
	if (form->examples_sheet && !file)
		ERR_AT(L, "form", "examples_sheet",
		       "[form] examples_sheet 需要 examples：範例列所在的 CSV 檔 (相對於表單檔的資料夾)");
	if (file && !form->examples_sheet)
		ERR_AT(L, "form", "examples",
		       "[form] examples 需要 examples_sheet：放範例列的工作表名稱");
	if (file && !*file)
		ERR_AT(L, "form", "examples", "[form] examples 是空的：應為範例列所在的 CSV 檔");
	if (!file || !*file || !form->examples_sheet)
		return;
	const char *slash = strrchr(form_path, '/');
	form->examples = file[0] == '/' || !slash
				 ? xstrdup(file)
				 : xasprintf("%.*s/%s", (int)(slash - form_path), form_path, file);
}

static bool print_or_report(const char *section)
{
	return strcmp(section, "print") == 0 || strcmp(section, "report") == 0;
}

/* Counts the sections by kind (fields in *nf, rules in *nr, lists in
 * form->nlists); an unknown section is an error at its line.  True when
 * there is a [form]. */
static bool count_sections(Loader *L, size_t *nf, size_t *nr)
{
	bool have_form = false;
	for (size_t i = 0; i < ini_nsections(L->ini); i++) {
		const char *s = ini_section(L->ini, i);
		if (strncmp(s, "field.", 6) == 0)
			(*nf)++;
		else if (strncmp(s, "rule.", 5) == 0)
			(*nr)++;
		else if (strncmp(s, "list.", 5) == 0)
			L->form->nlists++;
		else if (strcmp(s, "form") == 0)
			have_form = true;
		else if (!print_or_report(s))
			diag_add(L->dl, DIAG_ERROR, ini_section_line(L->ini, i), 0, -1, -1,
				 "不認得的段落 [%s] (可用：[form]、[field.代號]、[rule.代號]、[list.代號]、[print]、[report])",
				 s);
	}
	if (!have_form)
		diag_add(L->dl, DIAG_ERROR, 1, 0, -1, -1, "缺少 [form] 段落 (id 與 title)");
	if (*nf == 0)
		diag_add(L->dl, DIAG_ERROR, 1, 0, -1, -1, "表單沒有任何 [field.代號] 段落");
	return have_form;
}

/* [form]'s keys but list_columns (which names fields, loaded later). */
static void load_form_section(Loader *L, const char *path)
{
	Form *form = L->form;
	ini_check_keys(L->ini, "form", FORM_KEYS, L->dl);
	form->id = need(L, "form", "id");
	form->title = need(L, "form", "title");
	form->list_sheet = opt(L, "form", "list_sheet", NULL);
	form->help_sheet = opt(L, "form", "help_sheet", NULL);
	form->help_cols = list(L, "form", "help_columns", &form->nhelp_cols);
	if (form->help_sheet && form->nhelp_cols != 3)
		ERR_AT(L, "form", "help_columns",
		       "[form] help_sheet 需要 help_columns：三個欄名 (項目、說明、說明2)，以 | 分隔");
	load_examples(L, path);
}

/* What a field names once every field is loaded: its [list.ID] and the
 * fields of its compute. */
static void resolve_fields(Loader *L)
{
	Form *form = L->form;
	for (size_t i = 0; i < form->nfields; i++) {
		FormField *f = &form->fields[i];
		char *sec = xasprintf("field.%s", f->id);
		const char *lid = ini_get(L->ini, sec, "list");
		for (size_t k = 0; lid && k < form->nlists && f->list < 0; k++)
			if (strcmp(form->lists[k].id, lid) == 0)
				f->list = (long)k;
		if (lid && f->list < 0)
			ERR_AT(L, sec, "list", "[%s] list 指向不存在的 [list.%s]", sec, lid);
		if (lid && f->kind != KIND_CHOICE)
			ERR_AT(L, sec, "list", "[%s] 只有 kind = choice 的欄位可以有 list", sec);
		load_compute(L, sec, f);
		free(sec);
	}
}

/* Per field, the rules that name it: the checks of a record only look at
 * those. */
static void index_field_rules(Form *form)
{
	form->field_rules = xcalloc(form->nfields, sizeof *form->field_rules);
	form->nfield_rules = xcalloc(form->nfields, sizeof *form->nfield_rules);
	for (size_t i = 0; i < form->nrules; i++)
		for (size_t k = 0; k < form->rules[i].nfields; k++) {
			size_t f = form->rules[i].fields[k];
			form->field_rules[f] = xrealloc(form->field_rules[f],
							(form->nfield_rules[f] + 1) * sizeof **form->field_rules);
			form->field_rules[f][form->nfield_rules[f]++] = i;
			form->fields[f].restricted |= form->rules[i].type == RULE_ONLY;
		}
}

/* [form] list_columns: the fields the record list shows; by default the
 * first three. */
static void load_list_columns(Loader *L, bool have_form)
{
	Form *form = L->form;
	size_t nids = 0;
	char **ids = have_form ? list(L, "form", "list_columns", &nids) : NULL;
	form->list = xcalloc(nids ? nids : 3, sizeof *form->list);
	for (size_t i = 0; i < nids; i++)
		if (field_ref(L, "form", "list_columns", ids[i], &form->list[form->nlist]))
			form->nlist++;
	ini_strv_free(ids, nids);
	for (size_t i = 0; nids == 0 && i < 3 && i < form->nfields; i++)
		form->list[form->nlist++] = i;
}

Form *form_load(const char *path, DiagList *diags)
{
	size_t before = diags->nerrors;
	Ini *ini = ini_load(path, diags);
	if (!ini)
		return NULL;
	Form *form = xcalloc(1, sizeof *form);
	form->path = xstrdup(path);
	Loader L = {ini, diags, form};
	size_t ns = ini_nsections(ini), nf = 0, nr = 0;
	bool have_form = count_sections(&L, &nf, &nr);

	/* lists, fields, then rules: each may name what comes before it */
	size_t nl = form->nlists;
	form->nlists = 0;
	form->lists = xcalloc(nl, sizeof *form->lists);
	for (size_t i = 0; i < ns; i++)
		if (strncmp(ini_section(ini, i), "list.", 5) == 0)
			load_list(&L, ini_section(ini, i), &form->lists[form->nlists++]);
	load_print(&L, &form->print);
	if (have_form)
		load_form_section(&L, path);
	if (nl && !form->list_sheet)
		diag_add(diags, DIAG_ERROR, have_form ? ini_line(ini, "form", NULL) : 1, 0, -1, -1,
			 "有 [list.代號] 段落時，[form] 需要 list_sheet (活頁簿中放選項清單的工作表名稱)");
	form->fields = xcalloc(nf, sizeof *form->fields);
	for (size_t i = 0; i < ns; i++)
		if (strncmp(ini_section(ini, i), "field.", 6) == 0)
			load_field(&L, ini_section(ini, i), ini_section_line(ini, i),
				   &form->fields[form->nfields++]);
	resolve_fields(&L);
	resolve_print(&L, &form->print);
	load_report(&L, &form->report);
	form->rules = xcalloc(nr, sizeof *form->rules);
	for (size_t i = 0; i < ns; i++)
		if (strncmp(ini_section(ini, i), "rule.", 5) == 0)
			load_rule(&L, ini_section(ini, i), ini_section_line(ini, i),
				  &form->rules[form->nrules++]);
	index_field_rules(form);
	load_list_columns(&L, have_form);
	ini_free(ini);
	if (diags->nerrors > before) {
		form_free(form);
		return NULL;
	}
	return form;
}

static void free_cond(FormCond *c)
{
	for (size_t i = 0; i < c->nclauses; i++) {
		ini_strv_free(c->clauses[i].values, c->clauses[i].nvalues);
		free(c->clauses[i].value_idx);
		free(c->clauses[i].bound.text);
	}
	free(c->clauses);
}

void form_free(Form *form)
{
	if (!form)
		return;
	for (size_t i = 0; i < form->nfields; i++) {
		FormField *f = &form->fields[i];
		free(f->id);
		free(f->header);
		free(f->label);
		free(f->help);
		free(f->help_more);
		free(f->full_header);
		ini_strv_free(f->value_labels, f->value_labels ? f->nvalues : 0);
		free(f->pattern);
		free(f->pattern_message);
		free(f->warn_pattern);
		free(f->warn_message);
		if (f->pattern_re)
			regfree(f->pattern_re);
		if (f->warn_re)
			regfree(f->warn_re);
		free(f->pattern_re);
		free(f->warn_re);
		if (f->value_pool)
			free(f->values);
		else
			ini_strv_free(f->values, f->nvalues);
		free(f->value_pool);
		free(f->value_slot);
		free(f->value_keys);
		free(f->value_lens);
		for (size_t a = 0; a < f->naliases; a++) {
			free(f->aliases[a].from);
			free(f->aliases[a].to);
		}
		free(f->aliases);
		ini_strv_free(f->header_aliases, f->nheader_aliases);
		ini_strv_free(f->oid_expect, f->noid_expect);
		free(f->min.text);
		free(f->max.text);
		free(f->separator);
		free(f->compute.fields);
	}
	for (size_t i = 0; i < form->nrules; i++) {
		FormRule *r = &form->rules[i];
		free(r->id);
		free_cond(&r->when);
		free(r->fields);
		ini_strv_free(r->values, r->nvalues);
		free(r->value_idx);
		free(r->message);
		free(r->prompt);
		free(r->right.text);
	}
	for (size_t i = 0; form->field_rules && i < form->nfields; i++)
		free(form->field_rules[i]);
	free(form->field_rules);
	free(form->nfield_rules);
	free(form->fields);
	free(form->rules);
	free(form->list);
	for (size_t i = 0; i < form->nlists; i++) {
		free(form->lists[i].id);
		free(form->lists[i].title);
		ini_strv_free(form->lists[i].values, form->lists[i].nvalues);
	}
	free(form->lists);
	free(form->list_sheet);
	free(form->help_sheet);
	free(form->examples_sheet);
	free(form->examples);
	ini_strv_free(form->help_cols, form->nhelp_cols);
	free(form->print.title);
	free(form->print.notes_caption);
	ini_strv_free(form->print.signatures, form->print.nsignatures);
	ini_strv_free(form->print.notes, form->print.nnotes);
	ini_strv_free(form->print.sign_lines, form->print.nsign_lines);
	free(form->print.agency_caption);
	free(form->print.date_caption);
	free_report(&form->report);
	free(form->path);
	free(form->id);
	free(form->title);
	free(form);
}

const char *form_id(const Form *form)
{
	return form->id;
}

const char *form_title(const Form *form)
{
	return form->title;
}

const char *form_path(const Form *form)
{
	return form->path;
}

size_t form_nfields(const Form *form)
{
	return form->nfields;
}

const FormField *form_field(const Form *form, size_t i)
{
	return &form->fields[i];
}

long form_field_index(const Form *form, const char *id)
{
	for (size_t i = 0; i < form->nfields; i++)
		if (form->fields[i].id && text_casecmp(form->fields[i].id, id) == 0)
			return (long)i;
	return -1;
}

size_t form_nlists(const Form *form)
{
	return form->nlists;
}

const FormList *form_list(const Form *form, size_t i)
{
	return &form->lists[i];
}

const char *form_list_sheet(const Form *form)
{
	return form->list_sheet;
}

const char *form_help_sheet(const Form *form, char *const **cols)
{
	*cols = form->help_cols;
	return form->help_sheet;
}

const char *form_examples(const Form *form, const char **sheet)
{
	*sheet = form->examples ? form->examples_sheet : NULL;
	return form->examples;
}

const FormPrint *form_print(const Form *form)
{
	return &form->print;
}

const FormReport *form_report(const Form *form)
{
	return &form->report;
}

const size_t *form_list_fields(const Form *form, size_t *n)
{
	*n = form->nlist;
	return form->list;
}

size_t form_nrules(const Form *form)
{
	return form->nrules;
}

const size_t *form_field_rules(const Form *form, size_t field, size_t *n)
{
	*n = form->nfield_rules[field];
	return form->field_rules[field];
}

const FormRule *form_rule(const Form *form, size_t i)
{
	return &form->rules[i];
}

long form_value_index(const FormField *field, const char *value)
{
	/* a table keeps a choice as the form's own string (table_put_shared),
	 * and so does a record given to a check: most lookups end at its
	 * index, kept before it */
	size_t off = (uintptr_t)value - (uintptr_t)field->value_pool;
	if (off >= sizeof(uint32_t) && off < field->value_pool_size) {
		uint32_t k;
		memcpy(&k, value - sizeof k, sizeof k);
		if (k < field->nvalues && field->values[k] == value)
			return (long)k;
	}
	for (size_t i = 0; i < field->nvalues; i++)
		if (strcmp(field->values[i], value) == 0)
			return (long)i;
	return -1;
}

/* Whether the n bytes at a and b are the same: compared here, not with
 * memcmp, as a value is a few bytes and a big file has a million cells
 * to look up. */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
	size_t k = 0;
	while (k < n && a[k] == b[k])
		k++;
	return k == n;
}

long form_value_find(const FormField *field, const char *s, size_t n)
{
	if (field->value_slot) { /* the one value it can be */
		ValueKey key = value_key(s, n);
		unsigned k = field->value_slot[value_slot(key, n, field->value_mul)];
		if (k == 0xFF || field->value_lens[k] != n)
			return -1;
		const ValueKey *vk = &field->value_keys[k];
		if (vk->a != key.a || vk->z != key.z)
			return -1;
		return n <= 16 || same_bytes(field->values[k] + 8, s + 8, n - 16) ? (long)k : -1;
	}
	for (size_t i = 0; i < field->nvalues; i++)
		if (field->value_lens[i] == n && same_bytes(field->values[i], s, n))
			return (long)i;
	return -1;
}

const char *form_value_choice(const FormField *field, const char *value)
{
	long i = field->value_labels ? form_value_index(field, value) : -1;
	return i >= 0 ? field->value_labels[i] : value;
}

char *form_value_text(const FormField *field, const char *value)
{
	long i = field->value_labels ? form_value_index(field, value) : -1;
	return i >= 0 ? xasprintf("%s %s", value, field->value_labels[i]) : xstrdup(value);
}

/* Takes an extension off the end of s (half-width, ASCII lower case):
 * "#123", "轉123", "分機123", "ext. 123", "x123"; returns its digits
 * (malloc'd), or NULL when s ends in none. */
static char *phone_extension(char *s)
{
	static const char *const MARKS[] = {"#", "轉", "分機", "ext.", "ext", "x"};
	for (size_t m = 0; m < sizeof MARKS / sizeof *MARKS; m++) {
		char *p = strstr(s, MARKS[m]);
		if (!p)
			continue;
		const char *d = p + strlen(MARKS[m]);
		d += strspn(d, " ");
		size_t nd = strspn(d, "0123456789");
		if (nd == 0 || nd > 6 || d[nd])
			return NULL; /* a mark, but not an extension after it */
		char *ext = xstrndup(d, nd);
		*p = '\0';
		return ext;
	}
	return NULL;
}

/* A telephone number as clerks write it, "(02)3356-8170", "02 3356 8170",
 * "02-3356-8170 #123", made "02-33568170#123": the area code (in
 * parentheses, or the first group when the digits come in groups), a
 * hyphen, the rest of the digits, and the extension after '#'.  NULL when
 * s is not made of digits, spaces, hyphens and parentheses so (the field's
 * pattern then says what is wrong), or is one already. */
static char *phone_number(const char *s)
{
	char *h = text_halfwidth(s);
	for (char *p = h; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	char *ext = phone_extension(h);
	char digits[64], area[16];
	size_t nd = 0, na = 0;
	bool grouped = false, ok = *h != '\0', in_paren = false, closed = false;
	for (const char *p = h; *p && ok; p++) {
		if (*p >= '0' && *p <= '9' && nd + 1 < sizeof digits) {
			if (in_paren && na + 1 < sizeof area)
				area[na++] = *p;
			else
				digits[nd++] = *p;
		} else if (*p == '(' && nd == 0 && na == 0 && !closed) {
			in_paren = true;
		} else if (*p == ')' && in_paren) {
			in_paren = false;
			closed = true;
		} else if ((*p == ' ' || *p == '-') && !in_paren) {
			if (!closed && na == 0 && nd > 0 && !grouped) { /* the first group */
				memcpy(area, digits, nd);
				na = nd;
				nd = 0;
			}
			grouped = grouped || nd > 0 || na > 0;
		} else {
			ok = false;
		}
	}
	char *out = NULL;
	if (ok && !in_paren && nd > 0 && na > 0 && area[0] == '0')
		out = xasprintf("%.*s-%.*s%s%s", (int)na, area, (int)nd, digits, ext ? "#" : "",
				ext ? ext : "");
	else if (ok && !in_paren && nd > 0 && na == 0 && ext)
		out = xasprintf("%.*s#%s", (int)nd, digits, ext);
	free(ext);
	free(h);
	if (out && strcmp(out, s) == 0) {
		free(out);
		out = NULL;
	}
	return out;
}

/* The index of an alias of f that s is (full-width letters and digits
 * made ASCII, ASCII case ignored), or -1. */
static long alias_index(const FormField *f, const char *s)
{
	char *h = text_halfwidth(s);
	long k = -1;
	for (size_t i = 0; i < f->naliases && k < 0; i++)
		if (text_casecmp(h, f->aliases[i].from) == 0)
			k = form_value_index(f, f->aliases[i].to);
	free(h);
	return k;
}

long form_multi_index(const FormField *field, const char *item)
{
	long k = form_value_index(field, item);
	return k >= 0 ? k : alias_index(field, item);
}

/* The length of the separator at p (the field's own or one of
 * MULTI_SEPS), or 0. */
static size_t multi_sep_at(const FormField *f, const char *p)
{
	if (f->separator && strncmp(p, f->separator, strlen(f->separator)) == 0)
		return strlen(f->separator);
	for (size_t k = 0; k < sizeof MULTI_SEPS / sizeof *MULTI_SEPS; k++)
		if (strncmp(p, MULTI_SEPS[k], strlen(MULTI_SEPS[k])) == 0)
			return strlen(MULTI_SEPS[k]);
	return 0;
}

/* Calls fn on each word of piece (split at spaces, tabs and U+3000). */
static bool each_word(char *piece, bool (*fn)(const char *, void *), void *arg)
{
	for (char *p = piece; *p;) {
		size_t n = 0;
		while (p[n] && p[n] != ' ' && p[n] != '\t' && strncmp(p + n, "\xE3\x80\x80", 3) != 0)
			n++;
		char *word = xstrndup(p, n);
		bool go = !*word || fn(word, arg);
		free(word);
		if (!go)
			return false;
		p += n;
		p += *p == ' ' || *p == '\t' ? 1 : *p ? 3 : 0;
	}
	return true;
}

void form_multi_items(const FormField *field, const char *value,
		      bool (*fn)(const char *item, void *arg), void *arg)
{
	for (const char *p = value;;) {
		const char *q = p;
		size_t sep = 0;
		while (*q && !(sep = multi_sep_at(field, q)))
			q++;
		char *raw = xstrndup(p, (size_t)(q - p)), *piece = text_trim(raw);
		free(raw);
		/* a piece that is not an item may be items separated by spaces */
		bool go = !*piece || (form_multi_index(field, piece) >= 0 ? fn(piece, arg)
									: each_word(piece, fn, arg));
		free(piece);
		if (!go || !*q)
			return;
		p = q + sep;
	}
}

typedef struct {
	const FormField *f;
	bool *ticked;
	size_t unknown;
} Ticks;

static bool tick(const char *item, void *arg)
{
	Ticks *t = arg;
	long k = form_multi_index(t->f, item);
	if (k >= 0)
		t->ticked[k] = true;
	else
		t->unknown++;
	return true;
}

size_t form_multi_ticks(const FormField *field, const char *value, bool *ticked)
{
	Ticks t = {field, ticked, 0};
	memset(ticked, 0, field->nvalues * sizeof *ticked);
	form_multi_items(field, value, tick, &t);
	return t.unknown;
}

char *form_multi_join(const FormField *field, const bool *ticked)
{
	char *s = xstrdup("");
	for (size_t i = 0; i < field->nvalues; i++) {
		if (!ticked[i])
			continue;
		char *t = xasprintf("%s%s%s", s, *s ? field->separator : "", field->values[i]);
		free(s);
		s = t;
	}
	return s;
}

typedef struct {
	const FormField *f;
	size_t max;
	char *unknown;
} Unknown;

static bool note_unknown(const char *item, void *arg)
{
	Unknown *u = arg;
	if (form_multi_index(u->f, item) >= 0)
		return true;
	char *q = text_clip(item, u->max);
	char *next = xasprintf("%s%s「%s」", u->unknown, *u->unknown ? "、" : "", q);
	free(q);
	free(u->unknown);
	u->unknown = next;
	return true;
}

char *form_multi_unknown(const FormField *field, const char *value, size_t max)
{
	Unknown u = {field, max, xstrdup("")};
	form_multi_items(field, value, note_unknown, &u);
	return u.unknown;
}

/* A multi field's value in values order, each once; as it is when one
 * of its items is not a value. */
static char *normalize_multi(const FormField *f, char *v)
{
	bool ticked[f->nvalues ? f->nvalues : 1];
	if (!*v || form_multi_ticks(f, v, ticked))
		return v;
	free(v);
	return form_multi_join(f, ticked);
}

/* A date as the field stores it; as it is when it is not one. */
static char *normalize_date(const FormField *f, char *v)
{
	long day;
	char *why;
	if (!value_date_parse(v, &day, &why)) {
		free(why);
		return v;
	}
	char out[16];
	value_date_format(day, f->roc, out, sizeof out);
	free(v);
	return xstrdup(out);
}

char *form_normalize(const FormField *field, const char *raw)
{
	char *v = text_trim(raw);
	switch (field->kind) {
	case KIND_INTEGER:
	case KIND_OID:
	case KIND_DECIMAL:
	case KIND_DATE: {
		char *h = text_halfwidth(v);
		free(v);
		v = text_trim(h); /* a full-width space became an ASCII one */
		free(h);
		return field->kind == KIND_DATE ? normalize_date(field, v) : v;
	}
	case KIND_CHOICE:
		if (*v && form_value_index(field, v) < 0) {
			long k = alias_index(field, v);
			if (k >= 0) {
				free(v);
				v = xstrdup(field->values[k]);
			}
		}
		return v;
	case KIND_MULTI:
		return normalize_multi(field, v);
	case KIND_TEXT:
		if (field->phone && *v) {
			char *p = phone_number(v);
			if (p) {
				free(v);
				v = p;
			}
		}
		break;
	}
	return v;
}

char *form_compute_text(const Form *form, const FormField *field)
{
	const FormCompute *c = &field->compute;
	if (c->op == COMPUTE_NONE)
		return xstrdup("");
	char *s = xstrdup("");
	for (size_t i = 0; i < c->nfields; i++) {
		char *t = xasprintf("%s%s%s", s, i ? "、" : "", form->fields[c->fields[i]].label);
		free(s);
		s = t;
	}
	char *t = xasprintf("%s%s", s,
			    c->op == COMPUTE_MAX   ? "中最高者"
			    : c->op == COMPUTE_MIN ? "中最低者"
						   : "的合計");
	free(s);
	return t;
}

/* The comparison key of a column title: half-width, cut at the note (註),
 * without white space, ASCII lower case.  With bare, parenthesised parts
 * are dropped as well. */
static char *header_key(const char *title, bool bare)
{
	char *h = text_halfwidth(title);
	/* the note starts at 註 followed by a colon (full-width ： became ':');
	 * a plain 註, as in 備註, is part of the name */
	for (char *note = strstr(h, "註"); note; note = strstr(note + 1, "註")) {
		const char *after = note + strlen("註");
		while (*after == ' ' || *after == '\t' || *after == '\r' || *after == '\n')
			after++;
		if (*after == ':') {
			*note = '\0';
			break;
		}
	}
	char *o = h;
	int depth = 0;
	for (const char *p = h; *p; p++) {
		char c = *p;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (bare && c == '(') {
			depth++;
			continue;
		}
		if (bare && c == ')' && depth > 0) {
			depth--;
			continue;
		}
		if (bare && depth > 0)
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 'a' - 'A');
		*o++ = c;
	}
	*o = '\0';
	return h;
}

static bool header_matches(const FormField *f, const char *key, bool bare)
{
	bool hit = false;
	const char *names[2] = {f->header, f->label};
	for (size_t i = 0; i < 2 + f->nheader_aliases && !hit; i++) {
		char *k = header_key(i < 2 ? names[i] : f->header_aliases[i - 2], bare);
		hit = *k && strcmp(k, key) == 0;
		free(k);
	}
	return hit;
}

long form_match_header(const Form *form, const char *title, const bool *taken)
{
	for (int bare = 0; bare <= 1; bare++) {
		char *key = header_key(title, bare);
		long found = -1;
		for (size_t i = 0; *key && i < form->nfields && found < 0; i++)
			if ((!taken || !taken[i]) && header_matches(&form->fields[i], key, bare))
				found = (long)i;
		free(key);
		if (found >= 0)
			return found;
	}
	return -1;
}
