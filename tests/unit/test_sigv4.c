/* test_sigv4.c - the SigV4 signer against AWS's own test suite (one folder a case,
 * tests/data/sigv4/v4), plus the url, port, token and error cases it does not cover. */
#include "iamsh/sigv4.h"

#include <cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "check.h"

#include "sigv4_case.h"

/* The "Authorization:" line of header-signed-request.txt, without the name. */
static const char *auth_line(char *signed_req)
{
    for (char *line = strtok(signed_req, "\n"); line; line = strtok(NULL, "\n"))
        if (strncmp(line, "Authorization:", 14) == 0)
            return line + 14;
    return NULL;
}

/* --- one case ---------------------------------------------------------------------- */

static void check_case(const char *name, const sigv4_result *res, char *cr, char *sts, char *sig,
                       char *signed_req)
{
    size_t n = strlen(sig);
    while (n && (sig[n - 1] == '\n' || sig[n - 1] == '\r'))
        sig[--n] = '\0';
    int before = check_failures;
    CHECK_STR(res->canonical_request, cr);
    CHECK_STR(res->string_to_sign, sts);
    CHECK_STR(res->signature, sig);
    CHECK_STR(res->authorization, auth_line(signed_req));
    if (check_failures != before)
        fprintf(stderr, "  in case %s\n", name);
}

static int run_case(const char *root, const char *name)
{
    char dir[4096];
    if (snprintf(dir, sizeof dir, "%s/%s", root, name) >= (int)sizeof dir) {
        CHECK(!"case path too long");
        return -1;
    }
    size_t rlen = 0;
    char *reqtxt = read_all(dir, "request.txt", &rlen);
    char *ctx = read_all(dir, "context.json", NULL);
    char *cr = read_all(dir, "header-canonical-request.txt", NULL);
    char *sts = read_all(dir, "header-string-to-sign.txt", NULL);
    char *sig = read_all(dir, "header-signature.txt", NULL);
    char *signed_req = read_all(dir, "header-signed-request.txt", NULL);
    raw_request raw;
    context c = {0};
    sigv4_request req = {0};
    int ok = reqtxt && ctx && cr && sts && sig && signed_req;
    ok = ok && parse_request(&raw, reqtxt, rlen) == 0 && parse_context(&c, ctx, &req) == 0;
    CHECK(ok);
    if (ok) {
        buf url = BUF_INIT;
        buf_printf(&url, "https://%s%s", raw.host, raw.target);
        req.method = raw.method;
        req.url = url.p;
        req.headers = raw.headers;
        req.nheaders = raw.nheaders;
        req.body = raw.body;
        req.body_len = raw.body_len;
        sigv4_result res;
        aws_err err;
        int rc = sigv4_sign(&req, &res, &err);
        CHECK_INT(rc, 0);
        if (rc != 0)
            fprintf(stderr, "  in case %s: %s\n", name, err.message);
        else
            check_case(name, &res, cr, sts, sig, signed_req);
        sigv4_result_free(&res);
        buf_free(&url);
    }
    if (reqtxt)
        raw_free(&raw);
    cJSON_Delete(c.json);
    free(reqtxt), free(ctx), free(cr), free(sts), free(sig), free(signed_req);
    return ok ? 0 : -1;
}

static void test_vectors(void)
{
    const char *data = getenv("IAMSH_TEST_DATA");
    CHECK(data != NULL);
    if (!data)
        return;
    char root[4096];
    snprintf(root, sizeof root, "%s/sigv4/v4", data);
    DIR *d = opendir(root);
    CHECK(d != NULL);
    int cases = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        run_case(root, e->d_name);
        cases++;
    }
    if (d)
        closedir(d);
    printf("sigv4 vectors: %d cases\n", cases);
    CHECK(cases > 0);
}

/* --- the cases the suite does not cover ---------------------------------------------- */

static sigv4_request base_request(const char *url)
{
    return (sigv4_request){
        .method = "GET",
        .url = url,
        .region = "us-east-1",
        .service = "service",
        .access_key = "AKIDEXAMPLE",
        .secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        .timestamp = "20150830T123600Z",
        .normalize_path = 1,
    };
}

