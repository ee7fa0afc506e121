/* credcache.c - the AWS CLI's credential cache (~/.aws/cli/cache). Keys are the SHA-1
 * of the fetcher's arguments as Python's json.dumps writes them (json_python.c); an
 * entry is botocore's response dict as JSONFileCache writes it. Its Expiration reads
 * "2026-01-02T03:04:05UTC" for assume-role (a datetime through strftime's %Z) and
 * "2026-01-02T03:04:05Z" for IAM Identity Center (a string already). */
#include "iamsh/credcache.h"
#include "iamsh/digest.h"
#include "iamsh/file.h"
#include "iamsh/json.h"

#include <cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "iamsh/buf.h"

#define CACHE_DIR "/.aws/cli/cache"
#define CACHE_MAX_FILE (1u << 20)

int credcache_key(const cJSON *args, int compact, char key[41])
{
    buf text = BUF_INIT;
    int rc = json_python_dumps(args, JSON_PY_SORT_KEYS | (compact ? JSON_PY_COMPACT : 0), &text);
    if (rc == 0)
        rc = digest_sha1_hex(text.p, text.len, key);
    buf_wipe(&text); /* the arguments may name an external id */
    return rc;
}

int credcache_dir(const char *home, char *out, size_t n)
{
    if (!home || !*home)
        return -1;
    return snprintf(out, n, "%s%s", home, CACHE_DIR) < (int)n ? 0 : -1;
}

static int entry_path(const char *home, const char *key, char *out, size_t n)
{
    char dir[PATH_MAX];
    if (strlen(key) != 40 || credcache_dir(home, dir, sizeof dir) != 0)
        return -1;
    return snprintf(out, n, "%s/%s.json", dir, key) < (int)n ? 0 : -1;
}

int credcache_load(const char *home, const char *key, time_t now, const char *source,
                   aws_creds *out)
{
    char path[PATH_MAX], why[128];
    buf text = BUF_INIT;
    memset(out, 0, sizeof *out);
    if (entry_path(home, key, path, sizeof path) != 0 || file_read(path, CACHE_MAX_FILE, &text))
        return 0;
    cJSON *doc = json_parse_all(text.p, text.len, NULL);
    buf_wipe(&text);
    const cJSON *cr = cJSON_GetObjectItemCaseSensitive(doc, "Credentials");
    int hit = creds_from_json(cr, "SessionToken", source, out, why, sizeof why) == 0;
    if (hit && (!out->expiration || out->expiration - now < CREDCACHE_EXPIRY_WINDOW)) {
        creds_free(out);
        hit = 0;
    }
    creds_wipe_json(doc);
    cJSON_Delete(doc);
    return hit;
}

static void expiration_text(time_t t, int sso, char out[40])
{
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm))
        snprintf(out, 40, "1970-01-01T00:00:00");
    strcat(out, sso ? "Z" : "UTC");
}

/* {"AccessKeyId": .., "SecretAccessKey": .., "SessionToken": .., "Expiration": ..} */
static cJSON *credentials_object(const aws_creds *cr, int sso)
{
    char exp[40];
    expiration_text(cr->expiration, sso, exp);
    cJSON *o = cJSON_CreateObject();
    if (!cJSON_AddStringToObject(o, "AccessKeyId", cr->access_key_id) ||
        !cJSON_AddStringToObject(o, "SecretAccessKey", cr->secret_access_key) ||
        !cJSON_AddStringToObject(o, "SessionToken", cr->session_token ? cr->session_token : "") ||
        !cJSON_AddStringToObject(o, "Expiration", exp)) {
        creds_wipe_json(o);
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* The entry as botocore's fetchers cache it; NULL when memory runs out. */
static cJSON *entry_doc(const aws_creds *cr, int sso, const cJSON *extra)
{
    cJSON *doc = cJSON_CreateObject();
    if (sso && !cJSON_AddStringToObject(doc, "ProviderType", "sso"))
        goto fail;
    cJSON *c = credentials_object(cr, sso);
    if (!c || !cJSON_AddItemToObject(doc, "Credentials", c)) {
        cJSON_Delete(c);
        goto fail;
    }
    for (const cJSON *m = extra ? extra->child : NULL; m; m = m->next) {
        cJSON *copy = cJSON_Duplicate(m, 1);
        if (!copy || !cJSON_AddItemToObject(doc, m->string, copy)) {
            cJSON_Delete(copy);
            goto fail;
        }
    }
    return doc;
fail:
    creds_wipe_json(doc);
    cJSON_Delete(doc);
    return NULL;
}

int credcache_store(const char *home, const char *key, const aws_creds *cr, int sso,
                    const cJSON *extra)
{
    char path[PATH_MAX], dir[PATH_MAX];
    if (entry_path(home, key, path, sizeof path) != 0 || !cr->expiration)
        return (errno = EINVAL, -1);
    credcache_dir(home, dir, sizeof dir);
    cJSON *doc = entry_doc(cr, sso, extra);
    buf text = BUF_INIT;
    int rc = doc && json_python_dumps(doc, 0, &text) == 0 ? 0 : (errno = ENOMEM, -1);
    if (rc == 0)
        rc = file_mkdirs(dir, 0700);
    if (rc == 0)
        rc = file_write_atomic(path, text.p, text.len, 0600);
    int saved = errno;
    creds_wipe_json(doc);
    cJSON_Delete(doc);
    buf_wipe(&text);
    errno = saved;
    return rc;
}
