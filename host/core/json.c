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
        while (pos < len && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r' ||
                             text[pos] == '\n'))
            pos++;
        if (pos == len)
            return v;
        cJSON_Delete(v); /* trailing data after the value */
    }
    if (err_pos)
        *err_pos = pos;
    return NULL;
}

/* Length of the UTF-8 sequence starting at s (at most n bytes), 0 if malformed. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (len == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F)))
        return 0; /* overlong, or a UTF-16 surrogate */
    if (len == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F)))
        return 0; /* overlong, or beyond U+10FFFF */
    return len;
}

int json_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq(p + i, len - i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}
