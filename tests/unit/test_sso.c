/* test_sso.c - IAM Identity Center against tests/support/fake_sso.py on loopback: the
 * settings of sso_session and legacy profiles and their mistakes, the device sign-in
 * (authorization_pending, slow_down: the waits asked of the sleep function), the token
 * and registration cache files (botocore's names, 0600), the token's refresh and the
 * messages when there is none, the provider with the CLI's role-credential cache, the
 * services-section endpoints, and sign-out. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "iamsh/file.h"
#include "iamsh/provider.h"
#include "iamsh/sso.h"
#include "fake_env.h"
#include "helper_proc.h"

#define START_URL "https://d-123.awsapps.com/start"
/* sha1("corp") and sha1(START_URL): botocore's token cache names */
#define CORP_TOKEN "/.aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"
#define LEGACY_TOKEN "/.aws/sso/cache/2b829a45f04c9828cb45b7d092d8e4aa30818393.json"
/* sha1 of {"accountId":"111122223333","roleName":"Admin","sessionName":"corp"} */
#define CORP_ROLE_CACHE "/.aws/cli/cache/0cdbf32b99792a73981dd3f142bc63ab50240b44.json"

static const char *profiles =
    "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n"
    "[sso-session corp]\nsso_start_url = " START_URL "\nsso_region = us-east-1\n"
    "sso_registration_scopes = sso:account:access\n"
    "[profile legacy]\nsso_start_url = " START_URL "\nsso_region = us-east-1\n"
    "sso_account_id = 111122223333\nsso_role_name = ReadOnly\n"
    "[profile nosession]\nsso_session = gone\nsso_account_id = 1\nsso_role_name = r\n"
    "[profile halfrole]\nsso_session = corp\nsso_account_id = 1\n"
    "[profile clash]\nsso_session = corp\nsso_region = eu-west-1\nsso_account_id = 1\n"
    "sso_role_name = r\n"
    "[profile loginonly]\nsso_session = corp\n"
    "[profile denied]\nsso_session = corp\nsso_account_id = 111122223333\n"
    "sso_role_name = Denied\n";

static double sleeps[16];
static int nsleeps;

static void record_sleep(double seconds)
{
    if (nsleeps < 16)
        sleeps[nsleeps++] = seconds;
}

static char shown_code[64];

static void show(void *ud, const char *uri, const char *code, const char *complete)
{
    (void)ud, (void)uri, (void)complete;
    snprintf(shown_code, sizeof shown_code, "%s", code);
}

typedef struct session {
    aws_config c;
    aws_client *client;
} session;

static int open_session(session *s, const char *profile, aws_err *err)
{
    config_input in = {.profile = profile, .getenv_fn = fake_getenv, .home = dir};
    memset(s, 0, sizeof *s);
    if (config_load(&s->c, &in, err) != 0)
        return -1;
    aws_client_opts o = {.max_attempts = 1, .sleep_fn = record_sleep};
    s->client = client_new(&o, err);
    return s->client ? 0 : -1;
}

static void close_session(session *s)
{
    client_free(s->client);
    config_free(&s->c);
}

static void setup(const helper *fake, const char *cfg)
{
    files(cfg, "");
    env_set("AWS_EC2_METADATA_DISABLED", "true");
    if (fake) {
        env_set("AWS_ENDPOINT_URL_SSO", fake->url);
        env_set("AWS_ENDPOINT_URL_SSO_OIDC", fake->url);
    }
}

static cJSON *read_json(const char *rel)
{
    char path[256];
    buf b = BUF_INIT;
    snprintf(path, sizeof path, "%s%s", dir, rel);
    cJSON *doc = file_read(path, 1 << 20, &b) == 0 ? cJSON_Parse(b.p) : NULL;
    buf_free(&b);
    return doc;
}

static void write_json(const char *rel, const cJSON *doc)
{
    char path[256];
    snprintf(path, sizeof path, "%s%s", dir, rel);
    char *text = cJSON_PrintUnformatted(doc);
    write_file(path, text);
    free(text);
}

