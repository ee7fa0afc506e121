"""The two sides of the differential suite, each giving boto3 clients.

    Moto()         moto_server on loopback (tests/support/moto.py), lenient as it is
    LocalDriver()  iamsh.local's handlers through tests/conformance/local_driver.lua,
                   boto3 answered in-process (no HTTP: `iamsh serve` is 12a's part)

A side has .client(service, key=None, secret=None) (key None: the side's root
credentials), .reset() (an empty account) and .close(). `LOCAL` in conformance.py
names the iamsh side: switching it to a server is that one line (a class like Moto,
pointed at `iamsh serve`).
"""
import copy
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request

import boto3
import botocore.awsrequest
import botocore.config
import botocore.utils

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT = os.environ.get("IAMSH_TEST_SUPPORT", os.path.join(HERE, "..", "support"))
ACCOUNT = "123456789012"
ROOT_KEY = "AKIAIOSFODNN7EXAMPLE"
ROOT_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
CONFIG = botocore.config.Config(retries={"max_attempts": 1}, region_name="us-east-1")


def _client(service, endpoint, key, secret, token=None):
    return boto3.client(service, endpoint_url=endpoint, aws_access_key_id=key or ROOT_KEY,
                        aws_secret_access_key=secret or ROOT_SECRET, aws_session_token=token,
                        config=CONFIG)


class Moto:
    name = "moto"

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, os.path.join(SUPPORT, "moto.py")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        port = self.proc.stdout.readline().decode().strip()
        if not port:
            raise RuntimeError("moto did not start")
        self.endpoint = "http://127.0.0.1:%s" % port

    def client(self, service, key=None, secret=None, token=None):
        return _client(service, self.endpoint, key, secret, token)

    def reset(self):
        req = urllib.request.Request(self.endpoint + "/moto-api/reset", data=b"", method="POST")
        urllib.request.urlopen(req, timeout=30).read()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


class LocalDriver:
    """iamsh.local's handlers, reached through a Lua process (local_driver.lua): the
    parameters boto3 validated go in as the client would pass them, the result comes
    back shaped as botocore parses an answer (policy documents URL-encoded, dates as
    datetimes, errors as ClientError), so the suite compares like with like."""
    name = "iamsh"

    def __init__(self):
        iamsh = os.environ.get("IAMSH", os.path.join(HERE, "..", "..", "build", "iamsh"))
        self.proc = subprocess.Popen([iamsh, "run", os.path.join(HERE, "local_driver.lua")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def ask(self, req):
        self.proc.stdin.write((json.dumps(req) + "\n").encode())
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the local driver stopped")
        return json.loads(line)

    def reset(self):
        self.ask({"cmd": "reset", "account": ACCOUNT, "root_key": ROOT_KEY, "root_secret": ROOT_SECRET})

    def client(self, service, key=None, secret=None, token=None):
        c = _client(service, "http://iamsh.invalid", key, secret, token)
        events = c.meta.events
        events.register("before-parameter-build", self._keep_params)
        events.register("before-call", self._answer)
        return c

    @staticmethod
    def _keep_params(params, context, **_):
        context["iamsh_params"] = copy.deepcopy(params)

    def _answer(self, model, context, request_signer, **_):
        key = None
        if context.get("auth_type") != "none":
            key = request_signer._credentials.get_frozen_credentials().access_key
        out = self.ask({"cmd": "call", "service": model.service_model.service_name, "operation": model.name,
                        "params": _jsonable(context.get("iamsh_params", {})), "key": key})
        if "error" in out:
            e = out["error"]
            parsed = {"Error": {"Code": e["code"], "Message": e["message"], "Type": e["type"]},
                      "ResponseMetadata": {"HTTPStatusCode": e["status"]}}
            return _response(e["status"]), parsed
        parsed = _as_botocore(model.output_shape, out["result"]) if model.output_shape else {}
        parsed["ResponseMetadata"] = {"HTTPStatusCode": 200, "RequestId": "conformance"}
        return _response(200), parsed

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _response(status):
    return botocore.awsrequest.AWSResponse("http://iamsh.invalid", status, {}, None)


def _jsonable(v):
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def _as_botocore(shape, v):
    """A result from the driver as botocore's Query parser gives it."""
    if v is None:
        return None
    t = shape.type_name
    if t == "structure":
        if isinstance(v, list) and not v:
            v = {}
        return {k: _as_botocore(shape.members[k], x) for k, x in v.items()}
    if t == "list":
        return [_as_botocore(shape.member, x) for x in (v or [])]
    if t == "map":
        return {k: _as_botocore(shape.value, x) for k, x in (v or {}).items()}
    if t == "timestamp":
        return botocore.utils.parse_timestamp(v)
    if t == "string" and shape.name == "policyDocumentType":
        return urllib.parse.quote(v, safe="")
    return v
