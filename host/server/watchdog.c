/* watchdog.c - the handlers' deadline, kept by a thread instead of a count hook.
 *
 * A count hook has Lua stop at every instruction of the state to count it down
 * (lua_sethook sets the VM's trap for each one): 3.5% of a request to `iamsh serve`
 * went to that, for a check that matters once in a handler's 30 s. Instead a watch
 * holds the state, the thread running it and the deadline of the call; one thread
 * of the process looks at the watches a few times a second, and when a deadline has
 * passed it signals the thread running that state, whose handler sets the count hook
 * on it, as lua.c's SIGINT handler does (lua_sethook may be called from a signal
 * handler of the thread running the state, and only from there). The hook then
 * raises the deadline's error, or takes itself off when the signal came after the
 * call had ended.
 *
 * Watches live in a table that is never freed, so a late signal names a watch that
 * may be idle or taken again, never freed memory. When no watch can be had (the
 * table is full, the signal is someone else's, no thread could be started) the
 * caller keeps the count hook. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>

#include "server.h"

#define WATCHES 64
#define TICK_NS 250000000L    /* a deadline is noticed within a quarter second */
#define SIGNAL (SIGRTMIN + 4) /* no other part of iamsh, libcurl or SQLite uses it */

struct watch {
    atomic_int taken;
    atomic_int running; /* a call is on: thread and deadline hold for it */
    atomic_int fired;   /* the signal was sent for this call */
    _Atomic(pthread_t) thread;
    _Atomic long long deadline; /* CLOCK_MONOTONIC, ns */
    lua_State *L;               /* set before the watch is first armed */
    lua_Hook hook;
};

static watch watches[WATCHES];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int started; /* the handler is installed and the thread runs */

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* In the thread running a watched state: the count hook on it, if the signal is ours
 * and its call is still on in this thread. */
static void on_signal(int sig, siginfo_t *info, void *context)
{
    (void)sig;
    (void)context;
    int saved = errno;
    watch *w = info->si_code == SI_QUEUE ? info->si_value.sival_ptr : NULL;
    if (w >= watches && w < watches + WATCHES && atomic_load(&w->running) &&
        pthread_equal(atomic_load(&w->thread), pthread_self()))
        lua_sethook(w->L, w->hook, LUA_MASKCOUNT, 1);
    errno = saved;
}

static void *patrol(void *arg)
{
    (void)arg;
    for (;;) {
        struct timespec tick = {0, TICK_NS};
        nanosleep(&tick, NULL);
        long long now = now_ns();
        for (int i = 0; i < WATCHES; i++) {
            watch *w = &watches[i];
            if (!atomic_load(&w->taken) || !atomic_load(&w->running) ||
                atomic_load(&w->deadline) > now || atomic_exchange(&w->fired, 1))
                continue;
            pthread_sigqueue(atomic_load(&w->thread), SIGNAL, (union sigval){.sival_ptr = w});
        }
    }
    return NULL;
}

/* The handler, unless the signal has one already; then the thread, with every signal
 * blocked (SIGINT and SIGTERM are the program's, whichever thread they come to). */
static void start(void)
{
    struct sigaction sa, old;
    if (sigaction(SIGNAL, NULL, &old) != 0 || old.sa_handler != SIG_DFL)
        return;
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGNAL, &sa, NULL) != 0)
        return;
    sigset_t all, mask;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &mask);
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    started = pthread_create(&t, &attr, patrol, NULL) == 0;
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &mask, NULL);
    if (!started)
        sigaction(SIGNAL, &old, NULL);
}

watch *watchdog_add(lua_State *L, lua_Hook hook)
{
    pthread_once(&once, start);
    if (!started)
        return NULL;
    for (int i = 0; i < WATCHES; i++) {
        int free_slot = 0;
        if (atomic_compare_exchange_strong(&watches[i].taken, &free_slot, 1)) {
            watches[i].L = L;
            watches[i].hook = hook;
            return &watches[i];
        }
    }
    return NULL;
}

void watchdog_remove(watch *w)
{
    if (w) {
        atomic_store(&w->running, 0);
        atomic_store(&w->taken, 0);
    }
}

void watchdog_arm(watch *w, double seconds)
{
    atomic_store(&w->thread, pthread_self());
    atomic_store(&w->deadline, now_ns() + (long long)(seconds * 1e9));
    atomic_store(&w->fired, 0);
    atomic_store(&w->running, 1);
}

void watchdog_disarm(watch *w)
{
    atomic_store(&w->running, 0);
}
