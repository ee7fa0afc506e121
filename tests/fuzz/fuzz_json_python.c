/* fuzz_json_python.c - json_python_dumps (the AWS CLI's cache keys and files) on any
 * JSON: the text is printable ASCII, reads back as JSON, and, from valid UTF-8 with the
 * keys left in order, as the same tree. */
#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>

#include "iamsh/json.h"
#include "iamsh/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ascii(const buf *out)
{
    for (size_t i = 0; i < out->len; i++)
        if (out->p[i] < 0x20 || out->p[i] > 0x7e)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *v = json_parse_all((const char *)data, size, NULL);
    if (!v)
        return 0;
    int same_bytes = utf8_valid((const char *)data, size);
    for (int flags = 0; flags <= (JSON_PY_SORT_KEYS | JSON_PY_COMPACT); flags++) {
        buf out = BUF_INIT;
        if (json_python_dumps(v, flags, &out) == 0) {
            check_ascii(&out);
            cJSON *back = json_parse_all(out.p, out.len, NULL);
            if (!back)
                abort();
            if (same_bytes && !(flags & JSON_PY_SORT_KEYS) && !cJSON_Compare(v, back, 1))
                abort();
            cJSON_Delete(back);
        }
        buf_free(&out);
    }
    cJSON_Delete(v);
    return 0;
}
