/* sso_login.c - `aws sso login` and `aws sso logout`, as the AWS CLI v2 does them with
 * the device authorization grant (botocore's SSOTokenFetcher): the client registration
 * cached beside the tokens and reused while it holds, StartDeviceAuthorization, one
 * CreateToken before the code is shown (a pre-approved client needs no person), then
 * CreateToken every interval until approved. The token file is the one botocore writes
 * and reads, so a sign-in by either tool serves both. */
#include "iamsh/sso.h"
#include "iamsh/credcache.h"
#include "iamsh/digest.h"
#include "iamsh/file.h"
#include "iamsh/iso8601.h"
#include "iamsh/json.h"

#include <cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_INTERVAL 5 /* RFC 8628 */
#define SLOW_DOWN_DELAY 5
#define DEFAULT_EXPIRES_IN 600
#define REGISTRATION_WINDOW 900

typedef struct login_ctx {
    const aws_config *c;
    aws_client *client;
    sso_config s;
    const sso_login_ui *ui;
    char fix[160];
} login_ctx;

static time_t now_of(const aws_client *client)
{
    return client->opts.now ? client->opts.now() : time(NULL);
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static double num(const cJSON *o, const char *k, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static void free_doc(cJSON *doc)
{
    creds_wipe_json(doc);
    cJSON_Delete(doc);
}

/* One line for a failed step: the profile, the step, what the service said, the fix. */
static int step_error(const login_ctx *t, const char *step, aws_err *err)
{
    char code[64], *said = sso_said(err);
    int kind = err->kind == AWS_ERR_SERVICE ? AWS_ERR_CREDS : err->kind;
    snprintf(code, sizeof code, "%s", err->code);
    err_set(err, kind, code, "profile '%s': sign-in failed at %s (%s): run %s again", t->s.profile,
            step, said ? said : code, t->fix);
    free(said);
    return -1;
}

/* ---- the client registration ---- */

/* botocore's _registration_cache_key: tool, startUrl, region, scopes, session_name. */
static int registration_path(const login_ctx *t, char *out, size_t n)
{
    cJSON *args = cJSON_CreateObject();
    cJSON_AddStringToObject(args, "tool", "botocore");
    cJSON_AddStringToObject(args, "startUrl", t->s.start_url);
    cJSON_AddStringToObject(args, "region", t->s.region);
    cJSON_AddItemToObject(args, "scopes", sso_scopes(&t->s));
    cJSON_AddItemToObject(args, "session_name",
                          t->s.session ? cJSON_CreateString(t->s.session) : cJSON_CreateNull());
    buf text = BUF_INIT;
    char dir[4096], key[41];
    int rc = json_python_dumps(args, JSON_PY_SORT_KEYS, &text) == 0 &&
                     digest_sha1_hex(text.p, text.len, key) == 0 &&
                     sso_cache_dir(t->c, dir, sizeof dir) == 0
                 ? 0
                 : -1;
    if (rc == 0 && snprintf(out, n, "%s/%s.json", dir, key) >= (int)n)
        rc = -1;
    buf_free(&text);
    cJSON_Delete(args);
    return rc;
}

/* The cached registration at path, when it holds for REGISTRATION_WINDOW more. */
static cJSON *cached_registration(const login_ctx *t, const char *path)
{
    buf text = BUF_INIT;
    cJSON *reg =
        file_read(path, 1u << 20, &text) == 0 ? json_parse_all(text.p, text.len, NULL) : NULL;
    buf_wipe(&text);
    double expires;
    if (str(reg, "clientId") && str(reg, "clientSecret") && str(reg, "expiresAt") &&
        iso8601_parse(str(reg, "expiresAt"), &expires) == 0 &&
        expires - (double)now_of(t->client) >= REGISTRATION_WINDOW)
        return reg;
    free_doc(reg);
    return NULL;
}

/* RegisterClient, then the registration as botocore caches it. */
static cJSON *new_registration(const login_ctx *t, const char *path, aws_err *err)
{
    char name[160], expires[32];
    if (t->s.session)
        snprintf(name, sizeof name, "botocore-client-%.100s", t->s.session);
    else
        snprintf(name, sizeof name, "botocore-client-%lld", (long long)now_of(t->client));
    cJSON *answer = NULL, *reg = NULL;
    if (sso_oidc_register(t->c, t->client, &t->s, name, &answer, err) != 0) {
        step_error(t, "RegisterClient", err);
        return NULL;
    }
    sso_time_text(iso8601_time(num(answer, "clientSecretExpiresAt", 0)), expires);
    if (str(answer, "clientId") && str(answer, "clientSecret")) {
        reg = cJSON_CreateObject();
        cJSON_AddStringToObject(reg, "clientId", str(answer, "clientId"));
        cJSON_AddStringToObject(reg, "clientSecret", str(answer, "clientSecret"));
        cJSON_AddStringToObject(reg, "expiresAt", expires);
        if (t->s.scopes)
            cJSON_AddItemToObject(reg, "scopes", sso_scopes(&t->s));
    } else {
        err_set(err, AWS_ERR_PARSE, "ResponseParseError",
                "profile '%s': RegisterClient answered without clientId or clientSecret",
                t->s.profile);
    }
    free_doc(answer);
    if (reg && sso_cache_write(path, reg, err) != 0) {
        free_doc(reg);
        return NULL;
    }
    return reg;
}

static cJSON *registration(const login_ctx *t, aws_err *err)
{
    char path[4096];
    if (registration_path(t, path, sizeof path) != 0) {
        err_set(err, AWS_ERR_CREDS, "SSOCacheWriteError",
                "profile '%s': no home folder for the sign-in cache (HOME is not set)",
                t->s.profile);
        return NULL;
    }
    cJSON *reg = cached_registration(t, path);
    return reg ? reg : new_registration(t, path, err);
}

/* ---- the device authorization ---- */

static cJSON *authorize(const login_ctx *t, const cJSON *reg, aws_err *err)
{
    cJSON *auth = NULL;
    if (sso_oidc_start_device(t->c, t->client, &t->s, str(reg, "clientId"),
                              str(reg, "clientSecret"), &auth, err) != 0) {
        step_error(t, "StartDeviceAuthorization", err);
        return NULL;
    }
    if (!str(auth, "deviceCode") || !str(auth, "userCode") || !str(auth, "verificationUri")) {
        free_doc(auth);
        err_set(err, AWS_ERR_PARSE, "ResponseParseError",
                "profile '%s': StartDeviceAuthorization answered without deviceCode, userCode "
                "or verificationUri",
                t->s.profile);
        return NULL;
    }
    return auth;
}

/* One CreateToken: 1 with the answer, 0 while pending (slow_down lengthens interval),
 * -1 with err. */
static int token_attempt(const login_ctx *t, const cJSON *reg, const cJSON *auth, double *interval,
                         cJSON **answer, aws_err *err)
{
    if (sso_oidc_create_token(t->c, t->client, &t->s, str(reg, "clientId"),
                              str(reg, "clientSecret"), 0, str(auth, "deviceCode"), answer,
                              err) == 0)
        return 1;
    if (strcmp(err->code, "AuthorizationPendingException") == 0)
        return 0;
    if (strcmp(err->code, "SlowDownException") == 0) {
        *interval += SLOW_DOWN_DELAY;
        return 0;
    }
    if (strcmp(err->code, "ExpiredTokenException") == 0)
        return err_set(err, AWS_ERR_CREDS, "PendingAuthorizationExpired",
                       "profile '%s': the sign-in request expired before it was approved: "
                       "run %s again",
                       t->s.profile, t->fix);
    return step_error(t, "CreateToken", err);
}

static int interrupted(const login_ctx *t, aws_err *err)
{
    return err_set(err, AWS_ERR_TRANSPORT, "Interrupted", "profile '%s': sign-in interrupted",
                   t->s.profile);
}

/* Show the code, then poll until a token, the authorization's end, an error or Ctrl-C. */
static int poll_token(const login_ctx *t, const cJSON *reg, const cJSON *auth, cJSON **answer,
                      aws_err *err)
{
    double interval = num(auth, "interval", DEFAULT_INTERVAL);
    if (!(interval > 0))
        interval = DEFAULT_INTERVAL;
    time_t deadline =
        iso8601_time((double)now_of(t->client) + num(auth, "expiresIn", DEFAULT_EXPIRES_IN));
    volatile sig_atomic_t *abort = t->client->opts.abort_flag;
    int r = token_attempt(t, reg, auth, &interval, answer, err);
    if (r == 0 && t->ui && t->ui->show)
        t->ui->show(t->ui->ud, str(auth, "verificationUri"), str(auth, "userCode"),
                    str(auth, "verificationUriComplete") ? str(auth, "verificationUriComplete")
                                                         : str(auth, "verificationUri"));
    while (r == 0) {
        if (now_of(t->client) > deadline)
            return err_set(err, AWS_ERR_CREDS, "PendingAuthorizationExpired",
                           "profile '%s': the sign-in was not approved in time: run %s again",
                           t->s.profile, t->fix);
        /* no longer than the authorization lasts, whatever interval the service said */
        double left = difftime(deadline, now_of(t->client));
        t->client->opts.sleep_fn(interval < left ? interval : left > 0 ? left : 0);
        if (abort && *abort)
            return interrupted(t, err);
        r = token_attempt(t, reg, auth, &interval, answer, err);
    }
    return r > 0 ? 0 : -1;
}

static int save_token(const login_ctx *t, const cJSON *reg, const cJSON *answer, aws_err *err)
{
    char path[4096];
    cJSON *doc = sso_token_doc(&t->s, answer, str(reg, "clientId"), str(reg, "clientSecret"),
                               str(reg, "expiresAt"), now_of(t->client));
    int rc;
    if (!doc)
        rc = err_set(err, AWS_ERR_PARSE, "ResponseParseError",
                     "profile '%s': CreateToken answered without accessToken or expiresIn",
                     t->s.profile);
    else if (sso_token_path(t->c, &t->s, path, sizeof path) != 0)
        rc = err_set(err, AWS_ERR_CREDS, "SSOCacheWriteError",
                     "profile '%s': no home folder for the sign-in cache", t->s.profile);
    else
        rc = sso_cache_write(path, doc, err);
    free_doc(doc);
    return rc;
}

static int not_configured(const aws_config *c, const char *profile, aws_err *err)
{
    return err_set(err, AWS_ERR_CONFIG, "InvalidConfigError",
                   "profile '%s' has no IAM Identity Center settings (sso_session, or "
                   "sso_start_url and sso_region): add them to %s (`aws configure sso` writes "
                   "them) or name another profile with --profile",
                   profile, c->config_file);
}

int sso_login(const aws_config *c, aws_client *client, const char *profile, const sso_login_ui *ui,
              char *start_url_out, size_t n, aws_err *err)
{
    login_ctx t = {c, client, {0}, ui, ""};
    int r = sso_config_load(c, profile, 0, &t.s, err);
    if (r <= 0)
        return r == 0 ? not_configured(c, profile, err) : -1;
    sso_login_command(c, profile, t.fix, sizeof t.fix);
    snprintf(start_url_out, n, "%s", t.s.start_url);
    cJSON *reg = registration(&t, err), *auth = reg ? authorize(&t, reg, err) : NULL;
    cJSON *answer = NULL;
    int rc = auth ? poll_token(&t, reg, auth, &answer, err) : -1;
    if (rc == 0)
        rc = save_token(&t, reg, answer, err);
    free_doc(answer);
    free_doc(auth);
    free_doc(reg);
    return rc;
}

/* ---- sign out ---- */

/* The *.json files in dir that hold a sign-in token (tokens: after the portal's Logout)
 * or IAM Identity Center role credentials (ProviderType "sso") are removed, as the
 * CLI's SSOTokenSweeper and SSOCredentialSweeper do. */
static void sweep(const aws_config *c, aws_client *client, const char *dir, int tokens,
                  int *removed)
{
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        char path[4096];
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0 ||
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
            continue;
        buf text = BUF_INIT;
        cJSON *doc =
            file_read(path, 1u << 20, &text) == 0 ? json_parse_all(text.p, text.len, NULL) : NULL;
        buf_wipe(&text);
        const char *type = str(doc, "ProviderType");
        int drop = tokens ? str(doc, "accessToken") != NULL : type && strcmp(type, "sso") == 0;
        if (drop && tokens && str(doc, "region"))
            sso_portal_logout(c, client, str(doc, "region"), str(doc, "accessToken"));
        if (drop && unlink(path) == 0)
            (*removed)++;
        free_doc(doc);
    }
    if (d)
        closedir(d);
}

int sso_logout(const aws_config *c, aws_client *client, int *removed, aws_err *err)
{
    char dir[4096];
    *removed = 0;
    if (sso_cache_dir(c, dir, sizeof dir) != 0)
        return err_set(err, AWS_ERR_CONFIG, "InvalidConfigError",
                       "no home folder to sign out in (HOME is not set)");
    sweep(c, client, dir, 1, removed);
    if (credcache_dir(c->home, dir, sizeof dir) == 0)
        sweep(c, client, dir, 0, removed);
    return 0;
}
