/* retry.h - the AWS "standard" retry mode, pure (randomness comes in as an argument). */
#ifndef IAMSH_RETRY_H
#define IAMSH_RETRY_H
#include "iamsh/err.h"

#define RETRY_QUOTA_MAX 500
#define RETRY_COST 5
#define RETRY_TIMEOUT_COST 10
#define RETRY_NO_RETRY_REFUND 1
#define RETRY_MAX_BACKOFF 20.0

typedef struct retry_quota {
    int available; /* starts at RETRY_QUOTA_MAX */
} retry_quota;

void retry_quota_init(retry_quota *q);
/* Is this error worth another attempt? (transient codes, throttling codes,
 * HTTP 500/502/503/504, transport errors). Sets err->retryable too. */
int retry_is_retryable(aws_err *err);
/* Full-jitter delay in seconds after `attempts` attempts (1-based): rnd * min(2^(attempts-1), 20);
 * rnd in [0,1). */
double retry_backoff(int attempts, double rnd);
/* Take the cost of one retry; returns the cost taken (> 0), or 0 when the quota is exhausted. */
int retry_quota_acquire(retry_quota *q, int was_timeout);
/* After a success: refund `cost` (the last retry's cost) or RETRY_NO_RETRY_REFUND when cost is 0.
 */
void retry_quota_release(retry_quota *q, int cost);

#endif
