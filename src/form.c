/* form.c - loads forms/NAME.ini into a Form; see form.h and forms/README.md. */
#include "form.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "mem.h"
#include "text.h"

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
    "warn_pattern",   "warn_message", "autonumber", "print_width", "normalize",  NULL};
static const char *const RULE_KEYS[] = {"type",	  "field",  "fields", "when", "values",
					"severity", "message", "prompt", "max",  NULL};
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
	const char *kind = ini_get(L->ini, sec, "kind");
	f->kind = KIND_TEXT;
	if (kind) {
		size_t k = 0;
		while (k < sizeof KINDS / sizeof *KINDS && strcmp(KINDS[k].name, kind) != 0)
			k++;
		if (k == sizeof KINDS / sizeof *KINDS)
			ERR_AT(L, sec, "kind", "[%s] kind「%s」不認得 (可用：text, choice, integer, oid)",
			       sec, kind);
		else
			f->kind = KINDS[k].kind;
	}
	const char *req = ini_get(L->ini, sec, "required");
	if (req) {
		int b = ini_bool(req);
		if (b < 0)
			ERR_AT(L, sec, "required", "[%s] required 應為 yes 或 no，不是「%s」", sec,
			       req);
		f->required = b == 1;
	}
	f->values = list(L, sec, "values", &f->nvalues);
	pool_values(f);
	if (f->kind == KIND_CHOICE && f->nvalues == 0)
		ERR_AT(L, sec, "values", "[%s] kind = choice 需要 values (以 | 分隔)", sec);
	if (f->kind != KIND_CHOICE && ini_get(L->ini, sec, "values"))
		ERR_AT(L, sec, "values", "[%s] 只有 kind = choice 的欄位可以有 values", sec);
	size_t na;
	char **al = list(L, sec, "aliases", &na);
	if (na && f->kind != KIND_CHOICE)
		ERR_AT(L, sec, "aliases", "[%s] 只有 kind = choice 的欄位可以有 aliases", sec);
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
	f->list = -1; /* resolved once the lists are loaded */
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
	const char *an = ini_get(L->ini, sec, "autonumber");
	if (an) {
		int b = ini_bool(an);
		if (b < 0)
			ERR_AT(L, sec, "autonumber", "[%s] autonumber 應為 yes 或 no", sec);
		f->autonumber = b == 1;
		if (f->autonumber && f->kind != KIND_INTEGER)
			ERR_AT(L, sec, "autonumber", "[%s] 只有 kind = integer 的欄位可以 autonumber", sec);
	}
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

/* Every one of values must be a value of choice field f; returns their
 * indices among f's values (malloc'd), or NULL when f is not a choice. */
