/* log.c - the local endpoint's log on stderr: one line a request (a 500's traceback on
 * the lines after it), written whole so that threads do not interleave. Reasons come
 * from the handlers; they pass through the redactor like every other printed text. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "iamsh/redact.h"
#include "server.h"

void log_line(const char *fmt, ...)
{
    buf red = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    char tmp[2048];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (redact_text(tmp, strlen(tmp), &red) == 0 && red.p)
        fprintf(stderr, "%s\n", red.p);
    buf_wipe(&red);
}

/* "2026-12-02T10:00:00Z 200 iam:CreateRole 0.4ms arn:aws:iam::123456789012:root <rid>"
 * then " Code", " fault=reset-after", " reason: ..." when there are. */
void log_request(const endpoint_response *r, double ms, int quiet)
{
    int notable = r->status == 0 || r->status >= 500 || r->reason.len || r->fault;
    if (quiet && !notable)
        return;
    time_t now = time(NULL);
    struct tm tm;
    char when[32];
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    buf line = BUF_INIT, red = BUF_INIT;
    int rc = buf_printf(&line, "%s %d %s:%s %.1fms %s %s", when, r->status,
                        r->op ? r->op->svc->name : "-", r->op ? r->op->name : "-", ms,
                        r->caller[0] ? r->caller : "-", r->request_id);
    if (rc == 0 && r->code[0])
        rc = buf_printf(&line, " %s", r->code);
    if (rc == 0 && r->fault)
        rc = buf_printf(&line, " fault=%s", endpoint_fault_name(r->fault));
    if (rc == 0 && r->reason.len)
        rc = buf_printf(&line, " reason: %s", r->reason.p);
    if (rc == 0 && redact_text(line.p, line.len, &red) == 0 && red.p) {
        flockfile(stderr);
        fputs(red.p, stderr);
        fputc('\n', stderr);
        funlockfile(stderr);
    }
    buf_free(&line);
    buf_wipe(&red);
}
