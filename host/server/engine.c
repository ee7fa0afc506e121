/* engine.c - one Lua state running the local endpoint's handlers over one store
 * connection: the endpoint backend (endpoint.h) of `iamsh serve` and `iamsh --local`.
 *
 * The state is the engine's own (not a script's): the standard libraries, the shipped
 * library on package.path, no C modules from disk, `aws` (for aws.policy, aws.json)
 * and `iamsh.store` preloaded. The handlers' module (`require "iamsh.local"`) gives
 * credentials(access_key_id), handle(request) and bootstrap{...}; every call into it
 * is protected, bounded in time, and its errors become AWS's answers: an error table
 * {code, message, status, type, reason} as it says, anything else a 500 whose
 * traceback goes to the server's log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bindings.h"
#include "lualib.h"
#include "server.h"

#define DEFAULT_ACCOUNT "123456789012"
#define DEADLINE_SECONDS 30.0 /* a handler that runs longer is stopped: a bug, not a load */

int luaopen_aws(lua_State *L);

struct engine {
    lua_State *L;
    store *st;
    char account[32];
    int enforce_soft;
    int module_ref; /* the handlers' module */
    int creds_ref;  /* the credentials table of this request's caller, or LUA_NOREF */
    double deadline;
    char *root_key, *root_secret; /* keys from the environment: the root's, kept in memory */
    int root_ref;                 /* their credentials table, made once */
    watch *watch;                 /* the deadline's; NULL: a count hook keeps it */
};

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Is the handler past its time? Set by the watchdog when the deadline has passed (and
 * then off again if the call had ended), or, without a watch, every million
 * instructions.  [-0, +0, v] */
static void deadline_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_getfield(L, LUA_REGISTRYINDEX, "iamsh.engine");
    engine *e = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (e && e->deadline && now_mono() > e->deadline)
        luaL_error(L, "the handler ran for more than %d s", (int)DEADLINE_SECONDS);
    if (e && e->watch)
        lua_sethook(L, NULL, 0, 0);
}

/* The message handler of every call: a traceback for anything that is not an error
 * table (a bug in a handler).  [-1, +1, m] */
static int traceback(lua_State *L)
{
    if (lua_istable(L, 1))
        return 1;
    const char *msg = lua_tostring(L, 1);
    luaL_traceback(L, L, msg ? msg : "(an error that is not a string)", 1);
    return 1;
}

/* Call the function at -nargs-1 protected; 0 or the status with the error on top.
 * [-(nargs+1), +(nresults|1), -] */
static int pcall(engine *e, int nargs, int nresults)
{
    lua_State *L = e->L;
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, traceback);
    lua_insert(L, base);
    e->deadline = now_mono() + DEADLINE_SECONDS;
    if (e->watch)
        watchdog_arm(e->watch, DEADLINE_SECONDS);
    int rc = lua_pcall(L, nargs, nresults, base);
    if (e->watch) {
        watchdog_disarm(e->watch);
        if (lua_gethook(L) == deadline_hook)
            lua_sethook(L, NULL, 0, 0); /* the deadline's, set by the watchdog */
    }
    e->deadline = 0;
    lua_remove(L, base);
    return rc;
}

/* --- opening ----------------------------------------------------------------------------- */

/* package.path: the shipped library first, then LUA_PATH's; no C modules from disk; the
 * program's searcher of the library's precompiled chunks (boundary.h), which spares
 * compiling the handlers (~130 KB of Lua) at every start.  [-0, +0, e] */
static void set_paths(lua_State *L, const iamsh_library *lib)
{
    const char *scripts = lib && lib->scripts_dir ? lib->scripts_dir : ".";
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "path");
    lua_pushfstring(L, "%s/lib/?.lua;%s/lib/?/init.lua;%s", scripts, scripts, lua_tostring(L, -1));
    lua_setfield(L, -3, "path");
    lua_pop(L, 1);
    lua_pushliteral(L, "");
    lua_setfield(L, -2, "cpath");
    lua_pop(L, 1);
    if (lib && lib->add_searcher && lib->luac_dir) {
        const char *dir = lua_pushfstring(L, "%s/lib", scripts);
        lib->add_searcher(L, dir, lib->luac_dir);
        lua_pop(L, 1);
    }
}

