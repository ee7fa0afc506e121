/* pattern_match.c - running a compiled AWS pattern (see pattern.c), UTF-8
 * decoding, and the cache of compiled patterns. */
#include "iamsh/pattern.h"
#include "pattern_int.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define STEP_CAP 2000000L   /* far above what any shipped pattern needs on max-length input */
#define DEPTH_CAP 4000      /* recursion frames: one group iteration costs about three */

size_t pattern_utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) { *cp = c; return 1; }
    else if ((c & 0xE0) == 0xC0) { len = 2; min = 0x80; c &= 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; min = 0x800; c &= 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; min = 0x10000; c &= 0x07; }
    else return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

size_t pattern_utf8_count(const char *s, size_t n)
{
    size_t count = 0, i = 0;
    unsigned cp;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
        } else {
            size_t len = pattern_utf8_decode((const unsigned char *)s + i, n - i, &cp);
            if (len == 0)
                return (size_t)-1;
            i += len;
        }
        count++;
    }
    return count;
}

/* --- matching --- */

enum { K_END, K_SEQ, K_REP, K_LOOK };

typedef struct cont {
    int kind;
    int node;           /* K_SEQ: sequence to continue with; K_REP: the group */
    int count;          /* K_REP: iterations done before this one */
    size_t start;       /* K_REP: where this iteration started */
    const struct cont *up;
} cont;

typedef struct mctx {
    const rx *r;
    const unsigned *cp;
    size_t n;
    long steps;
    int depth, abort;
} mctx;

static int in_category(char cat, unsigned c)
{
    switch (cat) {
    case 'w': return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9') || c == '_';
    case 'd': return c >= '0' && c <= '9';
    case 's': return c == ' ' || (c >= '\t' && c <= '\r');
    default: return pattern_unicode_in(cat, c);
    }
}

static int class_has(const rx *r, const rx_node *n, unsigned c)
{
    int hit = 0;
    for (int i = 0; i < n->count && !hit; i++) {
        const rx_item *it = &r->items[n->first + i];
        if (it->cat)
            hit = in_category(it->cat, c) != it->neg;
        else
            hit = c >= it->lo && c <= it->hi;
    }
    return hit != n->negate;
}

static int m_seq(mctx *m, int node, size_t pos, const cont *k);
static int m_group(mctx *m, int g, size_t pos, int count, const cont *after);

static int m_cont(mctx *m, size_t pos, const cont *k)
{
    switch (k->kind) {
    case K_END: return pos == m->n;
    case K_LOOK: return 1;
    case K_SEQ: return m_seq(m, k->node, pos, k->up);
    default: break;
    }
    /* K_REP: one iteration of group k->node ended at pos. An empty iteration
     * cannot make progress: stop repeating (min counts as met). */
    if (pos == k->start)
        return m_cont(m, pos, k->up);
    return m_group(m, k->node, pos, k->count + 1, k->up);
}

/* After node `node` matched up to pos: continue with its successor, then k. */
static int m_next(mctx *m, int node, size_t pos, const cont *k)
{
    int next = m->r->nodes[node].next;
    return next >= 0 ? m_seq(m, next, pos, k) : m_cont(m, pos, k);
}

static int tick(mctx *m)
{
    if (++m->steps > STEP_CAP || m->depth > DEPTH_CAP)
        m->abort = 1;
    return !m->abort;
}

static int m_group(mctx *m, int g, size_t pos, int count, const cont *after)
{
    const rx_node *n = &m->r->nodes[g];
    if (!tick(m))
        return 0;
    m->depth++;
    int ok = 0;
    if (n->max < 0 || count < n->max) {
        cont c = {K_REP, g, count, pos, after};
        for (int i = 0; i < n->count && !ok && !m->abort; i++) {
            int head = m->r->alts[n->first + i];
            ok = head >= 0 ? m_seq(m, head, pos, &c) : m_cont(m, pos, &c);
        }
    }
    if (!ok && !m->abort && count >= n->min)
        ok = m_cont(m, pos, after);
    m->depth--;
    return ok;
}

static int m_class(mctx *m, int node, size_t pos, const cont *k)
{
    const rx_node *n = &m->r->nodes[node];
    size_t avail = m->n - pos, most = n->max < 0 ? avail : (size_t)n->max;
    size_t got = 0;
    while (got < most && got < avail && class_has(m->r, n, m->cp[pos + got]))
        got++;
    if (got < (size_t)n->min)
        return 0;
    /* Greedy: the longest run first, then give back one at a time. */
    for (size_t i = got + 1; i-- > (size_t)n->min;) {
        if (!tick(m))
            return 0;
        if (m_next(m, node, pos + i, k))
            return 1;
    }
    return 0;
}

