/* pattern.h - the regular expressions of AWS's models ("pattern" on string shapes). */
#ifndef IAMSH_PATTERN_H
#define IAMSH_PATTERN_H
#include <stddef.h>

/* Full match of the UTF-8 text s[0..len) against pattern (compiled once, cached).
 * 1 match, 0 no match (also for invalid UTF-8), -1 bad pattern or step cap hit. */
int pattern_match(const char *pattern, const char *s, size_t len);
/* The Unicode general category tables: 'L', 'Z' or 'N'; 1 if cp is in it. */
int pattern_unicode_in(char category, unsigned cp);

#endif
