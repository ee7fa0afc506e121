/* test_config.c - precedence (flag > env > profile), missing profiles, paths, endpoints for
 * every partition and the override order, with an injected environment and temp files. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "iamsh/config.h"
#include "fake_env.h"

static int load(aws_config *c, const char *profile, const char *region, aws_err *err)
{
    config_input in = {0};
    in.profile = profile;
    in.region = region;
    in.getenv_fn = fake_getenv;
    in.home = dir;
    err_clear(err);
    return config_load(c, &in, err);
}

static void test_profile_precedence(void)
{
    aws_config c;
    aws_err err;
    files("[profile a]\nregion = eu-west-1\n[profile b]\nregion = eu-west-2\n", "[cred]\nx=1\n");
    CHECK_INT(load(&c, NULL, NULL, &err), 0);
    CHECK_STR(c.profile, "default");
    CHECK_INT(c.profile_from_user, 0);
    CHECK(c.region == NULL);
    CHECK_STR(c.partition, "aws");
    CHECK_INT(c.max_attempts, 3);
    CHECK_STR(c.retry_mode, "standard");
    config_free(&c);
    env_set("AWS_DEFAULT_PROFILE", "b");
    CHECK_INT(load(&c, NULL, NULL, &err), 0);
    CHECK_STR(c.profile, "b");
    CHECK_STR(c.region, "eu-west-2");
    CHECK_INT(c.profile_explicit, 0);
    CHECK_INT(c.profile_from_user, 1);
    config_free(&c);
    env_set("AWS_PROFILE", "a"); /* AWS_PROFILE beats AWS_DEFAULT_PROFILE in CLI v2 */
    CHECK_INT(load(&c, NULL, NULL, &err), 0);
    CHECK_STR(c.profile, "a");
    config_free(&c);
    CHECK_INT(load(&c, "cred", NULL, &err), 0); /* the flag beats both; creds-file profile */
    CHECK_STR(c.profile, "cred");
    CHECK_INT(c.profile_explicit, 1);
    config_free(&c);
}

