/* endpoint.c - one request through the local endpoint's pipeline (see endpoint.h): route,
 * faults, sign-in, parse, handle, render. Every failure becomes AWS's answer for it;
 * the backend's transaction is committed only once the answer is rendered, so a
 * request that was not answered with success changed nothing (the "reset after"
 * fault aside, which drops the connection after the commit on purpose). */
#include "iamsh/endpoint.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "iamsh/model_parse.h"
#include "iamsh/model_render.h"
#include "iamsh/model_validate.h"
#include "iamsh/sigv4_verify.h"

#define FORM_TYPE "application/x-www-form-urlencoded"

typedef struct ectx {
    const endpoint_opts *opts;
    const endpoint_backend *b;
    const endpoint_request *req;
    endpoint_response *resp;
    const model_service *svc;
    const model_op *op;
    sigv4_verify_auth auth;
    int is_signed, in_txn;
    buf form; /* the parameters: the query less its signature, then the body */
    aws_err err;
    time_t now;
} ectx;

static int with_status(ectx *e, long status)
{
    e->err.status = status;
    return -1;
}

/* An AWS error answer: FAIL(e, code, status, printf-style message). */
#define FAIL(e, code, status, ...) \
    (err_set(&(e)->err, AWS_ERR_SERVICE, (code), __VA_ARGS__), with_status((e), (status)))
#define NOMEM(e) err_set(&(e)->err, AWS_ERR_INTERNAL, "InternalFailure", "out of memory")

