/* ini.c - the AWS shared config/credentials file parser.
 *
 * Follows the cross-SDK profile-file rules (aws-sdk-rust profile/parser parse.rs and
 * normalize.rs): structural mistakes (a property before any section, a line without '=',
 * a section line without ']') fail the whole file as the CLI does; sections and keys
 * that are merely not recognised are dropped with a warning. Every byte sequence is
 * handled: lines are (pointer, length) pairs and never assumed NUL-free. */
#include "iamsh/ini.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INI_MAX_FILE (16u << 20) /* a config file bigger than this is surely not one */

typedef struct span {
    const char *p;
    size_t n;
} span;

/* Sections by (kind, name) and keys by (section, name): a file of 16 MB holds
 * hundreds of thousands of them, and a linear search per line made that hours. */
typedef struct index_slot {
    size_t owner;     /* a section's kind, or INDEX_PROPS + its index */
    const char *name; /* the section's name or the key, owned by the ini_file */
    size_t idx;
} index_slot;

#define INDEX_PROPS 4u
#define INDEX_SCRATCH ((size_t)-1)
#define INI_MAX_SUBS 64           /* sub-properties of one key ("s3 =" sections use a few) */
#define INI_MAX_VALUE (64u << 10) /* a value grown by continuation lines */

typedef struct parser {
    index_slot *slots; /* open addressing, a power of two, at most half full */
    size_t cap, used;
    ini_file *f;
    ini_section scratch; /* sink for ignored sections and keys, freed at the end */
    int is_config;
    int cur_sec;   /* -2: no section yet, -1: scratch, else index in f->sections */
    int prop_sec;  /* where cur_prop lives: -1 scratch, else a section index */
    long cur_prop; /* -1: no property yet in this section */
    size_t lineno;
    void (*warn)(void *ud, const char *msg);
    void *ud;
    aws_err *err;
} parser;

static int is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static span span_trim(span s)
{
    while (s.n && is_ws(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n && is_ws(s.p[s.n - 1]))
        s.n--;
    return s;
}

/* Trim, then cut an inline comment: on property lines '#'/';' must follow whitespace
 * ("k = v#c" keeps "v#c"); on section lines they need not. */
static span prepare_line(span s, int comment_needs_ws)
{
    s = span_trim(s);
    int prev_ws = 0;
    for (size_t i = 0; i < s.n; i++) {
        if ((s.p[i] == '#' || s.p[i] == ';') && (prev_ws || !comment_needs_ws)) {
            s.n = i;
            break;
        }
        prev_ws = is_ws(s.p[i]);
    }
    return span_trim(s);
}

/* [A-Za-z0-9_\-/.%@:+]+ */
static int valid_identifier(span s)
{
    if (s.n == 0)
        return 0;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              (c != '\0' && strchr("_-/.%@:+", c))))
            return 0;
    }
    return 1;
}

static char *span_dup(span s, int lower)
{
    char *r = malloc(s.n + 1);
    if (!r)
        return NULL;
    for (size_t i = 0; i < s.n; i++)
        r[i] = (lower && s.p[i] >= 'A' && s.p[i] <= 'Z') ? (char)(s.p[i] + 32) : s.p[i];
    r[s.n] = '\0';
    return r;
}

