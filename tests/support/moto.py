#!/usr/bin/env python3
"""Run a moto server (fake IAM/STS) on loopback for the tests.

    moto.py [--lifetime SECONDS] [--no-warm]

Starts moto in this process on 127.0.0.1 with a free port, with AWS managed
policies loaded (MOTO_IAM_LOAD_MANAGED_POLICIES=true), waits until IAM answers,
then prints the port as the first stdout line (flushed). Nothing else goes to
stdout. Stops when stdin (a pipe or socket) reaches EOF, on SIGTERM/SIGINT, or
after --lifetime seconds (default 600).

Point clients at http://127.0.0.1:<port> with any obviously fake keys; moto's
account is 123456789012.

Exit status: 0 on a normal stop, 3 when moto is not installed, 4 when it did
not come up.
"""
import argparse
import logging
import os
import signal
import sys
import threading
import time
import urllib.request

# This file is called moto.py: keep its own folder off the path so that
# `import moto` finds the real package.
# (The helper shared with the other servers is imported first, from this folder.)
from stdin_watch import on_stdin_eof  # noqa: E402

_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _here]

os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
# Never let a stray real credential reach anything: moto accepts anything.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIDFAKEFAKEFAKE01")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")

FAKE_AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDFAKEFAKEFAKE01/20150830/us-east-1/{svc}/aws4_request, "
             "SignedHeaders=content-type;host;x-amz-date, Signature=" + "0" * 64)


def fail(code, msg):
    sys.stderr.write("moto.py: %s\n" % msg)
    sys.stderr.flush()
    os._exit(code)


def start_server():
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as e:
        fail(3, "moto is not installed (pip install 'moto[server]'): %s" % e)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)   # no per-request lines
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    return server, server.get_host_and_port()[1]


def post(port, svc, body, timeout):
    req = urllib.request.Request(
        "http://127.0.0.1:%d/" % port, data=body.encode(), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                 "X-Amz-Date": "20150830T123600Z", "Authorization": FAKE_AUTH.format(svc=svc)})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read()


def wait_ready(port, warm, deadline):
    """Until IAM answers; the first IAM call loads ~1,000 managed policies, so
    doing it here keeps the tests' first request fast."""
    body = "Action=ListRoles&Version=2010-05-08" if warm else "Action=GetCallerIdentity&Version=2011-06-15"
    svc = "iam" if warm else "sts"
    last = None
    while time.monotonic() < deadline:
        try:
            status, _ = post(port, svc, body, timeout=max(1.0, deadline - time.monotonic()))
            if status == 200:
                return
            last = "HTTP %d" % status
        except Exception as e:  # not up yet
            last = e
        time.sleep(0.05)
    fail(4, "moto did not answer on port %d: %s" % (port, last))


def main():
    ap = argparse.ArgumentParser(description="moto server on loopback for the iamsh tests")
    ap.add_argument("--lifetime", type=float, default=600.0)
    ap.add_argument("--no-warm", action="store_true", help="skip loading IAM before printing the port")
    args = ap.parse_args()

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server, port = start_server()
    wait_ready(port, not args.no_warm, time.monotonic() + 60)
    sys.stdout.write("%d\n" % port)
    sys.stdout.flush()
    on_stdin_eof(stop.set)
    stop.wait(max(args.lifetime, 0.1))
    os._exit(0)   # the server's threads are daemons; no need to wait for them


if __name__ == "__main__":
    main()
