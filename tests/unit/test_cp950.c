/* test_cp950.c - CP950 to UTF-8 (src/cp950.c) converts exactly as glibc's
 * iconv does: the same output, the same stopping place, the same errno,
 * whatever the input and however small the output buffer. */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>

#include "cp950.h"
#include "mem.h"
#include "testutil.h"

typedef struct {
	size_t rc;
	int err; /* errno when rc is (size_t)-1 */
	size_t in_used, out_len;
	char out[64];
} Result;

static Result by_iconv(iconv_t cd, const unsigned char *in, size_t n, size_t outcap)
{
	Result r = {0};
	char *ip = (char *)in, *op = r.out;
	size_t il = n, ol = outcap;
	iconv(cd, NULL, NULL, NULL, NULL);
	errno = 0;
	r.rc = iconv(cd, &ip, &il, &op, &ol);
	r.err = r.rc == (size_t)-1 ? errno : 0;
	r.in_used = n - il;
	r.out_len = (size_t)(op - r.out);
	assert_int_equal(ip - (char *)in, r.in_used);
	assert_int_equal(outcap - ol, r.out_len);
	return r;
}

static Result by_cp950(Cp950 *c, const unsigned char *in, size_t n, size_t outcap)
{
	Result r = {0};
	memset(r.out, 0xEE, sizeof r.out);
	char *ip = (char *)in, *op = r.out;
	size_t il = n, ol = outcap;
	errno = 0;
	r.rc = cp950_conv(c, &ip, &il, &op, &ol);
	r.err = r.rc == (size_t)-1 ? errno : 0;
	r.in_used = n - il;
	r.out_len = (size_t)(op - r.out);
	assert_int_equal(ip - (char *)in, r.in_used);
	assert_int_equal(outcap - ol, r.out_len);
	for (size_t i = outcap; i < sizeof r.out; i++)
		assert_int_equal((unsigned char)r.out[i], 0xEE); /* nothing past the room */
	return r;
}

/* Both convert in[0..n) with room for outcap bytes; returns the errno
 * both gave (0 when both succeeded). */
static int same(iconv_t cd, Cp950 *c, const unsigned char *in, size_t n, size_t outcap)
{
	Result a = by_iconv(cd, in, n, outcap), b = by_cp950(c, in, n, outcap);
	if (a.rc != b.rc || a.err != b.err || a.in_used != b.in_used || a.out_len != b.out_len ||
	    memcmp(a.out, b.out, a.out_len) != 0) {
		char hex[3 * 32 + 1] = "";
		for (size_t i = 0; i < n && i < 32; i++)
			sprintf(hex + 3 * i, "%02X ", in[i]);
		fail_msg("input %s(room %zu): iconv rc %zd errno %d used %zu out %zu; "
			 "cp950 rc %zd errno %d used %zu out %zu",
			 hex, outcap, (ssize_t)a.rc, a.err, a.in_used, a.out_len, (ssize_t)b.rc, b.err,
			 b.in_used, b.out_len);
	}
	return a.err;
}

static iconv_t open_iconv(void)
{
	iconv_t cd = iconv_open("UTF-8", "CP950");
	assert_true(cd != (iconv_t)-1);
	return cd;
}

/* Every input of one or two bytes, with room to spare and with room for
 * less than the character: each code of the table, and each code iconv
 * refuses or finds cut off. */
static void test_every_code_of_one_and_two_bytes(void **state)
{
	(void)state;
	iconv_t cd = open_iconv();
	Cp950 *c = cp950_open();
	assert_non_null(c);
	size_t converted = 0, refused = 0, cut = 0;
	for (unsigned a = 0; a < 256; a++) {
		unsigned char one[1] = {(unsigned char)a};
		same(cd, c, one, 1, 8);
		same(cd, c, one, 1, 0);
		for (unsigned b = 0; b < 256; b++) {
			unsigned char two[2] = {(unsigned char)a, (unsigned char)b};
			int err = same(cd, c, two, 2, 16);
			converted += err == 0;
			refused += err == EILSEQ;
			cut += err == EINVAL;
			same(cd, c, two, 2, 1);
			same(cd, c, two, 2, 2);
		}
	}
	/* Big5's 13,000-odd characters, its lead bytes with no code after
	 * them, and the bytes it has no use for */
	assert_true(converted > 13000);
	assert_true(refused > 10000);
	assert_true(cut > 0);
	cp950_close(c);
	iconv_close(cd);
}

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static unsigned next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 32);
}

/* A byte of the kinds a CP950 file has: ASCII (runs of it), a lead byte,
 * a trail byte, or anything. */
static unsigned char some_byte(void)
{
	switch (next_rand() % 4) {
	case 0:
		return (unsigned char)(0x20 + next_rand() % 0x5F);
	case 1:
		return (unsigned char)(0xA1 + next_rand() % 0x59);
	case 2:
		return (unsigned char)(next_rand() % 2 ? 0x40 + next_rand() % 0x3F
						       : 0xA1 + next_rand() % 0x5E);
	default:
		return (unsigned char)next_rand();
	}
}

/* Fills in (40 bytes) with min to 40 bytes of some_byte(), half the
 * time then overwritten with valid Big5 text; returns how many. */
static size_t some_string(unsigned char in[40], size_t min)
{
	size_t n = min + next_rand() % (41 - min);
	for (size_t j = 0; j < n; j++)
		in[j] = some_byte();
	if (next_rand() % 2) /* a run of valid text */
		for (size_t j = 0; j + 1 < n; j += 2) {
			in[j] = (unsigned char)(0xA4 + next_rand() % 0x20);
			in[j + 1] = (unsigned char)(0xA1 + next_rand() % 0x5E);
		}
	return n;
}