static int span_eq(span s, const char *lit)
{
    return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static void warnf(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warnf(parser *p, const char *fmt, ...)
{
    if (!p->warn)
        return;
    char msg[512];
    int off = snprintf(msg, sizeof msg, "line %zu: ", p->lineno);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + off, sizeof msg - (size_t)off, fmt, ap);
    va_end(ap);
    p->warn(p->ud, msg);
}

static int fail(parser *p, const char *what)
{
    return err_set(p->err, AWS_ERR_CONFIG, "ConfigParseError", "line %zu: %s", p->lineno, what);
}

static int oom(parser *p)
{
    return err_set(p->err, AWS_ERR_INTERNAL, "OutOfMemory", "out of memory parsing config");
}

/* ---- building the tree ---- */

static void prop_clear(ini_prop *pr)
{
    for (size_t i = 0; i < pr->nsub; i++) {
        free(pr->sub[i].key);
        free(pr->sub[i].value);
    }
    free(pr->sub);
    free(pr->value);
    pr->sub = NULL;
    pr->nsub = 0;
    pr->value = NULL;
}

static void section_clear(ini_section *s)
{
    for (size_t i = 0; i < s->nprops; i++) {
        prop_clear(&s->props[i]);
        free(s->props[i].key);
    }
    free(s->props);
    free(s->name);
    memset(s, 0, sizeof *s);
}

static ini_section *cur_section(parser *p)
{
    return p->cur_sec >= 0 ? &p->f->sections[p->cur_sec] : &p->scratch;
}

/* Room for one more of n elements. Arrays grow by doubling, so their capacity
 * is implicit (the next power of two >= n): one realloc per element made big
 * files quadratic where realloc copies (ASan always does). */
static void *array_room(void *arr, size_t n, size_t size)
{
    if (n != 0 && (n & (n - 1)) != 0)
        return arr;
    return realloc(arr, (n ? n * 2 : 1) * size);
}

static uint64_t index_hash(size_t owner, span name)
{
    uint64_t h = 14695981039346656037u ^ owner; /* FNV-1a */
    for (size_t i = 0; i < name.n; i++)
        h = (h ^ (unsigned char)name.p[i]) * 1099511628211u;
    return h;
}

/* The slot holding (owner, name), or the empty slot where it would go. */
static index_slot *index_probe(index_slot *slots, size_t cap, size_t owner, span name)
{
    size_t i = (size_t)index_hash(owner, name) & (cap - 1);
    while (slots[i].name && !(slots[i].owner == owner && span_eq(name, slots[i].name)))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static long index_find(const parser *p, size_t owner, span name)
{
    if (!p->slots)
        return -1;
    const index_slot *s = index_probe(p->slots, p->cap, owner, name);
    return s->name ? (long)s->idx : -1;
}

static int index_grow(parser *p)
{
    size_t cap = p->cap ? p->cap * 2 : 64;
    index_slot *ns = calloc(cap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < p->cap; i++) {
        const index_slot *o = &p->slots[i];
        if (o->name)
            *index_probe(ns, cap, o->owner, (span){o->name, strlen(o->name)}) = *o;
    }
    free(p->slots);
    p->slots = ns;
    p->cap = cap;
    return 0;
}

/* name must stay allocated until the parse ends (section names and keys do). */
static int index_add(parser *p, size_t owner, const char *name, size_t idx)
{
    if ((p->used + 1) * 2 > p->cap && index_grow(p) != 0)
        return -1;
    *index_probe(p->slots, p->cap, owner, (span){name, strlen(name)}) =
        (index_slot){owner, name, idx};
    p->used++;
    return 0;
}

static size_t props_owner(const parser *p, const ini_section *s)
{
    return s == &p->scratch ? INDEX_SCRATCH : INDEX_PROPS + (size_t)(s - p->f->sections);
}

/* Set key (owned) = value (owned) in s; last one wins. Returns the index or -1 (ENOMEM). */
static long section_set(parser *p, ini_section *s, char *key, char *value)
{
    size_t owner = props_owner(p, s);
    long i = index_find(p, owner, (span){key, strlen(key)});
    if (i >= 0) {
        if (s != &p->scratch)
            warnf(p, "duplicate key '%s': the last value wins", key);
        prop_clear(&s->props[i]);
        free(key);
        s->props[i].value = value;
        return i;
    }
    ini_prop *np = array_room(s->props, s->nprops, sizeof *np);
    if (!np) {
        free(key);
        free(value);
        return -1;
    }
    s->props = np;
    np[s->nprops++] = (ini_prop){key, value, NULL, 0}; /* s owns them now */
    return index_add(p, owner, key, s->nprops - 1) == 0 ? (long)s->nprops - 1 : -1;
}

static int section_open(parser *p, ini_kind kind, span name)
{
    long i = index_find(p, (size_t)kind, name);
    if (i >= 0) {
        warnf(p, "duplicate section '%s' merged: later keys win", p->f->sections[i].name);
        p->cur_sec = (int)i;
        return 0;
    }
    if (p->f->nsections >= 1u << 20)
        return fail(p, "too many sections");
    ini_section *ns = array_room(p->f->sections, p->f->nsections, sizeof *ns);
    if (!ns)
        return oom(p);
    p->f->sections = ns;
    char *nm = span_dup(name, 0);
    if (!nm)
        return oom(p);
    ns[p->f->nsections] = (ini_section){kind, nm, NULL, 0};
    if (index_add(p, (size_t)kind, nm, p->f->nsections) != 0) {
        free(nm);
        return oom(p);
    }
    p->cur_sec = (int)p->f->nsections++;
    return 0;
}

/* ---- lines ---- */

/* "<word><space or tab>rest" -> rest (trimmed) */
static int strip_word(span in, const char *word, span *rest)
{
    size_t n = strlen(word);
    if (in.n <= n || memcmp(in.p, word, n) != 0 || !is_ws(in.p[n]))
        return 0;
    *rest = span_trim((span){in.p + n, in.n - n});
    return 1;
}

static int open_named(parser *p, ini_kind kind, span name, const char *what)
{
    if (!valid_identifier(name)) {
        warnf(p, "ignoring %s with an invalid name", what);
        p->cur_sec = -1;
        return 0;
    }
    return section_open(p, kind, name);
}

static int section_line(parser *p, span line)
{
    span s = prepare_line(line, 0);
    if (s.n < 2 || s.p[s.n - 1] != ']')
        return fail(p, "section definition must end with ']'");
    span name = span_trim((span){s.p + 1, s.n - 2}), rest;
    p->cur_prop = -1;
    if (strip_word(name, "profile", &rest)) {
        if (p->is_config)
            return open_named(p, INI_PROFILE, rest, "profile");
        warnf(p, "ignoring [profile ...] in a credentials file: use [name]");
    } else if (p->is_config && strip_word(name, "sso-session", &rest)) {
        return open_named(p, INI_SSO_SESSION, rest, "sso-session");
    } else if (p->is_config && strip_word(name, "services", &rest)) {
        return open_named(p, INI_SERVICES, rest, "services section");
    } else if (!p->is_config) {
        return open_named(p, INI_PROFILE, name, "profile");
    } else if (span_eq(name, "default")) {
        /* kept apart until the end: [profile default] overrides it */
        return section_open(p, INI_OTHER, name);
    } else {
        warnf(p, "ignoring section without the 'profile ' prefix in a config file");
    }
    p->cur_sec = -1;
    return 0;
}

static int split_kv(parser *p, span s, span *k, span *v, const char *what)
{
    const char *eq = memchr(s.p, '=', s.n);
    if (!eq)
        return fail(p, what);
    *k = span_trim((span){s.p, (size_t)(eq - s.p)});
    *v = span_trim((span){eq + 1, s.n - (size_t)(eq - s.p) - 1});
    if (k->n == 0)
        return fail(p, "property has no name");
    return 0;
}

static int property_line(parser *p, span line)
{
    if (p->cur_sec == -2)
        return fail(p, "expected a section definition ([profile name]) before properties");
    span k, v;
    if (split_kv(p, prepare_line(line, 1), &k, &v, "expected 'key = value'") != 0)
        return -1;
    ini_section *s = cur_section(p);
    if (!valid_identifier(k)) {
        warnf(p, "ignoring key with invalid characters");
        s = &p->scratch;
    }
    char *key = span_dup(k, 1), *val = span_dup(v, 0);
    if (!key || !val) {
        free(key);
        free(val);
        return oom(p);
    }
    long i = section_set(p, s, key, val);
    if (i < 0)
        return oom(p);
    /* continuation lines of an ignored key land in scratch too */
    p->prop_sec = s == &p->scratch ? -1 : p->cur_sec;
    p->cur_prop = i;
    return 0;
}

static int add_sub(parser *p, ini_prop *pr, span line)
{
    span k, v;
    if (split_kv(p, line, &k, &v, "expected an indented 'key = value' sub-property") != 0)
        return -1;
    if (!valid_identifier(k)) {
        warnf(p, "ignoring sub-property with invalid characters");
        return 0;
    }
    char *key = span_dup(k, 1), *val = span_dup(v, 0);
    for (size_t i = 0; key && val && i < pr->nsub; i++) {
        if (strcmp(pr->sub[i].key, key) == 0) {
            free(key);
            free(pr->sub[i].value);
            pr->sub[i].value = val;
            return 0;
        }
    }
    if (key && val && pr->nsub >= INI_MAX_SUBS) {
        free(key);
        free(val);
        return fail(p, "too many sub-properties");
    }
    ini_prop *ns = key && val ? realloc(pr->sub, (pr->nsub + 1) * sizeof *ns) : NULL;
    if (!ns) {
        free(key);
        free(val);
        return oom(p);
    }
    pr->sub = ns;
    ns[pr->nsub++] = (ini_prop){key, val, NULL, 0};
    return 0;
}

/* An indented line: a sub-property when the property's value is empty ("s3 =\n  k = v"),
 * otherwise more text for the value, joined with '\n' as botocore does. Either way a
 * '#' or ';' inside it is text, not a comment (botocore's configparser strips inline
 * comments nowhere); only a line that starts with one is a comment line. */
static int continuation_line(parser *p, span line)
{
    if (p->cur_sec == -2)
        return fail(p, "expected a section definition ([profile name]) before properties");
    if (p->cur_prop < 0)
        return fail(p, "indented line without a property to continue");
    span s = span_trim(line);
    if (s.n == 0 || s.p[0] == '#' || s.p[0] == ';') /* an indented comment line */
        return 0;
    ini_section *sec = p->prop_sec >= 0 ? &p->f->sections[p->prop_sec] : &p->scratch;
    ini_prop *pr = &sec->props[p->cur_prop];
    if (pr->value[0] == '\0')
        return add_sub(p, pr, s);
    size_t old = strlen(pr->value);
    if (old + s.n > INI_MAX_VALUE)
        return fail(p, "value too long (continuation lines)");
    char *nv = realloc(pr->value, old + s.n + 2);
    if (!nv)
        return oom(p);
    nv[old] = '\n';
    memcpy(nv + old + 1, s.p, s.n);
    nv[old + 1 + s.n] = '\0';
    pr->value = nv;
    return 0;
}

static int parse_line(parser *p, span line)
{
    if (line.n && line.p[line.n - 1] == '\r')
        line.n--;
    if (span_trim(line).n == 0 || line.p[0] == '#' || line.p[0] == ';')
        return 0;
    if (line.p[0] == '[')
        return section_line(p, line);
    if (is_ws(line.p[0]))
        return continuation_line(p, line);
    return property_line(p, line);
}

static void remove_section(ini_file *f, size_t i)
{
    section_clear(&f->sections[i]);
    memmove(&f->sections[i], &f->sections[i + 1], (f->nsections - i - 1) * sizeof *f->sections);
    f->nsections--;
}

/* [profile default] wins over [default]; otherwise [default] is the default profile. */
static void resolve_default(parser *p)
{
    for (size_t i = 0; i < p->f->nsections; i++) {
        if (p->f->sections[i].kind != INI_OTHER)
            continue;
        if (ini_find(p->f, INI_PROFILE, "default")) {
            p->lineno = 0;
            warnf(p, "[default] ignored: [profile default] overrides it");
            remove_section(p->f, i);
        } else {
            p->f->sections[i].kind = INI_PROFILE;
        }
        return;
    }
}

int ini_parse(const char *text, size_t len, int is_config, ini_file *out,
              void (*warn)(void *ud, const char *msg), void *ud, aws_err *err)
{
    memset(out, 0, sizeof *out);
    parser p = {NULL, 0, 0, out, {0}, is_config, -2, -1, -1, 0, warn, ud, err};
    size_t pos = 0;
    int rc = 0;
    while (rc == 0 && pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        p.lineno++;
        rc = parse_line(&p, (span){text + pos, n});
        pos += n + 1;
    }
    section_clear(&p.scratch);
    free(p.slots);
    if (rc != 0) {
        ini_free(out);
        return -1;
    }
    resolve_default(&p);
    return 0;
}

static int read_all(const char *path, char **text, size_t *len, aws_err *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        *text = NULL;
        *len = 0;
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        return err_set(err, AWS_ERR_CONFIG, "ConfigReadError", "cannot read %s: %s", path,
                       strerror(errno));
    }
    size_t cap = 4096, n = 0, got;
    char *b = malloc(cap);
    while (b && (got = fread(b + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = cap < INI_MAX_FILE ? realloc(b, cap * 2) : NULL;
            if (!nb)
                free(b);
            b = nb;
            cap *= 2;
        }
    }
    int bad = ferror(fp);
    fclose(fp);
    if (!b || bad) {
        free(b);
        return err_set(err, AWS_ERR_CONFIG, "ConfigReadError", "cannot read %s: %s", path,
                       b ? "read error" : "too large");
    }
    *text = b;
    *len = n;
    return 0;
}

int ini_load(const char *path, int is_config, ini_file *out,
             void (*warn)(void *ud, const char *msg), void *ud, aws_err *err)
{
    memset(out, 0, sizeof *out);
    char *text = NULL;
    size_t len = 0;
    if (read_all(path, &text, &len, err) != 0)
        return -1;
    if (!text)
        return 0;
    int rc = ini_parse(text, len, is_config, out, warn, ud, err);
    free(text);
    if (rc != 0 && err) {
        char msg[512];
        snprintf(msg, sizeof msg, "%.500s", err->message);
        snprintf(err->message, sizeof err->message, "unable to parse config file %.400s: %s", path,
                 msg);
    }
    return rc;
}

void ini_free(ini_file *f)
{
    for (size_t i = 0; i < f->nsections; i++)
        section_clear(&f->sections[i]);
    free(f->sections);
    f->sections = NULL;
    f->nsections = 0;
}

const ini_section *ini_find(const ini_file *f, ini_kind kind, const char *name)
{
    for (size_t i = 0; f && name && i < f->nsections; i++)
        if (f->sections[i].kind == kind && strcmp(f->sections[i].name, name) == 0)
            return &f->sections[i];
    return NULL;
}

const ini_prop *ini_prop_find(const ini_section *s, const char *key)
{
    for (size_t i = 0; s && key && i < s->nprops; i++)
        if (strcmp(s->props[i].key, key) == 0)
            return &s->props[i];
    return NULL;
}

const char *ini_get(const ini_section *s, const char *key)
{
    const ini_prop *p = ini_prop_find(s, key);
    return p ? p->value : NULL;
}

const char *ini_get_sub(const ini_section *s, const char *key, const char *subkey)
{
    const ini_prop *p = ini_prop_find(s, key);
    for (size_t i = 0; p && subkey && i < p->nsub; i++)
        if (strcmp(p->sub[i].key, subkey) == 0)
            return p->sub[i].value;
    return NULL;
}
