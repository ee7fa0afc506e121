/* test_model_validate.c - parameter validation: messages name the op and the path. */
#include <string.h>

#include "check.h"
#include "iamsh/model.h"
#include "iamsh/model_validate.h"

static const char *check(const char *svc, const char *op, const char *json)
{
    static aws_err err;
    cJSON *params = json ? cJSON_Parse(json) : NULL;
    err_clear(&err);
    int rc = model_validate(model_op_find(model_service_find(svc), op), params, &err);
    cJSON_Delete(params);
    if (rc == 0)
        return "ok";
    CHECK_INT(err.kind, AWS_ERR_PARAM);
    CHECK_STR(err.code, "ParamValidation");
    return err.message;
}

#define TRUST "\"AssumeRolePolicyDocument\":{\"Version\":\"2012-10-17\"}"

static void test_ok(void)
{
    CHECK_STR(check("iam", "create_role", "{\"RoleName\":\"app\"," TRUST "}"), "ok");
    CHECK_STR(check("iam", "create_role",
                    "{\"RoleName\":\"app\",\"AssumeRolePolicyDocument\":\"{}\",\"Path\":\"/a/\","
                    "\"MaxSessionDuration\":7200,\"Tags\":[{\"Key\":\"k\",\"Value\":\"\"}]}"),
              "ok");
    CHECK_STR(check("iam", "list_roles", NULL), "ok");
    CHECK_STR(check("iam", "list_roles", "{}"), "ok");
    CHECK_STR(check("iam", "list_roles", "{\"MaxItems\":null}"), "ok");
    CHECK_STR(check("sts", "get_caller_identity", "{}"), "ok");
    CHECK_STR(check("iam", "untag_role", "{\"RoleName\":\"r\",\"TagKeys\":{}}"), "ok");
    CHECK_STR(check("iam", "update_access_key",
                    "{\"AccessKeyId\":\"AKIDFAKEFAKEFAKE01\",\"Status\":\"Inactive\"}"),
              "ok");
    CHECK_STR(check("iam", "get_organizations_access_report",
                    "{\"JobId\":\"examplejob12345678901234567890123456\",\"MaxItems\":10}"),
              "ok");
}

static void test_structure_errors(void)
{
    CHECK_STR(check("iam", "create_role", "{" TRUST "}"), "create_role: RoleName: missing");
    CHECK_STR(check("iam", "create_role", "{\"RoleName\":5," TRUST "}"),
              "create_role: RoleName: expected string, got number");
    CHECK_STR(check("iam", "create_role", "{\"RoleName\":\"a\"," TRUST ",\"Foo\":1}"),
              "create_role: Foo: unknown parameter (valid: Path, RoleName, "
              "AssumeRolePolicyDocument, Description, MaxSessionDuration, PermissionsBoundary, "
              "Tags)");
    CHECK_STR(check("iam", "create_role",
                    "{\"RoleName\":\"a\"," TRUST ",\"Tags\":[{\"Key\":\"a\",\"Value\":\"b\"},"
                    "{\"Value\":\"c\"}]}"),
              "create_role: Tags[2].Key: missing");
    CHECK_STR(check("iam", "create_role", "{\"RoleName\":\"a\"," TRUST ",\"Tags\":\"x\"}"),
              "create_role: Tags: expected list, got string");
    CHECK_STR(check("iam", "create_role", "{\"RoleName\":\"a\"," TRUST ",\"Tags\":[5]}"),
              "create_role: Tags[1]: expected table, got number");
    CHECK_STR(check("iam", "delete_role", "{\"RoleName\":\"a\",\"X\":1}"),
              "delete_role: X: unknown parameter (valid: RoleName)");
    CHECK_STR(check("sts", "get_caller_identity", "{\"X\":1}"),
              "get_caller_identity: X: unknown parameter (valid: none)");
    CHECK_STR(check("iam", "list_roles", "[1]"),
              "list_roles: (parameters): expected table, got list");
}

