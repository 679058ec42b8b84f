/* ui_int.h - what the ui*.c files share; not for the core.
 *
 * Each screen or popup is a trio: X_open, X_key (changes state, returns
 * UiResult flags), X_draw (draws from state only).  ui.c owns the loop.
 */
#ifndef SPMFORM_UI_INT_H
#define SPMFORM_UI_INT_H

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "lineedit.h"
#include "session.h"

/* Every action of the entry screen. */
typedef enum {
	ACT_NONE,
	ACT_NEXT_FIELD,
	ACT_PREV_FIELD,
	ACT_NEXT_REC,
	ACT_PREV_REC,
	ACT_NEW_REC,
	ACT_DUP_FIELD,
	ACT_DUP_REC,
	ACT_DEL_REC,
	ACT_UNDO,
	ACT_LIST,
	ACT_NEXT_ERROR,
	ACT_SAVE,
	ACT_SAVE_AS,
	ACT_QUIT,
	ACT_REDRAW,
	ACT_HELP,
	ACT_CLEAR_FIELD,
	ACT_OPEN_PICK,
	ACT_CANCEL,
	ACT_LEFT,
	ACT_RIGHT,
	ACT_HOME,
	ACT_END,
	ACT_BACKSPACE,
	ACT_DELETE,
	ACT_ACCEPT,
	ACT_UP,
	ACT_DOWN,
	ACT_PAGE_UP,
	ACT_PAGE_DOWN,
	ACT_EXPORT,
	ACT_FIRST_FIELD, /* the record's first field */
	ACT_EDIT,        /* edit the value in place instead of replacing it */
	ACT_GOTO,        /* go to record N (or to the record of a file line) */
	ACT_FILTER,      /* the record list: the next status shown */
	ACT_SEARCH_FIELD, /* the record list: search the next column only */
	ACT_PRINT,       /* print the file (PDF, and [print] command) */
	ACT_REPORT,       /* the file's summary (spmform report) */
	ACT_TOGGLE, /* the dropdown of a multi field: tick or untick */
} Action;

/* Where a key binding applies. */
typedef enum {
	CTX_FORM = 1,   /* the record screen, any field */
	CTX_TEXT = 2,   /* the record screen, a text field */
	CTX_CHOICE = 4, /* the record screen, a choice field */
	CTX_PICK = 8,   /* the dropdown */
	CTX_LIST = 16,  /* the record list */
	CTX_LINE = 32,  /* a one-line prompt */
	CTX_REPORT = 64, /* the summary of the file */
	CTX_MULTI = 128, /* the dropdown of a multi field (with CTX_PICK's keys) */
} KeyCtx;

typedef struct {
	int key;           /* a curses key code or a byte (Ctrl-X = 24) */
	unsigned ctx;      /* KeyCtx bits */
	Action action;
	const char *name;  /* as shown: "^S", "PgDn", "Tab" */
	const char *label; /* what it does, in Chinese */
	int hint;          /* > 0: shown in the hint line, by this priority */
} KeyBinding;

extern const KeyBinding KEYS[];
extern const size_t NKEYS;

/* The action of key in ctx, or ACT_NONE. */
Action ui_keys_action(int key, KeyCtx ctx);
/* Writes the hint line for ctx (as many hints as fit in width columns). */
void ui_keys_hint_line(KeyCtx ctx, int width, wchar_t *out, size_t outlen);

/* What a key handler asks of the loop. */
enum { UI_OK = 0, UI_QUIT = 1 };

typedef enum { OV_NONE, OV_PICK, OV_LIST, OV_HELP, OV_CONFIRM, OV_LINE, OV_DONE, OV_REPORT } Overlay;

typedef enum {
	CONFIRM_QUIT,      /* unsaved changes: save and quit? */
	CONFIRM_DELETE,    /* delete this record? */
	CONFIRM_OVERWRITE, /* save as: the other file exists */
	CONFIRM_CHANGED,   /* the file changed on disk since it was loaded */
	CONFIRM_RECOVER,   /* a journal of unsaved changes was found */
} ConfirmKind;

