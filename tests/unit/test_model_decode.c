/* test_model_decode.c - decoding recorded IAM/STS answers (tests/data/xml) by the
 * output shape, policy-document decoding, request ids, bad input. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "iamsh/model.h"
#include "iamsh/model_decode.h"

static char *slurp(const char *name, size_t *len)
{
    char path[1024];
    const char *dir = getenv("IAMSH_TEST_DATA");
    snprintf(path, sizeof path, "%s/xml/%s", dir ? dir : "tests/data", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char data[65536];
    *len = fread(data, 1, sizeof data - 1, f);
    data[*len] = '\0';
    fclose(f);
    return data;
}

static cJSON *decode(const char *svc, const char *op, const char *file, char rid[96], aws_err *err)
{
    size_t len = 0;
    char *xml = slurp(file, &len);
    CHECK(xml != NULL);
    err_clear(err);
    rid[0] = '\0';
    return model_decode(model_op_find(model_service_find(svc), op), xml ? xml : "", len, rid, err);
}

static char *compact(const cJSON *j)
{
    static char out[8192];
    char *s = cJSON_PrintUnformatted(j);
    snprintf(out, sizeof out, "%s", s ? s : "(null)");
    cJSON_free(s);
    return out;
}

static void test_list_roles(void)
{
    char rid[96];
    aws_err err;
    cJSON *r = decode("iam", "ListRoles", "list_roles_0.xml", rid, &err);
    CHECK_STR(compact(r), "{\"Roles\":[],\"IsTruncated\":false}");
    CHECK_STR(rid, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE");
    cJSON_Delete(r);

    r = decode("iam", "list_roles", "list_roles_1.xml", rid, &err);
    CHECK_STR(
        compact(r),
        "{\"Roles\":[{\"Path\":\"/app/\",\"RoleName\":\"S3Access\",\"RoleId\":"
        "\"AROACVSVTSZYEXAMPLEYK\",\"Arn\":\"arn:aws:iam::123456789012:role/app/S3Access\","
        "\"CreateDate\":\"2012-05-09T15:45:35Z\",\"AssumeRolePolicyDocument\":{\"Version\":"
        "\"2008-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
        "[\"ec2.amazonaws.com\"]},\"Action\":[\"sts:AssumeRole\"]}]},"
        "\"MaxSessionDuration\":3600}],\"IsTruncated\":true,\"Marker\":\"AAEAAXR0aGVyZQ==\"}");
    CHECK_STR(rid, "20f7279f-99ee-11e1-a4c3-27EXAMPLE804");
    cJSON_Delete(r);

    r = decode("iam", "list_roles", "list_roles_2.xml", rid, &err);
    cJSON *roles = cJSON_GetObjectItem(r, "Roles");
    CHECK_INT(cJSON_GetArraySize(roles), 2);
    cJSON *b = cJSON_GetArrayItem(roles, 1);
    /* Not JSON after decoding: the original text is kept. */
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(b, "AssumeRolePolicyDocument")),
              "not%20json+at%20all");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(b, "Description")), "second & last");
    CHECK(cJSON_GetObjectItem(cJSON_GetArrayItem(roles, 0), "Description") == NULL);
    cJSON_Delete(r);
}

static void test_get_role(void)
{
    char rid[96];
    aws_err err;
    cJSON *r = decode("iam", "GetRole", "get_role.xml", rid, &err);
    cJSON *role = cJSON_GetObjectItem(r, "Role");
    cJSON *doc = cJSON_GetObjectItem(role, "AssumeRolePolicyDocument");
    CHECK(cJSON_IsObject(doc));
    /* '+' is not a space (urllib's unquote, not unquote_plus). */
    CHECK_STR(compact(cJSON_GetObjectItem(doc, "Statement")),
              "[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"
              "\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":"
              "{\"aws:UserAgent\":\"a+b\"}}}]");
    CHECK_STR(compact(cJSON_GetObjectItem(role, "Tags")),
              "[{\"Key\":\"team\",\"Value\":\"infra\"}]");
    CHECK_STR(compact(cJSON_GetObjectItem(role, "RoleLastUsed")),
              "{\"LastUsedDate\":\"2019-11-18T05:32:47Z\",\"Region\":\"us-east-2\"}");
    CHECK_INT(cJSON_GetObjectItem(role, "MaxSessionDuration")->valueint, 3600);
    cJSON_Delete(r);
}

