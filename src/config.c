/* config.c - see config.h. */
#include "config.h"

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ini.h"
#include "mem.h"
#include "par.h"
#include "text.h"

#ifndef SPMFORM_DATADIR
#define SPMFORM_DATADIR "/usr/local/share/spmform"
#endif
#ifndef SPMFORM_SYSCONFDIR
#define SPMFORM_SYSCONFDIR "/etc"
#endif

static const char *const SPMFORM_KEYS[] = {"form", "forms_dir", "file", "threads", NULL};
static const char *const OUTPUT_KEYS[] = {"encoding", "bom", "newline", "backup", NULL};
static const char *const CSV_KEYS[] = {"neutralise_formulas", NULL};
static const char *const UI_KEYS[] = {"escdelay", "ascii_lines", "color", "progress_delay",
				      "stop_at_defaults", NULL};
static const char *const PRINT_KEYS[] = {"command", NULL};

/* [ui] key = a number of milliseconds, 0 to max. */
static void set_ms(const Ini *ini, const char *key, long max, int *out, DiagList *diags)
{
	const char *v = ini_get(ini, "ui", key);
	if (!v)
		return;
	char *end;
	long ms = strtol(v, &end, 10); /* base 10: iniparser's getint reads 010 as 8 */
	if (*v == '\0' || *end != '\0' || ms < 0 || ms > max)
		diag_add(diags, DIAG_ERROR, ini_line(ini, "ui", key), 0, -1, -1,
			 "[ui] %s 應為 0 到 %ld 的毫秒數，不是「%s」", key, max, v);
	else
		*out = (int)ms;
}

static void set_bool(const Ini *ini, const char *sec, const char *key, bool *out, DiagList *dl)
{
	const char *v = ini_get(ini, sec, key);
	if (!v)
		return;
	int b = ini_bool(v);
	if (b < 0)
		diag_add(dl, DIAG_ERROR, ini_line(ini, sec, key), 0, -1, -1,
			 "[%s] %s 應為 yes 或 no，不是「%s」", sec, key, v);
	else
		*out = b;
}

char *config_find(void)
{
	if (access("config.ini", F_OK) == 0)
		return xstrdup("config.ini");
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *p = xdg && *xdg ? xasprintf("%s/spmform/config.ini", xdg)
	          : home && *home ? xasprintf("%s/.config/spmform/config.ini", home)
				  : NULL;
	if (p && access(p, F_OK) == 0)
		return p;
	free(p);
	if (access(SPMFORM_SYSCONFDIR "/spmform/config.ini", F_OK) == 0)
		return xstrdup(SPMFORM_SYSCONFDIR "/spmform/config.ini");
	return NULL;
}

char *config_program_dir(void)
{
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (len <= 0)
		return NULL;
	exe[len] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return xstrdup(exe);
}

/* The clerks' guide, where an installation or a checkout has it (the
 * checkout's program is at its top, or in build/VARIANT/ for the tests). */
char *config_find_guide(void)
{
	char *bin = config_program_dir();
	char *places[] = {
	    xstrdup(SPMFORM_DATADIR "/" GUIDE_NAME),
	    bin ? xasprintf("%s/../share/spmform/" GUIDE_NAME, bin) : NULL,
	    bin ? xasprintf("%s/docs/" GUIDE_NAME, bin) : NULL,
	    bin ? xasprintf("%s/../../docs/" GUIDE_NAME, bin) : NULL,
	};
	char *found = NULL;
	for (size_t i = 0; i < sizeof places / sizeof *places; i++) {
		if (!found && places[i] && access(places[i], R_OK) == 0) {
			found = realpath(places[i], NULL);
			if (!found)
				found = xstrdup(places[i]);
		}
		free(places[i]);
	}
	free(bin);
	return found;
}

