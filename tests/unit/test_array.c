/* test_buf.c - array_grow, the one growth rule of the core's arrays: room for one
 * more element, doubling, and a clear NULL (the array untouched) when the size
 * would overflow. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "iamsh/array.h"

static void test_grows_by_doubling(void)
{
    int *v = NULL;
    size_t n = 0, cap = 0;
    for (int i = 0; i < 1000; i++) {
        int *g = array_grow(v, &cap, n, sizeof *v, 8);
        CHECK(g != NULL);
        if (!g)
            break;
        v = g;
        v[n++] = i;
        CHECK(n <= cap);
    }
    CHECK_INT(cap, 1024); /* 8, 16, ... 1024 */
    long sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    CHECK_INT(sum, 999L * 1000 / 2);
    free(v);
}

static void test_room_left_is_the_same_array(void)
{
    size_t cap = 0;
    char *v = array_grow(NULL, &cap, 0, 1, 4);
    CHECK(v != NULL);
    CHECK_INT(cap, 4);
    CHECK(array_grow(v, &cap, 3, 1, 4) == v); /* n < cap: no realloc */
    CHECK_INT(cap, 4);
    char *g = array_grow(v, &cap, 4, 1, 4);
    CHECK(g != NULL);
    CHECK_INT(cap, 8);
    free(g ? g : v);
}

/* A capacity given without an array (a caller's own start) is allocated as it is. */
static void test_capacity_without_array(void)
{
    size_t cap = 5;
    long *v = array_grow(NULL, &cap, 0, sizeof *v, 8);
    CHECK(v != NULL);
    CHECK_INT(cap, 5);
    free(v);
}

static void test_overflow_is_refused(void)
{
    char keep[1];
    size_t cap = SIZE_MAX / 2 + 1;
    CHECK(array_grow(keep, &cap, cap, 1, 8) == NULL); /* doubling would wrap */
    CHECK(cap == SIZE_MAX / 2 + 1);
    cap = SIZE_MAX / 16;
    CHECK(array_grow(keep, &cap, cap, 16, 8) == NULL); /* count x size would wrap */
    CHECK(cap == SIZE_MAX / 16);
    cap = 0;
    CHECK(array_grow(NULL, &cap, 0, 0, 8) == NULL); /* no element size */
    CHECK_INT(cap, 0);
}

int main(void)
{
    test_grows_by_doubling();
    test_room_left_is_the_same_array();
    test_capacity_without_array();
    test_overflow_is_refused();
    return check_summary();
}
