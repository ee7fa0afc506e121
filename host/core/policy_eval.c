/* policy_eval.c - one request against compiled policies: which statements apply,
 * and the decision AWS's "Policy evaluation logic" (IAM User Guide) documents.
 *
 * Statement: the action matches (case-insensitive, wildcards; NotAction: none
 * does), the resource matches (per ARN segment; NotResource), for a resource-based
 * policy the principal is named (NotPrincipal: not named), and the conditions hold.
 * The principal matching of "...: Principal" decides how strongly a resource-based
 * policy names the caller (see decide()). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iamsh/array.h"
#include "policy_int.h"

/* How a resource-based policy names the caller: through its account only (the
 * account then delegates to its identity policies), as the user or role itself,
 * or directly (the role session, "*", a service, NotPrincipal). */
enum { S_NONE, S_ACCOUNT, S_ENTITY, S_DIRECT };

typedef struct tally {
    int deny, id_allow, bnd_allow, ses_allow, rp;
} tally;

/* --- the request's principal and the keys AWS fills from it --- */

static int all_in(const char *s, const char *set, size_t n)
{
    return strlen(s) == n && strspn(s, set) == n;
}

static int infer_type(const char *p)
{
    static const char *const web[] = {"cognito-identity.amazonaws.com", "accounts.google.com",
                                      "graph.facebook.com", "www.amazon.com", NULL};
    if (strncmp(p, "arn:", 4) == 0)
        return strstr(p, ":saml-provider/") || strstr(p, ":oidc-provider/")
                   ? POLICY_PRINCIPAL_FEDERATED
                   : POLICY_PRINCIPAL_AWS;
    for (const char *const *w = web; *w; w++)
        if (strcmp(p, *w) == 0)
            return POLICY_PRINCIPAL_FEDERATED;
    if (all_in(p, "0123456789", 12) || !strchr(p, '.'))
        return all_in(p, "0123456789abcdef", 64) ? POLICY_PRINCIPAL_CANONICAL
                                                 : POLICY_PRINCIPAL_AWS;
    return POLICY_PRINCIPAL_SERVICE;
}

static void derive(pol_eval *e, const char *name, const char *value)
{
    if (value && e->nderived < MAX_DERIVED) {
        e->dnames[e->nderived] = name;
        e->dvalues[e->nderived++] = value;
    }
}

/* aws:PrincipalArn: a role session's is its role's (without the path the session ARN
 * does not carry); an account's its root. */
static const char *principal_arn(pol_eval *e)
{
    const pol_principal *w = &e->who;
    const char *arn = e->req->principal;
    const char *part = strncmp(arn, "arn:", 4) == 0 ? arn + 4 : "aws";
    size_t plen = strcspn(part, ":");
    int rc = 0;
    if (w->form == PF_SESSION && w->role_name)
        rc = buf_printf(&e->principal_arn, "arn:%.*s:iam::%s:role/%.*s", (int)plen, part,
                        w->account, (int)w->role_len, w->role_name);
    else if (w->form == PF_ACCOUNT)
        rc = buf_printf(&e->principal_arn, "arn:%.*s:iam::%s:root", (int)plen, part, w->account);
    else
        return arn;
    e->oom |= rc != 0;
    return rc ? NULL : e->principal_arn.p;
}

static const char *principal_type_name(const pol_principal *w)
{
    switch (w->form) {
    case PF_USER: return "User";
    case PF_ROLE: return "AssumedRole";
    case PF_SESSION: return w->role_name ? "AssumedRole" : "FederatedUser";
    case PF_ACCOUNT: return "Account";
    default: return NULL;
    }
}

/* The resource's account: the request's, else the principal's (a resource whose
 * owner is unknown is taken to be in the caller's account, as AWS's policy simulator
 * does when it is given no resource policy). */
