/* pattern.c - the regex subset AWS's IAM and STS models use in "pattern".
 *
 * Supported: literals, '.', classes [...] / [^...] with ranges, \w \d \s (ASCII, as
 * Java's defaults) and their negations, \p{L} \p{Z} \p{N} (and \P{..}), escapes
 * (\uXXXX, and \u with up to 6 hex digits taken greedily so that STS's
 * "\u10000-\u10FFFF" means the supplementary planes), groups ( ) (?: ),
 * alternation, quantifiers * + ? {n} {n,} {n,m}, anchors ^ $, lookahead (?! ) (?= ).
 *
 * Semantics are Java's String.matches(): the whole input must match. Input is
 * UTF-8, decoded to code points first; invalid UTF-8 never matches.
 *
 * Matching is backtracking over a small compiled tree. Single-character atoms
 * repeat in a loop (no recursion per character), so a 128 KiB policy document
 * costs one pass; a step cap and a depth cap bound pathological cases (reported
 * as -1). Compiled patterns are cached by pointer+text (pattern_cache.c). */
#include "iamsh/pattern.h"
#include "pattern_int.h"

#include <stdlib.h>
#include <string.h>

/* --- parsing --- */

typedef struct parser {
    rx *r;
    const char *s;   /* pattern text, NUL-terminated */
    size_t i;
    int err;
} parser;

static void *grow(void *p, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return p;
    int ncap = *cap ? *cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    void *q = realloc(p, (size_t)ncap * elem);
    if (q)
        *cap = ncap;
    return q;
}

static int new_node(parser *p, int type)
{
    rx *r = p->r;
    rx_node *n = grow(r->nodes, &r->capnodes, r->nnodes + 1, sizeof *n);
    if (!n) {
        p->err = 1;
        return -1;
    }
    r->nodes = n;
    memset(&n[r->nnodes], 0, sizeof *n);
    n[r->nnodes].type = type;
    n[r->nnodes].min = n[r->nnodes].max = 1;
    n[r->nnodes].next = -1;
    return r->nnodes++;
}

