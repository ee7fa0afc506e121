#!/usr/bin/env python3
"""fake_metadata.py - a loopback stand-in for the credential endpoints iamsh talks to.

Serves, on 127.0.0.1 and an ephemeral port (printed alone on stdout's first line):
  IMDS      PUT /latest/api/token (needs the ttl header) and
            GET /latest/meta-data/iam/security-credentials/[<role>] (needs the token,
            unless --v1-only, where the token PUT answers 403 as old instances do)
  container GET /container/... (checks Authorization against --container-token)
  STS       POST / with Action=AssumeRole (SigV4-signed: AccessKeyId is "ASIA-" + the
            signer's key id, so chains are visible) or AssumeRoleWithWebIdentity
            (WebIdentityToken must be "jwt-token"); ExternalId "refuse" is AccessDenied
Exits by itself after --lifetime seconds so a crashed test leaves nothing behind.
Only the Python standard library is used.
"""
import argparse
import json
import re
import sys
import threading
import os
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "fake-imds-token"
ROLE = "fake-role"
EXPIRATION = "2030-01-02T03:04:05Z"


def creds_json(key, token_name="Token"):
    return json.dumps({"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": key,
                       "SecretAccessKey": "fake-secret-" + key, token_name: "fake-token-" + key,
                       "Expiration": EXPIRATION, "LastUpdated": "2030-01-01T00:00:00Z"})


def sts_xml(action, key, session):
    return (f'<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            f"<{action}Result><Credentials><AccessKeyId>{key}</AccessKeyId>"
            f"<SecretAccessKey>fake-secret</SecretAccessKey>"
            f"<SessionToken>session-{session}</SessionToken>"
            f"<Expiration>2030-01-02T03:04:05.000Z</Expiration></Credentials>"
            f"<AssumedRoleUser><AssumedRoleId>AROAFAKE:{session}</AssumedRoleId>"
            f"<Arn>arn:aws:sts::123456789012:assumed-role/r/{session}</Arn></AssumedRoleUser>"
            f"</{action}Result><ResponseMetadata><RequestId>req-1</RequestId>"
            f"</ResponseMetadata></{action}Response>")


def sts_error(code, message):
    return (f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
            f"<Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>req-err</RequestId></ErrorResponse>")


class Handler(BaseHTTPRequestHandler):
    server_version = "fake-metadata/1"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def reply(self, status, body, ctype="text/plain"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        opts = self.server.opts
        if self.path != "/latest/api/token":
            return self.reply(404, "not found")
        if opts.v1_only:
            return self.reply(403, "forbidden")
        if not self.headers.get("x-aws-ec2-metadata-token-ttl-seconds"):
            return self.reply(400, "missing ttl")
        self.reply(200, TOKEN)

    def do_GET(self):
        opts = self.server.opts
        if self.path.startswith("/container"):
            if opts.container_token and self.headers.get("Authorization") != opts.container_token:
                return self.reply(401, "bad authorization")
            return self.reply(200, creds_json("CONTAINERKEY"), "application/json")
        prefix = "/latest/meta-data/iam/security-credentials/"
        if not self.path.startswith(prefix):
            return self.reply(404, "not found")
        if not opts.v1_only and self.headers.get("x-aws-ec2-metadata-token") != TOKEN:
            return self.reply(401, "token required")
        rest = self.path[len(prefix):]
        if rest == "":
            return self.reply(200, ROLE)
        if rest == ROLE:
            return self.reply(200, creds_json("IMDSKEY"), "application/json")
        self.reply(404, "no such role")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
        action = form.get("Action", [""])[0]
        session = form.get("RoleSessionName", [""])[0]
        if action == "AssumeRole":
            m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/",
                         self.headers.get("Authorization", ""))
            if not m:
                return self.reply(403, sts_error("MissingAuthenticationToken", "unsigned"))
            ext = form.get("ExternalId", [""])[0]
            if ext == "refuse":
                return self.reply(403, sts_error("AccessDenied", "not authorized to assume"))
            key = "ASIA-" + m.group(1) + ("-ext-" + ext if ext else "")
            return self.reply(200, sts_xml(action, key, session), "text/xml")
        if action == "AssumeRoleWithWebIdentity":
            if form.get("WebIdentityToken", [""])[0] != "jwt-token":
                return self.reply(400, sts_error("InvalidIdentityToken", "bad token"))
            return self.reply(200, sts_xml(action, "WEBIDKEY", session), "text/xml")
        self.reply(400, sts_error("InvalidAction", "unknown action"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--v1-only", action="store_true")
    ap.add_argument("--container-token", default="")
    ap.add_argument("--lifetime", type=float, default=60)
    opts = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.opts = opts
    timer = threading.Timer(opts.lifetime, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
