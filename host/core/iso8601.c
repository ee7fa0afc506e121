/* iso8601.c - the one reader and writer of ISO 8601 times: timestamp parameters,
 * timestamp results, credential expirations and aws.timestamp all go through here. */
#include "iamsh/iso8601.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* "Z", "+hh:mm", "-hhmm", "+hh" or nothing (UTC) into seconds east of UTC. "UTC" too:
 * the AWS CLI writes its cached credentials' Expiration with strftime's %Z. */
static int parse_offset(const char *s, double *off)
{
    int h, m = 0;
    if (strcmp(s, "UTC") == 0) {
        *off = 0;
        return 0;
    }
    if (*s == 'Z' || *s == 'z' || *s == '\0') {
        *off = 0;
        return s[*s ? 1 : 0] == '\0' ? 0 : -1;
    }
    if ((*s != '+' && *s != '-') || digits(s + 1, 2, &h))
        return -1;
    const char *p = s + 3;
    if (*p == ':')
        p++;
    if (*p && (digits(p, 2, &m) || p[2]))
        return -1;
    *off = (*s == '-' ? -1 : 1) * (h * 3600.0 + m * 60.0);
    return h > 23 || m > 59 ? -1 : 0;
}

/* ".611" or ",611" (at least one digit) into *frac; p advanced past it. */
static int parse_fraction(const char **p, double *frac)
{
    if (**p != '.' && **p != ',')
        return 0;
    double scale = 0.1;
    const char *start = ++*p;
    for (; **p >= '0' && **p <= '9'; ++*p, scale /= 10)
        *frac += (**p - '0') * scale;
    return *p > start ? 0 : -1;
}

/* "Thh:mm:ss[.fff]" (or ' ' for 'T') into seconds of the day; p advanced past it. */
static int parse_time(const char **p, double *secs)
{
    int h, mi, se;
    const char *t = *p;
    if (*t != 'T' && *t != 't' && *t != ' ')
        return 0; /* a bare date: midnight */
    if (digits(t + 1, 2, &h) || t[3] != ':' || digits(t + 4, 2, &mi) || t[6] != ':' ||
        digits(t + 7, 2, &se) || h > 23 || mi > 59 || se > 60)
        return -1;
    double frac = 0;
    *p = t + 9;
    if (parse_fraction(p, &frac))
        return -1;
    *secs = h * 3600.0 + mi * 60.0 + se + frac;
    return 0;
}

int iso8601_parse(const char *s, double *out)
{
    int y, mo, d;
    if (!s || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
        return -1;
    const char *p = s + 10;
    double secs = 0, off = 0;
    if (parse_time(&p, &secs) || parse_offset(p, &off))
        return -1;
    *out = (double)days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400.0 + secs - off;
    return 0;
}

#define YEAR_9999_END 253402300799.0 /* 9999-12-31T23:59:59Z */

time_t iso8601_time(double t)
{
    if (t != t)
        return 0;
    return (time_t)(t > YEAR_9999_END ? YEAR_9999_END : t < -YEAR_9999_END ? -YEAR_9999_END : t);
}

void iso8601_format(double t, char out[32])
{
    if (!isfinite(t) || fabs(t) > YEAR_9999_END) { /* no time_t cast */
        snprintf(out, 32, "1970-01-01T00:00:00Z");
        return;
    }
    double whole = floor(t);
    long micros = lround((t - whole) * 1e6);
    if (micros >= 1000000) {
        whole += 1;
        micros = 0;
    }
    time_t tt = (time_t)whole;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, 32, "1970-01-01T00:00:00Z");
        return;
    }
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, micros ? ".%06ldZ" : "Z", micros);
}
