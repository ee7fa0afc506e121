/* genmodel - turn AWS's service model JSON into compact static C tables.
 *
 *   genmodel SVC MODEL_DIR OUT.c
 *
 * MODEL_DIR holds service-2.json and, when present, paginators-1.json and
 * waiters-2.json (botocore's data layout). The output has no documentation
 * text, only what validation, Query serialisation, XML decoding, pagination
 * and waiters need (types in include/iamsh/model.h). Output is deterministic:
 * the model's order is kept (JSON object order of the file), and the two
 * operation lookup indexes are sorted with strcmp. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cJSON.h>

#include "iamsh/model.h"
#include "iamsh/pattern.h"

typedef struct gen {
    const char *svc;
    cJSON *model, *pag, *wait;
    cJSON *shapes, *ops; /* the model's objects */
    int nshapes, nops;
    FILE *out;
} gen;

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "genmodel: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static cJSON *read_json(const char *dir, const char *file, int optional)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (optional)
            return NULL;
        die("cannot open", path);
    }
    size_t cap = 1 << 20, len = 0, n;
    char *text = malloc(cap);
    while (text && (n = fread(text + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap)
            text = realloc(text, cap *= 2);
    }
    fclose(f);
    if (!text)
        die("out of memory", NULL);
    cJSON *j = cJSON_ParseWithLength(text, len);
    free(text);
    if (!j)
        die("bad JSON in", path);
    return j;
}

/* botocore.xform_name: "ListMFADevices" -> "list_mfa_devices". Three steps, each
 * a regex substitution in botocore, re-done by hand with the same left-to-right,
 * non-overlapping semantics:
 *   1. a trailing [A-Z]{2,}s (pluralised acronym) becomes "_" + lower-case;
 *   2. (.)([A-Z][a-z]+)  -> \1_\2
 *   3. ([a-z0-9])([A-Z]) -> \1_\2, then everything lower-cased. */
static void xform_special(const char *in, char *out)
{
    size_t n = strlen(in);
    strcpy(out, in);
    if (n < 3 || in[n - 1] != 's' || !isupper((unsigned char)in[n - 2]))
        return;
    size_t start = n - 1;
    while (start > 0 && isupper((unsigned char)in[start - 1]))
        start--;
    if (n - 1 - start < 2)
        return;
    size_t o = start;
    out[o++] = '_';
    for (size_t i = start; i < n; i++)
        out[o++] = (char)tolower((unsigned char)in[i]);
    out[o] = '\0';
}

static void xform_first_cap(const char *in, char *out)
{
    size_t n = strlen(in), o = 0, i = 0;
    while (i < n) {
        size_t j = i + 2;
        if (i + 2 < n && in[i] != '\n' && isupper((unsigned char)in[i + 1]) &&
            islower((unsigned char)in[i + 2])) {
            while (j < n && islower((unsigned char)in[j]))
                j++;
            out[o++] = in[i];
            out[o++] = '_';
            memcpy(out + o, in + i + 1, j - i - 1);
            o += j - i - 1;
            i = j;
        } else {
            out[o++] = in[i++];
        }
    }
    out[o] = '\0';
}

static void xform_end_cap(const char *in, char *out)
{
    size_t n = strlen(in), o = 0, i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)in[i];
        if (i + 1 < n && (islower(c) || isdigit(c)) && isupper((unsigned char)in[i + 1])) {
            out[o++] = (char)c;
            out[o++] = '_';
            out[o++] = (char)tolower((unsigned char)in[i + 1]);
            i += 2;
        } else {
            out[o++] = (char)tolower(c);
            i++;
        }
    }
    out[o] = '\0';
}

static char *xform_name(const char *name)
{
    size_t n = strlen(name);
    char *a = malloc(2 * n + 4), *b = malloc(4 * n + 8), *c = malloc(8 * n + 16);
    if (!a || !b || !c)
        die("out of memory", NULL);
    if (strchr(name, '_')) {
        strcpy(c, name);
    } else {
        xform_special(name, a);
        xform_first_cap(a, b);
        xform_end_cap(b, c);
    }
    free(a);
    free(b);
    return c;
}

/* --- emitting C --- */

