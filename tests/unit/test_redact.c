/* test_redact.c - redact_text removes secrets from headers, XML, JSON and form bodies. */
#include <stdlib.h>

#include "check.h"
#include "iamsh/redact.h"

static char *redact(const char *in)
{
    buf out = BUF_INIT;
    CHECK_INT(redact_text(in, strlen(in), &out), 0);
    return buf_steal(&out);
}

#define EXPECT(in, want)         \
    do {                         \
        char *got_ = redact(in); \
        CHECK_STR(got_, want);   \
        free(got_);              \
    } while (0)

static void test_headers(void)
{
    EXPECT("Authorization: AWS4-HMAC-SHA256 Credential=AKIA/x, Signature=abc\r\nHost: h\r\n",
           "Authorization: <redacted>\r\nHost: h\r\n");
    EXPECT("> authorization:   secret\n> X-AMZ-SECURITY-TOKEN: FQoGZXIvYXdz\n> X-Amz-Date: 1\n",
           "> authorization:   <redacted>\n> X-AMZ-SECURITY-TOKEN: <redacted>\n> X-Amz-Date: 1\n");
    EXPECT("x-amz-security-token:tok", "x-amz-security-token:<redacted>");
    EXPECT("Content-Type: text/xml\n", "Content-Type: text/xml\n");
    EXPECT("X-Authorization-Hint: fine", "X-Authorization-Hint: fine");
}

static void test_xml(void)
{
    EXPECT(
        "<AccessKey><AccessKeyId>AKIDFAKEFAKEFAKE01</AccessKeyId>"
        "<SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY</SecretAccessKey></AccessKey>",
        "<AccessKey><AccessKeyId>AKIDFAKEFAKEFAKE01</AccessKeyId>"
        "<SecretAccessKey><redacted></SecretAccessKey></AccessKey>");
    EXPECT("<Credentials><SessionToken>IQoJb3JpZ2lu\nZXIvYXdz</SessionToken>"
           "<Expiration>2026-01-01T00:00:00Z</Expiration></Credentials>",
           "<Credentials><SessionToken><redacted></SessionToken>"
           "<Expiration>2026-01-01T00:00:00Z</Expiration></Credentials>");
    EXPECT("<Token>t</Token><Password>p</Password><PrivateKey>k</PrivateKey>"
           "<ServicePassword>s</ServicePassword>",
           "<Token><redacted></Token><Password><redacted></Password>"
           "<PrivateKey><redacted></PrivateKey><ServicePassword><redacted></ServicePassword>");
    EXPECT("<a:SecretAccessKey xmlns:a=\"u\">x</a:SecretAccessKey>",
           "<a:SecretAccessKey xmlns:a=\"u\"><redacted></a:SecretAccessKey>");
    EXPECT("<SecretAccessKey><![CDATA[abc<def]]>tail</SecretAccessKey>",
           "<SecretAccessKey><redacted></SecretAccessKey>");
    EXPECT("<SecretAccessKey/><SessionToken></SessionToken>",
           "<SecretAccessKey/><SessionToken></SessionToken>");
    EXPECT("<UserName>bob</UserName><Arn>arn</Arn>", "<UserName>bob</UserName><Arn>arn</Arn>");
    EXPECT("<SecretAccessKey>unterminated", "<SecretAccessKey><redacted>");
}

static void test_json(void)
{
    EXPECT("{\"AccessKeyId\": \"AKIA\", \"SecretAccessKey\": \"s3cr\\\"et\", \"Version\": 1}",
           "{\"AccessKeyId\": \"AKIA\", \"SecretAccessKey\": \"<redacted>\", \"Version\": 1}");
    EXPECT(
        "{\"SessionToken\":\"abc\",\"Token\" : \"def\",\"Password\":\"p\"}",
        "{\"SessionToken\":\"<redacted>\",\"Token\" : \"<redacted>\",\"Password\":\"<redacted>\"}");
    EXPECT("{\"Token\": null, \"x\": [\"Token\", \"y\"]}",
           "{\"Token\": null, \"x\": [\"Token\", \"y\"]}");
    EXPECT("{\"Token\": \"unterminated", "{\"Token\": \"<redacted>");
}

static void test_form(void)
{
    EXPECT("Action=CreateLoginProfile&UserName=bob&Password=hunter2&Version=2010-05-08",
           "Action=CreateLoginProfile&UserName=bob&Password=<redacted>&Version=2010-05-08");
    EXPECT("Action=ChangePassword&OldPassword=a%26b&NewPassword=c",
           "Action=ChangePassword&OldPassword=<redacted>&NewPassword=<redacted>");
    EXPECT("PrivateKey=-----BEGIN&CertificateBody=x", "PrivateKey=<redacted>&CertificateBody=x");
    EXPECT("Action=AssumeRoleWithWebIdentity&WebIdentityToken=eyJ&RoleArn=a",
           "Action=AssumeRoleWithWebIdentity&WebIdentityToken=<redacted>&RoleArn=a");
    EXPECT("/path?X-Amz-Security-Token=abc&X-Amz-Date=1",
           "/path?X-Amz-Security-Token=<redacted>&X-Amz-Date=1");
    EXPECT("Action=ListRoles&Version=2010-05-08", "Action=ListRoles&Version=2010-05-08");
    /* Mid-text, as a strange server's error page might echo a request back. */
    /* The value runs to '&' or the end of the line: a password may hold spaces. */
    EXPECT("<html><p>bad request: SecretAccessKey=abc123 was sent</p></html>\nnext",
           "<html><p>bad request: SecretAccessKey=<redacted>\nnext");
    EXPECT("Password=hunter 2 and more\nUserName=bob", "Password=<redacted>\nUserName=bob");
    EXPECT("echo: x Token=t0k;", "echo: x Token=<redacted>");
    EXPECT("NextTokenish=1 MyToken=2", "NextTokenish=1 MyToken=<redacted>");
}

