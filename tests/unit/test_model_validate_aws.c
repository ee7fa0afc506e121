/* test_model_validate_aws.c - received parameters refused in AWS's words: the ones
 * AWS's own answers show (pattern, length, range, enum, null, nested list paths), every
 * failure counted, and a sensitive value never repeated. */
#include "iamsh/model_parse.h"
#include "iamsh/model_validate.h"

#include "check.h"

/* The message model_validate_aws gives for body (op from svc), or "OK". */
static const char *verdict(const char *svc, const char *op_name, const char *body)
{
    static aws_err err;
    const model_op *op = model_op_find(model_service_find(svc), op_name);
    cJSON *params = model_parse(op, body, strlen(body), &err);
    int rc = params ? model_validate_aws(op, params, &err) : -1;
    cJSON_Delete(params);
    if (rc == 0)
        return "OK";
    CHECK_STR(err.code, params ? "ValidationError" : "MalformedQueryString");
    CHECK_INT(err.status, 400);
    return err.message;
}

static void test_messages(void)
{
    CHECK_STR(verdict("iam", "CreateRole", "RoleName=r&AssumeRolePolicyDocument=%7B%7D"), "OK");
    CHECK_STR(verdict("iam", "CreateRole", "RoleName=a+b"),
              "2 validation errors detected: Value 'a b' at 'roleName' failed to satisfy "
              "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; Value "
              "null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not "
              "be null");
    CHECK_STR(verdict("iam", "CreateUser",
                      "UserName=u&Tags.member.1.Key=k&Tags.member.1.Value=v&Tags.member.2.Key="
                      "k2&Tags.member.2.Value=a%7Bb"),
              "1 validation error detected: Value 'a{b' at 'tags.2.member.value' failed to "
              "satisfy constraint: Member must satisfy regular expression pattern: "
              "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
    CHECK_STR(verdict("iam", "ListRoles", "MaxItems=0"),
              "1 validation error detected: Value '0' at 'maxItems' failed to satisfy "
              "constraint: Member must have value greater than or equal to 1");
    /* The largest integer strtoll reads is 2^63 as a double: refused by its bounds, not
     * cast to a long long it does not fit (UBSan: float-cast-overflow). */
    CHECK_STR(verdict("iam", "ListRoles", "MaxItems=9223372036854775807"),
              "1 validation error detected: Value '9.2233720368547758e+18' at 'maxItems' failed "
              "to satisfy constraint: Member must have value less than or equal to 1000");
    CHECK_STR(verdict("iam", "ListRoles", "MaxItems=-9223372036854775808"),
              "1 validation error detected: Value '-9.2233720368547758e+18' at 'maxItems' failed "
              "to satisfy constraint: Member must have value greater than or equal to 1");
    /* Each constraint a value breaks is a failure of its own. */
    CHECK_STR(verdict("iam", "GetRole", "RoleName="),
              "2 validation errors detected: Value '' at 'roleName' failed to satisfy "
              "constraint: Member must have length greater than or equal to 1; Value '' at "
              "'roleName' failed to satisfy constraint: Member must satisfy regular expression "
              "pattern: [\\w+=,.@-]+");
    CHECK_STR(verdict("iam", "UpdateAccessKey", "AccessKeyId=AKIAEXAMPLEEXAMPLE&Status=On"),
              "1 validation error detected: Value 'On' at 'status' failed to satisfy "
              "constraint: Member must satisfy enum value set: [Active, Inactive, Expired]");
    CHECK_STR(verdict("iam", "UntagRole", "RoleName=r&TagKeys.member.1=a%7B"),
              "1 validation error detected: Value 'a{' at 'tagKeys.1.member' failed to satisfy "
              "constraint: Member must satisfy regular expression pattern: "
              "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+");
    CHECK_STR(verdict("sts", "AssumeRole", "RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr"),
              "1 validation error detected: Value null at 'roleSessionName' failed to satisfy "
              "constraint: Member must not be null");
}

/* A password breaks the pattern: the message says where, never what. */
static void test_sensitive(void)
{
    const char *msg = verdict("iam", "CreateLoginProfile", "UserName=u&Password=sekr%01t");
    CHECK(strstr(msg, "Value at 'password' failed to satisfy constraint") != NULL);
    CHECK(strstr(msg, "sekr") == NULL);
}

int main(void)
{
    test_messages();
    test_sensitive();
    return check_summary();
}
