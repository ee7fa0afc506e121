/* bindings.h - shared pieces of the Lua bindings (every file here includes lua.h). */
#ifndef IAMSH_BINDINGS_H
#define IAMSH_BINDINGS_H
#include <cJSON.h>

#include "iamsh/err.h"
#include "lauxlib.h"
#include "lua.h"

#define LJSON_MAX_DEPTH 200

/* lutil.c: small stack helpers shared by the bindings. */
/* t[k] = v for the table on top of the stack; nothing when v is NULL.  [-0, +0, m] */
void lset_string(lua_State *L, const char *k, const char *v);
/* t[k] = v for the table on top of the stack.  [-0, +0, m] */
void lset_integer(lua_State *L, const char *k, lua_Integer v);
/* options[key] from the registry table "iamsh.options" the host leaves, as string
 * (NULL if absent; anchored by that table) or boolean.  [-0, +0, -] */
const char *lopt_string(lua_State *L, const char *key);
int lopt_bool(lua_State *L, const char *key);

/* ljson.c */
int luaopen_aws_json(lua_State *L);                                  /* [-0, +1, m] */
/* Push a cJSON value as Lua (objects -> tables, arrays -> sequences marked as arrays,
 * null -> aws.json.null).  [-0, +1, e] */
void ljson_push(lua_State *L, const cJSON *v);
/* The same, taking ownership of v: it is freed even if the conversion raises. */
void ljson_push_owned(lua_State *L, cJSON *v);
/* Convert the Lua value at idx to cJSON; NULL with a message naming the path on
 * failure (written to why).  [-0, +0, m] */
cJSON *ljson_from_lua(lua_State *L, int idx, char *why, size_t whylen);

/* lerror.c: aws.Error objects. */
void lerror_push(lua_State *L, const aws_err *e, const char *operation);   /* [-0, +1, m] */
int lerror_raise(lua_State *L, const aws_err *e, const char *operation);   /* [-0, +0, v] */
void lerror_push_metatable(lua_State *L);                                  /* [-0, +1, m] */
int lerror_is(lua_State *L, int idx);

/* lsession.c: the per-state config, client and credentials (created on first use). */
struct aws_config;
struct aws_client;
struct aws_creds;
typedef struct lsession lsession;
lsession *lsession_get(lua_State *L);                     /* raises on config errors */
const struct aws_config *lsession_config(lua_State *L, lsession *s);
struct aws_client *lsession_client(lua_State *L, lsession *s);
const struct aws_creds *lsession_creds(lua_State *L, lsession *s);  /* raises when none */
int lsession_push_config(lua_State *L);                   /* aws.config() */
int lsession_push_stats(lua_State *L);                    /* aws.stats() */
void lsession_count_call(lsession *s, int answered);

/* lcall.c */
struct model_op;
int lcall_call(lua_State *L);                             /* aws.call(svc, op, params) */
/* Run op with the params table at params_idx; pushes result, request id. */
int lcall_invoke(lua_State *L, const struct model_op *op, int params_idx);
const struct model_op *lcall_find_op(lua_State *L, const char *service, const char *name);
/* aws.is_secret(s) -> boolean: s is a secret some result carried (a value at a
 * sensitive shape, or under a secret name such as SessionToken). */
int lcall_is_secret(lua_State *L);

/* lmodel.c: aws.model, the model as data for Lua (paginators, waiters, help). */
int luaopen_aws_model(lua_State *L);                      /* [-0, +1, m] */
/* 1 if name is a secret's name outside the model's sensitive marks (SessionToken,
 * aws_secret_access_key, password, ...), ignoring case, '_' and '-'. */
int lmodel_is_secret_name(const char *name);

/* lpolicy.c: aws.policy, the policy engine (check, compile, evaluate). */
int luaopen_aws_policy(lua_State *L);                     /* [-0, +1, m] */

/* lsigv4.c */
int lsigv4_sign(lua_State *L);                            /* aws.sigv4.sign{...} */

#endif
