/* ljson.c - aws.json: JSON <-> Lua with cJSON.
 *
 * Arrays decode as sequences carrying a shared "array" metatable, so an empty
 * array survives a round trip; aws.json.array(t) marks a table the same way.
 * JSON null is aws.json.null (a light userdata). Depth is capped and the Lua
 * stack checked, so hostile input cannot overflow anything. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindings.h"
#include "iamsh/boundary.h"
#include "iamsh/buf.h"
#include "iamsh/creds.h"
#include "iamsh/json.h"
#include "iamsh/keypath.h"
#include "iamsh/utf8.h"

/* The shared metatable marking a table as a JSON array.  [-0, +1, m] */
static void push_array_mt(lua_State *L)
{
    if (luaL_newmetatable(L, REG_JSON_ARRAY_MT)) {
        lua_pushliteral(L, "array");
        lua_setfield(L, -2, "__jsontype");
    }
}

static void push_value(lua_State *L, const cJSON *v, int depth);

/* Fills the table on top with v's children.  [-0, +0, e] */
static void push_children(lua_State *L, const cJSON *v, int depth, int is_array)
{
    lua_Integer i = 0;
    for (const cJSON *c = v->child; c; c = c->next) {
        push_value(L, c, depth + 1);
        if (is_array)
            lua_rawseti(L, -2, ++i);
        else
            lua_setfield(L, -2, c->string ? c->string : "");
    }
}

/* [-0, +1, e] */
static void push_value(lua_State *L, const cJSON *v, int depth)
{
    if (depth > LJSON_MAX_DEPTH)
        luaL_error(L, "JSON nested deeper than %d levels", LJSON_MAX_DEPTH);
    luaL_checkstack(L, 4, "JSON value");
    if (cJSON_IsString(v)) {
        lua_pushstring(L, v->valuestring ? v->valuestring : "");
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 9007199254740992.0)
            lua_pushinteger(L, (lua_Integer)d);
        else
            lua_pushnumber(L, d);
    } else if (cJSON_IsBool(v)) {
        lua_pushboolean(L, cJSON_IsTrue(v));
    } else if (cJSON_IsArray(v)) {
        lua_createtable(L, cJSON_GetArraySize(v), 0);
        push_children(L, v, depth, 1);
        push_array_mt(L);
        lua_setmetatable(L, -2);
    } else if (cJSON_IsObject(v)) {
        lua_createtable(L, 0, cJSON_GetArraySize(v)); /* sized: no rehash while filled */
        push_children(L, v, depth, 0);
    } else {
        lua_pushlightuserdata(L, NULL);
    }
}

/* A tree that may hold secrets (the parameters of a call, its decoded answer) is
 * wiped before it is freed: freed memory keeps its bytes until reused. */
static void delete_wiped(cJSON *v)
{
    creds_wipe_json(v);
    cJSON_Delete(v);
}

/* A box's finaliser: the tree it still owns. */
static int box_gc(lua_State *L)
{
    cJSON **box = lua_touserdata(L, 1);
    if (box && *box) {
        delete_wiped(*box);
        *box = NULL;
    }
    return 0;
}

