/* fuzz_json_python.c - json_python_dumps (the AWS CLI's cache keys and files) on any
 * JSON: the text is printable ASCII, reads back as JSON, and, from valid UTF-8 with the
 * keys left in order, as the same tree (cJSON_Compare needs each key once), and is
 * written again to the same text. A number too large for a double (1e999) is written as
 * Python writes float('inf'), Infinity, which is not JSON: such a tree is only checked
 * for ASCII. */
#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iamsh/json.h"
#include "iamsh/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ascii(const buf *out)
{
    for (size_t i = 0; i < out->len; i++)
        if (out->p[i] < 0x20 || out->p[i] > 0x7e)
            abort();
}

static int all_finite(const cJSON *v)
{
    if (cJSON_IsNumber(v) && !isfinite(v->valuedouble))
        return 0;
    for (const cJSON *c = v->child; c; c = c->next)
        if (!all_finite(c))
            return 0;
    return 1;
}

static int keys_unique(const cJSON *v)
{
    for (const cJSON *c = v->child; c; c = c->next) {
        if (!keys_unique(c))
            return 0;
        for (const cJSON *d = c->next; cJSON_IsObject(v) && d; d = d->next)
            if (strcmp(c->string, d->string) == 0)
                return 0;
    }
    return 1;
}

/* out, read back and written again with flags, is the same text. */
static void check_fixpoint(const cJSON *back, int flags, const buf *out)
{
    buf again = BUF_INIT;
    if (json_python_dumps(back, flags, &again) == 0 &&
        (again.len != out->len || memcmp(again.p, out->p, out->len) != 0))
        abort();
    buf_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *v = json_parse_all((const char *)data, size, NULL);
    if (!v)
        return 0;
    int same_bytes = utf8_valid((const char *)data, size);
    int json_out = all_finite(v), same_tree = same_bytes && keys_unique(v);
    for (int flags = 0; flags <= (JSON_PY_SORT_KEYS | JSON_PY_COMPACT); flags++) {
        buf out = BUF_INIT;
        if (json_python_dumps(v, flags, &out) == 0) {
            check_ascii(&out);
            if (!json_out) {
                buf_free(&out);
                continue;
            }
            cJSON *back = json_parse_all(out.p, out.len, NULL);
            if (!back)
                abort();
            if (same_tree && !(flags & JSON_PY_SORT_KEYS) && !cJSON_Compare(v, back, 1))
                abort();
            check_fixpoint(back, flags, &out);
            cJSON_Delete(back);
        }
        buf_free(&out);
    }
    cJSON_Delete(v);
    return 0;
}
