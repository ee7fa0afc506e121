/* spawn.c - run one command as the child of this small process and say what it
 * cost: wall time, user and system CPU, and peak RSS, all from wait4(2).
 *
 *   spawn RESULT_FILE COMMAND [ARG...]
 *
 * RESULT_FILE gets one line, "wall_us user_us sys_us maxrss_kib status", where
 * status is the exit code, or 128 + the signal that ended the child (127: COMMAND
 * could not be started). The child keeps this process's stdin, stdout and
 * stderr. Exit status: 0 once the line is written, else 2.
 *
 * Why a separate parent: a child forked from a large process (Python) starts
 * with that process's page counts, and exec keeps the high-water mark, so its
 * ru_maxrss would be the parent's size, not its own. This parent is a few
 * hundred KiB, below anything measured. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static long long tv_us(struct timeval tv)
{
    return tv.tv_sec * 1000000LL + tv.tv_usec;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: spawn RESULT_FILE COMMAND [ARG...]\n");
        return 2;
    }
    long long t0 = now_us();
    pid_t pid = fork();
    if (pid < 0) {
        perror("spawn: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "spawn: %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    int st;
    struct rusage ru;
    while (wait4(pid, &st, 0, &ru) < 0)
        if (errno != EINTR) {
            perror("spawn: wait4");
            return 2;
        }
    long long wall = now_us() - t0;
    int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    fprintf(f, "%lld %lld %lld %ld %d\n", wall, tv_us(ru.ru_utime), tv_us(ru.ru_stime),
            ru.ru_maxrss, status);
    return fclose(f) == 0 ? 0 : 2;
}
