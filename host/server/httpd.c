/* httpd.c - `iamsh serve`'s HTTP/1.1 side, on libmicrohttpd: a thread pool with epoll,
 * keep-alive, a listening socket of our own (so a port in use is a clear message and
 * port 0 a free one). libmicrohttpd refuses malformed HTTP itself (400) and requests
 * whose headers pass the connection's memory (431); a body over BODY_MAX gets a 413.
 * Each complete request goes through the endpoint (pool_serve) and is logged.
 * libmicrohttpd is opened (dynlib) when a daemon starts: --local never maps it. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "iamsh/array.h"
#include "iamsh/dynlib.h"
#include "iamsh/model_render.h"
#include "server.h"

#define BODY_MAX (16u << 20)       /* 16 MiB: a SAML metadata document fits */
#define HEADERS_MEMORY (64u << 10) /* per connection: the request line and headers */
#define IDLE_SECONDS 60u           /* a kept-alive connection with nothing to say */
#define MAX_CONNECTIONS 512u
#define REASON_HEADER_MAX 2000

struct httpd {
    struct MHD_Daemon *d;
    int fd, port;
    pool *pool;
    endpoint_opts *opts;
    int quiet;
};

/* The libmicrohttpd functions used here; mhd.f is MHD_f. */
// clang-format off
#define MHD_FUNCTIONS(X) \
    X(start_daemon)                \
    X(stop_daemon)                 \
    X(create_response_from_buffer) \
    X(add_response_header)         \
    X(queue_response)              \
    X(destroy_response)            \
    X(lookup_connection_value)     \
    X(get_connection_values)       \
    X(get_connection_info)
// clang-format on
static struct {
#define X(f) __typeof__(MHD_##f) *f;
    MHD_FUNCTIONS(X)
#undef X
} mhd;
static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;
static char mhd_why[256]; /* why libmicrohttpd cannot be used; "" once it can */

static void load_mhd(void)
{
    static const char *const names[] = {
#define X(f) "MHD_" #f,
        MHD_FUNCTIONS(X)
#undef X
    };
    void *fns[sizeof names / sizeof *names];
    if (dynlib_open(IAMSH_LIBMHD, names, fns, sizeof names / sizeof *names, mhd_why,
                    sizeof mhd_why) != 0)
        return;
    size_t i = 0;
#define X(f) *(void **)&mhd.f = fns[i++];
    MHD_FUNCTIONS(X)
#undef X
}

/* One request: made when its request line is read, freed when it completes. */
typedef struct hreq {
    char *target; /* the raw request target */
    buf body;
    int started, too_large;
    double t0;
} hreq;

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls, (void)c;
    hreq *r = calloc(1, sizeof *r);
    if (r && !(r->target = strdup(uri ? uri : "/"))) {
        free(r);
        r = NULL;
    }
    if (r)
        r->t0 = now_mono();
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    hreq *r = *req_cls;
    if (!r)
        return;
    free(r->target);
    buf_wipe(&r->body); /* bodies carry passwords and policy documents */
    free(r);
    *req_cls = NULL;
}

/* The target as it came, so that the signature is checked over the same bytes. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls, (void)c;
    return strlen(s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    log_line("http: %s", msg);
}

/* --- the headers -------------------------------------------------------------------------- */

typedef struct headers {
    sigv4_header *h;
    size_t n, cap;
    int oom;
} headers;

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    headers *hs = cls;
    sigv4_header *h = array_grow(hs->h, &hs->cap, hs->n, sizeof *h, 16);
    if (!h) {
        hs->oom = 1;
        return MHD_NO;
    }
    hs->h = h;
    hs->h[hs->n++] = (sigv4_header){key, value ? value : ""};
    return MHD_YES;
}

/* --- answering ---------------------------------------------------------------------------- */

/* The reason as one printable line, for the X-Iamsh-Reason header. */
static void reason_line(const buf *reason, char *out, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; reason->p && i < reason->len && j + 1 < n && j < REASON_HEADER_MAX; i++) {
        unsigned char ch = (unsigned char)reason->p[i];
        out[j++] = ch == '\n' ? '|' : (ch < 0x20 || ch == 0x7f) ? ' ' : (char)ch;
    }
    out[j] = '\0';
}

static enum MHD_Result queue(struct MHD_Connection *c, endpoint_response *er)
{
    size_t len = er->body.len;
    char *body = buf_steal(&er->body);
    struct MHD_Response *resp = mhd.create_response_from_buffer(
        len, body ? body : "", body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    mhd.add_response_header(resp, "Content-Type", "text/xml");
    mhd.add_response_header(resp, "x-amzn-RequestId", er->request_id);
    if (er->reason.len) {
        char line[REASON_HEADER_MAX + 1];
        reason_line(&er->reason, line, sizeof line);
        mhd.add_response_header(resp, "X-Iamsh-Reason", line);
    }
    enum MHD_Result rc = mhd.queue_response(c, (unsigned)er->status, resp);
    mhd.destroy_response(resp);
    return rc;
}

static void sleep_for(double seconds)
{
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (seconds > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* A request refused before it reaches the endpoint (a body too large). */
static enum MHD_Result refuse(httpd *h, struct MHD_Connection *c, hreq *r, int status,
                              const char *code, const char *msg)
{
    endpoint_response er;
    memset(&er, 0, sizeof er);
    endpoint_request_id(er.request_id);
    aws_err e;
    err_set(&e, AWS_ERR_SERVICE, code, "%s", msg);
    e.status = status;
    snprintf(e.request_id, sizeof e.request_id, "%s", er.request_id);
    model_render_error(&model_service_iam, &e, &er.body);
    er.status = status;
    snprintf(er.code, sizeof er.code, "%s", code);
    log_request(&er, (now_mono() - r->t0) * 1e3, h->quiet);
    enum MHD_Result rc = queue(c, &er);
    endpoint_response_free(&er);
    return rc;
}

static const char *peer(struct MHD_Connection *c, char *out, size_t n)
{
    const union MHD_ConnectionInfo *info =
        mhd.get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;
    snprintf(out, n, "127.0.0.1");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)n);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)n);
    return out;
}

