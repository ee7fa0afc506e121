/* client_json.c - REST-JSON requests for IAM Identity Center's portal and OIDC
 * services: the same transport and retry policy as the Query calls (client_retrying),
 * a JSON body in, a JSON object out, and their error answers read as botocore's
 * rest-json parser reads them. They are never signed: the bearer token or the client
 * secret is the proof, and the --debug log redacts both (redact.c). */
#include "iamsh/client.h"
#include "iamsh/json.h"

#include <cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iamsh/creds.h"

#define JSON_CONTENT_TYPE "Content-Type: application/json"
#define JSON_MAX_HEADERS 8

typedef struct json_call {
    const client_json_request *req;
    const char *body; /* the serialised request body, or NULL */
} json_call;

static const char *str_member(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/* OAuth's "authorization_pending" as the model's "AuthorizationPendingException". */
static void oauth_code(const char *snake, char *out, size_t n)
{
    size_t j = 0;
    int upper = 1;
    for (const char *p = snake; *p && j + 10 < n; p++) {
        if (*p == '_') {
            upper = 1;
            continue;
        }
        out[j++] = upper ? (char)toupper((unsigned char)*p) : *p;
        upper = 0;
    }
    snprintf(out + j, n - j, "Exception");
}

static const char *status_code(long status)
{
    switch (status) {
    case 400: return "BadRequestException";
    case 401: return "UnauthorizedException";
    case 403: return "ForbiddenException";
    case 404: return "ResourceNotFoundException";
    case 429: return "TooManyRequestsException";
    default: return status >= 500 ? "InternalServerException" : "UnknownError";
    }
}

/* The code: "__type" (without a namespace before '#'), OAuth's "error", or the status
 * as the portal names it (its x-amzn-ErrorType header, which botocore reads, says the
 * same: UnauthorizedException, ForbiddenException, ...). */
static void error_code(const cJSON *doc, long status, char *out, size_t n)
{
    const char *type = str_member(doc, "__type");
    const char *oauth = str_member(doc, "error");
    if (type) {
        const char *hash = strrchr(type, '#');
        snprintf(out, n, "%s", hash ? hash + 1 : type);
    } else if (oauth) {
        oauth_code(oauth, out, n);
    } else {
        snprintf(out, n, "%s", status_code(status));
    }
}

static int classify(const http_response *hr, aws_err *err)
{
    cJSON *doc = json_parse_all(hr->body.p, hr->body.len, NULL);
    char code[64];
    error_code(doc, hr->status, code, sizeof code);
    const char *msg = str_member(doc, "message");
    if (!msg)
        msg = str_member(doc, "Message");
    if (!msg)
        msg = str_member(doc, "error_description");
    err_set(err, AWS_ERR_SERVICE, code, "%.300s", msg ? msg : "(no message)");
    err->status = hr->status;
    memcpy(err->request_id, hr->request_id, sizeof err->request_id);
    cJSON_Delete(doc);
    return -1;
}

static int json_attempt(aws_client *c, void *ud, http_response *hr, aws_err *err)
{
    const json_call *call = ud;
    const client_json_request *req = call->req;
    const char *headers[JSON_MAX_HEADERS + 3] = {"Accept: application/json"};
    size_t n = 1;
    if (call->body)
        headers[n++] = JSON_CONTENT_TYPE;
    for (size_t i = 0; req->headers && req->headers[i] && i < JSON_MAX_HEADERS; i++)
        headers[n++] = req->headers[i];
    headers[n] = NULL;
    http_request hreq = {.method = req->method,
                         .url = req->url,
                         .headers = headers,
                         .body = call->body,
                         .body_len = call->body ? strlen(call->body) : 0};
    if (http_send(c->http, &hreq, hr, err) != 0)
        return -1;
    if (hr->status >= 200 && hr->status < 300)
        return 0;
    return classify(hr, err);
}

static int read_answer(const http_response *hr, const char *url, cJSON **out, aws_err *err)
{
    *out = json_parse_all(hr->body.p, hr->body.len, NULL);
    if (cJSON_IsObject(*out))
        return 0;
    creds_wipe_json(*out);
    cJSON_Delete(*out);
    *out = NULL;
    size_t shown = strcspn(url, "?");
    return err_set(err, AWS_ERR_PARSE, "ResponseParseError",
                   "HTTP %ld from %.*s with an answer that is not a JSON object (%zu bytes)",
                   hr->status, (int)(shown > 300 ? 300 : shown), url, hr->body.len);
}

int client_json(aws_client *c, const client_json_request *req, cJSON **out, aws_err *err)
{
    *out = NULL;
    if (!c || !req || !req->url || !req->method)
        return err_set(err, AWS_ERR_INTERNAL, "InternalError", "client_json: missing argument");
    char *body = req->body ? cJSON_PrintUnformatted(req->body) : NULL;
    if (req->body && !body)
        return err_set(err, AWS_ERR_INTERNAL, "InternalError", "out of memory");
    json_call call = {req, body};
    http_response hr = {0, BUF_INIT, "", BUF_INIT};
    int rc = client_retrying(c, json_attempt, &call, &hr, err);
    if (rc == 0)
        rc = read_answer(&hr, req->url, out, err);
    creds_wipe_str(body); /* a client secret, a refresh token or a device code */
    cJSON_free(body);
    http_response_free(&hr);
    return rc;
}