static const char *header(const endpoint_request *req, const char *name)
{
    for (size_t i = 0; i < req->nheaders; i++)
        if (req->headers[i].name && strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value ? req->headers[i].value : "";
    return NULL;
}

/* --- the parameters -------------------------------------------------------------------- */

static int is_signature_param(const char *name)
{
    static const char *const names[] = {
        "X-Amz-Algorithm",     "X-Amz-Credential", "X-Amz-Date",           "X-Amz-Expires",
        "X-Amz-SignedHeaders", "X-Amz-Signature",  "X-Amz-Security-Token", NULL};
    for (int i = 0; names[i]; i++)
        if (strcmp(name, names[i]) == 0)
            return 1;
    return 0;
}

/* The query's pairs, those of a presigned URL's signature left out. */
static int add_query(ectx *e)
{
    buf k = BUF_INIT;
    int rc = 0;
    for (const char *p = e->req->query ? e->req->query : ""; *p && rc == 0;) {
        size_t n = strcspn(p, "&");
        buf_reset(&k);
        rc = buf_urldecode(&k, p, strcspn(p, "=&"), 1) || buf_append(&k, "", 0);
        if (rc == 0 && n && !(e->is_signed && e->auth.presigned && is_signature_param(k.p)))
            rc = (e->form.len && buf_append(&e->form, "&", 1)) || buf_append(&e->form, p, n);
        p += n + (p[n] == '&');
    }
    buf_free(&k);
    return rc;
}

/* A POST's body is parameters when it is a form (AWS's Query protocol). */
static int body_is_form(const endpoint_request *req)
{
    const char *ct = header(req, "Content-Type");
    return req->body_len && (!ct || strncasecmp(ct, FORM_TYPE, sizeof FORM_TYPE - 1) == 0);
}

static int build_form(ectx *e)
{
    int rc = add_query(e);
    if (rc == 0 && body_is_form(e->req))
        rc = (e->form.len && buf_append(&e->form, "&", 1)) ||
             buf_append(&e->form, e->req->body, e->req->body_len);
    return rc == 0 && buf_append(&e->form, "", 0) == 0 ? 0 : -1;
}

/* --- route ------------------------------------------------------------------------------ */

static const model_service *service_named(const char *name)
{
    if (strcmp(name, "iam") == 0 || strcmp(name, "sts") == 0)
        return model_service_find(name);
    return NULL;
}

static const model_service *service_of_version(const char *version)
{
    if (strcmp(version, model_service_iam.api_version) == 0)
        return &model_service_iam;
    if (strcmp(version, model_service_sts.api_version) == 0)
        return &model_service_sts;
    return NULL;
}

/* Signed for one service, an operation of the other: AWS's answer to a wrong scope. */
static int wrong_scope(ectx *e, const char *action, const char *version)
{
    const model_service *other =
        e->svc == &model_service_iam ? &model_service_sts : &model_service_iam;
    if (!model_op_find(other, action) || (version && strcmp(version, other->api_version) != 0))
        return 0;
    FAIL(e, "SignatureDoesNotMatch", 403, "Credential should be scoped to correct service: '%s'.",
         other->signing_name);
    return 1;
}

static int find_op(ectx *e, const char *action, const char *version)
{
    if (action[0] >= 'A' && action[0] <= 'Z')
        e->op = model_op_find(e->svc, action);
    if (e->op && version && strcmp(version, e->svc->api_version) != 0)
        e->op = NULL;
    if (e->op)
        return 0;
    if (e->is_signed && wrong_scope(e, action, version))
        return -1;
    return FAIL(e, "InvalidAction", 400, "Could not find operation %s for version %s", action,
                version ? version : e->svc->api_version);
}

/* The service: the scope's when signed, else the Version's, else the one that has
 * the Action; then the operation. */
static int route(ectx *e)
{
    buf action = BUF_INIT, version = BUF_INIT;
    int ra = sigv4_verify_query_param(e->form.p, "Action", &action);
    int rv = sigv4_verify_query_param(e->form.p, "Version", &version);
    int rc = 0;
    if (ra < 0 || rv < 0)
        rc = NOMEM(e);
    else if (ra != 1 || !action.len)
        rc = FAIL(e, ra == 2 ? "InvalidAction" : "MissingAction", 400, "%s",
                  ra == 2 ? "Action is given more than once" : "Missing Action");
    else if (e->is_signed && !(e->svc = service_named(e->auth.service)))
        rc = FAIL(e, "SignatureDoesNotMatch", 403,
                  "Credential should be scoped to correct service: 'iam' or 'sts', not '%s'.",
                  e->auth.service);
    if (rc == 0 && !e->svc && rv == 1)
        e->svc = service_of_version(version.p);
    if (rc == 0 && !e->svc)
        e->svc =
            model_op_find(&model_service_sts, action.p) ? &model_service_sts : &model_service_iam;
    if (rc == 0)
        rc = find_op(e, action.p, rv == 1 ? version.p : NULL);
    buf_free(&action);
    buf_free(&version);
    return rc;
}

/* --- sign-in ---------------------------------------------------------------------------- */

static int same_token(const char *a, const char *b)
{
    if (!a || !*a || !b || !*b)
        return (!a || !*a) && (!b || !*b);
    size_t n = strlen(a);
    return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}

static int invalid_token(ectx *e)
{
    return FAIL(e, "InvalidClientTokenId", 403,
                "The security token included in the request is invalid.");
}

static sigv4_verify_request as_received(const endpoint_request *r)
{
    return (sigv4_verify_request){r->method,   r->path, r->query,   r->headers,
                                  r->nheaders, r->body, r->body_len};
}

static int sign_in(ectx *e)
{
    endpoint_creds c = {0};
    if (sigv4_verify_time(&e->auth, e->now, &e->err) != 0)
        return -1;
    int rc = e->b->credentials(e->b->ud, e->auth.access_key, &c, &e->err);
    if (rc < 0)
        return -1;
    if (rc > 0 || !c.secret || !same_token(c.session_token, e->auth.session_token))
        return invalid_token(e);
    if (c.expires && c.expires < (double)e->now)
        return FAIL(e, "ExpiredToken", 403,
                    "The security token included in the request is expired");
    sigv4_verify_request vr = as_received(e->req);
    if (sigv4_verify(&vr, &e->auth, c.secret, 1, &e->err) != 0)
        return -1;
    snprintf(e->resp->caller, sizeof e->resp->caller, "%s", c.caller ? c.caller : "");
    return 0;
}

static int authenticate(ectx *e)
{
    if (e->is_signed)
        return sign_in(e);
    if (e->op->flags & MODEL_OP_UNSIGNED)
        return 0;
    return FAIL(e, "MissingAuthenticationToken", 403,
                "Request is missing Authentication Token: it must be signed (SigV4) with a "
                "valid access key ID");
}

/* --- handle and render ------------------------------------------------------------------ */

static int call_handler(ectx *e, cJSON *params)
{
    endpoint_call call = {e->op,       params, e->resp->request_id, e->now, e->req->source_ip,
                          e->is_signed};
    cJSON *result = NULL;
    int rc = e->b->handle(e->b->ud, &call, &result, &e->resp->reason, &e->err);
    if (rc == 0 && model_render(e->op, result, e->resp->request_id, &e->resp->body, &e->err) != 0) {
        /* a bug in a handler: the client gets an InternalFailure, the log the detail */
        buf_printf(&e->resp->reason, "the handler's result does not fit the output shape: %s",
                   e->err.message);
        rc = err_set(&e->err, AWS_ERR_INTERNAL, "InternalFailure", "bad result from a handler");
    }
    cJSON_Delete(result);
    return rc;
}

/* The parameters, read and checked before the backend is entered (its transaction is
 * the part of a request that runs one at a time); a failure is answered only once the
 * caller has signed in, as AWS ranks them. NULL with the error in *perr. */
static cJSON *read_params(ectx *e, aws_err *perr)
{
    cJSON *params = model_parse(e->op, e->form.p, e->form.len, perr);
    if (!params)
        perr->status = perr->kind == AWS_ERR_PARAM ? 400 : 500;
    else if (model_validate_aws(e->op, params, perr) != 0) {
        cJSON_Delete(params);
        params = NULL;
    }
    return params;
}

static int run_operation(ectx *e, cJSON *params, const aws_err *perr)
{
    if (!params) {
        e->err = *perr;
        return -1;
    }
    return call_handler(e, params);
}

/* --- the answer ------------------------------------------------------------------------- */

static long status_of(const aws_err *err)
{
    if (err->kind == AWS_ERR_INTERNAL || err->status >= 500)
        return err->status >= 500 ? err->status : 500;
    if (err->status >= 400)
        return err->status;
    return 400;
}

/* An error answer; the endpoint's own failures are AWS's InternalFailure to the client
 * (their detail goes to the reason, for the server's log). */
static void answer_error(ectx *e)
{
    aws_err out = e->err;
    out.status = status_of(&e->err);
    if (e->err.kind == AWS_ERR_INTERNAL) {
        if (!e->resp->reason.len)
            buf_printf(&e->resp->reason, "%s: %s", e->err.code, e->err.message);
        err_set(&out, AWS_ERR_SERVICE, "InternalFailure",
                "The request processing has failed because of an unknown error, exception or "
                "failure.");
        out.status = 500;
    }
    snprintf(out.request_id, sizeof out.request_id, "%s", e->resp->request_id);
    buf_reset(&e->resp->body);
    const model_service *svc = e->svc ? e->svc : &model_service_iam;
    if (model_render_error(svc, &out, &e->resp->body) != 0) {
        err_set(&out, AWS_ERR_SERVICE, "InternalFailure", "An error could not be rendered.");
        model_render_error(svc, &out, &e->resp->body);
    }
    e->resp->status = (int)out.status;
    snprintf(e->resp->code, sizeof e->resp->code, "%s", out.code);
}

static int finish(ectx *e, int ok)
{
    if (!e->in_txn)
        return ok ? 0 : -1;
    aws_err end_err;
    err_clear(&end_err);
    e->in_txn = 0;
    if (e->b->end(e->b->ud, ok, &end_err) == 0)
        return ok ? 0 : -1;
    if (ok)
        e->err = end_err;
    return -1;
}

/* Throttling and 500s answer before anything is done. */
static int injected(ectx *e)
{
    if (e->resp->fault == ENDPOINT_FAULT_THROTTLE)
        return FAIL(e, "Throttling", 400, "Rate exceeded");
    if (e->resp->fault == ENDPOINT_FAULT_ERROR500)
        return FAIL(e, "InternalFailure", 500,
                    "The request processing has failed because of an unknown error, exception "
                    "or failure (injected by --faults).");
    return 0;
}

/* The Query protocol is POST (or GET, parameters in the query). */
static int check_method(ectx *e)
{
    const char *m = e->req->method ? e->req->method : "";
    if (strcmp(m, "POST") == 0 || strcmp(m, "GET") == 0)
        return 0;
    return FAIL(e, "MethodNotAllowed", 405,
                "The HTTP method %.16s is not allowed: AWS's Query API takes POST (or GET)", m);
}

static int serve_steps(ectx *e)
{
    if (check_method(e) != 0)
        return -1;
    sigv4_verify_request vr = as_received(e->req);
    int rc = sigv4_verify_parse(&vr, &e->auth, &e->err);
    if (rc < 0)
        return -1;
    e->is_signed = rc == 0;
    if (build_form(e) != 0)
        return NOMEM(e);
    if (route(e) != 0)
        return -1;
    e->resp->op = e->op;
    e->resp->fault = e->opts && e->opts->faults ? endpoint_faults_draw(e->opts->faults) : 0;
    if (e->resp->fault == ENDPOINT_FAULT_RESET_BEFORE || injected(e) != 0)
        return -1;
    aws_err perr;
    cJSON *params = read_params(e, &perr);
    if (e->b->begin(e->b->ud, e->op, &e->err) != 0) {
        cJSON_Delete(params);
        return -1;
    }
    e->in_txn = 1;
    rc = authenticate(e) == 0 && run_operation(e, params, &perr) == 0;
    cJSON_Delete(params);
    return finish(e, rc);
}

void endpoint_serve(const endpoint_opts *opts, const endpoint_backend *backend,
                    const endpoint_request *req, endpoint_response *resp)
{
    memset(resp, 0, sizeof *resp);
    endpoint_request_id(resp->request_id);
    ectx e = {.opts = opts, .b = backend, .req = req, .resp = resp};
    e.now = opts && opts->now ? opts->now() : time(NULL);
    resp->delay = opts && opts->faults ? opts->faults->latency : 0;
    if (serve_steps(&e) == 0)
        resp->status = 200;
    else if (resp->fault != ENDPOINT_FAULT_RESET_BEFORE)
        answer_error(&e);
    if (resp->fault == ENDPOINT_FAULT_RESET_AFTER && resp->status != 200)
        resp->fault = ENDPOINT_FAULT_NONE; /* nothing was made: it is answered as it is */
    if (resp->fault == ENDPOINT_FAULT_RESET_BEFORE || resp->fault == ENDPOINT_FAULT_RESET_AFTER)
        resp->status = 0;
    if (e.is_signed)
        sigv4_verify_auth_free(&e.auth);
    buf_free(&e.form);
}

void endpoint_response_free(endpoint_response *r)
{
    buf_free(&r->body);
    buf_free(&r->reason);
}

/* The kernel's generator, not OpenSSL's: the first RAND_bytes of a process sets up
 * OpenSSL's DRBG (8 million instructions, more than all of `iamsh --local`'s requests
 * of a provisioning flow); getrandom is the same CSPRNG that seeds it. */
int endpoint_random_bytes(void *out, size_t n)
{
    unsigned char *p = out;
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(p + got, n - got, 0);
        if (r > 0)
            got += (size_t)r;
        else if (!(r < 0 && errno == EINTR)) {
            OPENSSL_cleanse(out, n);
            return -1;
        }
    }
    return 0;
}

/* Request ids need to be unique, not secret: one seed a thread from the kernel, then
 * splitmix64 (random bytes per request cost 3% of a request). */
static unsigned long long next_random(void)
{
    static _Thread_local unsigned long long state;
    static _Thread_local int seeded;
    if (!seeded) {
        if (endpoint_random_bytes(&state, sizeof state) != 0)
            state = (unsigned long long)time(NULL) ^ (unsigned long long)(size_t)&state;
        seeded = 1;
    }
    return endpoint_random(&state);
}

void endpoint_request_id(char out[37])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    unsigned long long hi = next_random(), lo = next_random();
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(hi >> (8 * i));
        b[8 + i] = (unsigned char)(lo >> (8 * i));
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    char *o = out; /* 8-4-4-4-12 hex digits (a snprintf of 16 %02x cost 2% of a request) */
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[b[i] >> 4];
        *o++ = hex[b[i] & 15];
    }
    *o = '\0';
}
