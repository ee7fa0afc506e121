/* creds.c - the credential provider chain in the AWS CLI v2 order, plus the small
 * providers (environment, profile keys) and the helpers every provider shares.
 * Providers that talk to something live in creds_role.c, creds_process.c, creds_net.c. */
#include "iamsh/creds.h"

#include <cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iamsh/buf.h"
#include "iamsh/client.h"

void creds_wipe_str(char *s)
{
    if (!s)
        return;
    volatile char *v = s;
    while (*v)
        *v++ = 0;
}

void creds_free(aws_creds *cr)
{
    if (!cr)
        return;
    creds_wipe_str(cr->secret_access_key);
    creds_wipe_str(cr->session_token);
    free(cr->access_key_id);
    free(cr->secret_access_key);
    free(cr->session_token);
    memset(cr, 0, sizeof *cr);
}

int creds_set(aws_creds *out, const char *id, const char *secret, const char *token,
              const char *source)
{
    memset(out, 0, sizeof *out);
    out->access_key_id = strdup(id);
    out->secret_access_key = strdup(secret);
    out->session_token = (token && *token) ? strdup(token) : NULL;
    snprintf(out->source, sizeof out->source, "%s", source);
    if (!out->access_key_id || !out->secret_access_key ||
        (token && *token && !out->session_token)) {
        creds_free(out);
        return -1;
    }
    return 0;
}

int creds_expiring(const aws_creds *cr, time_t now)
{
    return cr->expiration != 0 && now >= cr->expiration - CREDS_REFRESH_WINDOW;
}

static int digits(const char **p, int n, int *out)
{
    *out = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (!isdigit((unsigned char)**p))
            return -1;
        *out = *out * 10 + (**p - '0');
    }
    return 0;
}

static int expect(const char **p, const char *chars)
{
    if (**p == '\0' || !strchr(chars, **p))
        return -1;
    (*p)++;
    return 0;
}

/* "Z", "+hh:mm", "-hhmm" -> seconds east of UTC; -1 on error (stored in *off). */
static int parse_zone(const char *p, long *off)
{
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        *off = 0;
        return 0;
    }
    int sign = *p == '+' ? 1 : *p == '-' ? -1 : 0, hh, mm;
    if (!sign)
        return -1;
    p++;
    if (digits(&p, 2, &hh) != 0 || (*p == ':' && !p++) || digits(&p, 2, &mm) != 0 || *p)
        return -1;
    *off = sign * (hh * 3600L + mm * 60L);
    return 0;
}

time_t creds_parse_time(const char *s)
{
    if (!s)
        return -1;
    struct tm tm = {0};
    const char *p = s;
    int y, mo, d, h, mi, se;
    if (digits(&p, 4, &y) || expect(&p, "-") || digits(&p, 2, &mo) || expect(&p, "-") ||
        digits(&p, 2, &d) || expect(&p, "Tt ") || digits(&p, 2, &h) || expect(&p, ":") ||
        digits(&p, 2, &mi) || expect(&p, ":") || digits(&p, 2, &se))
        return -1;
    if (*p == '.' || *p == ',') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    long off;
    if (parse_zone(p, &off) != 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
        mi > 59 || se > 60)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    time_t t = timegm(&tm);
    return t == (time_t)-1 ? -1 : t - off;
}

static const char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

int creds_from_cjson(const cJSON *obj, const char *token_key, const char *source,
                     aws_creds *out, char *why, size_t nwhy)
{
    const char *id = json_str(obj, "AccessKeyId"), *sk = json_str(obj, "SecretAccessKey");
    const char *tok = token_key ? json_str(obj, token_key) : NULL;
    const char *exp = json_str(obj, "Expiration");
    if (!cJSON_IsObject(obj) || !id || !sk) {
        snprintf(why, nwhy, "%s is missing", id ? "SecretAccessKey" : "AccessKeyId");
        return -1;
    }
    time_t t = exp ? creds_parse_time(exp) : 0;
    if (t == (time_t)-1) {
        snprintf(why, nwhy, "Expiration is not an ISO-8601 time");
        return -1;
    }
    if (creds_set(out, id, sk, tok, source) != 0) {
        snprintf(why, nwhy, "out of memory");
        return -1;
    }
    out->expiration = t;
    return 0;
}

/* ---- environment ---- */

