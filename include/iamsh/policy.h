/* policy.h - IAM's policy language: grammar check, compilation, evaluation.
 *
 * The one place in iamsh that knows the policy language. A document (JSON text or a
 * cJSON tree) is checked as IAM checks it before storing it, or compiled once into C
 * structures that requests are then evaluated against without walking JSON again.
 * Evaluation follows AWS's documented logic ("Policy evaluation logic" in the IAM
 * User Guide): an explicit deny wins; identity-based policies intersect with the
 * permissions boundary and session policies; resource-based policies (and role trust
 * policies for sts:AssumeRole*) grant as AWS documents for same- and cross-account
 * principals.
 *
 * Pure: no clock, no I/O. Ownership: problems and results are caller-owned values
 * freed with their *_free; a compiled policy is owned by whoever compiled it, and a
 * result's matches point into the policies of the request (keep them alive). */
#ifndef IAMSH_POLICY_H
#define IAMSH_POLICY_H
#include <stddef.h>
#include <cJSON.h>

#include "iamsh/err.h"

/* What a document is for: decides which elements are required or forbidden and the
 * size quota ("IAM and AWS STS quotas": characters, white space not counted). */
enum policy_kind {
    POLICY_IDENTITY,     /* an identity-based policy of no particular quota */
    POLICY_MANAGED,      /* a managed policy: 6,144 */
    POLICY_INLINE_USER,  /* inline policies of a user: 2,048 in all */
    POLICY_INLINE_ROLE,  /* of a role: 10,240 */
    POLICY_INLINE_GROUP, /* of a group: 5,120 */
    POLICY_BOUNDARY,     /* a permissions boundary (a managed policy): 6,144 */
    POLICY_SESSION,      /* a session policy passed to STS: 2,048 */
    POLICY_TRUST,        /* a role trust policy: 2,048 (the default quota) */
    POLICY_RESOURCE,     /* a resource-based policy (S3, SQS, KMS, ...) */
};

/* "identity", "managed", "inline_user", "inline_role", "inline_group", "boundary",
 * "session", "trust", "resource": 0 and *out set, or -1. */
int policy_kind_parse(const char *name, enum policy_kind *out);
const char *policy_kind_name(enum policy_kind kind);

/* --- problems: what IAM would refuse, each at a path into the document --- */

#define POLICY_PATH_MAX 256
#define POLICY_MAX_PROBLEMS 50 /* a check stops collecting after this many */
#define POLICY_MAX_DEPTH 32    /* deeper documents are refused without a walk */

typedef struct policy_problem {
    /* "Statement[2].Condition.StringEquals[\"aws:username\"]": Lua's 1-based indexes,
     * as iamsh names parameter paths; "" for the document itself. */
    char path[POLICY_PATH_MAX];
    char message[320]; /* IAM's MalformedPolicyDocument (or LimitExceeded) wording */
    const char *code;  /* "MalformedPolicyDocument" or "LimitExceeded" (static) */
    int fatal;         /* the engine cannot evaluate a document with this problem */
} policy_problem;

typedef struct policy_problems {
    policy_problem *v;
    size_t n, cap;
} policy_problems;

#define POLICY_PROBLEMS_INIT \
    {                        \
        0, 0, 0              \
    }
void policy_problems_free(policy_problems *p);

/* Check a document as IAM does (see policy_check.c for the rules and the pages they
 * come from). Problems are appended to out (empty when valid). -1 only when memory
 * runs out (err filled). The text form also reports JSON syntax and depth. */
int policy_check(const cJSON *doc, enum policy_kind kind, policy_problems *out, aws_err *err);
int policy_check_text(const char *text, size_t len, enum policy_kind kind, policy_problems *out,
                      aws_err *err);

/* --- compiled policies --- */

typedef struct policy policy;

/* Compile a document; name labels it in results ("arn:aws:iam::aws:policy/X",
 * "user/alice/inline-name", ...; copied). Fails (-1, err code MalformedPolicyDocument,
 * message "path: text" of the first) when it has a problem that evaluation cannot
 * get past: wrong types, unknown operators, missing elements (a fatal problem).
 * Problems IAM would refuse but evaluation can ignore (size, Sid charset) do not stop
 * compilation. problems, when not NULL, receives all of them. */
