#!/usr/bin/env bash
# whoami, show.role/user/policy and stale against moto_server, on state made by the
# AWS CLI (an independent client). The Lua side (inspect_moto.lua) checks the data;
# this file checks the printed text and that no secret is ever printed.
. "$IAMSH_TEST_SUPPORT/lib.sh"
start_moto
here=$(dirname "$0")
ACCOUNT=123456789012
ALL="$TMP/all-output"   # everything iamsh printed, searched for secrets at the end
: >"$ALL"
# iam ARGS...: run_iamsh against moto at a fixed width, keeping all output.
iam() {
  COLUMNS=80 run_iamsh --endpoint-url "$ENDPOINT" "$@"
  printf '%s\n%s\n' "$OUT" "$ERR" >>"$ALL"
}
json() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1], {"d": d}))' "$1"; }

# --- known state ---
cat >"$TMP/trust.json" <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
 "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "abc"}}}]}
JSON
cat >"$TMP/read.json" <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
 "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]}]}
JSON
cat >"$TMP/logs.json" <<'JSON'
{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}}
JSON
SHARED=arn:aws:iam::$ACCOUNT:policy/team/inspect-shared
BOUNDARY=arn:aws:iam::$ACCOUNT:policy/inspect-boundary
{
  aws_cli iam create-policy --policy-name inspect-boundary --policy-document "file://$TMP/read.json"
  aws_cli iam create-policy --policy-name inspect-shared --path /team/ --description "shared by the role and the user" \
    --policy-document "file://$TMP/read.json"
  aws_cli iam create-role --role-name inspect-role --path /svc/ --description "role for the inspection tests" \
    --max-session-duration 7200 --assume-role-policy-document "file://$TMP/trust.json" \
    --permissions-boundary "$BOUNDARY" --tags Key=team,Value=ml Key=env,Value=test
  aws_cli iam attach-role-policy --role-name inspect-role --policy-arn "$SHARED"
  aws_cli iam attach-role-policy --role-name inspect-role --policy-arn arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
  aws_cli iam put-role-policy --role-name inspect-role --policy-name inline-read --policy-document "file://$TMP/read.json"
  aws_cli iam create-group --group-name inspect-devs
  aws_cli iam attach-group-policy --group-name inspect-devs --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess
  aws_cli iam put-group-policy --group-name inspect-devs --policy-name group-logs --policy-document "file://$TMP/logs.json"
  aws_cli iam create-user --user-name inspect-user --tags Key=dept,Value=eng
  aws_cli iam add-user-to-group --user-name inspect-user --group-name inspect-devs
  aws_cli iam attach-user-policy --user-name inspect-user --policy-arn "$SHARED"
  aws_cli iam put-user-policy --user-name inspect-user --policy-name user-logs --policy-document "file://$TMP/logs.json"
  aws_cli iam create-login-profile --user-name inspect-user --password 'Pw-Inspect-0123456789!'
  aws_cli iam create-virtual-mfa-device --virtual-mfa-device-name inspect-mfa --outfile "$TMP/qr.png" \
    --bootstrap-method QRCodePNG
  aws_cli iam enable-mfa-device --user-name inspect-user --serial-number "arn:aws:iam::$ACCOUNT:mfa/inspect-mfa" \
    --authentication-code1 123456 --authentication-code2 654321
  aws_cli iam create-user --user-name inspect-idle
  # The same name as an AWS managed policy: a name alone is ambiguous then.
  aws_cli iam create-policy --policy-name AmazonS3ReadOnlyAccess --policy-document "file://$TMP/read.json"
} >"$TMP/setup.log" 2>&1 || { cat "$TMP/setup.log" >&2; echo "setting up the state failed" >&2; exit 1; }
aws_cli iam create-access-key --user-name inspect-user >"$TMP/key1.json"
aws_cli iam create-access-key --user-name inspect-user >"$TMP/key2.json"
KEY1=$(json 'd["AccessKey"]["AccessKeyId"]' <"$TMP/key1.json")
KEY2=$(json 'd["AccessKey"]["AccessKeyId"]' <"$TMP/key2.json")
SECRET1=$(json 'd["AccessKey"]["SecretAccessKey"]' <"$TMP/key1.json")
SECRET2=$(json 'd["AccessKey"]["SecretAccessKey"]' <"$TMP/key2.json")
CREATED1=$(json 'd["AccessKey"]["CreateDate"]' <"$TMP/key1.json")
# Key 1 is used once (moto records GetAccessKeyLastUsed for it); key 2 never is.
AWS_ACCESS_KEY_ID=$KEY1 AWS_SECRET_ACCESS_KEY=$SECRET1 aws_cli iam list-users >/dev/null
# "Old" keys cannot be made on moto: the clock is moved instead, to 400 days and
# 30 seconds after key 1 was made (key 2 came within seconds: also 400 days old).
NOW=$(( $(date -d "$CREATED1" +%s) + 400 * 86400 + 30 ))
export KEY1 KEY2 NOW ENDPOINT

# --- the data, from Lua ---
LUA_PATH="$here/../lua/?.lua;;" iam --region eu-west-1 run "$here/inspect_moto.lua"
printf '%s\n' "$OUT"
[ -n "$ERR" ] && printf '%s\n' "$ERR" >&2
check_eq "the Lua inspection tests pass" "$RC" 0
check_match "the Lua inspection tests ran" "$OUT" "[1-9][0-9]* passed, 0 failed"

# --- the text: whole views with the volatile parts (dates, key ids) named ---
normal() {
  sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/TIME/g' -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}/DATE/g' \
    -e "s/$KEY1/KEY1/g" -e "s/$KEY2/KEY2/g"
}