static const char *field(const cJSON *doc, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static int mode_of(const char *rel)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s%s", dir, rel);
    return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

static int resolve(const char *profile, aws_creds *cr, aws_err *err)
{
    session s;
    if (open_session(&s, profile, err) != 0)
        return -2;
    int rc = provider_resolve(&s.c, s.client, cr, err);
    close_session(&s);
    return rc;
}

/* ---- settings ---- */

static void test_settings(void)
{
    session s;
    sso_config sc;
    aws_err err;
    setup(NULL, profiles);
    CHECK_INT(open_session(&s, "dev", &err), 0);
    CHECK_INT(sso_config_load(&s.c, "dev", 1, &sc, &err), 1);
    CHECK_STR(sc.session, "corp");
    CHECK_STR(sc.start_url, START_URL);
    CHECK_STR(sc.region, "us-east-1");
    CHECK_STR(sc.scopes, "sso:account:access");
    CHECK_INT(sso_config_load(&s.c, "legacy", 1, &sc, &err), 1);
    CHECK(sc.session == NULL);
    CHECK_STR(sc.role_name, "ReadOnly");
    CHECK_INT(sso_config_load(&s.c, "loginonly", 1, &sc, &err), 0); /* no role: not creds */
    CHECK_INT(sso_config_load(&s.c, "loginonly", 0, &sc, &err), 1); /* but it can sign in */
    CHECK_INT(sso_config_load(&s.c, "nosession", 1, &sc, &err), -1);
    CHECK_INT(err.kind, AWS_ERR_CONFIG);
    CHECK(strstr(err.message, "profile 'nosession'") && strstr(err.message, "[sso-session gone]"));
    CHECK_INT(sso_config_load(&s.c, "halfrole", 1, &sc, &err), -1);
    CHECK(strstr(err.message, "lacks sso_role_name") != NULL);
    CHECK_INT(sso_config_load(&s.c, "clash", 1, &sc, &err), -1);
    CHECK(strstr(err.message, "sso_region differs") != NULL);
    cJSON *scopes = sso_scopes(&(sso_config){.scopes = " a:b , c,,"});
    char *text = cJSON_PrintUnformatted(scopes);
    CHECK_STR(text, "[\"a:b\",\"c\"]");
    free(text);
    cJSON_Delete(scopes);
    close_session(&s);
}

/* AWS_ENDPOINT_URL_SSO[_OIDC] beat a services section, which beats the default. */
static void test_endpoints(void)
{
    session s;
    aws_endpoint ep;
    aws_err err;
    char cfg[2048];
    snprintf(cfg, sizeof cfg,
             "%s[profile svc]\nsso_session = corp\nservices = local\n"
             "[services local]\nsso =\n  endpoint_url = http://127.0.0.1:7/portal\n"
             "sso_oidc =\n  endpoint_url = http://127.0.0.1:7/oidc\n",
             profiles);
    setup(NULL, cfg);
    CHECK_INT(open_session(&s, "dev", &err), 0);
    CHECK_INT(config_sso_endpoint(&s.c, "sso", "eu-west-1", &ep, &err), 0);
    CHECK_STR(ep.url, "https://portal.sso.eu-west-1.amazonaws.com");
    config_endpoint_free(&ep);
    CHECK_INT(config_sso_endpoint(&s.c, "sso-oidc", "cn-north-1", &ep, &err), 0);
    CHECK_STR(ep.url, "https://oidc.cn-north-1.amazonaws.com.cn");
    config_endpoint_free(&ep);
    CHECK_INT(config_sso_endpoint(&s.c, "sso", "bad region!", &ep, &err), -1);
    CHECK(strstr(err.message, "sso_region") != NULL);
    close_session(&s);
    CHECK_INT(open_session(&s, "svc", &err), 0);
    CHECK_INT(config_sso_endpoint(&s.c, "sso-oidc", "us-east-1", &ep, &err), 0);
    CHECK_STR(ep.url, "http://127.0.0.1:7/oidc");
    config_endpoint_free(&ep);
    close_session(&s);
    env_set("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:8");
    CHECK_INT(open_session(&s, "svc", &err), 0);
    CHECK_INT(config_sso_endpoint(&s.c, "sso", "us-east-1", &ep, &err), 0);
    CHECK_STR(ep.url, "http://127.0.0.1:8");
    config_endpoint_free(&ep);
    close_session(&s);
}

/* ---- sign-in ---- */

static void test_login(const helper *slow)
{
    session s;
    aws_err err;
    char url[256];
    sso_login_ui ui = {show, NULL};
    setup(slow, profiles);
    CHECK_INT(open_session(&s, "dev", &err), 0);
    nsleeps = 0;
    CHECK_INT(sso_login(&s.c, s.client, "dev", &ui, url, sizeof url, &err), 0);
    CHECK_STR(url, START_URL);
    CHECK_STR(shown_code, "FAKE-CODE");
    /* the first CreateToken comes before the code is shown (pending); then interval 1,
     * slow_down (+5 s), then the token */
    CHECK_INT(nsleeps, 2);
    CHECK(sleeps[0] == 1.0 && sleeps[1] == 6.0);
    cJSON *tok = read_json(CORP_TOKEN);
    CHECK_STR(field(tok, "startUrl"), START_URL);
    CHECK_STR(field(tok, "region"), "us-east-1");
    CHECK(strncmp(field(tok, "accessToken"), "fake-access-token-", 18) == 0);
    CHECK(strncmp(field(tok, "refreshToken"), "fake-refresh-token-", 19) == 0);
    CHECK(strncmp(field(tok, "clientSecret"), "fake-client-secret-", 19) == 0);
    CHECK_INT(strlen(field(tok, "expiresAt")), 20);
    CHECK_INT(mode_of(CORP_TOKEN), 0600);
    CHECK_INT(mode_of("/.aws/sso/cache"), 0700);
    /* a second sign-in reuses the cached registration (no second RegisterClient) */
    long before = s.client->requests;
    CHECK_INT(sso_login(&s.c, s.client, "dev", &ui, url, sizeof url, &err), 0);
    CHECK_INT(s.client->requests - before, 4); /* start, pending, slow_down, token */
    cJSON *tok2 = read_json(CORP_TOKEN);
    CHECK_STR(field(tok2, "clientId"), field(tok, "clientId"));
    CHECK(strcmp(field(tok2, "accessToken"), field(tok, "accessToken")) != 0);
    cJSON_Delete(tok);
    cJSON_Delete(tok2);
    CHECK_INT(sso_login(&s.c, s.client, "loginonly", &ui, url, sizeof url, &err), 0);
    close_session(&s);
    setup(slow, "[profile none]\nregion = us-east-1\n");
    CHECK_INT(open_session(&s, "none", &err), 0);
    CHECK_INT(sso_login(&s.c, s.client, "none", &ui, url, sizeof url, &err), -1);
    CHECK(strstr(err.message, "profile 'none' has no IAM Identity Center settings") != NULL);
    close_session(&s);
}

static void test_login_refused(const helper *expired)
{
    session s;
    aws_err err;
    char url[256];
    sso_login_ui ui = {show, NULL};
    setup(expired, profiles);
    CHECK_INT(open_session(&s, "legacy", &err), 0);
    CHECK_INT(sso_login(&s.c, s.client, "legacy", &ui, url, sizeof url, &err), -1);
    CHECK_STR(err.code, "PendingAuthorizationExpired");
    CHECK(strstr(err.message, "run iamsh sso login --profile legacy again") != NULL);
    close_session(&s);
}

/* A service that answers 1e300 for every time, lifetime and interval: no cast of a
 * double a time_t cannot hold (the old code's gave the sign-in a deadline in the past
 * and the token an expiry in 1970); times end at 9999-12-31, and no wait outlasts the
 * sign-in's deadline. */
static void test_login_huge(const helper *huge)
{
    session s;
    aws_err err;
    char url[256];
    sso_login_ui ui = {show, NULL};
    char cmd[400]; /* an empty cache: this service knows no earlier registration */
    snprintf(cmd, sizeof cmd, "rm -rf '%s/.aws/sso/cache'", dir);
    CHECK_INT(system(cmd), 0);
    setup(huge, profiles);
    CHECK_INT(open_session(&s, "dev", &err), 0);
    nsleeps = 0;
    CHECK_INT(sso_login(&s.c, s.client, "dev", &ui, url, sizeof url, &err), 0);
    CHECK_INT(nsleeps, 1);
    CHECK(sleeps[0] > 0 && sleeps[0] <= 253402300799.0);
    cJSON *tok = read_json(CORP_TOKEN);
    CHECK_STR(field(tok, "expiresAt"), "9999-12-31T23:59:59Z");
    CHECK_STR(field(tok, "registrationExpiresAt"), "9999-12-31T23:59:59Z");
    cJSON_Delete(tok);
    close_session(&s);
}

/* ---- the provider ---- */

static void test_provider(const helper *fake)
{
    aws_creds cr;
    aws_err err;
    setup(fake, profiles);
    CHECK_INT(resolve("dev", &cr, &err), 0);
    CHECK_STR(cr.source, "sso");
    CHECK(strncmp(cr.access_key_id, "ASIA", 4) == 0 && strlen(cr.access_key_id) == 20);
    CHECK(cr.expiration > time(NULL) + 3000);
    char first[32];
    snprintf(first, sizeof first, "%s", cr.access_key_id);
    creds_free(&cr);
    /* cached where the AWS CLI looks, under botocore's key, and used from there */
    cJSON *entry = read_json(CORP_ROLE_CACHE);
    CHECK_STR(field(entry, "ProviderType"), "sso");
    CHECK_STR(field(cJSON_GetObjectItemCaseSensitive(entry, "Credentials"), "AccessKeyId"), first);
    CHECK_INT(mode_of(CORP_ROLE_CACHE), 0600);
    cJSON_Delete(entry);
    env_set("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9"); /* nothing there */
    CHECK_INT(resolve("dev", &cr, &err), 0);
    CHECK_STR(cr.access_key_id, first);
    creds_free(&cr);
    env_set("AWS_ENDPOINT_URL_SSO", fake->url);
    CHECK_INT(resolve("denied", &cr, &err), -1);
    CHECK_INT(err.kind, AWS_ERR_CREDS);
    CHECK(strstr(err.message, "profile 'denied': GetRoleCredentials for role 'Denied'") &&
          strstr(err.message, "ForbiddenException"));
}

/* The token expires: refreshed (sso_session) and the file rewritten; or the message. */
static void test_refresh(const helper *fake)
{
    aws_creds cr;
    aws_err err;
    setup(fake, profiles);
    cJSON *tok = read_json(CORP_TOKEN);
    char old_access[64], old_refresh[64];
    snprintf(old_access, sizeof old_access, "%s", field(tok, "accessToken"));
    snprintf(old_refresh, sizeof old_refresh, "%s", field(tok, "refreshToken"));
    cJSON_ReplaceItemInObject(tok, "expiresAt", cJSON_CreateString("2020-01-01T00:00:00Z"));
    write_json(CORP_TOKEN, tok);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/.aws/cli/cache'", dir);
    CHECK_INT(system(cmd), 0);
    CHECK_INT(resolve("dev", &cr, &err), 0);
    creds_free(&cr);
    cJSON *fresh = read_json(CORP_TOKEN);
    CHECK(strcmp(field(fresh, "accessToken"), old_access) != 0);
    CHECK(strcmp(field(fresh, "refreshToken"), old_refresh) != 0);
    CHECK(strcmp(field(fresh, "expiresAt"), "2020-01-01T00:00:00Z") > 0);
    CHECK_STR(field(fresh, "clientId"), field(tok, "clientId"));
    CHECK_INT(mode_of(CORP_TOKEN), 0600);
    /* expired, and the refresh token is refused */
    cJSON_ReplaceItemInObject(fresh, "expiresAt", cJSON_CreateString("2020-01-01T00:00:00Z"));
    cJSON_ReplaceItemInObject(fresh, "refreshToken", cJSON_CreateString("unknown"));
    write_json(CORP_TOKEN, fresh);
    CHECK_INT(system(cmd), 0);
    CHECK_INT(resolve("dev", &cr, &err), -1);
    CHECK_INT(err.kind, AWS_ERR_CREDS);
    CHECK_STR(err.code, "SSOTokenExpired");
    CHECK(strstr(err.message, "profile 'dev': the IAM Identity Center sign-in for session 'corp' "
                              "expired at 2020-01-01T00:00:00Z and could not be refreshed "
                              "(CreateToken: InvalidGrantException") != NULL);
    CHECK(strstr(err.message, "run iamsh sso login --profile dev") != NULL);
    CHECK(strstr(err.message, "unknown") == NULL);
    /* expired, and the registration too */
    cJSON_ReplaceItemInObject(fresh, "registrationExpiresAt",
                              cJSON_CreateString("2020-01-01T00:00:00Z"));
    write_json(CORP_TOKEN, fresh);
    CHECK_INT(resolve("dev", &cr, &err), -1);
    CHECK(strstr(err.message, "its client registration expired at 2020-01-01T00:00:00Z") != NULL);
    cJSON_Delete(tok);
    cJSON_Delete(fresh);
    /* legacy tokens are not refreshed (botocore does not) */
    cJSON *legacy = cJSON_Parse("{\"startUrl\":\"" START_URL "\",\"region\":\"us-east-1\","
                                "\"accessToken\":\"legacy-token\","
                                "\"expiresAt\":\"2020-01-01T00:00:00UTC\"}");
    write_json(LEGACY_TOKEN, legacy);
    cJSON_Delete(legacy);
    CHECK_INT(resolve("legacy", &cr, &err), -1);
    CHECK(strstr(err.message, "sign-in for start URL " START_URL " expired at "
                              "2020-01-01T00:00:00UTC: run iamsh sso login --profile legacy"));
    CHECK(strstr(err.message, "legacy-token") == NULL);
}

static void test_missing_and_logout(const helper *fake)
{
    aws_creds cr;
    aws_err err;
    session s;
    int removed = 0;
    setup(fake, profiles);
    CHECK_INT(open_session(&s, "dev", &err), 0);
    CHECK_INT(sso_logout(&s.c, s.client, &removed, &err), 0);
    CHECK(removed >= 2); /* the two tokens; the role credentials went with the refresh test */
    close_session(&s);
    CHECK(read_json(CORP_TOKEN) == NULL);
    CHECK(read_json(LEGACY_TOKEN) == NULL);
    CHECK_INT(resolve("dev", &cr, &err), -1);
    CHECK_STR(err.code, "SSOTokenMissing");
    CHECK(strstr(err.message, "profile 'dev': no IAM Identity Center sign-in for session 'corp'") &&
          strstr(err.message, "run iamsh sso login --profile dev"));
}

int main(void)
{
    if (fake_env_init("sso") != 0)
        return 1;
    helper slow = {0}, expired = {0}, huge = {0};
    const char *const slow_args[] = {"--device", "pending,slow_down,ok", NULL};
    const char *const expired_args[] = {"--device", "expired", NULL};
    const char *const huge_args[] = {"--device", "pending,ok", "--huge", NULL};
    int ok = helper_start(&slow, "fake_sso.py", slow_args) == 0 &&
             helper_start(&expired, "fake_sso.py", expired_args) == 0 &&
             helper_start(&huge, "fake_sso.py", huge_args) == 0;
    CHECK(ok);
    test_settings();
    test_endpoints();
    if (ok) {
        test_login(&slow);
        test_login_refused(&expired);
        test_provider(&slow);
        test_refresh(&slow);
        test_missing_and_logout(&slow);
        test_login_huge(&huge); /* last: it leaves a token the other service does not know */
    }
    helper_stop(&slow);
    helper_stop(&expired);
    helper_stop(&huge);
    fake_env_cleanup();
    return check_summary();
}
