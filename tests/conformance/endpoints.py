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
        # moto's own log (a traceback for each call it lacks) would drown the report
        self.proc = subprocess.Popen([sys.executable, os.path.join(SUPPORT, "moto.py"), "--lifetime", "3600"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        port = self.proc.stdout.readline().decode().strip()
        if not port:
            raise RuntimeError("moto did not start")
        self.endpoint = "http://127.0.0.1:%s" % port

    def client(self, service, key=None, secret=None, token=None):
        return _client(service, self.endpoint, key, secret, token)

    def reset(self, full=False):
        """An empty account. moto's own reset (full) reloads its ~1,500 AWS managed
        policies (seconds a case), so the account's entities are deleted through IAM
        instead, unless that fails."""
        c = self.client("iam")
        try:
            if not full:
                wipe(c)
                full = not empty(c)
        except botocore.exceptions.ClientError:
            full = True
        if full:
            req = urllib.request.Request(self.endpoint + "/moto-api/reset", data=b"", method="POST")
            urllib.request.urlopen(req, timeout=60).read()

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

    def reset(self, full=False):
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


def _quietly(fn, **kw):
    try:
        fn(**kw)
    except botocore.exceptions.ClientError:
        pass


def _wipe_user(c, u):
    name = u["UserName"]
    _quietly(c.delete_login_profile, UserName=name)
    for k in c.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        c.delete_access_key(UserName=name, AccessKeyId=k["AccessKeyId"])
    for g in c.list_groups_for_user(UserName=name)["Groups"]:
        c.remove_user_from_group(UserName=name, GroupName=g["GroupName"])
    for p in c.list_attached_user_policies(UserName=name)["AttachedPolicies"]:
        c.detach_user_policy(UserName=name, PolicyArn=p["PolicyArn"])
    for p in c.list_user_policies(UserName=name)["PolicyNames"]:
        c.delete_user_policy(UserName=name, PolicyName=p)
    c.delete_user(UserName=name)


def _wipe_role(c, r):
    name = r["RoleName"]
    for ip in c.list_instance_profiles_for_role(RoleName=name)["InstanceProfiles"]:
        c.remove_role_from_instance_profile(RoleName=name, InstanceProfileName=ip["InstanceProfileName"])
    for p in c.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        c.detach_role_policy(RoleName=name, PolicyArn=p["PolicyArn"])
    for p in c.list_role_policies(RoleName=name)["PolicyNames"]:
        c.delete_role_policy(RoleName=name, PolicyName=p)
    c.delete_role(RoleName=name)


def _wipe_group(c, g):
    name = g["GroupName"]
    for p in c.list_attached_group_policies(GroupName=name)["AttachedPolicies"]:
        c.detach_group_policy(GroupName=name, PolicyArn=p["PolicyArn"])
    for p in c.list_group_policies(GroupName=name)["PolicyNames"]:
        c.delete_group_policy(GroupName=name, PolicyName=p)
    c.delete_group(GroupName=name)


def _wipe_policy(c, p):
    for v in c.list_policy_versions(PolicyArn=p["Arn"])["Versions"]:
        if not v["IsDefaultVersion"]:
            c.delete_policy_version(PolicyArn=p["Arn"], VersionId=v["VersionId"])
    c.delete_policy(PolicyArn=p["Arn"])


def wipe(c):
    """Deletes every user, role, group, instance profile, policy and identity provider
    of the account, its alias and its password policy (as a person would, in order)."""
    for u in c.list_users()["Users"]:
        _wipe_user(c, u)
    for r in c.list_roles()["Roles"]:
        _wipe_role(c, r)
    for g in c.list_groups()["Groups"]:
        _wipe_group(c, g)
    for ip in c.list_instance_profiles()["InstanceProfiles"]:
        c.delete_instance_profile(InstanceProfileName=ip["InstanceProfileName"])
    for p in c.list_policies(Scope="Local")["Policies"]:
        _wipe_policy(c, p)
    for p in c.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        c.delete_open_id_connect_provider(OpenIDConnectProviderArn=p["Arn"])
    for p in c.list_saml_providers()["SAMLProviderList"]:
        c.delete_saml_provider(SAMLProviderArn=p["Arn"])
    for a in c.list_account_aliases()["AccountAliases"]:
        c.delete_account_alias(AccountAlias=a)
    _quietly(c.delete_account_password_policy)


def empty(c):
    return not (c.list_users()["Users"] or c.list_roles()["Roles"] or c.list_groups()["Groups"]
                or c.list_instance_profiles()["InstanceProfiles"] or c.list_policies(Scope="Local")["Policies"])


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
