/* rules.h - what the form's rules say about one record, or a whole table.
 *
 * Everything here is driven by the FormField and FormRule data of a Form;
 * no rule of a particular form is written in C.  cells is a record's cell
 * array (Record.cells): the form's fields in form order.
 */
#ifndef SPMFORM_RULES_H
#define SPMFORM_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "form.h"
#include "table.h"

typedef enum {
	NEED_OPTIONAL, /* may stay empty */
	NEED_REQUIRED, /* must be filled */
	NEED_WAIVED,   /* required, but a rule lets it stay empty now (免填) */
} FieldNeed;

/* Whether field must be filled now.  *why (may be NULL) gets the rule that
 * made it so (an active require or optional rule), or NULL. */
FieldNeed rules_need(const Form *form, char *const *cells, size_t field, const FormRule **why);

/* The prompt of an active require rule on field, or NULL. */
const char *rules_prompt(const Form *form, char *const *cells, size_t field);

/* The values of a choice field permitted now, in template order: their
 * indices into field->values are written to out (room for nvalues) and
 * counted; all the values of a multi field.  0 for a field of another
 * kind. */
size_t rules_permitted(const Form *form, char *const *cells, size_t field, size_t *out);

/* Whether value is permitted now in choice field; when not, *why (may be
 * NULL) gets the only-rule that forbids it, or NULL when it is not one of
 * the field's values at all. */
bool rules_value_ok(const Form *form, char *const *cells, size_t field, const char *value,
		    const FormRule **why);

/* A field the rules changed after a change to another field: a choice
 * field an only-rule changed (why: the rule that said so), or a computed
 * field ([field] compute) made anew from its fields (why: NULL).  A
 * computed sum is written into text, where the cell then points. */
typedef struct {
	size_t field;
	const FormRule *why;
	char text[32];
} RuleEffect;

/* What the only-rules and the computed fields make of a record after the
 * clerk changed field changed in it (cells: the record's cell pointers,
 * which the caller lends as a copy: this writes into it).  Every choice
 * field an only-rule on it says depends on changed (its when names
 * changed), and so on for the fields those change: a value no longer
 * permitted becomes the one value permitted now, or is cleared; an empty
 * field with exactly one permitted value gets it.  Every computed field
 * made of a field that changed is made anew (cleared while one of its
 * fields is empty or wrong).  The new values are the form's own strings,
 * "" or an effect's text.  Nothing else changes: a wrong value in a field
 * that does not depend on changed stays.  Writes the fields changed to
 * out (room for form_nfields), each once, in the order they first
 * changed, and returns how many; the cells stay valid as long as out. */
size_t rules_follow(const Form *form, char **cells, size_t changed, RuleEffect *out);

/* A record being made: every empty choice field with exactly one
 * permitted value gets it (and what depends on that follows), every
 * computed field its value.  As rules_follow. */
size_t rules_fill(const Form *form, char **cells, RuleEffect *out);

/* Why value may not be in choice field now, as check would say it (a
 * malloc'd sentence; "" when it may). */
char *rules_why_not(const Form *form, char *const *cells, size_t field, const char *value);

/* Whether text value v of field f begins as a formula Excel would run when
 * it opens a CSV file (=, +, -, @), and the warning check gives for it
 * (malloc'd). */
bool rules_formula_like(const FormField *f, const char *v);
char *rules_formula_warning(const char *v);

/* The value computed field would hold ([field] compute) made of cells:
 * the form's own string (max, min) or buf (sum, room for 32 bytes); NULL
 * while one of its fields is empty or wrong, or for a field that is not
 * computed. */
const char *rules_computed(const Form *form, char *const *cells, size_t field, char *buf);

/* Appends the problems of one record.  line and record go into each Diag. */
void rules_check_record(const Form *form, char *const *cells, long line, long record,
			DiagList *dl);

/* Checks every non-empty record, then the unique and count rules across
 * records; returns how many records were checked (the non-empty ones). */
size_t rules_check_table(const Table *t, DiagList *dl);

/* Only the unique and count rules across the records of t (a repeated
 * key is reported at the later record, naming the first by its number
 * and line). */
void rules_check_across(const Table *t, DiagList *dl);

/* Where records gathered from several files came from (spmform check
 * --across, spmform merge): record i is record record[i] (0-based) of
 * file file[i], whose name is names[file[i]].  The caller owns it all. */
typedef struct {
	const char *const *names;
	const size_t *file;
	const long *record;
} RulesOrigin;

/* Where record first (which starts on line, 0 = not known) is, for a
 * message about record later (origin may be NULL: one file): "第 N 筆
 * (第 L 行)", N its number in its file, after its file's name in 「」 when
 * that is not later's ("「a.csv」第 5 筆 (第 7 行)").  Malloc'd. */
char *rules_where(const RulesOrigin *origin, size_t first, long line, size_t later);

/* rules_check_across over the records of t gathered from several files
 * (origin: one entry per record of t, whose Record.line is its line in
 * its file): each problem goes to dls[file] of the later record, with
 * that record's number and line in its file; when the first record with
 * the key is in another file, the message names that file ("與「a.csv」
 * 第 5 筆 (第 7 行)的…"). */
void rules_check_across_files(const Table *t, const RulesOrigin *origin, DiagList *const *dls);

/* How many records of t have at least one error (rules_check_table's
 * errors that belong to a record): what export and print tell the clerk. */
size_t rules_records_with_errors(const Table *t);

/* Checking the records of a file as it is read, without keeping them
 * (spmform check): each record is checked alone as it comes, and only the
 * cells that the unique and count rules name are kept, for those rules at
 * the end.  What it finds is what rules_check_table finds of a table of the
 * same records, in the same order. */
typedef struct RulesRun RulesRun;

RulesRun *rules_run_new(const Form *form);
void rules_run_free(RulesRun *run);

/* Checks one non-empty record (rules_check_record, as record number
 * rules_run_count(run) of the run), and keeps what the rules across
 * records need of it.  The run keeps what it finds until rules_run_end:
 * a reading that fails halfway reports none of it. */
void rules_run_record(RulesRun *run, char *const *cells, long line);

/* The records checked so far. */
size_t rules_run_count(const RulesRun *run);

/* Appends to dl what checking the records one by one found, then what
 * the unique and count rules find across them; returns how many records
 * the run checked. */
size_t rules_run_end(RulesRun *run, DiagList *dl);

/* Moves what run from (of the same form, made by rules_run_new) found and
 * kept to the end of into, as if its records had come after into's (the
 * next file of several), and frees from. */
void rules_run_join(RulesRun *into, RulesRun *from);

/* rules_run_end for a run of several files joined (origin: one entry per
 * record of the run): what each record alone had, then what the unique
 * and count rules find across all of them, go to dls[file] as
 * rules_check_across_files says.  Returns how many records it checked. */
size_t rules_run_end_files(RulesRun *run, const RulesOrigin *origin, DiagList *const *dls);

/* A run for a file read into a table as it is checked (the entry screen):
 * it keeps nothing of the records, as the table has them.  Its end is
 * rules_run_end_table, with that table, or rules_run_take (the problems of
 * each record alone, moved to dl, the rules across records left to the
 * caller). */
RulesRun *rules_run_new_table(const Form *form);
void rules_run_take(RulesRun *run, DiagList *dl);

/* Appends to dl what checking the records one by one found, then what the
 * unique and count rules find across the records of t, those the run
 * checked: all that rules_check_table(t) finds, in the same order.
 * Returns how many records were checked. */
size_t rules_run_end_table(RulesRun *run, const Table *t, DiagList *dl);

#endif