int policy_compile(const cJSON *doc, enum policy_kind kind, const char *name, policy **out,
                   policy_problems *problems, aws_err *err);
int policy_compile_text(const char *text, size_t len, enum policy_kind kind, const char *name,
                        policy **out, policy_problems *problems, aws_err *err);
void policy_free(policy *p);

const char *policy_name(const policy *p);
enum policy_kind policy_kind_of(const policy *p);
size_t policy_statement_count(const policy *p);
/* The statement (1-based) as compact JSON text, and its Sid (NULL when none). */
const char *policy_statement_json(const policy *p, size_t index);
const char *policy_statement_sid(const policy *p, size_t index);
int policy_statement_effect(const policy *p, size_t index); /* enum policy_effect */

/* --- the request context: condition keys and their values --- */

typedef struct policy_context policy_context;

policy_context *policy_context_new(void); /* NULL when out of memory */
/* Add one value to key (names are case-insensitive; a key given several values is
 * multi-valued). 0, or -1 when out of memory. */
int policy_context_add(policy_context *c, const char *key, const char *value);
void policy_context_free(policy_context *c);

/* --- evaluation --- */

enum policy_principal_type {
    POLICY_PRINCIPAL_AUTO,      /* infer from the text (see policy_evaluate) */
    POLICY_PRINCIPAL_AWS,       /* an ARN of a user, role, session or account, or an account id */
    POLICY_PRINCIPAL_SERVICE,   /* "sagemaker.amazonaws.com" */
    POLICY_PRINCIPAL_FEDERATED, /* a SAML/OIDC provider ARN or a web identity provider */
    POLICY_PRINCIPAL_CANONICAL, /* an S3 canonical user id */
};

typedef struct policy_request {
    const char *action;            /* "s3:GetObject" */
    const char *resource;          /* "arn:aws:s3:::bucket/key" (or "*") */
    const char *principal;         /* who asks; NULL: unknown (identity policies only) */
    int principal_type;            /* enum policy_principal_type */
    const char *resource_account;  /* the resource's account; NULL: the principal's */
    const policy_context *context; /* NULL: no keys */
    const policy *const *identity; /* the principal's identity-based policies */
    size_t nidentity;
    const policy *boundary;       /* NULL: none */
    const policy *const *session; /* session policies; none when nsession is 0 */
    size_t nsession;
    const policy *resource_policy; /* NULL: none; a role's trust policy for sts: actions */
} policy_request;

enum policy_decision { POLICY_IMPLICIT_DENY, POLICY_ALLOW, POLICY_EXPLICIT_DENY };
enum policy_effect { POLICY_EFFECT_ALLOW, POLICY_EFFECT_DENY };
enum policy_role {
    POLICY_ROLE_IDENTITY,
    POLICY_ROLE_BOUNDARY,
    POLICY_ROLE_SESSION,
    POLICY_ROLE_RESOURCE
};

typedef struct policy_match {
    const policy *policy; /* one of the request's */
    size_t index;         /* the statement, 1-based */
    int effect;           /* enum policy_effect */
    int role;             /* enum policy_role: which of the request's policies */
} policy_match;

typedef struct policy_result {
    int decision;          /* enum policy_decision */
    const char *reason;    /* one line saying why (static text) */
    policy_match *matched; /* the deciding statements: the denies of an explicit deny,
                            * else every allow that matched */
    size_t nmatched, cap;
} policy_result;

#define POLICY_RESULT_INIT \
    {                      \
        0, 0, 0, 0, 0      \
    }

/* Evaluate one request. The principal's type, when AUTO, is inferred: an ARN of a
 * SAML or OIDC provider or a known web identity provider (accounts.google.com, ...)
 * is FEDERATED, another ARN or a 12-digit account id AWS, a host ending in
 * amazonaws.com SERVICE, 64 hex digits CANONICAL. Keys AWS puts in every request
 * context are filled from the request unless the context has them:
 * aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:username (users),
 * aws:ResourceAccount, aws:PrincipalServiceName and aws:PrincipalIsAWSService.
 * -1 only when memory runs out or the request lacks action or resource. */
int policy_evaluate(const policy_request *req, policy_result *out, aws_err *err);
void policy_result_free(policy_result *r);

const char *policy_decision_name(int decision); /* "allow", "explicit_deny", "implicit_deny" */

#endif
