#!/usr/bin/env python3
"""The SageMaker set-up of the LLM Engineers Handbook in boto3, convergent as
`iamsh run sagemaker` is, for the benchmark (tests/bench/run): the same steps
and the same requests in the same order, so that the two clients' costs can be
compared call for call.

    sagemaker_boto3.py [OUT_DIR]

The endpoint, region and keys come from the environment (AWS_ENDPOINT_URL,
AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, ...). Writes sagemaker_execution_role.json
and sagemaker_user_credentials.json (0600, atomically) in OUT_DIR, as the
handbook's programs and iamsh do. Prints the role and user ARNs; on stderr, the
number of requests sent ("requests: N").

First run (22 requests): GetRole (missing), GetCallerIdentity, GetPolicy x4,
CreateRole, AttachRolePolicy x4, GetUser (missing), GetPolicy x2 (the two not
checked yet), CreateUser, AttachUserPolicy x5, ListAccessKeys, CreateAccessKey.
Re-run (11, no write): GetRole, ListAttachedRolePolicies, ListRolePolicies,
ListRoleTags, GetCallerIdentity, GetUser, ListAttachedUserPolicies,
ListUserPolicies, ListUserTags, ListGroupsForUser, ListAccessKeys.
"""
import json
import os
import sys
import tempfile

import boto3

ROLE = "SageMakerExecutionRoleLLM"
USER = "sagemaker-deployer"
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
ROLE_POLICIES = ["AmazonSageMakerFullAccess", "AmazonS3FullAccess", "CloudWatchLogsFullAccess",
                 "AmazonEC2ContainerRegistryFullAccess"]
USER_POLICIES = ["AmazonSageMakerFullAccess", "AWSCloudFormationFullAccess", "IAMFullAccess",
                 "AmazonEC2ContainerRegistryFullAccess", "AmazonS3FullAccess"]

requests = 0


def count(**_):
    global requests
    requests += 1


iam = boto3.client("iam")
sts = boto3.client("sts")
for client in (iam, sts):
    client.meta.events.register("before-send", count)
checked = set()   # managed policies known to exist


def policy_arns(partition, names):
    return ["arn:%s:iam::aws:policy/%s" % (partition, n) for n in names]


def attach_missing(attach, name, wanted, attached):
    """Attach each wanted policy not attached yet, after checking it exists."""
    for arn in wanted:
        if arn in attached:
            continue
        if arn not in checked:
            iam.get_policy(PolicyArn=arn)
            checked.add(arn)
        attach(arn)


def converge_role(partition_of):
    try:
        role = iam.get_role(RoleName=ROLE)["Role"]
    except iam.exceptions.NoSuchEntityException:
        role = None
    if role is None:
        wanted = policy_arns(partition_of(), ROLE_POLICIES)
        for arn in wanted:
            if arn not in checked:
                iam.get_policy(PolicyArn=arn)
                checked.add(arn)
        role = iam.create_role(RoleName=ROLE, Path="/", AssumeRolePolicyDocument=json.dumps(TRUST),
                               Description="Execution role for SageMaker")["Role"]
        attached = set()
    else:
        attached = {p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]}
        iam.list_role_policies(RoleName=ROLE)     # inline policies: kept, as iamsh does
        iam.list_role_tags(RoleName=ROLE)
        if role["AssumeRolePolicyDocument"] != TRUST:
            iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(TRUST))
        if role.get("Description") != "Execution role for SageMaker":
            iam.update_role(RoleName=ROLE, Description="Execution role for SageMaker")
        wanted = policy_arns(partition_of(), ROLE_POLICIES)
    attach_missing(lambda arn: iam.attach_role_policy(RoleName=ROLE, PolicyArn=arn), ROLE, wanted, attached)
    return role["Arn"]


def converge_user(partition_of):
    try:
        user = iam.get_user(UserName=USER)["User"]
    except iam.exceptions.NoSuchEntityException:
        user = None
    wanted = policy_arns(partition_of(), USER_POLICIES)
    if user is None:
        for arn in wanted:
            if arn not in checked:
                iam.get_policy(PolicyArn=arn)
                checked.add(arn)
        user = iam.create_user(UserName=USER, Path="/")["User"]
        attached = set()
    else:
        attached = {p["PolicyArn"] for p in iam.list_attached_user_policies(UserName=USER)["AttachedPolicies"]}
        iam.list_user_policies(UserName=USER)
        iam.list_user_tags(UserName=USER)
        iam.list_groups_for_user(UserName=USER)
    attach_missing(lambda arn: iam.attach_user_policy(UserName=USER, PolicyArn=arn), USER, wanted, attached)
    return user["Arn"]


def write_file(path, text, mode):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".")
    with os.fdopen(fd, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, mode)
    os.rename(tmp, path)


def converge_key(path):
    keys = {k["AccessKeyId"] for k in iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]}
    try:
        with open(path) as f:
            if json.load(f).get("AccessKeyId") in keys:
                return
    except (OSError, ValueError):
        pass
    key = iam.create_access_key(UserName=USER)["AccessKey"]
    write_file(path, json.dumps({"AccessKeyId": key["AccessKeyId"],
                                 "SecretAccessKey": key["SecretAccessKey"]}, indent=2) + "\n", 0o600)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    partition = []

    def partition_of():
        if not partition:
            partition.append(sts.get_caller_identity()["Arn"].split(":")[1])
        return partition[0]

    role_arn = converge_role(partition_of)
    role_file = os.path.join(out, "sagemaker_execution_role.json")
    try:
        with open(role_file) as f:
            same = json.load(f).get("RoleArn") == role_arn
    except (OSError, ValueError):
        same = False
    if not same:
        write_file(role_file, json.dumps({"RoleArn": role_arn}, indent=2) + "\n", 0o644)
    print("Role ARN:", role_arn)
    print("Deployer:", converge_user(partition_of))
    converge_key(os.path.join(out, "sagemaker_user_credentials.json"))
    sys.stderr.write("requests: %d\n" % requests)


if __name__ == "__main__":
    main()
