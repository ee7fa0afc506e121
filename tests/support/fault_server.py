#!/usr/bin/env python3
"""A tiny loopback HTTP server that misbehaves on cue, for transport and retry tests.

    fault_server.py [options] STEP [STEP ...]

The n-th request gets the n-th step; after the last step, the last step repeats.
Prints the port on the first stdout line (flushed), then serves on 127.0.0.1.

Steps:
  ok             200, a GetCallerIdentity response (x-amzn-RequestId header set)
  auth           like ok, but 400 IncompleteSignature unless the request carries
                 Authorization: AWS4-HMAC-SHA256 ..., X-Amz-Date and a form Content-Type
  throttle       400, IAM's <ErrorResponse> Throttling "Rate exceeded"
  500 / 503      500 InternalFailure / 503 ServiceUnavailable (<ErrorResponse> layout)
  conflict       409 DeleteConflict
  garbage        500 with a body that is not XML
  errors-layout  400 in the <Response><Errors><Error>..</Errors><RequestID> layout
  reset          read the request, then reset the connection (SO_LINGER 0) without answering
  hang           read the request, then sleep --hang seconds without answering
  file:PATH[@N]  the body of PATH ({rid} in it becomes the request id), HTTP status N
                 (default 200)

Control paths (not counted as steps): GET /__count -> "requests connections",
GET /__last -> JSON {method, path, headers, body} of the last counted request.

Options:
  --count-file F   rewrite F with "requests connections\\n" after each request
  --lifetime S     exit after S seconds (default 60)
  --hang S         how long `hang` sleeps (default 5)
Exits when its stdin (if a pipe or socket) reaches EOF, or when the lifetime ends.
"""
import argparse
import json
import os
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from stdin_watch import on_stdin_eof

STEPS = ("ok", "auth", "throttle", "500", "503", "conflict", "garbage",
         "errors-layout", "reset", "hang")

OK_BODY = """<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/fault</Arn>
    <UserId>AIDAFAULTSERVEREXAMPLE</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>{rid}</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>
"""

ERROR_BODY = """<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error><Type>{type}</Type><Code>{code}</Code><Message>{msg}</Message></Error>
  <RequestId>{rid}</RequestId>
</ErrorResponse>
"""

ERRORS_LAYOUT_BODY = """<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>InvalidAction</Code><Message>The action Frobnicate is not valid for this web service.</Message></Error></Errors><RequestID>{rid}</RequestID></Response>
"""

ERRORS = {
    "throttle": (400, "Sender", "Throttling", "Rate exceeded"),
    "500": (500, "Receiver", "InternalFailure", "We encountered an internal error. Please try again."),
    "503": (503, "Receiver", "ServiceUnavailable", "Service is unavailable. Please try again."),
    "conflict": (409, "Sender", "DeleteConflict", "Cannot delete entity, must detach all policies first."),
}


