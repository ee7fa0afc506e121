/* model_decode.c - decode a successful AWS Query XML answer by the operation's
 * output shape into a cJSON tree (as botocore's QueryParser does):
 *   <OpResponse><OpResult>...</OpResult><ResponseMetadata><RequestId>..
 * structures -> objects keyed by AWS's member names; lists -> arrays (present but
 * empty gives [], absent stays absent); maps -> objects; booleans, integers ->
 * JSON values; timestamps stay ISO-8601 text; blobs stay base64 text (cJSON
 * strings cannot carry NUL bytes). Every policy-document member is URL-decoded
 * and parsed as JSON (botocore's json_decode_policies: urllib's unquote, so '+'
 * stays '+'); if that fails the original text is kept.
 *
 * The parser is libxml2 with network access off, no entity substitution, no DTD
 * loading, and any document carrying a DTD refused; libxml2's own depth limit
 * (256) applies, and our walk follows the model shape, so hostile nesting or
 * counts cost memory proportional to the input and no more. */
#include "iamsh/model_decode.h"
#include "iamsh/buf.h"
#include "iamsh/xml.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

typedef struct dctx {
    const model_op *op;
    aws_err *err;
    int depth;
} dctx;

static cJSON *decode_value(dctx *d, const model_shape *s, xmlNode *node);

static int parse_fail(dctx *d, const char *what, const char *name)
{
    return err_set(d->err, AWS_ERR_PARSE, "ResponseParseError", "%s: %s%s%s", d->op->snake, what,
                   name ? " " : "", name ? name : "");
}

/* urllib.parse.unquote, as botocore: %XX decoded, '+' kept. */
static cJSON *decode_policy(const char *text)
{
    buf plain = BUF_INIT;
    cJSON *doc = NULL;
    if (buf_urldecode(&plain, text, strlen(text), 0) == 0)
        doc = cJSON_ParseWithLength(plain.p, plain.len);
    buf_free(&plain);
    return doc ? doc : cJSON_CreateString(text);
}

static cJSON *decode_number(dctx *d, const model_shape *s, const char *text, xmlNode *n)
{
    char *end;
    errno = 0;
    while (*text == ' ' || *text == '\n' || *text == '\t' || *text == '\r')
        text++;
    double v = (s->type == MODEL_INTEGER || s->type == MODEL_LONG) ? (double)strtoll(text, &end, 10)
                                                                   : strtod(text, &end);
    while (*end == ' ' || *end == '\n' || *end == '\t' || *end == '\r')
        end++;
    if (end == text || *end || errno == ERANGE) {
        parse_fail(d, "not a number in element", (const char *)n->name);
        return NULL;
    }
    return cJSON_CreateNumber(v);
}

static cJSON *decode_scalar(dctx *d, const model_shape *s, xmlNode *n)
{
    xmlChar *owned;
    const char *text = xml_text(n, &owned);
    cJSON *v;
    switch (s->type) {
    case MODEL_BOOLEAN: v = cJSON_CreateBool(strcmp(text, "true") == 0); break;
    case MODEL_INTEGER:
    case MODEL_LONG:
    case MODEL_DOUBLE:
    case MODEL_FLOAT: v = decode_number(d, s, text, n); break;
    default: v = (s->flags & MODEL_F_POLICY) ? decode_policy(text) : cJSON_CreateString(text);
    }
    xmlFree(owned);
    return v;
}

/* Add one decoded item to arr; frees nothing on failure (caller deletes arr). */
static int push_item(dctx *d, cJSON *arr, const model_shape *s, xmlNode *n)
{
    cJSON *v = decode_value(d, s, n);
    if (!v)
        return -1;
    cJSON_AddItemToArray(arr, v);
    return 0;
}

/* A flattened list: every sibling element named like the first one. */
static cJSON *decode_flat_list(dctx *d, const model_shape *s, xmlNode *first)
{
    cJSON *arr = cJSON_CreateArray();
    for (xmlNode *c = first; arr && c; c = c->next) {
        if (xml_is(c, (const char *)first->name) && push_item(d, arr, s->member, c)) {
            cJSON_Delete(arr);
            return NULL;
        }
    }
    return arr;
}

static cJSON *decode_list(dctx *d, const model_shape *s, xmlNode *n)
{
    cJSON *arr = cJSON_CreateArray();
    for (xmlNode *c = n->children; arr && c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && push_item(d, arr, s->member, c)) {
            cJSON_Delete(arr);
            return NULL;
        }
    }
    return arr;
}

