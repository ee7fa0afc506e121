/* model_parse.c - an AWS Query form body back into parameters, by the operation's input
 * shape: the inverse of model_serialize.c (botocore's QuerySerializer), for a local
 * endpoint that answers what iamsh, boto3 or the AWS CLI send.
 *
 * Two steps. The pairs become a tree keyed by the dotted segments of their keys
 * ("Tags.member.1.Key" -> Tags / member / 1 / Key). Then the input shape reads that
 * tree, taking each node it explains: structures by wire name, lists from "member.N"
 * (or their locationName; flattened, ".N" straight away), maps from "entry.N.key" and
 * ".value", scalars typed (numbers, booleans, base64 blobs, policy documents parsed as
 * JSON when they are JSON). Whatever is left over is a parameter the operation does
 * not have, and an error, as are malformed keys, missing list items and repeats. */
#include "iamsh/model_parse.h"
#include "iamsh/base64.h"
#include "iamsh/json.h"
#include "iamsh/keypath.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAIRS 10000 /* far more than any IAM call takes */
#define MAX_DEPTH 64

typedef struct pctx {
    const model_op *op;
    aws_err *err;
    keypath key; /* the wire key being read, for messages */
    int depth;
} pctx;

static cJSON *bad(pctx *p, const char *what)
{
    err_set(p->err, AWS_ERR_PARAM, "MalformedQueryString", "%s: %s%s%s", p->op->name,
            p->key.len ? p->key.s : "", p->key.len ? ": " : "", what);
    return NULL;
}

/* --- the pairs into a tree of segments --- */

/* application/x-www-form-urlencoded into out: '+' is a space, %XX a byte. */
static int form_decode(const char *s, size_t n, buf *out)
{
    buf_reset(out);
    if (buf_urldecode(out, s, n, 1) != 0)
        return -1;
    return strlen(out->p) == out->len ? 0 : -1; /* a %00 cannot live in a C string */
}

/* The child of node named seg, made an object when absent; NULL when seg names a value
 * already (a key that is both "A=x" and "A.B=y"). */
static cJSON *segment(cJSON *node, const char *seg, size_t n)
{
    char name[256];
    if (n == 0 || n >= sizeof name)
        return NULL;
    memcpy(name, seg, n);
    name[n] = '\0';
    cJSON *child = cJSON_GetObjectItemCaseSensitive(node, name);
    if (!child && (child = cJSON_CreateObject()) && !cJSON_AddItemToObject(node, name, child)) {
        cJSON_Delete(child);
        return NULL;
    }
    return cJSON_IsObject(child) ? child : NULL;
}