static int m_look(mctx *m, int node, size_t pos, const cont *k)
{
    const rx_node *n = &m->r->nodes[node];
    cont look = {K_LOOK, 0, 0, 0, NULL};
    int hit = 0;
    for (int i = 0; i < n->count && !hit && !m->abort; i++) {
        int head = m->r->alts[n->first + i];
        hit = head >= 0 ? m_seq(m, head, pos, &look) : 1;
    }
    if (m->abort || hit != (n->type == RX_LOOK_POS))
        return 0;
    return m_next(m, node, pos, k);
}

static int m_seq(mctx *m, int node, size_t pos, const cont *k)
{
    const rx_node *n = &m->r->nodes[node];
    if (!tick(m))
        return 0;
    m->depth++;
    int ok;
    if (n->type == RX_CLASS) {
        ok = m_class(m, node, pos, k);
    } else if (n->type == RX_GROUP) {
        cont next = {K_SEQ, n->next, 0, 0, k};
        ok = m_group(m, node, pos, 0, n->next >= 0 ? &next : k);
    } else if (n->min == 0) {
        ok = m_next(m, node, pos, k);   /* an optional zero-width assertion always holds */
    } else if (n->type == RX_BOL || n->type == RX_EOL) {
        ok = (n->type == RX_BOL ? pos == 0 : pos == m->n) && m_next(m, node, pos, k);
    } else {
        ok = m_look(m, node, pos, k);
    }
    m->depth--;
    return ok;
}

static int rx_run(const rx *r, const unsigned *cp, size_t n)
{
    mctx m = {r, cp, n, 0, 0, 0};
    cont end = {K_END, 0, 0, 0, NULL};
    int ok = m_group(&m, r->start, 0, 0, &end);
    return m.abort ? -1 : ok;
}

/* --- the cache: each pattern text compiled once ---
 * Keyed by the text (FNV-1a), not the pointer, so any caller is served right.
 * Compiled programs are immutable, so matching runs outside the lock. */

#define CACHE_SLOTS 256

static struct {
    char *text;
    rx *prog;
} cache[CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t text_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % CACHE_SLOTS;
}

static rx *cache_lookup_locked(const char *pattern)
{
    size_t h = text_hash(pattern);
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        size_t s = (h + i) % CACHE_SLOTS;
        if (!cache[s].text) {
            rx *r = pattern_compile(pattern);
            char *copy = r ? strdup(pattern) : NULL;
            if (!copy) {
                pattern_free(r);
                return NULL;
            }
            cache[s].text = copy;
            cache[s].prog = r;
            return r;
        }
        if (strcmp(cache[s].text, pattern) == 0)
            return cache[s].prog;
    }
    return NULL;
}

/* A compiled pattern; *owned when the caller must free it (cache full). */
static rx *pattern_get(const char *pattern, int *owned)
{
    pthread_mutex_lock(&cache_lock);
    rx *r = cache_lookup_locked(pattern);
    pthread_mutex_unlock(&cache_lock);
    *owned = 0;
    if (!r) {
        r = pattern_compile(pattern);
        *owned = r != NULL;
    }
    return r;
}

static int decode_all(const char *s, size_t len, unsigned *out, size_t *n)
{
    size_t i = 0, k = 0;
    while (i < len) {
        size_t l = pattern_utf8_decode((const unsigned char *)s + i, len - i, &out[k]);
        if (l == 0)
            return -1;
        i += l;
        k++;
    }
    *n = k;
    return 0;
}

int pattern_match(const char *pattern, const char *s, size_t len)
{
    if (!pattern || (!s && len))
        return -1;
    int owned;
    rx *r = pattern_get(pattern, &owned);
    if (!r)
        return -1;
    unsigned stack[256], *cp = stack;
    if (len > sizeof stack / sizeof stack[0]) {
        cp = len < SIZE_MAX / sizeof *cp ? malloc(len * sizeof *cp) : NULL;
        if (!cp) {
            if (owned)
                pattern_free(r);
            return -1;
        }
    }
    size_t n;
    int res = decode_all(s, len, cp, &n) == 0 ? rx_run(r, cp, n) : 0;
    if (cp != stack)
        free(cp);
    if (owned)
        pattern_free(r);
    return res;
}
