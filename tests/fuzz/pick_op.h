/* pick_op.h - how the fuzz targets that take an operation choose it: the first byte's
 * low bit picks IAM or STS, the second byte the operation. */
#ifndef IAMSH_FUZZ_PICK_OP_H
#define IAMSH_FUZZ_PICK_OP_H
#include <stdint.h>

#include "iamsh/model.h"

static inline const model_op *pick_op(const uint8_t *data)
{
    const model_service *svc = model_service_find(data[0] & 1 ? "sts" : "iam");
    return &svc->ops[data[1] % svc->nops];
}

#endif
