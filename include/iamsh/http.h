/* http.h - the HTTP transport (libcurl), one easy handle reused for keep-alive. */
#ifndef IAMSH_HTTP_H
#define IAMSH_HTTP_H
#include <signal.h>
#include <stddef.h>
#include "iamsh/buf.h"
#include "iamsh/err.h"

typedef void (*http_log_fn)(void *ud, const char *line); /* one redacted line, no newline */

struct http_request;
struct http_response;
/* An endpoint in this process (iamsh --local): answers a request as a server would, in
 * place of libcurl. 0 with resp filled (any status), or -1 with a transport error. */
typedef int (*http_exchange_fn)(void *ud, const struct http_request *req,
                                struct http_response *resp, aws_err *err);

typedef struct http_opts {
    const char *ca_bundle;   /* NULL: system default; verification is always on */
    long connect_timeout_ms; /* 0: default 60000 */
    long timeout_ms;         /* whole-request timeout; 0: default 60000 */
    http_log_fn log;         /* NULL: no wire log (--debug sets it) */
    void *log_ud;
    /* When *abort_flag becomes non-zero (Ctrl-C), a transfer in progress stops with a
     * TransportError "interrupted". NULL: never. */
    volatile sig_atomic_t *abort_flag;
    size_t max_body;           /* the largest answer read; 0: 32 MiB */
    http_exchange_fn exchange; /* NULL: libcurl; else every request goes to it */
    void *exchange_ud;
} http_opts;

typedef struct http_request {
    const char *method; /* "GET", "PUT", "POST" */
    const char *url;
    const char *const *headers; /* "Name: value" strings, NULL-terminated, may be NULL */
    const char *body;
    size_t body_len;
    long timeout_ms;         /* overrides http_opts.timeout_ms when > 0 (IMDS: 1000) */
    long connect_timeout_ms; /* overrides when > 0 */
    int secret_body;         /* the answer is a secret (the IMDSv2 token): the log shows its size */
    int no_proxy;            /* reach the host directly, whatever the proxy settings say */
} http_request;

typedef struct http_response {
    long status;
    buf body;
    char request_id[96]; /* from x-amzn-RequestId / x-amz-request-id, "" if none */
    buf headers;         /* an exchange's answer headers, "Name: value\n" (the wire log) */
} http_response;

typedef struct http_client http_client;

http_client *http_client_new(const http_opts *opts, aws_err *err);
void http_client_free(http_client *c);
/* -1 only when no HTTP response was read: err kind AWS_ERR_TRANSPORT, code
 * "TransportError", err->timeout set for connect/read timeouts. Any status,
 * including 4xx/5xx, is a success here. */
int http_send(http_client *c, const http_request *req, http_response *resp, aws_err *err);
void http_response_free(http_response *resp);
/* libcurl's version ("7.88.1"), loading it if no client has; NULL when it cannot be
 * loaded. */
const char *http_library_version(void);

#endif
