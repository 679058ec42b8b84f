/* fuzz_csv.c - libFuzzer target: any bytes as a CSV file of the inventory
 * form.  Reading must never crash, hang or leak; whatever is read is
 * checked, written and read again, and the second writing must give the
 * same bytes (spmform's own output is a fixed point).  There is one
 * reader, and every way of calling it must agree: the bytes from memory in
 * blocks of 1 MiB, from a file in blocks of 1 to 64 bytes (so that block
 * edges fall inside characters, lines and fields), checked as read without
 * keeping the records (spmform check), kept and checked as read (the entry
 * screen): the same records, the same messages after the rules, or the
 * same failure with the same message.  The reader converts CP950 with
 * src/cp950.c: the bytes are also converted by it and by iconv, through an
 * output buffer of a size the data chooses, and must give the same pieces,
 * stopping places and errno; and as one cell (cp950_cell), the same bytes
 * or a failure where iconv fails. */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cp950.h"
#include "csvio.h"
#include "form.h"
#include "fuzz_util.h"
#include "rules.h"

static Form *form;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_diags(const DiagList *a, const DiagList *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const Diag *x = &a->items[i], *y = &b->items[i];
		if (x->level != y->level || x->line != y->line || x->col != y->col ||
		    x->record != y->record || x->field != y->field || strcmp(x->msg, y->msg) != 0)
			return false;
	}
	return true;
}

/* Reads data[0..size) from a file in blocks of a few bytes, in mode:
 * the table, or NULL; *run the run of a checking mode. */
