/* liamsh.c - the modules built into the program: "iamsh" (options, paths, time)
 * and "iamsh.fs" (the file operations a provisioning script needs and Lua's io
 * library lacks: atomic writes with a mode, stat). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host.h"
#include "iamsh/boundary.h"
#include "lauxlib.h"

/* iamsh.sleep(seconds): interruptible by Ctrl-C. */
static int l_sleep(lua_State *L)
{
    lua_Number s = luaL_checknumber(L, 1);
    luaL_argcheck(L, s >= 0 && s < 1e7, 1, "seconds out of range");
    struct timespec ts = {(time_t)s, (long)((s - (lua_Number)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !host_interrupted)
        ;
    return 0;
}

/* iamsh.clock(): monotonic seconds, for timeouts and backoff. */
static int l_clock(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec / 1e9);
    return 1;
}

/* iamsh.term_width() -> columns: the terminal's when stdout is one, else $COLUMNS,
 * else 80 (so output piped to a file is the same from run to run). */
static int l_term_width(lua_State *L)
{
    struct winsize ws;
    long cols = 0;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
        cols = ws.ws_col;
    const char *env = getenv("COLUMNS");
    if (cols <= 0 && env)
        cols = strtol(env, NULL, 10);
    if (cols <= 0)
        cols = 80;
    lua_pushinteger(L, cols < 20 ? 20 : cols > 1000 ? 1000 : cols);
    return 1;
}

/* iamsh.isatty(fd) -> boolean (0 stdin, 1 stdout, 2 stderr) */
static int l_isatty(lua_State *L)
{
    lua_Integer fd = luaL_checkinteger(L, 1);
    luaL_argcheck(L, fd >= 0 && fd <= 2, 1, "0, 1 or 2");
    lua_pushboolean(L, isatty((int)fd));
    return 1;
}

static int push_errno(lua_State *L, const char *what, const char *path)
{
    int e = errno;
    luaL_pushfail(L);
    lua_pushfstring(L, "%s %s: %s", what, path, strerror(e));
    return 2;
}

/* fs.read(path) -> content | nil, message */
static int l_read(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    FILE *f = fopen(path, "rb");
    if (!f)
        return push_errno(L, "cannot open", path);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    size_t n;
    do {
        char *p = luaL_prepbuffer(&b);
        n = fread(p, 1, LUAL_BUFFERSIZE, f);
        luaL_addsize(&b, n);
    } while (n == LUAL_BUFFERSIZE);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return push_errno(L, "cannot read", path);
    luaL_pushresult(&b);
    return 1;
}

/* fs.stat(path [, nofollow]) -> {mode=, size=, type=} | nil; type "file", "dir", "link" (with
 * nofollow: the link itself, not what it points to) or "other" */
static int l_stat(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    int nofollow = lua_toboolean(L, 2);
    struct stat st;
    if ((nofollow ? lstat(path, &st) : stat(path, &st)) != 0)
        return 0;
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, st.st_mode & 07777);
    lua_setfield(L, -2, "mode");
    lua_pushinteger(L, (lua_Integer)st.st_mtim.tv_sec);
    lua_setfield(L, -2, "mtime");
    lua_pushinteger(L, (lua_Integer)st.st_mtim.tv_nsec);
    lua_setfield(L, -2, "mtime_nsec");
    lua_pushinteger(L, (lua_Integer)st.st_size);
    lua_setfield(L, -2, "size");
    lua_pushstring(L, S_ISREG(st.st_mode)   ? "file"
                      : S_ISDIR(st.st_mode) ? "dir"
                      : S_ISLNK(st.st_mode) ? "link"
                                            : "other");
    lua_setfield(L, -2, "type");
    return 1;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* The process's umask (read without changing it for good). */
static mode_t current_umask(void)
{
    mode_t m = umask(077);
    umask(m);
    return m;
}

/* A symbolic link at path is not replaced: the rename would swap the link for a
 * regular file and leave its target as it was, and writing through it could reach
 * a file somewhere else. The message names the target to write to instead. */
static int refuse_link(const char *path, char *why, size_t whylen)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
        return 0;
    char target[4096];
    ssize_t n = readlink(path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    snprintf(why, whylen,
             "%s is a symbolic link (to %s): iamsh does not replace links; give the "
             "target's path instead",
             path, n > 0 ? target : "?");
    return -1;
}

/* Removes path's temp files (path.iamsh-tmp-PID) that a writer killed between
 * creating and renaming them left behind: those whose PID is no running process.
 * They can hold a secret (found by the soak's kill points); a live writer's stays. */
static void remove_stale_temps(const char *dir, const char *path)
{
    const char *slash = strrchr(path, '/');
    char prefix[4096], stale[8192];
    snprintf(prefix, sizeof prefix, "%s.iamsh-tmp-", slash ? slash + 1 : path);
    size_t n = strlen(prefix);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end;
        if (strncmp(e->d_name, prefix, n) != 0 || e->d_name[n] == '\0')
            continue;
        long pid = strtol(e->d_name + n, &end, 10);
        if (*end != '\0' || pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        snprintf(stale, sizeof stale, "%s/%s", dir, e->d_name);
        unlink(stale);
    }
    closedir(d);
}

/* Write content to a fresh temp file beside path, fsync, rename over path, fsync
 * the folder: a reader sees the old file or the new one, never half of one. The
 * mode is what the caller asks, less the umask (a 0644 file is 0600 under 077). */
static int write_atomic(const char *path, const char *data, size_t len, mode_t mode, char *why,
                        size_t whylen)
{
    char tmp[4096], dir[4096];
    if (refuse_link(path, why, whylen) != 0)
        return -1;
    mode &= ~current_umask();
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (slash == path)
        snprintf(dir, sizeof dir, "/");
    if (snprintf(tmp, sizeof tmp, "%s.iamsh-tmp-%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return snprintf(why, whylen, "path too long"), -1;
    remove_stale_temps(dir, path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return snprintf(why, whylen, "cannot create %s: %s", tmp, strerror(errno)), -1;
    if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        snprintf(why, whylen, "cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        snprintf(why, whylen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    fsync_dir(dir);
    return 0;
}

/* fs.effective_mode(mode) -> the mode write_atomic gives a file asked for with mode. */
static int l_effective_mode(lua_State *L)
{
    lua_Integer mode = luaL_checkinteger(L, 1);
    luaL_argcheck(L, mode >= 0 && mode <= 07777, 1, "mode out of range");
    lua_pushinteger(L, mode & ~(lua_Integer)current_umask());
    return 1;
}

/* fs.write_atomic(path, content [, mode]) raises on failure. */
static int l_write_atomic(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    size_t len;
    const char *data = luaL_checklstring(L, 2, &len);
    lua_Integer mode = luaL_optinteger(L, 3, 0600);
    luaL_argcheck(L, mode >= 0 && mode <= 07777, 3, "mode out of range");
    char why[8192];
    if (write_atomic(path, data, len, (mode_t)mode, why, sizeof why) != 0)
        return luaL_error(L, "%s", why);
    return 0;
}

/* fs.list(dir) -> sorted array of entry names (without . and ..) | nil, message */
static int l_list(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    DIR *d = opendir(path);
    if (!d)
        return push_errno(L, "cannot list", path);
    lua_newtable(L);
    lua_Integer n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        lua_pushstring(L, e->d_name);
        lua_rawseti(L, -2, ++n);
    }
    closedir(d);
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_pushvalue(L, -3);
    lua_call(L, 1, 0);
    lua_pop(L, 1);
    return 1;
}

static int open_fs(lua_State *L)
{
    static const luaL_Reg fns[] = {{"read", l_read},
                                   {"stat", l_stat},
                                   {"list", l_list},
                                   {"write_atomic", l_write_atomic},
                                   {"effective_mode", l_effective_mode},
                                   {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}

/* The run options, filled once from the command line: the module gets a copy
 * (searcher.c), scripts a read-only view. */
static iamsh_run_options run_options;

const iamsh_run_options *liamsh_run_options(void)
{
    return &run_options;
}

static void set_run_options(const host_options *o, const host_paths *p)
{
    iamsh_run_options r = {
        .magic = IAMSH_RUN_OPTIONS_MAGIC,
        .size = sizeof r,
        .profile = o->profile,
        .region = o->region,
        .endpoint_url = o->endpoint_url,
        .ca_bundle = o->ca_bundle,
        .plan = o->plan,
        .debug = o->debug,
        .quiet = o->quiet,
        .interrupted = &host_interrupted,
        .max_response = limits_max_response(),
        .local_state = o->local_state,
        .local_module = p->local,
        .library = {p->scripts, p->bytecode, searcher_add_chunks},
    };
    run_options = r;
}

/* The fields of iamsh.options, in the order pairs() gives them. */
static const char *const option_names[] = {
    "plan", "quiet", "debug", "profile", "region", "endpoint_url", "ca_bundle", "local", NULL};

/* The index of name in option_names, -1 if it is none of them. */
static int option_index(const char *name)
{
    for (int i = 0; option_names[i]; i++)
        if (strcmp(name, option_names[i]) == 0)
            return i;
    return -1;
}

/* Push the option called name (nil for an unknown name or an absent value).  [-0, +1, -] */
static void push_option(lua_State *L, const char *name)
{
    const iamsh_run_options *r = &run_options;
    const int flags[] = {r->plan, r->quiet, r->debug};
    const char *const strings[] = {r->profile, r->region, r->endpoint_url, r->ca_bundle,
                                   r->local_state};
    int i = option_index(name);
    if (i >= 0 && i < 3)
        lua_pushboolean(L, flags[i]);
    else if (i >= 3 && strings[i - 3])
        lua_pushstring(L, strings[i - 3]);
    else
        lua_pushnil(L);
}

/* iamsh.options[k] */
static int options_index(lua_State *L)
{
    push_option(L, luaL_checkstring(L, 2));
    return 1;
}

/* iamsh.options[k] = v: the command line sets them, and the AWS module holds its own
 * copy, so a write could only make the view lie. */
static int options_newindex(lua_State *L)
{
    return luaL_error(L, "iamsh.options is read-only (options come from the command line)");
}

/* next(options, k) over option_names, skipping absent values.  [-2, +2|1, e] */
static int options_next(lua_State *L)
{
    int i = lua_isnil(L, 2) ? 0 : option_index(luaL_checkstring(L, 2)) + 1;
    if (i == 0 && !lua_isnil(L, 2))
        return luaL_error(L, "invalid key to 'next'");
    for (; option_names[i]; i++) {
        lua_pushstring(L, option_names[i]);
        push_option(L, option_names[i]);
        if (!lua_isnil(L, -1))
            return 2;
        lua_pop(L, 2);
    }
    lua_pushnil(L);
    return 1;
}

static int options_pairs(lua_State *L)
{
    lua_pushcfunction(L, options_next);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* The empty proxy whose metatable reads run_options.  [-0, +1, m] */
static void push_options_view(lua_State *L)
{
    static const luaL_Reg mt[] = {{"__index", options_index},
                                  {"__newindex", options_newindex},
                                  {"__pairs", options_pairs},
                                  {NULL, NULL}};
    lua_newtable(L);
    luaL_newlib(L, mt);
    lua_pushliteral(L, "iamsh.options");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
}

void liamsh_install(lua_State *L, const host_options *o, const host_paths *p)
{
    static const luaL_Reg fns[] = {{"sleep", l_sleep},
                                   {"clock", l_clock},
                                   {"term_width", l_term_width},
                                   {"isatty", l_isatty},
                                   {NULL, NULL}};
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    luaL_newlib(L, fns);
    lua_pushstring(L, IAMSH_VERSION);
    lua_setfield(L, -2, "version");
    lua_pushstring(L, p->scripts);
    lua_setfield(L, -2, "scripts_dir");
    lua_pushstring(L, p->docs);
    lua_setfield(L, -2, "docs_dir");
    set_run_options(o, p);
    push_options_view(L);
    lua_setfield(L, -2, "options");
    lua_setfield(L, -2, "iamsh");
    lua_pop(L, 1);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, open_fs);
    lua_setfield(L, -2, "iamsh.fs");
    lua_pop(L, 1);
}
