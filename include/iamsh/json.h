/* json.h - JSON documents from outside (process output, metadata answers, scripts). */
#ifndef IAMSH_JSON_H
#define IAMSH_JSON_H
#include <stddef.h>
#include <cJSON.h>

#include "iamsh/buf.h"

/* Parse exactly one JSON value: only whitespace may follow it, no NUL (raw or a
 * \u0000 escape: C strings cannot hold one) and no raw control character inside a
 * string. NULL on failure, with the 0-based byte offset of the problem in *err_pos
 * (when err_pos is not NULL). */
cJSON *json_parse_all(const char *text, size_t len, size_t *err_pos);

/* Append v as Python's json.dumps(v, sort_keys=..., separators=...) writes it (with
 * ensure_ascii), the text the AWS CLI hashes into its cache keys and writes into its
 * cache files. 0, or -1 (out of memory, or deeper than JSON_PY_MAX_DEPTH). */
#define JSON_PY_SORT_KEYS 1 /* sort_keys=True */
#define JSON_PY_COMPACT 2   /* separators=(',', ':') instead of (', ', ': ') */
#define JSON_PY_MAX_DEPTH 64
int json_python_dumps(const cJSON *v, int flags, buf *out);

#endif
