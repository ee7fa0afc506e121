"""Stop a test helper when the test that started it is gone.

The C and shell tests hold the write end of a pipe on the helper's stdin; EOF there
means they have finished (or died). A stdin that is not a pipe or socket (e.g.
/dev/null for a background job) is ignored: the helper's --lifetime ends it then.
"""
import os
import stat
import threading


def on_stdin_eof(callback):
    """Call callback() (from a daemon thread) when a piped stdin reaches EOF."""
    try:
        mode = os.fstat(0).st_mode
    except OSError:
        return
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        return

    def run():
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        callback()

    threading.Thread(target=run, daemon=True).start()