/* root[a][b]...[last] = value for the key "a.b...last". */
static int insert(pctx *p, cJSON *root, const char *key, const char *value)
{
    const char *last = strrchr(key, '.');
    cJSON *node = root;
    for (const char *s = key; last && s <= last && node; s = strchr(s, '.') + 1)
        node = segment(node, s, strcspn(s, "."));
    const char *name = last ? last + 1 : key;
    if (!node || !*name || cJSON_GetObjectItemCaseSensitive(node, name)) {
        keypath_push(&p->key, key);
        bad(p, node && *name ? "given twice, or both a value and a prefix" : "malformed key");
        return -1;
    }
    cJSON *leaf = cJSON_CreateString(value);
    if (!leaf || !cJSON_AddItemToObject(node, name, leaf)) {
        cJSON_Delete(leaf);
        return err_set(p->err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
    }
    return 0;
}

/* One "key=value" pair; Action and Version are the envelope, not parameters. */
static int add_pair(pctx *p, cJSON *root, const char *pair, size_t n, buf *k, buf *v)
{
    const char *eq = memchr(pair, '=', n);
    size_t klen = eq ? (size_t)(eq - pair) : n;
    if (form_decode(pair, klen, k) != 0 || form_decode(eq ? eq + 1 : "", eq ? n - klen - 1 : 0, v))
        return bad(p, "a key or value holds %00, or memory ran out"), -1;
    if (strcmp(k->p, "Action") == 0 && strcmp(v->p, p->op->name) != 0)
        return bad(p, "the body's Action is another operation"), -1;
    if (strcmp(k->p, "Action") == 0 || strcmp(k->p, "Version") == 0)
        return 0;
    return insert(p, root, k->p, v->p);
}

/* The body's pairs as a tree of segments; NULL with err. */
static cJSON *pairs_tree(pctx *p, const char *body, size_t len)
{
    cJSON *root = cJSON_CreateObject();
    buf k = BUF_INIT, v = BUF_INIT;
    int rc = root ? 0 : -1;
    size_t count = 0;
    for (size_t i = 0; rc == 0 && i < len;) {
        const char *amp = memchr(body + i, '&', len - i);
        size_t n = amp ? (size_t)(amp - body) - i : len - i;
        if (n && ++count > MAX_PAIRS)
            rc = (bad(p, "too many parameters"), -1);
        else if (n)
            rc = add_pair(p, root, body + i, n, &k, &v);
        i += n + 1;
    }
    buf_free(&k);
    buf_free(&v);
    if (rc == 0)
        return root;
    cJSON_Delete(root);
    return NULL;
}

/* --- the tree read by the shape --- */

static cJSON *read_value(pctx *p, const model_shape *s, cJSON *raw, int flattened);

/* node[name], taken out of node (the caller owns it), or NULL. */
static cJSON *take(cJSON *node, const char *name)
{
    return cJSON_DetachItemFromObjectCaseSensitive(node, name);
}

static cJSON *read_number(pctx *p, const model_shape *s, const char *text)
{
    char *end;
    errno = 0;
    int whole = s->type == MODEL_INTEGER || s->type == MODEL_LONG;
    double v = whole ? (double)strtoll(text, &end, 10) : strtod(text, &end);
    if (end == text || *end || errno == ERANGE || !isfinite(v))
        return bad(p, whole ? "not an integer" : "not a number");
    return cJSON_CreateNumber(v);
}

static cJSON *read_blob(pctx *p, const char *text)
{
    buf bytes = BUF_INIT;
    cJSON *v = NULL;
    if (base64_decode(&bytes, text, strlen(text)) != 0 || strlen(bytes.p) != bytes.len)
        bad(p, "not base64 (or it holds a NUL byte)");
    else
        v = cJSON_CreateString(bytes.p);
    buf_free(&bytes);
    return v;
}

/* A policy document arrives as JSON text. It becomes a tree only when the whole text
 * is one object or array, which the serialiser writes back as the same document;
 * anything else (a prefix that parses, followed by more; a bare number) stays the
 * string it was, so what is parsed serialises and parses back to itself. */
static cJSON *read_policy(const char *text)
{
    cJSON *doc = json_parse_all(text, strlen(text), NULL);
    if (doc && (cJSON_IsObject(doc) || cJSON_IsArray(doc)))
        return doc;
    cJSON_Delete(doc);
    return cJSON_CreateString(text);
}

static cJSON *read_scalar(pctx *p, const model_shape *s, const cJSON *raw)
{
    if (!cJSON_IsString(raw))
        return bad(p, "expected a value, got nested keys");
    const char *text = raw->valuestring;
    switch (s->type) {
    case MODEL_BOOLEAN:
        if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0)
            return bad(p, "not true or false");
        return cJSON_CreateBool(strcmp(text, "true") == 0);
    case MODEL_INTEGER:
    case MODEL_LONG:
    case MODEL_DOUBLE:
    case MODEL_FLOAT: return read_number(p, s, text);
    case MODEL_BLOB: return read_blob(p, text);
    default: return (s->flags & MODEL_F_POLICY) ? read_policy(text) : cJSON_CreateString(text);
    }
}

/* The wire name a structure member is sent under: a flattened list with a member
 * locationName renames its member (model_serialize.c's list_key). */
static const char *wire_name(const model_member *m)
{
    const model_shape *s = m->shape;
    int flat = (m->flags & MODEL_M_FLATTENED) || (s->flags & MODEL_F_FLATTENED);
    if (flat && s->type == MODEL_LIST && s->member_name)
        return s->member_name;
    return m->location_name ? m->location_name : m->name;
}

