/* test_model_decode.c - decoding recorded IAM/STS answers (tests/data/xml) by the
 * output shape, policy-document decoding, request ids, bad input; and, on a small
 * made-up model, what the real ones do not use (flattened lists and maps, named map
 * entries, deep nesting) and the rules of the one-pass decoder that a tree walk
 * gave for free (which failure is reported, whose text a value is). */
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

/* The decoder gives an element to one member: the models' wire names are distinct. */
static void test_wire_names(void)
{
    const model_service *svcs[] = {&model_service_iam, &model_service_sts};
    for (int k = 0; k < 2; k++) {
        for (unsigned i = 0; i < svcs[k]->nshapes; i++) {
            const model_shape *s = &svcs[k]->shapes[i];
            for (unsigned a = 0; s->type == MODEL_STRUCTURE && a < s->nmembers; a++)
                for (unsigned b = a + 1; b < s->nmembers; b++) {
                    const model_member *x = &s->members[a], *y = &s->members[b];
                    if (strcmp(x->location_name ? x->location_name : x->name,
                               y->location_name ? y->location_name : y->name) == 0) {
                        fprintf(stderr, "%s: two members named %s\n", s->name, x->name);
                        CHECK(0);
                    }
                }
        }
    }
}

/* ---- a made-up model ---- */

static const model_shape t_shapes[];
#define T(i) (&t_shapes[i])
enum { T_STR, T_INT, T_POL, T_LSTR, T_LFLAT, T_MAP, T_MAPN, T_REC, T_LREC, T_TOP };
static const model_member t_rec_members[] = {
    {"Name", NULL, T(T_STR), 0},
    {"Child", NULL, T(T_REC), 0},
    {"Kids", "Kid", T(T_LREC), MODEL_M_FLATTENED},
};
static const model_member t_top_members[] = {
    {"Str", NULL, T(T_STR), 0},
    {"Int", NULL, T(T_INT), 0},
    {"Pol", NULL, T(T_POL), 0},
    {"Items", "Item", T(T_LSTR), MODEL_M_FLATTENED},
    {"Nums", NULL, T(T_LFLAT), 0},
    {"Map", NULL, T(T_MAP), 0},
    {"Flat", "Entry", T(T_MAP), MODEL_M_FLATTENED},
    {"Named", NULL, T(T_MAPN), 0},
    {"Rec", NULL, T(T_REC), 0},
    {"Int2", "I", T(T_INT), 0},
    {"List", NULL, T(T_LSTR), 0},
};
static const model_shape t_shapes[] = {
    [T_STR] = {.name = "Str", .type = MODEL_STRING},
    [T_INT] = {.name = "Int", .type = MODEL_INTEGER},
    [T_POL] = {.name = "Pol", .type = MODEL_STRING, .flags = MODEL_F_POLICY},
    [T_LSTR] = {.name = "LStr", .type = MODEL_LIST, .member = T(T_STR)},
    [T_LFLAT] = {.name = "LFlat",
                 .type = MODEL_LIST,
                 .member = T(T_INT),
                 .flags = MODEL_F_FLATTENED},
    [T_MAP] = {.name = "Map", .type = MODEL_MAP, .member = T(T_STR), .value = T(T_INT)},
    [T_MAPN] = {.name = "MapN",
                .type = MODEL_MAP,
                .member = T(T_STR),
                .value = T(T_REC),
                .member_name = "K",
                .value_name = "V"},
    [T_REC] = {.name = "Rec", .type = MODEL_STRUCTURE, .members = t_rec_members, .nmembers = 3},
    [T_LREC] = {.name = "LRec", .type = MODEL_LIST, .member = T(T_REC)},
    [T_TOP] = {.name = "Top", .type = MODEL_STRUCTURE, .members = t_top_members, .nmembers = 11},
};
static const model_op t_op = {.name = "Made",
                              .snake = "made",
                              .output = T(T_TOP),
                              .result_wrapper = "MadeResult",
                              .svc = &model_service_iam};
static const model_op t_rec_op = {.name = "Deep",
                                  .snake = "deep",
                                  .output = T(T_REC),
                                  .result_wrapper = "R",
                                  .svc = &model_service_iam};

