/* journals.h - spmform --journals FILE: the journals set aside for FILE.
 *
 * A recovery declined at opening (or a journal that no longer fits the
 * file) is kept as FILE.journal.YYYYMMDD-HHMMSS.  journals_run lists each
 * with its changes as a clerk reads them (第 2 筆「系統名稱」改為「…」),
 * and says whether it still fits the file as it is now (the file has not
 * been saved since): only then can it be applied.  Applying one makes it
 * the file's journal again, under the file's lock, so that the next
 * opening asks whether to recover it (and recovering is one undoable
 * step); the data file itself is never written here.
 */
#ifndef SPMFORM_JOURNALS_H
#define SPMFORM_JOURNALS_H

#include <stdio.h>

#include "form.h"

/* Lists the journals set aside for data_path on out (labels from form),
 * or with apply = k (1-based, as listed) makes the k-th the journal again.
 * Returns 0, or 2 when the one to apply cannot be (out says why). */
int journals_run(const char *data_path, const Form *form, long apply, FILE *out);

#endif
