/* sigv4_verify.c - a received request's SigV4 signature, checked as AWS checks it.
 *
 * parse reads what the request claims (the Authorization header, or the X-Amz-* query
 * parameters of a presigned URL); time applies the 15-minute rule; verify rebuilds the
 * canonical request from the request as received (with the signer's own steps:
 * canonical URI, query and headers), signs it with the secret and compares the two
 * signatures in constant time. The messages are AWS's. */
#include "iamsh/sigv4_verify.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ALGORITHM "AWS4-HMAC-SHA256"
#define MISMATCH_TEXT                                                                       \
    "The request signature we calculated does not match the signature you provided. Check " \
    "your AWS Secret Access Key and signing method. Consult the service documentation for " \
    "details."

static int with_status(aws_err *err, long status)
{
    if (err)
        err->status = status;
    return -1;
}

#define INCOMPLETE(err, ...) \
    (err_set((err), AWS_ERR_SERVICE, "IncompleteSignature", __VA_ARGS__), with_status((err), 400))
#define MISMATCH(err, ...) \
    (err_set((err), AWS_ERR_SERVICE, "SignatureDoesNotMatch", __VA_ARGS__), with_status((err), 403))
#define EXPIRED(err, ...) \
    (err_set((err), AWS_ERR_SERVICE, "RequestExpired", __VA_ARGS__), with_status((err), 400))
#define NOMEM(err) err_set((err), AWS_ERR_INTERNAL, "InternalFailure", "out of memory")

/* --- reading the request ------------------------------------------------------------ */

/* The first header called name (any case), or NULL; *count how many there are. */
static const char *header_value(const sigv4_verify_request *req, const char *name, int *count)
{
    const char *v = NULL;
    int n = 0;
    for (size_t i = 0; i < req->nheaders; i++)
        if (req->headers[i].name && strcasecmp(req->headers[i].name, name) == 0 && n++ == 0)
            v = req->headers[i].value ? req->headers[i].value : "";
    if (count)
        *count = n;
    return v;
}

int sigv4_verify_query_param(const char *q, const char *name, buf *out)
{
    buf k = BUF_INIT;
    int found = 0;
    size_t nlen = strlen(name);
    for (const char *p = q ? q : ""; *p && found >= 0;) {
        size_t n = strcspn(p, "&"), klen = strcspn(p, "=&");
        buf_reset(&k);
        if (n && buf_urldecode(&k, p, klen, 0) != 0)
            found = -1;
        else if (n && k.len == nlen && memcmp(k.p, name, nlen) == 0 && found++ == 0) {
            buf_reset(out);
            const char *v = klen < n ? p + klen + 1 : p + n;
            if (buf_urldecode(out, v, (size_t)(p + n - v), 0) != 0 || buf_append(out, "", 0))
                found = -1;
        }
        p += n + (p[n] == '&');
    }
    buf_free(&k);
    return found > 1 ? 2 : found;
}

