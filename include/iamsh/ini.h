/* ini.h - the AWS shared config/credentials file format (SDK profile-file rules). */
#ifndef IAMSH_INI_H
#define IAMSH_INI_H
#include <stddef.h>
#include "iamsh/err.h"

typedef struct ini_prop {
    char *key;            /* lower-cased */
    char *value;          /* "" when the value is empty (sub-properties may follow) */
    struct ini_prop *sub; /* indented "k = v" sub-properties, one level deep */
    size_t nsub;
} ini_prop;

typedef enum ini_kind { INI_PROFILE, INI_SERVICES, INI_SSO_SESSION, INI_OTHER } ini_kind;

typedef struct ini_section {
    ini_kind kind;
    char *name; /* "default", "x" for [profile x] or [x]; services/sso-session name */
    ini_prop *props;
    size_t nprops;
} ini_section;

typedef struct ini_file {
    ini_section *sections; /* duplicate sections merged, last key wins */
    size_t nsections;
} ini_file;

/* is_config: 1 for ~/.aws/config rules ([profile x], bare [x] ignored but [default]),
 * 0 for ~/.aws/credentials rules ([x]; [profile x] ignored).
 * Survives arbitrary bytes. Warnings (ignored lines) go to warn() when given. */
int ini_parse(const char *text, size_t len, int is_config, ini_file *out,
              void (*warn)(void *ud, const char *msg), void *ud, aws_err *err);
/* A missing file is an empty ini_file and success; an unreadable one is an AWS_ERR_CONFIG. */
int ini_load(const char *path, int is_config, ini_file *out,
             void (*warn)(void *ud, const char *msg), void *ud, aws_err *err);
void ini_free(ini_file *f);
const ini_section *ini_find(const ini_file *f, ini_kind kind, const char *name);
const ini_prop *ini_prop_find(const ini_section *s, const char *key);
const char *ini_get(const ini_section *s, const char *key); /* NULL if absent */
const char *ini_get_sub(const ini_section *s, const char *key, const char *subkey);

#endif
