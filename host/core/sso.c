/* sso.c - an IAM Identity Center profile's settings, as botocore's SSOProvider and the
 * CLI's sso commands resolve them, and the sign-in token cache they share
 * (~/.aws/sso/cache, botocore's SSOTokenLoader keys). */
#include "iamsh/sso.h"
#include "iamsh/digest.h"
#include "iamsh/file.h"
#include "iamsh/json.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SSO_CACHE_DIR "/.aws/sso/cache"

static int config_error(const aws_config *c, const char *profile, const char *what, aws_err *err)
{
    return err_set(err, AWS_ERR_CONFIG, "InvalidConfigError",
                   "profile '%s' is set up for IAM Identity Center but %s: fix it in %s "
                   "(`aws configure sso` writes these settings)",
                   profile, what, c->config_file);
}

/* Every key of the [sso-session] section that the profile also sets must agree. */
static int check_agreement(const aws_config *c, const char *profile, const ini_section *ss,
                           aws_err *err)
{
    for (size_t i = 0; i < ss->nprops; i++) {
        const char *mine = config_profile_get(c, profile, ss->props[i].key);
        if (mine && strcmp(mine, ss->props[i].value) != 0) {
            char what[256];
            snprintf(what, sizeof what, "its %.64s differs from the one in [sso-session %.64s]",
                     ss->props[i].key, ss->name);
            return config_error(c, profile, what, err);
        }
    }
    return 0;
}

static int from_session(const aws_config *c, const char *profile, sso_config *out, aws_err *err)
{
    const ini_section *ss = ini_find(&c->cfg, INI_SSO_SESSION, out->session);
    if (!ss) {
        char what[256];
        snprintf(what, sizeof what, "its sso_session '%.64s' has no [sso-session %.64s] section",
                 out->session, out->session);
        return config_error(c, profile, what, err);
    }
    if (check_agreement(c, profile, ss, err) != 0)
        return -1;
    out->start_url = ini_get(ss, "sso_start_url");
    out->region = ini_get(ss, "sso_region");
    out->scopes = ini_get(ss, "sso_registration_scopes");
    return 0;
}

/* The settings the provider (need_role) or a sign-in needs, named when missing. */
static int check_missing(const aws_config *c, const sso_config *s, int need_role, aws_err *err)
{
    const char *names[] = {"sso_account_id", "sso_role_name", "sso_start_url", "sso_region"};
    const char *values[] = {s->account_id, s->role_name, s->start_url, s->region};
    char what[256] = "";
    for (int i = need_role ? 0 : 2; i < 4; i++)
        if (!values[i] || !*values[i])
            snprintf(what + strlen(what), sizeof what - strlen(what), "%s%s",
                     what[0] ? ", " : "it lacks ", names[i]);
    if (!what[0])
        return 0;
    if (s->session)
        snprintf(what + strlen(what), sizeof what - strlen(what),
                 " (in the profile or [sso-session %.64s])", s->session);
    return config_error(c, s->profile, what, err);
}

int sso_config_load(const aws_config *c, const char *profile, int need_role, sso_config *out,
                    aws_err *err)
{
    memset(out, 0, sizeof *out);
    out->profile = profile;
    out->account_id = config_profile_get(c, profile, "sso_account_id");
    out->role_name = config_profile_get(c, profile, "sso_role_name");
    out->session = config_profile_get(c, profile, "sso_session");
    out->start_url = config_profile_get(c, profile, "sso_start_url");
    out->region = config_profile_get(c, profile, "sso_region");
    if (need_role && !out->account_id && !out->role_name)
        return 0;
    if (!need_role && !out->session && !out->start_url)
        return 0;
    if (out->session && from_session(c, profile, out, err) != 0)
        return -1;
    return check_missing(c, out, need_role, err) == 0 ? 1 : -1;
}

cJSON *sso_scopes(const sso_config *s)
{
    if (!s->scopes)
        return cJSON_CreateNull();
    cJSON *list = cJSON_CreateArray();
    for (const char *p = s->scopes; list && *p;) {
        size_t n = strcspn(p, ",");
        const char *a = p, *b = p + n;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        char *scope = b > a ? strndup(a, (size_t)(b - a)) : NULL;
        cJSON *one = scope ? cJSON_CreateString(scope) : NULL;
        free(scope);
        if (one && !cJSON_AddItemToArray(list, one))
            cJSON_Delete(one);
        p += n + (p[n] == ',');
    }
    return list;
}

char *sso_said(const aws_err *err)
{
    buf b = BUF_INIT;
    if (buf_printf(&b, "%s: %s", err->code, err_message(err)) != 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}

void sso_login_command(const aws_config *c, const char *profile, char *out, size_t n)
{
    if (strcmp(profile, "default") == 0 && !c->profile_from_user)
        snprintf(out, n, "iamsh sso login");
    else
        snprintf(out, n, "iamsh sso login --profile %.100s", profile);
}

void sso_token_name(const sso_config *s, char *out, size_t n)
{
    if (s->session)
        snprintf(out, n, "session '%.100s'", s->session);
    else
        snprintf(out, n, "start URL %.200s", s->start_url);
}

int sso_cache_dir(const aws_config *c, char *out, size_t n)
{
    if (!c->home || !*c->home)
        return -1;
    return snprintf(out, n, "%s%s", c->home, SSO_CACHE_DIR) < (int)n ? 0 : -1;
}

int sso_token_path(const aws_config *c, const sso_config *s, char *out, size_t n)
{
    const char *name = s->session ? s->session : s->start_url;
    char dir[4096], key[41];
    if (!name || sso_cache_dir(c, dir, sizeof dir) != 0 ||
        digest_sha1_hex(name, strlen(name), key) != 0)
        return -1;
    return snprintf(out, n, "%s/%s.json", dir, key) < (int)n ? 0 : -1;
}

int sso_cache_write(const char *path, const cJSON *doc, aws_err *err)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", (int)(slash ? slash - path : 0), path);
    buf text = BUF_INIT;
    int rc = json_python_dumps(doc, 0, &text) == 0 ? 0 : (errno = ENOMEM, -1);
    if (rc == 0 && dir[0])
        rc = file_mkdirs(dir, 0700);
    if (rc == 0)
        rc = file_write_atomic(path, text.p, text.len, 0600);
    int saved = errno;
    buf_wipe(&text);
    if (rc != 0)
        return err_set(err, AWS_ERR_CREDS, "SSOCacheWriteError", "cannot write %.400s: %s", path,
                       strerror(saved));
    return 0;
}

void sso_time_text(time_t t, char out[32])
{
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}
