/* test_model_serialize.c - Query serialisation: exact bodies, checked against botocore's
 * QuerySerializer for the same parameters (pairs re-ordered to model order). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "iamsh/model.h"
#include "iamsh/model_validate.h"
#include "iamsh/model_serialize.h"

static char *body_of(const char *svc, const char *op, const char *json)
{
    static char out[4096];
    const model_op *o = model_op_find(model_service_find(svc), op);
    cJSON *params = json ? cJSON_Parse(json) : NULL;
    buf b = BUF_INIT;
    aws_err err;
    err_clear(&err);
    if (!o || (json && !params) || model_validate(o, params, &err) != 0 ||
        model_serialize(o, params, &b, &err) != 0) {
        snprintf(out, sizeof out, "ERROR %s", err.message);
    } else {
        snprintf(out, sizeof out, "%s", b.p);
    }
    buf_free(&b);
    cJSON_Delete(params);
    return out;
}

/* IAM and STS have no map in any input, so the map rules (botocore's
 * QuerySerializer: A.entry.N.key / A.entry.N.value, entries in the order given)
 * are checked on a small model made here. */
static const model_shape str_shape = {.name = "s", .type = MODEL_STRING};
static const model_shape map_shape = {
    .name = "m", .type = MODEL_MAP, .member = &str_shape, .value = &str_shape};
static const model_shape list_of_maps = {.name = "l", .type = MODEL_LIST, .member = &map_shape};
static const model_member in_members[] = {
    {.name = "Attrs", .shape = &map_shape},
    {.name = "Many", .shape = &list_of_maps},
};
static const model_shape in_shape = {
    .name = "in", .type = MODEL_STRUCTURE, .members = in_members, .nmembers = 2};
static const model_service test_svc = {.name = "test", .api_version = "2020-01-01"};
static const model_op map_op = {
    .name = "PutAttrs", .snake = "put_attrs", .input = &in_shape, .svc = &test_svc};

static void test_maps(void)
{
    cJSON *params = cJSON_Parse("{\"Attrs\":{\"a\":\"1\",\"b c\":\"2\"},"
                                "\"Many\":[{\"x\":\"y\"},{}]}");
    buf b = BUF_INIT;
    aws_err err;
    err_clear(&err);
    CHECK_INT(model_validate(&map_op, params, &err), 0);
    CHECK_INT(model_serialize(&map_op, params, &b, &err), 0);
    CHECK_STR(b.p, "Action=PutAttrs&Version=2020-01-01"
                   "&Attrs.entry.1.key=a&Attrs.entry.1.value=1"
                   "&Attrs.entry.2.key=b%20c&Attrs.entry.2.value=2"
                   "&Many.member.1.entry.1.key=x&Many.member.1.entry.1.value=y");
    buf_free(&b);
    cJSON_Delete(params);
    params = cJSON_Parse("{\"Attrs\":{\"a\":1}}");
    CHECK_INT(model_validate(&map_op, params, &err), -1);
    CHECK(strstr(err.message, "Attrs.a") != NULL);
    cJSON_Delete(params);
}

static void test_create_role(void)
{
    CHECK_STR(body_of("iam", "create_role",
                      "{\"RoleName\":\"app\",\"AssumeRolePolicyDocument\":\"{\\\"Version\\\":"
                      "\\\"2012-10-17\\\"}\",\"Path\":\"/a/\",\"Tags\":[{\"Key\":\"k1\",\"Value\":"
                      "\"v 1\"},{\"Key\":\"k2\",\"Value\":\"\"}],\"MaxSessionDuration\":3600}"),
              "Action=CreateRole&Version=2010-05-08&Path=%2Fa%2F&RoleName=app"
              "&AssumeRolePolicyDocument=%7B%22Version%22%3A%222012-10-17%22%7D"
              "&MaxSessionDuration=3600&Tags.member.1.Key=k1&Tags.member.1.Value=v%201"
              "&Tags.member.2.Key=k2&Tags.member.2.Value=");
    /* The policy as a table: compact JSON text. */
    CHECK_STR(body_of("iam", "CreateRole",
                      "{\"RoleName\":\"app\",\"AssumeRolePolicyDocument\":{\"Version\":"
                      "\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"}]}}"),
              "Action=CreateRole&Version=2010-05-08&RoleName=app&AssumeRolePolicyDocument="
              "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A"
              "%22Allow%22%7D%5D%7D");
}

