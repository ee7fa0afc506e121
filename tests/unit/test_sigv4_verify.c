/* test_sigv4_verify.c - the verifier against AWS's signing suite (tests/data/sigv4/v4):
 * every signed request of the suite, in both forms (Authorization header and presigned
 * query), is accepted with the suite's secret and refused once tampered with; then the
 * ways a signature is incomplete, mis-scoped or out of time, each with AWS's code. */
#include "iamsh/sigv4_verify.h"

#include <dirent.h>
#include <time.h>

#include "check.h"
#include "sigv4_case.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TS 1440938160 /* 2015-08-30T12:36:00Z, the suite's time */

/* A parsed request text as the verifier receives it: the target split at '?'. */
typedef struct received {
    raw_request raw;
    char *path, *query;
    sigv4_verify_request req;
} received;

static int receive(received *r, const char *text, size_t len)
{
    memset(r, 0, sizeof *r);
    if (parse_request(&r->raw, text, len) != 0)
        return -1;
    char *q = strchr(r->raw.target, '?');
    r->path = dup_n(r->raw.target, q ? (size_t)(q - r->raw.target) : strlen(r->raw.target));
    r->query = q ? dup_n(q + 1, strlen(q + 1)) : NULL;
    r->req = (sigv4_verify_request){r->raw.method,   r->path,     r->query,       r->raw.headers,
                                    r->raw.nheaders, r->raw.body, r->raw.body_len};
    return 0;
}

static void received_free(received *r)
{
    raw_free(&r->raw);
    free(r->path);
    free(r->query);
}

/* The code of parse, time and verify on text (OK when all pass). */
static const char *outcome(const char *text, const char *secret, time_t now, aws_err *err)
{
    received r;
    sigv4_verify_auth auth;
    if (receive(&r, text, strlen(text)) != 0)
        return "unparsable test text";
    int rc = sigv4_verify_parse(&r.req, &auth, err);
    if (rc == 0 && (rc = sigv4_verify_time(&auth, now, err)) == 0)
        rc = sigv4_verify(&r.req, &auth, secret, 1, err);
    if (rc != 1)
        sigv4_verify_auth_free(&auth);
    received_free(&r);
    return rc == 1 ? "unsigned" : rc == 0 ? "OK" : err->code;
}

/* --- the suite ------------------------------------------------------------------------ */

/* A copy of text with the byte at the last occurrence of what changed to with. */
static char *tampered(const char *text, const char *what, char with)
{
    char *t = dup_n(text, strlen(text));
    char *at = NULL;
    for (char *p = strstr(t, what); p; p = strstr(p + 1, what))
        at = p;
    if (at)
        *at = with;
    return at ? t : (free(t), (char *)NULL);
}

static void run_form(const char *dir, const char *name, const char *form, int normalize)
{
    char file[64];
    snprintf(file, sizeof file, "%s-signed-request.txt", form);
    char *text = read_all(dir, file, NULL);
    CHECK(text != NULL);
    if (!text)
        return;
    aws_err err;
    received r;
    sigv4_verify_auth auth;
    int ok = receive(&r, text, strlen(text)) == 0 && sigv4_verify_parse(&r.req, &auth, &err) == 0;
    CHECK(ok);
    if (ok) {
        CHECK_INT(sigv4_verify_time(&auth, TS, &err), 0);
        int rc = sigv4_verify(&r.req, &auth, SECRET, normalize, &err);
        CHECK_INT(rc, 0);
        if (rc != 0)
            fprintf(stderr, "  in case %s (%s): %s %s\n", name, form, err.code, err.message);
        CHECK_INT(sigv4_verify(&r.req, &auth, SECRET "x", normalize, &err), -1);
        CHECK_STR(err.code, "SignatureDoesNotMatch");
        sigv4_verify_auth_free(&auth);
    }
    if (normalize) { /* a changed date in the string to sign is a different signature */
        char *t = tampered(text, "20150830T123600Z", '3');
        CHECK_STR(outcome(t, SECRET, TS, &err), "SignatureDoesNotMatch");
        free(t);
    }
    received_free(&r);
    free(text);
}

