/* fuzz_policy.c - hostile policy documents and requests through the policy engine.
 *
 * Input: one byte choosing the policy's kind and where it goes in the request, then
 * the document's JSON text, then (after a NUL byte) the request as lines: action,
 * resource, principal, resource account, then "key=value" context entries (a key
 * given twice is multi-valued). The document is checked, compiled and, when it
 * compiles, evaluated as an identity policy, a boundary, a session policy or the
 * resource policy of the request. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iamsh/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LINES 24

/* The request's lines, split in place (text is a NUL-terminated copy). */
static size_t split_lines(char *text, char **lines)
{
    size_t n = 0;
    for (char *p = text; p && n < MAX_LINES; n++) {
        lines[n] = p;
        p = strchr(p, '\n');
        if (p)
            *p++ = '\0';
    }
    return n;
}

static policy_context *context_of(char **lines, size_t n)
{
    policy_context *ctx = policy_context_new();
    for (size_t i = 4; ctx && i < n; i++) {
        char *eq = strchr(lines[i], '=');
        if (!eq)
            continue;
        *eq = '\0';
        policy_context_add(ctx, lines[i], eq + 1);
    }
    return ctx;
}

static void evaluate(const policy *p, int role, char **lines, size_t n)
{
    policy_context *ctx = context_of(lines, n);
    const policy *list[1] = {p};
    policy_request req = {
        .action = n > 0 ? lines[0] : "s3:GetObject",
        .resource = n > 1 ? lines[1] : "*",
        .principal = n > 2 && lines[2][0] ? lines[2] : NULL,
        .resource_account = n > 3 && lines[3][0] ? lines[3] : NULL,
        .context = ctx,
    };
    if (role == 0) {
        req.identity = list;
        req.nidentity = 1;
    } else if (role == 1) {
        req.identity = list;
        req.nidentity = 1;
        req.boundary = p;
    } else if (role == 2) {
        req.session = list;
        req.nsession = 1;
    } else {
        req.resource_policy = p;
    }
    policy_result r;
    aws_err err;
    if (policy_evaluate(&req, &r, &err) == 0) {
        for (size_t i = 0; i < r.nmatched; i++)
            (void)policy_statement_json(r.matched[i].policy, r.matched[i].index);
        policy_result_free(&r);
    }
    policy_context_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum policy_kind kind = (enum policy_kind)(data[0] % 9);
    int role = (data[0] / 9) % 4;
    const char *doc = (const char *)data + 1;
    const char *nul = memchr(doc, '\0', size - 1);
    size_t doclen = nul ? (size_t)(nul - doc) : size - 1;
    size_t reqlen = nul ? size - 1 - doclen - 1 : 0;
    char *req = malloc(reqlen + 1);
    if (!req)
        return 0;
    memcpy(req, nul ? nul + 1 : "", reqlen);
    req[reqlen] = '\0';
    policy_problems problems = POLICY_PROBLEMS_INIT;
    aws_err err;
    policy_check_text(doc, doclen, kind, &problems, &err);
    policy_problems_free(&problems);
    policy *p = NULL;
    if (policy_compile_text(doc, doclen, kind, "fuzz", &p, NULL, &err) == 0) {
        char *lines[MAX_LINES];
        size_t n = split_lines(req, lines);
        evaluate(p, role, lines, n);
        policy_free(p);
    }
    free(req);
    return 0;
}
