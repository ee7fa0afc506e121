/* sigv4.h - AWS Signature Version 4, Authorization-header flavour.
 *
 * Pure: no clock, no I/O. The caller passes the time as "YYYYMMDDTHHMMSSZ". */
#ifndef IAMSH_SIGV4_H
#define IAMSH_SIGV4_H
#include <stddef.h>
#include <time.h>
#include "iamsh/buf.h"
#include "iamsh/err.h"

typedef struct sigv4_header {
    const char *name;  /* any case; duplicates join with "," in the order given */
    const char *value; /* may contain newlines (multi-line values fold to one space) */
} sigv4_header;

typedef struct sigv4_request {
    const char *method;          /* "GET", "POST", ... */
    const char *url;             /* absolute: scheme://host[:port]/path[?query] */
    const sigv4_header *headers; /* signed as given, plus host and x-amz-date */
    size_t nheaders;
    const char *body; /* may be NULL (empty) */
    size_t body_len;
    const char *region, *service;
    const char *access_key, *secret_key;
    const char *session_token; /* NULL or "" when none */
    const char *timestamp;     /* "20150830T123600Z" */
    int normalize_path;        /* 1 for every service but S3 */
    int sign_body;             /* add and sign x-amz-content-sha256 */
} sigv4_request;

/* The four strings share one allocation, freed by sigv4_result_free. */
typedef struct sigv4_result {
    char *canonical_request;
    char *string_to_sign;
    char *authorization; /* "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." */
    char *host;          /* the host header value that was signed */
    char x_amz_date[17];
    char signature[65]; /* lower-case hex */
} sigv4_result;

/* 0 on success; -1 with err (kind AWS_ERR_PARAM) for a bad url, method or timestamp. */
int sigv4_sign(const sigv4_request *req, sigv4_result *out, aws_err *err);
void sigv4_result_free(sigv4_result *res);

/* The parts of an absolute URL the signer needs. Survives arbitrary bytes. host, path
 * and query share one allocation (freed by sigv4_url_free); scheme is "http" or "https". */
typedef struct sigv4_url {
    const char *scheme;
    char *host, *path,
        *query; /* host keeps a non-default port ("h:8080"); query without '?' or NULL */
} sigv4_url;
int sigv4_parse_url(const char *url, size_t len, sigv4_url *out, aws_err *err);
void sigv4_url_free(sigv4_url *u);

/* SHA-256 of data as 64 lower-case hex chars + NUL. */
void sigv4_sha256_hex(const void *data, size_t len, char out[65]);

/* t as SigV4's basic format, "20150830T123600Z" (the timestamp a request is signed with),
 * or "19700101T000000Z" for a time gmtime cannot convert. Formatted once a second: a
 * thread keeps its last. */
void sigv4_amz_date(time_t t, char out[17]);

/* The headers the signer added, as "Name: value" lines ready for http_request.headers:
 * X-Amz-Date, X-Amz-Security-Token (when signed), X-Amz-Content-Sha256 (when sign_body),
 * Authorization; NULL-terminated. The Host header is not included: libcurl sends it
 * from the url, with the same non-default port the signer used. Signs req with
 * sigv4_sign; 0 or -1 with err. Free with sigv4_headers_free (wipes the token line). */
#define SIGV4_MAX_ADDED_HEADERS 4
int sigv4_sign_headers(const sigv4_request *req, char *lines[SIGV4_MAX_ADDED_HEADERS + 1],
                       aws_err *err);
void sigv4_headers_free(char *lines[SIGV4_MAX_ADDED_HEADERS + 1]);

/* The signing steps, one function each (exposed for the tests and the fuzzer).
 * Each appends to its output buffers and returns 0, or -1 (ENOMEM, or bad input
 * where an err is taken). */

/* Path as given in the url (raw bytes), normalised (//, /./, /x/..) when normalize,
 * then percent-encoded once: a path that was already encoded is encoded again,
 * which is what every service but S3 expects. */
int sigv4_canonical_uri(const char *path, size_t len, int normalize, buf *out);
/* Query without '?': each name and value decoded, re-encoded (RFC 3986), pairs
 * sorted by encoded name then value, joined with '&'. Empty pieces are dropped. */
int sigv4_canonical_query(const char *query, size_t len, buf *out);
/* Canonical header block ("name:value\n" each, names lower-case, sorted, duplicate
 * names joined with ',' in the order given, values trimmed with inner whitespace
 * runs folded to one space) and the signed-header list ("a;b;c"). -1 with err for
 * an empty or non-token header name. */
int sigv4_canonical_headers(const sigv4_header *hdrs, size_t n, buf *canonical, buf *signed_names,
                            aws_err *err);

/* The signature (64 lower-case hex chars) of string_to_sign under the key derived from
 * req's secret_key, the date of its timestamp ("YYYYMMDD..."), its region and service:
 * the last step of signing, for a verifier that built the string to sign itself. */
int sigv4_signature(const sigv4_request *req, const char *string_to_sign, size_t len, char out[65],
                    aws_err *err);

#endif
