/* store.c - the local endpoint's state: JSON documents in SQLite, by collection and key.
 *
 *   docs(coll, key, value)  one row a document, WITHOUT ROWID: the primary key is the
 *                           order, so a listing by prefix is a range scan
 *   meta(name, value)       the schema version and the account id
 *
 * WAL mode: readers never wait for the writer, and a commit is one append to the log.
 * synchronous=NORMAL: a commit is in the operating system's hands when it returns, so
 * a killed process (SIGKILL, a crash) loses nothing it acknowledged; only a power loss
 * or a kernel crash can lose the last commits (never corrupt the file). FULL would
 * fsync every commit (4 ms on this machine's disk: 250 writes a second at most).
 * Statements are prepared once per connection. */
#include "server.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMA "1"

enum {
    ST_GET,
    ST_PUT,
    ST_DELETE,
    ST_LIST,
    ST_COUNT,
    ST_BEGIN_READ,
    ST_BEGIN_WRITE,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_META_GET,
    ST_META_PUT,
    ST_N
};

static const char *const statements[ST_N] = {
    "SELECT value FROM docs WHERE coll = ?1 AND key = ?2",
    "INSERT INTO docs (coll, key, value) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (coll, key) DO UPDATE SET value = excluded.value",
    "DELETE FROM docs WHERE coll = ?1 AND key = ?2",
    "SELECT key, value FROM docs WHERE coll = ?1 AND key >= ?2 AND (?3 IS NULL OR key < ?3) "
    "AND (?4 IS NULL OR key > ?4) ORDER BY key LIMIT ?5",
    "SELECT count(*) FROM docs WHERE coll = ?1 AND key >= ?2 AND (?3 IS NULL OR key < ?3)",
    "BEGIN",
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "SELECT value FROM meta WHERE name = ?1",
    "INSERT INTO meta (name, value) VALUES (?1, ?2) "
    "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *st[ST_N];
    char error[256];
    int in_txn;
};

static int failed(store *s, const char *what)
{
    snprintf(s->error, sizeof s->error, "%s: %s", what, s->db ? sqlite3_errmsg(s->db) : "");
    return -1;
}

const char *store_error(const store *s)
{
    return s->error;
}

static int exec(store *s, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    snprintf(s->error, sizeof s->error, "%s", msg ? msg : sqlite3_errmsg(s->db));
    sqlite3_free(msg);
    return -1;
}

