/* form.h - a form definition loaded from forms/NAME.ini.
 *
 * A Form is everything spmform knows about one kind of file: its columns
 * (FormField, in output order) and the rules between them (FormRule).  Not a
 * single label, value or rule of a particular form lives in C; see
 * forms/README.md for the file format.
 *
 * A Form is immutable once loaded.  The FormField and FormRule pointers and
 * every string reachable from them belong to the Form and stay valid until
 * form_free().
 */
#ifndef SPMFORM_FORM_H
#define SPMFORM_FORM_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

typedef enum {
	KIND_TEXT,    /* free text */
	KIND_CHOICE,  /* one of FormField.values */
	KIND_INTEGER, /* digits only */
	KIND_OID,     /* dotted-decimal object identifier */
	KIND_DATE,    /* a day, stored as FormField.roc says (value.h) */
	KIND_DECIMAL, /* digits, a point and at most FormField.decimals more */
	KIND_MULTI,   /* several of FormField.values, joined by its separator */
} FieldKind;

/* A bound of an integer, decimal or date field ([field] min and max, the
 * number or date of a condition or of a compare rule): a number in
 * millionths or a day number (value.h), or today, whichever day the
 * check runs on.  text is the bound as the form wrote it. */
typedef struct {
	bool present;
	bool today;
	int64_t v;
	char *text;
} FormBound;

/* [field] compute: the field is made of others, never typed. */
typedef enum {
	COMPUTE_NONE,
	COMPUTE_MAX, /* choice: the latest of fields' values in the field's values order */
	COMPUTE_MIN, /* choice: the earliest */
	COMPUTE_SUM, /* integer, decimal: the sum of fields */
} ComputeOp;

typedef struct {
	ComputeOp op;
	size_t *fields; /* none of them computed; choice fields with the same
			 * values (max, min), integer or decimal fields (sum) */
	size_t nfields;
} FormCompute;

typedef struct {
	char *from; /* compared ASCII-case-insensitively, after text_halfwidth */
	char *to;   /* one of the field's values */
} FormAlias;

typedef struct {
	char *id;     /* ASCII [a-z0-9_-], unique within the form */
	char *header; /* exact column title written to files */
	char *label;  /* what a person sees on screen and in messages */
	char *help;   /* help text for the clerk, may be "" */
	char *help_more;   /* the template's second column of instructions, or "" */
	char *full_header; /* the template's whole title cell (name and note) for
			    * .xlsx; the header when the form gives none ("\n" in
			    * the form file is a line break) */
	char **value_labels; /* KIND_CHOICE: a label per value, or NULL (the
			      * values are codes: 1 = 新增, 0 = 刪除) */
	long list;    /* KIND_CHOICE: index of the form's list (FormList) its
		       * .xlsx validation points at, or -1 */
	char *pattern; /* KIND_TEXT: an extended regular expression the value
			* must match, or NULL; pattern_message says what it wants */
	char *pattern_message;
	char *warn_pattern; /* a value matching it (ignoring case) is warned */
	char *warn_message;
	regex_t *pattern_re, *warn_re; /* compiled, or NULL */
	bool phone; /* KIND_TEXT, normalize = phone: a telephone number written
		     * as clerks write it is stored as "02-33568170#123" */
	bool autonumber; /* KIND_INTEGER: new records get the next number */
	FieldKind kind;
	int decimals;	    /* KIND_DECIMAL: the most digits after the point */
	bool roc;	    /* KIND_DATE: stored as 113/05/01 (date_format = roc),
			     * else as 2024-05-01 */
	FormBound min, max; /* integer, decimal, date: inclusive, if present */
	char *separator;    /* KIND_MULTI: what joins the items (default 、) */
	FormCompute compute;
	bool required;
	char **values; /* KIND_CHOICE, KIND_MULTI: permitted values in template order, in
			* value_pool, each after its index (form_value_index) */
	size_t *value_lens; /* and their lengths */
	size_t nvalues;
	char *value_pool;
	size_t value_pool_size;
	/* form_value_find's table: a value's index (or 0xFF) at the slot its
	 * bytes hash to with value_mul; none when no multiplier tried keeps
	 * the values apart */
	unsigned char *value_slot;
	uint64_t value_mul;
	struct ValueKey *value_keys; /* what it compares of each value */
	bool restricted; /* KIND_CHOICE: an only-rule may forbid some values */
	FormAlias *aliases; /* KIND_CHOICE: other spellings accepted on input */
	size_t naliases;
	char **header_aliases; /* other titles recognised when reading */
	size_t nheader_aliases;
	char **oid_expect; /* KIND_OID: arcs a value should lie under */
	size_t noid_expect;
	double print_width; /* its share of the printed table's width ([field]
			     * print_width, default 1); 0: not printed */
	long line; /* line of the field's section in the form file */
} FormField;

