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
 * One pass, no tree: xml_parse (libxml2's SAX2 interface under the same hardened
 * regime as xml_read: no network, no entities, any DTD refused, libxml2's depth
 * limit of 256) hands us elements and text, and a stack with one frame per open
 * element says what each one is by the output shape: a value being built, a map
 * entry, or something to skip. Memory is the result's plus the text of one
 * element at a time (and libxml2's copy of the input), whatever the nesting.
 *
 * The answer is the one a walk over the whole document would give, in that walk's
 * order: a structure's members in model order (the first element of each name;
 * every one for a flattened member), then lists and maps in document order. So a
 * value that fails is not reported at once: its failure goes to its parent, which
 * keeps the one that walk would have met first, and nothing is reported before
 * the document is known to be well-formed. A structure's members are assumed to
 * have distinct wire names (test_model_decode checks the models). */
#include "iamsh/model_decode.h"
#include "iamsh/array.h"
#include "iamsh/buf.h"
#include "iamsh/xml.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NESTING 64 /* values within values, counted from the output shape */

/* Why a value could not be decoded: "what name", e.g. "not a number in element X". */
typedef struct fail {
    const char *what;
    char name[];
} fail;

enum frame_kind {
    K_SKIP,  /* nothing to decode here (its text may still be collected) */
    K_ROOT,  /* <OpResponse> around a result wrapper */
    K_VALUE, /* a value of frame.shape */
    K_ENTRY, /* a map entry: frame.shape is the map's */
};

/* Where a finished value or entry goes. */
enum frame_dest {
    D_RESULT, /* the answer */
    D_MEMBER, /* the parent structure's member frame.member */
    D_FLAT,   /* into the parent structure's flattened list or map member frame.member */
    D_ITEM,   /* into the parent list or map */
    D_VALUE,  /* the parent entry's value */
};

/* A structure member while its structure is open. */
typedef struct slot {
    cJSON *v; /* its value; a flattened member's array or object */
    fail *f;
    int taken; /* a member that is not flattened takes the first element of its name */
} slot;

typedef struct frame {
    const model_shape *shape;
    cJSON *v;       /* K_VALUE list or map: the container; K_ENTRY: the decoded value */
    fail *f;        /* K_VALUE: why it failed; K_ENTRY: why its value failed */
    char *key;      /* K_ENTRY: the key's text */
    size_t text_at; /* when collecting: where this element's text starts in dctx.text */
    size_t slots;   /* K_VALUE structure: its first slot in dctx.slots */
    int nesting;    /* K_VALUE: as the tree walk counted it; K_ENTRY: its value's */
    unsigned short member, hint; /* hint: the member after the last one found */
    unsigned char kind, dest;
    unsigned char collects; /* roles that want this element's text: scalar, key, request id */
    unsigned char is_key, is_rid, has_key, has_value;
} frame;

enum { RID_LOOKING, RID_IN_METADATA, RID_DONE };

typedef struct dctx {
    const model_op *op;
    aws_err *err;
    frame *stack;
    size_t depth, stack_cap; /* open elements */
    slot *slots;
    size_t nslots, slots_cap;
    buf text;       /* the text of the elements being collected, outermost first */
    int collecting; /* roles collecting text among the open elements */
    int seen_root, seen_wrapper, rid_state, oom;
    char *bad_root; /* the root element's name when it is not <OpResponse> */
    cJSON *result;  /* the decoded output, */
    fail *result_f; /* or why it failed */
    char rid[96];   /* ResponseMetadata/RequestId, when rid[0] */
} dctx;

static int parse_fail(const dctx *d, const char *what, const char *name)
{
    return err_set(d->err, AWS_ERR_PARSE, "ResponseParseError", "%s: %s%s%s", d->op->snake, what,
                   name ? " " : "", name ? name : "");
}

static fail *fail_new(dctx *d, const char *what, const char *name)
{
    size_t n = strlen(name);
    fail *f = malloc(sizeof *f + n + 1);
    if (!f) {
        d->oom = 1;
        return NULL;
    }
    f->what = what;
    memcpy(f->name, name, n + 1);
    return f;
}

/* ---- scalars ---- */

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

static cJSON *decode_number(dctx *d, const model_shape *s, const char *text, const char *name,
                            fail **f)
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
        *f = fail_new(d, "not a number in element", name);
        return NULL;
    }
    return cJSON_CreateNumber(v);
}

/* The value of a scalar element from its whole text (every text below it). */
static cJSON *decode_scalar(dctx *d, const model_shape *s, const char *text, const char *name,
                            fail **f)
{
    cJSON *v;
    switch (s->type) {
    case MODEL_BOOLEAN: v = cJSON_CreateBool(strcmp(text, "true") == 0); break;
    case MODEL_INTEGER:
    case MODEL_LONG:
    case MODEL_DOUBLE:
    case MODEL_FLOAT: v = decode_number(d, s, text, name, f); break;
    default: v = (s->flags & MODEL_F_POLICY) ? decode_policy(text) : cJSON_CreateString(text);
    }
    if (!v && !*f)
        d->oom = 1;
    return v;
}

