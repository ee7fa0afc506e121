/* serve.c - `iamsh serve`: the local IAM and STS endpoint on a port.
 *
 *   iamsh serve [--listen 127.0.0.1:4566] [--state FILE] [--account-id ID]
 *               [--faults SPEC] [--enforce=soft]
 *
 * The first line on stdout is the URL (then, when they were just made, the root's
 * keys as `export` lines); the log is on stderr. SIGINT and SIGTERM stop it cleanly:
 * requests in flight finish, the state is closed. */
#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iamsh/boundary.h"
#include "server.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 252
#define ENGINES 1 /* one Lua state behind the pool: docs/local-endpoint.md says why */

typedef struct serve_args {
    char host[64];
    int port;
    const char *state, *account, *faults;
    int enforce_soft, help;
} serve_args;

static void usage(FILE *out)
{
    fputs(
        "usage: iamsh serve [--listen ADDRESS:PORT] [--state FILE] [--account-id ID]\n"
        "                   [--faults SPEC] [--enforce=soft]\n"
        "\n"
        "A local IAM and STS endpoint (AWS's rules, SigV4, its own state) for the AWS CLI,\n"
        "boto3, Terraform and iamsh (--endpoint-url). Prints its URL first; stops on\n"
        "Ctrl-C or SIGTERM.\n"
        "\n"
        "  --listen ADDRESS:PORT  where to listen (default 127.0.0.1:4566; port 0: any free\n"
        "                         one; [::1]:PORT for IPv6)\n"
        "  --state FILE           keep the state in FILE (SQLite; created when missing);\n"
        "                         default: in memory, gone when the server stops\n"
        "  --account-id ID        the account's id (default 123456789012; a state keeps its own)\n"
        "  --faults SPEC          inject faults, e.g.\n"
        "                         throttle=0.1,error500=0.05,reset=0.02,latency=5ms,seed=7\n"
        "  --enforce=soft         log what authorization would deny, and allow it\n"
        "\n"
        "Root credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY when set (kept in\n"
        "memory only), else the state's (printed once, when they are made).\n",
        out);
}

static int bad(const char *fmt, const char *a)
{
    fprintf(stderr, "iamsh serve: ");
    fprintf(stderr, fmt, a);
    fputs(" (see iamsh serve --help)\n", stderr);
    return -1;
}

/* "127.0.0.1:4566", "[::1]:4566", ":4566" (loopback), "4566". */
static int parse_listen(const char *v, serve_args *a)
{
    const char *colon = strrchr(v, ':'), *port = colon ? colon + 1 : v;
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 0 || p > 65535)
        return bad("--listen %s: expected ADDRESS:PORT with a port from 0 to 65535", v);
    a->port = (int)p;
    if (!colon || colon == v)
        return 0;
    size_t n = (size_t)(colon - v);
    if (v[0] == '[' && n >= 2 && v[n - 1] == ']')
        v++, n -= 2;
    if (n >= sizeof a->host)
        return bad("--listen %s: the address is too long", v);
    memcpy(a->host, v, n);
    a->host[n] = '\0';
    return 0;
}

static int valid_account(const char *id)
{
    size_t n = strlen(id);
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)id[i]))
            return 0;
    return n == 12;
}

/* "--name VALUE" or "--name=VALUE": 1 taken, 0 not this option, -1 bad. */
static int value_of(int argc, char **argv, int *i, const char *name, const char **out)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0 || (argv[*i][n] != '=' && argv[*i][n] != '\0'))
        return 0;
    if (argv[*i][n] == '=')
        *out = argv[*i] + n + 1;
    else if (*i + 1 < argc)
        *out = argv[++*i];
    else
        return bad("%s needs a value", name);
    return **out ? 1 : bad("%s needs a non-empty value", name);
}

static int parse_one(int argc, char **argv, int *i, serve_args *a)
{
    const char *v = NULL;
    int r;
    if (strcmp(argv[*i], "--help") == 0 || strcmp(argv[*i], "-h") == 0)
        return a->help = 1, 0;
    if ((r = value_of(argc, argv, i, "--listen", &v)) != 0)
        return r < 0 ? -1 : parse_listen(v, a);
    if ((r = value_of(argc, argv, i, "--state", &a->state)) != 0)
        return r < 0 ? -1 : 0;
    if ((r = value_of(argc, argv, i, "--faults", &a->faults)) != 0)
        return r < 0 ? -1 : 0;
    if ((r = value_of(argc, argv, i, "--account-id", &a->account)) != 0)
        return r < 0                       ? -1
               : valid_account(a->account) ? 0
                                           : bad("--account-id %s: not 12 digits", a->account);
    if ((r = value_of(argc, argv, i, "--enforce", &v)) != 0)
        return r < 0                      ? -1
               : strcmp(v, "soft") == 0   ? (a->enforce_soft = 1, 0)
               : strcmp(v, "strict") == 0 ? 0
                                          : bad("--enforce=%s: soft or strict", v);
    return bad("unknown option '%s'", argv[*i]);
}

static int parse_args(int argc, char **argv, serve_args *a)
{
    memset(a, 0, sizeof *a);
    strcpy(a->host, "127.0.0.1");
    a->port = 4566;
    for (int i = 0; i < argc; i++)
        if (parse_one(argc, argv, &i, a) != 0)
            return -1;
    return 0;
}

