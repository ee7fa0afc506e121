/* lutil.c - small stack helpers shared by the bindings. */
#include "bindings.h"

void lset_string(lua_State *L, const char *k, const char *v)
{
    if (v) {
        lua_pushstring(L, v);
        lua_setfield(L, -2, k);
    }
}

void lset_integer(lua_State *L, const char *k, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

/* Pushes options[key] (nil when the host left no options).  [-0, +1, -] */
static void push_option(lua_State *L, const char *key)
{
    lua_getfield(L, LUA_REGISTRYINDEX, "iamsh.options");
    if (lua_istable(L, -1))
        lua_getfield(L, -1, key);
    else
        lua_pushnil(L);
    lua_remove(L, -2);
}

const char *lopt_string(lua_State *L, const char *key)
{
    push_option(L, key);
    const char *v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    lua_pop(L, 1); /* the string stays anchored in the options table */
    return v;
}

int lopt_bool(lua_State *L, const char *key)
{
    push_option(L, key);
    int v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}