static void put_str(FILE *f, const char *s)
{
    if (!s) {
        fputs("NULL", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f || *p == '?')
            fprintf(f, "\\%03o", *p); /* octal: never swallows following digits */
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static const char *jstr(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int hex_digit(char c)
{
    return isxdigit((unsigned char)c) ? (isdigit((unsigned char)c) ? c - '0' : (c | 32) - 'a' + 10)
                                      : -1;
}

/* The hex digits of a Java \u escape at s: four, or up to six while the value stays a
 * code point (STS writes the supplementary planes as \u10000-\u10FFFF, which Java would
 * read as \u1000 then "0"; the intent is plain). 0 when fewer than four. */
static size_t u_escape_digits(const char *s)
{
    unsigned v = 0;
    size_t n = 0;
    while (n < 6 && hex_digit(s[n]) >= 0 && v * 16 + (unsigned)hex_digit(s[n]) <= 0x10FFFF)
        v = v * 16 + (unsigned)hex_digit(s[n++]);
    return n >= 4 ? n : 0;
}

/* AWS's patterns are Java regular expressions; PCRE2 reads the same syntax except
 * \uXXXX, written \x{XXXX} there. The result is checked to compile (the core matches
 * with PCRE2, pattern.c): a pattern it cannot read stops the generator. */
static char *pcre2_pattern(const char *java)
{
    size_t n = strlen(java), o = 0;
    char *out = malloc(3 * n + 1), why[300];
    if (!out)
        die("out of memory", NULL);
    for (size_t i = 0; i < n; i++) {
        size_t digits = java[i] == '\\' && java[i + 1] == 'u' ? u_escape_digits(java + i + 2) : 0;
        if (digits) {
            o += (size_t)sprintf(out + o, "\\x{%.*s}", (int)digits, java + i + 2);
            i += 1 + digits;
        } else {
            out[o++] = java[i];
            if (java[i] == '\\' && i + 1 < n)
                out[o++] = java[++i]; /* an escaped character stays as it is */
        }
    }
    out[o] = '\0';
    if (pattern_check(out, why, sizeof why) != 0) {
        fprintf(stderr, "genmodel: pattern %s (from %s) does not compile %s\n", out, java, why);
        exit(1);
    }
    return out;
}

static int shape_index(const gen *g, const char *name)
{
    int i = 0;
    for (const cJSON *s = g->shapes->child; s; s = s->next, i++)
        if (strcmp(s->string, name) == 0)
            return i;
    die("unknown shape", name);
    return -1;
}

static int shape_type(const char *t)
{
    static const char *names[] = {"structure", "list",      "map",  "string", "integer", "long",
                                  "boolean",   "timestamp", "blob", "double", "float"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(t, names[i]) == 0)
            return (int)i + MODEL_STRUCTURE;
    die("unsupported shape type", t);
    return 0;
}

/* The policy-document shapes: IAM's policyDocumentType (botocore's
 * json_decode_policies keys on exactly this name) and STS's session policy
 * shapes, which carry the same JSON policy grammar as input. Other *Policy*
 * string shapes are names, ARNs, enums or messages, not documents. */
static int is_policy_shape(const char *name)
{
    return strcmp(name, "policyDocumentType") == 0 ||
           strcmp(name, "sessionPolicyDocumentType") == 0 ||
           strcmp(name, "unrestrictedSessionPolicyDocumentType") == 0;
}

static int is_required(const cJSON *shape, const char *member)
{
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(shape, "required");
    const cJSON *r;
    cJSON_ArrayForEach(r,
                       req) if (cJSON_IsString(r) && strcmp(r->valuestring, member) == 0) return 1;
    return 0;
}

static int is_true(const cJSON *obj, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static void emit_enums(gen *g)
{
    int total = 0;
    for (const cJSON *s = g->shapes->child; s; s = s->next)
        total += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(s, "enum"));
    if (total == 0)
        return;
    fprintf(g->out, "static const char *const %s_enums[] = {\n", g->svc);
    int n = 0;
    for (const cJSON *s = g->shapes->child; s; s = s->next) {
        const cJSON *e, *en = cJSON_GetObjectItemCaseSensitive(s, "enum");
        cJSON_ArrayForEach(e, en)
        {
            fputs("    ", g->out);
            put_str(g->out, e->valuestring);
            fputs(",\n", g->out);
            n++;
        }
    }
    if (n == 0)
        fputs("    NULL,\n", g->out);
    fputs("};\n\n", g->out);
}

static void emit_members(gen *g)
{
    fprintf(g->out, "static const model_member %s_members[] = {\n", g->svc);
    int n = 0;
    for (const cJSON *s = g->shapes->child; s; s = s->next) {
        const cJSON *m, *mem = cJSON_GetObjectItemCaseSensitive(s, "members");
        cJSON_ArrayForEach(m, mem)
        {
            int fl = (is_required(s, m->string) ? MODEL_M_REQUIRED : 0) |
                     (is_true(m, "flattened") ? MODEL_M_FLATTENED : 0);
            fputs("    {", g->out);
            put_str(g->out, m->string);
            fputs(", ", g->out);
            put_str(g->out, jstr(m, "locationName"));
            fprintf(g->out, ", S(%d), %d},\n", shape_index(g, jstr(m, "shape")), fl);
            n++;
        }
    }
    if (n == 0)
        fputs("    {NULL, NULL, NULL, 0},\n", g->out);
    fputs("};\n\n", g->out);
}

static void emit_ref(gen *g, const cJSON *s, const char *key)
{
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(s, key);
    if (ref)
        fprintf(g->out, "S(%d), ", shape_index(g, jstr(ref, "shape")));
    else
        fputs("NULL, ", g->out);
}

static void emit_ref_name(gen *g, const cJSON *s, const char *key)
{
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(s, key);
    put_str(g->out, ref ? jstr(ref, "locationName") : NULL);
    fputs(", ", g->out);
}

static int shape_flags(const cJSON *s, int type)
{
    int f = 0;
    if (is_true(s, "sensitive"))
        f |= MODEL_F_SENSITIVE;
    if (type == MODEL_STRING && is_policy_shape(s->string))
        f |= MODEL_F_POLICY;
    if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(s, "min")))
        f |= MODEL_F_HAS_MIN;
    if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(s, "max")))
        f |= MODEL_F_HAS_MAX;
    if (is_true(s, "flattened"))
        f |= MODEL_F_FLATTENED;
    if (is_true(s, "exception"))
        f |= MODEL_F_EXCEPTION;
    if (is_true(s, "union"))
        f |= MODEL_F_UNION;
    return f;
}

