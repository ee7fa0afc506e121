/* model_validate_aws.c - the service's side of validation: parameters an endpoint
 * received, checked against the input shape's constraints and refused in AWS's words:
 *
 *   1 validation error detected: Value 'a b' at 'roleName' failed to satisfy
 *   constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+
 *
 * Every failure is listed (AWS counts them: "2 validation errors detected: ...; ..."),
 * members in model order, paths as AWS writes them ('tags.6.member.value'). Types are
 * not checked here: model_parse typed the values already. A sensitive value (a
 * password) is not repeated. */
#include "iamsh/model_validate.h"
#include "iamsh/buf.h"
#include "iamsh/keypath.h"
#include "iamsh/pattern.h"
#include "iamsh/utf8.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 32

typedef struct actx {
    keypath path;
    buf list; /* "Value ... ; Value ..." */
    int count, depth, oom;
} actx;

/* One failure: "Value 'v' at 'path' failed to satisfy constraint: Member must ...". */
static void failure(actx *a, const model_shape *s, const char *shown, const char *must)
{
    int rc = a->count++ ? buf_puts(&a->list, "; ") : 0;
    if (!shown)
        rc = rc || buf_puts(&a->list, "Value null");
    else if (model_is_sensitive(s))
        rc = rc || buf_puts(&a->list, "Value");
    else
        rc = rc || buf_printf(&a->list, "Value '%s'", shown);
    rc = rc || buf_printf(&a->list, " at '%s' failed to satisfy constraint: Member must %s",
                          a->path.s, must);
    a->oom |= rc != 0;
}

static void check_value(actx *a, const model_shape *s, const cJSON *v);

static void check_length(actx *a, const model_shape *s, long long n, const char *shown,
                         const char *what)
{
    char must[96];
    if ((s->flags & MODEL_F_HAS_MIN) && n < s->min) {
        snprintf(must, sizeof must, "have %s greater than or equal to %lld", what, s->min);
        failure(a, s, shown, must);
    } else if ((s->flags & MODEL_F_HAS_MAX) && n > s->max) {
        snprintf(must, sizeof must, "have %s less than or equal to %lld", what, s->max);
        failure(a, s, shown, must);
    }
}

static void check_enum(actx *a, const model_shape *s, const char *v)
{
    for (unsigned i = 0; i < s->nenums; i++)
        if (strcmp(s->enums[i], v) == 0)
            return;
    buf must = BUF_INIT;
    int rc = buf_puts(&must, "satisfy enum value set: [");
    for (unsigned i = 0; i < s->nenums && rc == 0; i++)
        rc = buf_printf(&must, "%s%s", i ? ", " : "", s->enums[i]);
    if (rc == 0 && buf_puts(&must, "]") == 0)
        failure(a, s, v, must.p);
    a->oom |= rc != 0;
    buf_free(&must);
}

static void check_string(actx *a, const model_shape *s, const cJSON *v)
{
    const char *text = v->valuestring;
    size_t bytes = strlen(text), chars = utf8_count(text, bytes);
    if (s->nenums) {
        check_enum(a, s, text);
        return;
    }
    check_length(a, s, chars == (size_t)-1 ? (long long)bytes : (long long)chars, text, "length");
    if (s->pattern && pattern_match(s->pattern, text, bytes) != 1) {
        buf must = BUF_INIT;
        if (buf_printf(&must, "satisfy regular expression pattern: %s", s->pattern) == 0)
            failure(a, s, text, must.p);
        buf_free(&must);
    }
}

static void check_number(actx *a, const model_shape *s, const cJSON *v)
{
    char shown[64];
    double d = v->valuedouble;
    snprintf(shown, sizeof shown, "%.17g", d);
    /* Clamped before the cast: 2^63 (LLONG_MAX read by strtoll, as a double) does not
     * fit a long long, and casting it is undefined (x86 gives LLONG_MIN). */
    long long n = d >= 0x1p63 ? LLONG_MAX : d < -0x1p63 ? LLONG_MIN : d == d ? (long long)d : 0;
    check_length(a, s, n, shown, "value");
}

