/* lsso.c - aws.sso: the IAM Identity Center sign-in of `iamsh sso login` and its
 * sign-out, on the session's configuration (the --profile in effect) and client (its
 * transport, retries and --debug log). The sign-in shows its code on stdout, as
 * `aws sso login --no-browser` does; iamsh never opens a browser. */
#include <stdio.h>

#include "bindings.h"
#include "iamsh/config.h"
#include "iamsh/sso.h"

static void show_code(void *ud, const char *uri, const char *code, const char *uri_complete)
{
    (void)ud;
    printf("Browser will not be automatically opened.\n"
           "Please visit the following URL:\n\n%s\n\n"
           "Then enter the code:\n\n%s\n\n"
           "Alternatively, you may visit the following URL which will autofill the code "
           "upon loading:\n%s\n",
           uri, code, uri_complete);
    fflush(stdout);
}

/* aws.sso.login() -> start URL: sign in for the session's profile and cache the token. */
static int l_login(lua_State *L)
{
    lsession *s = lsession_get(L);
    const aws_config *c = lsession_config(L, s);
    aws_client *client = lsession_client(L, s);
    sso_login_ui ui = {show_code, NULL};
    char start_url[1024];
    aws_err err;
    err_clear(&err);
    if (sso_login(c, client, c->profile, &ui, start_url, sizeof start_url, &err) != 0)
        return lerror_raise(L, &err, NULL);
    lua_pushstring(L, start_url);
    return 1;
}

/* aws.sso.logout() -> how many cached tokens and role credentials were removed. */
static int l_logout(lua_State *L)
{
    lsession *s = lsession_get(L);
    const aws_config *c = lsession_config(L, s);
    aws_client *client = lsession_client(L, s);
    int removed = 0;
    aws_err err;
    err_clear(&err);
    if (sso_logout(c, client, &removed, &err) != 0)
        return lerror_raise(L, &err, NULL);
    lua_pushinteger(L, removed);
    return 1;
}

int luaopen_aws_sso(lua_State *L)
{
    static const luaL_Reg fns[] = {{"login", l_login}, {"logout", l_logout}, {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}