typedef struct {
	Session *s;
	const Config *cfg;
	Overlay ov;
	/* the field being typed into (text fields), valid while editing */
	LineEdit edit;
	bool editing;
	bool replace; /* the value is shown whole: a character typed replaces it */
	size_t edit_field, edit_rec;
	/* dropdown */
	size_t pick_sel;
	bool *pick_ticks; /* a multi field's: the values ticked (malloc'd), or NULL */
	/* record list */
	size_t list_sel, list_top;
	LineEdit search;
	size_t *list_rows; /* records matching the search */
	size_t nlist_rows;
	char *last_search; /* what list_rows was filtered by */
	int list_state;    /* the state shown (RecordState), -1 = every one */
	long list_field;   /* the field searched, -1 = every one */
	size_t list_counts[4]; /* records of each RecordState */
	/* confirm and line prompts */
	ConfirmKind confirm;
	LineEdit line;
	enum { LINE_SAVE_AS, LINE_EXPORT, LINE_PRINT, LINE_GOTO } line_purpose;
	char *pending_path; /* save-as target awaiting an overwrite answer */
	Overlay help_from;  /* where the help screen returns to */
	int help_top;       /* the help screen's first row shown */
	char *last_msg;     /* the message shown before the last key (the help
			     * screen shows it whole), or NULL */
	/* layout of the record screen, computed by ui_form_draw */
	int field_top; /* first field shown */
	int cur_row;   /* screen row of the current field */
	int val_x;     /* column where values start */
	bool colors;
	/* the summary (ui_report.c): its text, the first line shown */
	char *report_text;
	size_t report_top;
} Ui;

/* A decoded key: either a character (cp) or a key code (key). */
typedef struct {
	bool is_char;
	uint32_t cp;
	int key;
} UiKey;

/* ui_form.c */
void ui_form_open_field(Ui *ui);
void ui_form_commit(Ui *ui);
int ui_form_key(Ui *ui, UiKey k);
void ui_form_draw(Ui *ui);
/* A digit or alias typed in a choice field; true when it set a value. */
bool ui_form_choice_char(Ui *ui, uint32_t cp);
/* Leaves the current field for the next one (after a pick). */
void ui_form_next_field(Ui *ui);
bool ui_form_too_small(void);

/* ui_pick.c */
void ui_pick_open(Ui *ui);
int ui_pick_key(Ui *ui, UiKey k);
void ui_pick_draw(Ui *ui);

/* ui_list.c */
void ui_list_open(Ui *ui);
int ui_list_key(Ui *ui, UiKey k);
void ui_list_draw(Ui *ui);
void ui_list_close(Ui *ui);

/* ui_prompt.c: yes/no questions, a one-line text prompt, the help screen */
void ui_confirm_open(Ui *ui, ConfirmKind kind);
int ui_confirm_key(Ui *ui, UiKey k);
void ui_confirm_draw(Ui *ui);
void ui_line_open(Ui *ui, const char *initial, int purpose);
int ui_line_key(Ui *ui, UiKey k);
void ui_line_draw(Ui *ui);
void ui_help_open(Ui *ui);
int ui_help_key(Ui *ui, UiKey k);
void ui_help_draw(Ui *ui);
/* After the last field of a record: how it stands, with its problems;
 * Enter goes on to the next record (a new one after the last), Esc back
 * to this one, any other key closes it and does what it does. */
void ui_done_open(Ui *ui);
int ui_done_key(Ui *ui, UiKey k);
void ui_done_draw(Ui *ui);

/* ui_report.c: the completeness summary of the file */
void ui_report_open(Ui *ui);
int ui_report_key(Ui *ui, UiKey k);
void ui_report_draw(Ui *ui);

/* ui.c: drawing helpers */
/* Draws utf8 at (y, x) clipped to width columns, never splitting a wide
 * character, padded with spaces; control characters shown escaped. */
void ui_put(int y, int x, int width, const char *utf8, attr_t attr);
void ui_put_w(int y, int x, const wchar_t *ws, attr_t attr);
/* Display width of a UTF-8 string (escapes counted as shown). */
int ui_width(const char *utf8);
/* A box of h x w at (y, x), ASCII or line drawing per config. */
void ui_box(Ui *ui, int y, int x, int h, int w);
/* Saves (what is being typed included); asks first when the file changed
 * on disk.  Returns true when it saved. */
bool ui_save(Ui *ui);
/* Draws utf8 from row on, cut into rows of width columns (Chinese text
 * has no spaces to break at), wrapped over at most rows rows; when it needs more,
 * the last row ends with "…(^G 看全文)" (the help screen shows it
 * whole).  Returns the rows it used. */
int ui_put_wrapped(int row, int rows, int width, const char *utf8, attr_t attr);
/* The same without the mark, from utf8's row skip on (for a screen that
 * scrolls); ui_rows_of says how many rows utf8 takes at width. */
int ui_put_rows(int row, int skip, int rows, int width, const char *utf8, attr_t attr);
int ui_rows_of(const char *utf8, int width);
/* A status message at row: bold (red) for an error; one that does not fit
 * takes the row below too (the hint row gives way).  Returns the rows
 * used. */
int ui_draw_message(Ui *ui, int row, const char *text, bool error);
/* The session's message at row, as ui_draw_message; returns the rows used
 * (1 when there is none). */
int ui_draw_status(Ui *ui, int row);
void ui_draw_hints(KeyCtx ctx, int row);

#endif
