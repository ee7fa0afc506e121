/* base64.c - base64 on libcrypto's block coder (EVP_EncodeBlock/EVP_DecodeBlock),
 * with the padding rules those leave to the caller. */
#include "iamsh/base64.h"

#include <limits.h>
#include <openssl/evp.h>

int base64_encode(buf *out, const void *data, size_t n)
{
    size_t len = 4 * ((n + 2) / 3);
    if (n > INT_MAX / 2 || buf_append(out, "", 0) != 0 || buf_reserve(out, len) != 0)
        return -1;
    int w = n ? EVP_EncodeBlock((unsigned char *)out->p + out->len, data, (int)n) : 0;
    out->len += (size_t)w;
    out->p[out->len] = '\0';
    return 0;
}

int base64_decode(buf *out, const char *text, size_t n)
{
    if (n % 4 != 0 || n > INT_MAX / 2 || buf_append(out, "", 0) != 0 ||
        buf_reserve(out, 3 * (n / 4)) != 0)
        return -1;
    int w =
        n ? EVP_DecodeBlock((unsigned char *)out->p + out->len, (const unsigned char *)text, (int)n)
          : 0;
    if (w < 0)
        return -1;
    /* EVP_DecodeBlock counts the padding as zero bytes: drop them. */
    for (size_t i = n; i > 0 && text[i - 1] == '=' && w > 0; i--)
        w--;
    out->len += (size_t)w;
    out->p[out->len] = '\0';
    return 0;
}
