#!/usr/bin/env bash
# The example scripts of docs/provision.md (scripts/examples/) against
# moto_server, checked with the AWS CLI as an independent client: a plan on an
# empty account, the apply, a re-run that writes nothing, a plan with no
# change, the teardown and a plan after it.
. "$IAMSH_TEST_SUPPORT/lib.sh"
start_moto

EX="$IAMSH_SOURCE_DIR/scripts/examples"
WORK="$TMP/work"
mkdir -p "$WORK"
P=arn:aws:iam::aws:policy
A=arn:aws:iam::123456789012

ex() { cd "$WORK" || exit 1; run_iamsh --endpoint-url "$ENDPOINT" "$@"; cd - >/dev/null || exit 1; }
# the writes iamsh sent, from its --debug wire log
writes_of() { printf '%s\n' "$1" | grep -oE 'Action=(Create|Attach|Detach|Put|Update|Delete|Add|Remove|Tag|Untag)[A-Za-z]*' | sort -u | tr '\n' ' '; }
cli_text() { aws_cli "$@" --output text; }

# converge NAME SCRIPT ARGS...: plan on empty, apply, re-run without writes, plan without changes
converge() {
  local name=$1; shift
  ex --plan run "$@"
  check_eq "$name: plan on an empty account exits 2" "$RC" 2
  check_match "$name: plan line" "$OUT" "Plan: [1-9][0-9]* to add, 0 to change, 0 to destroy\."
  check_eq "$name: plan sent no write (moto has no role, user or provider)" \
    "$(cli_text iam list-roles --query 'length(Roles)')/$(cli_text iam list-users --query 'length(Users)')" "$BEFORE"
  ex run "$@"
  check_eq "$name: apply exits 0" "$RC" 0
  [ "$RC" = 0 ] || printf '%s\n' "$ERR" >&2
  ex --debug run "$@"
  check_eq "$name: re-run exits 0" "$RC" 0
  check_eq "$name: re-run sends no write" "$(writes_of "$ERR")" ""
  ex --plan run "$@"
  check_eq "$name: plan after apply exits 0" "$RC" 0
  check_eq "$name: plan after apply lists nothing" "$OUT" "Plan: 0 to add, 0 to change, 0 to destroy."
}

# teardown NAME SCRIPT ARGS...: teardown, then a plan that finds nothing
teardown() {
  local name=$1; shift
  ex --plan run "$@" teardown=true
  check_eq "$name: teardown plan exits 2" "$RC" 2
  ex run "$@" teardown=true
  check_eq "$name: teardown exits 0" "$RC" 0
  [ "$RC" = 0 ] || printf '%s\n' "$ERR" >&2
  ex --plan run "$@" teardown=true
  check_eq "$name: nothing left to tear down" "$RC" 0
}

BEFORE="$(cli_text iam list-roles --query 'length(Roles)')/$(cli_text iam list-users --query 'length(Users)')"

# --- a CI deploy user with a customer managed policy ------------------------------------
converge ci "$EX/ci-deploy-user.lua" bucket=my-site
check_eq "ci: the user, on its path" "$(cli_text iam get-user --user-name ci-deploy --query User.Arn)" "$A:user/ci/ci-deploy"
check_eq "ci: the policy is attached" \
  "$(cli_text iam list-attached-user-policies --user-name ci-deploy --query 'AttachedPolicies[].PolicyArn')" \
  "$A:policy/ci-deploy-upload"
VERSION=$(cli_text iam get-policy --policy-arn "$A:policy/ci-deploy-upload" --query Policy.DefaultVersionId)
check_eq "ci: the policy allows uploads to the bucket only" \
  "$(cli_text iam get-policy-version --policy-arn "$A:policy/ci-deploy-upload" --version-id "$VERSION" \
     --query 'PolicyVersion.Document.Statement[?Sid==`Upload`].Resource')" "arn:aws:s3:::my-site/*"
check_eq "ci: the policy's tags" \
  "$(cli_text iam list-policy-tags --policy-arn "$A:policy/ci-deploy-upload" --query 'Tags[?Key==`purpose`].Value')" "ci"
check_eq "ci: one access key" "$(cli_text iam list-access-keys --user-name ci-deploy --query 'length(AccessKeyMetadata)')" 1
check_eq "ci: the key file, mode 0600" "$(stat -c %a "$WORK/ci-deploy-key.json")" 600
KEY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccessKeyId"])' "$WORK/ci-deploy-key.json")
check_eq "ci: the file's key is the user's" \
  "$(cli_text iam list-access-keys --user-name ci-deploy --query 'AccessKeyMetadata[0].AccessKeyId')" "$KEY"
teardown ci "$EX/ci-deploy-user.lua" bucket=my-site
check "ci: user gone" test -z "$(cli_text iam list-users --query "Users[?UserName=='ci-deploy'].UserName")"
check "ci: policy gone" test -z "$(cli_text iam list-policies --scope Local --query "Policies[?PolicyName=='ci-deploy-upload'].PolicyName")"
check "ci: key file gone" test ! -e "$WORK/ci-deploy-key.json"

