/* iso8601.h - ISO 8601 times, read and written in one place. */
#ifndef IAMSH_ISO8601_H
#define IAMSH_ISO8601_H
#include <time.h>

/* ISO-8601 ("2024-01-02T03:04:05Z"; a fraction after '.' or ','; a zone "Z", "UTC",
 * "+hh:mm", "-hhmm" or none, which is UTC; or a bare date) to seconds since the epoch.
 * 0 or -1. */
int iso8601_parse(const char *s, double *out);
/* Seconds since the epoch to "YYYY-MM-DDTHH:MM:SSZ" (".ffffffZ" when fractional,
 * as botocore). out needs 32 bytes. */
void iso8601_format(double t, char out[32]);
/* Seconds from outside (a JSON number: a time, or a time plus a lifetime) as a time_t:
 * clamped to the years 0000-9999 that ISO 8601 writes, and NaN is 0. Casting a double
 * beyond time_t's range is undefined. */
time_t iso8601_time(double t);

#endif
