/* model_parse.h - an AWS Query form body to parameters, by the input shape: the
 * inverse of model_serialize, for an endpoint that answers Query calls. */
#ifndef IAMSH_MODEL_PARSE_H
#define IAMSH_MODEL_PARSE_H
#include <cJSON.h>
#include <stddef.h>

#include "iamsh/err.h"
#include "iamsh/model.h"

/* The operation of svc a body's "Action=" names; NULL when it names none. */
const model_op *model_parse_action(const model_service *svc, const char *body, size_t len);
/* body ("Action=<Op>&Version=<v>&Tags.member.1.Key=..."), form-decoded, as a new cJSON
 * object by op's input shape (caller frees): what model_serialize was given. Blobs are
 * base64-decoded; policy documents stay JSON text, as sent. NULL with
 * AWS_ERR_PARAM "MalformedQueryString" naming the key for anything the shape does not
 * explain (an unknown parameter, a missing list item, a key given twice, a bad number). */
cJSON *model_parse(const model_op *op, const char *body, size_t len, aws_err *err);

#endif