static size_t *check_values(Loader *L, const char *sec, const char *key, const FormField *f,
			    char **values, size_t n)
{
	if (f->kind != KIND_CHOICE)
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

/* "FIELD = A|B" or "FIELD != A|B". */
static void load_cond(Loader *L, const char *sec, FormCond *c)
{
	const char *w = ini_get(L->ini, sec, "when");
	if (!w)
		return;
	const char *eq = strchr(w, '=');
	if (!eq || eq == w) {
		ERR_AT(L, sec, "when", "[%s] when 應寫成「欄位 = 值|值」或「欄位 != 值|值」", sec);
		return;
	}
	bool neg = eq[-1] == '!';
	char *raw = xstrndup(w, (size_t)(eq - w) - (neg ? 1 : 0));
	char *id = text_trim(raw);
	free(raw);
	size_t nempty;
	c->values = ini_split(eq + 1, &c->nvalues, &nempty);
	c->op = neg ? COND_NOT_IN : COND_IN;
	if (c->nvalues == 0 || nempty)
		ERR_AT(L, sec, "when", "[%s] when 的值不可空白", sec);
	if (field_ref(L, sec, "when", id, &c->field)) {
		c->present = true;
		c->value_idx = check_values(L, sec, "when", &L->form->fields[c->field], c->values,
					    c->nvalues);
	}
	free(id);
}

static void load_rule(Loader *L, const char *sec, long line, FormRule *r)
{
	memset(r, 0, sizeof *r);
	r->line = line;
	r->id = xstrdup(sec + strlen("rule."));
	ini_check_keys(L->ini, sec, RULE_KEYS, L->dl);
	const char *type = ini_get(L->ini, sec, "type");
	size_t t = 0;
	while (type && t < sizeof RULE_TYPES / sizeof *RULE_TYPES &&
	       strcmp(RULE_TYPES[t].name, type) != 0)
		t++;
	if (!type || t == sizeof RULE_TYPES / sizeof *RULE_TYPES) {
		ERR_AT(L, sec, "type", "[%s] type 應為 only, optional, require 或 unique", sec);
		return;
	}
	r->type = RULE_TYPES[t].type;
	load_cond(L, sec, &r->when);
	if (r->type == RULE_UNIQUE && r->when.present)
		ERR_AT(L, sec, "when", "[%s] unique 規則不能有 when", sec);
	if (r->type != RULE_UNIQUE && r->type != RULE_COUNT && !r->when.present &&
	    !ini_get(L->ini, sec, "when"))
		ERR_AT(L, sec, NULL, "[%s] %s 規則需要 when", sec, type);
	const char *max = ini_get(L->ini, sec, "max");
	if (r->type == RULE_COUNT) {
		char *end = NULL;
		r->max = max ? strtol(max, &end, 10) : -1;
		if (!max || !*max || *end || r->max < 1)
			ERR_AT(L, sec, "max", "[%s] count 規則需要 max (正整數)", sec);
	} else if (max) {
		ERR_AT(L, sec, "max", "[%s] 只有 count 規則可以有 max", sec);
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
	r->fields = xcalloc(nids, sizeof *r->fields);
	for (size_t i = 0; i < nids; i++)
		if (field_ref(L, sec, fkey, ids[i], &r->fields[r->nfields]))
			r->nfields++;
	ini_strv_free(ids, nids);

	r->values = list(L, sec, "values", &r->nvalues);
	if (r->type == RULE_ONLY) {
		if (r->nvalues == 0)
			ERR_AT(L, sec, "values", "[%s] only 規則需要 values", sec);
		else if (r->nfields == 1) {
			const FormField *f = &L->form->fields[r->fields[0]];
			if (f->kind != KIND_CHOICE)
				ERR_AT(L, sec, "field", "[%s] only 規則的欄位 %s 不是 choice", sec,
				       f->id);
			r->value_idx = check_values(L, sec, "values", f, r->values, r->nvalues);
		}
	} else if (r->nvalues) {
		ERR_AT(L, sec, "values", "[%s] 只有 only 規則可以有 values", sec);
	}
	if (r->type == RULE_OPTIONAL)
		for (size_t i = 0; i < r->nfields; i++)
			if (!L->form->fields[r->fields[i]].required)
				ERR_AT(L, sec, "fields",
				       "[%s] 欄位 %s 本來就不是必填，optional 對它沒有作用", sec,
				       L->form->fields[r->fields[i]].id);

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
	bool have_form = false;
	for (size_t i = 0; i < ns; i++) {
		const char *s = ini_section(ini, i);
		if (strncmp(s, "field.", 6) == 0)
			nf++;
		else if (strncmp(s, "rule.", 5) == 0)
			nr++;
		else if (strncmp(s, "list.", 5) == 0)
			form->nlists++;
		else if (strcmp(s, "form") == 0)
			have_form = true;
		else if (!print_or_report(s))
			diag_add(diags, DIAG_ERROR, ini_section_line(ini, i), 0, -1, -1,
				 "不認得的段落 [%s] (可用：[form]、[field.代號]、[rule.代號]、[list.代號]、[print]、[report])",
				 s);
	}
	if (have_form) {
		ini_check_keys(ini, "form", FORM_KEYS, diags);
		form->id = need(&L, "form", "id");
		form->title = need(&L, "form", "title");
	} else {
		diag_add(diags, DIAG_ERROR, 1, 0, -1, -1, "缺少 [form] 段落 (id 與 title)");
	}
	if (nf == 0)
		diag_add(diags, DIAG_ERROR, 1, 0, -1, -1, "表單沒有任何 [field.代號] 段落");

	/* lists, fields, then rules: each may name what comes before it */
	size_t nl = form->nlists;
	form->nlists = 0;
	form->lists = xcalloc(nl, sizeof *form->lists);
	for (size_t i = 0; i < ns; i++) {
		const char *s = ini_section(ini, i);
		if (strncmp(s, "list.", 5) == 0)
			load_list(&L, s, &form->lists[form->nlists++]);
	}
	load_print(&L, &form->print);
	form->list_sheet = have_form ? opt(&L, "form", "list_sheet", NULL) : NULL;
	if (nl && !form->list_sheet)
		diag_add(diags, DIAG_ERROR, have_form ? ini_line(ini, "form", NULL) : 1, 0, -1, -1,
			 "有 [list.代號] 段落時，[form] 需要 list_sheet (活頁簿中放選項清單的工作表名稱)");
	form->help_sheet = have_form ? opt(&L, "form", "help_sheet", NULL) : NULL;
	form->help_cols = have_form ? list(&L, "form", "help_columns", &form->nhelp_cols) : NULL;
	if (form->help_sheet && form->nhelp_cols != 3)
		diag_add(diags, DIAG_ERROR, ini_line(ini, "form", "help_columns"), 0, -1, -1,
			 "[form] help_sheet 需要 help_columns：三個欄名 (項目、說明、說明2)，以 | 分隔");
	if (have_form)
		load_examples(&L, path);
	form->fields = xcalloc(nf, sizeof *form->fields);
	for (size_t i = 0; i < ns; i++) {
		const char *s = ini_section(ini, i);
		if (strncmp(s, "field.", 6) == 0)
			load_field(&L, s, ini_section_line(ini, i), &form->fields[form->nfields++]);
	}
	for (size_t i = 0; i < form->nfields; i++) {
		FormField *f = &form->fields[i];
		char *sec = xasprintf("field.%s", f->id);
		const char *lid = ini_get(ini, sec, "list");
		for (size_t k = 0; lid && k < form->nlists && f->list < 0; k++)
			if (strcmp(form->lists[k].id, lid) == 0)
				f->list = (long)k;
		if (lid && f->list < 0)
			ERR_AT(&L, sec, "list", "[%s] list 指向不存在的 [list.%s]", sec, lid);
		if (lid && f->kind != KIND_CHOICE)
			ERR_AT(&L, sec, "list", "[%s] 只有 kind = choice 的欄位可以有 list", sec);
		free(sec);
	}
	resolve_print(&L, &form->print);
	load_report(&L, &form->report);
	form->rules = xcalloc(nr, sizeof *form->rules);
	for (size_t i = 0; i < ns; i++) {
		const char *s = ini_section(ini, i);
		if (strncmp(s, "rule.", 5) == 0)
			load_rule(&L, s, ini_section_line(ini, i), &form->rules[form->nrules++]);
	}
	/* per field, the rules that name it: the checks of a record only look
	 * at those */
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
	size_t nids = 0;
	char **ids = have_form ? list(&L, "form", "list_columns", &nids) : NULL;
	form->list = xcalloc(nids ? nids : 3, sizeof *form->list);
	for (size_t i = 0; i < nids; i++)
		if (field_ref(&L, "form", "list_columns", ids[i], &form->list[form->nlist]))
			form->nlist++;
	ini_strv_free(ids, nids);
	for (size_t i = 0; nids == 0 && i < 3 && i < form->nfields; i++)
		form->list[form->nlist++] = i; /* default: the first three fields */
	ini_free(ini);
	if (diags->nerrors > before) {
		form_free(form);
		return NULL;
	}
	return form;
}

static void free_cond(FormCond *c)
{
	ini_strv_free(c->values, c->nvalues);
	free(c->value_idx);
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

char *form_normalize(const FormField *field, const char *raw)
{
	char *v = text_trim(raw);
	if (field->phone && *v) {
		char *p = phone_number(v);
		if (p) {
			free(v);
			v = p;
		}
	}
	if (field->kind == KIND_INTEGER || field->kind == KIND_OID) {
		char *h = text_halfwidth(v);
		free(v);
		v = text_trim(h); /* a full-width space became an ASCII one */
		free(h);
	} else if (field->kind == KIND_CHOICE && *v && form_value_index(field, v) < 0) {
		char *h = text_halfwidth(v);
		for (size_t i = 0; i < field->naliases; i++)
			if (text_casecmp(h, field->aliases[i].from) == 0) {
				free(v);
				v = xstrdup(field->aliases[i].to);
				break;
			}
		free(h);
	}
	return v;
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
