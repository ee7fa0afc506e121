/* creds.c - the credential value: set, free (secrets wiped), expiry, and reading one
 * from a JSON document (credential_process output, container and instance metadata,
 * STS results). Where credentials come from is the provider chain (provider.c). */
#include "iamsh/creds.h"
#include "iamsh/iso8601.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void creds_wipe_str(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s)); /* as buf_wipe: never optimised away */
}

void creds_wipe_json(cJSON *v)
{
    for (cJSON *c = v ? v->child : NULL; c; c = c->next)
        creds_wipe_json(c);
    if (cJSON_IsString(v))
        creds_wipe_str(v->valuestring);
}

void creds_free(aws_creds *cr)
{
    if (!cr)
        return;
    creds_wipe_str(cr->secret_access_key);
    creds_wipe_str(cr->session_token);
    free(cr->access_key_id);
    free(cr->secret_access_key);
    free(cr->session_token);
    memset(cr, 0, sizeof *cr);
}

int creds_set(aws_creds *out, const char *id, const char *secret, const char *token,
              const char *source)
{
    memset(out, 0, sizeof *out);
    out->access_key_id = strdup(id);
    out->secret_access_key = strdup(secret);
    out->session_token = (token && *token) ? strdup(token) : NULL;
    snprintf(out->source, sizeof out->source, "%s", source);
    if (!out->access_key_id || !out->secret_access_key ||
        (token && *token && !out->session_token)) {
        creds_free(out);
        return -1;
    }
    return 0;
}

int creds_expiring(const aws_creds *cr, time_t now)
{
    return cr->expiration != 0 && now >= cr->expiration - CREDS_REFRESH_WINDOW;
}

int creds_set_expiration(aws_creds *cr, const char *iso)
{
    double t;
    if (!iso) {
        cr->expiration = 0;
        return 0;
    }
    if (iso8601_parse(iso, &t) != 0 || t < 1 || t > 253402300799.0)
        return -1;
    cr->expiration = (time_t)t;
    return 0;
}

static const char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

int creds_from_json(const cJSON *obj, const char *token_key, const char *source, aws_creds *out,
                    char *why, size_t nwhy)
{
    const char *id = json_str(obj, "AccessKeyId"), *sk = json_str(obj, "SecretAccessKey");
    const char *tok = token_key ? json_str(obj, token_key) : NULL;
    const char *exp = json_str(obj, "Expiration");
    if (!cJSON_IsObject(obj) || !id || !sk) {
        snprintf(why, nwhy, "%s is missing", id ? "SecretAccessKey" : "AccessKeyId");
        return -1;
    }
    if (creds_set(out, id, sk, tok, source) != 0) {
        snprintf(why, nwhy, "out of memory");
        return -1;
    }
    if (creds_set_expiration(out, exp) != 0) {
        snprintf(why, nwhy, "Expiration is not an ISO-8601 time");
        creds_free(out);
        return -1;
    }
    return 0;
}
