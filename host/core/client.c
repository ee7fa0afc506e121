/* client.c - one AWS Query call: sign, send, classify, retry (standard mode).
 *
 * Each attempt is signed afresh (a new X-Amz-Date), so a retry after a long
 * backoff never carries a stale signature. Error documents are read with
 * libxml2 under a no-network, no-entity, no-DTD, size-capped regime. */
#include "iamsh/client.h"
#include "iamsh/xml.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iamsh/sigv4.h"
#include "iamsh/redact.h"

#define CONTENT_TYPE_VALUE "application/x-www-form-urlencoded; charset=utf-8"
#define CONTENT_TYPE "Content-Type: " CONTENT_TYPE_VALUE
#define ERROR_XML_MAX (1u << 20) /* an AWS error document is a few hundred bytes */

/* ---- defaults for the injectable clock, randomness and sleep ---- */

static double default_rand01(void)
{
    static unsigned short state[3];
    static int seeded;
    if (!seeded) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long mix = (unsigned long)ts.tv_nsec ^ ((unsigned long)ts.tv_sec << 20) ^
                            (unsigned long)(size_t)&ts;
        state[0] = (unsigned short)mix;
        state[1] = (unsigned short)(mix >> 16);
        state[2] = (unsigned short)(mix >> 32);
        seeded = 1;
    }
    return erand48(state); /* jitter only spreads load; it need not be unpredictable */
}

static void default_sleep(double seconds)
{
    if (!(seconds > 0))
        return;
    if (seconds > INT_MAX) /* a service's interval: no cast of a double time_t cannot hold */
        seconds = INT_MAX;
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    /* A signal (Ctrl-C) ends the backoff early; the caller then sees the abort flag. */
    nanosleep(&ts, NULL);
}

aws_client *client_new(const aws_client_opts *opts, aws_err *err)
{
    aws_client *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(err, AWS_ERR_INTERNAL, "InternalError", "out of memory"), NULL;
    if (opts)
        c->opts = *opts;
    if (c->opts.max_attempts <= 0)
        c->opts.max_attempts = 3;
    if (!c->opts.rand01)
        c->opts.rand01 = default_rand01;
    if (!c->opts.sleep_fn)
        c->opts.sleep_fn = default_sleep;
    http_opts ho = {
        .ca_bundle = c->opts.ca_bundle,
        .connect_timeout_ms = c->opts.connect_timeout_ms,
        .timeout_ms = c->opts.timeout_ms,
        .log = c->opts.log,
        .log_ud = c->opts.log_ud,
        .abort_flag = c->opts.abort_flag,
        .max_body = c->opts.max_response,
        .exchange = c->opts.exchange,
        .exchange_ud = c->opts.exchange_ud,
    };
    if (!(c->http = http_client_new(&ho, err))) {
        free(c);
        return NULL;
    }
    c->opts.ca_bundle = NULL; /* copied by the http client; the caller's may not live */
    retry_quota_init(&c->quota);
    return c;
}

void client_free(aws_client *c)
{
    if (!c)
        return;
    http_client_free(c->http);
    free(c);
}

/* ---- error documents ---- */

/* The element's text, trimmed, into out (cut to size). */
/* el's text without the blanks around it: *n bytes at the result (owned: xmlFree). */
static const char *trimmed_text(const xmlNode *el, xmlChar **owned, size_t *n)
{
    const char *t = xml_text(el, owned);
    t += strspn(t, " \t\r\n");
    *n = strlen(t);
    while (*n && strchr(" \t\r\n", t[*n - 1]))
        (*n)--;
    return t;
}

static void text_of(const xmlNode *el, char *out, size_t size)
{
    xmlChar *owned;
    size_t n;
    const char *t = trimmed_text(el, &owned, &n);
    snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), t);
    xmlFree(owned);
}

/* The <Error> element and the element holding the request id, for each layout. */
static xmlNode *find_error(xmlNode *root, xmlNode **rid)
{
    if (xml_is(root, "ErrorResponse")) {
        *rid = xml_child(root, "RequestId");
        return xml_child(root, "Error");
    }
    if (xml_is(root, "Response")) {
        *rid = xml_child(root, "RequestID");
        if (!*rid)
            *rid = xml_child(root, "RequestId");
        return xml_child(xml_child(root, "Errors"), "Error");
    }
    if (xml_is(root, "Error")) { /* S3-style bare <Error>, seen from proxies and mocks */
        *rid = xml_child(root, "RequestId");
        return root;
    }
    return NULL;
}

