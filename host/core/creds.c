/* creds.c - the credential value: set, free (secrets wiped), expiry, and reading one
 * from a JSON document (credential_process output, container and instance metadata,
 * STS results). Where credentials come from is the provider chain (provider.c). */
#include "iamsh/creds.h"

#include <cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void creds_wipe_str(char *s)
{
    if (!s)
        return;
    volatile char *v = s;
    while (*v)
        *v++ = 0;
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

static int digits(const char **p, int n, int *out)
{
    *out = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (!isdigit((unsigned char)**p))
            return -1;
        *out = *out * 10 + (**p - '0');
    }
    return 0;
}

static int expect(const char **p, const char *chars)
{
    if (**p == '\0' || !strchr(chars, **p))
        return -1;
    (*p)++;
    return 0;
}

/* "Z", "+hh:mm", "-hhmm" -> seconds east of UTC; -1 on error (stored in *off). */
static int parse_zone(const char *p, long *off)
{
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        *off = 0;
        return 0;
    }
    int sign = *p == '+' ? 1 : *p == '-' ? -1 : 0, hh, mm;
    if (!sign)
        return -1;
    p++;
    if (digits(&p, 2, &hh) != 0 || (*p == ':' && !p++) || digits(&p, 2, &mm) != 0 || *p)
        return -1;
    *off = sign * (hh * 3600L + mm * 60L);
    return 0;
}

time_t creds_parse_time(const char *s)
{
    if (!s)
        return -1;
    struct tm tm = {0};
    const char *p = s;
    int y, mo, d, h, mi, se;
    if (digits(&p, 4, &y) || expect(&p, "-") || digits(&p, 2, &mo) || expect(&p, "-") ||
        digits(&p, 2, &d) || expect(&p, "Tt ") || digits(&p, 2, &h) || expect(&p, ":") ||
        digits(&p, 2, &mi) || expect(&p, ":") || digits(&p, 2, &se))
        return -1;
    if (*p == '.' || *p == ',') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    long off;
    if (parse_zone(p, &off) != 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
        mi > 59 || se > 60)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    time_t t = timegm(&tm);
    return t == (time_t)-1 ? -1 : t - off;
}

static const char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

int creds_from_json(const cJSON *obj, const char *token_key, const char *source,
                     aws_creds *out, char *why, size_t nwhy)
{
    const char *id = json_str(obj, "AccessKeyId"), *sk = json_str(obj, "SecretAccessKey");
    const char *tok = token_key ? json_str(obj, token_key) : NULL;
    const char *exp = json_str(obj, "Expiration");
    if (!cJSON_IsObject(obj) || !id || !sk) {
        snprintf(why, nwhy, "%s is missing", id ? "SecretAccessKey" : "AccessKeyId");
        return -1;
    }
    time_t t = exp ? creds_parse_time(exp) : 0;
    if (t == (time_t)-1) {
        snprintf(why, nwhy, "Expiration is not an ISO-8601 time");
        return -1;
    }
    if (creds_set(out, id, sk, tok, source) != 0) {
        snprintf(why, nwhy, "out of memory");
        return -1;
    }
    out->expiration = t;
    return 0;
}