/* The handlers' module on top: the tests' file, else require "iamsh.local".  [-0, +1, e] */
static void load_module(lua_State *L, const char *handlers)
{
    if (handlers) {
        if (luaL_loadfile(L, handlers) != LUA_OK)
            lua_error(L);
        lua_call(L, 0, 1);
    } else {
        lua_getglobal(L, "require");
        lua_pushliteral(L, "iamsh.local");
        lua_call(L, 1, 1);
    }
    if (!lua_istable(L, -1))
        luaL_error(L, "the handlers' module did not return a table");
    static const char *const fns[] = {"handle", "credentials", "bootstrap", NULL};
    for (int i = 0; fns[i]; i++) {
        lua_getfield(L, -1, fns[i]);
        if (!lua_isfunction(L, -1))
            luaL_error(L, "the handlers' module has no function '%s'", fns[i]);
        lua_pop(L, 1);
    }
}

/* Everything that can raise while the state is made.  [-2, +0, e] */
static int init_state(lua_State *L)
{
    engine *e = lua_touserdata(L, 1);
    const engine_config *c = lua_touserdata(L, 2);
    luaL_openlibs(L);
    set_paths(L, c->library);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_aws);
    lua_setfield(L, -2, "aws");
    lua_pop(L, 1);
    lstore_preload(L, e->st);
    lua_getglobal(L, "require"); /* the handlers use aws (aws.model, aws.policy) as scripts do */
    lua_pushliteral(L, "aws");
    lua_call(L, 1, 1);
    lua_setglobal(L, "aws");
    lua_pushlightuserdata(L, e);
    lua_setfield(L, LUA_REGISTRYINDEX, "iamsh.engine");
    load_module(L, c->handlers);
    e->module_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

/* The account: the state's; --account-id must agree with it; a new state takes
 * --account-id or AWS's example account. */
static int settle_account(engine *e, const char *wanted, const char *path, char *why, size_t n)
{
    char *stored = NULL;
    if (store_meta_get(e->st, "account", &stored) < 0)
        return snprintf(why, n, "%s", store_error(e->st)), -1;
    if (stored && wanted && strcmp(stored, wanted) != 0) {
        snprintf(why, n, "the state %s belongs to account %s, not %s (--account-id)",
                 path ? path : "", stored, wanted);
        free(stored);
        return -1;
    }
    snprintf(e->account, sizeof e->account, "%s",
             stored   ? stored
             : wanted ? wanted
                      : DEFAULT_ACCOUNT);
    int rc = stored ? 0 : store_meta_put(e->st, "account", e->account);
    free(stored);
    if (rc != 0)
        snprintf(why, n, "%s", store_error(e->st));
    return rc;
}

int engine_open(const engine_config *c, engine **out, char *why, size_t nwhy)
{
    engine *e = calloc(1, sizeof *e);
    *out = NULL;
    if (!e)
        return snprintf(why, nwhy, "out of memory"), -1;
    e->creds_ref = e->root_ref = LUA_NOREF;
    e->enforce_soft = c->enforce_soft;
    if (store_open(c->state, &e->st, why, nwhy) != 0 ||
        settle_account(e, c->account, c->state, why, nwhy) != 0) {
        engine_close(e);
        return -1;
    }
    if (!(e->L = luaL_newstate())) {
        engine_close(e);
        return snprintf(why, nwhy, "cannot create a Lua state: out of memory"), -1;
    }
    if (!(e->watch = watchdog_add(e->L, deadline_hook)))
        lua_sethook(e->L, deadline_hook, LUA_MASKCOUNT, 1000000);
    lua_gc(e->L, LUA_GCGEN, 0, 0); /* requests make short-lived garbage */
    lua_pushcfunction(e->L, init_state);
    lua_pushlightuserdata(e->L, e);
    lua_pushlightuserdata(e->L, (void *)c);
    if (lua_pcall(e->L, 2, 0, 0) != LUA_OK) {
        snprintf(why, nwhy, "the local endpoint's handlers: %s", lua_tostring(e->L, -1));
        engine_close(e);
        return -1;
    }
    *out = e;
    return 0;
}

