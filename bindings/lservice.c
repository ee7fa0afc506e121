/* lservice.c - the "iam" and "sts" modules: one table per service whose fields are
 * the operations under boto3's names (iam.create_role), made on first access from
 * the model, plus pages/all/wait from scripts/lib/iamsh/service.lua. */
#include <string.h>

#include "bindings.h"
#include "iamsh/model.h"

/* An operation: upvalue 1 is the model_op.  (params) -> result, request_id */
static int call_op(lua_State *L)
{
    const model_op *op = lua_touserdata(L, lua_upvalueindex(1));
    if (lua_gettop(L) > 1)
        return luaL_error(L, "%s: takes one table of parameters (got %d arguments)", op->snake,
                          lua_gettop(L));
    return lcall_invoke(L, op, 1);
}

/* service.__index(t, name): the operation, cached in t; unknown names raise. */
static int service_index(lua_State *L)
{
    const model_service *svc = lua_touserdata(L, lua_upvalueindex(1));
    if (lua_type(L, 2) != LUA_TSTRING)
        return 0;
    const char *name = lua_tostring(L, 2);
    const model_op *op = model_op_find(svc, name);
    if (!op)
        return luaL_error(L, "%s has no operation '%s' (see aws.model.operations(\"%s\"))",
                          svc->name, name, svc->name);
    lua_pushlightuserdata(L, (void *)op);
    lua_pushcclosure(L, call_op, 1);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 1);
    return 1;
}

/* The service table with its metatable.  [-0, +1, e] */
static int service_open(lua_State *L, const char *name)
{
    const model_service *svc = model_service_find(name);
    if (!svc)
        return luaL_error(L, "no model for service '%s'", name);
    lua_createtable(L, 0, 8);
    lua_pushstring(L, name);
    lua_setfield(L, -2, "service_name");
    /* pages, all, wait: Lua, over aws.model and the operations. */
    lua_getglobal(L, "require");
    lua_pushliteral(L, "iamsh.service");
    lua_call(L, 1, 1);
    lua_getfield(L, -1, "install");
    lua_pushvalue(L, -3);
    lua_pushstring(L, name);
    lua_call(L, 2, 0);
    lua_pop(L, 1);
    lua_createtable(L, 0, 1);
    lua_pushlightuserdata(L, (void *)svc);
    lua_pushcclosure(L, service_index, 1);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    return 1;
}

int luaopen_iam(lua_State *L);
int luaopen_sts(lua_State *L);

int luaopen_iam(lua_State *L)
{
    return service_open(L, "iam");
}

int luaopen_sts(lua_State *L)
{
    return service_open(L, "sts");
}