# --- a Lambda role with an inline policy and tags ------------------------------------
converge lambda "$EX/lambda-role.lua" env=prod
check_eq "lambda: trusted by Lambda" \
  "$(cli_text iam get-role --role-name orders-fn --query 'Role.AssumeRolePolicyDocument.Statement[0].Principal.Service')" \
  "lambda.amazonaws.com"
check_eq "lambda: logs policy" \
  "$(cli_text iam list-attached-role-policies --role-name orders-fn --query 'AttachedPolicies[].PolicyArn')" \
  "$P/service-role/AWSLambdaBasicExecutionRole"
check_eq "lambda: inline policy" "$(cli_text iam list-role-policies --role-name orders-fn --query 'PolicyNames')" \
  "dynamodb-orders"
check_eq "lambda: inline policy's table" \
  "$(cli_text iam get-role-policy --role-name orders-fn --policy-name dynamodb-orders --query 'PolicyDocument.Statement[0].Resource[0]')" \
  "arn:aws:dynamodb:*:123456789012:table/orders"
check_eq "lambda: tags" "$(cli_text iam list-role-tags --role-name orders-fn --query 'Tags[?Key==`env`].Value')" "prod"
# drift: a tag changed by hand is planned as old -> new, then repaired
aws_cli iam tag-role --role-name orders-fn --tags Key=env,Value=dev
ex --plan run "$EX/lambda-role.lua" env=prod
check_eq "lambda: drift planned" "$RC" 2
check_match "lambda: the tag's change shown" "$OUT" '~ env: "dev" -> "prod"'
ex run "$EX/lambda-role.lua" env=prod
check_eq "lambda: drift repaired" "$(cli_text iam list-role-tags --role-name orders-fn --query 'Tags[?Key==`env`].Value')" "prod"
teardown lambda "$EX/lambda-role.lua"
check "lambda: role gone" test -z "$(cli_text iam list-roles --query "Roles[?RoleName=='orders-fn'].RoleName")"

# --- a GitHub Actions OIDC role ----------------------------------------------------
converge github "$EX/github-oidc-role.lua" repo=octo-org/app
GH="$A:oidc-provider/token.actions.githubusercontent.com"
check_eq "github: the provider" "$(cli_text iam list-open-id-connect-providers --query 'OpenIDConnectProviderList[].Arn')" "$GH"
check_eq "github: its audience" \
  "$(cli_text iam get-open-id-connect-provider --open-id-connect-provider-arn "$GH" --query 'ClientIDList[0]')" \
  "sts.amazonaws.com"
check_eq "github: the role trusts the provider" \
  "$(cli_text iam get-role --role-name github-deploy --query 'Role.AssumeRolePolicyDocument.Statement[0].Principal.Federated')" "$GH"
check_eq "github: for the repository's branch" \
  "$(aws_cli iam get-role --role-name github-deploy --query 'Role.AssumeRolePolicyDocument.Statement[0].Condition.StringLike' | tr -d ' \n')" \
  '{"token.actions.githubusercontent.com:sub":["repo:octo-org/app:ref:refs/heads/main"]}'
# another branch: the trust policy's diff in the plan
ex --plan run "$EX/github-oidc-role.lua" repo=octo-org/app branch=release
check_eq "github: another branch is a change" "$RC" 2
check_match "github: the trust policy's diff" "$OUT" \
  '~ Condition.StringLike.token.actions.githubusercontent.com:sub: "repo:octo-org/app:ref:refs/heads/main" -> "repo:octo-org/app:ref:refs/heads/release"'
teardown github "$EX/github-oidc-role.lua" repo=octo-org/app
check "github: role gone" test -z "$(cli_text iam list-roles --query "Roles[?RoleName=='github-deploy'].RoleName")"
check "github: provider gone" test -z "$(cli_text iam list-open-id-connect-providers --query 'OpenIDConnectProviderList[].Arn')"

# --- the README's own example (greet.lua), as printed there ---------------------------
awk '/^-- greet.lua/{on=1} on&&/^```/{exit} on{print}' "$IAMSH_SOURCE_DIR/README.md" >"$WORK/greet.lua"
check "README: greet.lua found" test -s "$WORK/greet.lua"
ex --plan run ./greet.lua user=alice
check_eq "README greet: plan exits 2" "$RC" 2
check_eq "README greet: plan" "$OUT" "+ create user alice
+ attach $P/ReadOnlyAccess to user alice
Plan: 2 to add, 0 to change, 0 to destroy."
ex run ./greet.lua user=alice
check_eq "README greet: apply exits 0" "$RC" 0
check_eq "README greet: the policy" \
  "$(cli_text iam list-attached-user-policies --user-name alice --query 'AttachedPolicies[].PolicyArn')" "$P/ReadOnlyAccess"
ex -e 'require("provision").teardown_user({ name = "alice" })'
check_eq "README greet: removed" "$RC" 0

finish