/* ---- the stack ---- */

static frame *push_frame(dctx *d)
{
    frame *p = array_grow(d->stack, &d->stack_cap, d->depth, sizeof *p, 32);
    if (!p)
        return NULL;
    d->stack = p;
    frame *f = &d->stack[d->depth++];
    memset(f, 0, sizeof *f);
    return f;
}

static int push_slots(dctx *d, size_t n)
{
    if (d->nslots + n > d->slots_cap || !d->slots) { /* allocated even for none: no NULL + 0 */
        size_t cap = d->slots_cap ? d->slots_cap : 64;
        while (cap < d->nslots + n)
            cap *= 2;
        slot *p = realloc(d->slots, cap * sizeof *p);
        if (!p)
            return -1;
        d->slots = p;
        d->slots_cap = cap;
    }
    memset(d->slots + d->nslots, 0, n * sizeof *d->slots);
    d->nslots += n;
    return 0;
}

/* The open element f (on top of the stack) wants its whole text. */
static void collect(dctx *d, frame *f)
{
    if (!f->collects)
        f->text_at = d->text.len;
    f->collects++;
    d->collecting++;
}

static const char *text_of(const dctx *d, const frame *f)
{
    return d->text.p ? d->text.p + f->text_at : "";
}

/* ---- opening elements ---- */

static void open_value(dctx *d, frame *f, const model_shape *s, int nesting, int dest, int member,
                       const char *name)
{
    f->kind = K_VALUE;
    f->shape = s;
    f->nesting = nesting;
    f->dest = (unsigned char)dest;
    f->member = (unsigned short)member;
    if (nesting > MAX_NESTING) {
        f->f = fail_new(d, "nested too deeply at", name);
        return;
    }
    switch (s->type) {
    case MODEL_STRUCTURE:
        f->slots = d->nslots;
        if (push_slots(d, s->nmembers))
            d->oom = 1;
        break;
    case MODEL_LIST: d->oom |= !(f->v = cJSON_CreateArray()); break;
    case MODEL_MAP: d->oom |= !(f->v = cJSON_CreateObject()); break;
    default: collect(d, f);
    }
}

static void open_entry(frame *f, const model_shape *map, int nesting, int dest, int member)
{
    f->kind = K_ENTRY;
    f->shape = map;
    f->nesting = nesting;
    f->dest = (unsigned char)dest;
    f->member = (unsigned short)member;
}

static int member_index(frame *parent, const char *name)
{
    const model_shape *s = parent->shape;
    for (unsigned k = 0; k < s->nmembers; k++) {
        unsigned i = (parent->hint + k) % s->nmembers;
        const model_member *m = &s->members[i];
        if (strcmp(m->location_name ? m->location_name : m->name, name) == 0) {
            parent->hint = (unsigned short)(i + 1);
            return (int)i;
        }
    }
    return -1;
}

/* A child of a structure: the member of that wire name, if any. */
static void open_member(dctx *d, frame *parent, frame *f, const char *name)
{
    int i = member_index(parent, name);
    if (i < 0)
        return;
    const model_member *m = &parent->shape->members[i];
    slot *sl = &d->slots[parent->slots + i];
    int flat = (m->flags & MODEL_M_FLATTENED) || (m->shape->flags & MODEL_F_FLATTENED);
    int type = m->shape->type;
    if (flat && (type == MODEL_LIST || type == MODEL_MAP)) {
        if (sl->f)
            return; /* an earlier item or entry failed: the member has failed */
        if (!sl->v && !(sl->v = type == MODEL_LIST ? cJSON_CreateArray() : cJSON_CreateObject())) {
            d->oom = 1;
            return;
        }
        if (type == MODEL_LIST)
            open_value(d, f, m->shape->member, parent->nesting + 1, D_FLAT, i, name);
        else
            open_entry(f, m->shape, parent->nesting + 1, D_FLAT, i);
        return;
    }
    if (sl->taken)
        return;
    sl->taken = 1;
    open_value(d, f, m->shape, parent->nesting + 1, D_MEMBER, i, name);
}

/* A child of a map entry: its key, its value, both (same names), or neither. */
static void open_in_entry(dctx *d, frame *entry, frame *f, const char *name)
{
    const model_shape *s = entry->shape;
    if (!entry->has_key && strcmp(name, s->member_name ? s->member_name : "key") == 0) {
        entry->has_key = f->is_key = 1;
        collect(d, f);
    }
    if (!entry->has_value && strcmp(name, s->value_name ? s->value_name : "value") == 0) {
        entry->has_value = 1;
        open_value(d, f, s->value, entry->nesting, D_VALUE, 0, name);
    }
}

