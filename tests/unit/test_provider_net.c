/* test_provider_net.c - the network providers against tests/support/fake_metadata.py on
 * loopback: IMDSv2 (and the v1 fallback), container credentials with the Authorization
 * token, AssumeRole (source_profile, chains, credential_source) and web identity. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "iamsh/client.h"
#include "iamsh/provider.h"
#include "fake_env.h"
#include "helper_proc.h"

/* ---- the fake server ---- */

typedef helper server;

static int server_start(server *s, const char *flag, const char *flag_value)
{
    const char *const args[] = {"--lifetime", "60", flag, flag_value, NULL};
    return helper_start(s, "fake_metadata.py", args);
}

static void server_stop(server *s)
{
    helper_stop(s);
}

static void no_sleep(double seconds)
{
    (void)seconds;
}

/* The --debug wire log of the last resolve. */
static char wire_log[65536];

static void capture_log(void *ud, const char *line)
{
    (void)ud;
    size_t n = strlen(wire_log);
    snprintf(wire_log + n, sizeof wire_log - n, "%s\n", line);
}

static int resolve(const char *profile, aws_creds *cr, aws_err *err)
{
    wire_log[0] = '\0';
    aws_config c;
    config_input in = {.profile = profile, .getenv_fn = fake_getenv, .home = dir};
    if (config_load(&c, &in, err) != 0)
        return -2;
    aws_client_opts o = {.max_attempts = 1, .sleep_fn = no_sleep, .log = capture_log};
    aws_client *cl = client_new(&o, err);
    int rc = cl ? provider_resolve(&c, cl, cr, err) : -3;
    client_free(cl);
    config_free(&c);
    return rc;
}

/* ---- IMDS ---- */

static void test_imds(const server *v2, const server *v1)
{
    aws_creds cr;
    aws_err err;
    files("", "");
    env_set("AWS_EC2_METADATA_SERVICE_ENDPOINT", v2->url);
    CHECK_INT(resolve(NULL, &cr, &err), 0);
    CHECK_STR(cr.source, "iam-role");
    CHECK_STR(cr.access_key_id, "IMDSKEY");
    CHECK_STR(cr.session_token, "fake-token-IMDSKEY");
    CHECK_INT(cr.expiration, 1893553445);
    creds_free(&cr);
    /* The IMDSv2 session token opens the instance's credentials: --debug hides it
     * in the PUT's answer and in the header of the GETs, like the keys themselves. */
    CHECK(strstr(wire_log, "/latest/api/token") != NULL);
    CHECK(strstr(wire_log, "fake-imds-token") == NULL);
    CHECK(strstr(wire_log, "fake-secret-IMDSKEY") == NULL);
    env_set("AWS_EC2_METADATA_SERVICE_ENDPOINT", v1->url); /* 403 on the token: v1 */
    CHECK_INT(resolve(NULL, &cr, &err), 0);
    CHECK_STR(cr.access_key_id, "IMDSKEY");
    creds_free(&cr);
    env_set("AWS_EC2_METADATA_V1_DISABLED", "true");
    CHECK_INT(resolve(NULL, &cr, &err), -1);
    CHECK_STR(err.code, "NoCredentials");
    CHECK(strstr(err.message, "instance metadata (") != NULL);
    env_set("AWS_EC2_METADATA_DISABLED", "true");
    env_set("AWS_EC2_METADATA_SERVICE_ENDPOINT", v2->url);
    CHECK_INT(resolve(NULL, &cr, &err), -1);
    CHECK(strstr(err.message, "disabled") != NULL);
    /* nothing listening: not found, quickly */
    files("", "");
    env_set("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1");
    time_t t0 = time(NULL);
    CHECK_INT(resolve(NULL, &cr, &err), -1);
    CHECK_STR(err.code, "NoCredentials");
    CHECK(time(NULL) - t0 < 4);
}

/* ---- container ---- */

