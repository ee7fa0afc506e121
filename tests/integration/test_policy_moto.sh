#!/usr/bin/env bash
# The policy engine against moto_server after the SageMaker set-up: the account
# view (one GetAccountAuthorizationDetails walk) answers can/who_can/
# who_can_assume offline; with the handbook's policies the deployer may
# iam:CreateRole and the execution role may not; with the least-privilege
# deployer policy the deployer may iam:PassRole on the execution role only.
# A bad policy fails under --plan with its path, before any request; moto has
# no SimulatePrincipalPolicy, so can{remote = true} fails in one line.
. "$IAMSH_TEST_SUPPORT/lib.sh"
start_moto

ROLE=SageMakerExecutionRoleLLM
ROLE_ARN=arn:aws:iam::123456789012:role/$ROLE
WORK="$TMP/work"
mkdir -p "$WORK"
sm() { cd "$WORK" || exit 1; run_iamsh --endpoint-url "$ENDPOINT" "$@"; cd - >/dev/null || exit 1; }
lua() { run_iamsh --endpoint-url "$ENDPOINT" -e "$1"; }

sm run sagemaker
check_eq "set-up exits 0" "$RC" 0

# --- done-when: the deployer (IAMFullAccess) may pass the execution role ------------------
run_iamsh --endpoint-url "$ENDPOINT" -e 'print(policy.can("user/sagemaker-deployer", "iam:PassRole", "arn:aws:iam::123456789012:role/SageMakerExecutionRoleLLM").decision)'
check_eq "done-when command exits 0" "$RC" 0
check_eq "done-when: the deployer may iam:PassRole on the execution role" "$OUT" "allow"

lua 'print(policy.can("user/sagemaker-deployer", "iam:CreateRole", "*").decision)'
check_eq "the deployer may iam:CreateRole (IAMFullAccess)" "$OUT" "allow"
lua 'print(policy.can("role/SageMakerExecutionRoleLLM", "iam:CreateRole", "*").decision)'
check_eq "the execution role may not iam:CreateRole" "$OUT" "implicit_deny"
lua 'print(policy.can("'"$ROLE_ARN"'", "s3:GetObject", "arn:aws:s3:::b/k").decision)'
check_eq "the execution role may read S3 (AmazonS3FullAccess)" "$OUT" "allow"

lua 'print(can("user/sagemaker-deployer", "iam:CreateRole", "*"))'
check_match "can prints the decision" "$OUT" "^allow: user/sagemaker-deployer may iam:CreateRole on \*"
check_match "can prints the deciding statement" "$OUT" "IAMFullAccess statement 1, identity policy"
lua 'local r = can("user/sagemaker-deployer", "iam:CreateRole", "*"); print(r.matched[1].policy, r.matched[1].effect)'
check_eq "the deciding statement's policy" "$OUT" "arn:aws:iam::aws:policy/IAMFullAccess	Allow"

lua 'for _, p in ipairs(who_can("iam:CreateRole", "*").principals) do print(p.kind, p.name) end'
check_eq "who_can iam:CreateRole" "$OUT" "user	sagemaker-deployer"
lua 'print(#who_can("s3:PutObject", "arn:aws:s3:::b/k").principals)'
check_eq "who_can s3:PutObject: both" "$OUT" "2"
lua 'print(who_can_assume("'$ROLE'"))'
check_match "who_can_assume names the service" "$OUT" "Service sagemaker.amazonaws.com  sts:AssumeRole, statement 1: trusted"
lua 'print(policy.can("user/sagemaker-deployer", "sts:AssumeRole", "'"$ROLE_ARN"'").decision)'
check_eq "the deployer may not assume the role (the trust names SageMaker only)" "$OUT" "implicit_deny"

# one walk, then offline
run_iamsh --debug --endpoint-url "$ENDPOINT" -e '
policy.can("user/sagemaker-deployer", "iam:CreateRole", "*")
who_can("s3:GetObject", "*")
who_can_assume("'$ROLE'")'
check_eq "one GetAccountAuthorizationDetails walk for three questions" \
  "$(printf '%s\n' "$ERR" | grep -oE 'Action=[A-Za-z]+' | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')" \
  "Action=GetAccountAuthorizationDetails=1 "

