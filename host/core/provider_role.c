/* provider_role.c - assume-role profiles (role_arn + source_profile | credential_source),
 * following botocore's AssumeRoleProvider: chains, cycle detection, a profile naming
 * itself only with static keys, MFA (mfa_serial), and the AWS CLI's credential cache,
 * looked in before anything is asked or sent; and AssumeRoleWithWebIdentity (IRSA).
 * The STS calls take the same path as every other call (call.h), so they are
 * validated, retried and decoded by the model like sts.assume_role from a script. */
#include "iamsh/provider.h"
#include "iamsh/call.h"
#include "iamsh/credcache.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "iamsh/buf.h"
#include "iamsh/file.h"

#define ROLE_MAX_CHAIN 32

typedef struct visited {
    const char *names[ROLE_MAX_CHAIN];
    int n;
} visited;

static int cfg_err(aws_err *err, const char *code, const char *fmt, const char *a, const char *b)
{
    return err_set(err, AWS_ERR_CONFIG, code, fmt, a, b);
}

/* ---- the STS calls, on the one call path (call.h) ---- */

/* obj[name] = value when value is set; NULL (obj freed) when memory runs out. */
static cJSON *with(cJSON *obj, const char *name, const char *value)
{
    if (obj && value && !cJSON_AddStringToObject(obj, name, value)) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

/* The cache entry of an AssumeRole answer: its credentials, AssumedRoleUser and
 * request id, as botocore caches the response. A cache that cannot be written costs
 * only a later call, so a failure here is not one of the call. */
static void cache_result(const aws_config *c, const char *key, const aws_creds *cr,
                         const cJSON *result, const char *rid)
{
    cJSON *extra = cJSON_CreateObject();
    const cJSON *user = cJSON_GetObjectItemCaseSensitive(result, "AssumedRoleUser");
    cJSON *meta = cJSON_AddObjectToObject(extra, "ResponseMetadata");
    if (user)
        cJSON_AddItemToObject(extra, "AssumedRoleUser", cJSON_Duplicate(user, 1));
    cJSON_AddStringToObject(meta, "RequestId", rid);
    credcache_store(c->home, key, cr, 0, extra);
    cJSON_Delete(extra);
}

/* The STS operation op_name with params (taken, and wiped: a web identity token is a
 * secret), signed with base (NULL for an unsigned one); its Credentials into out, and
 * into the CLI's cache under cache_key when there is one. */
static int sts_credentials(const aws_config *c, struct aws_client *client, const aws_creds *base,
                           const char *op_name, cJSON *params, const char *cache_key,
                           const char *source, aws_creds *out, aws_err *err)
{
    const model_op *op = model_op_find(model_service_find("sts"), op_name);
    call_env env = {client, c, base};
    char rid[96], why[128];
    cJSON *result = params ? call_op(&env, op, params, rid, err) : NULL;
    int rc = -1;
    if (!params)
        err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
    else if (result && creds_from_json(cJSON_GetObjectItemCaseSensitive(result, "Credentials"),
                                       "SessionToken", source, out, why, sizeof why) != 0)
        err_set(err, AWS_ERR_PARSE, "ResponseParseError", "%s: Credentials: %s", op->snake, why);
    else if (result)
        rc = 0;
    if (rc == 0 && cache_key && out->expiration)
        cache_result(c, cache_key, out, result, rid);
    creds_wipe_json(result);
    creds_wipe_json(params);
    cJSON_Delete(result);
    cJSON_Delete(params);
    return rc;
}

static time_t client_now(const struct aws_client *client)
{
    return client && client->opts.now ? client->opts.now() : time(NULL);
}

static void session_name(const aws_config *c, const struct aws_client *client, const char *profile,
                         const char *env_name, char out[80])
{
    const char *v = config_profile_get(c, profile, "role_session_name");
    if (env_name && config_env(c, env_name))
        v = config_env(c, env_name);
    if (v)
        snprintf(out, 80, "%s", v);
    else
        snprintf(out, 80, "iamsh-%lld", (long long)client_now(client));
}

/* duration_seconds as a number for DurationSeconds (the model checks its range). */
static int duration(const char *d, const char *profile, cJSON *params, aws_err *err)
{
    char *end;
    long n = d ? strtol(d, &end, 10) : 0;
    if (d && (end == d || *end || n <= 0))
        return cfg_err(err, "InvalidConfigError",
                       "duration_seconds '%.20s' in profile '%s' must be a whole number", d,
                       profile);
    if (d && !cJSON_AddNumberToObject(params, "DurationSeconds", (double)n))
        return err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
    return 0;
}

/* ---- AssumeRole ---- */

/* The AssumeRole arguments the profile sets, named as botocore names them in its cache
 * key: RoleArn, RoleSessionName (only when configured: a generated one is left out),
 * ExternalId, SerialNumber, DurationSeconds; and SourceIdentity, which the AWS CLI does
 * not read (a profile that sets it gets a cache entry of its own). NULL with err. */
static cJSON *role_args(const aws_config *c, const char *profile, aws_err *err)
{
    static const char *const keys[][2] = {
        {"RoleArn", "role_arn"},
        {"RoleSessionName", "role_session_name"},
        {"ExternalId", "external_id"},
        {"SerialNumber", "mfa_serial"},
        {"SourceIdentity", "source_identity"},
    };
    cJSON *args = cJSON_CreateObject();
    for (size_t i = 0; args && i < sizeof keys / sizeof *keys; i++)
        args = with(args, keys[i][0], config_profile_get(c, profile, keys[i][1]));
    if (!args) {
        err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
        return NULL;
    }
    if (duration(config_profile_get(c, profile, "duration_seconds"), profile, args, err) != 0) {
        cJSON_Delete(args);
        return NULL;
    }
    return args;
}

/* The MFA code (mfa_serial set) as TokenCode, asked on the terminal. */
static int add_token_code(const struct aws_client *client, const char *profile, cJSON *params,
                          aws_err *err)
{
    const cJSON *serial = cJSON_GetObjectItemCaseSensitive(params, "SerialNumber");
    char code[64];
    if (!cJSON_IsString(serial))
        return 0;
    if (provider_mfa_code(client, profile, serial->valuestring, code, sizeof code, err) != 0)
        return -1;
    int rc = cJSON_AddStringToObject(params, "TokenCode", code) ? 0 : -1;
    creds_wipe_str(code);
    return rc == 0 ? 0 : err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
}

/* STS refused the role: one line naming the profile and the fix, exit 253 (the code
 * stays AWS's: AccessDenied, ...). Transport failures keep their kind and line. */
static int assume_refused(const char *profile, const char *role, int mfa, aws_err *err)
{
    if (err->kind != AWS_ERR_SERVICE)
        return -1;
    char code[64], said[1024];
    snprintf(code, sizeof code, "%s", err->code);
    snprintf(said, sizeof said, "%s", err_message(err));
    return err_set(err, AWS_ERR_CREDS, code,
                   "profile '%s': AssumeRole of %.200s was refused (%s: %s): %s", profile, role,
                   code, said,
                   mfa ? "check mfa_serial and type the code your MFA device shows now"
                       : "check role_arn and that the source credentials may assume it");
}

/* AssumeRole with args (taken) signed by base; the answer cached under key. */
static int call_assume_role(const aws_config *c, struct aws_client *client, const char *profile,
                            cJSON *args, const char *key, const aws_creds *base, aws_creds *out,
                            aws_err *err)
{
    char name[80];
    if (!client) {
        cJSON_Delete(args);
        return err_set(err, AWS_ERR_CREDS, "NoClient",
                       "profile '%s' assumes a role, which needs a network client", profile);
    }
    session_name(c, client, profile, NULL, name);
    if (!cJSON_GetObjectItemCaseSensitive(args, "RoleSessionName"))
        args = with(args, "RoleSessionName", name);
    if (args && add_token_code(client, profile, args, err) != 0) {
        cJSON_Delete(args);
        return -1;
    }
    const char *role = config_profile_get(c, profile, "role_arn");
    int mfa = config_profile_get(c, profile, "mfa_serial") != NULL;
    if (sts_credentials(c, client, base, "AssumeRole", args, key, "assume-role", out, err) != 0)
        return assume_refused(profile, role, mfa, err);
    return 0;
}

static int has_static(const aws_config *c, const char *profile)
{
    const char *id = config_profile_get(c, profile, "aws_access_key_id");
    return id && *id;
}

static int from_credential_source(const aws_config *c, struct aws_client *client,
                                  const char *profile, const char *cs, aws_creds *base,
                                  aws_err *err)
{
    char why[256];
    int r;
    if (strcasecmp(cs, "Environment") == 0)
        r = provider_env(c, base, err);
    else if (strcasecmp(cs, "Ec2InstanceMetadata") == 0)
        r = provider_imds(c, client, base, why, sizeof why, err);
    else if (strcasecmp(cs, "EcsContainer") == 0)
        r = provider_container(c, client, base, err);
    else
        return cfg_err(err, "InvalidConfigError",
                       "credential_source '%.64s' in profile '%s' must be Environment, "
                       "Ec2InstanceMetadata or EcsContainer",
                       cs, profile);
    if (r == 0)
        return err_set(err, AWS_ERR_CREDS, "CredentialRetrievalError",
                       "no credentials found in credential_source '%.64s' referenced in "
                       "profile '%s'",
                       cs, profile);
    return r < 0 ? -1 : 0;
}

static int assume_chain(const aws_config *c, struct aws_client *client, const char *profile,
                        visited *seen, aws_creds *out, aws_err *err);

/* The base credentials from a source_profile, as botocore resolves them: static keys
 * win, then a further role_arn, then the profile's other providers, env vars off. */
static int from_source_profile(const aws_config *c, struct aws_client *client, const char *sp,
                               visited *seen, aws_creds *base, aws_err *err)
{
    int r = 0;
    if (has_static(c, sp)) {
        r = provider_file(c, &c->creds, c->credentials_file, sp, "shared-credentials-file", base,
                          err);
        if (r == 0)
            r = provider_file(c, &c->cfg, c->config_file, sp, "config-file", base, err);
        return r < 0 ? -1 : 0;
    }
    if (config_profile_get(c, sp, "role_arn") &&
        !config_profile_get(c, sp, "web_identity_token_file"))
        return assume_chain(c, client, sp, seen, base, err);
    r = provider_web_identity(c, client, sp, 0, base, err);
    if (r == 0)
        r = provider_sso(c, client, sp, base, err);
    const char *proc = r == 0 ? config_profile_get(c, sp, "credential_process") : NULL;
    if (proc && *proc)
        r = provider_process(proc, PROVIDER_PROCESS_TIMEOUT_MS, base, err);
    if (r == 0)
        return cfg_err(err, "InvalidConfigError",
                       "source_profile '%s' has no credentials (referenced by profile '%s')", sp,
                       seen->names[seen->n - 2]);
    return r < 0 ? -1 : 0;
}

static int check_source(const aws_config *c, const char *profile, const char *sp, visited *seen,
                        aws_err *err)
{
    if (!config_profile_exists(c, sp))
        return cfg_err(err, "InvalidConfigError",
                       "source_profile '%s' referenced in profile '%s' does not exist", sp,
                       profile);
    int looped = 0;
    for (int i = 0; i < seen->n; i++)
        looped |= strcmp(seen->names[i], sp) == 0;
    if (looped && (strcmp(sp, profile) != 0 || !has_static(c, sp)))
        return cfg_err(err, "InfiniteLoopConfigError",
                       "infinite loop in profile chain: '%s' is the source_profile of '%s' "
                       "and already in the chain",
                       sp, profile);
    if (seen->n >= ROLE_MAX_CHAIN)
        return cfg_err(err, "InvalidConfigError", "profile chain from '%s' is too long (%s)",
                       seen->names[0], "32 profiles");
    seen->names[seen->n++] = sp;
    return 0;
}

/* The base credentials the role is assumed with. */
static int source_credentials(const aws_config *c, struct aws_client *client, const char *profile,
                              visited *seen, aws_creds *base, aws_err *err)
{
    const char *sp = config_profile_get(c, profile, "source_profile");
    if (sp)
        return from_source_profile(c, client, sp, seen, base, err);
    return from_credential_source(c, client, profile,
                                  config_profile_get(c, profile, "credential_source"), base, err);
}

/* The configuration is checked first, then the CLI's cache is asked: a hit needs no
 * source credentials, no MFA code and no call. */
static int assume_chain(const aws_config *c, struct aws_client *client, const char *profile,
                        visited *seen, aws_creds *out, aws_err *err)
{
    const char *sp = config_profile_get(c, profile, "source_profile");
    const char *cs = config_profile_get(c, profile, "credential_source");
    if ((sp != NULL) == (cs != NULL))
        return cfg_err(err, "InvalidConfigError",
                       "profile '%s' must set exactly one of source_profile and "
                       "credential_source (it sets %s)",
                       profile, sp ? "both" : "neither");
    if (sp && check_source(c, profile, sp, seen, err) != 0)
        return -1;
    cJSON *args = role_args(c, profile, err);
    char key[41];
    if (!args)
        return -1;
    if (credcache_key(args, 0, key) == 0 &&
        credcache_load(c->home, key, client_now(client), "assume-role", out) == 1) {
        cJSON_Delete(args);
        return 0;
    }
    aws_creds base = {0};
    int rc = source_credentials(c, client, profile, seen, &base, err);
    if (rc == 0)
        rc = call_assume_role(c, client, profile, args, key, &base, out, err);
    else
        cJSON_Delete(args);
    creds_free(&base);
    return rc;
}

int provider_assume_role(const aws_config *c, struct aws_client *client, const char *profile,
                         aws_creds *out, aws_err *err)
{
    memset(out, 0, sizeof *out);
    if (!config_profile_get(c, profile, "role_arn") ||
        config_profile_get(c, profile, "web_identity_token_file"))
        return 0;
    visited seen = {{profile}, 1};
    return assume_chain(c, client, profile, &seen, out, err) == 0 ? 1 : -1;
}

/* ---- AssumeRoleWithWebIdentity ---- */

static int read_token(const aws_config *c, const char *path, buf *tok, aws_err *err)
{
    char *p = config_expand_path(c, path);
    int rc = p ? file_read(p, 1u << 20, tok) : -1;
    free(p);
    if (rc != 0)
        return err_set(err, AWS_ERR_CREDS, "CredentialRetrievalError",
                       "cannot read web identity token file %.300s", path);
    while (tok->len && strchr(" \t\r\n", tok->p[tok->len - 1]))
        tok->p[--tok->len] = '\0';
    if (tok->len == 0)
        return err_set(err, AWS_ERR_CREDS, "CredentialRetrievalError",
                       "web identity token file %.300s is empty", path);
    return 0;
}

int provider_web_identity(const aws_config *c, struct aws_client *client, const char *profile,
                          int use_env, aws_creds *out, aws_err *err)
{
    memset(out, 0, sizeof *out);
    const char *arn = use_env ? config_env(c, "AWS_ROLE_ARN") : NULL;
    const char *file = use_env ? config_env(c, "AWS_WEB_IDENTITY_TOKEN_FILE") : NULL;
    if (!arn)
        arn = config_profile_get(c, profile, "role_arn");
    if (!file)
        file = config_profile_get(c, profile, "web_identity_token_file");
    if (!arn || !file)
        return 0;
    if (!client)
        return err_set(err, AWS_ERR_CREDS, "NoClient",
                       "web identity credentials need a network client");
    buf tok = BUF_INIT;
    char name[80];
    session_name(c, client, profile, use_env ? "AWS_ROLE_SESSION_NAME" : NULL, name);
    int rc = read_token(c, file, &tok, err);
    cJSON *params =
        rc == 0 ? with(with(cJSON_CreateObject(), "RoleArn", arn), "RoleSessionName", name) : NULL;
    if (rc == 0)
        rc = sts_credentials(c, client, NULL, "AssumeRoleWithWebIdentity",
                             with(params, "WebIdentityToken", tok.p), NULL,
                             "assume-role-with-web-identity", out, err);
    buf_wipe(&tok);
    return rc == 0 ? 1 : -1;
}
