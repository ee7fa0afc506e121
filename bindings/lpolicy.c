/* lpolicy.c - aws.policy: IAM's policy language for Lua, a thin layer over the engine
 * of host/aws/policy_*.c (include/iamsh/policy.h).
 *
 *   aws.policy.check(doc [, kind])          -> {{path=, message=, code=}, ...} ({} when valid)
 *   aws.policy.compile(doc [, kind [, name]]) -> aws.Policy, warnings
 *   aws.policy.evaluate{action=, resource=, identity=, ...} -> {decision=, reason=, matched=}
 *
 * A document is a table or JSON text. Whatever C allocates during a call hangs on a
 * "box" userdata pushed first, so a Lua error (bad argument, out of memory) on the
 * way frees it through __gc instead of leaking it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bindings.h"
#include "iamsh/array.h"
#include "iamsh/policy.h"

#define POLICY_MT "aws.Policy"
#define BOX_MT "aws.policy.box"

typedef struct lbox {
    cJSON *doc;
    policy_problems problems;
    policy_context *ctx;
    policy **temp; /* documents compiled for this call only */
    size_t ntemp, captemp;
    const policy **list; /* identity policies, then session policies */
    size_t nlist, caplist;
    policy_result result;
} lbox;

static int box_gc(lua_State *L)
{
    lbox *b = luaL_checkudata(L, 1, BOX_MT);
    cJSON_Delete(b->doc);
    b->doc = NULL;
    policy_problems_free(&b->problems);
    policy_context_free(b->ctx);
    b->ctx = NULL;
    for (size_t i = 0; i < b->ntemp; i++)
        policy_free(b->temp[i]);
    free(b->temp);
    free(b->list);
    b->temp = NULL;
    b->list = NULL;
    b->ntemp = b->nlist = 0;
    policy_result_free(&b->result);
    return 0;
}

/* A fresh box on the stack.  [-0, +1, m] */
static lbox *push_box(lua_State *L)
{
    lbox *b = lua_newuserdatauv(L, sizeof *b, 0);
    memset(b, 0, sizeof *b);
    if (luaL_newmetatable(L, BOX_MT)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return b;
}

static const char *const kind_list = "identity, managed, inline_user, inline_role, inline_group, "
                                     "boundary, session, trust, resource";

/* The policy kind at idx (default "identity") for function fn.  [-0, +0, v] */
static enum policy_kind check_kind(lua_State *L, int idx, const char *fn)
{
    const char *name = luaL_optstring(L, idx, "identity");
    enum policy_kind k;
    if (policy_kind_parse(name, &k) != 0)
        luaL_error(L, "%s: unknown policy kind '%s' (%s)", fn, name, kind_list);
    return k;
}

/* Append one problem; raises when memory runs out.  [-0, +0, m] */
static void add_problem(lua_State *L, policy_problems *out, const char *path, size_t pathlen,
                        const char *message)
{
    policy_problem *p = realloc(out->v, (out->n + 1) * sizeof *p);
    if (!p)
        luaL_error(L, "aws.policy: out of memory");
    out->v = p;
    p = &out->v[out->n++];
    out->cap = out->n;
    snprintf(p->path, sizeof p->path, "%.*s", (int)pathlen, path);
    snprintf(p->message, sizeof p->message, "%s", message);
    p->code = "MalformedPolicyDocument";
    p->fatal = 1;
}

/* The document at idx into b->doc (a table), or its text in *text (a string); 0, or
 * -1 with one problem in b->problems: not a table or text, or a table that is no
 * JSON (ljson's "path: what"; no what holds ": ").  [-0, +0, m] */
static int doc_arg(lua_State *L, int idx, lbox *b, const char **text, size_t *len)
{
    char why[600], msg[700];
    *text = NULL;
    if (lua_type(L, idx) == LUA_TSTRING) {
        *text = lua_tolstring(L, idx, len);
        return 0;
    }
    if (lua_type(L, idx) != LUA_TTABLE) {
        snprintf(msg, sizeof msg,
                 "Syntax errors in policy. The policy must be a JSON object, not %s",
                 luaL_typename(L, idx));
        add_problem(L, &b->problems, "", 0, msg);
        return -1;
    }
    if ((b->doc = ljson_from_lua(L, idx, why, sizeof why)))
        return 0;
    const char *sep = strstr(why, ": "), *last = NULL;
    for (; sep; sep = strstr(sep + 2, ": "))
        last = sep;
    snprintf(msg, sizeof msg, "This policy contains invalid Json (%s)", last ? last + 2 : why);
    add_problem(L, &b->problems, why, last ? (size_t)(last - why) : 0, msg);
    return -1;
}

/* The problems as {{path=, message=, code=}, ...}.  [-0, +1, m] */
static void push_problems(lua_State *L, const policy_problems *p, int fatal_too)
{
    lua_createtable(L, (int)p->n, 0);
    int n = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (p->v[i].fatal && !fatal_too)
            continue;
        lua_createtable(L, 0, 3);
        lset_string(L, "path", p->v[i].path);
        lset_string(L, "message", p->v[i].message);
        lset_string(L, "code", p->v[i].code);
        lua_rawseti(L, -2, ++n);
    }
}

