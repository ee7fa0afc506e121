/* policy_int.h - the policy engine's private structures, shared by host/aws/policy*.c.
 *
 * A compiled policy owns one arena; every string and array of it lives there, so
 * freeing the policy is freeing the arena. */
#ifndef IAMSH_POLICY_INT_H
#define IAMSH_POLICY_INT_H
#include <stddef.h>
#include <stdarg.h>

#include "iamsh/buf.h"
#include "iamsh/policy.h"

/* --- arena --- */

typedef struct pol_chunk pol_chunk;
typedef struct pol_arena {
    pol_chunk *head;
} pol_arena;

void *policy_arena_alloc(pol_arena *a, size_t n); /* zeroed; NULL on ENOMEM */
char *policy_arena_strndup(pol_arena *a, const char *s, size_t n);
char *policy_arena_strdup(pol_arena *a, const char *s);
char *policy_arena_strdup_lower(pol_arena *a, const char *s); /* ASCII lower case */
void policy_arena_free(pol_arena *a);

/* --- compiled documents --- */

enum { POL_VERSION_2008 = 2008, POL_VERSION_2012 = 2012 };

typedef struct pol_pattern {
    const char *text;     /* actions lower-cased; resources as written */
    unsigned char vars;   /* holds a ${...} to substitute (2012-10-17 only) */
    unsigned char wild;   /* holds * or ? */
    unsigned char svclen; /* actions: length of "service:" when it holds no wildcard (a
                           * request of another service is skipped without globbing) */
} pol_pattern;

/* How a Principal entry names principals. */
enum pol_pform {
    PF_ANY,     /* "*" or {"AWS": "*"} */
    PF_ACCOUNT, /* "123456789012" or arn:...:iam::123456789012:root */
    PF_USER,    /* arn:...:iam::ACCOUNT:user/... */
    PF_ROLE,    /* arn:...:iam::ACCOUNT:role/... */
    PF_SESSION, /* arn:...:sts::ACCOUNT:assumed-role/... or federated-user/... */
    PF_EXACT,   /* anything else: compared as written (services, providers, ids) */
};

typedef struct pol_principal {
    int type;              /* enum policy_principal_type (never AUTO) */
    int form;              /* enum pol_pform */
    const char *value;     /* as written */
    char account[16];      /* PF_ACCOUNT and the ARN forms */
    const char *role_name; /* PF_ROLE: the last element of the role's path; PF_SESSION
                            * of an assumed role: the role's name (not terminated) */
    size_t role_len;
} pol_principal;

typedef struct pol_ip {
    int family; /* 4 or 6; 0 when not an address */
    int bits;   /* prefix length */
    unsigned char addr[16];
} pol_ip;

typedef struct pol_value {
    const char *text;         /* numbers and booleans as text ("42", "true") */
    const char *lower;        /* ...IgnoreCase and Bool: text lower-cased */
    unsigned char vars;       /* holds a ${...} */
    double num;               /* Numeric and Date operators: the parsed value */
    pol_ip ip;                /* IpAddress */
    const unsigned char *bin; /* BinaryEquals: the decoded bytes */
    size_t binlen;
} pol_value;

/* The operator families; negation, ...IfExists and the set prefixes are flags. */
enum pol_op {
    OP_STR_EQ,
    OP_STR_EQ_IC,
    OP_STR_LIKE,
    OP_NUM_EQ,
    OP_NUM_LT,
    OP_NUM_LE,
    OP_NUM_GT,
    OP_NUM_GE,
    OP_DATE_EQ,
    OP_DATE_LT,
    OP_DATE_LE,
    OP_DATE_GT,
    OP_DATE_GE,
    OP_BOOL,
    OP_BINARY,
    OP_IP,
    OP_ARN,
    OP_NULL,
};
enum pol_set { SET_NONE, SET_ANY, SET_ALL };

typedef struct pol_cond {
    int op;      /* enum pol_op */
    int negated; /* a Not... operator */
    int if_exists;
    int set;         /* enum pol_set */
    const char *key; /* lower-cased: condition key names are case-insensitive */
    pol_value *values;
    size_t nvalues;
} pol_cond;

typedef struct pol_stmt {
    const char *sid;  /* NULL when none */
    const char *json; /* the statement as compact JSON */
    int effect;       /* enum policy_effect */
    int not_action;
    unsigned long long svcmask; /* a bit per service its actions name (policy_service_bit);
                                 * all bits when one has a wildcard in its service */
    pol_pattern *actions;
    size_t nactions;
    int has_resource, not_resource;
    pol_pattern *resources;
    size_t nresources;
    int has_principal, not_principal;
    pol_principal *principals;
    size_t nprincipals;
    pol_cond *conds;
    size_t nconds;
} pol_stmt;

struct policy {
    pol_arena arena;
    const char *name;
    int kind;    /* enum policy_kind */
    int version; /* POL_VERSION_*: policy variables only in 2012-10-17 */
    pol_stmt *stmts;
    size_t nstmts;
};

/* --- the walker: checks a document and, when pol is set, compiles it --- */

