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
                                  * "config-file", "container-role", "iam-role" */
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

#endif
