/* repl.c - the interactive shell.
 *
 * lua.c's algorithm: a line is first tried as `return <line>` (an expression,
 * whose values are shown); else as a statement; a syntax error that ends at
 * <eof> means "read another line" (the `>>` prompt). Every chunk runs under the
 * same protected call as scripts (report.c), so an error prints and the session
 * goes on. C reads lines (GNU readline when built with it), keeps the history
 * file and handles Ctrl-C; what to show, the prompt, completion and which lines
 * may be saved are Lua (scripts/lib/iamsh/repl.lua).
 *
 * Ctrl-C while typing cancels the line; while a chunk runs it interrupts it
 * (report.c's hook; the HTTP transfer is aborted); Ctrl-D leaves with 0. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"
#include "iamsh/boundary.h"
#include "lauxlib.h"

#ifdef IAMSH_HAVE_READLINE
#include <readline/history.h>
#include <readline/readline.h>
#endif

#define HISTORY_LINES 1000

static volatile sig_atomic_t line_cancelled;
static int use_editor; /* stdin is a terminal: prompts, and readline if built with it */

/* --- the Lua side ------------------------------------------------------- */

/* Push repl.<name> (a function of scripts/lib/iamsh/repl.lua).  [-0, +1, -] */
static void push_repl_fn(lua_State *L, const char *name)
{
    lua_getfield(L, LUA_REGISTRYINDEX, REG_REPL);
    lua_getfield(L, -1, name);
    lua_remove(L, -2);
}

/* repl.prompt(continuation) as a C string in buf; "> " if it fails. */
static void make_prompt(lua_State *L, int continuation, char *buf, size_t n)
{
    push_repl_fn(L, "prompt");
    lua_pushboolean(L, continuation);
    if (report_pcall_repl(L, 1, 1) == EXIT_OK) {
        snprintf(buf, n, "%s", lua_isstring(L, -1) ? lua_tostring(L, -1) : "> ");
        lua_pop(L, 1);
    } else {
        snprintf(buf, n, "%s", continuation ? ">> " : "> ");
    }
}

/* --- reading lines ------------------------------------------------------ */

/* The handler also writes to a pipe that the reader polls beside stdin: a
 * Ctrl-C that comes while readline is busy (completing, say) rather than blocked
 * in read() is not lost until the next key. */
static int cancel_pipe[2] = {-1, -1};

static void on_sigint_reading(int sig)
{
    (void)sig;
    line_cancelled = 1;
    if (cancel_pipe[1] >= 0) {
        ssize_t w = write(cancel_pipe[1], "", 1);
        (void)w; /* a full pipe already says "cancelled" */
    }
}

static void drain_cancel_pipe(void)
{
    char junk[64];
    while (cancel_pipe[0] >= 0 && read(cancel_pipe[0], junk, sizeof junk) > 0)
        ;
}

/* While a line is read, Ctrl-C cancels it: a handler without SA_RESTART, so a
 * blocked read returns EINTR, and the pipe, so a poll wakes up. */