static void run_case(const char *root, const char *name)
{
    char dir[8192];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    char *ctx = read_all(dir, "context.json", NULL);
    context c = {0};
    sigv4_request req = {0};
    CHECK(ctx && parse_context(&c, ctx, &req) == 0);
    run_form(dir, name, "header", req.normalize_path);
    /* post-sts-header-after adds the token to the query after signing: AWS signs every
     * query parameter but X-Amz-Signature, so that URL is not one AWS would accept. */
    if (strcmp(name, "post-sts-header-after") != 0)
        run_form(dir, name, "query", req.normalize_path);
    cJSON_Delete(c.json);
    free(ctx);
}

static void test_suite(void)
{
    const char *data = getenv("IAMSH_TEST_DATA");
    char root[4096];
    snprintf(root, sizeof root, "%s/sigv4/v4", data ? data : "tests/data");
    DIR *d = opendir(root);
    CHECK(d != NULL);
    int cases = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (e->d_name[0] != '.') {
            run_case(root, e->d_name);
            cases++;
        }
    if (d)
        closedir(d);
    CHECK(cases >= 30);
}

/* --- AWS's refusals ----------------------------------------------------------------- */

#define HOST "Host:example.amazonaws.com\n"
#define DATE "X-Amz-Date:20150830T123600Z\n"
#define GOOD                                                           \
    "GET / HTTP/1.1\n" HOST DATE "Authorization:AWS4-HMAC-SHA256 "     \
    "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " \
    "SignedHeaders=host;x-amz-date, "                                  \
    "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n\n"

static void expect(const char *text, time_t now, const char *code, const char *fragment)
{
    aws_err err;
    err_clear(&err);
    const char *got = outcome(text, SECRET, now, &err);
    CHECK_STR(got, code);
    if (fragment && !strstr(err.message, fragment))
        fprintf(stderr, "  message [%s] lacks [%s]\n", err.message, fragment);
    CHECK(!fragment || strstr(err.message, fragment));
}

static void test_refusals(void)
{
    expect(GOOD, TS, "OK", NULL);
    expect("GET / HTTP/1.1\n" HOST DATE "\n", TS, "unsigned", NULL);
    expect("GET / HTTP/1.1\n" HOST DATE "Authorization:AWS4-HMAC-SHA256 Credential=A/20150830/"
           "us-east-1/service/aws4_request\n\n",
           TS, "IncompleteSignature",
           "Authorization header requires 'Signature' parameter. Authorization header requires "
           "'SignedHeaders' parameter.");
    expect("GET / HTTP/1.1\n" HOST "Authorization:AWS4-HMAC-SHA256 Credential=A/20150830/"
           "us-east-1/service/aws4_request, SignedHeaders=host, Signature=00\n\n",
           TS, "IncompleteSignature", "'X-Amz-Date'");
    expect("GET / HTTP/1.1\n" HOST DATE "Authorization:AWS4-HMAC-SHA256 Credential=AKID "
           "/20150830/us-east-1/service/aws4_request, SignedHeaders=host, Signature=00\n\n",
           TS, "IncompleteSignature", "not a valid key=value pair (missing equal-sign)");
    expect("GET / HTTP/1.1\n" HOST DATE "Authorization:AWS AKID:c2lnbmF0dXJl\n\n", TS,
           "IncompleteSignature", "Unsupported AWS 'algorithm': 'AWS'");
    expect("GET / HTTP/1.1\n" HOST DATE "Authorization:AWS4-HMAC-SHA256 Credential=AKID/20150830/"
           "us-east-1/aws4_request, SignedHeaders=host, Signature=00\n\n",
           TS, "IncompleteSignature", "exactly 5 slash-delimited elements");
    expect("GET / HTTP/1.1\n" HOST DATE "Authorization:AWS4-HMAC-SHA256 Credential=AKID/20150830/"
           "us-east-1/service/aws5_request, SignedHeaders=host, Signature=00\n\n",
           TS, "SignatureDoesNotMatch", "valid terminator: 'aws4_request', not 'aws5_request'");
    expect("GET / HTTP/1.1\n" HOST DATE "Authorization:AWS4-HMAC-SHA256 Credential=AKID/20150831/"
           "us-east-1/service/aws4_request, SignedHeaders=host, Signature=00\n\n",
           TS, "SignatureDoesNotMatch", "'20150831' != '20150830'");
    expect("GET / HTTP/1.1\n" HOST DATE "Authorization:AWS4-HMAC-SHA256 Credential=AKID/20150830/"
           "us-east-1/service/aws4_request, SignedHeaders=x-amz-date, Signature=00\n\n",
           TS, "IncompleteSignature", "'Host' or ':authority' must be a 'SignedHeader'");
    expect("GET /?X-Amz-Algorithm=AWS4-HMAC-SHA256 HTTP/1.1\n" HOST
           "Authorization:AWS4-HMAC-SHA256 x\n\n",
           TS, "IncompleteSignature", "Found both");
    expect("GET /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20150830T123600Z HTTP/1.1\n" HOST
           "\n",
           TS, "IncompleteSignature", "must include 'X-Amz-Algorithm', 'X-Amz-Credential'");
    expect(GOOD, TS, "OK", NULL);
}

