/* sigv4.c - AWS Signature Version 4 (Authorization header), one step a function:
 * check the request, list the headers to sign, canonical request, string to sign,
 * signing key, signature, Authorization. Pure: the time comes in as an argument.
 * The secret is wiped as soon as it is used. The last few signing keys of each thread
 * are kept (deriving one is four of the five HMACs of a signature), as botocore and the
 * AWS SDKs keep theirs: each is scoped to one day, region and service, it is matched by
 * a SHA-256 digest of the secret (never the secret itself), it is held only inside an
 * HMAC context keyed with it (so the next signature starts from that context's state
 * without keying again), and it is wiped when the thread ends or the process exits,
 * and whenever another key takes its place. */
#include "iamsh/sigv4.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ALGORITHM "AWS4-HMAC-SHA256"

#define PARAM_ERR(err, ...) err_set((err), AWS_ERR_PARAM, "InvalidParameter", __VA_ARGS__)
#define NOMEM(err) err_set((err), AWS_ERR_INTERNAL, "OutOfMemory", "out of memory")

/* Lower-case hex, a byte's two digits at a time (three digests a signature). */
#define HEX_ROW(h) \
    h "0" h "1" h "2" h "3" h "4" h "5" h "6" h "7" h "8" h "9" h "a" h "b" h "c" h "d" h "e" h "f"
static const char hex_pairs[] = HEX_ROW("0") HEX_ROW("1") HEX_ROW("2") HEX_ROW("3") HEX_ROW("4")
    HEX_ROW("5") HEX_ROW("6") HEX_ROW("7") HEX_ROW("8") HEX_ROW("9") HEX_ROW("a") HEX_ROW("b")
        HEX_ROW("c") HEX_ROW("d") HEX_ROW("e") HEX_ROW("f");

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        memcpy(out + 2 * i, hex_pairs + 2 * in[i], 2);
    out[2 * n] = '\0';
}

/* libcrypto's algorithm objects, fetched once: in OpenSSL 3 a fetch per call costs
 * more than hashing an IAM request. They live until exit. */
static EVP_MD *sha256_md(void)
{
    static EVP_MD *md;
    if (!md)
        md = EVP_MD_fetch(NULL, "SHA256", NULL);
    return md;
}

static EVP_MAC *hmac_mac(void)
{
    static EVP_MAC *mac;
    if (!mac)
        mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    return mac;
}

/* --- checking the request ----------------------------------------------------- */

static int two_digits(const char *s, int lo, int hi)
{
    int v = (s[0] - '0') * 10 + (s[1] - '0');
    return v >= lo && v <= hi;
}

/* "YYYYMMDDTHHMMSSZ" with plausible field ranges: 0 or -1 with err. */
static int check_timestamp(const char *ts, aws_err *err)
{
    static const char shape[] = "DDDDDDDDTDDDDDDZ";
    int ok = ts && strnlen(ts, 17) == 16;
    for (int i = 0; ok && i < 16; i++)
        ok = shape[i] == 'D' ? (ts[i] >= '0' && ts[i] <= '9') : ts[i] == shape[i];
    ok = ok && two_digits(ts + 4, 1, 12) && two_digits(ts + 6, 1, 31) &&
         two_digits(ts + 9, 0, 23) && two_digits(ts + 11, 0, 59) && two_digits(ts + 13, 0, 60);
    if (!ok)
        return PARAM_ERR(err,
                         "bad timestamp: expected YYYYMMDDTHHMMSSZ (UTC), e.g. 20150830T123600Z");
    return 0;
}

/* Characters that may appear in a credential-scope field: a '/' or a space there
 * would change the scope's meaning, a control character would break the header. */
static int scope_safe(const char *s)
{
    if (!s || !*s)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f || *p == '/' || *p == ',' || *p == ';' || *p == '=')
            return 0;
    return 1;
}

static int header_safe(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        if (*p < ' ' || *p == 0x7f)
            return 0;
    return 1;
}

