/* fuzz_model_render.c - the XML renderer on arbitrary results: the first two bytes pick
 * an operation (IAM or STS), the rest is JSON for its result. Nothing may crash, leak
 * or hang, and whatever it renders must be an answer the decoder reads, with the
 * request id it was given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iamsh/json.h"
#include "iamsh/model_decode.h"
#include "iamsh/model_render.h"
#include "pick_op.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const model_op *op = pick_op(data);
    cJSON *result = json_parse_all((const char *)data + 2, size - 2, NULL);
    buf xml = BUF_INIT;
    aws_err err;
    if (result && model_render(op, result, "fuzz-1", &xml, &err) == 0) {
        char rid[96] = "";
        cJSON *back = model_decode(op, xml.p, xml.len, rid, &err);
        if (!back || strcmp(rid, "fuzz-1") != 0)
            abort();
        cJSON_Delete(back);
    }
    buf_free(&xml);
    cJSON_Delete(result);
    return 0;
}
