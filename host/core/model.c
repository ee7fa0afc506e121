/* model.c - lookups over the generated model tables (model_gen_*.c). */
#include "iamsh/model.h"

#include <string.h>

const model_service *model_service_find(const char *name)
{
    if (!name)
        return NULL;
    if (strcmp(name, "iam") == 0)
        return &model_service_iam;
    if (strcmp(name, "sts") == 0)
        return &model_service_sts;
    return NULL;
}

static const char *op_key(const model_op *op, int snake)
{
    return snake ? op->snake : op->name;
}

/* Index (into idx) of the first op whose name is >= key. */
static size_t op_lower_bound(const model_service *svc, const char *key, int snake)
{
    const unsigned short *idx = snake ? svc->ops_by_snake : svc->ops_by_name;
    size_t lo = 0, hi = svc->nops;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(op_key(&svc->ops[idx[mid]], snake), key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const model_op *op_search(const model_service *svc, const char *name, int snake)
{
    const unsigned short *idx = snake ? svc->ops_by_snake : svc->ops_by_name;
    size_t i = op_lower_bound(svc, name, snake);
    if (i < svc->nops && strcmp(op_key(&svc->ops[idx[i]], snake), name) == 0)
        return &svc->ops[idx[i]];
    return NULL;
}

/* Wire names start with an upper-case letter, snake names never do. */
const model_op *model_op_find(const model_service *svc, const char *name)
{
    if (!svc || !name || !*name)
        return NULL;
    int snake = !(name[0] >= 'A' && name[0] <= 'Z');
    return op_search(svc, name, snake);
}

const model_member *model_member_find(const model_shape *s, const char *name)
{
    if (!s || !name)
        return NULL;
    for (unsigned i = 0; i < s->nmembers; i++)
        if (strcmp(s->members[i].name, name) == 0)
            return &s->members[i];
    return NULL;
}

const model_shape *model_shape_find(const model_service *svc, const char *name)
{
    if (!svc || !name)
        return NULL;
    for (unsigned i = 0; i < svc->nshapes; i++)
        if (strcmp(svc->shapes[i].name, name) == 0)
            return &svc->shapes[i];
    return NULL;
}

const model_paginator *model_paginator_find(const model_service *svc, const char *op)
{
    const model_op *o = model_op_find(svc, op);
    return o ? o->paginator : NULL;
}

const model_waiter *model_waiter_find(const model_service *svc, const char *name)
{
    if (!svc || !name)
        return NULL;
    for (unsigned i = 0; i < svc->nwaiters; i++) {
        const model_waiter *w = &svc->waiters[i];
        if (strcmp(w->name, name) == 0 || strcmp(w->snake, name) == 0)
            return w;
    }
    return NULL;
}

const model_error *model_error_find(const model_service *svc, const char *code)
{
    if (!svc || !code)
        return NULL;
    for (unsigned i = 0; i < svc->nerrors; i++) {
        const model_error *e = &svc->errors[i];
        if (strcmp(e->code, code) == 0 || strcmp(e->shape, code) == 0)
            return e;
    }
    return NULL;
}

const char *model_op_name_at(const model_service *svc, size_t i, int snake)
{
    if (!svc || i >= svc->nops)
        return NULL;
    const unsigned short *idx = snake ? svc->ops_by_snake : svc->ops_by_name;
    return op_key(&svc->ops[idx[i]], snake);
}

const char *model_type_name(int type)
{
    static const char *names[] = {"?",    "structure", "list",      "map",  "string", "integer",
                                  "long", "boolean",   "timestamp", "blob", "double", "float"};
    if (type < 0 || type > MODEL_FLOAT)
        return "?";
    return names[type];
}

int model_is_sensitive(const model_shape *s)
{
    return s && (s->flags & MODEL_F_SENSITIVE);
}

int model_is_policy(const model_shape *s)
{
    return s && (s->flags & MODEL_F_POLICY);
}

int model_op_is_read_only(const model_op *op)
{
    static const char *const prefixes[] = {"Get", "List", "Simulate", NULL};
    if (strcmp(op->svc->name, "sts") == 0)
        return 1; /* STS changes no account state */
    for (int i = 0; prefixes[i]; i++)
        if (strncmp(op->name, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}
