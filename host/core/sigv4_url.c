/* sigv4_url.c - the url side of SigV4: parsing an absolute url, the canonical
 * URI (path) and the canonical query string. Every byte sequence is handled:
 * lengths are explicit, nothing is read past len, nothing loops without progress. */
#include "iamsh/sigv4.h"

#include <stdlib.h>
#include <string.h>

#define URL_ERR(err, ...) err_set((err), AWS_ERR_PARAM, "InvalidURL", __VA_ARGS__)

static int is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_ctl(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

void sigv4_url_free(sigv4_url *u)
{
    if (!u)
        return;
    free(u->host); /* the block that path and query are in too */
    memset(u, 0, sizeof *u);
}

/* "http" or "https" (any case) before "://"; returns the default port, or 0. */
static int url_scheme(const char *s, size_t n, size_t *consumed, aws_err *err)
{
    const char *sep = NULL;
    for (size_t i = 0; i + 2 < n && i < 16 && !sep; i++)
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/')
            sep = s + i;
    if (!sep)
        return URL_ERR(err, "bad url: no scheme (expected http:// or https://)"), 0;
    size_t len = (size_t)(sep - s);
    *consumed = len + 3;
    if (len == 4 && strncasecmp(s, "http", 4) == 0)
        return 80;
    if (len == 5 && strncasecmp(s, "https", 5) == 0)
        return 443;
    return URL_ERR(err, "bad url: scheme must be http or https"), 0;
}

/* Decimal 1..65535, no sign, no leading zero. */
static long url_port(const char *s, size_t n)
{
    if (n == 0 || n > 5 || s[0] == '0')
        return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v <= 65535 ? v : -1;
}

/* Length of the host name at the start of the authority (a bracketed IPv6
 * literal or reg-name characters), or 0 when it is empty or malformed. */
static size_t url_host_len(const char *s, size_t n)
{
    size_t i = 0;
    if (n > 0 && s[0] == '[') {
        for (i = 1; i < n && s[i] != ']'; i++)
            if (!(is_alnum((unsigned char)s[i]) || s[i] == ':' || s[i] == '.'))
                return 0;
        return (i < n && i > 1) ? i + 1 : 0;
    }
    while (i < n && (is_alnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '.' || s[i] == '_' ||
                     s[i] == '~'))
        i++;
    return i;
}

/* authority = host [":" port]; the default port is dropped, others kept. The host's
 * length (with a port that is kept) in *hn. */
static int url_authority(const char *s, size_t n, int default_port, size_t *hn, aws_err *err)
{
    size_t hlen = url_host_len(s, n);
    if (n == 0)
        return URL_ERR(err, "bad url: empty host");
    if (hlen == 0 || (hlen < n && s[hlen] != ':'))
        return URL_ERR(err, "bad url: host has a character that is not allowed "
                            "(letters, digits, '-', '.', '_', '~' or [IPv6])");
    long port = default_port;
    if (hlen < n && (port = url_port(s + hlen + 1, n - hlen - 1)) < 0)
        return URL_ERR(err, "bad url: port must be a number from 1 to 65535");
    *hn = port == default_port ? hlen : n;
    return 0;
}

/* host, path ("/" when empty) and query (NULL when there is no '?') in one block. The
 * fragment is never sent, so it is dropped. */
static int url_parts(const char *host, size_t hn, const char *s, size_t n, sigv4_url *out,
                     aws_err *err)
{
    const char *hash = memchr(s, '#', n);
    if (hash)
        n = (size_t)(hash - s);
    const char *q = memchr(s, '?', n);
    size_t pn = q ? (size_t)(q - s) : n, qn = q ? n - pn - 1 : 0;
    const char *path = pn ? s : "/";
    pn = pn ? pn : 1;
    char *block = malloc(hn + 1 + pn + 1 + (q ? qn + 1 : 0));
    if (!block)
        return URL_ERR(err, "out of memory");
    out->host = memcpy(block, host, hn);
    out->host[hn] = '\0';
    out->path = out->host + hn + 1;
    memcpy(out->path, path, pn);
    out->path[pn] = '\0';
    if (q) {
        out->query = out->path + pn + 1;
        memcpy(out->query, q + 1, qn);
        out->query[qn] = '\0';
    }
    return 0;
}

static int url_check_bytes(const char *url, size_t len, aws_err *err)
{
    if (!url || len == 0)
        return URL_ERR(err, "bad url: empty");
    for (size_t i = 0; i < len; i++)
        if (is_ctl((unsigned char)url[i]))
            return URL_ERR(err, "bad url: control character at offset %zu", i);
    return 0;
}

int sigv4_parse_url(const char *url, size_t len, sigv4_url *out, aws_err *err)
{
    memset(out, 0, sizeof *out);
    if (url_check_bytes(url, len, err) != 0)
        return -1;
    size_t pos = 0;
    int default_port = url_scheme(url, len, &pos, err);
    if (default_port == 0)
        return -1;
    size_t end = pos;
    while (end < len && url[end] != '/' && url[end] != '?' && url[end] != '#')
        end++;
    if (memchr(url + pos, '@', end - pos))
        return URL_ERR(err, "bad url: user info ('@') is not supported");
    size_t hn = 0;
    if (url_authority(url + pos, end - pos, default_port, &hn, err) != 0 ||
        url_parts(url + pos, hn, url + end, len - end, out, err) != 0) {
        sigv4_url_free(out);
        return -1;
    }
    out->scheme = default_port == 80 ? "http" : "https";
    return 0;
}

/* --- canonical URI ---------------------------------------------------------------- */

/* Remove "", "." and ".." segments (RFC 3986 5.2.4 in spirit, as the AWS SDKs do);
 * a trailing '/' of the original path is kept. Writes into out (len bytes at most
 * plus 2), returns the new length. */
static size_t path_normalize(const char *p, size_t n, char *out)
{
    size_t o = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && p[j] != '/')
            j++;
        size_t seg = j - i;
        if (seg == 2 && p[i] == '.' && p[i + 1] == '.') {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--; /* drop the '/' before the popped segment */
        } else if (seg > 1 || (seg == 1 && p[i] != '.')) {
            out[o++] = '/';
            memcpy(out + o, p + i, seg);
            o += seg;
        }
        i = j + 1;
    }
    if (o == 0 || (n > 0 && p[n - 1] == '/'))
        out[o++] = '/';
    return o;
}

