"""What the conformance cases are made of: calls, references to earlier results, the
outcomes AWS gives where moto is lenient, documents, and the AWS documentation each
divergence follows."""
import json


class Ref:
    """A value from an earlier call's result on the same side: Ref("key", "AccessKey.AccessKeyId")."""

    def __init__(self, name, path=""):
        self.name, self.path = name, path

    def get(self, saved):
        v = saved[self.name]
        for part in filter(None, self.path.split(".")):
            v = v[int(part)] if isinstance(v, list) else v[part]
        return v


class Outcome:
    """What AWS answers (for aws=): an error code and message, or success (code None)."""

    def __init__(self, code=None, message=None, result=None):
        self.code, self.message, self.result = code, message, result

    def show(self):
        if self.code:
            return "%s%s" % (self.code, ": " + self.message if self.message else "")
        return self.message or "succeeds"


def Err(code, message=None):
    return Outcome(code, message)


def Ok(what):
    """AWS succeeds where moto does not, or answers differently: what it does."""
    return Outcome(message="succeeds (%s)" % what)


def _resolve(v, saved):
    if isinstance(v, Ref):
        return v.get(saved)
    if isinstance(v, dict):
        return {k: _resolve(x, saved) for k, x in v.items()}
    if isinstance(v, list):
        return [_resolve(x, saved) for x in v]
    if callable(v):
        return v(saved)
    return v


class Call:
    """One call. save: keep the result under that name; as_: a Ref to credentials to call
    with; aws/doc: a divergence; message: compare error messages too; sort: {list key:
    item key} for lists in no defined order; ignore: result keys left out of the
    comparison; local_only: moto cannot make it; check: a function of the local result
    that must return True; says: the local error message, as AWS words it (where moto
    words it otherwise)."""

    def __init__(self, service, op, save=None, as_=None, aws=None, doc=None, message=False, sort=None, ignore=(),
                 local_only=False, check=None, says=None, **params):
        if aws is not None and not doc:
            raise ValueError("%s: a divergence needs the AWS documentation it follows (doc=)" % op)
        self.service, self.op, self.params = service, op, params
        self.save, self.as_, self.aws, self.doc = save, as_, aws, doc
        self.message, self.sort, self.ignore, self.local_only = message, sort, ignore, local_only
        self.check, self.says = check, says

    def resolve(self, saved):
        return _resolve(self.params, saved)


def iam(op, **kw):
    return Call("iam", op, **kw)


def sts(op, **kw):
    return Call("sts", op, **kw)


class Case:
    """A name and calls. messy: moto is left with what it cannot delete through IAM (an
    entity it let in with a malformed path), so it resets itself after the case."""

    def __init__(self, name, *calls, messy=False):
        self.name, self.calls, self.messy = name, list(calls), messy

    def divergent(self):
        return [c for c in self.calls if c.aws is not None]


def doc(statements, version="2012-10-17"):
    return json.dumps({"Version": version, "Statement": statements})


def allow(action, resource="*", **extra):
    return dict({"Effect": "Allow", "Action": action, "Resource": resource}, **extra)


def deny(action, resource="*"):
    return {"Effect": "Deny", "Action": action, "Resource": resource}


def trust(principal, action="sts:AssumeRole", **extra):
    return doc([dict({"Effect": "Allow", "Principal": principal, "Action": action}, **extra)])


ACCOUNT = "123456789012"
SAGEMAKER_TRUST = trust({"Service": "sagemaker.amazonaws.com"})
EC2_TRUST = trust({"Service": "ec2.amazonaws.com"})
S3_READ = doc([allow(["s3:GetObject", "s3:ListBucket"])])
IAM_ALL = doc([allow("iam:*")])
AWS_S3 = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
AWS_ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
AWS_READONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def arn(kind, name, path="/"):
    return "arn:aws:iam::%s:%s%s%s" % (ACCOUNT, kind, path, name)


def role(name="r1", **kw):
    return iam("create_role", RoleName=name, AssumeRolePolicyDocument=kw.pop("trust", SAGEMAKER_TRUST), **kw)


def user(name="u1", **kw):
    return iam("create_user", UserName=name, **kw)


def policy(name="p1", document=S3_READ, **kw):
    return iam("create_policy", PolicyName=name, PolicyDocument=document, **kw)


# The AWS documentation the divergences follow.
DOC_NAMES = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (RoleName: pattern [\\w+=,.@-]+, 1-64)"
DOC_USER_NAMES = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html (UserName: pattern [\\w+=,.@-]+, 1-64)"
DOC_UNIQUE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names (names are not case sensitive)"
DOC_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
DOC_DELETE_USER = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html (delete keys, login profile, groups... first)"
DOC_DELETE_GROUP = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteGroup.html (the group must not contain any users)"
DOC_DELETE_POLICY = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicy.html (detach, delete other versions first)"
DOC_GRAMMAR = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
DOC_TRUST_PRINCIPAL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html (an account id is stored as its root ARN; a principal must exist)"
DOC_ARN = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"
DOC_AUTHZ = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
DOC_DENIED = "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html"
DOC_ASSUME = "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html"
DOC_WEB_IDENTITY = "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html"
DOC_SLR = "https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html (only the service can delete its role)"
DOC_PASSWORD = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html (the default policy: 8 characters, 3 of 4 kinds)"
DOC_BOUNDARY = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"
DOC_PROFILE = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html (one role per instance profile)"
DOC_SERVICE_ROLE_POLICY = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachRolePolicy.html (PolicyNotAttachable: AWS service role policies)"
