/* bench_policy.c - the policy engine's speed in C, written as a Markdown report:
 *   1. evaluations per second for a role with 10 managed policies of AWS's size
 *      (6,144 characters each, white space not counted; statements with wildcard
 *      actions, ARN patterns and conditions), for a request one of the last
 *      statements allows, one an explicit deny stops and one nothing allows;
 *   2. who_can over an account of 1,000 roles and 1,000 users built in memory (each
 *      with managed policies from a pool of 100 of AWS's size, an inline policy and
 *      a boundary for some): one evaluation per principal.
 * The Lua account view's figures come from tools/bench_policy.lua.
 *   build/bench_policy [--seconds S] [--out FILE]   (report on stdout without --out) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iamsh/buf.h"
#include "iamsh/policy.h"

#define POLICY_SIZE 6144
#define POOL 100
#define ROLES 1000
#define USERS 1000
#define PER_PRINCIPAL 10

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const aws_err *err)
{
    fprintf(stderr, "bench_policy: %s: %s\n", what, err ? err->message : "out of memory");
    exit(1);
}

/* One statement of policy p (k-th), compact JSON (no white space, as IAM counts). */
static int statement(buf *b, int p, int k, int deny)
{
    static const char *const verbs[] = {"Get", "List", "Describe", "Put", "Create", "Delete"};
    int rc = buf_printf(b, "%s{\"Sid\":\"P%dS%d\",\"Effect\":\"%s\",\"Action\":[", k ? "," : "", p,
                        k, deny ? "Deny" : "Allow");
    for (int i = 0; rc == 0 && i < 12; i++)
        rc = buf_printf(b, "%s\"svc%d:%s%sThing%d\"", i ? "," : "", k, verbs[i % 6],
                        i % 5 == 0 ? "*" : "", i);
    rc = rc ? rc
            : buf_printf(
                  b,
                  "],\"Resource\":[\"arn:aws:svc%d:*:123456789012:thing-%d-%d/*\","
                  "\"arn:aws:svc%d:us-east-?:123456789012:other/${aws:PrincipalTag/team}/*\"]",
                  k, p, k, k);
    if (rc == 0 && k % 3 == 1)
        rc = buf_printf(b,
                        ",\"Condition\":{\"StringEquals\":{\"aws:RequestedRegion\":[\"us-east-1\","
                        "\"eu-west-1\"]},\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\","
                        "\"192.168.0.0/16\",\"2001:db8::/32\"]}}");
    return rc ? rc : buf_puts(b, "}");
}

/* A managed policy of about POLICY_SIZE characters; policy 0 of a set ends in a Deny. */
static void policy_text(buf *b, int p, int with_deny)
{
    buf_reset(b);
    buf st = BUF_INIT;
    int rc = buf_puts(b, "{\"Version\":\"2012-10-17\",\"Statement\":[");
    for (int k = 0; rc == 0; k++) {
        buf_reset(&st);
        if (statement(&st, p, k, 0) != 0)
            die("statement", NULL);
        if (b->len + st.len + 2 > POLICY_SIZE)
            break;
        rc = buf_append(b, st.p, st.len);
    }
    if (rc == 0 && with_deny)
        rc = buf_printf(b,
                        ",{\"Sid\":\"NoDelete%d\",\"Effect\":\"Deny\",\"Action\":\"svc0:Delete*\","
                        "\"Resource\":\"*\"}",
                        p);
    if (rc || buf_puts(b, "]}"))
        die("policy", NULL);
    buf_free(&st);
}

static policy *compile_text(const char *text, enum policy_kind kind, const char *name)
{
    policy *p;
    aws_err err;
    if (policy_compile_text(text, strlen(text), kind, name, &p, NULL, &err) != 0)
        die(name, &err);
    return p;
}

static policy_context *context(void)
{
    policy_context *c = policy_context_new();
    if (!c || policy_context_add(c, "aws:RequestedRegion", "us-east-1") ||
        policy_context_add(c, "aws:SourceIp", "10.1.2.3") ||
        policy_context_add(c, "aws:SecureTransport", "true") ||
        policy_context_add(c, "aws:PrincipalTag/team", "bench"))
        die("context", NULL);
    return c;
}

typedef struct rate {
    const char *what, *want;
    const char *action, *resource;
    double per_s;
} rate;

