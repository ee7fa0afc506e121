/* chunks.c - the shipped library's precompiled chunks (tools/precompile.lua).
 *
 * A chunk file is one comment line naming its source's size and modification
 * time, then a Lua 5.4 dump with debug information. It is used only while the
 * source is the file it was made from (as Python checks its .pyc files), and only
 * when its dump header is exactly the one this Lua writes; else the caller falls
 * back to the source. A dump names its source once, right after the header and the
 * main function's upvalue count (nested functions inherit it: lundump.c), and that
 * name is replaced here by the source's path as found now, so a moved or staged
 * install names its own files in errors and tracebacks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host.h"
#include "lauxlib.h"

#define CHUNK_MAX (4 * 1024 * 1024)

/* The header of this Lua's dumps (signature, version, format, sizes, check
 * numbers: lundump.c checkHeader), from a dump of an empty function.  [-0, +0, m] */
static size_t dump_header(lua_State *L, char out[64])
{
    static char header[64];
    static size_t len;
    if (!len) {
        luaL_loadstring(L, "return");
        lua_getglobal(L, "string");
        lua_getfield(L, -1, "dump");
        lua_pushvalue(L, -3);
        lua_call(L, 1, 1);
        size_t n = 0;
        const char *d = lua_tolstring(L, -1, &n);
        /* signature 4, version, format, LUAC_DATA 6, the sizes of Instruction,
         * lua_Integer and lua_Number, then an integer and a number */
        size_t want = n > 15 ? 15 + (size_t)d[13] + (size_t)d[14] : 0;
        if (want && n > want && want < sizeof header) {
            memcpy(header, d, want);
            len = want;
        }
        lua_pop(L, 3);
    }
    memcpy(out, header, len);
    return len;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n <= CHUNK_MAX &&
        fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)n)) != NULL &&
        fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    if (f)
        fclose(f);
    *len = p ? (size_t)n : 0;
    return p;
}

/* Lua's dump size: 7-bit groups, most significant first, the last marked with 0x80. */
static size_t read_size(const unsigned char *p, size_t n, size_t *used)
{
    size_t x = 0, i = 0;
    for (; i < n && i < 8; i++) {
        x = (x << 7) | (p[i] & 0x7f);
        if (p[i] & 0x80) {
            *used = i + 1;
            return x;
        }
    }
    *used = 0;
    return 0;
}

static void add_size(luaL_Buffer *b, size_t x)
{
    unsigned char buf[10];
    int n = 0;
    do {
        buf[sizeof buf - ++n] = (unsigned char)(x & 0x7f);
        x >>= 7;
    } while (x);
    buf[sizeof buf - 1] |= 0x80;
    luaL_addlstring(b, (const char *)buf + sizeof buf - n, (size_t)n);
}

/* dump (after the comment line) with its source named "@src", as a Lua string on
 * the stack: 1, or 0 with nothing pushed when the dump is not this Lua's.  [-0, +1|0, m] */
static int renamed_dump(lua_State *L, const char *d, size_t n, const char *src)
{
    char header[64];
    size_t h = dump_header(L, header), used;
    if (!h || n < h + 2 || memcmp(d, header, h) != 0)
        return 0;
    size_t old = read_size((const unsigned char *)d + h + 1, n - h - 1, &used);
    size_t rest = h + 1 + used + (old ? old - 1 : 0);
    if (!used || rest > n)
        return 0;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addlstring(&b, d, h + 1); /* header and upvalue count */
    size_t len = strlen(src) + 1;  /* "@" + src */
    add_size(&b, len + 1);
    luaL_addchar(&b, '@');
    luaL_addstring(&b, src);
    luaL_addlstring(&b, d + rest, n - rest);
    luaL_pushresult(&b);
    return 1;
}

int chunks_load(lua_State *L, const char *src, const char *bin)
{
    struct stat st;
    if (stat(src, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    char want[96];
    int w = snprintf(want, sizeof want, "#iamsh-chunk size=%lld mtime=%lld.%09ld\n",
                     (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    size_t n;
    char *d = read_file(bin, &n);
    int ok = d && w > 0 && (size_t)w < n && memcmp(d, want, (size_t)w) == 0 &&
             renamed_dump(L, d + w, n - (size_t)w, src);
    free(d);
    if (!ok)
        return 0;
    size_t len;
    const char *dump = lua_tolstring(L, -1, &len);
    lua_pushfstring(L, "@%s", src);
    ok = luaL_loadbufferx(L, dump, len, lua_tostring(L, -1), "b") == LUA_OK;
    lua_rotate(L, -3, 1); /* result, dump, name */
    lua_pop(L, 2);
    if (!ok)
        lua_pop(L, 1); /* the message: the source will say it better */
    return ok;
}
