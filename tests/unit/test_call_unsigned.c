/* test_call_unsigned.c - the operations AWS's models mark as needing no authentication
 * (auth ["smithy.api#noAuth"] or authtype "none") are exactly the ones the generated
 * tables flag, and every one of them goes out on the call path with no credentials and
 * no signature: tests/support/fault_server.py records what it received (GET /__last). */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "helper_proc.h"
#include "iamsh/call.h"
#include "iamsh/json.h"

static const char *const services[][2] = {
    {"iam", "iam/2010-05-08"},
    {"sts", "sts/2011-06-15"},
};

static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = malloc(8u << 20);
    *len = text ? fread(text, 1, (8u << 20) - 1, f) : 0;
    fclose(f);
    return text;
}

/* service-2.json of svc, from the copy of AWS's models the generator reads. */
static cJSON *load_model(const char *dir)
{
    const char *data = getenv("IAMSH_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/../../tools/aws-models/%s/service-2.json",
             data ? data : "tests/data", dir);
    size_t len = 0;
    char *text = read_text(path, &len);
    cJSON *model = text ? json_parse_all(text, len, NULL) : NULL;
    free(text);
    if (!model)
        fprintf(stderr, "cannot read %s\n", path);
    return model;
}

/* What the model's own words say, read independently of tools/genmodel. */
static int model_says_unsigned(const cJSON *op)
{
    const cJSON *authtype = cJSON_GetObjectItemCaseSensitive(op, "authtype");
    const cJSON *auth = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(op, "auth"), 0);
    return (cJSON_IsString(authtype) && strcmp(authtype->valuestring, "none") == 0) ||
           (cJSON_IsString(auth) && strcmp(auth->valuestring, "smithy.api#noAuth") == 0);
}

/* The flag in the tables matches the model for every operation; returns how many
 * operations of svc are unsigned. */
static int check_flags(const model_service *svc, const char *dir)
{
    cJSON *model = load_model(dir);
    CHECK(model != NULL);
    const cJSON *ops = cJSON_GetObjectItemCaseSensitive(model, "operations");
    int n = 0, seen = 0;
    for (const cJSON *o = ops ? ops->child : NULL; o; o = o->next, seen++) {
        const model_op *op = model_op_find(svc, o->string);
        CHECK(op != NULL);
        if (!op)
            continue;
        int want = model_says_unsigned(o);
        n += want;
        if (want != !!(op->flags & MODEL_OP_UNSIGNED))
            fprintf(stderr, "%s: flag does not match the model\n", o->string);
        CHECK_INT(!!(op->flags & MODEL_OP_UNSIGNED), want);
    }
    CHECK_INT(seen, svc->nops);
    cJSON_Delete(model);
    return n;
}

/* GET url/__last: the headers of the last request, as a JSON object. */
static cJSON *last_request(aws_client *c, const char *base)
{
    char url[128];
    snprintf(url, sizeof url, "%s/__last", base);
    http_request req = {.method = "GET", .url = url};
    http_response resp = {0, BUF_INIT, "", BUF_INIT};
    aws_err err;
    cJSON *last = NULL;
    if (http_send(c->http, &req, &resp, &err) == 0 && resp.body.p)
        last = json_parse_all(resp.body.p, resp.body.len, NULL);
    http_response_free(&resp);
    return last;
}

static int has_header(const cJSON *last, const char *name)
{
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(last, "headers");
    for (const cJSON *e = h ? h->child : NULL; e; e = e->next)
        if (strcasecmp(e->string, name) == 0)
            return 1;
    return 0;
}

/* Send op with no credentials; the fault server saw it, unsigned. */
static void check_sent_unsigned(aws_client *c, const aws_config *cfg, const char *base,
                                const model_op *op)
{
    call_env env = {c, cfg, NULL};
    char rid[96];
    aws_err err;
    err_clear(&err);
    cJSON *params = cJSON_CreateObject();
    cJSON *result = call_send(&env, op, params, rid, &err);
    /* the answer is GetCallerIdentity's: it may not decode as this operation's */
    CHECK(result != NULL || err.kind == AWS_ERR_PARSE);
    cJSON_Delete(result);
    cJSON_Delete(params);
    cJSON *last = last_request(c, base);
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(last, "body");
    char action[96];
    snprintf(action, sizeof action, "Action=%s&", op->name);
    CHECK(cJSON_IsString(body) && strstr(body->valuestring, action) != NULL);
    CHECK(last && !has_header(last, "Authorization"));
    CHECK(last && !has_header(last, "X-Amz-Date"));
    CHECK(last && !has_header(last, "X-Amz-Security-Token"));
    cJSON_Delete(last);
}

/* A signed operation with no credentials is refused before anything is sent. */
static void check_signed_refused(aws_client *c, const aws_config *cfg, const model_op *op)
{
    call_env env = {c, cfg, NULL};
    char rid[96];
    aws_err err;
    long before = c->requests;
    CHECK(call_send(&env, op, NULL, rid, &err) == NULL);
    CHECK_STR(err.code, "NoCredentials");
    CHECK_INT(c->requests, before);
}

static void check_service(aws_client *c, const aws_config *cfg, const char *base,
                          const model_service *svc)
{
    for (unsigned i = 0; i < svc->nops; i++) {
        if (svc->ops[i].flags & MODEL_OP_UNSIGNED)
            check_sent_unsigned(c, cfg, base, &svc->ops[i]);
    }
    const model_op *first = &svc->ops[0];
    check_signed_refused(c, cfg, (first->flags & MODEL_OP_UNSIGNED) ? first + 1 : first);
}

static const char *no_env(const char *name)
{
    (void)name;
    return NULL;
}

int main(void)
{
    int unsigned_ops = 0;
    for (size_t i = 0; i < sizeof services / sizeof *services; i++)
        unsigned_ops += check_flags(model_service_find(services[i][0]), services[i][1]);
    CHECK(unsigned_ops >= 2); /* STS's AssumeRoleWithSAML and AssumeRoleWithWebIdentity */

    helper server = {0};
    const char *const args[] = {"--lifetime", "60", "ok", NULL};
    CHECK_INT(helper_start(&server, "fault_server.py", args), 0);
    aws_config cfg;
    aws_err err;
    config_input in = {.endpoint_url = server.url, .getenv_fn = no_env, .home = "/nonexistent"};
    CHECK_INT(config_load(&cfg, &in, &err), 0);
    aws_client_opts o = {.max_attempts = 1};
    aws_client *c = client_new(&o, &err);
    CHECK(c != NULL);
    for (size_t i = 0; c && server.port > 0 && i < sizeof services / sizeof *services; i++)
        check_service(c, &cfg, server.url, model_service_find(services[i][0]));
    client_free(c);
    config_free(&cfg);
    helper_stop(&server);
    return check_summary();
}
