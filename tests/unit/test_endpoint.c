/* test_endpoint.c - the local endpoint's pipeline with a stub backend in C: requests
 * signed as the client signs them (sigv4_sign_headers), then each way AWS refuses one
 * (route, sign-in, parameters, the handler's own errors), the transaction committed
 * only for an answered success, and --faults drawn reproducibly. */
#include "iamsh/endpoint.h"

#include <stdlib.h>

#include "check.h"
#include "iamsh/sigv4.h"

#define NOW 1700000000 /* 2023-11-14T22:13:20Z */
#define KEY "AKIDFAKEFAKE00000001"
#define SECRET "secret/for+the+stub0000000000000000000"
#define SESSION_KEY "ASIDFAKEFAKE00000001"
#define TOKEN "token-of-the-session"

static time_t frozen(void)
{
    return NOW;
}

/* --- the stub backend ---------------------------------------------------------------- */

typedef struct stub {
    int begins, commits, rollbacks, handled, signed_in;
    const char *last_op;
    const char *fail_code; /* the handler raises this */
    int bad_result;        /* the handler returns what the output shape cannot hold */
} stub;

static int stub_begin(void *ud, const model_op *op, aws_err *err)
{
    ((stub *)ud)->begins++;
    return 0;
}

static int stub_credentials(void *ud, const char *key, endpoint_creds *out, aws_err *err)
{
    if (strcmp(key, KEY) == 0)
        *out = (endpoint_creds){SECRET, NULL, 0, "arn:aws:iam::123456789012:root"};
    else if (strcmp(key, SESSION_KEY) == 0)
        *out = (endpoint_creds){SECRET, TOKEN, NOW + 3600, "arn:aws:sts::1:assumed-role/r/s"};
    else if (strcmp(key, "ASIDFAKEEXPIRED00001") == 0)
        *out = (endpoint_creds){SECRET, TOKEN, NOW - 1, "arn:aws:sts::1:assumed-role/r/s"};
    else
        return 1;
    return 0;
}

static int stub_handle(void *ud, const endpoint_call *call, cJSON **result, buf *reason,
                       aws_err *err)
{
    stub *s = ud;
    s->handled++;
    s->last_op = call->op->name;
    s->signed_in = call->signed_in;
    if (s->fail_code) {
        buf_puts(reason, "no statement allows it");
        err_set(err, AWS_ERR_SERVICE, s->fail_code, "User: x is not authorized");
        err->status = 403;
        return -1;
    }
    if (s->bad_result) {
        *result = cJSON_Parse("{\"Nope\":1}");
        return 0;
    }
    *result = cJSON_Parse("{\"User\":{\"Path\":\"/\",\"UserName\":\"u\",\"UserId\":"
                          "\"AIDAEXAMPLE\",\"Arn\":\"arn:aws:iam::123456789012:user/u\","
                          "\"CreateDate\":\"2023-11-14T22:13:20Z\"}}");
    return 0;
}

static int stub_end(void *ud, int commit, aws_err *err)
{
    stub *s = ud;
    if (commit)
        s->commits++;
    else
        s->rollbacks++;
    return 0;
}

/* --- requests ------------------------------------------------------------------------- */

typedef struct sent {
    char *lines[SIGV4_MAX_ADDED_HEADERS + 1];
    sigv4_header headers[8];
    size_t n;
    endpoint_request req;
    endpoint_response resp;
} sent;

/* "Name: value" into a header. */
static void add_line(sent *s, char *line)
{
    char *colon = strchr(line, ':');
    *colon = '\0';
    s->headers[s->n++] = (sigv4_header){line, colon + 2};
}

/* body POSTed, signed with key/secret/token for service at time ts (NULL key: unsigned). */
static void post_as(sent *s, const char *body, const char *key, const char *secret,
                    const char *token, const char *service, const char *ts)
{
    memset(s, 0, sizeof *s);
    s->headers[s->n++] = (sigv4_header){"Host", "127.0.0.1:4566"};
    s->headers[s->n++] =
        (sigv4_header){"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"};
    if (key) {
        sigv4_request r = {.method = "POST",
                           .url = "http://127.0.0.1:4566/",
                           .headers = &s->headers[1],
                           .nheaders = 1,
                           .body = body,
                           .body_len = strlen(body),
                           .region = "us-east-1",
                           .service = service,
                           .access_key = key,
                           .secret_key = secret,
                           .session_token = token,
                           .timestamp = ts};
        aws_err err;
        CHECK_INT(sigv4_sign_headers(&r, s->lines, &err), 0);
        for (int i = 0; s->lines[i]; i++)
            add_line(s, s->lines[i]);
    }
    s->req =
        (endpoint_request){"POST", "/", NULL, s->headers, s->n, body, strlen(body), "127.0.0.1"};
}

static void post(sent *s, const char *body)
{
    post_as(s, body, KEY, SECRET, NULL, "iam", "20231114T221320Z");
}