/* The answer (or "error: message") for <MadeResponse><MadeResult>body</MadeResult>tail. */
static const char *made(const char *body, const char *tail, char rid[96])
{
    static char xml[1 << 16], out[8192];
    snprintf(xml, sizeof xml, "<MadeResponse><MadeResult>%s</MadeResult>%s</MadeResponse>", body,
             tail);
    aws_err err;
    err_clear(&err);
    cJSON *r = model_decode(&t_op, xml, strlen(xml), rid, &err);
    if (r)
        snprintf(out, sizeof out, "%s", compact(r));
    else
        snprintf(out, sizeof out, "error: %s", err.message);
    cJSON_Delete(r);
    return out;
}

static void test_made_lists_maps(void)
{
    char rid[96] = "";
    /* Flattened: every element of the name, in order, wherever they stand. */
    CHECK_STR(made("<Item>a</Item><Str>s</Str><Item>b</Item><Nums>1</Nums><Nums>2</Nums>", "", rid),
              "{\"Str\":\"s\",\"Items\":[\"a\",\"b\"],\"Nums\":[1,2]}");
    /* Entries without a key or a value carry nothing, not even a failure; a key
     * given twice keeps its last value, placed last; value before key is fine. */
    CHECK_STR(made("<Map><entry><key>a</key><value>1</value></entry><entry><value>x</value></entry>"
                   "<entry><value>2</value><key>b</key></entry><entry><key>c</key></entry>"
                   "<entry><key>a</key><value>3</value></entry></Map>",
                   "", rid),
              "{\"Map\":{\"b\":2,\"a\":3}}");
    CHECK_STR(made("<Entry><key>k</key><value>1</value></Entry><Entry><value>2</value></Entry>"
                   "<Named><e><V><Name>n</Name></V><K>x<i>y</i></K></e></Named>",
                   "", rid),
              "{\"Flat\":{\"k\":1},\"Named\":{\"xy\":{\"Name\":\"n\"}}}");
    /* A list's items are its child elements, whatever their names; [] when empty.
     * An object's members come in model order. */
    CHECK_STR(
        made("<List><member>a</member>text<x>b</x></List><Rec><Kid><Name>k</Name></Kid></Rec>", "",
             rid),
        "{\"Rec\":{\"Kids\":[{\"Name\":\"k\"}]},\"List\":[\"a\",\"b\"]}");
    CHECK_STR(made("<List/><Str>first</Str><Str>second</Str>", "", rid),
              "{\"Str\":\"first\",\"List\":[]}");
}

static void test_made_text(void)
{
    char rid[96] = "";
    /* A value's text is all the text below it: CDATA, references, child elements. */
    CHECK_STR(
        made("<Str>a<![CDATA[<b>]]>&#99;<x>d<!-- no --></x>e&amp;</Str><Int> 4 </Int>", "", rid),
        "{\"Str\":\"a<b>cde&\",\"Int\":4}");
    CHECK_STR(made("<Pol>%7B%22a%22%3A%22b+c%22%7D</Pol>", "", rid), "{\"Pol\":{\"a\":\"b+c\"}}");
    /* An undeclared prefix is part of the name (as libxml2's tree had it). */
    CHECK_STR(made("<p:Str xmlns:p=\"urn:x\">declared</p:Str><q:Int>1</q:Int>", "", rid),
              "{\"Str\":\"declared\"}");
}

static void test_made_failures(void)
{
    char rid[96] = "";
    /* The failure reported is the first in model order, not in the document. */
    CHECK_STR(made("<I>x</I><Int>y</Int>", "", rid), "error: made: not a number in element Int");
    CHECK_STR(made("<Rec><Kid><Name>ok</Name></Kid></Rec><Map><entry><key>k</key><value>z</value>"
                   "</entry></Map><Nums>q</Nums>",
                   "", rid),
              "error: made: not a number in element Nums");
    CHECK_STR(made("<Map><entry><key>a</key><value>1</value></entry><entry><key>b</key><value>"
                   "v1</value></entry><entry><key>c</key><value>v2</value></entry></Map>",
                   "", rid),
              "error: made: not a number in element value");
    /* The request id is kept even so; only the first ResponseMetadata counts. */
    CHECK_STR(made("<Int>y</Int>",
                   "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>", rid),
              "error: made: not a number in element Int");
    CHECK_STR(rid, "r-1");
    CHECK_STR(made("",
                   "<ResponseMetadata/><ResponseMetadata><RequestId>r-2</RequestId>"
                   "</ResponseMetadata>",
                   rid),
              "{}");
    CHECK_STR(rid, "r-1");
    /* Malformed after the failure: malformed wins, and the request id is left. */
    strcpy(rid, "caller");
    CHECK_STR(made("<Int>y</Int>",
                   "<ResponseMetadata><RequestId>r-3</RequestId></ResponseMetadata>"
                   "<x>",
                   rid),
              "error: made: response is not well-formed XML (or carries a DTD)");
    CHECK_STR(rid, "caller");
}