static void test_lists(void)
{
    CHECK_STR(body_of("iam", "untag_role", "{\"RoleName\":\"r\",\"TagKeys\":[\"a\",\"b\"]}"),
              "Action=UntagRole&Version=2010-05-08&RoleName=r&TagKeys.member.1=a"
              "&TagKeys.member.2=b");
    CHECK_STR(body_of("iam", "untag_role", "{\"RoleName\":\"r\",\"TagKeys\":[]}"),
              "Action=UntagRole&Version=2010-05-08&RoleName=r&TagKeys=");
    /* An empty Lua table arrives as {}: still an empty list. */
    CHECK_STR(body_of("iam", "untag_role", "{\"RoleName\":\"r\",\"TagKeys\":{}}"),
              "Action=UntagRole&Version=2010-05-08&RoleName=r&TagKeys=");
    /* Lists of structures holding lists. */
    CHECK_STR(
        body_of("iam", "simulate_principal_policy",
                "{\"PolicySourceArn\":\"arn:aws:iam::123456789012:user/u\","
                "\"ActionNames\":[\"s3:GetObject\"],\"ContextEntries\":[{\"ContextKeyName\":"
                "\"aws:x\",\"ContextKeyValues\":[\"1\",\"2\"],\"ContextKeyType\":\"string\"}]}"),
        "Action=SimulatePrincipalPolicy&Version=2010-05-08"
        "&PolicySourceArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Auser%2Fu"
        "&ActionNames.member.1=s3%3AGetObject"
        "&ContextEntries.member.1.ContextKeyName=aws%3Ax"
        "&ContextEntries.member.1.ContextKeyValues.member.1=1"
        "&ContextEntries.member.1.ContextKeyValues.member.2=2"
        "&ContextEntries.member.1.ContextKeyType=string");
}

static void test_scalars(void)
{
    CHECK_STR(body_of("iam", "create_policy_version",
                      "{\"PolicyArn\":\"arn:aws:iam::123456789012:policy/p\","
                      "\"PolicyDocument\":\"{}\",\"SetAsDefault\":true}"),
              "Action=CreatePolicyVersion&Version=2010-05-08"
              "&PolicyArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2Fp&PolicyDocument=%7B%7D"
              "&SetAsDefault=true");
    CHECK_STR(body_of("iam", "update_account_password_policy",
                      "{\"MinimumPasswordLength\":8,\"RequireSymbols\":false}"),
              "Action=UpdateAccountPasswordPolicy&Version=2010-05-08&MinimumPasswordLength=8"
              "&RequireSymbols=false");
    CHECK_STR(body_of("iam", "list_roles", NULL), "Action=ListRoles&Version=2010-05-08");
    CHECK_STR(body_of("sts", "GetCallerIdentity", "{}"),
              "Action=GetCallerIdentity&Version=2011-06-15");
    CHECK_STR(
        body_of("sts", "assume_role",
                "{\"RoleArn\":\"arn:aws:iam::123456789012:role/r\",\"RoleSessionName\":\"s1\","
                "\"PolicyArns\":[{\"arn\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}],"
                "\"Policy\":{\"Version\":\"2012-10-17\"},\"DurationSeconds\":900}"),
        "Action=AssumeRole&Version=2011-06-15"
        "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=s1"
        "&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess"
        "&Policy=%7B%22Version%22%3A%222012-10-17%22%7D&DurationSeconds=900");
    /* UTF-8 is percent-encoded byte by byte. */
    CHECK_STR(body_of("iam", "tag_role",
                      "{\"RoleName\":\"r\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"\xc3\xa9\"}]}"),
              "Action=TagRole&Version=2010-05-08&RoleName=r&Tags.member.1.Key=k"
              "&Tags.member.1.Value=%C3%A9");
}

int main(void)
{
    test_create_role();
    test_maps();
    test_lists();
    test_scalars();
    return check_summary();
}
