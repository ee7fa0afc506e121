/* provider_process.c - credential_process: split the command shell-style, run it without a
 * shell (as botocore's Popen does), read stdout/stderr under a deadline so a hung helper
 * cannot hang us, then read the Version 1 JSON document. */
#include "iamsh/provider.h"
#include "iamsh/json.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "iamsh/buf.h"

#define PROCESS_MAX_OUTPUT (1u << 20)
#define PROCESS_MAX_ARGS 256

extern char **environ;

typedef struct argv_list {
    char *v[PROCESS_MAX_ARGS + 1];
    int n;
} argv_list;

static void argv_free(argv_list *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->v[i]);
    a->n = 0;
}

static int argv_push(argv_list *a, buf *word)
{
    if (a->n >= PROCESS_MAX_ARGS)
        return -1;
    char *w = buf_steal(word);
    if (!w)
        return -1;
    a->v[a->n++] = w;
    a->v[a->n] = NULL;
    return 0;
}

/* One character inside double quotes: backslash escapes only \ " $ ` and newline. */
static const char *dquote_char(const char *p, buf *w)
{
    if (*p == '\\' && p[1] && strchr("\\\"$`\n", p[1]))
        p++;
    buf_append(w, p, 1);
    return p + 1;
}

/* POSIX shell word splitting without expansions (Python shlex.split). -1 on an
 * unterminated quote or too many words. */
static int split_command(const char *s, argv_list *a)
{
    buf w = BUF_INIT;
    int in_word = 0;
    a->n = 0;
    a->v[0] = NULL;
    for (const char *p = s; *p;) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            if (in_word && argv_push(a, &w) != 0)
                goto fail;
            in_word = 0;
            p++;
            continue;
        }
        in_word = 1;
        if (*p == '\'') {
            const char *e = strchr(p + 1, '\'');
            if (!e)
                goto fail;
            buf_append(&w, p + 1, (size_t)(e - p - 1));
            p = e + 1;
        } else if (*p == '"') {
            for (p++; *p && *p != '"';)
                p = dquote_char(p, &w);
            if (*p++ != '"')
                goto fail;
        } else if (*p == '\\') {
            if (p[1])
                buf_append(&w, p + 1, 1);
            p += p[1] ? 2 : 1;
        } else {
            buf_append(&w, p++, 1);
        }
    }
    if ((in_word && argv_push(a, &w) != 0) || a->n == 0)
        goto fail;
    buf_free(&w);
    return 0;
fail:
    buf_free(&w);
    argv_free(a);
    return -1;
}

typedef struct child {
    pid_t pid;
    int out_fd, err_fd;
} child;

static int spawn(argv_list *a, child *ch)
{
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) != 0)
        return errno;
    if (pipe2(pe, O_CLOEXEC) != 0) {
        int e = errno;
        close(po[0]);
        close(po[1]);
        return e;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    posix_spawnattr_init(&at);
    /* its own process group, so a timeout can kill whatever it started too */
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    int rc = posix_spawnp(&ch->pid, a->v[0], &fa, &at, a->v, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(po[1]);
    close(pe[1]);
    ch->out_fd = po[0];
    ch->err_fd = pe[0];
    if (rc != 0) {
        close(po[0]);
        close(pe[0]);
    }
    return rc;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Drain both pipes until EOF on both or the deadline. 0, or -1 on timeout. */
static int drain(child *ch, buf *out, buf *errb, int timeout_ms)
{
    long deadline = now_ms() + timeout_ms;
    struct pollfd fds[2] = {{ch->out_fd, POLLIN, 0}, {ch->err_fd, POLLIN, 0}};
    buf *dst[2] = {out, errb};
    int open_fds = 2;
    while (open_fds > 0) {
        long left = deadline - now_ms();
        if (left <= 0)
            return -1;
        int n = poll(fds, 2, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0 ? -1 : 0;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !fds[i].revents)
                continue;
            char chunk[4096];
            ssize_t got = read(fds[i].fd, chunk, sizeof chunk);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                fds[i].fd = -1;
                open_fds--;
            } else if (dst[i]->len < PROCESS_MAX_OUTPUT) {
                buf_append(dst[i], chunk, (size_t)got);
            }
        }
    }
    return 0;
}

/* Wait for the child until the deadline (it may close its pipes and keep running);
 * kill its process group when it is late. Returns 1 when it had to be killed. */
static int reap(pid_t pid, long deadline, int *status)
{
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR))
            return 0;
        if (now_ms() >= deadline)
            break;
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
    }
    return 1;
}

static void first_line(const buf *b, char *line, size_t n)
{
    const char *s = b->p ? b->p : "";
    size_t len = strcspn(s, "\r\n");
    snprintf(line, n, "%.*s", (int)(len < 300 ? len : 300), s);
}

static int run(const char *command, int timeout_ms, buf *out, aws_err *err)
{
    argv_list a;
    if (split_command(command, &a) != 0)
        return err_set(err, AWS_ERR_CREDS, "CredentialProcessError",
                       "credential_process: cannot split the command line (empty, "
                       "unterminated quote or too many words)");
    child ch;
    int rc = spawn(&a, &ch);
    if (rc != 0) {
        err_set(err, AWS_ERR_CREDS, "CredentialProcessError",
                "credential_process: cannot run '%.200s': %s", a.v[0], strerror(rc));
        argv_free(&a);
        return -1;
    }
    buf errb = BUF_INIT;
    long deadline = now_ms() + timeout_ms;
    int timed_out = drain(&ch, out, &errb, timeout_ms) != 0;
    close(ch.out_fd);
    close(ch.err_fd);
    int status = 0;
    timed_out |= reap(ch.pid, timed_out ? 0 : deadline, &status);
    char line[320];
    first_line(&errb, line, sizeof line);
    buf_free(&errb);
    if (timed_out)
        rc = err_set(err, AWS_ERR_CREDS, "CredentialProcessError",
                     "credential_process '%.200s' timed out after %d ms", a.v[0], timeout_ms);
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        rc = err_set(err, AWS_ERR_CREDS, "CredentialProcessError",
                     "credential_process '%.200s' failed (%s %d)%s%s", a.v[0],
                     WIFEXITED(status) ? "exit status" : "signal",
                     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), *line ? ": " : "",
                     line);
    argv_free(&a);
    return rc;
}

static int parse_output(const buf *out, aws_creds *cr, aws_err *err)
{
    cJSON *root = json_parse_all(out->p, out->len, NULL);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return err_set(err, AWS_ERR_CREDS, "CredentialProcessError",
                       "credential_process: output is not one JSON object");
    }
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "Version");
    char why[128] = "";
    int rc = 0;
    if (!cJSON_IsNumber(ver) || ver->valuedouble != 1.0)
        rc = err_set(err, AWS_ERR_CREDS, "CredentialProcessError",
                     "credential_process: unsupported Version (supported versions: 1)");
    else if (creds_from_json(root, "SessionToken", "process", cr, why, sizeof why) != 0)
        rc = err_set(err, AWS_ERR_CREDS, "CredentialProcessError", "credential_process: %s", why);
    creds_wipe_json(root);
    cJSON_Delete(root);
    return rc;
}

int provider_process(const char *command, int timeout_ms, aws_creds *out, aws_err *err)
{
    memset(out, 0, sizeof *out);
    buf so = BUF_INIT;
    int rc = run(command, timeout_ms > 0 ? timeout_ms : PROVIDER_PROCESS_TIMEOUT_MS, &so, err);
    if (rc == 0)
        rc = parse_output(&so, out, err);
    buf_wipe(&so);
    return rc == 0 ? 1 : -1;
}
