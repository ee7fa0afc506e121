/* test_retry.c - the standard retry mode: decisions, backoff bounds, quota. */
#include "check.h"
#include "iamsh/retry.h"

static int retryable(int kind, const char *code, long status)
{
    aws_err e;
    err_set(&e, kind, code, "x");
    e.status = status;
    int r = retry_is_retryable(&e);
    CHECK_INT(e.retryable, r);
    return r;
}

static void test_throttle_codes(void)
{
    static const char *const codes[] = {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    };
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        CHECK(retryable(AWS_ERR_SERVICE, codes[i], 400));
    }
}

static void test_transient(void)
{
    CHECK(retryable(AWS_ERR_SERVICE, "RequestTimeout", 400));
    CHECK(retryable(AWS_ERR_SERVICE, "RequestTimeoutException", 400));
    CHECK(retryable(AWS_ERR_SERVICE, "PriorRequestNotComplete", 400));
    CHECK(retryable(AWS_ERR_SERVICE, "IDPCommunicationError", 400));
    CHECK(retryable(AWS_ERR_SERVICE, "InternalFailure", 500));
    CHECK(retryable(AWS_ERR_SERVICE, "Whatever", 502));
    CHECK(retryable(AWS_ERR_SERVICE, "ServiceUnavailable", 503));
    CHECK(retryable(AWS_ERR_SERVICE, "Whatever", 504));
    CHECK(retryable(AWS_ERR_PARSE, "ResponseParseError", 500));
    CHECK(retryable(AWS_ERR_TRANSPORT, "TransportError", 0));
}

static void test_not_retryable(void)
{
    static const char *const codes[] = {
        "ConcurrentModification",
        "DeleteConflict",
        "LimitExceeded",
        "EntityTemporarilyUnmodifiable",
        "NoSuchEntity",
        "AccessDenied",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "MalformedPolicyDocument",
        "EntityAlreadyExists",
        "ValidationError",
        "",
        "throttling",
        "Throttling ",
    };
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        CHECK(!retryable(AWS_ERR_SERVICE, codes[i], 409));
        CHECK(!retryable(AWS_ERR_SERVICE, codes[i], 400));
        CHECK(!retryable(AWS_ERR_SERVICE, codes[i], 403));
    }
    CHECK(!retryable(AWS_ERR_SERVICE, "TooManyRequests", 429)); /* 429 alone: no */
    CHECK(!retryable(AWS_ERR_SERVICE, "NotImplemented", 501));
    CHECK(!retryable(AWS_ERR_PARSE, "ResponseParseError", 400));
    CHECK(!retryable(AWS_ERR_CONFIG, "Throttling", 0));
    CHECK(!retryable(AWS_ERR_CREDS, "x", 0));
    CHECK(!retryable(AWS_ERR_PARAM, "x", 0));
    CHECK(!retryable(AWS_ERR_INTERNAL, "x", 0));
    CHECK(!retryable(AWS_ERR_SERVICE, "", 400));
}

static void test_backoff(void)
{
    double cap = 1;
    for (int n = 1; n <= 10; n++) {
        CHECK(retry_backoff(n, 0.0) == 0.0);
        double hi = retry_backoff(n, 0.999999);
        CHECK(hi <= cap && hi > cap * 0.99);
        CHECK(retry_backoff(n, 0.5) == cap / 2);
        cap = cap * 2 > 20 ? 20 : cap * 2;
    }
    CHECK(retry_backoff(1, 0.5) == 0.5);
    CHECK(retry_backoff(2, 0.5) == 1.0);
    CHECK(retry_backoff(5, 0.5) == 8.0);
    CHECK(retry_backoff(6, 0.5) == 10.0); /* 2^5 = 32 capped at 20 */
    CHECK(retry_backoff(1000000, 0.5) == 10.0);
    CHECK(retry_backoff(0, 0.5) == 0.5);
    CHECK(retry_backoff(3, -1) == 0.0);
    CHECK(retry_backoff(3, 7) <= 4.0);
}

static void test_quota(void)
{
    retry_quota q;
    retry_quota_init(&q);
    CHECK_INT(q.available, 500);
    int n = 0;
    while (retry_quota_acquire(&q, 0) == RETRY_COST)
        n++;
    CHECK_INT(n, 100);
    CHECK_INT(q.available, 0);
    CHECK_INT(retry_quota_acquire(&q, 0), 0);
    CHECK_INT(retry_quota_acquire(&q, 1), 0);

    retry_quota_release(&q, 0); /* success without retry: +1 */
    CHECK_INT(q.available, 1);
    retry_quota_release(&q, RETRY_COST); /* success after a retry: its cost back */
    CHECK_INT(q.available, 6);
    CHECK_INT(retry_quota_acquire(&q, 1), 0); /* a timeout needs 10 */
    CHECK_INT(retry_quota_acquire(&q, 0), 5);
    CHECK_INT(q.available, 1);

    retry_quota_init(&q);
    CHECK_INT(retry_quota_acquire(&q, 1), 10);
    CHECK_INT(q.available, 490);
    retry_quota_release(&q, 10);
    CHECK_INT(q.available, 500);
    retry_quota_release(&q, 0); /* never above the maximum */
    retry_quota_release(&q, 10);
    CHECK_INT(q.available, 500);
    n = 0;
    while (retry_quota_acquire(&q, 1))
        n++;
    CHECK_INT(n, 50);
}

int main(void)
{
    test_throttle_codes();
    test_transient();
    test_not_retryable();
    test_backoff();
    test_quota();
    return check_summary();
}
