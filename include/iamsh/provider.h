/* provider.h - the credential provider chain, in the AWS CLI v2 order, and its
 * providers (one file each: provider_keys.c, provider_role.c with provider_mfa.c,
 * provider_sso.c, provider_process.c, provider_net.c; the chain itself is provider.c). */
#ifndef IAMSH_PROVIDER_H
#define IAMSH_PROVIDER_H
#include <stddef.h>

#include "iamsh/config.h"
#include "iamsh/creds.h"
#include "iamsh/err.h"

struct aws_client;

/* Walk the chain for c->profile. Network providers (assume-role, container, IMDS)
 * use `client` for their requests. No provider: AWS_ERR_CREDS naming every place
 * looked ("no credentials: looked in environment, profile 'x' in ~/.aws/credentials, ..."). */
int provider_resolve(const aws_config *c, struct aws_client *client, aws_creds *out, aws_err *err);

/* ---- single providers: the chain calls these, tests call them directly ----
 * Each returns 1 when it produced credentials (out filled), 0 when it does not apply
 * (nothing configured), -1 on an error that must stop the chain (err filled). */
int provider_env(const aws_config *c, aws_creds *out, aws_err *err);
/* aws_access_key_id/secret/token keys of one file's [profile]; source names the provider. */
int provider_file(const aws_config *c, const ini_file *f, const char *path, const char *profile,
                  const char *source, aws_creds *out, aws_err *err);
/* Run `command` (split shell-style, no shell), JSON Version 1 on stdout. */
#define PROVIDER_PROCESS_TIMEOUT_MS 60000
int provider_process(const char *command, int timeout_ms, aws_creds *out, aws_err *err);
/* role_arn profiles (not web identity): source_profile chains and credential_source,
 * mfa_serial, external_id, role_session_name, duration_seconds, source_identity; the
 * answer cached in the AWS CLI's cache (~/.aws/cli/cache, credcache.h) and taken from
 * there while it has more than 15 minutes left. */
int provider_assume_role(const aws_config *c, struct aws_client *client, const char *profile,
                         aws_creds *out, aws_err *err);
/* The code of the MFA device serial, asked on the controlling terminal ("Enter MFA code
 * for <serial>: ", not echoed), into code (n bytes). -1 with one line naming profile
 * and serial when there is no terminal (AWS_ERR_CREDS) or no code was typed; Ctrl-C
 * (client's abort flag) ends the wait. */
int provider_mfa_code(const struct aws_client *client, const char *profile, const char *serial,
                      char *code, size_t n, aws_err *err);
/* IAM Identity Center profiles (sso_account_id / sso_role_name, with an sso_session
 * section or the legacy sso_start_url + sso_region): the role credentials of the cached
 * sign-in (~/.aws/sso/cache), refreshed when it expires and the session allows, through
 * the portal's GetRoleCredentials; cached in ~/.aws/cli/cache as the AWS CLI does. */
int provider_sso(const aws_config *c, struct aws_client *client, const char *profile,
                 aws_creds *out, aws_err *err);
/* AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, or role_arn + web_identity_token_file. */
int provider_web_identity(const aws_config *c, struct aws_client *client, const char *profile,
                          int use_env, aws_creds *out, aws_err *err);
int provider_container(const aws_config *c, struct aws_client *client, aws_creds *out,
                       aws_err *err);
/* IMDS never stops the chain: failures return 0 and say why in `why`. */
int provider_imds(const aws_config *c, struct aws_client *client, aws_creds *out, char *why,
                  size_t nwhy, aws_err *err);

#endif
