/* host.h - the iamsh program's internal interfaces (not part of the AWS core). */
#ifndef IAMSH_HOST_H
#define IAMSH_HOST_H
#include <signal.h>
#include <stdio.h>
#include "lua.h"

/* Exit codes, as the AWS CLI uses them. */
enum {
    EXIT_OK = 0,
    EXIT_SCRIPT = 1,       /* any other script error */
    EXIT_PLAN_CHANGES = 2, /* --plan: changes are pending */
    EXIT_USAGE = 252,      /* bad command line */
    EXIT_CONFIG = 253,     /* configuration or credentials problem */
    EXIT_SERVICE = 254,    /* an uncaught AWS service error */
    EXIT_TRANSPORT = 255,  /* endpoint unreachable, TLS failure, unreadable response */
    EXIT_INTERRUPTED = 130,
};

typedef struct host_options {
    const char *profile, *region, *endpoint_url, *ca_bundle;
    const char *local_state; /* --local[=FILE]: the local endpoint's state; NULL otherwise */
    int debug, plan, quiet;
    int interactive;     /* -i: the REPL after the script (or instead of one) */
    const char *command; /* "run", "eval", "stdin", "list", "repl", "serve", "help", "version" */
    const char *chunk;   /* -e CODE */
    char **args;         /* what follows the command */
    int nargs;
} host_options;

/* options.c */
int options_parse(int argc, char **argv, host_options *o); /* 0, or EXIT_USAGE after a message */
void options_usage(FILE *out);

/* paths.c: where the module and the scripts are (build tree or install prefix). */
typedef struct host_paths {
    char module[4096];   /* iamsh_aws.so */
    char local[4096];    /* iamsh_local.so: the local endpoint (serve, --local) */
    char scripts[4096];  /* the shipped scripts/ folder */
    char docs[4096];     /* docs/ (help() reads function documentation from it) */
    char bytecode[4096]; /* the shipped library precompiled (tools/precompile.lua) */
} host_paths;
int paths_find(host_paths *p);

/* searcher.c: package.path, the lazy AWS module and the lazy globals (aws, iam, sts,
 * provision, policy and the REPL's helpers). Call after liamsh_install. */
void searcher_install(lua_State *L, const host_paths *p); /* [-0, +0, e] */
/* The precompiled chunks' searcher on L's package.searchers, right after preload, for the
 * library in lib and its chunks in luac (boundary.h's iamsh_library.add_searcher: the
 * local endpoint's Lua states take it too).  [-0, +0, e] */
void searcher_add_chunks(lua_State *L, const char *lib, const char *luac);

/* chunks.c: the precompiled chunk bin of the source file src, when it was made from
 * src as it is now, named as src: 1 with the function pushed, else 0 (nothing).
 * [-0, +1|0, m] */
int chunks_load(lua_State *L, const char *src, const char *bin);

/* liamsh.c: the built-in modules "iamsh" and "iamsh.fs". */
void liamsh_install(lua_State *L, const host_options *o, const host_paths *p); /* [-0, +0, e] */
/* The run options liamsh_install made from o: what the AWS module is handed. */
struct iamsh_run_options;
const struct iamsh_run_options *liamsh_run_options(void);

/* report.c: run a function on the stack protected; classify and print the error. */
extern volatile sig_atomic_t host_interrupted;
void report_install_signals(lua_State *L);
int report_pcall(lua_State *L, int nargs,
                 int nresults); /* [-(nargs+1), +(nresults|0), -] returns exit code */
/* The same, printing an error as the REPL shows it (no "iamsh: " prefix); an
 * interrupt is reported and cleared, so the next Ctrl-C interrupts again. */
int report_pcall_repl(lua_State *L, int nargs, int nresults); /* [-(nargs+1), +(nresults|0), -] */

/* limits.c: the Lua heap cap (IAMSH_MEMORY_LIMIT, default 1 GiB) and no core dumps. */
int limits_parse_size(const char *s, size_t *out); /* "512M" -> bytes; 0 or -1 */
int limits_configure(void);                        /* 0, or EXIT_USAGE after a message */
void limits_install(lua_State *L);
size_t limits_heap_cap(void);
size_t limits_max_response(void); /* IAMSH_MAX_RESPONSE; 0: the default */
void limits_harden(int debug);

/* local.c: `iamsh serve` (iamsh_local.so's entry); returns the exit code. */
int local_serve(const host_options *o, const host_paths *p);
/* The --local banner on stderr (one line), unless --quiet. */
void local_banner(const host_options *o);

/* repl.c: the interactive shell; returns the exit code (0 after Ctrl-D). */
int repl_run(lua_State *L);
/* A line describing the line editor, for --version. */
const char *repl_editor_version(void);

#endif
