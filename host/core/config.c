/* config.c - configuration as the AWS CLI v2 resolves it: command-line option, then
 * environment, then the profile (credentials-file keys over config-file keys). */
#include "iamsh/config.h"

#include "iamsh/buf.h"
#include "iamsh/sigv4.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *real_getenv(const char *name)
{
    return getenv(name);
}

const char *config_env(const aws_config *c, const char *name)
{
    const char *v = (c && c->getenv_fn) ? c->getenv_fn(name) : getenv(name);
    return (v && *v) ? v : NULL;
}

int config_is_true(const char *v)
{
    return v && strcasecmp(v, "true") == 0;
}

static int set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = v ? strdup(v) : NULL;
    return (v && !*dst) ? -1 : 0;
}

static int oom(aws_err *err)
{
    return err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
}

/* ---- paths ---- */

static const char *expand_var(const aws_config *c, const char *p, buf *out, const char **end)
{
    int braced = p[1] == '{';
    const char *s = p + 1 + braced, *e = s;
    while (*e == '_' || isalnum((unsigned char)*e))
        e++;
    if (e == s || (braced && *e != '}')) {
        *end = p + 1;
        return NULL; /* not a variable: keep the '$' */
    }
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(e - s), s);
    *end = e + braced;
    const char *v = c->getenv_fn ? c->getenv_fn(name) : getenv(name);
    if (!v) /* os.path.expandvars keeps unknown variables */
        buf_append(out, p, (size_t)(*end - p));
    return v;
}

char *config_expand_path(const aws_config *c, const char *path)
{
    buf out = BUF_INIT;
    const char *p = path;
    if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
        buf_puts(&out, c->home ? c->home : "");
        p++;
    }
    while (*p) {
        const char *next = p + 1;
        if (*p == '$') {
            const char *v = expand_var(c, p, &out, &next);
            if (v)
                buf_puts(&out, v);
            else if (next == p + 1)
                buf_append(&out, "$", 1);
        } else {
            buf_append(&out, p, 1);
        }
        p = next;
    }
    return buf_steal(&out);
}

/* ---- profiles ---- */

static const ini_section *cfg_profile(const aws_config *c, const char *profile)
{
    return ini_find(&c->cfg, INI_PROFILE, profile);
}

static const ini_section *creds_profile(const aws_config *c, const char *profile)
{
    return ini_find(&c->creds, INI_PROFILE, profile);
}

const char *config_profile_get(const aws_config *c, const char *profile, const char *key)
{
    const char *v = ini_get(creds_profile(c, profile), key);
    return v ? v : ini_get(cfg_profile(c, profile), key);
}

int config_profile_exists(const aws_config *c, const char *profile)
{
    return cfg_profile(c, profile) || creds_profile(c, profile);
}

/* Which file a profile key came from, for error messages. */
static const char *key_file(const aws_config *c, const char *key)
{
    return ini_get(creds_profile(c, c->profile), key) ? c->credentials_file : c->config_file;
}

/* ---- partitions and regions ---- */

static int has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

const char *config_partition_of(const char *region)
{
    if (!region)
        return "aws";
    if (has_prefix(region, "cn-"))
        return "aws-cn";
    if (has_prefix(region, "us-gov-"))
        return "aws-us-gov";
    if (has_prefix(region, "us-isob-"))
        return "aws-iso-b";
    if (has_prefix(region, "us-iso-"))
        return "aws-iso";
    return "aws";
}

/* botocore's validate_region_name: one DNS label, since it ends up in a host name. */
static int valid_region(const char *r)
{
    size_t n = strlen(r);
    if (n == 0 || n > 63 || r[0] == '-' || r[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)r[i]) && r[i] != '-')
            return 0;
    return 1;
}

/* ---- endpoint URLs ---- */

