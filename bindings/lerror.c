/* lerror.c - aws.Error: the one shape every AWS failure takes in Lua.
 *
 * A plain table {kind, code, message, status, request_id, operation, retryable}
 * with a shared metatable, so scripts read err.code after pcall, error(err)
 * re-raises it unchanged, and tostring gives one line. The host maps kind to
 * the exit code (service 254, config/credentials 253, transport/parse 255). */
#include <stdio.h>
#include <string.h>

#include "bindings.h"
#include "iamsh/boundary.h"
#include "iamsh/buf.h"
#include "iamsh/redact.h"

static const char *kind_name(int kind)
{
    static const char *const names[] = {
        [AWS_ERR_NONE] = ERR_KIND_INTERNAL,       [AWS_ERR_SERVICE] = ERR_KIND_SERVICE,
        [AWS_ERR_TRANSPORT] = ERR_KIND_TRANSPORT, [AWS_ERR_PARSE] = ERR_KIND_PARSE,
        [AWS_ERR_CONFIG] = ERR_KIND_CONFIG,       [AWS_ERR_CREDS] = ERR_KIND_CREDENTIALS,
        [AWS_ERR_PARAM] = ERR_KIND_PARAM,         [AWS_ERR_INTERNAL] = ERR_KIND_INTERNAL,
        [AWS_ERR_PLAN] = ERR_KIND_PLAN,
    };
    return kind >= 0 && kind <= AWS_ERR_PLAN ? names[kind] : ERR_KIND_INTERNAL;
}

/* t[k] as a string (anchored in t) or NULL.  [-0, +0, e] */
static const char *field(lua_State *L, int idx, const char *k)
{
    lua_getfield(L, idx, k);
    const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    lua_pop(L, 1); /* the string stays anchored in the table */
    return s;
}

/* "CreateRole: EntityAlreadyExists (409): Role with name X already exists. [request id]" */
static int error_tostring(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *kind = field(L, 1, "kind"), *op = field(L, 1, "operation");
    const char *code = field(L, 1, "code"), *msg = field(L, 1, "message");
    const char *rid = field(L, 1, "request_id");
    lua_getfield(L, 1, "status");
    lua_Integer status = lua_tointeger(L, -1);
    lua_pop(L, 1);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    /* Client-side errors read as their message; AWS's carry code and status. */
    int plain =
        kind && (strcmp(kind, ERR_KIND_CONFIG) == 0 || strcmp(kind, ERR_KIND_CREDENTIALS) == 0 ||
                 strcmp(kind, ERR_KIND_PARAM) == 0 || strcmp(kind, ERR_KIND_PLAN) == 0);
    if (op && *op)
        lua_pushfstring(L, "%s: ", op), luaL_addvalue(&b);
    if (!plain && code && *code) {
        luaL_addstring(&b, code);
        if (status)
            lua_pushfstring(L, " (%I)", status), luaL_addvalue(&b);
        luaL_addstring(&b, ": ");
    }
    luaL_addstring(&b, msg ? msg : "(no message)");
    if (rid && *rid)
        lua_pushfstring(L, " [request %s]", rid), luaL_addvalue(&b);
    luaL_pushresult(&b);
    return 1;
}

void lerror_push_metatable(lua_State *L)
{
    if (luaL_newmetatable(L, REG_ERROR_MT)) {
        lua_pushcfunction(L, error_tostring);
        lua_setfield(L, -2, "__tostring");
    }
}

int lerror_is(lua_State *L, int idx)
{
    if (!lua_getmetatable(L, idx))
        return 0;
    luaL_getmetatable(L, REG_ERROR_MT);
    int is = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return is;
}

void lerror_push(lua_State *L, const aws_err *e, const char *operation)
{
    buf msg = BUF_INIT;
    const char *whole = err_message(e);
    int redacted = redact_text(whole, strlen(whole), &msg) == 0;
    lua_createtable(L, 0, 8);
    lset_string(L, "kind", kind_name(e->kind));
    lset_string(L, "code", e->code[0] ? e->code : "InternalError");
    lset_string(L, "message", redacted && msg.p ? msg.p : whole);
    buf_free(&msg);
    lua_pushinteger(L, e->status);
    lua_setfield(L, -2, "status");
    if (e->request_id[0])
        lset_string(L, "request_id", e->request_id);
    if (operation)
        lset_string(L, "operation", operation);
    lua_pushboolean(L, e->retryable);
    lua_setfield(L, -2, "retryable");
    lerror_push_metatable(L);
    lua_setmetatable(L, -2);
}

int lerror_raise(lua_State *L, const aws_err *e, const char *operation)
{
    lerror_push(L, e, operation);
    return lua_error(L);
}