static void test_access_key(void)
{
    char rid[96];
    aws_err err;
    cJSON *r = decode("iam", "create_access_key", "create_access_key.xml", rid, &err);
    cJSON *ak = cJSON_GetObjectItem(r, "AccessKey");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(ak, "SecretAccessKey")),
              "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
    cJSON_Delete(r);
}

static void test_others(void)
{
    char rid[96];
    aws_err err;
    cJSON *r = decode("sts", "get_caller_identity", "get_caller_identity.xml", rid, &err);
    CHECK_STR(compact(r), "{\"UserId\":\"AIDACKCEVSQ6C2EXAMPLE\",\"Account\":\"123456789012\","
                          "\"Arn\":\"arn:aws:iam::123456789012:user/Alice\"}");
    CHECK_STR(rid, "01234567-89ab-cdef-0123-456789abcdef");
    cJSON_Delete(r);

    r = decode("iam", "list_attached_role_policies", "list_attached_role_policies.xml", rid, &err);
    CHECK_STR(compact(r), "{\"AttachedPolicies\":[{\"PolicyName\":\"ReadOnlyAccess\","
                          "\"PolicyArn\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}],"
                          "\"IsTruncated\":false}");
    cJSON_Delete(r);

    r = decode("iam", "delete_role", "delete_role.xml", rid, &err);
    CHECK_STR(compact(r), "{}");
    CHECK_STR(rid, "913e3f37-99ed-11e1-a4c3-270EXAMPLE04");
    cJSON_Delete(r);

    r = decode("iam", "get_account_summary", "get_account_summary.xml", rid, &err);
    CHECK_STR(compact(r), "{\"SummaryMap\":{\"Groups\":31,\"AccessKeysPerUserQuota\":2}}");
    cJSON_Delete(r);
}

static void test_bad(void)
{
    char rid[96];
    aws_err err;
    CHECK(decode("iam", "list_roles", "garbage.xml", rid, &err) == NULL);
    CHECK_INT(err.kind, AWS_ERR_PARSE);
    CHECK_STR(err.code, "ResponseParseError");
    CHECK(decode("iam", "list_roles", "doctype.xml", rid, &err) == NULL);
    CHECK_INT(err.kind, AWS_ERR_PARSE);
    /* Wrong root element for the operation. */
    CHECK(decode("iam", "get_role", "list_roles_0.xml", rid, &err) == NULL);
    CHECK_INT(err.kind, AWS_ERR_PARSE);
    const model_op *op = model_op_find(model_service_find("iam"), "list_roles");
    const char *bad_int = "<ListRolesResponse><ListRolesResult><Roles><member>"
                          "<MaxSessionDuration>lots</MaxSessionDuration></member></Roles>"
                          "</ListRolesResult></ListRolesResponse>";
    err_clear(&err);
    CHECK(model_decode(op, bad_int, strlen(bad_int), rid, &err) == NULL);
    CHECK_INT(err.kind, AWS_ERR_PARSE);
    err_clear(&err);
    CHECK(model_decode(op, "", 0, rid, &err) == NULL);
    CHECK_INT(err.kind, AWS_ERR_PARSE);
    /* A single flat <member> in a list still gives an array; no RequestId keeps rid. */
    strcpy(rid, "from-header");
    const char *one = "<ListRolesResponse><ListRolesResult><Roles><member><RoleName>x"
                      "</RoleName></member></Roles></ListRolesResult></ListRolesResponse>";
    cJSON *r = model_decode(op, one, strlen(one), rid, &err);
    CHECK_STR(compact(r), "{\"Roles\":[{\"RoleName\":\"x\"}]}");
    CHECK_STR(rid, "from-header");
    cJSON_Delete(r);
}

int main(void)
{
    test_list_roles();
    test_get_role();
    test_access_key();
    test_others();
    test_bad();
    return check_summary();
}
