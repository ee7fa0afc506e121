/* fuzz_model_parse.c - the Query parser on arbitrary bodies: the first two bytes pick an
 * operation (IAM or STS), the rest is the form body. Nothing may crash, leak or hang,
 * and parameters it accepts that also pass validation must serialise and parse back
 * to themselves (the codec's two halves agree). */
#include <stdint.h>
#include <stdlib.h>

#include "iamsh/model_parse.h"
#include "iamsh/model_serialize.h"
#include "iamsh/model_validate.h"
#include "pick_op.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* params -> body -> params again, which must be what went in. */
static void round_trip(const model_op *op, const cJSON *params)
{
    buf body = BUF_INIT;
    aws_err err;
    if (model_serialize(op, params, &body, &err) != 0)
        abort();
    cJSON *again = model_parse(op, body.p, body.len, &err);
    if (!again || !cJSON_Compare(params, again, 1))
        abort();
    cJSON_Delete(again);
    buf_free(&body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const model_op *op = pick_op(data);
    aws_err err;
    cJSON *params = model_parse(op, (const char *)data + 2, size - 2, &err);
    if (params && model_validate(op, params, &err) == 0)
        round_trip(op, params);
    cJSON_Delete(params);
    return 0;
}
