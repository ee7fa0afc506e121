/* credcache.h - the AWS CLI's cache of temporary credentials, ~/.aws/cli/cache/<key>.json
 * (botocore's JSONFileCache, as the CLI sets it up for assume-role and IAM Identity
 * Center profiles): the same file names, computed as botocore computes them, and the
 * same JSON, so that iamsh and the AWS CLI each use what the other cached. */
#ifndef IAMSH_CREDCACHE_H
#define IAMSH_CREDCACHE_H
#include <time.h>

#include "iamsh/creds.h"

struct cJSON;

/* botocore's CachedCredentialFetcher: an entry with less than this left is not used. */
#define CREDCACHE_EXPIRY_WINDOW 900

/* <home>/.aws/cli/cache into out. 0, or -1 (no home, too long). */
int credcache_dir(const char *home, char *out, size_t n);
/* The file name (without ".json") for args: the SHA-1 of json.dumps(args, sort_keys=True)
 * (compact: with separators=(',', ':'), as the SSO fetcher makes it). 0 or -1. */
int credcache_key(const struct cJSON *args, int compact, char key[41]);
/* The credentials cached under key in <home>/.aws/cli/cache, when they have more than
 * CREDCACHE_EXPIRY_WINDOW seconds left at now: 1 (out filled, its source set to
 * source). 0 when there is no such entry, or it is expired, unreadable or not
 * credentials (the caller then fetches new ones). */
int credcache_load(const char *home, const char *key, time_t now, const char *source,
                   aws_creds *out);
/* Cache cr under key as the CLI writes it: {"Credentials": {AccessKeyId,
 * SecretAccessKey, SessionToken, Expiration}} plus, for an IAM Identity Center entry
 * (sso != 0), "ProviderType": "sso" (which `aws sso logout` sweeps), else the members
 * of extra (AssumeRole's AssumedRoleUser, ResponseMetadata; may be NULL). The file is
 * written atomically with mode 0600, the folders made 0700. 0, or -1 with errno: a
 * cache that cannot be written costs only a later STS call, so callers go on. */
int credcache_store(const char *home, const char *key, const aws_creds *cr, int sso,
                    const struct cJSON *extra);

#endif