class State:
    def __init__(self, steps, count_file, hang):
        self.steps = steps
        self.count_file = count_file
        self.hang = hang
        self.lock = threading.Lock()
        self.requests = 0
        self.connections = 0
        self.last = {}

    def next_step(self, record):
        with self.lock:
            n = self.requests
            self.requests += 1
            self.last = record
            self.write_count()
            step = self.steps[min(n, len(self.steps) - 1)]
            following = self.steps[min(n + 1, len(self.steps) - 1)]
            return n + 1, step, following

    def new_connection(self):
        with self.lock:
            self.connections += 1
            self.write_count()

    def counts(self):
        return "%d %d\n" % (self.requests, self.connections)

    def write_count(self):
        if not self.count_file:
            return
        tmp = self.count_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(self.counts())
        os.replace(tmp, self.count_file)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as AWS endpoints do
    server_version = "fault-server"

    def setup(self):
        super().setup()
        self.server.state.new_connection()

    def log_message(self, fmt, *args):  # quiet: stdout carries the port only
        pass

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(n, 1 << 20)) if n > 0 else b""

    def do_GET(self):
        if self.path == "/__count":
            return self.send(200, self.server.state.counts(), "text/plain")
        if self.path == "/__last":
            return self.send(200, json.dumps(self.server.state.last), "application/json")
        self.handle_step()

    def do_POST(self):
        self.handle_step()

    do_PUT = do_POST

    def handle_step(self):
        body = self.read_body()
        record = {"method": self.command, "path": self.path,
                  "headers": {k: v for k, v in self.headers.items()},
                  "body": body.decode("utf-8", "replace")}
        n, step, following = self.server.state.next_step(record)
        rid = "fault-%04d" % n
        # A reset on a reused connection makes libcurl retry the request once by
        # itself; closing before a reset step keeps one attempt = one request.
        self.close_after = following == "reset"
        if step.startswith("file:"):
            return self.step_file(step[5:], rid)
        getattr(self, "step_" + step.replace("-", "_"))(rid, record)

    def send(self, status, text, ctype="text/xml", rid=None):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if rid:
            self.send_header("x-amzn-RequestId", rid)
        if getattr(self, "close_after", False):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def step_file(self, spec, rid):
        path, _, status = spec.partition("@")
        with open(path, encoding="utf-8") as f:
            self.send(int(status or 200), f.read().replace("{rid}", rid), rid=rid)

    def step_ok(self, rid, record):
        self.send(200, OK_BODY.format(rid=rid), rid=rid)

    def step_auth(self, rid, record):
        h = {k.lower(): v for k, v in record["headers"].items()}
        good = (h.get("authorization", "").startswith("AWS4-HMAC-SHA256 Credential=")
                and "SignedHeaders=" in h["authorization"] and "Signature=" in h["authorization"]
                and len(h.get("x-amz-date", "")) == 16
                and h.get("content-type", "").startswith("application/x-www-form-urlencoded"))
        if good:
            return self.step_ok(rid, record)
        self.send(400, ERROR_BODY.format(type="Sender", code="IncompleteSignature",
                                         msg="missing or malformed SigV4 headers", rid=rid), rid=rid)

    def error(self, kind, rid):
        status, typ, code, msg = ERRORS[kind]
        self.send(status, ERROR_BODY.format(type=typ, code=code, msg=msg, rid=rid), rid=rid)

    def step_throttle(self, rid, record):
        self.error("throttle", rid)

    def step_500(self, rid, record):
        self.error("500", rid)

    def step_503(self, rid, record):
        self.error("503", rid)

    def step_conflict(self, rid, record):
        self.error("conflict", rid)

    def step_garbage(self, rid, record):
        self.send(500, "upstream blew up & left no XML\n", "text/plain")

    def step_errors_layout(self, rid, record):
        self.send(400, ERRORS_LAYOUT_BODY.format(rid=rid))

    def step_reset(self, rid, record):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def step_hang(self, rid, record):
        time.sleep(self.server.state.hang)
        self.close_connection = True


def step_arg(s):
    if s in STEPS or (s.startswith("file:") and os.path.isfile(s[5:].partition("@")[0])):
        return s
    raise argparse.ArgumentTypeError("unknown step %r (or no such file)" % s)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that went away (timeouts, resets) is expected here


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("steps", nargs="+", type=step_arg, metavar="STEP")
    ap.add_argument("--count-file")
    ap.add_argument("--lifetime", type=float, default=60.0)
    ap.add_argument("--hang", type=float, default=5.0)
    args = ap.parse_args()

    server = Server(("127.0.0.1", 0), Handler)
    server.state = State(args.steps, args.count_file, args.hang)
    if args.count_file:
        server.state.write_count()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
    on_stdin_eof(lambda: os._exit(0))
    time.sleep(max(args.lifetime, 0.1))
    os._exit(0)


if __name__ == "__main__":
    main()
