/* provider_mfa.c - the MFA code for an assume-role profile with mfa_serial, asked on
 * the terminal as the AWS CLI asks it (getpass: "Enter MFA code for <serial>: ", no
 * echo). Only the controlling terminal is asked, never stdin: stdin may be the script
 * being run. Without a terminal, one line says what to do instead. */
#include "iamsh/provider.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "iamsh/client.h"

#define MFA_POLL_MS 200

static int no_terminal(const char *profile, const char *serial, aws_err *err)
{
    return err_set(err, AWS_ERR_CREDS, "MFARequired",
                   "profile '%s' needs an MFA code for %.200s (mfa_serial) and there is no "
                   "terminal to ask on: run iamsh from a terminal once (the role's credentials "
                   "are then cached in ~/.aws/cli/cache for later runs), or `aws sts "
                   "assume-role` there",
                   profile, serial);
}

static void put(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* One line from the terminal into code (cut to n-1 bytes), waiting in short polls so
 * that Ctrl-C (abort) ends the wait. 0, 1 when interrupted, -1 on end of input. */
static int read_line(int fd, volatile sig_atomic_t *abort, char *code, size_t n)
{
    size_t len = 0;
    for (;;) {
        if (abort && *abort)
            return 1;
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, MFA_POLL_MS);
        if (r < 0 && errno != EINTR)
            return -1;
        if (r <= 0)
            continue;
        char ch;
        ssize_t got = read(fd, &ch, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        if (ch == '\n' || ch == '\r')
            break;
        if (len + 1 < n)
            code[len++] = ch;
    }
    code[len] = '\0';
    return 0;
}

static void trim(char *s)
{
    size_t n = strlen(s), start = strspn(s, " \t");
    while (n > start && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    memmove(s, s + start, n - start);
    s[n - start] = '\0';
}

int provider_mfa_code(const struct aws_client *client, const char *profile, const char *serial,
                      char *code, size_t n, aws_err *err)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return no_terminal(profile, serial, err);
    struct termios old, quiet;
    int restore = tcgetattr(fd, &old) == 0;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    if (restore)
        tcsetattr(fd, TCSAFLUSH, &quiet);
    char prompt[512];
    snprintf(prompt, sizeof prompt, "Enter MFA code for %.400s: ", serial);
    put(fd, prompt);
    int r = read_line(fd, client ? client->opts.abort_flag : NULL, code, n);
    if (restore)
        tcsetattr(fd, TCSAFLUSH, &old);
    put(fd, "\n");
    close(fd);
    trim(code);
    if (r == 1)
        return err_set(err, AWS_ERR_TRANSPORT, "Interrupted",
                       "profile '%s': the MFA prompt was interrupted", profile);
    if (r < 0 || code[0] == '\0')
        return err_set(err, AWS_ERR_CREDS, "MFARequired",
                       "profile '%s': no MFA code entered for %.200s: run again and type the "
                       "code your MFA device shows",
                       profile, serial);
    return 0;
}
