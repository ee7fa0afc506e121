/* test_client.c - sign, send, classify, retry against tests/support/fault_server.py. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "iamsh/client.h"
#include "helper_proc.h"

/* ---- the fault server ---- */

typedef struct server {
    helper h;
    char count_file[256];
} server;

/* steps: a NULL-terminated list, e.g. {"throttle", "throttle", "ok", NULL} */
static int server_start(server *s, char *const *steps)
{
    static int seq;
    const char *args[40] = {"--count-file", s->count_file, "--hang", "3"};
    int n = 4;
    snprintf(s->count_file, sizeof s->count_file, "/tmp/iamsh-fault-%d-%d.count", (int)getpid(),
             seq++);
    for (; *steps && n < 39; steps++)
        args[n++] = *steps;
    args[n] = NULL;
    return helper_start(&s->h, "fault_server.py", args);
}

static void server_stop(server *s)
{
    helper_stop(&s->h);
    unlink(s->count_file);
}

/* Requests the server has seen (and connections it accepted, for keep-alive). */
static int server_count(const server *s, int *connections)
{
    int req = -1, conn = -1;
    FILE *f = fopen(s->count_file, "r");
    if (f) {
        if (fscanf(f, "%d %d", &req, &conn) != 2)
            req = -1;
        fclose(f);
    }
    if (connections)
        *connections = conn;
    return req;
}

/* ---- a client with a frozen clock, fixed jitter and recorded sleeps ---- */

static double sleeps[64];
static int nsleeps;

static void fake_sleep(double s)
{
    if (nsleeps < 64)
        sleeps[nsleeps] = s;
    nsleeps++;
}

static double half(void)
{
    return 0.5;
}
static time_t frozen(void)
{
    return 1440938160;
} /* 2015-08-30T12:36:00Z */

static aws_creds test_creds = {
    "AKIDFAKEFAKEFAKE01", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL, 0, "test",
};

static aws_client *client(int max_attempts, long timeout_ms)
{
    aws_client_opts o = {0};
    o.max_attempts = max_attempts;
    o.timeout_ms = timeout_ms;
    o.connect_timeout_ms = 2000;
    o.now = frozen;
    o.rand01 = half;
    o.sleep_fn = fake_sleep;
    nsleeps = 0;
    aws_err err;
    aws_client *c = client_new(&o, &err);
    CHECK(c != NULL);
    return c;
}

static const char GCI[] = "Action=GetCallerIdentity&Version=2011-06-15";

typedef struct outcome {
    int rc, attempts, requests, connections;
    aws_err err;
    char request_id[96];
    buf body;
} outcome;

/* Run one call against a fresh server playing `steps`. */
static void run(outcome *o, int max_attempts, long timeout_ms, char *const *steps)
{
    server s;
    memset(o, 0, sizeof *o);
    o->rc = -2;
    if (server_start(&s, steps) != 0) {
        CHECK(!"fault server started");
        return;
    }
    aws_client *c = client(max_attempts, timeout_ms);
    aws_endpoint ep = {s.h.url, "us-east-1", "sts"};
    o->rc = client_query(c, &ep, &test_creds, GCI, strlen(GCI), &o->body, o->request_id, &o->err);
    o->attempts = c->attempts_last;
    client_free(c);
    o->requests = server_count(&s, &o->connections);
    server_stop(&s);
}

/* Each recorded sleep is rnd(0.5) * min(2^(n-1), 20) for the n-th attempt. */
static void check_sleeps(int expected)
{
    CHECK_INT(nsleeps, expected);
    for (int i = 0; i < nsleeps && i < 64; i++) {
        double cap = retry_backoff(i + 1, 1.0);
        CHECK(sleeps[i] >= 0 && sleeps[i] <= cap);
        CHECK(sleeps[i] == cap / 2);
    }
}

#define STEPS(...) ((char *const[]){__VA_ARGS__, NULL})

static void test_throttle_then_ok(void)
{
    outcome o;
    run(&o, 3, 5000, STEPS("throttle", "throttle", "auth"));
    CHECK_INT(o.rc, 0);
    CHECK_INT(o.attempts, 3);
    CHECK_INT(o.requests, 3);
    CHECK_INT(o.connections, 1); /* keep-alive: one connection for all three */
    CHECK(o.body.p && strstr(o.body.p, "<Account>123456789012</Account>"));
    CHECK_STR(o.request_id, "fault-0003");
    CHECK_INT(o.err.kind, AWS_ERR_NONE);
    check_sleeps(2);
    buf_free(&o.body);
}

