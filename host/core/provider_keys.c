/* provider_keys.c - the providers of static keys: the environment and a profile's
 * aws_access_key_id / aws_secret_access_key (credentials file or config file). */
#include "iamsh/provider.h"

int provider_env(const aws_config *c, aws_creds *out, aws_err *err)
{
    const char *id = config_env(c, "AWS_ACCESS_KEY_ID");
    if (!id)
        return 0;
    const char *sk = config_env(c, "AWS_SECRET_ACCESS_KEY");
    if (!sk)
        return err_set(err, AWS_ERR_CREDS, "PartialCredentials",
                       "partial credentials found in env: AWS_ACCESS_KEY_ID is set but "
                       "AWS_SECRET_ACCESS_KEY is missing");
    const char *tok = config_env(c, "AWS_SECURITY_TOKEN"); /* botocore's order */
    if (!tok)
        tok = config_env(c, "AWS_SESSION_TOKEN");
    if (creds_set(out, id, sk, tok, "env") != 0)
        return err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
    if (creds_set_expiration(out, config_env(c, "AWS_CREDENTIAL_EXPIRATION")) != 0) {
        creds_free(out);
        return err_set(err, AWS_ERR_CREDS, "InvalidExpiration",
                       "AWS_CREDENTIAL_EXPIRATION is not an ISO-8601 time");
    }
    return 1;
}

int provider_file(const aws_config *c, const ini_file *f, const char *path, const char *profile,
                  const char *source, aws_creds *out, aws_err *err)
{
    const ini_section *s = ini_find(f, INI_PROFILE, profile);
    const char *id = ini_get(s, "aws_access_key_id");
    if (!id || !*id)
        return 0;
    const char *sk = ini_get(s, "aws_secret_access_key");
    if (!sk || !*sk)
        return err_set(err, AWS_ERR_CREDS, "PartialCredentials",
                       "partial credentials in profile '%s' of %s: aws_access_key_id is "
                       "set but aws_secret_access_key is missing",
                       profile, path);
    const char *tok = ini_get(s, "aws_session_token");
    if (!tok || !*tok)
        tok = ini_get(s, "aws_security_token");
    if (creds_set(out, id, sk, tok, source) != 0)
        return err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
    return 1;
}