static long long jnum(const cJSON *s, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, key);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

static void emit_shapes(gen *g)
{
    fprintf(g->out, "/* name, pattern, members, enums, member/key, value, member/key name,\n"
                    " * value name, min, max, nmembers, nenums, type, flags */\n");
    fprintf(g->out, "static const model_shape %s_shapes[%d] = {\n", g->svc, g->nshapes);
    int mfirst = 0, efirst = 0, i = 0;
    for (const cJSON *s = g->shapes->child; s; s = s->next, i++) {
        int type = shape_type(jstr(s, "type"));
        int nm = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(s, "members"));
        int ne = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(s, "enum"));
        fprintf(g->out, "    /* %d */ {", i);
        put_str(g->out, s->string);
        fputs(", ", g->out);
        char *pattern = jstr(s, "pattern") ? pcre2_pattern(jstr(s, "pattern")) : NULL;
        put_str(g->out, pattern);
        free(pattern);
        if (nm)
            fprintf(g->out, ", %s_members + %d, ", g->svc, mfirst);
        else
            fputs(", NULL, ", g->out);
        if (ne)
            fprintf(g->out, "%s_enums + %d, ", g->svc, efirst);
        else
            fputs("NULL, ", g->out);
        emit_ref(g, s, type == MODEL_MAP ? "key" : "member");
        emit_ref(g, s, "value");
        emit_ref_name(g, s, type == MODEL_MAP ? "key" : "member");
        emit_ref_name(g, s, "value");
        fprintf(g->out, "%lldLL, %lldLL, %d, %d, %d, %d},\n", jnum(s, "min"), jnum(s, "max"), nm,
                ne, type, shape_flags(s, type));
        mfirst += nm;
        efirst += ne;
    }
    fputs("};\n\n", g->out);
}