static void test_gives_up(void)
{
    outcome o;
    run(&o, 3, 5000, STEPS("500"));
    CHECK_INT(o.rc, -1);
    CHECK_INT(o.attempts, 3);
    CHECK_INT(o.requests, 3);
    CHECK_INT(o.err.kind, AWS_ERR_SERVICE);
    CHECK_STR(o.err.code, "InternalFailure");
    CHECK_INT(o.err.status, 500);
    CHECK(o.err.retryable);
    CHECK_STR(o.err.request_id, "fault-0003");
    CHECK_STR(o.request_id, "fault-0003");
    check_sleeps(2);
    buf_free(&o.body);

    run(&o, 5, 5000, STEPS("503"));
    CHECK_INT(o.rc, -1);
    CHECK_INT(o.attempts, 5);
    CHECK_INT(o.requests, 5);
    CHECK_STR(o.err.code, "ServiceUnavailable");
    CHECK_INT(o.err.status, 503);
    check_sleeps(4);
    buf_free(&o.body);

    run(&o, 1, 5000, STEPS("throttle"));
    CHECK_INT(o.attempts, 1);
    CHECK_STR(o.err.code, "Throttling");
    CHECK_INT(o.err.status, 400);
    check_sleeps(0);
    buf_free(&o.body);
}

static void test_not_retried(void)
{
    outcome o;
    run(&o, 3, 5000, STEPS("conflict", "ok"));
    CHECK_INT(o.rc, -1);
    CHECK_INT(o.attempts, 1);
    CHECK_INT(o.requests, 1);
    CHECK_INT(o.err.kind, AWS_ERR_SERVICE);
    CHECK_STR(o.err.code, "DeleteConflict");
    CHECK_INT(o.err.status, 409);
    CHECK(!o.err.retryable);
    CHECK(strstr(o.err.message, "must detach") != NULL);
    check_sleeps(0);
    buf_free(&o.body);
}

static void test_unreadable_and_layouts(void)
{
    outcome o;
    run(&o, 3, 5000, STEPS("garbage"));
    CHECK_INT(o.rc, -1);
    CHECK_INT(o.err.kind, AWS_ERR_PARSE);
    CHECK_STR(o.err.code, "ResponseParseError");
    CHECK_INT(o.err.status, 500);
    CHECK_INT(o.attempts, 3); /* a 500 is transient whatever its body */
    CHECK(strstr(o.err.message, "upstream blew up") != NULL);
    buf_free(&o.body);

    run(&o, 3, 5000, STEPS("errors-layout", "ok"));
    CHECK_INT(o.rc, -1);
    CHECK_INT(o.attempts, 1);
    CHECK_INT(o.err.kind, AWS_ERR_SERVICE);
    CHECK_STR(o.err.code, "InvalidAction");
    CHECK_STR(o.err.message, "The action Frobnicate is not valid for this web service.");
    CHECK_STR(o.err.request_id, "fault-0001"); /* no header: from the body */
    CHECK_INT(o.err.status, 400);
    buf_free(&o.body);
}

static void test_transport(void)
{
    outcome o;
    run(&o, 3, 5000, STEPS("reset", "reset", "auth"));
    CHECK_INT(o.rc, 0);
    CHECK_INT(o.attempts, 3);
    CHECK_INT(o.requests, 3);
    check_sleeps(2);
    buf_free(&o.body);

    run(&o, 2, 5000, STEPS("reset"));
    CHECK_INT(o.rc, -1);
    CHECK_INT(o.attempts, 2);
    CHECK_INT(o.err.kind, AWS_ERR_TRANSPORT);
    CHECK_STR(o.err.code, "TransportError");
    CHECK(o.err.retryable);
    CHECK(!o.err.timeout);
    buf_free(&o.body);
}

/* A port nobody listens on: bind, learn the port, close. */
static int dead_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

static void test_refused(void)
{
    char url[64], want[96];
    int port = dead_port();
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    aws_client *c = client(3, 5000);
    aws_endpoint ep = {url, "us-east-1", "iam"};
    aws_err err;
    buf body = BUF_INIT;
    CHECK_INT(client_query(c, &ep, &test_creds, GCI, strlen(GCI), &body, NULL, &err), -1);
    CHECK_INT(c->attempts_last, 3);
    CHECK_INT(err.kind, AWS_ERR_TRANSPORT);
    CHECK_STR(err.code, "TransportError");
    snprintf(want, sizeof want, "could not connect to http://127.0.0.1:%d/: Connection refused",
             port);
    CHECK_STR(err.message, want);
    CHECK_INT(c->quota.available, 490); /* two retries at 5, nothing refunded */
    check_sleeps(2);
    client_free(c);
    buf_free(&body);
}

static double elapsed_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_timeout(void)
{
    outcome o;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    run(&o, 1, 700, STEPS("hang"));
    double took = elapsed_since(&t0);
    CHECK_INT(o.rc, -1);
    CHECK_INT(o.attempts, 1);
    CHECK_INT(o.err.kind, AWS_ERR_TRANSPORT);
    CHECK_STR(o.err.code, "TransportError");
    CHECK(o.err.timeout);
    CHECK(strstr(o.err.message, "timed out after 700 ms") != NULL);
    CHECK(took < 2.9); /* the server would answer after 3 s */
    buf_free(&o.body);
}

