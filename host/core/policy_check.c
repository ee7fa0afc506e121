/* policy_check.c - the document and statement rules of IAM's policy grammar, and
 * the entry points that check or compile a document.
 *
 * Sources, all in the IAM User Guide: "IAM JSON policy element reference" (the pages
 * "IAM JSON policy elements: Version", "...: Id", "...: Statement", "...: Sid",
 * "...: Effect"), "Grammar of the IAM JSON policy language", and "IAM and AWS STS
 * quotas" (policy sizes). Messages are IAM's MalformedPolicyDocument / LimitExceeded
 * texts where IAM has one ("The policy failed legacy parsing", "Statement IDs (SID)
 * in a single policy must be unique.", "Cannot exceed quota for PolicySize: 6144"),
 * and IAM's "Syntax errors in policy." followed by what is wrong otherwise. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

static const char *const doc_fields[] = {"Version", "Id", "Statement", NULL};
static const char *const stmt_fields[] = {"Sid",       "Effect",    "Principal", "NotPrincipal",
                                          "Action",    "NotAction", "Resource",  "NotResource",
                                          "Condition", NULL};

static int known_field(const char *const *fields, const char *name)
{
    for (; *fields; fields++)
        if (strcmp(*fields, name) == 0)
            return 1;
    return 0;
}

/* Unknown and repeated fields of an object (IAM's names are case-sensitive). */
static void check_fields(pwalk *w, const cJSON *obj, const char *const *fields)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        size_t mark = policy_walk_push_key(w, c->string ? c->string : "");
        if (!known_field(fields, c->string ? c->string : ""))
            policy_walk_problem(w, 0, POL_MALFORMED, "%s Unknown field %s", POL_SYNTAX, c->string);
        else if (cJSON_GetObjectItemCaseSensitive(obj, c->string) != c)
            policy_walk_problem(w, 1, POL_MALFORMED, "%s Duplicate field %s", POL_SYNTAX,
                                c->string);
        policy_walk_pop(w, mark);
    }
}

/* "IAM JSON policy elements: Version": 2012-10-17 or 2008-10-17; without it a
 * policy is 2008-10-17, where ${...} is literal text. */
static void walk_version(pwalk *w, const cJSON *doc)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "Version");
    w->version = POL_VERSION_2008;
    if (!v)
        return;
    if (cJSON_IsString(v) && strcmp(v->valuestring, "2012-10-17") == 0) {
        w->version = POL_VERSION_2012;
    } else if (!cJSON_IsString(v) || strcmp(v->valuestring, "2008-10-17") != 0) {
        size_t mark = policy_walk_push_key(w, "Version");
        policy_walk_problem(w, 1, POL_MALFORMED, "The policy failed legacy parsing");
        policy_walk_pop(w, mark);
    }
}

/* "IAM JSON policy elements: Sid": ASCII letters and digits in IAM's policies (other
 * services' resource policies allow more), unique within the policy. */
static void check_sid(pwalk *w, const cJSON *sid, const char **seen, size_t nseen)
{
    size_t mark = policy_walk_push_key(w, "Sid");
    if (!cJSON_IsString(sid)) {
        policy_walk_problem(w, 1, POL_MALFORMED, "%s Sid must be a string", POL_SYNTAX);
        policy_walk_pop(w, mark);
        return;
    }
    int iam_rules = w->kind != POLICY_RESOURCE && w->kind != POLICY_SESSION;
    for (const char *p = sid->valuestring; iam_rules && *p; p++) {
        if (!isalnum((unsigned char)*p)) {
            policy_walk_problem(w, 0, POL_MALFORMED,
                                "Statement IDs (SID) must be alpha-numeric. Check that your input "
                                "satisfies the regular expression [0-9A-Za-z]*");
            break;
        }
    }
    for (size_t i = 0; sid->valuestring[0] && i < nseen; i++) {
        if (strcmp(seen[i], sid->valuestring) == 0) {
            policy_walk_problem(w, 0, POL_MALFORMED,
                                "Statement IDs (SID) in a single policy must be unique.");
            break;
        }
    }
    policy_walk_pop(w, mark);
}

