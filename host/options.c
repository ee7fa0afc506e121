/* options.c - the iamsh command line: global options, then a subcommand.
 *
 *   iamsh [global options] run SCRIPT [key=value ...]
 *   iamsh [global options] -e CODE [args ...]
 *   iamsh [global options] list
 *   iamsh --version | --help
 *
 * Global options must come before the subcommand, as in the AWS CLI; everything
 * after the subcommand belongs to it (a script's own --help, its key=value pairs). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "host.h"

void options_usage(FILE *out)
{
    fputs("usage: iamsh [options] run SCRIPT [key=value ...]\n"
          "       iamsh [options] -e CODE [args ...]\n"
          "       iamsh [options] list\n"
          "\n"
          "Runs Lua scripts with the AWS IAM and STS APIs as bindings.\n"
          "\n"
          "commands:\n"
          "  run SCRIPT      run a script: a path to a .lua file, or the name of a shipped\n"
          "                  script (see `iamsh list`); `iamsh run SCRIPT --help` shows its arguments\n"
          "  -e CODE         run a chunk of Lua\n"
          "  list            list the shipped scripts\n"
          "\n"
          "options:\n"
          "  --profile NAME      use a named profile from ~/.aws/config and ~/.aws/credentials\n"
          "  --region REGION     region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile)\n"
          "  --endpoint-url URL  send IAM and STS requests to URL (e.g. a local endpoint)\n"
          "  --ca-bundle FILE    PEM bundle for TLS verification\n"
          "  --plan              do every read, send no write; print what would change\n"
          "  --quiet             no progress lines\n"
          "  --debug             wire log on stderr (secrets redacted)\n"
          "  --version           print the versions of iamsh, Lua, libcurl and OpenSSL\n"
          "  --help              this text\n"
          "\n"
          "exit codes: 0 ok, 1 script error, 2 plan has changes, 130 interrupted,\n"
          "  252 bad usage, 253 configuration or credentials, 254 AWS service error,\n"
          "  255 endpoint unreachable or unreadable response\n",
          out);
}

/* An option that takes a value: "--name VALUE" or "--name=VALUE". */
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
    static const struct { const char *name; size_t off; } flags[] = {
        {"--debug", offsetof(host_options, debug)},
        {"--plan", offsetof(host_options, plan)},
        {"--quiet", offsetof(host_options, quiet)},
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
    static const struct { const char *name; size_t off; } opts[] = {
        {"--profile", offsetof(host_options, profile)},
        {"--region", offsetof(host_options, region)},
        {"--endpoint-url", offsetof(host_options, endpoint_url)},
        {"--ca-bundle", offsetof(host_options, ca_bundle)},
    };
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
        int r = take_value(argc, argv, i, opts[k].name,
                           (const char **)((char *)o + opts[k].off));
        if (r != 0)
            return r;
    }
    return 0;
}

static int set_command(host_options *o, const char *cmd, int argc, char **argv, int next)
{
    o->command = cmd;
    o->args = argv + next;
    o->nargs = argc - next;
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
        if (parse_flag(a, o))
            continue;
        if ((r = parse_valued(argc, argv, &i, o)) < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        if (strcmp(a, "-e") == 0) {
            if (i + 1 >= argc) {
                fputs("iamsh: -e needs a chunk of Lua code\n", stderr);
                return EXIT_USAGE;
            }
            o->chunk = argv[i + 1];
            return set_command(o, "eval", argc, argv, i + 2);
        }
        if (strcmp(a, "run") == 0 || strcmp(a, "list") == 0)
            return set_command(o, a, argc, argv, i + 1);
        if (a[0] == '-')
            fprintf(stderr, "iamsh: unknown option '%s' (see iamsh --help)\n", a);
        else
            fprintf(stderr, "iamsh: unknown command '%s' (see iamsh --help)\n", a);
        return EXIT_USAGE;
    }
    fputs("iamsh: no command given (see iamsh --help)\n", stderr);
    return EXIT_USAGE;
}
