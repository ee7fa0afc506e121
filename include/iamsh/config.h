/* config.h - configuration resolution as the AWS CLI v2 does it:
 * command-line option > environment > config files. */
#ifndef IAMSH_CONFIG_H
#define IAMSH_CONFIG_H
#include "iamsh/err.h"
#include "iamsh/ini.h"

typedef const char *(*config_getenv_fn)(const char *name);

typedef struct config_input {
    const char *profile;        /* --profile, NULL if not given */
    const char *region;         /* --region */
    const char *endpoint_url;   /* --endpoint-url */
    const char *ca_bundle;      /* --ca-bundle */
    config_getenv_fn getenv_fn; /* NULL: getenv(3); tests inject their own */
    const char *home;           /* NULL: $HOME */
    /* Ignored lines in the files (bare [x] in config, bad keys, duplicates).
     * NULL: "iamsh: warning: <file>: line N: ..." on stderr. */
    void (*warn)(void *ud, const char *msg);
    void *warn_ud;
} config_input;

typedef struct aws_endpoint {
    char *url;            /* "https://iam.amazonaws.com" or an override, no trailing '/' */
    char *signing_region; /* region used in the SigV4 scope */
    char *signing_name;   /* "iam", "sts" */
} aws_endpoint;

typedef struct aws_config {
    char *profile;         /* the profile in effect ("default" when none named) */
    int profile_explicit;  /* named by --profile: removes the env credential provider */
    int profile_from_user; /* named by --profile, AWS_PROFILE or AWS_DEFAULT_PROFILE */
    char *region;          /* NULL if none resolved */
    char *partition;  /* "aws", "aws-cn", "aws-us-gov", ... from region; "aws" when no region */
    char *ca_bundle;  /* NULL if none */
    int max_attempts; /* default 3 */
    char *retry_mode; /* "standard" default */
    int ec2_metadata_disabled;
    char *config_file, *credentials_file; /* expanded paths */
    ini_file cfg, creds;                  /* parsed files (empty when missing) */
    config_getenv_fn getenv_fn;
    char *cli_endpoint_url;          /* --endpoint-url as given */
    int ignore_configured_endpoints; /* AWS_IGNORE_CONFIGURED_ENDPOINT_URLS / profile key */
    char *home;                      /* for ~ in paths read later (web identity token file, ...) */
} aws_config;

/* Load files and resolve. A profile named explicitly (flag or env) that exists in
 * neither file is AWS_ERR_CONFIG "The config profile (x) could not be found".
 * An invalid --endpoint-url is AWS_ERR_CONFIG too. */
int config_load(aws_config *c, const config_input *in, aws_err *err);
void config_free(aws_config *c);
const char *config_env(const aws_config *c, const char *name); /* NULL when unset or empty */
/* A key of a profile: the credentials file's value wins over the config file's. NULL if absent. */
const char *config_profile_get(const aws_config *c, const char *profile, const char *key);
int config_profile_exists(const aws_config *c, const char *profile);
/* The host of a URL, without user info, port or IPv6 brackets ("" when none). */
void config_url_host(const char *url, char *out, size_t n);
/* localhost, 127.0.0.0/8 or ::1. */
int config_host_is_loopback(const char *host);
/* An http:// URL to a host that is not loopback: what is sent there can be read on
 * the network (AWS's endpoints are https; a local test endpoint is loopback). */
int config_url_in_clear(const char *url);

/* Endpoint for "iam" or "sts", in the CLI's order (--endpoint-url, ignore flag,
 * AWS_ENDPOINT_URL_<SVC>, AWS_ENDPOINT_URL, [services] section, profile endpoint_url,
 * then the partition's default). Fill out (caller frees with config_endpoint_free). */
int config_endpoint(const aws_config *c, const char *service, aws_endpoint *out, aws_err *err);
void config_endpoint_free(aws_endpoint *e);
/* "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b" from a region name; "aws" for NULL. */
const char *config_partition_of(const char *region);
/* Expand a leading ~ (c->home) and $VAR / ${VAR} (c's getenv) as botocore does; unknown
 * variables stay as written. Returns a malloc'd string or NULL (ENOMEM). */
char *config_expand_path(const aws_config *c, const char *path);
/* 1 when v is "true" in any case (the SDKs' boolean rule), else 0. */
int config_is_true(const char *v);

#endif
