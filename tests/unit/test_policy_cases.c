/* test_policy_cases.c - the table-driven suites of the policy engine:
 *   tests/data/policy/eval/ (*.json)   evaluation cases (documents, request, context,
 *                                   expected decision and deciding statements)
 *   tests/data/policy/check/ (*.json) grammar cases (document, kind, expected problems)
 * Every case cites the AWS documentation page or example it encodes (a group's
 * "cite" covers its cases); a case without one fails. The evaluation suite must hold
 * at least 300 cases. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "iamsh/json.h"
#include "iamsh/policy.h"

static int eval_cases, check_cases;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    fclose(f);
    if (s) {
        s[n] = '\0';
        *len = (size_t)n;
    }
    return s;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A case's field, else its group's. */
static const cJSON *field(const cJSON *c, const cJSON *g, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, k);
    return v ? v : cJSON_GetObjectItemCaseSensitive(g, k);
}

static policy *compile(const cJSON *doc, enum policy_kind kind, const char *name, const char *where)
{
    policy *p = NULL;
    aws_err err;
    if (policy_compile(doc, kind, name, &p, NULL, &err) != 0)
        fprintf(stderr, "%s: %s does not compile: %s\n", where, name, err.message);
    CHECK(p != NULL);
    return p;
}

/* --- evaluation --- */

typedef struct docs {
    policy *identity[32], *session[8], *boundary, *resource;
    size_t nidentity, nsession;
} docs;

static size_t compile_list(const cJSON *list, enum policy_kind kind, const char *label,
                           policy **out, size_t cap, const char *where)
{
    size_t n = 0;
    char name[64];
    for (const cJSON *d = list ? list->child : NULL; d && n < cap; d = d->next) {
        snprintf(name, sizeof name, "%s%zu", label, n + 1);
        out[n++] = compile(d, kind, name, where);
    }
    return n;
}

static void docs_compile(docs *d, const cJSON *g, const char *where)
{
    memset(d, 0, sizeof *d);
    d->nidentity = compile_list(cJSON_GetObjectItemCaseSensitive(g, "identity"), POLICY_IDENTITY,
                                "identity", d->identity, 32, where);
    d->nsession = compile_list(cJSON_GetObjectItemCaseSensitive(g, "session"), POLICY_SESSION,
                               "session", d->session, 8, where);
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(g, "boundary");
    if (b)
        d->boundary = compile(b, POLICY_BOUNDARY, "boundary", where);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(g, "resource_policy");
    const char *rk = str(g, "resource_kind");
    if (r)
        d->resource = compile(r, rk && strcmp(rk, "trust") == 0 ? POLICY_TRUST : POLICY_RESOURCE,
                              "resource", where);
}

static void docs_free(docs *d)
{
    for (size_t i = 0; i < d->nidentity; i++)
        policy_free(d->identity[i]);
    for (size_t i = 0; i < d->nsession; i++)
        policy_free(d->session[i]);
    policy_free(d->boundary);
    policy_free(d->resource);
}

static void add_value(policy_context *ctx, const char *key, const cJSON *v)
{
    char tmp[64];
    if (cJSON_IsString(v))
        policy_context_add(ctx, key, v->valuestring);
    else if (cJSON_IsBool(v))
        policy_context_add(ctx, key, cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNumber(v)) {
        snprintf(tmp, sizeof tmp, "%.17g", v->valuedouble);
        policy_context_add(ctx, key, tmp);
    }
}

static policy_context *make_context(const cJSON *c)
{
    policy_context *ctx = policy_context_new();
    for (const cJSON *k = c ? c->child : NULL; k; k = k->next) {
        if (cJSON_IsArray(k))
            for (const cJSON *v = k->child; v; v = v->next)
                add_value(ctx, k->string, v);
        else
            add_value(ctx, k->string, k);
    }
    return ctx;
}

