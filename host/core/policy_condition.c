/* policy_condition.c - the Condition element: operators (with ...IfExists and the
 * ForAllValues:/ForAnyValue: set prefixes), keys, and values of the operator's type,
 * compiled so a request never parses a policy value again.
 *
 * Sources (IAM User Guide): "IAM JSON policy elements: Condition", "...: Condition
 * operators" (the operator list, IfExists, Null), "Single-valued vs. multivalued
 * context keys" (set operators). "Invalid Condition type : X" is IAM's text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_int.h"

static const struct opdef {
    const char *name;
    int op, negated;
} ops[] = {
    {"StringEquals", OP_STR_EQ, 0},
    {"StringNotEquals", OP_STR_EQ, 1},
    {"StringEqualsIgnoreCase", OP_STR_EQ_IC, 0},
    {"StringNotEqualsIgnoreCase", OP_STR_EQ_IC, 1},
    {"StringLike", OP_STR_LIKE, 0},
    {"StringNotLike", OP_STR_LIKE, 1},
    {"NumericEquals", OP_NUM_EQ, 0},
    {"NumericNotEquals", OP_NUM_EQ, 1},
    {"NumericLessThan", OP_NUM_LT, 0},
    {"NumericLessThanEquals", OP_NUM_LE, 0},
    {"NumericGreaterThan", OP_NUM_GT, 0},
    {"NumericGreaterThanEquals", OP_NUM_GE, 0},
    {"DateEquals", OP_DATE_EQ, 0},
    {"DateNotEquals", OP_DATE_EQ, 1},
    {"DateLessThan", OP_DATE_LT, 0},
    {"DateLessThanEquals", OP_DATE_LE, 0},
    {"DateGreaterThan", OP_DATE_GT, 0},
    {"DateGreaterThanEquals", OP_DATE_GE, 0},
    {"Bool", OP_BOOL, 0},
    {"BinaryEquals", OP_BINARY, 0},
    {"IpAddress", OP_IP, 0},
    {"NotIpAddress", OP_IP, 1},
    {"ArnEquals", OP_ARN, 0},
    {"ArnLike", OP_ARN, 0},
    {"ArnNotEquals", OP_ARN, 1},
    {"ArnNotLike", OP_ARN, 1},
    {"Null", OP_NULL, 0},
};

/* "ForAnyValue:StringLikeIfExists" -> op, negated, set, if_exists: 0, or -1 when it
 * is no operator IAM knows. Names are matched ignoring case. */
static int parse_operator(const char *name, pol_cond *c)
{
    const char *p = name;
    if (strncasecmp(p, "ForAllValues:", 13) == 0) {
        c->set = SET_ALL;
        p += 13;
    } else if (strncasecmp(p, "ForAnyValue:", 12) == 0) {
        c->set = SET_ANY;
        p += 12;
    }
    size_t n = strlen(p);
    if (n > 8 && strcasecmp(p + n - 8, "IfExists") == 0) {
        c->if_exists = 1;
        n -= 8;
    }
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        if (strlen(ops[i].name) == n && strncasecmp(ops[i].name, p, n) == 0) {
            c->op = ops[i].op;
            c->negated = ops[i].negated;
            return c->op == OP_NULL && c->if_exists ? -1 : 0;
        }
    }
    return -1;
}

static const char *op_needs(int op)
{
    if (op >= OP_NUM_EQ && op <= OP_NUM_GE)
        return "numbers";
    if (op >= OP_DATE_EQ && op <= OP_DATE_GE)
        return "dates (ISO 8601, or seconds since 1970)";
    switch (op) {
    case OP_BOOL:
    case OP_NULL: return "true or false";
    case OP_BINARY: return "base64-encoded bytes";
    case OP_IP: return "IP addresses or CIDR ranges";
    default: return NULL;
    }
}

/* Parse a value of the operator's type into v (the binary bytes into bin, which
 * has room for them). 0, or -1 when it is not such a value. */
static int typed_value(int op, const char *text, pol_value *v, unsigned char *bin)
{
    int b;
    if (op >= OP_NUM_EQ && op <= OP_NUM_GE)
        return policy_parse_number(text, &v->num);
    if (op >= OP_DATE_EQ && op <= OP_DATE_GE)
        return policy_parse_date(text, &v->num);
    switch (op) {
    case OP_BOOL:
    case OP_NULL: return policy_parse_bool(text, &b);
    case OP_IP: return policy_parse_ip(text, &v->ip, 1);
    case OP_BINARY: {
        long n = policy_base64_decode(text, strlen(text), bin);
        v->binlen = n < 0 ? 0 : (size_t)n;
        return n < 0 ? -1 : 0;
    }
    default: return 0;
    }
}

/* A scalar condition value as text: strings as they are, booleans and numbers as
 * JSON writes them. NULL when it is no scalar. */
static const char *scalar_text(const cJSON *v, char *tmp, size_t cap)
{
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "true" : "false";
    if (!cJSON_IsNumber(v))
        return NULL;
    double d = v->valuedouble;
    if (d < 1e15 && d > -1e15 && d == (double)(long long)d) /* the range first: no UB cast */
        snprintf(tmp, cap, "%lld", (long long)d);
    else
        snprintf(tmp, cap, "%.17g", d);
    return tmp;
}

