/* client.h - one AWS Query call: sign, send, retry (standard mode), classify the answer. */
#ifndef IAMSH_CLIENT_H
#define IAMSH_CLIENT_H
#include <stddef.h>
#include <time.h>
#include "iamsh/buf.h"
#include "iamsh/config.h"
#include "iamsh/creds.h"
#include "iamsh/err.h"
#include "iamsh/http.h"
#include "iamsh/retry.h"

typedef struct aws_client_opts {
    int max_attempts; /* >= 1; 0 means 3 */
    const char *ca_bundle;
    long connect_timeout_ms, timeout_ms;
    http_log_fn log; /* --debug wire log (already redacted), NULL for none */
    void *log_ud;
    time_t (*now)(void);               /* NULL: time(NULL); tests freeze the clock */
    double (*rand01)(void);            /* NULL: a random double in [0,1); tests make it 0 */
    void (*sleep_fn)(double seconds);  /* NULL: nanosleep */
    volatile sig_atomic_t *abort_flag; /* Ctrl-C: stop the transfer, make no retry */
    int read_only;                     /* --plan: call_op sends only read-only operations */
    size_t max_response;               /* the largest answer read; 0: the http default */
    http_exchange_fn exchange;         /* --local: requests answered in-process (http.h) */
    void *exchange_ud;
} aws_client_opts;

typedef struct aws_client {
    http_client *http;
    retry_quota quota;
    aws_client_opts opts;
    int attempts_last;       /* attempts made by the last call (tests read it) */
    long requests, answered; /* calls made; of them, answered by the endpoint (a result
                              * or an AWS error, not a transport failure): aws.stats() */
} aws_client;

aws_client *client_new(const aws_client_opts *opts, aws_err *err);
void client_free(aws_client *c);

/* POST a Query form body (already "Action=..&Version=..&...") to ep, signed with creds
 * (NULL: sent unsigned, for the operations the model marks so).
 * 2xx: resp holds the XML body, request_id the x-amzn-RequestId header ("" if none;
 * model_decode reads the body's), returns 0.
 * An AWS error document: err kind AWS_ERR_SERVICE with Code/Message/RequestId from
 * either layout (<ErrorResponse><Error>.. or <Response><Errors><Error>..), status set.
 * Unreadable error body: AWS_ERR_PARSE "ResponseParseError" (HTTP status kept).
 * Retries per the standard mode with c->quota. Returns -1 on failure. */
int client_query(aws_client *c, const aws_endpoint *ep, const aws_creds *creds, const char *body,
                 size_t body_len, buf *resp, char request_id[96], aws_err *err);

/* One attempt of a request: 0 with a 2xx answer in hr, or -1 with err filled and
 * classified (kind, code, status, timeout) for the retry policy. */
typedef int (*client_attempt_fn)(aws_client *c, void *ud, http_response *hr, aws_err *err);
/* The standard retry mode around any request (client_query's, client_json's): attempts
 * until one succeeds, the policy calls the error final, the attempts or the quota run
 * out, or Ctrl-C; sleeps the backoff in between. 0 with the answer in hr, or -1 with
 * the last attempt's err. Counts c->requests, answered and attempts_last. */
int client_retrying(aws_client *c, client_attempt_fn attempt, void *ud, http_response *hr,
                    aws_err *err);

/* A REST-JSON request (IAM Identity Center's portal and OIDC services, which take no
 * SigV4 signature: their proof is a bearer token or a client secret in the request). */
typedef struct client_json_request {
    const char *method;         /* "GET" or "POST" */
    const char *url;            /* absolute, query string included */
    const char *const *headers; /* more "Name: value" lines, NULL-terminated; may be NULL */
    const struct cJSON *body;   /* sent as application/json; NULL: no body */
} client_json_request;
/* Send req with retries (client_retrying). 2xx: *out is the JSON answer (an object;
 * the caller wipes and frees it). An error answer: AWS_ERR_SERVICE with the status, the
 * code from the body's "__type", its OAuth "error" (authorization_pending becomes
 * AuthorizationPendingException, as botocore names it) or the status
 * (401 UnauthorizedException, ...), the message from "message" or
 * "error_description". A 2xx answer that is not a JSON object: AWS_ERR_PARSE. */
int client_json(aws_client *c, const client_json_request *req, struct cJSON **out, aws_err *err);

/* Parse an AWS Query error document into err (code, message, request id). 0 or -1. */
int client_parse_error(const char *xml, size_t len, aws_err *err);

#endif