/* aws.policy.check(doc [, kind]) -> problems  [-0, +1, e] */
static int l_check(lua_State *L)
{
    enum policy_kind kind = check_kind(L, 2, "aws.policy.check");
    lbox *b = push_box(L);
    const char *text;
    size_t len;
    aws_err err;
    int rc = 0;
    if (doc_arg(L, 1, b, &text, &len) == 0)
        rc = text ? policy_check_text(text, len, kind, &b->problems, &err)
                  : policy_check(b->doc, kind, &b->problems, &err);
    if (rc != 0)
        return lerror_raise(L, &err, "aws.policy.check");
    push_problems(L, &b->problems, 1);
    return 1;
}

/* --- compiled policies --- */

typedef struct lpol {
    policy *p;
} lpol;

static int pol_gc(lua_State *L)
{
    lpol *u = luaL_checkudata(L, 1, POLICY_MT);
    policy_free(u->p);
    u->p = NULL;
    return 0;
}

/* The aws.Policy at idx (raises when it is none).  [-0, +0, v] */
static const policy *check_policy(lua_State *L, int idx)
{
    lpol *u = luaL_checkudata(L, idx, POLICY_MT);
    luaL_argcheck(L, u->p != NULL, idx, "a freed policy");
    return u->p;
}

/* The aws.Policy at idx, or NULL.  [-0, +0, -] */
static const policy *test_policy(lua_State *L, int idx)
{
    lpol *u = luaL_testudata(L, idx, POLICY_MT);
    return u ? u->p : NULL;
}

static int pol_tostring(lua_State *L)
{
    const policy *p = check_policy(L, 1);
    size_t n = policy_statement_count(p);
    lua_pushfstring(L, "aws.Policy(%s%s%s, %d statement%s)", policy_kind_name(policy_kind_of(p)),
                    policy_name(p)[0] ? " " : "", policy_name(p), (int)n, n == 1 ? "" : "s");
    return 1;
}

static int pol_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)policy_statement_count(check_policy(L, 1)));
    return 1;
}

/* The statement i as {index=, sid=, effect=, text=}.  [-0, +1, m] */
static void push_statement(lua_State *L, const policy *p, size_t i)
{
    lua_createtable(L, 0, 4);
    lset_integer(L, "index", (lua_Integer)i);
    lset_string(L, "sid", policy_statement_sid(p, i));
    lset_string(L, "effect",
                policy_statement_effect(p, i) == POLICY_EFFECT_DENY ? "Deny" : "Allow");
    lset_string(L, "text", policy_statement_json(p, i));
}

/* p:statements() -> {{index=, sid=, effect=, text=}, ...} */
static int pol_statements(lua_State *L)
{
    const policy *p = check_policy(L, 1);
    size_t n = policy_statement_count(p);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 1; i <= n; i++) {
        push_statement(L, p, i);
        lua_rawseti(L, -2, (lua_Integer)i);
    }
    return 1;
}

