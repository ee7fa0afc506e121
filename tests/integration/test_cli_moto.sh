#!/usr/bin/env bash
# The real binary against moto_server on loopback: exit codes of AWS errors, the
# redacted --debug log, assume-role profiles, and the README's one-liners.
. "$IAMSH_TEST_SUPPORT/lib.sh"
start_moto

run_iamsh --endpoint-url "$ENDPOINT" -e 'print(sts.get_caller_identity().Account)'
check_eq "get_caller_identity account" "$OUT" "123456789012"

run_iamsh --endpoint-url "$ENDPOINT" -e 'iam.get_role{RoleName = "does-not-exist"}'
check_eq "uncaught service error exits 254" "$RC" 254
check_match "service error line" "$ERR" "^iamsh: GetRole: NoSuchEntity \(404\): .*does-not-exist"
check_eq "service error: one line" "$(printf '%s\n' "$ERR" | wc -l)" 1

# The issue's own acceptance one-liner.
run_iamsh --endpoint-url "$ENDPOINT" -e 'print(iam.create_role{RoleName="r", AssumeRolePolicyDocument={Version="2012-10-17", Statement={{Effect="Allow", Principal={Service="sagemaker.amazonaws.com"}, Action="sts:AssumeRole"}}}}.Role.Arn)'
check_eq "create_role prints the ARN" "$OUT" "arn:aws:iam::123456789012:role/r"
check_eq "the role exists for the AWS CLI" \
  "$(aws_cli iam get-role --role-name r --query Role.RoleName --output text)" "r"

# --debug: a wire log with the secrets redacted.
export AWS_SESSION_TOKEN=FQoGZXIvYXdzEXAMPLETOKENxyz
run_iamsh --debug --endpoint-url "$ENDPOINT" -e '
  iam.create_user{UserName = "dbg"}
  local k = iam.create_access_key{UserName = "dbg"}.AccessKey
  io.stdout:write(k.SecretAccessKey)'
unset AWS_SESSION_TOKEN
SECRET=$OUT
check_eq "--debug run exits 0" "$RC" 0
check_match "--debug logs the request" "$ERR" "Action=CreateAccessKey"
check_match "--debug redacts Authorization" "$ERR" "[Aa]uthorization: <redacted>"
check_absent "--debug hides the signing secret" "$ERR" "$AWS_SECRET_ACCESS_KEY"
check_absent "--debug hides the session token" "$ERR" "FQoGZXIvYXdzEXAMPLETOKENxyz"
check "the new secret was returned" test -n "$SECRET"
check_absent "--debug hides the new secret" "$ERR" "$SECRET"

# An assume-role profile: base keys in the credentials file, role_arn in config.
printf '[base]\naws_access_key_id = AKIDFAKEFAKEFAKE01\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n' >"$TMP/aws-credentials"
printf '[profile ar]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\nrole_session_name = ci\n' >"$TMP/aws-config"
run_iamsh --profile ar --endpoint-url "$ENDPOINT" -e '
  local c = aws.config()
  print(c.credential_source, sts.get_caller_identity().Arn)'
check_eq "assume-role profile" "$OUT" "assume-role	arn:aws:sts::123456789012:assumed-role/r/ci"