static endpoint_response *serve(stub *st, sent *s, endpoint_faults *faults)
{
    endpoint_backend b = {st, stub_begin, stub_credentials, stub_handle, stub_end};
    endpoint_opts o = {faults, frozen};
    endpoint_serve(&o, &b, &s->req, &s->resp);
    return &s->resp;
}

static void done(sent *s)
{
    endpoint_response_free(&s->resp);
    for (int i = 0; s->lines[i]; i++)
        free(s->lines[i]);
}

/* The answer's status and code, and a fragment of its body. */
static void expect(stub *st, sent *s, int status, const char *code, const char *fragment)
{
    endpoint_response *r = serve(st, s, NULL);
    CHECK_INT(r->status, status);
    CHECK_STR(r->code, code);
    if (fragment && !(r->body.p && strstr(r->body.p, fragment)))
        fprintf(stderr, "  body %s\n  lacks %s\n", r->body.p ? r->body.p : "", fragment);
    CHECK(!fragment || (r->body.p && strstr(r->body.p, fragment)));
    done(s);
}

/* --- the tests --------------------------------------------------------------------------- */

static void test_success(void)
{
    stub st = {0};
    sent s;
    post(&s, "Action=GetUser&Version=2010-05-08");
    endpoint_response *r = serve(&st, &s, NULL);
    CHECK_INT(r->status, 200);
    CHECK(strncmp(r->body.p,
                  "<GetUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
                  "<GetUserResult><User><Path>/</Path><UserName>u</UserName>",
                  120) == 0);
    CHECK(strstr(r->body.p, r->request_id) != NULL);
    CHECK_INT(strlen(r->request_id), 36);
    CHECK_STR(r->caller, "arn:aws:iam::123456789012:root");
    CHECK_INT(st.commits, 1);
    CHECK_INT(st.signed_in, 1);
    done(&s);
    /* a session's keys with their token */
    post_as(&s, "Action=GetUser&Version=2010-05-08", SESSION_KEY, SECRET, TOKEN, "iam",
            "20231114T221320Z");
    expect(&st, &s, 200, "", "<GetUserResult>");
}

static void test_route(void)
{
    stub st = {0};
    sent s;
    post(&s, "Action=FlyAway&Version=2010-05-08");
    expect(&st, &s, 400, "InvalidAction",
           "Could not find operation FlyAway for version 2010-05-08");
    post(&s, "Version=2010-05-08");
    expect(&st, &s, 400, "MissingAction", NULL);
    post(&s, "Action=GetUser&Version=2011-06-15");
    expect(&st, &s, 400, "InvalidAction", NULL);
    post_as(&s, "Action=CreateUser&Version=2010-05-08&UserName=u", KEY, SECRET, NULL, "sts",
            "20231114T221320Z");
    expect(&st, &s, 403, "SignatureDoesNotMatch", "scoped to correct service: 'iam'");
    post_as(&s, "Action=GetUser&Version=2010-05-08", KEY, SECRET, NULL, "ec2", "20231114T221320Z");
    expect(&st, &s, 403, "SignatureDoesNotMatch", "not 'ec2'");
    CHECK_INT(st.begins, 0);
}

static void test_sign_in(void)
{
    stub st = {0};
    sent s;
    post_as(&s, "Action=GetUser&Version=2010-05-08", NULL, NULL, NULL, NULL, NULL);
    expect(&st, &s, 403, "MissingAuthenticationToken", NULL);
    post_as(&s, "Action=GetUser&Version=2010-05-08", "AKIDFAKEUNKNOWN00001", SECRET, NULL, "iam",
            "20231114T221320Z");
    expect(&st, &s, 403, "InvalidClientTokenId",
           "The security token included in the request is invalid.");
    post_as(&s, "Action=GetUser&Version=2010-05-08", KEY, "wrong", NULL, "iam", "20231114T221320Z");
    expect(&st, &s, 403, "SignatureDoesNotMatch", "does not match the signature you provided");
    post_as(&s, "Action=GetUser&Version=2010-05-08", KEY, SECRET, NULL, "iam", "20231114T215800Z");
    expect(&st, &s, 400, "RequestExpired", "Signature expired: 20231114T215800Z");
    post_as(&s, "Action=GetUser&Version=2010-05-08", SESSION_KEY, SECRET, NULL, "iam",
            "20231114T221320Z");
    expect(&st, &s, 403, "InvalidClientTokenId", NULL);
    post_as(&s, "Action=GetUser&Version=2010-05-08", SESSION_KEY, SECRET, "other", "iam",
            "20231114T221320Z");
    expect(&st, &s, 403, "InvalidClientTokenId", NULL);
    post_as(&s, "Action=GetUser&Version=2010-05-08", "ASIDFAKEEXPIRED00001", SECRET, TOKEN, "iam",
            "20231114T221320Z");
    expect(&st, &s, 403, "ExpiredToken", "is expired");
    CHECK_INT(st.handled, 0);
    CHECK_INT(st.commits, 0);
    CHECK_INT(st.rollbacks, st.begins);
    /* An unsigned operation (the model's): its Version routes it to STS. */
    post_as(&s,
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A"
            "123456789012%3Arole%2Fr&RoleSessionName=session&WebIdentityToken=a-token",
            NULL, NULL, NULL, NULL, NULL);
    serve(&st, &s, NULL);
    CHECK_STR(st.last_op, "AssumeRoleWithWebIdentity");
    CHECK_INT(st.signed_in, 0);
    done(&s);
}