static void install_reading_signals(void)
{
    if (cancel_pipe[0] < 0 && pipe2(cancel_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        cancel_pipe[0] = cancel_pipe[1] = -1;
    drain_cancel_pipe();
    line_cancelled = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint_reading;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

#ifdef IAMSH_HAVE_READLINE
/* readline's getc: a Ctrl-C ends the line (accept-line), which the caller then
 * drops because line_cancelled is set: readline is left in a clean state. */
static int repl_getc(FILE *f)
{
    struct pollfd fds[2] = {{fileno(f), POLLIN, 0}, {cancel_pipe[0], POLLIN, 0}};
    for (;;) {
        if (line_cancelled) {
            drain_cancel_pipe();
            rl_point = rl_end;
            rl_redisplay();
            fputs("^C", rl_outstream);
            return '\n';
        }
        if (poll(fds, cancel_pipe[0] >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
            return EOF;
        if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        unsigned char c;
        ssize_t n = read(fileno(f), &c, 1);
        if (n == 1)
            return c;
        if (n == 0 || errno != EINTR)
            return EOF;
    }
}
#endif

/* One line without its newline, malloc'ed; NULL at end of input. A line
 * cancelled by Ctrl-C comes back as NULL with line_cancelled set. */
static char *read_line(const char *prompt)
{
    install_reading_signals();
#ifdef IAMSH_HAVE_READLINE
    if (use_editor) {
        char *line = readline(prompt);
        if (line_cancelled) {
            free(line);
            return NULL;
        }
        return line;
    }
#endif
    if (use_editor) {
        fputs(prompt, stdout);
        fflush(stdout);
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        if (line_cancelled) {
            clearerr(stdin);
            fputs("\n", stdout);
        }
        return NULL;
    }
    if (n > 0 && line[n - 1] == '\n')
        line[n - 1] = '\0';
    return line;
}

/* --- history ------------------------------------------------------------ */

#ifdef IAMSH_HAVE_READLINE
/* repl.keep(line): may this line go into the history file? */
static int keep_in_history(lua_State *L, const char *line)
{
    push_repl_fn(L, "keep");
    lua_pushstring(L, line);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        lua_pop(L, 1);
        return 0; /* when in doubt, do not write it down */
    }
    int keep = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return keep;
}

static char history_path[4096];

/* $IAMSH_HISTORY (empty: none), else ~/.iamsh_history. */
static void history_start(void)
{
    const char *env = getenv("IAMSH_HISTORY"), *home = getenv("HOME");
    history_path[0] = '\0';
    if (env)
        snprintf(history_path, sizeof history_path, "%s", env);
    else if (home && *home)
        snprintf(history_path, sizeof history_path, "%s/.iamsh_history", home);
    stifle_history(HISTORY_LINES);
    if (history_path[0])
        read_history(history_path);
}

/* The file is made 0600 before its first line is written (lines may hold
 * account names, ARNs and policy text), then kept at HISTORY_LINES lines. */
static void history_save(const char *line)
{
    add_history(line);
    if (!history_path[0])
        return;
    int fd = open(history_path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    int ok = fchmod(fd, 0600) == 0;
    close(fd);
    if (ok && append_history(1, history_path) == 0)
        history_truncate_file(history_path, HISTORY_LINES);
}
#endif

static void remember(lua_State *L, const char *chunk)
{
#ifdef IAMSH_HAVE_READLINE
    if (use_editor && chunk[strspn(chunk, " \t")] != '\0' && keep_in_history(L, chunk))
        history_save(chunk);
#else
    (void)L;
    (void)chunk;
#endif
}

/* --- completion --------------------------------------------------------- */

#ifdef IAMSH_HAVE_READLINE
static lua_State *repl_state; /* for readline's completion callback */
static char **candidates;     /* from repl.complete, handed out one by one */
static size_t ncandidates;

static void drop_candidates(void)
{
    for (size_t i = 0; i < ncandidates; i++)
        free(candidates[i]);
    free(candidates);
    candidates = NULL;
    ncandidates = 0;
}

/* repl.complete(line before the cursor, start of the word) -> {words}, append.
 * [-0, +?, -] (the caller restores the stack) */
static int fetch_candidates(lua_State *L, int start, int end)
{
    drop_candidates();
    push_repl_fn(L, "complete");
    lua_pushlstring(L, rl_line_buffer, (size_t)end);
    lua_pushinteger(L, start + 1);
    if (lua_pcall(L, 2, 2, 0) != LUA_OK || !lua_istable(L, -2))
        return 0; /* the caller resets the stack; a broken completer completes nothing */
    size_t n = (size_t)luaL_len(L, -2);
    candidates = calloc(n ? n : 1, sizeof *candidates);
    for (size_t i = 0; candidates && i < n; i++) {
        lua_rawgeti(L, -2, (lua_Integer)i + 1);
        const char *s = lua_tostring(L, -1);
        if (s && (candidates[ncandidates] = strdup(s)) != NULL)
            ncandidates++;
        lua_pop(L, 1);
    }
    const char *append = lua_tostring(L, -1);
    rl_completion_append_character = append && *append ? append[0] : '\0';
    lua_pop(L, 2);
    return 1;
}

static char *next_candidate(const char *text, int state)
{
    static size_t i;
    (void)text;
    if (state == 0)
        i = 0;
    return i < ncandidates ? strdup(candidates[i++]) : NULL;
}

static char **complete(const char *text, int start, int end)
{
    rl_attempted_completion_over = 1; /* never fall back to file names */
    int top = lua_gettop(repl_state);
    int ok = fetch_candidates(repl_state, start, end);
    lua_settop(repl_state, top);
    if (!ok || ncandidates == 0)
        return NULL;
    return rl_completion_matches(text, next_candidate);
}

static void editor_start(lua_State *L)
{
    rl_readline_name = "iamsh";
    rl_catch_signals = 0;
    rl_getc_function = repl_getc;
    rl_attempted_completion_function = complete;
    /* '.', ':' and '{' end a word, so `iam.get_acc` completes `get_acc` in the
     * table `iam`, and `iam.create_role{Ro` completes a parameter name. */
    rl_basic_word_break_characters = " \t\n\"'`@$><=;|&{(,[]})+-*/%^~#.:";
    rl_completer_quote_characters = "\"'";
    repl_state = L;
    history_start();
}
#endif

const char *repl_editor_version(void)
{
#ifdef IAMSH_HAVE_READLINE
    static char v[64];
    snprintf(v, sizeof v, "GNU readline %s", rl_library_version);
    return v;
#else
    return "line editing: none (built without GNU readline)";
#endif
}

/* --- evaluation (lua.c's algorithm) ------------------------------------- */

static int incomplete(lua_State *L, int status)
{
    static const char mark[] = "<eof>";
    size_t n;
    const char *msg = lua_tolstring(L, -1, &n);
    return status == LUA_ERRSYNTAX && msg && n >= sizeof mark - 1 &&
           strcmp(msg + n - (sizeof mark - 1), mark) == 0;
}

/* Compile "return <line>"; on success the function is on the stack. */
static int try_expression(lua_State *L, const char *line)
{
    lua_pushfstring(L, "return %s;", line);
    size_t n;
    const char *code = lua_tolstring(L, -1, &n);
    int status = luaL_loadbuffer(L, code, n, "=stdin");
    lua_remove(L, -2);
    if (status != LUA_OK)
        lua_pop(L, 1);
    return status;
}

enum { READ_CHUNK, READ_EOF, READ_CANCELLED };

/* `exit` and `quit` alone leave, as in psql and mongosh (Ctrl-D does too). */
static int is_exit_word(const char *line)
{
    line += strspn(line, " \t");
    size_t n = strcspn(line, " \t");
    return line[n + strspn(line + n, " \t")] == '\0' &&
           ((n == 4 && strncmp(line, "exit", 4) == 0) || (n == 4 && strncmp(line, "quit", 4) == 0));
}

/* Read a whole chunk: one line, or more while the statement is incomplete.
 * On READ_CHUNK, a compiled function or a syntax error message is on the stack
 * (returned as the load status in *status) and the text was remembered. */
static int read_chunk(lua_State *L, int *status)
{
    char prompt[512];
    make_prompt(L, 0, prompt, sizeof prompt);
    char *line = read_line(prompt);
    if (!line)
        return line_cancelled ? READ_CANCELLED : READ_EOF;
    if (is_exit_word(line)) {
        free(line);
        return READ_EOF;
    }
    lua_pushstring(L, line);
    free(line);
    if ((*status = try_expression(L, lua_tostring(L, -1))) == LUA_OK) {
        remember(L, lua_tostring(L, -2));
        lua_remove(L, -2);
        return READ_CHUNK;
    }
    for (;;) {
        size_t n;
        const char *text = lua_tolstring(L, -1, &n);
        *status = luaL_loadbuffer(L, text, n, "=stdin");
        if (!incomplete(L, *status))
            break;
        lua_pop(L, 1);
        make_prompt(L, 1, prompt, sizeof prompt);
        if ((line = read_line(prompt)) == NULL) {
            lua_pop(L, 1);
            return line_cancelled ? READ_CANCELLED : READ_EOF;
        }
        lua_pushliteral(L, "\n");
        lua_pushstring(L, line);
        free(line);
        lua_concat(L, 3); /* the text so far, a newline, the new line */
    }
    remember(L, lua_tostring(L, -2));
    lua_remove(L, -2);
    return READ_CHUNK;
}

/* Run the compiled chunk on top; show its values through repl.show. */
static void run_chunk(lua_State *L)
{
    int base = lua_gettop(L) - 1;
    int ok = report_pcall_repl(L, 0, LUA_MULTRET) == EXIT_OK;
    int n = lua_gettop(L) - base;
    if (ok && n > 0) {
        push_repl_fn(L, "show");
        lua_insert(L, base + 1);
        report_pcall_repl(L, n, 0);
    }
    lua_settop(L, base);
}

static int load_repl_module(lua_State *L)
{
    lua_getglobal(L, "require");
    lua_pushliteral(L, "iamsh.repl");
    int rc = report_pcall(L, 1, 1);
    if (rc != EXIT_OK)
        return rc;
    lua_setfield(L, LUA_REGISTRYINDEX, REG_REPL);
    return EXIT_OK;
}

static void print_banner(lua_State *L)
{
    push_repl_fn(L, "banner");
#ifdef IAMSH_HAVE_READLINE
    lua_pushboolean(L, 1);
#else
    lua_pushboolean(L, 0);
#endif
    if (report_pcall_repl(L, 1, 1) == EXIT_OK) {
        if (lua_isstring(L, -1))
            puts(lua_tostring(L, -1));
        lua_pop(L, 1);
    }
}

int repl_run(lua_State *L)
{
    int rc = load_repl_module(L);
    if (rc != EXIT_OK)
        return rc;
    use_editor = isatty(STDIN_FILENO);
#ifdef IAMSH_HAVE_READLINE
    if (use_editor)
        editor_start(L);
#endif
    if (use_editor)
        print_banner(L);
    for (;;) {
        int status = LUA_OK;
        report_install_signals(L);
        int r = read_chunk(L, &status);
        report_install_signals(L);
        if (r == READ_EOF)
            break;
        if (r == READ_CANCELLED)
            continue;
        if (status == LUA_OK) {
            run_chunk(L);
        } else {
            fprintf(stderr, "%s\n", lua_tostring(L, -1));
            lua_pop(L, 1);
        }
        fflush(stdout);
    }
    if (use_editor)
        fputs("\n", stdout);
#ifdef IAMSH_HAVE_READLINE
    drop_candidates();
#endif
    return EXIT_OK;
}