static void resource_account(pol_eval *e)
{
    const char *ra = e->req->resource_account;
    snprintf(e->racct, sizeof e->racct, "%s", ra && ra[0] ? ra : e->who.account);
}

static void derive_keys(pol_eval *e)
{
    const policy_request *r = e->req;
    const char *account = e->who.account[0] ? e->who.account : NULL;
    resource_account(e);
    derive(e, "aws:resourceaccount", e->racct[0] ? e->racct : NULL);
    if (!e->has_who)
        return;
    if (e->who_type == POLICY_PRINCIPAL_SERVICE) {
        derive(e, "aws:principalservicename", r->principal);
        derive(e, "aws:principalisawsservice", "true");
        return;
    }
    derive(e, "aws:principalisawsservice", "false");
    if (e->who_type != POLICY_PRINCIPAL_AWS || e->who.form == PF_EXACT)
        return;
    derive(e, "aws:principalarn", principal_arn(e));
    derive(e, "aws:principalaccount", account);
    derive(e, "aws:principaltype", principal_type_name(&e->who));
    if (e->who.form == PF_USER)
        derive(e, "aws:username", strrchr(r->principal, '/') + 1);
}

static int eval_init(pol_eval *e, const policy_request *r)
{
    memset(e, 0, sizeof *e);
    e->req = r;
    if (buf_puts(&e->action, r->action))
        return -1;
    for (size_t i = 0; i < e->action.len; i++)
        e->action.p[i] = (char)tolower((unsigned char)e->action.p[i]);
    const char *colon = strchr(e->action.p, ':');
    e->svclen = colon ? (size_t)(colon - e->action.p) + 1 : 0;
    e->svcbit = e->svclen ? policy_service_bit(e->action.p, e->svclen) : ~0ull;
    e->has_who = r->principal && r->principal[0];
    if (e->has_who) {
        e->who_type = r->principal_type ? r->principal_type : infer_type(r->principal);
        if (e->who_type == POLICY_PRINCIPAL_AWS)
            policy_principal_classify(r->principal, &e->who);
    }
    derive_keys(e);
    return e->oom ? -1 : 0;
}

static void eval_free(pol_eval *e)
{
    buf_free(&e->action);
    buf_free(&e->principal_arn);
    buf_free(&e->scratch);
}

/* --- statements --- */

static int action_matches(const pol_eval *e, const pol_stmt *st)
{
    if (!(st->svcmask & e->svcbit))
        return st->not_action; /* it names no action of the request's service */
    int hit = 0;
    for (size_t i = 0; i < st->nactions && !hit; i++) {
        const pol_pattern *p = &st->actions[i];
        if (p->svclen && (p->svclen != e->svclen || memcmp(p->text, e->action.p, p->svclen) != 0))
            continue; /* another service */
        hit = p->wild ? policy_glob(p->text, e->action.p) : strcmp(p->text, e->action.p) == 0;
    }
    return st->not_action ? !hit : hit;
}

static int resource_matches(pol_eval *e, const pol_stmt *st)
{
    if (!st->has_resource)
        return 1; /* a trust policy: its resource is its role */
    const char *res = e->req->resource;
    int hit = 0;
    for (size_t i = 0; i < st->nresources && !hit; i++) {
        const pol_pattern *p = &st->resources[i];
        const char *text = p->vars ? policy_eval_subst(e, p->text, 1) : p->text;
        if (text)
            hit = p->wild || p->vars ? policy_arn_match(text, res) : strcmp(text, res) == 0;
    }
    return st->not_resource ? !hit : hit;
}

static int same_role(const pol_principal *role, const pol_principal *who)
{
    if (who->form == PF_ROLE)
        return strcmp(role->value, who->value) == 0;
    return who->form == PF_SESSION && who->role_name && strcmp(role->account, who->account) == 0 &&
           strlen(role->role_name) == who->role_len &&
           memcmp(role->role_name, who->role_name, who->role_len) == 0;
}

