/* policy_value.c - the typed values of condition operators, read the same way from a
 * policy and from a request: numbers, dates, booleans, IP addresses and CIDR ranges
 * (IPv4 and IPv6), base64 bytes; and the partitions an ARN may name.
 *
 * Sources (IAM User Guide, "IAM JSON policy elements: Condition operators"): dates
 * are "W3C implementations of the ISO 8601 date formats" or epoch (UNIX) time;
 * IpAddress takes "the IP address or range in standard CIDR format"; BinaryEquals
 * compares "byte for byte against a base-64 encoded representation". */
#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iamsh/base64.h"
#include "iamsh/buf.h"
#include "iamsh/iso8601.h"
#include "policy_int.h"

/* A decimal number, whole text: digits, one sign, one point, an exponent. */
int policy_parse_number(const char *s, double *out)
{
    if (!*s || strspn(s, "0123456789+-.eE") != strlen(s) || !strpbrk(s, "0123456789"))
        return -1;
    char *end;
    double d = strtod(s, &end);
    if (*end || !isfinite(d))
        return -1;
    *out = d;
    return 0;
}

int policy_parse_date(const char *s, double *out)
{
    if (policy_parse_number(s, out) == 0)
        return 0;
    return iso8601_parse(s, out) == 0 ? 0 : -1;
}

int policy_parse_bool(const char *s, int *out)
{
    if (strcasecmp(s, "true") == 0)
        *out = 1;
    else if (strcasecmp(s, "false") == 0)
        *out = 0;
    else
        return -1;
    return 0;
}

/* ::ffff:a.b.c.d is the IPv4 address a.b.c.d (a request over IPv6 from an IPv4 client). */
static void unmap_v4(pol_ip *ip)
{
    static const unsigned char prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (ip->family != 6 || memcmp(ip->addr, prefix, 12) != 0 || ip->bits < 96)
        return;
    memmove(ip->addr, ip->addr + 12, 4);
    memset(ip->addr + 4, 0, 12);
    ip->family = 4;
    ip->bits -= 96;
}

/* "203.0.113.0/24", "2001:db8::/32", or one address (a /32 or /128). */
int policy_parse_ip(const char *s, pol_ip *out, int allow_prefix)
{
    char host[64];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n == 0 || n >= sizeof host || (slash && !allow_prefix))
        return -1;
    memcpy(host, s, n);
    host[n] = '\0';
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, host, out->addr) == 1)
        out->family = 4;
    else if (inet_pton(AF_INET6, host, out->addr) == 1)
        out->family = 6;
    else
        return -1;
    int max = out->family == 4 ? 32 : 128;
    out->bits = max;
    if (slash) {
        const char *b = slash + 1;
        if (!*b || strlen(b) > 3 || strspn(b, "0123456789") != strlen(b) || atoi(b) > max)
            return -1;
        out->bits = atoi(b);
    }
    unmap_v4(out);
    return 0;
}

int policy_ip_contains(const pol_ip *net, const pol_ip *addr)
{
    if (!net->family || net->family != addr->family)
        return 0;
    int full = net->bits / 8, rest = net->bits % 8;
    if (memcmp(net->addr, addr->addr, (size_t)full) != 0)
        return 0;
    if (rest == 0)
        return 1;
    unsigned char mask = (unsigned char)(0xFF << (8 - rest));
    return (net->addr[full] & mask) == (addr->addr[full] & mask);
}

/* Standard base64 with padding (what IAM documents), through the core's one
 * decoder; the bytes go to out (room for len / 4 * 3). */
long policy_base64_decode(const char *s, size_t len, unsigned char *out)
{
    buf b = BUF_INIT;
    if (len > (size_t)1 << 30 || base64_decode(&b, s, len) != 0) {
        buf_free(&b);
        return -1;
    }
    long n = (long)b.len;
    if (b.len)
        memcpy(out, b.p, b.len);
    buf_wipe(&b);
    return n;
}

int policy_known_partition(const char *p, size_t len)
{
    static const char *const parts[] = {"aws",       "aws-cn",    "aws-us-gov",
                                        "aws-iso",   "aws-iso-b", "aws-iso-e",
                                        "aws-iso-f", "aws-eusc",  NULL};
    for (const char *const *q = parts; *q; q++)
        if (strlen(*q) == len && memcmp(*q, p, len) == 0)
            return 1;
    return 0;
}
