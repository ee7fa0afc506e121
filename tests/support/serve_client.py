#!/usr/bin/env python3
"""Requests to `iamsh serve` for its tests, signed by botocore (the AWS SDK's signer)
or deliberately not.

    serve_client.py URL SCENARIO [ARGS]

Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. Each scenario prints
lines "name status code" (code "-" for a success), one a request, and nothing else:

  signed        botocore's header signature: GetCallerIdentity (STS), ListUsers (IAM),
                CreateUser/TagUser with Tags (lists on the wire) as POST
  presigned     botocore's query-string signature (SigV4QueryAuth), GET
  tampered      a signed request whose body, header, date scope or signature is changed
  skew          signed 16 minutes in the past and in the future, and 14 in the past
  unknown-key   signed with a key the server does not know
  session KEY SECRET TOKEN   GetCallerIdentity with a session's token, then without it
  sequence N    N signed ListUsers calls in a row with no retries; statuses only
  load SECONDS THREADS OUT   CreateUser calls from THREADS clients (keep-alive) for
                SECONDS; the names whose answer was a 200 are written to OUT (one a
                line, flushed at once), until the server dies or time runs out
"""
import datetime
import http.client
import os
import sys
import threading
import time
import urllib.parse
from unittest import mock

import botocore.auth
import botocore.awsrequest
import botocore.credentials

IAM = "2010-05-08"
STS = "2011-06-15"
FORM = "application/x-www-form-urlencoded; charset=utf-8"


def creds(key=None, secret=None, token=None):
    return botocore.credentials.Credentials(
        key or os.environ["AWS_ACCESS_KEY_ID"], secret or os.environ["AWS_SECRET_ACCESS_KEY"],
        token)


def request(url, params, method="POST"):
    body = urllib.parse.urlencode(params)
    if method == "GET":
        return botocore.awsrequest.AWSRequest(method="GET", url=url + "/?" + body)
    return botocore.awsrequest.AWSRequest(method="POST", url=url + "/", data=body,
                                          headers={"Content-Type": FORM})


def sign(req, service, c=None, query=False):
    signer = (botocore.auth.SigV4QueryAuth(c or creds(), service, "us-east-1", expires=300)
              if query else botocore.auth.SigV4Auth(c or creds(), service, "us-east-1"))
    signer.add_auth(req)
    return req.prepare()


def send(prepared, conn=None):
    """(status, code) of one prepared request."""
    u = urllib.parse.urlsplit(prepared.url)
    own = conn is None
    conn = conn or http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    target = u.path + ("?" + u.query if u.query else "")
    body = prepared.body
    if isinstance(body, str):
        body = body.encode()
    conn.request(prepared.method, target, body=body, headers=dict(prepared.headers))
    resp = conn.getresponse()
    data = resp.read().decode(errors="replace")
    if own:
        conn.close()
    code = "-"
    if resp.status >= 300 and "<Code>" in data:
        code = data.split("<Code>")[1].split("</Code>")[0]
    return resp.status, code


def show(name, result):
    print(name, *result, flush=True)


def scenario_signed(url):
    show("sts-get-caller-identity", send(sign(request(url, {
        "Action": "GetCallerIdentity", "Version": STS}), "sts")))
    show("iam-list-users", send(sign(request(url, {
        "Action": "ListUsers", "Version": IAM, "MaxItems": "5"}), "iam")))
    show("iam-create-user-tags", send(sign(request(url, {
        "Action": "CreateUser", "Version": IAM, "UserName": "signed-by-botocore",
        "Tags.member.1.Key": "team", "Tags.member.1.Value": "a b+c/d=e",
        "Tags.member.2.Key": "k", "Tags.member.2.Value": ""}), "iam")))


def scenario_presigned(url):
    show("presigned-list-users", send(sign(request(url, {
        "Action": "ListUsers", "Version": IAM}, "GET"), "iam", query=True)))
    show("presigned-get-caller-identity", send(sign(request(url, {
        "Action": "GetCallerIdentity", "Version": STS}, "GET"), "sts", query=True)))


