/* redact.h - secrets scrubbed from text before it is printed (--debug, errors). */
#ifndef IAMSH_REDACT_H
#define IAMSH_REDACT_H
#include <stddef.h>

#include "iamsh/buf.h"

/* Redact secrets from a text for printing: the values of secret-named XML elements,
 * JSON members and name=value / name: value pairs (SecretAccessKey, SessionToken,
 * passwords, tokens, private keys and every member the service models mark
 * sensitive), secret header values, and URL passwords and query strings. Appends
 * to out. */
int redact_text(const char *text, size_t len, buf *out);

/* The member names the service models mark sensitive (redact_names_gen.c, made by
 * tools/genmodel --secrets), NULL-terminated. */
extern const char *const redact_model_names[];

#endif
