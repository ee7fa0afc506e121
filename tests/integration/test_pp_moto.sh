#!/usr/bin/env bash
# The printer (pp, tabulate, reveal) and help against moto_server: secrets of real
# results never reach stdout unless revealed; column tables of real lists.
. "$IAMSH_TEST_SUPPORT/lib.sh"
start_moto
here=$(dirname "$0")
LUA_PATH="$here/../lua/?.lua;;" run_iamsh --endpoint-url "$ENDPOINT" run "$here/pp_moto.lua"
printf '%s\n' "$OUT"
[ -n "$ERR" ] && printf '%s\n' "$ERR" >&2
check_eq "the Lua printer tests pass" "$RC" 0
check_match "the Lua printer tests ran" "$OUT" "[1-9][0-9]* passed, 0 failed"

# End to end: the secret goes to stderr on purpose, stdout (pp) must not hold it.
run_iamsh --endpoint-url "$ENDPOINT" -e '
  iam.create_user { UserName = "shell-keys" }
  local k = iam.create_access_key { UserName = "shell-keys" }
  io.stderr:write(k.AccessKey.SecretAccessKey)
  pp(k)
  pp(k.AccessKey.SecretAccessKey, { k.AccessKey })'
check_eq "pp with a new key runs" "$RC" 0
check "the secret was written to stderr" test "${#ERR}" -ge 20
# (a literal substring test: a secret may hold + or /, which a regex would read)
if [[ "$OUT" == *"$ERR"* ]]; then fail "pp printed the secret: $OUT"; else pass; fi
check_match "pp shows where it was" "$OUT" "SecretAccessKey = <redacted>"
check_match "the bare secret prints redacted" "$OUT" $'\n<redacted>\n'
check_match "the AWS CLI sees the key pp printed" \
  "$OUT" "$(aws_cli iam list-access-keys --user-name shell-keys --query 'AccessKeyMetadata[0].AccessKeyId' --output text)"

run_iamsh --endpoint-url "$ENDPOINT" -e '
  local k = iam.create_access_key { UserName = "shell-keys" }
  io.stderr:write(k.AccessKey.SecretAccessKey)
  pp(reveal(k.AccessKey.SecretAccessKey))'
check_eq "reveal prints the secret itself" "$OUT" "\"$ERR\""

# help reads the model without any network.
COLUMNS=80 run_iamsh -e 'help "create_role"'
check_eq "help runs" "$RC" 0
check_match "help marks a required parameter" "$OUT" "RoleName  +required  string, 1\.\.64 chars"
check_match "help lists the errors" "$OUT" "EntityAlreadyExists +409"
finish
