/* redact.h - secrets scrubbed from text before it is printed (--debug, errors). */
#ifndef IAMSH_REDACT_H
#define IAMSH_REDACT_H
#include <stddef.h>

#include "iamsh/buf.h"

/* Redact secrets from a text for printing: the values of SecretAccessKey, SessionToken,
 * Token, Password-like XML elements and JSON members, and Authorization /
 * X-Amz-Security-Token header values. Appends to out. */
int redact_text(const char *text, size_t len, buf *out);

#endif
