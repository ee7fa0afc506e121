/* lstore.c - iamsh.store: the local endpoint's state for its Lua handlers.
 *
 *   store.get(collection, key) -> table | nil
 *   store.put(collection, key, table)
 *   store.delete(collection, key) -> existed
 *   store.list(collection, {prefix =, after =, limit =}) -> { {key =, value =}, ... }
 *   store.count(collection [, prefix]) -> n
 *   store.random_id(prefix, n) -> prefix .. n upper-case base32 characters ("AROA", 17)
 *   store.random_secret(n) -> n characters of the base64 alphabet (secret keys, tokens)
 *
 * Documents are JSON in SQLite (store.c), so a value is what JSON holds: tables (arrays
 * stay arrays: aws.json's marking), strings, numbers, booleans. The server runs each
 * request in one transaction; handlers never begin or commit. */
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "bindings.h"
#include "iamsh/array.h"
#include "server.h"

#define MAX_LIST 100000

static store *self(lua_State *L)
{
    return lua_touserdata(L, lua_upvalueindex(1));
}

/* Raise the store's last failure.  [-0, +0, v] */
static int store_raise(lua_State *L, const char *fn)
{
    return luaL_error(L, "iamsh.store.%s: %s", fn, store_error(self(L)));
}

/* store.get(collection, key) -> table | nil */
static int l_get(lua_State *L)
{
    const char *coll = luaL_checkstring(L, 1), *key = luaL_checkstring(L, 2);
    buf json = BUF_INIT;
    int rc = store_get(self(L), coll, key, &json);
    if (rc > 0) {
        cJSON *v = cJSON_ParseWithLength(json.p, json.len);
        buf_free(&json);
        if (!v)
            return luaL_error(L, "iamsh.store.get: the document %s/%s is not JSON", coll, key);
        ljson_push_owned(L, v);
        return 1;
    }
    buf_free(&json);
    if (rc < 0)
        return store_raise(L, "get");
    lua_pushnil(L);
    return 1;
}

/* store.put(collection, key, value) */
static int l_put(lua_State *L)
{
    const char *coll = luaL_checkstring(L, 1), *key = luaL_checkstring(L, 2);
    luaL_checkany(L, 3);
    char why[256];
    cJSON *v = ljson_from_lua(L, 3, why, sizeof why);
    if (!v)
        return luaL_error(L, "iamsh.store.put: %s/%s: %s", coll, key, why);
    char *text = cJSON_PrintUnformatted(v);
    cJSON_Delete(v);
    if (!text)
        return luaL_error(L, "iamsh.store.put: out of memory");
    int rc = store_put(self(L), coll, key, text);
    cJSON_free(text);
    return rc == 0 ? 0 : store_raise(L, "put");
}

/* store.delete(collection, key) -> existed */
static int l_delete(lua_State *L)
{
    int rc = store_delete(self(L), luaL_checkstring(L, 1), luaL_checkstring(L, 2));
    if (rc < 0)
        return store_raise(L, "delete");
    lua_pushboolean(L, rc);
    return 1;
}

/* The rows of a listing, gathered before any is converted: a Lua error must not
 * unwind through the store's loop. */
typedef struct row {
    char *key;
    cJSON *value;
} row;

typedef struct rows {
    row *v;
    size_t n, cap;
    int bad;
} rows;

static int add_row(void *ud, const char *key, const char *json, size_t len)
{
    rows *r = ud;
    row *v = array_grow(r->v, &r->cap, r->n, sizeof *v, 16);
    if (!v)
        return r->bad = 1;
    r->v = v;
    row one = {strdup(key), cJSON_ParseWithLength(json, len)};
    if (!one.key || !one.value) {
        free(one.key);
        cJSON_Delete(one.value);
        return r->bad = 1;
    }
    r->v[r->n++] = one;
    return 0;
}

/* Idempotent: the __gc of the rows' userdata calls it again. */
static void rows_free(rows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].key);
        cJSON_Delete(r->v[i].value);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

static int rows_gc(lua_State *L)
{
    rows_free(lua_touserdata(L, 1));
    return 0;
}