static void test_profile_not_found(void)
{
    aws_config c;
    aws_err err;
    files("[profile a]\n", "");
    CHECK_INT(load(&c, "nope", NULL, &err), -1);
    CHECK_INT(err.kind, AWS_ERR_CONFIG);
    CHECK_STR(err.message, "The config profile (nope) could not be found");
    env_set("AWS_PROFILE", "ghost");
    CHECK_INT(load(&c, NULL, NULL, &err), -1);
    CHECK(strstr(err.message, "(ghost)") != NULL);
    files("", "");
    CHECK_INT(load(&c, NULL, NULL, &err), 0); /* the implicit default may be absent */
    config_free(&c);
    CHECK_INT(load(&c, "default", NULL, &err), -1); /* but not when named */
    /* missing files are fine */
    env_reset();
    env_set("AWS_CONFIG_FILE", "/nonexistent/config");
    env_set("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
    CHECK_INT(load(&c, NULL, NULL, &err), 0);
    config_free(&c);
    /* a broken file is an error naming it */
    files("[profile a\n", "");
    CHECK_INT(load(&c, NULL, NULL, &err), -1);
    CHECK(strstr(err.message, cfg_path) != NULL);
}

static void test_region_and_values(void)
{
    aws_config c;
    aws_err err;
    files("[default]\nregion = eu-west-1\nmax_attempts = 5\nretry_mode = adaptive\n"
          "ca_bundle = ~/ca.pem\n",
          "[default]\nregion = cn-north-1\n");
    CHECK_INT(load(&c, NULL, NULL, &err), 0);
    CHECK_STR(c.region, "cn-north-1"); /* credentials-file keys win */
    CHECK_STR(c.partition, "aws-cn");
    CHECK_INT(c.max_attempts, 5);
    CHECK_STR(c.retry_mode, "adaptive");
    char want[256];
    snprintf(want, sizeof want, "%s/ca.pem", dir);
    CHECK_STR(c.ca_bundle, want);
    config_free(&c);
    env_set("AWS_DEFAULT_REGION", "us-west-1");
    CHECK_INT(load(&c, NULL, NULL, &err), 0);
    CHECK_STR(c.region, "us-west-1");
    config_free(&c);
    env_set("AWS_REGION", "us-gov-west-1");
    env_set("AWS_MAX_ATTEMPTS", "7");
    env_set("AWS_RETRY_MODE", "legacy");
    env_set("AWS_CA_BUNDLE", "/etc/ca.pem");
    env_set("AWS_EC2_METADATA_DISABLED", "TRUE");
    CHECK_INT(load(&c, NULL, NULL, &err), 0);
    CHECK_STR(c.region, "us-gov-west-1");
    CHECK_STR(c.partition, "aws-us-gov");
    CHECK_INT(c.max_attempts, 7);
    CHECK_STR(c.retry_mode, "legacy");
    CHECK_STR(c.ca_bundle, "/etc/ca.pem");
    CHECK_INT(c.ec2_metadata_disabled, 1);
    config_free(&c);
    CHECK_INT(load(&c, NULL, "ap-south-1", &err), 0); /* --region beats env */
    CHECK_STR(c.region, "ap-south-1");
    config_free(&c);
    CHECK_INT(load(&c, NULL, "bad/region", &err), -1);
    CHECK_INT(err.kind, AWS_ERR_CONFIG);
}

static void test_bad_numbers(void)
{
    aws_config c;
    aws_err err;
    files("[default]\nmax_attempts = abc\n", "");
    CHECK_INT(load(&c, NULL, NULL, &err), -1);
    CHECK_INT(err.kind, AWS_ERR_CONFIG);
    CHECK(strstr(err.message, "max_attempts") && strstr(err.message, cfg_path));
    files("", "[default]\nmax_attempts = 0\n");
    CHECK_INT(load(&c, NULL, NULL, &err), -1);
    CHECK(strstr(err.message, creds_path) != NULL);
    files("", "");
    env_set("AWS_MAX_ATTEMPTS", "3x");
    CHECK_INT(load(&c, NULL, NULL, &err), -1);
    CHECK(strstr(err.message, "AWS_MAX_ATTEMPTS") != NULL);
    /* 99999 is a whole number >= 1: the message must name the real bound. */
    files("", "");
    env_set("AWS_MAX_ATTEMPTS", "99999");
    CHECK_INT(load(&c, NULL, NULL, &err), -1);
    CHECK(strstr(err.message, "1000") != NULL);
    files("", "");
    env_set("AWS_MAX_ATTEMPTS", "1000");
    CHECK_INT(load(&c, NULL, NULL, &err), 0);
    CHECK_INT(c.max_attempts, 1000);
    config_free(&c);
    files("[default]\nretry_mode = fast\n", "");
    CHECK_INT(load(&c, NULL, NULL, &err), -1);
    CHECK(strstr(err.message, "retry_mode") != NULL);
}

static void test_paths(void)
{
    aws_config c;
    aws_err err;
    env_reset();
    env_set("MYDIR", dir);
    write_file(cfg_path, "[profile p]\nregion = sa-east-1\n");
    write_file(creds_path, "[p]\n");
    env_set("AWS_CONFIG_FILE", "$MYDIR/config");
    env_set("AWS_SHARED_CREDENTIALS_FILE", "~/credentials");
    CHECK_INT(load(&c, "p", NULL, &err), 0);
    CHECK_STR(c.config_file, cfg_path);
    CHECK_STR(c.credentials_file, creds_path);
    CHECK_STR(c.region, "sa-east-1");
    char *x = config_expand_path(&c, "${MYDIR}/a/$UNSET/$/b$");
    char want[256];
    snprintf(want, sizeof want, "%s/a/$UNSET/$/b$", dir);
    CHECK_STR(x, want);
    free(x);
    config_free(&c);
    env_reset(); /* defaults under home */
    CHECK_INT(load(&c, NULL, NULL, &err), 0);
    snprintf(want, sizeof want, "%s/.aws/config", dir);
    CHECK_STR(c.config_file, want);
    config_free(&c);
}

static void check_ep(aws_config *c, const char *svc, const char *url, const char *region)
{
    aws_endpoint ep;
    aws_err err;
    CHECK_INT(config_endpoint(c, svc, &ep, &err), 0);
    CHECK_STR(ep.url, url);
    CHECK_STR(ep.signing_region, region);
    CHECK_STR(ep.signing_name, svc);
    config_endpoint_free(&ep);
}

static void test_default_endpoints(void)
{
    static const struct {
        const char *region, *iam, *iam_region, *sts;
    } rows[] = {
        {NULL, "https://iam.amazonaws.com", "us-east-1", "https://sts.us-east-1.amazonaws.com"},
        {"eu-west-1", "https://iam.amazonaws.com", "us-east-1",
         "https://sts.eu-west-1.amazonaws.com"},
        {"cn-northwest-1", "https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1",
         "https://sts.cn-northwest-1.amazonaws.com.cn"},
        {"us-gov-east-1", "https://iam.us-gov.amazonaws.com", "us-gov-west-1",
         "https://sts.us-gov-east-1.amazonaws.com"},
        {"us-iso-east-1", "https://iam.us-iso-east-1.c2s.ic.gov", "us-iso-east-1",
         "https://sts.us-iso-east-1.c2s.ic.gov"},
        {"us-isob-east-1", "https://iam.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1",
         "https://sts.us-isob-east-1.sc2s.sgov.gov"},
        {"aws-global", "https://iam.amazonaws.com", "us-east-1", "https://sts.amazonaws.com"},
    };
    files("", "");
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        aws_config c;
        aws_err err;
        CHECK_INT(load(&c, NULL, rows[i].region, &err), 0);
        check_ep(&c, "iam", rows[i].iam, rows[i].iam_region);
        const char *sreg = rows[i].region ? rows[i].region : "us-east-1";
        check_ep(&c, "sts", rows[i].sts, strcmp(sreg, "aws-global") == 0 ? "us-east-1" : sreg);
        config_free(&c);
    }
    CHECK_STR(config_partition_of("us-isob-east-1"), "aws-iso-b");
    CHECK_STR(config_partition_of("us-iso-west-1"), "aws-iso");
    CHECK_STR(config_partition_of(NULL), "aws");
}

