/* policy_context.c - the request context: condition keys (case-insensitive names,
 * as "IAM JSON policy elements: Condition" documents) and their values, one or many
 * ("Single-valued vs. multivalued context keys"). Owns copies of everything. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iamsh/array.h"
#include "policy_int.h"

typedef struct ctx_key {
    char *name;
    char **values;
    size_t n, cap;
} ctx_key;

struct policy_context {
    ctx_key *keys;
    size_t n, cap;
};

policy_context *policy_context_new(void)
{
    return calloc(1, sizeof(policy_context));
}

static ctx_key *find(const policy_context *c, const char *key, size_t len)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (strlen(c->keys[i].name) == len && strncasecmp(c->keys[i].name, key, len) == 0)
            return &c->keys[i];
    return NULL;
}

static ctx_key *add_key(policy_context *c, const char *key)
{
    ctx_key *keys = array_grow(c->keys, &c->cap, c->n, sizeof *keys, 8);
    if (!keys)
        return NULL;
    c->keys = keys;
    ctx_key *k = &c->keys[c->n];
    memset(k, 0, sizeof *k);
    if (!(k->name = strdup(key)))
        return NULL;
    c->n++;
    return k;
}

int policy_context_add(policy_context *c, const char *key, const char *value)
{
    ctx_key *k = find(c, key, strlen(key));
    if (!k && !(k = add_key(c, key)))
        return -1;
    char **v = array_grow(k->values, &k->cap, k->n, sizeof *v, 2);
    if (!v)
        return -1;
    k->values = v;
    if (!(k->values[k->n] = strdup(value)))
        return -1;
    k->n++;
    return 0;
}

const char *const *policy_context_values(const policy_context *c, const char *key, size_t keylen,
                                         size_t *n)
{
    const ctx_key *k = find(c, key, keylen);
    *n = k ? k->n : 0;
    return k && k->n ? (const char *const *)k->values : NULL;
}

void policy_context_free(policy_context *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        for (size_t j = 0; j < c->keys[i].n; j++)
            free(c->keys[i].values[j]);
        free(c->keys[i].values);
        free(c->keys[i].name);
    }
    free(c->keys);
    free(c);
}
