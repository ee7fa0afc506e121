/* test_err.c - error values: messages kept whole beyond the inline buffer, cut
 * only at a character boundary, one line. */
#include <string.h>

#include "check.h"
#include "iamsh/err.h"
#include "iamsh/utf8.h"

static void test_short_message(void)
{
    aws_err e;
    err_clear(&e);
    CHECK_INT(err_set(&e, AWS_ERR_SERVICE, "NoSuchEntity", "role %s not found", "r"), -1);
    CHECK_STR(err_message(&e), "role r not found");
    CHECK_STR(e.message, "role r not found");
    CHECK_STR(e.code, "NoSuchEntity");
}

/* 3000 bytes of "é" (2 bytes each) behind a prefix that puts the inline cut
 * inside a character. */
static void test_long_message_whole(void)
{
    static char big[6100];
    strcpy(big, "x");
    for (int i = 0; i < 3000; i++)
        strcat(big, "\xc3\xa9");
    aws_err e;
    err_clear(&e);
    err_set(&e, AWS_ERR_SERVICE, "ValidationError", "Value '%s' is too long", big);
    const char *whole = err_message(&e);
    CHECK_INT((long)strlen(whole), (long)strlen(big) + 20);
    CHECK(strstr(whole, "' is too long") != NULL);
    CHECK(utf8_valid(whole, strlen(whole)));
    size_t n = strlen(e.message);
    CHECK(n < sizeof e.message && n > sizeof e.message - 8);
    CHECK(strcmp(e.message + n - 3, "...") == 0);
    CHECK(utf8_valid(e.message, n));
    err_append(&e, " (retry quota exhausted)");
    CHECK(strstr(err_message(&e), "too long (retry quota exhausted)") != NULL);
}

static void test_cap_and_lines(void)
{
    static char huge[100 * 1024];
    memset(huge, 'a', sizeof huge - 1);
    huge[10] = '\n';
    aws_err e;
    err_clear(&e);
    err_set(&e, AWS_ERR_SERVICE, "X", "%s", huge);
    const char *whole = err_message(&e);
    CHECK_INT((long)strlen(whole), 64L * 1024 - 1);
    CHECK(strcmp(whole + strlen(whole) - 3, "...") == 0);
    CHECK(strchr(whole, '\n') == NULL);
    CHECK(strchr(e.message, '\n') == NULL);
}

/* Only the newest few long messages are kept whole; older errors fall back to
 * their inline copy (never a dangling pointer). */
static void test_old_errors_fall_back(void)
{
    static char big[3000];
    memset(big, 'b', sizeof big - 1);
    aws_err first, later;
    err_clear(&first);
    err_set(&first, AWS_ERR_SERVICE, "X", "%s", big);
    CHECK_INT((long)strlen(err_message(&first)), (long)sizeof big - 1);
    for (int i = 0; i < 20; i++)
        err_set(&later, AWS_ERR_SERVICE, "X", "%s%d", big, i);
    CHECK(err_message(&first) == first.message);
    CHECK_INT((long)strlen(err_message(&later)), (long)sizeof big + 1);
}

int main(void)
{
    test_short_message();
    test_long_message_whole();
    test_cap_and_lines();
    test_old_errors_fall_back();
    return check_summary();
}
