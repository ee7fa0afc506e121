/* lmodel.c - aws.model: the generated model as plain Lua data, for the Lua side
 * of the library (pagination and waiters in scripts/lib/iamsh/service.lua) and
 * for help and completion. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "bindings.h"
#include "iamsh/model.h"

/* The service named by argument idx; raises for an unknown name.  [-0, +0, v] */
static const model_service *check_service(lua_State *L, int idx)
{
    const char *name = luaL_checkstring(L, idx);
    const model_service *svc = model_service_find(name);
    if (!svc)
        luaL_error(L, "unknown service '%s' (iamsh knows iam and sts)", name);
    return svc;
}

/* {v[0], ..., v[n-1]}  [-0, +1, m] */
static void push_strings(lua_State *L, const char *const *v, int n)
{
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushstring(L, v[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

/* aws.model.paginator(svc, op) -> {operation=, input_token=, output_token=,
 * more_results=, limit_key=, result_keys={...}} | nil */
static int l_paginator(lua_State *L)
{
    const model_service *svc = check_service(L, 1);
    const model_paginator *p = model_paginator_find(svc, luaL_checkstring(L, 2));
    if (!p)
        return 0;
    lua_createtable(L, 0, 6);
    lset_string(L, "operation", p->op->snake);
    lset_string(L, "input_token", p->input_token);
    lset_string(L, "output_token", p->output_token);
    lset_string(L, "more_results", p->more_results);
    lset_string(L, "limit_key", p->limit_key);
    push_strings(L, p->result_keys, p->nresult_keys);
    lua_setfield(L, -2, "result_keys");
    return 1;
}

/* The acceptor's expected value, typed as in the model.  [-0, +1, m] */
static void push_expected(lua_State *L, const model_acceptor *a)
{
    double d = a->expected_num;
    if (a->expected_kind == MODEL_EXP_BOOL)
        lua_pushboolean(L, d != 0);
    else if (a->expected_kind == MODEL_EXP_NUMBER && d == (double)(lua_Integer)d)
        lua_pushinteger(L, (lua_Integer)d);
    else if (a->expected_kind == MODEL_EXP_NUMBER)
        lua_pushnumber(L, d);
    else
        lua_pushstring(L, a->expected);
}

/* {state=, matcher=, argument=, expected=}  [-0, +1, m] */
static void push_acceptor(lua_State *L, const model_acceptor *a)
{
    lua_createtable(L, 0, 4);
    lset_string(L, "state", a->state);
    lset_string(L, "matcher", a->matcher);
    lset_string(L, "argument", a->argument);
    push_expected(L, a);
    lua_setfield(L, -2, "expected");
}

/* aws.model.waiter(svc, name) -> {name=, operation=, delay=, max_attempts=, acceptors={...}} | nil
 */
static int l_waiter(lua_State *L)
{
    const model_service *svc = check_service(L, 1);
    const model_waiter *w = model_waiter_find(svc, luaL_checkstring(L, 2));
    if (!w)
        return 0;
    lua_createtable(L, 0, 5);
    lset_string(L, "name", w->snake);
    lset_string(L, "operation", w->op->snake);
    lset_integer(L, "delay", w->delay);
    lset_integer(L, "max_attempts", w->max_attempts);
    lua_createtable(L, w->nacceptors, 0);
    for (int i = 0; i < w->nacceptors; i++) {
        push_acceptor(L, &w->acceptors[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "acceptors");
    return 1;
}

/* aws.model.operations(svc) -> sorted array of snake names */
static int l_operations(lua_State *L)
{
    const model_service *svc = check_service(L, 1);
    lua_createtable(L, svc->nops, 0);
    const char *name;
    for (size_t i = 0; (name = model_op_name_at(svc, i, 1)) != NULL; i++) {
        lua_pushstring(L, name);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* aws.model.waiters(svc) -> array of snake waiter names */
static int l_waiters(lua_State *L)
{
    const model_service *svc = check_service(L, 1);
    lua_createtable(L, svc->nwaiters, 0);
    for (int i = 0; i < svc->nwaiters; i++) {
        lua_pushstring(L, svc->waiters[i].snake);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* {{name=, type=, shape=, required=}, ...} of a structure (empty for none).  [-0, +1, m] */
static void push_members(lua_State *L, const model_shape *s)
{
    lua_createtable(L, s ? s->nmembers : 0, 0);
    for (int i = 0; s && i < s->nmembers; i++) {
        const model_member *m = &s->members[i];
        lua_createtable(L, 0, 4);
        lset_string(L, "name", m->name);
        lset_string(L, "type", model_type_name(m->shape->type));
        lset_string(L, "shape", m->shape->name);
        lua_pushboolean(L, (m->flags & MODEL_M_REQUIRED) != 0);
        lua_setfield(L, -2, "required");
        lua_rawseti(L, -2, i + 1);
    }
}

/* {{code=, status=, shape=}, ...}: the errors the model lists for op.  [-0, +1, m] */
static void push_errors(lua_State *L, const model_op *op)
{
    lua_createtable(L, op->nerrors, 0);
    for (int i = 0; i < op->nerrors; i++) {
        const model_error *e = &op->svc->errors[op->errors[i]];
        lua_createtable(L, 0, 3);
        lset_string(L, "code", e->code);
        lset_string(L, "shape", e->shape);
        if (e->status)
            lset_integer(L, "status", e->status);
        lua_rawseti(L, -2, i + 1);
    }
}

/* aws.model.operation(svc, name) -> {name=, snake=, input={{name,type,required}...},
 * output={...}, input_shape=, output_shape=, result_wrapper=, errors={...},
 * pageable=bool} | nil.  name: "CreateRole" or "create_role". */
static int l_operation(lua_State *L)
{
    const model_service *svc = check_service(L, 1);
    const model_op *op = model_op_find(svc, luaL_checkstring(L, 2));
    if (!op)
        return 0;
    lua_createtable(L, 0, 9);
    lset_string(L, "name", op->name);
    lset_string(L, "snake", op->snake);
    push_members(L, op->input);
    lua_setfield(L, -2, "input");
    push_members(L, op->output);
    lua_setfield(L, -2, "output");
    lset_string(L, "input_shape", op->input ? op->input->name : NULL);
    lset_string(L, "output_shape", op->output ? op->output->name : NULL);
    lset_string(L, "result_wrapper", op->result_wrapper);
    push_errors(L, op);
    lua_setfield(L, -2, "errors");
    lua_pushboolean(L, op->paginator != NULL);
    lua_setfield(L, -2, "pageable");
    return 1;
}

/* The fields that depend on the shape's type: members, member, key/value, enums.
 * [-0, +0, m] (on the table on top) */
static void set_shape_parts(lua_State *L, const model_shape *s)
{
    if (s->type == MODEL_STRUCTURE) {
        push_members(L, s);
        lua_setfield(L, -2, "members");
    } else if (s->type == MODEL_LIST) {
        lset_string(L, "member", s->member ? s->member->name : NULL);
    } else if (s->type == MODEL_MAP) {
        lset_string(L, "key", s->member ? s->member->name : NULL);
        lset_string(L, "value", s->value ? s->value->name : NULL);
    }
    if (s->nenums) {
        push_strings(L, s->enums, s->nenums);
        lua_setfield(L, -2, "enums");
    }
}

/* aws.model.shape(svc, shape_name) -> {name=, type=, members=, member=, key=, value=,
 * enums=, min=, max=, pattern=, sensitive=, policy=} | nil.  Only the fields that
 * apply are set (min/max when the model has them). */
static int l_shape(lua_State *L)
{
    const model_service *svc = check_service(L, 1);
    const model_shape *s = model_shape_find(svc, luaL_checkstring(L, 2));
    if (!s)
        return 0;
    lua_createtable(L, 0, 8);
    lset_string(L, "name", s->name);
    lset_string(L, "type", model_type_name(s->type));
    set_shape_parts(L, s);
    if (s->flags & MODEL_F_HAS_MIN)
        lset_integer(L, "min", (lua_Integer)s->min);
    if (s->flags & MODEL_F_HAS_MAX)
        lset_integer(L, "max", (lua_Integer)s->max);
    lset_string(L, "pattern", s->pattern);
    lua_pushboolean(L, model_is_sensitive(s));
    lua_setfield(L, -2, "sensitive");
    lua_pushboolean(L, model_is_policy(s));
    lua_setfield(L, -2, "policy");
    return 1;
}

/* Names that hold secrets outside the model's "sensitive" marks: the STS session
 * token (its shape is not marked) and the usual spellings in config files and
 * .env files. Compared ignoring case, '_' and '-'. */
static const char *const secret_names[] = {
    "secret_access_key", "aws_secret_access_key", "aws_secret_key", "secret_key",
    "session_token",     "aws_session_token",     "password",       NULL,
};

/* a and b equal when case, '_' and '-' are ignored. */
static int name_equal_loosely(const char *a, const char *b)
{
    for (;;) {
        while (*a == '_' || *a == '-')
            a++;
        while (*b == '_' || *b == '-')
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (tolower((unsigned char)*a++) != tolower((unsigned char)*b++))
            return 0;
    }
}

int lmodel_is_secret_name(const char *name)
{
    for (int i = 0; secret_names[i]; i++)
        if (name_equal_loosely(name, secret_names[i]))
            return 1;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Adds to names[] the member names of svc whose shape is sensitive; returns the new count. */
static size_t collect_sensitive(const model_service *svc, const char **names, size_t n)
{
    for (unsigned i = 0; i < svc->nshapes; i++) {
        const model_shape *s = &svc->shapes[i];
        for (unsigned j = 0; j < s->nmembers; j++)
            if (model_is_sensitive(s->members[j].shape))
                names[n++] = s->members[j].name;
    }
    return n;
}

static int find_loosely(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (name_equal_loosely(names[i], name))
            return 1;
    return 0;
}

static size_t count_members(const model_service *svc)
{
    size_t n = 0;
    for (unsigned i = 0; i < svc->nshapes; i++)
        n += svc->shapes[i].nmembers;
    return n;
}

/* aws.model.sensitive_names() -> sorted array, without repeats: every member name of
 * iam and sts whose shape is sensitive ("SecretAccessKey", "Password", ...) and the
 * secret names outside the model ("session_token", ...). Printers compare keys to
 * these ignoring case, '_' and '-'. */
static int l_sensitive_names(lua_State *L)
{
    const model_service *iam = model_service_find("iam"), *sts = model_service_find("sts");
    size_t cap =
        count_members(iam) + count_members(sts) + sizeof secret_names / sizeof *secret_names;
    const char **names = lua_newuserdatauv(L, cap * sizeof *names, 0);
    size_t n = collect_sensitive(sts, names, collect_sensitive(iam, names, 0));
    size_t in_model = n;
    for (int i = 0; secret_names[i]; i++)
        if (!find_loosely(names, in_model, secret_names[i]))
            names[n++] = secret_names[i]; /* "password" is already there as "Password" */
    qsort(names, n, sizeof *names, cmp_names);
    lua_createtable(L, (int)n, 0);
    lua_Integer out = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
            continue;
        lua_pushstring(L, names[i]);
        lua_rawseti(L, -2, ++out);
    }
    return 1;
}

int luaopen_aws_model(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"paginator", l_paginator},
        {"waiter", l_waiter},
        {"operations", l_operations},
        {"waiters", l_waiters},
        {"operation", l_operation},
        {"shape", l_shape},
        {"sensitive_names", l_sensitive_names},
        {NULL, NULL},
    };
    luaL_newlib(L, fns);
    return 1;
}
