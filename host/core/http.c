/* http.c - the HTTP transport: one libcurl easy handle, reused so that the
 * connection to the endpoint stays alive between calls.
 *
 * libcurl is opened (dynlib) by the first client that sends through it: a client
 * whose requests go to an endpoint in this process (--local) never maps it.
 *
 * TLS verification is always on; proxies come from the environment (libcurl's
 * default, which we leave alone). Every line of the --debug wire log goes
 * through redact_text before it reaches the log callback. */
#include "iamsh/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iamsh/dynlib.h"
#include "iamsh/redact.h"

#define HTTP_DEFAULT_TIMEOUT_MS 60000L
/* Above IAM's largest real answers (a 1,000-entry GetAccountAuthorizationDetails page
 * of URL-encoded documents reaches ~20 MB), and what bounds the memory a hostile
 * endpoint can make us spend. IAMSH_MAX_RESPONSE changes it. */
#define HTTP_DEFAULT_MAX_BODY ((size_t)32 << 20)

struct http_client {
    CURL *h;
    char *ca_bundle;
    long connect_timeout_ms, timeout_ms;
    http_log_fn log;
    void *log_ud;
    volatile sig_atomic_t *abort_flag;
    size_t max_body;
    http_exchange_fn exchange;
    void *exchange_ud;
    char user_agent[128];
    char errbuf[CURL_ERROR_SIZE];
};

/* What the libcurl callbacks of one request write into. */
typedef struct http_call {
    http_client *c;
    const http_request *req;
    http_response *resp;
    int too_large, oom;
} http_call;

/* The libcurl functions used here; lc.f is curl_f. */
// clang-format off
#define CURL_FUNCTIONS(X) \
    X(global_init)    \
    X(easy_init)      \
    X(easy_cleanup)   \
    X(easy_reset)     \
    X(easy_setopt)    \
    X(easy_perform)   \
    X(easy_getinfo)   \
    X(easy_strerror)  \
    X(slist_append)   \
    X(slist_free_all) \
    X(version_info)
// clang-format on
static struct {
#define X(f) __typeof__(curl_##f) *f;
    CURL_FUNCTIONS(X)
#undef X
} lc;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static char curl_why[256]; /* why libcurl cannot be used; "" once it can */

static void load_curl(void)
{
    static const char *const names[] = {
#define X(f) "curl_" #f,
        CURL_FUNCTIONS(X)
#undef X
    };
    void *fns[sizeof names / sizeof *names];
    if (dynlib_open(IAMSH_LIBCURL, names, fns, sizeof names / sizeof *names, curl_why,
                    sizeof curl_why) != 0)
        return;
    size_t i = 0;
#define X(f) *(void **)&lc.f = fns[i++];
    CURL_FUNCTIONS(X)
#undef X
    CURLcode rc = lc.global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK)
        snprintf(curl_why, sizeof curl_why, "curl_global_init failed: %s", lc.easy_strerror(rc));
}

/* 0 when libcurl is loaded and initialised, else -1 saying why. */
static int curl_ready(aws_err *err)
{
    pthread_once(&curl_once, load_curl);
    return curl_why[0] ? err_set(err, AWS_ERR_INTERNAL, "InternalError", "%s", curl_why) : 0;
}

const char *http_library_version(void)
{
    return curl_ready(NULL) == 0 ? lc.version_info(CURLVERSION_NOW)->version : NULL;
}

http_client *http_client_new(const http_opts *opts, aws_err *err)
{
    int with_curl = !(opts && opts->exchange);
    if (with_curl && curl_ready(err) != 0)
        return NULL;
    http_client *c = calloc(1, sizeof *c);
    if (!c || (with_curl && !(c->h = lc.easy_init()))) {
        free(c);
        return err_set(err, AWS_ERR_INTERNAL, "InternalError", "out of memory"), NULL;
    }
    if (opts) {
        c->ca_bundle = opts->ca_bundle ? strdup(opts->ca_bundle) : NULL;
        c->connect_timeout_ms = opts->connect_timeout_ms;
        c->timeout_ms = opts->timeout_ms;
        c->log = opts->log;
        c->log_ud = opts->log_ud;
        c->abort_flag = opts->abort_flag;
        c->max_body = opts->max_body;
        c->exchange = opts->exchange;
        c->exchange_ud = opts->exchange_ud;
    }
    if (c->max_body == 0)
        c->max_body = HTTP_DEFAULT_MAX_BODY;
    if (opts && opts->ca_bundle && !c->ca_bundle) {
        http_client_free(c);
        return err_set(err, AWS_ERR_INTERNAL, "InternalError", "out of memory"), NULL;
    }
    if (with_curl)
        snprintf(c->user_agent, sizeof c->user_agent, "iamsh/%s curl/%s", IAMSH_VERSION,
                 lc.version_info(CURLVERSION_NOW)->version);
    else
        snprintf(c->user_agent, sizeof c->user_agent, "iamsh/%s", IAMSH_VERSION);
    return c;
}

