/* cp950.h - CP950 (Big5) to UTF-8, exactly as glibc's iconv converts it,
 * but faster.
 *
 * glibc's converter takes about 2.5 ns a byte; a big CP950 file spent
 * more time in it than in parsing.  A Cp950 asks iconv once for each
 * character code it meets (each single byte, and each two-byte code of a
 * lead byte the first time that lead byte is seen) and keeps the answer:
 * the mapping stays glibc's, only looked up.  Anything its table does not
 * hold as one whole character (a byte iconv refuses, a lead byte cut off
 * at the end of the input, a code iconv would give more than one
 * character for, and the byte 0x80, which glibc takes alone as U+0080)
 * is left to iconv itself, from that byte on to the end of the call.
 * CP950 has no shift states, so the result, the stopping place and errno
 * are the ones iconv(3) gives for the same call.
 *
 * One Cp950 per thread: cp950_conv changes its table.
 */
#ifndef SPMFORM_CP950_H
#define SPMFORM_CP950_H

#include <stddef.h>

typedef struct Cp950 Cp950;

/* A converter; NULL with errno set when iconv cannot convert CP950 to
 * UTF-8 (as iconv_open fails). */
Cp950 *cp950_open(void);
void cp950_close(Cp950 *c);

/* As iconv(cd, in, inleft, out, outleft) with cd = iconv_open("UTF-8",
 * "CP950"): converts as much as it can, advancing the four; returns
 * (size_t)-1 with errno E2BIG (out is full), EILSEQ (a byte that is not
 * CP950) or EINVAL (the input ends inside a character).  in must not be
 * NULL.  Unlike iconv, it may also write up to 3 bytes of the output
 * buffer past where *out ends (never past *outleft): a character's bytes
 * are stored as one word. */
size_t cp950_conv(Cp950 *c, char **in, size_t *inleft, char **out, size_t *outleft);

/* Output room cp950_conv and cp950_cell need for n bytes of CP950 (a
 * Big5 code is at most three bytes of UTF-8, a byte alone at most two; a
 * code the table leaves to iconv, at most six), and the 3 bytes past it
 * they may write. */
#define CP950_ROOM(n) (3 * (n) + 8)

/* Converts the cell in[0..n) into out (CP950_ROOM(n) bytes): returns the
 * bytes written, or (size_t)-1 when in is not whole CP950 characters.
 * The same as cp950_conv, faster for a few bytes at a time. */
size_t cp950_cell(Cp950 *c, const char *in, size_t n, char *out);

#endif
