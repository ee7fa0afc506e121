/* json_python.c - JSON text exactly as Python's json.dumps writes it, because the AWS
 * CLI names its cache files after the SHA-1 of that text (botocore's cache keys) and
 * writes the files with it: ensure_ascii (every code point past '~' as \uXXXX, UTF-16
 * surrogate pairs beyond U+FFFF), ", " and ": " or the compact "," and ":", keys in
 * the order given or sorted. */
#include "iamsh/json.h"
#include "iamsh/utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct dumper {
    buf *out;
    int flags;
    int rc;
} dumper;

static void put(dumper *d, const char *s)
{
    if (buf_puts(d->out, s) != 0)
        d->rc = -1;
}

static void put_u(dumper *d, unsigned u)
{
    char e[8];
    snprintf(e, sizeof e, "\\u%04x", u & 0xffffu);
    put(d, e);
}

/* One code point of a string (Python's py_encode_basestring_ascii). */
static void put_code_point(dumper *d, unsigned cp)
{
    static const char *const named[] = {
        ['"'] = "\\\"", ['\\'] = "\\\\", ['\n'] = "\\n", ['\r'] = "\\r",
        ['\t'] = "\\t", ['\b'] = "\\b",  ['\f'] = "\\f"};
    char c[2] = {(char)cp, '\0'};
    if (cp < sizeof named / sizeof *named && named[cp])
        put(d, named[cp]);
    else if (cp >= 0x20 && cp < 0x7f)
        put(d, c);
    else if (cp < 0x10000)
        put_u(d, cp);
    else {
        put_u(d, 0xd800 + ((cp - 0x10000) >> 10));
        put_u(d, 0xdc00 + ((cp - 0x10000) & 0x3ff));
    }
}

/* The code point at *p, which moves past it. A byte that is not UTF-8 stands for
 * itself (U+0000..U+00FF): Python never sees one, and this keeps every input writable. */
static unsigned next_code_point(const unsigned char **p, size_t *n)
{
    unsigned cp;
    size_t k = utf8_decode(*p, *n, &cp);
    if (k == 0) {
        cp = **p;
        k = 1;
    }
    *p += k;
    *n -= k;
    return cp;
}

static void put_string(dumper *d, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    put(d, "\"");
    while (n > 0)
        put_code_point(d, next_code_point(&p, &n));
    put(d, "\"");
}

/* Integers as Python writes an int; other numbers as its float repr does: the fewest
 * significant digits that read back to the same double. */
static void put_number(dumper *d, double v)
{
    char num[40];
    if (isfinite(v) && v == floor(v) && fabs(v) < 9007199254740992.0)
        snprintf(num, sizeof num, "%lld", (long long)v);
    else if (isfinite(v))
        for (int digits = 1; digits <= 17; digits++) {
            snprintf(num, sizeof num, "%.*g", digits, v);
            if (strtod(num, NULL) == v)
                break;
        }
    else
        snprintf(num, sizeof num, "%s", isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
    put(d, num);
}

static void put_value(dumper *d, const cJSON *v, int depth);

/* Keys compare as Python's str: by code point, as put_string reads them. */
static int key_cmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    size_t m = strlen(a), n = strlen(b);
    while (m > 0 && n > 0) {
        unsigned x = next_code_point(&p, &m), y = next_code_point(&q, &n);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return (m > 0) - (n > 0);
}

typedef struct member {
    const cJSON *item;
    size_t pos; /* in the object: equal keys keep their order, as Python's sort does */
} member;

static int by_key(const void *a, const void *b)
{
    const member *x = a, *y = b;
    int c = key_cmp(x->item->string ? x->item->string : "", y->item->string ? y->item->string : "");
    return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* The members of an object in the order to write them (sorted with JSON_PY_SORT_KEYS);
 * NULL when memory runs out. */
static member *members(const dumper *d, const cJSON *obj, size_t *n)
{
    *n = 0;
    for (const cJSON *m = obj->child; m; m = m->next)
        (*n)++;
    member *list = malloc((*n ? *n : 1) * sizeof *list);
    size_t i = 0;
    for (const cJSON *m = obj->child; list && m; m = m->next, i++)
        list[i] = (member){m, i};
    if (list && (d->flags & JSON_PY_SORT_KEYS))
        qsort(list, *n, sizeof *list, by_key);
    return list;
}

static void put_object(dumper *d, const cJSON *obj, int depth)
{
    const char *sep = (d->flags & JSON_PY_COMPACT) ? "," : ", ";
    size_t n;
    member *list = members(d, obj, &n);
    if (!list) {
        d->rc = -1;
        return;
    }
    put(d, "{");
    for (size_t i = 0; i < n; i++) {
        if (i)
            put(d, sep);
        put_string(d, list[i].item->string ? list[i].item->string : "");
        put(d, (d->flags & JSON_PY_COMPACT) ? ":" : ": ");
        put_value(d, list[i].item, depth + 1);
    }
    put(d, "}");
    free(list);
}

static void put_array(dumper *d, const cJSON *arr, int depth)
{
    put(d, "[");
    for (const cJSON *e = arr->child; e; e = e->next) {
        put_value(d, e, depth + 1);
        if (e->next)
            put(d, (d->flags & JSON_PY_COMPACT) ? "," : ", ");
    }
    put(d, "]");
}

static void put_value(dumper *d, const cJSON *v, int depth)
{
    if (depth > JSON_PY_MAX_DEPTH)
        d->rc = -1;
    else if (cJSON_IsObject(v))
        put_object(d, v, depth);
    else if (cJSON_IsArray(v))
        put_array(d, v, depth);
    else if (cJSON_IsString(v))
        put_string(d, v->valuestring);
    else if (cJSON_IsNumber(v))
        put_number(d, v->valuedouble);
    else if (cJSON_IsBool(v))
        put(d, cJSON_IsTrue(v) ? "true" : "false");
    else
        put(d, "null");
}

int json_python_dumps(const cJSON *v, int flags, buf *out)
{
    dumper d = {out, flags, 0};
    put_value(&d, v, 0);
    return d.rc;
}