static int fill_error(xmlNode *root, aws_err *err)
{
    xmlNode *rid = NULL;
    xmlNode *e = find_error(root, &rid);
    char code[64], request_id[sizeof err->request_id];

    text_of(xml_child(e, "Code"), code, sizeof code);
    if (!code[0])
        return -1;
    text_of(rid, request_id, sizeof request_id);
    xmlChar *owned;
    size_t n;
    const char *message = trimmed_text(xml_child(e, "Message"), &owned, &n);
    err_set(err, AWS_ERR_SERVICE, code, "%.*s", (int)n, message); /* whole: err.c keeps it */
    xmlFree(owned);
    memcpy(err->request_id, request_id, sizeof request_id);
    return 0;
}

int client_parse_error(const char *xml, size_t len, aws_err *err)
{
    aws_err scratch;
    if (!err)
        err = &scratch;
    xmlDoc *doc = xml_read(xml, len, ERROR_XML_MAX);
    if (!doc)
        return -1;
    int rc = fill_error(xmlDocGetRootElement(doc), err);
    xmlFreeDoc(doc);
    return rc;
}

/* ---- one attempt ---- */

static void timestamp_now(const aws_client *c, char ts[17])
{
    sigv4_amz_date(c->opts.now ? c->opts.now() : time(NULL), ts);
}

/* ep->url has no trailing '/': POST to its root, or to its path kept as given. */
static int endpoint_url(const aws_endpoint *ep, buf *url, aws_err *err)
{
    size_t n = strlen(ep->url);
    int rc = buf_puts(url, ep->url);
    if (rc == 0 && (n == 0 || ep->url[n - 1] != '/'))
        rc = buf_puts(url, "/");
    return rc == 0 ? 0 : err_set(err, AWS_ERR_INTERNAL, "InternalError", "out of memory");
}

/* Keep the first printable characters of a non-XML body, redacted, for the message. */
static void body_snippet(const buf *body, char *out, size_t size)
{
    buf red = BUF_INIT;
    size_t j = 0;
    if (body->len && redact_text(body->p, body->len < 200 ? body->len : 200, &red) == 0 && red.p)
        for (size_t i = 0; i < red.len && j + 1 < size && j < 80; i++)
            out[j++] = (red.p[i] >= 0x20 && red.p[i] < 0x7f) ? red.p[i] : ' ';
    out[j] = '\0';
    buf_wipe(&red);
}

/* A non-2xx answer: an AWS error document, or something unreadable. */
static int classify_error(const http_response *hr, aws_err *err)
{
    if (client_parse_error(hr->body.p, hr->body.len, err) != 0) {
        char snippet[96];
        body_snippet(&hr->body, snippet, sizeof snippet);
        err_set(err, AWS_ERR_PARSE, "ResponseParseError",
                "HTTP %ld with an unreadable error response (%zu bytes)%s%s", hr->status,
                hr->body.len, snippet[0] ? ": " : "", snippet);
    }
    err->status = hr->status;
    if (hr->request_id[0]) /* the header is authoritative; the body's is the fallback */
        memcpy(err->request_id, hr->request_id, sizeof err->request_id);
    return -1;
}

static int sign_headers(const aws_client *c, const aws_endpoint *ep, const aws_creds *creds,
                        const char *url, const char *body, size_t body_len,
                        char *lines[SIGV4_MAX_ADDED_HEADERS + 1], aws_err *err)
{
    char ts[17];
    timestamp_now(c, ts);
    sigv4_header ct = {"Content-Type", CONTENT_TYPE_VALUE};
    sigv4_request sr = {
        .method = "POST",
        .url = url,
        .headers = &ct,
        .nheaders = 1,
        .body = body,
        .body_len = body_len,
        .region = ep->signing_region,
        .service = ep->signing_name,
        .access_key = creds->access_key_id,
        .secret_key = creds->secret_access_key,
        .session_token = creds->session_token,
        .timestamp = ts,
        .normalize_path = 1,
        .sign_body = 0,
    };
    return sigv4_sign_headers(&sr, lines, err);
}

/* The request's headers: Content-Type, then what the signer added (none when the
 * request goes unsigned: creds NULL). */
static int request_headers(const aws_client *c, const aws_endpoint *ep, const aws_creds *creds,
                           const buf *url, const char *body, size_t body_len,
                           char *lines[SIGV4_MAX_ADDED_HEADERS + 1],
                           const char *headers[SIGV4_MAX_ADDED_HEADERS + 2], aws_err *err)
{
    lines[0] = NULL;
    if (creds && sign_headers(c, ep, creds, url->p, body, body_len, lines, err) != 0)
        return -1;
    size_t n = 0;
    headers[n++] = CONTENT_TYPE;
    for (size_t i = 0; lines[i]; i++)
        headers[n++] = lines[i];
    headers[n] = NULL;
    return 0;
}