static int principal_strength(const pol_eval *e, const pol_principal *pp)
{
    if (pp->form == PF_ANY)
        return pp->type <= POLICY_PRINCIPAL_AWS || pp->type == e->who_type ? S_DIRECT : S_NONE;
    if (pp->type != e->who_type)
        return S_NONE;
    if (pp->type != POLICY_PRINCIPAL_AWS)
        return strcasecmp(pp->value, e->req->principal) == 0 ? S_DIRECT : S_NONE;
    switch (pp->form) {
    case PF_ACCOUNT:
        return e->who.account[0] && strcmp(pp->account, e->who.account) == 0 ? S_ACCOUNT : S_NONE;
    case PF_USER:
        return e->who.form == PF_USER && strcmp(pp->value, e->who.value) == 0 ? S_ENTITY : S_NONE;
    case PF_ROLE: return same_role(pp, &e->who) ? S_ENTITY : S_NONE;
    default: return strcmp(pp->value, e->who.value) == 0 ? S_DIRECT : S_NONE;
    }
}

/* Whether NotPrincipal names the caller, so that the statement leaves it out. AWS
 * "verifies the account, then the role, then the assumed-role user" ("AWS JSON policy
 * elements: NotPrincipal"): each link of the caller's chain must be named (its
 * account, then the user or role, then the role session), or "*". */
static int not_principal_names(const pol_eval *e, const pol_stmt *st)
{
    int acct = 0, entity = 0, exact = 0;
    for (size_t i = 0; i < st->nprincipals; i++) {
        const pol_principal *pp = &st->principals[i];
        int s = principal_strength(e, pp);
        if (pp->form == PF_ANY && s != S_NONE)
            return 1;
        acct |= s == S_ACCOUNT;
        entity |= s == S_ENTITY;
        exact |= s == S_DIRECT;
    }
    if (e->who_type != POLICY_PRINCIPAL_AWS)
        return exact;
    switch (e->who.form) {
    case PF_ACCOUNT: return acct;
    case PF_USER:
    case PF_ROLE: return acct && entity;
    case PF_SESSION: return acct && exact && (entity || !e->who.role_name);
    default: return exact;
    }
}

/* How strongly the statement's Principal names the caller (S_NONE: not at all).
 * NotPrincipal in a Deny "will always deny any IAM principal that has a permissions
 * boundary policy attached, regardless of the values specified in NotPrincipal". */
static int principal_named(const pol_eval *e, const pol_stmt *st)
{
    int best = S_NONE;
    if (!e->has_who)
        return S_NONE;
    if (st->not_principal) {
        if (st->effect == POLICY_EFFECT_DENY && e->req->boundary)
            return S_DIRECT;
        return not_principal_names(e, st) ? S_NONE : S_DIRECT;
    }
    for (size_t i = 0; i < st->nprincipals; i++) {
        int s = principal_strength(e, &st->principals[i]);
        best = s > best ? s : best;
    }
    return best;
}

/* How the statement applies: S_NONE when it does not, else how it names the caller. */
static int statement_applies(pol_eval *e, const pol_stmt *st, int role)
{
    int strength = S_DIRECT;
    if (!action_matches(e, st) || !resource_matches(e, st))
        return S_NONE;
    if (role == POLICY_ROLE_RESOURCE &&
        (!st->has_principal || !(strength = principal_named(e, st))))
        return S_NONE;
    return policy_conditions_match(e, st) ? strength : S_NONE;
}

static int add_match(policy_result *out, const policy *p, size_t index, int effect, int role)
{
    policy_match *m = array_grow(out->matched, &out->cap, out->nmatched, sizeof *m, 8);
    if (!m)
        return -1;
    out->matched = m;
    out->matched[out->nmatched++] = (policy_match){p, index, effect, role};
    return 0;
}

