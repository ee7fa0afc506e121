/* test_provider.c - the provider chain's ORDER and the offline providers: environment,
 * credentials/config file keys, credential_process (small shell scripts in a temp dir),
 * assume-role configuration errors and cycles, sso refusal, the "nothing found" message. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "iamsh/provider.h"
#include "fake_env.h"

/* The two files, and no instance metadata (nothing listens there in a test). */
static void setup(const char *cfg, const char *creds)
{
    files(cfg, creds);
    env_set("AWS_EC2_METADATA_DISABLED", "true");
}

/* Load config (profile = --profile) and resolve with no network client. */
static int resolve(const char *profile, aws_creds *cr, aws_err *err)
{
    aws_config c;
    config_input in = {.profile = profile, .getenv_fn = fake_getenv, .home = dir};
    if (config_load(&c, &in, err) != 0)
        return -2;
    int rc = provider_resolve(&c, NULL, cr, err);
    config_free(&c);
    return rc;
}

static void test_env_order(void)
{
    aws_creds cr;
    aws_err err;
    setup("[profile p]\n", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = s\n"
                           "[p]\naws_access_key_id = PKEY\naws_secret_access_key = s\n");
    env_set("AWS_ACCESS_KEY_ID", "ENVKEY");
    env_set("AWS_SECRET_ACCESS_KEY", "envsecret");
    env_set("AWS_SESSION_TOKEN", "tok");
    CHECK_INT(resolve(NULL, &cr, &err), 0);
    CHECK_STR(cr.source, "env");
    CHECK_STR(cr.access_key_id, "ENVKEY");
    CHECK_STR(cr.session_token, "tok");
    creds_free(&cr);
    env_set("AWS_PROFILE", "p"); /* AWS_PROFILE does not remove env */
    CHECK_INT(resolve(NULL, &cr, &err), 0);
    CHECK_STR(cr.source, "env");
    creds_free(&cr);
    CHECK_INT(resolve("p", &cr, &err), 0); /* --profile does */
    CHECK_STR(cr.source, "shared-credentials-file");
    CHECK_STR(cr.access_key_id, "PKEY");
    CHECK(cr.session_token == NULL);
    creds_free(&cr);
    env_set("AWS_SECURITY_TOKEN", "legacy"); /* botocore checks the legacy name first */
    CHECK_INT(resolve(NULL, &cr, &err), 0);
    CHECK_STR(cr.session_token, "legacy");
    creds_free(&cr);
    env_set("AWS_CREDENTIAL_EXPIRATION", "2030-01-02T03:04:05Z");
    CHECK_INT(resolve(NULL, &cr, &err), 0);
    CHECK_INT(cr.expiration, 1893553445);
    creds_free(&cr);
    env_set("AWS_SECRET_ACCESS_KEY", ""); /* id without secret: partial, no fallthrough */
    CHECK_INT(resolve(NULL, &cr, &err), -1);
    CHECK_INT(err.kind, AWS_ERR_CREDS);
    CHECK_STR(err.code, "PartialCredentials");
}

static void test_file_process_config_order(void)
{
    aws_creds cr;
    aws_err err;
    char script[256], cfg[1024];
    snprintf(script, sizeof script, "%s/ok.sh", dir);
    write_file_mode(script,
                    "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"PROCKEY\", "
                    "\"SecretAccessKey\": \"ps\", \"SessionToken\": \"pt\", "
                    "\"Expiration\": \"2031-01-01T00:00:00.123Z\"}'\n",
                    0700);
    snprintf(cfg, sizeof cfg,
             "[profile p]\ncredential_process = %s\naws_access_key_id = CFGKEY\n"
             "aws_secret_access_key = cs\n",
             script);
    setup(cfg, "[p]\naws_access_key_id = CREDKEY\naws_secret_access_key = x\n");
    CHECK_INT(resolve("p", &cr, &err), 0);
    CHECK_STR(cr.source, "shared-credentials-file");
    creds_free(&cr);
    setup(cfg, "");
    CHECK_INT(resolve("p", &cr, &err), 0);
    CHECK_STR(cr.source, "process");
    CHECK_STR(cr.access_key_id, "PROCKEY");
    CHECK_STR(cr.session_token, "pt");
    CHECK_INT(cr.expiration, 1924992000);
    creds_free(&cr);
    setup("[profile p]\naws_access_key_id = CFGKEY\naws_secret_access_key = cs\n"
          "aws_session_token = ct\n",
          "");
    CHECK_INT(resolve("p", &cr, &err), 0);
    CHECK_STR(cr.source, "config-file");
    CHECK_STR(cr.session_token, "ct");
    creds_free(&cr);
    setup("", "[p]\naws_access_key_id = K\n");
    CHECK_INT(resolve("p", &cr, &err), -1);
    CHECK_STR(err.code, "PartialCredentials");
    CHECK(strstr(err.message, creds_path) != NULL);
}

