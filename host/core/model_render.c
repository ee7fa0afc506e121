/* model_render.c - a result back into AWS's Query XML answer, by the operation's output
 * shape: the inverse of model_decode.c, for a local endpoint.
 *   <OpResponse xmlns="<the service's namespace>">
 *     <OpResult> members, in model order </OpResult>
 *     <ResponseMetadata><RequestId>..</RequestId></ResponseMetadata>
 *   </OpResponse>
 * lists as <member> items (their locationName; flattened, the element repeated), maps
 * as <entry><key/><value/></entry>, booleans true/false, numbers as C writes them,
 * timestamps ISO 8601, blobs as the base64 text results carry, and policy documents as
 * AWS sends them: JSON text, URL-encoded. And an error as <ErrorResponse>. Text that
 * XML 1.0 cannot carry (invalid UTF-8, control characters) is refused, not mangled. */
#include "iamsh/model_render.h"
#include "iamsh/iso8601.h"
#include "iamsh/utf8.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct rctx {
    const model_op *op;
    buf *out;
    aws_err *err;
    int depth;
} rctx;

static int refuse(rctx *r, const char *what, const char *name)
{
    return err_set(r->err, AWS_ERR_PARAM, "InvalidResult", "%s: %s %s", r->op->name, what,
                   name ? name : "");
}

/* XML 1.0's characters: tab, newline, carriage return and from space up. */
static int xml_char_ok(unsigned char c)
{
    return c >= 0x20 || c == '\t' || c == '\n' || c == '\r';
}

/* Text content, escaped, a run of plain characters at a time. A carriage return is
 * written as a reference: a parser turns a literal one into a newline. */
static int put_text(buf *out, const char *s)
{
    int rc = 0;
    for (const char *p = s; *p && rc == 0;) {
        size_t n = strcspn(p, "&<>\r");
        rc = buf_append(out, p, n);
        p += n;
        if (rc != 0 || !*p)
            break;
        switch (*p++) {
        case '&': rc = buf_puts(out, "&amp;"); break;
        case '<': rc = buf_puts(out, "&lt;"); break;
        case '>': rc = buf_puts(out, "&gt;"); break;
        default: rc = buf_puts(out, "&#13;"); break;
        }
    }
    return rc;
}

/* <name> (open "<") or </name> (open "</"). */
static int put_tag(buf *out, const char *open, const char *name)
{
    return buf_puts(out, open) || buf_puts(out, name) || buf_append(out, ">", 1) ? -1 : 0;
}

static int text_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (!xml_char_ok(*p))
            return 0;
    return utf8_valid(s, strlen(s));
}

static int put_string(rctx *r, const char *s, const char *name)
{
    if (!text_ok(s))
        return refuse(r, "text XML cannot carry (invalid UTF-8 or a control character) in", name);
    return put_text(r->out, s);
}

/* A policy document as AWS sends it: compact JSON, URL-encoded. */
static int put_policy(rctx *r, const cJSON *v, const char *name)
{
    char *json = cJSON_IsString(v) ? NULL : cJSON_PrintUnformatted(v);
    const char *text = cJSON_IsString(v) ? v->valuestring : json;
    int rc = text ? 0 : refuse(r, "cannot encode the policy document", name);
    if (rc == 0 && !utf8_valid(text, strlen(text)))
        rc = refuse(r, "the policy document is not UTF-8 in", name);
    if (rc == 0)
        rc = buf_urlencode(r->out, text, strlen(text), 0);
    cJSON_free(json);
    return rc;
}

static int put_number(rctx *r, const model_shape *s, const cJSON *v, const char *name)
{
    char tmp[64];
    int whole = s->type == MODEL_INTEGER || s->type == MODEL_LONG;
    double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (!isfinite(d) || (whole && (d != floor(d) || fabs(d) > 9007199254740992.0)))
        return refuse(r, whole ? "expected an integer for" : "expected a number for", name);
    if (whole)
        snprintf(tmp, sizeof tmp, "%lld", (long long)d);
    else
        snprintf(tmp, sizeof tmp, "%.17g", d);
    return buf_puts(r->out, tmp);
}