void http_client_free(http_client *c)
{
    if (!c)
        return;
    if (c->h)
        lc.easy_cleanup(c->h);
    free(c->ca_bundle);
    free(c);
}

void http_response_free(http_response *resp)
{
    if (!resp)
        return;
    buf_wipe(&resp->body); /* bodies can carry fresh credentials */
    buf_free(&resp->headers);
    resp->status = 0;
    resp->request_id[0] = '\0';
}

/* ---- the --debug wire log ---- */

/* Redact the whole text first (a secret may span lines), then emit it line by line. */
static void log_text(const http_client *c, const char *prefix, const char *text, size_t len)
{
    buf red = BUF_INIT, line = BUF_INIT;

    if (!c->log || redact_text(text, len, &red) < 0 || !red.p) {
        buf_wipe(&red);
        return;
    }
    char *p = red.p, *end = red.p + red.len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *stop = nl ? nl : end;
        size_t n = (size_t)(stop - p);
        if (n && p[n - 1] == '\r')
            n--;
        buf_reset(&line);
        if (buf_puts(&line, prefix) == 0 && buf_append(&line, p, n) == 0)
            c->log(c->log_ud, line.p);
        p = nl ? nl + 1 : end;
    }
    buf_wipe(&line);
    buf_wipe(&red);
}

static void log_fmt(const http_client *c, const char *prefix, const char *s1, const char *s2)
{
    buf b = BUF_INIT;
    if (c->log && buf_printf(&b, "%s%s", s1, s2) == 0)
        log_text(c, prefix, b.p, b.len);
    buf_wipe(&b);
}

static void log_error(const http_client *c, const aws_err *err)
{
    log_fmt(c, "* error: ", err->message, "");
}

/* libcurl hands us the exact request header block it sent; the body follows it
 * in the log, from our own copy (libcurl's chunks could split a secret). */
static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
    const http_call *call = ud;
    if (type == CURLINFO_HEADER_OUT) {
        while (size && (data[size - 1] == '\n' || data[size - 1] == '\r'))
            size--;
        log_text(call->c, "> ", data, size);
        if (call->req->body && call->req->body_len)
            log_text(call->c, "> ", call->req->body, call->req->body_len);
    }
    return 0;
}

/* ---- response callbacks ---- */

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    http_call *call = ud;
    size_t len = size * n;
    if (len > call->c->max_body || call->resp->body.len > call->c->max_body - len) {
        call->too_large = 1;
        return 0;
    }
    if (buf_append(&call->resp->body, data, len) < 0) {
        call->oom = 1;
        return 0;
    }
    return len;
}

static void capture_request_id(http_response *resp, const char *line, size_t len)
{
    const char *colon = memchr(line, ':', len);
    if (!colon)
        return;
    size_t nlen = (size_t)(colon - line);
    if (!((nlen == 16 && strncasecmp(line, "x-amzn-RequestId", 16) == 0) ||
          (nlen == 16 && strncasecmp(line, "x-amz-request-id", 16) == 0)))
        return;
    const char *v = colon + 1, *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t vlen = (size_t)(end - v);
    if (vlen >= sizeof resp->request_id)
        vlen = sizeof resp->request_id - 1;
    memcpy(resp->request_id, v, vlen);
    resp->request_id[vlen] = '\0';
}

/* A Content-Length above the cap: the answer is refused before its body is read
 * (on_body still counts the bytes of an answer sent without one). */
static int announced_too_large(const http_call *call, const char *line, size_t len)
{
    static const char name[] = "content-length:";
    if (len <= sizeof name - 1 || strncasecmp(line, name, sizeof name - 1) != 0)
        return 0;
    size_t i = sizeof name - 1, v = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    for (; i < len && line[i] >= '0' && line[i] <= '9'; i++) {
        if (v > (call->c->max_body - (size_t)(line[i] - '0')) / 10)
            return 1;
        v = v * 10 + (size_t)(line[i] - '0');
    }
    return 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    http_call *call = ud;
    size_t len = size * n;
    /* A new status line (e.g. after "100 Continue") starts a new header set. */
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0)
        call->resp->request_id[0] = '\0';
    if (announced_too_large(call, data, len)) {
        call->too_large = 1;
        return 0;
    }
    capture_request_id(call->resp, data, len);
    while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        len--;
    if (len)
        log_text(call->c, "< ", data, len);
    return size * n;
}

/* ---- the request ---- */

static long pick(long req, long opt)
{
    if (req > 0)
        return req;
    return opt > 0 ? opt : HTTP_DEFAULT_TIMEOUT_MS;
}

