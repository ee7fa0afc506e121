#!/usr/bin/env python3
"""A loopback stand-in for IAM Identity Center: the SSO OIDC service and the portal.

    fake_sso.py [--lifetime S] [--interval N] [--device STEPS] [--refresh ok|fail]
                [--role-ttl S] [--token TOKEN ...] [--refresh-token TOKEN ...] [--huge]

Prints its port on the first stdout line (flushed), then serves on 127.0.0.1. Point
AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC at http://127.0.0.1:PORT.

SSO OIDC (REST-JSON, errors as the service sends them: an x-amzn-ErrorType header and
an OAuth body {"error": "authorization_pending", "error_description": ...}):
  POST /client/register       -> clientId, clientSecret, clientSecretExpiresAt (+90 days);
                                 a refresh token is issued later only to a client that
                                 registered scopes, as the service does
  POST /device_authorization  -> deviceCode, userCode FAKE-CODE, verificationUri(Complete),
                                 expiresIn 600, interval --interval (default 1)
  POST /token                 grantType device_code: the n-th attempt of a device code
                                 answers the n-th of --device (comma-separated: pending,
                                 slow_down, expired, denied, ok; the last repeats; default
                                 ok); grantType refresh_token: a refresh token issued here
                                 or given with --refresh-token (any client) gets a new
                                 access token and refresh token unless --refresh fail,
                                 else invalid_grant
The portal:
  GET /federation/credentials?role_name=R&account_id=A with x-amz-sso_bearer_token: a
      known access token (issued here or given with --token) gets role credentials that
      depend only on the account and role (ASIA + 16 hex of their SHA-1, so two clients
      asking for the same role see the same key), expiring in --role-ttl seconds
      (default 3600); role "Denied"
      gets 403 ForbiddenException; anything else 401 UnauthorizedException
  POST /logout with the bearer token: the token is forgotten
--huge: every number a client turns into a time (clientSecretExpiresAt, expiresIn,
interval) is 1e300, as a broken or hostile service might send.
Control (not recorded): GET /__requests -> JSON list of {method, path, headers, body}.

Exits when its stdin (a pipe) reaches EOF, or after --lifetime seconds (default 120).
Only the Python standard library is used.
"""
import argparse
import hashlib
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from stdin_watch import on_stdin_eof

OAUTH_ERRORS = {
    "pending": ("AuthorizationPendingException", "authorization_pending",
                "Authorization is still pending"),
    "slow_down": ("SlowDownException", "slow_down", "Client is polling too quickly"),
    "expired": ("ExpiredTokenException", "expired_token", "Device code has expired"),
    "denied": ("AccessDeniedException", "access_denied", "The user denied the request"),
    "invalid_grant": ("InvalidGrantException", "invalid_grant", "Invalid refresh token"),
    "invalid_client": ("InvalidClientException", "invalid_client", "Invalid client"),
}


class State:
    def __init__(self, opts):
        self.opts = opts
        self.lock = threading.Lock()
        self.requests = []
        self.clients = {}        # clientId -> {"secret":, "scopes":}
        self.devices = {}        # deviceCode -> {"client":, "attempts":}
        self.access = set(opts.token or [])
        self.refresh = set(opts.refresh_token or [])
        self.n = 0

    def next_id(self):
        with self.lock:
            self.n += 1
            return self.n


