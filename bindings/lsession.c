/* lsession.c - the state behind the bindings: configuration, the HTTP client and
 * the credentials, made on first use and kept for the life of the Lua state
 * (one client = one kept-alive connection and one retry quota, as in botocore). */
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bindings.h"
#include "iamsh/boundary.h"
#include "iamsh/client.h"
#include "iamsh/config.h"
#include "iamsh/provider.h"
#include "iamsh/sso.h"

struct lsession {
    int loaded;
    aws_config cfg;
    aws_client *client;
    aws_creds creds;
    int have_creds;
};

/* The run options the program handed over (boundary.h), in the module's own memory:
 * zero (no plan, no debug) until then. Nothing in Lua can reach them. */
static iamsh_run_options run_options;

int iamsh_aws_configure(const iamsh_run_options *o)
{
    if (run_options.magic || !o || o->magic != IAMSH_RUN_OPTIONS_MAGIC || o->size != sizeof *o)
        return -1;
    run_options = *o;
    return 0;
}

const iamsh_run_options *lsession_options(void)
{
    return &run_options;
}

/* --- --local: the endpoint in this process ------------------------------------------------ */

/* The URL the client signs for; nothing listens there: the exchange answers. */
#define LOCAL_URL "http://local.iamsh"

static iamsh_local_endpoint local_ep; /* opened on first use, kept until exit */

/* iamsh_local.so's endpoint on the state, opened once.  [-0, +0, v] */
static const iamsh_local_endpoint *local_endpoint(lua_State *L)
{
    if (local_ep.exchange)
        return &local_ep;
    aws_err err;
    char why[1024] = "";
    void *h = dlopen(run_options.local_module, RTLD_LAZY | RTLD_LOCAL | RTLD_NODELETE);
    iamsh_local_open_fn open_fn = NULL;
    if (h)
        *(void **)&open_fn = dlsym(h, IAMSH_LOCAL_OPEN);
    if (!open_fn)
        snprintf(why, sizeof why, "cannot load %s: %s", run_options.local_module, dlerror());
    else
        open_fn(run_options.local_state, &run_options.library, &local_ep, why, sizeof why);
    if (!local_ep.exchange) {
        err_set(&err, AWS_ERR_CONFIG, "LocalEndpoint", "the local endpoint: %s", why);
        lerror_raise(L, &err, NULL);
    }
    return &local_ep;
}

/* Under --local a client with no keys of its own (none in the environment, no --profile)
 * signs with the root's keys of the local state. */
static int local_root_creds(void)
{
    const char *k = getenv("AWS_ACCESS_KEY_ID");
    return run_options.local_state && !run_options.profile && !(k && *k);
}

static int session_gc(lua_State *L)
{
    lsession *s = lua_touserdata(L, 1);
    if (s->have_creds)
        creds_free(&s->creds);
    if (s->client)
        client_free(s->client);
    if (s->loaded)
        config_free(&s->cfg);
    memset(s, 0, sizeof *s);
    return 0;
}

static void debug_log(void *ud, const char *line)
{
    (void)ud;
    fprintf(stderr, "[debug] %s\n", line);
}

/* Tell once per URL that requests to an http:// endpoint off this machine travel in
 * clear text; frees ep. warned holds the last URL told. */
static void warn_endpoint(aws_endpoint *ep, char *warned, size_t n)
{
    if (ep->url && config_url_in_clear(ep->url) && strcmp(warned, ep->url) != 0) {
        fprintf(stderr,
                "iamsh: warning: requests go to %s over plain HTTP: they and any session "
                "token can be read on the network (use https://)\n",
                ep->url);
        snprintf(warned, n, "%s", ep->url);
    }
    config_endpoint_free(ep);
}

/* AWS CLI habit: an http:// endpoint is accepted (a proxy or test service may need
 * it), but when it is not on this machine the user is told once that the requests
 * and any session token travel in clear text. An IAM Identity Center profile's portal
 * and OIDC endpoints too: they carry the sign-in's bearer and refresh tokens. */
static void warn_in_clear(const aws_config *cfg)
{
    static const char *const services[] = {"iam", "sts", NULL};
    static const char *const sso_services[] = {"sso", "sso-oidc", NULL};
    char warned[512] = "";
    aws_endpoint ep;
    aws_err err;
    sso_config sc;
    for (const char *const *svc = services; *svc; svc++) {
        memset(&ep, 0, sizeof ep);
        if (config_endpoint(cfg, *svc, &ep, &err) == 0)
            warn_endpoint(&ep, warned, sizeof warned);
    }
    if (sso_config_load(cfg, cfg->profile, 0, &sc, &err) != 1)
        return; /* not an IAM Identity Center profile; its mistakes are told when used */
    for (const char *const *svc = sso_services; *svc; svc++) {
        memset(&ep, 0, sizeof ep);
        if (config_sso_endpoint(cfg, *svc, sc.region, &ep, &err) == 0)
            warn_endpoint(&ep, warned, sizeof warned);
    }
}

/* The configuration, from the run options and the environment.  [-0, +0, v] */
static void session_load(lua_State *L, lsession *s)
{
    config_input in = {
        .profile = run_options.profile,
        .region = run_options.region,
        .endpoint_url = run_options.local_state ? LOCAL_URL : run_options.endpoint_url,
        .ca_bundle = run_options.ca_bundle,
    };
    aws_err err;
    err_clear(&err);
    if (config_load(&s->cfg, &in, &err) != 0)
        lerror_raise(L, &err, NULL);
    s->loaded = 1;
    if (!run_options.local_state) /* --local's requests never leave the process */
        warn_in_clear(&s->cfg);
}

