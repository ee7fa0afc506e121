/* inproc.c - `iamsh --local`: the local endpoint in the client's own process. The
 * client's transport (http.c) hands each request, exactly as it would have sent it, to
 * exchange: the URL and header lines become what a server would have received (the
 * Host header from the URL, as libcurl would send it), and the same pipeline answers
 * (endpoint_serve over one engine). No socket, no thread. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "iamsh/boundary.h"
#include "iamsh/http.h"
#include "iamsh/sigv4.h"
#include "server.h"

#define MAX_HEADERS 32

typedef struct local {
    engine *e;
    endpoint_opts opts;
    char *root_key, *root_secret;
} local;

/* The request's "Name: value" lines, and Host from the URL, as headers.  -1 if too many. */
static int split_headers(const http_request *req, const sigv4_url *u, char *copies[MAX_HEADERS],
                         sigv4_header *h, size_t *n)
{
    *n = 0;
    h[(*n)++] = (sigv4_header){"Host", u->host};
    for (const char *const *line = req->headers; line && *line; line++) {
        const char *colon = strchr(*line, ':');
        if (!colon || *n == MAX_HEADERS)
            return -1;
        char *copy = strdup(*line);
        if (!copy)
            return -1;
        copies[*n - 1] = copy;
        copy[colon - *line] = '\0';
        const char *v = copy + (colon - *line) + 1;
        h[(*n)++] = (sigv4_header){copy, v + strspn(v, " \t")};
    }
    return 0;
}

/* The answer, as the HTTP transport would have read it. */
static int take_answer(endpoint_response *er, http_response *resp, aws_err *err)
{
    if (er->status == 0)
        return err_set(err, AWS_ERR_TRANSPORT, "TransportError",
                       "connection to the local endpoint closed before an answer (--faults "
                       "reset)");
    resp->status = er->status;
    buf_reset(&resp->body);
    snprintf(resp->request_id, sizeof resp->request_id, "%s", er->request_id);
    if (buf_append(&resp->body, er->body.p ? er->body.p : "", er->body.len) != 0)
        return err_set(err, AWS_ERR_INTERNAL, "InternalError", "out of memory");
    buf_reset(&resp->headers);
    buf_printf(&resp->headers, "x-amzn-RequestId: %s\n", er->request_id);
    if (er->reason.len)
        buf_printf(&resp->headers, "X-Iamsh-Reason: %s\n", er->reason.p);
    return 0;
}

static int exchange(void *ud, const http_request *req, http_response *resp, aws_err *err)
{
    local *l = ud;
    sigv4_url u;
    if (sigv4_parse_url(req->url, strlen(req->url), &u, err) != 0)
        return -1;
    char *copies[MAX_HEADERS] = {0};
    sigv4_header h[MAX_HEADERS];
    size_t n = 0;
    int rc = split_headers(req, &u, copies, h, &n);
    if (rc == 0) {
        endpoint_request er = {req->method, u.path,    u.query,       h,
                               n,           req->body, req->body_len, "127.0.0.1"};
        endpoint_backend b;
        endpoint_response answer;
        engine_backend(l->e, &b);
        endpoint_serve(&l->opts, &b, &er, &answer);
        rc = take_answer(&answer, resp, err);
        endpoint_response_free(&answer);
    } else {
        err_set(err, AWS_ERR_INTERNAL, "InternalError", "a request the local endpoint cannot read");
    }
    for (size_t i = 0; i < MAX_HEADERS; i++)
        free(copies[i]);
    sigv4_url_free(&u);
    return rc;
}

static void wipe_free(char *s)
{
    if (s)
        memset(s, 0, strlen(s));
    free(s);
}

static void close_local(void *ud)
{
    local *l = ud;
    if (!l)
        return;
    engine_close(l->e);
    free(l->root_key);
    wipe_free(l->root_secret);
    free(l);
}

/* The state's folder (.iamsh) made when missing, 0700; the state file 0600 before SQLite
 * makes it (it holds secret keys; SQLite gives its -wal and -shm files the same mode). */
static int prepare_state(const char *path, char *why, size_t n)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return snprintf(why, n, "cannot make %s: %s", dir, strerror(errno)), -1;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return snprintf(why, n, "cannot open %s: %s", path, strerror(errno)), -1;
    close(fd);
    return 0;
}

/* The root's keys in effect: the environment's (kept in memory) unless the state knows
 * that key (a user's key, exported to act as that user), else the state's. */
static int settle_keys(local *l, char *why, size_t n)
{
    const char *k = getenv("AWS_ACCESS_KEY_ID"), *s = getenv("AWS_SECRET_ACCESS_KEY");
    const char *t = getenv("AWS_SESSION_TOKEN");
    int created;
    if (engine_root_keys(l->e, NULL, NULL, &l->root_key, &l->root_secret, &created, why, n) != 0)
        return -1;
    if (!(k && *k && s && *s) || (t && *t))
        return 0;
    int taken = engine_set_root_key(l->e, k, s);
    if (taken < 0)
        return snprintf(why, n, "the handlers' credentials() failed"), -1;
    if (!taken)
        return 0;
    free(l->root_key);
    wipe_free(l->root_secret);
    l->root_key = strdup(k);
    l->root_secret = strdup(s);
    if (!l->root_key || !l->root_secret)
        return snprintf(why, n, "out of memory"), -1;
    return 0;
}

int iamsh_local_open(const char *state, const iamsh_library *library, iamsh_local_endpoint *out,
                     char *why, size_t nwhy)
{
    memset(out, 0, sizeof *out);
    local *l = calloc(1, sizeof *l);
    if (!l)
        return snprintf(why, nwhy, "out of memory"), -1;
    engine_config c = {state, library, getenv("IAMSH_LOCAL_HANDLERS"), NULL, 0};
    if ((state && prepare_state(state, why, nwhy) != 0) || engine_open(&c, &l->e, why, nwhy) != 0 ||
        settle_keys(l, why, nwhy) != 0) {
        close_local(l);
        return -1;
    }
    *out = (iamsh_local_endpoint){exchange,   l, l->root_key, l->root_secret, engine_account(l->e),
                                  close_local};
    return 0;
}
