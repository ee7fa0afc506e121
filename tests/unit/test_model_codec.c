/* test_model_codec.c - the model codec both ways, for every IAM and STS operation:
 *   generated params -> model_serialize -> model_parse  -> the same params
 *   generated result -> model_render    -> model_decode -> the same result
 * plus error documents (model_render_error -> client_parse_error), the exact XML of one
 * answer, and what model_parse refuses. The generated values are not checked against
 * the model's patterns (validation has its own tests); they are typed by the shapes and
 * carry the characters that need escaping on each wire. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "iamsh/client.h"
#include "iamsh/model_decode.h"
#include "iamsh/model_parse.h"
#include "iamsh/model_render.h"
#include "iamsh/model_serialize.h"

#define MAX_DEPTH 10

enum direction { PARAMS, RESULT };

static cJSON *gen_value(const model_shape *s, int depth, enum direction dir);

/* Text that needs escaping in a Query body and in XML, and is not ASCII. */
static cJSON *gen_string(const model_shape *s, enum direction dir)
{
    if (s->nenums)
        return cJSON_CreateString(s->enums[s->nenums - 1]);
    if (s->type == MODEL_BLOB) /* params: bytes; results: the base64 text AWS sends */
        return cJSON_CreateString(dir == PARAMS ? "bytes \xc3\xa9 & =" : "Ynl0ZXMgw6kgJiA9");
    return cJSON_CreateString(dir == PARAMS ? "v a+b&c=d%e/\xc3\xa9"
                                            : "v <a> & \"b\"\r\n\t\xc3\xa9");
}

/* A document as a table for results (rendered as AWS sends it), as its text for
 * params (model_parse gives back the text that was sent). */
static cJSON *gen_policy(enum direction dir)
{
    static const char doc[] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                              "\"Action\":[\"s3:Get*\"],\"Resource\":\"arn:aws:s3:::b/a b+c\"}]}";
    return dir == PARAMS ? cJSON_CreateString(doc) : cJSON_Parse(doc);
}