static int put_timestamp(rctx *r, const cJSON *v, const char *name)
{
    char tmp[32];
    if (cJSON_IsNumber(v)) {
        iso8601_format(v->valuedouble, tmp);
        return buf_puts(r->out, tmp);
    }
    if (!cJSON_IsString(v))
        return refuse(r, "expected a timestamp for", name);
    return put_string(r, v->valuestring, name);
}

static int put_scalar(rctx *r, const model_shape *s, const cJSON *v, const char *name)
{
    switch (s->type) {
    case MODEL_BOOLEAN:
        if (!cJSON_IsBool(v))
            return refuse(r, "expected a boolean for", name);
        return buf_puts(r->out, cJSON_IsTrue(v) ? "true" : "false");
    case MODEL_INTEGER:
    case MODEL_LONG:
    case MODEL_DOUBLE:
    case MODEL_FLOAT: return put_number(r, s, v, name);
    case MODEL_TIMESTAMP: return put_timestamp(r, v, name);
    default:
        if (s->flags & MODEL_F_POLICY)
            return put_policy(r, v, name);
        if (!cJSON_IsString(v))
            return refuse(r, "expected a string for", name);
        return put_string(r, v->valuestring, name);
    }
}

static int put_value(rctx *r, const model_shape *s, const cJSON *v, const char *name);

/* <name>value</name>: the value of shape s under the element name. */
static int put_element(rctx *r, const model_shape *s, const cJSON *v, const char *name)
{
    if (put_tag(r->out, "<", name) != 0 || put_value(r, s, v, name) != 0)
        return -1;
    return put_tag(r->out, "</", name);
}

/* An empty table from Lua arrives as an empty object: an empty list too. */
static int is_list(const cJSON *v)
{
    return cJSON_IsArray(v) || (cJSON_IsObject(v) && !v->child);
}

/* A flattened list: the element itself repeated, once an item. */
static int put_flat_list(rctx *r, const model_shape *s, const cJSON *v, const char *name)
{
    if (!is_list(v))
        return refuse(r, "expected a list for", name);
    int rc = 0;
    for (const cJSON *e = v->child; e && rc == 0; e = e->next)
        rc = put_element(r, s->member, e, name);
    return rc;
}

static int put_list(rctx *r, const model_shape *s, const cJSON *v, const char *name)
{
    if (!is_list(v))
        return refuse(r, "expected a list for", name);
    const char *item = s->member_name ? s->member_name : "member";
    int rc = 0;
    for (const cJSON *e = v->child; e && rc == 0; e = e->next)
        rc = put_element(r, s->member, e, item);
    return rc;
}

/* <key>k</key><value>v</value> for one map entry (inside <entry> or the repeated element). */
static int put_entry(rctx *r, const model_shape *s, const cJSON *e)
{
    const char *kname = s->member_name ? s->member_name : "key";
    const char *vname = s->value_name ? s->value_name : "value";
    if (put_tag(r->out, "<", kname) != 0 || put_string(r, e->string, kname) != 0 ||
        put_tag(r->out, "</", kname) != 0)
        return -1;
    return put_element(r, s->value, e, vname);
}

static int put_map(rctx *r, const model_shape *s, const cJSON *v, const char *name, int flat)
{
    if (!cJSON_IsObject(v) && !(cJSON_IsArray(v) && !v->child))
        return refuse(r, "expected a map for", name);
    int rc = 0;
    for (const cJSON *e = v->child; e && rc == 0; e = e->next) {
        rc = put_tag(r->out, "<", flat ? name : "entry");
        if (rc == 0)
            rc = put_entry(r, s, e);
        if (rc == 0)
            rc = put_tag(r->out, "</", flat ? name : "entry");
    }
    return rc;
}

/* One structure member; flattened lists and maps write their own repeated elements. */
static int put_member(rctx *r, const model_member *m, const cJSON *v)
{
    const char *name = m->location_name ? m->location_name : m->name;
    int flat = (m->flags & MODEL_M_FLATTENED) || (m->shape->flags & MODEL_F_FLATTENED);
    if (flat && m->shape->type == MODEL_LIST)
        return put_flat_list(r, m->shape, v, name);
    if (flat && m->shape->type == MODEL_MAP)
        return put_map(r, m->shape, v, name, 1);
    return put_element(r, m->shape, v, name);
}

