/* lsigv4.c - aws.sigv4.sign{...}: the signer as a public primitive, so scripts can
 * sign any AWS request, not only the ones iamsh sends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bindings.h"
#include "iamsh/sigv4.h"

/* args[k] (arg 1) as a string or NULL; raises when required and absent.  [-0, +0, v] */
static const char *opt_field(lua_State *L, const char *k, int required)
{
    int type = lua_getfield(L, 1, k);
    if (type == LUA_TNIL) {
        lua_pop(L, 1);
        if (required)
            luaL_error(L, "aws.sigv4.sign: %s: missing", k);
        return NULL;
    }
    if (type != LUA_TSTRING)
        luaL_error(L, "aws.sigv4.sign: %s: expected string, got %s", k, luaL_typename(L, -1));
    const char *s = lua_tostring(L, -1);
    lua_pop(L, 1); /* anchored in the argument table */
    return s;
}

#define LOCAL_HEADERS 16

/* "20150830T123600Z" as given, "2015-08-30T12:36:00Z" converted, or now.  [-0, +0, v] */
static void timestamp_of(lua_State *L, char out[17])
{
    const char *t = opt_field(L, "timestamp", 0);
    if (!t) {
        sigv4_amz_date(time(NULL), out);
        return;
    }
    int Y, M, D, h, m, s;
    char z;
    if (strlen(t) == 20 &&
        sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d%c", &Y, &M, &D, &h, &m, &s, &z) == 7 && z == 'Z') {
        snprintf(out, 17, "%04d%02d%02dT%02d%02d%02dZ", Y, M, D, h, m, s);
        return;
    }
    snprintf(out, 17, "%s", t); /* the signer validates it */
}

/* headers = {name = value, ...} (strings) as the signer's array: local (room for
 * LOCAL_HEADERS) while they fit, else a userdata. The headers table and that userdata
 * (nil when local sufficed) are left on the stack: they keep the strings alive.
 * [-0, +2|0, e] */
static sigv4_header *collect_headers(lua_State *L, sigv4_header *local, size_t *n)
{
    *n = 0;
    lua_getfield(L, 1, "headers");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return NULL;
    }
    luaL_argcheck(L, lua_istable(L, -1), 1, "headers must be a table of name = value");
    int t = lua_gettop(L);
    size_t cap = LOCAL_HEADERS;
    sigv4_header *h = local;
    lua_pushnil(L); /* where a userdata goes when local is too small */
    lua_pushnil(L);
    while (lua_next(L, t)) {
        if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "aws.sigv4.sign: headers: names and values must be strings");
        if (*n == cap) {
            sigv4_header *bigger = lua_newuserdatauv(L, 2 * cap * sizeof *h, 0); /* the GC's */
            memcpy(bigger, h, cap * sizeof *h);
            lua_replace(L, t + 1);
            h = bigger;
            cap *= 2;
        }
        h[*n].name = lua_tostring(L, -2);
        h[*n].value = lua_tostring(L, -1);
        (*n)++;
        lua_pop(L, 1);
    }
    return h; /* the headers table and the array stay on the stack */
}

int lsigv4_sign(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    char ts[17];
    timestamp_of(L, ts);
    size_t body_len = 0;
    lua_getfield(L, 1, "body");
    const char *body = lua_isnil(L, -1) ? "" : luaL_checklstring(L, -1, &body_len);
    sigv4_request req = {
        .method = opt_field(L, "method", 0),
        .url = opt_field(L, "url", 1),
        .body = body,
        .body_len = body_len,
        .region = opt_field(L, "region", 1),
        .service = opt_field(L, "service", 1),
        .access_key = opt_field(L, "access_key", 1),
        .secret_key = opt_field(L, "secret_key", 1),
        .session_token = opt_field(L, "session_token", 0),
        .timestamp = ts,
        .normalize_path = 1,
    };
    if (!req.method)
        req.method = "GET";
    sigv4_header local[LOCAL_HEADERS];
    req.headers = collect_headers(L, local, &req.nheaders);
    sigv4_result res;
    aws_err err;
    if (sigv4_sign(&req, &res, &err) != 0)
        return luaL_error(L, "aws.sigv4.sign: %s", err.message);
    lua_createtable(L, 0, 8);
    lset_string(L, "authorization", res.authorization);
    lset_string(L, "x_amz_date", res.x_amz_date);
    lset_string(L, "canonical_request", res.canonical_request);
    lset_string(L, "string_to_sign", res.string_to_sign);
    lset_string(L, "signature", res.signature);
    lset_string(L, "host", res.host);
    if (req.session_token && *req.session_token)
        lset_string(L, "x_amz_security_token", req.session_token);
    sigv4_result_free(&res);
    return 1;
}
