/* searcher.c - how scripts reach the library.
 *
 * package.path gets the shipped library (scripts/lib). The AWS modules (aws, iam,
 * sts) live in iamsh_aws.so, which links libcurl, OpenSSL and libxml2: loading
 * them costs more than the rest of start-up together, so the module is loaded by
 * a searcher the first time `require` asks for one of them, and the globals
 * aws/iam/sts are filled in on first use by an __index on _G. A script that
 * never touches AWS (`iamsh -e ''`, --help) never pays for those libraries.
 *
 * The shipped library is also precompiled at build (and install) time
 * (tools/precompile.lua): a searcher ahead of Lua's own finds the file Lua would
 * load and, when it is one of the library's, loads its chunk instead while the
 * source is the file it was made from (same size and modification
 * time, as Python checks its .pyc files), which spares compiling ~160 KB of
 * Lua on every run (a third of the SageMaker set-up's instructions). The chunks
 * keep their debug information and their source's name, so errors and
 * tracebacks read the same; a missing, outdated or unloadable chunk falls through
 * to the source. */
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
 * Lazily bound (dynlib.h says why): libstdc++, which libxml2 brings through ICU, has
 * a thousand functions iamsh never calls.
 * It stays mapped until exit even after lua_close's dlclose: finalizers of its objects
 * may still run, and sanitizers and valgrind can then name its functions.  [-0, +0, e] */
static void configure_module(lua_State *L, const char *path)
{
    void *handle = dlopen(path, RTLD_LAZY | RTLD_NODELETE);
    if (!handle)
        luaL_error(L, "cannot load the AWS module %s: %s", path, dlerror());
    iamsh_aws_configure_fn configure;
    *(void **)&configure = dlsym(handle, IAMSH_AWS_CONFIGURE);
    if (!configure)
        luaL_error(L, "cannot load the AWS module %s: it has no %s", path, IAMSH_AWS_CONFIGURE);
    configure(liamsh_run_options()); /* -1 when it has them already: the same ones */
}

/* searcher(name) -> loader, path | nothing  [-1, +0|2, e] */
static int searcher_aws(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    int k;
    for (k = 0; lazy_modules[k]; k++)
        if (strcmp(name, lazy_modules[k]) == 0)
            break;
    if (!lazy_modules[k])
        return 0; /* not one of ours: nothing to add to require's message */
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

/* searcher(name) -> chunk, source path | nothing. The file Lua's own searcher would
 * take (package.searchpath over package.path, so a script's folder still comes first);
 * when that is a file of the shipped library with a current chunk (chunks.c), the
 * chunk; else nothing, and Lua's searcher goes next.  [-1, +0|2, e] */
static int searcher_precompiled(lua_State *L)
{
    luaL_checkstring(L, 1);
    const char *lib = lua_tostring(L, lua_upvalueindex(1));
    size_t n = strlen(lib);
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "searchpath");
    lua_pushvalue(L, 1);
    lua_getfield(L, -3, "path");
    lua_call(L, 2, 1);
    const char *src = lua_tostring(L, -1);
    size_t len = src ? strlen(src) : 0;
    if (!src || len <= n + 5 || strncmp(src, lib, n) != 0 || src[n] != '/' ||
        strcmp(src + len - 4, ".lua") != 0)
        return 0;
    const char *bin = lua_pushfstring(L, "%s%sc", lua_tostring(L, lua_upvalueindex(2)), src + n);
    if (!chunks_load(L, src, bin))
        return 0;
    lua_pushvalue(L, -3); /* chunk, source path */
    return 2;
}

/* Insert searcher f (with n upvalues on the stack) at position pos of package.searchers. */
static void insert_searcher(lua_State *L, lua_CFunction f, int n, lua_Integer pos)
{
    lua_pushcclosure(L, f, n);
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "searchers");
    for (lua_Integer i = luaL_len(L, -1); i >= pos; i--) {
        lua_rawgeti(L, -1, i);
        lua_rawseti(L, -2, i + 1);
    }
    lua_pushvalue(L, -3);
    lua_rawseti(L, -2, pos);
    lua_pop(L, 3);
}

void searcher_add_chunks(lua_State *L, const char *lib, const char *luac)
{
    lua_pushstring(L, lib);
    lua_pushstring(L, luac);
    insert_searcher(L, searcher_precompiled, 2, 2);
}

static void add_searchers(lua_State *L, const host_paths *p)
{
    /* The shipped library's chunks, then ahead of them (after preload, and before the
     * file searchers: a stray aws.lua on the path must not shadow the real module) the
     * AWS module's. */
    lua_pushfstring(L, "%s/lib", p->scripts);
    searcher_add_chunks(L, lua_tostring(L, -1), p->bytecode);
    lua_pop(L, 1);
    lua_pushstring(L, p->module);
    insert_searcher(L, searcher_aws, 1, 2);
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
    add_searchers(L, p);
    lua_pushglobaltable(L);
    lua_newtable(L);
    lua_pushcfunction(L, lazy_global);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_pop(L, 1);
    publish_lazy_names(L);
}
