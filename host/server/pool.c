/* pool.c - the engines a server's threads share. A request borrows a free engine (one
 * Lua state and its own store connection) and gives it back; with one engine, the
 * handlers run one at a time while HTTP, signature checks, parsing and rendering of
 * other requests go on in the other threads (docs/local-endpoint.md says why one). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "server.h"

struct pool {
    engine **engines;
    int *free_list;
    int size, nfree;
    pthread_mutex_t lock;
    pthread_cond_t freed;
};

int pool_open(const engine_config *c, int size, pool **out, char *why, size_t nwhy)
{
    pool *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p || !(p->engines = calloc((size_t)size, sizeof *p->engines)) ||
        !(p->free_list = calloc((size_t)size, sizeof *p->free_list))) {
        pool_close(p);
        return snprintf(why, nwhy, "out of memory"), -1;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    for (; p->size < size; p->size++) {
        if (engine_open(c, &p->engines[p->size], why, nwhy) != 0) {
            pool_close(p);
            return -1;
        }
        p->free_list[p->nfree++] = p->size;
    }
    *out = p;
    return 0;
}

void pool_close(pool *p)
{
    if (!p)
        return;
    for (int i = 0; p->engines && i < p->size; i++)
        engine_close(p->engines[i]);
    if (p->engines) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->freed);
    }
    free(p->engines);
    free(p->free_list);
    free(p);
}

engine *pool_first(pool *p)
{
    return p->engines[0];
}

int pool_set_root_key(pool *p, const char *key, const char *secret)
{
    int rc = 0;
    for (int i = 0; i < p->size && rc >= 0; i++)
        rc = engine_set_root_key(p->engines[i], key, secret);
    return rc;
}

/* A request's hold on an engine: taken when the endpoint begins the transaction and
 * given back when it ends it, so only the handler's part of a request waits for one. */
typedef struct lease {
    pool *p;
    int i;
    endpoint_backend b;
} lease;

static void take(lease *l)
{
    pool *p = l->p;
    pthread_mutex_lock(&p->lock);
    while (p->nfree == 0)
        pthread_cond_wait(&p->freed, &p->lock);
    l->i = p->free_list[--p->nfree];
    pthread_mutex_unlock(&p->lock);
    engine_backend(p->engines[l->i], &l->b);
}

static void give_back(lease *l)
{
    pool *p = l->p;
    pthread_mutex_lock(&p->lock);
    p->free_list[p->nfree++] = l->i;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

static int lease_begin(void *ud, const model_op *op, aws_err *err)
{
    lease *l = ud;
    take(l);
    int rc = l->b.begin(l->b.ud, op, err);
    if (rc != 0)
        give_back(l); /* no end follows a failed begin */
    return rc;
}

static int lease_credentials(void *ud, const char *key, endpoint_creds *out, aws_err *err)
{
    lease *l = ud;
    return l->b.credentials(l->b.ud, key, out, err);
}

static int lease_handle(void *ud, const endpoint_call *call, cJSON **result, buf *reason,
                        aws_err *err)
{
    lease *l = ud;
    return l->b.handle(l->b.ud, call, result, reason, err);
}

static int lease_end(void *ud, int commit, aws_err *err)
{
    lease *l = ud;
    int rc = l->b.end(l->b.ud, commit, err);
    give_back(l);
    return rc;
}

void pool_serve(pool *p, const endpoint_opts *o, const endpoint_request *req,
                endpoint_response *resp)
{
    lease l = {p, -1, {0}};
    endpoint_backend b = {&l, lease_begin, lease_credentials, lease_handle, lease_end};
    endpoint_serve(o, &b, req, resp);
}