static void test_scalar_errors(void)
{
    CHECK_STR(check("iam", "create_role", "{\"RoleName\":\"a\"," TRUST ",\"Path\":\"a\"}"),
              "create_role: Path: does not match pattern (\\x{002F})|(\\x{002F}"
              "[\\x{0021}-\\x{007E}]+\\x{002F})");
    CHECK_STR(check("iam", "create_role", "{\"RoleName\":\"\"," TRUST "}"),
              "create_role: RoleName: length 0 is below the minimum 1");
    CHECK_STR(check("iam", "create_role",
                    "{\"RoleName\":"
                    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"," TRUST
                    "}"),
              "create_role: RoleName: length 65 is above the maximum 64");
    CHECK_STR(
        check("iam", "create_role", "{\"RoleName\":\"a\"," TRUST ",\"MaxSessionDuration\":60}"),
        "create_role: MaxSessionDuration: value 60 is below the minimum 3600");
    CHECK_STR(
        check("iam", "create_role", "{\"RoleName\":\"a\"," TRUST ",\"MaxSessionDuration\":3600.5}"),
        "create_role: MaxSessionDuration: expected integer, got a number with a fraction");
    /* A huge whole number (math.maxinteger from Lua) has no fraction: say it is out of range. */
    CHECK_STR(check("iam", "create_role",
                    "{\"RoleName\":\"a\"," TRUST ",\"MaxSessionDuration\":9223372036854775807}"),
              "create_role: MaxSessionDuration: integer out of the 32-bit range");
    CHECK_STR(check("iam", "list_roles", "{\"MaxItems\":1e300}"),
              "list_roles: MaxItems: integer out of the 32-bit range");
    CHECK_STR(
        check("iam", "create_role", "{\"RoleName\":\"a\",\"AssumeRolePolicyDocument\":\"{x\"}"),
        "create_role: AssumeRolePolicyDocument: policy document is not valid JSON");
    CHECK_STR(check("iam", "create_role", "{\"RoleName\":\"a\",\"AssumeRolePolicyDocument\":true}"),
              "create_role: AssumeRolePolicyDocument: expected policy document (table or JSON "
              "string), got boolean");
    CHECK_STR(check("iam", "update_access_key",
                    "{\"AccessKeyId\":\"AKIDFAKEFAKEFAKE01\",\"Status\":\"On\"}"),
              "update_access_key: Status: invalid value \"On\" (valid: Active, Inactive, Expired)");
    CHECK_STR(
        check("iam", "create_policy_version",
              "{\"PolicyArn\":\"arn:aws:iam::123456789012:policy/p\",\"PolicyDocument\":\"{}\","
              "\"SetAsDefault\":\"yes\"}"),
        "create_policy_version: SetAsDefault: expected boolean, got string");
    CHECK_STR(check("iam", "create_role", "{\"RoleName\":\"a\xff\"," TRUST "}"),
              "create_role: RoleName: not valid UTF-8");
    /* Length counts code points, not bytes: 64 two-byte letters fit... the pattern refuses them. */
    CHECK_STR(check("iam", "tag_role",
                    "{\"RoleName\":\"r\",\"Tags\":[{\"Key\":\"\xc3\xa9t\xc3\xa9\",\"Value\":"
                    "\"\xe6\x97\xa5\"}]}"),
              "ok");
    CHECK_STR(
        check("iam", "tag_role", "{\"RoleName\":\"r\",\"Tags\":[{\"Key\":\"a!\",\"Value\":\"\"}]}"),
        "tag_role: Tags[1].Key: does not match pattern [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+");
}

static void test_union_and_sts(void)
{
    /* PolicyIdentifier is a union: exactly one member. */
#define SIM \
    "{\"PolicySourceArn\":\"arn:aws:iam::123456789012:user/u\",\"ActionNames\":[\"s3:Get\"],"
    CHECK_STR(check("iam", "simulate_principal_policy",
                    SIM "\"PolicyExclusionList\":[{\"PolicyType\":\"inline\"}]}"),
              "ok");
    CHECK_STR(check("iam", "simulate_principal_policy",
                    SIM "\"PolicyExclusionList\":[{\"PolicyType\":\"inline\",\"PolicyArn\":"
                        "\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}]}"),
              "simulate_principal_policy: PolicyExclusionList[1]: exactly one member must be set, "
              "got several");
    CHECK_STR(check("iam", "simulate_principal_policy", SIM "\"PolicyExclusionList\":[{}]}"),
              "simulate_principal_policy: PolicyExclusionList[1]: exactly one member must be set, "
              "got none");
    CHECK_STR(check("sts", "assume_role",
                    "{\"RoleArn\":\"arn:aws:iam::123456789012:role/r\",\"RoleSessionName\":\"s\"}"),
              "assume_role: RoleSessionName: length 1 is below the minimum 2");
    CHECK_STR(check("sts", "assume_role",
                    "{\"RoleArn\":\"arn:aws:iam::123456789012:role/r\",\"RoleSessionName\":\"s1\","
                    "\"Policy\":{\"Version\":\"2012-10-17\"},\"DurationSeconds\":900}"),
              "ok");
}

int main(void)
{
    test_ok();
    test_structure_errors();
    test_scalar_errors();
    test_union_and_sts();
    return check_summary();
}