/* A rows collector the garbage collector frees if a conversion raises.  [-0, +1, m] */
static rows *new_rows(lua_State *L)
{
    rows *r = lua_newuserdatauv(L, sizeof *r, 0);
    memset(r, 0, sizeof *r);
    if (luaL_newmetatable(L, "iamsh.store.rows")) {
        lua_pushcfunction(L, rows_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return r;
}

/* The rows as { {key =, value =}, ... }; each value's tree is handed over as pushed.
 * [-0, +1, e] */
static void push_rows(lua_State *L, rows *r)
{
    lua_createtable(L, (int)r->n, 0);
    for (size_t i = 0; i < r->n; i++) {
        lua_createtable(L, 0, 2);
        lua_pushstring(L, r->v[i].key);
        lua_setfield(L, -2, "key");
        cJSON *v = r->v[i].value;
        r->v[i].value = NULL;
        ljson_push_owned(L, v);
        lua_setfield(L, -2, "value");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static const char *opt_field(lua_State *L, int idx, const char *k)
{
    lua_getfield(L, idx, k);
    const char *v = lua_isnil(L, -1) ? NULL : luaL_checkstring(L, -1);
    lua_pop(L, 1);
    return v; /* the options table keeps the string alive */
}

/* store.list(collection, {prefix =, after =, limit =}) -> array of {key =, value =} */
static int l_list(lua_State *L)
{
    const char *coll = luaL_checkstring(L, 1);
    const char *prefix = NULL, *after = NULL;
    lua_Integer limit = MAX_LIST;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        prefix = opt_field(L, 2, "prefix");
        after = opt_field(L, 2, "after");
        lua_getfield(L, 2, "limit");
        limit = luaL_optinteger(L, -1, MAX_LIST);
        lua_pop(L, 1);
        luaL_argcheck(L, limit >= 0 && limit <= MAX_LIST, 2, "limit out of range");
    }
    rows *r = new_rows(L);
    int n = store_list(self(L), coll, prefix, after, (long)limit, add_row, r);
    if (n < 0 || r->bad) {
        int bad = r->bad;
        rows_free(r);
        return bad ? luaL_error(L, "iamsh.store.list: out of memory or a stored document that "
                                   "is not JSON")
                   : store_raise(L, "list");
    }
    push_rows(L, r);
    rows_free(r);
    return 1;
}

/* store.count(collection [, prefix]) -> n */
static int l_count(lua_State *L)
{
    long n = store_count(self(L), luaL_checkstring(L, 1), luaL_optstring(L, 2, ""));
    if (n < 0)
        return store_raise(L, "count");
    lua_pushinteger(L, n);
    return 1;
}

int lstore_random(char *out, size_t size, const char *prefix, size_t n, int secret)
{
    static const char base32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    static const char base64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t plen = strlen(prefix);
    unsigned char bytes[256];
    if (plen + n + 1 > size || n > sizeof bytes || endpoint_random_bytes(bytes, n) != 0)
        return -1;
    memcpy(out, prefix, plen);
    for (size_t i = 0; i < n; i++)
        out[plen + i] = secret ? base64[bytes[i] & 63] : base32[bytes[i] & 31];
    out[plen + n] = '\0';
    OPENSSL_cleanse(bytes, sizeof bytes);
    return 0;
}

/* store.random_id(prefix, n) */
static int l_random_id(lua_State *L)
{
    const char *prefix = luaL_checkstring(L, 1);
    lua_Integer n = luaL_checkinteger(L, 2);
    char out[300];
    luaL_argcheck(L, n >= 1 && n <= 128 && strlen(prefix) <= 64, 2, "1 to 128 characters");
    if (lstore_random(out, sizeof out, prefix, (size_t)n, 0) != 0)
        return luaL_error(L, "iamsh.store.random_id: no random bytes from the kernel");
    lua_pushstring(L, out);
    return 1;
}

/* store.random_secret(n) */
static int l_random_secret(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1);
    char out[300];
    luaL_argcheck(L, n >= 1 && n <= 256, 1, "1 to 256 characters");
    if (lstore_random(out, sizeof out, "", (size_t)n, 1) != 0)
        return luaL_error(L, "iamsh.store.random_secret: no random bytes from the kernel");
    lua_pushstring(L, out);
    memset(out, 0, sizeof out);
    return 1;
}

/* require "iamsh.store": the functions, each with the store as upvalue.  [-0, +1, m] */
static int open_store(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"get", l_get},
        {"put", l_put},
        {"delete", l_delete},
        {"list", l_list},
        {"count", l_count},
        {"random_id", l_random_id},
        {"random_secret", l_random_secret},
        {NULL, NULL},
    };
    lua_createtable(L, 0, 7);
    lua_pushvalue(L, lua_upvalueindex(1));
    luaL_setfuncs(L, fns, 1);
    return 1;
}

void lstore_preload(lua_State *L, store *s)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushlightuserdata(L, s);
    lua_pushcclosure(L, open_store, 1);
    lua_setfield(L, -2, "iamsh.store");
    lua_pop(L, 1);
}
