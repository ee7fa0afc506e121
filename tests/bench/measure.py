"""Measuring one client process, and the things every section of the benchmark
shares: the environment, the clients and their versions, the endpoints.

Every client runs as its own process under tests/bench/spawn.c (a small C
parent), which reports its wall time, user and system CPU and peak RSS from
wait4(2). See spawn.c for why the parent must be small.
"""
import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(BENCH))
SUPPORT = os.path.join(ROOT, "tests", "support")

# Obviously fake keys; moto accepts anything, and nothing real is ever reached.
ENV = dict(os.environ,
           AWS_ACCESS_KEY_ID="AKIDFAKEFAKEFAKE01",
           AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
           AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1",
           AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="",
           AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
           no_proxy="127.0.0.1,localhost", NO_PROXY="127.0.0.1,localhost")
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
              "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS", "IAMSH_PATH"):
    ENV.pop(_name, None)


class Failed(Exception):
    """One measurement could not be made; the report shows it as a row."""


class Sample:
    """What one process cost: seconds of wall and CPU, peak RSS in KiB."""

    def __init__(self, wall, user, sys_, rss_kib):
        self.wall, self.user, self.sys, self.rss_kib = wall, user, sys_, rss_kib

    @property
    def cpu(self):
        return self.user + self.sys


class Runs:
    """Samples of repeated runs of one command, and their medians."""

    def __init__(self, samples, stderr=""):
        self.samples = samples
        self.stderr = stderr   # of the last run

    def __len__(self):
        return len(self.samples)

    def median(self, what):
        return statistics.median(getattr(s, what) for s in self.samples)


def build_spawn(build_dir):
    """The measuring parent, compiled into the build folder when missing or stale."""
    src = os.path.join(BENCH, "spawn.c")
    exe = os.path.join(build_dir, "bench", "spawn")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        os.makedirs(os.path.dirname(exe), exist_ok=True)
        cc = os.environ.get("CC", "cc")
        subprocess.run([cc, "-O2", "-o", exe, src], check=True)
    return exe


class Meter:
    def __init__(self, spawn):
        self.spawn = spawn

    def once(self, cmd, env=None, cwd=None, ok=(0,)):
        """Run cmd once under spawn; (Sample, stderr text). Raises Failed."""
        with tempfile.NamedTemporaryFile("r", prefix="bench-") as res:
            try:
                p = subprocess.run([self.spawn, res.name] + list(cmd), env=env or ENV, cwd=cwd,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, timeout=3600)
            except subprocess.TimeoutExpired:
                raise Failed("%s: no answer within an hour" % os.path.basename(cmd[0]))
            err = p.stderr.decode(errors="replace")
            fields = res.read().split()
        if p.returncode != 0 or len(fields) != 5:
            raise Failed("spawn failed: %s" % err.strip()[-200:])
        wall, user, sys_, rss, status = (int(x) for x in fields)
        if status not in ok:
            last = err.strip().splitlines()[-1] if err.strip() else "no message"
            raise Failed("%s exited %d: %s" % (os.path.basename(cmd[0]), status, last[:160]))
        return Sample(wall / 1e6, user / 1e6, sys_ / 1e6, rss), err

    def runs(self, cmd, n, before=None, **kw):
        """n runs of cmd, calling before() (not measured) ahead of each."""
        samples, err = [], ""
        for _ in range(n):
            if before:
                before()
            s, err = self.once(cmd, **kw)
            samples.append(s)
        return Runs(samples, err)


