#include "iamsh/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int buf_grow(buf *b, size_t extra)
{
    if (extra > (size_t)-1 / 2 - b->len)
        return -1;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

/* One vsnprintf into the room the buffer has (most texts fit), a second only when the
 * text did not: measuring first doubled the cost of every call (4% of a request to
 * the local endpoint). What a first pass that did not fit wrote is wiped before the
 * buffer grows, as a secret's bytes must not stay behind in the block realloc frees. */
int buf_printf(buf *b, const char *fmt, ...)
{
    if (!b->p && buf_reserve(b, 0) != 0)
        return -1;
    size_t room = b->cap - b->len; /* with the NUL's byte */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, room, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= room) {
        memset(b->p + b->len, 0, room);
        if (buf_reserve(b, (size_t)n) != 0)
            return -1;
        va_start(ap, fmt);
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    if (n < 0) {
        b->p[b->len] = '\0';
        return -1;
    }
    b->len += (size_t)n;
    return 0;
}

int buf_urlencode(buf *b, const char *s, size_t n, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    if (buf_reserve(b, n * 3) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
            b->p[b->len++] = (char)c;
        } else {
            b->p[b->len++] = '%';
            b->p[b->len++] = hex[c >> 4];
            b->p[b->len++] = hex[c & 15];
        }
    }
    b->p[b->len] = '\0';
    return 0;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 32); /* lower case */
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The byte "%XX" at s (n bytes left) stands for, or -1 when s is not such an escape. */
static int escaped_byte(const char *s, size_t n)
{
    int h = n >= 3 && s[0] == '%' ? hex_value(s[1]) : -1;
    int l = h >= 0 ? hex_value(s[2]) : -1;
    return l >= 0 ? h * 16 + l : -1;
}

int buf_urldecode(buf *b, const char *s, size_t n, int plus_is_space)
{
    if (buf_reserve(b, n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int byte = escaped_byte(s + i, n - i);
        char c = byte >= 0 ? (char)byte : (plus_is_space && s[i] == '+') ? ' ' : s[i];
        b->p[b->len++] = c;
        i += byte >= 0 ? 2 : 0;
    }
    b->p[b->len] = '\0';
    return 0;
}

void buf_reset(buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

void buf_truncate(buf *b, size_t len)
{
    if (b->p && len < b->len) {
        b->len = len;
        b->p[len] = '\0';
    }
}

void buf_free(buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

char *buf_steal(buf *b)
{
    if (!b->p && buf_reserve(b, 0) != 0)
        return NULL;
    b->p[b->len] = '\0';
    char *p = b->p;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

void buf_wipe(buf *b)
{
    if (b->p)
        explicit_bzero(b->p, b->cap); /* not optimised away, and word-at-a-time */
    buf_free(b);
}
