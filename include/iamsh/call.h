/* call.h - one AWS operation end to end, the path every call takes: the bindings'
 * iam.* and sts.* functions and the credential chain's STS calls alike.
 *   params -> validate (model) -> Query body -> sign, send, retry (client)
 *          -> XML -> decode by the output shape -> result */
#ifndef IAMSH_CALL_H
#define IAMSH_CALL_H
#include <cJSON.h>

#include "iamsh/client.h"
#include "iamsh/config.h"
#include "iamsh/creds.h"
#include "iamsh/err.h"
#include "iamsh/model.h"

typedef struct call_env {
    aws_client *client;
    const aws_config *config; /* the endpoint comes from the operation's service */
    const aws_creds *creds;   /* NULL only for an operation the model marks unsigned */
} call_env;

/* Run op with params (a cJSON object, NULL = {}): call_prepare, then call_send. */
cJSON *call_op(const call_env *env, const model_op *op, const cJSON *params, char request_id[96],
               aws_err *err);

/* The two halves, for a caller that must check before it has credentials (the
 * bindings: a bad parameter is reported without touching the credential chain). */
/* Before anything is sent: AWS_ERR_PARAM (ParamValidation) for bad params, and with
 * read_only (--plan) AWS_ERR_PLAN (PlanModeWrite) for an operation that writes. */
int call_prepare(const model_op *op, const cJSON *params, int read_only, aws_err *err);
/* Prepared params to the endpoint and back: the decoded result (caller frees) and the
 * request id, or NULL with what the endpoint, the client or the decoder said. */
cJSON *call_send(const call_env *env, const model_op *op, const cJSON *params, char request_id[96],
                 aws_err *err);

#endif
