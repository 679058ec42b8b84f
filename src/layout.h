/* layout.h - a table's workbook in its form's layout, as data: the sheets,
 * their cells, sizes, dropdowns and print setup that xlsxout.c writes with
 * libxlsxwriter and odsout.c as an OpenDocument spreadsheet, so that both
 * files have the same sheets, cells and dropdowns.
 *
 * The layout follows from the form's data alone:
 *
 * - A form whose [print] layout is a sheet (FormPrint.layout PRINT_SHEET,
 *   i.e. the admin account form) is one printable sheet named after
 *   the form's title: the print title merged across the columns, the
 *   header row (FormField.full_header), the records (one empty bordered row
 *   when there are none), the signature boxes (a caption over an empty box
 *   each, side by side), then the notes caption and the numbered notes.
 *   Landscape, A4, one page wide, the header row repeated on every page.
 *   The form's lists go to a hidden sheet named form_list_sheet().
 *
 * - Any other form is the template's workbook, its sheets in the
 *   template's order: the data sheet named after the form's title (header
 *   row of full_header cells, frozen; the records below); the examples
 *   sheet when the form names one (form_examples: the same header and the
 *   rows of the form's examples file); the instructions sheet
 *   (form_help_sheet: each field's header, help and help_more); the value
 *   sheet form_list_sheet() with every FormList as a column (title on
 *   top) in file order.
 *
 * Every choice field with a list (FormField.list >= 0) gets a dropdown on
 * the data sheet (not the examples): a list validation pointing at its
 * column of the value sheet, on rows 2 to 1001 (or to the last record when
 * there are more), on the record rows of the printable sheet.  On the same
 * rows, an integer field gets a whole-number validation, a decimal field
 * a decimal one, a date field a date one, each from its min (0 when it has
 * none, as the kinds have no sign; a date from 1900-01-01) to its max; a
 * multi field an input message only, saying how to separate its items
 * (a list validation holds one value).  Only
 * non-empty records are laid out, in table order; the table's extra
 * columns follow the form's with their headers, and a record's overflow
 * cells follow those.  Every cell is text, never a formula (a value "=1+1"
 * stays text), except that an integer field's value of 1 to 15 digits
 * without a leading zero is a number.  A sheet name that Excel or
 * LibreOffice would refuse (empty, over 31 characters, []:*?/\, a leading
 * or trailing ', taken) is replaced by SheetN, with a warning in diags.
 *
 * Rows and columns are 0-based.  Widths are in Excel's units (about the
 * width of a digit; 2 per CJK character), heights in points.
 */
#ifndef SPMFORM_LAYOUT_H
#define SPMFORM_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "table.h"

/* How a cell looks. */
typedef enum {
	LAYOUT_TEXT,    /* a value: text format, wrapped, top, thin border */
	LAYOUT_NUMBER,  /* a value written as a number: "0", top, thin border */
	LAYOUT_HEADER,  /* bold, wrapped, centred, light blue, thin border */
	LAYOUT_TITLE,   /* bold 14 pt, wrapped, centred */
	LAYOUT_CAPTION, /* bold, centred, thin border */
	LAYOUT_BOX,     /* thin border */
	LAYOUT_NOTE,    /* wrapped, left, top */
	LAYOUT_BOLD,
	LAYOUT_NSTYLES
} LayoutStyle;

typedef struct {
	uint32_t row, col;
	uint32_t last_row, last_col; /* the merged range's end (row, col when one cell) */
	const char *text;            /* "" for an empty cell that has a style */
	LayoutStyle style;
} LayoutCell;

/* What a validation lets a cell hold. */
typedef enum {
	LAYOUT_DV_LIST,    /* one of a column of the value sheet: a dropdown */
	LAYOUT_DV_WHOLE,   /* a whole number from min to max */
	LAYOUT_DV_DECIMAL, /* a number from min to max */
	LAYOUT_DV_DATE,    /* a date from min to max */
	LAYOUT_DV_ANY,     /* anything: the input message only */
} LayoutCheck;

/* A bound of a validation. */
typedef struct {
	bool present;
	bool today;	       /* LAYOUT_DV_DATE: the day the workbook is used */
	double number;	       /* WHOLE, DECIMAL */
	char text[32];	       /* the number as a formula writes it: 720, 0.5 */
	int year, month, day; /* DATE */
} LayoutBound;

/* A validation (most are dropdowns): rows first_row..last_row of column
 * col.  LAYOUT_DV_LIST: the values of the value sheet's column list, rows
 * 1..nvalues.  WHOLE, DECIMAL, DATE: from min to max (at least one of
 * them present). */
typedef struct {
	uint32_t first_row, last_row, col;
	LayoutCheck check;
	size_t list, nvalues;
	LayoutBound min, max;
	const char *input_title, *input_message; /* the help shown, or NULL */
	const char *error_message; /* what a refused value is told; NULL: the
				    * dropdown's (請從下拉選單選擇) */
} LayoutDropdown;

typedef struct {
	double width;
	bool text; /* the column's own format is LAYOUT_TEXT */
} LayoutColumn;

typedef struct {
	uint32_t row;
	double points;
} LayoutHeight;

typedef struct {
	char *name; /* valid in Excel and LibreOffice */
	bool hidden;
	LayoutColumn *cols;
	size_t ncols;
	LayoutHeight *heights; /* rows with a height of their own, ascending */
	size_t nheights;
	LayoutCell *cells; /* by row, then column; a merged range once, at its
			    * first cell (the cells it covers have none) */
	size_t ncells;
	LayoutDropdown *dropdowns;
	size_t ndropdowns;
	uint32_t freeze_rows; /* rows kept in view at the top, or 0 */
	bool print;           /* the print setup below applies */
	bool landscape, fit_width, center;
	double margin_lr, margin_tb; /* inches; 0: the program's own */
	long repeat_row;             /* printed on every page, or -1 */
	bool print_area;             /* print only rows and columns 0..last */
	uint32_t print_last_row, print_last_col;
	/* the cells of numbers stored as text Excel should not flag: rows
	 * 1..quiet_last_row of columns 0..quiet_last_col, when quiet */
	bool quiet;
	uint32_t quiet_last_row, quiet_last_col;
} LayoutSheet;

typedef struct {
	LayoutSheet *sheets;
	size_t nsheets;
	size_t active;     /* the sheet shown first */
	long value_sheet;  /* the sheet of the lists dropdowns point at, or -1 */
	struct LayoutOwned *owned; /* what the cells' text may point into */
} Layout;

/* Lays out t, a file of ending (".xlsx", ".ods": named in messages).
 * Values that the file cannot hold are reported with their record and
 * field, and then NULL is returned: invalid UTF-8, more than 32,767
 * characters in a cell, more rows or columns than a sheet has (1,048,576
 * and 16,384), and, when xml_only, characters that XML 1.0 cannot hold
 * (C0 controls but tab, line feed and carriage return; U+FFFE, U+FFFF).
 * The examples file is read with t's form; when it cannot be, the error
 * names it.  Otherwise a layout (free with layout_free) whose text points
 * into t, its form and the layout itself: t and its form must outlive
 * it.  Warnings may go to diags either way. */
Layout *layout_build(const Table *t, const char *ending, bool xml_only, DiagList *diags);
void layout_free(Layout *l);

#endif