static int run_process(const char *body, int timeout_ms, aws_creds *cr, aws_err *err)
{
    char script[256], cmd[512];
    snprintf(script, sizeof script, "%s/p.sh", dir);
    write_file_mode(script, body, 0700);
    snprintf(cmd, sizeof cmd, "'%s' \"arg one\" two\\ three", script);
    err_clear(err);
    return provider_process(cmd, timeout_ms, cr, err);
}

static void test_process(void)
{
    aws_creds cr;
    aws_err err;
    /* arguments are split shell-style and arrive intact */
    CHECK_INT(run_process("#!/bin/sh\n[ \"$1\" = 'arg one' ] && [ \"$2\" = 'two three' ] || "
                          "exit 9\necho '{\"Version\":1,\"AccessKeyId\":\"A\","
                          "\"SecretAccessKey\":\"S\"}'\n",
                          5000, &cr, &err),
              1);
    CHECK_STR(cr.source, "process");
    CHECK(cr.session_token == NULL);
    CHECK_INT(cr.expiration, 0);
    creds_free(&cr);
    CHECK_INT(run_process("#!/bin/sh\necho 'token expired' >&2\necho more >&2\nexit 3\n", 5000, &cr,
                          &err),
              -1);
    CHECK_INT(err.kind, AWS_ERR_CREDS);
    CHECK(strstr(err.message, "exit status 3") && strstr(err.message, "token expired"));
    CHECK(strstr(err.message, "more") == NULL);
    CHECK_INT(run_process("#!/bin/sh\necho 'not json'\n", 5000, &cr, &err), -1);
    CHECK(strstr(err.message, "JSON") != NULL);
    CHECK_INT(run_process("#!/bin/sh\necho '{\"Version\":2,\"AccessKeyId\":\"A\","
                          "\"SecretAccessKey\":\"S\"}'\n",
                          5000, &cr, &err),
              -1);
    CHECK(strstr(err.message, "supported versions: 1") != NULL);
    CHECK_INT(run_process("#!/bin/sh\necho '{\"Version\":\"1\",\"AccessKeyId\":\"A\","
                          "\"SecretAccessKey\":\"S\"}'\n",
                          5000, &cr, &err),
              -1);
    CHECK_INT(
        run_process("#!/bin/sh\necho '{\"Version\":1,\"AccessKeyId\":\"A\"}'\n", 5000, &cr, &err),
        -1);
    CHECK(strstr(err.message, "SecretAccessKey") != NULL);
    CHECK_INT(run_process("#!/bin/sh\necho '{\"Version\":1,\"AccessKeyId\":\"A\","
                          "\"SecretAccessKey\":\"S\",\"Expiration\":\"soon\"}'\n",
                          5000, &cr, &err),
              -1);
    CHECK(strstr(err.message, "Expiration") != NULL);
    time_t t0 = time(NULL);
    CHECK_INT(run_process("#!/bin/sh\nsleep 30\n", 300, &cr, &err), -1);
    CHECK(strstr(err.message, "timed out") != NULL);
    CHECK(time(NULL) - t0 < 5);
    /* a process that closes its pipes but keeps running is also cut off */
    t0 = time(NULL);
    CHECK_INT(run_process("#!/bin/sh\nexec >&- 2>&-\nsleep 30\n", 300, &cr, &err), -1);
    CHECK(strstr(err.message, "timed out") != NULL);
    CHECK(time(NULL) - t0 < 5);
    CHECK_INT(provider_process("/nonexistent/helper", 1000, &cr, &err), -1);
    /* posix_spawnp reports the failure, or (under valgrind) the child exits 127 */
    CHECK(strstr(err.message, "cannot run") || strstr(err.message, "127"));
    CHECK_INT(provider_process("'unterminated", 1000, &cr, &err), -1);
    CHECK_INT(provider_process("   ", 1000, &cr, &err), -1);
}