static int copy_field(char *dst, size_t size, const char *s, size_t n)
{
    if (n >= size)
        return -1;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

/* "YYYYMMDDTHHMMSSZ", digits where digits go. */
static int basic_iso8601(const char *s)
{
    static const char shape[] = "DDDDDDDDTDDDDDDZ";
    if (!s || strlen(s) != 16)
        return 0;
    for (int i = 0; i < 16; i++)
        if (shape[i] == 'D' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
            return 0;
    return 1;
}

/* "AKID/20150830/us-east-1/iam/aws4_request" into the auth's scope fields. */
static int read_credential(const char *cred, sigv4_verify_auth *auth, aws_err *err)
{
    const char *part[5];
    size_t len[5];
    const char *p = cred;
    int n = 0;
    for (; n < 5; n++) {
        part[n] = p;
        len[n] = strcspn(p, "/");
        p += len[n];
        if (*p != '/')
            break;
        p++;
    }
    if (n != 4 || *p)
        return INCOMPLETE(err,
                          "Credential should have exactly 5 slash-delimited elements, e.g. "
                          "keyid/date/region/service/term, got '%s'",
                          cred);
    if (len[0] == 0 || copy_field(auth->access_key, sizeof auth->access_key, part[0], len[0]) ||
        copy_field(auth->date, sizeof auth->date, part[1], len[1]) || len[1] != 8 ||
        copy_field(auth->region, sizeof auth->region, part[2], len[2]) || len[2] == 0 ||
        copy_field(auth->service, sizeof auth->service, part[3], len[3]) || len[3] == 0)
        return INCOMPLETE(err, "Credential '%s' has an element that is empty or too long", cred);
    if (len[4] != 12 || memcmp(part[4], "aws4_request", 12) != 0)
        return MISMATCH(err,
                        "Credential should be scoped with a valid terminator: 'aws4_request', "
                        "not '%s'.",
                        part[4]);
    return 0;
}

/* The scope's date must be the timestamp's. */
static int check_dates(const sigv4_verify_auth *auth, aws_err *err)
{
    if (!basic_iso8601(auth->timestamp))
        return INCOMPLETE(err,
                          "Date must be in ISO-8601 'basic format'. Got '%s'. See "
                          "http://en.wikipedia.org/wiki/ISO_8601",
                          auth->timestamp);
    if (memcmp(auth->date, auth->timestamp, 8) != 0)
        return MISMATCH(err,
                        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
                        "of date from HTTP: '%s' != '%.8s', from '%s'.",
                        auth->date, auth->timestamp, auth->timestamp);
    return 0;
}

/* --- the Authorization header --------------------------------------------------------- */

typedef struct header_parts {
    char credential[512];
    int have_credential, have_signed, have_signature;
} header_parts;

/* One "Name=value" component of the header, trimmed. */
static int header_component(const char *s, size_t n, header_parts *hp, sigv4_verify_auth *auth,
                            aws_err *err)
{
    const char *eq = memchr(s, '=', n);
    char shown[128];
    if (!eq) {
        snprintf(shown, sizeof shown, "%.*s", (int)(n < 100 ? n : 100), s);
        return INCOMPLETE(err,
                          "'%s' not a valid key=value pair (missing equal-sign) in Authorization "
                          "header",
                          shown);
    }
    size_t klen = (size_t)(eq - s), vlen = n - klen - 1;
    int rc = 0;
    if (klen == 10 && memcmp(s, "Credential", 10) == 0)
        rc = copy_field(hp->credential, sizeof hp->credential, eq + 1, vlen),
        hp->have_credential = 1;
    else if (klen == 13 && memcmp(s, "SignedHeaders", 13) == 0)
        rc = copy_field(auth->signed_headers, sizeof auth->signed_headers, eq + 1, vlen),
        hp->have_signed = 1;
    else if (klen == 9 && memcmp(s, "Signature", 9) == 0)
        rc = copy_field(auth->signature, sizeof auth->signature, eq + 1, vlen),
        hp->have_signature = 1;
    if (rc != 0)
        return MISMATCH(err, MISMATCH_TEXT);
    return 0;
}

/* AWS names every missing part in one message. */
static int missing_parts(const header_parts *hp, int have_date, aws_err *err)
{
    char msg[512] = "";
    if (!hp->have_credential)
        strcat(msg, "Authorization header requires 'Credential' parameter. ");
    if (!hp->have_signature)
        strcat(msg, "Authorization header requires 'Signature' parameter. ");
    if (!hp->have_signed)
        strcat(msg, "Authorization header requires 'SignedHeaders' parameter. ");
    if (!have_date)
        strcat(msg, "Authorization header requires existence of either a 'X-Amz-Date' or a "
                    "'Date' header (this endpoint reads 'X-Amz-Date'). ");
    if (!msg[0])
        return 0;
    msg[strlen(msg) - 1] = '\0';
    return INCOMPLETE(err, "%s", msg);
}

static int parse_header_form(const sigv4_verify_request *req, const char *authz,
                             sigv4_verify_auth *auth, aws_err *err)
{
    size_t alen = strcspn(authz, " ");
    if (alen != sizeof ALGORITHM - 1 || memcmp(authz, ALGORITHM, alen) != 0) {
        char alg[64];
        snprintf(alg, sizeof alg, "%.*s", (int)(alen < 60 ? alen : 60), authz);
        return INCOMPLETE(err, "Unsupported AWS 'algorithm': '%s' (expected " ALGORITHM ")", alg);
    }
    header_parts hp = {.credential = ""};
    /* Components are separated by commas and whitespace (AWS reads "Credential=AKID
     * /2015..." as two, the second without an equal sign). */
    for (const char *p = authz + alen; *p;) {
        p += strspn(p, ", \t");
        size_t n = strcspn(p, ", \t");
        if (n && header_component(p, n, &hp, auth, err) != 0)
            return -1;
        p += n;
    }
    int dates;
    const char *date = header_value(req, "X-Amz-Date", &dates);
    if (missing_parts(&hp, date != NULL, err) != 0)
        return -1;
    if (dates > 1)
        return INCOMPLETE(err, "X-Amz-Date is given more than once");
    snprintf(auth->timestamp, sizeof auth->timestamp, "%s", strlen(date) == 16 ? date : "?");
    if (!basic_iso8601(auth->timestamp))
        return INCOMPLETE(err,
                          "Date must be in ISO-8601 'basic format'. Got '%.40s'. See "
                          "http://en.wikipedia.org/wiki/ISO_8601",
                          date);
    auth->session_token = header_value(req, "X-Amz-Security-Token", NULL);
    return read_credential(hp.credential, auth, err);
}

/* --- the query-string form ------------------------------------------------------------ */

static int query_field(const char *q, const char *name, char *dst, size_t size, buf *tmp,
                       int *missing, aws_err *err)
{
    int rc = sigv4_verify_query_param(q, name, tmp);
    if (rc < 0)
        return err_set(err, AWS_ERR_INTERNAL, "InternalFailure", "out of memory");
    if (rc == 2)
        return INCOMPLETE(err, "The query-string parameter '%s' is given more than once", name);
    if (rc == 0) {
        *missing = 1;
        return 0;
    }
    if (copy_field(dst, size, tmp->p, tmp->len) != 0)
        return INCOMPLETE(err, "The query-string parameter '%s' is too long", name);
    return 0;
}

static int query_expires(const char *q, buf *tmp, long *expires, aws_err *err)
{
    int rc = sigv4_verify_query_param(q, "X-Amz-Expires", tmp);
    if (rc < 0)
        return err_set(err, AWS_ERR_INTERNAL, "InternalFailure", "out of memory");
    if (rc == 0)
        return 0;
    char *end;
    long v = rc == 1 && tmp->len ? strtol(tmp->p, &end, 10) : -1;
    if (rc != 1 || !tmp->len || *end || v < 1 || v > 604800)
        return INCOMPLETE(err,
                          "X-Amz-Expires must be a number of seconds from 1 to a week, 604800");
    *expires = v;
    return 0;
}

static int query_token(const char *q, buf *tmp, sigv4_verify_auth *auth, aws_err *err)
{
    int rc = sigv4_verify_query_param(q, "X-Amz-Security-Token", tmp);
    if (rc < 0 || (rc == 1 && !(auth->token_owned = buf_steal(tmp))))
        return err_set(err, AWS_ERR_INTERNAL, "InternalFailure", "out of memory");
    if (rc == 2)
        return INCOMPLETE(err, "X-Amz-Security-Token is given more than once");
    auth->session_token = auth->token_owned;
    return 0;
}

static int parse_query_form(const char *q, sigv4_verify_auth *auth, aws_err *err)
{
    buf tmp = BUF_INIT;
    char alg[64] = "", cred[512] = "";
    int missing = 0, rc = 0;
    rc = query_field(q, "X-Amz-Algorithm", alg, sizeof alg, &tmp, &missing, err) ||
         query_field(q, "X-Amz-Credential", cred, sizeof cred, &tmp, &missing, err) ||
         query_field(q, "X-Amz-Signature", auth->signature, sizeof auth->signature, &tmp, &missing,
                     err) ||
         query_field(q, "X-Amz-Date", auth->timestamp, sizeof auth->timestamp, &tmp, &missing,
                     err) ||
         query_field(q, "X-Amz-SignedHeaders", auth->signed_headers, sizeof auth->signed_headers,
                     &tmp, &missing, err) ||
         query_expires(q, &tmp, &auth->expires, err) || query_token(q, &tmp, auth, err);
    buf_wipe(&tmp);
    if (rc)
        return -1;
    if (missing)
        return INCOMPLETE(err, "AWS query-string parameters must include 'X-Amz-Algorithm', "
                               "'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', "
                               "'X-Amz-SignedHeaders'. Re-examine the query-string parameters.");
    if (strcmp(alg, ALGORITHM) != 0)
        return INCOMPLETE(err, "Unsupported AWS 'algorithm': '%s' (expected " ALGORITHM ")", alg);
    return read_credential(cred, auth, err);
}

/* --- parse ---------------------------------------------------------------------------- */

static int query_has_auth(const char *q)
{
    buf tmp = BUF_INIT;
    int found = sigv4_verify_query_param(q, "X-Amz-Algorithm", &tmp) ||
                sigv4_verify_query_param(q, "X-Amz-Credential", &tmp) ||
                sigv4_verify_query_param(q, "X-Amz-Signature", &tmp);
    buf_free(&tmp);
    return found;
}

int sigv4_verify_parse(const sigv4_verify_request *req, sigv4_verify_auth *auth, aws_err *err)
{
    aws_err scratch;
    if (!err)
        err = &scratch;
    memset(auth, 0, sizeof *auth);
    err_clear(err);
    int nauth;
    const char *authz = header_value(req, "Authorization", &nauth);
    int in_query = query_has_auth(req->query);
    if (!authz && !in_query)
        return 1;
    if (authz && in_query)
        return INCOMPLETE(err, "Found both 'X-Amz-Algorithm' as a query-string param and "
                               "'Authorization' as HTTP header.");
    if (nauth > 1)
        return INCOMPLETE(err, "The Authorization header is given more than once");
    auth->presigned = in_query;
    int rc = in_query ? parse_query_form(req->query, auth, err)
                      : parse_header_form(req, authz, auth, err);
    if (rc == 0)
        rc = check_dates(auth, err);
    if (rc != 0)
        sigv4_verify_auth_free(auth);
    return rc;
}

void sigv4_verify_auth_free(sigv4_verify_auth *auth)
{
    if (auth && auth->token_owned) {
        OPENSSL_cleanse(auth->token_owned, strlen(auth->token_owned));
        free(auth->token_owned);
    }
    if (auth) {
        auth->token_owned = NULL;
        auth->session_token = NULL;
    }
}

/* --- time ----------------------------------------------------------------------------- */

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static time_t timegm_basic(const char *ts)
{
    if (!basic_iso8601(ts)) /* digits where digits go: read without sscanf */
        return (time_t)-1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = digits(ts, 4) - 1900;
    tm.tm_mon = digits(ts + 4, 2) - 1;
    tm.tm_mday = digits(ts + 6, 2);
    tm.tm_hour = digits(ts + 9, 2);
    tm.tm_min = digits(ts + 11, 2);
    tm.tm_sec = digits(ts + 13, 2);
    return timegm(&tm);
}

static void format_basic(time_t t, char out[17])
{
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
        strcpy(out, "?");
}

/* A presigned URL is good from its X-Amz-Date for X-Amz-Expires seconds (AWS's 15
 * minutes when it names none); any request dated more than 15 minutes ahead is refused. */
int sigv4_verify_time(const sigv4_verify_auth *auth, time_t now, aws_err *err)
{
    time_t t = timegm_basic(auth->timestamp);
    long life = auth->presigned && auth->expires ? auth->expires : SIGV4_VERIFY_SKEW;
    char edge[17], nowtxt[17]; /* for the messages: made only for one */
    if (t == (time_t)-1)
        return INCOMPLETE(err, "Date must be in ISO-8601 'basic format'. Got '%s'.",
                          auth->timestamp);
    if (t > now + SIGV4_VERIFY_SKEW) {
        format_basic(now + SIGV4_VERIFY_SKEW, edge);
        format_basic(now, nowtxt);
        return EXPIRED(err, "Signature not yet current: %s is still later than %s (%s + 15 min.)",
                       auth->timestamp, edge, nowtxt);
    }
    if (life != SIGV4_VERIFY_SKEW && now > t + life) {
        format_basic(t + life, edge);
        format_basic(now, nowtxt);
        return EXPIRED(err, "Request has expired: it was valid until %s; now is %s", edge, nowtxt);
    }
    if (t < now - life) {
        format_basic(now - SIGV4_VERIFY_SKEW, edge);
        format_basic(now, nowtxt);
        return EXPIRED(err, "Signature expired: %s is now earlier than %s (%s - 15 min.)",
                       auth->timestamp, edge, nowtxt);
    }
    return 0;
}

/* --- verify --------------------------------------------------------------------------- */

/* Is name (any case) in the ';'-separated lower-case list? */
static int listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        size_t k = strcspn(p, ";");
        if (k == n && strncasecmp(p, name, n) == 0)
            return 1;
        p += k + (p[k] == ';');
    }
    return 0;
}