/* The spellings credential helpers and config files use (a failing
 * credential_process may print any of them on stderr). */
static void test_config_forms(void)
{
    EXPECT("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG\n",
           "aws_secret_access_key = <redacted>\n");
    EXPECT("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG",
           "export AWS_SECRET_ACCESS_KEY=<redacted>");
    EXPECT("secret_access_key: abc+def/ghi", "secret_access_key: <redacted>");
    EXPECT("aws_session_token = IQoJb3JpZ2lu\naws_access_key_id = AKIDFAKE",
           "aws_session_token = <redacted>\naws_access_key_id = AKIDFAKE");
    EXPECT("SecretAccessKey: x y z", "SecretAccessKey: <redacted>");
    EXPECT("aws_session_token = \"a b\" # note", "aws_session_token = \"<redacted>\" # note");
    EXPECT("{\"client_secret\": \"cs\", \"refreshToken\": \"rt\"}",
           "{\"client_secret\": \"<redacted>\", \"refreshToken\": \"<redacted>\"}");
    EXPECT("region = us-east-1", "region = us-east-1");
}

/* Members the models mark sensitive, whatever their name says. */
static void test_model_names(void)
{
    EXPECT("<Base32StringSeed>JBSWY3DPEHPK3PXP</Base32StringSeed><QRCodePNG>iVBOR</QRCodePNG>",
           "<Base32StringSeed><redacted></Base32StringSeed><QRCodePNG><redacted></QRCodePNG>");
    EXPECT("<ServiceCredentialSecret>s3cr3t</ServiceCredentialSecret>",
           "<ServiceCredentialSecret><redacted></ServiceCredentialSecret>");
}

static void test_urls_and_proxy(void)
{
    EXPECT("could not connect to http://user:pa55@169.254.170.2/creds?sig=abc&x=1: refused",
           "could not connect to http://<redacted>@169.254.170.2/creds?<redacted> refused");
    EXPECT("GET https://host/path?X=1 HTTP/1.1", "GET https://host/path?<redacted> HTTP/1.1");
    EXPECT("https://iam.amazonaws.com/", "https://iam.amazonaws.com/");
    EXPECT("> Proxy-Authorization: Basic dXNlcjpwYXNz\n> Cookie: a=b\n",
           "> Proxy-Authorization: <redacted>\n> Cookie: <redacted>\n");
}

/* Every byte sequence is handled: no crash, output never longer than makes sense. */
static void test_arbitrary_bytes(void)
{
    static const char *const nasty[] = {
        "",
        "<",
        "\"",
        "\"\\",
        "<SecretAccessKey",
        "<SecretAccessKey>",
        "Password=",
        "<![CDATA[",
        "<SecretAccessKey><![CDATA[",
        "\"Token\"",
        "\"Token\":",
        "Authorization:",
        "\n\n<>\"\"&&==",
        "<Token><Token>a</Token>",
    };
    for (size_t i = 0; i < sizeof nasty / sizeof *nasty; i++) {
        char *got = redact(nasty[i]);
        CHECK(got != NULL);
        free(got);
    }
    unsigned char bytes[512];
    unsigned x = 12345;
    for (int round = 0; round < 2000; round++) {
        for (size_t i = 0; i < sizeof bytes; i++) {
            x = x * 1103515245u + 12345u;
            bytes[i] = "<>\"\\:&=?\n TokenPassword/![CDATA]"[(x >> 16) % 33];
        }
        buf out = BUF_INIT;
        CHECK(redact_text((const char *)bytes, sizeof bytes, &out) == 0);
        buf_free(&out);
    }
    /* A secret appearing in the output would be a failure. */
    char *got = redact("<SecretAccessKey>SUPERSECRET</SecretAccessKey>\n"
                       "{\"SessionToken\": \"SUPERSECRET\"}\nPassword=SUPERSECRET\n"
                       "Authorization: SUPERSECRET\n");
    CHECK(strstr(got, "SUPERSECRET") == NULL);
    free(got);
}

int main(void)
{
    test_config_forms();
    test_model_names();
    test_urls_and_proxy();
    test_headers();
    test_xml();
    test_json();
    test_form();
    test_arbitrary_bytes();
    return check_summary();
}
