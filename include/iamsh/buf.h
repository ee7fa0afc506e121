/* buf.h - a growable byte buffer, always NUL-terminated. */
#ifndef IAMSH_BUF_H
#define IAMSH_BUF_H
#include <stddef.h>
#include <string.h>

typedef struct buf {
    char *p; /* NULL until the first append; then NUL-terminated */
    size_t len;
    size_t cap;
} buf;

#define BUF_INIT \
    {            \
        0, 0, 0  \
    }

/* The slow path of buf_reserve: a first block, or a bigger one (doubling). */
int buf_grow(buf *b, size_t extra);

/* Room for extra more bytes and the NUL, without changing len. 0 or -1 (ENOMEM).
 * Inline, with buf_append: a signature or a call's body is built from dozens of
 * short appends that almost always fit (a call to each was a tenth of a signature). */
static inline int buf_reserve(buf *b, size_t extra)
{
    return b->cap && extra < b->cap - b->len ? 0 : buf_grow(b, extra); /* cap > len once set */
}

static inline int buf_append(buf *b, const void *data, size_t n) /* 0 or -1 (ENOMEM) */
{
    if (buf_reserve(b, n) != 0)
        return -1;
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static inline int buf_puts(buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* RFC 3986 percent-encoding: unreserved A-Z a-z 0-9 - _ . ~ kept, the rest %XX
 * (upper-case hex). With keep_slash, '/' is kept too (SigV4 paths). */
int buf_urlencode(buf *b, const char *s, size_t n, int keep_slash);
/* The inverse: %XX becomes its byte (a malformed escape stays as it is), and with
 * plus_is_space '+' becomes ' ' (HTML forms; not in paths or AWS's policy documents).
 * Appends; the result may hold NUL bytes (b->len counts them). */
int buf_urldecode(buf *b, const char *s, size_t n, int plus_is_space);
void buf_reset(buf *b);                /* len = 0, keeps memory */
void buf_truncate(buf *b, size_t len); /* back to len bytes (no-op when already shorter) */
void buf_free(buf *b);
/* Returns the string and hands ownership to the caller (never NULL: "" if empty; NULL on ENOMEM).
 */
char *buf_steal(buf *b);
/* Zero the bytes (for buffers that held secrets) then free. */
void buf_wipe(buf *b);

#endif
