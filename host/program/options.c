/* options.c - the iamsh command line: global options and a subcommand.
 *
 *   iamsh [options] run SCRIPT [key=value ...]
 *   iamsh [options] -e CODE [args ...]
 *   iamsh [options] list
 *   iamsh [options] sso login|logout
 *   iamsh [options] [-i]          the REPL (or, with stdin not a terminal, stdin as a script)
 *   iamsh --version | --help
 *
 * Global options may come before the subcommand or anywhere after it (as with the
 * AWS CLI: `iamsh run sagemaker --plan`); every other word after the subcommand
 * belongs to it (a script's own --help, its key=value pairs). `--` ends the global
 * options: what follows goes to the script untouched. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

void options_usage(FILE *out)
{
    fputs("usage: iamsh [options]                         the interactive shell (REPL)\n"
          "       iamsh [options] run SCRIPT [key=value ...]\n"
          "       iamsh [options] -e CODE [args ...]\n"
          "       iamsh [options] list\n"
          "       iamsh [options] sso login|logout\n"
          "       iamsh serve [--listen ADDRESS:PORT] [--state FILE] ...   (iamsh serve --help)\n"
          "\n"
          "Runs Lua with the AWS IAM and STS APIs as bindings.\n"
          "\n"
          "commands:\n"
          "  (none)          on a terminal: the REPL, to look around an account and try calls\n"
          "                  (help() there); with stdin not a terminal: stdin runs as a script\n"
          "  run SCRIPT      run a script: a path to a .lua file, or the name of a shipped or\n"
          "                  user script (see `iamsh list`); `iamsh run SCRIPT --help` shows\n"
          "                  its arguments\n"
          "  -e CODE         run a chunk of Lua\n"
          "  -               run stdin as a script\n"
          "  list            list the scripts: shipped ones, then IAMSH_PATH and\n"
          "                  ~/.config/iamsh/scripts\n"
          "  sso login       sign in to IAM Identity Center for the profile (a device code,\n"
          "                  approved in a browser); the AWS CLI shares the sign-in\n"
          "  sso logout      remove every cached IAM Identity Center sign-in\n"
          "  serve           a local IAM and STS endpoint on a port (iamsh serve --help)\n"
          "\n"
          "options (before or after the command; `--` ends them):\n"
          "  -i                  enter the REPL (after SCRIPT or CODE, with its globals kept)\n"
          "  --profile NAME      use a named profile from ~/.aws/config and ~/.aws/credentials\n"
          "  --region REGION     region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile)\n"
          "  --endpoint-url URL  send IAM and STS requests to URL (e.g. a local endpoint)\n"
          "  --local[=FILE]      answer IAM and STS in this process, AWS's way, with the state\n"
          "                      in FILE (default .iamsh/local.db): no account, no network\n"
          "  --ca-bundle FILE    PEM bundle for TLS verification\n"
          "  --plan              do every read, send no write; print what would change\n"
          "  --quiet             no progress lines\n"
          "  --debug             wire log on stderr (secrets redacted), tracebacks for all errors\n"
          "  --version           print the versions of iamsh, Lua and the libraries\n"
          "  --help              this text\n"
          "\n"
          "exit codes: 0 ok, 1 script error, 2 plan has changes, 130 interrupted,\n"
          "  252 bad usage, 253 configuration or credentials, 254 AWS service error,\n"
          "  255 endpoint unreachable or unreadable response\n",
          out);
}

/* An option that takes a value: "--name VALUE" or "--name=VALUE".
 * 1 taken, 0 not this option, -1 bad (message printed). */
static int take_value(int argc, char **argv, int *i, const char *name, const char **out)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *out = a + n + 1;
    } else if (a[n] == '\0') {
        if (*i + 1 >= argc) {
            fprintf(stderr, "iamsh: option %s needs a value\n", name);
            return -1;
        }
        *out = argv[++*i];
    } else {
        return 0;
    }
    if (**out == '\0') {
        fprintf(stderr, "iamsh: option %s needs a non-empty value\n", name);
        return -1;
    }
    return 1;
}

static int parse_flag(const char *a, host_options *o)
{
    static const struct {
        const char *name;
        size_t off;
    } flags[] = {
        {"--debug", offsetof(host_options, debug)},
        {"--plan", offsetof(host_options, plan)},
        {"--quiet", offsetof(host_options, quiet)},
        {"-i", offsetof(host_options, interactive)},
    };
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
        if (strcmp(a, flags[k].name) == 0) {
            *(int *)((char *)o + flags[k].off) = 1;
            return 1;
        }
    return 0;
}

