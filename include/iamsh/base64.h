/* base64.h - RFC 4648 base64 with padding: blobs on the Query wire, aws.base64. */
#ifndef IAMSH_BASE64_H
#define IAMSH_BASE64_H
#include <stddef.h>

#include "iamsh/buf.h"

/* Append the base64 text of data[0..n) to out. 0, or -1 (ENOMEM). */
int base64_encode(buf *out, const void *data, size_t n);
/* Append the bytes text[0..n) encodes to out. 0, or -1 when the text is not padded
 * base64 (or memory runs out). */
int base64_decode(buf *out, const char *text, size_t n);

#endif