/* A list shown as Java prints it: "[a, b]" for strings, "[...]" for anything else. */
static void show_list(const cJSON *v, buf *out)
{
    buf_puts(out, "[");
    for (const cJSON *e = v->child; e; e = e->next)
        buf_printf(out, "%s%s", e == v->child ? "" : ", ",
                   cJSON_IsString(e) ? e->valuestring : "...");
    buf_puts(out, "]");
}

static void check_list(actx *a, const model_shape *s, const cJSON *v)
{
    int n = 0;
    for (const cJSON *e = v->child; e; e = e->next) {
        char index[24];
        snprintf(index, sizeof index, "%d", ++n);
        size_t mark = keypath_push(&a->path, index);
        keypath_push(&a->path, "member");
        check_value(a, s->member, e);
        keypath_pop(&a->path, mark);
    }
    if (((s->flags & MODEL_F_HAS_MIN) && n < s->min) ||
        ((s->flags & MODEL_F_HAS_MAX) && n > s->max)) {
        buf shown = BUF_INIT;
        show_list(v, &shown);
        check_length(a, s, n, shown.p ? shown.p : "[]", "length");
        buf_free(&shown);
    }
}

static void check_map(actx *a, const model_shape *s, const cJSON *v)
{
    int n = 0;
    for (const cJSON *e = v->child; e; e = e->next, n++) {
        size_t mark = keypath_push(&a->path, e->string);
        check_value(a, s->value, e);
        keypath_pop(&a->path, mark);
    }
    check_length(a, s, n, "{...}", "length");
}

/* "RoleName" -> "roleName", as AWS names members in these messages. */
static size_t push_member(actx *a, const char *name)
{
    char lower[128];
    size_t n = strnlen(name, sizeof lower - 1);
    memcpy(lower, name, n);
    lower[n] = '\0';
    if (lower[0] >= 'A' && lower[0] <= 'Z')
        lower[0] = (char)(lower[0] - 'A' + 'a');
    return keypath_push(&a->path, lower);
}

static void check_structure(actx *a, const model_shape *s, const cJSON *v)
{
    for (unsigned i = 0; i < s->nmembers; i++) {
        const model_member *m = &s->members[i];
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(v, m->name);
        int absent = !c || cJSON_IsNull(c);
        if (absent && !(m->flags & MODEL_M_REQUIRED))
            continue; /* nothing to check, nor to name */
        size_t mark = push_member(a, m->name);
        if (absent)
            failure(a, m->shape, NULL, "not be null");
        else
            check_value(a, m->shape, c);
        keypath_pop(&a->path, mark);
    }
}

static void check_value(actx *a, const model_shape *s, const cJSON *v)
{
    if (++a->depth > MAX_DEPTH) {
        a->depth--;
        return; /* model_parse refuses deeper trees; nothing in IAM nests this far */
    }
    if (s->type == MODEL_STRUCTURE && cJSON_IsObject(v))
        check_structure(a, s, v);
    else if (s->type == MODEL_LIST && cJSON_IsArray(v))
        check_list(a, s, v);
    else if (s->type == MODEL_MAP && cJSON_IsObject(v))
        check_map(a, s, v);
    else if (s->type == MODEL_STRING && cJSON_IsString(v))
        check_string(a, s, v);
    else if ((s->type == MODEL_INTEGER || s->type == MODEL_LONG) && cJSON_IsNumber(v))
        check_number(a, s, v);
    a->depth--;
}

int model_validate_aws(const model_op *op, const cJSON *params, aws_err *err)
{
    actx a = {KEYPATH_INIT, BUF_INIT, 0, 0, 0};
    err_clear(err);
    if (op->input && params)
        check_value(&a, op->input, params);
    if (a.oom)
        err_set(err, AWS_ERR_INTERNAL, "InternalFailure", "out of memory");
    else if (a.count)
        err_set(err, AWS_ERR_PARAM, "ValidationError", "%d validation error%s detected: %s",
                a.count, a.count == 1 ? "" : "s", a.list.p);
    if (err && a.count && !a.oom)
        err->status = 400;
    buf_free(&a.list);
    return a.count || a.oom ? -1 : 0;
}
