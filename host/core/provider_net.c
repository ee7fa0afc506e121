/* provider_net.c - the two metadata providers: container credentials (ECS / EKS Pod
 * Identity) and EC2 instance metadata (IMDSv2 with the v1 fallback), as botocore's
 * ContainerProvider and InstanceMetadataFetcher do them. */
#include "iamsh/provider.h"
#include "iamsh/json.h"

#include <arpa/inet.h>
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iamsh/buf.h"
#include "iamsh/client.h"
#include "iamsh/config.h"

#define CONTAINER_HOST "http://169.254.170.2"
#define CONTAINER_TIMEOUT_MS 2000
#define CONTAINER_ATTEMPTS 3
#define IMDS_V4 "http://169.254.169.254"
#define IMDS_V6 "http://[fd00:ec2::254]"
#define IMDS_TTL_HEADER "x-aws-ec2-metadata-token-ttl-seconds: 21600"

/* ---- shared ---- */

/* The link-local addresses of instance metadata and container credentials. */
static int metadata_host(const char *host)
{
    static const char *const hosts[] = {"169.254.169.254", "fd00:ec2::254", "169.254.170.2",
                                        "169.254.170.23",  "fd00:ec2::23",  NULL};
    for (const char *const *h = hosts; *h; h++)
        if (strcasecmp(host, *h) == 0)
            return 1;
    return 0;
}

/* Metadata and loopback hosts are reached directly: through an http_proxy from the
 * environment they would hand the instance's credentials to the proxy. */
static int direct_url(const char *url)
{
    char host[256];
    config_url_host(url, host, sizeof host);
    return metadata_host(host) || config_host_is_loopback(host);
}

static int get(struct aws_client *client, const char *method, const char *url,
               const char *const *hdrs, long timeout_ms, http_response *hr, aws_err *err)
{
    /* The only PUT is IMDSv2's token request, whose answer is a secret. */
    int secret = strcmp(method, "PUT") == 0;
    http_request req = {.method = method,
                        .url = url,
                        .headers = hdrs,
                        .timeout_ms = timeout_ms,
                        .connect_timeout_ms = timeout_ms,
                        .secret_body = secret,
                        .no_proxy = direct_url(url)};
    memset(hr, 0, sizeof *hr);
    return http_send(client->http, &req, hr, err);
}

static void response_wipe(http_response *hr)
{
    buf_wipe(&hr->body);
    http_response_free(hr);
}

/* JSON credentials document -> out; 0 or -1 with why. */
static int parse_doc(const buf *body, const char *source, aws_creds *out, char *why, size_t n)
{
    cJSON *root = json_parse_all(body->p, body->len, NULL);
    int rc = -1;
    if (!cJSON_IsObject(root))
        snprintf(why, n, "answer is not a JSON object");
    else
        rc = creds_from_json(root, "Token", source, out, why, n);
    creds_wipe_json(root);
    cJSON_Delete(root);
    return rc;
}

/* ---- container ---- */

/* host of scheme://[userinfo@]host[:port]/... into out ("" if none) */
static int allowed_full_uri(const char *url)
{
    if (strncasecmp(url, "https://", 8) == 0)
        return 1;
    return strncasecmp(url, "http://", 7) == 0 && direct_url(url);
}

