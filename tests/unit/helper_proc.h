/* helper_proc.h - start one of the Python helpers in tests/support (fault_server.py,
 * fake_metadata.py, moto.py) as a child: its stdin is a pipe we hold (closing it
 * stops the helper), and the first line it prints is its loopback port.
 * Header-only, like check.h. */
#ifndef IAMSH_HELPER_PROC_H
#define IAMSH_HELPER_PROC_H
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct helper {
    pid_t pid;
    int in_fd; /* its stdin */
    int port;
    char url[64]; /* http://127.0.0.1:<port> */
} helper;

/* The first line of fd as a port number, 0 if none. */
static inline int helper_read_port(int fd)
{
    char line[32];
    size_t n = 0;
    while (n + 1 < sizeof line && read(fd, line + n, 1) == 1 && line[n] != '\n')
        n++;
    line[n] = '\0';
    return atoi(line);
}

/* python3 $IAMSH_TEST_SUPPORT/<script> args... (args NULL-terminated, at most 40). */
static inline int helper_start(helper *h, const char *script, const char *const *args)
{
    const char *support = getenv("IAMSH_TEST_SUPPORT");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", support ? support : "tests/support", script);
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0)
        return -1;
    h->pid = fork();
    if (h->pid == 0) {
        const char *argv[44] = {"python3", path};
        int n = 2;
        for (; args && *args && n < 42; args++)
            argv[n++] = *args;
        argv[n] = NULL;
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        execvp("python3", (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    h->in_fd = in[1];
    h->port = h->pid > 0 ? helper_read_port(out[0]) : 0;
    close(out[0]);
    snprintf(h->url, sizeof h->url, "http://127.0.0.1:%d", h->port);
    if (h->port <= 0)
        fprintf(stderr, "%s did not start (IAMSH_TEST_SUPPORT=%s)\n", script,
                support ? support : "(unset)");
    return h->port > 0 ? 0 : -1;
}

static inline int helper_gone(helper *h, int tries)
{
    for (int i = 0; i < tries; i++) {
        if (waitpid(h->pid, NULL, WNOHANG) == h->pid)
            return 1;
        usleep(20000);
    }
    return 0;
}

/* Close its stdin (the helpers leave then), then ask with SIGTERM, then SIGKILL. */
static inline void helper_stop(helper *h)
{
    if (h->pid <= 0)
        return;
    close(h->in_fd);
    if (!helper_gone(h, 10)) {
        kill(h->pid, SIGTERM);
        if (!helper_gone(h, 50)) {
            kill(h->pid, SIGKILL);
            waitpid(h->pid, NULL, 0);
        }
    }
    h->pid = 0;
}

#endif
