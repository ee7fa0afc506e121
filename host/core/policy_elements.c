/* policy_elements.c - a statement's Action/NotAction, Resource/NotResource and
 * Principal/NotPrincipal: which of them each kind of policy needs or forbids, the
 * forms of their values, and their compiled patterns.
 *
 * Sources (IAM User Guide): "IAM JSON policy elements: Action", "...: NotAction",
 * "...: Resource", "...: NotResource", "...: Principal", "...: NotPrincipal", and
 * "Amazon Resource Names (ARNs)" (partitions). Role trust policies: "Modifying a
 * role trust policy" and the STS actions a trust policy may name ("AssumeRole policy
 * may only specify STS AssumeRole actions." is IAM's text). */
#include <ctype.h>
#include <string.h>

#include "policy_int.h"

#define EACH(it, v)                                                 \
    for (const cJSON *it = cJSON_IsArray(v) ? (v)->child : (v); it; \
         it = cJSON_IsArray(v) ? it->next : NULL)

size_t policy_string_list(pwalk *w, const cJSON *v, const char *field)
{
    size_t mark = policy_walk_push_key(w, field), n = 0, i = 0;
    if (!cJSON_IsString(v) && !cJSON_IsArray(v)) {
        policy_walk_problem(w, 1, POL_MALFORMED, "%s %s must be a string or an array of strings",
                            POL_SYNTAX, field);
        policy_walk_pop(w, mark);
        return 0;
    }
    EACH(it, v)
    {
        i++;
        if (!cJSON_IsString(it)) {
            size_t m = policy_walk_push_index(w, i);
            policy_walk_problem(w, 1, POL_MALFORMED, "%s %s values must be strings", POL_SYNTAX,
                                field);
            policy_walk_pop(w, m);
        } else {
            n++;
        }
    }
    policy_walk_pop(w, mark);
    return n;
}

static int has_wild(const char *s)
{
    return strpbrk(s, "*?") != NULL;
}

/* Exactly one of two elements (Action/NotAction, ...): the present one, *is_not set
 * when it is the Not form; NULL when neither (both is a problem). */
static const cJSON *one_of(pwalk *w, const cJSON *s, const char *a, const char *not_a, int *is_not)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(s, a);
    const cJSON *nx = cJSON_GetObjectItemCaseSensitive(s, not_a);
    if (x && nx)
        policy_walk_problem(w, 1, POL_MALFORMED, "%s A statement has %s or %s, not both",
                            POL_SYNTAX, a, not_a);
    *is_not = !x && nx;
    return x ? x : nx;
}

/* The length of an action's "service:" prefix when it holds no wildcard, else 0. */
static size_t literal_service(const char *action)
{
    size_t n = strcspn(action, ":*?");
    return action[n] == ':' && n + 1 < 256 ? n + 1 : 0;
}

/* Compiled copies of the strings of a list (actions lower-cased). */
static pol_pattern *compile_patterns(pwalk *w, const cJSON *v, size_t n, int lower)
{
    pol_pattern *out = policy_arena_alloc(&w->pol->arena, (n ? n : 1) * sizeof *out);
    size_t i = 0;
    EACH(it, v)
    {
        if (!out || !cJSON_IsString(it) || i >= n)
            continue;
        const char *s = it->valuestring;
        out[i].text = lower ? policy_arena_strdup_lower(&w->pol->arena, s)
                            : policy_arena_strdup(&w->pol->arena, s);
        out[i].wild = (unsigned char)has_wild(s);
        out[i].vars = (unsigned char)(!lower && w->version == POL_VERSION_2012 && strstr(s, "${"));
        out[i].svclen = (unsigned char)(lower ? literal_service(s) : 0);
        if (!out[i++].text)
            out = NULL;
    }
    if (!out)
        w->oom = 1;
    return out;
}

/* --- Action --- */

static const char *const trust_actions[] = {"sts:assumerole",
                                            "sts:assumerolewithsaml",
                                            "sts:assumerolewithwebidentity",
                                            "sts:tagsession",
                                            "sts:setsourceidentity",
                                            "sts:setcontext",
                                            NULL};

static int trust_action(const char *action)
{
    char low[128];
    size_t n = strlen(action);
    if (n >= sizeof low)
        return 0;
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)tolower((unsigned char)action[i]);
    for (const char *const *a = trust_actions; *a; a++)
        if (policy_glob(low, *a))
            return 1;
    return 0;
}