/* Errors: every exception shape, model order. */
static int error_index(gen *g, const char *shape)
{
    int i = 0;
    for (const cJSON *s = g->shapes->child; s; s = s->next) {
        if (!is_true(s, "exception"))
            continue;
        if (strcmp(s->string, shape) == 0)
            return i;
        i++;
    }
    die("operation error is not an exception shape", shape);
    return -1;
}

static int emit_errors(gen *g)
{
    fprintf(g->out, "static const model_error %s_errors[] = {\n", g->svc);
    int n = 0;
    for (const cJSON *s = g->shapes->child; s; s = s->next) {
        if (!is_true(s, "exception"))
            continue;
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(s, "error");
        const char *code = jstr(e, "code");
        fputs("    {", g->out);
        put_str(g->out, s->string);
        fputs(", ", g->out);
        put_str(g->out, code ? code : s->string);
        fprintf(g->out, ", %lld, %d},\n", jnum(e, "httpStatusCode"), is_true(e, "senderFault"));
        n++;
    }
    if (n == 0)
        fputs("    {NULL, NULL, 0, 0},\n", g->out);
    fputs("};\n\n", g->out);
    return n;
}

static void emit_op_errors(gen *g)
{
    fprintf(g->out, "static const unsigned short %s_op_errors[] = {\n    ", g->svc);
    int n = 0;
    for (const cJSON *o = g->ops->child; o; o = o->next) {
        const cJSON *e, *errs = cJSON_GetObjectItemCaseSensitive(o, "errors");
        cJSON_ArrayForEach(e, errs)
        {
            fprintf(g->out, "%d,%s", error_index(g, jstr(e, "shape")), ++n % 16 ? " " : "\n    ");
        }
    }
    if (n == 0)
        fputs("0", g->out);
    fputs("\n};\n\n", g->out);
}

static int paginator_index(gen *g, const char *op)
{
    const cJSON *pages = cJSON_GetObjectItemCaseSensitive(g->pag, "pagination");
    int i = 0;
    for (const cJSON *p = pages ? pages->child : NULL; p; p = p->next, i++)
        if (strcmp(p->string, op) == 0)
            return i;
    return -1;
}

static int op_index(gen *g, const char *name)
{
    int i = 0;
    for (const cJSON *o = g->ops->child; o; o = o->next, i++)
        if (strcmp(o->string, name) == 0)
            return i;
    die("unknown operation", name);
    return -1;
}

/* authtype "none": the operation is sent unsigned (STS's AssumeRoleWithWebIdentity and
 * AssumeRoleWithSAML, whose token or assertion is the proof). */
static int op_flags(const cJSON *op)
{
    const char *auth = jstr(op, "authtype");
    return auth && strcmp(auth, "none") == 0 ? MODEL_OP_UNSIGNED : 0;
}

static void emit_ops(gen *g)
{
    fprintf(g->out, "/* name, snake, input, output, resultWrapper, errors, nerrors, paginator, "
                    "svc, flags */\n");
    fprintf(g->out, "static const model_op %s_ops[%d] = {\n", g->svc, g->nops);
    int efirst = 0;
    for (const cJSON *o = g->ops->child; o; o = o->next) {
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(o, "input");
        const cJSON *out = cJSON_GetObjectItemCaseSensitive(o, "output");
        int ne = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "errors"));
        char *snake = xform_name(o->string);
        fputs("    {", g->out);
        put_str(g->out, o->string);
        fputs(", ", g->out);
        put_str(g->out, snake);
        free(snake);
        fputs(", ", g->out);
        if (in)
            fprintf(g->out, "S(%d), ", shape_index(g, jstr(in, "shape")));
        else
            fputs("NULL, ", g->out);
        if (out)
            fprintf(g->out, "S(%d), ", shape_index(g, jstr(out, "shape")));
        else
            fputs("NULL, ", g->out);
        put_str(g->out, out ? jstr(out, "resultWrapper") : NULL);
        fprintf(g->out, ", %s_op_errors + %d, %d, ", g->svc, efirst, ne);
        int p = paginator_index(g, o->string);
        if (p >= 0)
            fprintf(g->out, "&%s_paginators[%d], ", g->svc, p);
        else
            fputs("NULL, ", g->out);
        fprintf(g->out, "&model_service_%s, %d},\n", g->svc, op_flags(o));
        efirst += ne;
    }
    fputs("};\n\n", g->out);
}

