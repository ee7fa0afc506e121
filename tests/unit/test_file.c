/* test_file.c - reading a small file whole, the atomic write of a secrets file (mode,
 * replace, nothing left behind on failure) and making folders. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "iamsh/file.h"

static char dir[64];

static int entries(const char *path)
{
    DIR *d = opendir(path);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static void test_write_read(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    CHECK_INT(file_mkdirs(path, 0700), 0);
    CHECK_INT(file_mkdirs(path, 0700), 0); /* already there */
    struct stat st;
    CHECK_INT(stat(path, &st), 0);
    CHECK_INT(st.st_mode & 0777, 0700);
    snprintf(path, sizeof path, "%s/a/b/c/f.json", dir);
    umask(022);
    CHECK_INT(file_write_atomic(path, "first", 5, 0600), 0);
    CHECK_INT(file_write_atomic(path, "second", 6, 0600), 0);
    CHECK_INT(stat(path, &st), 0);
    CHECK_INT(st.st_mode & 0777, 0600);
    buf b = BUF_INIT;
    CHECK_INT(file_read(path, 100, &b), 0);
    CHECK_STR(b.p, "second");
    buf_reset(&b);
    CHECK_INT(file_read(path, 3, &b), -1);
    CHECK_INT(errno, EFBIG);
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    CHECK_INT(entries(path), 1); /* no temp file left */
    snprintf(path, sizeof path, "%s/missing", dir);
    CHECK_INT(file_read(path, 100, &b), -1);
    CHECK_INT(errno, ENOENT);
    buf_free(&b);
}

static void test_failures(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/nofolder/f", dir);
    CHECK_INT(file_write_atomic(path, "x", 1, 0600), -1);
    CHECK_INT(errno, ENOENT);
    snprintf(path, sizeof path, "%s/plain", dir);
    CHECK_INT(file_write_atomic(path, "x", 1, 0600), 0);
    snprintf(path, sizeof path, "%s/plain/sub", dir);
    CHECK_INT(file_mkdirs(path, 0700), -1); /* a file where a folder must be */
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/iamsh-file-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    test_write_read();
    test_failures();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    return check_summary();
}