static void test_quota_accounting(void)
{
    server s;
    if (server_start(&s, STEPS("hang", "ok", "throttle", "ok")) != 0) {
        CHECK(!"fault server started");
        return;
    }
    aws_client *c = client(3, 500);
    aws_endpoint ep = {s.h.url, "us-east-1", "sts"};
    aws_err err;
    buf body = BUF_INIT;
    CHECK_INT(client_query(c, &ep, &test_creds, GCI, strlen(GCI), &body, NULL, &err), 0);
    CHECK_INT(c->attempts_last, 2);
    CHECK_INT(c->quota.available, 500); /* 500 - 10 (timeout) + 10 refund */
    c->quota.available = 400;
    CHECK_INT(client_query(c, &ep, &test_creds, GCI, strlen(GCI), &body, NULL, &err), 0);
    CHECK_INT(c->attempts_last, 2);
    CHECK_INT(c->quota.available, 400); /* -5 + 5 */
    CHECK_INT(client_query(c, &ep, &test_creds, GCI, strlen(GCI), &body, NULL, &err), 0);
    CHECK_INT(c->attempts_last, 1);
    CHECK_INT(c->quota.available, 401); /* no retry: +1 */
    c->quota.available = 3;             /* cannot pay for a retry */
    client_free(c);
    server_stop(&s);

    CHECK(server_start(&s, STEPS("throttle", "ok")) == 0);
    c = client(3, 5000);
    ep.url = s.h.url;
    c->quota.available = 4;
    CHECK_INT(client_query(c, &ep, &test_creds, GCI, strlen(GCI), &body, NULL, &err), -1);
    CHECK_INT(c->attempts_last, 1);
    CHECK_STR(err.code, "Throttling");
    CHECK(strstr(err.message, "retry quota exhausted") != NULL);
    client_free(c);
    server_stop(&s);
    buf_free(&body);
}

/* ---- the --debug wire log is redacted ---- */

static buf logbuf;

static void capture_log(void *ud, const char *line)
{
    buf_puts(&logbuf, line);
    buf_puts(&logbuf, "\n");
}

static void test_debug_log(void)
{
    server s;
    if (server_start(&s, STEPS("auth")) != 0) {
        CHECK(!"fault server started");
        return;
    }
    aws_client_opts o = {.max_attempts = 1, .now = frozen, .log = capture_log};
    aws_err err;
    aws_client *c = client_new(&o, &err);
    aws_creds cr = {"AKIDFAKEFAKEFAKE01", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                    "FAKESESSIONTOKENVALUE", 0, "test"};
    aws_endpoint ep = {s.h.url, "us-east-1", "sts"};
    buf body = BUF_INIT;
    static const char form[] = "Action=GetCallerIdentity&Version=2011-06-15&Password=hunter2";
    CHECK_INT(client_query(c, &ep, &cr, form, strlen(form), &body, NULL, &err), 0);
    CHECK(logbuf.p != NULL);
    if (logbuf.p) {
        CHECK(strstr(logbuf.p, "> POST / HTTP/1.1") != NULL);
        CHECK(strstr(logbuf.p, "> Authorization: <redacted>") != NULL);
        CHECK(strstr(logbuf.p, "> X-Amz-Security-Token: <redacted>") != NULL);
        CHECK(strstr(logbuf.p, "> User-Agent: iamsh/" IAMSH_VERSION " curl/") != NULL);
        CHECK(strstr(logbuf.p, "> X-Amz-Date: 20150830T123600Z") != NULL);
        CHECK(strstr(logbuf.p, "Password=<redacted>") != NULL);
        CHECK(strstr(logbuf.p, "< x-amzn-RequestId: fault-0001") != NULL);
        CHECK(strstr(logbuf.p, "<Account>123456789012</Account>") != NULL);
        CHECK(strstr(logbuf.p, "* status: 200") != NULL);
        CHECK(strstr(logbuf.p, "FAKESESSIONTOKENVALUE") == NULL);
        CHECK(strstr(logbuf.p, "hunter2") == NULL);
        CHECK(strstr(logbuf.p, "Signature=") == NULL);
    }
    client_free(c);
    server_stop(&s);
    buf_free(&body);
    buf_free(&logbuf);
}

/* ---- error documents, including hostile ones ---- */

static int parse(const char *xml, aws_err *err)
{
    err_clear(err);
    return client_parse_error(xml, strlen(xml), err);
}