/* <DeepResponse><R> with n nested <Child> values. */
static const char *deep(int n)
{
    static char xml[4096], out[sizeof(((aws_err *)0)->message)];
    int len = snprintf(xml, sizeof xml, "<DeepResponse><R>");
    for (int i = 0; i < n; i++)
        len += snprintf(xml + len, sizeof xml - len, "<Child>");
    for (int i = 0; i < n; i++)
        len += snprintf(xml + len, sizeof xml - len, "</Child>");
    snprintf(xml + len, sizeof xml - len, "</R></DeepResponse>");
    char rid[96];
    aws_err err;
    err_clear(&err);
    cJSON *r = model_decode(&t_rec_op, xml, strlen(xml), rid, &err);
    snprintf(out, sizeof out, "%s", r ? "ok" : err.message);
    cJSON_Delete(r);
    return out;
}

static void test_made_nesting(void)
{
    CHECK_STR(deep(63), "ok"); /* R is the first value, so 64 in all */
    CHECK_STR(deep(64), "deep: nested too deeply at Child");
    CHECK_STR(deep(200), "deep: nested too deeply at Child");
}

/* libxml2's tree builder stopped at a text node past 10,000,000 bytes without
 * calling the document malformed; libxml2 then accepted it or not by what came
 * next. The one-pass decoder stops the same way, so answers stay as they were. */
static void test_huge_text(void)
{
    const model_op *op = model_op_find(model_service_find("iam"), "GetRole");
    size_t n = 10000000;
    char *xml = malloc(n + 512);
    if (!xml)
        return;
    int at = sprintf(xml, "<GetRoleResponse><GetRoleResult><Role><RoleName>&amp;&amp;");
    memset(xml + at, 'a', n);
    sprintf(xml + at + n, "</RoleName><Path>/</Path></Role></GetRoleResult></GetRoleResponse>");
    char rid[96];
    aws_err err;
    err_clear(&err);
    cJSON *r = model_decode(op, xml, strlen(xml), rid, &err);
    CHECK_STR(compact(r), "{\"Role\":{\"RoleName\":\"&&\"}}");
    cJSON_Delete(r);
    free(xml);
}

static void test_refused(void)
{
    const model_op *op = model_op_find(model_service_find("iam"), "GetRole");
    const char *laughs = "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">"
                         "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;\">]><GetRoleResponse><GetRoleResult>"
                         "<Role><RoleName>&c;</RoleName></Role></GetRoleResult></GetRoleResponse>";
    const char *external = "<!DOCTYPE r SYSTEM \"http://127.0.0.1:9/x.dtd\"><GetRoleResponse/>";
    const char *undefined = "<GetRoleResponse><GetRoleResult><Role><RoleName>&a;</RoleName>"
                            "</Role></GetRoleResult></GetRoleResponse>";
    const char *docs[] = {laughs, external, undefined};
    for (int i = 0; i < 3; i++) {
        char rid[96] = "";
        aws_err err;
        err_clear(&err);
        CHECK(model_decode(op, docs[i], strlen(docs[i]), rid, &err) == NULL);
        CHECK_STR(err.message, "get_role: response is not well-formed XML (or carries a DTD)");
    }
}

int main(void)
{
    test_list_roles();
    test_get_role();
    test_access_key();
    test_others();
    test_bad();
    test_wire_names();
    test_made_lists_maps();
    test_made_text();
    test_made_failures();
    test_made_nesting();
    test_huge_text();
    test_refused();
    return check_summary();
}
