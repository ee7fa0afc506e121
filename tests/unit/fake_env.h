/* fake_env.h - an injected environment (config_input.getenv_fn) and a temp folder holding
 * an AWS config and credentials file, for the config and credentials tests. Header-only,
 * like check.h: each test is one file. */
#ifndef IAMSH_FAKE_ENV_H
#define IAMSH_FAKE_ENV_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *env_names[64], *env_values[64];
static int env_n;
static char dir[64], cfg_path[128], creds_path[128];

/* The last value set for a name wins, as a later export would. */
static inline const char *fake_getenv(const char *name)
{
    for (int i = env_n - 1; i >= 0; i--)
        if (strcmp(env_names[i], name) == 0)
            return env_values[i];
    return NULL;
}

static inline void env_reset(void)
{
    env_n = 0;
}

static inline void env_set(const char *name, const char *value)
{
    if (env_n == (int)(sizeof env_names / sizeof env_names[0])) {
        fprintf(stderr, "fake_env: too many variables\n");
        exit(1);
    }
    env_names[env_n] = name;
    env_values[env_n++] = value;
}

static inline void write_file_mode(const char *path, const char *text, int mode)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
    chmod(path, (mode_t)mode);
}

static inline void write_file(const char *path, const char *text)
{
    write_file_mode(path, text, 0600);
}

/* Write both files and point a fresh environment at them. */
static inline void files(const char *cfg, const char *creds)
{
    env_reset();
    write_file(cfg_path, cfg);
    write_file(creds_path, creds);
    env_set("AWS_CONFIG_FILE", cfg_path);
    env_set("AWS_SHARED_CREDENTIALS_FILE", creds_path);
}

/* A fresh /tmp/iamsh-<name>-XXXXXX with the two file paths in it; 0 or -1. */
static inline int fake_env_init(const char *name)
{
    snprintf(dir, sizeof dir, "/tmp/iamsh-%s-XXXXXX", name);
    if (!mkdtemp(dir))
        return -1;
    snprintf(cfg_path, sizeof cfg_path, "%s/config", dir);
    snprintf(creds_path, sizeof creds_path, "%s/credentials", dir);
    return 0;
}

static inline void fake_env_cleanup(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fake_env: could not remove %s\n", dir);
}

#endif
