/* provider_sso.c - IAM Identity Center profiles, as botocore's SSOProvider: the role
 * credentials from the AWS CLI's cache while they have more than 15 minutes left, else
 * from the portal's GetRoleCredentials with the cached sign-in (sso.h), then cached
 * under the key botocore's SSOCredentialFetcher makes, for the CLI to use too. */
#include "iamsh/provider.h"
#include "iamsh/credcache.h"
#include "iamsh/sso.h"

#include <cJSON.h>
#include <string.h>

/* sha1 of {"accountId", "roleName", "sessionName" | "startUrl"}, compact and sorted. */
static int cache_key(const sso_config *s, char key[41])
{
    cJSON *args = cJSON_CreateObject();
    int ok = cJSON_AddStringToObject(args, "roleName", s->role_name) &&
             cJSON_AddStringToObject(args, "accountId", s->account_id) &&
             cJSON_AddStringToObject(args, s->session ? "sessionName" : "startUrl",
                                     s->session ? s->session : s->start_url);
    int rc = ok ? credcache_key(args, 1, key) : -1;
    cJSON_Delete(args);
    return rc;
}

static time_t now_of(const struct aws_client *client)
{
    return client && client->opts.now ? client->opts.now() : time(NULL);
}

int provider_sso(const aws_config *c, struct aws_client *client, const char *profile,
                 aws_creds *out, aws_err *err)
{
    sso_config s;
    memset(out, 0, sizeof *out);
    int r = sso_config_load(c, profile, 1, &s, err);
    if (r <= 0)
        return r;
    char key[41];
    int keyed = cache_key(&s, key) == 0;
    if (keyed && credcache_load(c->home, key, now_of(client), "sso", out) == 1)
        return 1;
    if (!client)
        return err_set(err, AWS_ERR_CREDS, "NoClient",
                       "profile '%s' uses IAM Identity Center, which needs a network client",
                       profile);
    buf token = BUF_INIT;
    int rc = sso_token_get(c, client, &s, &token, err);
    if (rc == 0)
        rc = sso_role_credentials(c, client, &s, token.p, out, err);
    buf_wipe(&token);
    if (rc == 0 && keyed)
        credcache_store(c->home, key, out, 1, NULL); /* a failure costs a later call only */
    return rc == 0 ? 1 : -1;
}