/* A list of permitted values as the template's 此頁不可刪除 sheet has it:
 * a column titled title with values.  Lists are kept in file order. */
typedef struct {
	char *id;
	char *title;
	char **values;
	size_t nvalues;
} FormList;

/* What a file of the form is on paper ([print]).
 *
 * PRINT_SHEET: a sheet to fill, sign and seal (the admin form): the .xlsx
 * export writes it as one printable sheet (title, the rows, signature
 * boxes, notes) and reading a workbook skips those around the rows.
 * PRINT_LIST: a list of records (the inventory): the .xlsx export writes
 * the template's workbook.  The PDF (print.h) follows the rest either way.
 * Every string may be NULL; title may contain "\n". */
typedef enum { PRINT_LIST, PRINT_SHEET } PrintLayout;

typedef struct {
	PrintLayout layout; /* default: SHEET when title, signatures or notes
			     * are given, else LIST */
	bool landscape;     /* orientation of the A4 page: portrait by default */
	double font_size;   /* points of the table's text: 9 */
	bool full_headers;  /* the header row prints each field's full_header
			     * (default), else its header */
	char *title;       /* may contain "\n" for several lines, or NULL
			    * (the PDF then prints the form's title) */
	char **signatures; /* box captions, e.g. 承辦人 單位主管 機關首長 */
	size_t nsignatures;
	char **sign_lines; /* captions of signature lines after the table
			    * ("單位主管"), each followed by a line to sign on */
	size_t nsign_lines;
	char **notes;      /* numbered notes under the table */
	size_t nnotes;
	char *notes_caption; /* the line before the notes ("備註："), or NULL */
	long agency_field;   /* the field that names the agency, or -1 */
	char *agency_caption; /* what the agency follows ("填報機關：") */
	char *date_caption;  /* what the date printed follows, or NULL: none */
} FormPrint;

/* What `spmform report` counts ([report]): the choice fields whose
 * values it counts, in order, each with the title of its chart.  A form
 * without [report] has none (the report then only says how complete
 * the records are). */
typedef struct {
	size_t *fields;	 /* choice fields, in the order of the charts */
	char **titles;	 /* per field: [report] titles, else the field's label */
	size_t nfields;
	bool by_count;	 /* order = count: a chart's values most first; else
			  * (order = values) in the field's own order */
} FormReport;

typedef enum {
	RULE_ONLY,     /* when COND, FIELD may only hold VALUES */
	RULE_OPTIONAL, /* when COND, the required FIELDS may stay empty (免填) */
	RULE_REQUIRE,  /* when COND, FIELDS are required */
	RULE_UNIQUE,   /* FIELDS together should not repeat within a file */
	RULE_COUNT,    /* at most MAX records (where COND holds) share FIELDS */
	RULE_COMPARE,  /* when COND, LEFT op RIGHT (a field or a constant) */
} RuleType;

typedef enum {
	COND_IN,     /* the field's value is one of values (a multi field's
		      * holds one of them) */
	COND_NOT_IN, /* the field has a value and it is none of values */
	COND_LT,     /* an integer, decimal or date field's value < bound */
	COND_LE,
	COND_GT,
	COND_GE,
	COND_EMPTY,  /* the field is empty */
	COND_FILLED, /* the field is not */
} CondOp;

/* One clause of a condition: "FIELD = A|B", "FIELD < 24", "FIELD is empty". */
typedef struct {
	size_t field;
	CondOp op;
	char **values; /* COND_IN, COND_NOT_IN */
	size_t nvalues;
	size_t *value_idx; /* a choice or multi field's: each value's index
			    * among the field's values (compared instead of the
			    * text); NULL for other kinds */
	FormBound bound;   /* COND_LT .. COND_GE */
} FormClause;

typedef struct {
	bool present; /* false: the rule always applies */
	bool any;     /* the clauses are joined by " or " (else " and ") */
	FormClause *clauses;
	size_t nclauses; /* at least one when present */
} FormCond;

/* A compare rule's operator. */
typedef enum { CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_EQ, CMP_NE } CompareOp;

typedef struct {
	char *id;
	RuleType type;
	FormCond when;
	size_t *fields; /* RULE_ONLY has exactly one */
	size_t nfields;
	char **values; /* RULE_ONLY: the permitted subset, in template order */
	size_t nvalues;
	size_t *value_idx; /* RULE_ONLY: their indices among the field's values */
	DiagLevel severity;
	char *message; /* template, or NULL for the built-in one */
	char *prompt;  /* RULE_REQUIRE: what the screen asks for, or NULL */
	long max;      /* RULE_COUNT */
	/* RULE_COMPARE: fields[0] is left; right is fields[1] when the rule
	 * names a field (nfields 2), else the constant right */
	CompareOp cmp;
	FormBound right;
	long line;
} FormRule;