cJSON **ljson_box(lua_State *L, cJSON *v)
{
    cJSON **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = v;
    if (luaL_newmetatable(L, REG_BOX_MT)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return box;
}

void ljson_push(lua_State *L, const cJSON *v)
{
    push_value(L, v, 0);
}

void ljson_push_owned(lua_State *L, cJSON *v)
{
    cJSON **box = ljson_box(L, v);
    push_value(L, v, 0);
    delete_wiped(v);
    *box = NULL;
    lua_remove(L, -2);
}

/* --- Lua -> cJSON --- */

typedef struct conv {
    lua_State *L;
    char *why;
    size_t whylen;
    keypath path; /* where the value being converted sits, "Tags[2].Key" */
} conv;

static cJSON *from_lua(conv *c, int idx, int depth);

static cJSON *conv_fail(conv *c, const char *what)
{
    char tail[KEYPATH_MAX];
    size_t room = c->whylen > strlen(what) + 3 ? c->whylen - strlen(what) - 3 : 0;
    const char *path = keypath_tail(&c->path, room, tail, sizeof tail);
    snprintf(c->why, c->whylen, "%s%s%s", path, c->path.len ? ": " : "", what);
    return NULL;
}

/* A sequence 1..n, or a table marked as an array; n returned in *n.  [-0, +0, -] */
static int is_array(lua_State *L, int idx, lua_Integer *n)
{
    *n = 0;
    if (lua_getmetatable(L, idx)) {
        luaL_getmetatable(L, REG_JSON_ARRAY_MT);
        int marked = lua_rawequal(L, -1, -2);
        lua_pop(L, 2);
        if (marked) {
            *n = (lua_Integer)lua_rawlen(L, idx);
            return 1;
        }
    }
    lua_Integer count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) {
            lua_pop(L, 1);
            return 0;
        }
        count++;
    }
    *n = count;
    return count > 0 && (lua_Integer)lua_rawlen(L, idx) == count;
}

static cJSON *array_from_lua(conv *c, int idx, lua_Integer n, int depth)
{
    cJSON *a = cJSON_CreateArray();
    for (lua_Integer i = 1; a && i <= n; i++) {
        lua_rawgeti(c->L, idx, i);
        size_t mark = keypath_push_index(&c->path, i, 0);
        cJSON *v = from_lua(c, lua_gettop(c->L), depth + 1);
        keypath_pop(&c->path, mark);
        lua_pop(c->L, 1);
        if (!v) {
            cJSON_Delete(a);
            return NULL;
        }
        cJSON_AddItemToArray(a, v);
    }
    return a;
}

static cJSON *object_from_lua(conv *c, int idx, int depth)
{
    lua_State *L = c->L;
    cJSON *o = cJSON_CreateObject();
    lua_pushnil(L);
    while (o && lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING) {
            lua_pop(L, 2);
            cJSON_Delete(o);
            return conv_fail(c, "table keys must be strings (or a sequence 1..n)");
        }
        const char *k = lua_tostring(L, -2);
        size_t mark = keypath_push(&c->path, k);
        cJSON *v = from_lua(c, lua_gettop(L), depth + 1);
        keypath_pop(&c->path, mark);
        lua_pop(L, 1);
        if (!v) {
            lua_pop(L, 1);
            cJSON_Delete(o);
            return NULL;
        }
        cJSON_AddItemToObject(o, k, v);
    }
    return o;
}

static cJSON *string_from_lua(conv *c, int idx)
{
    size_t len;
    const char *s = lua_tolstring(c->L, idx, &len);
    if (strlen(s) != len)
        return conv_fail(c, "string contains a NUL byte");
    if (!utf8_valid(s, len))
        return conv_fail(c, "string is not valid UTF-8 (JSON text must be)");
    return cJSON_CreateString(s);
}

static cJSON *from_lua(conv *c, int idx, int depth)
{
    lua_State *L = c->L;
    if (depth > LJSON_MAX_DEPTH)
        return conv_fail(c, "nested too deeply (or a cycle)");
    luaL_checkstack(L, 6, "JSON encode");
    switch (lua_type(L, idx)) {
    case LUA_TSTRING: return string_from_lua(c, idx);
    case LUA_TBOOLEAN: return cJSON_CreateBool(lua_toboolean(L, idx));
    case LUA_TNUMBER: {
        lua_Number d = lua_tonumber(L, idx);
        if (!isfinite(d))
            return conv_fail(c, "number is not finite (inf or nan)");
        return cJSON_CreateNumber(d);
    }
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == NULL)
            return cJSON_CreateNull();
        break;
    case LUA_TTABLE: {
        lua_Integer n;
        if (is_array(L, idx, &n))
            return array_from_lua(c, idx, n, depth);
        return object_from_lua(c, idx, depth);
    }
    default: break;
    }
    char what[64];
    snprintf(what, sizeof what, "cannot encode a %s value as JSON", luaL_typename(L, idx));
    return conv_fail(c, what);
}