static void open_child(dctx *d, frame *parent, frame *f, const char *name)
{
    if (parent->kind == K_ENTRY) {
        open_in_entry(d, parent, f, name);
    } else if (parent->kind == K_ROOT) {
        const char *wrapper = d->op->result_wrapper;
        if (!d->seen_wrapper && strcmp(name, wrapper) == 0) {
            d->seen_wrapper = 1;
            open_value(d, f, d->op->output, 1, D_RESULT, 0, name);
        }
    } else if (parent->kind == K_VALUE && !parent->f) {
        const model_shape *s = parent->shape;
        if (s->type == MODEL_STRUCTURE)
            open_member(d, parent, f, name);
        else if (s->type == MODEL_LIST)
            open_value(d, f, s->member, parent->nesting + 1, D_ITEM, 0, name);
        else if (s->type == MODEL_MAP)
            open_entry(f, s, parent->nesting + 1, D_ITEM, 0);
    }
}

static void open_root(dctx *d, frame *f, const char *name)
{
    const model_op *op = d->op;
    size_t n = strlen(op->name);
    d->seen_root = 1;
    if (strncmp(name, op->name, n) != 0 || strcmp(name + n, "Response") != 0) {
        d->oom |= !(d->bad_root = strdup(name));
        return;
    }
    if (op->output && !op->result_wrapper)
        open_value(d, f, op->output, 1, D_RESULT, 0, name);
    else if (op->output)
        f->kind = K_ROOT;
}

/* The first ResponseMetadata in the root, and the first RequestId in that. */
static void watch_request_id(dctx *d, frame *f, const char *name)
{
    if (d->depth == 2 && d->rid_state == RID_LOOKING && strcmp(name, "ResponseMetadata") == 0)
        d->rid_state = RID_IN_METADATA;
    else if (d->depth == 3 && d->rid_state == RID_IN_METADATA && strcmp(name, "RequestId") == 0) {
        d->rid_state = RID_DONE;
        f->is_rid = 1;
        collect(d, f);
    }
}

static int on_start(void *user, const char *name)
{
    dctx *d = user;
    frame *f = push_frame(d);
    if (!f) {
        d->oom = 1;
        return -1;
    }
    if (d->depth == 1)
        open_root(d, f, name);
    else if (!d->bad_root) {
        watch_request_id(d, f, name);
        open_child(d, &d->stack[d->depth - 2], f, name);
    }
    return d->oom ? -1 : 0;
}

static int on_text(void *user, const char *text, size_t len)
{
    dctx *d = user;
    if (d->collecting && buf_append(&d->text, text, len)) {
        d->oom = 1;
        return -1;
    }
    return 0;
}

/* ---- closing elements ---- */

/* A structure's members, in model order, or the failure the tree walk met first. */
static cJSON *close_structure(dctx *d, frame *f, fail **failed)
{
    const model_shape *s = f->shape;
    slot *sl = d->slots + f->slots;
    for (unsigned i = 0; !*failed && i < s->nmembers; i++)
        if (sl[i].f) {
            *failed = sl[i].f;
            sl[i].f = NULL;
        }
    cJSON *obj = *failed ? NULL : cJSON_CreateObject();
    d->oom |= !*failed && !obj;
    for (unsigned i = 0; i < s->nmembers; i++) {
        if (obj && sl[i].v) {
            if (cJSON_AddItemToObject(obj, s->members[i].name, sl[i].v))
                sl[i].v = NULL;
            else
                d->oom = 1;
        }
        cJSON_Delete(sl[i].v);
        free(sl[i].f);
    }
    d->nslots = f->slots;
    return obj;
}

/* Into a container that takes items until the first failure: a list, a map, or a
 * flattened member. */
static void add_or_fail(dctx *d, cJSON **container, fail **cf, cJSON *v, fail *f, const char *key)
{
    if (*cf || (!f && !*container)) {
        cJSON_Delete(v);
        free(f);
    } else if (f) {
        *cf = f;
        cJSON_Delete(*container);
        *container = NULL;
    } else if (!key) {
        if (!cJSON_AddItemToArray(*container, v))
            d->oom = 1, cJSON_Delete(v);
    } else {
        /* A key given twice keeps its last value, placed last. */
        cJSON_DeleteItemFromObjectCaseSensitive(*container, key);
        if (!cJSON_AddItemToObject(*container, key, v))
            d->oom = 1, cJSON_Delete(v);
    }
}