/* "service:Action" with wildcards in the action's name, or "*". */
static void check_action(pwalk *w, const char *a, int in_trust)
{
    const char *colon = strchr(a, ':');
    int vendor_ok = colon && colon > a;
    for (const char *p = a; vendor_ok && p < colon; p++)
        vendor_ok = isalnum((unsigned char)*p) || *p == '-' || *p == '*' || *p == '?';
    if (strcmp(a, "*") == 0) {
        if (in_trust)
            policy_walk_problem(w, 0, POL_MALFORMED,
                                "AssumeRole policy may only specify STS AssumeRole actions.");
    } else if (!vendor_ok) {
        policy_walk_problem(
            w, 0, POL_MALFORMED,
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
    } else if (!colon[1] || strpbrk(colon + 1, ": \t\r\n")) {
        policy_walk_problem(w, 0, POL_MALFORMED, "%s Action %s is not service:ActionName",
                            POL_SYNTAX, a);
    } else if (in_trust && !trust_action(a)) {
        policy_walk_problem(w, 0, POL_MALFORMED,
                            "AssumeRole policy may only specify STS AssumeRole actions.");
    }
}

/* Each string of v (field's value) checked by check at its path. */
static void check_each(pwalk *w, const cJSON *v, const char *field, int is_not,
                       void (*check)(pwalk *, const char *, int))
{
    size_t mark = policy_walk_push_key(w, field), i = 0;
    EACH(it, v)
    {
        size_t m = cJSON_IsArray(v) ? policy_walk_push_index(w, ++i) : strlen(w->path);
        if (cJSON_IsString(it))
            check(w, it->valuestring, is_not);
        policy_walk_pop(w, m);
    }
    policy_walk_pop(w, mark);
}

/* The list of Action/NotAction or Resource/NotResource: its value, its strings'
 * count in *n; NULL with the fatal problem missing when there is none. */
static const cJSON *walk_list(pwalk *w, const cJSON *v, const char *field, const char *missing,
                              size_t *n)
{
    *n = v ? policy_string_list(w, v, field) : 0;
    if (*n == 0 && (!v || cJSON_IsArray(v))) {
        policy_walk_problem(w, 1, POL_MALFORMED, "%s", missing);
        return NULL;
    }
    return v;
}

static void action_item(pwalk *w, const char *a, int is_not)
{
    check_action(w, a, w->kind == POLICY_TRUST && !is_not);
}

void policy_walk_actions(pwalk *w, const cJSON *s, pol_stmt *st)
{
    int is_not;
    size_t n;
    const cJSON *v = one_of(w, s, "Action", "NotAction", &is_not);
    const char *field = is_not ? "NotAction" : "Action";
    if (!(v = walk_list(w, v, field, "Policy statement must contain actions.", &n)))
        return;
    check_each(w, v, field, is_not, action_item);
    if (st) {
        st->not_action = is_not;
        st->actions = compile_patterns(w, v, n, 1);
        st->nactions = n;
        for (size_t k = 0; st->actions && k < n; k++) {
            const pol_pattern *p = &st->actions[k];
            st->svcmask |= p->svclen ? policy_service_bit(p->text, p->svclen) : ~0ull;
        }
    }
}

/* --- Resource --- */

/* "arn:partition:service:region:account:resource" or "*"; a pattern whose last
 * segment holds a wildcard may stop early ("arn:aws:s3:*"). */
static void check_resource(pwalk *w, const char *r)
{
    if (strcmp(r, "*") == 0 || (r[0] == '$' && r[1] == '{'))
        return;
    size_t colons = 0;
    for (const char *p = r; *p; p++)
        colons += *p == ':';
    const char *last = strrchr(r, ':');
    int early = last && strchr(last, '*');
    if (strncmp(r, "arn:", 4) != 0 || (colons < 5 && !early)) {
        policy_walk_problem(w, 0, POL_MALFORMED, "Resource %s must be in ARN format or \"*\".", r);
        return;
    }
    const char *part = r + 4, *end = strchr(part, ':');
    size_t n = end ? (size_t)(end - part) : strlen(part);
    if (!policy_known_partition(part, n) && !memchr(part, '*', n) && !memchr(part, '?', n) &&
        !(n > 1 && part[0] == '$'))
        policy_walk_problem(w, 0, POL_MALFORMED,
                            "Partition \"%.*s\" is not valid for resource \"%s\".", (int)n, part,
                            r);
}

static void resource_item(pwalk *w, const char *r, int is_not)
{
    (void)is_not;
    check_resource(w, r);
}

void policy_walk_resources(pwalk *w, const cJSON *s, pol_stmt *st)
{
    int is_not;
    const cJSON *v = one_of(w, s, "Resource", "NotResource", &is_not);
    const char *field = is_not ? "NotResource" : "Resource";
    if (w->kind == POLICY_TRUST) {
        if (v) {
            size_t m = policy_walk_push_key(w, field);
            policy_walk_problem(w, 0, POL_MALFORMED, "Has prohibited field %s", field);
            policy_walk_pop(w, m);
        }
        return; /* a trust policy's resource is its role */
    }
    size_t n;
    if (!(v = walk_list(w, v, field, "Policy statement must contain resources.", &n)))
        return;
    check_each(w, v, field, is_not, resource_item);
    if (st) {
        st->has_resource = 1;
        st->not_resource = is_not;
        st->resources = compile_patterns(w, v, n, 0);
        st->nresources = n;
    }
}

/* --- Principal --- */

static const struct {
    const char *key, *label;
    int type;
} principal_keys[] = {
    {"AWS", "AWS", POLICY_PRINCIPAL_AWS},
    {"Service", "SERVICE", POLICY_PRINCIPAL_SERVICE},
    {"Federated", "FEDERATED", POLICY_PRINCIPAL_FEDERATED},
    {"CanonicalUser", "CANONICAL_USER", POLICY_PRINCIPAL_CANONICAL},
};

static int all_chars(const char *s, const char *set, size_t min, size_t max)
{
    size_t n = strlen(s);
    return n >= min && n <= max && strspn(s, set) == n;
}

static int valid_principal(int type, const char *v)
{
    pol_principal p;
    switch (type) {
    case POLICY_PRINCIPAL_AWS:
        policy_principal_classify(v, &p);
        if (p.form == PF_EXACT) /* a unique id: AIDA..., AROA... */
            return all_chars(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 16, 128) && v[0] == 'A';
        return p.form == PF_ANY || !has_wild(v);
    case POLICY_PRINCIPAL_SERVICE:
        return strchr(v, '.') && all_chars(v, "abcdefghijklmnopqrstuvwxyz0123456789.-", 3, 256);
    case POLICY_PRINCIPAL_FEDERATED:
        if (strncmp(v, "arn:", 4) == 0)
            return (strstr(v, ":saml-provider/") || strstr(v, ":oidc-provider/")) && !has_wild(v);
        return strchr(v, '.') && all_chars(v, "abcdefghijklmnopqrstuvwxyz0123456789.-", 3, 256);
    default: return all_chars(v, "0123456789abcdefABCDEF", 64, 64);
    }
}

static void compile_principal(pwalk *w, pol_principal *out, int type, const char *v)
{
    out->type = type;
    out->form = PF_EXACT;
    if (type == POLICY_PRINCIPAL_AWS)
        policy_principal_classify(v, out);
    else if (strcmp(v, "*") == 0)
        out->form = PF_ANY;
    out->value = policy_arena_strdup(&w->pol->arena, v);
    if (out->role_name)
        out->role_name = policy_arena_strndup(&w->pol->arena, out->role_name, out->role_len);
    if (!out->value || (out->role_len && !out->role_name))
        w->oom = 1;
}

static size_t walk_principal_values(pwalk *w, const cJSON *v, int k, pol_principal *out)
{
    size_t n = policy_string_list(w, v, principal_keys[k].key), i = 0, mark;
    mark = policy_walk_push_key(w, principal_keys[k].key);
    if (cJSON_IsArray(v) && !v->child)
        policy_walk_problem(w, 0, POL_MALFORMED, "Invalid principal in policy: \"%s\":[]",
                            principal_keys[k].label);
    EACH(it, v)
    {
        if (!cJSON_IsString(it))
            continue;
        size_t m = cJSON_IsArray(v) ? policy_walk_push_index(w, i + 1) : strlen(w->path);
        if (!valid_principal(principal_keys[k].type, it->valuestring))
            policy_walk_problem(w, 0, POL_MALFORMED, "Invalid principal in policy: \"%s\":\"%s\"",
                                principal_keys[k].label, it->valuestring);
        policy_walk_pop(w, m);
        if (out)
            compile_principal(w, &out[i], principal_keys[k].type, it->valuestring);
        i++;
    }
    policy_walk_pop(w, mark);
    return n;
}

static size_t count_principals(const cJSON *v)
{
    size_t n = 0;
    for (const cJSON *c = v->child; c; c = c->next)
        n += cJSON_IsArray(c) ? (size_t)cJSON_GetArraySize(c) : 1;
    return n;
}

/* {"AWS": ..., "Service": ..., ...}: each a string or an array of strings. */
static void walk_principal_map(pwalk *w, const cJSON *v, pol_stmt *st)
{
    pol_principal *out = NULL;
    if (st) {
        out = policy_arena_alloc(&w->pol->arena, (count_principals(v) + 1) * sizeof *out);
        if (!(st->principals = out)) {
            w->oom = 1;
            return;
        }
    }
    if (!v->child)
        policy_walk_problem(w, 0, POL_MALFORMED, "%s The principal map names no principal",
                            POL_SYNTAX);
    for (const cJSON *c = v->child; c; c = c->next) {
        size_t k = 0;
        while (k < 4 && strcmp(c->string, principal_keys[k].key) != 0)
            k++;
        if (k == 4) {
            size_t m = policy_walk_push_key(w, c->string);
            policy_walk_problem(w, 1, POL_MALFORMED, "Invalid principal in policy: \"%s\"",
                                c->string);
            policy_walk_pop(w, m);
            continue;
        }
        size_t n = walk_principal_values(w, c, (int)k, out ? out + st->nprincipals : NULL);
        if (st)
            st->nprincipals += n;
    }
}

/* "AWS JSON policy elements: NotPrincipal": only in resource-based policies (not in
 * a role trust policy), and only with "Effect": "Deny". */
static void check_not_principal(pwalk *w, const cJSON *s)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(s, "Effect");
    if (w->kind == POLICY_TRUST)
        policy_walk_problem(w, 0, POL_MALFORMED, "Has prohibited field NotPrincipal");
    else if (cJSON_IsString(e) && strcmp(e->valuestring, "Allow") == 0)
        policy_walk_problem(w, 0, POL_MALFORMED,
                            "%s NotPrincipal must be used with \"Effect\": \"Deny\"", POL_SYNTAX);
}