/* "IAM JSON policy elements: Effect": required, Allow or Deny (case-sensitive). */
static int walk_effect(pwalk *w, const cJSON *s)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(s, "Effect");
    if (!e) {
        policy_walk_problem(w, 1, POL_MALFORMED, "Missing required field Effect");
        return POLICY_EFFECT_DENY;
    }
    size_t mark = policy_walk_push_key(w, "Effect");
    int effect = POLICY_EFFECT_DENY;
    if (cJSON_IsString(e) && strcmp(e->valuestring, "Allow") == 0)
        effect = POLICY_EFFECT_ALLOW;
    else if (!cJSON_IsString(e) || strcmp(e->valuestring, "Deny") != 0)
        policy_walk_problem(w, 1, POL_MALFORMED, "Invalid effect: %s (Allow or Deny)",
                            cJSON_IsString(e) ? e->valuestring : "not a string");
    policy_walk_pop(w, mark);
    return effect;
}

static void keep_json(pwalk *w, const cJSON *s, pol_stmt *st)
{
    char *text = cJSON_PrintUnformatted(s);
    st->json = text ? policy_arena_strdup(&w->pol->arena, text) : NULL;
    free(text);
    if (!st->json)
        w->oom = 1;
}

static void walk_statement(pwalk *w, const cJSON *s, pol_stmt *st, const char **seen, size_t *nseen)
{
    if (!cJSON_IsObject(s)) {
        policy_walk_problem(w, 1, POL_MALFORMED, "%s A statement must be an object", POL_SYNTAX);
        return;
    }
    check_fields(w, s, stmt_fields);
    const cJSON *sid = cJSON_GetObjectItemCaseSensitive(s, "Sid");
    if (sid)
        check_sid(w, sid, seen, *nseen);
    if (cJSON_IsString(sid))
        seen[(*nseen)++] = sid->valuestring;
    int effect = walk_effect(w, s);
    policy_walk_actions(w, s, st);
    policy_walk_resources(w, s, st);
    policy_walk_principals(w, s, st);
    const cJSON *cond = cJSON_GetObjectItemCaseSensitive(s, "Condition");
    if (cond)
        policy_walk_condition(w, cond, st);
    if (st) {
        st->effect = effect;
        st->sid =
            cJSON_IsString(sid) ? policy_arena_strdup(&w->pol->arena, sid->valuestring) : NULL;
        keep_json(w, s, st);
    }
}

/* "IAM JSON policy elements: Statement": one statement object or an array of them. */
static void walk_statements(pwalk *w, const cJSON *doc)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
    if (!list) {
        policy_walk_problem(w, 1, POL_MALFORMED, "%s Missing required field Statement", POL_SYNTAX);
        return;
    }
    size_t mark = policy_walk_push_key(w, "Statement");
    int is_array = cJSON_IsArray(list);
    size_t n = is_array ? (size_t)cJSON_GetArraySize(list) : 1;
    if (!is_array && !cJSON_IsObject(list)) {
        policy_walk_problem(w, 1, POL_MALFORMED, "%s Statement must be an object or an array",
                            POL_SYNTAX);
        policy_walk_pop(w, mark);
        return;
    }
    if (n == 0)
        policy_walk_problem(w, 0, POL_MALFORMED, "%s Statement is empty", POL_SYNTAX);
    const char **seen = calloc(n ? n : 1, sizeof *seen);
    if (w->pol && n)
        w->pol->stmts = policy_arena_alloc(&w->pol->arena, n * sizeof *w->pol->stmts);
    if (!seen || (w->pol && n && !w->pol->stmts)) {
        free(seen);
        w->oom = 1;
        return;
    }
    size_t nseen = 0, i = 0;
    for (const cJSON *s = is_array ? list->child : list; s && !w->oom;
         s = is_array ? s->next : NULL) {
        size_t m = is_array ? policy_walk_push_index(w, i + 1) : strlen(w->path);
        walk_statement(w, s, w->pol ? &w->pol->stmts[i] : NULL, seen, &nseen);
        policy_walk_pop(w, m);
        i++;
    }
    if (w->pol)
        w->pol->nstmts = i;
    free(seen);
    policy_walk_pop(w, mark);
}

void policy_walk_document(pwalk *w, const cJSON *doc)
{
    if (!cJSON_IsObject(doc)) {
        policy_walk_problem(w, 1, POL_MALFORMED, "%s The policy must be a JSON object", POL_SYNTAX);
        return;
    }
    check_fields(w, doc, doc_fields);
    walk_version(w, doc);
    if (w->pol)
        w->pol->version = w->version;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc, "Id");
    if (id && !cJSON_IsString(id)) {
        size_t mark = policy_walk_push_key(w, "Id");
        policy_walk_problem(w, 1, POL_MALFORMED, "%s Id must be a string", POL_SYNTAX);
        policy_walk_pop(w, mark);
    }
    walk_statements(w, doc);
}

/* --- size quotas ("IAM and AWS STS quotas"; white space is not counted) --- */

static size_t count_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80 && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            n++;
    return n;
}