static int method_valid(const char *m)
{
    if (!m || !*m)
        return 0;
    for (const char *p = m; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '-' || *p == '_'))
            return 0;
    return 1;
}

static int check_request(const sigv4_request *req, aws_err *err)
{
    if (!method_valid(req->method))
        return PARAM_ERR(err, "bad method: expected an HTTP method such as GET or POST");
    if (!scope_safe(req->region) || !scope_safe(req->service))
        return PARAM_ERR(err, "bad region or service name for signing");
    if (!scope_safe(req->access_key))
        return err_set(err, AWS_ERR_CREDS, "InvalidCredentials",
                       "access key id is missing or malformed");
    if (!req->secret_key || !*req->secret_key)
        return err_set(err, AWS_ERR_CREDS, "InvalidCredentials", "secret access key is missing");
    if (!header_safe(req->session_token))
        return err_set(err, AWS_ERR_CREDS, "InvalidCredentials",
                       "session token has a control character");
    if (!req->body && req->body_len)
        return PARAM_ERR(err, "body is NULL but body_len is not 0");
    if (req->nheaders && !req->headers)
        return PARAM_ERR(err, "headers is NULL but nheaders is not 0");
    return check_timestamp(req->timestamp, err);
}

/* --- the headers to sign ------------------------------------------------------- */

static int has_token(const sigv4_request *req)
{
    return req->session_token && *req->session_token;
}

/* Headers the signer writes itself: a caller's copy would be signed twice. */
static int signer_owned(const sigv4_request *req, const char *name)
{
    return strcasecmp(name, "authorization") == 0 || strcasecmp(name, "x-amz-date") == 0 ||
           (has_token(req) && strcasecmp(name, "x-amz-security-token") == 0) ||
           (req->sign_body && strcasecmp(name, "x-amz-content-sha256") == 0);
}

/* A string's bytes without its leading and trailing blanks. */
typedef struct span {
    const char *p;
    size_t n;
} span;

static span trimmed(const char *v)
{
    v = v ? v : "";
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    return (span){v, n};
}

/* The caller's headers (minus signer-owned ones) plus host, x-amz-date and, when
 * asked for, x-amz-security-token and x-amz-content-sha256. out has room for
 * nheaders + 4. Sets *signed_host to the host value that will be signed. */
static size_t list_headers(const sigv4_request *req, const sigv4_url *u, const char *payload_hash,
                           sigv4_header *out, const sigv4_result *res, span *signed_host)
{
    size_t n = 0;
    const char *host = NULL;
    for (size_t i = 0; i < req->nheaders; i++) {
        const sigv4_header *h = &req->headers[i];
        if (h->name && signer_owned(req, h->name))
            continue;
        if (h->name && !host && strcasecmp(h->name, "host") == 0)
            host = h->value ? h->value : "";
        out[n++] = *h;
    }
    if (!host)
        out[n++] = (sigv4_header){"host", u->host};
    *signed_host = trimmed(host ? host : u->host);
    out[n++] = (sigv4_header){"x-amz-date", res->x_amz_date};
    if (has_token(req))
        out[n++] = (sigv4_header){"x-amz-security-token", req->session_token};
    if (req->sign_body)
        out[n++] = (sigv4_header){"x-amz-content-sha256", payload_hash};
    return n;
}

/* --- canonical request, string to sign -------------------------------------------- */

/* METHOD \n URI \n QUERY \n HEADERS \n SIGNED \n PAYLOAD-HASH; signed_names filled too. */
static int canonical_request(const sigv4_request *req, const sigv4_url *u, const sigv4_header *h,
                             size_t n, const char *payload_hash, buf *cr, buf *signed_names,
                             aws_err *err)
{
    if (buf_puts(cr, req->method) != 0 || buf_append(cr, "\n", 1) != 0 ||
        sigv4_canonical_uri(u->path, strlen(u->path), req->normalize_path, cr) != 0 ||
        buf_append(cr, "\n", 1) != 0 ||
        sigv4_canonical_query(u->query, u->query ? strlen(u->query) : 0, cr) != 0 ||
        buf_append(cr, "\n", 1) != 0)
        return NOMEM(err);
    if (sigv4_canonical_headers(h, n, cr, signed_names, err) != 0)
        return -1;
    if (buf_append(cr, "\n", 1) != 0 || buf_append(cr, signed_names->p, signed_names->len) != 0 ||
        buf_append(cr, "\n", 1) != 0 || buf_append(cr, payload_hash, 64) != 0)
        return NOMEM(err);
    return 0;
}