static cJSON *gen_structure(const model_shape *s, int depth, enum direction dir)
{
    cJSON *obj = cJSON_CreateObject();
    for (unsigned i = 0; i < s->nmembers; i++) {
        cJSON *v = gen_value(s->members[i].shape, depth + 1, dir);
        if (v)
            cJSON_AddItemToObject(obj, s->members[i].name, v);
    }
    if (!obj->child) { /* an empty structure is not on either wire: leave it out */
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

/* Two items or entries: order and numbering matter. NULL when the items cannot be. */
static cJSON *gen_container(const model_shape *s, int depth, enum direction dir)
{
    const model_shape *item = s->type == MODEL_LIST ? s->member : s->value;
    cJSON *c = s->type == MODEL_LIST ? cJSON_CreateArray() : cJSON_CreateObject();
    for (int i = 0; i < 2; i++) {
        cJSON *v = gen_value(item, depth + 1, dir);
        if (!v)
            break;
        if (s->type == MODEL_LIST)
            cJSON_AddItemToArray(c, v);
        else
            cJSON_AddItemToObject(c, i ? "k 2&<" : "k1", v);
    }
    if (!c->child) {
        cJSON_Delete(c);
        return NULL;
    }
    return c;
}

static cJSON *gen_value(const model_shape *s, int depth, enum direction dir)
{
    if (depth > MAX_DEPTH)
        return NULL;
    switch (s->type) {
    case MODEL_STRUCTURE: return gen_structure(s, depth, dir);
    case MODEL_LIST:
    case MODEL_MAP: return gen_container(s, depth, dir);
    case MODEL_BOOLEAN: return cJSON_CreateBool(depth % 2);
    case MODEL_INTEGER:
    case MODEL_LONG: return cJSON_CreateNumber(s->type == MODEL_LONG ? 4294967296.0 : 42);
    case MODEL_DOUBLE:
    case MODEL_FLOAT: return cJSON_CreateNumber(0.1);
    case MODEL_TIMESTAMP: return cJSON_CreateString("2023-11-14T22:13:20Z");
    default: return (s->flags & MODEL_F_POLICY) ? gen_policy(dir) : gen_string(s, dir);
    }
}

static void report(const model_op *op, const char *what, const cJSON *want, const cJSON *got,
                   const char *wire)
{
    char *a = cJSON_PrintUnformatted(want), *b = got ? cJSON_PrintUnformatted(got) : NULL;
    fprintf(stderr, "%s %s:\n  want %s\n  got  %s\n  wire %.600s\n", op->name, what, a,
            b ? b : "(null)", wire ? wire : "");
    cJSON_free(a);
    cJSON_free(b);
}

static void params_round_trip(const model_op *op)
{
    cJSON *params = op->input ? gen_value(op->input, 0, PARAMS) : NULL;
    if (!params)
        params = cJSON_CreateObject();
    buf body = BUF_INIT;
    aws_err err;
    err_clear(&err);
    CHECK_INT(model_serialize(op, params, &body, &err), 0);
    CHECK(model_parse_action(op->svc, body.p, body.len) == op);
    cJSON *back = model_parse(op, body.p, body.len, &err);
    int same = back && cJSON_Compare(params, back, 1);
    if (!same)
        report(op, back ? "params differ" : err.message, params, back, body.p);
    CHECK(same);
    cJSON_Delete(back);
    cJSON_Delete(params);
    buf_free(&body);
}

static void result_round_trip(const model_op *op)
{
    cJSON *result = op->output ? gen_value(op->output, 0, RESULT) : NULL;
    if (!result)
        result = cJSON_CreateObject();
    buf xml = BUF_INIT;
    aws_err err;
    err_clear(&err);
    char rid[96] = "";
    CHECK_INT(model_render(op, result, "rid-<1>&", &xml, &err), 0);
    cJSON *back = model_decode(op, xml.p, xml.len, rid, &err);
    int same = back && cJSON_Compare(result, back, 1);
    if (!same)
        report(op, back ? "results differ" : err.message, result, back, xml.p);
    CHECK(same);
    CHECK_STR(rid, "rid-<1>&");
    cJSON_Delete(back);
    cJSON_Delete(result);
    buf_free(&xml);
}

static void test_every_operation(void)
{
    const char *names[] = {"iam", "sts"};
    int ops = 0;
    for (int k = 0; k < 2; k++) {
        const model_service *svc = model_service_find(names[k]);
        for (unsigned i = 0; i < svc->nops; i++, ops++) {
            params_round_trip(&svc->ops[i]);
            result_round_trip(&svc->ops[i]);
        }
    }
    CHECK(ops > 170);
}

static void test_exact_answer(void)
{
    const model_op *op = model_op_find(model_service_find("iam"), "ListRoleTags");
    cJSON *result = cJSON_Parse("{\"Tags\":[{\"Key\":\"a&b\",\"Value\":\"<v>\"}],"
                                "\"IsTruncated\":false}");
    buf xml = BUF_INIT;
    CHECK_INT(model_render(op, result, "r-1", &xml, NULL), 0);
    CHECK_STR(xml.p, "<ListRoleTagsResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
                     "<ListRoleTagsResult><Tags><member><Key>a&amp;b</Key><Value>&lt;v&gt;</Value>"
                     "</member></Tags><IsTruncated>false</IsTruncated></ListRoleTagsResult>"
                     "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
                     "</ListRoleTagsResponse>");
    buf_reset(&xml);
    cJSON_Delete(result);
    /* A policy document goes out as AWS sends it: URL-encoded JSON text. */
    op = model_op_find(model_service_find("iam"), "GetRolePolicy");
    result = cJSON_Parse("{\"RoleName\":\"r\",\"PolicyName\":\"p\",\"PolicyDocument\":{\"a\":1}}");
    CHECK_INT(model_render(op, result, "r-2", &xml, NULL), 0);
    CHECK(strstr(xml.p, "<PolicyDocument>%7B%22a%22%3A1%7D</PolicyDocument>") != NULL);
    cJSON_Delete(result);
    buf_free(&xml);
}

static void test_render_refuses(void)
{
    const model_op *op = model_op_find(model_service_find("iam"), "GetUser");
    const char *bad[] = {
        "{\"User\":{\"UserName\":\"a\\u0001b\"}}", /* a control character */
        "{\"User\":{\"UserName\":42}}",            /* a number for a string */
        "{\"User\":{\"Nickname\":\"x\"}}",         /* no such member */
        "{\"User\":{\"CreateDate\":true}}",        /* a boolean for a timestamp */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cJSON *result = cJSON_Parse(bad[i]);
        buf xml = BUF_INIT;
        aws_err err;
        CHECK_INT(model_render(op, result, "r", &xml, &err), -1);
        CHECK_STR(err.code, "InvalidResult");
        CHECK_INT(xml.len, 0);
        cJSON_Delete(result);
        buf_free(&xml);
    }
}

static void test_errors(void)
{
    const model_service *iam = model_service_find("iam");
    aws_err e, back;
    err_set(&e, AWS_ERR_SERVICE, "NoSuchEntity", "The role <r> & friends cannot be found.");
    snprintf(e.request_id, sizeof e.request_id, "rid-9");
    buf xml = BUF_INIT;
    CHECK_INT(model_render_error(iam, &e, &xml), 0);
    CHECK(strstr(xml.p, "<Type>Sender</Type><Code>NoSuchEntity</Code>") != NULL);
    CHECK_INT(client_parse_error(xml.p, xml.len, &back), 0);
    CHECK_STR(back.code, "NoSuchEntity");
    CHECK_STR(back.message, e.message);
    CHECK_STR(back.request_id, "rid-9");
    buf_reset(&xml);
    err_set(&e, AWS_ERR_SERVICE, "ServiceFailure", "try again");
    CHECK_INT(model_render_error(iam, &e, &xml), 0);
    CHECK(strstr(xml.p, "<Type>Receiver</Type>") != NULL);
    buf_free(&xml);
}

/* The status of model_parse on body for op, and its message in msg. */
static int parse_fails(const char *op_name, const char *body, char msg[1024])
{
    const model_op *op = model_op_find(model_service_find("iam"), op_name);
    aws_err err;
    cJSON *v = model_parse(op, body, strlen(body), &err);
    snprintf(msg, 1024, "%s", v ? "" : err.message);
    cJSON_Delete(v);
    return v == NULL;
}

static void test_parse_refuses(void)
{
    char msg[1024];
    static const char *const bad[] = {
        "Action=UntagRole&RoleName=r&TagKeys.member.2=b",           /* item 1 missing */
        "Action=UntagRole&RoleName=r&TagKeys.member.01=b",          /* not a number */
        "Action=UntagRole&RoleName=r&RoleName=s",                   /* given twice */
        "Action=UntagRole&RoleName=r&Nickname=x",                   /* no such parameter */
        "Action=UntagRole&RoleName=r&TagKeys=x&TagKeys.member.1=b", /* value and prefix */
        "Action=UntagRole&RoleName.x=r",                            /* a value has no keys */
        "Action=UntagRole&RoleName=r%00",                           /* a NUL */
        "Action=DeleteRole&RoleName=r",                             /* another operation */
        "Action=UntagRole&RoleName=r&TagKeys.member.1..x=b",        /* empty segment */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int refused = parse_fails("UntagRole", bad[i], msg);
        if (!refused)
            fprintf(stderr, "accepted: %s\n", bad[i]);
        CHECK(refused);
    }
    CHECK(parse_fails("UntagRole", "Action=UntagRole&RoleName=r&Nickname=x", msg));
    CHECK_STR(msg, "UntagRole: Nickname: not a parameter of this operation");
    CHECK(parse_fails("UpdateAccountPasswordPolicy", "MinimumPasswordLength=eight", msg));
    CHECK_STR(msg, "UpdateAccountPasswordPolicy: MinimumPasswordLength: not an integer");
    /* '+' is a space in a form; the order of list items on the wire does not matter. */
    CHECK(!parse_fails("UntagRole", "RoleName=a+b&TagKeys.member.2=y&TagKeys.member.1=x", msg));
    const model_op *op = model_op_find(model_service_find("iam"), "UntagRole");
    const char *body = "RoleName=a+b&TagKeys.member.2=y&TagKeys.member.1=x";
    cJSON *v = model_parse(op, body, strlen(body), NULL);
    char *text = cJSON_PrintUnformatted(v);
    CHECK_STR(text, "{\"RoleName\":\"a b\",\"TagKeys\":[\"x\",\"y\"]}");
    cJSON_free(text);
    cJSON_Delete(v);
}

int main(void)
{
    test_every_operation();
    test_exact_answer();
    test_render_refuses();
    test_errors();
    test_parse_refuses();
    return check_summary();
}
