/* config.h - settings from config.ini, and where forms are found.
 *
 * config.ini is read from --config PATH when given, else ./config.ini when
 * it exists; without either, the defaults below apply.  Every setting is
 * documented in the repository's config.ini.
 */
#ifndef SPMFORM_CONFIG_H
#define SPMFORM_CONFIG_H

#include "diag.h"
#include "table.h"

typedef struct {
	char *id, *value;
} ConfigDefault;

typedef struct {
	char *path;      /* the file read, or NULL when none was */
	char *form;      /* default form name: "inventory" */
	char *forms_dir; /* a folder to look in first, or NULL */
	char *file;      /* data file the entry screen opens when none is named, or NULL */
	int threads;     /* files check reads side by side, 0 = a processor each: 0 */
	FileFormat out;  /* how new and UTF-8 files are written */
	bool backup;     /* keep the previous version as FILE.bak: yes */
	bool neutralise_formulas; /* [csv]: import writes a text cell that Excel
				   * would run as a formula with a ' before it: yes */
	/* [defaults]: field id = value, filled into each new record */
	ConfigDefault *defaults;
	size_t ndefaults;
	long defaults_line; /* line of [defaults], for messages */
	/* [ui] */
	int escdelay;     /* ms to wait after Esc for the rest of a key: 100 */
	bool ascii_lines; /* draw boxes with + - |: yes */
	bool color;       /* use colour where the terminal has it: yes */
	int progress_delay; /* ms a file may take to read before its progress
			     * shows: 500 */
	bool stop_at_defaults; /* Tab stops at a field [defaults] filled in a
				* new record: no */
	/* [print] */
	char *print_command; /* what a printed PDF is sent to ("lp"), run with
			      * the PDF's name after it; NULL: off */
	/* not a setting: where the clerks' guide GUIDE_NAME is (installed in
	 * PREFIX/share/spmform, or docs/ of a checkout), or NULL */
	char *guide;
} Config;

/* The clerks' guide, in Traditional Chinese (docs/ in the repository). */
#define GUIDE_NAME "使用說明.md"

/* Where the guide is: SPMFORM_DATADIR, the share/spmform beside the
 * program's folder, or the docs/ of the checkout the program was built in;
 * the first that can be read (malloc'd), or NULL. */
char *config_find_guide(void);

/* The config file to read when none is named: ./config.ini, then
 * $XDG_CONFIG_HOME/spmform/config.ini (or ~/.config/spmform/config.ini),
 * then /etc/spmform/config.ini; the first that exists (malloc'd), or NULL. */
char *config_find(void);

/* Fills cfg with defaults, then reads path (NULL = config_find()).
 * Returns 0, or -1 when the file cannot be used; problems go to diags
 * (lines set, the file is cfg->path). */
int config_load(Config *cfg, const char *path, DiagList *diags);
void config_free(Config *cfg);

/* The form file for name_or_path: a value with a '/' or ending in ".ini"
 * is a path; a bare name NAME is looked up as NAME.ini in cfg->forms_dir
 * (relative to the config file's folder), a forms/ folder beside the data
 * file (data_path, may be NULL), ./forms, the installed
 * PREFIX/share/spmform/forms, then beside the program (bin/forms or
 * bin/../share/spmform/forms).  Returns a malloc'd path, or NULL. */
char *config_form_path(const Config *cfg, const char *name_or_path, const char *data_path);

/* The folder of the running program (/proc/self/exe; malloc'd), or NULL. */
char *config_program_dir(void);

#endif