static int attempt_once(aws_client *c, const aws_endpoint *ep, const aws_creds *creds,
                        const char *body, size_t body_len, http_response *hr, aws_err *err)
{
    buf url = BUF_INIT;
    char *lines[SIGV4_MAX_ADDED_HEADERS + 1];
    const char *headers[SIGV4_MAX_ADDED_HEADERS + 2];
    int rc = -1;

    if (endpoint_url(ep, &url, err) != 0)
        return -1;
    if (request_headers(c, ep, creds, &url, body, body_len, lines, headers, err) == 0) {
        http_request req = {
            .method = "POST", .url = url.p, .headers = headers, .body = body, .body_len = body_len};
        rc = http_send(c->http, &req, hr, err);
        sigv4_headers_free(lines);
    }
    buf_free(&url);
    if (rc != 0)
        return -1;
    if (hr->status >= 200 && hr->status < 300)
        return 0;
    return classify_error(hr, err);
}

/* ---- the call, with retries ---- */

static int check_args(const aws_client *c, const aws_endpoint *ep, const aws_creds *creds,
                      const char *body, aws_err *err)
{
    if (!c || !ep || !ep->url || !ep->signing_region || !ep->signing_name || !body)
        return err_set(err, AWS_ERR_INTERNAL, "InternalError",
                       "client_query: missing client, endpoint or body");
    if (creds && (!creds->access_key_id || !creds->secret_access_key))
        return err_set(err, AWS_ERR_CREDS, "NoCredentials", "no credentials to sign with");
    return 0;
}

static int deliver(http_response *hr, buf *resp, char request_id[96], aws_err *err)
{
    if (request_id)
        memcpy(request_id, hr->request_id, 96);
    if (resp) {
        buf_reset(resp);
        if (buf_append(resp, hr->body.p ? hr->body.p : "", hr->body.len) != 0)
            return err_set(err, AWS_ERR_INTERNAL, "InternalError", "out of memory");
    }
    err_clear(err);
    return 0;
}

/* Standard mode: retry when the policy says so, the attempts allow it and the
 * quota can pay; sleep a full-jitter backoff in between. */
static int may_retry(aws_client *c, int attempt, aws_err *err, int *cost)
{
    if (c->opts.abort_flag && *c->opts.abort_flag)
        return 0;
    if (!retry_is_retryable(err) || attempt >= c->opts.max_attempts)
        return 0;
    *cost = retry_quota_acquire(&c->quota, err->timeout);
    if (*cost == 0) {
        err_append(err, " (retry quota exhausted)");
        return 0;
    }
    c->opts.sleep_fn(retry_backoff(attempt, c->opts.rand01()));
    return !(c->opts.abort_flag && *c->opts.abort_flag);
}

int client_retrying(aws_client *c, client_attempt_fn attempt_fn, void *ud, http_response *hr,
                    aws_err *err)
{
    int attempt = 0, last_cost = 0, rc = -1;
    c->requests++;
    for (;;) {
        attempt++;
        if (attempt_fn(c, ud, hr, err) == 0) {
            retry_quota_release(&c->quota, last_cost);
            err_clear(err);
            rc = 0;
            break;
        }
        if (!may_retry(c, attempt, err, &last_cost))
            break;
    }
    c->attempts_last = attempt;
    c->answered += rc == 0 || err->kind == AWS_ERR_SERVICE;
    return rc;
}

typedef struct query_call {
    const aws_endpoint *ep;
    const aws_creds *creds;
    const char *body;
    size_t body_len;
} query_call;

static int query_attempt(aws_client *c, void *ud, http_response *hr, aws_err *err)
{
    const query_call *q = ud;
    return attempt_once(c, q->ep, q->creds, q->body, q->body_len, hr, err);
}

int client_query(aws_client *c, const aws_endpoint *ep, const aws_creds *creds, const char *body,
                 size_t body_len, buf *resp, char request_id[96], aws_err *err)
{
    aws_err scratch;
    http_response hr = {0, BUF_INIT, "", BUF_INIT};
    query_call q = {ep, creds, body, body_len};

    if (!err)
        err = &scratch;
    if (request_id)
        request_id[0] = '\0';
    if (check_args(c, ep, creds, body, err) != 0)
        return -1;
    int rc = client_retrying(c, query_attempt, &q, &hr, err);
    if (rc == 0)
        rc = deliver(&hr, resp, request_id, err);
    else if (request_id)
        memcpy(request_id, err->request_id, 96);
    http_response_free(&hr);
    return rc;
}
