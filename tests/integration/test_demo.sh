#!/usr/bin/env bash
# The README's first command (tools/demo-local.sh) runs `iamsh --local run sagemaker` (no
# account, no credentials, no moto) and prints the role ARN; the second run changes nothing.
. "$IAMSH_TEST_SUPPORT/lib.sh"
TMPDIR=$TMP IAMSH_BIN=$IAMSH bash "$IAMSH_SOURCE_DIR/tools/demo-local.sh" >"$TMP/out" 2>"$TMP/err"
check_eq "demo exits 0" "$?" 0
check_match "demo prints the role ARN" "$(cat "$TMP/out")" \
  "Role ARN: arn:aws:iam::123456789012:role/SageMakerExecutionRoleLLM"
check_match "demo: iamsh's own local endpoint, no account" "$(cat "$TMP/err")" \
  "iamsh: local IAM and STS \(state \.iamsh/local\.db\): no AWS account is used"
check_match "demo's second run plans no change" "$(cat "$TMP/err")" \
  "Plan: 0 to add, 0 to change, 0 to destroy\."
creds=$(find "$TMP" -name sagemaker_user_credentials.json | head -1)
secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["SecretAccessKey"])' "$creds")
check_absent "demo prints no secret key" "$(cat "$TMP/out" "$TMP/err")" "$secret"
check_absent "demo prints no signing secret" "$(cat "$TMP/out" "$TMP/err")" \
  wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
finish