# AssumeRoleWithWebIdentity goes unsigned, as the model says: no credentials needed.
printf '' >"$TMP/aws-config"; printf '' >"$TMP/aws-credentials"
OUT=$(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$IAMSH" --endpoint-url "$ENDPOINT" -e '
  local r = sts.assume_role_with_web_identity{RoleArn = "arn:aws:iam::123456789012:role/r",
    RoleSessionName = "web", WebIdentityToken = "header.payload.signature"}
  print(r.AssumedRoleUser.Arn, aws.is_secret(r.Credentials.SecretAccessKey))' 2>&1)
check_eq "an unsigned operation needs no credentials" "$OUT" \
  "arn:aws:sts::123456789012:assumed-role/r/web	true"
# ... and goes out with no signature: both of STS's unsigned operations, as the fault
# server received them (its last request, GET /__last).
coproc FAULT { exec python3 "$IAMSH_TEST_SUPPORT/fault_server.py" --lifetime 120 ok; }
read -r -t 30 FPORT <&"${FAULT[0]}"
for call in 'sts.assume_role_with_web_identity{RoleArn = "arn:aws:iam::123456789012:role/r", RoleSessionName = "web", WebIdentityToken = "header.payload.signature"}' \
            'sts.assume_role_with_saml{RoleArn = "arn:aws:iam::123456789012:role/r", PrincipalArn = "arn:aws:iam::123456789012:saml-provider/p", SAMLAssertion = string.rep("x", 8)}'; do
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$IAMSH" --endpoint-url "http://127.0.0.1:$FPORT" \
    -e "pcall(function() $call end)" >/dev/null 2>&1
  LAST=$(curl -s "http://127.0.0.1:$FPORT/__last")
  check_match "unsigned: the request reached the endpoint (${call%%\{*})" "$LAST" '"body": "Action=AssumeRoleWith'
  check_nomatch "unsigned: no Authorization header (${call%%\{*})" "$LAST" '"[Aa]uthorization"'
  check_nomatch "unsigned: no X-Amz-Date (${call%%\{*})" "$LAST" '"[Xx]-[Aa]mz-[Dd]ate"'
done

# --plan sends no write, even from a plain script that calls IAM directly.
printf '' >"$TMP/aws-config"; printf '' >"$TMP/aws-credentials"
run_iamsh --plan --endpoint-url "$ENDPOINT" -e '
  print(#iam.list_roles().Roles >= 1, sts.get_caller_identity().Account)
  iam.create_user{UserName = "planned"}'
check_eq "--plan: reads go out" "$OUT" "true	123456789012"
check_eq "--plan: a write is refused (exit 1)" "$RC" 1
check_match "--plan: the refusal names the call" "$ERR" "^iamsh: create_user: not sent: --plan sends no write"
check_eq "--plan: the user was not created"   "$(aws_cli iam get-user --user-name planned 2>&1 >/dev/null | grep -c NoSuchEntity)" 1
run_iamsh --plan --endpoint-url "$ENDPOINT" -e '
  local ok, err = pcall(iam.delete_role, {RoleName = "r"})
  print(ok, err.code, aws.is_error(err))'
check_eq "--plan: the refusal is an aws.Error" "$OUT" "false	PlanModeWrite	true
Plan: 0 to add, 0 to change, 0 to destroy."
check_eq "--plan: PlanModeWrite is one line" "$(printf '%s\n' "$ERR" | grep -c .)" 0

# --plan cannot be switched off from a script: iamsh.options is a read-only view, and
# the AWS module holds its own copy of the options, which nothing in Lua reaches
# (not the view's metatable, not the registry, not a fresh session).
run_iamsh --plan --endpoint-url "$ENDPOINT" -e '
  local iamsh = require "iamsh"
  print(pcall(function() iamsh.options.plan = false end))
  print(#iam.list_roles().Roles >= 1)
  debug.getmetatable(iamsh.options).__index = function() return false end
  local reg = debug.getregistry()
  for _, v in pairs(reg) do
    if type(v) == "table" and rawget(v, "plan") ~= nil then rawset(v, "plan", false) end
  end
  reg["iamsh.options"] = { plan = false }
  reg["aws.session"] = nil
  collectgarbage()
  local ok, err = pcall(iam.create_user, { UserName = "sneaky" })
  print(iamsh.options.plan, ok, err.code)'
check_match "--plan: iamsh.options refuses a write" "$OUT" "^false	.*iamsh.options is read-only"
check_match "--plan: a write after tampering is still refused" "$OUT" "false	false	PlanModeWrite"
check_eq "--plan: the user was not created after tampering" \
  "$(aws_cli iam get-user --user-name sneaky 2>&1 >/dev/null | grep -c NoSuchEntity)" 1

# -e, stdin and run end the same way: the plan summary and exit 2 with changes,
# and after an apply that used the provision library, the Done line.
run_iamsh --plan --endpoint-url "$ENDPOINT" -e 'provision.user{name = "cli-plan-user"}'
check_eq "-e --plan with changes exits 2" "$RC" 2
check_eq "-e --plan prints the plan" "$OUT" "+ create user cli-plan-user
Plan: 1 to add, 0 to change, 0 to destroy."
OUT=$(printf 'provision.user{name = "cli-plan-user"}\n' | "$IAMSH" --endpoint-url "$ENDPOINT" --plan 2>/dev/null)
check_eq "stdin --plan exits 2 as well" "$?:$(printf '%s' "$OUT" | tail -1)" "2:Plan: 1 to add, 0 to change, 0 to destroy."
run_iamsh --endpoint-url "$ENDPOINT" -e 'provision.user{name = "cli-plan-user"}'
check_eq "-e apply exits 0" "$RC" 0
check_match "-e apply prints the Done line" "$ERR" "Done: 1 added, 0 changed, 0 destroyed\."
run_iamsh --quiet --endpoint-url "$ENDPOINT" -e 'provision.user{name = "cli-plan-user"}'
check_eq "--quiet: no Done line" "$ERR" ""
run_iamsh --endpoint-url "$ENDPOINT" -e 'print(#iam.list_users().Users > 0)'
check_eq "no provision, no Done line" "$ERR" ""

# A waiter that gives up exits 255, as `aws iam wait` does.
run_iamsh --endpoint-url "$ENDPOINT" -e 'iam.wait("user_exists", {UserName = "nobody"}, {timeout = 1, delay = 0.2})'
check_eq "waiter timeout exits 255" "$RC" 255
check_match "waiter timeout line" "$ERR" "WaiterTimeout"

# Temporary credentials are refreshed before they expire: a credential_process whose
# credentials expire within the refresh window (15 min) runs again for each call; one
# whose credentials last two hours runs once.
cat >"$TMP/cp.sh" <<'SH'
#!/bin/sh
echo run >>"$1"
exp=$(date -u -d "@$(( $(date +%s) + $2 ))" +%Y-%m-%dT%H:%M:%SZ)
printf '{"Version": 1, "AccessKeyId": "ASIDFAKEFAKEFAKE01", "SecretAccessKey": "fake/secret", "SessionToken": "faketoken", "Expiration": "%s"}\n' "$exp"
SH
chmod +x "$TMP/cp.sh"
printf '[profile short]\ncredential_process = %s %s 600\n[profile long]\ncredential_process = %s %s 7200\n' \
  "$TMP/cp.sh" "$TMP/short.count" "$TMP/cp.sh" "$TMP/long.count" >"$TMP/aws-config"
run_iamsh --profile short --endpoint-url "$ENDPOINT" -e 'for i = 1, 3 do sts.get_caller_identity() end print(aws.config().credential_source)'
check_eq "short-lived process credentials: ok" "$OUT" "process"
check_eq "short-lived credentials are refreshed before each call" "$(wc -l <"$TMP/short.count")" 4
run_iamsh --profile long --endpoint-url "$ENDPOINT" -e 'for i = 1, 3 do sts.get_caller_identity() end'
check_eq "long-lived credentials are resolved once" "$(wc -l <"$TMP/long.count")" 1
# Already-expired credentials, and output with trailing text, are refused (253).
printf '[profile expired]\ncredential_process = %s %s -60\n' "$TMP/cp.sh" "$TMP/expired.count" >"$TMP/aws-config"
run_iamsh --profile expired --endpoint-url "$ENDPOINT" -e 'sts.get_caller_identity()'
check_eq "expired process credentials exit 253" "$RC" 253
check_match "expired process credentials: clear line" "$ERR" "already expired"
printf '#!/bin/sh\necho "{\\"Version\\": 1, \\"AccessKeyId\\": \\"a\\", \\"SecretAccessKey\\": \\"b\\"} trailing"\n' >"$TMP/cp-trail"
chmod +x "$TMP/cp-trail"
printf '[profile trail]\ncredential_process = %s\n' "$TMP/cp-trail" >"$TMP/aws-config"
run_iamsh --profile trail --endpoint-url "$ENDPOINT" -e 'sts.get_caller_identity()'
check_eq "process output with trailing text exits 253" "$RC" 253
check_match "trailing text: clear line" "$ERR" "not one JSON object"
printf '' >"$TMP/aws-config"

# A profile with a cycle is a configuration error.
printf '[profile a]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = a\n' >"$TMP/aws-config"
run_iamsh --profile a --endpoint-url "$ENDPOINT" -e 'sts.get_caller_identity()'
check_eq "source_profile cycle exits 253" "$RC" 253

finish