/* p.name, p.kind, p:statements() */
static int pol_index(lua_State *L)
{
    const policy *p = check_policy(L, 1);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "name") == 0)
        lua_pushstring(L, policy_name(p));
    else if (strcmp(k, "kind") == 0)
        lua_pushstring(L, policy_kind_name(policy_kind_of(p)));
    else if (strcmp(k, "statements") == 0)
        lua_pushcfunction(L, pol_statements);
    else
        lua_pushnil(L);
    return 1;
}

/* An empty aws.Policy userdata.  [-0, +1, m] */
static lpol *push_policy(lua_State *L)
{
    lpol *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->p = NULL;
    if (luaL_newmetatable(L, POLICY_MT)) {
        static const luaL_Reg mt[] = {{"__gc", pol_gc},
                                      {"__tostring", pol_tostring},
                                      {"__len", pol_len},
                                      {"__index", pol_index},
                                      {NULL, NULL}};
        luaL_setfuncs(L, mt, 0);
    }
    lua_setmetatable(L, -2);
    return u;
}

/* Compile the document at idx into *out (owned by the caller); 0, or -1 with err
 * ("path: message" of the first problem that stops it).  [-0, +0, m] */
static int compile_at(lua_State *L, int idx, enum policy_kind kind, const char *name, lbox *b,
                      policy **out, aws_err *err)
{
    const char *text;
    size_t len;
    *out = NULL;
    cJSON_Delete(b->doc);
    b->doc = NULL;
    policy_problems_free(&b->problems);
    if (doc_arg(L, idx, b, &text, &len) != 0) {
        const policy_problem *p = &b->problems.v[0];
        return err_set(err, AWS_ERR_PARAM, p->code, "%s%s%s", p->path, p->path[0] ? ": " : "",
                       p->message);
    }
    if (text)
        return policy_compile_text(text, len, kind, name, out, &b->problems, err);
    return policy_compile(b->doc, kind, name, out, &b->problems, err);
}

/* aws.policy.compile(doc [, kind [, name]]) -> policy, warnings  [-0, +2, e]
 * warnings: what IAM would refuse that evaluation can ignore (a size, a Sid). */
static int l_compile(lua_State *L)
{
    enum policy_kind kind = check_kind(L, 2, "aws.policy.compile");
    const char *name = luaL_optstring(L, 3, "");
    lbox *b = push_box(L);
    lpol *u = push_policy(L);
    aws_err err;
    if (compile_at(L, 1, kind, name, b, &u->p, &err) != 0)
        return lerror_raise(L, &err, "aws.policy.compile");
    push_problems(L, &b->problems, 0);
    return 2;
}

/* --- evaluation --- */

/* req[k] as a string, or NULL when absent.  [-0, +0, e] */
static const char *opt_field(lua_State *L, int t, const char *k)
{
    int type = lua_getfield(L, t, k);
    if (type != LUA_TNIL && type != LUA_TSTRING)
        luaL_error(L, "aws.policy.evaluate: %s must be a string, not %s", k, lua_typename(L, type));
    const char *s = lua_tostring(L, -1);
    lua_pop(L, 1); /* anchored in the request table */
    return s;
}

/* req[k] as a string; raises when absent.  [-0, +0, e] */
static const char *need_field(lua_State *L, int t, const char *k)
{
    const char *s = opt_field(L, t, k);
    if (!s)
        luaL_error(L, "aws.policy.evaluate: %s (string) is required", k);
    return s;
}

/* The policy on top of the stack (compiled, or a document compiled now and kept in
 * the box), named label when it has no name of its own.  [-1, +0, e] */