/* --- start and stop ------------------------------------------------------------------------ */

/* The root's keys: the environment's (memory only), and the state's, returned in key
 * and secret when they were just made (to be shown once). */
static int settle_root(pool *p, char **key, char **secret, char *why, size_t n)
{
    const char *env_key = getenv("AWS_ACCESS_KEY_ID");
    const char *env_secret = getenv("AWS_SECRET_ACCESS_KEY");
    const char *env_token = getenv("AWS_SESSION_TOKEN");
    int from_env = env_key && *env_key && env_secret && *env_secret, created = 0;
    if (engine_root_keys(pool_first(p), NULL, NULL, key, secret, &created, why, n) != 0)
        return -1;
    if (from_env && env_token && *env_token) {
        log_line("iamsh serve: AWS_SESSION_TOKEN is set: the environment's keys are a "
                 "session's, not taken as the root's");
        from_env = 0;
    }
    int taken = from_env ? pool_set_root_key(p, env_key, env_secret) : 0;
    if (taken == 0 && from_env)
        log_line("iamsh serve: AWS_ACCESS_KEY_ID is a key of the state: it stays the state's, "
                 "not the root's");
    if (taken != 0 || !created) { /* only new keys of the state's are shown */
        memset(*secret, 0, strlen(*secret));
        free(*secret);
        free(*key);
        *key = *secret = NULL;
    }
    if (taken < 0)
        return snprintf(why, n, "the handlers' credentials() failed for AWS_ACCESS_KEY_ID"), -1;
    return 0;
}

static void print_url(const serve_args *a, int port)
{
    int v6 = strchr(a->host, ':') != NULL;
    printf("http://%s%s%s:%d\n", v6 ? "[" : "", a->host, v6 ? "]" : "", port);
}

/* The URL first, then the root's keys when they are new; flushed, for whoever waits. */
static void announce(const serve_args *a, int port, char *key, char *secret)
{
    print_url(a, port);
    if (key)
        printf("export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\n", key, secret);
    fflush(stdout);
    if (secret)
        memset(secret, 0, strlen(secret));
    free(secret);
    free(key);
}

static void log_start(const serve_args *a, pool *p, const endpoint_faults *f)
{
    char faults[64] = "";
    if (a->faults)
        snprintf(faults, sizeof faults, ", faults on (seed %llu)", f->seed);
    log_line("iamsh serve: IAM and STS of account %s, state %s%s%s", engine_account(pool_first(p)),
             a->state ? a->state : "in memory", a->enforce_soft ? ", authorization soft" : "",
             faults);
}

/* One HTTP thread a processor (up to 8), and only one on a machine of one or two: the
 * handlers' part of a request runs one at a time, and a thread waiting for it sleeps and
 * is woken (a futex) at every hand-over. On two processors, where the client takes one,
 * a second thread made each request cost 78 instead of 54 µs of CPU and answered 25% fewer
 * of them (tools/bench_serve.py, docs/local-endpoint.md). */
static int http_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n <= 2 ? 1 : n > 8 ? 8 : (int)n;
}

static sigset_t stop_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

/* Signals are blocked before any thread starts (they inherit the mask) and taken by
 * sigwait, so no handler runs inside the server's threads. */
static int run(const serve_args *a, const iamsh_library *library, int quiet)
{
    char why[1024], *key = NULL, *secret = NULL;
    endpoint_faults faults;
    aws_err err;
    if (a->faults && endpoint_faults_parse(a->faults, &faults, &err) != 0)
        return fprintf(stderr, "iamsh serve: %s\n", err.message), EXIT_USAGE;
    endpoint_opts opts = {a->faults ? &faults : NULL, NULL};
    engine_config c = {a->state, library, getenv("IAMSH_LOCAL_HANDLERS"), a->account,
                       a->enforce_soft};
    pool *p = NULL;
    httpd *h = NULL;
    int rc = EXIT_FAILED, sig = 0;
    sigset_t set = stop_signals();
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* Injected latency is slept in the thread that answers: with a thread a connection,
     * it delays that connection only, as a slow AWS would. */
    httpd_config hc = {.host = a->host,
                       .port = a->port,
                       .threads = http_threads(),
                       .thread_per_connection = a->faults && faults.latency > 0,
                       .opts = &opts,
                       .quiet = quiet};
    if (pool_open(&c, ENGINES, &p, why, sizeof why) == 0 &&
        settle_root(p, &key, &secret, why, sizeof why) == 0 &&
        (hc.pool = p, httpd_start(&hc, &h, why, sizeof why)) == 0) {
        announce(a, httpd_port(h), key, secret);
        key = secret = NULL;
        log_start(a, p, &faults);
        sigwait(&set, &sig);
        log_line("iamsh serve: %s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
        rc = 0;
    }
    if (rc != 0)
        fprintf(stderr, "iamsh serve: %s\n", why);
    free(key);
    free(secret);
    httpd_stop(h);
    pool_close(p);
    if (a->faults)
        endpoint_faults_free(&faults);
    return rc;
}

int iamsh_local_serve(int argc, char **argv, const iamsh_library *library, int quiet)
{
    serve_args a;
    if (parse_args(argc, argv, &a) != 0)
        return EXIT_USAGE;
    if (a.help) {
        usage(stdout);
        return 0;
    }
    return run(&a, library, quiet);
}
