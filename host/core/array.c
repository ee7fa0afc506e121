#include "iamsh/array.h"

#include <stdlib.h>

void *array_grow(void *arr, size_t *cap, size_t n, size_t size, size_t first)
{
    if (n < *cap && arr)
        return arr;
    size_t c = *cap ? *cap : first ? first : 1;
    while (c <= n && c <= (size_t)-1 / 2)
        c *= 2;
    if (c <= n || size == 0 || c > (size_t)-1 / size)
        return NULL;
    void *p = realloc(arr, c * size);
    if (p)
        *cap = c;
    return p;
}