void policy_walk_principals(pwalk *w, const cJSON *s, pol_stmt *st)
{
    int is_not;
    const cJSON *v = one_of(w, s, "Principal", "NotPrincipal", &is_not);
    const char *field = is_not ? "NotPrincipal" : "Principal";
    int identity = w->kind != POLICY_TRUST && w->kind != POLICY_RESOURCE;
    if (identity || !v) {
        if (identity && v) {
            size_t m = policy_walk_push_key(w, field);
            policy_walk_problem(w, 0, POL_MALFORMED,
                                "Policy document should not specify a principal.");
            policy_walk_pop(w, m);
        } else if (!identity) {
            policy_walk_problem(w, 1, POL_MALFORMED, "Missing required field Principal");
        }
        return;
    }
    size_t mark = policy_walk_push_key(w, field);
    if (is_not)
        check_not_principal(w, s);
    if (st) {
        st->has_principal = 1;
        st->not_principal = is_not;
    }
    if (cJSON_IsString(v) && strcmp(v->valuestring, "*") == 0) {
        if (st && (st->principals = policy_arena_alloc(&w->pol->arena, sizeof *st->principals))) {
            st->principals->form = PF_ANY;
            st->principals->value = "*";
            st->nprincipals = 1;
        } else if (st) {
            w->oom = 1;
        }
    } else if (cJSON_IsObject(v)) {
        walk_principal_map(w, v, st);
    } else {
        policy_walk_problem(w, 1, POL_MALFORMED,
                            "%s %s must be \"*\" or an object such as {\"AWS\": ...}", POL_SYNTAX,
                            field);
    }
    policy_walk_pop(w, mark);
}
