/* pattern_int.h - the compiled form shared by pattern.c (parser) and
 * pattern_match.c (matcher, cache). Private to host/core. */
#ifndef IAMSH_PATTERN_INT_H
#define IAMSH_PATTERN_INT_H
#include <stddef.h>

enum { RX_CLASS = 1, RX_GROUP, RX_BOL, RX_EOL, RX_LOOK_NEG, RX_LOOK_POS };

/* A class member: the range lo..hi, or (cat != 0) a category 'w' 'd' 's' 'L' 'Z' 'N'. */
typedef struct rx_item {
    unsigned lo, hi;
    char cat, neg;
} rx_item;

typedef struct rx_node {
    int type;
    int min, max;       /* repetition; max -1 = unbounded */
    int next;           /* next node of the sequence, -1 at its end */
    int first, count;   /* RX_CLASS: items[first..]; groups/lookaheads: alts[first..] */
    int negate;         /* RX_CLASS: [^...] */
} rx_node;

typedef struct rx {
    rx_node *nodes;
    rx_item *items;
    int *alts;          /* sequence heads (node index, -1 = empty sequence) */
    int nnodes, capnodes, nitems, capitems, nalts, capalts;
    int start;          /* the top-level group */
} rx;

rx *pattern_compile(const char *pattern);   /* NULL: bad pattern or ENOMEM */
void pattern_free(rx *r);
/* Decode one UTF-8 sequence (strict: no overlongs, surrogates or > U+10FFFF).
 * Returns its length, 0 if invalid or truncated. */
size_t pattern_utf8_decode(const unsigned char *s, size_t n, unsigned *cp);
/* Number of code points in valid UTF-8, or (size_t)-1 if invalid. */
size_t pattern_utf8_count(const char *s, size_t n);

#endif
