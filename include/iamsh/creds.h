/* creds.h - the credential value: an access key, its secret, an optional session token
 * and expiry. Where credentials come from is provider.h. */
#ifndef IAMSH_CREDS_H
#define IAMSH_CREDS_H
#include <stddef.h>
#include <time.h>

typedef struct aws_creds {
    char *access_key_id;
    char *secret_access_key; /* wiped on free */
    char *session_token;     /* NULL for long-term keys; wiped on free */
    time_t expiration;       /* 0: never expires */
    char source[32];         /* "env", "assume-role", "shared-credentials-file", "process",
                              * "config-file", "container-role", "iam-role",
                              * "assume-role-with-web-identity" */
} aws_creds;

/* Temporary credentials are refreshed this many seconds before they expire. */
#define CREDS_REFRESH_WINDOW 900
int creds_expiring(const aws_creds *cr, time_t now);
void creds_free(aws_creds *cr);
/* cr->expiration from an ISO-8601 time (iso8601.h); NULL: never expires. 0, or -1 when
 * the text is not a time (cr->expiration unchanged). */
int creds_set_expiration(aws_creds *cr, const char *iso);
/* Fill out from a JSON object's AccessKeyId, SecretAccessKey, <token_key>, Expiration.
 * 0 or -1 with `why` naming the missing/bad member. */
struct cJSON;
int creds_from_json(const struct cJSON *obj, const char *token_key, const char *source,
                    aws_creds *out, char *why, size_t nwhy);
/* Copy the strings into out (token may be NULL). 0 or -1 (ENOMEM). */
int creds_set(aws_creds *out, const char *id, const char *secret, const char *token,
              const char *source);
/* Zero a secret string in place (NULL allowed). */
void creds_wipe_str(char *s);
/* Zero every string in a JSON tree that carried credentials (NULL allowed), before
 * it is freed. */
void creds_wipe_json(struct cJSON *v);

#endif
