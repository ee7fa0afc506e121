/* model_validate.h - check call parameters against an operation's input shape before
 * anything is sent, so misuse fails early and names the parameter. */
#ifndef IAMSH_MODEL_VALIDATE_H
#define IAMSH_MODEL_VALIDATE_H
#include <cJSON.h>

#include "iamsh/err.h"
#include "iamsh/model.h"

/* Check params (a cJSON object, NULL = {}) against op's input shape. On failure:
 * AWS_ERR_PARAM, code "ParamValidation", message "<snake>: <path>: <what>". */
int model_validate(const model_op *op, const cJSON *params, aws_err *err);

/* The endpoint's side: params as model_parse made them from a received request,
 * checked against the input shape's constraints (required members, lengths, value
 * ranges, patterns, enums) as AWS does. On failure: AWS_ERR_PARAM, code
 * "ValidationError", status 400, every failure in AWS's words:
 * "1 validation error detected: Value 'a b' at 'roleName' failed to satisfy
 * constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+". */
int model_validate_aws(const model_op *op, const cJSON *params, aws_err *err);

#endif