cJSON *ljson_from_lua(lua_State *L, int idx, char *why, size_t whylen)
{
    conv c = {L, why, whylen, KEYPATH_INIT};
    return from_lua(&c, lua_absindex(L, idx), 0);
}

/* --- pretty printing --- */

static int pretty_value(buf *b, const cJSON *v, int indent, int level);

/* A scalar (or a key, as a string) exactly as the compact encoder writes it. */
static int put_scalar(buf *b, const cJSON *v)
{
    char *s = cJSON_PrintUnformatted(v);
    if (!s)
        return -1;
    int rc = buf_puts(b, s);
    cJSON_free(s);
    return rc;
}

static int put_key(buf *b, const char *key)
{
    cJSON k;
    memset(&k, 0, sizeof k);
    k.type = cJSON_String;
    k.valuestring = (char *)key;
    if (put_scalar(b, &k) != 0)
        return -1;
    return buf_puts(b, ": ");
}

static int newline(buf *b, int indent, int level)
{
    if (buf_puts(b, "\n") != 0)
        return -1;
    for (int i = 0; i < indent * level; i++)
        if (buf_append(b, " ", 1) != 0)
            return -1;
    return 0;
}

static int cmp_keys(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

/* The children of an object or array, objects' sorted by key (so the output reads
 * the same every run: Lua tables have no order). NULL on ENOMEM; *n = count. */
static const cJSON **children(const cJSON *v, size_t *n)
{
    *n = 0;
    for (const cJSON *c = v->child; c; c = c->next)
        (*n)++;
    const cJSON **kids = malloc((*n ? *n : 1) * sizeof *kids);
    if (!kids)
        return NULL;
    size_t i = 0;
    for (const cJSON *c = v->child; c; c = c->next)
        kids[i++] = c;
    if (cJSON_IsObject(v))
        qsort(kids, *n, sizeof *kids, cmp_keys);
    return kids;
}

/* [ ... ] or { ... }, one member a line; empty ones as [] and {}. */
static int pretty_container(buf *b, const cJSON *v, int indent, int level)
{
    int obj = cJSON_IsObject(v);
    size_t n;
    const cJSON **kids = children(v, &n);
    int rc = kids ? buf_puts(b, obj ? "{" : "[") : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = (i ? buf_puts(b, ",") : 0) || newline(b, indent, level + 1) ||
             (obj && put_key(b, kids[i]->string ? kids[i]->string : "")) ||
             pretty_value(b, kids[i], indent, level + 1);
    }
    if (rc == 0 && n)
        rc = newline(b, indent, level);
    if (rc == 0)
        rc = buf_puts(b, obj ? "}" : "]");
    free(kids);
    return rc ? -1 : 0;
}

static int pretty_value(buf *b, const cJSON *v, int indent, int level)
{
    if (cJSON_IsObject(v) || cJSON_IsArray(v))
        return pretty_container(b, v, indent, level);
    return put_scalar(b, v);
}

/* --- aws.json --- */

/* opts.indent from encode's options table at idx (0: compact); unknown options raise.
 * [-0, +0, v] */
static int encode_indent(lua_State *L, int idx)
{
    if (lua_isnoneornil(L, idx))
        return 0;
    if (!lua_istable(L, idx))
        return luaL_error(L, "aws.json.encode: options must be a table, got %s",
                          luaL_typename(L, idx));
    lua_Integer indent = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            return luaL_error(L, "aws.json.encode: options are named (got a %s key)",
                              luaL_typename(L, -2));
        if (strcmp(lua_tostring(L, -2), "indent") != 0)
            return luaL_error(L, "aws.json.encode: unknown option '%s' (the one option is indent)",
                              lua_tostring(L, -2));
        int ok;
        indent = lua_tointegerx(L, -1, &ok);
        if (!ok || lua_type(L, -1) != LUA_TNUMBER || indent < 1 || indent > 16)
            return luaL_error(L, "aws.json.encode: indent must be an integer from 1 to 16");
        lua_pop(L, 1);
    }
    return (int)indent;
}

