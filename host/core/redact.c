/* redact.c - scrub secrets from text before it is printed (--debug, errors).
 *
 * One pass over arbitrary bytes. These shapes are recognised wherever they occur:
 *   header lines   Authorization, Proxy-Authorization, Cookie, X-Amz-Security-Token, ...
 *                  (any case, optionally after a "> " or "< " log prefix)
 *   XML elements   <SecretAccessKey>...</SecretAccessKey> (CDATA included)
 *   JSON members   "SessionToken": "..."
 *   name = value   &NewPassword=..., aws_secret_access_key = ..., export
 *                  AWS_SESSION_TOKEN=..., SecretAccessKey: ... (query, INI, shell and
 *                  YAML forms; at any word start; the value runs to '&' or the line's end)
 *   URLs           user:password@ and the query string of http(s) URLs
 * A name is secret when, ignoring case, '_' and '-', it ends with one of the
 * suffixes below or with a member name the service models mark sensitive
 * (redact_names_gen.c, generated), so NewPassword, AWS_SECRET_ACCESS_KEY,
 * Base32StringSeed and client_secret are all caught. Over-redacting a debug log
 * is harmless; leaking a key is not. */
#include "iamsh/redact.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define REDACTED "<redacted>"

static const char *const secret_suffixes[] = {
    "SecretAccessKey", "SecretKey",  "Secret",        "Token",
    "Password",        "PrivateKey", "SAMLAssertion", NULL,
};

static const char *const secret_headers[] = {
    "authorization",        "proxy-authorization",      "cookie", "set-cookie",
    "x-amz-security-token", "x-aws-ec2-metadata-token", NULL,
};

typedef struct scan {
    const char *s;
    size_t len, done; /* bytes [0, done) already written to out */
    buf *out;
    int rc;
} scan;

/* name[0..n) ends with suffix, ignoring case and any '_' or '-' in name. */
static int ends_with(const char *name, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    while (k > 0) {
        while (n > 0 && (name[n - 1] == '_' || name[n - 1] == '-'))
            n--;
        if (n == 0 || tolower((unsigned char)name[n - 1]) != tolower((unsigned char)suffix[k - 1]))
            return 0;
        n--;
        k--;
    }
    return 1;
}

static int is_secret_name(const char *name, size_t n)
{
    for (const char *const *p = secret_suffixes; *p; p++)
        if (ends_with(name, n, *p))
            return 1;
    for (const char *const *p = redact_model_names; *p; p++)
        if (ends_with(name, n, *p))
            return 1;
    return 0;
}

/* Write text up to `upto`, then the marker; the secret itself is skipped. */
static void emit_redacted(scan *sc, size_t upto, size_t resume)
{
    if (buf_append(sc->out, sc->s + sc->done, upto - sc->done) < 0 ||
        buf_puts(sc->out, REDACTED) < 0)
        sc->rc = -1;
    sc->done = resume;
}

static size_t line_end(const scan *sc, size_t i)
{
    while (i < sc->len && sc->s[i] != '\n' && sc->s[i] != '\r')
        i++;
    return i;
}

/* At a line start: "[><] Name: value" for a secret header. Returns the index to continue at. */
static size_t try_header(scan *sc, size_t i)
{
    size_t j = i;
    while (j < sc->len &&
           (sc->s[j] == ' ' || sc->s[j] == '\t' || sc->s[j] == '>' || sc->s[j] == '<'))
        j++;
    for (const char *const *h = secret_headers; *h; h++) {
        size_t k = strlen(*h);
        if (sc->len - j > k && strncasecmp(sc->s + j, *h, k) == 0 && sc->s[j + k] == ':') {
            size_t v = j + k + 1;
            while (v < sc->len && (sc->s[v] == ' ' || sc->s[v] == '\t'))
                v++;
            size_t end = line_end(sc, v);
            emit_redacted(sc, v, end);
            return end;
        }
    }
    return i;
}

static int is_xml_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == ':' || c == '.' || c == '-';
}

/* Skip an XML text value: characters and CDATA sections, up to the next tag. */
static size_t xml_value_end(const scan *sc, size_t v)
{
    while (v < sc->len) {
        if (sc->s[v] != '<')
            v++;
        else if (sc->len - v >= 9 && memcmp(sc->s + v, "<![CDATA[", 9) == 0) {
            const char *e = memmem(sc->s + v + 9, sc->len - v - 9, "]]>", 3);
            v = e ? (size_t)(e - sc->s) + 3 : sc->len;
        } else
            break;
    }
    return v;
}

/* At '<': an opening tag whose local name is secret gets its text value replaced. */
static size_t try_xml(scan *sc, size_t i)
{
    size_t j = i + 1, local = j;
    while (j < sc->len && is_xml_name_char(sc->s[j])) {
        if (sc->s[j] == ':')
            local = j + 1;
        j++;
    }
    if (j == local || !is_secret_name(sc->s + local, j - local))
        return i + 1;
    while (j < sc->len && sc->s[j] != '>' && sc->s[j] != '<')
        j++;
    if (j >= sc->len || sc->s[j] != '>' || sc->s[j - 1] == '/')
        return j;
    size_t end = xml_value_end(sc, j + 1);
    if (end > j + 1)
        emit_redacted(sc, j + 1, end);
    return end;
}

