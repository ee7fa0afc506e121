/* fuzz_model_decode.c - hostile XML through model_decode.
 * The first byte picks the operation, so one corpus reaches lists, maps,
 * nested structures and policy documents; the rest is the response body. */
#include <stddef.h>
#include <stdint.h>

#include "iamsh/model_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *ops[][2] = {
        {"iam", "ListRoles"},
        {"iam", "GetRole"},
        {"iam", "CreateAccessKey"},
        {"iam", "GetAccountSummary"},
        {"iam", "GetAccountAuthorizationDetails"},
        {"iam", "DeleteRole"},
        {"sts", "GetCallerIdentity"},
        {"sts", "AssumeRole"},
    };
    if (size < 1)
        return 0;
    size_t pick = data[0] % (sizeof ops / sizeof ops[0]);
    const model_op *op = model_op_find(model_service_find(ops[pick][0]), ops[pick][1]);
    char request_id[96] = "";
    aws_err err;
    err_clear(&err);
    cJSON *r = model_decode(op, (const char *)data + 1, size - 1, request_id, &err);
    cJSON_Delete(r);
    return 0;
}