static const policy *policy_on_top(lua_State *L, lbox *b, enum policy_kind kind, const char *label)
{
    const policy *p = test_policy(L, -1);
    if (!p) {
        policy *np;
        aws_err err;
        policy **temp = array_grow(b->temp, &b->captemp, b->ntemp, sizeof *temp, 8);
        if (!temp)
            luaL_error(L, "aws.policy.evaluate: out of memory");
        b->temp = temp;
        if (compile_at(L, lua_gettop(L), kind, label, b, &np, &err) != 0)
            luaL_error(L, "aws.policy.evaluate: %s: %s", label, err.message);
        b->temp[b->ntemp++] = np;
        p = np;
    }
    lua_pop(L, 1);
    return p;
}

/* req[k]: a list of policies appended to b->list; the count.  [-0, +0, e] */
static size_t policy_list(lua_State *L, int t, const char *k, enum policy_kind kind, lbox *b)
{
    int type = lua_getfield(L, t, k);
    if (type == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (type != LUA_TTABLE || test_policy(L, -1))
        luaL_error(L, "aws.policy.evaluate: %s must be a list of policies, e.g. {doc}", k);
    int list = lua_gettop(L);
    size_t n = (size_t)luaL_len(L, list);
    if (n == 0) { /* a document itself is no list of them */
        lua_pushnil(L);
        if (lua_next(L, list))
            luaL_error(L, "aws.policy.evaluate: %s must be a list of policies, e.g. {doc}", k);
    }
    for (size_t i = 1; i <= n; i++) {
        char label[48];
        snprintf(label, sizeof label, "%s[%zu]", k, i);
        lua_rawgeti(L, list, (lua_Integer)i);
        const policy *p = policy_on_top(L, b, kind, label);
        const policy **grown = array_grow((void *)b->list, &b->caplist, b->nlist, sizeof *grown, 8);
        if (!grown)
            luaL_error(L, "aws.policy.evaluate: out of memory");
        b->list = grown;
        b->list[b->nlist++] = p;
    }
    lua_pop(L, 1);
    return n;
}

/* req[k]: one policy, or NULL.  [-0, +0, e] */
static const policy *one_policy(lua_State *L, int t, const char *k, enum policy_kind kind, lbox *b)
{
    if (lua_getfield(L, t, k) == LUA_TNIL) {
        lua_pop(L, 1);
        return NULL;
    }
    return policy_on_top(L, b, kind, k);
}

/* A context value (string, number or boolean) as text.  [-0, +0, e] */
static const char *context_value(lua_State *L, int idx, const char *key)
{
    switch (lua_type(L, idx)) {
    case LUA_TSTRING:
    case LUA_TNUMBER: return lua_tostring(L, idx);
    case LUA_TBOOLEAN: return lua_toboolean(L, idx) ? "true" : "false";
    default:
        luaL_error(L,
                   "aws.policy.evaluate: context[\"%s\"] must be a string, number, boolean or "
                   "a list of them, not %s",
                   key, luaL_typename(L, idx));
        return NULL;
    }
}

/* The value at idx added to key.  [-0, +0, e] */
static void context_add(lua_State *L, lbox *b, const char *key, int idx)
{
    if (policy_context_add(b->ctx, key, context_value(L, idx, key)) != 0)
        luaL_error(L, "aws.policy.evaluate: out of memory");
}

/* One context entry: key = value, or key = {values...}.  [-0, +0, e] */
static void context_entry(lua_State *L, lbox *b, const char *key, int idx)
{
    if (lua_type(L, idx) != LUA_TTABLE) {
        context_add(L, b, key, idx);
        return;
    }
    lua_Integer n = luaL_len(L, idx);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, idx, i);
        context_add(L, b, key, lua_gettop(L));
        lua_pop(L, 1);
    }
}

