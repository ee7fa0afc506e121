/* endpoint_faults.c - --faults: what goes wrong, how often, reproducibly. One generator
 * (splitmix64) seeded from the spec; each request draws one number, which picks at most
 * one fault; the same seed and the same order of requests give the same faults. */
#include "iamsh/endpoint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

unsigned long long endpoint_random(unsigned long long *state)
{
    unsigned long long z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int bad(aws_err *err, const char *what, const char *text, int n)
{
    return err_set(err, AWS_ERR_PARAM, "InvalidFaults",
                   "--faults: %s in '%.*s' (expected e.g. "
                   "throttle=0.1,error500=0.05,reset=0.02,latency=5ms,seed=7)",
                   what, n, text);
}

static int probability(const char *v, double *out)
{
    char *end;
    errno = 0;
    double p = strtod(v, &end);
    if (end == v || *end || errno || !(p >= 0 && p <= 1))
        return -1;
    *out = p;
    return 0;
}

/* "5ms", "0.2s", "250" (milliseconds) into seconds. */
static int duration(const char *v, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    double scale = strcmp(end, "s") == 0 ? 1 : (!*end || strcmp(end, "ms") == 0) ? 1e-3 : -1;
    if (end == v || errno || scale < 0 || !(d >= 0) || d * scale > 60)
        return -1;
    *out = d * scale;
    return 0;
}

static int seed(const char *v, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long s = strtoull(v, &end, 10);
    if (end == v || *end || errno || *v == '-')
        return -1;
    *out = s;
    return 0;
}

/* One "name=value"; -1 with err. */
static int setting(endpoint_faults *f, const char *item, int n, int *seeded, aws_err *err)
{
    char name[32], value[64];
    const char *eq = memchr(item, '=', (size_t)n);
    if (!eq || eq - item >= (int)sizeof name || n - (eq - item) - 1 >= (int)sizeof value)
        return bad(err, "not name=value", item, n);
    snprintf(name, sizeof name, "%.*s", (int)(eq - item), item);
    snprintf(value, sizeof value, "%.*s", (int)(n - (eq - item) - 1), eq + 1);
    int rc = -1;
    if (strcmp(name, "throttle") == 0)
        rc = probability(value, &f->throttle);
    else if (strcmp(name, "error500") == 0)
        rc = probability(value, &f->error500);
    else if (strcmp(name, "reset") == 0)
        rc = probability(value, &f->reset);
    else if (strcmp(name, "latency") == 0)
        rc = duration(value, &f->latency);
    else if (strcmp(name, "seed") == 0)
        rc = seed(value, &f->seed), *seeded = 1;
    else
        return bad(err, "unknown fault (throttle, error500, reset, latency, seed)", item, n);
    return rc == 0 ? 0 : bad(err, "bad value", item, n);
}

int endpoint_faults_parse(const char *spec, endpoint_faults *out, aws_err *err)
{
    memset(out, 0, sizeof *out);
    int seeded = 0;
    for (const char *p = spec ? spec : ""; *p;) {
        int n = (int)strcspn(p, ",");
        if (n && setting(out, p, n, &seeded, err) != 0)
            return -1;
        p += n + (p[n] == ',');
    }
    if (out->throttle + out->error500 + out->reset > 1.0 + 1e-9)
        return bad(err, "the probabilities add up to more than 1", spec, (int)strlen(spec));
    if (!seeded)
        out->seed = (unsigned long long)time(NULL) ^ ((unsigned long long)clock() << 32);
    out->state = out->seed;
    out->active = 1;
    pthread_mutex_init(&out->lock, NULL);
    return 0;
}

void endpoint_faults_free(endpoint_faults *f)
{
    if (f && f->active)
        pthread_mutex_destroy(&f->lock);
    if (f)
        f->active = 0;
}

enum endpoint_fault endpoint_faults_draw(endpoint_faults *f)
{
    if (!f || !f->active)
        return ENDPOINT_FAULT_NONE;
    pthread_mutex_lock(&f->lock);
    double u = (double)(endpoint_random(&f->state) >> 11) * 0x1.0p-53;
    pthread_mutex_unlock(&f->lock);
    if (u < f->throttle)
        return ENDPOINT_FAULT_THROTTLE;
    if ((u -= f->throttle) < f->error500)
        return ENDPOINT_FAULT_ERROR500;
    if ((u -= f->error500) < f->reset / 2)
        return ENDPOINT_FAULT_RESET_BEFORE;
    if (u < f->reset)
        return ENDPOINT_FAULT_RESET_AFTER;
    return ENDPOINT_FAULT_NONE;
}

const char *endpoint_fault_name(int fault)
{
    static const char *const names[] = {"", "throttle", "error500", "reset-before", "reset-after"};
    return fault >= 0 && fault <= ENDPOINT_FAULT_RESET_AFTER ? names[fault] : "";
}
