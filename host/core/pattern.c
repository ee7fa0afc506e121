/* pattern.c - the "pattern" of a string shape in AWS's models, matched with PCRE2.
 *
 * AWS's patterns are Java regular expressions checked with String.matches(): the whole
 * string must match, \w \d \s are ASCII, \p{L} and friends are Unicode. PCRE2 in UTF
 * mode without UCP has exactly those classes; PCRE2_ANCHORED | PCRE2_ENDANCHORED make
 * a match a full match. Java's \uXXXX escapes are rewritten to \x{...} when the model
 * tables are generated (tools/genmodel.c, which also compiles every pattern), so the
 * texts that reach this file are PCRE2 syntax.
 *
 * Each pattern text is compiled the first time it is used and kept for the life of
 * the process (the models have 36); matching runs under a match limit and a depth
 * limit, so a pathological pattern and input cost a bounded amount of work. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "iamsh/pattern.h"

#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPTIONS (PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_DOLLAR_ENDONLY)
#define MATCH_LIMIT 2000000 /* far above what any model pattern needs on max-length input */
#define DEPTH_LIMIT 4000    /* backtracking frames */
#define SLOTS 128           /* compiled patterns kept; more are compiled per call */

static struct slot {
    char *text;
    pcre2_code *code;
} slots[SLOTS];
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;

static pcre2_code *compile(const char *pattern, int *code, size_t *offset)
{
    return pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, OPTIONS, code, offset, NULL);
}

static unsigned long hash(const char *s)
{
    unsigned long h = 5381;
    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h;
}

/* The cached program for pattern, compiled now if it is new; NULL if it does not
 * compile, or if the table is full (then *uncached gets a program to free). */
static pcre2_code *lookup_locked(const char *pattern, pcre2_code **uncached)
{
    int code;
    size_t offset;
    unsigned long h = hash(pattern);
    for (size_t i = 0; i < SLOTS; i++) {
        struct slot *s = &slots[(h + i) % SLOTS];
        if (s->text && strcmp(s->text, pattern) == 0)
            return s->code;
        if (s->text)
            continue;
        pcre2_code *re = compile(pattern, &code, &offset);
        char *copy = re ? strdup(pattern) : NULL;
        if (!copy) {
            pcre2_code_free(re);
            return NULL;
        }
        s->text = copy;
        s->code = re;
        return re;
    }
    return *uncached = compile(pattern, &code, &offset);
}

static pcre2_code *lookup(const char *pattern, pcre2_code **uncached)
{
    *uncached = NULL;
    pthread_mutex_lock(&slots_lock);
    pcre2_code *re = lookup_locked(pattern, uncached);
    pthread_mutex_unlock(&slots_lock);
    return re;
}

/* pcre2_match's answer as 1 (match), 0 (no match; invalid UTF-8 never matches) or
 * -1 (a limit was hit, or memory ran out). */
static int verdict(int rc)
{
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH || (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21))
        return 0;
    return -1;
}

/* A thread's match context (the limits) and match data, made on its first match and
 * kept until it ends: a new pair for each match, with the backtracking frames PCRE2
 * allocates in the data on first use, cost more than matching a model's pattern (the
 * depth limit bounds what the frames can grow to). */
typedef struct matcher {
    pcre2_match_context *mc;
    pcre2_match_data *md;
} matcher;

static pthread_key_t matcher_key;
static pthread_once_t matcher_once = PTHREAD_ONCE_INIT;
static int matcher_keyed;

static void matcher_free(void *p)
{
    matcher *m = p;
    if (m) {
        pcre2_match_data_free(m->md);
        pcre2_match_context_free(m->mc);
        free(m);
    }
}

static void matcher_make_key(void)
{
    matcher_keyed = pthread_key_create(&matcher_key, matcher_free) == 0;
}

/* The thread's matcher; NULL when out of memory. */
static matcher *thread_matcher(void)
{
    pthread_once(&matcher_once, matcher_make_key);
    matcher *m = matcher_keyed ? pthread_getspecific(matcher_key) : NULL;
    if (m || !matcher_keyed)
        return m;
    if ((m = calloc(1, sizeof *m)) == NULL)
        return NULL;
    m->mc = pcre2_match_context_create(NULL);
    m->md = pcre2_match_data_create(1, NULL);
    if (!m->mc || !m->md || pthread_setspecific(matcher_key, m) != 0) {
        matcher_free(m);
        return NULL;
    }
    pcre2_set_match_limit(m->mc, MATCH_LIMIT);
    pcre2_set_depth_limit(m->mc, DEPTH_LIMIT);
    return m;
}

static int run(const pcre2_code *re, const char *s, size_t len)
{
    matcher *m = thread_matcher();
    if (!m)
        return verdict(PCRE2_ERROR_NOMEMORY);
    return verdict(pcre2_match(re, (PCRE2_SPTR)(s ? s : ""), len, 0, 0, m->md, m->mc));
}

int pattern_match(const char *pattern, const char *s, size_t len)
{
    pcre2_code *uncached = NULL;
    const pcre2_code *re = pattern ? lookup(pattern, &uncached) : NULL;
    int rc = re ? run(re, s, len) : -1;
    pcre2_code_free(uncached);
    return rc;
}

int pattern_check(const char *pattern, char *why, size_t nwhy)
{
    int code;
    size_t offset;
    pcre2_code *re = compile(pattern, &code, &offset);
    if (re) {
        pcre2_code_free(re);
        return 0;
    }
    unsigned char msg[256];
    pcre2_get_error_message(code, msg, sizeof msg);
    snprintf(why, nwhy, "at offset %zu: %s", offset, (const char *)msg);
    return -1;
}