static void set_method(CURL *h, const http_request *req)
{
    const char *m = req->method ? req->method : "GET";
    int has_body =
        strcmp(m, "GET") != 0 && (req->body || strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0);

    if (has_body) {
        lc.easy_setopt(h, CURLOPT_POST, 1L);
        lc.easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        lc.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body ? req->body_len : 0));
    } else {
        lc.easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    if (strcmp(m, "GET") != 0 && strcmp(m, "POST") != 0)
        lc.easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
}

/* The caller's headers, plus "Expect:" so large bodies go out without a 100-continue pause. */
static struct curl_slist *build_headers(const http_request *req, int *oom)
{
    struct curl_slist *list = NULL, *next;

    for (const char *const *h = req->headers; h && *h; h++) {
        if (!(next = lc.slist_append(list, *h)))
            goto fail;
        list = next;
    }
    if ((next = lc.slist_append(list, "Expect:")))
        return next;
fail:
    lc.slist_free_all(list);
    *oom = 1;
    return NULL;
}

/* Ctrl-C: a non-zero return makes libcurl abort the transfer. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    const http_client *c = ud;
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return c->abort_flag && *c->abort_flag ? 1 : 0;
}

static void set_options(http_client *c, const http_request *req, http_call *call,
                        struct curl_slist *headers)
{
    CURL *h = c->h;

    lc.easy_reset(h); /* keeps live connections, so keep-alive survives */
    lc.easy_setopt(h, CURLOPT_URL, req->url);
    lc.easy_setopt(h, CURLOPT_NOPROXY, req->no_proxy ? "*" : NULL);
#if LIBCURL_VERSION_NUM >= 0x075500
    lc.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    lc.easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    set_method(h, req);
    lc.easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    lc.easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
    lc.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    lc.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->ca_bundle)
        lc.easy_setopt(h, CURLOPT_CAINFO, c->ca_bundle);
    lc.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   pick(req->connect_timeout_ms, c->connect_timeout_ms));
    lc.easy_setopt(h, CURLOPT_TIMEOUT_MS, pick(req->timeout_ms, c->timeout_ms));
    lc.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    lc.easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
    lc.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    lc.easy_setopt(h, CURLOPT_WRITEDATA, call);
    lc.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    lc.easy_setopt(h, CURLOPT_HEADERDATA, call);
    if (c->abort_flag) {
        lc.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        lc.easy_setopt(h, CURLOPT_XFERINFODATA, c);
        lc.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
    if (c->log) {
        lc.easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
        lc.easy_setopt(h, CURLOPT_DEBUGDATA, call);
        lc.easy_setopt(h, CURLOPT_VERBOSE, 1L);
    }
}

/* The URL without its query string: safe to show in a message. */
static void url_for_message(const char *url, char *out, size_t n)
{
    size_t len = strcspn(url ? url : "", "?#");
    snprintf(out, n, "%.*s", (int)(len > 400 ? 400 : len), url ? url : "");
}

static const char *detail(const http_client *c, CURLcode rc)
{
    return c->errbuf[0] ? c->errbuf : lc.easy_strerror(rc);
}

/* Which limit fired: the total one can only fire once that much time has gone by
 * (connect time alone cannot tell: a reused connection reports 0). */
static int fail_timeout(http_client *c, const http_request *req, const char *u, aws_err *err)
{
    curl_off_t elapsed_us = 0;
    lc.easy_getinfo(c->h, CURLINFO_TOTAL_TIME_T, &elapsed_us);
    long total = pick(req->timeout_ms, c->timeout_ms);
    long conn = pick(req->connect_timeout_ms, c->connect_timeout_ms);
    int connecting = conn < total && elapsed_us / 1000 < total;
    err_set(err, AWS_ERR_TRANSPORT, "TransportError", "%s %s timed out after %ld ms",
            connecting ? "connecting to" : "request to", u, connecting ? conn : total);
    err->timeout = 1;
    return -1;
}

static int is_tls_error(CURLcode rc)
{
    switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_INITFAILED: return 1;
    default: return 0;
    }
}

static int fail_tls(const http_client *c, CURLcode rc, const char *u, aws_err *err)
{
    static const char cert[] = "SSL certificate problem: ";
    const char *d = detail(c, rc);
    if (strncmp(d, cert, sizeof cert - 1) == 0)
        return err_set(err, AWS_ERR_TRANSPORT, "TransportError",
                       "TLS certificate problem with %s: %s", u, d + sizeof cert - 1);
    return err_set(err, AWS_ERR_TRANSPORT, "TransportError", "TLS problem talking to %s: %s", u, d);
}

