/* sigv4_case.h - reading one case of AWS's SigV4 test suite (tests/data/sigv4/v4/<case>):
 * its files, a request text ("METHOD target HTTP/1.1", headers with continuation lines,
 * a blank line, the body) and context.json. Shared by the signer's and the verifier's
 * tests. */
#ifndef IAMSH_TEST_SIGV4_CASE_H
#define IAMSH_TEST_SIGV4_CASE_H
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iamsh/buf.h"
#include "iamsh/sigv4.h"

#define MAX_HEADERS 32

static inline char *read_all(const char *dir, const char *name, size_t *len)
{
    char path[8192];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: missing\n", path);
        return NULL;
    }
    buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    if (len)
        *len = b.len;
    return buf_steal(&b);
}

typedef struct raw_request {
    char *method, *target, *body;
    size_t body_len;
    sigv4_header headers[MAX_HEADERS];
    buf values[MAX_HEADERS]; /* values own their text (continuations appended) */
    char *names[MAX_HEADERS];
    size_t nheaders;
    const char *host;
} raw_request;

static inline void raw_free(raw_request *r)
{
    free(r->method);
    free(r->target);
    free(r->body);
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->names[i]);
        buf_free(&r->values[i]);
    }
}

static inline char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* "METHOD target HTTP/1.1": the target may hold spaces (get-space-*). */
static inline int parse_request_line(raw_request *r, const char *line, size_t n)
{
    const char *sp = memchr(line, ' ', n);
    const char *ver = NULL;
    for (const char *p = line + n; p > line && !ver; p--)
        if (p[-1] == ' ')
            ver = p - 1;
    if (!sp || !ver || ver <= sp)
        return -1;
    r->method = dup_n(line, (size_t)(sp - line));
    r->target = dup_n(sp + 1, (size_t)(ver - sp - 1));
    return 0;
}

/* "Name:value", or a continuation line (leading whitespace) of the previous value. */
static inline int parse_header_line(raw_request *r, const char *line, size_t n)
{
    if ((line[0] == ' ' || line[0] == '\t') && r->nheaders > 0) {
        buf *v = &r->values[r->nheaders - 1];
        return buf_append(v, "\n", 1) || buf_append(v, line, n);
    }
    const char *colon = memchr(line, ':', n);
    if (!colon || r->nheaders == MAX_HEADERS)
        return -1;
    size_t i = r->nheaders++;
    r->names[i] = dup_n(line, (size_t)(colon - line));
    return buf_append(&r->values[i], colon + 1, n - (size_t)(colon - line) - 1);
}

static inline int parse_request(raw_request *r, const char *text, size_t len)
{
    memset(r, 0, sizeof *r);
    size_t pos = 0;
    for (int first = 1; pos < len; first = 0) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        const char *line = text + pos;
        pos += n + (nl ? 1 : 0);
        if (n == 0 && !first)
            break;
        if (first ? parse_request_line(r, line, n) : parse_header_line(r, line, n))
            return -1;
    }
    r->body = dup_n(text + pos, len - pos);
    r->body_len = len - pos;
    for (size_t i = 0; i < r->nheaders; i++) {
        r->headers[i] = (sigv4_header){r->names[i], r->values[i].p};
        if (strcasecmp(r->names[i], "host") == 0)
            r->host = r->headers[i].value;
    }
    return r->method && r->host ? 0 : -1;
}

typedef struct context {
    cJSON *json;
    char timestamp[17];
    int omit_token;
} context;

static inline const char *json_str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* context.json into req; "2015-08-30T12:36:00Z" becomes "20150830T123600Z". */
static inline int parse_context(context *c, const char *text, sigv4_request *req)
{
    c->json = cJSON_Parse(text);
    const cJSON *creds = cJSON_GetObjectItemCaseSensitive(c->json, "credentials");
    const char *ts = json_str(c->json, "timestamp");
    if (!creds || !ts || strlen(ts) != 20)
        return -1;
    snprintf(c->timestamp, sizeof c->timestamp, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", ts, ts + 5, ts + 8,
             ts + 11, ts + 14, ts + 17);
    req->access_key = json_str(creds, "access_key_id");
    req->secret_key = json_str(creds, "secret_access_key");
    req->session_token = json_str(creds, "token");
    req->region = json_str(c->json, "region");
    req->service = json_str(c->json, "service");
    req->timestamp = c->timestamp;
    req->normalize_path = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->json, "normalize"));
    req->sign_body = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->json, "sign_body"));
    /* post-sts-header-after: the token is added after signing, so it is not signed. */
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->json, "omit_session_token")))
        req->session_token = NULL;
    return 0;
}

#endif