/* What is left in a node after its shape took what it knows. */
static cJSON *leftover(pctx *p, const cJSON *raw)
{
    keypath_push(&p->key, raw->child->string);
    return bad(p, "not a parameter of this operation");
}

static cJSON *read_structure(pctx *p, const model_shape *s, cJSON *raw)
{
    if (!cJSON_IsObject(raw))
        return bad(p, "expected nested keys, got a value");
    cJSON *obj = cJSON_CreateObject();
    for (unsigned i = 0; obj && i < s->nmembers; i++) {
        const model_member *m = &s->members[i];
        cJSON *item = take(raw, wire_name(m));
        if (!item)
            continue;
        size_t mark = keypath_push(&p->key, wire_name(m));
        int flat = (m->flags & MODEL_M_FLATTENED) != 0;
        cJSON *v = read_value(p, m->shape, item, flat);
        cJSON_Delete(item);
        keypath_pop(&p->key, mark);
        if (!v || !cJSON_AddItemToObject(obj, m->name, v)) {
            cJSON_Delete(v);
            cJSON_Delete(obj);
            return NULL;
        }
    }
    if (obj && raw->child) {
        cJSON_Delete(obj);
        return leftover(p, raw);
    }
    return obj;
}

/* The position of the item numbered name ("1".."n", no leading zero) in 0..n-1; -1. */
static int item_index(const char *name, int n)
{
    char *end;
    long i = name[0] != '0' ? strtol(name, &end, 10) : 0;
    return i >= 1 && i <= n && !*end ? (int)i - 1 : -1;
}

typedef cJSON *read_item_fn(pctx *p, const model_shape *s, cJSON *raw);

/* Each numbered child of raw into slots[number - 1]; -1 at the first bad one. */
static int fill_slots(pctx *p, const model_shape *s, cJSON *raw, cJSON **slots, int n,
                      read_item_fn *read_item)
{
    for (cJSON *c = raw->child; c; c = c->next) {
        int i = item_index(c->string, n);
        size_t mark = keypath_push(&p->key, c->string);
        if (i < 0 || slots[i])
            bad(p, "not an item number from 1 to the count of items");
        else
            slots[i] = read_item(p, s, c);
        keypath_pop(&p->key, mark);
        if (i < 0 || !slots[i])
            return -1;
    }
    return 0;
}

/* The numbered children of raw ("1".."n", each once, in any order) as an array, in
 * number order, each read by read_item. */
static cJSON *read_items(pctx *p, const model_shape *s, cJSON *raw, read_item_fn *read_item)
{
    int n = cJSON_GetArraySize(raw);
    cJSON **slots = calloc((size_t)n + 1, sizeof *slots);
    cJSON *arr = slots ? cJSON_CreateArray() : NULL;
    if (arr && fill_slots(p, s, raw, slots, n, read_item) != 0) {
        cJSON_Delete(arr);
        arr = NULL;
    }
    for (int i = 0; i < n && slots; i++) {
        if (arr) /* n distinct numbers from 1 to n: every slot is filled */
            cJSON_AddItemToArray(arr, slots[i]);
        else
            cJSON_Delete(slots[i]);
    }
    free(slots);
    return arr;
}

static cJSON *read_list_item(pctx *p, const model_shape *s, cJSON *raw)
{
    return read_value(p, s->member, raw, 0);
}

static cJSON *read_list(pctx *p, const model_shape *s, cJSON *raw, int flattened)
{
    if (cJSON_IsString(raw) && !raw->valuestring[0])
        return cJSON_CreateArray(); /* "A=": the empty list */
    if (!cJSON_IsObject(raw))
        return bad(p, "expected list items");
    if (flattened)
        return read_items(p, s, raw, read_list_item);
    const char *name = s->member_name ? s->member_name : "member";
    cJSON *items = take(raw, name);
    size_t mark = keypath_push(&p->key, name);
    cJSON *arr = items ? read_items(p, s, items, read_list_item) : bad(p, "missing");
    keypath_pop(&p->key, mark);
    cJSON_Delete(items);
    if (arr && raw->child) {
        cJSON_Delete(arr);
        return leftover(p, raw);
    }
    return arr;
}