static int parse_valued(int argc, char **argv, int *i, host_options *o)
{
    static const struct {
        const char *name;
        size_t off;
    } opts[] = {
        {"--profile", offsetof(host_options, profile)},
        {"--region", offsetof(host_options, region)},
        {"--endpoint-url", offsetof(host_options, endpoint_url)},
        {"--ca-bundle", offsetof(host_options, ca_bundle)},
    };
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
        int r = take_value(argc, argv, i, opts[k].name, (const char **)((char *)o + opts[k].off));
        if (r != 0)
            return r;
    }
    return 0;
}

/* --local or --local=FILE (never "--local FILE": FILE would read as a command). */
static int parse_local(const char *a, host_options *o)
{
    if (strcmp(a, "--local") == 0)
        o->local_state = ".iamsh/local.db";
    else if (strncmp(a, "--local=", 8) == 0 && a[8])
        o->local_state = a + 8;
    else if (strcmp(a, "--local=") == 0) {
        fputs("iamsh: option --local= needs a file name\n", stderr);
        return -1;
    } else
        return 0;
    return 1;
}

/* A global option at argv[*i]: 1 taken, 0 not one, -1 bad. */
static int parse_global(int argc, char **argv, int *i, host_options *o)
{
    if (parse_flag(argv[*i], o))
        return 1;
    int r = parse_local(argv[*i], o);
    return r ? r : parse_valued(argc, argv, i, o);
}

/* The words after the subcommand: global options are taken out, the rest (in
 * order) belong to the command. argv is reordered in place. */
static int split_rest(int argc, char **argv, int first, host_options *o)
{
    int n = 0, r;
    o->args = argv + first;
    for (int i = first; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            while (++i < argc)
                o->args[n++] = argv[i];
            break;
        }
        if ((r = parse_global(argc, argv, &i, o)) < 0)
            return EXIT_USAGE;
        if (r == 0)
            o->args[n++] = argv[i];
    }
    o->nargs = n;
    return 0;
}

static int set_command(host_options *o, const char *cmd, int argc, char **argv, int next)
{
    o->command = cmd;
    return split_rest(argc, argv, next, o);
}

/* No subcommand: the REPL on a terminal (or with -i), else stdin as a script,
 * as `lua` does. */
static int no_command(host_options *o)
{
    o->command = o->interactive || isatty(STDIN_FILENO) ? "repl" : "stdin";
    o->interactive = 0;
    o->args = NULL;
    o->nargs = 0;
    return 0;
}

static int unknown(const char *a)
{
    if (a[0] == '-')
        fprintf(stderr, "iamsh: unknown option '%s' (see iamsh --help)\n", a);
    else
        fprintf(stderr, "iamsh: unknown command '%s' (see iamsh --help)\n", a);
    return EXIT_USAGE;
}

/* Options that cannot go together; rc passes through when they can. */
static int conflicts(const host_options *o, int rc)
{
    if (rc != 0)
        return rc;
    if (o->local_state && o->endpoint_url) {
        fputs("iamsh: --local and --endpoint-url name two endpoints: give one\n", stderr);
        return EXIT_USAGE;
    }
    if (o->local_state && strcmp(o->command, "serve") == 0) {
        fputs("iamsh: serve is the local endpoint on a port: --local does not go with it\n",
              stderr);
        return EXIT_USAGE;
    }
    return 0;
}

int options_parse(int argc, char **argv, host_options *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "help") == 0)
            return set_command(o, "help", argc, argv, i + 1);
        if (strcmp(a, "--version") == 0 || strcmp(a, "version") == 0)
            return set_command(o, "version", argc, argv, i + 1);
        if ((r = parse_global(argc, argv, &i, o)) < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        if (strcmp(a, "-e") == 0) {
            if (i + 1 >= argc) {
                fputs("iamsh: -e needs a chunk of Lua code\n", stderr);
                return EXIT_USAGE;
            }
            o->chunk = argv[i + 1];
            return conflicts(o, set_command(o, "eval", argc, argv, i + 2));
        }
        if (strcmp(a, "-") == 0)
            return conflicts(o, set_command(o, "stdin", argc, argv, i + 1));
        if (strcmp(a, "run") == 0 || strcmp(a, "list") == 0 || strcmp(a, "serve") == 0)
            return conflicts(o, set_command(o, a, argc, argv, i + 1));
        if (strcmp(a, "sso") == 0) /* sso login|logout: scripts/lib/iamsh/sso.lua */
            return conflicts(o, set_command(o, a, argc, argv, i + 1));
        return unknown(a);
    }
    return conflicts(o, no_command(o));
}
