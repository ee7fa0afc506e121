/* digest.h - message digests as hex, for cache keys (the AWS CLI names its cache
 * files after the SHA-1 of what they hold). Not for anything secret. */
#ifndef IAMSH_DIGEST_H
#define IAMSH_DIGEST_H
#include <stddef.h>

/* SHA-1 of data as 40 lower-case hex characters and a NUL. 0, or -1 (OpenSSL failed). */
int digest_sha1_hex(const void *data, size_t len, char out[41]);

#endif
