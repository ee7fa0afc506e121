/* sigv4_verify.h - checking a received request's Signature Version 4, both forms:
 * the Authorization header and the query string (a presigned URL). The other side of
 * sigv4.h, for an endpoint: what the request claims (parse), whether its time is
 * within AWS's 15 minutes (time), whether the signature is right for a secret (verify).
 *
 * Pure: no clock (the time comes in), no I/O. Failures are filled in as AWS words them,
 * kind AWS_ERR_SERVICE with the code and HTTP status AWS answers:
 *   IncompleteSignature 400, SignatureDoesNotMatch 403, RequestExpired 400. */
#ifndef IAMSH_SIGV4_VERIFY_H
#define IAMSH_SIGV4_VERIFY_H
#include <stddef.h>
#include <time.h>

#include "iamsh/err.h"
#include "iamsh/sigv4.h"

/* A request as it arrived: nothing decoded or normalised. */
typedef struct sigv4_verify_request {
    const char *method;          /* "POST" */
    const char *path;            /* the request target before '?', raw ("/") */
    const char *query;           /* after '?', raw; NULL or "" when none */
    const sigv4_header *headers; /* every header line as received, in order, any case */
    size_t nheaders;
    const char *body; /* may be NULL when body_len is 0 */
    size_t body_len;
} sigv4_verify_request;

#define SIGV4_VERIFY_MAX_KEY 128     /* AWS's access key ids are 16 to 128 characters */
#define SIGV4_VERIFY_MAX_SIGNED 1024 /* the SignedHeaders list */

/* What a request's signature claims, read from the header or the query string. */
typedef struct sigv4_verify_auth {
    int presigned; /* 1: the query-string form */
    char access_key[SIGV4_VERIFY_MAX_KEY + 1];
    char date[9];       /* the scope's YYYYMMDD */
    char region[64];    /* the scope's region */
    char service[64];   /* the scope's service ("iam", "sts") */
    char timestamp[17]; /* X-Amz-Date: YYYYMMDDTHHMMSSZ */
    long expires;       /* X-Amz-Expires (query form), 0 when absent */
    char signed_headers[SIGV4_VERIFY_MAX_SIGNED];
    char signature[65];
    /* X-Amz-Security-Token: the header's value (pointing into the request) or the
     * query's, decoded (owned: free with sigv4_verify_auth_free). NULL when none. */
    const char *session_token;
    char *token_owned;
} sigv4_verify_auth;

/* Read the request's signature: 0 with auth filled; 1 when the request carries none
 * (no Authorization header and no X-Amz-Algorithm/X-Amz-Credential/X-Amz-Signature in
 * the query); -1 IncompleteSignature (or SignatureDoesNotMatch for a scope AWS refuses
 * that way) with AWS's words. */
int sigv4_verify_parse(const sigv4_verify_request *req, sigv4_verify_auth *auth, aws_err *err);
void sigv4_verify_auth_free(sigv4_verify_auth *auth);

/* AWS's clock rule: the timestamp no more than 15 minutes before or after now, and a
 * presigned request not past its X-Amz-Expires. 0, or -1 RequestExpired. */
#define SIGV4_VERIFY_SKEW 900
int sigv4_verify_time(const sigv4_verify_auth *auth, time_t now, aws_err *err);

/* Recompute the signature of req under secret, with the scope, timestamp and signed
 * headers auth names (paths normalised when normalize: every service but S3), and
 * compare in constant time. 0, or -1 SignatureDoesNotMatch. */
int sigv4_verify(const sigv4_verify_request *req, const sigv4_verify_auth *auth, const char *secret,
                 int normalize, aws_err *err);

/* The decoded value of the query (or form) parameter name, exact case, into out:
 * 1 found once, 0 absent, 2 given more than once, -1 out of memory. */
int sigv4_verify_query_param(const char *query, const char *name, buf *out);

#endif
