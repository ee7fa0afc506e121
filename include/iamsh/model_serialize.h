/* model_serialize.h - parameters to an AWS Query form body, by the input shape. */
#ifndef IAMSH_MODEL_SERIALIZE_H
#define IAMSH_MODEL_SERIALIZE_H
#include <cJSON.h>

#include "iamsh/buf.h"
#include "iamsh/err.h"
#include "iamsh/model.h"

/* Append "Action=<Op>&Version=<v>&..." to body (params already validated). */
int model_serialize(const model_op *op, const cJSON *params, buf *body, aws_err *err);

#endif
