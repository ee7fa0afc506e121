/* lcall.c - every IAM and STS operation from Lua: the params table to cJSON, the
 * core's call path (call.h: validate, serialise, sign, send, decode), the result back
 * as a Lua table with the request id. Nothing here knows any particular operation. */
#include <string.h>

#include "bindings.h"
#include "iamsh/boundary.h"
#include "iamsh/call.h"
#include "iamsh/sigv4.h"

/* A ParamValidation error for op, raised.  [-0, +0, v] */
static void raise_param(lua_State *L, const model_op *op, const char *why)
{
    aws_err err;
    err_set(&err, AWS_ERR_PARAM, "ParamValidation", "%s: %s", op->snake, why);
    lerror_raise(L, &err, NULL);
}

/* The params table at idx as cJSON, prepared for op (validated; under --plan, a
 * read-only operation), parked in a box.  [-0, +1, e] */
static cJSON *prepared_params(lua_State *L, const model_op *op, int idx)
{
    cJSON **box = ljson_box(L, NULL);
    if (!lua_isnoneornil(L, idx)) {
        if (!lua_istable(L, idx))
            raise_param(L, op, "parameters must be a table");
        char why[700];
        *box = ljson_from_lua(L, idx, why, sizeof why);
        if (!*box)
            raise_param(L, op, why);
        if (!cJSON_IsObject(*box))
            raise_param(L, op, "parameters must be a table of Name = value");
    }
    aws_err err;
    err_clear(&err);
    if (call_prepare(op, *box, lsession_options()->plan, &err) != 0)
        lerror_raise(L, &err, NULL);
    return *box;
}

/* The session's client and config, and credentials unless op goes unsigned (then no
 * provider is asked).  [-0, +0, e] */
static call_env session_env(lua_State *L, const model_op *op)
{
    lsession *s = lsession_get(L);
    call_env env = {lsession_client(L, s), lsession_config(L, s), NULL};
    if (!(op->flags & MODEL_OP_UNSIGNED))
        env.creds = lsession_creds(L, s);
    return env;
}

/* The secret registry: a set (registry table REG_SECRETS) of every string a result held
 * at a sensitive shape, so that a printer can redact the value on its own
 * (`k.AccessKey.SecretAccessKey`), away from the key that named it. The set holds
 * the strings' SHA-256 digests, not the strings: it lives as long as the state, and
 * must not keep a secret alive after the script has let go of it. */

/* The digest of the string at idx (its key in the set).  [-0, +1, m] */
static void push_secret_key(lua_State *L, int idx)
{
    size_t n;
    const char *s = lua_tolstring(L, idx, &n);
    char hex[65];
    sigv4_sha256_hex(s, n, hex);
    lua_pushlstring(L, hex, 64);
}

/* REG_SECRETS[digest of the string at idx] = true.  [-0, +0, m] */
static void secret_add(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    if (lua_getfield(L, LUA_REGISTRYINDEX, REG_SECRETS) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, REG_SECRETS);
    }
    push_secret_key(L, idx);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

static void record_secrets(lua_State *L, const model_shape *s, int idx, int depth);

/* The members of structure s in the table at idx.  [-0, +0, m] */
static void record_members(lua_State *L, const model_shape *s, int idx, int depth)
{
    for (unsigned i = 0; i < s->nmembers; i++) {
        const model_member *m = &s->members[i];
        lua_getfield(L, idx, m->name);
        if (lua_type(L, -1) == LUA_TSTRING && lmodel_is_secret_name(m->name))
            secret_add(L, -1);
        else
            record_secrets(L, m->shape, lua_gettop(L), depth + 1);
        lua_pop(L, 1);
    }
}

/* Every value of the list (s->member) or map (s->value) at idx.  [-0, +0, m] */
static void record_items(lua_State *L, const model_shape *s, int idx, int depth)
{
    const model_shape *item = s->type == MODEL_LIST ? s->member : s->value;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        record_secrets(L, item, lua_gettop(L), depth + 1);
        lua_pop(L, 1);
    }
}