/* The hot path builds its strings with buf_append/buf_puts: buf_printf formats twice
 * (to measure, then to write), which cost a fifth of a signature. */
static int credential_scope(const sigv4_request *req, buf *scope)
{
    return buf_append(scope, req->timestamp, 8) || buf_append(scope, "/", 1) ||
                   buf_puts(scope, req->region) || buf_append(scope, "/", 1) ||
                   buf_puts(scope, req->service) || buf_puts(scope, "/aws4_request")
               ? -1
               : 0;
}

static int string_to_sign(const sigv4_request *req, const buf *scope, const buf *cr, buf *sts)
{
    char hash[65];
    sigv4_sha256_hex(cr->p, cr->len, hash);
    return buf_puts(sts, ALGORITHM "\n") || buf_puts(sts, req->timestamp) ||
                   buf_append(sts, "\n", 1) || buf_append(sts, scope->p, scope->len) ||
                   buf_append(sts, "\n", 1) || buf_append(sts, hash, 64)
               ? -1
               : 0;
}

/* --- signing key and signature ------------------------------------------------ */

static int hmac_sha256(EVP_MAC_CTX *ctx, const void *key, size_t klen, const void *data,
                       size_t dlen, unsigned char out[32])
{
    size_t outl = 0;
    if (!EVP_MAC_init(ctx, key, klen, NULL) || !EVP_MAC_update(ctx, data, dlen) ||
        !EVP_MAC_final(ctx, out, &outl, 32) || outl != 32)
        return -1;
    return 0;
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
static int derive_key(EVP_MAC_CTX *ctx, const sigv4_request *req, unsigned char key[32])
{
    buf k = BUF_INIT;
    unsigned char tmp[32];
    int rc = -1;
    if (buf_puts(&k, "AWS4") == 0 && buf_puts(&k, req->secret_key) == 0 &&
        hmac_sha256(ctx, k.p, k.len, req->timestamp, 8, key) == 0 &&
        hmac_sha256(ctx, key, 32, req->region, strlen(req->region), tmp) == 0 &&
        hmac_sha256(ctx, tmp, 32, req->service, strlen(req->service), key) == 0 &&
        hmac_sha256(ctx, key, 32, "aws4_request", 12, tmp) == 0) {
        memcpy(key, tmp, 32);
        rc = 0;
    }
    buf_wipe(&k);
    OPENSSL_cleanse(tmp, sizeof tmp);
    return rc;
}

/* A thread's signer: its HMAC-SHA256 context for deriving keys (keyed anew for each
 * use; setting its digest parameter fetches SHA256 again, so that is done once), its
 * digest context, and its last signing keys, each as an HMAC context keyed with it,
 * with what it was derived from: the scope ("date/region/service/access-key") and the
 * secret. A client or a server alternating IAM's and STS's scopes (or a few callers'
 * keys) keeps all of them; the least recently used makes way for a new one.
 *
 * The secret is kept as a copy, compared in constant time, rather than as its digest:
 * hashing it again for every signature was an eighth of a signature's time, and the
 * process holds the secret anyway (its credentials, the caller's strings). The copies
 * and the contexts (which hold the keys they were given) are wiped when replaced and
 * when freed (OPENSSL_clear_free, EVP_MAC_CTX_free). */
#define KEY_SCOPE_MAX 256
#define KEYS_KEPT 4

typedef struct signer {
    EVP_MAC_CTX *mac; /* keyed with the signing key; NULL until first used */
    char scope[KEY_SCOPE_MAX];
    char *secret; /* a copy of the secret it was derived from */
    size_t secret_len;
    unsigned long used; /* the cache's clock when last used; 0: empty */
} signer;

/* The strings a signature is built in. A thread keeps them (signing again needs no
 * allocation); the result is copied out of them into one block. */
typedef struct sign_bufs {
    buf cr, names, scope, sts, auth;
} sign_bufs;

typedef struct key_cache {
    sign_bufs bufs;
    EVP_MAC_CTX *ctx;
    EVP_MD_CTX *md; /* reused for every digest: a new one per digest costs more than hashing */
    signer keys[KEYS_KEPT];
    unsigned long clock;
} key_cache;

static EVP_MAC_CTX *hmac_ctx_new(void)
{
    EVP_MAC *mac = hmac_mac();
    EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (c && !EVP_MAC_CTX_set_params(c, params)) {
        EVP_MAC_CTX_free(c);
        c = NULL;
    }
    return c;
}

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_free(void *p)
{
    key_cache *c = p;
    if (c) {
        buf_wipe(&c->bufs.cr); /* may have held a session token */
        buf_free(&c->bufs.names);
        buf_free(&c->bufs.scope);
        buf_free(&c->bufs.sts);
        buf_free(&c->bufs.auth);
        EVP_MAC_CTX_free(c->ctx);
        EVP_MD_CTX_free(c->md);
        for (int i = 0; i < KEYS_KEPT; i++) {
            EVP_MAC_CTX_free(c->keys[i].mac);
            OPENSSL_clear_free(c->keys[i].secret, c->keys[i].secret_len);
        }
        OPENSSL_cleanse(c, sizeof *c);
        free(c);
    }
}

/* At exit, the cache of the thread that calls exit (key destructors do not run for it). */
static void cache_free_at_exit(void)
{
    cache_free(pthread_getspecific(cache_key));
    pthread_setspecific(cache_key, NULL);
}

static void cache_make_key(void)
{
    if (pthread_key_create(&cache_key, cache_free) == 0)
        atexit(cache_free_at_exit);
}

static key_cache *thread_cache(void)
{
    pthread_once(&cache_once, cache_make_key);
    key_cache *c = pthread_getspecific(cache_key);
    if (c)
        return c;
    if ((c = calloc(1, sizeof *c)) == NULL)
        return NULL;
    if ((c->ctx = hmac_ctx_new()) == NULL || (c->md = EVP_MD_CTX_new()) == NULL ||
        pthread_setspecific(cache_key, c) != 0) {
        cache_free(c);
        return NULL;
    }
    return c;
}

/* "YYYYMMDD/region/service/access-key" in out, or 0 when it does not fit (not cached). */
static int key_scope(const sigv4_request *req, char out[KEY_SCOPE_MAX])
{
    const char *part[] = {req->region, req->service, req->access_key ? req->access_key : ""};
    size_t n = 8;
    memcpy(out, req->timestamp, 8);
    for (size_t i = 0; i < sizeof part / sizeof *part; i++) {
        size_t len = strlen(part[i]);
        if (n + 1 + len >= KEY_SCOPE_MAX)
            return 0;
        out[n++] = '/';
        memcpy(out + n, part[i], len);
        n += len;
    }
    out[n] = '\0';
    return 1;
}

/* SHA-256 of data with the thread's digest context: 0 or -1. */
static int sha256(key_cache *c, const void *data, size_t len, unsigned char out[32])
{
    unsigned int n = 0;
    const EVP_MD *alg = sha256_md();
    if (!c || !alg || !EVP_DigestInit_ex(c->md, alg, NULL) || !EVP_DigestUpdate(c->md, data, len) ||
        !EVP_DigestFinal_ex(c->md, out, &n) || n != 32)
        return -1;
    return 0;
}

void sigv4_amz_date(time_t t, char out[17])
{
    static _Thread_local time_t last = -1;
    static _Thread_local char stamp[17];
    if (t != last) {
        struct tm tm;
        if (!gmtime_r(&t, &tm) || strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm) != 16)
            memcpy(stamp, "19700101T000000Z", sizeof stamp); /* the signer takes it; AWS won't */
        last = t;
    }
    memcpy(out, stamp, sizeof stamp);
}

void sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[32];
    if (sha256(thread_cache(), len ? data : "", len, md) != 0)
        memset(md, 0, 32); /* cannot happen with a working libcrypto; never a valid hash */
    hex_encode(md, 32, out);
}

/* The signer for req: the thread's one of that scope and secret, else the least
 * recently used made over with a key derived now. NULL on failure. */
static signer *find_signer(key_cache *c, const sigv4_request *req)
{
    char scope[KEY_SCOPE_MAX];
    unsigned char key[32];
    size_t secret_len = strlen(req->secret_key);
    if (!key_scope(req, scope))
        return NULL;
    signer *s = &c->keys[0];
    for (int i = 0; i < KEYS_KEPT; i++) {
        signer *k = &c->keys[i];
        if (k->used && strcmp(k->scope, scope) == 0 && k->secret_len == secret_len + 1 &&
            CRYPTO_memcmp(k->secret, req->secret_key, secret_len) == 0) {
            k->used = ++c->clock;
            return k;
        }
        if (k->used < s->used)
            s = k;
    }
    s->used = 0;
    OPENSSL_clear_free(s->secret, s->secret_len);
    s->secret = NULL;
    s->secret_len = 0;
    if (!s->mac && !(s->mac = EVP_MAC_CTX_dup(c->ctx))) /* its digest set: no fetch */
        return NULL;
    if (!(s->secret = OPENSSL_memdup(req->secret_key, secret_len + 1)))
        return NULL;
    s->secret_len = secret_len + 1; /* with its NUL: what OPENSSL_clear_free wipes */
    int rc = derive_key(c->ctx, req, key) == 0 && EVP_MAC_init(s->mac, key, 32, NULL);
    OPENSSL_cleanse(key, sizeof key);
    if (!rc)
        return NULL;
    memcpy(s->scope, scope, sizeof scope);
    s->used = ++c->clock;
    return s;
}

