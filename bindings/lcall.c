/* lcall.c - the one call path every IAM and STS operation takes:
 * Lua params -> cJSON -> validate (model) -> Query body -> sign, send, retry ->
 * XML -> decode by the output shape -> Lua table, request id.
 * Nothing here knows any particular operation. */
#include <string.h>

#include "bindings.h"
#include "iamsh/client.h"
#include "iamsh/model.h"
#include "iamsh/model_validate.h"
#include "iamsh/model_serialize.h"
#include "iamsh/model_decode.h"

/* A cJSON tree parked in a userdata, freed by the GC if an error unwinds past it. */
static int box_gc(lua_State *L)
{
    cJSON **box = lua_touserdata(L, 1);
    if (box && *box) {
        cJSON_Delete(*box);
        *box = NULL;
    }
    return 0;
}

static cJSON **push_box(lua_State *L, cJSON *v)   /* [-0, +1, m] */
{
    cJSON **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;
    if (luaL_newmetatable(L, "aws.call.box")) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    *box = v;
    return box;
}

/* Same for a buf. */
static int buf_gc(lua_State *L)
{
    buf *b = lua_touserdata(L, 1);
    if (b)
        buf_wipe(b); /* bodies carry secrets: CreateAccessKey, AssumeRole, passwords */
    return 0;
}

static buf *push_buf(lua_State *L)   /* [-0, +1, m] */
{
    buf *b = lua_newuserdatauv(L, sizeof *b, 0);
    memset(b, 0, sizeof *b);
    if (luaL_newmetatable(L, "aws.call.buf")) {
        lua_pushcfunction(L, buf_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return b;
}

static void raise_param(lua_State *L, const model_op *op, const char *why)
{
    aws_err err;
    err_set(&err, AWS_ERR_PARAM, "ParamValidation", "%s: %s", op->snake, why);
    lerror_raise(L, &err, NULL);
}

/* The params table at idx as a validated cJSON object.  [-0, +1, e] (the box) */
static cJSON *checked_params(lua_State *L, const model_op *op, int idx)
{
    cJSON **box = push_box(L, NULL);
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
    if (model_validate(op, *box, &err) != 0)
        lerror_raise(L, &err, NULL);
    return *box;
}

static void send_query(lua_State *L, const model_op *op, const buf *body, buf *resp,
                       char request_id[96])
{
    lsession *s = lsession_get(L);
    const aws_config *cfg = lsession_config(L, s);
    aws_client *client = lsession_client(L, s);
    const aws_creds *creds = lsession_creds(L, s);
    aws_endpoint ep;
    aws_err err;
    memset(&ep, 0, sizeof ep);
    err_clear(&err);
    if (config_endpoint(cfg, op->svc->name, &ep, &err) != 0)
        lerror_raise(L, &err, op->name);
    int rc = client_query(client, &ep, creds, body->p, body->len, resp, request_id, &err);
    lsession_count_call(s, rc == 0 || err.kind == AWS_ERR_SERVICE);
    config_endpoint_free(&ep);
    if (rc != 0)
        lerror_raise(L, &err, op->name);
}

/* Operations that only read. Under --plan nothing else is sent, whatever the
 * script calls: the provision library plans its writes itself, and a plain
 * script's write is stopped here rather than trusted to check the flag. */
static int is_read_only(const model_op *op)
{
    static const char *const prefixes[] = {"Get", "List", "Simulate", NULL};
    if (strcmp(op->svc->name, "sts") == 0)
        return 1; /* STS changes no account state */
    for (int i = 0; prefixes[i]; i++)
        if (strncmp(op->name, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

static void refuse_write_in_plan(lua_State *L, const model_op *op)
{
    aws_err err;
    err_set(&err, AWS_ERR_PARAM, "PlanModeWrite",
                "%s: not sent: --plan sends no write (plan writes with the provision library)",
                op->snake);
    lerror_push(L, &err, NULL);
    lua_pushliteral(L, "plan");
    lua_setfield(L, -2, "kind");
    lua_error(L);
}

/* The secret registry: a set (registry table SECRETS) of every string a result held
 * at a sensitive shape, so that a printer can redact the value on its own
 * (`k.AccessKey.SecretAccessKey`), away from the key that named it. Strings are
 * never collected from a weak table, so the set lives as long as the state. */
static const char SECRETS[] = "aws.secrets";

/* SECRETS[string at idx] = true.  [-0, +0, m] */
static void secret_add(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    if (lua_getfield(L, LUA_REGISTRYINDEX, SECRETS) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, SECRETS);
    }
    lua_pushvalue(L, idx);
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

int lcall_is_secret(lua_State *L)
{
    int secret = 0;
    if (lua_type(L, 1) == LUA_TSTRING &&
        lua_getfield(L, LUA_REGISTRYINDEX, SECRETS) == LUA_TTABLE) {
        lua_pushvalue(L, 1);
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
    cJSON *params = checked_params(L, op, params_idx);
    if (!is_read_only(op) && lsession_option_bool(L, "plan"))
        refuse_write_in_plan(L, op);
    buf *body = push_buf(L);
    aws_err err;
    err_clear(&err);
    if (model_serialize(op, params, body, &err) != 0)
        lerror_raise(L, &err, op->name);
    buf *resp = push_buf(L);
    char request_id[96] = "";
    send_query(L, op, body, resp, request_id);
    cJSON *result = model_decode(op, resp->p ? resp->p : "", resp->len, request_id, &err);
    if (!result)
        lerror_raise(L, &err, op->name);
    ljson_push_owned(L, result);
    record_secrets(L, op->output, lua_gettop(L), 0);
    lua_pushstring(L, request_id);
    return 2;
}

const model_op *lcall_find_op(lua_State *L, const char *service, const char *name)
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
    const model_op *op = lcall_find_op(L, service, name);
    return lcall_invoke(L, op, 3);
}
