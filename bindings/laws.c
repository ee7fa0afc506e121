/* laws.c - the "aws" module: configuration, JSON, the signer, error objects and the
 * generic call path. iam and sts (lservice.c) are built on aws.call. */
#include <libxml/xmlversion.h>
#include <openssl/crypto.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>

#include "bindings.h"
#include "iamsh/base64.h"
#include "iamsh/buf.h"
#include "iamsh/http.h"
#include "iamsh/model.h"
#include "iamsh/iso8601.h"

/* aws.versions() -> {libcurl=, openssl=, libxml2=, cjson=, pcre2=} */
static int l_versions(lua_State *L)
{
    lua_createtable(L, 0, 5);
    const char *curl = http_library_version();
    lua_pushfstring(L, "libcurl %s", curl ? curl : "(cannot be loaded)");
    lua_setfield(L, -2, "libcurl");
    lua_pushstring(L, OpenSSL_version(OPENSSL_VERSION));
    lua_setfield(L, -2, "openssl");
    lua_pushfstring(L, "libxml2 %s", LIBXML_DOTTED_VERSION);
    lua_setfield(L, -2, "libxml2");
    lua_pushfstring(L, "cJSON %s", cJSON_Version());
    lua_setfield(L, -2, "cjson");
    char pcre2[64];
    pcre2_config(PCRE2_CONFIG_VERSION, pcre2);
    lua_pushfstring(L, "PCRE2 %s", pcre2);
    lua_setfield(L, -2, "pcre2");
    return 1;
}

/* Push out's bytes, free it, and answer 1; raise why when rc failed.  [-0, +1, v] */
static int push_coded(lua_State *L, int rc, buf *out, const char *why)
{
    if (rc == 0)
        lua_pushlstring(L, out->p, out->len);
    buf_free(out);
    return rc == 0 ? 1 : luaL_error(L, "%s", why);
}

/* aws.base64.encode(s) -> text */
static int l_b64_encode(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    buf out = BUF_INIT;
    return push_coded(L, base64_encode(&out, s, n), &out, "aws.base64.encode: string too long");
}

/* aws.base64.decode(text) -> bytes (blob results, e.g. get_credential_report's Content,
 * arrive base64-encoded as AWS sends them); raises on malformed input. */
static int l_b64_decode(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    buf out = BUF_INIT;
    return push_coded(L, base64_decode(&out, s, n), &out,
                      n % 4 ? "aws.base64.decode: the length is not a multiple of 4"
                            : "aws.base64.decode: not base64");
}

/* aws.timestamp(iso) -> seconds since the epoch (an integer when whole): the core's
 * ISO 8601 reader, the one that checks timestamp parameters, so Lua computes ages
 * from results without a parser of its own. Raises on anything else. */
static int l_timestamp(lua_State *L)
{
    const char *s = luaL_checkstring(L, 1);
    double t;
    if (iso8601_parse(s, &t) != 0)
        return luaL_argerror(L, 1, lua_pushfstring(L, "not an ISO 8601 timestamp: '%s'", s));
    lua_Integer whole;
    if (lua_numbertointeger(t, &whole) && (double)whole == t)
        lua_pushinteger(L, whole);
    else
        lua_pushnumber(L, t);
    return 1;
}

static int l_is_error(lua_State *L)
{
    lua_pushboolean(L, lerror_is(L, 1));
    return 1;
}

static int l_config(lua_State *L)
{
    return lsession_push_config(L);
}

static int l_stats(lua_State *L)
{
    return lsession_push_stats(L);
}

int luaopen_aws(lua_State *L);

int luaopen_aws(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"versions", l_versions},       {"is_error", l_is_error},
        {"config", l_config},           {"call", lcall_call},
        {"timestamp", l_timestamp},     {"stats", l_stats},
        {"is_secret", lcall_is_secret}, {NULL, NULL},
    };
    luaL_newlib(L, fns);
    luaopen_aws_json(L);
    lua_setfield(L, -2, "json");
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, lsigv4_sign);
    lua_setfield(L, -2, "sign");
    lua_setfield(L, -2, "sigv4");
    luaopen_aws_model(L);
    lua_setfield(L, -2, "model");
    luaopen_aws_policy(L);
    lua_setfield(L, -2, "policy");
    luaopen_aws_sso(L);
    lua_setfield(L, -2, "sso");
    static const luaL_Reg b64[] = {
        {"encode", l_b64_encode}, {"decode", l_b64_decode}, {NULL, NULL}};
    luaL_newlib(L, b64);
    lua_setfield(L, -2, "base64");
    lerror_push_metatable(L);
    lua_setfield(L, -2, "Error");
    return 1;
}
