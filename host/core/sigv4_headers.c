/* sigv4_headers.c - canonical headers and the signed-header list.
 *
 * Names are compared lower-cased without copying them; duplicates keep the
 * order they were given in (the sort breaks ties by position), because AWS
 * joins repeated headers in arrival order, not sorted. */
#include "iamsh/sigv4.h"

#include <stdlib.h>
#include <string.h>

/* A request's headers fit on the stack (a signature needs no allocation for them). */
#define HEADERS_ON_STACK 16

typedef struct hentry {
    const char *name, *value;
    size_t pos;
} hentry;

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* RFC 7230 token characters. */
static int is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int name_valid(const char *name)
{
    if (!name || !*name)
        return 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (!is_tchar(*p))
            return 0;
    return 1;
}

static int name_cmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    while (*x && lower(*x) == lower(*y)) {
        x++;
        y++;
    }
    return (int)lower(*x) - (int)lower(*y);
}

static int hentry_cmp(const void *pa, const void *pb)
{
    const hentry *a = pa, *b = pb;
    int c = name_cmp(a->name, b->name);
    if (c != 0)
        return c;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static void insertion_sort(hentry *h, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        hentry x = h[i];
        size_t j = i;
        for (; j > 0 && hentry_cmp(&h[j - 1], &x) > 0; j--)
            h[j] = h[j - 1];
        h[j] = x;
    }
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Trim, and fold each inner run of whitespace (line breaks of a multi-line value
 * included) to one space. Appends run by run, so it stays linear. */
static int value_append(buf *out, const char *v)
{
    const char *p = v ? v : "";
    while (is_space((unsigned char)*p))
        p++;
    while (*p) {
        const char *start = p;
        while (*p && !is_space((unsigned char)*p))
            p++;
        if (buf_append(out, start, (size_t)(p - start)) != 0)
            return -1;
        while (is_space((unsigned char)*p))
            p++;
        if (*p && buf_append(out, " ", 1) != 0)
            return -1;
    }
    return 0;
}

static int name_append(buf *out, const char *name)
{
    size_t n = strlen(name);
    size_t at = out->len;
    if (buf_append(out, name, n) != 0)
        return -1;
    for (size_t i = at; i < out->len; i++)
        out->p[i] = (char)lower((unsigned char)out->p[i]);
    return 0;
}

/* One canonical line per distinct name: "name:v1,v2\n"; adds name to signed. */
static int emit_group(const hentry *h, size_t n, buf *canonical, buf *signed_names)
{
    if ((signed_names->len && buf_append(signed_names, ";", 1) != 0) ||
        name_append(signed_names, h[0].name) != 0 || name_append(canonical, h[0].name) != 0 ||
        buf_append(canonical, ":", 1) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if ((i && buf_append(canonical, ",", 1) != 0) || value_append(canonical, h[i].value) != 0)
            return -1;
    return buf_append(canonical, "\n", 1);
}

static int emit_all(const hentry *h, size_t n, buf *canonical, buf *signed_names)
{
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && name_cmp(h[i].name, h[j].name) == 0)
            j++;
        if (emit_group(h + i, j - i, canonical, signed_names) != 0)
            return -1;
        i = j;
    }
    return 0;
}

int sigv4_canonical_headers(const sigv4_header *hdrs, size_t n, buf *canonical, buf *signed_names,
                            aws_err *err)
{
    if (n > (size_t)-1 / sizeof(hentry) - 1)
        return err_set(err, AWS_ERR_PARAM, "InvalidParameter", "too many headers to sign");
    hentry local[HEADERS_ON_STACK];
    hentry *h = n <= HEADERS_ON_STACK ? local : malloc(n * sizeof *h);
    if (!h)
        return err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!name_valid(hdrs[i].name)) {
            if (h != local)
                free(h);
            return err_set(err, AWS_ERR_PARAM, "InvalidParameter",
                           "header %zu: name is empty or has a character not allowed "
                           "in an HTTP header name",
                           i + 1);
        }
        h[i] = (hentry){hdrs[i].name, hdrs[i].value, i};
    }
    if (n <= HEADERS_ON_STACK)
        insertion_sort(h, n); /* a request's few headers: no call per comparison */
    else
        qsort(h, n, sizeof *h, hentry_cmp);
    int rc = emit_all(h, n, canonical, signed_names);
    if (h != local)
        free(h);
    if (rc != 0)
        return err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
    return 0;
}
