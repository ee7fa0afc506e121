/* bindings.h - shared pieces of the Lua bindings (every file here includes lua.h). */
#ifndef IAMSH_BINDINGS_H
#define IAMSH_BINDINGS_H
#include <cJSON.h>

#include "iamsh/err.h"
#include "lauxlib.h"
#include "lua.h"

#define LJSON_MAX_DEPTH 200

/* lset.c: fields of the table on top of the stack. */
/* t[k] = v for the table on top of the stack; nothing when v is NULL.  [-0, +0, m] */
void lset_string(lua_State *L, const char *k, const char *v);
/* t[k] = v for the table on top of the stack.  [-0, +0, m] */
void lset_integer(lua_State *L, const char *k, lua_Integer v);

/* ljson.c */
int luaopen_aws_json(lua_State *L); /* [-0, +1, m] */
/* A userdata that owns v (NULL allowed; set *box later) and frees it when collected,
 * so a tree cannot leak when an error unwinds past it.  [-0, +1, m] */
cJSON **ljson_box(lua_State *L, cJSON *v);
/* Push v as Lua (objects -> tables, arrays -> sequences marked as arrays, null ->
 * aws.json.null), taking ownership: v is freed even if the conversion raises.
 * [-0, +1, e] */
void ljson_push_owned(lua_State *L, cJSON *v);
/* The same for a tree the caller keeps (and frees, whatever happens).  [-0, +1, e] */
void ljson_push(lua_State *L, const cJSON *v);
/* Convert the Lua value at idx to cJSON; NULL with a message naming the path on
 * failure (written to why).  [-0, +0, m] */
cJSON *ljson_from_lua(lua_State *L, int idx, char *why, size_t whylen);

/* lerror.c: aws.Error objects. */
void lerror_push(lua_State *L, const aws_err *e, const char *operation); /* [-0, +1, m] */
int lerror_raise(lua_State *L, const aws_err *e, const char *operation); /* [-0, +0, v] */
void lerror_push_metatable(lua_State *L);                                /* [-0, +1, m] */
int lerror_is(lua_State *L, int idx);                                    /* [-0, +0, -] */

/* lsession.c: the per-state config, client and credentials (created on first use). */
struct aws_config;
struct aws_client;
struct aws_creds;
typedef struct lsession lsession;
/* The session, made (and its configuration loaded) on first use.  [-0, +0, v]: raises
 * on a configuration error. The others take it and raise what they cannot make. */
lsession *lsession_get(lua_State *L);
const struct aws_config *lsession_config(lua_State *L, lsession *s); /* [-0, +0, -] */
struct aws_client *lsession_client(lua_State *L, lsession *s);       /* [-0, +0, v] */
const struct aws_creds *lsession_creds(lua_State *L, lsession *s);   /* [-0, +0, v] */
int lsession_push_config(lua_State *L);                              /* aws.config() */
int lsession_push_stats(lua_State *L);                               /* aws.stats() */
/* The run options the program handed over with iamsh_aws_configure (boundary.h). */
struct iamsh_run_options;
const struct iamsh_run_options *lsession_options(void);

/* lcall.c */
struct model_op;
int lcall_call(lua_State *L); /* aws.call(svc, op, params) */
/* Run op with the params table at params_idx; pushes result, request id. */
int lcall_invoke(lua_State *L, const struct model_op *op, int params_idx); /* [-0, +2, v] */
/* aws.is_secret(s) -> boolean: s is a secret some result carried (a value at a
 * sensitive shape, or under a secret name such as SessionToken). */
int lcall_is_secret(lua_State *L);

/* lmodel.c: aws.model, the model as data for Lua (paginators, waiters, help). */
int luaopen_aws_model(lua_State *L); /* [-0, +1, m] */
/* 1 if name is a secret's name outside the model's sensitive marks (SessionToken,
 * aws_secret_access_key, password, ...), ignoring case, '_' and '-'. */
int lmodel_is_secret_name(const char *name);

/* lpolicy.c: aws.policy, the policy engine (check, compile, evaluate). */
int luaopen_aws_policy(lua_State *L); /* [-0, +1, m] */

/* lsso.c: aws.sso, the IAM Identity Center sign-in and sign-out (iamsh sso). */
int luaopen_aws_sso(lua_State *L); /* [-0, +1, m] */

/* lsigv4.c */
int lsigv4_sign(lua_State *L); /* aws.sigv4.sign{...} */

#endif