/* Evaluations per second of one request for `seconds`; the decision checked. */
static void measure(rate *r, policy_request *req, double seconds)
{
    policy_result res;
    aws_err err;
    long n = 0;
    req->action = r->action;
    req->resource = r->resource;
    double start = now_s(), end = start + seconds, t = start;
    while (t < end) {
        for (int i = 0; i < 1000; i++, n++) {
            if (policy_evaluate(req, &res, &err) != 0)
                die("evaluate", &err);
            if (strcmp(policy_decision_name(res.decision), r->want) != 0) {
                fprintf(stderr, "bench_policy: %s: %s, not %s\n", r->what,
                        policy_decision_name(res.decision), r->want);
                exit(1);
            }
            policy_result_free(&res);
        }
        t = now_s();
    }
    r->per_s = (double)n / (t - start);
}

/* --- who_can over 2,000 principals --- */

typedef struct principal {
    char arn[96];
    const policy *identity[PER_PRINCIPAL + 1];
    size_t nidentity;
    const policy *boundary;
    policy *inline_policy;
} principal;

static void make_principal(principal *pr, int i, policy *const *pool, const policy *boundary)
{
    char text[512], name[64];
    int user = i >= ROLES, id = user ? i - ROLES : i;
    snprintf(pr->arn, sizeof pr->arn, "arn:aws:iam::123456789012:%s/p%d", user ? "user" : "role",
             id);
    snprintf(text, sizeof text,
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Own\",\"Effect\":"
             "\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::bucket-%d/*\"}]}",
             i);
    snprintf(name, sizeof name, "%s/inline", pr->arn);
    pr->inline_policy = compile_text(text, user ? POLICY_INLINE_USER : POLICY_INLINE_ROLE, name);
    pr->identity[pr->nidentity++] = pr->inline_policy;
    for (int k = 0; k < PER_PRINCIPAL; k++)
        pr->identity[pr->nidentity++] = pool[(i * 7 + k * 13) % POOL];
    pr->boundary = i % 10 == 0 ? boundary : NULL;
}

/* Seconds for one who_can: every principal evaluated; *allowed counts the allows. */
static double who_can(principal *all, size_t n, const char *action, const char *resource,
                      const policy_context *ctx, int *allowed)
{
    policy_result res;
    aws_err err;
    double start = now_s();
    *allowed = 0;
    for (size_t i = 0; i < n; i++) {
        policy_request req = {.action = action,
                              .resource = resource,
                              .principal = all[i].arn,
                              .context = ctx,
                              .identity = all[i].identity,
                              .nidentity = all[i].nidentity,
                              .boundary = all[i].boundary};
        if (policy_evaluate(&req, &res, &err) != 0)
            die("who_can", &err);
        *allowed += res.decision == POLICY_ALLOW;
        policy_result_free(&res);
    }
    return now_s() - start;
}

typedef struct account {
    policy *pool[POOL], *boundary;
    principal *all;
    double build_s;
} account;

static void account_build(account *a)
{
    buf text = BUF_INIT;
    double start = now_s();
    char name[64];
    for (int p = 0; p < POOL; p++) {
        policy_text(&text, p, p % 10 == 0);
        snprintf(name, sizeof name, "arn:aws:iam::123456789012:policy/pool%d", p);
        a->pool[p] = compile_text(text.p, POLICY_MANAGED, name);
    }
    a->boundary = compile_text("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                               "\"NotAction\":\"iam:*\",\"Resource\":\"*\"}]}",
                               POLICY_BOUNDARY, "boundary");
    if (!(a->all = calloc(ROLES + USERS, sizeof *a->all)))
        die("account", NULL);
    for (int i = 0; i < ROLES + USERS; i++)
        make_principal(&a->all[i], i, a->pool, a->boundary);
    a->build_s = now_s() - start;
    buf_free(&text);
}

static void account_free(account *a)
{
    for (int i = 0; i < ROLES + USERS; i++)
        policy_free(a->all[i].inline_policy);
    free(a->all);
    for (int p = 0; p < POOL; p++)
        policy_free(a->pool[p]);
    policy_free(a->boundary);
}

/* --- the report --- */

