/* provider_role.c - assume-role profiles (role_arn + source_profile | credential_source),
 * following botocore's AssumeRoleProvider: chains, cycle detection, a profile naming
 * itself only with static keys; and AssumeRoleWithWebIdentity (IRSA). */
#include "iamsh/provider.h"
#include "iamsh/xml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "iamsh/buf.h"
#include "iamsh/client.h"

#define ROLE_MAX_CHAIN 32
#define STS_XML_MAX (1u << 20)

typedef struct visited {
    const char *names[ROLE_MAX_CHAIN];
    int n;
} visited;

static int cfg_err(aws_err *err, const char *code, const char *fmt, const char *a,
                   const char *b)
{
    return err_set(err, AWS_ERR_CONFIG, code, fmt, a, b);
}

/* ---- the STS answer ---- */

static xmlNode *find_el(xmlNode *n, const char *name)
{
    for (; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0)
            return n;
        xmlNode *r = find_el(n->children, name);
        if (r)
            return r;
    }
    return NULL;
}

static char *el_text(xmlNode *parent, const char *name)
{
    for (xmlNode *n = parent ? parent->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0)
            return (char *)xmlNodeGetContent(n);
    return NULL;
}

static void xml_free_secret(char *s)
{
    creds_wipe_str(s);
    xmlFree(s);
}

/* <...Result><Credentials><AccessKeyId/>... -> out. */
static int parse_sts_creds(const buf *xml, const char *source, aws_creds *out, aws_err *err)
{
    if (xml->len > STS_XML_MAX)
        return err_set(err, AWS_ERR_PARSE, "ResponseParseError", "STS answer too large");
    xmlDoc *doc = xml_read(xml->p, xml->len, STS_XML_MAX);
    xmlNode *cr = doc ? find_el(xmlDocGetRootElement(doc), "Credentials") : NULL;
    char *id = el_text(cr, "AccessKeyId"), *sk = el_text(cr, "SecretAccessKey");
    char *tok = el_text(cr, "SessionToken"), *exp = el_text(cr, "Expiration");
    int rc = 0;
    if (!id || !sk || !*id || !*sk)
        rc = err_set(err, AWS_ERR_PARSE, "ResponseParseError",
                         "STS answer has no <Credentials> with AccessKeyId and SecretAccessKey");
    else if (creds_set(out, id, sk, tok, source) != 0)
        rc = err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
    else if (creds_set_expiration(out, exp) != 0)
        out->expiration = 0;
    xmlFree(id);
    xml_free_secret(sk);
    xml_free_secret(tok);
    xmlFree(exp);
    xmlFreeDoc(doc);
    return rc;
}

/* ---- request bodies ---- */

static void add_param(buf *b, const char *name, const char *value)
{
    if (!value)
        return;
    buf_printf(b, "&%s=", name);
    buf_urlencode(b, value, strlen(value), 0);
}

static time_t client_now(const struct aws_client *client)
{
    return client && client->opts.now ? client->opts.now() : time(NULL);
}

static void session_name(const aws_config *c, const struct aws_client *client,
                         const char *profile, const char *env_name, char out[80])
{
    const char *v = config_profile_get(c, profile, "role_session_name");
    if (env_name && config_env(c, env_name))
        v = config_env(c, env_name);
    if (v)
        snprintf(out, 80, "%s", v);
    else
        snprintf(out, 80, "iamsh-%lld", (long long)client_now(client));
}

static int check_duration(const char *d, const char *profile, aws_err *err)
{
    char *end;
    long n = d ? strtol(d, &end, 10) : 1;
    if (d && (end == d || *end || n <= 0))
        return cfg_err(err, "InvalidConfigError",
                       "duration_seconds '%.20s' in profile '%s' must be a whole number", d,
                       profile);
    return 0;
}

/* ---- AssumeRole ---- */

static int call_assume_role(const aws_config *c, struct aws_client *client, const char *profile,
                            const aws_creds *base, aws_creds *out, aws_err *err)
{
    if (!client)
        return err_set(err, AWS_ERR_CREDS, "NoClient",
                           "profile '%s' assumes a role, which needs a network client", profile);
    const char *dur = config_profile_get(c, profile, "duration_seconds");
    if (check_duration(dur, profile, err) != 0)
        return -1;
    char name[80];
    session_name(c, client, profile, NULL, name);
    buf body = BUF_INIT, resp = BUF_INIT;
    buf_puts(&body, "Action=AssumeRole&Version=2011-06-15");
    add_param(&body, "RoleArn", config_profile_get(c, profile, "role_arn"));
    add_param(&body, "RoleSessionName", name);
    add_param(&body, "DurationSeconds", dur);
    add_param(&body, "ExternalId", config_profile_get(c, profile, "external_id"));
    aws_endpoint ep;
    char rid[96];
    int rc = config_endpoint(c, "sts", &ep, err);
    if (rc == 0)
        rc = client_query(client, &ep, base, body.p, body.len, &resp, rid, err);
    if (rc == 0)
        rc = parse_sts_creds(&resp, "assume-role", out, err);
    config_endpoint_free(&ep);
    buf_free(&body);
    buf_wipe(&resp);
    return rc;
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
                       "Ec2InstanceMetadata or EcsContainer", cs, profile);
    if (r == 0)
        return err_set(err, AWS_ERR_CREDS, "CredentialRetrievalError",
                           "no credentials found in credential_source '%.64s' referenced in "
                           "profile '%s'", cs, profile);
    return r < 0 ? -1 : 0;
}

static int assume_chain(const aws_config *c, struct aws_client *client, const char *profile,
                        visited *seen, aws_creds *out, aws_err *err);

/* The base credentials from a source_profile, as botocore resolves them: static keys
 * win, then a further role_arn, then the profile's other providers, env vars off. */
