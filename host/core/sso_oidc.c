/* sso_oidc.c - the three SSO OIDC operations the CLI uses (RegisterClient,
 * StartDeviceAuthorization, CreateToken), as REST-JSON POSTs to the OIDC endpoint of
 * the session's region. */
#include "iamsh/sso.h"

#include <cJSON.h>
#include <stdio.h>
#include <string.h>

static int oom(aws_err *err)
{
    return err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
}

/* POST body (taken, wiped) to <oidc endpoint><path>. */
static int oidc_post(const aws_config *c, aws_client *client, const sso_config *s, const char *path,
                     cJSON *body, cJSON **out, aws_err *err)
{
    aws_endpoint ep;
    *out = NULL;
    int rc = body ? config_sso_endpoint(c, "sso-oidc", s->region, &ep, err) : oom(err);
    if (rc == 0) {
        buf url = BUF_INIT;
        if (buf_printf(&url, "%s%s", ep.url, path) != 0)
            rc = oom(err);
        client_json_request req = {"POST", url.p, NULL, body};
        if (rc == 0)
            rc = client_json(client, &req, out, err);
        buf_free(&url);
        config_endpoint_free(&ep);
    }
    creds_wipe_json(body);
    cJSON_Delete(body);
    return rc;
}

/* obj[name] = value; NULL (obj freed) when memory runs out. */
static cJSON *with(cJSON *obj, const char *name, const char *value)
{
    if (obj && value && !cJSON_AddStringToObject(obj, name, value)) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

/* sso_registration_scopes, when the session sets any. */
static cJSON *with_scopes(cJSON *obj, const sso_config *s)
{
    cJSON *list = obj && s->scopes ? sso_scopes(s) : NULL;
    if (list && cJSON_GetArraySize(list) > 0 && cJSON_AddItemToObject(obj, "scopes", list))
        return obj;
    cJSON_Delete(list);
    return obj;
}

int sso_oidc_register(const aws_config *c, aws_client *client, const sso_config *s,
                      const char *client_name, cJSON **out, aws_err *err)
{
    cJSON *body =
        with(with(cJSON_CreateObject(), "clientName", client_name), "clientType", "public");
    return oidc_post(c, client, s, "/client/register", with_scopes(body, s), out, err);
}

int sso_oidc_start_device(const aws_config *c, aws_client *client, const sso_config *s,
                          const char *client_id, const char *client_secret, cJSON **out,
                          aws_err *err)
{
    cJSON *body =
        with(with(with(cJSON_CreateObject(), "clientId", client_id), "clientSecret", client_secret),
             "startUrl", s->start_url);
    return oidc_post(c, client, s, "/device_authorization", body, out, err);
}

int sso_oidc_create_token(const aws_config *c, aws_client *client, const sso_config *s,
                          const char *client_id, const char *client_secret, int refresh,
                          const char *secret, cJSON **out, aws_err *err)
{
    const char *grant = refresh ? "refresh_token" : "urn:ietf:params:oauth:grant-type:device_code";
    cJSON *body = with(with(with(cJSON_CreateObject(), "grantType", grant), "clientId", client_id),
                       "clientSecret", client_secret);
    body = with(body, refresh ? "refreshToken" : "deviceCode", secret);
    return oidc_post(c, client, s, "/token", body, out, err);
}
