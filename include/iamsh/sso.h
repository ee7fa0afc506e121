/* sso.h - IAM Identity Center (SSO), as the AWS CLI v2 uses it: a profile's settings
 * (an [sso-session] section, or the legacy sso_start_url and sso_region in the
 * profile), the sign-in token the CLI caches in ~/.aws/sso/cache (the same files, keyed
 * as botocore keys them) and refreshes through SSO OIDC's CreateToken, the portal's
 * GetRoleCredentials and Logout, and the device sign-in of `aws sso login`.
 *
 * The portal and OIDC services are REST-JSON requests over the client's transport
 * (client_json: retries, proxy, TLS, the redacted --debug log). Their endpoints follow
 * AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC and the services sections
 * (config_sso_endpoint). No message ever holds a token or a client secret. */
#ifndef IAMSH_SSO_H
#define IAMSH_SSO_H
#include <stddef.h>
#include <time.h>

#include "iamsh/buf.h"
#include "iamsh/client.h"
#include "iamsh/config.h"
#include "iamsh/creds.h"
#include "iamsh/err.h"

/* The settings of one profile. The strings point into the aws_config. */
typedef struct sso_config {
    const char *profile;
    const char *session;    /* the sso_session name; NULL for a legacy profile */
    const char *start_url;  /* sso_start_url */
    const char *region;     /* sso_region */
    const char *scopes;     /* sso_registration_scopes as written, comma-separated; or NULL */
    const char *account_id; /* sso_account_id, NULL when not set */
    const char *role_name;  /* sso_role_name, NULL when not set */
} sso_config;

/* The token file is refreshed when less than this is left (botocore's window). */
#define SSO_REFRESH_WINDOW 900

/* sso.c */
/* The IAM Identity Center settings of profile, resolved as botocore does (the session
 * section's keys must agree with the profile's). need_role: the credential provider's
 * view, which applies only when sso_account_id or sso_role_name is set and then needs
 * both; otherwise (sso login) a session or a legacy start URL is enough.
 * 1 filled; 0 when the profile is not an IAM Identity Center profile in that sense;
 * -1 with an AWS_ERR_CONFIG naming the profile and what is missing. */
int sso_config_load(const aws_config *c, const char *profile, int need_role, sso_config *out,
                    aws_err *err);
/* sso_registration_scopes as the CLI parses it ("a, b" -> ["a", "b"]); JSON null when
 * the session sets none (botocore's registration key writes None). */
struct cJSON *sso_scopes(const sso_config *s);
/* "Code: the whole message" of err, for a message that says what a service said
 * (malloc'd; NULL when memory runs out). */
char *sso_said(const aws_err *err);
/* "iamsh sso login" or "iamsh sso login --profile NAME": the fix in messages. */
void sso_login_command(const aws_config *c, const char *profile, char *out, size_t n);
/* What the token is for, in messages: "session 'corp'" or "start URL https://...". */
void sso_token_name(const sso_config *s, char *out, size_t n);
/* The token cache file: <home>/.aws/sso/cache/<sha1 of the session name, or of the start
 * URL for a legacy profile>.json. 0 or -1. */
int sso_token_path(const aws_config *c, const sso_config *s, char *out, size_t n);
/* The folder of the token cache (made 0700 when needed by the writers). */
int sso_cache_dir(const aws_config *c, char *out, size_t n);
/* Write a token or registration document to path: atomically, mode 0600. 0 or -1 (err). */
int sso_cache_write(const char *path, const struct cJSON *doc, aws_err *err);
/* t as the CLI writes times in these files: "2026-01-02T03:04:05Z". */
void sso_time_text(time_t t, char out[32]);

/* sso_oidc.c: the SSO OIDC service in region (each answer a JSON object the caller
 * wipes and frees; -1 with the service's error, its code as botocore names it). */
int sso_oidc_register(const aws_config *c, aws_client *client, const sso_config *s,
                      const char *client_name, struct cJSON **out, aws_err *err);
int sso_oidc_start_device(const aws_config *c, aws_client *client, const sso_config *s,
                          const char *client_id, const char *client_secret, struct cJSON **out,
                          aws_err *err);
/* CreateToken: grant "refresh_token" (secret = the refresh token) or the device code
 * grant (secret = the device code). */
int sso_oidc_create_token(const aws_config *c, aws_client *client, const sso_config *s,
                          const char *client_id, const char *client_secret, int refresh,
                          const char *secret, struct cJSON **out, aws_err *err);

/* sso_token.c */
/* A valid access token for s into token (buf_wipe it): from the cache, refreshed with
 * its refresh token (sso_session profiles, as botocore) when less than
 * SSO_REFRESH_WINDOW is left and the registration still holds, the file then
 * rewritten. -1 with an AWS_ERR_CREDS naming the profile, what is wrong and the fix
 * ("run iamsh sso login --profile dev"). */
int sso_token_get(const aws_config *c, aws_client *client, const sso_config *s, buf *token,
                  aws_err *err);
/* The token document of a completed sign-in or refresh, as botocore caches it. */
struct cJSON *sso_token_doc(const sso_config *s, const struct cJSON *answer, const char *client_id,
                            const char *client_secret, const char *registration_expires,
                            time_t now);

/* sso_portal.c */
/* GetRoleCredentials for s's account and role with token: out (source "sso"). */
int sso_role_credentials(const aws_config *c, aws_client *client, const sso_config *s,
                         const char *token, aws_creds *out, aws_err *err);
/* The portal's Logout for a token in region; failures are ignored, as the CLI does. */
void sso_portal_logout(const aws_config *c, aws_client *client, const char *region,
                       const char *token);

/* sso_login.c */
typedef struct sso_login_ui {
    /* Show where to sign in: the verification URL, the code to enter there, and the
     * URL with the code filled in. */
    void (*show)(void *ud, const char *uri, const char *user_code, const char *uri_complete);
    void *ud;
} sso_login_ui;
/* The device sign-in of `aws sso login` for profile: RegisterClient (the registration
 * cached and reused as the CLI does), StartDeviceAuthorization, ui->show, then
 * CreateToken every interval (slow_down adds 5 s, authorization_pending waits) until
 * the person has approved it; the token written to the cache. start_url_out names the
 * start URL signed in to. Ctrl-C (the client's abort flag) stops the wait. */
int sso_login(const aws_config *c, aws_client *client, const char *profile, const sso_login_ui *ui,
              char *start_url_out, size_t n, aws_err *err);
/* `aws sso logout`: every cached sign-in token (after the portal's Logout) and every
 * cached IAM Identity Center role credential (ProviderType "sso") removed; *removed
 * counts the files. */
int sso_logout(const aws_config *c, aws_client *client, int *removed, aws_err *err);

#endif
