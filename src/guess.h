/* guess.h - the other form a file belongs to, when its header is not the
 * chosen form's.
 *
 * A clerk who runs `spmform check 管理者.csv` without --form used to get
 * the inventory's 21 titles listed, as if the file were broken.  When no
 * title of a file's header is one of the form's (rows.h's ROWS_NO_HEADER
 * error), the other forms in the chosen form's folder are tried, in name
 * order: the first that reads the file with every one of its fields found
 * is the file's form.
 */
#ifndef SPMFORM_GUESS_H
#define SPMFORM_GUESS_H

#include <stdbool.h>

#include "diag.h"
#include "form.h"

/* Whether dl, the problems of reading a file with some form, say that no
 * title of its header is one of the form's. */
bool guess_needed(const DiagList *dl);

/* The form of the file at data_path among the other forms beside tried
 * (loaded: the caller frees it), or NULL when none fits. */
Form *guess_form(const char *data_path, const Form *tried);

#endif
