/* json.h - JSON documents from outside (process output, metadata answers, scripts). */
#ifndef IAMSH_JSON_H
#define IAMSH_JSON_H
#include <stddef.h>
#include <cJSON.h>

/* Parse exactly one JSON value: only whitespace may follow it, no NUL (raw or a
 * \u0000 escape: C strings cannot hold one) and no raw control character inside a
 * string. NULL on failure, with the 0-based byte offset of the problem in *err_pos
 * (when err_pos is not NULL). */
cJSON *json_parse_all(const char *text, size_t len, size_t *err_pos);

#endif
