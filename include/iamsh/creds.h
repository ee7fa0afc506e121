/* creds.h - the credential provider chain (AWS CLI v2 order). */
#ifndef IAMSH_CREDS_H
#define IAMSH_CREDS_H
#include <time.h>
#include "iamsh/config.h"
#include "iamsh/err.h"

typedef struct aws_creds {
    char *access_key_id;
    char *secret_access_key;     /* wiped on free */
    char *session_token;         /* NULL for long-term keys; wiped on free */
    time_t expiration;           /* 0: never expires */
    char source[32];             /* "env", "assume-role", "shared-credentials-file", "process",
                                  * "config-file", "container-role", "iam-role",
                                  * "assume-role-with-web-identity" */
} aws_creds;

struct aws_client;

/* Walk the chain for c->profile. Network providers (assume-role, container, IMDS)
 * use `client` for their requests. No provider: AWS_ERR_CREDS naming every place
 * looked ("no credentials: looked in environment, profile 'x' in ~/.aws/credentials, ..."). */
int creds_resolve(const aws_config *c, struct aws_client *client, aws_creds *out, aws_err *err);
/* Temporary credentials are refreshed this many seconds before they expire. */
#define CREDS_REFRESH_WINDOW 900
int creds_expiring(const aws_creds *cr, time_t now);
void creds_free(aws_creds *cr);
/* Parse an ISO-8601 UTC time ("2026-01-01T00:00:00Z", fractions allowed) to time_t; -1 on error. */
time_t creds_parse_time(const char *s);

/* ---- single providers: the chain calls these, tests call them directly ----
 * Each returns 1 when it produced credentials (out filled), 0 when it does not apply
 * (nothing configured), -1 on an error that must stop the chain (err filled). */
struct cJSON;
int creds_from_env(const aws_config *c, aws_creds *out, aws_err *err);
/* aws_access_key_id/secret/token keys of one file's [profile]; source names the provider. */
int creds_from_file(const aws_config *c, const ini_file *f, const char *path,
                    const char *profile, const char *source, aws_creds *out, aws_err *err);
/* Run `command` (split shell-style, no shell), JSON Version 1 on stdout. */
#define CREDS_PROCESS_TIMEOUT_MS 60000
int creds_from_process(const char *command, int timeout_ms, aws_creds *out, aws_err *err);
/* role_arn profiles (not web identity): source_profile chains and credential_source. */
int creds_from_assume_role(const aws_config *c, struct aws_client *client, const char *profile,
                           aws_creds *out, aws_err *err);
/* AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, or role_arn + web_identity_token_file. */
int creds_from_web_identity(const aws_config *c, struct aws_client *client,
                            const char *profile, int use_env, aws_creds *out, aws_err *err);
int creds_from_container(const aws_config *c, struct aws_client *client, aws_creds *out,
                         aws_err *err);
/* IMDS never stops the chain: failures return 0 and say why in `why`. */
int creds_from_imds(const aws_config *c, struct aws_client *client, aws_creds *out,
                    char *why, size_t nwhy, aws_err *err);
/* Fill out from a JSON object's AccessKeyId, SecretAccessKey, <token_key>, Expiration.
 * 0 or -1 with `why` naming the missing/bad member. */
int creds_from_cjson(const struct cJSON *obj, const char *token_key, const char *source,
                     aws_creds *out, char *why, size_t nwhy);
/* Copy the strings into out (token may be NULL). 0 or -1 (ENOMEM). */
int creds_set(aws_creds *out, const char *id, const char *secret, const char *token,
              const char *source);
/* Zero a secret string in place (NULL allowed). */
void creds_wipe_str(char *s);

#endif