/* "matched": the Sids (or "policy#index") of the deciding statements, in order. */
static void check_matched(const cJSON *want, const policy_result *r, const char *where)
{
    char got[1024] = "", exp[1024] = "";
    for (size_t i = 0; i < r->nmatched; i++) {
        const policy_match *m = &r->matched[i];
        const char *sid = policy_statement_sid(m->policy, m->index);
        size_t len = strlen(got);
        if (sid && sid[0])
            snprintf(got + len, sizeof got - len, "%s%s", len ? " " : "", sid);
        else
            snprintf(got + len, sizeof got - len, "%s%s#%zu", len ? " " : "",
                     policy_name(m->policy), m->index);
    }
    for (const cJSON *s = want->child; s; s = s->next) {
        size_t len = strlen(exp);
        snprintf(exp + len, sizeof exp - len, "%s%s", len ? " " : "", s->valuestring);
    }
    if (strcmp(got, exp) != 0)
        fprintf(stderr, "%s: matched [%s], expected [%s]\n", where, got, exp);
    CHECK(strcmp(got, exp) == 0);
}

/* A cite names the page of the IAM User Guide it encodes ("<page>.html: ..."). */
static int cites_a_page(const cJSON *cite, const char *where)
{
    int ok = cJSON_IsString(cite) && strstr(cite->valuestring, ".html") != NULL;
    if (!ok)
        fprintf(stderr, "%s: no cite of an AWS documentation page\n", where);
    return ok;
}

/* A case names only request fields (documents belong to its group). */
static void check_case_fields(const cJSON *c, const char *where)
{
    static const char *const known[] = {
        "name",    "cite",   "action",  "resource", "principal", "resource_account",
        "context", "expect", "matched", NULL};
    for (const cJSON *k = c->child; k; k = k->next) {
        size_t i = 0;
        while (known[i] && strcmp(known[i], k->string) != 0)
            i++;
        if (!known[i])
            fprintf(stderr, "%s: unknown case field %s\n", where, k->string);
        CHECK(known[i] != NULL);
    }
}

static void run_eval_case(const cJSON *c, const cJSON *g, const docs *d, const char *file)
{
    char where[512];
    const char *name = str(c, "name");
    snprintf(where, sizeof where, "%s: %s", file, name ? name : "(unnamed case)");
    check_case_fields(c, where);
    CHECK(cites_a_page(field(c, g, "cite"), where));
    policy_context *ctx = make_context(field(c, g, "context"));
    const cJSON *pr = field(c, g, "principal"), *ra = field(c, g, "resource_account");
    policy_request req = {
        .action = str(c, "action"),
        .resource = str(c, "resource"),
        .principal = cJSON_IsString(pr) ? pr->valuestring : NULL,
        .resource_account = cJSON_IsString(ra) ? ra->valuestring : NULL,
        .context = ctx,
        .identity = (const policy *const *)d->identity,
        .nidentity = d->nidentity,
        .boundary = d->boundary,
        .session = (const policy *const *)d->session,
        .nsession = d->nsession,
        .resource_policy = d->resource,
    };
    policy_result r = POLICY_RESULT_INIT;
    aws_err err;
    CHECK(policy_evaluate(&req, &r, &err) == 0);
    const char *want = str(c, "expect"), *got = policy_decision_name(r.decision);
    if (!want || strcmp(want, got) != 0)
        fprintf(stderr, "%s: got %s (%s), expected %s\n", where, got, r.reason, want ? want : "?");
    CHECK(want && strcmp(want, got) == 0);
    const cJSON *matched = cJSON_GetObjectItemCaseSensitive(c, "matched");
    if (matched)
        check_matched(matched, &r, where);
    policy_result_free(&r);
    policy_context_free(ctx);
    eval_cases++;
}