/* The Authorization value: the token file (read every time) beats the variable. */
static int container_token(const aws_config *c, buf *tok, aws_err *err)
{
    const char *file = config_env(c, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *v = config_env(c, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    if (file) {
        FILE *f = fopen(file, "rb");
        if (!f)
            return err_set(err, AWS_ERR_CREDS, "CredentialRetrievalError",
                           "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %.300s", file);
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && tok->len < 65536)
            buf_append(tok, chunk, n);
        fclose(f);
    } else if (v) {
        buf_puts(tok, v);
    }
    if (tok->p && (memchr(tok->p, '\r', tok->len) || memchr(tok->p, '\n', tok->len) ||
                   strlen(tok->p) != tok->len))
        return err_set(err, AWS_ERR_CREDS, "CredentialRetrievalError",
                       "the container authorization token contains a line break; refused");
    return 0;
}

static int container_url(const aws_config *c, buf *url, aws_err *err)
{
    const char *rel = config_env(c, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = config_env(c, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (rel) {
        buf_printf(url, "%s%s%s", CONTAINER_HOST, rel[0] == '/' ? "" : "/", rel);
        return 1;
    }
    if (!full)
        return 0;
    if (!allowed_full_uri(full))
        return err_set(err, AWS_ERR_CREDS, "CredentialRetrievalError",
                       "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, a loopback "
                       "address or a container metadata host");
    buf_puts(url, full);
    return 1;
}

/* One GET; 0 with creds, -1 with why (err filled for transport failures). */
static int container_try(struct aws_client *client, const char *url, const char *const *hdrs,
                         aws_creds *out, char *why, size_t nwhy, aws_err *err)
{
    http_response hr;
    if (get(client, "GET", url, hdrs, CONTAINER_TIMEOUT_MS, &hr, err) != 0) {
        size_t n = strlen(err->message);
        if (n >= nwhy)
            n = nwhy - 1;
        memcpy(why, err->message, n); /* truncation is fine: it is a hint in a message */
        why[n] = '\0';
        return -1;
    }
    int rc = -1;
    if (hr.status != 200)
        snprintf(why, nwhy, "HTTP %ld", hr.status);
    else
        rc = parse_doc(&hr.body, "container-role", out, why, nwhy);
    response_wipe(&hr);
    return rc;
}

int provider_container(const aws_config *c, struct aws_client *client, aws_creds *out, aws_err *err)
{
    memset(out, 0, sizeof *out);
    buf url = BUF_INIT, tok = BUF_INIT, auth = BUF_INIT;
    int r = container_url(c, &url, err);
    if (r == 1 && !client)
        r = err_set(err, AWS_ERR_CREDS, "NoClient", "container credentials need a client");
    if (r == 1 && container_token(c, &tok, err) != 0)
        r = -1;
    if (r == 1) {
        if (tok.len)
            buf_printf(&auth, "Authorization: %s", tok.p);
        const char *hdrs[] = {"Accept: application/json", auth.len ? auth.p : NULL, NULL};
        char why[256] = "";
        int rc = -1;
        for (int i = 0; i < CONTAINER_ATTEMPTS && rc != 0; i++) {
            if (i > 0)
                client->opts.sleep_fn ? client->opts.sleep_fn(1.0) : (void)0;
            rc = container_try(client, url.p, hdrs, out, why, sizeof why, err);
        }
        if (rc != 0)
            r = err_set(err, AWS_ERR_CREDS, "CredentialRetrievalError", "container credentials: %s",
                        why);
    }
    buf_free(&url);
    buf_wipe(&tok);
    buf_wipe(&auth);
    return r;
}

/* ---- instance metadata ---- */

typedef struct imds {
    char base[512];
    long timeout_ms;
    int attempts, v1_disabled;
    char token_hdr[1100]; /* "x-aws-ec2-metadata-token: ..." or "" for v1 */
} imds;

static const char *setting(const aws_config *c, const char *env, const char *key)
{
    const char *v = config_env(c, env);
    return v ? v : config_profile_get(c, c->profile, key);
}

static void imds_settings(const aws_config *c, imds *m)
{
    const char *ep =
        setting(c, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint");
    const char *mode =
        setting(c, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode");
    const char *to = setting(c, "AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout");
    const char *na =
        setting(c, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts");
    snprintf(m->base, sizeof m->base, "%s",
             ep                                        ? ep
             : (mode && strcasecmp(mode, "ipv6") == 0) ? IMDS_V6
                                                       : IMDS_V4);
    size_t n = strlen(m->base);
    while (n && m->base[n - 1] == '/')
        m->base[--n] = '\0';
    double t = to ? atof(to) : 1.0;
    m->timeout_ms = t > 0 && t < 3600 ? (long)(t * 1000) : 1000;
    m->attempts = na && atoi(na) > 0 && atoi(na) < 10 ? atoi(na) : 1;
    m->v1_disabled =
        config_is_true(setting(c, "AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled"));
    m->token_hdr[0] = '\0';
}

/* PUT the token. 0: token (or v1 fallback allowed), -1: give up with why. */
static int imds_token(struct aws_client *client, imds *m, char *why, size_t nwhy)
{
    char url[600];
    snprintf(url, sizeof url, "%s/latest/api/token", m->base);
    const char *hdrs[] = {IMDS_TTL_HEADER, NULL};
    http_response hr;
    aws_err e = {0};
    int rc = get(client, "PUT", url, hdrs, m->timeout_ms, &hr, &e);
    size_t len = rc == 0 ? hr.body.len : 0;
    if (rc == 0 && hr.status == 200 && len > 0 && len < 1000 && strcspn(hr.body.p, "\r\n") == len) {
        snprintf(m->token_hdr, sizeof m->token_hdr, "x-aws-ec2-metadata-token: %s", hr.body.p);
        response_wipe(&hr);
        return 0;
    }
    int fallback = rc != 0 || hr.status == 403 || hr.status == 404 || hr.status == 405;
    if (rc != 0)
        snprintf(why, nwhy, "no answer from %s", m->base);
    else
        snprintf(why, nwhy, "token request to %s: HTTP %ld", m->base, hr.status);
    if (rc == 0)
        response_wipe(&hr);
    if (fallback && m->v1_disabled)
        snprintf(why + strlen(why), nwhy - strlen(why), ", IMDSv1 disabled");
    /* a connection refused is not a timeout: without a server there is nothing to fall to */
    return fallback && !m->v1_disabled && !(rc != 0 && !e.timeout) ? 0 : -1;
}

/* GET path with retries; body on 200 and non-empty. */
static int imds_get(struct aws_client *client, imds *m, const char *path, buf *out, char *why,
                    size_t nwhy)
{
    buf url = BUF_INIT;
    buf_printf(&url, "%s%s", m->base, path);
    const char *hdrs[] = {m->token_hdr[0] ? m->token_hdr : NULL, NULL};
    int rc = -1;
    for (int i = 0; i < m->attempts && rc != 0; i++) {
        http_response hr;
        aws_err e = {0};
        if (get(client, "GET", url.p, hdrs, m->timeout_ms, &hr, &e) != 0) {
            snprintf(why, nwhy, "no answer from %s", m->base);
            continue;
        }
        if (hr.status == 200 && hr.body.len > 0) {
            *out = hr.body;
            hr.body = (buf)BUF_INIT;
            rc = 0;
        } else {
            snprintf(why, nwhy, "%s: HTTP %ld", path, hr.status);
        }
        response_wipe(&hr);
    }
    buf_free(&url);
    return rc;
}

static int imds_fetch(struct aws_client *client, imds *m, aws_creds *out, char *why, size_t nwhy)
{
    const char *dir = "/latest/meta-data/iam/security-credentials/";
    buf role = BUF_INIT, path = BUF_INIT, doc = BUF_INIT;
    int rc = imds_get(client, m, dir, &role, why, nwhy);
    if (rc == 0) {
        size_t n = strcspn(role.p, "\r\n");
        buf_puts(&path, dir);
        buf_urlencode(&path, role.p, n, 0);
        rc = n ? imds_get(client, m, path.p, &doc, why, nwhy) : -1;
        if (n == 0)
            snprintf(why, nwhy, "no IAM role attached to the instance");
    }
    if (rc == 0 && (rc = parse_doc(&doc, "iam-role", out, why, nwhy)) == 0 &&
        (!out->session_token || !out->expiration)) {
        snprintf(why, nwhy, "the metadata answer lacks Token or Expiration");
        creds_free(out);
        rc = -1;
    }
    buf_free(&role);
    buf_free(&path);
    buf_wipe(&doc);
    return rc;
}

int provider_imds(const aws_config *c, struct aws_client *client, aws_creds *out, char *why,
                  size_t nwhy, aws_err *err)
{
    memset(out, 0, sizeof *out);
    snprintf(why, nwhy, "%s", "");
    if (c->ec2_metadata_disabled) {
        snprintf(why, nwhy, "disabled by AWS_EC2_METADATA_DISABLED");
        return 0;
    }
    if (!client) {
        snprintf(why, nwhy, "skipped: no network client");
        return 0;
    }
    imds m;
    imds_settings(c, &m);
    if (imds_token(client, &m, why, nwhy) != 0)
        return 0;
    return imds_fetch(client, &m, out, why, nwhy) == 0 ? 1 : 0;
}