typedef struct Form Form;

/* Loads PATH.  Every problem found is appended to diags with its line (the
 * caller prints them with PATH as the file name); loading goes on after a
 * problem so that one run shows them all.  Returns NULL if any error was
 * found, a Form otherwise (warnings allowed). */
Form *form_load(const char *path, DiagList *diags);
void form_free(Form *form);

const char *form_id(const Form *form);
const char *form_title(const Form *form);
const char *form_path(const Form *form);

size_t form_nfields(const Form *form);
const FormField *form_field(const Form *form, size_t i);
/* Index of the field with this id, or -1. */
long form_field_index(const Form *form, const char *id);

/* The lists of the .xlsx template's value sheet ([list.ID] sections). */
size_t form_nlists(const Form *form);
const FormList *form_list(const Form *form, size_t i);
/* The name of the .xlsx sheet that holds them ([form] list_sheet; NULL
 * only when the form has no lists). */
const char *form_list_sheet(const Form *form);
/* The .xlsx instructions sheet ([form] help_sheet), or NULL for none;
 * *cols gets its three column titles (item, help, help_more). */
const char *form_help_sheet(const Form *form, char *const **cols);
/* The workbook's examples sheet ([form] examples_sheet): the path of the
 * CSV file of its rows ([form] examples, resolved against the form file's
 * folder; not opened by form_load), or NULL for none; *sheet gets the
 * sheet's name. */
const char *form_examples(const Form *form, const char **sheet);
/* The printable layout ([print]). */
const FormPrint *form_print(const Form *form);

/* What spmform report counts ([report]). */
const FormReport *form_report(const Form *form);

/* The fields the record list shows ([form] list), in order. */
const size_t *form_list_fields(const Form *form, size_t *n);

size_t form_nrules(const Form *form);
/* Indices of the rules that name field (in field or fields), in order. */
const size_t *form_field_rules(const Form *form, size_t field, size_t *n);
const FormRule *form_rule(const Form *form, size_t i);

/* Index of value in field->values, or -1.  Exact comparison. */
long form_value_index(const FormField *field, const char *value);
/* The same for s[0..n), which need not be NUL-terminated. */
long form_value_find(const FormField *field, const char *s, size_t n);

/* How a value is shown: itself, or "code label" for a code/label choice
 * ("1 新增").  Returns a malloc'd string. */
char *form_value_text(const FormField *field, const char *value);
/* How a value is offered among numbered choices: its label alone for a
 * code/label choice ("新增": the number picks it, the code is what is
 * written), else itself.  Not to be freed. */
const char *form_value_choice(const FormField *field, const char *value);

/* What a raw cell becomes when stored: trimmed; for integer, decimal and
 * OID fields full-width digits and dots made ASCII; for choice fields an
 * alias (Y/N, y/n, ...) replaced by its value; a date written as the
 * field's date_format says; a multi field's items (separated by its
 * separator, 、 , ， ; ； or spaces, aliases allowed) in the order of its
 * values, each once, joined by its separator.  Never rejects: a value
 * that is not one of those stays as typed (trimmed and half-width), for
 * rules_* to report.  Returns a malloc'd string. */
char *form_normalize(const FormField *field, const char *raw);

/* A multi field's value: which of its values it holds (ticked, room for
 * nvalues).  Returns the number of items that are none of them (0 for a
 * value form_normalize made). */
size_t form_multi_ticks(const FormField *field, const char *value, bool *ticked);
/* The value of a multi field holding the ticked values (malloc'd). */
char *form_multi_join(const FormField *field, const bool *ticked);
/* Calls fn on each item of a multi field's value (separated as
 * form_normalize accepts them), trimmed; stops when fn returns false. */
void form_multi_items(const FormField *field, const char *value,
		      bool (*fn)(const char *item, void *arg), void *arg);
/* The value index an item of a multi field stands for (a value, or an
 * alias of one), or -1. */
long form_multi_index(const FormField *field, const char *item);
/* The items of a multi field's value that are none of its values, each
 * quoted 「…」 (cut to max bytes) and joined by 、; "" when there are none.
 * Malloc'd. */
char *form_multi_unknown(const FormField *field, const char *value, size_t max);

/* What a computed field is made of, for people: 「機密性、完整性、可用性中最高者」
 * (malloc'd; "" for a field that is not computed). */
char *form_compute_text(const Form *form, const FormField *field);

/* The form field a column title of a file stands for, or -1.  Tolerant of a
 * note after the name (註...), line breaks, spaces, full-width parentheses,
 * ASCII case, the field's header_aliases, and, failing all those, of
 * parenthesised parts such as "(必填)".  Fields marked in taken[] (may be
 * NULL) are not offered again. */
long form_match_header(const Form *form, const char *title, const bool *taken);

#endif
