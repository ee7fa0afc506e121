/* report.c - every entry into Lua goes through report_pcall: a message handler
 * that keeps the error object (AWS errors are tables) and records a traceback,
 * then one clear line on stderr and the exit code the AWS CLI would use.
 * Ctrl-C works as in lua.c: the signal handler only sets a hook. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "iamsh/boundary.h"
#include "lauxlib.h"

volatile sig_atomic_t host_interrupted;
static lua_State *signal_state;

static void interrupt_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted");
}

static void on_sigint(int sig)
{
    signal(sig, SIG_DFL); /* a second Ctrl-C ends the process at once */
    host_interrupted = 1;
    if (signal_state)
        lua_sethook(signal_state, interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

void report_install_signals(lua_State *L)
{
    signal_state = L;
    host_interrupted = 0;
    lua_sethook(L, NULL, 0, 0);
    signal(SIGINT, on_sigint);
}

/* Keep the error value as it is; note the traceback beside it.  [-1, +1, m] */
static int msghandler(lua_State *L)
{
    luaL_traceback(L, L, NULL, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_TRACEBACK);
    return 1;
}

/* The kind of an error object: a table with a string field "kind" (set by the
 * AWS module and the script runner), or NULL for any other error value. */
static const char *error_kind(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TTABLE)
        return NULL;
    lua_pushliteral(L, "kind");
    lua_rawget(L, idx < 0 ? idx - 1 : idx);
    const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    lua_pop(L, 1); /* still anchored by the error table */
    return k;
}

static int exit_code_of(const char *kind)
{
    static const struct {
        const char *kind;
        int code;
    } map[] = {
        {ERR_KIND_SERVICE, EXIT_SERVICE},    {ERR_KIND_CONFIG, EXIT_CONFIG},
        {ERR_KIND_CREDENTIALS, EXIT_CONFIG}, {ERR_KIND_TRANSPORT, EXIT_TRANSPORT},
        {ERR_KIND_PARSE, EXIT_TRANSPORT},    {ERR_KIND_USAGE, EXIT_USAGE},
        {ERR_KIND_PARAM, EXIT_USAGE}, /* as the AWS CLI's ParamValidation */
        {ERR_KIND_SCRIPT, EXIT_SCRIPT},      {ERR_KIND_PLAN, EXIT_SCRIPT},
        {ERR_KIND_WAITER, EXIT_TRANSPORT}, /* as `aws ... wait`: 255 when a waiter fails */
    };
    for (size_t i = 0; kind && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(kind, map[i].kind) == 0)
            return map[i].code;
    return EXIT_SCRIPT;
}

/* tostring(err), protected: a broken __tostring must not take the process down. */
static int to_message(lua_State *L)
{
    luaL_tolstring(L, 1, NULL);
    return 1;
}

/* Frames of a traceback that are Lua code (not "[C]: ..."). */
static int lua_frames(const char *tb, size_t n)
{
    int frames = 0;
    for (const char *p = tb; p && p < tb + n; p = memchr(p, '\n', (size_t)(tb + n - p))) {
        p++;
        if (p < tb + n && *p == '\t' && strncmp(p, "\t[C]:", 5) != 0)
            frames++;
    }
    return frames;
}

/* The traceback recorded by msghandler, without the frames below the script:
 * the runner's, the REPL's and the C entry ("[C]: in ?") are not the user's news.
 * A traceback with one Lua frame says no more than the message's "file:line:",
 * so it is left out unless asked for (--debug).  [-0, +0, m] */
static void print_traceback(lua_State *L, int always)
{
    lua_getfield(L, LUA_REGISTRYINDEX, REG_TRACEBACK);
    size_t n;
    const char *tb = lua_tolstring(L, -1, &n);
    if (tb) {
        const char *cut = strstr(tb, "/iamsh/runner.lua:");
        if (cut)
            while (cut > tb && cut[-1] != '\n')
                cut--;
        n = cut ? (size_t)(cut - tb) : n;
        while (n > 0 && tb[n - 1] == '\n')
            n--;
        static const char tail[] = "\n\t[C]: in ?";
        while (n >= sizeof tail - 1 &&
               memcmp(tb + n - (sizeof tail - 1), tail, sizeof tail - 1) == 0)
            n -= sizeof tail - 1;
        if (always || lua_frames(tb, n) > 1)
            fprintf(stderr, "%.*s\n", (int)n, tb);
    }
    lua_pop(L, 1);
}

static void print_error(lua_State *L, const char *prefix, const char *kind, int debug)
{
    lua_pushcfunction(L, to_message);
    lua_pushvalue(L, -2);
    const char *msg =
        lua_pcall(L, 1, 1, 0) == LUA_OK ? lua_tostring(L, -1) : "(error object without a message)";
    fprintf(stderr, "%s%s\n", prefix, msg ? msg : "(error object is not a string)");
    lua_pop(L, 1);
    /* Errors with a kind (AWS, configuration, usage, parameter validation, plan)
     * are the user's news, not a bug in a script: their line is enough (--debug
     * adds where it happened). */
    if (kind == NULL || debug)
        print_traceback(L, debug);
}

static int pcall_reporting(lua_State *L, int nargs, int nresults, const char *prefix)
{
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, msghandler);
    lua_insert(L, base);
    int status = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    if (status == LUA_OK)
        return EXIT_OK;
    fflush(stdout); /* what the chunk printed comes before its error */
    if (host_interrupted) {
        /* on a terminal the ^C echo ends the line before it */
        fprintf(stderr, "%s%sinterrupted\n", isatty(STDERR_FILENO) ? "\n" : "", prefix);
        lua_pop(L, 1);
        return EXIT_INTERRUPTED;
    }
    if (status == LUA_ERRMEM) {
        fprintf(stderr,
                "%snot enough memory: the Lua heap reached its cap of %zu MiB "
                "(IAMSH_MEMORY_LIMIT raises it)\n",
                prefix, limits_heap_cap() >> 20);
        lua_pop(L, 1);
        return EXIT_SCRIPT;
    }
    const char *kind = error_kind(L, -1);
    print_error(L, prefix, kind, liamsh_run_options()->debug);
    lua_pop(L, 1);
    return exit_code_of(kind);
}

int report_pcall(lua_State *L, int nargs, int nresults)
{
    return pcall_reporting(L, nargs, nresults, "iamsh: ");
}

int report_pcall_repl(lua_State *L, int nargs, int nresults)
{
    int rc = pcall_reporting(L, nargs, nresults, "");
    if (rc == EXIT_INTERRUPTED)
        report_install_signals(L);
    return rc;
}
