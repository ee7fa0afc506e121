/* paths.c - find the AWS module and the shipped scripts.
 *
 * Run from its build tree, iamsh uses the module built beside it and the scripts of
 * the source tree, so a developer's edit is live without an install. Installed,
 * it looks relative to its own location (<prefix>/bin/iamsh -> <prefix>/lib/iamsh,
 * <prefix>/share/iamsh), so the install is relocatable. The shipped library's
 * precompiled chunks are in the build tree's luac/, or <prefix>/share/iamsh/luac. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int exe_dir(char *out, size_t n)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return -1;
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    return snprintf(out, n, "%s", exe) < (int)n ? 0 : -1;
}

static int same_dir(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* path, made absolute and free of .. when it exists (it is shown to users). */
static void canonical(char *path, size_t n)
{
    char real[PATH_MAX];
    if (realpath(path, real) && strlen(real) < n)
        strcpy(path, real);
}

int paths_find(host_paths *p)
{
    char dir[PATH_MAX];
    if (exe_dir(dir, sizeof dir) != 0)
        return -1;
    int n1, n2, n3, n4;
    if (same_dir(dir, IAMSH_BUILD_DIR)) {
        n1 = snprintf(p->module, sizeof p->module, "%s/iamsh_aws.so", dir);
        n2 = snprintf(p->scripts, sizeof p->scripts, "%s/scripts", IAMSH_SOURCE_DIR);
        n3 = snprintf(p->docs, sizeof p->docs, "%s/docs", IAMSH_SOURCE_DIR);
        n4 = snprintf(p->bytecode, sizeof p->bytecode, "%s/luac", dir);
    } else {
        n1 = snprintf(p->module, sizeof p->module, "%s/../%s/iamsh_aws.so", dir, IAMSH_REL_LIBDIR);
        n2 = snprintf(p->scripts, sizeof p->scripts, "%s/../%s/scripts", dir, IAMSH_REL_DATADIR);
        n3 = snprintf(p->docs, sizeof p->docs, "%s/../%s/docs", dir, IAMSH_REL_DATADIR);
        n4 = snprintf(p->bytecode, sizeof p->bytecode, "%s/../%s/luac", dir, IAMSH_REL_DATADIR);
    }
    if (n1 >= (int)sizeof p->module || n2 >= (int)sizeof p->scripts || n3 >= (int)sizeof p->docs ||
        n4 >= (int)sizeof p->bytecode)
        return -1;
    /* iamsh_local.so lives beside iamsh_aws.so */
    size_t at = (size_t)(strrchr(p->module, '/') - p->module);
    if (snprintf(p->local, sizeof p->local, "%.*s/iamsh_local.so", (int)at, p->module) >=
        (int)sizeof p->local)
        return -1;
    canonical(p->scripts, sizeof p->scripts);
    canonical(p->docs, sizeof p->docs);
    canonical(p->bytecode, sizeof p->bytecode);
    return is_file(p->module) ? 0 : -1;
}