static void test_container(const server *s)
{
    aws_creds cr;
    aws_err err;
    char url[128], tokfile[128];
    snprintf(url, sizeof url, "%s/container/creds", s->url);
    files("", "");
    env_set("AWS_EC2_METADATA_SERVICE_ENDPOINT", s->url); /* container wins over IMDS */
    env_set("AWS_CONTAINER_CREDENTIALS_FULL_URI", url);
    env_set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "secret-token");
    CHECK_INT(resolve(NULL, &cr, &err), 0);
    CHECK_STR(cr.source, "container-role");
    CHECK_STR(cr.access_key_id, "CONTAINERKEY");
    creds_free(&cr);
    env_set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong");
    CHECK_INT(resolve(NULL, &cr, &err), -1);
    CHECK_INT(err.kind, AWS_ERR_CREDS);
    CHECK(strstr(err.message, "401") != NULL);
    snprintf(tokfile, sizeof tokfile, "%s/token", dir);
    write_file(tokfile, "secret-token");
    env_set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tokfile); /* the file wins */
    CHECK_INT(resolve(NULL, &cr, &err), 0);
    creds_free(&cr);
    write_file(tokfile, "secret-token\n");
    CHECK_INT(resolve(NULL, &cr, &err), -1);
    CHECK(strstr(err.message, "line break") != NULL);
    files("", "");
    env_set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds");
    CHECK_INT(resolve(NULL, &cr, &err), -1);
    CHECK(strstr(err.message, "FULL_URI") != NULL);
}

/* ---- STS ---- */

static void remove_cache(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/.aws/cli/cache'", dir);
    CHECK_INT(system(cmd), 0);
}

/* The AssumeRole answer is in the AWS CLI's cache, under botocore's key for
 * {"RoleArn": ..., "RoleSessionName": "sess"}, mode 0600, in the CLI's JSON; a second
 * resolve takes it from there with STS unreachable. */
static void check_cached_role(const server *s)
{
    char path[256], text[4096] = "";
    struct stat st;
    snprintf(path, sizeof path, "%s/.aws/cli/cache/175d090882904d61f291b0f821afc3c4efd51ae1.json",
             dir);
    CHECK_INT(stat(path, &st), 0);
    CHECK_INT(st.st_mode & 0777, 0600);
    FILE *f = fopen(path, "r");
    if (f) {
        text[fread(text, 1, sizeof text - 1, f)] = '\0';
        fclose(f);
    }
    CHECK(strstr(text, "{\"Credentials\": {\"AccessKeyId\": \"ASIA-BASEKEY\", "
                       "\"SecretAccessKey\": ") == text);
    CHECK(strstr(text, "\"Expiration\": \"2030-01-02T03:04:05UTC\"}") != NULL);
    CHECK(strstr(text, "\"AssumedRoleUser\": {\"AssumedRoleId\": \"AROAFAKE:sess\"") != NULL);
    CHECK(strstr(text, "\"ResponseMetadata\": {\"RequestId\": \"req-1\"}") != NULL);
    aws_creds cr;
    aws_err err;
    env_set("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9");
    CHECK_INT(resolve("r", &cr, &err), 0);
    CHECK_STR(cr.access_key_id, "ASIA-BASEKEY");
    CHECK_STR(cr.session_token, "session-sess");
    creds_free(&cr);
    env_set("AWS_ENDPOINT_URL_STS", s->url);
}