static void test_assume_role_config(void)
{
    aws_creds cr;
    aws_err err;
    const char *arn = "role_arn = arn:aws:iam::123456789012:role/r\n";
    char cfg[2048];
    snprintf(cfg, sizeof cfg,
             "[profile a]\n%ssource_profile = b\n[profile b]\n%ssource_profile = a\n"
             "[profile self]\n%ssource_profile = self\n"
             "[profile selfkeys]\n%ssource_profile = selfkeys\naws_access_key_id = K\n"
             "aws_secret_access_key = S\n"
             "[profile both]\n%ssource_profile = b\ncredential_source = Environment\n"
             "[profile neither]\n%s"
             "[profile ghost]\n%ssource_profile = nobody\n"
             "[profile badsrc]\n%scredential_source = Moon\n"
             "[profile mfa]\n%ssource_profile = selfkeys\nmfa_serial = arn:mfa\n"
             "[profile envsrc]\n%scredential_source = environment\n"
             "[profile chain]\n%ssource_profile = selfkeys\n"
             "[profile sso]\nsso_session = s\nsso_account_id = 1\n"
             "[profile login]\nlogin_session = arn:aws:iam::123456789012:user/u\n",
             arn, arn, arn, arn, arn, arn, arn, arn, arn, arn, arn);
    setup(cfg, "");
    CHECK_INT(resolve("a", &cr, &err), -1);
    CHECK_STR(err.code, "InfiniteLoopConfigError");
    CHECK_INT(err.kind, AWS_ERR_CONFIG);
    CHECK_INT(resolve("self", &cr, &err), -1);
    CHECK_STR(err.code, "InfiniteLoopConfigError");
    CHECK_INT(resolve("selfkeys", &cr, &err), -1); /* accepted: fails only for want of a client */
    CHECK_STR(err.code, "NoClient");
    CHECK_INT(resolve("chain", &cr, &err), -1);
    CHECK_STR(err.code, "NoClient");
    CHECK_INT(resolve("both", &cr, &err), -1);
    CHECK(strstr(err.message, "both") != NULL);
    CHECK_INT(resolve("neither", &cr, &err), -1);
    CHECK(strstr(err.message, "neither") != NULL);
    CHECK_INT(resolve("ghost", &cr, &err), -1);
    CHECK(strstr(err.message, "nobody") != NULL);
    CHECK_INT(resolve("badsrc", &cr, &err), -1);
    CHECK(strstr(err.message, "Moon") != NULL);
    CHECK_INT(resolve("mfa", &cr, &err), -1); /* accepted: the code is asked before a call */
    CHECK_STR(err.code, "NoClient");
    CHECK_INT(resolve("envsrc", &cr, &err), -1); /* no env keys: nothing from the source */
    CHECK_STR(err.code, "CredentialRetrievalError");
    env_set("AWS_ACCESS_KEY_ID", "E");
    env_set("AWS_SECRET_ACCESS_KEY", "S");
    CHECK_INT(resolve("envsrc", &cr, &err), -1);
    CHECK_STR(err.code, "NoClient");
    CHECK_INT(resolve("sso", &cr, &err), -1);
    CHECK_INT(err.kind, AWS_ERR_CONFIG);
    CHECK(strstr(err.message, "profile 'sso'") && strstr(err.message, "[sso-session s]"));
    CHECK_INT(resolve("login", &cr, &err), -1);
    CHECK_STR(err.code, "LoginNotSupported");
    CHECK(strstr(err.message, "profile 'login'") && strstr(err.message, "credential_process"));
}

static void test_nothing_found(void)
{
    aws_creds cr;
    aws_err err;
    setup("[profile p]\nregion = us-east-1\n", "");
    CHECK_INT(resolve("p", &cr, &err), -1);
    CHECK_INT(err.kind, AWS_ERR_CREDS);
    CHECK(strncmp(err.message, "no credentials: looked in environment (skipped", 46) == 0);
    CHECK(strstr(err.message, "profile 'p'") && strstr(err.message, creds_path) &&
          strstr(err.message, cfg_path) && strstr(err.message, "container") &&
          strstr(err.message, "instance metadata"));
    CHECK_INT(resolve(NULL, &cr, &err), -1);
    CHECK(strstr(err.message, "environment, profile 'default'") != NULL);
}

static void test_expiry(void)
{
    aws_creds cr = {0};
    CHECK_INT(creds_set_expiration(&cr, "2011-07-11T19:55:29.611Z"), 0);
    CHECK_INT(cr.expiration, 1310414129);
    CHECK_INT(creds_set_expiration(&cr, "garbage"), -1);
    CHECK_INT(cr.expiration, 1310414129);
    CHECK_INT(creds_set_expiration(&cr, NULL), 0);
    CHECK_INT(cr.expiration, 0);
    CHECK_INT(creds_expiring(&cr, 1000), 0);
    cr.expiration = 2000;
    CHECK_INT(creds_expiring(&cr, 2000 - CREDS_REFRESH_WINDOW - 1), 0);
    CHECK_INT(creds_expiring(&cr, 2000 - CREDS_REFRESH_WINDOW), 1);
    creds_free(&cr);
}

int main(void)
{
    if (fake_env_init("creds") != 0)
        return 1;
    test_env_order();
    test_file_process_config_order();
    test_process();
    test_assume_role_config();
    test_nothing_found();
    test_expiry();
    fake_env_cleanup();
    return check_summary();
}
