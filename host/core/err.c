#include "iamsh/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(aws_err *err, int kind, const char *code, const char *fmt, ...)
{
    if (!err)
        return -1;
    err_clear(err);
    err->kind = kind;
    snprintf(err->code, sizeof err->code, "%s", code ? code : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    /* One line: a message never spans lines in our output. */
    for (char *p = err->message; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return -1;
}

void err_clear(aws_err *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}
