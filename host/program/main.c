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

/* run, -e, stdin and list are Lua (scripts/lib/iamsh/runner.lua): one path, so
 * every kind of script gets the same arguments, plan summary and exit code. */
static int run_runner(lua_State *L, const host_options *o)
{
    lua_getglobal(L, "require");
    lua_pushliteral(L, "iamsh.runner");
    int rc = report_pcall(L, 1, 1);
    if (rc != EXIT_OK)
        return rc;
    lua_getfield(L, -1, "main");
    lua_remove(L, -2);
    lua_pushstring(L, o->command);
    lua_createtable(L, o->nargs, 0);
    for (int i = 0; i < o->nargs; i++) {
        lua_pushstring(L, o->args[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_pushstring(L, o->chunk); /* nil unless -e */
    rc = report_pcall(L, 3, 1);
    if (rc != EXIT_OK)
        return rc;
    rc = (int)luaL_optinteger(L, -1, EXIT_OK);
    lua_pop(L, 1);
    return rc;
}

static int print_versions(lua_State *L)
{
    printf("iamsh %s\n%s\n%s\n", IAMSH_VERSION, LUA_RELEASE, repl_editor_version());
    lua_getglobal(L, "require");
    lua_pushliteral(L, "aws");
    int rc = report_pcall(L, 1, 1);
    if (rc != EXIT_OK)
        return rc;
    lua_getfield(L, -1, "versions");
    rc = report_pcall(L, 0, 1);
    if (rc != EXIT_OK)
        return rc;
    static const char *const libs[] = {"libcurl", "openssl", "libxml2", "cjson", "pcre2", NULL};
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
    if (strcmp(o->command, "version") == 0)
        rc = print_versions(L);
    else if (strcmp(o->command, "repl") == 0)
        rc = repl_run(L);
    else
        rc = run_runner(L, o);
    /* -i: the REPL after the script, with its globals (also after a failure:
     * that is when one wants to look around). */
    if (o->interactive && strcmp(o->command, "repl") != 0 && rc != EXIT_INTERRUPTED)
        rc = repl_run(L);
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
    limits_harden(o.debug);
    if ((rc = limits_configure()) != 0)
        return rc;
    if (strcmp(o.command, "serve") == 0) {
        host_paths paths;
        memset(&paths, 0, sizeof paths);
        paths_find(&paths);
        return local_serve(&o, &paths);
    }
    local_banner(&o);
    lua_State *L = luaL_newstate();
    if (!L) {
        fputs("iamsh: cannot create a Lua state: not enough memory\n", stderr);
        return EXIT_SCRIPT;
    }
    limits_install(L);
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