static int put_structure(rctx *r, const model_shape *s, const cJSON *v, const char *name)
{
    if (!cJSON_IsObject(v))
        return refuse(r, "expected a table for", name);
    for (const cJSON *c = v->child; c; c = c->next)
        if (!model_member_find(s, c->string))
            return refuse(r, "has no member", c->string);
    for (unsigned i = 0; i < s->nmembers; i++) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(v, s->members[i].name);
        if (c && !cJSON_IsNull(c) && put_member(r, &s->members[i], c) != 0)
            return -1;
    }
    return 0;
}

static int put_value(rctx *r, const model_shape *s, const cJSON *v, const char *name)
{
    if (++r->depth > MAX_DEPTH) {
        r->depth--;
        return refuse(r, "nested too deeply at", name);
    }
    int rc;
    switch (s->type) {
    case MODEL_STRUCTURE: rc = put_structure(r, s, v, name); break;
    case MODEL_LIST: rc = put_list(r, s, v, name); break;
    case MODEL_MAP: rc = put_map(r, s, v, name, 0); break;
    default: rc = put_scalar(r, s, v, name);
    }
    r->depth--;
    return rc;
}

static int put_request_id(rctx *r, const char *request_id)
{
    if (!text_ok(request_id))
        return refuse(r, "a request id XML cannot carry", NULL);
    return buf_puts(r->out, "<ResponseMetadata><RequestId>") || put_text(r->out, request_id) ||
           buf_puts(r->out, "</RequestId></ResponseMetadata>");
}

/* The result's members, inside <OpResult> when the operation has that wrapper. */
static int put_result(rctx *r, const cJSON *result)
{
    const model_op *op = r->op;
    if (!op->output)
        return 0;
    if (op->result_wrapper && put_tag(r->out, "<", op->result_wrapper) != 0)
        return -1;
    cJSON empty = {0};
    empty.type = cJSON_Object;
    if (put_structure(r, op->output, result ? result : &empty, op->result_wrapper) != 0)
        return -1;
    return op->result_wrapper ? put_tag(r->out, "</", op->result_wrapper) : 0;
}

int model_render(const model_op *op, const cJSON *result, const char *request_id, buf *out,
                 aws_err *err)
{
    aws_err local;
    rctx r = {op, out, err ? err : &local, 0};
    err_clear(r.err);
    size_t start = out->len;
    int rc = buf_reserve(out, 2048) || /* most answers fit: no realloc on the way */
             buf_printf(out, "<%sResponse xmlns=\"%s\">", op->name, op->svc->xml_namespace);
    if (rc == 0)
        rc = put_result(&r, result);
    if (rc == 0)
        rc = put_request_id(&r, request_id ? request_id : "");
    if (rc == 0)
        rc = buf_printf(out, "</%sResponse>", op->name);
    if (rc != 0 && r.err->kind == AWS_ERR_NONE)
        err_set(r.err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
    if (rc != 0)
        buf_truncate(out, start);
    return rc ? -1 : 0;
}

/* Sender when the model says the caller was at fault (or, for a code it does not
 * list, when the status is below 500). */
static const char *fault_of(const model_service *svc, const aws_err *e)
{
    const model_error *me = model_error_find(svc, e->code);
    int sender = me ? me->sender_fault : e->status < 500;
    return sender ? "Sender" : "Receiver";
}

int model_render_error(const model_service *svc, const aws_err *e, buf *out)
{
    if (!text_ok(e->code) || !text_ok(err_message(e)) || !text_ok(e->request_id))
        return -1;
    size_t start = out->len;
    int rc = buf_printf(out, "<ErrorResponse xmlns=\"%s\"><Error><Type>%s</Type><Code>",
                        svc->xml_namespace, fault_of(svc, e)) ||
             put_text(out, e->code) || buf_puts(out, "</Code><Message>") ||
             put_text(out, err_message(e)) || buf_puts(out, "</Message></Error><RequestId>") ||
             put_text(out, e->request_id) || buf_puts(out, "</RequestId></ErrorResponse>");
    if (rc != 0)
        buf_truncate(out, start);
    return rc ? -1 : 0;
}