int sigv4_canonical_uri(const char *path, size_t len, int normalize, buf *out)
{
    if (len == 0)
        return buf_puts(out, "/");
    if (!normalize)
        return buf_urlencode(out, path, len, 1);
    char *tmp = malloc(len + 2);
    if (!tmp)
        return -1;
    size_t n = path_normalize(path, len, tmp);
    int rc = buf_urlencode(out, tmp, n, 1);
    free(tmp);
    return rc;
}

/* --- canonical query ------------------------------------------------------------- */

/* Percent-decode s into scratch (a malformed escape stays literal), then
 * append its RFC 3986 encoding to out. */
static int query_reencode(const char *s, size_t n, buf *scratch, buf *out)
{
    buf_reset(scratch);
    if (buf_urldecode(scratch, s, n, 0) != 0)
        return -1;
    return buf_urlencode(out, scratch->p, scratch->len, 0);
}

/* Offsets into the encoded buffer while it grows; pointers once it is final. */
typedef struct qparam {
    size_t key, key_len, val, val_len;
    const char *k, *v;
} qparam;

static int span_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c != 0)
        return c;
    return an < bn ? -1 : an > bn;
}

static int query_cmp(const void *pa, const void *pb)
{
    const qparam *a = pa, *b = pb;
    int c = span_cmp(a->k, a->key_len, b->k, b->key_len);
    return c != 0 ? c : span_cmp(a->v, a->val_len, b->v, b->val_len);
}

/* Encode one "k=v" piece into enc, recording its offsets in *qp. */
static int query_add(const char *s, size_t n, buf *scratch, buf *enc, qparam *qp)
{
    const char *eq = memchr(s, '=', n);
    size_t klen = eq ? (size_t)(eq - s) : n;
    qp->key = enc->len;
    if (query_reencode(s, klen, scratch, enc) != 0)
        return -1;
    qp->key_len = enc->len - qp->key;
    qp->val = enc->len;
    if (eq && query_reencode(eq + 1, n - klen - 1, scratch, enc) != 0)
        return -1;
    qp->val_len = enc->len - qp->val;
    return 0;
}

static size_t query_count(const char *q, size_t len)
{
    size_t count = 1;
    for (size_t i = 0; i < len; i++)
        count += q[i] == '&';
    return count;
}

static int query_join(qparam *qs, size_t nq, const char *base, buf *out)
{
    for (size_t i = 0; i < nq; i++) {
        qs[i].k = base + qs[i].key;
        qs[i].v = base + qs[i].val;
    }
    qsort(qs, nq, sizeof *qs, query_cmp);
    for (size_t i = 0; i < nq; i++) {
        if ((i && buf_append(out, "&", 1) != 0) || buf_append(out, qs[i].k, qs[i].key_len) != 0 ||
            buf_append(out, "=", 1) != 0 || buf_append(out, qs[i].v, qs[i].val_len) != 0)
            return -1;
    }
    return 0;
}

int sigv4_canonical_query(const char *query, size_t len, buf *out)
{
    if (!query || len == 0)
        return buf_append(out, "", 0);
    qparam *qs = malloc(query_count(query, len) * sizeof *qs);
    buf enc = BUF_INIT, scratch = BUF_INIT;
    size_t nq = 0;
    int rc = qs ? 0 : -1;
    for (size_t i = 0; rc == 0 && i <= len;) {
        const char *amp = memchr(query + i, '&', len - i);
        size_t plen = amp ? (size_t)(amp - (query + i)) : len - i;
        if (plen > 0)
            rc = query_add(query + i, plen, &scratch, &enc, &qs[nq++]);
        i += plen + 1;
    }
    if (rc == 0 && nq > 0)
        rc = query_join(qs, nq, enc.p, out);
    free(qs);
    buf_free(&enc);
    buf_free(&scratch);
    return rc;
}