static void run_eval_file(const cJSON *root, const char *file)
{
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(root, "groups");
    CHECK(cJSON_IsArray(groups));
    for (const cJSON *g = groups ? groups->child : NULL; g; g = g->next) {
        docs d;
        docs_compile(&d, g, file);
        const cJSON *cases = cJSON_GetObjectItemCaseSensitive(g, "cases");
        for (const cJSON *c = cases ? cases->child : NULL; c; c = c->next)
            run_eval_case(c, g, &d, file);
        docs_free(&d);
    }
}

/* --- grammar --- */

static void problems_text(const policy_problems *p, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < p->n; i++) {
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%s: %s", len ? "\n  " : "", p->v[i].path,
                 p->v[i].message);
    }
}

/* "expect": [[path, message prefix], ...], all of the problems in order. */
static int problems_match(const cJSON *want, const policy_problems *got)
{
    size_t i = 0;
    for (const cJSON *w = want->child; w; w = w->next, i++) {
        const cJSON *path = cJSON_GetArrayItem(w, 0), *msg = cJSON_GetArrayItem(w, 1);
        if (i >= got->n || !cJSON_IsString(path) || !cJSON_IsString(msg) ||
            strcmp(got->v[i].path, path->valuestring) != 0 ||
            strncmp(got->v[i].message, msg->valuestring, strlen(msg->valuestring)) != 0)
            return 0;
    }
    return i == got->n;
}

static void run_check_case(const cJSON *c, const char *file)
{
    char where[512], text[4096];
    const char *name = str(c, "name"), *kind_name = str(c, "kind");
    snprintf(where, sizeof where, "%s: %s", file, name ? name : "(unnamed case)");
    CHECK(cites_a_page(cJSON_GetObjectItemCaseSensitive(c, "cite"), where));
    enum policy_kind kind = POLICY_IDENTITY;
    CHECK(!kind_name || policy_kind_parse(kind_name, &kind) == 0);
    policy_problems got = POLICY_PROBLEMS_INIT;
    aws_err err;
    const char *raw = str(c, "text");
    int rc = raw ? policy_check_text(raw, strlen(raw), kind, &got, &err)
                 : policy_check(cJSON_GetObjectItemCaseSensitive(c, "doc"), kind, &got, &err);
    CHECK(rc == 0);
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(c, "expect");
    int ok = cJSON_IsArray(want) && problems_match(want, &got);
    if (!ok) {
        problems_text(&got, text, sizeof text);
        fprintf(stderr, "%s: problems differ; got:\n  %s\n", where, got.n ? text : "(none)");
    }
    CHECK(ok);
    policy_problems_free(&got);
    check_cases++;
}

static void run_check_file(const cJSON *root, const char *file)
{
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases");
    CHECK(cJSON_IsArray(cases));
    for (const cJSON *c = cases ? cases->child : NULL; c; c = c->next)
        run_check_case(c, file);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void run_dir(const char *dir, void (*run)(const cJSON *, const char *))
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, by_name);
    CHECK(n > 0);
    for (int i = 0; i < n; i++) {
        char path[1024];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        char *text = strstr(names[i]->d_name, ".json") ? read_file(path, &len) : NULL;
        cJSON *root = text ? json_parse_all(text, len, NULL) : NULL;
        if (text && !root)
            fprintf(stderr, "%s: not JSON\n", path);
        CHECK(!text || root);
        if (root)
            run(root, names[i]->d_name);
        cJSON_Delete(root);
        free(text);
        free(names[i]);
    }
    free(names);
}

int main(void)
{
    const char *data = getenv("IAMSH_TEST_DATA");
    char dir[1024];
    if (!data)
        data = "tests/data";
    snprintf(dir, sizeof dir, "%s/policy/eval", data);
    run_dir(dir, run_eval_file);
    snprintf(dir, sizeof dir, "%s/policy/check", data);
    run_dir(dir, run_check_file);
    printf("%d evaluation cases, %d grammar cases\n", eval_cases, check_cases);
    CHECK(eval_cases >= 300);
    return check_summary();
}
