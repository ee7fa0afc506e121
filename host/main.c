/* main.c - iamsh: a Lua 5.4 shell with the AWS IAM and STS APIs.
 *
 * Everything after option parsing happens inside one protected call (pmain), as in
 * lua.c, so that no Lua error can escape unreported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "lauxlib.h"
#include "lualib.h"

/* arg = {[0]=script, args...} with key=value pairs also as fields; then the
 * same strings as varargs.  [-0, +n, m] returns n */
static int push_script_args(lua_State *L, const char *script, char **args, int nargs)
{
    lua_createtable(L, nargs, 0);
    lua_pushstring(L, script);
    lua_rawseti(L, -2, 0);
    for (int i = 0; i < nargs; i++) {
        lua_pushstring(L, args[i]);
        lua_rawseti(L, -2, i + 1);
        const char *eq = strchr(args[i], '=');
        if (eq && eq != args[i]) {
            lua_pushlstring(L, args[i], (size_t)(eq - args[i]));
            lua_pushstring(L, eq + 1);
            lua_rawset(L, -3);
        }
    }
    lua_setglobal(L, "arg");
    luaL_checkstack(L, nargs, "too many arguments");
    for (int i = 0; i < nargs; i++)
        lua_pushstring(L, args[i]);
    return nargs;
}

static int run_chunk(lua_State *L, const host_options *o)
{
    if (luaL_loadbuffer(L, o->chunk, strlen(o->chunk), "=(command line)") != LUA_OK) {
        fprintf(stderr, "iamsh: %s\n", lua_tostring(L, -1));
        return EXIT_SCRIPT;
    }
    int n = push_script_args(L, "-e", o->args, o->nargs);
    return report_pcall(L, n, 0);
}

/* run and list are Lua: scripts/lib/iamsh/runner.lua returns an exit code. */
static int run_runner(lua_State *L, const host_options *o)
{
    lua_getglobal(L, "require");
    lua_pushliteral(L, "iamsh.runner");
    int rc = report_pcall(L, 1, 1);
    if (rc != EXIT_OK)
        return rc;
    lua_getfield(L, -1, "main");
    lua_pushstring(L, o->command);
    lua_createtable(L, o->nargs, 0);
    for (int i = 0; i < o->nargs; i++) {
        lua_pushstring(L, o->args[i]);
        lua_rawseti(L, -2, i + 1);
    }
    rc = report_pcall(L, 2, 1);
    if (rc != EXIT_OK)
        return rc;
    return (int)luaL_optinteger(L, -1, EXIT_OK);
}

static int print_versions(lua_State *L)
{
    printf("iamsh %s\n%s\n", IAMSH_VERSION, LUA_RELEASE);
    lua_getglobal(L, "require");
    lua_pushliteral(L, "aws");
    int rc = report_pcall(L, 1, 1);
    if (rc != EXIT_OK)
        return rc;
    lua_getfield(L, -1, "versions");
    rc = report_pcall(L, 0, 1);
    if (rc != EXIT_OK)
        return rc;
    static const char *const libs[] = {"libcurl", "openssl", "libxml2", "cjson", NULL};
    for (int i = 0; libs[i]; i++) {
        lua_getfield(L, -1, libs[i]);
        if (lua_isstring(L, -1))
            printf("%s\n", lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    return EXIT_OK;
}

static int pmain(lua_State *L)
{
    const host_options *o = lua_touserdata(L, 1);
    host_paths paths;
    int rc;
    luaL_checkversion(L);
    luaL_openlibs(L);
    memset(&paths, 0, sizeof paths);
    paths_find(&paths); /* if the module is missing, the searcher names the path it tried */
    liamsh_install(L, o, &paths);
    searcher_install(L, &paths);
    report_install_signals(L);
    if (strcmp(o->command, "eval") == 0)
        rc = run_chunk(L, o);
    else if (strcmp(o->command, "version") == 0)
        rc = print_versions(L);
    else
        rc = run_runner(L, o);
    lua_pushinteger(L, rc);
    return 1;
}

int main(int argc, char **argv)
{
    host_options o;
    int rc = options_parse(argc, argv, &o);
    if (rc != 0)
        return rc;
    if (strcmp(o.command, "help") == 0) {
        options_usage(stdout);
        return EXIT_OK;
    }
    lua_State *L = luaL_newstate();
    if (!L) {
        fputs("iamsh: cannot create a Lua state: not enough memory\n", stderr);
        return EXIT_SCRIPT;
    }
    lua_pushcfunction(L, pmain);
    lua_pushlightuserdata(L, &o);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        fprintf(stderr, "iamsh: %s\n", lua_tostring(L, -1));
        rc = EXIT_SCRIPT;
    } else {
        rc = (int)lua_tointeger(L, -1);
    }
    lua_close(L);
    return rc;
}
