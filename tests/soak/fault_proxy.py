#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of an AWS Query endpoint (moto), for the soak.

    fault_proxy.py --upstream http://127.0.0.1:PORT [--faults SPEC] [--log FILE]

Prints its port on the first stdout line (flushed), serves on 127.0.0.1, stops
when stdin (a pipe or socket) reaches EOF or after --lifetime seconds.

--faults takes the spec of `iamsh serve --faults` (issue 12), so the soak can
switch endpoints:  throttle=0.1,error500=0.05,reset=0.02,seed=7  (the default).
Every request draws one number, reproducibly from (seed, run label, request
number), and gets:
  throttle   400 <ErrorResponse> Throttling, moto never sees the request
  error500   500 <ErrorResponse> InternalFailure
  reset      the connection reset (SO_LINGER 0) without an answer
  (else)     moto's answer, passed through
error500 and reset are split evenly by a second draw between `before` (moto
never sees the request) and `after` (moto acts, its answer is thrown away).

Control paths (POST or GET, never counted as requests), under /__soak/:
  run?label=L[&faults=0]   start a run: request numbers from 1, draws keyed by L;
                           faults=0 passes every request through (kill runs)
  kill?at=K&phase=P        arm a kill point for this run: P=after (answer K sent
                           whole) or mid (moto acted on K, half its answer sent).
                           Then the proxy holds: the half-answered connection (mid)
                           or any request after K (after) waits, unforwarded,
                           until release. The harness SIGKILLs its client.
  reached?timeout=S        waits up to S s for the kill point: 200 "K ACTION", or 204
  release                  lets held requests go (they are closed, unanswered)
  stats                    JSON of this run: requests, by outcome, and the list
                           [[n, action, outcome], ...]
--log FILE gets one JSON line per request: {label, n, action, outcome, status}.
"""
import argparse
import http.client
import json
import random
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import os

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from stdin_watch import on_stdin_eof  # noqa: E402

ERROR_BODY = """<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error><Type>{type}</Type><Code>{code}</Code><Message>{msg}</Message></Error>
  <RequestId>{rid}</RequestId>
