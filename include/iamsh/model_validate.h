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

#endif
