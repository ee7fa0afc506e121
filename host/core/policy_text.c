/* policy_text.c - documents given as JSON text: refused with one problem at its path
 * when the text is not JSON ("This policy contains invalid Json" is IAM's text) or
 * nests deeper than POLICY_MAX_DEPTH (checked before any parser recurses), then
 * checked or compiled as trees. */
#include <stdio.h>
#include <string.h>

#include "iamsh/json.h"
#include "iamsh/utf8.h"
#include "policy_int.h"

typedef struct frame {
    int is_array, expect_key;
    size_t index;
    const char *key;
    size_t keylen;
} frame;

typedef struct scan {
    frame f[POLICY_MAX_DEPTH];
    int depth;
} scan;

static void scan_string_end(const char *t, size_t len, size_t *i, scan *s)
{
    size_t start = *i + 1, j = start;
    while (j < len && t[j] != '"')
        j += t[j] == '\\' ? 2 : 1;
    frame *f = s->depth ? &s->f[s->depth - 1] : NULL;
    if (f && !f->is_array && f->expect_key) {
        f->key = t + start;
        f->keylen = (j < len ? j : len) - start;
        f->expect_key = 0;
    }
    *i = j;
}

/* Walk text[0..stop) keeping the containers open at stop (s). The offset where a
 * container would open deeper than POLICY_MAX_DEPTH, or (size_t)-1. */
static size_t scan_to(const char *t, size_t len, size_t stop, scan *s)
{
    s->depth = 0;
    for (size_t i = 0; i < len && i < stop; i++) {
        char c = t[i];
        frame *top = s->depth ? &s->f[s->depth - 1] : NULL;
        if (c == '"') {
            scan_string_end(t, len, &i, s);
        } else if (c == '{' || c == '[') {
            if (s->depth == POLICY_MAX_DEPTH)
                return i;
            s->f[s->depth++] = (frame){c == '[', c == '{', 1, NULL, 0};
        } else if ((c == '}' || c == ']') && top) {
            s->depth--;
        } else if (c == ',' && top) {
            top->index++;
            top->expect_key = !top->is_array;
            top->key = NULL;
        }
    }
    return (size_t)-1;
}

static void scan_path(const scan *s, char *path, size_t cap)
{
    path[0] = '\0';
    for (int k = 0; k < s->depth; k++) {
        const frame *f = &s->f[k];
        if (f->is_array) {
            policy_path_index(path, cap, f->index);
        } else if (f->key) {
            char key[128];
            snprintf(key, sizeof key, "%.*s", (int)f->keylen, f->key);
            policy_path_key(path, cap, key);
        }
    }
}

static void line_col(const char *t, size_t pos, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < pos; i++) {
        if (t[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* The document's tree, or NULL with one problem in w (text not JSON, too deep). */
static cJSON *parse_text(pwalk *w, const char *text, size_t len)
{
    scan s;
    size_t deep = scan_to(text, len, len, &s), pos = 0, line, col;
    if (deep != (size_t)-1) {
        scan_path(&s, w->path, sizeof w->path);
        policy_walk_problem(w, 1, POL_MALFORMED, "%s The policy is nested deeper than %d levels",
                            POL_SYNTAX, POLICY_MAX_DEPTH);
        return NULL;
    }
    if (!utf8_valid(text, len)) {
        policy_walk_problem(w, 1, POL_MALFORMED, "This policy contains invalid Json (not UTF-8)");
        return NULL;
    }
    cJSON *doc = json_parse_all(text, len, &pos);
    if (!doc) {
        scan_to(text, len, pos, &s);
        scan_path(&s, w->path, sizeof w->path);
        line_col(text, pos < len ? pos : len, &line, &col);
        policy_walk_problem(w, 1, POL_MALFORMED,
                            "This policy contains invalid Json (line %zu, column %zu)", line, col);
    }
    return doc;
}

int policy_check_text(const char *text, size_t len, enum policy_kind kind, policy_problems *out,
                      aws_err *err)
{
    pwalk w = {.kind = kind, .out = out};
    cJSON *doc = parse_text(&w, text ? text : "", text ? len : 0);
    int rc =
        w.oom ? err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "policy check: out of memory") : 0;
    if (doc)
        rc = policy_check(doc, kind, out, err);
    cJSON_Delete(doc);
    return rc;
}

int policy_compile_text(const char *text, size_t len, enum policy_kind kind, const char *name,
                        policy **out, policy_problems *problems, aws_err *err)
{
    policy_problems mine = POLICY_PROBLEMS_INIT;
    pwalk w = {.kind = kind, .out = problems ? problems : &mine};
    *out = NULL;
    cJSON *doc = parse_text(&w, text ? text : "", text ? len : 0);
    int rc;
    if (doc) {
        rc = policy_compile(doc, kind, name, out, problems, err);
    } else if (w.oom || w.out->n == 0) {
        rc = err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "policy compile: out of memory");
    } else {
        const policy_problem *p = &w.out->v[w.out->n - 1];
        rc = err_set(err, AWS_ERR_PARAM, POL_MALFORMED, "%s%s%s", p->path, p->path[0] ? ": " : "",
                     p->message);
    }
    cJSON_Delete(doc);
    policy_problems_free(&mine);
    return rc;
}