int creds_from_env(const aws_config *c, aws_creds *out, aws_err *err)
{
    const char *id = config_env(c, "AWS_ACCESS_KEY_ID");
    if (!id)
        return 0;
    const char *sk = config_env(c, "AWS_SECRET_ACCESS_KEY");
    if (!sk)
        return err_set(err, AWS_ERR_CREDS, "PartialCredentials",
                           "partial credentials found in env: AWS_ACCESS_KEY_ID is set but "
                           "AWS_SECRET_ACCESS_KEY is missing");
    const char *tok = config_env(c, "AWS_SECURITY_TOKEN");   /* botocore's order */
    if (!tok)
        tok = config_env(c, "AWS_SESSION_TOKEN");
    const char *exp = config_env(c, "AWS_CREDENTIAL_EXPIRATION");
    time_t t = exp ? creds_parse_time(exp) : 0;
    if (t == (time_t)-1)
        return err_set(err, AWS_ERR_CREDS, "InvalidExpiration",
                           "AWS_CREDENTIAL_EXPIRATION is not an ISO-8601 time");
    if (creds_set(out, id, sk, tok, "env") != 0)
        return err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
    out->expiration = t;
    return 1;
}

/* ---- profile keys ---- */

int creds_from_file(const aws_config *c, const ini_file *f, const char *path,
                    const char *profile, const char *source, aws_creds *out, aws_err *err)
{
    const ini_section *s = ini_find(f, INI_PROFILE, profile);
    const char *id = ini_get(s, "aws_access_key_id");
    if (!id || !*id)
        return 0;
    const char *sk = ini_get(s, "aws_secret_access_key");
    if (!sk || !*sk)
        return err_set(err, AWS_ERR_CREDS, "PartialCredentials",
                           "partial credentials in profile '%s' of %s: aws_access_key_id is "
                           "set but aws_secret_access_key is missing", profile, path);
    const char *tok = ini_get(s, "aws_session_token");
    if (!tok || !*tok)
        tok = ini_get(s, "aws_security_token");
    if (creds_set(out, id, sk, tok, source) != 0)
        return err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
    return 1;
}

static int is_sso_profile(const aws_config *c, const char *profile)
{
    static const char *keys[] = {"sso_session", "sso_start_url", "sso_account_id",
                                 "sso_role_name", "login_session"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (config_profile_get(c, profile, keys[i]))
            return 1;
    return 0;
}

static int sso_error(const char *profile, aws_err *err)
{
    return err_set(err, AWS_ERR_CREDS, "SSONotSupported",
                       "profile '%s' uses IAM Identity Center (sso_*/login_*) credentials, "
                       "which iamsh cannot fetch: use credential_process or "
                       "`aws configure export-credentials`", profile);
}

/* ---- the chain ---- */

/* Everything after the environment for one profile, env vars not consulted except
 * where the CLI does (web identity). Also used for assume-role source profiles. */
static int chain_profile(const aws_config *c, struct aws_client *client, aws_creds *out,
                         aws_err *err)
{
    const char *p = c->profile;
    int r = creds_from_assume_role(c, client, p, out, err);
    if (r == 0)
        r = creds_from_web_identity(c, client, p, !c->profile_explicit, out, err);
    if (r == 0 && is_sso_profile(c, p))
        return sso_error(p, err);
    if (r == 0)
        r = creds_from_file(c, &c->creds, c->credentials_file, p, "shared-credentials-file",
                            out, err);
    const char *proc = r == 0 ? config_profile_get(c, p, "credential_process") : NULL;
    if (proc && *proc)
        r = creds_from_process(proc, CREDS_PROCESS_TIMEOUT_MS, out, err);
    if (r == 0)
        r = creds_from_file(c, &c->cfg, c->config_file, p, "config-file", out, err);
    return r;
}

static int none_found(const aws_config *c, const struct aws_client *client, const char *imds,
                      aws_err *err)
{
    int container = config_env(c, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") ||
                    config_env(c, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    return err_set(
        err, AWS_ERR_CREDS, "NoCredentials",
        "no credentials: looked in environment%s, profile '%s' in %s, %s, container%s, "
        "instance metadata%s%s%s",
        c->profile_explicit ? " (skipped: --profile given)" : "", c->profile,
        c->credentials_file, c->config_file,
        !client ? " (skipped: no network client)"
                : container ? "" : " (skipped: AWS_CONTAINER_CREDENTIALS_* not set)",
        *imds ? " (" : "", imds, *imds ? ")" : "");
}

int creds_resolve(const aws_config *c, struct aws_client *client, aws_creds *out, aws_err *err)
{
    memset(out, 0, sizeof *out);
    err_clear(err);
    int r = c->profile_explicit ? 0 : creds_from_env(c, out, err);
    if (r == 0)
        r = chain_profile(c, client, out, err);
    if (r == 0 && client)
        r = creds_from_container(c, client, out, err);
    char why[256] = "";
    if (r == 0 && !client)
        snprintf(why, sizeof why, "skipped: no network client");
    else if (r == 0)
        r = creds_from_imds(c, client, out, why, sizeof why, err);
    if (r == 0)
        return none_found(c, client, why, err);
    return r > 0 ? 0 : -1;
}