/* The cJSON tree v as text (compact, or indented with sorted keys); frees v.  [-0, +1, m] */
static int push_encoded(lua_State *L, cJSON *v, int indent)
{
    if (indent) {
        buf out = BUF_INIT;
        int rc = pretty_value(&out, v, indent, 0);
        cJSON_Delete(v);
        if (rc == 0)
            lua_pushlstring(L, out.p ? out.p : "", out.len);
        buf_free(&out);
        return rc == 0 ? 1 : luaL_error(L, "aws.json.encode: out of memory");
    }
    char *s = cJSON_PrintUnformatted(v);
    cJSON_Delete(v);
    if (!s)
        return luaL_error(L, "aws.json.encode: out of memory");
    lua_pushstring(L, s);
    cJSON_free(s);
    return 1;
}

/* aws.json.encode(v [, {indent = N}]) -> text */
static int l_encode(lua_State *L)
{
    luaL_checkany(L, 1);
    int indent = encode_indent(L, 2);
    char why[600];
    cJSON *v = ljson_from_lua(L, 1, why, sizeof why);
    if (!v)
        return luaL_error(L, "aws.json.encode: %s", why);
    return push_encoded(L, v, indent);
}

/* What is wrong at s[pos]: a control character is named (printing it would break
 * the line), anything else is quoted as the text there.  [-0, +1, m] */
static void push_json_problem(lua_State *L, const char *s, size_t len, size_t pos)
{
    if (pos < len && (unsigned char)s[pos] < 0x20) {
        char what[64];
        snprintf(what, sizeof what, "a control character (0x%02X) must be escaped",
                 (unsigned char)s[pos]);
        lua_pushstring(L, what);
        return;
    }
    size_t n = pos < len ? len - pos : 0;
    lua_pushfstring(L, "near '%s'", n ? "" : "<end>");
    if (n) {
        lua_pop(L, 1);
        size_t k = 0;
        while (k < n && k < 16 && (unsigned char)s[pos + k] >= 0x20)
            k++;
        lua_pushliteral(L, "near '");
        lua_pushlstring(L, s + pos, k);
        lua_pushliteral(L, "'");
        lua_concat(L, 3);
    }
}

static int l_decode(lua_State *L)
{
    size_t len, pos = 0;
    const char *s = luaL_checklstring(L, 1, &len);
    cJSON *v = json_parse_all(s, len, &pos);
    if (!v) {
        push_json_problem(L, s, len, pos);
        return luaL_error(L, "aws.json.decode: invalid JSON at byte %d: %s", (int)pos + 1,
                          lua_tostring(L, -1));
    }
    ljson_push_owned(L, v);
    return 1;
}

static int l_array(lua_State *L)
{
    if (lua_isnoneornil(L, 1))
        lua_newtable(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    push_array_mt(L);
    lua_setmetatable(L, 1);
    return 1;
}

static int l_is_array(lua_State *L)
{
    lua_Integer n;
    lua_pushboolean(L, lua_type(L, 1) == LUA_TTABLE && is_array(L, 1, &n));
    return 1;
}

int luaopen_aws_json(lua_State *L)
{
    static const luaL_Reg fns[] = {{"encode", l_encode},
                                   {"decode", l_decode},
                                   {"array", l_array},
                                   {"is_array", l_is_array},
                                   {NULL, NULL}};
    luaL_newlib(L, fns);
    lua_pushlightuserdata(L, NULL);
    lua_setfield(L, -2, "null");
    return 1;
}
