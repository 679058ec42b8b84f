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
 * counted.  0 for a field that is not a choice. */
size_t rules_permitted(const Form *form, char *const *cells, size_t field, size_t *out);

/* Whether value is permitted now in choice field; when not, *why (may be
 * NULL) gets the only-rule that forbids it, or NULL when it is not one of
 * the field's values at all. */
bool rules_value_ok(const Form *form, char *const *cells, size_t field, const char *value,
		    const FormRule **why);

/* Appends the problems of one record.  line and record go into each Diag. */
void rules_check_record(const Form *form, char *const *cells, long line, long record,
			DiagList *dl);

/* Checks every non-empty record, then the unique and count rules across
 * records; returns how many records were checked (the non-empty ones). */
size_t rules_check_table(const Table *t, DiagList *dl);

#endif
