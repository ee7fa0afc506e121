/* test_ini.c - the SDK profile-file rules, one small inline text per rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "iamsh/ini.h"

static int nwarn;
static char last_warn[512];

static void on_warn(void *ud, const char *msg)
{
    (void)ud;
    nwarn++;
    snprintf(last_warn, sizeof last_warn, "%s", msg);
}

static int parse(const char *text, int is_config, ini_file *f, aws_err *err)
{
    nwarn = 0;
    last_warn[0] = '\0';
    err_clear(err);
    return ini_parse(text, strlen(text), is_config, f, on_warn, NULL, err);
}

typedef struct buf_text {
    char *p;
    size_t n;
} buf_text;

static const char *get(const ini_file *f, const char *profile, const char *key)
{
    return ini_get(ini_find(f, INI_PROFILE, profile), key);
}

static void test_profile_prefixes(void)
{
    ini_file f;
    aws_err err;
    CHECK_INT(parse("[default]\nregion = us-east-1\n[profile a]\nregion=eu-west-1\n"
                    "[b]\nregion = x\n[profile\tc]\nk = v\n[profilefoo]\nk = v\n",
                    1, &f, &err),
              0);
    CHECK_STR(get(&f, "default", "region"), "us-east-1");
    CHECK_STR(get(&f, "a", "region"), "eu-west-1");
    CHECK(ini_find(&f, INI_PROFILE, "b") == NULL); /* bare [b] ignored in config */
    CHECK_STR(get(&f, "c", "k"), "v");             /* tab after profile */
    CHECK(ini_find(&f, INI_PROFILE, "foo") == NULL);
    CHECK(ini_find(&f, INI_PROFILE, "profilefoo") == NULL);
    CHECK_INT(nwarn, 2);
    ini_free(&f);

    CHECK_INT(
        parse("[a]\naws_access_key_id = AK\n[profile b]\nk = v\n[default]\nk = d\n", 0, &f, &err),
        0);
    CHECK_STR(get(&f, "a", "aws_access_key_id"), "AK");
    CHECK(ini_find(&f, INI_PROFILE, "b") == NULL); /* [profile b] ignored in creds */
    CHECK(ini_find(&f, INI_PROFILE, "profile b") == NULL);
    CHECK_STR(get(&f, "default", "k"), "d");
    CHECK_INT(nwarn, 1);
    ini_free(&f);
}

static void test_profile_default_overrides(void)
{
    ini_file f;
    aws_err err;
    CHECK_INT(
        parse("[profile default]\nregion = b\n[default]\nregion = a\nonly = x\n", 1, &f, &err), 0);
    CHECK_STR(get(&f, "default", "region"), "b");
    CHECK(get(&f, "default", "only") == NULL);
    CHECK_INT(f.nsections, 1);
    ini_free(&f);
    CHECK_INT(parse("[default]\nregion = a\n[profile default]\nregion = b\n", 1, &f, &err), 0);
    CHECK_STR(get(&f, "default", "region"), "b");
    ini_free(&f);
}

static void test_other_sections(void)
{
    ini_file f;
    aws_err err;
    const char *t = "[services local]\niam =\n  endpoint_url = http://localhost:4566\n"
                    "  Other_Key = 1\n[sso-session s]\nsso_region = us-east-1\n"
                    "[services   bad name]\nx = 1\n";
    CHECK_INT(parse(t, 1, &f, &err), 0);
    const ini_section *s = ini_find(&f, INI_SERVICES, "local");
    CHECK(s != NULL);
    CHECK_STR(ini_get(s, "iam"), "");
    CHECK_STR(ini_get_sub(s, "iam", "endpoint_url"), "http://localhost:4566");
    CHECK_STR(ini_get_sub(s, "iam", "other_key"), "1");
    CHECK(ini_get_sub(s, "iam", "missing") == NULL);
    CHECK_STR(ini_get(ini_find(&f, INI_SSO_SESSION, "s"), "sso_region"), "us-east-1");
    CHECK_INT(f.nsections, 2);
    ini_free(&f);
    /* in a credentials file these are just invalid profile names */
    CHECK_INT(parse("[services x]\na = 1\n", 0, &f, &err), 0);
    CHECK_INT(f.nsections, 0);
    ini_free(&f);
}

static void test_comments(void)
{
    ini_file f;
    aws_err err;
    const char *t = "# top\n; semi\n[profile a] # comment\nk1 = v # c\nk2 = v#c\nk3 = v;c\n"
                    "k4 = v\t; c\n[profile b];c\nk = 1\n  # indented comment\n"
                    "[profile c]#x\nk = 2\nk5 = # only comment\n";
    CHECK_INT(parse(t, 1, &f, &err), 0);
    CHECK_STR(get(&f, "a", "k1"), "v");
    CHECK_STR(get(&f, "a", "k2"), "v#c");
    CHECK_STR(get(&f, "a", "k3"), "v;c");
    CHECK_STR(get(&f, "a", "k4"), "v");
    CHECK_STR(get(&f, "b", "k"), "1");
    CHECK_STR(get(&f, "c", "k"), "2");
    CHECK_STR(get(&f, "c", "k5"), "");
    ini_free(&f);
}

