"""The two sides of the differential suite, each giving boto3 clients.

    Moto()         moto_server on loopback (tests/support/moto.py), lenient as it is
    Serve()        `iamsh serve` on loopback, its state in memory, the real handlers

A side has .client(service, key=None, secret=None) (key None: the side's root
credentials), .reset() (an empty account) and .close().
"""
import os
import subprocess
import sys
import urllib.request

import boto3
import botocore.config

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT = os.environ.get("IAMSH_TEST_SUPPORT", os.path.join(HERE, "..", "support"))
ACCOUNT = "123456789012"
ROOT_KEY = "AKIDFAKEFAKEFAKEROOT"
ROOT_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
CONFIG = botocore.config.Config(retries={"max_attempts": 1}, region_name="us-east-1")


_clients = {}


def _client(service, endpoint, key, secret, token=None):
    """A boto3 client, made once for each endpoint and credentials (making one takes
    longer than most calls)."""
    k = (service, endpoint, key, secret, token)
    if k not in _clients:
        _clients[k] = _new_client(service, endpoint, key, secret, token)
    return _clients[k]


def _new_client(service, endpoint, key, secret, token):
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

    def reset(self, full=False, touched=()):
        """An empty account. moto's own reset (full) reloads its ~1,500 AWS managed
        policies (seconds a case), so the account's entities are deleted through IAM
        instead, unless that fails. touched: the operations the last case called."""
        c = self.client("iam")
        try:
            if not full:
                wipe(c, touched)
                full = not empty(c)
        except botocore.exceptions.ClientError:
            full = True
        if full:
            req = urllib.request.Request(self.endpoint + "/moto-api/reset", data=b"", method="POST")
            urllib.request.urlopen(req, timeout=60).read()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


class Serve:
    """`iamsh serve` on loopback with its state in memory, the root's keys taken from
    the environment (ROOT_KEY, as the suite's clients sign). An empty account is a new
    server: it starts in a few milliseconds, where deleting through IAM takes a call a
    thing."""
    name = "iamsh"

    def __init__(self):
        self.iamsh = os.environ.get("IAMSH", os.path.join(HERE, "..", "..", "build", "iamsh"))
        self.proc = None
        self.log = open(os.environ.get("IAMSH_SERVE_LOG", os.devnull), "a")
        self.listen = "127.0.0.1:0"
        self.reset()

    def reset(self, full=False):
        """A new server on the port of the last one (the server sets SO_REUSEADDR), so
        that the boto3 clients made for it serve again."""
        self.close()
        env = dict(os.environ, AWS_ACCESS_KEY_ID=ROOT_KEY, AWS_SECRET_ACCESS_KEY=ROOT_SECRET)
        self.proc = subprocess.Popen([self.iamsh, "serve", "--listen", self.listen, "--account-id", ACCOUNT],
                                     stdout=subprocess.PIPE, stderr=self.log, env=env)
        url = self.proc.stdout.readline().decode().strip()
        if not url.startswith("http://"):
            raise RuntimeError("iamsh serve did not start on %s" % self.listen)
        self.endpoint = url
        self.listen = url[len("http://"):]

    def client(self, service, key=None, secret=None, token=None):
        return _client(service, self.endpoint, key, secret, token)

    def close(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc.stdout.close()
            self.proc = None


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


def wipe(c, touched=()):
    """Deletes every user, role, group, instance profile, policy and identity provider
    of the account (as a person would, in order), and its alias and password policy
    when the last case touched them. The account summary's counts say which lists are
    worth asking for: a call to moto_server takes ~20 ms."""
    n = c.get_account_summary()["SummaryMap"]
    for u in c.list_users()["Users"] if n["Users"] else ():
        _wipe_user(c, u)
    for r in c.list_roles()["Roles"] if n["Roles"] else ():
        _wipe_role(c, r)
    for g in c.list_groups()["Groups"] if n["Groups"] else ():
        _wipe_group(c, g)
    for ip in c.list_instance_profiles()["InstanceProfiles"] if n["InstanceProfiles"] else ():
        c.delete_instance_profile(InstanceProfileName=ip["InstanceProfileName"])
    for p in c.list_policies(Scope="Local")["Policies"] if n["Policies"] else ():
        _wipe_policy(c, p)
    if n["Providers"]:
        for p in c.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
            c.delete_open_id_connect_provider(OpenIDConnectProviderArn=p["Arn"])
        for p in c.list_saml_providers()["SAMLProviderList"]:
            c.delete_saml_provider(SAMLProviderArn=p["Arn"])
    if "create_account_alias" in touched:
        for a in c.list_account_aliases()["AccountAliases"]:
            c.delete_account_alias(AccountAlias=a)
    if "update_account_password_policy" in touched:
        _quietly(c.delete_account_password_policy)


def empty(c):
    n = c.get_account_summary()["SummaryMap"]
    return not any(n[k] for k in ("Users", "Roles", "Groups", "InstanceProfiles", "Policies", "Providers"))
