/* policy_arena.c - the engine's small pieces: the arena a compiled policy lives in,
 * problem lists and their paths, and the names of kinds and decisions. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iamsh/array.h"
#include "policy_int.h"

/* --- arena: chunks of at least 4 KiB, 16-byte aligned pieces --- */

struct pol_chunk {
    pol_chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void *policy_arena_alloc(pol_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    pol_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 4096 ? n : 4096;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *policy_arena_strndup(pol_arena *a, const char *s, size_t n)
{
    char *p = policy_arena_alloc(a, n + 1);
    if (p)
        memcpy(p, s, n);
    return p;
}

char *policy_arena_strdup(pol_arena *a, const char *s)
{
    return policy_arena_strndup(a, s, strlen(s));
}

char *policy_arena_strdup_lower(pol_arena *a, const char *s)
{
    char *p = policy_arena_strdup(a, s);
    for (char *q = p; q && *q; q++)
        *q = (char)tolower((unsigned char)*q);
    return p;
}

void policy_arena_free(pol_arena *a)
{
    while (a->head) {
        pol_chunk *next = a->head->next;
        free(a->head);
        a->head = next;
    }
}

/* --- problems --- */

void policy_problems_free(policy_problems *p)
{
    if (!p)
        return;
    free(p->v);
    p->v = NULL;
    p->n = p->cap = 0;
}

static int problems_grow(policy_problems *p)
{
    policy_problem *v = array_grow(p->v, &p->cap, p->n, sizeof *v, 8);
    if (!v)
        return -1;
    p->v = v;
    return 0;
}

void policy_walk_problem(pwalk *w, int fatal, const char *code, const char *fmt, ...)
{
    w->nproblems++;
    w->nfatal += fatal != 0;
    if (!w->out || w->out->n >= POLICY_MAX_PROBLEMS)
        return;
    if (problems_grow(w->out) != 0) {
        w->oom = 1;
        return;
    }
    policy_problem *p = &w->out->v[w->out->n++];
    snprintf(p->path, sizeof p->path, "%s", w->path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof p->message, fmt, ap);
    va_end(ap);
    p->code = code;
    p->fatal = fatal != 0;
}

/* --- paths: Statement[2].Condition.StringEquals["aws:username"] --- */

static int plain_name(const char *k)
{
    if (!(isalpha((unsigned char)*k) || *k == '_'))
        return 0;
    for (; *k; k++)
        if (!(isalnum((unsigned char)*k) || *k == '_'))
            return 0;
    return 1;
}

void policy_path_key(char *path, size_t cap, const char *key)
{
    size_t len = strlen(path);
    if (len >= cap - 1)
        return;
    if (plain_name(key))
        snprintf(path + len, cap - len, len ? ".%s" : "%s", key);
    else
        snprintf(path + len, cap - len, "[\"%s\"]", key);
}

void policy_path_index(char *path, size_t cap, size_t i)
{
    size_t len = strlen(path);
    if (len < cap - 1)
        snprintf(path + len, cap - len, "[%zu]", i);
}

size_t policy_walk_push_key(pwalk *w, const char *key)
{
    size_t mark = strlen(w->path);
    policy_path_key(w->path, sizeof w->path, key);
    return mark;
}

size_t policy_walk_push_index(pwalk *w, size_t i)
{
    size_t mark = strlen(w->path);
    policy_path_index(w->path, sizeof w->path, i);
    return mark;
}

void policy_walk_pop(pwalk *w, size_t mark)
{
    w->path[mark] = '\0';
}

/* --- names --- */

static const char *const kind_names[] = {
    [POLICY_IDENTITY] = "identity",         [POLICY_MANAGED] = "managed",
    [POLICY_INLINE_USER] = "inline_user",   [POLICY_INLINE_ROLE] = "inline_role",
    [POLICY_INLINE_GROUP] = "inline_group", [POLICY_BOUNDARY] = "boundary",
    [POLICY_SESSION] = "session",           [POLICY_TRUST] = "trust",
    [POLICY_RESOURCE] = "resource",
};

int policy_kind_parse(const char *name, enum policy_kind *out)
{
    for (size_t i = 0; name && i < sizeof kind_names / sizeof *kind_names; i++) {
        if (strcmp(name, kind_names[i]) == 0) {
            *out = (enum policy_kind)i;
            return 0;
        }
    }
    return -1;
}

const char *policy_kind_name(enum policy_kind kind)
{
    return (unsigned)kind < sizeof kind_names / sizeof *kind_names ? kind_names[kind] : "?";
}

const char *policy_decision_name(int decision)
{
    switch (decision) {
    case POLICY_ALLOW: return "allow";
    case POLICY_EXPLICIT_DENY: return "explicit_deny";
    default: return "implicit_deny";
    }
}
