/* boundary.h - what the iamsh program and iamsh_aws.so (loaded with dlopen on first
 * use) agree on: the run options the program hands over once, the entry point that
 * takes them, the error kinds of the error objects, which the program turns into exit
 * codes, and every name either side keeps in the Lua registry. No lua.h here: the
 * names are plain strings. */
#ifndef IAMSH_BOUNDARY_H
#define IAMSH_BOUNDARY_H
#include <signal.h>
#include <stddef.h>

/* The shipped Lua library, as the program found it (host/program/paths.c): the scripts,
 * the library's precompiled chunks (tools/precompile.lua) and the program's searcher
 * for them (host/program/searcher.c, chunks.c). The local endpoint's Lua states put the
 * same searcher on their package.searchers, so its handlers load from chunks instead of
 * being compiled at every start, with no second copy of the loader: iamsh_local.so
 * takes its Lua from the program too. */
struct lua_State;
typedef struct iamsh_library {
    const char *scripts_dir; /* the shipped scripts: the library is its lib/ */
    const char *luac_dir;    /* the library's chunks; NULL: none */
    /* Put the chunks' searcher on L's package.searchers, right after preload: a module
     * whose file package.path finds in lib_dir loads from its chunk in luac_dir while
     * that was made from the file as it is now. NULL: none. */
    void (*add_searcher)(struct lua_State *L, const char *lib_dir, const char *luac_dir);
} iamsh_library;

/* The command line's run options. The program fills one when it starts and hands it
 * to the module before the module's first luaopen_*; the module copies it into its
 * own memory and never takes another, so nothing a script does (iamsh.options, the
 * registry, the debug library) reaches it. */
#define IAMSH_RUN_OPTIONS_MAGIC 0x69616d73u /* "iams": refuses a pointer to anything else */

typedef struct iamsh_run_options {
    unsigned magic;                                          /* IAMSH_RUN_OPTIONS_MAGIC */
    unsigned size;                                           /* sizeof(iamsh_run_options) */
    const char *profile, *region, *endpoint_url, *ca_bundle; /* NULL when not given */
    int plan;                           /* --plan: only read-only operations are sent */
    int debug;                          /* --debug: the wire log on stderr */
    int quiet;                          /* --quiet */
    volatile sig_atomic_t *interrupted; /* Ctrl-C: stop a transfer, make no retry */
    unsigned long max_response;         /* IAMSH_MAX_RESPONSE in bytes; 0: the default */
    /* --local[=FILE]: IAM and STS answered in this process by the local endpoint
     * (iamsh_local.so at local_module), its state in local_state; NULL otherwise. */
    const char *local_state, *local_module;
    iamsh_library library; /* the shipped scripts: the local endpoint's handlers */
} iamsh_run_options;

/* In iamsh_aws.so (bindings/lsession.c), found by the program with dlsym: 0 when the
 * options are taken; -1 when the module already has options or the pointer is not to
 * an iamsh_run_options. */
int iamsh_aws_configure(const iamsh_run_options *options);
#define IAMSH_AWS_CONFIGURE "iamsh_aws_configure"
typedef int (*iamsh_aws_configure_fn)(const iamsh_run_options *options);

/* iamsh_local.so (host/server): the local IAM and STS endpoint, loaded only by
 * `iamsh serve` (from the program) and by --local (from iamsh_aws.so), found with dlsym.
 * Its signatures use the core's types (http.h, err.h); the program does not include
 * those and only calls the serve entry. */
struct http_request;
struct http_response;
struct aws_err;

/* `iamsh serve ARGS`: parses its own options, serves until SIGINT or SIGTERM; the exit
 * code. */
#define IAMSH_LOCAL_SERVE "iamsh_local_serve"
typedef int (*iamsh_local_serve_fn)(int argc, char **argv, const iamsh_library *library, int quiet);
int iamsh_local_serve(int argc, char **argv, const iamsh_library *library, int quiet);

/* --local: an endpoint in this process. exchange answers one request as the HTTP
 * transport would have sent it (http.h's http_exchange_fn). root_key_id/root_secret:
 * the root's keys in effect (the environment's, else the state's), for a client that
 * has no credentials of its own. close frees it all. */
typedef struct iamsh_local_endpoint {
    int (*exchange)(void *ud, const struct http_request *req, struct http_response *resp,
                    struct aws_err *err);
    void *ud;
    const char *root_key_id, *root_secret, *account;
    void (*close)(void *ud);
} iamsh_local_endpoint;

#define IAMSH_LOCAL_OPEN "iamsh_local_open"
/* 0, or -1 with why (a bad state file, handlers that do not load). */
typedef int (*iamsh_local_open_fn)(const char *state, const iamsh_library *library,
                                   iamsh_local_endpoint *out, char *why, size_t nwhy);
int iamsh_local_open(const char *state, const iamsh_library *library, iamsh_local_endpoint *out,
                     char *why, size_t nwhy);

/* The "kind" field of error objects: aws.Error (bindings/lerror.c) and the errors of
 * the Lua library (scripts/lib/iamsh/errors.lua). host/program/report.c maps each to
 * the exit code the AWS CLI uses. */
#define ERR_KIND_SERVICE "service"         /* 254 */
#define ERR_KIND_CONFIG "config"           /* 253 */
#define ERR_KIND_CREDENTIALS "credentials" /* 253 */
#define ERR_KIND_TRANSPORT "transport"     /* 255 */
#define ERR_KIND_PARSE "parse"             /* 255 */
#define ERR_KIND_WAITER "waiter"           /* 255, as `aws ... wait` */
#define ERR_KIND_PARAM "param"             /* 252, as the CLI's ParamValidation */
#define ERR_KIND_USAGE "usage"             /* 252 */
#define ERR_KIND_PLAN "plan"               /* 1: a write refused under --plan */
#define ERR_KIND_SCRIPT "script"           /* 1 */
#define ERR_KIND_INTERNAL "internal"       /* 1 */

/* Names in the Lua registry, each owned by the one file named. */
#define REG_TRACEBACK "iamsh.traceback" /* host/program/report.c: the last error's traceback */
#define REG_REPL "iamsh.repl"           /* host/program/repl.c: the REPL's Lua side (iamsh.repl) */
#define REG_SESSION "aws.session"       /* bindings/lsession.c: config, client, credentials */
#define REG_SECRETS "aws.secrets"       /* bindings/lcall.c: strings results held as secrets */
#define REG_SECRET_SHAPES "aws.secret_shapes" /* bindings/lcall.c: outputs that may hold one */
#define REG_ERROR_MT "aws.Error"              /* bindings/lerror.c: the aws.Error metatable */
#define REG_JSON_ARRAY_MT "aws.json.array"    /* bindings/ljson.c: marks a table as an array */
#define REG_BOX_MT "aws.box"                  /* bindings/ljson.c: a cJSON tree the GC frees */

#endif