static void add_item(parser *p, unsigned lo, unsigned hi, char cat, char neg)
{
    rx *r = p->r;
    rx_item *it = grow(r->items, &r->capitems, r->nitems + 1, sizeof *it);
    if (!it) {
        p->err = 1;
        return;
    }
    r->items = it;
    it[r->nitems++] = (rx_item){lo, hi, cat, neg};
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* \u + 4..6 hex digits, greedy, never beyond U+10FFFF. */
static unsigned parse_u(parser *p)
{
    unsigned v = 0;
    int n = 0, h;
    while (n < 6 && (h = hexval(p->s[p->i])) >= 0 && (v * 16 + (unsigned)h) <= 0x10FFFF) {
        v = v * 16 + (unsigned)h;
        p->i++;
        n++;
    }
    if (n < 4)
        p->err = 1;
    return v;
}

/* One pattern character as a code point (patterns are ASCII in practice, UTF-8 allowed). */
static unsigned parse_literal(parser *p)
{
    const unsigned char *s = (const unsigned char *)p->s + p->i;
    unsigned cp;
    size_t len = pattern_utf8_decode(s, strlen((const char *)s), &cp);
    if (len == 0) {
        p->err = 1;
        return 0;
    }
    p->i += len;
    return cp;
}

/* After a backslash: a category (returns its letter in *cat, *neg) or a code point. */
static unsigned parse_escape(parser *p, char *cat, char *neg)
{
    char c = p->s[p->i++];
    *cat = 0;
    *neg = 0;
    switch (c) {
    case 'w': case 'd': case 's': *cat = c; return 0;
    case 'W': case 'D': case 'S': *cat = (char)(c + 32); *neg = 1; return 0;
    case 'p': case 'P':
        *neg = c == 'P';
        if (p->s[p->i] == '{' && strchr("LZN", p->s[p->i + 1]) && p->s[p->i + 1] &&
            p->s[p->i + 2] == '}') {
            *cat = p->s[p->i + 1];
            p->i += 3;
        } else {
            p->err = 1;
        }
        return 0;
    case 'u': return parse_u(p);
    case 't': return '\t';
    case 'n': return '\n';
    case 'r': return '\r';
    case 'f': return '\f';
    case '\0': p->err = 1; p->i--; return 0;
    default:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            p->err = 1;   /* an escape we do not know: refuse rather than guess */
        if ((unsigned char)c >= 0x80) {
            p->i--;
            return parse_literal(p);
        }
        return (unsigned char)c;
    }
}

/* One class member: a category (added directly) or a code point (returned, *is_cp=1). */
static unsigned class_atom(parser *p, int *is_cp)
{
    *is_cp = 1;
    if (p->s[p->i] != '\\')
        return parse_literal(p);
    p->i++;
    char cat, neg;
    unsigned cp = parse_escape(p, &cat, &neg);
    if (cat) {
        add_item(p, 0, 0, cat, neg);
        *is_cp = 0;
    }
    return cp;
}

static int parse_class(parser *p)
{
    int node = new_node(p, RX_CLASS);
    if (node < 0)
        return -1;
    p->r->nodes[node].first = p->r->nitems;
    if (p->s[p->i] == '^') {
        p->r->nodes[node].negate = 1;
        p->i++;
    }
    while (!p->err && p->s[p->i] != ']') {
        if (p->s[p->i] == '\0' || p->s[p->i] == '[') {
            p->err = 1;   /* unterminated, or a nested class (not in AWS's subset) */
            break;
        }
        int is_cp;
        unsigned lo = class_atom(p, &is_cp), hi = lo;
        if (is_cp && p->s[p->i] == '-' && p->s[p->i + 1] != ']' && p->s[p->i + 1]) {
            p->i++;
            hi = class_atom(p, &is_cp);
            if (!is_cp || hi < lo)
                p->err = 1;
        }
        if (is_cp)
            add_item(p, lo, hi, 0, 0);
    }
    p->i++;
    p->r->nodes[node].count = p->r->nitems - p->r->nodes[node].first;
    return node;
}

static int parse_alts(parser *p, int group);

static int parse_group(parser *p)
{
    int type = RX_GROUP;
    if (p->s[p->i] == '?') {
        char k = p->s[p->i + 1];
        if (k == ':') type = RX_GROUP;
        else if (k == '!') type = RX_LOOK_NEG;
        else if (k == '=') type = RX_LOOK_POS;
        else p->err = 1;
        p->i += 2;
    }
    int node = new_node(p, type);
    if (node < 0 || p->err)
        return -1;
    parse_alts(p, node);
    if (p->s[p->i] != ')')
        p->err = 1;
    else
        p->i++;
    return node;
}

static int single_char_node(parser *p, unsigned lo, unsigned hi, char cat, char neg)
{
    int node = new_node(p, RX_CLASS);
    if (node < 0)
        return -1;
    p->r->nodes[node].first = p->r->nitems;
    add_item(p, lo, hi, cat, neg);
    p->r->nodes[node].count = 1;
    return node;
}

static int parse_atom(parser *p)
{
    char c = p->s[p->i++];
    char cat, neg;
    switch (c) {
    case '(': return parse_group(p);
    case '[': return parse_class(p);
    case '^': return new_node(p, RX_BOL);
    case '$': return new_node(p, RX_EOL);
    case '.': {
        /* Java's '.': anything but a line terminator. */
        int node = single_char_node(p, '\n', '\n', 0, 0);
        if (node >= 0) {
            p->r->nodes[node].negate = 1;
            add_item(p, '\r', '\r', 0, 0);
            add_item(p, 0x85, 0x85, 0, 0);
            add_item(p, 0x2028, 0x2029, 0, 0);
            p->r->nodes[node].count = 4;
        }
        return node;
    }
    case '\\': {
        unsigned cp = parse_escape(p, &cat, &neg);
        return single_char_node(p, cp, cp, cat, neg);
    }
    case '*': case '+': case '?': case '{': case ')': case '|': case ']':
        p->err = 1;
        return -1;
    default:
        p->i--;
        unsigned cp = parse_literal(p);
        return single_char_node(p, cp, cp, 0, 0);
    }
}

static int parse_int(parser *p)
{
    int v = 0, any = 0;
    while (p->s[p->i] >= '0' && p->s[p->i] <= '9') {
        v = v * 10 + (p->s[p->i++] - '0');
        any = 1;
        if (v > 100000)
            p->err = 1;
    }
    if (!any)
        p->err = 1;
    return v;
}

static void parse_quant(parser *p, rx_node *n)
{
    char c = p->s[p->i];
    if (c == '*' || c == '+' || c == '?') {
        n->min = c == '+';
        n->max = c == '?' ? 1 : -1;
        p->i++;
    } else if (c == '{') {
        p->i++;
        n->min = n->max = parse_int(p);
        if (p->s[p->i] == ',') {
            p->i++;
            n->max = p->s[p->i] == '}' ? -1 : parse_int(p);
        }
        if (p->s[p->i] != '}' || (n->max >= 0 && n->max < n->min)) {
            p->err = 1;
            return;
        }
        p->i++;
    } else {
        return;
    }
    c = p->s[p->i];
    if (c == '?' || c == '+' || c == '*' || c == '{')
        p->err = 1;   /* lazy/possessive/stacked quantifiers: not in the subset */
}

/* A sequence up to '|', ')' or the end; returns its head node or -1 if empty. */
static int parse_seq(parser *p)
{
    int head = -1, tail = -1;
    while (!p->err && p->s[p->i] && p->s[p->i] != '|' && p->s[p->i] != ')') {
        int node = parse_atom(p);
        if (node < 0 || p->err)
            return -1;
        parse_quant(p, &p->r->nodes[node]);
        if (tail >= 0)
            p->r->nodes[tail].next = node;
        else
            head = node;
        tail = node;
    }
    return head;
}

static void add_alt(parser *p, int group, int head)
{
    rx *r = p->r;
    int *a = grow(r->alts, &r->capalts, r->nalts + 1, sizeof *a);
    if (!a) {
        p->err = 1;
        return;
    }
    r->alts = a;
    a[r->nalts++] = head;
    r->nodes[group].count++;
}

/* Alternatives of a group. Alternatives of one group must be contiguous in
 * r->alts, so the heads are collected first and appended at the end. */
static int parse_alts(parser *p, int group)
{
    int heads[64], n = 0;
    for (;;) {
        int head = parse_seq(p);
        if (p->err || n == 64) {
            p->err = 1;
            return -1;
        }
        heads[n++] = head;
        if (p->s[p->i] != '|')
            break;
        p->i++;
    }
    p->r->nodes[group].first = p->r->nalts;
    p->r->nodes[group].count = 0;
    for (int i = 0; i < n; i++)
        add_alt(p, group, heads[i]);
    return p->err ? -1 : 0;
}

void pattern_free(rx *r)
{
    if (!r)
        return;
    free(r->nodes);
    free(r->items);
    free(r->alts);
    free(r);
}

rx *pattern_compile(const char *pattern)
{
    rx *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    parser p = {r, pattern, 0, 0};
    r->start = new_node(&p, RX_GROUP);
    if (r->start >= 0)
        parse_alts(&p, r->start);
    if (p.err || p.s[p.i] != '\0') {
        pattern_free(r);
        return NULL;
    }
    return r;
}