static void test_assume_role(const server *s)
{
    aws_creds cr;
    aws_err err;
    char tokfile[128], cfg[1024];
    const char *arn = "role_arn = arn:aws:iam::123456789012:role/r\n";
    snprintf(cfg, sizeof cfg,
             "[profile base]\naws_access_key_id = BASEKEY\naws_secret_access_key = bs\n"
             "[profile r]\n%ssource_profile = base\nrole_session_name = sess\n"
             "[profile r2]\n%ssource_profile = r\nexternal_id = ext1\nduration_seconds = 900\n"
             "[profile self]\n%ssource_profile = self\naws_access_key_id = SELFKEY\n"
             "aws_secret_access_key = ss\n"
             "[profile envsrc]\n%scredential_source = Environment\n"
             "[profile refused]\n%ssource_profile = base\nexternal_id = refuse\n",
             arn, arn, arn, arn, arn);
    files(cfg, "");
    env_set("AWS_ENDPOINT_URL_STS", s->url);
    env_set("AWS_EC2_METADATA_DISABLED", "true");
    CHECK_INT(resolve("r", &cr, &err), 0);
    CHECK_STR(cr.source, "assume-role");
    CHECK_STR(cr.access_key_id, "ASIA-BASEKEY");
    CHECK_STR(cr.session_token, "session-sess");
    CHECK_INT(cr.expiration, 1893553445);
    creds_free(&cr);
    check_cached_role(s);
    CHECK_INT(resolve("r2", &cr, &err), 0); /* chained, signed by r's creds */
    CHECK_STR(cr.access_key_id, "ASIA-ASIA-BASEKEY-ext-ext1");
    CHECK(strncmp(cr.session_token, "session-iamsh-", 14) == 0);
    creds_free(&cr);
    CHECK_INT(resolve("refused", &cr, &err), -1);
    CHECK_INT(err.kind, AWS_ERR_CREDS);
    CHECK_STR(err.code, "AccessDenied");
    CHECK(strstr(err.message, "profile 'refused': AssumeRole of arn:aws:iam::123456789012:role/r "
                              "was refused (AccessDenied: not authorized to assume): check "
                              "role_arn") == err.message);
    CHECK_INT(resolve("self", &cr, &err), 0);
    CHECK_STR(cr.access_key_id, "ASIA-SELFKEY");
    creds_free(&cr);
    env_set("AWS_ACCESS_KEY_ID", "ENVKEY");
    env_set("AWS_SECRET_ACCESS_KEY", "es");
    /* envsrc assumes the role with the same arguments as self, so (as in botocore, whose
     * key leaves the source out) it would get self's cached entry */
    remove_cache();
    CHECK_INT(resolve("envsrc", &cr, &err), 0);
    CHECK_STR(cr.access_key_id, "ASIA-ENVKEY");
    creds_free(&cr);

    /* web identity from the environment (no profile keys needed) */
    snprintf(tokfile, sizeof tokfile, "%s/jwt", dir);
    write_file(tokfile, "jwt-token\n");
    files("", "");
    env_set("AWS_ENDPOINT_URL_STS", s->url);
    env_set("AWS_EC2_METADATA_DISABLED", "true");
    env_set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web");
    env_set("AWS_WEB_IDENTITY_TOKEN_FILE", tokfile);
    env_set("AWS_ROLE_SESSION_NAME", "websess");
    CHECK_INT(resolve(NULL, &cr, &err), 0);
    CHECK_STR(cr.source, "assume-role-with-web-identity");
    CHECK_STR(cr.access_key_id, "WEBIDKEY");
    CHECK_STR(cr.session_token, "session-websess");
    creds_free(&cr);
    write_file(tokfile, "other");
    CHECK_INT(resolve(NULL, &cr, &err), -1);
    CHECK_INT(err.kind, AWS_ERR_SERVICE);
    CHECK_STR(err.code, "InvalidIdentityToken");
}

int main(void)
{
    if (fake_env_init("credsnet") != 0)
        return 1;
    server v2 = {0}, v1 = {0};
    int ok = server_start(&v2, "--container-token", "secret-token") == 0 &&
             server_start(&v1, "--v1-only", NULL) == 0;
    CHECK(ok);
    if (ok) {
        test_imds(&v2, &v1);
        test_container(&v2);
        test_assume_role(&v2);
    }
    server_stop(&v2);
    server_stop(&v1);
    fake_env_cleanup();
    return check_summary();
}