/* f's value (or failure) to where it goes; key for an entry's value. */
static void deliver(dctx *d, frame *f, cJSON *v, fail *failed, const char *key)
{
    frame *parent = f->dest == D_RESULT ? NULL : &d->stack[d->depth - 2];
    slot *sl = parent && parent->kind == K_VALUE && parent->shape->type == MODEL_STRUCTURE
                   ? &d->slots[parent->slots + f->member]
                   : NULL;
    switch (f->dest) {
    case D_RESULT: d->result = v, d->result_f = failed; break;
    case D_MEMBER: sl->v = v, sl->f = failed; break;
    case D_FLAT: add_or_fail(d, &sl->v, &sl->f, v, failed, key); break;
    case D_ITEM: add_or_fail(d, &parent->v, &parent->f, v, failed, key); break;
    case D_VALUE: parent->v = v, parent->f = failed; break;
    }
}

static void close_value(dctx *d, frame *f, const char *name)
{
    fail *failed = f->f;
    cJSON *v = NULL;
    f->f = NULL;
    if (!failed) {
        switch (f->shape->type) {
        case MODEL_STRUCTURE: v = close_structure(d, f, &failed); break;
        case MODEL_LIST:
        case MODEL_MAP: v = f->v; break;
        default: v = decode_scalar(d, f->shape, text_of(d, f), name, &failed);
        }
    }
    f->v = NULL;
    deliver(d, f, v, failed, NULL);
}

/* An entry with a key and a value goes into its map; one without either carries
 * nothing, not even its value's failure. */
static void close_entry(dctx *d, frame *f)
{
    if (f->has_key && f->has_value)
        deliver(d, f, f->v, f->f, f->key);
    else {
        cJSON_Delete(f->v);
        free(f->f);
    }
    free(f->key);
    f->v = NULL, f->f = NULL, f->key = NULL;
}

static void close_text(dctx *d, frame *f)
{
    if (f->is_key) {
        frame *entry = &d->stack[d->depth - 2];
        d->oom |= !(entry->key = strdup(text_of(d, f)));
    }
    if (f->is_rid && *text_of(d, f)) {
        strncpy(d->rid, text_of(d, f), sizeof d->rid - 1);
        d->rid[sizeof d->rid - 1] = '\0';
    }
    d->collecting -= f->collects;
    if (!d->collecting)
        buf_reset(&d->text);
}

static int on_end(void *user, const char *name)
{
    dctx *d = user;
    frame *f = &d->stack[d->depth - 1];
    if (f->kind == K_VALUE)
        close_value(d, f, name);
    else if (f->kind == K_ENTRY)
        close_entry(d, f);
    if (f->collects)
        close_text(d, f);
    if (d->depth == 2 && d->rid_state == RID_IN_METADATA)
        d->rid_state = RID_DONE;
    d->depth--;
    return d->oom ? -1 : 0;
}

/* ---- the answer ---- */

static void dctx_free(dctx *d)
{
    for (size_t i = 0; i < d->depth; i++) {
        cJSON_Delete(d->stack[i].v);
        free(d->stack[i].f);
        free(d->stack[i].key);
    }
    for (size_t i = 0; i < d->nslots; i++) {
        cJSON_Delete(d->slots[i].v);
        free(d->slots[i].f);
    }
    free(d->stack);
    free(d->slots);
    buf_free(&d->text);
    free(d->bad_root);
    cJSON_Delete(d->result);
    free(d->result_f);
}

static cJSON *answer(dctx *d, int parsed, char request_id[96])
{
    const model_op *op = d->op;
    if (d->oom) {
        err_set(d->err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory decoding %s", op->snake);
        return NULL;
    }
    if (parsed != 0) {
        parse_fail(d, "response is not well-formed XML (or carries a DTD)", NULL);
        return NULL;
    }
    if (!d->seen_root || d->bad_root) {
        parse_fail(d, "unexpected root element", d->bad_root ? d->bad_root : "(none)");
        return NULL;
    }
    if (request_id && d->rid[0])
        memcpy(request_id, d->rid, sizeof d->rid);
    /* No output shape, or a missing result wrapper (some emulators omit it). */
    if (!op->output || (op->result_wrapper && !d->seen_wrapper))
        return cJSON_CreateObject();
    if (d->result_f) {
        parse_fail(d, d->result_f->what, d->result_f->name);
        return NULL;
    }
    cJSON *result = d->result;
    d->result = NULL;
    return result;
}

cJSON *model_decode(const model_op *op, const char *xml, size_t len, char request_id[96],
                    aws_err *err)
{
    if (!op)
        return NULL;
    aws_err local;
    err_clear(&local);
    dctx d = {.op = op, .err = err ? err : &local};
    if (!xml || len == 0 || len > INT_MAX) {
        parse_fail(&d, "empty or oversized response body", NULL);
        return NULL;
    }
    xml_sax events = {on_start, on_end, on_text, &d};
    int parsed = xml_parse(xml, len, INT_MAX, &events);
    cJSON *result = answer(&d, parsed, request_id);
    dctx_free(&d);
    return result;
}