/* One clear line per libcurl failure. */
static int fail_transport(http_client *c, const http_request *req, const http_call *call,
                          CURLcode rc, aws_err *err)
{
    char u[512];
    url_for_message(req->url, u, sizeof u);
    const char *code = "TransportError";
    long os_errno = 0;
    lc.easy_getinfo(c->h, CURLINFO_OS_ERRNO, &os_errno);

    if (call->oom)
        return err_set(err, AWS_ERR_INTERNAL, "InternalError", "out of memory reading %s", u);
    if (call->too_large)
        return err_set(err, AWS_ERR_TRANSPORT, code,
                       "response from %s larger than %zu bytes (IAMSH_MAX_RESPONSE raises the cap)",
                       u, call->c->max_body);
    if (rc == CURLE_ABORTED_BY_CALLBACK)
        return err_set(err, AWS_ERR_TRANSPORT, "Interrupted", "request to %s interrupted", u);
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return fail_timeout(c, req, u, err);
    if (rc == CURLE_COULDNT_CONNECT)
        return err_set(err, AWS_ERR_TRANSPORT, code, "could not connect to %s: %s", u,
                       os_errno ? strerror((int)os_errno) : detail(c, rc));
    if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY)
        return err_set(err, AWS_ERR_TRANSPORT, code, "could not resolve host for %s: %s", u,
                       detail(c, rc));
    if (is_tls_error(rc))
        return fail_tls(c, rc, u, err);
    if (rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
        rc == CURLE_PARTIAL_FILE)
        return err_set(err, AWS_ERR_TRANSPORT, code, "connection to %s closed: %s", u,
                       detail(c, rc));
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL)
        return err_set(err, AWS_ERR_CONFIG, "InvalidEndpoint", "bad URL %s: %s", u, detail(c, rc));
    return err_set(err, AWS_ERR_TRANSPORT, code, "request to %s failed: %s", u, detail(c, rc));
}

static void log_request(http_client *c, const http_request *req)
{
    if (!c->log)
        return;
    buf b = BUF_INIT;
    if (buf_printf(&b, "%s %s", req->method ? req->method : "GET", req->url) == 0)
        log_text(c, "* ", b.p, b.len);
    buf_wipe(&b);
}

static void log_response(http_client *c, const http_request *req, const http_response *resp)
{
    char line[64];
    if (!c->log)
        return;
    snprintf(line, sizeof line, "%ld", resp->status);
    log_fmt(c, "* status: ", line, "");
    if (resp->body.len && req->secret_body) {
        snprintf(line, sizeof line, "<redacted: %zu bytes>", resp->body.len);
        log_fmt(c, "< ", line, "");
    } else if (resp->body.len) {
        log_text(c, "< ", resp->body.p, resp->body.len);
    }
}

/* The in-process endpoint: the same request, the same wire log, no socket. */
static int exchange_send(http_client *c, const http_request *req, http_response *resp, aws_err *err)
{
    log_request(c, req);
    for (const char *const *h = req->headers; c->log && h && *h; h++)
        log_text(c, "> ", *h, strlen(*h));
    if (c->log && req->body && req->body_len)
        log_text(c, "> ", req->body, req->body_len);
    buf_reset(&resp->headers);
    if (c->exchange(c->exchange_ud, req, resp, err) != 0) {
        log_error(c, err);
        return -1;
    }
    if (resp->headers.len)
        log_text(c, "< ", resp->headers.p, resp->headers.len);
    if (!resp->body.p && buf_append(&resp->body, "", 0) < 0)
        return err_set(err, AWS_ERR_INTERNAL, "InternalError", "out of memory");
    log_response(c, req, resp);
    return 0;
}

int http_send(http_client *c, const http_request *req, http_response *resp, aws_err *err)
{
    http_call call = {c, req, resp, 0, 0};
    int oom = 0;

    if (!c || !req || !req->url || !resp)
        return err_set(err, AWS_ERR_INTERNAL, "InternalError", "http_send: missing argument");
    buf_reset(&resp->body);
    resp->status = 0;
    resp->request_id[0] = '\0';
    c->errbuf[0] = '\0';
    if (c->exchange)
        return exchange_send(c, req, resp, err);
    struct curl_slist *headers = build_headers(req, &oom);
    if (oom)
        return err_set(err, AWS_ERR_INTERNAL, "InternalError", "out of memory");
    set_options(c, req, &call, headers);
    log_request(c, req);
    CURLcode rc = lc.easy_perform(c->h);
    lc.easy_setopt(c->h, CURLOPT_HTTPHEADER, NULL);
    lc.slist_free_all(headers);
    if (rc != CURLE_OK) {
        fail_transport(c, req, &call, rc, err);
        log_error(c, err);
        return -1;
    }
    lc.easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &resp->status);
    if (!resp->body.p && buf_append(&resp->body, "", 0) < 0)
        return err_set(err, AWS_ERR_INTERNAL, "InternalError", "out of memory");
    log_response(c, req, resp);
    return 0;
}
