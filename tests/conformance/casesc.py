"""Conformance cases: the account, STS, authorization (moto authorizes nothing by
default: every denial is a divergence)."""
import base64
import json
import time

from casekit import (ACCOUNT, AWS_S3, DOC_ASSUME, DOC_AUTHZ, DOC_BOUNDARY, DOC_DENIED, DOC_WEB_IDENTITY, IAM_ALL,
                     S3_READ, Case, Err, Ok, Ref, allow, arn, deny, doc, iam, policy, role, sts, trust, user)

ALICE = arn("user", "alice")
KEY = Ref("key", "AccessKey")


def with_key(name="alice", *policies):
    """A user with an access key (saved as "key") and inline policies."""
    calls = [user(name), iam("create_access_key", UserName=name, save="key")]
    for i, d in enumerate(policies):
        calls.append(iam("put_user_policy", UserName=name, PolicyName="p%d" % i, PolicyDocument=d))
    return calls


def denied(action, resource, why="because no identity-based policy allows the %s action"):
    """AccessDenied as AWS words it for alice."""
    return Err("AccessDenied", "User: %s is not authorized to perform: %s on resource: %s %s"
               % (ALICE, action, resource, why % action if "%s" in why else why))


def b64url(d):
    return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()


def jwt(claims):
    return "%s.%s.%s" % (b64url({"alg": "RS256", "typ": "JWT"}), b64url(claims), "c2lnbmF0dXJl")


