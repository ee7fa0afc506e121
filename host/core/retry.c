/* retry.c - botocore's "standard" retry mode (retries/standard.py, quota.py).
 *
 * Pure policy: no clock, no randomness of its own, no I/O. The client asks
 * whether an error is retryable, pays the quota, and sleeps for the backoff. */
#include "iamsh/retry.h"

#include <string.h>

/* standard.py ThrottledRetryableChecker._THROTTLED_ERROR_CODES */
static const char *const throttle_codes[] = {
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
    NULL,
};

/* standard.py TransientRetryableChecker._TRANSIENT_ERROR_CODES, plus STS's
 * special case (StandardRetryConditions adds IDPCommunicationError for sts). */
static const char *const transient_codes[] = {
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
    "IDPCommunicationError",
    NULL,
};

static int code_in(const char *code, const char *const *list)
{
    if (!code || !*code)
        return 0;
    for (; *list; list++)
        if (strcmp(code, *list) == 0)
            return 1;
    return 0;
}

static int status_is_transient(long status)
{
    return status == 500 || status == 502 || status == 503 || status == 504;
}

void retry_quota_init(retry_quota *q)
{
    q->available = RETRY_QUOTA_MAX;
}

int retry_is_retryable(aws_err *err)
{
    int yes = 0;

    if (err->kind == AWS_ERR_TRANSPORT)
        yes = 1;
    else if (err->kind == AWS_ERR_SERVICE || err->kind == AWS_ERR_PARSE)
        yes = status_is_transient(err->status) || code_in(err->code, throttle_codes) ||
              code_in(err->code, transient_codes);
    err->retryable = yes;
    return yes;
}

double retry_backoff(int attempts, double rnd)
{
    double cap = 1.0;

    if (rnd < 0 || rnd != rnd)
        rnd = 0;
    if (rnd > 1)
        rnd = 1;
    /* Doubling stops at the cap, so large attempt counts cannot overflow. */
    for (int i = 1; i < attempts && cap < RETRY_MAX_BACKOFF; i++)
        cap *= 2;
    if (cap > RETRY_MAX_BACKOFF)
        cap = RETRY_MAX_BACKOFF;
    return rnd * cap;
}

int retry_quota_acquire(retry_quota *q, int was_timeout)
{
    int cost = was_timeout ? RETRY_TIMEOUT_COST : RETRY_COST;

    if (q->available < cost)
        return 0;
    q->available -= cost;
    return cost;
}

void retry_quota_release(retry_quota *q, int cost)
{
    q->available += cost > 0 ? cost : RETRY_NO_RETRY_REFUND;
    if (q->available > RETRY_QUOTA_MAX)
        q->available = RETRY_QUOTA_MAX;
}