static void test_keys_and_identifiers(void)
{
    ini_file f;
    aws_err err;
    CHECK_INT(parse("[profile A.b-c_d/e%f@g:h+i]\nRegion = X\nbad key = 1\nkey! = 2\n"
                    "ok=a=b\n[profile bad!]\nk = 1\n",
                    1, &f, &err),
              0);
    CHECK_STR(get(&f, "A.b-c_d/e%f@g:h+i", "region"), "X"); /* key lower-cased, value not */
    CHECK(get(&f, "A.b-c_d/e%f@g:h+i", "bad key") == NULL);
    CHECK(get(&f, "A.b-c_d/e%f@g:h+i", "key!") == NULL);
    CHECK_STR(get(&f, "A.b-c_d/e%f@g:h+i", "ok"), "a=b");
    CHECK(ini_find(&f, INI_PROFILE, "bad!") == NULL);
    CHECK_INT(f.nsections, 1);
    CHECK_INT(nwarn, 3);
    ini_free(&f);
    /* profile names are case-sensitive */
    CHECK_INT(parse("[profile Dev]\nk = 1\n", 1, &f, &err), 0);
    CHECK(ini_find(&f, INI_PROFILE, "dev") == NULL);
    ini_free(&f);
}

static void test_continuation(void)
{
    ini_file f;
    aws_err err;
    CHECK_INT(parse("[profile a]\nk = first\n  second\n\tthird # c\nafter = 1\n"
                    "s3 =\n  max_concurrent_requests = 10\n  Addressing_Style = path\n"
                    "bad =\n  bad key = 1\n",
                    1, &f, &err),
              0);
    CHECK_STR(get(&f, "a", "k"), "first\nsecond\nthird # c");
    CHECK_STR(get(&f, "a", "after"), "1");
    const ini_section *s = ini_find(&f, INI_PROFILE, "a");
    CHECK_STR(ini_get(s, "s3"), "");
    CHECK_STR(ini_get_sub(s, "s3", "max_concurrent_requests"), "10");
    CHECK_STR(ini_get_sub(s, "s3", "addressing_style"), "path");
    CHECK_INT(ini_prop_find(s, "bad")->nsub, 0);
    ini_free(&f);
    /* botocore keeps '#' and ';' in continuation and sub-property lines */
    CHECK_INT(parse("[profile a]\nname = value\n  -continued # Comment\n  ; whole-line comment\n"
                    "s3 =\n  k = v ; not a comment\n  j = w#x\n",
                    1, &f, &err),
              0);
    s = ini_find(&f, INI_PROFILE, "a");
    CHECK_STR(ini_get(s, "name"), "value\n-continued # Comment");
    CHECK_STR(ini_get_sub(s, "s3", "k"), "v ; not a comment");
    CHECK_STR(ini_get_sub(s, "s3", "j"), "w#x");
    ini_free(&f);
    /* continuation of an ignored key stays ignored and the section keeps working */
    CHECK_INT(parse("[profile a]\nbad! = x\n  more\ngood = y\n", 1, &f, &err), 0);
    CHECK_STR(get(&f, "a", "good"), "y");
    CHECK_INT(ini_find(&f, INI_PROFILE, "a")->nprops, 1);
    ini_free(&f);
}

static void test_duplicates_and_crlf(void)
{
    ini_file f;
    aws_err err;
    CHECK_INT(parse("[profile a]\r\nk = 1\r\nj = 1\r\n[profile b]\r\nk = b\r\n"
                    "[profile a]\r\nk = 2\r\n\r\n",
                    1, &f, &err),
              0);
    CHECK_STR(get(&f, "a", "k"), "2");
    CHECK_STR(get(&f, "a", "j"), "1");
    CHECK_STR(get(&f, "b", "k"), "b");
    CHECK_INT(f.nsections, 2);
    CHECK_INT(nwarn, 2); /* duplicate section, duplicate key */
    ini_free(&f);
    CHECK_INT(parse("[a]\nk = 1\nk = 2", 0, &f, &err), 0); /* no final newline */
    CHECK_STR(get(&f, "a", "k"), "2");
    ini_free(&f);
}