static const gen *sort_gen;
static int sort_snake;

static int cmp_ops(const void *a, const void *b)
{
    const cJSON *oa = cJSON_GetArrayItem(sort_gen->ops, *(const int *)a);
    const cJSON *ob = cJSON_GetArrayItem(sort_gen->ops, *(const int *)b);
    if (!sort_snake)
        return strcmp(oa->string, ob->string);
    char *sa = xform_name(oa->string), *sb = xform_name(ob->string);
    int r = strcmp(sa, sb);
    free(sa);
    free(sb);
    return r;
}

static void emit_op_index(gen *g, int snake)
{
    int *idx = malloc(sizeof(int) * (size_t)g->nops);
    for (int i = 0; i < g->nops; i++)
        idx[i] = i;
    sort_gen = g;
    sort_snake = snake;
    qsort(idx, (size_t)g->nops, sizeof(int), cmp_ops);
    fprintf(g->out, "static const unsigned short %s_ops_by_%s[%d] = {\n    ", g->svc,
            snake ? "snake" : "name", g->nops);
    for (int i = 0; i < g->nops; i++)
        fprintf(g->out, "%d,%s", idx[i], (i + 1) % 16 ? " " : "\n    ");
    fputs("\n};\n\n", g->out);
    free(idx);
}

static void emit_str_list(gen *g, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        put_str(g->out, v->valuestring);
        fputs(", ", g->out);
        return;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, v)
    {
        put_str(g->out, e->valuestring);
        fputs(", ", g->out);
    }
}

static const char *single_token(const cJSON *p, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, key);
    if (v && !cJSON_IsString(v))
        die("only single-string pagination tokens are supported", key);
    return v ? v->valuestring : NULL;
}

static int emit_paginators(gen *g)
{
    const cJSON *pages = cJSON_GetObjectItemCaseSensitive(g->pag, "pagination");
    int n = cJSON_GetArraySize(pages), k = 0;
    if (n == 0)
        return 0;
    fprintf(g->out, "static const char *const %s_result_keys[] = {\n    ", g->svc);
    for (const cJSON *p = pages->child; p; p = p->next)
        emit_str_list(g, cJSON_GetObjectItemCaseSensitive(p, "result_key"));
    fputs("\n};\n\n", g->out);
    fprintf(g->out,
            "/* op, input_token, output_token, more_results, limit_key, result_keys, n */\n");
    fprintf(g->out, "static const model_paginator %s_paginators[%d] = {\n", g->svc, n);
    for (const cJSON *p = pages->child; p; p = p->next) {
        const cJSON *rk = cJSON_GetObjectItemCaseSensitive(p, "result_key");
        int nk = cJSON_IsString(rk) ? 1 : cJSON_GetArraySize(rk);
        fprintf(g->out, "    {&%s_ops[%d], ", g->svc, op_index(g, p->string));
        const char *keys[] = {"input_token", "output_token", "more_results", "limit_key"};
        for (int i = 0; i < 4; i++) {
            put_str(g->out, single_token(p, keys[i]));
            fputs(", ", g->out);
        }
        fprintf(g->out, "%s_result_keys + %d, %d},\n", g->svc, k, nk);
        k += nk;
    }
    fputs("};\n\n", g->out);
    return n;
}

static void emit_acceptor(gen *g, const cJSON *a)
{
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(a, "expected");
    char text[64];
    int kind = MODEL_EXP_STRING;
    double num = 0;
    const char *etext = text;
    if (cJSON_IsNumber(exp)) {
        kind = MODEL_EXP_NUMBER;
        num = exp->valuedouble;
        snprintf(text, sizeof text, "%g", num);
    } else if (cJSON_IsBool(exp)) {
        kind = MODEL_EXP_BOOL;
        num = cJSON_IsTrue(exp);
        strcpy(text, num ? "true" : "false");
    } else {
        etext = cJSON_IsString(exp) ? exp->valuestring : "";
    }
    fputs("    {", g->out);
    put_str(g->out, jstr(a, "state"));
    fputs(", ", g->out);
    put_str(g->out, jstr(a, "matcher"));
    fputs(", ", g->out);
    put_str(g->out, jstr(a, "argument"));
    fputs(", ", g->out);
    put_str(g->out, etext);
    fprintf(g->out, ", %g, %d},\n", num, kind);
}