</ErrorResponse>
"""
THROTTLE = (400, "Sender", "Throttling", "Rate exceeded")
ERROR500 = (500, "Receiver", "InternalFailure", "We encountered an internal error. Please try again.")
OUTCOMES = ("ok", "throttle", "error500-before", "error500-after", "reset-before", "reset-after")
HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
       "content-length"}


def parse_faults(spec):
    f = {"throttle": 0.0, "error500": 0.0, "reset": 0.0, "seed": 0}
    for item in filter(None, spec.split(",")):
        k, sep, v = item.partition("=")
        if not sep or k not in f:
            raise argparse.ArgumentTypeError("bad fault %r (throttle=P,error500=P,reset=P,seed=N)" % item)
        f[k] = int(v) if k == "seed" else float(v)
    if f["throttle"] + f["error500"] + f["reset"] > 1:
        raise argparse.ArgumentTypeError("fault probabilities add up to more than 1")
    return f


def draw(faults, label, n):
    """The outcome of request n of run `label`: the same for the same seed, always."""
    rnd = random.Random("%d/%s/%d" % (faults["seed"], label, n))
    r, half = rnd.random(), rnd.random() < 0.5
    if r < faults["throttle"]:
        return "throttle"
    r -= faults["throttle"]
    if r < faults["error500"]:
        return "error500-before" if half else "error500-after"
    r -= faults["error500"]
    if r < faults["reset"]:
        return "reset-before" if half else "reset-after"
    return "ok"


class State:
    def __init__(self, upstream, faults, log):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.faults = faults
        self.log = log
        self.lock = threading.Lock()
        self.new_run("", True)

    def new_run(self, label, faults_on):
        self.label, self.faults_on = label, faults_on
        self.n = 0
        self.requests = []          # [n, action, outcome]
        self.kill = None            # (k, phase)
        self.reached = threading.Event()
        self.reached_what = ""
        self.released = threading.Event()

    def next(self, action):
        with self.lock:
            self.n += 1
            n, label = self.n, self.label
            if self.kill and n > self.kill[0]:
                outcome = "held"
            elif self.kill and n == self.kill[0]:
                outcome = "kill-" + self.kill[1]
            elif self.faults_on:
                outcome = draw(self.faults, label, n)
            else:
                outcome = "ok"
            self.requests.append([n, action, outcome])
            return n, label, outcome, self.reached, self.released

    def stats(self):
        with self.lock:
            counts = {k: 0 for k in OUTCOMES}
            for _, _, o in self.requests:
                counts[o] = counts.get(o, 0) + 1
            return {"label": self.label, "requests": self.n, "outcomes": counts, "list": list(self.requests)}

    def record(self, label, n, action, outcome, status):
        if self.log:
            with self.lock:
                self.log.write(json.dumps({"label": label, "n": n, "action": action, "outcome": outcome,
                                           "status": status}) + "\n")
                self.log.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as AWS endpoints do
    server_version = "fault-proxy"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/__soak/"):
            return self.control()
        self.proxy(b"")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        if self.path.startswith("/__soak/"):
            return self.control()
        self.proxy(body)

    # ---- control ----
    def control(self):
        st = self.server.state
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        cmd = url.path[len("/__soak/"):]
        if cmd == "run":
            st.released.set()   # a hold left from the last run lets go
            with st.lock:
                st.new_run(q.get("label", ""), q.get("faults", "1") != "0")
            return self.answer(200, "ok\n")
        if cmd == "kill":
            with st.lock:
                st.kill = (int(q["at"]), q["phase"])
            return self.answer(200, "ok\n")
        if cmd == "reached":
            if st.reached.wait(float(q.get("timeout", "30"))):
                return self.answer(200, st.reached_what + "\n")
            return self.answer(204, "")
        if cmd == "release":
            st.released.set()
            return self.answer(200, "ok\n")
        if cmd == "stats":
            return self.answer(200, json.dumps(st.stats()) + "\n", "application/json")
        return self.answer(404, "unknown control path\n")

    def answer(self, status, text, ctype="text/plain", rid=None, close=False):
        data = text.encode() if isinstance(text, str) else text
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if rid:
            self.send_header("x-amzn-RequestId", rid)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    # ---- the proxied request ----
    def forward(self, body):
        up = self.server.state.upstream
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        try:
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for k, v in self.headers.items():
                if k.lower() not in HOP:
                    conn.putheader(k, v)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            r = conn.getresponse()
            return r.status, r.getheader("Content-Type", "text/xml"), r.getheader("x-amzn-RequestId"), r.read()
        finally:
            conn.close()

    def reset(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def error(self, spec, rid):
        status, typ, code, msg = spec
        self.answer(status, ERROR_BODY.format(type=typ, code=code, msg=msg, rid=rid), "text/xml", rid)

    def proxy(self, body):
        st = self.server.state
        m = [v for k, v in urllib.parse.parse_qsl(body.decode("utf-8", "replace")) if k == "Action"]
        action = m[0] if m else "?"
        n, label, outcome, reached, released = st.next(action)
        rid = "fault-proxy-%s-%d" % (label, n)
        status = 0
        if outcome == "held":
            released.wait()
            self.close_connection = True
        elif outcome == "throttle":
            status = THROTTLE[0]
            self.error(THROTTLE, rid)
        elif outcome == "error500-before":
            status = ERROR500[0]
            self.error(ERROR500, rid)
        elif outcome == "reset-before":
            self.reset()
        else:
            status, ctype, up_rid, data = self.forward(body)
            if outcome == "error500-after":
                status = ERROR500[0]
                self.error(ERROR500, rid)
            elif outcome == "reset-after":
                self.reset()
            elif outcome == "kill-mid":
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[:len(data) // 2])
                self.wfile.flush()
                st.reached_what = "%d %s" % (n, action)
                reached.set()
                released.wait()
                self.close_connection = True
            else:
                self.answer(status, data, ctype, up_rid)
                if outcome == "kill-after":
                    st.reached_what = "%d %s" % (n, action)
                    reached.set()
        st.record(label, n, action, outcome, status)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that went away (resets, kills) is expected here


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--faults", type=parse_faults, default=parse_faults("throttle=0.1,error500=0.05,reset=0.02,seed=7"))
    ap.add_argument("--log")
    ap.add_argument("--lifetime", type=float, default=86400.0)
    args = ap.parse_args()
    log = open(args.log, "a", encoding="utf-8") if args.log else None
    server = Server(("127.0.0.1", 0), Handler)
    server.state = State(args.upstream, args.faults, log)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
    on_stdin_eof(lambda: os._exit(0))
    time.sleep(max(args.lifetime, 0.1))
    os._exit(0)


if __name__ == "__main__":
    main()
