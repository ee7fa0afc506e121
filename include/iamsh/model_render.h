/* model_render.h - a result to AWS's Query XML answer, by the output shape: the
 * inverse of model_decode, for an endpoint that answers Query calls. */
#ifndef IAMSH_MODEL_RENDER_H
#define IAMSH_MODEL_RENDER_H
#include <cJSON.h>

#include "iamsh/buf.h"
#include "iamsh/err.h"
#include "iamsh/model.h"

/* Append <OpResponse xmlns=..><OpResult>..</OpResult><ResponseMetadata><RequestId>..
 * </RequestId></ResponseMetadata></OpResponse> for result (NULL = {}) to out: what
 * model_decode reads back as result. Policy documents (tables or JSON text) go out
 * URL-encoded, as AWS sends them. -1 with AWS_ERR_PARAM "InvalidResult" for a value the
 * shape does not allow or XML cannot carry (out is left as it was). */
int model_render(const model_op *op, const cJSON *result, const char *request_id, buf *out,
                 aws_err *err);
/* Append AWS's error document for e (code, message, request id):
 * <ErrorResponse xmlns=..><Error><Type>Sender|Receiver</Type><Code/><Message/></Error>
 * <RequestId/></ErrorResponse>, the fault from the model's error shape. 0 or -1. */
int model_render_error(const model_service *svc, const aws_err *e, buf *out);

#endif