/* The raw query without its X-Amz-Signature pair (the query form signs the rest). */
static int query_without_signature(const char *q, buf *out)
{
    buf k = BUF_INIT;
    int rc = buf_append(out, "", 0);
    for (const char *p = q ? q : ""; *p && rc == 0;) {
        size_t n = strcspn(p, "&");
        buf_reset(&k);
        rc = buf_urldecode(&k, p, strcspn(p, "=&"), 0);
        if (rc == 0 && n && !(k.p && strcmp(k.p, "X-Amz-Signature") == 0))
            rc = (out->len && buf_append(out, "&", 1)) || buf_append(out, p, n);
        p += n + (p[n] == '&');
    }
    buf_free(&k);
    return rc;
}

/* The headers auth signed, in the order received (the signer joins repeats in order). */
static int signed_subset(const sigv4_verify_request *req, const sigv4_verify_auth *auth,
                         sigv4_header **out, size_t *n)
{
    *out = malloc((req->nheaders + 1) * sizeof **out);
    if (!*out)
        return -1;
    *n = 0;
    for (size_t i = 0; i < req->nheaders; i++)
        if (req->headers[i].name && listed(auth->signed_headers, req->headers[i].name))
            (*out)[(*n)++] = req->headers[i];
    return 0;
}

typedef struct verify_bufs {
    buf cr, names, query, sts;
} verify_bufs;