static void test_ports(void)
{
    sigv4_request req = base_request("http://localhost:5000/");
    sigv4_result res;
    CHECK_INT(sigv4_sign(&req, &res, NULL), 0);
    CHECK_STR(res.host, "localhost:5000");
    CHECK(strstr(res.canonical_request, "\nhost:localhost:5000\n") != NULL);
    sigv4_result_free(&res);

    const char *defaults[] = {"https://example.amazonaws.com:443/",
                              "http://example.amazonaws.com:80/", "https://example.amazonaws.com/"};
    for (size_t i = 0; i < 3; i++) {
        req.url = defaults[i];
        CHECK_INT(sigv4_sign(&req, &res, NULL), 0);
        CHECK_STR(res.host, "example.amazonaws.com");
        /* The same request as get-vanilla, so the same signature. */
        CHECK_STR(res.signature,
                  "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        sigv4_result_free(&res);
    }
    req.url = "http://example.amazonaws.com:443/"; /* 443 is not http's default */
    CHECK_INT(sigv4_sign(&req, &res, NULL), 0);
    CHECK_STR(res.host, "example.amazonaws.com:443");
    sigv4_result_free(&res);
}

static void test_session_token(void)
{
    sigv4_request req = base_request("https://example.amazonaws.com/");
    req.session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
    sigv4_result res;
    CHECK_INT(sigv4_sign(&req, &res, NULL), 0);
    CHECK(strstr(res.canonical_request, "\nx-amz-security-token:6e86291e") != NULL);
    CHECK(strstr(res.authorization, "SignedHeaders=host;x-amz-date;x-amz-security-token,") != NULL);
    sigv4_result_free(&res);
    req.session_token = ""; /* empty means none */
    CHECK_INT(sigv4_sign(&req, &res, NULL), 0);
    CHECK(strstr(res.canonical_request, "x-amz-security-token") == NULL);
    sigv4_result_free(&res);
}

/* The signing keys a thread keeps are used only for the same day, region, service,
 * access key and secret: each change signs as a fresh signer would. */
static void test_key_cache(void)
{
    static const char vanilla[] =
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    sigv4_request req = base_request("https://example.amazonaws.com/");
    sigv4_result res;
    struct {
        const char *field, *value;
    } changes[] = {
        {"secret", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ"},
        {"secret", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEYx"}, /* the kept one and more */
        {"secret", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKE"},   /* a prefix of it */
        {"timestamp", "20150831T123600Z"},
        {"region", "us-west-2"},
        {"service", "iam"},
    };
    for (size_t i = 0; i < sizeof changes / sizeof *changes; i++) {
        sigv4_request other = req;
        if (strcmp(changes[i].field, "secret") == 0)
            other.secret_key = changes[i].value;
        else if (strcmp(changes[i].field, "timestamp") == 0)
            other.timestamp = changes[i].value;
        else if (strcmp(changes[i].field, "region") == 0)
            other.region = changes[i].value;
        else
            other.service = changes[i].value;
        CHECK_INT(sigv4_sign(&req, &res, NULL), 0);
        CHECK_STR(res.signature, vanilla);
        sigv4_result_free(&res);
        CHECK_INT(sigv4_sign(&other, &res, NULL), 0);
        CHECK(strcmp(res.signature, vanilla) != 0);
        sigv4_result_free(&res);
        CHECK_INT(sigv4_sign(&req, &res, NULL), 0); /* back: not the other's key */
        CHECK_STR(res.signature, vanilla);
        sigv4_result_free(&res);
    }
    /* More scopes than a thread keeps keys for, used in an order that finds some kept
     * and some made over: each signs as it did the first time. */
    static const char *const regions[] = {"r0", "r1", "r2", "r3", "r4", "r5"};
    static const int order[] = {0, 1, 0, 2, 3, 1, 4, 0, 5, 5, 2, 1, 3, 4, 0, 5, 1, 2};
    char first[6][65];
    for (int i = 0; i < 6; i++) {
        sigv4_request r = req;
        r.region = regions[i];
        CHECK_INT(sigv4_sign(&r, &res, NULL), 0);
        snprintf(first[i], sizeof first[i], "%s", res.signature);
        sigv4_result_free(&res);
    }
    for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
        sigv4_request r = req;
        r.region = regions[order[k]];
        CHECK_INT(sigv4_sign(&r, &res, NULL), 0);
        CHECK_STR(res.signature, first[order[k]]);
        sigv4_result_free(&res);
    }
    /* A secret changed in place, in the buffer the kept key was made from: not that key. */
    char secret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    sigv4_request same_buffer = req;
    same_buffer.secret_key = secret;
    CHECK_INT(sigv4_sign(&same_buffer, &res, NULL), 0);
    CHECK_STR(res.signature, vanilla);
    sigv4_result_free(&res);
    secret[0] = 'X';
    CHECK_INT(sigv4_sign(&same_buffer, &res, NULL), 0);
    CHECK(strcmp(res.signature, vanilla) != 0);
    sigv4_result_free(&res);
    /* The same secret under another access key id signs the same bytes alike. */
    sigv4_request renamed = req;
    renamed.access_key = "AKIDEXAMPLE2";
    CHECK_INT(sigv4_sign(&renamed, &res, NULL), 0);
    CHECK_STR(res.signature, vanilla);
    CHECK(strstr(res.authorization, "Credential=AKIDEXAMPLE2/20150830/") != NULL);
    sigv4_result_free(&res);
}

static void expect_url_error(const char *url, const char *fragment)
{
    aws_err err;
    sigv4_url u;
    CHECK_INT(sigv4_parse_url(url, strlen(url), &u, &err), -1);
    CHECK_INT(err.kind, AWS_ERR_PARAM);
    if (!strstr(err.message, fragment))
        fprintf(stderr, "url %s: message \"%s\" lacks \"%s\"\n", url, err.message, fragment);
    CHECK(strstr(err.message, fragment) != NULL);
    sigv4_request req = base_request(url);
    sigv4_result res;
    CHECK_INT(sigv4_sign(&req, &res, &err), -1);
    CHECK(res.authorization == NULL);
}

static void test_bad_urls(void)
{
    expect_url_error("example.amazonaws.com/", "no scheme");
    expect_url_error("", "empty");
    expect_url_error("ftp://example.amazonaws.com/", "scheme must be http or https");
    expect_url_error("https:///path", "empty host");
    expect_url_error("https://", "empty host");
    expect_url_error("https://exa mple.com/", "host has a character");
    expect_url_error("https://example.com\t/", "control character");
    expect_url_error("https://example.com:/", "port");
    expect_url_error("https://example.com:0/", "port");
    expect_url_error("https://example.com:65536/", "port");
    expect_url_error("https://example.com:80a/", "port");
    expect_url_error("https://example.com:-1/", "port");
    expect_url_error("https://user:pw@example.com/", "user info");
    expect_url_error("https://[::1/", "host has a character");
    sigv4_request req = base_request(NULL);
    sigv4_result res;
    aws_err err;
    CHECK_INT(sigv4_sign(&req, &res, &err), -1);
    CHECK_STR(err.code, "InvalidURL");
}

static void test_good_urls(void)
{
    sigv4_url u;
    const char *url = "HTTPS://[::1]:8443/a/b?x=1&y#frag";
    CHECK_INT(sigv4_parse_url(url, strlen(url), &u, NULL), 0);
    CHECK_STR(u.scheme, "https");
    CHECK_STR(u.host, "[::1]:8443");
    CHECK_STR(u.path, "/a/b");
    CHECK_STR(u.query, "x=1&y");
    sigv4_url_free(&u);
    url = "http://h";
    CHECK_INT(sigv4_parse_url(url, strlen(url), &u, NULL), 0);
    CHECK_STR(u.path, "/");
    CHECK(u.query == NULL);
    sigv4_url_free(&u);
    url = "http://h?";
    CHECK_INT(sigv4_parse_url(url, strlen(url), &u, NULL), 0);
    CHECK_STR(u.query, "");
    sigv4_url_free(&u);
}

static void test_bad_inputs(void)
{
    const char *stamps[] = {"2015-08-30T12:36:00Z",
                            "20150830T123600",
                            "20151330T123600Z",
                            "20150830T243600Z",
                            "20150830 123600Z",
                            "20150830T123600ZZ",
                            ""};
    sigv4_request req = base_request("https://example.amazonaws.com/");
    sigv4_result res;
    aws_err err;
    for (size_t i = 0; i < sizeof stamps / sizeof *stamps; i++) {
        req.timestamp = stamps[i];
        CHECK_INT(sigv4_sign(&req, &res, &err), -1);
        CHECK(strstr(err.message, "bad timestamp") != NULL);
    }
    req = base_request("https://example.amazonaws.com/");
    req.method = "GE T";
    CHECK_INT(sigv4_sign(&req, &res, &err), -1);
    req = base_request("https://example.amazonaws.com/");
    req.secret_key = "";
    CHECK_INT(sigv4_sign(&req, &res, &err), -1);
    CHECK_INT(err.kind, AWS_ERR_CREDS);
    req = base_request("https://example.amazonaws.com/");
    req.region = "us-east-1/x";
    CHECK_INT(sigv4_sign(&req, &res, &err), -1);
    sigv4_header bad[] = {{"Bad Name", "v"}};
    req = base_request("https://example.amazonaws.com/");
    req.headers = bad;
    req.nheaders = 1;
    CHECK_INT(sigv4_sign(&req, &res, &err), -1);
    CHECK(strstr(err.message, "header 1") != NULL);
    /* The secret never shows up in an error or in the result. */
    req = base_request("https://example.amazonaws.com/");
    CHECK_INT(sigv4_sign(&req, &res, &err), 0);
    CHECK(strstr(res.canonical_request, "EXAMPLEKEY") == NULL);
    CHECK(strstr(res.authorization, "EXAMPLEKEY") == NULL);
    sigv4_result_free(&res);
}

static void check_query(const char *q, const char *want)
{
    buf b = BUF_INIT;
    CHECK_INT(sigv4_canonical_query(q, strlen(q), &b), 0);
    CHECK_STR(b.p ? b.p : "", want);
    buf_free(&b);
}

static void check_uri(const char *p, int normalize, const char *want)
{
    buf b = BUF_INIT;
    CHECK_INT(sigv4_canonical_uri(p, strlen(p), normalize, &b), 0);
    CHECK_STR(b.p, want);
    buf_free(&b);
}

static void test_steps(void)
{
    check_query("b=2&a=2&a=1&c", "a=1&a=2&b=2&c=");
    check_query("&&x=%2f%zz&", "x=%2F%25zz");
    check_query("k=a b+c", "k=a%20b%2Bc");
    check_query("", "");
    check_uri("/a/b/../c/./d//", 1, "/a/c/d/");
    check_uri("/../..", 1, "/");
    check_uri("/a%20b", 1, "/a%2520b"); /* non-S3 double encoding */
    check_uri("", 0, "/");
    check_uri("/a/..", 0, "/a/..");
    char hex[65];
    sigv4_sha256_hex("", 0, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* The shape of every IAM call, through the convenience for the HTTP client. */
static void test_sign_headers(void)
{
    sigv4_request req = base_request("https://iam.amazonaws.com/");
    sigv4_header hs[] = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    req.method = "POST";
    req.service = "iam";
    req.headers = hs;
    req.nheaders = 1;
    req.body = "Action=ListUsers&Version=2010-05-08";
    req.body_len = strlen(req.body);
    req.session_token = "TOKEN";
    req.sign_body = 1;
    char *lines[SIGV4_MAX_ADDED_HEADERS + 1];
    CHECK_INT(sigv4_sign_headers(&req, lines, NULL), 0);
    CHECK_STR(lines[0], "X-Amz-Date: 20150830T123600Z");
    CHECK_STR(lines[1], "X-Amz-Security-Token: TOKEN");
    CHECK(lines[2] && strncmp(lines[2], "X-Amz-Content-Sha256: ", 22) == 0);
    CHECK(lines[3] && strstr(lines[3], "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"
                                       "20150830/us-east-1/iam/aws4_request, SignedHeaders="
                                       "content-type;host;x-amz-content-sha256;x-amz-date;"
                                       "x-amz-security-token, Signature=") == lines[3]);
    CHECK(lines[4] == NULL);
    sigv4_headers_free(lines);
}

/* Signing one IAM request should cost microseconds. Reported, and checked loosely
 * (sanitizer builds are slow, so the bound is generous). */
static void test_speed(void)
{
    sigv4_request req = base_request("https://iam.amazonaws.com/");
    req.method = "POST";
    req.body = "Action=ListUsers&Version=2010-05-08";
    req.body_len = strlen(req.body);
    enum { N = 2000 };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < N; i++) {
        sigv4_result res;
        if (sigv4_sign(&req, &res, NULL) == 0)
            sigv4_result_free(&res);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double us =
        ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / N;
    printf("sigv4_sign: %.1f us per request\n", us);
    /* Under valgrind everything is ~100x slower: report only. */
    const char *preload = getenv("LD_PRELOAD");
    if (!preload || !strstr(preload, "vgpreload"))
        CHECK(us < 1000.0);
}

int main(void)
{
    test_vectors();
    test_ports();
    test_session_token();
    test_key_cache();
    test_bad_urls();
    test_good_urls();
    test_bad_inputs();
    test_steps();
    test_sign_headers();
    test_speed();
    return check_summary();
}