static int emit_waiters(gen *g)
{
    const cJSON *ws = cJSON_GetObjectItemCaseSensitive(g->wait, "waiters");
    int n = cJSON_GetArraySize(ws), k = 0;
    if (n == 0)
        return 0;
    fprintf(g->out, "/* state, matcher, argument, expected, expected_num, kind */\n");
    fprintf(g->out, "static const model_acceptor %s_acceptors[] = {\n", g->svc);
    for (const cJSON *w = ws->child; w; w = w->next) {
        const cJSON *a;
        cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(w, "acceptors")) emit_acceptor(g, a);
    }
    fputs("};\n\n", g->out);
    fprintf(g->out, "static const model_waiter %s_waiters[%d] = {\n", g->svc, n);
    for (const cJSON *w = ws->child; w; w = w->next) {
        int na = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(w, "acceptors"));
        char *snake = xform_name(w->string);
        fputs("    {", g->out);
        put_str(g->out, w->string);
        fputs(", ", g->out);
        put_str(g->out, snake);
        free(snake);
        fprintf(g->out, ", &%s_ops[%d], %lld, %lld, %s_acceptors + %d, %d},\n", g->svc,
                op_index(g, jstr(w, "operation")), jnum(w, "delay"), jnum(w, "maxAttempts"), g->svc,
                k, na);
        k += na;
    }
    fputs("};\n\n", g->out);
    return n;
}

static void emit_service(gen *g, int nerr, int npag, int nwait)
{
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(g->model, "metadata");
    const char *sign = jstr(md, "signingName");
    fprintf(g->out, "const model_service model_service_%s = {\n    ", g->svc);
    put_str(g->out, g->svc);
    const char *fields[] = {"apiVersion", "endpointPrefix"};
    for (int i = 0; i < 2; i++) {
        fputs(", ", g->out);
        put_str(g->out, jstr(md, fields[i]));
    }
    fputs(", ", g->out);
    put_str(g->out, sign ? sign : jstr(md, "endpointPrefix"));
    const char *more[] = {"xmlNamespace", "globalEndpoint", "protocol", "serviceId"};
    for (int i = 0; i < 4; i++) {
        fputs(", ", g->out);
        put_str(g->out, jstr(md, more[i]));
    }
    const char *s = g->svc;
    fprintf(g->out, ",\n    %s_ops, %s_ops_by_name, %s_ops_by_snake, %s_shapes, %s_errors,\n", s, s,
            s, s, s);
    if (npag)
        fprintf(g->out, "    %s_paginators, ", s);
    else
        fputs("    NULL, ", g->out);
    if (nwait)
        fprintf(g->out, "%s_waiters,\n", s);
    else
        fputs("NULL,\n", g->out);
    fprintf(g->out, "    %d, %d, %d, %d, %d\n};\n", g->nops, g->nshapes, nerr, npag, nwait);
}

static void emit_forward(gen *g)
{
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(g->model, "metadata");
    int npag = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(g->pag, "pagination"));
    fprintf(g->out,
            "/* Generated by tools/genmodel from AWS's %s %s service model (botocore data,\n"
            " * Apache-2.0; see host/core/MODELS-NOTICE). Do not edit: run `cmake --build\n"
            " * <dir> --target model` to regenerate. */\n"
            "#include \"iamsh/model.h\"\n\n"
            "#define S(i) (&%s_shapes[i])\n\n"
            "static const model_shape %s_shapes[%d];\n"
            "static const model_op %s_ops[%d];\n",
            g->svc, jstr(md, "apiVersion"), g->svc, g->svc, g->nshapes, g->svc, g->nops);
    if (npag)
        fprintf(g->out, "static const model_paginator %s_paginators[%d];\n", g->svc, npag);
    fputs("\n", g->out);
}