typedef struct pwalk {
    int kind;             /* enum policy_kind */
    policy_problems *out; /* problems found (may be NULL: count only) */
    size_t nproblems, nfatal;
    policy *pol; /* NULL: check only */
    int version;
    int oom; /* memory ran out: stop */
    char path[POLICY_PATH_MAX];
} pwalk;

#define POL_MALFORMED "MalformedPolicyDocument"
#define POL_LIMIT "LimitExceeded"
#define POL_SYNTAX "Syntax errors in policy."

void policy_walk_problem(pwalk *w, int fatal, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Extend the path by .key (["key"] when not a plain name) or [i] (1-based); returns
 * the mark to give back to policy_walk_pop. */
size_t policy_walk_push_key(pwalk *w, const char *key);
size_t policy_walk_push_index(pwalk *w, size_t i);
void policy_walk_pop(pwalk *w, size_t mark);
/* Path syntax for any caller (text scanner included). */
void policy_path_key(char *path, size_t cap, const char *key);
void policy_path_index(char *path, size_t cap, size_t i);

/* policy_check.c: the document walk (pw may compile). */
void policy_walk_document(pwalk *w, const cJSON *doc);
/* policy_elements.c: one statement's Action/NotAction, Resource/NotResource,
 * Principal/NotPrincipal. st is NULL when only checking. */
void policy_walk_actions(pwalk *w, const cJSON *stmt, pol_stmt *st);
void policy_walk_resources(pwalk *w, const cJSON *stmt, pol_stmt *st);
void policy_walk_principals(pwalk *w, const cJSON *stmt, pol_stmt *st);
/* policy_condition.c */
void policy_walk_condition(pwalk *w, const cJSON *cond, pol_stmt *st);
/* A string, or an array of strings: the count (0 with a problem when neither). */
size_t policy_string_list(pwalk *w, const cJSON *v, const char *field);

/* policy_value.c: the typed values of conditions and requests. */
int policy_parse_number(const char *s, double *out);
int policy_parse_date(const char *s, double *out);
int policy_parse_ip(const char *s, pol_ip *out, int allow_prefix);
int policy_ip_contains(const pol_ip *net, const pol_ip *addr);
int policy_parse_bool(const char *s, int *out);
/* base64 -> bytes in out (cap >= 3 * len / 4 + 3); -1 when not base64. */
long policy_base64_decode(const char *s, size_t len, unsigned char *out);
/* 1 if the ARN's partition is one AWS has (aws, aws-cn, aws-us-gov, aws-iso*, ...). */
int policy_known_partition(const char *p, size_t len);

/* policy_match.c */
/* One of 64 bits for the lower-cased "service:" of an action (n bytes). */
unsigned long long policy_service_bit(const char *service, size_t n);
int policy_glob(const char *pat, const char *s);
int policy_arn_match(const char *pat, const char *arn);
/* The principal's form and account from an AWS principal text. */
void policy_principal_classify(const char *s, pol_principal *out);

/* Variable substitution: ${key}, ${key, 'default'}, ${*}, ${?}, ${$}. In pattern
 * mode the substituted text keeps wildcards of the policy and makes everything that
 * came from a variable (and ${*}, ${?}) literal (escaped with POL_ESC). */
#define POL_ESC '\x01'
typedef const char *const *(*pol_lookup_fn)(const void *ctx, const char *key, size_t keylen,
                                            size_t *n);
int policy_substitute(const char *s, int pattern, pol_lookup_fn lookup, const void *ctx, buf *out);

/* policy_context.c: a key's values (NULL, *n = 0 when absent). */
const char *const *policy_context_values(const policy_context *c, const char *key, size_t keylen,
                                         size_t *n);

/* policy_eval.c and policy_cond_eval.c */
/* One evaluation in progress: the request and what is derived from it once. */
#define MAX_DERIVED 8
typedef struct pol_eval pol_eval;
struct pol_eval {
    const policy_request *req;
    buf action;                /* lower-cased */
    size_t svclen;             /* of its "service:" (0 when it has no colon) */
    unsigned long long svcbit; /* policy_service_bit of that (all bits without one) */
    int has_who, who_type;
    pol_principal who; /* the caller, classified (AWS principals) */
    const char *dnames[MAX_DERIVED], *dvalues[MAX_DERIVED];
    size_t nderived;
    char racct[16];    /* the resource's account ("" when unknown) */
    buf principal_arn; /* aws:PrincipalArn */
    buf scratch;       /* substituted variables */
    int oom;
};
/* All of a statement's conditions hold for the request. */
int policy_conditions_match(pol_eval *e, const pol_stmt *st);
/* A key's values in the request: the caller's context, then the keys AWS fills. */
const char *const *policy_eval_lookup(const void *e, const char *key, size_t keylen, size_t *n);
/* Substitute s's variables into the evaluation's scratch buffer: the text, or NULL
 * when a variable has no value (or memory ran out: then the evaluation fails). */
const char *policy_eval_subst(pol_eval *e, const char *s, int pattern);

#endif
