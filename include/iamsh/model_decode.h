/* model_decode.h - a successful AWS Query XML answer to cJSON, by the output shape. */
#ifndef IAMSH_MODEL_DECODE_H
#define IAMSH_MODEL_DECODE_H
#include <cJSON.h>
#include <stddef.h>

#include "iamsh/err.h"
#include "iamsh/model.h"

/* Decode a successful XML answer into a new cJSON object (caller frees), and
 * copy ResponseMetadata/RequestId into request_id (may be NULL). On unreadable
 * XML: NULL with AWS_ERR_PARSE "ResponseParseError". */
cJSON *model_decode(const model_op *op, const char *xml, size_t len, char request_id[96],
                    aws_err *err);

#endif