static int decode_entry(dctx *d, const model_shape *s, xmlNode *entry, cJSON *obj)
{
    const char *kname = s->member_name ? s->member_name : "key";
    const char *vname = s->value_name ? s->value_name : "value";
    xmlNode *k = xml_child(entry, kname), *v = xml_child(entry, vname);
    if (!k || !v)
        return 0; /* an entry without key or value carries nothing to keep */
    xmlChar *owned;
    const char *key = xml_text(k, &owned);
    cJSON *val = decode_value(d, s->value, v);
    int rc = val ? 0 : -1;
    if (val) {
        cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
        cJSON_AddItemToObject(obj, key, val);
    }
    xmlFree(owned);
    return rc;
}

static cJSON *decode_map(dctx *d, const model_shape *s, xmlNode *n, int flattened)
{
    cJSON *obj = cJSON_CreateObject();
    xmlNode *c = flattened ? n : n->children;
    for (; obj && c; c = c->next) {
        if (flattened ? !xml_is(c, (const char *)n->name) : c->type != XML_ELEMENT_NODE)
            continue;
        if (decode_entry(d, s, c, obj)) {
            cJSON_Delete(obj);
            return NULL;
        }
    }
    return obj;
}

static cJSON *decode_member(dctx *d, const model_member *m, xmlNode *n)
{
    int flat = (m->flags & MODEL_M_FLATTENED) || (m->shape->flags & MODEL_F_FLATTENED);
    if (flat && m->shape->type == MODEL_LIST)
        return decode_flat_list(d, m->shape, n);
    if (flat && m->shape->type == MODEL_MAP)
        return decode_map(d, m->shape, n, 1);
    return decode_value(d, m->shape, n);
}

static cJSON *decode_structure(dctx *d, const model_shape *s, xmlNode *n)
{
    cJSON *obj = cJSON_CreateObject();
    for (unsigned i = 0; obj && i < s->nmembers; i++) {
        const model_member *m = &s->members[i];
        xmlNode *c = xml_child(n, m->location_name ? m->location_name : m->name);
        if (!c)
            continue;
        cJSON *v = decode_member(d, m, c);
        if (!v) {
            cJSON_Delete(obj);
            return NULL;
        }
        cJSON_AddItemToObject(obj, m->name, v);
    }
    return obj;
}

static cJSON *decode_value(dctx *d, const model_shape *s, xmlNode *n)
{
    if (++d->depth > 64) {
        parse_fail(d, "nested too deeply at", (const char *)n->name);
        return NULL;
    }
    cJSON *v;
    switch (s->type) {
    case MODEL_STRUCTURE: v = decode_structure(d, s, n); break;
    case MODEL_LIST: v = decode_list(d, s, n); break;
    case MODEL_MAP: v = decode_map(d, s, n, 0); break;
    default: v = decode_scalar(d, s, n);
    }
    d->depth--;
    if (!v && d->err && d->err->kind == AWS_ERR_NONE)
        err_set(d->err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory decoding %s", d->op->snake);
    return v;
}

static void copy_request_id(xmlNode *root, char request_id[96])
{
    xmlNode *md = xml_child(root, "ResponseMetadata");
    xmlNode *id = md ? xml_child(md, "RequestId") : NULL;
    if (!id || !request_id)
        return;
    xmlChar *owned;
    const char *text = xml_text(id, &owned);
    if (*text) {
        strncpy(request_id, text, 95);
        request_id[95] = '\0';
    }
    xmlFree(owned);
}

static int root_ok(const model_op *op, const xmlNode *root)
{
    size_t n = strlen(op->name);
    const char *name = (const char *)root->name;
    return strncmp(name, op->name, n) == 0 && strcmp(name + n, "Response") == 0;
}

static cJSON *decode_doc(dctx *d, xmlDoc *doc, char request_id[96])
{
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root || !root_ok(d->op, root)) {
        parse_fail(d, "unexpected root element", root ? (const char *)root->name : "(none)");
        return NULL;
    }
    copy_request_id(root, request_id);
    const model_shape *out = d->op->output;
    xmlNode *start = root;
    if (out && d->op->result_wrapper)
        start = xml_child(root, d->op->result_wrapper);
    /* No output shape, or a missing result wrapper (some emulators omit it). */
    if (!out || !start)
        return cJSON_CreateObject();
    return decode_value(d, out, start);
}

cJSON *model_decode(const model_op *op, const char *xml, size_t len, char request_id[96],
                    aws_err *err)
{
    if (!op)
        return NULL;
    aws_err local;
    err_clear(&local);
    dctx d = {op, err ? err : &local, 0};
    if (!xml || len == 0 || len > INT_MAX) {
        parse_fail(&d, "empty or oversized response body", NULL);
        return NULL;
    }
    xmlDoc *doc = xml_read(xml, len, INT_MAX);
    if (!doc) {
        parse_fail(&d, "response is not well-formed XML (or carries a DTD)", NULL);
        return NULL;
    }
    cJSON *result = decode_doc(&d, doc, request_id);
    xmlFreeDoc(doc);
    return result;
}