/* The 15 minutes either way, and a presigned URL's own lifetime. */
static void test_time(void)
{
    expect(GOOD, TS + 900, "OK", NULL);
    expect(GOOD, TS + 901, "RequestExpired",
           "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z "
           "(20150830T125101Z - 15 min.)");
    expect(GOOD, TS - 900, "OK", NULL);
    expect(GOOD, TS - 901, "RequestExpired",
           "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z");
    char *text = read_all(getenv("IAMSH_TEST_DATA") ? getenv("IAMSH_TEST_DATA") : "tests/data",
                          "sigv4/v4/get-vanilla/query-signed-request.txt", NULL);
    CHECK(text != NULL);
    if (text) { /* X-Amz-Expires=3600 */
        expect(text, TS + 3600, "OK", NULL);
        expect(text, TS + 3601, "RequestExpired", "valid until 20150830T133600Z");
        expect(text, TS - 901, "RequestExpired", "not yet current");
    }
    free(text);
}

/* The session token: from the header (as received), or decoded from the query. */
static void test_token(void)
{
    const char *data = getenv("IAMSH_TEST_DATA") ? getenv("IAMSH_TEST_DATA") : "tests/data";
    const char *forms[] = {"header-signed-request.txt", "query-signed-request.txt"};
    for (int i = 0; i < 2; i++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/sigv4/v4/get-vanilla-with-session-token", data);
        char *text = read_all(dir, forms[i], NULL);
        received r;
        sigv4_verify_auth auth;
        aws_err err;
        int received_ok = text && receive(&r, text, strlen(text)) == 0;
        CHECK(received_ok);
        if (!received_ok) { /* no test data (IAMSH_TEST_DATA): nothing to verify */
            free(text);
            continue;
        }
        CHECK_INT(sigv4_verify_parse(&r.req, &auth, &err), 0);
        CHECK_STR(auth.session_token,
                  "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267");
        CHECK_STR(auth.access_key, "AKIDEXAMPLE");
        CHECK_STR(auth.service, "service");
        CHECK_INT(auth.presigned, i);
        CHECK_INT(sigv4_verify(&r.req, &auth, SECRET, 1, &err), 0);
        sigv4_verify_auth_free(&auth);
        received_free(&r);
        free(text);
    }
}

int main(void)
{
    test_suite();
    test_refusals();
    test_time();
    test_token();
    return check_summary();
}
