/* print.h - a table on paper: a PDF in its form's [print] layout, and
 * sending that PDF to a printer.
 *
 * The layout follows from the form's data alone (FormPrint, and each
 * field's print_width; forms/README.md describes the keys):
 *
 *   page 1:  the title (FormPrint.title, else the form's title), centred;
 *            the agency and the date printed on one line (when the form
 *            names an agency field and a date caption); then how many
 *            records there are and how many of them have errors, so that
 *            nobody signs a draft unknowingly;
 *   table:   the fields with a print_width > 0, in form order, each as wide
 *            as its share of the page's width; a header row of their
 *            full_header texts, repeated at the top of every page; one row
 *            per non-empty record, every value wrapped inside its cell
 *            (never cut).  A row that does not fit in what is left of a
 *            page goes to the next one, unless it is the first row on its
 *            page: it is then cut between lines of text and goes on at the
 *            top of the next page(s).  No records: one empty row.
 *   after:   the signature boxes (captions over boxes with room for a seal)
 *            or the signature lines, then the notes caption and the
 *            numbered notes; each moves to a new page when it does not fit.
 *   footer:  「第 N 頁，共 M 頁」 centred in every page's bottom margin.
 *
 * A4, portrait or landscape as the form says; margins as the .xlsx
 * export's (0.4 in left and right, 0.6 in top and bottom).  Values are
 * data: a control character or an invalid byte prints escaped as on the
 * screen (text_escape: "\e", "\x07", "\t"), except that a line break in a
 * value is a line break on paper too.  The table's extra columns (those
 * the form does not know) are not printed.
 *
 * Text is laid out with Pango and drawn on cairo's PDF surface; the font
 * is found through fontconfig and embedded as a subset, so the PDF prints
 * the same anywhere.  The font is PRINT_FONT_FAMILY when installed, else
 * the first family (by name) that fontconfig says covers Traditional
 * Chinese, with a warning; with none, nothing is written and the error
 * names PRINT_FONT_PACKAGE: Pango would otherwise print every Chinese
 * character as a box.
 *
 * Curses-free: the command line and the entry screen both call it.
 */
#ifndef SPMFORM_PRINT_H
#define SPMFORM_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "diag.h"
#include "table.h"

/* The font spmform prints with, and the Debian package that has it. */
#define PRINT_FONT_FAMILY "AR PL UMing TW"
#define PRINT_FONT_PACKAGE "fonts-arphic-uming"

typedef struct {
	/* [defaults] of config.ini, or NULL: when it sets the form's agency
	 * field, that is the agency printed; otherwise the value most records
	 * have (the first of those most common, in table order) */
	const Config *cfg;
	time_t date; /* the date printed, and the PDF's creation date */
	/* the fontconfig file to find fonts with, or NULL: the one an unpacked
	 * tarball has beside the program (bin/../share/spmform/fonts/
	 * fonts.conf) when it is there, else the system's (FONTCONFIG_FILE and
	 * the rest of fontconfig's own rules) */
	const char *fonts_conf;
} PrintOptions;

typedef struct {
	size_t pages;       /* pages written */
	size_t records;     /* records printed (the non-empty ones) */
	size_t with_errors; /* of those, how many have an error */
	char *family;       /* the font family used (malloc'd; the caller
			     * frees it), or NULL */
} PrintSummary;

/* Writes the PDF of t to path, atomically (atomic.h), keeping the file it
 * replaces as path.bak when backup is set.  Returns 0 (diags may get
 * warnings: another font than PRINT_FONT_FAMILY, a character the font
 * lacks, naming its record and field), or -1 with an error in diags; path
 * is then as it was.  *sum (may be NULL) says what was written. */
int print_pdf(const Table *t, const char *path, const PrintOptions *opt, bool backup,
	      PrintSummary *sum, DiagList *diags);

/* The date to print: SOURCE_DATE_EPOCH when it is set to a number of
 * seconds (for reproducible files and tests), else now. */
time_t print_today(void);

/* Sends the file pdf to a printer: runs command (config.ini [print]
 * command, e.g. "lp -d office") through /bin/sh with pdf as its last
 * argument (passed as "$1", never pasted into the command), stdin from
 * /dev/null and its output captured, so the call is safe while curses owns
 * the terminal.  Returns 0 and *said = what the command printed (escaped,
 * one line; NULL when nothing; the caller frees it), or -1 with an error
 * in diags saying how it ended and what it printed. */
int print_send(const char *pdf, const char *command, char **said, DiagList *diags);

#endif