static Table *read_file_as(const uint8_t *data, size_t size, FileFormat fmt, CsvMode mode,
			   RulesRun **run, DiagList *dl)
{
	int fd = memfd_create("fuzz_csv", 0);
	if (fd < 0)
		abort();
	for (size_t done = 0; done < size;) {
		ssize_t w = write(fd, data + done, size - done);
		if (w <= 0)
			abort();
		done += (size_t)w;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	CsvSource src = {.path = path, .block = 1 + (size ? data[size / 2] % 64 : 0)};
	Table *t = csvio_read(&src, form, fmt, mode, run, dl);
	close(fd);
	return t;
}

/* The records of t as spmform writes them (malloc'd), or NULL. */
static char *serialized(const Table *t, size_t *len)
{
	DiagList dl;
	diag_init(&dl);
	char *out = csvio_serialize(t, len, &dl);
	diag_free(&dl);
	return out;
}

/* Whether two readings gave the same messages and write the same bytes. */
static bool same_tables(const Table *a, const DiagList *da, const Table *b, const DiagList *db)
{
	size_t l1, l2;
	char *x = serialized(a, &l1), *y = serialized(b, &l2);
	bool same = same_diags(da, db) && !x == !y && (!x || (l1 == l2 && memcmp(x, y, l1) == 0));
	for (size_t i = 0; same && i < table_nrecords(a); i++)
		same = table_record_c(a, i)->line == table_record_c(b, i)->line;
	free(x);
	free(y);
	return same;
}

/* Converts data[0..size) as CP950, piece by piece through a buffer of
 * room bytes, with iconv and with a Cp950: both must do the same. */
static void same_conversion(const uint8_t *data, size_t size, size_t room)
{
	static iconv_t cd = (iconv_t)-1;
	static Cp950 *cv; /* kept from input to input, as its table grows */
	if (cd == (iconv_t)-1 && (cd = iconv_open("UTF-8", "CP950")) == (iconv_t)-1)
		abort();
	if (!cv && !(cv = cp950_open()))
		abort();
	char *ia = (char *)data, *ib = (char *)data;
	size_t la = size, lb = size;
	iconv(cd, NULL, NULL, NULL, NULL);
	for (;;) {
		char a[80], b[80];
		char *oa = a, *ob = b;
		size_t ra = room, rb = room;
		errno = 0;
		size_t rca = iconv(cd, &ia, &la, &oa, &ra);
		int ea = errno;
		errno = 0;
		size_t rcb = cp950_conv(cv, &ib, &lb, &ob, &rb);
		int eb = errno;
		if (rca != rcb || (rca == (size_t)-1 && ea != eb) || la != lb || ra != rb ||
		    memcmp(a, b, (size_t)(oa - a)) != 0)
			abort(); /* the table converts otherwise than iconv */
		if (rca != (size_t)-1 || ea != E2BIG || oa == a)
			break; /* done, stopped, or no room for one character */
	}
	/* as a cell: all of it converted as iconv converts it, or a failure
	 * where iconv does not convert all of it */
	char *whole = malloc(CP950_ROOM(size) + 8), *cell = malloc(CP950_ROOM(size));
	if (!whole || !cell)
		abort();
	char *ip = (char *)data, *op = whole;
	size_t il = size, ol = CP950_ROOM(size) + 8;
	iconv(cd, NULL, NULL, NULL, NULL);
	bool all = iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 && il == 0;
	size_t got = cp950_cell(cv, (const char *)data, size, cell);
	if (all ? got != (size_t)(op - whole) || memcmp(whole, cell, got) != 0 : got != (size_t)-1)
		abort(); /* a cell converts otherwise than iconv */
	free(whole);
	free(cell);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	form = fuzz_inventory();
	same_conversion(data, size, 1 + (size ? data[0] % 80 : 79));
	DiagList dl;
	diag_init(&dl);
	FileFormat fmt = {ENC_UTF8, true, true};
	Table *t = csvio_load_mem((const char *)data, size, form, fmt, &dl);
	DiagList ds; /* from a file, block by block */
	diag_init(&ds);
	Table *ts = read_file_as(data, size, fmt, CSV_KEEP, NULL, &ds);
	if (!t != !ts || !same_diags(&dl, &ds) || (t && !same_tables(t, &dl, ts, &ds)))
		abort(); /* reading from memory and from a file differ */
	size_t checked = ts ? rules_check_table(ts, &ds) : 0;
	diag_sort(&ds);
	DiagList dc; /* checked as read */
	diag_init(&dc);
	RulesRun *run = NULL;
	Table *tc = read_file_as(data, size, fmt, CSV_CHECK, &run, &dc);
	if (!ts != !run || !tc != !run || (tc && table_nrecords(tc) != 0))
		abort(); /* checking as read fails otherwise than reading */
	if (run && rules_run_end(run, &dc) != checked)
		abort(); /* it checked another number of records */
	diag_sort(&dc);
	if (!same_diags(&ds, &dc))
		abort(); /* or found something else */
	DiagList dk; /* read into a table and checked at once */
	diag_init(&dk);
	RulesRun *krun = NULL;
	Table *tk = read_file_as(data, size, fmt, CSV_KEEP_CHECK, &krun, &dk);
	if (!ts != !tk || !tk != !krun)
		abort(); /* fails otherwise than reading */
	if (tk && rules_run_end_table(krun, tk, &dk) != checked)
		abort(); /* it checked another number of records */
	size_t lk, ls;
	char *sk = tk ? serialized(tk, &lk) : NULL, *ss = ts ? serialized(ts, &ls) : NULL;
	if (!sk != !ss || (sk && (lk != ls || memcmp(sk, ss, lk) != 0)))
		abort(); /* it read other records */
	free(sk);
	free(ss);
	diag_sort(&dk);
	if (!same_diags(&ds, &dk))
		abort(); /* or found something else */
	rules_run_free(krun);
	table_free(tk);
	rules_run_free(run);
	table_free(tc);
	diag_free(&dc);
	diag_free(&dk);
	table_free(ts);
	diag_free(&ds);
	if (t) {
		rules_check_table(t, &dl);
		size_t len;
		char *out = csvio_serialize(t, &len, &dl);
		if (out) {
			DiagList d2;
			diag_init(&d2);
			Table *t2 = csvio_load_mem(out, len, form, table_format(t), &d2);
			if (!t2)
				abort(); /* what we wrote must read back */
			size_t len2;
			char *out2 = csvio_serialize(t2, &len2, &d2);
			if (!out2 || len2 != len || memcmp(out, out2, len) != 0)
				abort(); /* and be a fixed point */
			free(out2);
			table_free(t2);
			diag_free(&d2);
			free(out);
		}
		table_free(t);
	}
	diag_free(&dl);
	return 0;
}