/* Strings of up to 40 bytes, mostly Big5 text with ASCII runs and a bad
 * or cut byte now and then, into buffers of every size up to 64 bytes:
 * the same as iconv, from a new converter and from one that has seen
 * every earlier string. */
static void test_strings_as_iconv_converts_them(void **state)
{
	(void)state;
	iconv_t cd = open_iconv();
	Cp950 *seen = cp950_open();
	size_t ok = 0, full = 0;
	for (int i = 0; i < 100000; i++) {
		unsigned char in[40];
		size_t n = some_string(in, 1);
		size_t room = next_rand() % 65;
		/* exactly n bytes of their own: AddressSanitizer sees a read past them */
		unsigned char *exact = xmalloc(n);
		memcpy(exact, in, n);
		int err = same(cd, seen, exact, n, room);
		ok += err == 0;
		full += err == E2BIG;
		if (i % 1000 == 0) {
			Cp950 *fresh = cp950_open();
			same(cd, fresh, exact, n, room);
			cp950_close(fresh);
		}
		free(exact);
	}
	assert_true(ok > 1000);
	assert_true(full > 1000);
	cp950_close(seen);
	iconv_close(cd);
}

/* A long text converted through a small buffer, as the reader converts
 * a block: piece after piece, the same as iconv's pieces. */
static void test_a_long_text_in_pieces(void **state)
{
	(void)state;
	iconv_t cd = open_iconv();
	Cp950 *c = cp950_open();
	unsigned char in[20000];
	size_t n = 0;
	while (n + 2 <= sizeof in) {
		if (next_rand() % 3 == 0) {
			in[n++] = (unsigned char)(0x20 + next_rand() % 0x5F);
		} else {
			in[n++] = (unsigned char)(0xA4 + next_rand() % 0x50);
			in[n++] = (unsigned char)(0xA1 + next_rand() % 0x5E);
		}
	}
	char *ia = (char *)in, *ib = (char *)in;
	size_t la = n, lb = n, total = 0;
	while (la > 0) {
		char a[37], b[37];
		char *oa = a, *ob = b;
		size_t ra = sizeof a, rb = sizeof b;
		size_t rca = iconv(cd, &ia, &la, &oa, &ra);
		int ea = errno;
		size_t rcb = cp950_conv(c, &ib, &lb, &ob, &rb);
		int eb = errno;
		assert_int_equal(rca, rcb);
		if (rca == (size_t)-1)
			assert_int_equal(ea, eb);
		assert_int_equal(la, lb);
		assert_int_equal(oa - a, ob - b);
		assert_memory_equal(a, b, (size_t)(oa - a));
		total += (size_t)(oa - a);
		if (rca == (size_t)-1 && ea != E2BIG)
			break;
	}
	assert_int_equal(la, 0); /* every character was valid */
	assert_true(total > n);
	cp950_close(c);
	iconv_close(cd);
}

/* cp950_cell gives what iconv gives for a whole cell, or fails where
 * iconv does not convert all of it; its output stays within
 * CP950_ROOM (the buffer is that size exactly: AddressSanitizer sees a
 * write past it). */
static void same_cell(iconv_t cd, Cp950 *c, const unsigned char *in, size_t n)
{
	char want[256];
	char *ip = (char *)in, *op = want;
	size_t il = n, ol = sizeof want;
	iconv(cd, NULL, NULL, NULL, NULL);
	bool whole = iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 && il == 0;
	unsigned char *exact = xmalloc(n ? n : 1);
	memcpy(exact, in, n);
	char *out = xmalloc(CP950_ROOM(n));
	size_t got = cp950_cell(c, (const char *)exact, n, out);
	if (whole) {
		assert_int_equal(got, (size_t)(op - want));
		assert_memory_equal(out, want, got);
	} else {
		assert_int_equal(got, (size_t)-1);
	}
	free(out);
	free(exact);
}

static void test_cells_as_iconv_converts_them(void **state)
{
	(void)state;
	iconv_t cd = open_iconv();
	Cp950 *c = cp950_open();
	size_t whole = 0;
	/* every code of one and two bytes, alone and after ASCII (so that
	 * the eight-byte path meets it too) */
	for (unsigned a = 0; a < 256; a++)
		for (unsigned b = 0; b < 256; b++) {
			unsigned char in[12] = "abcdefghij";
			in[10] = (unsigned char)a;
			in[11] = (unsigned char)b;
			same_cell(cd, c, in + 10, 1);
			same_cell(cd, c, in + 10, 2);
			same_cell(cd, c, in, 12);
		}
	for (int i = 0; i < 100000; i++) {
		unsigned char in[40];
		size_t n = some_string(in, 0);
		char *ip = (char *)in, buf[256], *op = buf;
		size_t il = n, ol = sizeof buf;
		iconv(cd, NULL, NULL, NULL, NULL);
		whole += iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 && il == 0;
		same_cell(cd, c, in, n);
	}
	assert_true(whole > 10000); /* both kinds were met */
	assert_true(whole < 90000);
	cp950_close(c);
	iconv_close(cd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_code_of_one_and_two_bytes),
	    cmocka_unit_test(test_strings_as_iconv_converts_them),
	    cmocka_unit_test(test_a_long_text_in_pieces),
	    cmocka_unit_test(test_cells_as_iconv_converts_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
