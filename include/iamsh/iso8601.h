/* iso8601.h - ISO 8601 times, read and written in one place. */
#ifndef IAMSH_ISO8601_H
#define IAMSH_ISO8601_H

/* ISO-8601 ("2024-01-02T03:04:05Z"; a fraction after '.' or ','; a zone "Z", "UTC",
 * "+hh:mm", "-hhmm" or none, which is UTC; or a bare date) to seconds since the epoch.
 * 0 or -1. */
int iso8601_parse(const char *s, double *out);
/* Seconds since the epoch to "YYYY-MM-DDTHH:MM:SSZ" (".ffffffZ" when fractional,
 * as botocore). out needs 32 bytes. */
void iso8601_format(double t, char out[32]);

#endif