/* End of a JSON string body starting after its opening quote (index of the closing quote or len).
 */
static size_t json_string_end(const scan *sc, size_t i)
{
    while (i < sc->len && sc->s[i] != '"')
        i += (sc->s[i] == '\\') ? 2 : 1;
    return i < sc->len ? i : sc->len;
}

static size_t skip_space(const scan *sc, size_t i)
{
    while (i < sc->len && isspace((unsigned char)sc->s[i]))
        i++;
    return i;
}

/* At '"': a member "Secret": "value" gets the value replaced. */
static size_t try_json(scan *sc, size_t i)
{
    size_t kend = json_string_end(sc, i + 1);
    if (kend >= sc->len)
        return sc->len;
    if (!is_secret_name(sc->s + i + 1, kend - i - 1))
        return kend + 1;
    size_t j = skip_space(sc, kend + 1);
    if (j >= sc->len || sc->s[j] != ':')
        return kend + 1;
    j = skip_space(sc, j + 1);
    if (j >= sc->len || sc->s[j] != '"')
        return j;
    size_t vend = json_string_end(sc, j + 1);
    emit_redacted(sc, j + 1, vend);
    return vend < sc->len ? vend + 1 : vend;
}

static int is_form_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-' || c == '%';
}

static size_t skip_blanks(const scan *sc, size_t i)
{
    while (i < sc->len && (sc->s[i] == ' ' || sc->s[i] == '\t'))
        i++;
    return i;
}

/* At a word start: Name=value or Name: value (blanks allowed around the sign; a
 * quoted value to its quote), the value up to '&' or the end of the line. */
static size_t try_form(scan *sc, size_t i)
{
    size_t j = i;
    while (j < sc->len && is_form_name_char(sc->s[j]))
        j++;
    size_t sign = skip_blanks(sc, j);
    if (j == i || sign >= sc->len || (sc->s[sign] != '=' && sc->s[sign] != ':') ||
        !is_secret_name(sc->s + i, j - i))
        return j > i ? j : i + 1;
    if (sc->s[sign] == ':' && sign + 2 < sc->len && sc->s[sign + 1] == '/' &&
        sc->s[sign + 2] == '/')
        return j; /* a URL's scheme, not a name */
    size_t v = skip_blanks(sc, sign + 1), end = v;
    char quote = v < sc->len && (sc->s[v] == '"' || sc->s[v] == '\'') ? sc->s[v] : 0;
    if (quote)
        v++;
    end = v;
    while (end < sc->len && sc->s[end] != '\n' && sc->s[end] != '\r' &&
           (quote ? sc->s[end] != quote : sc->s[end] != '&'))
        end++;
    if (end > v)
        emit_redacted(sc, v, end);
    return end;
}

static int is_url_char(char c)
{
    return c > ' ' && c != '"' && c != '\'' && c != '<' && c != '>' && c != '\x7f';
}

/* At "://": the user:password@ of the URL and its query string. */
static size_t try_url(scan *sc, size_t i)
{
    size_t host = i + 3, j = host;
    while (j < sc->len && is_url_char(sc->s[j]) && sc->s[j] != '/' && sc->s[j] != '?' &&
           sc->s[j] != '@')
        j++;
    if (j < sc->len && sc->s[j] == '@' && j > host) {
        emit_redacted(sc, host, j);
        j++;
    }
    while (j < sc->len && is_url_char(sc->s[j]) && sc->s[j] != '?')
        j++;
    if (j < sc->len && sc->s[j] == '?') {
        size_t end = j + 1;
        while (end < sc->len && is_url_char(sc->s[end]))
            end++;
        if (end > j + 1)
            emit_redacted(sc, j + 1, end);
        return end;
    }
    return j;
}

static size_t scan_step(scan *sc, size_t i)
{
    char c = sc->s[i];
    int line_start = i == 0 || sc->s[i - 1] == '\n';

    if (line_start) {
        size_t next = try_header(sc, i);
        if (next != i)
            return next;
    }
    if (c == ':' && sc->len - i >= 3 && sc->s[i + 1] == '/' && sc->s[i + 2] == '/')
        return try_url(sc, i);
    if (c == '<')
        return try_xml(sc, i);
    if (c == '"')
        return try_json(sc, i);
    if (is_form_name_char(c) && (i == 0 || !is_form_name_char(sc->s[i - 1])))
        return try_form(sc, i);
    return i + 1;
}

int redact_text(const char *text, size_t len, buf *out)
{
    scan sc = {text, len, 0, out, 0};

    if (!text)
        return buf_puts(out, "");
    for (size_t i = 0; i < len;)
        i = scan_step(&sc, i);
    if (buf_append(out, text + sc.done, len - sc.done) < 0)
        sc.rc = -1;
    return sc.rc;
}