static void test_parse_error_xml(void)
{
    aws_err e;
    CHECK_INT(parse("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
                    "<Error><Type>Sender</Type><Code>NoSuchEntity</Code>\n"
                    "<Message>The user with name foobar cannot be found.</Message></Error>"
                    "<RequestId>358299bb-b7f8-11e2-8d39-e3a125f625ee</RequestId></ErrorResponse>",
                    &e),
              0);
    CHECK_INT(e.kind, AWS_ERR_SERVICE);
    CHECK_STR(e.code, "NoSuchEntity");
    CHECK_STR(e.message, "The user with name foobar cannot be found.");
    CHECK_STR(e.request_id, "358299bb-b7f8-11e2-8d39-e3a125f625ee");

    CHECK_INT(parse("<?xml version=\"1.0\"?><Response><Errors><Error><Code> AuthFailure </Code>"
                    "<Message>a\nb</Message></Error></Errors><RequestID>r-1</RequestID></Response>",
                    &e),
              0);
    CHECK_STR(e.code, "AuthFailure");
    CHECK_STR(e.message, "a b");
    CHECK_STR(e.request_id, "r-1");

    CHECK_INT(parse("<Error><Code>SlowDown</Code><Message>m</Message></Error>", &e), 0);
    CHECK_STR(e.code, "SlowDown");

    CHECK_INT(parse("<ErrorResponse><Error><Code></Code></Error></ErrorResponse>", &e), -1);
    CHECK_INT(parse("<ErrorResponse><Error><Code>X</Code>", &e), -1);
    CHECK_INT(parse("<Other><Error><Code>X</Code></Error></Other>", &e), -1);
    CHECK_INT(parse("not xml at all", &e), -1);
    CHECK_INT(parse("", &e), -1);
    CHECK_INT(client_parse_error(NULL, 0, &e), -1);

    /* External entities and entity bombs: refused (any DTD is), never fetched or expanded. */
    CHECK_INT(parse("<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                    "<ErrorResponse><Error><Code>&x;</Code></Error></ErrorResponse>",
                    &e),
              -1);
    CHECK_INT(
        parse("<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;\">"
              "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;\">]>"
              "<ErrorResponse><Error><Code>&d;</Code></Error></ErrorResponse>",
              &e),
        -1);
    CHECK_INT(parse("<ErrorResponse><Error><Code>A&amp;B</Code></Error></ErrorResponse>", &e), 0);
    CHECK_STR(e.code, "A&B");

    size_t big = (1u << 20) + 10;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    memcpy(huge, "<Error><Code>X</Code></Error>", 29);
    huge[big] = '\0';
    CHECK_INT(client_parse_error(huge, big, &e), -1);
    free(huge);
}

/* ---- the transport on its own: methods, per-request timeouts ---- */

static void test_http_direct(void)
{
    server s;
    if (server_start(&s, STEPS("ok", "hang")) != 0) {
        CHECK(!"fault server started");
        return;
    }
    http_opts ho = {.timeout_ms = 5000};
    aws_err err;
    http_client *h = http_client_new(&ho, &err);
    http_response r = {0, BUF_INIT, "", BUF_INIT};
    char url[128];
    snprintf(url, sizeof url, "%s/__count", s.h.url);
    http_request get = {.method = "GET", .url = url};
    CHECK_INT(http_send(h, &get, &r, &err), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body.p, "0 1\n"); /* control paths are not counted */

    http_request put = {.method = "PUT", .url = s.h.url, .body = "", .body_len = 0};
    CHECK_INT(http_send(h, &put, &r, &err), 0);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.request_id, "fault-0001");

    put.timeout_ms = 300; /* overrides the client's 5000 */
    CHECK_INT(http_send(h, &put, &r, &err), -1);
    CHECK(err.timeout);
    CHECK(strstr(err.message, "timed out after 300 ms") != NULL);
    CHECK_STR(r.request_id, "");

    snprintf(url, sizeof url, "%s/__last", s.h.url);
    get.url = url;
    CHECK_INT(http_send(h, &get, &r, &err), 0);
    CHECK(r.body.p && strstr(r.body.p, "\"method\": \"PUT\"") != NULL);

    http_request bad = {.method = "GET", .url = "ftp://127.0.0.1/"};
    CHECK_INT(http_send(h, &bad, &r, &err), -1);
    CHECK_INT(err.kind, AWS_ERR_CONFIG);
    http_response_free(&r);
    http_client_free(h);
    server_stop(&s);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    /* Loopback servers only: a proxy from the environment must not get in the way. */
    setenv("no_proxy", "127.0.0.1,localhost", 1);
    setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    test_parse_error_xml();
    test_http_direct();
    test_throttle_then_ok();
    test_gives_up();
    test_not_retried();
    test_unreadable_and_layouts();
    test_transport();
    test_refused();
    test_timeout();
    test_quota_accounting();
    test_debug_log();
    return check_summary();
}
