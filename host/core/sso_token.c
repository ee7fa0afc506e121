/* sso_token.c - the sign-in token of an IAM Identity Center profile: read from the
 * cache the AWS CLI shares, refreshed as botocore's SSOTokenProvider refreshes it
 * (sso_session profiles only, within 15 minutes of expiry, while the client
 * registration holds), the file then rewritten. Every failure names the profile, what
 * is wrong and the command that fixes it; never a token. */
#include "iamsh/sso.h"
#include "iamsh/file.h"
#include "iamsh/iso8601.h"
#include "iamsh/json.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_MAX_FILE (1u << 20)

typedef struct token_ctx {
    const aws_config *c;
    aws_client *client;
    const sso_config *s;
    char path[4096];
    char name[256]; /* "session 'corp'" */
    char fix[160];  /* "iamsh sso login --profile dev" */
    time_t now;
} token_ctx;

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/* An ISO 8601 member as seconds; 0 when absent or unreadable. */
static time_t time_of(const cJSON *o, const char *k)
{
    double t;
    const char *v = str(o, k);
    return v && iso8601_parse(v, &t) == 0 ? (time_t)t : 0;
}

static cJSON *read_doc(const token_ctx *t, aws_err *err)
{
    buf text = BUF_INIT;
    if (file_read(t->path, TOKEN_MAX_FILE, &text) != 0) {
        int e = errno;
        buf_wipe(&text);
        if (e == ENOENT)
            err_set(err, AWS_ERR_CREDS, "SSOTokenMissing",
                    "profile '%s': no IAM Identity Center sign-in for %s (no %.300s): run %s",
                    t->s->profile, t->name, t->path, t->fix);
        else
            err_set(err, AWS_ERR_CREDS, "SSOTokenUnreadable",
                    "profile '%s': cannot read the sign-in for %s (%.300s: %s): run %s",
                    t->s->profile, t->name, t->path, strerror(e), t->fix);
        return NULL;
    }
    cJSON *doc = json_parse_all(text.p, text.len, NULL);
    buf_wipe(&text);
    if (!str(doc, "accessToken") || !time_of(doc, "expiresAt")) {
        creds_wipe_json(doc);
        cJSON_Delete(doc);
        err_set(err, AWS_ERR_CREDS, "SSOTokenInvalid",
                "profile '%s': the sign-in for %s in %.300s has no accessToken or expiresAt: "
                "run %s",
                t->s->profile, t->name, t->path, t->fix);
        return NULL;
    }
    return doc;
}

cJSON *sso_token_doc(const sso_config *s, const cJSON *answer, const char *client_id,
                     const char *client_secret, const char *registration_expires, time_t now)
{
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(answer, "expiresIn");
    const char *access = str(answer, "accessToken"), *refresh = str(answer, "refreshToken");
    char expires[32];
    if (!access || !cJSON_IsNumber(in))
        return NULL;
    sso_time_text(iso8601_time((double)now + in->valuedouble), expires);
    cJSON *doc = cJSON_CreateObject();
    const char *keys[] = {"startUrl", "region",       "accessToken",           "expiresAt",
                          "clientId", "clientSecret", "registrationExpiresAt", "refreshToken"};
    const char *values[] = {
        s->start_url,         s->region, access, expires, client_id, client_secret,
        registration_expires, refresh};
    for (size_t i = 0; doc && i < sizeof keys / sizeof *keys; i++) {
        if (values[i] && !cJSON_AddStringToObject(doc, keys[i], values[i])) {
            creds_wipe_json(doc);
            cJSON_Delete(doc);
            doc = NULL;
        }
    }
    return doc;
}

/* CreateToken with the refresh token: the new document, or NULL with why. */
static cJSON *refresh(const token_ctx *t, const cJSON *doc, char *why, size_t nwhy)
{
    const char *rt = str(doc, "refreshToken"), *id = str(doc, "clientId");
    const char *secret = str(doc, "clientSecret"), *reg = str(doc, "registrationExpiresAt");
    if (!rt || !id || !secret || !reg) {
        snprintf(why, nwhy, "the cached sign-in has no refresh token");
        return NULL;
    }
    if (time_of(doc, "registrationExpiresAt") <= t->now) {
        snprintf(why, nwhy, "its client registration expired at %.40s", reg);
        return NULL;
    }
    cJSON *answer = NULL, *fresh = NULL;
    aws_err e;
    err_clear(&e);
    if (sso_oidc_create_token(t->c, t->client, t->s, id, secret, 1, rt, &answer, &e) != 0) {
        char *said = sso_said(&e);
        snprintf(why, nwhy, "CreateToken: %s", said ? said : e.code);
        free(said);
    } else if (!(fresh = sso_token_doc(t->s, answer, id, secret, reg, t->now)))
        snprintf(why, nwhy, "CreateToken answered without accessToken or expiresIn");
    creds_wipe_json(answer);
    cJSON_Delete(answer);
    return fresh;
}

/* Past the refresh window of an sso_session token: refresh it and rewrite the file.
 * *doc is replaced on success; otherwise it stays and why says what failed. */
static int try_refresh(const token_ctx *t, cJSON **doc, char *why, size_t nwhy, aws_err *err)
{
    cJSON *fresh = refresh(t, *doc, why, nwhy);
    if (!fresh)
        return 0;
    int rc = sso_cache_write(t->path, fresh, err);
    creds_wipe_json(*doc);
    cJSON_Delete(*doc);
    *doc = fresh;
    return rc;
}

static int expired(const token_ctx *t, const cJSON *doc, const char *why, aws_err *err)
{
    return err_set(err, AWS_ERR_CREDS, "SSOTokenExpired",
                   "profile '%s': the IAM Identity Center sign-in for %s expired at %.40s%s%s%s: "
                   "run %s",
                   t->s->profile, t->name, str(doc, "expiresAt"),
                   why[0] ? " and could not be refreshed (" : "", why, why[0] ? ")" : "", t->fix);
}

int sso_token_get(const aws_config *c, aws_client *client, const sso_config *s, buf *token,
                  aws_err *err)
{
    token_ctx t = {
        c, client, s, "", "", "", client && client->opts.now ? client->opts.now() : time(NULL)};
    sso_token_name(s, t.name, sizeof t.name);
    sso_login_command(c, s->profile, t.fix, sizeof t.fix);
    if (sso_token_path(c, s, t.path, sizeof t.path) != 0)
        return err_set(err, AWS_ERR_CREDS, "SSOTokenMissing",
                       "profile '%s': no home folder to find the IAM Identity Center sign-in in "
                       "(HOME is not set)",
                       s->profile);
    cJSON *doc = read_doc(&t, err);
    char why[1024] = "";
    int rc = doc ? 0 : -1;
    if (rc == 0 && s->session && time_of(doc, "expiresAt") - t.now < SSO_REFRESH_WINDOW)
        rc = try_refresh(&t, &doc, why, sizeof why, err);
    if (rc == 0 && time_of(doc, "expiresAt") <= t.now)
        rc = expired(&t, doc, why, err);
    if (rc == 0 && buf_puts(token, str(doc, "accessToken")) != 0)
        rc = err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
    creds_wipe_json(doc);
    cJSON_Delete(doc);
    return rc;
}