/* The tables, and a state written by a later iamsh refused. */
static int set_up(store *s, int memory)
{
    /* A new file turns to WAL with a rollback-journal transaction on its empty header:
     * synchronous=OFF for it spares four fsyncs (most of a fresh `iamsh --local`'s wall
     * time on a busy disk) and risks nothing held yet. */
    if (exec(s, "PRAGMA synchronous=OFF") != 0 ||
        exec(s, memory ? "PRAGMA journal_mode=MEMORY" : "PRAGMA journal_mode=WAL") != 0 ||
        exec(s, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF") != 0 ||
        exec(s,
             "CREATE TABLE IF NOT EXISTS docs (coll TEXT NOT NULL, key TEXT NOT NULL, "
             "value TEXT NOT NULL, PRIMARY KEY (coll, key)) WITHOUT ROWID;"
             "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)") != 0)
        return -1;
    for (int i = 0; i < ST_N; i++)
        if (sqlite3_prepare_v3(s->db, statements[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
                               NULL) != SQLITE_OK)
            return failed(s, "preparing a statement");
    char *schema = NULL;
    if (store_meta_get(s, "schema", &schema) < 0)
        return -1;
    int newer = schema && strcmp(schema, SCHEMA) != 0;
    free(schema);
    if (newer) {
        snprintf(s->error, sizeof s->error,
                 "the state was written by another version of iamsh (schema %s expected)", SCHEMA);
        return -1;
    }
    return store_meta_put(s, "schema", SCHEMA);
}

int store_open(const char *path, store **out, char *why, size_t nwhy)
{
    store *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return snprintf(why, nwhy, "out of memory"), -1;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path ? path : ":memory:", &s->db, flags, NULL);
    if (rc == SQLITE_OK)
        sqlite3_busy_timeout(s->db, 5000); /* another process on the same file */
    if (rc != SQLITE_OK ? failed(s, "opening the state") : set_up(s, path == NULL)) {
        snprintf(why, nwhy, "%s%s%s", path ? path : "", path ? ": " : "", s->error);
        store_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

void store_close(store *s)
{
    if (!s)
        return;
    for (int i = 0; i < ST_N; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    free(s);
}

/* The statement k, reset, with its text parameters bound (NULL binds NULL). */
static sqlite3_stmt *bind(store *s, int k, int n, ...)
{
    sqlite3_stmt *st = s->st[k];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    va_list ap;
    va_start(ap, n);
    for (int i = 1; i <= n; i++) {
        const char *v = va_arg(ap, const char *);
        if (v)
            sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    }
    va_end(ap);
    return st;
}

static int step_done(store *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : failed(s, what);
}

/* --- transactions ------------------------------------------------------------------------ */

int store_begin(store *s, int write)
{
    if (s->in_txn)
        return 0;
    if (step_done(s, s->st[write ? ST_BEGIN_WRITE : ST_BEGIN_READ], "beginning") != 0)
        return -1;
    s->in_txn = 1;
    return 0;
}

int store_commit(store *s)
{
    if (!s->in_txn)
        return 0;
    if (step_done(s, s->st[ST_COMMIT], "committing") != 0) {
        store_rollback(s);
        return -1;
    }
    s->in_txn = 0;
    return 0;
}

int store_rollback(store *s)
{
    if (!s->in_txn)
        return 0;
    s->in_txn = 0;
    return step_done(s, s->st[ST_ROLLBACK], "rolling back");
}

/* --- documents ---------------------------------------------------------------------------- */

int store_get(store *s, const char *coll, const char *key, buf *json)
{
    sqlite3_stmt *st = bind(s, ST_GET, 2, coll, key);
    int rc = sqlite3_step(st);
    int found = rc == SQLITE_ROW;
    if (found) {
        buf_reset(json);
        if (buf_append(json, sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0)))
            rc = SQLITE_NOMEM;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return failed(s, "reading");
    return found;
}

int store_put(store *s, const char *coll, const char *key, const char *json)
{
    return step_done(s, bind(s, ST_PUT, 3, coll, key, json), "writing");
}

int store_delete(store *s, const char *coll, const char *key)
{
    if (step_done(s, bind(s, ST_DELETE, 2, coll, key), "deleting") != 0)
        return -1;
    return sqlite3_changes(s->db) > 0;
}

/* The first key after every key that starts with prefix (NULL: none is, all 0xff). */
static char *prefix_end(const char *prefix)
{
    size_t n = strlen(prefix);
    while (n && (unsigned char)prefix[n - 1] == 0xff)
        n--;
    if (!n)
        return NULL;
    char *end = malloc(n + 1);
    if (end) {
        memcpy(end, prefix, n);
        end[n - 1] = (char)((unsigned char)end[n - 1] + 1);
        end[n] = '\0';
    }
    return end;
}

int store_list(store *s, const char *coll, const char *prefix, const char *after, long limit,
               store_row_fn *row, void *ud)
{
    prefix = prefix ? prefix : "";
    char *end = prefix_end(prefix);
    if (!end && *prefix && strspn(prefix, "\xff") != strlen(prefix))
        return snprintf(s->error, sizeof s->error, "out of memory"), -1;
    sqlite3_stmt *st = bind(s, ST_LIST, 4, coll, prefix, end, after);
    sqlite3_bind_int64(st, 5, limit > 0 ? limit : -1);
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        const char *v = (const char *)sqlite3_column_text(st, 1);
        if (row(ud, k ? k : "", v ? v : "null", (size_t)sqlite3_column_bytes(st, 1)) != 0) {
            rc = SQLITE_ABORT;
            break;
        }
        n++;
    }
    sqlite3_reset(st);
    free(end);
    if (rc == SQLITE_ABORT)
        return snprintf(s->error, sizeof s->error, "listing stopped"), -1;
    return rc == SQLITE_DONE ? n : failed(s, "listing");
}

long store_count(store *s, const char *coll, const char *prefix)
{
    prefix = prefix ? prefix : "";
    char *end = prefix_end(prefix);
    sqlite3_stmt *st = bind(s, ST_COUNT, 3, coll, prefix, end);
    long n = sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    free(end);
    return n < 0 ? failed(s, "counting") : n;
}

/* --- meta -------------------------------------------------------------------------------- */

int store_meta_get(store *s, const char *name, char **value)
{
    sqlite3_stmt *st = bind(s, ST_META_GET, 1, name);
    int rc = sqlite3_step(st);
    *value = NULL;
    if (rc == SQLITE_ROW)
        *value = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    if (rc == SQLITE_ROW && !*value)
        return snprintf(s->error, sizeof s->error, "out of memory"), -1;
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : failed(s, "reading meta");
}

int store_meta_put(store *s, const char *name, const char *value)
{
    return step_done(s, bind(s, ST_META_PUT, 2, name, value), "writing meta");
}
