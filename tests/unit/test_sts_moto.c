/* test_sts_moto.c - the C core signs and sends real Query calls to moto on loopback. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "iamsh/client.h"
#include "helper_proc.h"

static int moto_start(helper *m)
{
    static const char *const args[] = {"--lifetime", "300", NULL};
    if (helper_start(m, "moto.py", args) == 0)
        return 0;
    fprintf(stderr, "test_sts_moto: moto is not available: tests/support/moto.py printed no port "
                    "(see its message above; install it with: pip install 'moto[server]')\n");
    return -1;
}

/* Obviously fake keys (AWS's documentation examples). */
static aws_creds fake_creds = {
    "AKIDFAKEFAKEFAKE01", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL, 0, "test",
};

/* The text of the first <name> element in xml, or "" (enough for these checks). */
static void element_text(const char *xml, const char *name, char *out, size_t size)
{
    char open[64];
    snprintf(open, sizeof open, "<%s>", name);
    const char *p = xml ? strstr(xml, open) : NULL;
    out[0] = '\0';
    if (p) {
        p += strlen(open);
        snprintf(out, size, "%.*s", (int)strcspn(p, "<"), p);
    }
}

static int call(aws_client *c, const char *url, const char *service, const char *form, buf *resp,
                char rid[96], aws_err *err)
{
    aws_endpoint ep = {(char *)url, "us-east-1", (char *)service};
    return client_query(c, &ep, &fake_creds, form, strlen(form), resp, rid, err);
}

static void test_sts(aws_client *c, const char *url)
{
    buf resp = BUF_INIT;
    char rid[96], account[32];
    aws_err err;
    int rc = call(c, url, "sts", "Action=GetCallerIdentity&Version=2011-06-15", &resp, rid, &err);
    CHECK_INT(rc, 0);
    if (rc != 0)
        fprintf(stderr, "GetCallerIdentity: %s: %s\n", err.code, err.message);
    element_text(resp.p, "Account", account, sizeof account);
    CHECK_STR(account, "123456789012");
    CHECK(resp.p && strstr(resp.p, "<GetCallerIdentityResponse") != NULL);
    CHECK(rid[0] != '\0');
    CHECK_INT(c->attempts_last, 1);
    buf_free(&resp);
}

static void test_iam(aws_client *c, const char *url)
{
    buf resp = BUF_INIT;
    char rid[96];
    aws_err err;
    int rc = call(c, url, "iam", "Action=ListRoles&Version=2010-05-08", &resp, rid, &err);
    CHECK_INT(rc, 0);
    if (rc != 0)
        fprintf(stderr, "ListRoles: %s: %s\n", err.code, err.message);
    CHECK(resp.p && strstr(resp.p, "<ListRolesResponse") != NULL);
    CHECK(resp.p && strstr(resp.p, "<IsTruncated>") != NULL);

    /* moto's IAM error document goes through the same parser as AWS's. */
    rc = call(c, url, "iam", "Action=GetRole&Version=2010-05-08&RoleName=iamsh-no-such-role", &resp,
              rid, &err);
    CHECK_INT(rc, -1);
    CHECK_INT(err.kind, AWS_ERR_SERVICE);
    CHECK_STR(err.code, "NoSuchEntity");
    CHECK_INT(err.status, 404);
    CHECK(strstr(err.message, "iamsh-no-such-role") != NULL);
    CHECK_INT(c->attempts_last, 1); /* not retryable */
    buf_free(&resp);
}

int main(void)
{
    helper m;
    signal(SIGPIPE, SIG_IGN);
    setenv("no_proxy", "127.0.0.1,localhost", 1); /* moto is on loopback */
    setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    if (moto_start(&m) != 0) {
        CHECK(!"moto started (tests/support/moto.py)");
        return check_summary();
    }
    aws_client_opts o = {.max_attempts = 3, .timeout_ms = 30000};
    aws_err err;
    aws_client *c = client_new(&o, &err);
    CHECK(c != NULL);
    if (c) {
        test_sts(c, m.url);
        test_iam(c, m.url);
        client_free(c);
    }
    helper_stop(&m);
    return check_summary();
}