static void test_endpoint_order(void)
{
    aws_config c;
    aws_err err;
    aws_endpoint ep;
    const char *cfg = "[default]\nregion = eu-west-1\nservices = local\n"
                      "endpoint_url = http://profile:1\n"
                      "[services local]\niam =\n  endpoint_url = http://svc-iam:2/\n";
    files(cfg, "");
    CHECK_INT(load(&c, NULL, NULL, &err), 0);
    check_ep(&c, "iam", "http://svc-iam:2", "eu-west-1"); /* services section */
    check_ep(&c, "sts", "http://profile:1", "eu-west-1"); /* profile endpoint_url */
    config_free(&c);
    env_set("AWS_ENDPOINT_URL", "http://global:3");
    CHECK_INT(load(&c, NULL, NULL, &err), 0);
    check_ep(&c, "iam", "http://global:3", "eu-west-1");
    config_free(&c);
    env_set("AWS_ENDPOINT_URL_IAM", "https://env-iam:4");
    CHECK_INT(load(&c, NULL, NULL, &err), 0);
    check_ep(&c, "iam", "https://env-iam:4", "eu-west-1");
    check_ep(&c, "sts", "http://global:3", "eu-west-1");
    config_free(&c);
    env_set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
    CHECK_INT(load(&c, NULL, NULL, &err), 0);
    check_ep(&c, "iam", "https://iam.amazonaws.com", "us-east-1");
    config_free(&c);
    config_input in = {.getenv_fn = fake_getenv, .home = dir, .endpoint_url = "http://cli:5/"};
    CHECK_INT(config_load(&c, &in, &err), 0); /* --endpoint-url wins over the ignore flag */
    check_ep(&c, "iam", "http://cli:5", "eu-west-1");
    config_free(&c);
    /* no region: custom endpoints sign for us-east-1 */
    files("", "");
    env_set("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9");
    CHECK_INT(load(&c, NULL, NULL, &err), 0);
    check_ep(&c, "sts", "http://127.0.0.1:9", "us-east-1");
    CHECK_INT(config_endpoint(&c, "s3", &ep, &err), -1);
    config_free(&c);
}

static void test_endpoint_errors(void)
{
    aws_config c;
    aws_err err;
    aws_endpoint ep;
    files("[default]\nservices = missing\n", "");
    CHECK_INT(load(&c, NULL, NULL, &err), 0);
    CHECK_INT(config_endpoint(&c, "iam", &ep, &err), -1);
    CHECK_INT(err.kind, AWS_ERR_CONFIG);
    CHECK(strstr(err.message, "missing") != NULL);
    config_free(&c);
    const char *bad[] = {"ftp://x",       "http://", "http:///path", "https://a b", "localhost:80",
                         "http://x\x01y", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        config_input in = {.getenv_fn = fake_getenv, .home = dir, .endpoint_url = bad[i]};
        CHECK_INT(config_load(&c, &in, &err), -1);
        CHECK_INT(err.kind, AWS_ERR_CONFIG);
        CHECK(strstr(err.message, "--endpoint-url") != NULL);
    }
    files("[default]\nendpoint_url = not a url\n", "");
    CHECK_INT(load(&c, NULL, NULL, &err), 0);
    CHECK_INT(config_endpoint(&c, "iam", &ep, &err), -1);
    CHECK(strstr(err.message, "endpoint_url") && strstr(err.message, cfg_path));
    config_free(&c);
    files("", "");
    env_set("AWS_ENDPOINT_URL_IAM", "gopher://x");
    CHECK_INT(load(&c, NULL, NULL, &err), 0);
    CHECK_INT(config_endpoint(&c, "iam", &ep, &err), -1);
    CHECK(strstr(err.message, "AWS_ENDPOINT_URL_IAM") != NULL);
    config_free(&c);
}

static void collect_warn(void *ud, const char *msg)
{
    (*(int *)ud)++;
    CHECK(strstr(msg, cfg_path) != NULL);
}

static void test_warnings(void)
{
    aws_config c;
    aws_err err;
    int n = 0;
    files("[bare]\nk = v\n", "");
    config_input in = {.getenv_fn = fake_getenv, .home = dir, .warn = collect_warn, .warn_ud = &n};
    CHECK_INT(config_load(&c, &in, &err), 0);
    CHECK_INT(n, 1);
    CHECK(config_profile_exists(&c, "bare") == 0);
    config_free(&c);
}

int main(void)
{
    if (fake_env_init("config") != 0)
        return 1;
    test_profile_precedence();
    test_profile_not_found();
    test_region_and_values();
    test_bad_numbers();
    test_paths();
    test_default_endpoints();
    test_endpoint_order();
    test_endpoint_errors();
    test_warnings();
    remove(cfg_path);
    remove(creds_path);
    rmdir(dir);
    return check_summary();
}
