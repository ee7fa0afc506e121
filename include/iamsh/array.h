/* array.h - the one growth rule for the core's arrays of structs and pointers (bytes
 * grow in a buf, buf.h). */
#ifndef IAMSH_ARRAY_H
#define IAMSH_ARRAY_H
#include <stddef.h>

/* Room for one more element in an array of n elements of size bytes with room for *cap:
 * arr itself while n < *cap, else arr grown to twice *cap (first when *cap is 0), *cap
 * updated. NULL when memory runs out or the size would overflow; arr and *cap are then
 * as they were. Use: `T *v = array_grow(a->v, &a->cap, a->n, sizeof *v, 8); if (!v) fail;
 * a->v = v;`. */
void *array_grow(void *arr, size_t *cap, size_t n, size_t size, size_t first);

#endif
