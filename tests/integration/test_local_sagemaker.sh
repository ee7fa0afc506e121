#!/usr/bin/env bash
# The shipped SageMaker flows on the real local endpoint (scripts/lib/iamsh/local/),
# as the README's first command runs them: `iamsh --local` with no credentials at
# all (no AWS account, no moto), then the state they leave read back by the AWS CLI
# through `iamsh serve --state` on the same file: set-up, a re-run that changes
# nothing, the deployer's own key (it signs in as the deployer; under
# deployer_policy=least-privilege it may pass the execution role to SageMaker and
# may not create a user), and the teardown.
. "$IAMSH_TEST_SUPPORT/lib.sh"
WORK="$TMP/work"
mkdir -p "$WORK"
cd "$WORK" || exit 1
ROLE=SageMakerExecutionRoleLLM
USER=sagemaker-deployer
P=arn:aws:iam::aws:policy
ROLE_ARN=arn:aws:iam::123456789012:role/$ROLE
USER_ARN=arn:aws:iam::123456789012:user/$USER

# iamsh --local with nothing in the environment to sign with: the state's root.
local_run() {
  (unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY; "$IAMSH" --local "$@" >"$TMP/out" 2>"$TMP/err")
  RC=$?
  OUT=$(cat "$TMP/out")
  ERR=$(cat "$TMP/err")
}
# serve on the state the runs left; the AWS CLI signs as the root with lib.sh's keys
# (the environment's keys are the root's for a server started with them)
STATE="$WORK/.iamsh/local.db"
sorted() { tr '\t' '\n' | sort | tr '\n' ' '; }
deployer_cli() {
  AWS_ACCESS_KEY_ID=$(json 'd["AccessKeyId"]' <"$WORK/sagemaker_user_credentials.json") \
    AWS_SECRET_ACCESS_KEY=$(json 'd["SecretAccessKey"]' <"$WORK/sagemaker_user_credentials.json") \
    aws_local "$@"
}
start_serve_on() {
  "$IAMSH" serve --listen 127.0.0.1:0 --state "$1" >"$TMP/serve.out" 2>"$TMP/serve.log" &
  SERVE_PID=$!
  for _ in $(seq 1200); do  # up to a minute (sanitizer build, loaded machine)
    [ -s "$TMP/serve.out" ] && break
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.05
  done
  URL=$(head -1 "$TMP/serve.out")
}
stop_serve() { kill -TERM "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID"; }
aws_local() { "$AWS_CLI" --endpoint-url "$URL" --region us-east-1 --output json "$@"; }
json() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1], {"d": d}))' "$1"; }

# --- set-up, re-run ------------------------------------------------------------------
local_run run sagemaker
check_eq "set-up: exit 0" "$RC" 0
check_match "set-up: the banner" "$ERR" "^iamsh: local IAM and STS \(state \.iamsh/local\.db\): no AWS account is used"
check_nomatch "set-up: no plain-HTTP warning in process" "$ERR" "plain HTTP"
check_match "set-up: 14 added" "$ERR" "Done: 14 added, 0 changed, 0 destroyed\."
check "set-up: the role's file" grep -q "\"RoleArn\": \"$ROLE_ARN\"" sagemaker_execution_role.json
check "set-up: the key's file" grep -q '"AccessKeyId": "AKIA' sagemaker_user_credentials.json
KEY=$(json 'd["AccessKeyId"]' <sagemaker_user_credentials.json)
SECRET=$(json 'd["SecretAccessKey"]' <sagemaker_user_credentials.json)
check_absent "set-up: the secret is not printed" "$OUT$ERR" "$SECRET"

local_run run sagemaker
check_eq "re-run: exit 0" "$RC" 0
check_match "re-run: nothing to do" "$ERR" "Done: 0 added, 0 changed, 0 destroyed\."
local_run --plan run sagemaker
check_eq "plan after set-up: exit 0 (no change)" "$RC" 0

