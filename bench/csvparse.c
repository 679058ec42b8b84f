/* bench/csvparse.c - the floor for a libcsv-based reader: a bare strict
 * parse of a file with empty callbacks (read in 64 KiB blocks). */
#include <csv.h>
#include <stdio.h>

static void on_field(void *s, size_t n, void *d) { (void)s; (void)n; (void)d; }
static void on_row(int c, void *d) { (void)c; ++*(long *)d; }

int main(int argc, char **argv)
{
	struct csv_parser p;
	static char buf[1 << 16];
	long rows = 0;
	size_t n;
	FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
	if (!f || csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return 2;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		if (csv_parse(&p, buf, n, on_field, on_row, &rows) != n)
			return 1;
	csv_fini(&p, on_field, on_row, &rows);
	csv_free(&p);
	fclose(f);
	printf("%ld rows\n", rows);
	return 0;
}