def scenario_tampered(url):
    params = {"Action": "GetUser", "Version": IAM, "UserName": "signed-by-botocore"}
    p = sign(request(url, params), "iam")
    p.body = p.body.replace("signed-by-botocore", "signed-by-botocorf")
    show("body", send(p))
    p = sign(request(url, params), "iam")
    p.headers["X-Amz-Date"] = p.headers["X-Amz-Date"][:-3] + ("00Z" if p.headers["X-Amz-Date"][-3:] != "00Z" else "01Z")
    show("date", send(p))
    p = sign(request(url, params), "iam")
    sig = p.headers["Authorization"]
    p.headers["Authorization"] = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    show("signature", send(p))
    p = sign(request(url, params), "iam")
    p.headers["Authorization"] = p.headers["Authorization"].replace("Signature=", "Sig=")
    show("incomplete", send(p))
    show("other-service-scope", send(sign(request(url, params), "sts")))
    p = sign(request(url, {"Action": "ListUsers", "Version": IAM}, "GET"), "iam", query=True)
    p.url = p.url.replace("Action=ListUsers", "Action=ListRoles")
    show("presigned-query", send(p))


def scenario_skew(url):
    params = {"Action": "ListUsers", "Version": IAM}
    real = botocore.auth.get_current_datetime
    for name, offset in (("past-16min", -960), ("future-16min", 960), ("past-14min", -840)):
        shifted = real() + datetime.timedelta(seconds=offset)
        with mock.patch("botocore.auth.get_current_datetime", return_value=shifted):
            p = sign(request(url, params), "iam")
        show(name, send(p))


def scenario_unknown_key(url):
    c = creds("AKIDUNKNOWNUNKNOWN00", "not-a-secret-this-server-knows-000000000")
    show("unknown-key", send(sign(request(url, {
        "Action": "ListUsers", "Version": IAM}), "iam", c)))


def scenario_session(url, key, secret, token):
    params = {"Action": "GetCallerIdentity", "Version": STS}
    show("with-token", send(sign(request(url, params), "sts", creds(key, secret, token))))
    show("without-token", send(sign(request(url, params), "sts", creds(key, secret))))


def scenario_sequence(url, n):
    u = urllib.parse.urlsplit(url)
    for i in range(int(n)):
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        try:
            status, code = send(sign(request(url, {"Action": "ListUsers", "Version": IAM}),
                                     "iam"), conn)
            print(status, code, flush=True)
        except (ConnectionError, http.client.HTTPException):
            print("dropped", "-", flush=True)
        conn.close()


def scenario_load(url, seconds, threads, out):
    u = urllib.parse.urlsplit(url)
    lock = threading.Lock()
    deadline = time.time() + float(seconds)
    acked = open(out, "w")

    def worker(w):
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        i = 0
        while time.time() < deadline:
            name = "load-%d-%d" % (w, i)
            i += 1
            try:
                status, _ = send(sign(request(url, {
                    "Action": "CreateUser", "Version": IAM, "UserName": name}), "iam"), conn)
            except (OSError, http.client.HTTPException):
                return  # the server is gone: what was acknowledged is in the file
            if status == 200:
                with lock:
                    acked.write(name + "\n")
                    acked.flush()
    ts = [threading.Thread(target=worker, args=(w,)) for w in range(int(threads))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    acked.close()


def main(argv):
    url, name, args = argv[1], argv[2], argv[3:]
    scenarios = {"signed": scenario_signed, "presigned": scenario_presigned,
                 "tampered": scenario_tampered, "skew": scenario_skew,
                 "unknown-key": scenario_unknown_key, "session": scenario_session,
                 "sequence": scenario_sequence, "load": scenario_load}
    scenarios[name](url, *args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
