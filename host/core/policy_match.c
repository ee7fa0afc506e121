/* policy_match.c - matching as the policy language does it: wildcards, ARNs segment
 * by segment, principals by form, and policy variables.
 *
 * Sources (IAM User Guide): "IAM JSON policy elements: Action" (case-insensitive,
 * * and ?), "...: Resource" (wildcards within each ARN segment; the resource part
 * may hold colons), "...: Condition operators" (ArnLike/ArnEquals: "each of the six
 * colon-delimited components of the ARN is checked separately"), "...: Principal"
 * (account, user, role, role session, federated user principals), "IAM policy
 * elements: Variables and tags" (${key}, ${key, 'default'}, ${*}, ${?}, ${$}). */
#include <string.h>

#include "policy_int.h"

/* p[0..pn) against s[0..sn): * any run, ? one character, POL_ESC makes the next
 * pattern byte literal. Iterative with one backtrack point: linear in practice. */
static int glob_n(const char *p, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
    while (si < sn) {
        if (pi < pn && p[pi] == '*') {
            star = pi++;
            mark = si;
            continue;
        }
        if (pi < pn) {
            int esc = p[pi] == POL_ESC && pi + 1 < pn;
            char c = p[pi + esc];
            if ((!esc && c == '?') || c == s[si]) {
                pi += 1 + esc;
                si++;
                continue;
            }
        }
        if (star == (size_t)-1)
            return 0;
        pi = star + 1;
        si = ++mark;
    }
    while (pi < pn && p[pi] == '*')
        pi++;
    return pi == pn;
}

unsigned long long policy_service_bit(const char *service, size_t n)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)service[i]) * 16777619u;
    return 1ull << (h & 63);
}

int policy_glob(const char *pat, const char *s)
{
    return glob_n(pat, strlen(pat), s, strlen(s));
}

/* ARN pattern against an ARN: partition, service, region and account each on their
 * own, then the resource part (which may hold colons). A pattern that stops early
 * matches the rest of the ARN with its last segment; one that is no ARN ("*")
 * matches the whole text. */
int policy_arn_match(const char *pat, const char *arn)
{
    if (strncmp(pat, "arn:", 4) != 0)
        return glob_n(pat, strlen(pat), arn, strlen(arn));
    const char *p = pat, *a = arn;
    for (int seg = 0; seg < 5; seg++) {
        const char *pc = strchr(p, ':'), *ac = strchr(a, ':');
        if (!pc)
            return glob_n(p, strlen(p), a, strlen(a));
        if (!ac || !glob_n(p, (size_t)(pc - p), a, (size_t)(ac - a)))
            return 0;
        p = pc + 1;
        a = ac + 1;
    }
    return glob_n(p, strlen(p), a, strlen(a));
}

/* --- principals --- */

static int is_account_id(const char *s, size_t n)
{
    return n == 12 && strspn(s, "0123456789") >= 12;
}

/* arn:PARTITION:SERVICE::ACCOUNT:REST -> account and REST; 0 if it is not so. */
static int arn_parts(const char *s, const char *service, char account[16], const char **rest)
{
    if (strncmp(s, "arn:", 4) != 0)
        return 0;
    const char *svc = strchr(s + 4, ':');
    size_t sl = strlen(service);
    if (!svc || strncmp(svc + 1, service, sl) != 0 || strncmp(svc + 1 + sl, "::", 2) != 0)
        return 0;
    const char *acct = svc + 1 + sl + 2, *end = strchr(acct, ':');
    if (!end || !is_account_id(acct, (size_t)(end - acct)))
        return 0;
    memcpy(account, acct, 12);
    account[12] = '\0';
    *rest = end + 1;
    return 1;
}

/* The role of "assumed-role/ROLE/SESSION" or the last element of "role/path/ROLE". */
static void role_name(pol_principal *out, const char *rest, int session)
{
    if (session) {
        const char *name = rest + strlen("assumed-role/"), *slash = strchr(name, '/');
        out->role_name = name;
        out->role_len = slash ? (size_t)(slash - name) : strlen(name);
    } else {
        const char *slash = strrchr(rest, '/');
        out->role_name = slash + 1;
        out->role_len = strlen(slash + 1);
    }
}