static void tally_allow(tally *t, int role, int strength)
{
    if (role == POLICY_ROLE_IDENTITY)
        t->id_allow = 1;
    else if (role == POLICY_ROLE_BOUNDARY)
        t->bnd_allow = 1;
    else if (role == POLICY_ROLE_SESSION)
        t->ses_allow = 1;
    else if (strength > t->rp)
        t->rp = strength;
}

static int run_policy(pol_eval *e, const policy *p, int role, tally *t, policy_result *out)
{
    for (size_t i = 0; p && i < p->nstmts && !e->oom; i++) {
        const pol_stmt *st = &p->stmts[i];
        int strength = statement_applies(e, st, role);
        if (strength == S_NONE)
            continue;
        if (add_match(out, p, i + 1, st->effect, role) != 0)
            return -1;
        if (st->effect == POLICY_EFFECT_DENY)
            t->deny = 1;
        else
            tally_allow(t, role, strength);
    }
    return e->oom ? -1 : 0;
}

static int run_all(pol_eval *e, const policy_request *r, tally *t, policy_result *out)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < r->nidentity; i++)
        rc = run_policy(e, r->identity[i], POLICY_ROLE_IDENTITY, t, out);
    if (rc == 0)
        rc = run_policy(e, r->boundary, POLICY_ROLE_BOUNDARY, t, out);
    for (size_t i = 0; rc == 0 && i < r->nsession; i++)
        rc = run_policy(e, r->session[i], POLICY_ROLE_SESSION, t, out);
    if (rc == 0)
        rc = run_policy(e, r->resource_policy, POLICY_ROLE_RESOURCE, t, out);
    return rc;
}

/* --- the decision --- */

/* sts: actions on a role, with its trust policy as the resource-based policy. */
static int is_trust(const pol_eval *e)
{
    const char *res = e->req->resource;
    return e->req->resource_policy && strncmp(e->action.p, "sts:", 4) == 0 &&
           strncmp(res, "arn:", 4) == 0 && strstr(res, ":iam::") && strstr(res, ":role/");
}

static int cross_account(const pol_eval *e)
{
    return e->racct[0] && e->who.account[0] && strcmp(e->racct, e->who.account) != 0;
}

/* Within one account a resource-based policy that names the caller grants on its
 * own: one naming a role session (or "*") always; one naming an IAM user's ARN even
 * past an implicit deny of the user's boundary; one naming the role's ARN only when
 * the boundary and the session policies allow too (the pages "Permissions
 * boundaries for IAM entities" and "Session policies" say so). One naming only the
 * account delegates to the account's identity-based policies. */
static int grants_alone(const pol_eval *e, const tally *t, int limits_ok)
{
    if (t->rp == S_DIRECT)
        return 1;
    return t->rp == S_ENTITY && (e->who.form == PF_USER || limits_ok);
}

static const char *why_denied(const tally *t, int bnd_ok, int ses_ok, int cross, int trust)
{
    if (cross && t->rp == S_NONE && t->id_allow)
        return "implicitly denied: across accounts the resource-based policy must allow the "
               "principal too";
    if (cross && t->rp != S_NONE)
        return "implicitly denied: across accounts an identity-based policy must allow it too";
    if (trust && t->rp == S_NONE)
        return "implicitly denied: the role's trust policy does not allow the principal";
    if (t->id_allow && !bnd_ok)
        return "implicitly denied: an identity-based policy allows it, but the permissions "
               "boundary does not";
    if (t->id_allow && !ses_ok)
        return "implicitly denied: an identity-based policy allows it, but no session policy does";
    if (t->rp == S_ACCOUNT)
        return trust ? "implicitly denied: the trust policy trusts the principal's account, so an "
                       "identity-based policy must allow the sts: action on the role too"
                     : "implicitly denied: the resource-based policy allows the principal's "
                       "account, so an identity-based policy must allow it too";
    if (t->rp == S_ENTITY)
        return "implicitly denied: the resource-based policy names the role, but its permissions "
               "boundary or session policy does not allow it";
    return "implicitly denied: no statement allows it";
}

