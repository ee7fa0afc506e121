#!/usr/bin/env bash
# The model-driven IAM/STS bindings against moto_server, state checked with the AWS CLI.
. "$IAMSH_TEST_SUPPORT/lib.sh"
start_moto
here=$(dirname "$0")
export KEYS_OUT="$TMP/keys"
LUA_PATH="$here/../lua/?.lua;;" run_iamsh --endpoint-url "$ENDPOINT" run "$here/bindings_moto.lua"
printf '%s\n' "$OUT"
[ -n "$ERR" ] && printf '%s\n' "$ERR" >&2
check_eq "the Lua binding tests pass" "$RC" 0
check_match "the Lua binding tests ran" "$OUT" "[1-9][0-9]* passed, 0 failed"

# An independent client sees what the bindings did.
check_eq "AWS CLI: the keys user has two keys" \
  "$(aws_cli iam list-access-keys --user-name keys --query 'AccessKeyMetadata[].AccessKeyId' --output text | tr '\t' '\n' | sort)" \
  "$(sort "$TMP/keys")"
check_eq "AWS CLI: the deleted role is gone" \
  "$(aws_cli iam get-role --role-name life 2>&1 >/dev/null | grep -c NoSuchEntity)" 1
check_eq "AWS CLI: the user's tag" \
  "$(aws_cli iam list-user-tags --user-name keys --query 'Tags[0].Value' --output text)" v
finish