iam -e 'print(show.role "inspect-role")'
check_eq "show.role prints the whole summary" "$(printf '%s\n' "$OUT" | normal)" "$(cat <<'TEXT'
Role inspect-role
  arn          arn:aws:iam::123456789012:role/svc/inspect-role
  path         /svc/
  created      DATE
  max session  2 h
  description  role for the inspection tests
  last used    never
  boundary     arn:aws:iam::123456789012:policy/inspect-boundary
  tags         env=test, team=ml

Trusted by (1)
  Allow Service sagemaker.amazonaws.com to sts:AssumeRole
    when sts:ExternalId StringEquals "abc"

Attached policies (2)
  AmazonS3ReadOnlyAccess  arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
  inspect-shared          arn:aws:iam::123456789012:policy/team/inspect-shared

Inline policies (1)
  inline-read
    Read: Allow s3:GetObject, s3:ListBucket
      on arn:aws:s3:::data, arn:aws:s3:::data/*
TEXT
)"

iam -e "print(show.user('inspect-user', {now = $NOW}))"
check_eq "show.user prints the whole summary (ages at a fixed now)" "$(printf '%s\n' "$OUT" | normal)" "$(cat <<'TEXT'
User inspect-user
  arn       arn:aws:iam::123456789012:user/inspect-user
  path      /
  created   DATE
  password  set DATE, last used never
  MFA       arn:aws:iam::123456789012:mfa/inspect-mfa (since DATE)
  boundary  none
  tags      dept=eng

Access keys (2)
  KEY1  Active  400 days old  last used DATE (iam, us-east-1)
  KEY2  Active  400 days old  last used never

Groups (1)
  inspect-devs  arn:aws:iam::123456789012:group/inspect-devs
    Attached policies (1)
      ReadOnlyAccess  arn:aws:iam::aws:policy/ReadOnlyAccess
    Inline policies (1)
      group-logs
        Allow logs:PutLogEvents on *

Attached policies (1)
  inspect-shared  arn:aws:iam::123456789012:policy/team/inspect-shared

Inline policies (1)
  user-logs
    Allow logs:PutLogEvents on *
TEXT
)"

iam -e 'print(show.policy "inspect-shared")'
check_match "show.policy: the header" "$OUT" "^Policy inspect-shared
  arn              arn:aws:iam::123456789012:policy/team/inspect-shared
  path             /team/
  description      shared by the role and the user
  default version  v1
  attachments      2
"
check_match "show.policy: the default version's statements" "$OUT" "
Statements of v1 \(1\)
  Read: Allow s3:GetObject, s3:ListBucket
    on arn:aws:s3:::data, arn:aws:s3:::data/\*
"
check_match "show.policy: where it is attached" "$OUT" "
Attached to \(2\)
  role  inspect-role
  user  inspect-user
"
# moto ignores PolicyUsageFilter (it answers the attachments for either value), so
# the boundary section cannot be checked here; that it is asked for as AWS documents is.
iam --debug -e 'show.policy "inspect-shared"'
check_match "show.policy asks for attachments" "$ERR" "PolicyUsageFilter=PermissionsPolicy"
check_match "show.policy asks for boundary use" "$ERR" "PolicyUsageFilter=PermissionsBoundary"

iam -e 'print(show.policy "ReadOnlyAccess")'
check_match "show.policy: an AWS managed policy by name" "$OUT" \
  "^Policy ReadOnlyAccess \(AWS managed\)
  arn              arn:aws:iam::aws:policy/ReadOnlyAccess
"
check_match "show.policy: a long action list is cut with a count" "$OUT" ", \(\+[0-9]+ more\)"

# --- a name that does not exist: IAM's one-line error, exit 254 ---
iam -e 'show.role "no-such-role"'
check_eq "show.role of a missing role exits 254" "$RC" 254
check_match "show.role: IAM's NoSuchEntity" "$ERR" "^iamsh: GetRole: NoSuchEntity \(404\): .*no-such-role"
check_eq "show.role: one line" "$(printf '%s\n' "$ERR" | wc -l)" 1
iam -e 'show.user "no-such-user"'
check_match "show.user: IAM's NoSuchEntity" "$ERR" "^iamsh: GetUser: NoSuchEntity \(404\): .*no-such-user"
iam -e 'show.policy "no-such-policy"'
check_eq "show.policy of a missing name exits 254" "$RC" 254
check_eq "show.policy: one line naming it" "$ERR" \
  "iamsh: show.policy: NoSuchEntity: Policy no-such-policy was not found (neither one of the account's nor an AWS managed policy)"

# --- stale, as the CLI prints it ---
iam -e "for _, r in ipairs(stale{now = $NOW, kinds = {'key'}}) do print(r.AccessKeyId, r.LastUsed, r.DaysUnused) end"
check_eq "stale: both keys, the never used one marked" "$(printf '%s\n' "$OUT" | normal | sort)" \
  "$(printf 'KEY1\tTIME\t400\nKEY2\tnever\t400')"

# --- whoami as the user's own key: the key's user, and never its secret ---
AWS_ACCESS_KEY_ID=$KEY1 AWS_SECRET_ACCESS_KEY=$SECRET1 iam -e 'for k, v in pairs(whoami()) do print(k, v) end'
check_match "whoami as key 1: the user's ARN" "$OUT" "Arn	arn:aws:iam::123456789012:user/inspect-user"
check_match "whoami: the credential source" "$OUT" "CredentialSource	env"

# --- no secret ever in any output ---
for s in "$SECRET1" "$SECRET2" "$AWS_SECRET_ACCESS_KEY" 'Pw-Inspect-0123456789!'; do
  check "no secret in any output (${s:0:4}...)" test "$(grep -cF -- "$s" "$ALL")" -eq 0
done
check "the outputs were searched" test "$(wc -l <"$ALL")" -gt 100
finish
