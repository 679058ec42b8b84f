/* ini.h - iniparser 4.1 behind a wall that knows its traps.
 *
 * Form files and config.ini are read with iniparser, but iniparser 4.1 fails
 * a whole file on one long line, cannot take a UTF-8 BOM, silently lets a
 * duplicate key win, reports errors to stderr, gives no line numbers for
 * keys, and crashes when a typed getter is called with a section name
 * (CVE-2023-33461).  ini_load scans the file itself first, so every problem
 * is reported as a Diag with its line, and it only offers string lookups by
 * (section, key).
 *
 * Section and key names are ASCII-lower-cased, as iniparser does.
 */
#ifndef SPMFORM_INI_H
#define SPMFORM_INI_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

typedef struct Ini Ini;

/* Loads path.  Problems go to diags (line set, file not: the caller knows
 * the name).  Returns NULL when the file cannot be used at all: unreadable,
 * a syntax error, a line too long, a duplicate key or section. */
Ini *ini_load(const char *path, DiagList *diags);
void ini_free(Ini *ini);

/* Sections in file order. */
size_t ini_nsections(const Ini *ini);
const char *ini_section(const Ini *ini, size_t i);
long ini_section_line(const Ini *ini, size_t i);

/* Keys of a section in file order (0 when the section is absent). */
size_t ini_nkeys(const Ini *ini, const char *section);
const char *ini_key(const Ini *ini, const char *section, size_t i);

/* The value of key in section, or NULL when absent.  Owned by ini. */
const char *ini_get(const Ini *ini, const char *section, const char *key);

/* Line of key in section; the section's line when the key is absent. */
long ini_line(const Ini *ini, const char *section, const char *key);

/* Reports, as errors, the keys of section that are not in allowed
 * (NULL-terminated): a misspelt key would otherwise be ignored silently.
 * Returns the number reported. */
size_t ini_check_keys(const Ini *ini, const char *section, const char *const *allowed,
		      DiagList *diags);

/* Parses "yes/no/true/false/1/0/on/off"; returns -1 for anything else. */
int ini_bool(const char *value);

/* Splits value at '|' into trimmed, non-empty items (malloc'd array of
 * malloc'd strings, *n set).  Empty items are dropped and counted in
 * *nempty (may be NULL). */
char **ini_split(const char *value, size_t *n, size_t *nempty);
void ini_strv_free(char **v, size_t n);

#endif
