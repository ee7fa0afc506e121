/* endpoint.h - the request pipeline of a local IAM and STS endpoint, Lua-free: one HTTP
 * request in, one answer out, as AWS answers:
 *
 *   route      the service (the signature's scope, else Version, else the Action) and
 *              the operation (Action): InvalidAction, MissingAction
 *   faults     --faults: Throttling, a 500, a dropped connection, a delay
 *   sign-in    SigV4 (sigv4_verify) with the keys the backend knows: IncompleteSignature,
 *              RequestExpired, InvalidClientTokenId, ExpiredToken, SignatureDoesNotMatch,
 *              MissingAuthenticationToken; unsigned only for the model's unsigned ops
 *   parse      model_parse and model_validate_aws: ValidationError in AWS's words
 *   handle     the backend's handler, in one transaction of the backend's store
 *   render     model_render (committed only once the answer is rendered) or
 *              model_render_error
 *
 * The backend (state and handlers) is a table of callbacks; the transport (an HTTP
 * server, or the client's in-process exchange) owns the bytes on the wire. */
#ifndef IAMSH_ENDPOINT_H
#define IAMSH_ENDPOINT_H
#include <cJSON.h>
#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "iamsh/buf.h"
#include "iamsh/err.h"
#include "iamsh/model.h"
#include "iamsh/sigv4.h"

/* One request as the transport received it; nothing decoded. */
typedef struct endpoint_request {
    const char *method;          /* "POST", "GET" */
    const char *path;            /* the target before '?', raw */
    const char *query;           /* after '?', raw; NULL when none */
    const sigv4_header *headers; /* as received, in order */
    size_t nheaders;
    const char *body;
    size_t body_len;
    const char *source_ip; /* the peer's address, for the handlers ("127.0.0.1") */
} endpoint_request;

/* The answer. status 0 means: drop the connection without answering (a "reset" fault). */
typedef struct endpoint_response {
    int status;
    buf body; /* XML */
    char request_id[37];
    buf reason;         /* why a request was denied (or, softly, would have been): one line
                         * for the server's log and the X-Iamsh-Reason header; "" when none */
    double delay;       /* seconds the transport waits before answering (a "latency" fault) */
    char code[64];      /* the error code answered, "" on success (for the log) */
    char caller[512];   /* the caller's ARN when signed in, "" otherwise (for the log) */
    const model_op *op; /* the operation, NULL when routing failed */
    int fault;          /* enum endpoint_fault drawn for this request */
} endpoint_response;

void endpoint_response_free(endpoint_response *r);

/* What the backend knows about an access key. Strings are the backend's, valid until
 * its end callback; secret and token are wiped by the backend, never logged. */
typedef struct endpoint_creds {
    const char *secret;
    const char *session_token; /* NULL for long-term keys */
    double expires;            /* seconds since the epoch; 0: never */
    const char *caller;        /* the principal's ARN, for the log */
} endpoint_creds;

/* One call for the handler. */
typedef struct endpoint_call {
    const model_op *op;
    const cJSON *params; /* what model_parse made of the request, validated */
    const char *request_id;
    time_t now;
    const char *source_ip;
    int signed_in; /* the caller is the principal the last credentials call found */
} endpoint_call;

/* The backend: state and handlers. Each request runs begin, then credentials (when
 * signed), handle, and end (commit only when handle succeeded and the answer is
 * rendered). A callback failing returns -1 with err (an AWS error to answer with, or
 * AWS_ERR_INTERNAL for a 500). */
typedef struct endpoint_backend {
    void *ud;
    int (*begin)(void *ud, const model_op *op, aws_err *err);
    /* 0 found (out filled), 1 no such key, -1 err. */
    int (*credentials)(void *ud, const char *access_key, endpoint_creds *out, aws_err *err);
    /* 0 with *result (a cJSON the endpoint frees; NULL for no output), or -1 with err;
     * either way it may explain a denial in reason. */
    int (*handle)(void *ud, const endpoint_call *call, cJSON **result, buf *reason, aws_err *err);
    int (*end)(void *ud, int commit, aws_err *err);
} endpoint_backend;

/* --faults: probabilities of each fault per request, a fixed delay, a seed. */
enum endpoint_fault {
    ENDPOINT_FAULT_NONE = 0,
    ENDPOINT_FAULT_THROTTLE,     /* 400 Throttling "Rate exceeded", nothing done */
    ENDPOINT_FAULT_ERROR500,     /* 500 InternalFailure, nothing done */
    ENDPOINT_FAULT_RESET_BEFORE, /* the connection dropped, nothing done */
    ENDPOINT_FAULT_RESET_AFTER,  /* the change made and committed, then the connection dropped */
};

typedef struct endpoint_faults {
    double throttle, error500, reset; /* each 0..1; reset splits evenly before/after */
    double latency;                   /* seconds added to every answer */
    unsigned long long seed, state;   /* the generator: the same seed, the same draws */
    int active;
    pthread_mutex_t lock; /* draws come from one sequence, whatever thread asks */
} endpoint_faults;

/* "throttle=0.1,error500=0.05,reset=0.02,latency=5ms,seed=7" (any subset, any order;
 * latency in ms or s). 0, or -1 with a message naming the bad part. */
int endpoint_faults_parse(const char *spec, endpoint_faults *out, aws_err *err);
void endpoint_faults_free(endpoint_faults *f);
/* The next request's fault (thread-safe). */
enum endpoint_fault endpoint_faults_draw(endpoint_faults *f);
const char *endpoint_fault_name(int fault); /* "throttle", ..., "" for none */

typedef struct endpoint_opts {
    endpoint_faults *faults; /* NULL: none */
    time_t (*now)(void);     /* NULL: time(NULL); tests freeze the clock */
} endpoint_opts;

/* Answer req into resp (initialised here; free with endpoint_response_free). Never
 * fails: whatever goes wrong is an answer (a 500 for the endpoint's own failures). */
void endpoint_serve(const endpoint_opts *opts, const endpoint_backend *backend,
                    const endpoint_request *req, endpoint_response *resp);

/* n bytes from the kernel's CSPRNG (getrandom(2)): fit for secrets. 0, or -1 when the
 * kernel gives none (then out is zeroed). */
int endpoint_random_bytes(void *out, size_t n);

/* splitmix64: the next of a sequence from *state (fast, not for secrets). */
unsigned long long endpoint_random(unsigned long long *state);

/* A new request id: a random UUID (version 4), as AWS's look. */
void endpoint_request_id(char out[37]);

#endif