static int canonical_request(const sigv4_verify_request *req, const sigv4_verify_auth *auth,
                             int normalize, verify_bufs *b, aws_err *err)
{
    char payload[65];
    sigv4_header *h = NULL;
    size_t n = 0;
    const char *path = req->path && *req->path ? req->path : "/";
    int rc = signed_subset(req, auth, &h, &n);
    if (rc == 0 && auth->presigned)
        rc = query_without_signature(req->query, &b->query);
    else if (rc == 0)
        rc = buf_puts(&b->query, req->query ? req->query : "");
    rc = rc || buf_reserve(&b->cr, 1024) || buf_puts(&b->cr, req->method ? req->method : "") ||
         buf_append(&b->cr, "\n", 1) ||
         sigv4_canonical_uri(path, strlen(path), normalize, &b->cr) ||
         buf_append(&b->cr, "\n", 1) ||
         sigv4_canonical_query(b->query.p ? b->query.p : "", b->query.len, &b->cr) ||
         buf_append(&b->cr, "\n", 1);
    if (rc == 0 && sigv4_canonical_headers(h, n, &b->cr, &b->names, err) != 0)
        rc = MISMATCH(err, MISMATCH_TEXT);
    free(h);
    sigv4_sha256_hex(req->body, req->body ? req->body_len : 0, payload);
    if (rc == 0 && (buf_append(&b->cr, "\n", 1) || buf_puts(&b->cr, b->names.p ? b->names.p : "") ||
                    buf_append(&b->cr, "\n", 1) || buf_puts(&b->cr, payload)))
        rc = -1;
    if (rc != 0 && err->kind == AWS_ERR_NONE)
        err_set(err, AWS_ERR_INTERNAL, "InternalFailure", "out of memory");
    return rc ? -1 : 0;
}