static void report_rates(FILE *out, rate *rates, size_t n, double compile_ms, size_t chars)
{
    fprintf(out, "## Evaluations per second: a role with 10 managed policies of AWS's size\n\n");
    fprintf(out,
            "10 policies of %zu characters each (white space not counted; AWS's limit is "
            "6,144), compiled in %.2f ms in all. Context: 4 keys.\n\n",
            chars, compile_ms);
    fprintf(out, "| request | decision | evaluations/s | µs each |\n|---|---|---:|---:|\n");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "| %s | %s | %.0f | %.2f |\n", rates[i].what, rates[i].want, rates[i].per_s,
                1e6 / rates[i].per_s);
}

static void report_who_can(FILE *out, const account *a, const double *t, int runs, int allowed)
{
    double best = t[0], sum = 0;
    for (int i = 0; i < runs; i++) {
        best = t[i] < best ? t[i] : best;
        sum += t[i];
    }
    fprintf(out, "\n## who_can over 1,000 roles and 1,000 users (in C)\n\n");
    fprintf(out,
            "Each principal: an inline policy and %d managed policies from a pool of %d of "
            "AWS's size; every tenth a permissions boundary. Built (compiled) in %.0f ms.\n\n",
            PER_PRINCIPAL, POOL, a->build_s * 1e3);
    fprintf(out, "| who_can | principals allowed | best | mean of %d |\n|---|---:|---:|---:|\n",
            runs);
    fprintf(out,
            "| svc3:ListThing1 on arn:aws:svc3:us-east-1:123456789012:thing-3-3/x | %d | "
            "%.2f ms | %.2f ms |\n",
            allowed, best * 1e3, sum / runs * 1e3);
}

int main(int argc, char **argv)
{
    double seconds = 1;
    const char *out_path = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--seconds") == 0)
            seconds = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--out") == 0)
            out_path = argv[i + 1];
    }
    if (seconds <= 0)
        seconds = 1;
    buf text = BUF_INIT;
    policy *role[10];
    char name[64];
    double start = now_s();
    for (int p = 0; p < 10; p++) {
        policy_text(&text, p, p == 0);
        snprintf(name, sizeof name, "arn:aws:iam::123456789012:policy/p%d", p);
        role[p] = compile_text(text.p, POLICY_MANAGED, name);
    }
    double compile_ms = (now_s() - start) * 1e3;
    size_t chars = text.len;
    policy_context *ctx = context();
    policy_request req = {.principal = "arn:aws:iam::123456789012:role/bench",
                          .context = ctx,
                          .identity = (const policy *const *)role,
                          .nidentity = 10};
    rate rates[] = {
        {"allowed by a statement of the last policy", "allow", "svc1:ListThing1",
         "arn:aws:svc1:us-east-1:123456789012:thing-9-1/x", 0},
        {"explicitly denied (first policy)", "explicit_deny", "svc0:DeleteThing5",
         "arn:aws:svc0:us-east-1:123456789012:thing-0-0/x", 0},
        {"allowed with conditions and a variable", "allow", "svc4:GetThing0",
         "arn:aws:svc4:us-east-1:123456789012:other/bench/x", 0},
        {"no statement matches", "implicit_deny", "ec2:RunInstances", "*", 0},
    };
    size_t nrates = sizeof rates / sizeof *rates;
    for (size_t i = 0; i < nrates; i++)
        measure(&rates[i], &req, seconds / (double)nrates);
    account acct;
    account_build(&acct);
    double times[5];
    int allowed = 0;
    for (int i = 0; i < 5; i++)
        times[i] = who_can(acct.all, ROLES + USERS, "svc3:ListThing1",
                           "arn:aws:svc3:us-east-1:123456789012:thing-3-3/x", ctx, &allowed);
    FILE *out = out_path ? fopen(out_path, "w") : stdout;
    if (!out) {
        perror(out_path);
        return 1;
    }
    fprintf(out, "# Policy engine benchmark (C)\n\n");
    report_rates(out, rates, nrates, compile_ms, chars);
    report_who_can(out, &acct, times, 5, allowed);
    if (out != stdout)
        fclose(out);
    account_free(&acct);
    for (int p = 0; p < 10; p++)
        policy_free(role[p]);
    policy_context_free(ctx);
    buf_free(&text);
    return 0;
}
