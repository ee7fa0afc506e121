/* json.c - JSON documents that come from outside (credential_process output, metadata
 * answers, aws.json.decode): exactly one value, with nothing a C string would cut
 * (a NUL, raw or escaped) and no raw control character in a string (RFC 8259). */
#include "iamsh/json.h"

#include <ctype.h>
#include <string.h>

/* Whether s (left bytes, s[0] the backslash) starts one of RFC 8259's escapes:
 * \" \\ \/ \b \f \n \r \t, or \u and four hex digits other than 0000. cJSON
 * reads a \u whose digits are not hex as U+0000 (a NUL again), so they are
 * checked here, and a NUL escape is refused either way. */
static int good_escape(const char *s, size_t left)
{
    if (left < 2)
        return 0;
    if (s[1] != '\0' && strchr("\"\\/bfnrt", s[1]) != NULL)
        return 1;
    if (s[1] != 'u' || left < 6)
        return 0;
    for (int k = 2; k < 6; k++)
        if (!isxdigit((unsigned char)s[k]))
            return 0;
    return memcmp(s + 2, "0000", 4) != 0;
}

/* The offset of the first byte cJSON would take but must not: a NUL anywhere, a
 * raw control character inside a string (RFC 8259 wants them escaped; cJSON keeps
 * them), or an escape that is not RFC 8259's or decodes into a NUL (that silently
 * cuts its string short, e.g. a credential_process secret); len when there is none. */
static size_t bad_byte(const char *text, size_t len)
{
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == 0 || (in_string && c < 0x20))
            return i;
        if (!in_string) {
            in_string = c == '"';
        } else if (c == '"') {
            in_string = 0;
        } else if (c == '\\') {
            if (!good_escape(text + i, len - i))
                return i;
            i++; /* the escaped character; \u's digits are checked as plain bytes */
        }
    }
    return len;
}

cJSON *json_parse_all(const char *text, size_t len, size_t *err_pos)
{
    size_t bad = text ? bad_byte(text, len) : len;
    if (bad < len) {
        if (err_pos)
            *err_pos = bad;
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
