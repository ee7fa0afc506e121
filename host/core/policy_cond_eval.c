/* policy_cond_eval.c - whether a statement's conditions hold for a request.
 *
 * As "IAM JSON policy elements: Condition" and "...: Condition operators" document:
 * operators and keys of a block are ANDed; a key's values are ORed, and for a
 * negated operator (StringNotEquals, NotIpAddress, ...) the request value must match
 * none of them. A key absent from the request makes a positive operator false and
 * a negated one true; ...IfExists makes it true; Null tests presence; ForAllValues
 * is true and ForAnyValue false for an absent (or empty) key ("Single-valued vs.
 * multivalued context keys"). A multi-valued key under an operator without a set
 * prefix matches when any of its values does (a negated one: when none does). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_int.h"

/* A request value by key: the context's, else the keys the request itself gives
 * (aws:username, aws:PrincipalTag/...). Here rather than in policy_eval.c so that
 * conditions and statements share it without the two files needing each other. */
const char *const *policy_eval_lookup(const void *ctx, const char *key, size_t keylen, size_t *n)
{
    const pol_eval *e = ctx;
    const char *const *v = policy_context_values(e->req->context, key, keylen, n);
    if (v)
        return v;
    for (size_t i = 0; i < e->nderived; i++) {
        if (strlen(e->dnames[i]) == keylen && strncasecmp(e->dnames[i], key, keylen) == 0) {
            *n = 1;
            return &e->dvalues[i];
        }
    }
    *n = 0;
    return NULL;
}

const char *policy_eval_subst(pol_eval *e, const char *s, int pattern)
{
    int rc = policy_substitute(s, pattern, policy_eval_lookup, e, &e->scratch);
    e->oom |= rc < 0;
    return rc == 0 ? e->scratch.p : NULL;
}

/* BinaryEquals: the request value's bytes (base64 when it is base64, else as they
 * are) equal the policy's. */
static int binary_equals(const pol_value *pv, const char *rv)
{
    size_t len = strlen(rv);
    unsigned char stack[512], *bytes = len / 4 * 3 + 4 <= sizeof stack ? stack : malloc(len);
    if (!bytes)
        return 0;
    long n = policy_base64_decode(rv, len, bytes);
    int eq = n >= 0 ? (size_t)n == pv->binlen && memcmp(bytes, pv->bin, pv->binlen) == 0
                    : len == pv->binlen && memcmp(rv, pv->bin, len) == 0;
    if (bytes != stack)
        free(bytes);
    return eq;
}

static int compare_numbers(int op, double r, double p)
{
    switch (op) {
    case OP_NUM_EQ:
    case OP_DATE_EQ: return r == p;
    case OP_NUM_LT:
    case OP_DATE_LT: return r < p;
    case OP_NUM_LE:
    case OP_DATE_LE: return r <= p;
    case OP_NUM_GT:
    case OP_DATE_GT: return r > p;
    default: return r >= p;
    }
}

/* The request value rv against one policy value (its variables already in ptext). */
static int value_matches(int op, const pol_value *pv, const char *ptext, const char *rv)
{
    double d;
    int b, pb;
    pol_ip ip;
    switch (op) {
    case OP_STR_EQ: return strcmp(ptext, rv) == 0;
    case OP_STR_EQ_IC: return strcasecmp(ptext, rv) == 0;
    case OP_STR_LIKE: return policy_glob(ptext, rv);
    case OP_ARN: return policy_arn_match(ptext, rv);
    case OP_BOOL:
        return policy_parse_bool(rv, &b) == 0 && policy_parse_bool(pv->lower, &pb) == 0 && b == pb;
    case OP_BINARY: return binary_equals(pv, rv);
    case OP_IP: return policy_parse_ip(rv, &ip, 1) == 0 && policy_ip_contains(&pv->ip, &ip);
    default:
        if (op >= OP_DATE_EQ && op <= OP_DATE_GE)
            return policy_parse_date(rv, &d) == 0 && compare_numbers(op, d, pv->num);
        return policy_parse_number(rv, &d) == 0 && compare_numbers(op, d, pv->num);
    }
}

/* Some policy value matches rv. A value whose policy variable has no value (and no
 * default) matches nothing, as a Resource holding one does. */
static int any_value_matches(pol_eval *e, const pol_cond *c, const char *rv)
{
    int pattern = c->op == OP_STR_LIKE || c->op == OP_ARN;
    for (size_t i = 0; i < c->nvalues; i++) {
        const pol_value *pv = &c->values[i];
        const char *text = pv->vars ? policy_eval_subst(e, pv->text, pattern) : pv->text;
        if (text && value_matches(c->op, pv, text, rv))
            return 1;
    }
    return 0;
}

/* Null: "true" holds when the key is absent, "false" when it is present. */
static int null_holds(const pol_cond *c, int present)
{
    for (size_t i = 0; i < c->nvalues; i++) {
        int want_absent = 0;
        policy_parse_bool(c->values[i].lower, &want_absent);
        if (want_absent != present)
            return 1;
    }
    return 0;
}

static int absent_holds(const pol_cond *c)
{
    if (c->if_exists || c->set == SET_ALL)
        return 1;
    if (c->set == SET_ANY)
        return 0;
    return c->negated;
}

/* One key of one operator. */
static int condition_holds(pol_eval *e, const pol_cond *c)
{
    size_t n = 0;
    const char *const *rvs = policy_eval_lookup(e, c->key, strlen(c->key), &n);
    if (c->op == OP_NULL)
        return null_holds(c, n > 0);
    if (n == 0)
        return absent_holds(c);
    int all = 1, any = 0;
    for (size_t i = 0; i < n; i++) {
        int m = any_value_matches(e, c, rvs[i]);
        int hit = c->negated ? !m : m;
        any |= hit;
        all &= hit;
    }
    if (c->set == SET_ALL)
        return all;
    if (c->set == SET_ANY || !c->negated)
        return any;
    return all; /* a negated operator: no request value matches any policy value */
}

int policy_conditions_match(pol_eval *e, const pol_stmt *st)
{
    for (size_t i = 0; i < st->nconds; i++)
        if (!condition_holds(e, &st->conds[i]))
            return 0;
    return 1;
}
