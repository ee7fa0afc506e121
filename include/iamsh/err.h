/* err.h - the error value every core function fills.
 *
 * Core functions return 0 on success and -1 on failure; on failure they fill
 * a caller-owned aws_err. The kind decides how the CLI reports it (exit code)
 * and how the bindings turn it into a Lua error object. */
#ifndef IAMSH_ERR_H
#define IAMSH_ERR_H

enum aws_err_kind {
    AWS_ERR_NONE = 0,
    AWS_ERR_SERVICE,   /* AWS answered with an error document (code from AWS) */
    AWS_ERR_TRANSPORT, /* connect/TLS/timeout/reset: code "TransportError" */
    AWS_ERR_PARSE,     /* unreadable response: code "ResponseParseError" */
    AWS_ERR_CONFIG,    /* bad config file, missing profile, bad endpoint url */
    AWS_ERR_CREDS,     /* no credentials, credential_process failed, ... */
    AWS_ERR_PARAM,     /* bad parameter from the caller (validation) */
    AWS_ERR_INTERNAL,  /* out of memory, bug */
    AWS_ERR_PLAN,      /* a write refused by a read-only client (--plan): "PlanModeWrite" */
};

typedef struct aws_err {
    int kind;                       /* enum aws_err_kind */
    char code[64];                  /* AWS error code or client-side code */
    char message[1024];             /* one line, never a secret; cut at a character with "..." when
                                       longer: err_message() gives the whole text */
    long status;                    /* HTTP status, 0 when none */
    char request_id[96];            /* x-amzn-RequestId or from the body, "" if none */
    int retryable;                  /* the retry policy's verdict for this error */
    int timeout;                    /* transport error was a connect/read timeout */
    unsigned long long long_ticket; /* the whole message in err.c's store, 0 if none */
} aws_err;

/* Fill err (kind, code, printf-style message); returns -1 for `return err_set(...)`.
 * A NULL err is allowed and ignored. */
int err_set(aws_err *err, int kind, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void err_clear(aws_err *err);
/* The whole message: up to 64 KiB (cut at a character with "..." beyond), while it is
 * among the thread's 8 newest long messages; else message[]. Valid UTF-8 when the
 * text given to err_set was. */
const char *err_message(const aws_err *err);
/* Add text to the end of the message (the whole one too); what no longer fits
 * message[] is kept in the whole text only. */
void err_append(aws_err *err, const char *text);

#endif
