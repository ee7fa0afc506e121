/* call.c - the one call path: validate, serialise, send, decode. Nothing here knows
 * any particular operation; the model says what each one takes and returns. */
#include "iamsh/call.h"
#include "iamsh/model_decode.h"
#include "iamsh/model_serialize.h"
#include "iamsh/model_validate.h"

#include <string.h>

#include "iamsh/buf.h"

/* Under --plan a write is stopped here, where every request passes, rather than
 * trusted to the script to check a flag. */
int call_prepare(const model_op *op, const cJSON *params, int read_only, aws_err *err)
{
    if (model_validate(op, params, err) != 0)
        return -1;
    if (read_only && !model_op_is_read_only(op))
        return err_set(err, AWS_ERR_PLAN, "PlanModeWrite",
                       "%s: not sent: --plan sends no write (plan writes with the provision "
                       "library)",
                       op->snake);
    return 0;
}

/* POST body to the operation's endpoint, signed unless the model says otherwise. */
static int post(const call_env *env, const model_op *op, const buf *body, buf *resp,
                char request_id[96], aws_err *err)
{
    const aws_creds *creds = (op->flags & MODEL_OP_UNSIGNED) ? NULL : env->creds;
    if (!creds && !(op->flags & MODEL_OP_UNSIGNED))
        return err_set(err, AWS_ERR_CREDS, "NoCredentials", "%s: no credentials to sign with",
                       op->snake);
    aws_endpoint ep;
    memset(&ep, 0, sizeof ep);
    if (config_endpoint(env->config, op->svc->name, &ep, err) != 0)
        return -1;
    int rc = client_query(env->client, &ep, creds, body->p, body->len, resp, request_id, err);
    config_endpoint_free(&ep);
    return rc;
}

cJSON *call_send(const call_env *env, const model_op *op, const cJSON *params, char request_id[96],
                 aws_err *err)
{
    buf body = BUF_INIT, resp = BUF_INIT;
    cJSON *result = NULL;
    request_id[0] = '\0';
    if (model_serialize(op, params, &body, err) == 0 &&
        post(env, op, &body, &resp, request_id, err) == 0)
        result = model_decode(op, resp.p ? resp.p : "", resp.len, request_id, err);
    buf_wipe(&body); /* bodies and answers carry secrets: passwords, keys, tokens */
    buf_wipe(&resp);
    return result;
}

cJSON *call_op(const call_env *env, const model_op *op, const cJSON *params, char request_id[96],
               aws_err *err)
{
    request_id[0] = '\0';
    if (call_prepare(op, params, env->client->opts.read_only, err) != 0)
        return NULL;
    return call_send(env, op, params, request_id, err);
}
