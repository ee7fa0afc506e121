/* test_iso8601.c - the one ISO 8601 reader and writer: timestamp parameters and
 * results, credential expirations and aws.timestamp all rely on these answers. */
#include "check.h"
#include "iamsh/iso8601.h"

#include <math.h>

static double parsed(const char *s)
{
    double t = -12345;
    return iso8601_parse(s, &t) == 0 ? t : -1;
}

static void test_format(void)
{
    char out[32];
    iso8601_format(0, out);
    CHECK_STR(out, "1970-01-01T00:00:00Z");
    iso8601_format(1700000000.5, out);
    CHECK_STR(out, "2023-11-14T22:13:20.500000Z");
    /* out of time_t's reach: the cast was undefined (UBSan, found by fuzz_model_render) */
    iso8601_format(1.7e98, out);
    CHECK_STR(out, "1970-01-01T00:00:00Z");
    iso8601_format(-1.7e98, out);
    CHECK_STR(out, "1970-01-01T00:00:00Z");
}

static void test_accepted(void)
{
    CHECK(parsed("1970-01-01T00:00:00Z") == 0);
    CHECK(parsed("2023-11-14T22:13:20Z") == 1700000000.0);
    CHECK(parsed("2023-11-15T00:13:20+02:00") == 1700000000.0);
    CHECK(parsed("2011-07-11T14:55:29-0500") == 1310414129.0);
    CHECK(parsed("2011-07-11t19:55:29z") == 1310414129.0);
    CHECK(parsed("2011-07-11 19:55:29Z") == 1310414129.0);
    CHECK(parsed("2011-07-11T19:55:29,5Z") == 1310414129.5);
    CHECK(parsed("2011-07-11T19:55:29.611Z") > 1310414129.6);
    CHECK(parsed("2011-07-11T19:55:29") == 1310414129.0);    /* no zone: UTC */
    CHECK(parsed("2023-11-14") == 1699920000.0);             /* a bare date: midnight UTC */
    CHECK(parsed("2023-11-14T22:13:20UTC") == 1700000000.0); /* the AWS CLI's cache files */
    CHECK(parsed("2023-11-14T22:13:20UTCX") == -1);
}

static void test_refused(void)
{
    static const char *const bad[] = {
        "yesterday",
        "",
        "2023-13-01",
        "2023-11-32",
        "2023-11-14T22:13",
        "2023-11-14T24:00:00Z",
        "2011-07-11T19:55:29.Z",
        "2011-07-11T19:55:29Zjunk",
        "2011-07-11T19:55:29+2",
        "2011-07-11T19:55:29+25:00",
        "20231114T221320Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (parsed(bad[i]) != -1)
            fprintf(stderr, "accepted: %s\n", bad[i]);
        CHECK(parsed(bad[i]) == -1);
    }
    double t;
    CHECK_INT(iso8601_parse(NULL, &t), -1);
}

/* Seconds from outside as a time_t: clamped to the years ISO 8601 writes, NaN 0. */
static void test_time(void)
{
    CHECK(iso8601_time(1700000000.9) == 1700000000);
    CHECK(iso8601_time(-5.5) == -5);
    CHECK(iso8601_time(1e300) == 253402300799);
    CHECK(iso8601_time(INFINITY) == 253402300799);
    CHECK(iso8601_time(-INFINITY) == -253402300799);
    CHECK(iso8601_time(NAN) == 0);
}

int main(void)
{
    test_format();
    test_accepted();
    test_refused();
    test_time();
    return check_summary();
}