static int from_source_profile(const aws_config *c, struct aws_client *client,
                               const char *sp, visited *seen, aws_creds *base, aws_err *err)
{
    int r = 0;
    if (has_static(c, sp)) {
        r = provider_file(c, &c->creds, c->credentials_file, sp, "shared-credentials-file",
                            base, err);
        if (r == 0)
            r = provider_file(c, &c->cfg, c->config_file, sp, "config-file", base, err);
        return r < 0 ? -1 : 0;
    }
    if (config_profile_get(c, sp, "role_arn") &&
        !config_profile_get(c, sp, "web_identity_token_file"))
        return assume_chain(c, client, sp, seen, base, err);
    r = provider_web_identity(c, client, sp, 0, base, err);
    const char *proc = r == 0 ? config_profile_get(c, sp, "credential_process") : NULL;
    if (proc && *proc)
        r = provider_process(proc, PROVIDER_PROCESS_TIMEOUT_MS, base, err);
    if (r == 0)
        return cfg_err(err, "InvalidConfigError",
                       "source_profile '%s' has no credentials (referenced by profile '%s')",
                       sp, seen->names[seen->n - 2]);
    return r < 0 ? -1 : 0;
}

static int check_source(const aws_config *c, const char *profile, const char *sp,
                        visited *seen, aws_err *err)
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
                       "and already in the chain", sp, profile);
    if (seen->n >= ROLE_MAX_CHAIN)
        return cfg_err(err, "InvalidConfigError", "profile chain from '%s' is too long (%s)",
                       seen->names[0], "32 profiles");
    seen->names[seen->n++] = sp;
    return 0;
}

static int assume_chain(const aws_config *c, struct aws_client *client, const char *profile,
                        visited *seen, aws_creds *out, aws_err *err)
{
    const char *sp = config_profile_get(c, profile, "source_profile");
    const char *cs = config_profile_get(c, profile, "credential_source");
    if ((sp != NULL) == (cs != NULL))
        return cfg_err(err, "InvalidConfigError",
                       "profile '%s' must set exactly one of source_profile and "
                       "credential_source (it sets %s)", profile, sp ? "both" : "neither");
    if (config_profile_get(c, profile, "mfa_serial"))
        return err_set(err, AWS_ERR_CREDS, "MFANotSupported",
                           "profile '%s': mfa_serial is not supported yet", profile);
    aws_creds base = {0};
    int rc = sp ? check_source(c, profile, sp, seen, err) : 0;
    if (rc == 0)
        rc = sp ? from_source_profile(c, client, sp, seen, &base, err)
                : from_credential_source(c, client, profile, cs, &base, err);
    if (rc == 0)
        rc = call_assume_role(c, client, profile, &base, out, err);
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
    FILE *f = p ? fopen(p, "rb") : NULL;
    free(p);
    if (!f)
        return err_set(err, AWS_ERR_CREDS, "CredentialRetrievalError",
                           "cannot read web identity token file %.300s", path);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && tok->len < (1u << 20))
        buf_append(tok, chunk, n);
    fclose(f);
    while (tok->len && strchr(" \t\r\n", tok->p[tok->len - 1]))
        tok->p[--tok->len] = '\0';
    if (tok->len == 0)
        return err_set(err, AWS_ERR_CREDS, "CredentialRetrievalError",
                           "web identity token file %.300s is empty", path);
    return 0;
}

/* The call is unsigned (the token is the proof), so it goes straight to http_send. */
static int post_web_identity(const aws_config *c, struct aws_client *client, const buf *body,
                             buf *resp, aws_err *err)
{
    aws_endpoint ep;
    if (config_endpoint(c, "sts", &ep, err) != 0)
        return -1;
    buf url = BUF_INIT;
    buf_printf(&url, "%s/", ep.url);
    const char *hdrs[] = {"Content-Type: application/x-www-form-urlencoded; charset=utf-8",
                          "Accept: application/xml", NULL};
    http_request req = {"POST", url.p, hdrs, body->p, body->len, 0, 0, 0};
    http_response hr = {0};
    int rc = http_send(client->http, &req, &hr, err);
    if (rc == 0 && (hr.status < 200 || hr.status > 299)) {
        if (client_parse_error(hr.body.p ? hr.body.p : "", hr.body.len, err) != 0)
            err_set(err, AWS_ERR_PARSE, "ResponseParseError",
                        "AssumeRoleWithWebIdentity: HTTP %ld", hr.status);
        err->status = hr.status;
        rc = -1;
    }
    if (rc == 0) {
        *resp = hr.body;
        hr.body = (buf)BUF_INIT;
    }
    buf_wipe(&hr.body);
    http_response_free(&hr);
    buf_free(&url);
    config_endpoint_free(&ep);
    return rc;
}

int provider_web_identity(const aws_config *c, struct aws_client *client,
                            const char *profile, int use_env, aws_creds *out, aws_err *err)
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
    buf tok = BUF_INIT, body = BUF_INIT, resp = BUF_INIT;
    char name[80];
    session_name(c, client, profile, use_env ? "AWS_ROLE_SESSION_NAME" : NULL, name);
    int rc = read_token(c, file, &tok, err);
    buf_puts(&body, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15");
    add_param(&body, "RoleArn", arn);
    add_param(&body, "RoleSessionName", name);
    add_param(&body, "WebIdentityToken", tok.p);
    if (rc == 0)
        rc = post_web_identity(c, client, &body, &resp, err);
    if (rc == 0)
        rc = parse_sts_creds(&resp, "assume-role-with-web-identity", out, err);
    buf_wipe(&tok);
    buf_wipe(&body);
    buf_wipe(&resp);
    return rc == 0 ? 1 : -1;
}