lsession *lsession_get(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, REG_SESSION);
    lsession *s = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (!s) {
        s = lua_newuserdatauv(L, sizeof *s, 0);
        memset(s, 0, sizeof *s);
        lua_newtable(L);
        lua_pushcfunction(L, session_gc);
        lua_setfield(L, -2, "__gc");
        lua_setmetatable(L, -2);
        lua_setfield(L, LUA_REGISTRYINDEX, REG_SESSION);
    }
    if (!s->loaded)
        session_load(L, s);
    return s;
}

const aws_config *lsession_config(lua_State *L, lsession *s)
{
    (void)L;
    return &s->cfg;
}

aws_client *lsession_client(lua_State *L, lsession *s)
{
    if (s->client)
        return s->client;
    aws_client_opts o = {
        .max_attempts = s->cfg.max_attempts,
        .ca_bundle = s->cfg.ca_bundle,
        .log = run_options.debug ? debug_log : NULL,
        .abort_flag = run_options.interrupted,
        .read_only = run_options.plan,
        .max_response = run_options.max_response,
    };
    if (run_options.local_state) {
        const iamsh_local_endpoint *ep = local_endpoint(L);
        o.exchange = ep->exchange;
        o.exchange_ud = ep->ud;
    }
    aws_err err;
    err_clear(&err);
    s->client = client_new(&o, &err);
    if (!s->client)
        lerror_raise(L, &err, NULL);
    return s->client;
}

/* Credentials, resolved once and refreshed before they expire; -1 with err.  [-0, +0, v] */
static int session_creds(lua_State *L, lsession *s, aws_err *err)
{
    if (s->have_creds && !creds_expiring(&s->creds, time(NULL)))
        return 0;
    aws_client *client = lsession_client(L, s);
    aws_creds fresh;
    memset(&fresh, 0, sizeof fresh);
    if (local_root_creds()) {
        const iamsh_local_endpoint *ep = local_endpoint(L);
        if (creds_set(&fresh, ep->root_key_id, ep->root_secret, NULL, "local-root") != 0)
            return err_set(err, AWS_ERR_INTERNAL, "InternalError", "out of memory");
    } else if (provider_resolve(&s->cfg, client, &fresh, err) != 0)
        return -1;
    if (fresh.expiration != 0 && fresh.expiration <= time(NULL)) {
        err_set(err, AWS_ERR_CREDS, "ExpiredCredentials",
                "the credentials from %s have already expired", fresh.source);
        creds_free(&fresh);
        return -1;
    }
    if (s->have_creds)
        creds_free(&s->creds);
    s->creds = fresh;
    s->have_creds = 1;
    return 0;
}

const aws_creds *lsession_creds(lua_State *L, lsession *s)
{
    aws_err err;
    err_clear(&err);
    if (session_creds(L, s, &err) != 0)
        lerror_raise(L, &err, NULL);
    return &s->creds;
}

/* t[k] = the endpoint of svc, for the table on top.  [-0, +0, v] */
static void set_endpoint(lua_State *L, const aws_config *c, const char *svc, const char *k)
{
    aws_endpoint ep;
    aws_err err;
    memset(&ep, 0, sizeof ep);
    err_clear(&err);
    if (config_endpoint(c, svc, &ep, &err) != 0)
        lerror_raise(L, &err, NULL);
    lset_string(L, k, ep.url);
    config_endpoint_free(&ep);
}

/* aws.stats() -> {calls = requests sent, answered = of them, answered by the
 * endpoint (a result or an AWS error; not a transport failure or an interrupt)} */
int lsession_push_stats(lua_State *L)
{
    lsession *s = lsession_get(L);
    lua_createtable(L, 0, 2);
    lset_integer(L, "calls", s->client ? s->client->requests : 0);
    lset_integer(L, "answered", s->client ? s->client->answered : 0);
    return 1;
}

/* aws.config([{credentials = false}]) -> what was resolved; never the secret or the
 * token. With credentials = false the credential chain is not asked (it may run a
 * process or reach the network), so the answer is immediate: the REPL's prompt. */
int lsession_push_config(lua_State *L)
{
    int want_creds = 1;
    if (lua_istable(L, 1)) {
        lua_getfield(L, 1, "credentials");
        want_creds = lua_isnil(L, -1) || lua_toboolean(L, -1);
        lua_pop(L, 1);
    } else if (!lua_isnoneornil(L, 1)) {
        return luaL_typeerror(L, 1, "table or nil");
    }
    lsession *s = lsession_get(L);
    const aws_config *c = &s->cfg;
    lua_createtable(L, 0, 8);
    lset_string(L, "profile", c->profile);
    lset_string(L, "region", c->region);
    lset_string(L, "partition", c->partition);
    set_endpoint(L, c, "iam", "iam_endpoint");
    set_endpoint(L, c, "sts", "sts_endpoint");
    aws_err err;
    err_clear(&err);
    if (!want_creds)
        return 1;
    if (session_creds(L, s, &err) == 0) {
        lset_string(L, "credential_source", s->creds.source);
        lset_string(L, "access_key_id", s->creds.access_key_id);
    } else if (err.kind == AWS_ERR_CONFIG) {
        lerror_raise(L, &err, NULL);
    }
    return 1;
}