/* req.context = {key = value or {values...}} into b->ctx.  [-0, +0, e] */
static void context_arg(lua_State *L, int t, lbox *b)
{
    if (!(b->ctx = policy_context_new()))
        luaL_error(L, "aws.policy.evaluate: out of memory");
    int type = lua_getfield(L, t, "context");
    if (type == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (type != LUA_TTABLE)
        luaL_error(L, "aws.policy.evaluate: context must be a table {key = value}");
    int ctx = lua_gettop(L);
    luaL_checkstack(L, 4, "context");
    lua_pushnil(L);
    while (lua_next(L, ctx)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "aws.policy.evaluate: context keys must be strings");
        context_entry(L, b, lua_tostring(L, -2), lua_gettop(L));
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* req.principal_type as enum policy_principal_type.  [-0, +0, e] */
static int principal_type_arg(lua_State *L, int t)
{
    static const char *const names[] = {"auto",      "AWS",           "Service",
                                        "Federated", "CanonicalUser", NULL};
    const char *s = opt_field(L, t, "principal_type");
    for (int i = 0; s && names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    if (s)
        luaL_error(L,
                   "aws.policy.evaluate: principal_type must be AWS, Service, Federated or "
                   "CanonicalUser, not '%s'",
                   s);
    return POLICY_PRINCIPAL_AUTO;
}

/* A role's trust policy when the request is an sts: action on a role (as the engine
 * reads it), else a resource-based policy. */
static enum policy_kind resource_kind(const char *action, const char *resource)
{
    int sts = strncasecmp(action, "sts:", 4) == 0;
    return sts && strstr(resource, ":iam::") && strstr(resource, ":role/") ? POLICY_TRUST
                                                                           : POLICY_RESOURCE;
}

static const char *const role_names[] = {"identity", "boundary", "session", "resource"};

/* result -> {decision=, reason=, matched = {{policy=, sid=, index=, effect=, role=,
 * statement=}, ...}}.  [-0, +1, m] */
static void push_result(lua_State *L, const policy_result *r)
{
    lua_createtable(L, 0, 3);
    lset_string(L, "decision", policy_decision_name(r->decision));
    lset_string(L, "reason", r->reason);
    lua_createtable(L, (int)r->nmatched, 0);
    for (size_t i = 0; i < r->nmatched; i++) {
        const policy_match *m = &r->matched[i];
        lua_createtable(L, 0, 6);
        const char *name = policy_name(m->policy);
        lset_string(L, "policy", name[0] ? name : role_names[m->role]);
        lset_string(L, "sid", policy_statement_sid(m->policy, m->index));
        lset_integer(L, "index", (lua_Integer)m->index);
        lset_string(L, "effect", m->effect == POLICY_EFFECT_DENY ? "Deny" : "Allow");
        lset_string(L, "role", role_names[m->role]);
        lset_string(L, "statement", policy_statement_json(m->policy, m->index));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "matched");
}

/* aws.policy.evaluate{action=, resource=, principal=, principal_type=, resource_account=,
 * identity={...}, boundary=, session={...}, resource_policy=, context={...}}
 *   -> {decision=, reason=, matched=}  [-0, +1, e] */
static int l_evaluate(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lbox *b = push_box(L);
    policy_request req = {0};
    req.action = need_field(L, 1, "action");
    req.resource = need_field(L, 1, "resource");
    req.principal = opt_field(L, 1, "principal");
    req.resource_account = opt_field(L, 1, "resource_account");
    req.principal_type = principal_type_arg(L, 1);
    req.nidentity = policy_list(L, 1, "identity", POLICY_IDENTITY, b);
    req.nsession = policy_list(L, 1, "session", POLICY_SESSION, b);
    req.identity = b->list;
    req.session = b->list ? b->list + req.nidentity : NULL;
    req.boundary = one_policy(L, 1, "boundary", POLICY_BOUNDARY, b);
    req.resource_policy =
        one_policy(L, 1, "resource_policy", resource_kind(req.action, req.resource), b);
    context_arg(L, 1, b);
    req.context = b->ctx;
    aws_err err;
    if (policy_evaluate(&req, &b->result, &err) != 0)
        return lerror_raise(L, &err, "aws.policy.evaluate");
    push_result(L, &b->result);
    return 1;
}

int luaopen_aws_policy(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"check", l_check}, {"compile", l_compile}, {"evaluate", l_evaluate}, {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}
