/* server.h - the local IAM and STS endpoint's own interfaces (host/server, built into
 * iamsh_local.so with a copy of the core and the bindings): the state store (SQLite),
 * its Lua face, the engine that runs the Lua handlers over it, the HTTP server
 * (libmicrohttpd), `iamsh serve` and the in-process endpoint of `iamsh --local`.
 * Not part of the core: it knows Lua, SQLite and libmicrohttpd. */
#ifndef IAMSH_SERVER_H
#define IAMSH_SERVER_H
#include <stddef.h>

#include "iamsh/boundary.h"
#include "iamsh/buf.h"
#include "iamsh/endpoint.h"
#include "lua.h"

/* --- store.c: JSON documents by collection and key, in SQLite ---------------------------- */

typedef struct store store;
/* Open (creating) the state at path, NULL for one in memory. 0, or -1 with why. */
int store_open(const char *path, store **out, char *why, size_t nwhy);
void store_close(store *s);
const char *store_error(const store *s); /* the last failure, for messages */
/* One transaction at a time; write takes the write lock at once (BEGIN IMMEDIATE). */
int store_begin(store *s, int write);
int store_commit(store *s); /* a failed commit is rolled back */
int store_rollback(store *s);
/* 1 with the document's JSON text in json, 0 absent, -1 error. */
int store_get(store *s, const char *coll, const char *key, buf *json);
int store_put(store *s, const char *coll, const char *key, const char *json); /* 0, -1 */
int store_delete(store *s, const char *coll, const char *key); /* 1 existed, 0 not, -1 */
/* Each document whose key starts with prefix and sorts after after (NULL: from the
 * start), in key order, at most limit (<= 0: all): row returns 0 to go on. The count
 * of rows, or -1. */
typedef int store_row_fn(void *ud, const char *key, const char *json, size_t len);
int store_list(store *s, const char *coll, const char *prefix, const char *after, long limit,
               store_row_fn *row, void *ud);
long store_count(store *s, const char *coll, const char *prefix); /* -1 on error */
int store_meta_get(store *s, const char *name, char **value);     /* 1 (*value malloc'd), 0, -1 */
int store_meta_put(store *s, const char *name, const char *value);

/* --- lstore.c: the Lua module iamsh.store over one store --------------------------------- */

/* package.preload["iamsh.store"] for this state, bound to s.  [-0, +0, e] */
void lstore_preload(lua_State *L, store *s);
/* A random id: prefix followed by n characters of upper-case base32 (AWS's ids:
 * "AROA" + 17) or, with secret, of the base64 alphabet (secret keys, tokens). */
int lstore_random(char *out, size_t size, const char *prefix, size_t n, int secret);

/* --- engine.c: a Lua state running the handlers (iamsh.local) over a store ----------------- */

typedef struct engine_config {
    const char *state;            /* the SQLite file; NULL: in memory */
    const iamsh_library *library; /* the shipped scripts (the handlers are in its lib/),
                                   * their chunks and the program's searcher of them */
    const char *handlers;         /* a Lua file returning the handlers' module instead of
                                   * require "iamsh.local" (tests); NULL */
    const char *account;          /* --account-id; NULL: the state's, else 123456789012 */
    int enforce_soft;             /* --enforce=soft: handlers log denials and allow */
} engine_config;

typedef struct engine engine;
int engine_open(const engine_config *c, engine **out, char *why, size_t nwhy);
void engine_close(engine *e);
/* Keys the environment gave at start: the root's, held in memory only (never written to
 * the state), unless the state knows that key (asked here, once): then it stays what the
 * state says. NULL clears. 1 taken, 0 not (the state's), -1 error. */
int engine_set_root_key(engine *e, const char *key, const char *secret);
/* The endpoint backend over this engine (its callbacks take e). */
void engine_backend(engine *e, endpoint_backend *out);
const char *engine_account(const engine *e);
/* The root's keys: the given ones made the root's (environment keys at start), or the
 * state's, or new ones (*created = 1). The strings are malloc'd; wipe and free them.
 * 0, or -1 with why. */
int engine_root_keys(engine *e, const char *key_id, const char *secret, char **key_out,
                     char **secret_out, int *created, char *why, size_t nwhy);

/* --- watchdog.c: the handlers' deadline, from a thread of its own ---------------------- */

typedef struct watch watch;
/* A watch on L: when an armed call's deadline passes, hook is set on L as a count hook
 * (count 1) from the thread running L. NULL when there is none to be had (then keep a
 * count hook). */
watch *watchdog_add(lua_State *L, lua_Hook hook);
void watchdog_remove(watch *w);
/* Around each call into L, in the thread making it. */
void watchdog_arm(watch *w, double seconds);
void watchdog_disarm(watch *w);

/* --- pool.c: the engines a server shares between its threads ------------------------------ */

typedef struct pool pool;
int pool_open(const engine_config *c, int size, pool **out, char *why, size_t nwhy);
void pool_close(pool *p);
engine *pool_first(pool *p);
int pool_set_root_key(pool *p, const char *key, const char *secret);
/* Answer one request with an engine of the pool (waiting for one to be free). */
void pool_serve(pool *p, const endpoint_opts *o, const endpoint_request *req,
                endpoint_response *resp);

/* --- httpd.c: HTTP/1.1 (libmicrohttpd) into a pool ------------------------------------------ */

typedef struct httpd_config {
    const char *host; /* an IP address: "127.0.0.1", "::1" */
    int port;         /* 0: a free one */
    int threads;
    int thread_per_connection; /* each connection its own thread (threads ignored): a
                                * request's injected latency then delays only its own */
    pool *pool;
    endpoint_opts *opts;
    int quiet; /* log only what went wrong */
} httpd_config;

typedef struct httpd httpd;
int httpd_start(const httpd_config *c, httpd **out, char *why, size_t nwhy);
int httpd_port(const httpd *h);
void httpd_stop(httpd *h); /* requests in flight finish first */

/* --- log.c: one line a request, on stderr -------------------------------------------------- */

void log_request(const endpoint_response *r, double ms, int quiet);
void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
