/* json.c - JSON documents that come from outside (credential_process output, metadata
 * answers, aws.json.decode): exactly one value, and no \u0000 a C string would cut. */
#include "iamsh/json.h"

#include <string.h>

/* The offset of a \u0000 escape in text, or len. cJSON would decode it into a NUL
 * that silently cuts its string short, so such documents are refused instead.
 * Backslashes only occur inside JSON strings, where "\\" is one escaped backslash. */
static size_t nul_escape(const char *text, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (text[i] != '\\')
            continue;
        if (text[i + 1] == 'u' && i + 5 < len && memcmp(text + i + 2, "0000", 4) == 0)
            return i;
        i++; /* skip the escaped character */
    }
    return len;
}

cJSON *json_parse_all(const char *text, size_t len, size_t *err_pos)
{
    size_t nul = text ? nul_escape(text, len) : len;
    if (nul < len) {
        if (err_pos)
            *err_pos = nul;
        return NULL;
    }
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(text ? text : "", text ? len : 0, &end, 0);
    size_t pos = end && text && end >= text ? (size_t)(end - text) : 0;
    if (v) {
        while (pos < len &&
               (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r' || text[pos] == '\n'))
            pos++;
        if (pos == len)
            return v;
        cJSON_Delete(v); /* trailing data after the value */
    }
    if (err_pos)
        *err_pos = pos;
    return NULL;
}
