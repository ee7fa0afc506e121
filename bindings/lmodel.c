/* lmodel.c - aws.model: the generated model as plain Lua data, for the Lua side
 * of the library (pagination and waiters in scripts/lib/iamsh/service.lua) and
 * for help and completion. */
#include <string.h>

#include "bindings.h"
#include "iamsh/model.h"

static const model_service *check_service(lua_State *L, int idx)
{
    const char *name = luaL_checkstring(L, idx);
    const model_service *svc = model_service_find(name);
    if (!svc)
        luaL_error(L, "unknown service '%s' (iamsh knows iam and sts)", name);
    return svc;
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
    lua_createtable(L, p->nresult_keys, 0);
    for (int i = 0; i < p->nresult_keys; i++) {
        lua_pushstring(L, p->result_keys[i]);
        lua_rawseti(L, -2, i + 1);
    }
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

/* aws.model.waiter(svc, name) -> {name=, operation=, delay=, max_attempts=, acceptors={...}} | nil */
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

/* {{name=, type=, required=}, ...} of a structure (empty for none).  [-0, +1, m] */
static void push_members(lua_State *L, const model_shape *s)
{
    lua_createtable(L, s ? s->nmembers : 0, 0);
    for (int i = 0; s && i < s->nmembers; i++) {
        const model_member *m = &s->members[i];
        lua_createtable(L, 0, 3);
        lset_string(L, "name", m->name);
        lset_string(L, "type", model_type_name(m->shape->type));
        lua_pushboolean(L, (m->flags & MODEL_M_REQUIRED) != 0);
        lua_setfield(L, -2, "required");
        lua_rawseti(L, -2, i + 1);
    }
}

/* aws.model.operation(svc, name) -> {name=, snake=, input={{name,type,required}...},
 * output={...}, pageable=bool} | nil */
static int l_operation(lua_State *L)
{
    const model_service *svc = check_service(L, 1);
    const model_op *op = model_op_find(svc, luaL_checkstring(L, 2));
    if (!op)
        return 0;
    lua_createtable(L, 0, 5);
    lset_string(L, "name", op->name);
    lset_string(L, "snake", op->snake);
    push_members(L, op->input);
    lua_setfield(L, -2, "input");
    push_members(L, op->output);
    lua_setfield(L, -2, "output");
    lua_pushboolean(L, op->paginator != NULL);
    lua_setfield(L, -2, "pageable");
    return 1;
}

int luaopen_aws_model(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"paginator", l_paginator}, {"waiter", l_waiter},       {"operations", l_operations},
        {"waiters", l_waiters},     {"operation", l_operation}, {NULL, NULL},
    };
    luaL_newlib(L, fns);
    return 1;
}
