/* model_redact.c - a printable copy of a decoded result: every value whose shape
 * is "sensitive" in the model (SecretAccessKey, SessionToken, passwords, private
 * keys, ...) is replaced by "<redacted>". Printers use this; the original stays
 * intact for the script. */
#include "iamsh/model.h"

static void redact_walk(const model_shape *s, cJSON *v, int depth);

static void redact_children(const model_shape *s, cJSON *v, int depth)
{
    for (cJSON *c = v->child; c; c = c->next) {
        const model_shape *cs = NULL;
        if (s->type == MODEL_STRUCTURE) {
            const model_member *m = model_member_find(s, c->string);
            cs = m ? m->shape : NULL;
        } else if (s->type == MODEL_LIST) {
            cs = s->member;
        } else if (s->type == MODEL_MAP) {
            cs = s->value;
        }
        if (cs)
            redact_walk(cs, c, depth + 1);
    }
}

static void redact_walk(const model_shape *s, cJSON *v, int depth)
{
    if (!s || !v || depth > 64)
        return;
    if (s->flags & MODEL_F_SENSITIVE) {
        cJSON *r = cJSON_CreateString("<redacted>");
        if (!r)
            return;
        /* Turn v into the string in place: swap contents, keep its place in the parent. */
        cJSON *next = v->next, *prev = v->prev;
        char *key = v->string;
        int is_const_key = v->type & cJSON_StringIsConst;
        v->string = NULL;
        cJSON tmp = *v;
        *v = *r;
        *r = tmp;
        v->next = next;
        v->prev = prev;
        v->string = key;
        v->type |= is_const_key;
        r->next = r->prev = NULL;
        r->type &= ~cJSON_StringIsConst;
        cJSON_Delete(r);
        return;
    }
    if (s->type == MODEL_STRUCTURE || s->type == MODEL_LIST || s->type == MODEL_MAP)
        redact_children(s, v, depth);
}

cJSON *model_redact(const model_shape *shape, const cJSON *value)
{
    if (!value)
        return NULL;
    cJSON *copy = cJSON_Duplicate(value, 1);
    if (copy)
        redact_walk(shape, copy, 0);
    return copy;
}