/* --- genmodel --secrets OUT.c MODEL_DIR...: the member names whose shape is
 * sensitive, in every service given, as data for the redactor (host/core, base
 * layer: it may not use the model itself, so the names are generated for it). */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Adds the names of s's members whose target shape is sensitive (and their wire
 * names) to names[*n]. */
static void sensitive_members(const cJSON *shapes, const cJSON *s, const char **names, int *n,
                              int cap)
{
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(s, "members");
    for (const cJSON *m = members ? members->child : NULL; m; m = m->next) {
        const cJSON *target = cJSON_GetObjectItemCaseSensitive(shapes, jstr(m, "shape"));
        if (!target || !(is_true(target, "sensitive") || is_true(m, "sensitive")))
            continue;
        const char *wire = jstr(m, "locationName");
        if (*n + 2 > cap)
            die("too many sensitive members", NULL);
        names[(*n)++] = m->string;
        if (wire && strcmp(wire, m->string) != 0)
            names[(*n)++] = wire;
    }
}

static int gen_secrets(int argc, char **argv)
{
    enum { CAP = 4096 };
    static const char *names[CAP];
    cJSON *models[16];
    int n = 0, nmodels = 0;
    if (argc < 4 || argc - 3 > 16) {
        fprintf(stderr, "usage: genmodel --secrets OUT.c MODEL_DIR...\n");
        return 2;
    }
    for (int i = 3; i < argc; i++) {
        cJSON *model = models[nmodels++] = read_json(argv[i], "service-2.json", 0);
        const cJSON *shapes = cJSON_GetObjectItemCaseSensitive(model, "shapes");
        for (const cJSON *s = shapes ? shapes->child : NULL; s; s = s->next)
            sensitive_members(shapes, s, names, &n, CAP);
    }
    qsort(names, (size_t)n, sizeof names[0], cmp_names);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[2]);
    FILE *out = fopen(tmp, "w");
    if (!out)
        die("cannot write", tmp);
    fputs("/* Generated by tools/genmodel --secrets from AWS's service models: the member\n"
          " * names whose shape the models mark sensitive. Do not edit. */\n"
          "#include \"iamsh/redact.h\"\n\n"
          "const char *const redact_model_names[] = {\n",
          out);
    for (int i = 0; i < n; i++)
        if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
            fprintf(out, "    \"%s\",\n", names[i]);
    fputs("    NULL,\n};\n", out);
    if (fclose(out) != 0 || rename(tmp, argv[2]) != 0)
        die("cannot write", argv[2]);
    for (int i = 0; i < nmodels; i++)
        cJSON_Delete(models[i]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--secrets") == 0)
        return gen_secrets(argc, argv);
    if (argc != 4) {
        fprintf(stderr, "usage: genmodel SVC MODEL_DIR OUT.c\n");
        return 2;
    }
    gen g = {.svc = argv[1]};
    g.model = read_json(argv[2], "service-2.json", 0);
    g.pag = read_json(argv[2], "paginators-1.json", 1);
    g.wait = read_json(argv[2], "waiters-2.json", 1);
    g.shapes = cJSON_GetObjectItemCaseSensitive(g.model, "shapes");
    g.ops = cJSON_GetObjectItemCaseSensitive(g.model, "operations");
    g.nshapes = cJSON_GetArraySize(g.shapes);
    g.nops = cJSON_GetArraySize(g.ops);
    if (g.nshapes == 0 || g.nops == 0 || g.nshapes > 65535)
        die("no shapes/operations (or too many) in", argv[2]);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[3]);
    g.out = fopen(tmp, "w");
    if (!g.out)
        die("cannot write", tmp);
    emit_forward(&g);
    emit_enums(&g);
    emit_members(&g);
    emit_shapes(&g);
    int nerr = emit_errors(&g);
    emit_op_errors(&g);
    int npag = emit_paginators(&g);
    emit_ops(&g);
    emit_op_index(&g, 0);
    emit_op_index(&g, 1);
    int nwait = emit_waiters(&g);
    emit_service(&g, nerr, npag, nwait);
    if (fclose(g.out) != 0 || rename(tmp, argv[3]) != 0)
        die("cannot write", argv[3]);
    cJSON_Delete(g.model);
    cJSON_Delete(g.pag);
    cJSON_Delete(g.wait);
    return 0;
}