/* The whole request is in: through the endpoint, and answered (or dropped). */
static enum MHD_Result answer(httpd *h, struct MHD_Connection *c, const char *method, hreq *r)
{
    headers hs = {0};
    mhd.get_connection_values(c, MHD_HEADER_KIND, add_header, &hs);
    if (hs.oom) {
        free(hs.h);
        return MHD_NO;
    }
    char ip[64];
    char *q = strchr(r->target, '?');
    if (q)
        *q++ = '\0';
    endpoint_request req = {method, r->target, q,           hs.h,
                            hs.n,   r->body.p, r->body.len, peer(c, ip, sizeof ip)};
    endpoint_response er;
    pool_serve(h->pool, h->opts, &req, &er);
    free(hs.h);
    if (er.delay > 0)
        sleep_for(er.delay);
    log_request(&er, (now_mono() - r->t0) * 1e3, h->quiet);
    enum MHD_Result rc = er.status ? queue(c, &er) : MHD_NO; /* 0: drop the connection */
    endpoint_response_free(&er);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **req_cls)
{
    (void)url, (void)version;
    httpd *h = cls;
    hreq *r = *req_cls;
    if (!r)
        return MHD_NO; /* out of memory when the request line came */
    if (!r->started) {
        r->started = 1;
        const char *cl = mhd.lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (!cl || strtoull(cl, NULL, 10) <= BODY_MAX)
            return MHD_YES;
        r->too_large = 1; /* answered at once: the body is not read (and the connection closed) */
    }
    if (*size) {
        if (!r->too_large && r->body.len + *size > BODY_MAX)
            r->too_large = 1, buf_wipe(&r->body);
        if (!r->too_large && buf_append(&r->body, data, *size) != 0)
            return MHD_NO;
        *size = 0;
        return MHD_YES;
    }
    if (r->too_large)
        return refuse(h, c, r, 413, "RequestEntityTooLarge",
                      "The request body is larger than 16 MiB, the most this endpoint reads.");
    return answer(h, c, method, r);
}

/* --- the daemon ---------------------------------------------------------------------------- */

/* A listening socket on host:port (IPv4 or IPv6 literal); the port it got in *port. */
static int listen_on(const char *host, int *port, char *why, size_t n)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    socklen_t len;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((unsigned short)*port);
        len = sizeof *in4;
    } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((unsigned short)*port);
        len = sizeof *in6;
    } else {
        return snprintf(why, n, "--listen: '%s' is not an IP address", host), -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 512) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
        snprintf(why, n, "cannot listen on %s:%d: %s", host, *port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port = ntohs(ss.ss_family == AF_INET ? in4->sin_port : in6->sin6_port);
    return fd;
}

int httpd_start(const httpd_config *c, httpd **out, char *why, size_t nwhy)
{
    httpd *h = calloc(1, sizeof *h);
    *out = NULL;
    if (!h)
        return snprintf(why, nwhy, "out of memory"), -1;
    *h = (httpd){NULL, -1, c->port, c->pool, c->opts, c->quiet};
    pthread_once(&mhd_once, load_mhd);
    if (mhd_why[0]) {
        free(h);
        return snprintf(why, nwhy, "%s", mhd_why), -1;
    }
    if ((h->fd = listen_on(c->host, &h->port, why, nwhy)) < 0) {
        free(h);
        return -1;
    }
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
        (c->thread_per_connection ? MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL : MHD_USE_EPOLL);
    h->d = mhd.start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_LISTEN_SOCKET, h->fd, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)(c->thread_per_connection ? 0 : c->threads), MHD_OPTION_URI_LOG_CALLBACK, on_uri,
        h, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_UNESCAPE_CALLBACK, no_unescape,
        NULL, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HEADERS_MEMORY,
        MHD_OPTION_CONNECTION_TIMEOUT, IDLE_SECONDS, MHD_OPTION_CONNECTION_LIMIT, MAX_CONNECTIONS,
        MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_END);
    if (!h->d) {
        snprintf(why, nwhy, "libmicrohttpd would not start on %s:%d", c->host, h->port);
        close(h->fd);
        free(h);
        return -1;
    }
    *out = h;
    return 0;
}

int httpd_port(const httpd *h)
{
    return h->port;
}

void httpd_stop(httpd *h)
{
    if (!h)
        return;
    mhd.stop_daemon(h->d); /* waits for its threads, and closes the listening socket */
    free(h);
}