int config_load(Config *cfg, const char *path, DiagList *diags)
{
	*cfg = (Config){.form = xstrdup("inventory"),
			.out = {ENC_UTF8, true, true},
			.backup = true,
			.neutralise_formulas = true,
			.escdelay = 100,
			.progress_delay = 500,
			.ascii_lines = true,
			.color = true};
	cfg->guide = config_find_guide();
	char *found = NULL;
	if (!path) {
		found = config_find();
		if (!found)
			return 0;
		path = found;
	}
	cfg->path = xstrdup(path);
	free(found);
	path = cfg->path;
	size_t before = diags->nerrors;
	Ini *ini = ini_load(path, diags);
	if (!ini)
		return -1;
	for (size_t i = 0; i < ini_nsections(ini); i++) {
		const char *s = ini_section(ini, i);
		if (strcmp(s, "spmform") != 0 && strcmp(s, "output") != 0 && strcmp(s, "csv") != 0 &&
		    strcmp(s, "ui") != 0 && strcmp(s, "print") != 0 && strcmp(s, "defaults") != 0)
			diag_add(diags, DIAG_ERROR, ini_section_line(ini, i), 0, -1, -1,
				 "不認得的段落 [%s] (可用：[spmform]、[output]、[csv]、[ui]、[print]、[defaults])", s);
		if (strcmp(s, "defaults") == 0)
			cfg->defaults_line = ini_section_line(ini, i);
	}
	ini_check_keys(ini, "spmform", SPMFORM_KEYS, diags);
	ini_check_keys(ini, "output", OUTPUT_KEYS, diags);
	ini_check_keys(ini, "csv", CSV_KEYS, diags);
	ini_check_keys(ini, "ui", UI_KEYS, diags);
	ini_check_keys(ini, "print", PRINT_KEYS, diags);
	size_t nd = ini_nkeys(ini, "defaults");
	cfg->defaults = xcalloc(nd, sizeof *cfg->defaults);
	for (size_t i = 0; i < nd; i++) {
		const char *id = ini_key(ini, "defaults", i);
		const char *val = ini_get(ini, "defaults", id);
		cfg->defaults[cfg->ndefaults++] = (ConfigDefault){xstrdup(id), xstrdup(val ? val : "")};
	}
	const char *pc = ini_get(ini, "print", "command");
	if (pc && *pc)
		cfg->print_command = xstrdup(pc);
	const char *f = ini_get(ini, "spmform", "file");
	if (f && *f)
		cfg->file = xstrdup(f);
	set_ms(ini, "escdelay", 10000, &cfg->escdelay, diags);
	set_ms(ini, "progress_delay", 60000, &cfg->progress_delay, diags);
	set_bool(ini, "ui", "ascii_lines", &cfg->ascii_lines, diags);
	set_bool(ini, "ui", "color", &cfg->color, diags);
	set_bool(ini, "ui", "stop_at_defaults", &cfg->stop_at_defaults, diags);
	const char *v = ini_get(ini, "spmform", "threads");
	if (v) {
		char *end;
		long n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || n < 0 || n > PAR_MAX)
			diag_add(diags, DIAG_ERROR, ini_line(ini, "spmform", "threads"), 0, -1, -1,
				 "[spmform] threads 應為 0 到 %d 的整數 (0 = 全部的處理器)，不是「%s」",
				 PAR_MAX, v);
		else
			cfg->threads = (int)n;
	}
	v = ini_get(ini, "spmform", "form");
	if (v && *v) {
		free(cfg->form);
		cfg->form = xstrdup(v);
	}
	v = ini_get(ini, "spmform", "forms_dir");
	if (v && *v)
		cfg->forms_dir = xstrdup(v);
	v = ini_get(ini, "output", "encoding");
	if (v && (text_casecmp(v, "utf-8") == 0 || text_casecmp(v, "utf8") == 0))
		cfg->out.encoding = ENC_UTF8;
	else if (v && (text_casecmp(v, "cp950") == 0 || text_casecmp(v, "big5") == 0))
		cfg->out.encoding = ENC_CP950;
	else if (v)
		diag_add(diags, DIAG_ERROR, ini_line(ini, "output", "encoding"), 0, -1, -1,
			 "[output] encoding 應為 utf-8 或 cp950，不是「%s」", v);
	set_bool(ini, "output", "bom", &cfg->out.bom, diags);
	set_bool(ini, "output", "backup", &cfg->backup, diags);
	set_bool(ini, "csv", "neutralise_formulas", &cfg->neutralise_formulas, diags);
	v = ini_get(ini, "output", "newline");
	if (v && text_casecmp(v, "crlf") == 0)
		cfg->out.crlf = true;
	else if (v && text_casecmp(v, "lf") == 0)
		cfg->out.crlf = false;
	else if (v)
		diag_add(diags, DIAG_ERROR, ini_line(ini, "output", "newline"), 0, -1, -1,
			 "[output] newline 應為 crlf 或 lf，不是「%s」", v);
	ini_free(ini);
	return diags->nerrors > before ? -1 : 0;
}

void config_free(Config *cfg)
{
	for (size_t i = 0; i < cfg->ndefaults; i++) {
		free(cfg->defaults[i].id);
		free(cfg->defaults[i].value);
	}
	free(cfg->defaults);
	free(cfg->file);
	free(cfg->path);
	free(cfg->form);
	free(cfg->forms_dir);
	free(cfg->print_command);
	free(cfg->guide);
	*cfg = (Config){0};
}

static char *try_path(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s.ini", dir, name);
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return NULL;
}

/* The folder of path (malloc'd). */
static char *dir_of(const char *path)
{
	char *dup = xstrdup(path);
	char *d = xstrdup(dirname(dup));
	free(dup);
	return d;
}

char *config_form_path(const Config *cfg, const char *name, const char *data_path)
{
	size_t n = strlen(name);
	if (strchr(name, '/') || (n > 4 && strcmp(name + n - 4, ".ini") == 0))
		return xstrdup(name);
	char *p = NULL;
	if (cfg->forms_dir) {
		if (cfg->forms_dir[0] != '/' && cfg->path) {
			char *cd = dir_of(cfg->path);
			char *dir = xasprintf("%s/%s", cd, cfg->forms_dir);
			p = try_path(dir, name);
			free(dir);
			free(cd);
		} else {
			p = try_path(cfg->forms_dir, name);
		}
	}
	if (!p && data_path) { /* a forms/ folder beside the data */
		char *dd = dir_of(data_path);
		char *dir = xasprintf("%s/forms", dd);
		p = try_path(dir, name);
		free(dir);
		free(dd);
	}
	if (!p)
		p = try_path("forms", name);
	if (!p)
		p = try_path(SPMFORM_DATADIR "/forms", name); /* make install */
	char *bin = p ? NULL : config_program_dir();
	if (bin) { /* beside the program: the repository, or an unpacked tarball */
		char *dir = xasprintf("%s/forms", bin);
		p = try_path(dir, name);
		free(dir);
		if (!p) {
			dir = xasprintf("%s/../share/spmform/forms", bin);
			p = try_path(dir, name);
			free(dir);
		}
		free(bin);
	}
	return p;
}