static const char *why_allowed(int alone, int cross, int trust)
{
    if (cross)
        return "allowed: an identity-based policy and the resource-based policy both allow it "
               "(across accounts)";
    if (alone)
        return trust ? "allowed by the role's trust policy, which names the principal"
                     : "allowed by the resource-based policy, which names the principal";
    if (trust)
        return "allowed: the trust policy trusts the principal's account and an identity-based "
               "policy allows it";
    return "allowed by an identity-based policy";
}

static void decide(const pol_eval *e, const tally *t, policy_result *out)
{
    const policy_request *r = e->req;
    int bnd_ok = !r->boundary || t->bnd_allow, ses_ok = r->nsession == 0 || t->ses_allow;
    int identity = t->id_allow && bnd_ok && ses_ok;
    int alone = grants_alone(e, t, bnd_ok && ses_ok);
    int cross = cross_account(e), trust = is_trust(e), allow;
    if (t->deny) {
        out->decision = POLICY_EXPLICIT_DENY;
        out->reason = "explicitly denied by a statement";
        return;
    }
    if (cross)
        allow = identity && t->rp >= S_ACCOUNT;
    else if (trust)
        allow = alone || (t->rp == S_ACCOUNT && identity);
    else
        allow = identity || alone;
    out->decision = allow ? POLICY_ALLOW : POLICY_IMPLICIT_DENY;
    out->reason = allow ? why_allowed(alone && !identity, cross, trust)
                        : why_denied(t, bnd_ok, ses_ok, cross, trust);
}

/* The deciding statements: the denies of an explicit deny, else the allows. */
static void keep_deciding(policy_result *out)
{
    int keep = out->decision == POLICY_EXPLICIT_DENY ? POLICY_EFFECT_DENY : POLICY_EFFECT_ALLOW;
    size_t n = 0;
    for (size_t i = 0; i < out->nmatched; i++)
        if (out->matched[i].effect == keep)
            out->matched[n++] = out->matched[i];
    out->nmatched = n;
}

int policy_evaluate(const policy_request *r, policy_result *out, aws_err *err)
{
    memset(out, 0, sizeof *out);
    out->reason = "implicitly denied: no statement allows it";
    if (!r || !r->action || !r->resource)
        return err_set(err, AWS_ERR_PARAM, "InvalidInput",
                       "policy evaluate: a request needs an action and a resource");
    pol_eval e;
    tally t = {0};
    int rc = eval_init(&e, r);
    if (rc == 0)
        rc = run_all(&e, r, &t, out);
    if (rc == 0) {
        decide(&e, &t, out);
        keep_deciding(out);
    }
    eval_free(&e);
    if (rc != 0) {
        policy_result_free(out);
        return err_set(err, AWS_ERR_INTERNAL, "OutOfMemory", "policy evaluate: out of memory");
    }
    return 0;
}

void policy_result_free(policy_result *r)
{
    if (!r)
        return;
    free(r->matched);
    r->matched = NULL;
    r->nmatched = r->cap = 0;
}

/* --- accessors --- */

const char *policy_name(const policy *p)
{
    return p->name;
}

enum policy_kind policy_kind_of(const policy *p)
{
    return (enum policy_kind)p->kind;
}

size_t policy_statement_count(const policy *p)
{
    return p->nstmts;
}

const char *policy_statement_json(const policy *p, size_t index)
{
    return index >= 1 && index <= p->nstmts ? p->stmts[index - 1].json : NULL;
}

const char *policy_statement_sid(const policy *p, size_t index)
{
    return index >= 1 && index <= p->nstmts ? p->stmts[index - 1].sid : NULL;
}

int policy_statement_effect(const policy *p, size_t index)
{
    return index >= 1 && index <= p->nstmts ? p->stmts[index - 1].effect : POLICY_EFFECT_DENY;
}
