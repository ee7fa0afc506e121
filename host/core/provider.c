/* provider.c - the credential provider chain in the AWS CLI v2 order. The providers
 * live in provider_keys.c (environment, profile keys), provider_role.c (assume role,
 * web identity; provider_mfa.c asks for MFA codes), provider_sso.c (IAM Identity
 * Center), provider_process.c (credential_process) and provider_net.c (container and
 * instance metadata); nothing calls back into this file. */
#include "iamsh/provider.h"

#include <stdio.h>
#include <string.h>

/* The AWS CLI's newer console sign-in (login_session), which iamsh does not speak. */
static int login_error(const char *profile, aws_err *err)
{
    return err_set(err, AWS_ERR_CREDS, "LoginNotSupported",
                   "profile '%s' uses console sign-in credentials (login_session), which "
                   "iamsh cannot fetch: use an sso_session profile (iamsh sso login), "
                   "credential_process or `aws configure export-credentials`",
                   profile);
}

/* Everything after the environment for one profile, env vars not consulted except
 * where the CLI does (web identity). Also used for assume-role source profiles. */
static int chain_profile(const aws_config *c, struct aws_client *client, aws_creds *out,
                         aws_err *err)
{
    const char *p = c->profile;
    int r = provider_assume_role(c, client, p, out, err);
    if (r == 0)
        r = provider_web_identity(c, client, p, !c->profile_explicit, out, err);
    if (r == 0)
        r = provider_sso(c, client, p, out, err);
    if (r == 0 && config_profile_get(c, p, "login_session"))
        return login_error(p, err);
    if (r == 0)
        r = provider_file(c, &c->creds, c->credentials_file, p, "shared-credentials-file", out,
                          err);
    const char *proc = r == 0 ? config_profile_get(c, p, "credential_process") : NULL;
    if (proc && *proc)
        r = provider_process(proc, PROVIDER_PROCESS_TIMEOUT_MS, out, err);
    if (r == 0)
        r = provider_file(c, &c->cfg, c->config_file, p, "config-file", out, err);
    return r;
}

static int none_found(const aws_config *c, const struct aws_client *client, const char *imds,
                      aws_err *err)
{
    int container = config_env(c, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") ||
                    config_env(c, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    return err_set(err, AWS_ERR_CREDS, "NoCredentials",
                   "no credentials: looked in environment%s, profile '%s' in %s, %s, container%s, "
                   "instance metadata%s%s%s",
                   c->profile_explicit ? " (skipped: --profile given)" : "", c->profile,
                   c->credentials_file, c->config_file,
                   !client     ? " (skipped: no network client)"
                   : container ? ""
                               : " (skipped: AWS_CONTAINER_CREDENTIALS_* not set)",
                   *imds ? " (" : "", imds, *imds ? ")" : "");
}

int provider_resolve(const aws_config *c, struct aws_client *client, aws_creds *out, aws_err *err)
{
    memset(out, 0, sizeof *out);
    err_clear(err);
    int r = c->profile_explicit ? 0 : provider_env(c, out, err);
    if (r == 0)
        r = chain_profile(c, client, out, err);
    if (r == 0 && client)
        r = provider_container(c, client, out, err);
    char why[256] = "";
    if (r == 0 && !client)
        snprintf(why, sizeof why, "skipped: no network client");
    else if (r == 0)
        r = provider_imds(c, client, out, why, sizeof why, err);
    if (r == 0)
        return none_found(c, client, why, err);
    return r > 0 ? 0 : -1;
}
