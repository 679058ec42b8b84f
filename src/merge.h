/* merge.h - `spmform merge`: the files of many clerks, one inventory.
 *
 * Each unit's clerk fills a file of the same form; the office gathers
 * them into one.  The records keep their order, file by file; the
 * columns are the form's, in its order, then every column some input had
 * that the form does not know (the union, in order of first appearance),
 * then, when asked for, a column naming each record's input.  The form's
 * rules across records (unique, count) are applied to all the records at
 * once: a system two units both entered is reported at the later one,
 * naming the file and record of the first.  Nothing is dropped but, with
 * dedupe, a record every cell of which equals an earlier one's (said, and
 * counted); records that only share a key are both kept.
 *
 * The inputs are only read: never written, never locked (a file a clerk
 * is editing is read as it is on disk, with a warning naming the clerk).
 */
#ifndef SPMFORM_MERGE_H
#define SPMFORM_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "form.h"
#include "table.h"

typedef struct {
	const char *source_column; /* the title of a column holding each record's
				    * input (its label), or NULL: none */
	const char *const *labels; /* per input: what that column holds for its
				    * records, or NULL (the array, or an entry):
				    * the input's name */
	bool dedupe;		   /* drop a record equal to an earlier one */
} MergeOptions;

/* The records merged, and where each came from. */
typedef struct {
	Table *table;	/* owned */
	size_t *file;	/* per record of table: the input it came from */
	long *record;	/* and its number there (0-based) */
	size_t dropped; /* records dedupe dropped */
} Merged;

/* Merges the records of in[0..n) (tables of one form read from the files
 * names[0..n)), which it takes and frees one by one as it goes, into
 * m->table, written in format fmt.  A record dedupe drops, and what the
 * rules across records find, are appended to dls[i] for input i, with the
 * record's number and line in that file.  When an input has a column
 * titled source_column, its values are kept and only its empty cells get
 * the label. */
void merge_tables(Table **in, const char *const *names, size_t n, const MergeOptions *opt,
		  FileFormat fmt, DiagList *const *dls, Merged *m);
void merge_free(Merged *m);

/* spec is "FILE=LABEL" for --source-label: the input among names[0..n)
 * that FILE names gets LABEL (labels[i] points into spec).  False when
 * spec names none of them. */
bool merge_label(const char *spec, char *const *names, size_t n, const char **labels);

/* spmform merge: reads the n inputs (CSV in UTF-8 or CP950, .xlsx, .ods;
 * side by side), says on err what reading found in each, and when all
 * could be read merges them and writes out (CSV, .xlsx or .ods by its
 * name, in fmt, keeping a file it replaces as out.bak when backup is
 * set) with what the merge found, and a summary line.  The caller has
 * made sure out may be written and holds its lock.  Refuses an input
 * given twice, and out among the inputs.  Returns 0 when out was
 * written, 2 otherwise (out is then as it was). */
int merge_files(char *const *paths, size_t n, const Form *form, FileFormat fmt, bool backup,
		const MergeOptions *opt, const char *out, FILE *err);

#endif
