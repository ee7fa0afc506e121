/* searcher.c - how scripts reach the library.
 *
 * package.path gets the shipped library (scripts/lib). The AWS modules (aws, iam,
 * sts) live in iamsh_aws.so, which links libcurl, OpenSSL and libxml2: loading
 * them costs more than the rest of start-up together, so the module is loaded by
 * a searcher the first time `require` asks for one of them, and the globals
 * aws/iam/sts are filled in on first use by an __index on _G. A script that
 * never touches AWS (`iamsh -e ''`, --help) never pays for those libraries. */
#include <dlfcn.h>
#include <string.h>

#include "host.h"
#include "iamsh/boundary.h"
#include "lauxlib.h"

static const char *const lazy_modules[] = {"aws", "iam", "sts", NULL};

/* Globals that appear on first use: a module (field NULL) or one of its fields.
 * The REPL's helpers are also plain functions for scripts (pp, help, show...),
 * and none of them costs anything until it is touched. */
static const struct lazy_global {
    const char *name, *module, *field;
} lazy_globals[] = {
    {"aws", "aws", NULL},
    {"iam", "iam", NULL},
    {"sts", "sts", NULL},
    {"provision", "provision", NULL},
    {"policy", "policy", NULL},
    {"pp", "iamsh.pp", "pp"},
    {"tabulate", "iamsh.pp", "tabulate"},
    {"reveal", "iamsh.pp", "reveal"},
    {"help", "iamsh.help", "help"},
    {"whoami", "iamsh.inspect", "whoami"},
    {"show", "iamsh.inspect", "show"},
    {"stale", "iamsh.inspect", "stale"},
    {"can", "policy.account", "can"},
    {"who_can", "policy.account", "who_can"},
    {"who_can_assume", "policy.account", "who_can_assume"},
    {NULL, NULL, NULL},
};

/* Map the module and hand it the run options (boundary.h), before any luaopen_* runs.
 * It stays mapped until exit even after lua_close's dlclose: finalizers of its objects
 * may still run, and sanitizers and valgrind can then name its functions.  [-0, +0, e] */
static void configure_module(lua_State *L, const char *path)
{
    void *handle = dlopen(path, RTLD_NOW | RTLD_NODELETE);
    if (!handle)
        luaL_error(L, "cannot load the AWS module %s: %s", path, dlerror());
    iamsh_aws_configure_fn configure;
    *(void **)&configure = dlsym(handle, IAMSH_AWS_CONFIGURE);
    if (!configure)
        luaL_error(L, "cannot load the AWS module %s: it has no %s", path, IAMSH_AWS_CONFIGURE);
    configure(liamsh_run_options()); /* -1 when it has them already: the same ones */
}

/* searcher(name) -> loader, path | message  [-1, +1|2, e] */
static int searcher_aws(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    int k;
    for (k = 0; lazy_modules[k]; k++)
        if (strcmp(name, lazy_modules[k]) == 0)
            break;
    if (!lazy_modules[k]) {
        lua_pushfstring(L, "\n\tno built-in AWS module '%s'", name);
        return 1;
    }
    const char *path = lua_tostring(L, lua_upvalueindex(1));
    configure_module(L, path);
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "loadlib");
    lua_pushstring(L, path);
    lua_pushfstring(L, "luaopen_%s", name);
    lua_call(L, 2, 2);
    if (lua_isnil(L, -2))
        return luaL_error(L, "cannot load the AWS module %s: %s", path, lua_tostring(L, -1));
    lua_pop(L, 1);
    lua_pushstring(L, path);
    return 2;
}

/* _G.__index(t, k): the lazy globals appear on first use.  [-2, +1, e] */
static int lazy_global(lua_State *L)
{
    const char *k = lua_tostring(L, 2);
    if (!k || lua_type(L, 2) != LUA_TSTRING)
        return 0;
    for (const struct lazy_global *g = lazy_globals; g->name; g++) {
        if (strcmp(k, g->name) != 0)
            continue;
        lua_getglobal(L, "require");
        lua_pushstring(L, g->module);
        lua_call(L, 1, 1);
        if (g->field) {
            lua_getfield(L, -1, g->field);
            if (lua_isnil(L, -1))
                return luaL_error(L, "module '%s' has no '%s'", g->module, g->field);
        }
        lua_pushvalue(L, 2);
        lua_pushvalue(L, -2);
        lua_rawset(L, 1);
        return 1;
    }
    return 0;
}

/* iamsh.lazy_globals = {names...}, for completion (which must not load them). */
static void publish_lazy_names(lua_State *L)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_getfield(L, -1, "iamsh");
    lua_newtable(L);
    for (int i = 0; lazy_globals[i].name; i++) {
        lua_pushstring(L, lazy_globals[i].name);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "lazy_globals");
    lua_pop(L, 2);
}

static void add_searcher(lua_State *L, const char *module_path)
{
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "searchers");
    lua_pushstring(L, module_path);
    lua_pushcclosure(L, searcher_aws, 1);
    /* After preload (1) and before the file searchers: a stray aws.lua on the path
     * must not shadow the real module. */
    lua_Integer n = luaL_len(L, -2);
    for (lua_Integer i = n; i >= 2; i--) {
        lua_rawgeti(L, -2, i);
        lua_rawseti(L, -3, i + 1);
    }
    lua_rawseti(L, -2, 2);
    lua_pop(L, 2);
}

static void prepend_path(lua_State *L, const char *scripts)
{
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "path");
    lua_pushfstring(L, "%s/lib/?.lua;%s/lib/?/init.lua;%s", scripts, scripts, lua_tostring(L, -1));
    lua_setfield(L, -3, "path");
    lua_pop(L, 2);
}

void searcher_install(lua_State *L, const host_paths *p)
{
    prepend_path(L, p->scripts);
    add_searcher(L, p->module);
    lua_pushglobaltable(L);
    lua_newtable(L);
    lua_pushcfunction(L, lazy_global);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_pop(L, 1);
    publish_lazy_names(L);
}