static void forget_root_key(engine *e)
{
    free(e->root_key);
    if (e->root_secret)
        memset(e->root_secret, 0, strlen(e->root_secret));
    free(e->root_secret);
    e->root_key = e->root_secret = NULL;
    if (e->L)
        luaL_unref(e->L, LUA_REGISTRYINDEX, e->root_ref);
    e->root_ref = LUA_NOREF;
}

void engine_close(engine *e)
{
    if (!e)
        return;
    forget_root_key(e);
    watchdog_remove(e->watch);
    if (e->L)
        lua_close(e->L);
    store_close(e->st);
    free(e);
}

const char *engine_account(const engine *e)
{
    return e->account;
}

/* --- reading Lua values ------------------------------------------------------------------- */

/* t[k] as a string anchored in t, or NULL.  [-0, +0, e] */
static const char *field_string(lua_State *L, int idx, const char *k)
{
    lua_getfield(L, idx, k);
    const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    lua_pop(L, 1);
    return s;
}

static double field_number(lua_State *L, int idx, const char *k)
{
    lua_getfield(L, idx, k);
    double v = lua_isnumber(L, -1) ? (double)lua_tonumber(L, -1) : 0;
    lua_pop(L, 1);
    return v;
}

/* The error on top as err: an error table as it says; anything else (a bug) a 500 with
 * its text for the log in reason.  [-1, +0, -] */
static int take_error(engine *e, buf *reason, aws_err *err)
{
    lua_State *L = e->L;
    if (lua_istable(L, -1) && field_string(L, -1, "code")) {
        const char *code = field_string(L, -1, "code"), *msg = field_string(L, -1, "message");
        const char *why = field_string(L, -1, "reason");
        double status = field_number(L, -1, "status");
        err_set(err, AWS_ERR_SERVICE, code, "%s", msg ? msg : "");
        err->status = status >= 400 && status < 600 ? (long)status : 400;
        if (why && reason)
            buf_puts(reason, why);
    } else {
        const char *msg = lua_tostring(L, -1);
        err_set(err, AWS_ERR_INTERNAL, "InternalFailure", "a handler failed");
        if (reason)
            buf_puts(reason, msg ? msg : "an error that is not a string or an error table");
    }
    lua_pop(L, 1);
    return -1;
}

/* --- the backend ------------------------------------------------------------------------- */

/* Reads take a read transaction; everything else (STS's included: it makes sessions)
 * takes the write lock at once. */
static int writes(const model_op *op)
{
    const char *n = op->name;
    if (op->svc == &model_service_sts)
        return strcmp(n, "GetCallerIdentity") != 0;
    return strncmp(n, "Get", 3) != 0 && strncmp(n, "List", 4) != 0 &&
           strncmp(n, "Simulate", 8) != 0;
}

static int e_begin(void *ud, const model_op *op, aws_err *err)
{
    engine *e = ud;
    if (store_begin(e->st, writes(op)) != 0)
        return err_set(err, AWS_ERR_INTERNAL, "InternalFailure", "%s", store_error(e->st));
    return 0;
}

/* The environment's root keys as credentials() would give them: {secret =, principal =
 * {arn =, account =, kind = "root", name = <account>, id = <account>, access_key_id =}}.
 * [-0, +1, e] */
static int push_root_creds(lua_State *L)
{
    engine *e = lua_touserdata(L, 1);
    lua_createtable(L, 0, 2);
    lset_string(L, "secret", e->root_secret);
    lua_createtable(L, 0, 6);
    lua_pushfstring(L, "arn:aws:iam::%s:root", e->account);
    lua_setfield(L, -2, "arn");
    lset_string(L, "account", e->account);
    lset_string(L, "kind", "root");
    lset_string(L, "name", e->account);
    lset_string(L, "id", e->account);
    lset_string(L, "access_key_id", e->root_key);
    lua_setfield(L, -2, "principal");
    return 1;
}

