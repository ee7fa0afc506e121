/* keypath.c - one builder for the paths of values inside parameters: validation's
 * messages, the Query serialiser's keys and aws.json's conversion errors. */
#include "iamsh/keypath.h"

#include <stdio.h>
#include <string.h>

static size_t append(keypath *p, const char *text)
{
    size_t old = p->len, n = strlen(text);
    if (n >= KEYPATH_MAX - old) {
        n = KEYPATH_MAX - 1 - old;
        p->overflow = 1;
    }
    memcpy(p->s + old, text, n);
    p->len = old + n;
    p->s[p->len] = '\0';
    return old;
}

size_t keypath_push(keypath *p, const char *name)
{
    size_t old = p->len;
    if (old)
        append(p, ".");
    append(p, name ? name : "");
    return old;
}

size_t keypath_push_index(keypath *p, long long i, int dotted)
{
    char seg[32];
    snprintf(seg, sizeof seg, dotted ? ".%lld" : "[%lld]", i);
    return append(p, seg);
}

void keypath_pop(keypath *p, size_t mark)
{
    if (mark <= p->len) {
        p->len = mark;
        p->s[mark] = '\0';
    }
}

size_t keypath_parent(const keypath *p)
{
    const char *dot = memrchr(p->s, '.', p->len);
    return dot ? (size_t)(dot - p->s) : 0;
}

const char *keypath_tail(const keypath *p, size_t max, char *out, size_t nout)
{
    if (p->len <= max)
        return p->s;
    size_t keep = max > 3 ? max - 3 : 0;
    snprintf(out, nout, "...%s", p->s + p->len - keep);
    return out;
}