/* One entry {key, value} as a one-member object {key = value}; read_map merges them. */
static cJSON *read_entry(pctx *p, const model_shape *s, cJSON *raw)
{
    cJSON *k = take(raw, s->member_name ? s->member_name : "key");
    cJSON *v = take(raw, s->value_name ? s->value_name : "value");
    cJSON *entry = NULL, *value = NULL;
    if (!cJSON_IsString(k) || !v || raw->child)
        bad(p, "an entry holds a key and a value, and nothing else");
    else if ((value = read_value(p, s->value, v, 0)) && (entry = cJSON_CreateObject()))
        cJSON_AddItemToObject(entry, k->valuestring, value);
    else
        cJSON_Delete(value);
    cJSON_Delete(k);
    cJSON_Delete(v);
    return entry;
}

/* The entries as one object; a key given twice keeps its last value (as model_decode). */
static cJSON *merge_entries(cJSON *items)
{
    cJSON *map = cJSON_CreateObject();
    for (cJSON *e = items->child; map && e; e = e->next) {
        cJSON *kv = cJSON_DetachItemViaPointer(e, e->child);
        cJSON_DeleteItemFromObjectCaseSensitive(map, kv->string);
        cJSON_AddItemToObject(map, kv->string, kv);
    }
    return map;
}

static cJSON *read_map(pctx *p, const model_shape *s, cJSON *raw, int flattened)
{
    if (!cJSON_IsObject(raw))
        return bad(p, "expected map entries");
    cJSON *entries = flattened ? raw : take(raw, "entry"), *items = NULL, *map = NULL;
    size_t mark = flattened ? p->key.len : keypath_push(&p->key, "entry");
    if (!entries)
        bad(p, "expected map entries");
    else if ((items = read_items(p, s, entries, read_entry)) && !flattened && raw->child)
        leftover(p, raw);
    else if (items)
        map = merge_entries(items);
    keypath_pop(&p->key, mark);
    cJSON_Delete(items);
    if (!flattened)
        cJSON_Delete(entries);
    return map;
}

static cJSON *read_value(pctx *p, const model_shape *s, cJSON *raw, int flattened)
{
    if (++p->depth > MAX_DEPTH) {
        p->depth--;
        return bad(p, "nested too deeply");
    }
    flattened |= (s->flags & MODEL_F_FLATTENED) != 0;
    cJSON *v;
    switch (s->type) {
    case MODEL_STRUCTURE: v = read_structure(p, s, raw); break;
    case MODEL_LIST: v = read_list(p, s, raw, flattened); break;
    case MODEL_MAP: v = read_map(p, s, raw, flattened); break;
    default: v = read_scalar(p, s, raw);
    }
    p->depth--;
    if (!v && p->err && p->err->kind == AWS_ERR_NONE)
        err_set(p->err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory");
    return v;
}

cJSON *model_parse(const model_op *op, const char *body, size_t len, aws_err *err)
{
    aws_err local;
    pctx p = {op, err ? err : &local, KEYPATH_INIT, 0};
    err_clear(p.err);
    cJSON *raw = pairs_tree(&p, body ? body : "", body ? len : 0);
    cJSON *params = NULL;
    if (raw && !op->input && raw->child)
        leftover(&p, raw);
    else if (raw && !op->input)
        params = cJSON_CreateObject();
    else if (raw)
        params = read_structure(&p, op->input, raw);
    cJSON_Delete(raw);
    return params;
}

const model_op *model_parse_action(const model_service *svc, const char *body, size_t len)
{
    buf action = BUF_INIT;
    const model_op *op = NULL;
    for (size_t i = 0; body && i < len && !op;) {
        const char *amp = memchr(body + i, '&', len - i);
        size_t n = amp ? (size_t)(amp - body) - i : len - i;
        if (n > 7 && memcmp(body + i, "Action=", 7) == 0 &&
            form_decode(body + i + 7, n - 7, &action) == 0 && action.p[0] >= 'A' &&
            action.p[0] <= 'Z')
            op = model_op_find(svc, action.p);
        i += n + 1;
    }
    buf_free(&action);
    return op;
}