/* The handlers' credentials(key), protected.  [-0, +1, -] LUA_OK or the error status */
static int ask_credentials(engine *e, const char *key)
{
    lua_State *L = e->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->module_ref);
    lua_getfield(L, -1, "credentials");
    lua_remove(L, -2);
    lua_pushstring(L, key);
    return pcall(e, 1, 1);
}

/* The environment's keys are the root's unless the state knows that key (then it stays
 * what the state says: a user's key exported to try a script as that user). Asked once,
 * here: a key the state makes later is a random new one. 1 taken, 0 not, -1 error. */
int engine_set_root_key(engine *e, const char *key, const char *secret)
{
    forget_root_key(e);
    if (!key)
        return 0;
    if (store_begin(e->st, 0) != 0)
        return -1;
    int rc = ask_credentials(e, key);
    int known = rc != LUA_OK || !lua_isnil(e->L, -1);
    lua_settop(e->L, 0);
    store_rollback(e->st);
    if (rc != LUA_OK)
        return -1;
    if (known)
        return 0;
    e->root_key = strdup(key);
    e->root_secret = strdup(secret);
    lua_pushcfunction(e->L, push_root_creds);
    lua_pushlightuserdata(e->L, e);
    if (!e->root_key || !e->root_secret || pcall(e, 1, 1) != LUA_OK) {
        lua_settop(e->L, 0);
        forget_root_key(e);
        return -1;
    }
    e->root_ref = luaL_ref(e->L, LUA_REGISTRYINDEX);
    return 1;
}

static int e_credentials(void *ud, const char *key, endpoint_creds *out, aws_err *err)
{
    engine *e = ud;
    lua_State *L = e->L;
    if (e->root_key && strcmp(key, e->root_key) == 0)
        lua_rawgeti(L, LUA_REGISTRYINDEX, e->root_ref);
    else if (ask_credentials(e, key) != LUA_OK)
        return take_error(e, NULL, err);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return 1;
    }
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        return err_set(err, AWS_ERR_INTERNAL, "InternalFailure", "credentials() gave no table");
    }
    out->secret = field_string(L, -1, "secret");
    out->session_token = field_string(L, -1, "session_token");
    out->expires = field_number(L, -1, "expires");
    lua_getfield(L, -1, "principal");
    out->caller = lua_istable(L, -1) ? field_string(L, -1, "arn") : NULL;
    lua_pop(L, 1);
    e->creds_ref = luaL_ref(L, LUA_REGISTRYINDEX); /* keeps the strings alive */
    return 0;
}

/* The request table for handle.  [-0, +1, e] */
static void push_request(engine *e, const endpoint_call *call)
{
    lua_State *L = e->L;
    lua_createtable(L, 0, 10);
    lset_string(L, "service", call->op->svc->name);
    lset_string(L, "operation", call->op->name);
    ljson_push(L, call->params);
    lua_setfield(L, -2, "params");
    if (call->signed_in && e->creds_ref != LUA_NOREF) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, e->creds_ref);
        lua_getfield(L, -1, "principal");
        lua_setfield(L, -3, "caller");
        lua_pop(L, 1);
    }
    lset_string(L, "request_id", call->request_id);
    lset_integer(L, "now", (lua_Integer)call->now);
    lset_string(L, "account", e->account);
    lset_string(L, "source_ip", call->source_ip);
    if (e->enforce_soft)
        lset_string(L, "enforce", "soft");
}

/* push_request and handle(request) -> result, notes, protected.  [-2, +2, -] */
static int call_handle(lua_State *L)
{
    engine *e = lua_touserdata(L, 1);
    const endpoint_call *call = lua_touserdata(L, 2);
    lua_settop(L, 0);
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->module_ref);
    lua_getfield(L, -1, "handle");
    lua_remove(L, -2);
    push_request(e, call);
    lua_call(L, 1, 2);
    return 2;
}

/* The notes handle returned (its second value): notes.denied is what --enforce=soft
 * let through, for the log and the X-Iamsh-Reason header.  [-0, +0, e] */
static void take_note(lua_State *L, int notes, buf *reason)
{
    const char *note = lua_istable(L, notes) ? field_string(L, notes, "denied") : NULL;
    if (note && *note)
        buf_printf(reason, "%s%s", reason->len ? "; " : "", note);
}

