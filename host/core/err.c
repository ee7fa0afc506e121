/* err.c - the error value every core function fills.
 *
 * An aws_err is plain data (copied, cleared with memset, dropped without a
 * free), so its message[] has a fixed size. A longer message (AWS echoes the
 * offending value in validation messages) is kept whole, up to ERR_MESSAGE_CAP,
 * in a small per-thread ring that the error names by a ticket: err_message()
 * gives the whole text while its slot still holds it (the RING newest long
 * messages of the thread), else the inline copy. Both are cut at a UTF-8
 * character boundary and end with "..." when cut, so a message is always valid
 * UTF-8 (a Lua string that aws.json.encode accepts). */
#include "iamsh/err.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR_MESSAGE_CAP (64 * 1024)
#define RING 8

typedef struct ring {
    unsigned long long ticket[RING];
    char *text[RING];
    unsigned long long next; /* tickets start at 1: 0 means "no long message" */
} ring;

static pthread_key_t ring_key;
static pthread_once_t ring_once = PTHREAD_ONCE_INIT;

static void ring_free(void *p)
{
    ring *r = p;
    for (int i = 0; r && i < RING; i++)
        free(r->text[i]);
    free(r);
}

/* At exit, the ring of the thread that calls exit (key destructors do not run for it). */
static void ring_free_at_exit(void)
{
    ring_free(pthread_getspecific(ring_key));
    pthread_setspecific(ring_key, NULL);
}

static void ring_make_key(void)
{
    pthread_key_create(&ring_key, ring_free);
    atexit(ring_free_at_exit);
}

static ring *thread_ring(void)
{
    pthread_once(&ring_once, ring_make_key);
    ring *r = pthread_getspecific(ring_key);
    if (!r && (r = calloc(1, sizeof *r)) != NULL)
        pthread_setspecific(ring_key, r);
    return r;
}

/* Cut s (of length n) to fit a buffer of size bytes: at a character boundary,
 * with "..." after the cut. s must have room for size bytes. */
static void cut_utf8(char *s, size_t n, size_t size)
{
    if (n < size)
        return;
    size_t at = size - 4; /* "..." and the NUL */
    while (at > 0 && ((unsigned char)s[at] & 0xC0) == 0x80)
        at--;
    memcpy(s + at, "...", 4);
}

static void one_line(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\r')
            *s = ' ';
}

/* Keep a long message whole (up to the cap) in the thread's ring; 0 if memory runs out. */
static unsigned long long keep_long(const char *fmt, va_list ap, size_t n)
{
    ring *r = thread_ring();
    size_t size = n + 1 < ERR_MESSAGE_CAP ? n + 1 : ERR_MESSAGE_CAP;
    char *text = malloc(size);
    if (!r || !text) {
        free(text);
        return 0;
    }
    vsnprintf(text, size, fmt, ap);
    cut_utf8(text, n, size);
    one_line(text);
    unsigned long long t = ++r->next;
    int i = (int)(t % RING);
    free(r->text[i]);
    r->text[i] = text;
    r->ticket[i] = t;
    return t;
}

int err_set(aws_err *err, int kind, const char *code, const char *fmt, ...)
{
    if (!err)
        return -1;
    err_clear(err);
    err->kind = kind;
    snprintf(err->code, sizeof err->code, "%s", code ? code : "");
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof err->message) {
        cut_utf8(err->message, (size_t)n, sizeof err->message);
        err->long_ticket = keep_long(fmt, again, (size_t)n);
    }
    va_end(again);
    one_line(err->message);
    return -1;
}

static char *ring_text(const aws_err *err)
{
    if (!err->long_ticket)
        return NULL;
    ring *r = thread_ring();
    int i = (int)(err->long_ticket % RING);
    return r && r->ticket[i] == err->long_ticket ? r->text[i] : NULL;
}

void err_append(aws_err *err, const char *text)
{
    size_t n = strlen(err->message), k = strlen(text);
    char *whole = ring_text(err);
    if (whole) {
        size_t w = strlen(whole);
        char *grown = w + k < ERR_MESSAGE_CAP ? realloc(whole, w + k + 1) : NULL;
        if (grown) {
            memcpy(grown + w, text, k + 1);
            ring *r = thread_ring();
            r->text[err->long_ticket % RING] = grown;
        }
    }
    if (n + k < sizeof err->message)
        memcpy(err->message + n, text, k + 1);
}

const char *err_message(const aws_err *err)
{
    const char *whole = ring_text(err);
    return whole ? whole : err->message;
}

/* Field by field: the hot paths clear an error on every success, and zeroing the
 * whole struct (its message buffer is 1 KiB) was a visible part of a signature. */
void err_clear(aws_err *err)
{
    if (!err)
        return;
    err->kind = AWS_ERR_NONE;
    err->code[0] = err->message[0] = err->request_id[0] = '\0';
    err->status = 0;
    err->retryable = err->timeout = 0;
    err->long_ticket = 0;
}
