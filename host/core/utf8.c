/* utf8.c - strict UTF-8 decoding (RFC 3629): what AWS counts as a string's length is
 * its code points, and JSON text must be UTF-8. */
#include "iamsh/utf8.h"

size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    if (n == 0)
        return 0;
    unsigned c = s[0], min;
    size_t len;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0)
        len = 2, min = 0x80, c &= 0x1F;
    else if ((c & 0xF0) == 0xE0)
        len = 3, min = 0x800, c &= 0x0F;
    else if ((c & 0xF8) == 0xF0)
        len = 4, min = 0x10000, c &= 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0; /* overlong, beyond Unicode, or a UTF-16 surrogate */
    *cp = c;
    return len;
}

size_t utf8_count(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t count = 0;
    unsigned cp;
    for (size_t i = 0; i < n; count++) {
        size_t len = p[i] < 0x80 ? 1 : utf8_decode(p + i, n - i, &cp);
        if (len == 0)
            return (size_t)-1;
        i += len;
    }
    return count;
}

int utf8_valid(const char *s, size_t n)
{
    return utf8_count(s, n) != (size_t)-1;
}