def role_credentials(account, role, ttl):
    digest = hashlib.sha1(("%s/%s" % (account, role)).encode()).hexdigest()
    return {"accessKeyId": "ASIA" + digest[:16].upper(),
            "secretAccessKey": "ssoSecret/" + digest[16:36],
            "sessionToken": "ssoSession/" + digest,
            "expiration": int((time.time() + ttl) * 1000)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-sso"

    def log_message(self, fmt, *args):  # quiet: stdout carries the port only
        pass

    @property
    def state(self):
        return self.server.state

    def send_json(self, status, doc, error_type=None):
        data = json.dumps(doc).encode() if doc is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "fake-sso-%d" % self.state.next_id())
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type + ":http://internal.example/")
        self.end_headers()
        self.wfile.write(data)

    def oauth_error(self, kind, status=400):
        typ, code, text = OAUTH_ERRORS[kind]
        self.send_json(status, {"error": code, "error_description": text}, typ)

    def record(self, body):
        with self.state.lock:
            self.state.requests.append({"method": self.command, "path": self.path,
                                        "headers": dict(self.headers.items()),
                                        "body": body.decode("utf-8", "replace")})

    def read_json(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        self.record(body)
        try:
            return json.loads(body or b"{}")
        except ValueError:
            return None

    def do_GET(self):
        if self.path == "/__requests":
            with self.state.lock:
                seen = list(self.state.requests)
            return self.send_json(200, seen)
        self.record(b"")
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/federation/credentials":
            return self.send_json(404, {"message": "no such path"}, "NotFoundException")
        q = urllib.parse.parse_qs(url.query)
        token = self.headers.get("x-amz-sso_bearer_token", "")
        if token not in self.state.access:
            return self.send_json(401, {"message": "Session token not found or invalid"},
                                  "UnauthorizedException")
        role, account = q.get("role_name", [""])[0], q.get("account_id", [""])[0]
        if role == "Denied":
            return self.send_json(403, {"message": "No access"}, "ForbiddenException")
        self.send_json(200, {"roleCredentials": role_credentials(account, role,
                                                                 self.server.opts.role_ttl)})

    def do_POST(self):
        doc = self.read_json()
        if doc is None:
            return self.send_json(400, {"message": "not JSON"}, "InvalidRequestException")
        route = {"/client/register": self.register, "/device_authorization": self.authorize,
                 "/token": self.token, "/logout": self.logout}.get(self.path)
        if not route:
            return self.send_json(404, {"message": "no such path"}, "NotFoundException")
        route(doc)

    def register(self, doc):
        n = self.state.next_id()
        cid = "fake-client-id-%d" % n
        self.state.clients[cid] = {"secret": "fake-client-secret-%d" % n,
                                   "scopes": doc.get("scopes") or []}
        now = int(time.time())
        self.send_json(200, {"clientId": cid, "clientSecret": self.state.clients[cid]["secret"],
                             "clientIdIssuedAt": now,
                             "clientSecretExpiresAt": self.huge(now + 90 * 86400)})

    def huge(self, n):
        return 1e300 if self.server.opts.huge else n

    def client_ok(self, doc):
        c = self.state.clients.get(doc.get("clientId"))
        return c is not None and c["secret"] == doc.get("clientSecret")

    def authorize(self, doc):
        if not self.client_ok(doc):
            return self.oauth_error("invalid_client")
        code = "fake-device-code-%d" % self.state.next_id()
        self.state.devices[code] = {"client": doc["clientId"], "attempts": 0}
        self.send_json(200, {"deviceCode": code, "userCode": "FAKE-CODE",
                             "verificationUri": "https://device.sso.example/",
                             "verificationUriComplete":
                                 "https://device.sso.example/?user_code=FAKE-CODE",
                             "expiresIn": self.huge(600), "interval": self.huge(self.server.opts.interval)})

    def issue(self, with_refresh):
        n = self.state.next_id()
        answer = {"accessToken": "fake-access-token-%d" % n, "tokenType": "Bearer",
                  "expiresIn": self.huge(28800)}
        self.state.access.add(answer["accessToken"])
        if with_refresh:
            answer["refreshToken"] = "fake-refresh-token-%d" % n
            self.state.refresh.add(answer["refreshToken"])
        self.send_json(200, answer)

    def token(self, doc):
        if doc.get("grantType") == "refresh_token":
            return self.refresh_grant(doc)
        if not self.client_ok(doc):
            return self.oauth_error("invalid_client")
        device = self.state.devices.get(doc.get("deviceCode"))
        if not device:
            return self.oauth_error("invalid_grant")
        steps = self.server.opts.device.split(",")
        step = steps[min(device["attempts"], len(steps) - 1)]
        device["attempts"] += 1
        if step == "ok":
            return self.issue(bool(self.state.clients[doc["clientId"]]["scopes"]))
        self.oauth_error(step)

    def refresh_grant(self, doc):
        if self.server.opts.refresh == "fail" or doc.get("refreshToken") not in self.state.refresh:
            return self.oauth_error("invalid_grant")
        self.state.refresh.discard(doc["refreshToken"])  # refresh tokens rotate
        self.issue(True)

    def logout(self, doc):
        self.state.access.discard(self.headers.get("x-amz-sso_bearer_token", ""))
        self.send_json(200, None)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lifetime", type=float, default=120.0)
    ap.add_argument("--interval", type=int, default=1)
    ap.add_argument("--device", default="ok")
    ap.add_argument("--role-ttl", type=int, default=3600)
    ap.add_argument("--refresh", choices=("ok", "fail"), default="ok")
    ap.add_argument("--token", action="append", help="an access token the portal accepts")
    ap.add_argument("--huge", action="store_true", help="1e300 for every time and lifetime")
    ap.add_argument("--refresh-token", action="append",
                    help="a refresh token CreateToken accepts (from any client)")
    opts = ap.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    server.opts = opts
    server.state = State(opts)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
    on_stdin_eof(lambda: os._exit(0))
    time.sleep(max(opts.lifetime, 0.1))
    os._exit(0)


if __name__ == "__main__":
    main()
