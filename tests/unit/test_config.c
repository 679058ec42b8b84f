/* test_config.c - where config.ini and form files are looked up. */
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "testutil.h"

static char tmpdir[] = "/tmp/spmform-config-XXXXXX";
static char repo[PATH_MAX];

static int setup(void **state)
{
	(void)state;
	if (!getcwd(repo, sizeof repo) || !mkdtemp(tmpdir))
		return -1;
	return chdir(tmpdir); /* no ./config.ini here */
}

static int teardown(void **state)
{
	(void)state;
	if (chdir(repo) != 0)
		return -1;
	return remove_tree(tmpdir);
}

static void touch(const char *path, const char *text)
{
	write_file(path, text, strlen(text));
}

static void test_config_lookup_order(void **state)
{
	(void)state;
	mkdir("xdg", 0700);
	mkdir("xdg/spmform", 0700);
	mkdir("home", 0700);
	mkdir("home/.config", 0700);
	mkdir("home/.config/spmform", 0700);
	touch("home/.config/spmform/config.ini", "[spmform]\nform = from-home\n");
	setenv("HOME", "home", 1);
	unsetenv("XDG_CONFIG_HOME");
	char *p = config_find();
	assert_string_equal(p, "home/.config/spmform/config.ini");
	free(p);
	touch("xdg/spmform/config.ini", "[spmform]\nform = from-xdg\n");
	setenv("XDG_CONFIG_HOME", "xdg", 1);
	p = config_find();
	assert_string_equal(p, "xdg/spmform/config.ini");
	free(p);
	touch("config.ini", "[spmform]\nform = from-cwd\n");
	p = config_find();
	assert_string_equal(p, "config.ini");
	free(p);
	Config cfg;
	DiagList dl;
	diag_init(&dl);
	assert_int_equal(config_load(&cfg, NULL, &dl), 0);
	assert_string_equal(cfg.form, "from-cwd");
	config_free(&cfg);
	/* --config wins over all of them */
	assert_int_equal(config_load(&cfg, "xdg/spmform/config.ini", &dl), 0);
	assert_string_equal(cfg.form, "from-xdg");
	config_free(&cfg);
	diag_free(&dl);
	unlink("config.ini");
}

static void test_forms_beside_the_data_come_before_the_bundled_ones(void **state)
{
	(void)state;
	Config cfg;
	DiagList dl;
	diag_init(&dl);
	config_load(&cfg, "/nonexistent.ini", &dl);
	mkdir("agency", 0700);
	mkdir("agency/forms", 0700);
	touch("agency/forms/inventory.ini", "[form]\n");
	char *p = config_form_path(&cfg, "inventory", "agency/data.csv");
	assert_string_equal(p, "agency/forms/inventory.ini");
	free(p);
	/* without one there: the forms folder beside the program (the
	 * repository's, for the test binary in build/...: not found here, but
	 * a path is used as given) */
	p = config_form_path(&cfg, "x/y.ini", NULL);
	assert_string_equal(p, "x/y.ini");
	free(p);
	p = config_form_path(&cfg, "no-such-form", "agency/data.csv");
	assert_null(p);
	config_free(&cfg);
	diag_free(&dl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_lookup_order),
	    cmocka_unit_test(test_forms_beside_the_data_come_before_the_bundled_ones),
	};
	return cmocka_run_group_tests_name("config", tests, setup, teardown) ? 1 : 0;
}