/* HMAC(signing key, string to sign): from the signer's keyed state when there is one
 * (EVP_MAC_init with no key starts again with the key it has), else keyed here (a
 * scope too long to keep). */
static int sign_with(key_cache *c, const sigv4_request *req, const buf *sts, unsigned char sig[32])
{
    signer *s = find_signer(c, req);
    if (!s) {
        unsigned char key[32];
        int rc = derive_key(c->ctx, req, key);
        if (rc == 0)
            rc = hmac_sha256(c->ctx, key, 32, sts->p, sts->len, sig);
        OPENSSL_cleanse(key, sizeof key);
        return rc;
    }
    size_t outl = 0;
    if (!EVP_MAC_init(s->mac, NULL, 0, NULL) ||
        !EVP_MAC_update(s->mac, (const unsigned char *)sts->p, sts->len) ||
        !EVP_MAC_final(s->mac, sig, &outl, 32) || outl != 32)
        return -1;
    return 0;
}

static int signature(const sigv4_request *req, const buf *sts, char out[65], aws_err *err)
{
    unsigned char sig[32];
    key_cache *c = thread_cache();
    int rc = c ? sign_with(c, req, sts, sig) : -1;
    if (rc == 0)
        hex_encode(sig, 32, out);
    OPENSSL_cleanse(sig, sizeof sig);
    if (rc != 0)
        return err_set(err, AWS_ERR_INTERNAL, "CryptoError", "HMAC-SHA256 failed in libcrypto");
    return 0;
}

int sigv4_signature(const sigv4_request *req, const char *string_to_sign, size_t len, char out[65],
                    aws_err *err)
{
    buf sts = {(char *)string_to_sign, len, len};
    if (!req || !req->secret_key || !req->timestamp || strnlen(req->timestamp, 8) < 8 ||
        !req->region || !req->service || (!string_to_sign && len))
        return PARAM_ERR(err, "sigv4_signature: missing secret, timestamp, region or service");
    return signature(req, &sts, out, err);
}

