/* digest.c - SHA-1 as hex through OpenSSL (the AWS CLI's cache keys: botocore's
 * hashlib.sha1(...).hexdigest()). */
#include "iamsh/digest.h"

#include <openssl/evp.h>
#include <stdio.h>

int digest_sha1_hex(const void *data, size_t len, char out[41])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    out[0] = '\0';
    if (!EVP_Digest(len ? data : "", len, md, &mdlen, EVP_sha1(), NULL) || mdlen != 20)
        return -1;
    for (unsigned i = 0; i < mdlen; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return 0;
}