# --- the state, read by the AWS CLI through iamsh serve ---------------------------------
start_serve_on "$STATE"
check_match "serve --state: its URL" "$URL" "^http://127\.0\.0\.1:[0-9]+$"
check_eq "serve: the root's keys are not shown again" "$(grep -c '^export' "$TMP/serve.out")" 0
check_eq "the role's trust" "$(aws_local iam get-role --role-name $ROLE | json 'd["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]')" \
  sagemaker.amazonaws.com
check_eq "the role's policies" \
  "$(aws_local iam list-attached-role-policies --role-name $ROLE --query 'AttachedPolicies[].PolicyArn' --output text | sorted)" \
  "$P/AmazonEC2ContainerRegistryFullAccess $P/AmazonS3FullAccess $P/AmazonSageMakerFullAccess $P/CloudWatchLogsFullAccess "
check_eq "the user's policies" \
  "$(aws_local iam list-attached-user-policies --user-name $USER --query 'AttachedPolicies[].PolicyArn' --output text | sorted)" \
  "$P/AWSCloudFormationFullAccess $P/AmazonEC2ContainerRegistryFullAccess $P/AmazonS3FullAccess $P/AmazonSageMakerFullAccess $P/IAMFullAccess "
check_eq "the user's one key, the file's" \
  "$(aws_local iam list-access-keys --user-name $USER --query 'AccessKeyMetadata[].[AccessKeyId,Status]' --output text)" \
  "$KEY	Active"
check_eq "the deployer's key signs in as the deployer" \
  "$(deployer_cli sts get-caller-identity --query Arn --output text)" "$USER_ARN"
check_eq "the deployer (IAMFullAccess) may list roles" \
  "$(deployer_cli iam list-roles --query 'Roles[].RoleName' --output text)" "$ROLE"
check_eq "the key's last use is recorded" \
  "$(aws_local iam get-access-key-last-used --access-key-id "$KEY" --query 'AccessKeyLastUsed.ServiceName' --output text)" iam
stop_serve
check "serve: the log names the deployer" grep -q " 200 iam:ListRoles .* $USER_ARN " "$TMP/serve.log"

# --- teardown ----------------------------------------------------------------------------
local_run run sagemaker-teardown
check_eq "teardown: exit 0" "$RC" 0
check_match "teardown: 14 destroyed" "$ERR" "Done: 0 added, 0 changed, 14 destroyed\."
check "teardown: the key's file is gone" test ! -e sagemaker_user_credentials.json
local_run run sagemaker-teardown
check_match "teardown again: nothing to do" "$ERR" "Done: 0 added, 0 changed, 0 destroyed\."
start_serve_on "$STATE"
check_eq "after teardown: no role, no user" \
  "$(aws_local iam list-roles --query 'length(Roles)' --output text)/$(aws_local iam list-users --query 'length(Users)' --output text)" "0/0"
stop_serve

# --- least privilege: the deployer's own key on another state --------------------------------
(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY; "$IAMSH" --local="$TMP/lp.db" run sagemaker deployer_policy=least-privilege \
  bucket=handbook-bucket >"$TMP/out" 2>&1)
check_eq "least-privilege set-up: exit 0" "$?" 0
start_serve_on "$TMP/lp.db"
deployer_cli iam create-user --user-name mallory >/dev/null 2>"$TMP/denied"
check_match "least privilege: the deployer may not create a user" "$(cat "$TMP/denied")" \
  "AccessDenied.*User: $USER_ARN is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/mallory"
check "least privilege: the denial's reason on the server's log" grep -q ' 403 iam:CreateUser .* AccessDenied reason: ' "$TMP/serve.log"
simulate() {
  aws_local iam simulate-principal-policy --policy-source-arn "$USER_ARN" --action-names "$1" --resource-arns "$2" \
    --context-entries ContextKeyName=iam:PassedToService,ContextKeyValues=sagemaker.amazonaws.com,ContextKeyType=string \
    --query 'EvaluationResults[0].EvalDecision' --output text
}
check_eq "least privilege: the deployer may pass the execution role to SageMaker" "$(simulate iam:PassRole "$ROLE_ARN")" allowed
check_eq "least privilege: but no other role" "$(simulate iam:PassRole arn:aws:iam::123456789012:role/other)" implicitDeny
stop_serve

finish
