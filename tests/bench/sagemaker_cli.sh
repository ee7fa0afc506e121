#!/bin/bash
# The SageMaker set-up of the LLM Engineers Handbook as AWS CLI commands, convergent
# as `iamsh run sagemaker` is, for the benchmark (tests/bench/run): the same
# requests in the same order as iamsh and tests/bench/sagemaker_boto3.py, one
# `aws` process per request (22 on an empty account, 11 on a re-run).
#
#   sagemaker_cli.sh AWS OUT_DIR
#
# AWS is the CLI to use (Debian's v2 /usr/bin/aws, or a v1); the endpoint comes
# from BENCH_ENDPOINT, region and keys from the environment. Writes the same two
# files as the handbook's programs (the credentials 0600, through a temp file).
# On stderr, "requests: N".
set -u
AWS=$1
OUT=${2:-.}
ROLE=SageMakerExecutionRoleLLM
USER=sagemaker-deployer
TRUST='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
ROLE_POLICIES="AmazonSageMakerFullAccess AmazonS3FullAccess CloudWatchLogsFullAccess AmazonEC2ContainerRegistryFullAccess"
USER_POLICIES="AmazonSageMakerFullAccess AWSCloudFormationFullAccess IAMFullAccess AmazonEC2ContainerRegistryFullAccess AmazonS3FullAccess"
COUNT=$(mktemp)   # a byte per request (awsc often runs in a $(...) subshell)
trap 'rm -f "$COUNT"' EXIT
CHECKED=" "
PARTITION=

awsc() {
  printf . >>"$COUNT"
  "$AWS" --endpoint-url "$BENCH_ENDPOINT" --output text "$@"
}

partition() {
  [ -n "$PARTITION" ] || PARTITION=$(awsc sts get-caller-identity --query Arn | cut -d: -f2)
}

# check_policy NAME: GetPolicy once per policy, before it is first attached.
check_policy() {
  case "$CHECKED" in *" $1 "*) return ;; esac
  awsc iam get-policy --policy-arn "arn:$PARTITION:iam::aws:policy/$1" >/dev/null || exit 1
  CHECKED="$CHECKED$1 "
}

# attach_missing KIND NAME ATTACHED POLICIES...
attach_missing() {
  local kind=$1 name=$2 attached=" $3 " p
  shift 3
  for p in "$@"; do
    case "$attached" in *"/$p "* | *"/$p	"*) continue ;; esac
    check_policy "$p"
    awsc iam "attach-$kind-policy" "--$kind-name" "$name" --policy-arn "arn:$PARTITION:iam::aws:policy/$p" || exit 1
  done
}

role() {
  local arn attached=
  if arn=$(awsc iam get-role --role-name "$ROLE" --query Role.Arn 2>/dev/null); then
    attached=$(awsc iam list-attached-role-policies --role-name "$ROLE" --query 'AttachedPolicies[].PolicyArn') || exit 1
    awsc iam list-role-policies --role-name "$ROLE" >/dev/null || exit 1
    awsc iam list-role-tags --role-name "$ROLE" >/dev/null || exit 1
    partition
  else
    partition
    for p in $ROLE_POLICIES; do check_policy "$p"; done
    arn=$(awsc iam create-role --role-name "$ROLE" --path / --description "Execution role for SageMaker" \
      --assume-role-policy-document "$TRUST" --query Role.Arn) || exit 1
  fi
  # shellcheck disable=SC2086
  attach_missing role "$ROLE" "$attached" $ROLE_POLICIES
  local file="$OUT/sagemaker_execution_role.json"
  grep -qF "\"$arn\"" "$file" 2>/dev/null || printf '{\n  "RoleArn": "%s"\n}\n' "$arn" >"$file"
  echo "Role ARN: $arn"
}

user() {
  local arn attached=
  if arn=$(awsc iam get-user --user-name "$USER" --query User.Arn 2>/dev/null); then
    attached=$(awsc iam list-attached-user-policies --user-name "$USER" --query 'AttachedPolicies[].PolicyArn') || exit 1
    awsc iam list-user-policies --user-name "$USER" >/dev/null || exit 1
    awsc iam list-user-tags --user-name "$USER" >/dev/null || exit 1
    awsc iam list-groups-for-user --user-name "$USER" >/dev/null || exit 1
  else
    for p in $USER_POLICIES; do check_policy "$p"; done
    arn=$(awsc iam create-user --user-name "$USER" --path / --query User.Arn) || exit 1
  fi
  # shellcheck disable=SC2086
  attach_missing user "$USER" "$attached" $USER_POLICIES
  echo "Deployer: $arn"
}

key() {
  local file="$OUT/sagemaker_user_credentials.json" keys have id secret
  keys=$(awsc iam list-access-keys --user-name "$USER" --query 'AccessKeyMetadata[].AccessKeyId') || exit 1
  have=$(sed -n 's/.*"AccessKeyId": *"\([A-Z0-9]*\)".*/\1/p' "$file" 2>/dev/null)
  if [ -n "$have" ] && [[ " $keys " == *[[:space:]]"$have"[[:space:]]* ]]; then
    return
  fi
  read -r id secret < <(awsc iam create-access-key --user-name "$USER" \
    --query 'AccessKey.[AccessKeyId,SecretAccessKey]') || exit 1
  (umask 077 && printf '{\n  "AccessKeyId": "%s",\n  "SecretAccessKey": "%s"\n}\n' "$id" "$secret" >"$file.tmp") &&
    mv "$file.tmp" "$file"
}

role
user
key
echo "requests: $(wc -c <"$COUNT")" >&2