static void test_errors(void)
{
    ini_file f;
    aws_err err;
    CHECK_INT(parse("k = v\n", 1, &f, &err), -1);
    CHECK_INT(err.kind, AWS_ERR_CONFIG);
    CHECK(strstr(err.message, "line 1") != NULL);
    CHECK_INT(parse("[profile a\nk = v\n", 1, &f, &err), -1);
    CHECK(strstr(err.message, "]") != NULL);
    CHECK_INT(parse("[profile a]\njunk\n", 1, &f, &err), -1);
    CHECK(strstr(err.message, "line 2") != NULL);
    CHECK_INT(parse("[profile a]\n = v\n", 1, &f, &err), -1);
    CHECK_INT(parse("[profile a]\n  continued\n", 1, &f, &err), -1);
    CHECK_INT(parse("  x = 1\n", 1, &f, &err), -1);
    CHECK_INT(parse("[profile a]junk\n", 1, &f, &err), -1);
    CHECK_INT(f.nsections, 0);
    /* a section with inline comment containing ']' still parses */
    CHECK_INT(parse("[profile a]\nk = v\n", 1, &f, &err), 0);
    ini_free(&f);
}

static void test_binary_and_load(void)
{
    ini_file f;
    aws_err err;
    const char bin[] = "[profile a]\nk = v\0x\n\xff\xfe = 1\n[\0]\n";
    CHECK_INT(ini_parse(bin, sizeof bin - 1, 1, &f, NULL, NULL, &err), 0);
    CHECK_STR(get(&f, "a", "k"), "v");
    ini_free(&f);
    CHECK_INT(ini_load("/nonexistent/dir/config", 1, &f, NULL, NULL, &err), 0);
    CHECK_INT(f.nsections, 0);
    char path[] = "/tmp/iamsh-ini-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fputs("[profile a]\nbroken\n", fp);
    fclose(fp);
    CHECK_INT(ini_load(path, 1, &f, NULL, NULL, &err), -1);
    CHECK(strstr(err.message, path) != NULL);
    CHECK(strstr(err.message, "line 2") != NULL);
    remove(path);
    CHECK(ini_find(NULL, INI_PROFILE, "x") == NULL);
    CHECK(ini_get(NULL, "x") == NULL);
}

static double parse_seconds(const buf_text *t, int is_config, ini_file *f, aws_err *err, int *rc)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    err_clear(err);
    *rc = ini_parse(t->p, t->n, is_config, f, NULL, NULL, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

/* Big files stay linear: 200k profiles or 200k keys took minutes when every
 * section and key was found by a linear search. A value grown line by line and
 * the sub-properties of one key are bounded. */
static void test_big_files(void)
{
    enum { N = 200000 };
    buf_text t = {malloc((size_t)N * 32 + 64), 0};
    ini_file f;
    aws_err err;
    int rc;
    for (int i = 0; i < N; i++)
        t.n += (size_t)sprintf(t.p + t.n, "[profile p%d]\nk = %d\n", i, i);
    t.n += (size_t)sprintf(t.p + t.n, "[profile p7]\nk = again\n");
    double sec = parse_seconds(&t, 1, &f, &err, &rc);
    CHECK_INT(rc, 0);
    CHECK_INT((long)f.nsections, N);
    CHECK_STR(get(&f, "p7", "k"), "again");
    CHECK_STR(get(&f, "p199999", "k"), "199999");
    ini_free(&f);
    double sec_keys;
    t.n = (size_t)sprintf(t.p, "[a]\n");
    for (int i = 0; i < N; i++)
        t.n += (size_t)sprintf(t.p + t.n, "k%d = %d\n", i, i);
    sec_keys = parse_seconds(&t, 0, &f, &err, &rc);
    CHECK_INT(rc, 0);
    CHECK_INT((long)ini_find(&f, INI_PROFILE, "a")->nprops, N);
    CHECK_STR(get(&f, "a", "k123456"), "123456");
    ini_free(&f);
    printf("ini: %d profiles %.3f s, %d keys %.3f s\n", N, sec, N, sec_keys);
    const char *preload = getenv("LD_PRELOAD");
    if (!preload || !strstr(preload, "vgpreload"))
        CHECK(sec < 5.0 && sec_keys < 5.0);
    t.n = (size_t)sprintf(t.p, "[a]\nk = v\n");
    for (int i = 0; i < N; i++)
        t.n += (size_t)sprintf(t.p + t.n, "  more text\n");
    CHECK_INT(parse_seconds(&t, 0, &f, &err, &rc) < 5.0, 1);
    CHECK_INT(rc, -1);
    CHECK(strstr(err.message, "too long") != NULL);
    t.n = (size_t)sprintf(t.p, "[a]\ns3 =\n");
    for (int i = 0; i < 100; i++)
        t.n += (size_t)sprintf(t.p + t.n, "  k%d = 1\n", i);
    parse_seconds(&t, 0, &f, &err, &rc);
    CHECK_INT(rc, -1);
    CHECK(strstr(err.message, "sub-properties") != NULL);
    free(t.p);
}

int main(void)
{
    test_profile_prefixes();
    test_profile_default_overrides();
    test_other_sections();
    test_comments();
    test_keys_and_identifiers();
    test_continuation();
    test_duplicates_and_crlf();
    test_errors();
    test_binary_and_load();
    test_big_files();
    return check_summary();
}
