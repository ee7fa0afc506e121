/* bench_model.c - micro-benchmark of the generic call path without the network:
 * validate + serialise CreateRole, sign it (SigV4, as the client does), and decode
 * a two-role ListRoles answer, N times each (default 100000). Prints microseconds
 * of CPU per call (this process's CPU clock, so the figures are per core and do
 * not move with other load on the machine). Not a test; tests/bench/run reads
 * its signing figure.
 *   ./bench_model [iterations] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iamsh/model.h"
#include "iamsh/sigv4.h"
#include "iamsh/model_validate.h"
#include "iamsh/model_serialize.h"
#include "iamsh/model_decode.h"

static const char *params_json =
    "{\"RoleName\":\"app-role\",\"Path\":\"/apps/\",\"Description\":\"bench role\","
    "\"AssumeRolePolicyDocument\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
    "\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]},"
    "\"MaxSessionDuration\":3600,\"Tags\":[{\"Key\":\"team\",\"Value\":\"infra\"},"
    "{\"Key\":\"env\",\"Value\":\"prod\"}]}";

static const char *list_roles_xml =
    "<ListRolesResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListRolesResult>"
    "<IsTruncated>false</IsTruncated><Roles>"
    "<member><Path>/</Path><Arn>arn:aws:iam::123456789012:role/a</Arn><RoleName>a</RoleName>"
    "<AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B"
    "%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22"
    "%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D</AssumeRolePolicyDocument>"
    "<CreateDate>2024-01-02T03:04:05Z</CreateDate><RoleId>AROAAAAAAAAAAAAAAAAAA</RoleId>"
    "<MaxSessionDuration>3600</MaxSessionDuration></member>"
    "<member><Path>/</Path><Arn>arn:aws:iam::123456789012:role/b</Arn><RoleName>b</RoleName>"
    "<AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D</AssumeRolePolicyDocument>"
    "<CreateDate>2024-01-02T03:04:06Z</CreateDate><RoleId>AROABBBBBBBBBBBBBBBBB</RoleId>"
    "</member></Roles></ListRolesResult><ResponseMetadata><RequestId>req-1</RequestId>"
    "</ResponseMetadata></ListRolesResponse>";

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    if (n <= 0)
        n = 100000;
    const model_service *iam = model_service_find("iam");
    const model_op *create = model_op_find(iam, "create_role");
    const model_op *list = model_op_find(iam, "list_roles");
    cJSON *params = cJSON_Parse(params_json);
    aws_err err;
    buf body = BUF_INIT;
    double t0 = now_us();
    for (long i = 0; i < n; i++)
        if (model_validate(create, params, &err) != 0)
            return fprintf(stderr, "validate: %s\n", err.message), 1;
    double t1 = now_us();
    for (long i = 0; i < n; i++) {
        buf_reset(&body);
        if (model_serialize(create, params, &body, &err) != 0)
            return fprintf(stderr, "serialize: %s\n", err.message), 1;
    }
    double t2 = now_us();
    size_t xml_len = strlen(list_roles_xml);
    char rid[96];
    for (long i = 0; i < n; i++) {
        cJSON *r = model_decode(list, list_roles_xml, xml_len, rid, &err);
        if (!r)
            return fprintf(stderr, "decode: %s\n", err.message), 1;
        cJSON_Delete(r);
    }
    double t3 = now_us();
    sigv4_header ct = {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"};
    sigv4_request sr = {
        .method = "POST",
        .url = "https://iam.amazonaws.com/",
        .headers = &ct,
        .nheaders = 1,
        .body = body.p,
        .body_len = body.len,
        .region = "us-east-1",
        .service = "iam",
        .access_key = "AKIDEXAMPLE",
        .secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        .timestamp = "20150830T123600Z",
        .normalize_path = 1,
    };
    for (long i = 0; i < n; i++) {
        char *lines[SIGV4_MAX_ADDED_HEADERS + 1];
        if (sigv4_sign_headers(&sr, lines, &err) != 0)
            return fprintf(stderr, "sign: %s\n", err.message), 1;
        sigv4_headers_free(lines);
    }
    double t4 = now_us();
    double v = (t1 - t0) / n, s = (t2 - t1) / n, d = (t3 - t2) / n, g = (t4 - t3) / n;
    printf("iterations            %ld\n", n);
    printf("validate CreateRole   %8.2f us\n", v);
    printf("serialize CreateRole  %8.2f us  (%zu bytes)\n", s, body.len);
    printf("decode ListRoles (2)  %8.2f us\n", d);
    printf("sign CreateRole       %8.2f us\n", g);
    printf("total per call        %8.2f us\n", v + s + d + g);
    buf_free(&body);
    cJSON_Delete(params);
    return 0;
}