/* AWS4-HMAC-SHA256 \n timestamp \n date/region/service/aws4_request \n hash */
static int string_to_sign(const sigv4_verify_auth *auth, const char *hash, buf *sts)
{
    const char *const parts[] = {
        ALGORITHM "\n", auth->timestamp,   "\n", auth->date, "/", auth->region, "/",
        auth->service,  "/aws4_request\n", hash};
    int rc = buf_reserve(sts, 256);
    for (size_t i = 0; rc == 0 && i < sizeof parts / sizeof *parts; i++)
        rc = buf_puts(sts, parts[i]);
    return rc;
}

static int signature_matches(const sigv4_verify_auth *auth, const char *secret, const buf *sts,
                             aws_err *err)
{
    sigv4_request r = {.secret_key = secret,
                       .timestamp = auth->timestamp,
                       .region = auth->region,
                       .service = auth->service};
    char mine[65];
    if (sigv4_signature(&r, sts->p, sts->len, mine, err) != 0)
        return -1;
    int same = strlen(auth->signature) == 64 && CRYPTO_memcmp(mine, auth->signature, 64) == 0;
    OPENSSL_cleanse(mine, sizeof mine);
    return same ? 0 : MISMATCH(err, MISMATCH_TEXT);
}

int sigv4_verify(const sigv4_verify_request *req, const sigv4_verify_auth *auth, const char *secret,
                 int normalize, aws_err *err)
{
    err_clear(err);
    if (!listed(auth->signed_headers, "host"))
        return INCOMPLETE(err, "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
                               "Authorization.");
    verify_bufs b = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT};
    char hash[65];
    int rc = canonical_request(req, auth, normalize, &b, err);
    if (rc == 0 && strcmp(b.names.p ? b.names.p : "", auth->signed_headers) != 0)
        rc = MISMATCH(err, MISMATCH_TEXT);
    if (rc == 0) {
        sigv4_sha256_hex(b.cr.p, b.cr.len, hash);
        if (string_to_sign(auth, hash, &b.sts) != 0)
            rc = err_set(err, AWS_ERR_INTERNAL, "InternalFailure", "out of memory");
    }
    if (rc == 0)
        rc = signature_matches(auth, secret, &b.sts, err);
    buf_wipe(&b.cr); /* holds the session token when it was signed */
    buf_free(&b.names);
    buf_wipe(&b.query);
    buf_free(&b.sts);
    return rc;
}
