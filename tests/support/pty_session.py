#!/usr/bin/env python3
"""Drive a program through a pseudo-terminal, as a person at a keyboard would.

    pty_session.py [--timeout S] [--cols N] -- COMMAND [ARGS...]  < STEPS

STEPS, one per line (blank lines and lines starting with '#' are skipped):
  line TEXT        type TEXT, then Enter
  send TEXT        type TEXT (no Enter)
  key NAME         press C-c, C-d, C-u, Tab or Enter
  wait REGEX       wait until the output since the last wait matches REGEX
                   (Python syntax, searched across lines)
  sleep SECONDS
  until COMMAND    run COMMAND (sh -c) every 50 ms until it succeeds, reading
                   the program's output meanwhile (e.g. until a server saw a request)

The program runs with TERM=dumb in a terminal of --cols columns (default 100).
When the steps are done the program gets --timeout seconds (default 10) to exit;
then the transcript (what the terminal showed, with carriage returns and escape
sequences removed) goes to stdout, and a last line `EXIT <status>` (or
`EXIT timeout` after a SIGKILL). A `wait` that times out prints the transcript,
`WAIT TIMEOUT <regex>`, and exits 1.
"""
import argparse
import fcntl
import os
import pty
import re
import select
import signal
import subprocess
import struct
import sys
import termios
import time

KEYS = {"C-c": b"\x03", "C-d": b"\x04", "C-u": b"\x15", "Tab": b"\t", "Enter": b"\r"}
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>]")


class Session:
    def __init__(self, argv, cols):
        pid, fd = pty.fork()
        if pid == 0:
            os.environ["TERM"] = "dumb"
            try:
                os.execvp(argv[0], argv)
            finally:
                os._exit(127)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, cols, 0, 0))
        self.pid, self.fd = pid, fd
        self.out = b""
        self.mark = 0  # where the next `wait` starts looking, in the cleaned text
        self.status = None

    def pump(self, timeout):
        """Read what the program wrote within timeout seconds; False at EOF."""
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the program closed the terminal
            return False
        if not data:
            return False
        self.out += data
        return True

    def wait_for(self, regex, timeout):
        deadline = time.monotonic() + timeout
        pattern = re.compile(regex, re.S)
        while True:
            m = pattern.search(clean(self.out), self.mark)
            if m:
                self.mark = m.end()
                return True
            if time.monotonic() >= deadline or not self.pump(0.05):
                return False

    def type(self, data):
        for i in range(0, len(data), 16):  # a keyboard, not a paste
            os.write(self.fd, data[i:i + 16])
            self.pump(0.01)

    def finish(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                while self.pump(0.05):
                    pass
                self.status = os.waitstatus_to_exitcode(status)
                return
            self.pump(0.05)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        self.status = "timeout"


def clean(data):
    """The text as the terminal shows it: carriage returns and backspaces move
    the cursor back over the line (readline redraws a line that way on a dumb
    terminal), escape sequences are dropped, trailing blanks removed."""
    lines, line, col = [], [], 0
    for ch in ESCAPES.sub(b"", data).decode("utf-8", "replace"):
        if ch == "\n":
            lines.append("".join(line).rstrip())
            line, col = [], 0
        elif ch == "\r":
            col = 0
        elif ch == "\b":
            col = max(0, col - 1)
        elif ch == "\a":
            continue
        else:
            if col < len(line):
                line[col] = ch
            else:
                line.append(ch)
            col += 1
    lines.append("".join(line))
    return "\n".join(lines)


def transcript(s):
    text = clean(s.out)
    return text + ("" if text.endswith("\n") else "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("--cols", type=int, default=100)
    ap.add_argument("command", nargs="+")
    a = ap.parse_args()
    s = Session(a.command, a.cols)
    for raw in sys.stdin.read().splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        verb, _, arg = raw.partition(" ")
        if verb == "line":
            s.type(arg.encode() + b"\r")
        elif verb == "send":
            s.type(arg.encode())
        elif verb == "key":
            s.type(KEYS[arg])
        elif verb == "wait":
            if not s.wait_for(arg, a.timeout):
                sys.stdout.write(transcript(s) + "WAIT TIMEOUT " + arg + "\n")
                os.kill(s.pid, signal.SIGKILL)
                return 1
        elif verb == "until":
            end = time.monotonic() + a.timeout
            while subprocess.run(["sh", "-c", arg]).returncode != 0:
                if time.monotonic() > end:
                    sys.stdout.write(transcript(s) + "UNTIL TIMEOUT " + arg + "\n")
                    os.kill(s.pid, signal.SIGKILL)
                    return 1
                s.pump(0.05)
        elif verb == "sleep":
            end = time.monotonic() + float(arg)
            while time.monotonic() < end:
                s.pump(0.05)
        else:
            sys.exit("pty_session.py: unknown step: " + raw)
    s.finish(a.timeout)
    sys.stdout.write(transcript(s) + "EXIT %s\n" % s.status)
    return 0


if __name__ == "__main__":
    sys.exit(main())
