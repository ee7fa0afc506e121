/* test_json_python.c - JSON written as Python's json.dumps writes it, and the SHA-1
 * cache keys the AWS CLI makes from it (the expected values come from python3). */
#include <cJSON.h>
#include <string.h>

#include "check.h"
#include "iamsh/digest.h"
#include "iamsh/json.h"

static void dumps_is(const char *json, int flags, const char *expected)
{
    cJSON *v = cJSON_Parse(json);
    buf out = BUF_INIT;
    CHECK(v != NULL);
    CHECK_INT(json_python_dumps(v, flags, &out), 0);
    CHECK_STR(out.p, expected);
    buf_free(&out);
    cJSON_Delete(v);
}

static void test_dumps(void)
{
    const char *doc = "{\"k\": \"\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80\\\"\\\\\\n\\u0001\\u007f/\","
                      " \"l\": [1, 2.5, true, null, {}], \"e\": []}";
    dumps_is(doc, 0,
             "{\"k\": \"\\u00e9\\u2028\\ud83d\\ude00\\\"\\\\\\n\\u0001\\u007f/\", "
             "\"l\": [1, 2.5, true, null, {}], \"e\": []}");
    dumps_is(doc, JSON_PY_SORT_KEYS | JSON_PY_COMPACT,
             "{\"e\":[],\"k\":\"\\u00e9\\u2028\\ud83d\\ude00\\\"\\\\\\n\\u0001\\u007f/\","
             "\"l\":[1,2.5,true,null,{}]}");
    dumps_is("3600", 0, "3600");
    dumps_is("-1e300", 0, "-1e+300");
    dumps_is("0.1", 0, "0.1");
    dumps_is("1.5e-5", 0, "1.5e-05");
    dumps_is("\"\"", 0, "\"\"");
    /* a number past the double's range, as json.dumps writes float('inf') (not JSON) */
    dumps_is("[1e999, -1e999]", 0, "[Infinity, -Infinity]");
}

/* botocore's AssumeRoleCredentialFetcher and SSOCredentialFetcher keys. */
static void test_cache_keys(void)
{
    const char *args = "{\"RoleArn\": \"arn:aws:iam::123456789012:role/r\", \"RoleSessionName\": "
                       "\"sess\", \"DurationSeconds\": 900, \"ExternalId\": \"ext1\", "
                       "\"SerialNumber\": \"arn:aws:iam::123456789012:mfa/u\"}";
    cJSON *v = cJSON_Parse(args);
    buf out = BUF_INIT;
    char hex[41];
    CHECK_INT(json_python_dumps(v, JSON_PY_SORT_KEYS, &out), 0);
    CHECK_INT(digest_sha1_hex(out.p, out.len, hex), 0);
    CHECK_STR(hex, "5032cc33939bb4cf93511556bd26992b719343c3");
    cJSON_Delete(v);
    buf_reset(&out);
    v = cJSON_Parse("{\"roleName\": \"Admin\", \"accountId\": \"111122223333\", "
                    "\"sessionName\": \"corp\"}");
    CHECK_INT(json_python_dumps(v, JSON_PY_SORT_KEYS | JSON_PY_COMPACT, &out), 0);
    CHECK_STR(out.p,
              "{\"accountId\":\"111122223333\",\"roleName\":\"Admin\",\"sessionName\":\"corp\"}");
    CHECK_INT(digest_sha1_hex(out.p, out.len, hex), 0);
    CHECK_STR(hex, "0cdbf32b99792a73981dd3f142bc63ab50240b44");
    cJSON_Delete(v);
    buf_free(&out);
    /* the SSO token cache: the session name, or the start URL of a legacy profile */
    CHECK_INT(digest_sha1_hex("corp", 4, hex), 0);
    CHECK_STR(hex, "ee0bfd2552fbd840c02cc48b6e823320543c450f");
    const char *url = "https://d-123.awsapps.com/start";
    CHECK_INT(digest_sha1_hex(url, strlen(url), hex), 0);
    CHECK_STR(hex, "2b829a45f04c9828cb45b7d092d8e4aa30818393");
}

int main(void)
{
    test_dumps();
    test_cache_keys();
    return check_summary();
}
