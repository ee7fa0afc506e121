/* model_validate.c - check call parameters (a cJSON tree) against an operation's input
 * shape before anything is sent, so misuse fails early with the parameter's path:
 *   "create_role: Tags[2].Key: missing"
 * List indexes in paths are 1-based, as the Lua tables they came from. */
#include "iamsh/model_validate.h"
#include "iamsh/iso8601.h"
#include "iamsh/keypath.h"
#include "iamsh/pattern.h"
#include "iamsh/utf8.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 32

typedef struct vctx {
    const model_op *op;
    aws_err *err;
    keypath path; /* where the value being checked sits, "Tags[2].Key" */
    int depth;
} vctx;

static int fail(vctx *v, const char *fmt, const char *a, const char *b)
{
    char what[900];
    snprintf(what, sizeof what, fmt, a ? a : "", b ? b : "");
    return err_set(v->err, AWS_ERR_PARAM, "ParamValidation", "%s: %s: %s", v->op->snake,
                   v->path.len ? v->path.s : "(parameters)", what);
}

static const char *json_kind(const cJSON *j)
{
    if (cJSON_IsString(j))
        return "string";
    if (cJSON_IsNumber(j))
        return "number";
    if (cJSON_IsBool(j))
        return "boolean";
    if (cJSON_IsArray(j))
        return "list";
    if (cJSON_IsObject(j))
        return "table";
    return "null";
}

static int wrong_type(vctx *v, const char *expected, const cJSON *j)
{
    return fail(v, "expected %s, got %s", expected, json_kind(j));
}

static int check_value(vctx *v, const model_shape *s, const cJSON *j);

static int check_bounds(vctx *v, const model_shape *s, long long n, const char *unit)
{
    char msg[128];
    if ((s->flags & MODEL_F_HAS_MIN) && n < s->min) {
        snprintf(msg, sizeof msg, "%s %lld is below the minimum %lld", unit, n, s->min);
        return fail(v, "%s%s", msg, NULL);
    }
    if ((s->flags & MODEL_F_HAS_MAX) && n > s->max) {
        snprintf(msg, sizeof msg, "%s %lld is above the maximum %lld", unit, n, s->max);
        return fail(v, "%s%s", msg, NULL);
    }
    return 0;
}