static int valid_url(const char *u)
{
    const char *rest;
    if (strncasecmp(u, "https://", 8) == 0)
        rest = u + 8;
    else if (strncasecmp(u, "http://", 7) == 0)
        rest = u + 7;
    else
        return 0;
    if (*rest == '\0' || *rest == '/' || *rest == ':' || *rest == '?' || *rest == '#')
        return 0;
    for (const unsigned char *p = (const unsigned char *)u; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return 0;
    return 1;
}

/* The signer parses the URL again at every call: a URL it refuses (a port out of
 * range, user info, a malformed host) is a configuration error now, not a
 * script error at the first call. Its message never repeats the URL, which may
 * hold a password. */
static int check_url(const char *url, const char *source, aws_err *err)
{
    if (!valid_url(url))
        return err_set(err, AWS_ERR_CONFIG, "InvalidEndpointURL",
                       "invalid endpoint URL from %s: it must be http:// or https:// "
                       "followed by a host, with no spaces or control characters",
                       source);
    sigv4_url parsed;
    aws_err why;
    err_clear(&why);
    if (sigv4_parse_url(url, strlen(url), &parsed, &why) != 0)
        return err_set(err, AWS_ERR_CONFIG, "InvalidEndpointURL",
                       "invalid endpoint URL from %s: %s", source, why.message);
    sigv4_url_free(&parsed);
    return 0;
}

static int endpoint_fill(aws_endpoint *out, const char *url, const char *region,
                         const char *service)
{
    memset(out, 0, sizeof *out);
    out->url = strdup(url);
    out->signing_region = strdup(region);
    out->signing_name = strdup(service);
    if (!out->url || !out->signing_region || !out->signing_name) {
        config_endpoint_free(out);
        return -1;
    }
    size_t n = strlen(out->url);
    while (n > 0 && out->url[n - 1] == '/')
        out->url[--n] = '\0';
    return 0;
}

static const struct iam_row {
    const char *partition, *url, *region;
} iam_rows[] = {
    {"aws", "https://iam.amazonaws.com", "us-east-1"},
    {"aws-cn", "https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1"},
    {"aws-us-gov", "https://iam.us-gov.amazonaws.com", "us-gov-west-1"},
    {"aws-iso", "https://iam.us-iso-east-1.c2s.ic.gov", "us-iso-east-1"},
    {"aws-iso-b", "https://iam.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1"},
};

static const char *dns_suffix(const char *partition)
{
    if (strcmp(partition, "aws-cn") == 0)
        return "amazonaws.com.cn";
    if (strcmp(partition, "aws-iso") == 0)
        return "c2s.ic.gov";
    if (strcmp(partition, "aws-iso-b") == 0)
        return "sc2s.sgov.gov";
    return "amazonaws.com";
}

static int default_endpoint(const aws_config *c, const char *service, aws_endpoint *out)
{
    if (strcmp(service, "iam") == 0) {
        const char *part = config_partition_of(c->region);
        for (size_t i = 0; i < sizeof iam_rows / sizeof *iam_rows; i++)
            if (strcmp(iam_rows[i].partition, part) == 0)
                return endpoint_fill(out, iam_rows[i].url, iam_rows[i].region, service);
        return endpoint_fill(out, iam_rows[0].url, iam_rows[0].region, service);
    }
    /* STS is regional in CLI v2; "aws-global" is the legacy global endpoint. */
    const char *region = c->region ? c->region : "us-east-1";
    if (strcmp(region, "aws-global") == 0)
        return endpoint_fill(out, "https://sts.amazonaws.com", "us-east-1", service);
    char url[256];
    snprintf(url, sizeof url, "https://%s.%s.%s", service, region,
             dns_suffix(config_partition_of(region)));
    return endpoint_fill(out, url, region, service);
}

/* [services X] -> "<service> =" sub-section -> endpoint_url */
static int services_url(const aws_config *c, const char *service, const char **url, char *source,
                        size_t nsource, aws_err *err)
{
    const char *name = config_profile_get(c, c->profile, "services");
    if (!name)
        return 0;
    const ini_section *s = ini_find(&c->cfg, INI_SERVICES, name);
    if (!s)
        return err_set(err, AWS_ERR_CONFIG, "InvalidConfigError",
                       "profile '%s' names services section '%s', which is not in %s", c->profile,
                       name, c->config_file);
    *url = ini_get_sub(s, service, "endpoint_url");
    snprintf(source, nsource, "[services %s] %s.endpoint_url in %s", name, service, c->config_file);
    return 0;
}

void config_url_host(const char *url, char *out, size_t n)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t len = strcspn(p, "/?#");
    const char *at = memchr(p, '@', len);
    if (at) {
        len -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    if (*p == '[') {
        const char *e = memchr(p, ']', len);
        len = e ? (size_t)(e - p - 1) : 0;
        p++;
    } else {
        const char *colon = memchr(p, ':', len);
        if (colon)
            len = (size_t)(colon - p);
    }
    snprintf(out, n, "%.*s", (int)(len < n ? len : n - 1), p);
}

int config_host_is_loopback(const char *host)
{
    struct in_addr a4;
    if (strcasecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0)
        return 1;
    return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

int config_url_in_clear(const char *url)
{
    char host[256];
    if (strncasecmp(url, "http://", 7) != 0)
        return 0;
    config_url_host(url, host, sizeof host);
    return !config_host_is_loopback(host);
}

/* The configured (not command-line) endpoint URL, NULL if none; source names it. */
static int configured_url(const aws_config *c, const char *service, const char **url, char *source,
                          size_t nsource, aws_err *err)
{
    char var[64];
    snprintf(var, sizeof var, "AWS_ENDPOINT_URL_%s", service);
    for (char *p = var; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    const char *names[] = {var, "AWS_ENDPOINT_URL"};
    for (int i = 0; i < 2; i++) {
        if ((*url = config_env(c, names[i])) != NULL) {
            snprintf(source, nsource, "%s", names[i]);
            return 0;
        }
    }
    *url = NULL;
    if (services_url(c, service, url, source, nsource, err) != 0)
        return -1;
    if (*url)
        return 0;
    *url = config_profile_get(c, c->profile, "endpoint_url");
    snprintf(source, nsource, "profile '%s' endpoint_url in %s", c->profile,
             key_file(c, "endpoint_url"));
    return 0;
}

int config_endpoint(const aws_config *c, const char *service, aws_endpoint *out, aws_err *err)
{
    memset(out, 0, sizeof *out);
    if (!service || (strcmp(service, "iam") != 0 && strcmp(service, "sts") != 0))
        return err_set(err, AWS_ERR_PARAM, "UnknownService", "unknown service '%s'",
                       service ? service : "(null)");
    const char *url = c->cli_endpoint_url;
    char source[640] = "--endpoint-url";
    if (!url && !c->ignore_configured_endpoints) {
        if (configured_url(c, service, &url, source, sizeof source, err) != 0)
            return -1;
    }
    int rc;
    if (url) {
        if (check_url(url, source, err) != 0)
            return -1;
        rc = endpoint_fill(out, url, c->region ? c->region : "us-east-1", service);
    } else {
        rc = default_endpoint(c, service, out);
    }
    return rc == 0 ? 0 : oom(err);
}

void config_endpoint_free(aws_endpoint *e)
{
    if (!e)
        return;
    free(e->url);
    free(e->signing_region);
    free(e->signing_name);
    memset(e, 0, sizeof *e);
}

/* ---- loading ---- */

typedef struct warn_ctx {
    const config_input *in;
    const char *path;
} warn_ctx;

static void on_warn(void *ud, const char *msg)
{
    warn_ctx *w = ud;
    char line[1024];
    snprintf(line, sizeof line, "%.500s: %.500s", w->path, msg);
    if (w->in->warn)
        w->in->warn(w->in->warn_ud, line);
    else
        fprintf(stderr, "iamsh: warning: %s\n", line);
}

static int load_files(aws_config *c, const config_input *in, aws_err *err)
{
    const char *cf = config_env(c, "AWS_CONFIG_FILE");
    const char *sf = config_env(c, "AWS_SHARED_CREDENTIALS_FILE");
    c->config_file = config_expand_path(c, cf ? cf : "~/.aws/config");
    c->credentials_file = config_expand_path(c, sf ? sf : "~/.aws/credentials");
    if (!c->config_file || !c->credentials_file)
        return oom(err);
    warn_ctx wc = {in, c->config_file}, ws = {in, c->credentials_file};
    if (ini_load(c->config_file, 1, &c->cfg, on_warn, &wc, err) != 0)
        return -1;
    return ini_load(c->credentials_file, 0, &c->creds, on_warn, &ws, err);
}

static int resolve_profile(aws_config *c, const config_input *in, aws_err *err)
{
    const char *p = in->profile;
    c->profile_explicit = p != NULL;
    if (!p)
        p = config_env(c, "AWS_PROFILE");
    if (!p)
        p = config_env(c, "AWS_DEFAULT_PROFILE");
    c->profile_from_user = p != NULL;
    if (set_str(&c->profile, p ? p : "default") != 0)
        return oom(err);
    if (c->profile_from_user && !config_profile_exists(c, c->profile))
        return err_set(err, AWS_ERR_CONFIG, "ProfileNotFound",
                       "The config profile (%s) could not be found", c->profile);
    return 0;
}

/* flag > first set env var > profile key */
static const char *pick(const aws_config *c, const char *flag, const char *env1, const char *env2,
                        const char *key, const char **source)
{
    const char *envs[] = {env1, env2};
    *source = "the command line";
    if (flag)
        return flag;
    for (int i = 0; i < 2; i++) {
        const char *v = envs[i] ? config_env(c, envs[i]) : NULL;
        if (v) {
            *source = envs[i];
            return v;
        }
    }
    *source = key_file(c, key);
    return config_profile_get(c, c->profile, key);
}

static int resolve_region(aws_config *c, const config_input *in, aws_err *err)
{
    const char *src;
    const char *r = pick(c, in->region, "AWS_REGION", "AWS_DEFAULT_REGION", "region", &src);
    if (r && !valid_region(r))
        return err_set(err, AWS_ERR_CONFIG, "InvalidRegion",
                       "region '%.64s' from %s is not a valid region name", r, src);
    if (set_str(&c->region, r) != 0 || set_str(&c->partition, config_partition_of(r)) != 0)
        return oom(err);
    return 0;
}

static int resolve_attempts(aws_config *c, aws_err *err)
{
    const char *src;
    const char *v = pick(c, NULL, "AWS_MAX_ATTEMPTS", NULL, "max_attempts", &src);
    c->max_attempts = 3;
    if (!v)
        return 0;
    char *end;
    long n = strtol(v, &end, 10);
    if (end == v || *end || n < 1 || n > 1000)
        return err_set(err, AWS_ERR_CONFIG, "InvalidConfigError",
                       "max_attempts '%.32s' from %s must be a whole number from 1 to 1000", v,
                       src);
    c->max_attempts = (int)n;
    return 0;
}

static int resolve_retry_mode(aws_config *c, aws_err *err)
{
    const char *src;
    const char *v = pick(c, NULL, "AWS_RETRY_MODE", NULL, "retry_mode", &src);
    if (!v)
        v = "standard";
    if (strcmp(v, "standard") != 0 && strcmp(v, "adaptive") != 0 && strcmp(v, "legacy") != 0)
        return err_set(err, AWS_ERR_CONFIG, "InvalidConfigError",
                       "retry_mode '%.32s' from %s must be standard, adaptive or legacy", v, src);
    return set_str(&c->retry_mode, v) == 0 ? 0 : oom(err);
}

static int resolve_misc(aws_config *c, const config_input *in, aws_err *err)
{
    const char *src;
    const char *ca = pick(c, in->ca_bundle, "AWS_CA_BUNDLE", NULL, "ca_bundle", &src);
    if (ca) {
        c->ca_bundle = config_expand_path(c, ca);
        if (!c->ca_bundle)
            return oom(err);
    }
    c->ec2_metadata_disabled = config_is_true(config_env(c, "AWS_EC2_METADATA_DISABLED"));
    const char *ign = pick(c, NULL, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", NULL,
                           "ignore_configured_endpoint_urls", &src);
    c->ignore_configured_endpoints = config_is_true(ign);
    if (in->endpoint_url) {
        if (check_url(in->endpoint_url, "--endpoint-url", err) != 0)
            return -1;
        if (set_str(&c->cli_endpoint_url, in->endpoint_url) != 0)
            return oom(err);
    }
    return 0;
}

int config_load(aws_config *c, const config_input *in, aws_err *err)
{
    static const config_input none = {0};
    memset(c, 0, sizeof *c);
    if (!in)
        in = &none;
    c->getenv_fn = in->getenv_fn ? in->getenv_fn : real_getenv;
    const char *home = in->home ? in->home : config_env(c, "HOME");
    if (set_str(&c->home, home ? home : "") != 0) {
        oom(err);
        return -1;
    }
    if (load_files(c, in, err) != 0 || resolve_profile(c, in, err) != 0 ||
        resolve_region(c, in, err) != 0 || resolve_attempts(c, err) != 0 ||
        resolve_retry_mode(c, err) != 0 || resolve_misc(c, in, err) != 0) {
        config_free(c);
        return -1;
    }
    return 0;
}

void config_free(aws_config *c)
{
    if (!c)
        return;
    free(c->profile);
    free(c->region);
    free(c->partition);
    free(c->ca_bundle);
    free(c->retry_mode);
    free(c->config_file);
    free(c->credentials_file);
    free(c->cli_endpoint_url);
    free(c->home);
    ini_free(&c->cfg);
    ini_free(&c->creds);
    memset(c, 0, sizeof *c);
}
