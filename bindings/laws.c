/* laws.c - the "aws" module: configuration, JSON, the signer, error objects and the
 * generic call path. iam and sts (lservice.c) are built on aws.call. */
#include <curl/curl.h>
#include <libxml/xmlversion.h>
#include <openssl/crypto.h>
#include <stdio.h>

#include "bindings.h"

/* aws.versions() -> {libcurl=, openssl=, libxml2=, cjson=} */
static int l_versions(lua_State *L)
{
    lua_createtable(L, 0, 4);
    lua_pushfstring(L, "libcurl %s", curl_version_info(CURLVERSION_NOW)->version);
    lua_setfield(L, -2, "libcurl");
    lua_pushstring(L, OpenSSL_version(OPENSSL_VERSION));
    lua_setfield(L, -2, "openssl");
    lua_pushfstring(L, "libxml2 %s", LIBXML_DOTTED_VERSION);
    lua_setfield(L, -2, "libxml2");
    lua_pushfstring(L, "cJSON %s", cJSON_Version());
    lua_setfield(L, -2, "cjson");
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

int luaopen_aws(lua_State *L);

int luaopen_aws(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"versions", l_versions}, {"is_error", l_is_error}, {"config", l_config},
        {"call", lcall_call},     {NULL, NULL},
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
    lerror_push_metatable(L);
    lua_setfield(L, -2, "Error");
    return 1;
}