static void test_params_and_handler(void)
{
    stub st = {0};
    sent s;
    post(&s, "Action=GetUser&Version=2010-05-08&UserName=a+b");
    expect(&st, &s, 400, "ValidationError",
           "1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint");
    post(&s, "Action=GetUser&Version=2010-05-08&Nickname=x");
    expect(&st, &s, 400, "MalformedQueryString", "Nickname: not a parameter of this operation");
    CHECK_INT(st.handled, 0);
    st.fail_code = "AccessDenied";
    post(&s, "Action=GetUser&Version=2010-05-08");
    endpoint_response *r = serve(&st, &s, NULL);
    CHECK_INT(r->status, 403);
    CHECK(strstr(r->body.p, "<Type>Sender</Type><Code>AccessDenied</Code>") != NULL);
    CHECK_STR(r->reason.p, "no statement allows it");
    done(&s);
    st.fail_code = NULL;
    st.bad_result = 1;
    post(&s, "Action=GetUser&Version=2010-05-08");
    r = serve(&st, &s, NULL);
    CHECK_INT(r->status, 500);
    CHECK_STR(r->code, "InternalFailure");
    CHECK(r->reason.p && strstr(r->reason.p, "has no member Nope"));
    done(&s);
    CHECK_INT(st.commits, 0);
    CHECK_INT(st.rollbacks, st.begins);
}

static void test_faults(void)
{
    endpoint_faults a, b;
    aws_err err;
    CHECK_INT(endpoint_faults_parse("throttle=0.2,error500=0.2,reset=0.2,seed=7", &a, &err), 0);
    CHECK_INT(endpoint_faults_parse("seed=7,reset=0.2,error500=0.2,throttle=0.2", &b, &err), 0);
    int same = 1, seen[5] = {0};
    for (int i = 0; i < 1000; i++) {
        enum endpoint_fault f = endpoint_faults_draw(&a);
        same &= f == endpoint_faults_draw(&b);
        seen[f]++;
    }
    CHECK(same);
    for (int f = 0; f < 5; f++)
        CHECK(seen[f] > 50);
    endpoint_faults_free(&a);
    endpoint_faults_free(&b);
    CHECK_INT(endpoint_faults_parse("throttle=2", &a, &err), -1);
    CHECK(strstr(err.message, "bad value in 'throttle=2'") != NULL);
    CHECK_INT(endpoint_faults_parse("jitter=1", &a, &err), -1);
    CHECK_INT(endpoint_faults_parse("throttle=0.6,reset=0.6", &a, &err), -1);
    CHECK_INT(endpoint_faults_parse("latency=5ms", &a, &err), 0);
    CHECK(a.latency > 0.0049 && a.latency < 0.0051);
    endpoint_faults_free(&a);
}

/* What each fault does to a request and to the store. */
static void test_fault_effects(void)
{
    const char *specs[] = {"throttle=1", "error500=1", "reset=1,seed=1"};
    for (int k = 0; k < 3; k++) {
        stub st = {0};
        endpoint_faults f;
        aws_err err;
        CHECK_INT(endpoint_faults_parse(specs[k], &f, &err), 0);
        int dropped = 0, committed_then_dropped = 0;
        for (int i = 0; i < 40; i++) {
            sent s;
            post(&s, "Action=GetUser&Version=2010-05-08");
            int commits = st.commits;
            endpoint_response *r = serve(&st, &s, &f);
            dropped += r->status == 0;
            committed_then_dropped += r->status == 0 && st.commits > commits;
            if (k == 0)
                CHECK(r->status == 400 && strcmp(r->code, "Throttling") == 0);
            if (k == 1)
                CHECK(r->status == 500 && strcmp(r->code, "InternalFailure") == 0);
            done(&s);
        }
        CHECK_INT(dropped, k == 2 ? 40 : 0);
        if (k == 2) /* both kinds of reset happen, the second after the commit */
            CHECK(committed_then_dropped > 5 && committed_then_dropped < 35);
        else
            CHECK_INT(st.begins, 0);
        endpoint_faults_free(&f);
    }
}

int main(void)
{
    test_success();
    test_route();
    test_sign_in();
    test_params_and_handler();
    test_faults();
    test_fault_effects();
    return check_summary();
}