static void check_size(pwalk *w, const cJSON *doc)
{
    static const struct {
        int kind;
        size_t max;
        const char *fmt;
    } quotas[] = {
        {POLICY_MANAGED, 6144, "Cannot exceed quota for PolicySize: 6144"},
        {POLICY_BOUNDARY, 6144, "Cannot exceed quota for PolicySize: 6144"},
        {POLICY_TRUST, 2048, "Cannot exceed quota for ACLSizePerRole: 2048"},
        {POLICY_INLINE_USER, 2048, "Maximum policy size of 2048 bytes exceeded for user"},
        {POLICY_INLINE_ROLE, 10240, "Maximum policy size of 10240 bytes exceeded for role"},
        {POLICY_INLINE_GROUP, 5120, "Maximum policy size of 5120 bytes exceeded for group"},
        {POLICY_SESSION, 2048, "The session policy exceeds its quota of 2048 characters"},
    };
    for (size_t i = 0; i < sizeof quotas / sizeof *quotas; i++) {
        if (quotas[i].kind != w->kind)
            continue;
        char *text = cJSON_PrintUnformatted(doc);
        if (!text) {
            w->oom = 1;
            return;
        }
        size_t n = count_chars(text);
        free(text);
        if (n > quotas[i].max)
            policy_walk_problem(w, 0, POL_LIMIT,
                                "%s (the policy has %zu characters without white space)",
                                quotas[i].fmt, n);
    }
}

/* The first object or array deeper than POLICY_MAX_DEPTH, reported with its path
 * (as the text scanner of policy_text.c counts): 1 if found. */
static int too_deep(pwalk *w, const cJSON *v, int depth)
{
    if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
        return 0;
    if (depth > POLICY_MAX_DEPTH) {
        policy_walk_problem(w, 1, POL_MALFORMED, "%s The policy is nested deeper than %d levels",
                            POL_SYNTAX, POLICY_MAX_DEPTH);
        return 1;
    }
    size_t i = 0;
    for (const cJSON *c = v->child; c; c = c->next) {
        size_t mark =
            cJSON_IsArray(v) ? policy_walk_push_index(w, ++i) : policy_walk_push_key(w, c->string);
        int deep = too_deep(w, c, depth + 1);
        policy_walk_pop(w, mark);
        if (deep)
            return 1;
    }
    return 0;
}

int policy_check(const cJSON *doc, enum policy_kind kind, policy_problems *out, aws_err *err)
{
    pwalk w = {.kind = kind, .out = out};
    if (!doc) {
        policy_walk_problem(&w, 1, POL_MALFORMED, "%s The policy must be a JSON object",
                            POL_SYNTAX);
    } else if (!too_deep(&w, doc, 1)) {
        policy_walk_document(&w, doc);
        if (!w.oom && w.nfatal == 0)
            check_size(&w, doc);
    }
    if (w.oom)
        return err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "policy check: out of memory");
    return 0;
}

static int compile_failed(policy *p, const policy_problems *problems, aws_err *err)
{
    const policy_problem *first = NULL;
    for (size_t i = 0; i < problems->n && !first; i++)
        if (problems->v[i].fatal)
            first = &problems->v[i];
    policy_free(p);
    if (!first)
        return err_set(err, AWS_ERR_PARAM, POL_MALFORMED, "the policy is not valid");
    return err_set(err, AWS_ERR_PARAM, POL_MALFORMED, "%s%s%s", first->path,
                   first->path[0] ? ": " : "", first->message);
}

int policy_compile(const cJSON *doc, enum policy_kind kind, const char *name, policy **out,
                   policy_problems *problems, aws_err *err)
{
    *out = NULL;
    policy_problems mine = POLICY_PROBLEMS_INIT;
    policy_problems *sink = problems ? problems : &mine;
    policy *p = calloc(1, sizeof *p);
    if (p) {
        p->kind = kind;
        p->name = policy_arena_strdup(&p->arena, name ? name : "");
    }
    pwalk w = {.kind = kind, .out = sink, .pol = p};
    if (p && p->name && doc && !too_deep(&w, doc, 1))
        policy_walk_document(&w, doc);
    int rc = 0;
    if (!p || !p->name || w.oom) {
        policy_free(p);
        rc = err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "policy compile: out of memory");
    } else if (w.nfatal > 0 || !doc) {
        rc = compile_failed(p, sink, err);
    } else {
        *out = p;
    }
    policy_problems_free(&mine);
    return rc;
}

void policy_free(policy *p)
{
    if (!p)
        return;
    policy_arena_free(&p->arena);
    free(p);
}