# --- moto gap: no SimulatePrincipalPolicy ---------------------------------------------------
lua 'policy.can{principal = "user/sagemaker-deployer", action = "iam:CreateRole", resource = "*", remote = true}'
check "remote: moto's missing simulator is an error" test "$RC" -ne 0
check_eq "remote: one line" "$(printf '%s\n' "$ERR" | wc -l)" 1
check_match "remote: names the operation" "$ERR" "SimulatePrincipalPolicy"

# --- least privilege: PassRole on the execution role only -----------------------------------
sm run sagemaker-deployer deployer_policy=least-privilege bucket=my-bucket exclusive=true
check_eq "least-privilege exits 0" "$RC" 0
SAGEMAKER='{["iam:PassedToService"] = "sagemaker.amazonaws.com"}'
lua 'print(policy.can("user/sagemaker-deployer", "iam:PassRole", "'"$ROLE_ARN"'", '"$SAGEMAKER"').decision)'
check_eq "least-privilege: PassRole on the execution role, to SageMaker" "$OUT" "allow"
lua 'print(policy.can("user/sagemaker-deployer", "iam:PassRole", "arn:aws:iam::123456789012:role/Other", '"$SAGEMAKER"').decision)'
check_eq "least-privilege: not on another role" "$OUT" "implicit_deny"
lua 'print(policy.can("user/sagemaker-deployer", "iam:PassRole", "'"$ROLE_ARN"'", {["iam:PassedToService"] = "ec2.amazonaws.com"}).decision)'
check_eq "least-privilege: not to another service" "$OUT" "implicit_deny"
lua 'print(policy.can("user/sagemaker-deployer", "iam:PassRole", "'"$ROLE_ARN"'").decision)'
check_eq "least-privilege: the condition needs iam:PassedToService" "$OUT" "implicit_deny"
lua 'print(policy.can("user/sagemaker-deployer", "iam:CreateRole", "*").decision)'
check_eq "least-privilege: no iam:CreateRole" "$OUT" "implicit_deny"
lua 'local r = policy.can("user/sagemaker-deployer", "iam:PassRole", "'"$ROLE_ARN"'", '"$SAGEMAKER"'); print(r.matched[1].sid, r.matched[1].policy)'
check_eq "least-privilege: the deciding statement" "$OUT" \
  "PassExecutionRoleToSageMakerOnly	arn:aws:iam::123456789012:policy/SageMakerDeployerLeastPrivilege"
lua 'for _, p in ipairs(who_can("iam:PassRole", "'"$ROLE_ARN"'", '"$SAGEMAKER"').principals) do print(p.kind, p.name, p.matched[1].policy) end'
check_eq "least-privilege: who_can PassRole (AmazonSageMakerFullAccess lets the role pass roles to SageMaker)" "$OUT" \
  "user	sagemaker-deployer	arn:aws:iam::123456789012:policy/SageMakerDeployerLeastPrivilege
role	$ROLE	arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"

# --- a bad policy fails under --plan with its path, before any request ----------------------
run_iamsh --debug --plan --endpoint-url "$ENDPOINT" -e '
provision.role { name = "bad", trust = { Version = "2012-10-17", Statement = { {
  Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole",
  Condition = { StringEqualz = { ["aws:SourceAccount"] = "123456789012" } } } } } }'
check_eq "bad policy under --plan: exit 252" "$RC" 252
check_match "bad policy: its path and IAM's words" "$ERR" \
  'trust is not a valid policy document: Statement\[1\]\.Condition\.StringEqualz: Invalid Condition type : StringEqualz \(did you mean .StringEquals.\?\)'
check_eq "bad policy: no request sent" "$(printf '%s\n' "$ERR" | grep -c 'Action=')" 0

finish
