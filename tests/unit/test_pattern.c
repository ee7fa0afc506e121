/* test_pattern.c - every pattern in the IAM and STS models (as tools/genmodel writes
 * them for PCRE2: \x{...} where AWS wrote \u), with samples that must and must not
 * match; Unicode classes, invalid UTF-8, lookahead, limits. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "iamsh/model.h"
#include "iamsh/pattern.h"

typedef struct sample {
    const char *pattern, *yes1, *yes2, *no1, *no2;
} sample;

static const sample samples[] = {
    {"((/[A-Za-z0-9\\.,\\+@=_-]+)*)/", "/", "/a.b/c+d/", "/a//", "a/"},
    {"(\\x{002F})|(\\x{002F}[\\x{0021}-\\x{007E}]+\\x{002F})", "/", "/app/x/", "/a", "/a b/"},
    {"[ -~]+", "Key Name~", " ", "", "tab\there"},
    {"[:\\w]+", "aws:key", "x", "a b", "a-b"},
    {"[A-Z0-9]+", "ABC123", "Z", "abc", ""},
    {"[\\d]+", "123456", "0", "12a", ""},
    {"[\\d]*", "", "42", "x", "4 2"},
    {"[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*", "", "team-\xc3\xa9quipe 1", "a!", "a\tb"},
    {"[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+", "k", "\xe6\x97\xa5\xe6\x9c\xac:\xd9\xa3", "", "a#"},
    {"[\\x{0009}\\x{000A}\\x{000D}\\x{0020}-\\x{007E}\\x{00A1}-\\x{00FF}]*", "", "d\xc3\xa9sc\n",
     "\xc2\xa0", "\xe2\x80\x9c"},
    {"[\\x{0009}\\x{000A}\\x{000D}\\x{0020}-\\x{007E}\\x{00A1}-\\x{00FF}]+", "x", "\xc3\xbf", "",
     "\x7f"},
    {"[\\x{0009}\\x{000A}\\x{000D}\\x{0020}-\\x{00FF}]+", "{\"a\": 1}\r\n", "\xc2\xa0", "",
     "\xc4\x80"},
    {"[\\x{0020}-\\x{00FF}]+", " x", "\xc3\xbf", "\t", ""},
    {"[\\w+=,.@-]*", "", "a+b=c,d.e@f-g_1", "a b", "a/b"},
    {"[\\w+=,.@-]+", "MyRole", "r_1", "", "r\xc3\xa9"},
    {"[\\w+=/:,.@-]+", "arn:aws:iam::1:role/x", "a", "", "a b"},
    {"[\\w-]*", "", "abc-1", "a.b", "a b"},
    {"[\\w-]+", "abc", "-", "", "a.b"},
    {"[\\w._-]+", "a.b_c-d", "x", "", "a/b"},
    {"[\\w]+", "AKIDFAKEFAKEFAKE01", "_", "", "AKIA-1"},
    {"[\\w]*", "", "abc", "a-b", " "},
    {"\\d{12}", "123456789012", "000000000000", "12345678901", "1234567890123"},
    {"\\x{002F}[\\x{0021}-\\x{007F}]*", "/", "/a/b", "a/", "/ "},
    {"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$", "abc", "a-b-c", "a--b", "ab-"},
    {"^[a-zA-Z0-9:/+=,.@_-]+$", "a:/+=,.@_-", "Z", "", "a b"},
    {"^[a-zA-Z0-9:_.-]+$", "a:b_c.d-e", "1", "a/b", ""},
    {"^http(s?)://[a-zA-Z0-9._/-]*(\\?[a-zA-Z0-9._=&-]*)?(#[a-zA-Z0-9._/-]*)?$",
     "https://idp.example.com/a?x=1&y=2#frag", "http://", "ftp://x", "https://a b"},
    {"^o-[0-9a-z]{10,32}\\/r-[0-9a-z]{4,32}[0-9a-z-\\/]*", "o-abcdefghij/r-abcd",
     "o-abcdefghij/r-abcd/ou-ab-cdefgh", "o-abc/r-abcd", "o-abcdefghij/r-ab"},
    {"^o-[a-z0-9]{10,32}$", "o-a1b2c3d4e5", "o-0123456789abcdef0123456789abcdef", "o-short",
     "o-ABCDEFGHIJ"},
    {"^p-[0-9a-zA-Z_]{8,128}$", "p-FullAWSAccess", "p-12345678", "p-1234567", "x-12345678"},
    {"v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?", "v1", "v12.beta-1", "v0", "v1.a_b"},
    {"[\\w+=,.@:-]*", "", "a:b", "a/b", "a b"},
    {"[\\w+=,.@:\\/-]*", "a/b:c", "", "a b", "a#"},
    {"[\\w+=,.@\\:-]*", "a:b", "", "a/b", "a b"},
    {"[\\w+=/:,.@-]*", "", "arn:aws:iam::1:x", "a b", "a#"},
    {"[\\x{0009}\\x{000A}\\x{000D}\\x{0020}-\\x{007E}\\x{0085}\\x{00A0}-\\x{D7FF}\\x{E000}-\\x{"
     "FFFD}\\x{10000}-\\x{10FFFF}]+",
     "arn:aws:iam::123456789012:role/x", "\xf0\x9f\x98\x80\xef\xbf\xbd", "\x01", "\xef\xbf\xbe"},
};

static int match(const char *pattern, const char *s)
{
    return pattern_match(pattern, s, strlen(s));
}

static int known(const char *pattern)
{
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        if (strcmp(samples[i].pattern, pattern) == 0)
            return 1;
    return 0;
}

static void test_samples(void)
{
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        const sample *s = &samples[i];
        if (match(s->pattern, s->yes1) != 1 || match(s->pattern, s->yes2) != 1 ||
            match(s->pattern, s->no1) != 0 || match(s->pattern, s->no2) != 0)
            fprintf(stderr, "pattern %zu: %s\n", i, s->pattern);
        CHECK_INT(match(s->pattern, s->yes1), 1);
        CHECK_INT(match(s->pattern, s->yes2), 1);
        CHECK_INT(match(s->pattern, s->no1), 0);
        CHECK_INT(match(s->pattern, s->no2), 0);
    }
}

/* Every pattern in both models compiles and has samples above. */
static void test_all_model_patterns(void)
{
    const char *svcs[] = {"iam", "sts"};
    for (int k = 0; k < 2; k++) {
        const model_service *svc = model_service_find(svcs[k]);
        for (unsigned i = 0; i < svc->nshapes; i++) {
            const char *p = svc->shapes[i].pattern;
            if (!p)
                continue;
            if (!known(p))
                fprintf(stderr, "no samples for pattern %s\n", p);
            CHECK(known(p));
            CHECK(match(p, "x") >= 0);
        }
    }
}

