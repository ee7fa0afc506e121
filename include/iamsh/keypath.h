/* keypath.h - the path to a value inside call parameters, built while walking them
 * (push before descending, pop after): "Tags[2].Key" in messages, and the Query
 * protocol's wire keys "Tags.member.2.Key". */
#ifndef IAMSH_KEYPATH_H
#define IAMSH_KEYPATH_H
#include <stddef.h>

#define KEYPATH_MAX 1024

typedef struct keypath {
    char s[KEYPATH_MAX]; /* NUL-terminated */
    size_t len;
    int overflow; /* a push did not fit: s is cut short */
} keypath;

#define KEYPATH_INIT \
    {                \
        "", 0, 0     \
    }

/* Append ".name" ("name" at the start). Returns the length before, for keypath_pop. */
size_t keypath_push(keypath *p, const char *name);
/* Append a 1-based index: "[i]", or ".i" when dotted (the Query form). */
size_t keypath_push_index(keypath *p, long long i, int dotted);
/* Back to a length keypath_push returned. */
void keypath_pop(keypath *p, size_t mark);
/* The length before the last ".segment" (0 when there is one segment). */
size_t keypath_parent(const keypath *p);
/* The path for a message of at most max bytes: all of it, or "..." and its end. */
const char *keypath_tail(const keypath *p, size_t max, char *out, size_t nout);

#endif