def first_line(cmd, env=None):
    """First line of a command's stdout+stderr, or None when it cannot run."""
    try:
        p = subprocess.run(cmd, env=env or ENV, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (p.stdout + p.stderr).strip()
    return text.splitlines()[0] if p.returncode == 0 and text else None


class Client:
    """One client of the comparison: a name, how to run it, its version, or
    why it is missing (then every row of it says so)."""

    def __init__(self, name, path, version=None, missing=None):
        self.name, self.path, self.version, self.missing = name, path, version, missing


def aws_cli(name, path, major):
    """The AWS CLI at path, if it is there and of this major version."""
    if not path or not os.path.exists(path):
        return Client(name, path, missing="not installed")
    v = first_line([path, "--version"])
    if not v or not v.startswith("aws-cli/%d." % major):
        return Client(name, path, missing="%s is not an AWS CLI v%d (%s)" % (path, major, v))
    return Client(name, path, version=v)


def clients(iamsh):
    """iamsh, python3+boto3, the AWS CLI v2 (Debian) and v1 (this python's)."""
    out = {"iamsh": Client("iamsh", iamsh, version=" ".join(
        subprocess.run([iamsh, "--version"], capture_output=True, text=True).stdout.split("\n")[:1]))}
    try:
        import boto3
        import botocore
        out["boto3"] = Client("boto3", sys.executable,
                              version="boto3 %s, botocore %s" % (boto3.__version__, botocore.__version__))
    except ImportError as e:
        out["boto3"] = Client("boto3", sys.executable, missing="boto3 not importable: %s" % e)
    out["cli2"] = aws_cli("AWS CLI v2", "/usr/bin/aws", 2)
    # The v1 beside this python, not a pyenv shim (a shim adds a bash and pyenv's own start-up).
    v1 = os.path.join(os.path.dirname(sys.executable), "aws")
    if not os.path.exists(v1):
        v1 = shutil.which("aws")
    out["cli1"] = aws_cli("AWS CLI v1", v1, 1)
    return out


# --- endpoints: one function each; each yields its URL (or raises Failed) ---

@contextlib.contextmanager
def moto_endpoint(iamsh):
    """moto_server on a free loopback port, AWS managed policies loaded
    (tests/support/moto.py); stopped when the block ends."""
    # moto's own log (tracebacks of actions it lacks) goes to a file, not the terminal.
    with tempfile.TemporaryFile() as log:
        p = subprocess.Popen([sys.executable, os.path.join(SUPPORT, "moto.py"), "--lifetime", "14400"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=ENV)
        try:
            port = p.stdout.readline().decode().strip()
            if not port:
                p.wait()
                log.seek(0)
                raise Failed("moto_server did not start (tests/support/moto.py exited %s: %s)"
                             % (p.returncode, log.read().decode(errors="replace").strip()[-200:]))
            yield "http://127.0.0.1:" + port
        finally:
            p.stdin.close()
            p.wait()


def serve_available(iamsh):
    """Whether this iamsh has its own endpoint (issue 12): `iamsh serve --help` works."""
    try:
        return subprocess.run([iamsh, "serve", "--help"], env=ENV, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@contextlib.contextmanager
def serve_endpoint(iamsh):
    """`iamsh serve` on a free loopback port (issue 12: it prints its URL first)."""
    if not serve_available(iamsh):
        raise Failed("not yet available (`iamsh serve --help` fails: issue 12)")
    p = subprocess.Popen([iamsh, "--quiet", "serve", "--listen", "127.0.0.1:0"], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, env=ENV)
    try:
        m = re.search(r"https?://[\w.:\[\]-]+", p.stdout.readline().decode())
        if not m:
            raise Failed("iamsh serve printed no URL")
        yield m.group(0)
    finally:
        p.terminate()
        p.wait()


ENDPOINTS = [("moto", moto_endpoint), ("iamsh serve", serve_endpoint)]


def answers(url):
    """Whether something accepts TCP connections at url's host and port."""
    u = urllib.parse.urlsplit(url)
    try:
        socket.create_connection((u.hostname, u.port or 80), timeout=5).close()
        return True
    except OSError:
        return False


class Endpoints:
    """Every endpoint of ENDPOINTS, started once for the whole run: url(name) is
    its URL, or the Failed that says why there is none. An endpoint that stops
    answering (moto has been seen to vanish in the middle of a long run on a
    busy machine) is started again, and the restart is listed in the report."""

    def __init__(self, iamsh):
        self.iamsh = iamsh
        self.urls, self.stacks, self.restarts = {}, {}, []

    def _start(self, name, start):
        stack = contextlib.ExitStack()
        try:
            self.urls[name] = stack.enter_context(start(self.iamsh))
            self.stacks[name] = stack
        except Failed as e:
            self.urls[name] = e
            stack.close()

    def __enter__(self):
        for name, start in ENDPOINTS:
            self._start(name, start)
        return self

    def __exit__(self, *exc):
        for stack in self.stacks.values():
            stack.close()

    def url(self, name):
        """The endpoint's URL (restarted first if it stopped answering), or a Failed."""
        url = self.urls.get(name)
        if isinstance(url, str) and not answers(url):
            self.restarts.append("%s (%s) stopped answering at %s and was started again"
                                 % (name, url, time.strftime("%H:%M:%S")))
            self.stacks.pop(name).close()
            self._start(name, dict(ENDPOINTS)[name])
            url = self.urls[name]
        return url

    def names(self):
        return [name for name, _ in ENDPOINTS]