static void test_unicode_and_utf8(void)
{
    const char *tag = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+";
    CHECK_INT(match(tag, "\xe2\x80\x83"), 1);     /* U+2003 EM SPACE: Zs */
    CHECK_INT(match(tag, "\xe2\x85\xa0"), 1);     /* U+2160 ROMAN ONE: Nl */
    CHECK_INT(match(tag, "\xf0\x9d\x90\x80"), 1); /* U+1D400 math bold A: Lu */
    CHECK_INT(match(tag, "\xf0\x9f\x98\x80"), 0); /* emoji: So */
    CHECK_INT(match(tag, "a\xff"), 0);            /* invalid byte */
    CHECK_INT(match(tag, "\xc3"), 0);             /* truncated */
    CHECK_INT(match(tag, "\xc0\xaf"), 0);         /* overlong '/' */
    CHECK_INT(match(tag, "\xed\xa0\x80"), 0);     /* a surrogate */
    CHECK_INT(match(tag, "\xf4\x90\x80\x80"), 0); /* > U+10FFFF */
    CHECK_INT(pattern_match(tag, "a\0b", 3), 0);  /* NUL is not in the class */
    CHECK_INT(pattern_match("[\\w]*", NULL, 0), 1);
    CHECK(match("\\p{L}", "a") == 1 && match("\\p{L}", "1") == 0);
    CHECK(match("\\p{N}", "7") == 1 && match("\\p{Z}", " ") == 1);
    CHECK_INT(match("\\w", "\xc3\xa9"), 0); /* \w is ASCII, as in Java */
}

static void test_syntax_and_limits(void)
{
    CHECK_INT(match("(a", "a"), -1);
    CHECK_INT(match("a{2,1}", "aa"), -1);
    CHECK_INT(match("[a-", "a"), -1);
    CHECK_INT(match("\\q", "q"), -1);
    CHECK_INT(match("*a", "a"), -1);
    CHECK_INT(match("\\u0041", "A"), -1); /* Java's \u: genmodel rewrites it, PCRE2 refuses it */
    CHECK_INT(match("a|b", "b"), 1);
    CHECK_INT(match("(?:ab)+", "ababab"), 1);
    CHECK_INT(match("a(?=b)b", "ab"), 1);
    CHECK_INT(match("a.c", "a\xc3\xa9"
                           "c"),
              1);
    CHECK_INT(match("a.c", "a\nc"), 0);
    CHECK_INT(match("a{2,}", "aaaa"), 1);
    CHECK_INT(match("a{2,}", "a"), 0);
    CHECK_INT(match("()*x", "x"), 1); /* empty iterations terminate */
    /* Catastrophic backtracking is capped, not hung on: (a*)*b on a long run of a's. */
    size_t n = 5000;
    char *s = malloc(n + 1);
    memset(s, 'a', n);
    s[n] = '\0';
    int r = pattern_match("(a*)*b", s, n);
    CHECK(r == 0 || r == -1);
    /* Exponentially many ways to fail: the match limit answers -1 instead of hanging. */
    CHECK_INT(pattern_match("(a|aa)*[^a]", s, 60), -1);
    /* A max-size policy document through the policy pattern: one linear pass. */
    size_t big = 131072;
    char *doc = malloc(big + 1);
    memset(doc, 'x', big);
    doc[big] = '\0';
    CHECK_INT(pattern_match("[\\x{0009}\\x{000A}\\x{000D}\\x{0020}-\\x{00FF}]+", doc, big), 1);
    doc[big - 1] = '\x01';
    CHECK_INT(pattern_match("[\\x{0009}\\x{000A}\\x{000D}\\x{0020}-\\x{00FF}]+", doc, big), 0);
    /* Group repetition over a long valid path (recursion per iteration stays bounded). */
    for (size_t i = 0; i < 511; i++)
        doc[i] = i % 2 ? 'a' : '/'; /* "/a/a/.../a/", 511 bytes */
    CHECK_INT(pattern_match("((/[A-Za-z0-9\\.,\\+@=_-]+)*)/", doc, 511), 1);
    CHECK_INT(pattern_match("((/[A-Za-z0-9\\.,\\+@=_-]+)*)/", doc, 512), 0);
    free(doc);
    free(s);
}

int main(void)
{
    test_samples();
    test_all_model_patterns();
    test_unicode_and_utf8();
    test_syntax_and_limits();
    return check_summary();
}