ISSUER = "https://token.actions.githubusercontent.com"
OIDC_ARN = arn("oidc-provider", "token.actions.githubusercontent.com")
SUBJECT = "repo:octo-org/app:ref:refs/heads/main"
GITHUB_TRUST = trust({"Federated": OIDC_ARN}, action="sts:AssumeRoleWithWebIdentity",
                     Condition={"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                                "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/app:*"}})


def token(**over):
    claims = {"iss": ISSUER, "aud": "sts.amazonaws.com", "sub": SUBJECT, "exp": int(time.time()) + 3600,
              "iat": int(time.time())}
    claims.update(over)
    return jwt(claims)


def github_provider():
    return iam("create_open_id_connect_provider", Url=ISSUER, ClientIDList=["sts.amazonaws.com"],
               ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"])


ACCOUNT_CASES = [
    Case("account: the summary counts what there is",
         role("r1"), user("u1"), policy("p1"),
         iam("get_account_summary", ignore=["SummaryMap"], check=lambda res: (
             res["SummaryMap"]["Roles"], res["SummaryMap"]["Users"], res["SummaryMap"]["Policies"],
             res["SummaryMap"]["AttachedPoliciesPerRoleQuota"], res["SummaryMap"]["AccessKeysPerUserQuota"])
             == (1, 1, 1, 10, 2))),
    Case("account: authorization details of users, groups, roles and the account's policies",
         policy("p1"), role("r1"), user("u1"), iam("create_group", GroupName="g1"),
         iam("add_user_to_group", GroupName="g1", UserName="u1"),
         iam("attach_role_policy", RoleName="r1", PolicyArn=arn("policy", "p1")),
         iam("put_user_policy", UserName="u1", PolicyName="read", PolicyDocument=S3_READ),
         iam("get_account_authorization_details", Filter=["User", "Group"]),
         iam("get_account_authorization_details", Filter=["Role"], ignore=["RoleDetailList"],
             check=lambda res: res["RoleDetailList"][0]["AttachedManagedPolicies"][0]["PolicyName"] == "p1"),
         iam("get_account_authorization_details", Filter=["LocalManagedPolicy"], ignore=["Policies"],
             aws=Ok("with PolicyName and PolicyId"), doc="https://docs.aws.amazon.com/IAM/latest/APIReference/"
             "API_ManagedPolicyDetail.html", check=lambda res: res["Policies"][0]["PolicyName"] == "p1"
             and res["Policies"][0]["PolicyId"].startswith("ANPA"))),
    Case("account: an alias",
         iam("create_account_alias", AccountAlias="my-team"),
         iam("list_account_aliases"),
         iam("delete_account_alias", AccountAlias="my-team"),
         iam("list_account_aliases")),
    Case("account: the password policy",
         iam("update_account_password_policy", MinimumPasswordLength=12, RequireSymbols=True),
         iam("get_account_password_policy", ignore=["PasswordPolicy"], check=lambda res: (
             res["PasswordPolicy"]["MinimumPasswordLength"], res["PasswordPolicy"]["RequireSymbols"]) == (12, True)),
         iam("delete_account_password_policy"),
         iam("get_account_password_policy")),
]

STS_CASES = [
    Case("sts: who am I, as the root user",
         sts("get_caller_identity", aws=Ok("the root ARN"), ignore=["Arn"],
             doc="https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html "
             "(the root user: arn:aws:iam::ACCOUNT:root)",
             check=lambda res: res["Arn"] == "arn:aws:iam::%s:root" % ACCOUNT)),
    Case("sts: who am I, with a user's key",
         *with_key("alice"),
         sts("get_caller_identity", as_=KEY)),
    Case("sts: a user assumes a role that trusts it, then asks who it is",
         *with_key("alice", doc([allow("sts:AssumeRole", arn("role", "deploy"))])),
         role("deploy", trust=trust({"AWS": ALICE})),
         sts("assume_role", RoleArn=arn("role", "deploy"), RoleSessionName="ci", as_=KEY, save="session",
             ignore=["Credentials", "PackedPolicySize"]),
         sts("get_caller_identity", as_=Ref("session", "Credentials"))),
    Case("sts: a role that does not trust the user",
         *with_key("alice", doc([allow("sts:AssumeRole", "*")])),
         role("deploy"),
         sts("assume_role", RoleArn=arn("role", "deploy"), RoleSessionName="ci", as_=KEY,
             aws=Err("AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s"
                     % (ALICE, arn("role", "deploy"))), doc=DOC_ASSUME)),
    Case("sts: trusted through the account, but the user's policies do not allow it",
         *with_key("alice"),
         role("deploy", trust=trust({"AWS": "arn:aws:iam::%s:root" % ACCOUNT})),
         sts("assume_role", RoleArn=arn("role", "deploy"), RoleSessionName="ci", as_=KEY,
             aws=Err("AccessDenied"), doc=DOC_ASSUME)),
    Case("sts: the root user cannot assume a role",
         role("deploy", trust=trust({"AWS": "arn:aws:iam::%s:root" % ACCOUNT})),
         sts("assume_role", RoleArn=arn("role", "deploy"), RoleSessionName="ci",
             aws=Err("AccessDenied", "Roles may not be assumed by root accounts."), doc=DOC_ASSUME)),
    Case("sts: a session longer than the role allows",
         *with_key("alice", doc([allow("sts:AssumeRole", "*")])),
         role("deploy", trust=trust({"AWS": ALICE})),
         sts("assume_role", RoleArn=arn("role", "deploy"), RoleSessionName="ci", DurationSeconds=7200, as_=KEY,
             aws=Err("ValidationError"), doc=DOC_ASSUME)),
    Case("sts: a session token for a user",
         *with_key("alice"),
         sts("get_session_token", as_=KEY, DurationSeconds=900, ignore=["Credentials"],
             check=lambda res: res["Credentials"]["AccessKeyId"].startswith("ASIA"))),
    Case("sts: a web identity from a registered OIDC provider",
         github_provider(),
         role("gha", trust=GITHUB_TRUST),
         sts("assume_role_with_web_identity", RoleArn=arn("role", "gha"), RoleSessionName="run-1",
             WebIdentityToken=token(), ignore=["Credentials", "Provider", "Audience", "PackedPolicySize",
                                               "SubjectFromWebIdentityToken"],
             check=lambda res: res["Provider"] == ISSUER and res["Audience"] == "sts.amazonaws.com"
             and res["SubjectFromWebIdentityToken"] == SUBJECT)),
    Case("sts: a web identity from a provider the account does not have",
         github_provider(), role("gha", trust=GITHUB_TRUST),
         sts("assume_role_with_web_identity", RoleArn=arn("role", "gha"), RoleSessionName="run-1",
             WebIdentityToken=token(iss="https://issuer.example.com"),
             aws=Err("InvalidIdentityToken", "No OpenIDConnect provider found in your account for "
                     "https://issuer.example.com"), doc=DOC_WEB_IDENTITY)),
    Case("sts: a web identity for another audience",
         github_provider(), role("gha", trust=GITHUB_TRUST),
         sts("assume_role_with_web_identity", RoleArn=arn("role", "gha"), RoleSessionName="run-1",
             WebIdentityToken=token(aud="someone-else"),
             aws=Err("InvalidIdentityToken", "Incorrect token audience"), doc=DOC_WEB_IDENTITY)),
    Case("sts: a web identity whose subject the trust policy does not admit",
         github_provider(), role("gha", trust=GITHUB_TRUST),
         sts("assume_role_with_web_identity", RoleArn=arn("role", "gha"), RoleSessionName="run-1",
             WebIdentityToken=token(sub="repo:evil/app:ref:refs/heads/main"),
             aws=Err("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"),
             doc=DOC_WEB_IDENTITY)),
    Case("sts: an expired web identity token",
         github_provider(), role("gha", trust=GITHUB_TRUST),
         sts("assume_role_with_web_identity", RoleArn=arn("role", "gha"), RoleSessionName="run-1",
             WebIdentityToken=token(exp=int(time.time()) - 60),
             aws=Err("ExpiredTokenException"), doc=DOC_WEB_IDENTITY)),
]

AUTHZ_CASES = [
    Case("authz: a user without policies may not create a role",
         *with_key("alice"),
         role("r1", as_=KEY, aws=denied("iam:CreateRole", arn("role", "r1")), doc=DOC_DENIED)),
    Case("authz: allowed reads, denied writes",
         *with_key("alice", doc([allow(["iam:Get*", "iam:List*"])])),
         role("r1"),
         iam("get_role", RoleName="r1", as_=KEY),
         iam("list_roles", as_=KEY),
         iam("delete_role", RoleName="r1", as_=KEY, aws=denied("iam:DeleteRole", arn("role", "r1")),
             doc=DOC_DENIED)),
    Case("authz: an explicit deny wins",
         *with_key("alice", IAM_ALL, doc([deny("iam:DeleteUser")])),
         user("bob"),
         iam("delete_user", UserName="bob", as_=KEY,
             aws=denied("iam:DeleteUser", arn("user", "bob"), "with an explicit deny in an identity-based policy"),
             doc=DOC_DENIED)),
    Case("authz: a permissions boundary caps what the user's policies allow",
         policy("s3only", document=doc([allow("s3:*")])),
         *with_key("alice", IAM_ALL),
         iam("put_user_permissions_boundary", UserName="alice", PermissionsBoundary=arn("policy", "s3only"),
             local_only=True, aws=Ok("the boundary is set"), doc=DOC_BOUNDARY),
         user("bob", as_=KEY, aws=denied("iam:CreateUser", arn("user", "bob"),
                                         "because no permissions boundary allows the %s action"), doc=DOC_BOUNDARY)),
    Case("authz: a policy scoped to a path",
         *with_key("alice", doc([allow("iam:CreateRole", arn("role", "*", "/apps/"))])),
         role("r1", Path="/apps/", as_=KEY),
         role("r2", as_=KEY, aws=denied("iam:CreateRole", arn("role", "r2")), doc=DOC_AUTHZ)),
    Case("authz: a condition on the request's tags",
         *with_key("alice", doc([allow("iam:CreateRole", Condition={"StringEquals": {"aws:RequestTag/team": "ml"}})])),
         role("r1", Tags=[{"Key": "team", "Value": "ml"}], as_=KEY),
         role("r2", Tags=[{"Key": "team", "Value": "web"}], as_=KEY,
              aws=denied("iam:CreateRole", arn("role", "r2")), doc=DOC_AUTHZ)),
    Case("authz: an assumed role's session does what the role may",
         *with_key("alice", doc([allow("sts:AssumeRole", "*")])),
         role("admin", trust=trust({"AWS": ALICE})),
         iam("attach_role_policy", RoleName="admin", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess"),
         sts("assume_role", RoleArn=arn("role", "admin"), RoleSessionName="s1", as_=KEY, save="session",
             ignore=["Credentials", "PackedPolicySize"]),
         iam("list_users", as_=Ref("session", "Credentials"), sort={"Users": "UserName"}),
         user("bob", as_=Ref("session", "Credentials"),
              aws=Err("AccessDenied", "User: arn:aws:sts::%s:assumed-role/admin/s1 is not authorized to perform: "
                      "iam:CreateUser on resource: %s because no identity-based policy allows the iam:CreateUser "
                      "action" % (ACCOUNT, arn("user", "bob"))), doc=DOC_DENIED)),
    Case("authz: a session policy narrows the session",
         *with_key("alice", doc([allow("sts:AssumeRole", "*")])),
         role("admin", trust=trust({"AWS": ALICE})),
         iam("attach_role_policy", RoleName="admin", PolicyArn=AWS_S3),
         iam("put_role_policy", RoleName="admin", PolicyName="iam", PolicyDocument=IAM_ALL),
         sts("assume_role", RoleArn=arn("role", "admin"), RoleSessionName="s1", as_=KEY, save="session",
             Policy=doc([allow("iam:List*")]), ignore=["Credentials", "PackedPolicySize"]),
         iam("list_roles", as_=Ref("session", "Credentials"), sort={"Roles": "RoleName"}),
         iam("get_role", RoleName="admin", as_=Ref("session", "Credentials"),
             aws=Err("AccessDenied"), doc=DOC_AUTHZ)),
    Case("authz: anyone may ask who they are",
         *with_key("alice", doc([deny("*")])),
         sts("get_caller_identity", as_=KEY)),
    Case("authz: a key made inactive no longer signs",
         *with_key("alice", IAM_ALL),
         iam("update_access_key", UserName="alice", AccessKeyId=Ref("key", "AccessKey.AccessKeyId"),
             Status="Inactive"),
         iam("list_users", as_=KEY, aws=Err("InvalidClientTokenId"),
             doc="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html "
             "(an inactive key cannot be used)")),
    Case("authz: the policy simulator on a user's policies",
         *with_key("alice", doc([allow("iam:PassRole", arn("role", "exec"),
                                       Condition={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}})])),
         iam("simulate_principal_policy", PolicySourceArn=ALICE, ActionNames=["iam:PassRole", "iam:CreateUser"],
             ResourceArns=[arn("role", "exec")], local_only=True,
             ContextEntries=[{"ContextKeyName": "iam:PassedToService", "ContextKeyValues": ["sagemaker.amazonaws.com"],
                              "ContextKeyType": "string"}],
             aws=Ok("PassRole allowed, CreateUser implicitly denied"),
             doc="https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html "
             "(moto does not implement it)",
             check=lambda res: [r["EvalDecision"] for r in res["EvaluationResults"]] == ["allowed", "implicitDeny"])),
]

CASES_C = ACCOUNT_CASES + STS_CASES + AUTHZ_CASES
