/* limits.c - what the process allows itself: a cap on the Lua heap, and no core
 * dumps.
 *
 * iamsh holds admin credentials and the secrets of keys it creates: a core file
 * (or a debugger attached by another user) would hold them too, so the process is
 * made non-dumpable unless --debug asks to look inside. A runaway script or a
 * hostile data file (`("x"):rep(1 << 30)`) meets a clear "out of memory" at the
 * cap instead of taking the machine's memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "host.h"

#define DEFAULT_CAP ((size_t)1 << 30) /* 1 GiB: far above any real script */

static size_t heap_used, heap_cap = DEFAULT_CAP;
static size_t max_response; /* 0: the AWS module's default (32 MiB) */

/* "1073741824", "512M", "2G", "64k": bytes, or a number with a K, M or G
 * (powers of 1024). 0, or -1 for anything else. */
int limits_parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (end == s || errno != 0 || *s == '-' || *s == '+')
        return -1;
    int shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M' || *end == 'm')
        shift = 20;
    else if (*end == 'G' || *end == 'g')
        shift = 30;
    if (shift) {
        end++;
        if (n > (~0ULL >> shift))
            return -1;
    }
    if (*end != '\0' || n == 0)
        return -1;
    *out = (size_t)(n << shift);
    return 0;
}

size_t limits_heap_cap(void)
{
    return heap_cap;
}

/* Lua's allocator with the cap: a request that would pass it fails, which Lua
 * turns into a "not enough memory" error (LUA_ERRMEM) where it happened. */
static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    size_t old = ptr ? osize : 0; /* with no block, osize is a type tag */
    if (nsize == 0) {
        free(ptr);
        heap_used = old > heap_used ? 0 : heap_used - old;
        return NULL;
    }
    if (nsize > old && nsize - old > heap_cap - (heap_used < heap_cap ? heap_used : heap_cap))
        return NULL;
    void *p = realloc(ptr, nsize);
    if (p)
        heap_used = (old > heap_used ? 0 : heap_used - old) + nsize;
    return p;
}

/* A size from the environment into *out (left alone when unset); -1 after a message. */
static int size_from_env(const char *name, size_t *out)
{
    const char *env = getenv(name);
    if (env && *env && limits_parse_size(env, out) != 0) {
        fprintf(stderr,
                "iamsh: %s=%s is not a size (bytes, or a number with K, M or G, e.g. 512M)\n", name,
                env);
        return -1;
    }
    return 0;
}

/* IAMSH_MEMORY_LIMIT (the Lua heap) and IAMSH_MAX_RESPONSE (the largest answer read);
 * EXIT_USAGE after a message when malformed. */
int limits_configure(void)
{
    if (size_from_env("IAMSH_MEMORY_LIMIT", &heap_cap) != 0 ||
        size_from_env("IAMSH_MAX_RESPONSE", &max_response) != 0)
        return EXIT_USAGE;
    return 0;
}

size_t limits_max_response(void)
{
    return max_response;
}

/* The blocks luaL_newstate made before this are freed through capped_alloc too
 * (same malloc), which is why heap_used never goes below zero. */
void limits_install(lua_State *L)
{
    lua_setallocf(L, capped_alloc, NULL);
}

/* LeakSanitizer stops the world with ptrace at exit, which a non-dumpable process
 * refuses (its tracer then crashes): sanitizer builds, which are for tests, stay
 * dumpable. */
#if defined(__SANITIZE_ADDRESS__)
#define KEEP_DUMPABLE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KEEP_DUMPABLE 1
#endif
#endif

/* No core file and no ptrace by other users, unless --debug. */
void limits_harden(int debug)
{
    if (debug)
        return;
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
#ifndef KEEP_DUMPABLE
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}
