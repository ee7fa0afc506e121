/* utf8.h - the one UTF-8 reader: strict (no overlongs, no surrogates, nothing beyond
 * U+10FFFF), for parameter lengths, JSON text from scripts and the pattern checks. */
#ifndef IAMSH_UTF8_H
#define IAMSH_UTF8_H
#include <stddef.h>

/* Decode one sequence at s (at most n bytes) into *cp. Its length, 0 if invalid or cut. */
size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp);
/* The number of code points in s[0..n), or (size_t)-1 when it is not valid UTF-8. */
size_t utf8_count(const char *s, size_t n);
/* 1 if s[0..n) is valid UTF-8, else 0. */
int utf8_valid(const char *s, size_t n);

#endif
