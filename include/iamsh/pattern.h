/* pattern.h - the regular expressions of AWS's models ("pattern" on string shapes),
 * with Java's String.matches() meaning: the whole string must match. */
#ifndef IAMSH_PATTERN_H
#define IAMSH_PATTERN_H
#include <stddef.h>

/* Full match of the UTF-8 text s[0..len) against pattern (PCRE2 syntax; compiled on
 * first use and kept). 1 match, 0 no match (also for invalid UTF-8), -1 the pattern
 * does not compile or a match limit was hit. */
int pattern_match(const char *pattern, const char *s, size_t len);
/* 0 if pattern compiles, else -1 with the reason ("at offset N: ...") in why. */
int pattern_check(const char *pattern, char *why, size_t nwhy);

#endif
