/* fuzz_sigv4_url.c - arbitrary bytes into the signer's url parser, and into
 * sigv4_sign as the url, as the query string, as the path, as a header name and
 * value and as the session token. Checks the invariants a caller relies on:
 * a success yields a sane host and a 64-hex signature; a failure leaves nothing
 * allocated and says why. */
#include "iamsh/sigv4.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Control bytes reach the canonical request only copied verbatim from the input
 * (percent-encoding emits printable text, which could spell any printable tail). */
#define SECRET_TAIL "\x01EXAMPLEKEY\x02"
static int fuzz_input_has_secret;

static void require(int cond)
{
    if (!cond)
        __builtin_trap();
}

static void check_url(const sigv4_url *u)
{
    require(u->scheme && (!strcmp(u->scheme, "http") || !strcmp(u->scheme, "https")));
    require(u->host && u->host[0] != '\0' && u->path && u->path[0] == '/');
    for (const unsigned char *p = (const unsigned char *)u->host; *p; p++)
        require(*p > ' ' && *p != 0x7f && *p != '/' && *p != '@');
}

static void check_result(int rc, const sigv4_result *res, const aws_err *err)
{
    if (rc != 0) {
        require(err->kind != AWS_ERR_NONE && err->message[0] != '\0');
        require(!res->authorization && !res->canonical_request && !res->host);
        return;
    }
    require(strlen(res->signature) == 64);
    for (int i = 0; i < 64; i++)
        require((res->signature[i] >= '0' && res->signature[i] <= '9') ||
                (res->signature[i] >= 'a' && res->signature[i] <= 'f'));
    require(strstr(res->authorization, res->signature) != NULL);
    /* The secret never reaches the signed text (unless the input itself holds it). */
    require(strstr(res->canonical_request, SECRET_TAIL) == NULL || fuzz_input_has_secret);
}

static void sign_one(const char *url, const sigv4_header *h, size_t nh, const char *token,
                     int normalize)
{
    sigv4_request req = {
        .method = "POST",
        .url = url,
        .headers = h,
        .nheaders = nh,
        .body = "Action=ListUsers",
        .body_len = 16,
        .region = "us-east-1",
        .service = "iam",
        .access_key = "AKIDEXAMPLE",
        .secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCY" SECRET_TAIL,
        .session_token = token,
        .timestamp = "20150830T123600Z",
        .normalize_path = normalize,
        .sign_body = !normalize,
    };
    sigv4_result res;
    aws_err err;
    int rc = sigv4_sign(&req, &res, &err);
    check_result(rc, &res, &err);
    sigv4_result_free(&res);
}

static void fuzz_steps(const char *s, size_t n)
{
    buf b = BUF_INIT;
    require(sigv4_canonical_query(s, n, &b) == 0);
    buf_reset(&b);
    require(sigv4_canonical_uri(s, n, 1, &b) == 0 && b.p[0] == '/');
    buf_reset(&b);
    require(sigv4_canonical_uri(s, n, 0, &b) == 0);
    buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sigv4_url u;
    aws_err err;
    if (sigv4_parse_url((const char *)data, size, &u, &err) == 0) {
        check_url(&u);
        sigv4_url_free(&u);
    } else {
        require(err.message[0] != '\0' && !u.scheme && !u.host);
    }
    fuzz_steps((const char *)data, size);

    /* As C strings: the input up to its first NUL, then used in every slot. */
    char *s = malloc(size + 1);
    buf url = BUF_INIT;
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    fuzz_input_has_secret = strstr(s, SECRET_TAIL) != NULL;
    sign_one(s, NULL, 0, NULL, 1);
    if (buf_printf(&url, "https://example.amazonaws.com/%s", s) == 0)
        sign_one(url.p, NULL, 0, NULL, size & 1);
    buf_reset(&url);
    if (buf_printf(&url, "https://example.amazonaws.com/?%s", s) == 0)
        sign_one(url.p, NULL, 0, NULL, 1);
    sigv4_header h[] = {{"X-Fuzz", s}, {s, "v"}, {"x-fuzz", s}, {"Host", s}};
    sign_one("https://example.amazonaws.com/", h, 1, s, 1);
    sign_one("https://example.amazonaws.com/", h, 4, NULL, 0);
    sign_one("https://example.amazonaws.com/", h + 2, 2, NULL, 1);
    buf_free(&url);
    free(s);
    return 0;
}
