/* sso_portal.c - the IAM Identity Center portal: GetRoleCredentials (GET
 * /federation/credentials with the access token in x-amz-sso_bearer_token) and Logout,
 * as botocore's SSOCredentialFetcher and the CLI's `sso logout` call them. */
#include "iamsh/sso.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BEARER "x-amz-sso_bearer_token: "

static int oom(aws_err *err)
{
    return err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
}

/* One request to the portal in region with token; the JSON answer in *out. */
static int portal_call(const aws_config *c, aws_client *client, const char *region,
                       const char *method, const buf *path, const char *token, cJSON **out,
                       aws_err *err)
{
    aws_endpoint ep;
    if (config_sso_endpoint(c, "sso", region, &ep, err) != 0)
        return -1;
    buf url = BUF_INIT, bearer = BUF_INIT;
    int rc = buf_printf(&url, "%s%s", ep.url, path->p) == 0 &&
                     buf_printf(&bearer, BEARER "%s", token) == 0
                 ? 0
                 : oom(err);
    const char *headers[] = {bearer.p, NULL};
    client_json_request req = {method, url.p, headers, NULL};
    if (rc == 0)
        rc = client_json(client, &req, out, err);
    buf_free(&url);
    buf_wipe(&bearer);
    config_endpoint_free(&ep);
    return rc;
}

/* The portal's answer as credentials (expiration in milliseconds since the epoch). */
static int read_role_credentials(const cJSON *answer, aws_creds *out, aws_err *err)
{
    const cJSON *rc = cJSON_GetObjectItemCaseSensitive(answer, "roleCredentials");
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(rc, "expiration");
    const char *names[] = {"accessKeyId", "secretAccessKey", "sessionToken"};
    const char *v[3];
    for (int i = 0; i < 3; i++) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(rc, names[i]);
        v[i] = cJSON_IsString(m) && m->valuestring[0] ? m->valuestring : NULL;
        if (!v[i])
            return err_set(err, AWS_ERR_PARSE, "ResponseParseError",
                           "GetRoleCredentials: roleCredentials.%s is missing", names[i]);
    }
    if (!cJSON_IsNumber(exp) || !(exp->valuedouble > 0))
        return err_set(err, AWS_ERR_PARSE, "ResponseParseError",
                       "GetRoleCredentials: roleCredentials.expiration is missing");
    if (creds_set(out, v[0], v[1], v[2], "sso") != 0)
        return oom(err);
    out->expiration = (time_t)floor(exp->valuedouble / 1000.0);
    return 0;
}

/* The portal's refusal in the profile's words, with the fix; a transport failure keeps
 * its kind (and exit code) and its line, which names the endpoint. */
static int role_error(const aws_config *c, const sso_config *s, aws_err *err)
{
    char fix[160], code[64], *said = sso_said(err);
    int kind = err->kind, timeout = err->timeout;
    snprintf(code, sizeof code, "%s", err->code);
    sso_login_command(c, s->profile, fix, sizeof fix);
    if (kind != AWS_ERR_SERVICE)
        err_set(err, kind, code, "profile '%s': GetRoleCredentials: %s", s->profile,
                said ? said : code);
    else if (strcmp(code, "UnauthorizedException") == 0)
        err_set(err, AWS_ERR_CREDS, "SSOTokenRejected",
                "profile '%s': the IAM Identity Center sign-in is no longer valid "
                "(GetRoleCredentials: %s): run %s",
                s->profile, said ? said : code, fix);
    else
        err_set(err, AWS_ERR_CREDS, "SSORoleCredentialsError",
                "profile '%s': GetRoleCredentials for role '%.64s' in account %.20s failed "
                "(%s): check sso_account_id and sso_role_name, or run %s",
                s->profile, s->role_name, s->account_id, said ? said : code, fix);
    err->timeout = timeout;
    free(said);
    return -1;
}

int sso_role_credentials(const aws_config *c, aws_client *client, const sso_config *s,
                         const char *token, aws_creds *out, aws_err *err)
{
    buf path = BUF_INIT;
    cJSON *answer = NULL;
    memset(out, 0, sizeof *out);
    buf_puts(&path, "/federation/credentials?role_name=");
    buf_urlencode(&path, s->role_name, strlen(s->role_name), 0);
    buf_puts(&path, "&account_id=");
    int rc = buf_urlencode(&path, s->account_id, strlen(s->account_id), 0) == 0 ? 0 : oom(err);
    if (rc == 0 && portal_call(c, client, s->region, "GET", &path, token, &answer, err) != 0)
        rc = role_error(c, s, err);
    if (rc == 0)
        rc = read_role_credentials(answer, out, err);
    creds_wipe_json(answer);
    cJSON_Delete(answer);
    buf_free(&path);
    return rc;
}

void sso_portal_logout(const aws_config *c, aws_client *client, const char *region,
                       const char *token)
{
    buf path = BUF_INIT;
    cJSON *answer = NULL;
    aws_err ignored;
    err_clear(&ignored);
    if (buf_puts(&path, "/logout") == 0)
        portal_call(c, client, region, "POST", &path, token, &answer, &ignored);
    cJSON_Delete(answer);
    buf_free(&path);
}
