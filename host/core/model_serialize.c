/* model_serialize.c - serialise validated parameters as an AWS Query form body, following
 * botocore's QuerySerializer: "Action=<Op>&Version=<v>" then
 *   structures  A.B=..             lists  A.member.N=.. (flattened: A.N, locationName)
 *   maps        A.entry.N.key/.value     empty list  A=
 *   booleans true/false, timestamps ISO-8601, blobs base64,
 *   policy documents as compact JSON text (a table is encoded, a string sent as is).
 * Members go in model order, so the body is deterministic. */
#include "iamsh/model_serialize.h"
#include "iamsh/base64.h"
#include "iamsh/iso8601.h"
#include "iamsh/keypath.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct qctx {
    buf *b;
    keypath key; /* the wire key of the value being written */
    int depth;
} qctx;

static int put_pair(qctx *q, const char *val, size_t vlen)
{
    if (buf_puts(q->b, "&") || buf_urlencode(q->b, q->key.s, q->key.len, 0) || buf_puts(q->b, "="))
        return -1;
    return buf_urlencode(q->b, val, vlen, 0);
}

/* --- values --- */

static int put_base64(qctx *q, const char *s, size_t n)
{
    buf out = BUF_INIT;
    int rc = base64_encode(&out, s, n);
    if (rc == 0)
        rc = put_pair(q, out.p, out.len);
    buf_free(&out);
    return rc;
}

static int put_policy(qctx *q, const cJSON *j)
{
    if (cJSON_IsString(j))
        return put_pair(q, j->valuestring, strlen(j->valuestring));
    char *text = cJSON_PrintUnformatted(j);
    if (!text)
        return -1;
    int rc = put_pair(q, text, strlen(text));
    cJSON_free(text);
    return rc;
}

static int put_scalar(qctx *q, const model_shape *s, const cJSON *j)
{
    char tmp[64];
    double t;
    switch (s->type) {
    case MODEL_BOOLEAN:
        return put_pair(q, cJSON_IsTrue(j) ? "true" : "false", cJSON_IsTrue(j) ? 4 : 5);
    case MODEL_INTEGER:
    case MODEL_LONG:
        snprintf(tmp, sizeof tmp, "%lld", (long long)j->valuedouble);
        return put_pair(q, tmp, strlen(tmp));
    case MODEL_DOUBLE:
    case MODEL_FLOAT:
        snprintf(tmp, sizeof tmp, "%.17g", j->valuedouble);
        return put_pair(q, tmp, strlen(tmp));
    case MODEL_TIMESTAMP:
        if (cJSON_IsNumber(j))
            t = j->valuedouble;
        else if (!cJSON_IsString(j) || iso8601_parse(j->valuestring, &t))
            return put_pair(q, cJSON_IsString(j) ? j->valuestring : "", 0);
        iso8601_format(t, tmp);
        return put_pair(q, tmp, strlen(tmp));
    case MODEL_BLOB: return put_base64(q, j->valuestring, strlen(j->valuestring));
    default:
        if (s->flags & MODEL_F_POLICY)
            return put_policy(q, j);
        if (!cJSON_IsString(j))
            return 0; /* validated earlier; never reached for valid params */
        return put_pair(q, j->valuestring, strlen(j->valuestring));
    }
}

static int ser_value(qctx *q, const model_shape *s, const cJSON *j, int flattened);

static int ser_structure(qctx *q, const model_shape *s, const cJSON *j)
{
    for (unsigned i = 0; i < s->nmembers; i++) {
        const model_member *m = &s->members[i];
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, m->name);
        if (!c || cJSON_IsNull(c))
            continue;
        size_t mark = keypath_push(&q->key, m->location_name ? m->location_name : m->name);
        int rc = ser_value(q, m->shape, c, (m->flags & MODEL_M_FLATTENED) != 0);
        keypath_pop(&q->key, mark);
        if (rc)
            return -1;
    }
    return 0;
}

/* The key a list's items hang from: "A.member" ("A.<locationName>"); flattened,
 * "A" itself, or with a member locationName "A" renamed to it (botocore). */
static void list_key(qctx *q, const model_shape *s, int flattened)
{
    if (!flattened) {
        keypath_push(&q->key, s->member_name ? s->member_name : "member");
    } else if (s->member_name) {
        keypath_pop(&q->key, keypath_parent(&q->key));
        keypath_push(&q->key, s->member_name);
    }
}

static int ser_list(qctx *q, const model_shape *s, const cJSON *j, int flattened)
{
    if (!j->child)
        return put_pair(q, "", 0);
    keypath saved = q->key; /* list_key may rename the last segment */
    list_key(q, s, flattened);
    int i = 0, rc = 0;
    for (const cJSON *e = j->child; e && rc == 0; e = e->next) {
        size_t mark = keypath_push_index(&q->key, ++i, 1);
        rc = ser_value(q, s->member, e, 0);
        keypath_pop(&q->key, mark);
    }
    q->key = saved;
    return rc;
}

static int ser_map(qctx *q, const model_shape *s, const cJSON *j, int flattened)
{
    size_t old = flattened ? q->key.len : keypath_push(&q->key, "entry");
    int i = 0, rc = 0;
    for (const cJSON *e = j->child; e && rc == 0; e = e->next) {
        size_t mark = keypath_push_index(&q->key, ++i, 1);
        size_t k = keypath_push(&q->key, s->member_name ? s->member_name : "key");
        rc = put_pair(q, e->string, strlen(e->string));
        keypath_pop(&q->key, k);
        keypath_push(&q->key, s->value_name ? s->value_name : "value");
        if (rc == 0)
            rc = ser_value(q, s->value, e, 0);
        keypath_pop(&q->key, mark);
    }
    keypath_pop(&q->key, old);
    return rc;
}

static int ser_value(qctx *q, const model_shape *s, const cJSON *j, int flattened)
{
    if (++q->depth > 64)
        return -1;
    flattened |= (s->flags & MODEL_F_FLATTENED) != 0;
    int rc;
    switch (s->type) {
    case MODEL_STRUCTURE: rc = ser_structure(q, s, j); break;
    case MODEL_LIST: rc = ser_list(q, s, j, flattened); break;
    case MODEL_MAP: rc = ser_map(q, s, j, flattened); break;
    default: rc = put_scalar(q, s, j);
    }
    q->depth--;
    return rc;
}

int model_serialize(const model_op *op, const cJSON *params, buf *body, aws_err *err)
{
    if (!op || !body)
        return err_set(err, AWS_ERR_INTERNAL, "InternalError", "no operation");
    qctx *q = calloc(1, sizeof *q);
    if (!q)
        return err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
    q->b = body;
    int rc = buf_printf(body, "Action=%s&Version=%s", op->name, op->svc->api_version);
    if (rc == 0 && op->input && cJSON_IsObject(params))
        rc = ser_structure(q, op->input, params);
    rc |= q->key.overflow;
    free(q);
    if (rc)
        return err_set(err, AWS_ERR_INTERNAL, "SerializationError",
                       "%s: cannot serialise the parameters (out of memory, or nested too deeply)",
                       op->snake);
    return 0;
}
