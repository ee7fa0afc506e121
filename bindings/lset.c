/* lset.c - fields of the table on top of the stack, the way every binding sets them. */
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