static void compile_value(pwalk *w, pol_value *v, const char *text, int op, unsigned char *bin)
{
    pol_arena *a = &w->pol->arena;
    v->text = policy_arena_strdup(a, text);
    v->lower = policy_arena_strdup_lower(a, text);
    v->vars = (unsigned char)(w->version == POL_VERSION_2012 && strstr(text, "${"));
    if (op == OP_BINARY && v->binlen) {
        unsigned char *copy = policy_arena_alloc(a, v->binlen);
        if (copy)
            memcpy(copy, bin, v->binlen);
        v->bin = copy;
    }
    if (!v->text || !v->lower || (v->binlen && !v->bin))
        w->oom = 1;
}

/* One value: its type checked, and compiled into out when compiling. */
static void walk_value(pwalk *w, const cJSON *it, const char *opname, int op, pol_value *out)
{
    char tmp[64];
    const char *text = scalar_text(it, tmp, sizeof tmp);
    if (!text) {
        policy_walk_problem(w, 1, POL_MALFORMED,
                            "%s Condition values must be strings, numbers or booleans", POL_SYNTAX);
        return;
    }
    size_t len = strlen(text);
    unsigned char *bin = op == OP_BINARY ? malloc(len / 4 * 3 + 4) : NULL;
    pol_value v = {0};
    if (op == OP_BINARY && !bin)
        w->oom = 1;
    else if (typed_value(op, text, &v, bin) != 0)
        policy_walk_problem(w, 1, POL_MALFORMED, "%s %s needs %s: \"%s\"", POL_SYNTAX, opname,
                            op_needs(op), text);
    else if (out) {
        *out = v;
        compile_value(w, out, text, op, bin);
    }
    free(bin);
}

/* One key of an operator block: "aws:SourceIp": value or [values]. */
static void walk_key(pwalk *w, const cJSON *k, const char *opname, int op, pol_cond *c)
{
    if (!strchr(k->string, ':') || k->string[0] == ':')
        policy_walk_problem(
            w, 0, POL_MALFORMED,
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
    int is_array = cJSON_IsArray(k);
    size_t n = is_array ? (size_t)cJSON_GetArraySize(k) : 1, i = 0;
    if (n == 0)
        policy_walk_problem(w, 0, POL_MALFORMED, "%s Condition key %s has no values", POL_SYNTAX,
                            k->string);
    if (c) {
        c->key = policy_arena_strdup_lower(&w->pol->arena, k->string);
        c->values = policy_arena_alloc(&w->pol->arena, (n ? n : 1) * sizeof *c->values);
        if (!c->key || !c->values) {
            w->oom = 1;
            return;
        }
    }
    for (const cJSON *it = is_array ? k->child : k; it && !w->oom;
         it = is_array ? it->next : NULL) {
        size_t mark = is_array ? policy_walk_push_index(w, i + 1) : strlen(w->path);
        walk_value(w, it, opname, op, c ? &c->values[i] : NULL);
        policy_walk_pop(w, mark);
        i++;
    }
    if (c)
        c->nvalues = n;
}

static size_t count_keys(const cJSON *cond)
{
    size_t n = 0;
    for (const cJSON *op = cond->child; op; op = op->next)
        n += cJSON_IsObject(op) ? (size_t)cJSON_GetArraySize(op) : 0;
    return n;
}

/* One operator block: "StringEquals": {key: values, ...}. */
static void walk_operator(pwalk *w, const cJSON *op, pol_stmt *st)
{
    pol_cond proto = {0};
    if (parse_operator(op->string, &proto) != 0) {
        policy_walk_problem(w, 1, POL_MALFORMED, "Invalid Condition type : %s", op->string);
        return;
    }
    if (!cJSON_IsObject(op)) {
        policy_walk_problem(w, 1, POL_MALFORMED,
                            "%s The condition operator %s must map keys to values", POL_SYNTAX,
                            op->string);
        return;
    }
    for (const cJSON *k = op->child; k && !w->oom; k = k->next) {
        size_t mark = policy_walk_push_key(w, k->string);
        pol_cond *c = st ? &st->conds[st->nconds++] : NULL;
        if (c)
            *c = proto;
        walk_key(w, k, op->string, proto.op, c);
        policy_walk_pop(w, mark);
    }
}

void policy_walk_condition(pwalk *w, const cJSON *cond, pol_stmt *st)
{
    size_t mark = policy_walk_push_key(w, "Condition");
    if (!cJSON_IsObject(cond)) {
        policy_walk_problem(w, 1, POL_MALFORMED, "%s Condition must be an object", POL_SYNTAX);
        policy_walk_pop(w, mark);
        return;
    }
    if (st) {
        st->conds = policy_arena_alloc(&w->pol->arena, (count_keys(cond) + 1) * sizeof *st->conds);
        if (!st->conds) {
            w->oom = 1;
            policy_walk_pop(w, mark);
            return;
        }
    }
    for (const cJSON *op = cond->child; op && !w->oom; op = op->next) {
        size_t m = policy_walk_push_key(w, op->string);
        walk_operator(w, op, st);
        policy_walk_pop(w, m);
    }
    policy_walk_pop(w, mark);
}
