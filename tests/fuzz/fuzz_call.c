/* fuzz_call.c - the request half of the call path on arbitrary input: the first two
 * bytes pick an operation (IAM or STS), the rest is parsed as JSON parameters, then
 * validated and, when valid, serialised as a Query body. Nothing may crash, leak or
 * hang, and a body is only ever made from parameters that passed validation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iamsh/json.h"
#include "iamsh/model_serialize.h"
#include "iamsh/model_validate.h"
#include "pick_op.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const model_op *op = pick_op(data);
    cJSON *params = json_parse_all((const char *)data + 2, size - 2, NULL);
    aws_err err;
    err_clear(&err);
    if (model_validate(op, params, &err) == 0) {
        buf body = BUF_INIT;
        if (model_serialize(op, params, &body, &err) == 0 && strncmp(body.p, "Action=", 7) != 0)
            abort(); /* a serialised body always starts with the action */
        buf_free(&body);
    }
    cJSON_Delete(params);
    return 0;
}