void policy_principal_classify(const char *s, pol_principal *out)
{
    const char *rest;
    memset(out, 0, sizeof *out);
    out->type = POLICY_PRINCIPAL_AWS;
    out->value = s;
    out->form = PF_EXACT;
    if (strcmp(s, "*") == 0) {
        out->form = PF_ANY;
    } else if (is_account_id(s, strlen(s))) {
        memcpy(out->account, s, 13);
        out->form = PF_ACCOUNT;
    } else if (arn_parts(s, "iam", out->account, &rest)) {
        if (strcmp(rest, "root") == 0)
            out->form = PF_ACCOUNT;
        else if (strncmp(rest, "user/", 5) == 0)
            out->form = PF_USER;
        else if (strncmp(rest, "role/", 5) == 0 && rest[strlen(rest) - 1] != '/') {
            out->form = PF_ROLE;
            role_name(out, rest, 0);
        }
    } else if (arn_parts(s, "sts", out->account, &rest)) {
        if (strncmp(rest, "assumed-role/", 13) == 0) {
            out->form = PF_SESSION;
            role_name(out, rest, 1);
        } else if (strncmp(rest, "federated-user/", 15) == 0) {
            out->form = PF_SESSION;
        }
    }
    if (out->form == PF_EXACT)
        out->account[0] = '\0';
}

/* --- policy variables --- */

/* s[0..n) as literal text: in pattern mode *, ? and POL_ESC get a POL_ESC before. */
static int put_literal(buf *out, const char *s, size_t n, int pattern)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!pattern || (c != '*' && c != '?' && c != POL_ESC))
            continue;
        if (buf_append(out, s + run, i - run) || buf_append(out, "\x01", 1))
            return -1;
        run = i;
    }
    return buf_append(out, s + run, n - run) ? -1 : 0;
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && (**s == ' ' || **s == '\t'))
        (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
        (*e)--;
}

/* The inside of ${...}: its value appended; 1 when it has none and no default. */
static int put_variable(const char *in, const char *end, int pattern, pol_lookup_fn lookup,
                        const void *ctx, buf *out)
{
    if (end - in == 1 && (*in == '*' || *in == '?' || *in == '$'))
        return put_literal(out, in, 1, pattern);
    const char *comma = memchr(in, ',', (size_t)(end - in)), *kend = comma ? comma : end;
    const char *ks = in, *dflt = NULL, *dend = NULL;
    trim(&ks, &kend);
    if (comma) {
        dflt = comma + 1;
        dend = end;
        trim(&dflt, &dend);
        if (dend - dflt < 2 || *dflt != '\'' || dend[-1] != '\'')
            return 1; /* a default must be quoted: 'value' */
        dflt++;
        dend--;
    }
    size_t n = 0;
    const char *const *vals = lookup(ctx, ks, (size_t)(kend - ks), &n);
    if (n == 1)
        return put_literal(out, vals[0], strlen(vals[0]), pattern);
    if (dflt)
        return put_literal(out, dflt, (size_t)(dend - dflt), pattern);
    return 1;
}

/* 0 with the text in out, 1 when a variable has no value (and no default), -1 when
 * memory runs out. Outside ${...} the text is kept as it is, wildcards included. */
int policy_substitute(const char *s, int pattern, pol_lookup_fn lookup, const void *ctx, buf *out)
{
    buf_reset(out);
    if (buf_append(out, "", 0))
        return -1;
    while (*s) {
        const char *open = strstr(s, "${"), *close = open ? strchr(open + 2, '}') : NULL;
        if (!close) {
            return buf_puts(out, s) ? -1 : 0;
        }
        if (buf_append(out, s, (size_t)(open - s)))
            return -1;
        int rc = put_variable(open + 2, close, pattern, lookup, ctx, out);
        if (rc != 0)
            return rc;
        s = close + 1;
    }
    return 0;
}
