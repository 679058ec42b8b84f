/* cp950.c - see cp950.h. */
#include "cp950.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "text.h"

/* A character iconv gave for a code: its UTF-8 bytes b0 | b1 << 8 |
 * b2 << 16, and their number << 24; 0 when the code is not one whole
 * character of at most three bytes that iconv converts without loss
 * (iconv then converts it itself). */
typedef uint32_t Char;

struct Cp950 {
	iconv_t cd;
	bool ascii_same;     /* every byte below 0x80 is its own UTF-8 */
	bool asked[0x80];    /* the codes of lead byte 0x80 + i are in code[] */
	/* code[0][b]: byte b below 0x80 alone (never the first of two);
	 * code[1 + i][b]: lead byte 0x80 + i, then b (all 0 until asked[i];
	 * 0x80's stay 0: glibc takes 0x80 alone, so iconv converts it) */
	Char code[0x81][256];
};

/* What iconv makes of in[0..n) alone, as a Char. */
static Char ask(iconv_t cd, const unsigned char *in, size_t n)
{
	char buf[8];
	char *ip = (char *)in, *op = buf;
	size_t il = n, ol = sizeof buf;
	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) != 0 || il != 0)
		return 0;
	size_t len = (size_t)(op - buf);
	if (len == 0)
		return 0;
	unsigned char b0 = (unsigned char)buf[0];
	size_t want = b0 < 0x80 ? 1 : b0 >= 0xC2 && b0 <= 0xDF ? 2 : b0 >= 0xE0 && b0 <= 0xEF ? 3 : 0;
	if (len != want)
		return 0; /* several characters, or four bytes */
	Char v = (Char)len << 24;
	for (size_t i = 0; i < len; i++)
		v |= (Char)(unsigned char)buf[i] << (8 * i);
	return v;
}

Cp950 *cp950_open(void)
{
	iconv_t cd = iconv_open("UTF-8", "CP950");
	if (cd == (iconv_t)-1)
		return NULL;
	Cp950 *c = xcalloc(1, sizeof *c);
	c->cd = cd;
	c->ascii_same = true;
	for (unsigned b = 0; b < 0x80; b++) {
		unsigned char in = (unsigned char)b;
		c->code[0][b] = ask(cd, &in, 1);
		c->ascii_same &= c->code[0][b] == ((Char)1 << 24 | b);
	}
	return c;
}

void cp950_close(Cp950 *c)
{
	if (!c)
		return;
	iconv_close(c->cd);
	free(c);
}

/* Asks iconv for the codes of lead byte lead (0x80 or above); false
 * when it was asked before. */
static bool ask_lead(Cp950 *c, unsigned char lead)
{
	if (c->asked[lead - 0x80])
		return false;
	c->asked[lead - 0x80] = true;
	for (unsigned b = 0; b < 256; b++) {
		unsigned char in[2] = {lead, (unsigned char)b};
		c->code[lead - 0x7F][b] = ask(c->cd, in, 2);
	}
	return true;
}

/* The character of code p[0..n) (n is 2 for a byte of 0x80 or above, else
 * 1), 0 when the table does not hold it. */
static inline Char char_at(Cp950 *c, const unsigned char *p, size_t *n)
{
	if (*p < 0x80) {
		*n = 1;
		return c->code[0][*p];
	}
	*n = 2;
	Char v = c->code[*p - 0x7F][p[1]];
	if (!v && ask_lead(c, *p)) /* a lead byte met for the first time */
		v = c->code[*p - 0x7F][p[1]];
	return v;
}

/* Stores v's bytes at o as one word (a fourth byte too, within the room
 * cp950.h speaks of); returns where the next character goes. */
static inline unsigned char *put_char(unsigned char *o, Char v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(o, &v, 4);
#else
	for (size_t i = 0; i < 3; i++)
		o[i] = (unsigned char)(v >> (8 * i));
#endif
	return o + (v >> 24);
}

size_t cp950_conv(Cp950 *c, char **in, size_t *inleft, char **out, size_t *outleft)
{
	const unsigned char *p = (const unsigned char *)*in, *e = p + *inleft;
	unsigned char *o = (unsigned char *)*out, *oe = o + *outleft;
	bool full = false, ask_iconv = false;
	size_t n;
	/* while there is room for 8 bytes each side: no bound to check per
	 * character, and a character's bytes are stored as one word */
	while (e - p >= 8 && oe - o >= 8) {
		if (*p < 0x80 && c->ascii_same) {
			/* most of a file's bytes: commas, digits, OIDs, line ends */
			uint64_t w;
			memcpy(&w, p, 8);
			if (!(w & 0x8080808080808080ULL)) {
				memcpy(o, &w, 8);
				p += 8;
				o += 8;
				continue;
			}
		}
		Char v = char_at(c, p, &n);
		if (!v) {
			ask_iconv = true;
			break;
		}
		o = put_char(o, v);
		p += n;
	}
	/* the last few bytes, each bound checked */
	while (!ask_iconv && p < e) {
		Char v = e - p >= 2 || *p < 0x80 ? char_at(c, p, &n) : 0;
		if (!v) { /* a lead byte at the end: iconv says EINVAL or EILSEQ */
			ask_iconv = true;
			break;
		}
		size_t len = v >> 24;
		if ((size_t)(oe - o) < len) {
			full = true;
			break;
		}
		for (size_t i = 0; i < len; i++)
			o[i] = (unsigned char)(v >> (8 * i));
		o += len;
		p += n;
	}
	*inleft -= (size_t)(p - (const unsigned char *)*in);
	*in = (char *)p;
	*outleft -= (size_t)(o - (unsigned char *)*out);
	*out = (char *)o;
	if (ask_iconv) /* from the byte the table does not know, to where iconv stops */
		return iconv(c->cd, in, inleft, out, outleft);
	if (full) {
		errno = E2BIG;
		return (size_t)-1;
	}
	return 0;
}

size_t cp950_cell(Cp950 *c, const char *in, size_t n, char *out)
{
	const unsigned char *p = (const unsigned char *)in, *e = p + n;
	unsigned char *o = (unsigned char *)out;
	while (p < e) {
		if (*p < 0x80 && c->ascii_same) {
			uint64_t w;
			if (e - p >= 8 && (memcpy(&w, p, 8), !(w & 0x8080808080808080ULL))) {
				memcpy(o, &w, 8);
				p += 8;
				o += 8;
			} else {
				*o++ = *p++;
			}
			continue;
		}
		size_t k;
		Char v = *p < 0x80 || e - p >= 2 ? char_at(c, p, &k) : 0;
		if (!v) { /* the rest as cp950_conv has it: iconv from here */
			char *ip = (char *)p, *op = (char *)o;
			size_t il = (size_t)(e - p), ol = CP950_ROOM(n) - (size_t)(o - (unsigned char *)out);
			if (cp950_conv(c, &ip, &il, &op, &ol) == (size_t)-1)
				return (size_t)-1;
			return (size_t)(op - out);
		}
		o = put_char(o, v);
		p += k;
	}
	return (size_t)(o - (unsigned char *)out);
}