static int authorization(const sigv4_request *req, const buf *scope, const buf *signed_names,
                         const char *sig, buf *out)
{
    return buf_puts(out, ALGORITHM " Credential=") || buf_puts(out, req->access_key) ||
                   buf_append(out, "/", 1) || buf_append(out, scope->p, scope->len) ||
                   buf_puts(out, ", SignedHeaders=") ||
                   buf_append(out, signed_names->p, signed_names->len) ||
                   buf_puts(out, ", Signature=") || buf_puts(out, sig)
               ? -1
               : 0;
}

/* --- the pipeline -------------------------------------------------------------- */

/* A request's own headers fit on the stack, with the signer's four. */
#define SIGN_HEADERS_ON_STACK 12
/* A thread's buffers above this size are let go after a signature (a large request
 * does not keep its memory for the thread's life). */
#define SIGN_BUF_KEPT 16384

/* The buffers emptied for a signature, with room for this one's strings (reserved at
 * once: a canonical request grew through five reallocs). The canonical request holds
 * the method, path, query and headers with a few bytes of punctuation each, the
 * signed names and the payload hash. */
static int reserve_bufs(const sigv4_request *req, const sigv4_url *u, sign_bufs *b)
{
    buf *all[] = {&b->cr, &b->names, &b->scope, &b->sts, &b->auth};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        buf_reset(all[i]);
    size_t headers = 0;
    for (size_t i = 0; i < req->nheaders; i++)
        headers += strlen(req->headers[i].name ? req->headers[i].name : "") * 2 +
                   strlen(req->headers[i].value ? req->headers[i].value : "") + 4;
    size_t cr = 256 + strlen(u->path) * 3 + (u->query ? strlen(u->query) * 3 : 0) + headers +
                strlen(u->host) + (req->session_token ? strlen(req->session_token) : 0);
    return buf_reserve(&b->cr, cr) || buf_reserve(&b->names, 128 + headers / 2) ||
                   buf_reserve(&b->scope, 64) || buf_reserve(&b->sts, 192) ||
                   buf_reserve(&b->auth, 256 + strlen(req->access_key) + headers / 2)
               ? -1
               : 0;
}

/* After a signature: the canonical request wiped (it may hold the session token), and
 * any buffer that grew past SIGN_BUF_KEPT let go. */
static void release_bufs(sign_bufs *b)
{
    if (b->cr.p)
        OPENSSL_cleanse(b->cr.p, b->cr.len);
    if (b->cr.cap > SIGN_BUF_KEPT)
        buf_free(&b->cr);
    buf *rest[] = {&b->names, &b->scope, &b->sts, &b->auth};
    for (size_t i = 0; i < sizeof rest / sizeof *rest; i++)
        if (rest[i]->cap > SIGN_BUF_KEPT)
            buf_free(rest[i]);
}

/* The result's four strings, copied into one block (canonical_request starts it). */
static int take_results(const sign_bufs *b, span host, sigv4_result *out)
{
    const buf *from[] = {&b->cr, &b->sts, &b->auth};
    char **to[] = {&out->canonical_request, &out->string_to_sign, &out->authorization};
    char *p = malloc(b->cr.len + b->sts.len + b->auth.len + host.n + 4);
    if (!p)
        return -1;
    for (size_t i = 0; i < sizeof from / sizeof *from; i++) {
        *to[i] = memcpy(p, from[i]->p, from[i]->len + 1);
        p += from[i]->len + 1;
    }
    out->host = memcpy(p, host.p, host.n);
    out->host[host.n] = '\0';
    return 0;
}