static int e_handle(void *ud, const endpoint_call *call, cJSON **result, buf *reason, aws_err *err)
{
    engine *e = ud;
    lua_State *L = e->L;
    int top = lua_gettop(L);
    lua_pushcfunction(L, call_handle);
    lua_pushlightuserdata(L, e);
    lua_pushlightuserdata(L, (void *)call);
    if (pcall(e, 2, 2) != LUA_OK) {
        int rc = take_error(e, reason, err);
        lua_settop(L, top);
        return rc;
    }
    take_note(L, -1, reason);
    char why[256];
    int none = lua_isnil(L, -2);
    *result = none ? NULL : ljson_from_lua(L, -2, why, sizeof why);
    lua_settop(L, top);
    if (*result || none)
        return 0;
    buf_printf(reason, "the handler's result for %s: %s", call->op->name, why);
    return err_set(err, AWS_ERR_INTERNAL, "InternalFailure", "a handler's result is not JSON");
}

static int e_end(void *ud, int commit, aws_err *err)
{
    engine *e = ud;
    luaL_unref(e->L, LUA_REGISTRYINDEX, e->creds_ref);
    e->creds_ref = LUA_NOREF;
    lua_settop(e->L, 0);
    int rc = commit ? store_commit(e->st) : store_rollback(e->st);
    if (rc != 0)
        return err_set(err, AWS_ERR_INTERNAL, "InternalFailure", "%s", store_error(e->st));
    return 0;
}

void engine_backend(engine *e, endpoint_backend *out)
{
    *out = (endpoint_backend){e, e_begin, e_credentials, e_handle, e_end};
}

/* --- the root's keys ------------------------------------------------------------------------ */

/* bootstrap{account =, root_access_key_id =, root_secret =}: the keys in effect on top.
 * [-0, +1, -] on success */
static int call_bootstrap(engine *e, const char *key_id, const char *secret, char *why, size_t n)
{
    lua_State *L = e->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->module_ref);
    lua_getfield(L, -1, "bootstrap");
    lua_remove(L, -2);
    lua_createtable(L, 0, 3);
    lset_string(L, "account", e->account);
    lset_string(L, "root_access_key_id", key_id);
    lset_string(L, "root_secret", secret);
    if (pcall(e, 1, 1) == LUA_OK)
        return 0;
    const char *msg = lua_istable(L, -1) ? field_string(L, -1, "message") : lua_tostring(L, -1);
    snprintf(why, n, "bootstrap: %s", msg ? msg : "(no message)");
    lua_pop(L, 1);
    return -1;
}

int engine_root_keys(engine *e, const char *key_id, const char *secret, char **key_out,
                     char **secret_out, int *created, char *why, size_t nwhy)
{
    *key_out = *secret_out = NULL;
    *created = 0;
    if (store_begin(e->st, 1) != 0)
        return snprintf(why, nwhy, "%s", store_error(e->st)), -1;
    int rc = call_bootstrap(e, key_id, secret, why, nwhy);
    if (rc == 0) {
        lua_State *L = e->L;
        int t = lua_istable(L, -1);
        const char *k = t ? field_string(L, -1, "access_key_id") : NULL;
        const char *s = t ? field_string(L, -1, "secret") : NULL;
        if (t) {
            lua_getfield(L, -1, "created");
            *created = lua_toboolean(L, -1);
        }
        *key_out = strdup(k ? k : key_id ? key_id : "");
        *secret_out = strdup(s ? s : secret ? secret : "");
        lua_settop(L, 0);
        if (!*key_out || !*secret_out || !**key_out || !**secret_out)
            rc = -1, snprintf(why, nwhy, "bootstrap gave no root access key");
    }
    if (rc == 0 && store_commit(e->st) != 0)
        rc = -1, snprintf(why, nwhy, "%s", store_error(e->st));
    if (rc != 0) {
        store_rollback(e->st);
        free(*key_out);
        if (*secret_out)
            memset(*secret_out, 0, strlen(*secret_out));
        free(*secret_out);
        *key_out = *secret_out = NULL;
    }
    return rc;
}