/* Walk the decoded value at idx along its shape s.  [-0, +0, m] */
static void record_secrets(lua_State *L, const model_shape *s, int idx, int depth)
{
    if (!s || depth > LJSON_MAX_DEPTH)
        return;
    if (model_is_sensitive(s)) {
        if (lua_type(L, idx) == LUA_TSTRING)
            secret_add(L, idx);
        return;
    }
    if (lua_type(L, idx) != LUA_TTABLE)
        return;
    luaL_checkstack(L, 4, "secret registry");
    if (s->type == MODEL_STRUCTURE)
        record_members(L, s, idx, depth);
    else if (s->type == MODEL_LIST || s->type == MODEL_MAP)
        record_items(L, s, idx, depth);
}

/* Can a value of shape s hold a string record_secrets records: one of a sensitive
 * shape or of a member named like a secret, at any depth it walks? */
static int may_hold_secret(const model_shape *s, int depth)
{
    if (!s || depth > LJSON_MAX_DEPTH)
        return 0;
    if (model_is_sensitive(s))
        return 1;
    if (s->type == MODEL_STRUCTURE) {
        for (unsigned i = 0; i < s->nmembers; i++)
            if (lmodel_is_secret_name(s->members[i].name) ||
                may_hold_secret(s->members[i].shape, depth + 1))
                return 1;
    } else if (s->type == MODEL_LIST || s->type == MODEL_MAP) {
        return may_hold_secret(s->type == MODEL_LIST ? s->member : s->value, depth + 1);
    }
    return 0;
}

/* may_hold_secret(s) for an operation's output, worked out once a state (registry
 * table REG_SECRET_SHAPES by shape): most outputs hold none, and walking a GetRole
 * result for them was a twentieth of the call.  [-0, +0, m] */
static int output_may_hold_secret(lua_State *L, const model_shape *s)
{
    if (!s)
        return 0;
    if (lua_getfield(L, LUA_REGISTRYINDEX, REG_SECRET_SHAPES) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, REG_SECRET_SHAPES);
    }
    int known = lua_rawgetp(L, -1, s) != LUA_TNIL, yes = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (!known) {
        yes = may_hold_secret(s, 0);
        lua_pushboolean(L, yes);
        lua_rawsetp(L, -2, s);
    }
    lua_pop(L, 1);
    return yes;
}

int lcall_is_secret(lua_State *L)
{
    int secret = 0;
    if (lua_type(L, 1) == LUA_TSTRING &&
        lua_getfield(L, LUA_REGISTRYINDEX, REG_SECRETS) == LUA_TTABLE) {
        push_secret_key(L, 1);
        secret = lua_rawget(L, -2) != LUA_TNIL;
    }
    lua_pushboolean(L, secret);
    return 1;
}

int lcall_invoke(lua_State *L, const model_op *op, int params_idx)
{
    params_idx = lua_absindex(L, params_idx);
    if (lua_gettop(L) < params_idx)
        lua_settop(L, params_idx); /* no argument: nil, not whatever is pushed next */
    cJSON *params = prepared_params(L, op, params_idx);
    call_env env = session_env(L, op);
    aws_err err;
    char request_id[96];
    err_clear(&err);
    cJSON *result = call_send(&env, op, params, request_id, &err);
    if (!result)
        lerror_raise(L, &err, op->name);
    ljson_push_owned(L, result);
    if (output_may_hold_secret(L, op->output))
        record_secrets(L, op->output, lua_gettop(L), 0);
    lua_pushstring(L, request_id);
    return 2;
}

/* The operation name of service; raises when there is none.  [-0, +0, v] */
static const model_op *find_op(lua_State *L, const char *service, const char *name)
{
    const model_service *svc = model_service_find(service);
    if (!svc)
        luaL_error(L, "unknown service '%s' (iamsh knows iam and sts)", service);
    const model_op *op = model_op_find(svc, name);
    if (!op)
        luaL_error(L, "%s has no operation '%s'", service, name);
    return op;
}

/* aws.call(service, operation, params) -> result, request_id */
int lcall_call(lua_State *L)
{
    const char *service = luaL_checkstring(L, 1);
    const char *name = luaL_checkstring(L, 2);
    const model_op *op = find_op(L, service, name);
    return lcall_invoke(L, op, 3);
}