static int sign_steps(const sigv4_request *req, const sigv4_url *u, sigv4_header *h, sign_bufs *b,
                      sigv4_result *out, aws_err *err)
{
    char payload_hash[65];
    span host;
    sigv4_sha256_hex(req->body, req->body_len, payload_hash);
    size_t n = list_headers(req, u, payload_hash, h, out, &host);
    if (canonical_request(req, u, h, n, payload_hash, &b->cr, &b->names, err) != 0)
        return -1;
    if (credential_scope(req, &b->scope) != 0 ||
        string_to_sign(req, &b->scope, &b->cr, &b->sts) != 0)
        return NOMEM(err);
    if (signature(req, &b->sts, out->signature, err) != 0)
        return -1;
    if (authorization(req, &b->scope, &b->names, out->signature, &b->auth) != 0 ||
        take_results(b, host, out) != 0)
        return NOMEM(err);
    return 0;
}

int sigv4_sign(const sigv4_request *req, sigv4_result *out, aws_err *err)
{
    memset(out, 0, sizeof *out);
    if (!req)
        return PARAM_ERR(err, "no request to sign");
    sigv4_url u;
    if (check_request(req, err) != 0 ||
        sigv4_parse_url(req->url, req->url ? strlen(req->url) : 0, &u, err) != 0)
        return -1;
    memcpy(out->x_amz_date, req->timestamp, 17);
    key_cache *c = thread_cache();
    sigv4_header local[SIGN_HEADERS_ON_STACK + 4];
    sigv4_header *h = req->nheaders <= SIGN_HEADERS_ON_STACK ? local : NULL;
    int rc = -1;
    if (!h && req->nheaders < (size_t)-1 / sizeof *h - 4)
        h = malloc((req->nheaders + 4) * sizeof *h);
    if (c && h && reserve_bufs(req, &u, &c->bufs) == 0)
        rc = sign_steps(req, &u, h, &c->bufs, out, err);
    else
        NOMEM(err); /* only here: a message is an snprintf, 7% of a signature */
    if (c)
        release_bufs(&c->bufs);
    if (h != local)
        free(h);
    sigv4_url_free(&u);
    if (rc != 0)
        sigv4_result_free(out);
    else
        err_clear(err);
    return rc;
}

void sigv4_result_free(sigv4_result *res)
{
    if (!res)
        return;
    if (res->canonical_request)
        OPENSSL_cleanse(res->canonical_request, strlen(res->canonical_request));
    free(res->canonical_request); /* the block the other three are in too */
    memset(res, 0, sizeof *res);
}

/* --- headers for the HTTP client ------------------------------------------------- */

void sigv4_headers_free(char *lines[SIGV4_MAX_ADDED_HEADERS + 1])
{
    for (int i = 0; lines && i < SIGV4_MAX_ADDED_HEADERS && lines[i]; i++) {
        OPENSSL_cleanse(lines[i], strlen(lines[i])); /* one of them holds the token */
        free(lines[i]);
        lines[i] = NULL;
    }
}

static char *header_line(const char *name, const char *value)
{
    buf b = BUF_INIT;
    if (buf_puts(&b, name) != 0 || buf_append(&b, ": ", 2) != 0 || buf_puts(&b, value) != 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}

int sigv4_sign_headers(const sigv4_request *req, char *lines[SIGV4_MAX_ADDED_HEADERS + 1],
                       aws_err *err)
{
    memset(lines, 0, (SIGV4_MAX_ADDED_HEADERS + 1) * sizeof *lines);
    sigv4_result res;
    if (sigv4_sign(req, &res, err) != 0)
        return -1;
    /* The canonical request ends with the payload hash: no need to hash the body again. */
    const char *payload_hash = res.canonical_request + strlen(res.canonical_request) - 64;
    int n = 0, ok = 1;
    ok = ok && (lines[n++] = header_line("X-Amz-Date", res.x_amz_date)) != NULL;
    if (ok && has_token(req))
        ok = (lines[n++] = header_line("X-Amz-Security-Token", req->session_token)) != NULL;
    if (ok && req->sign_body)
        ok = (lines[n++] = header_line("X-Amz-Content-Sha256", payload_hash)) != NULL;
    ok = ok && (lines[n++] = header_line("Authorization", res.authorization)) != NULL;
    sigv4_result_free(&res);
    if (!ok) {
        sigv4_headers_free(lines);
        return NOMEM(err);
    }
    return 0;
}