static int check_enum(vctx *v, const model_shape *s, const char *str)
{
    if (!s->nenums)
        return 0;
    for (unsigned i = 0; i < s->nenums; i++)
        if (strcmp(s->enums[i], str) == 0)
            return 0;
    char list[600] = "";
    size_t len = 0;
    for (unsigned i = 0; i < s->nenums && len < sizeof list - 1; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", s->enums[i]);
    return fail(v, "invalid value \"%s\" (valid: %s)", str, list);
}

static int check_policy_string(vctx *v, const char *str)
{
    cJSON *doc = cJSON_Parse(str);
    if (!doc)
        return fail(v, "policy document is not valid JSON%s", "", NULL);
    cJSON_Delete(doc);
    return 0;
}

static int check_string(vctx *v, const model_shape *s, const cJSON *j)
{
    if ((s->flags & MODEL_F_POLICY) && (cJSON_IsObject(j) || cJSON_IsArray(j)))
        return 0; /* encoded as JSON text by the serialiser */
    if (!cJSON_IsString(j))
        return wrong_type(
            v, s->flags & MODEL_F_POLICY ? "policy document (table or JSON string)" : "string", j);
    const char *str = j->valuestring;
    size_t bytes = strlen(str), n = utf8_count(str, bytes);
    if (n == (size_t)-1)
        return fail(v, "not valid UTF-8%s", "", NULL);
    if (check_enum(v, s, str) || check_bounds(v, s, (long long)n, "length"))
        return -1;
    if ((s->flags & MODEL_F_POLICY) && check_policy_string(v, str))
        return -1;
    if (s->pattern) {
        int m = pattern_match(s->pattern, str, bytes);
        if (m == 0)
            return fail(v, "does not match pattern %s", s->pattern, NULL);
        if (m < 0)
            return fail(v, "cannot be checked against pattern %s", s->pattern, NULL);
    }
    return 0;
}

static int check_integer(vctx *v, const model_shape *s, const cJSON *j)
{
    if (!cJSON_IsNumber(j))
        return wrong_type(v, "integer", j);
    double d = j->valuedouble;
    if (!isfinite(d) || d != floor(d))
        return fail(v, "expected integer, got a number with a fraction%s", "", NULL);
    if (s->type == MODEL_INTEGER && (d < -2147483648.0 || d > 2147483647.0))
        return fail(v, "integer out of the 32-bit range%s", "", NULL);
    if (fabs(d) > 9007199254740992.0) /* beyond 2^53 a double is no longer exact */
        return fail(v, "integer out of range (beyond 2^53)%s", "", NULL);
    return check_bounds(v, s, (long long)d, "value");
}

static int check_timestamp(vctx *v, const cJSON *j)
{
    double t;
    if (cJSON_IsNumber(j) && isfinite(j->valuedouble))
        return 0;
    if (cJSON_IsString(j) && iso8601_parse(j->valuestring, &t) == 0)
        return 0;
    if (cJSON_IsString(j))
        return fail(v, "not an ISO-8601 timestamp: \"%s\"", j->valuestring, NULL);
    return wrong_type(v, "timestamp (ISO-8601 string or seconds since the epoch)", j);
}

static int check_list(vctx *v, const model_shape *s, const cJSON *j)
{
    /* An empty table reaches us as an empty object: accept it as an empty list. */
    if (cJSON_IsObject(j) && !j->child)
        return check_bounds(v, s, 0, "list length");
    if (!cJSON_IsArray(j))
        return wrong_type(v, "list", j);
    int n = 0;
    for (const cJSON *e = j->child; e; e = e->next) {
        size_t old = keypath_push_index(&v->path, ++n, 0);
        int rc = check_value(v, s->member, e);
        keypath_pop(&v->path, old);
        if (rc)
            return -1;
    }
    return check_bounds(v, s, n, "list length");
}

static int check_map(vctx *v, const model_shape *s, const cJSON *j)
{
    if (!cJSON_IsObject(j))
        return wrong_type(v, "map", j);
    int n = 0;
    for (const cJSON *e = j->child; e; e = e->next, n++) {
        cJSON key = {0};
        key.type = cJSON_String;
        key.valuestring = e->string;
        size_t old = keypath_push(&v->path, e->string ? e->string : "");
        int rc = check_value(v, s->member, &key) || check_value(v, s->value, e);
        keypath_pop(&v->path, old);
        if (rc)
            return -1;
    }
    return check_bounds(v, s, n, "map size");
}

static int unknown_member(vctx *v, const model_shape *s)
{
    char list[700] = "";
    size_t len = 0;
    for (unsigned i = 0; i < s->nmembers && len < sizeof list - 1; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                                s->members[i].name);
    return fail(v, "unknown parameter (valid: %s)", s->nmembers ? list : "none", NULL);
}

static int check_members_known(vctx *v, const model_shape *s, const cJSON *j)
{
    for (const cJSON *e = j->child; e; e = e->next) {
        if (model_member_find(s, e->string))
            continue;
        size_t old = keypath_push(&v->path, e->string ? e->string : "");
        unknown_member(v, s);
        keypath_pop(&v->path, old);
        return -1;
    }
    return 0;
}

static int check_structure(vctx *v, const model_shape *s, const cJSON *j)
{
    if (!cJSON_IsObject(j))
        return wrong_type(v, "table", j);
    if (check_members_known(v, s, j))
        return -1;
    int set = 0;
    for (unsigned i = 0; i < s->nmembers; i++) {
        const model_member *m = &s->members[i];
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, m->name);
        size_t old = keypath_push(&v->path, m->name);
        int rc = 0;
        if (!c || cJSON_IsNull(c))
            rc = (m->flags & MODEL_M_REQUIRED) ? fail(v, "missing%s", "", NULL) : 0;
        else
            rc = (set++, check_value(v, m->shape, c));
        keypath_pop(&v->path, old);
        if (rc)
            return -1;
    }
    if ((s->flags & MODEL_F_UNION) && set != 1)
        return fail(v, "exactly one member must be set, got %s", set ? "several" : "none", NULL);
    return 0;
}

static int check_value(vctx *v, const model_shape *s, const cJSON *j)
{
    if (++v->depth > MAX_DEPTH) {
        v->depth--;
        return fail(v, "nested too deeply%s", "", NULL);
    }
    int rc = 0;
    switch (s->type) {
    case MODEL_STRUCTURE: rc = check_structure(v, s, j); break;
    case MODEL_LIST: rc = check_list(v, s, j); break;
    case MODEL_MAP: rc = check_map(v, s, j); break;
    case MODEL_STRING: rc = check_string(v, s, j); break;
    case MODEL_INTEGER:
    case MODEL_LONG: rc = check_integer(v, s, j); break;
    case MODEL_BOOLEAN: rc = cJSON_IsBool(j) ? 0 : wrong_type(v, "boolean", j); break;
    case MODEL_TIMESTAMP: rc = check_timestamp(v, j); break;
    case MODEL_BLOB: rc = cJSON_IsString(j) ? 0 : wrong_type(v, "blob (string)", j); break;
    case MODEL_DOUBLE:
    case MODEL_FLOAT: rc = cJSON_IsNumber(j) ? 0 : wrong_type(v, "number", j); break;
    default: rc = fail(v, "unsupported shape type%s", "", NULL);
    }
    v->depth--;
    return rc;
}

int model_validate(const model_op *op, const cJSON *params, aws_err *err)
{
    if (!op)
        return err_set(err, AWS_ERR_INTERNAL, "InternalError", "no operation");
    vctx v = {.op = op, .err = err};
    if (!op->input) {
        if (params && !cJSON_IsNull(params) && params->child) {
            keypath_push(&v.path, params->child->string);
            return fail(&v, "unknown parameter (valid: none)%s", "", NULL);
        }
        return 0;
    }
    cJSON empty = {0};
    empty.type = cJSON_Object;
    if (!params || cJSON_IsNull(params))
        params = &empty;
    return check_value(&v, op->input, params);
}
