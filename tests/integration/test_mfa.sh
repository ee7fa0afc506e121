#!/usr/bin/env bash
# MFA-protected assume-role profiles and the AWS CLI's credential cache, through the real
# binary against moto: the code asked on the terminal (a pseudo-terminal,
# tests/support/pty_session.py) with the CLI's prompt and sent with every profile
# setting; the answer cached in ~/.aws/cli/cache, so the next run needs no terminal;
# one clear line (253) without a terminal; the cache shared both ways with botocore (set
# up as the AWS CLI sets it up) and read by the AWS CLI itself.
. "$IAMSH_TEST_SUPPORT/lib.sh"
start_moto
export AWS_ENDPOINT_URL_STS=$ENDPOINT AWS_ENDPOINT_URL_IAM=$ENDPOINT
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 # botocore reads the second
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
SERIAL=arn:aws:iam::123456789012:mfa/alice
cat >"$TMP/aws-config" <<EOF
[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = base
mfa_serial = $SERIAL
duration_seconds = 1800
external_id = ext-1234
role_session_name = admin-sess
source_identity = alice
[profile mfa-shared]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = base
mfa_serial = $SERIAL
role_session_name = shared-sess
[profile plain]
role_arn = arn:aws:iam::123456789012:role/plain
source_profile = base
EOF
BASE_SECRET=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEBASE
printf '[base]\naws_access_key_id = AKIDFAKEFAKEFAKE03\naws_secret_access_key = %s\n' \
  "$BASE_SECRET" >"$TMP/aws-credentials"
CLI_CACHE=$HOME/.aws/cli/cache
# botocore's key for admin's AssumeRole arguments (SourceIdentity included: the CLI does
# not read source_identity, so a profile that sets it has an entry of its own)
ADMIN_ENTRY=$CLI_CACHE/b86b65460e4abef33c67e16d52cfe7cc2ecfaab3.json

# pty PROFILE CODE LUA: run iamsh in a pseudo-terminal, answer the MFA prompt with CODE.
pty() {
  printf 'wait Enter MFA code for %s: $\nline %s\n' "$SERIAL" "$2" >"$TMP/steps"
  OUT=$(python3 "$IAMSH_TEST_SUPPORT/pty_session.py" --timeout 60 -- \
        "$IAMSH" --debug --profile "$1" -e "$3" <"$TMP/steps")
}
# No controlling terminal at all (a CI job, a cron job): setsid.
no_tty() { setsid -w "$IAMSH" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"; RC=$?; OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err"); }
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["Credentials"][sys.argv[2]])' "$1" "$2"; }
botocore() { python3 "$IAMSH_TEST_SUPPORT/botocore_creds.py" "$@" 2>&1; }

# --- the prompt, on the terminal, and every setting of the profile sent -------------
pty admin 123456 'print("ARN " .. sts.get_caller_identity().Arn)'
check_match "MFA: the CLI's prompt on the terminal" "$OUT" "Enter MFA code for $SERIAL:"
check_match "MFA: the role is assumed" "$OUT" "ARN arn:aws:sts::123456789012:assumed-role/admin/admin-sess"
check_match "MFA: TokenCode sent" "$OUT" "TokenCode=123456"
check_match "MFA: SerialNumber sent" "$OUT" "SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice"
for p in DurationSeconds=1800 ExternalId=ext-1234 RoleSessionName=admin-sess SourceIdentity=alice; do
  check_match "MFA: $p sent" "$OUT" "Action=AssumeRole&.*$p"
done
check_nomatch "MFA: the code is not echoed" "$OUT" "Enter MFA code for $SERIAL: 123456"
check_match "MFA: exit 0" "$OUT" "EXIT 0\$"
check_absent "MFA: --debug hides the base secret" "$OUT" "$BASE_SECRET"
check_eq "MFA: the answer cached under botocore's key, 0600" "$(stat -c %a "$ADMIN_ENTRY")" 600
check_absent "MFA: --debug hides the role's secret" "$OUT" "$(field "$ADMIN_ENTRY" SecretAccessKey)"
check_absent "MFA: --debug hides the role's token" "$OUT" "$(field "$ADMIN_ENTRY" SessionToken)"
check_match "MFA: the CLI's Expiration format" "$(field "$ADMIN_ENTRY" Expiration)" "^20[0-9-]+T[0-9:]+UTC\$"

# --- the next run, with no terminal: the cache, no prompt, no STS call --------------
no_tty --profile admin -e 'print(sts.get_caller_identity().Arn, aws.config().access_key_id)'
check_eq "cached: no terminal needed" "$RC" 0
check_eq "cached: the same session and key" "$OUT" \
  "arn:aws:sts::123456789012:assumed-role/admin/admin-sess	$(field "$ADMIN_ENTRY" AccessKeyId)"
# The issue's "done when": the shipped flow under the MFA-protected admin role, from a
# job with no terminal, on the credentials cached by the first run.
mkdir -p "$TMP/work"
cd "$TMP/work" && no_tty --profile admin --plan run sagemaker; cd - >/dev/null
check_eq "cached: iamsh --profile admin --plan run sagemaker exits 2 (changes to make)" "$RC" 2
check_match "cached: ... with the plan" "$OUT" "Plan: 14 to add, 0 to change, 0 to destroy\."

# --- no terminal and nothing cached: one line, 253 ---------------------------------
rm -f "$ADMIN_ENTRY"
no_tty --profile admin -e 'sts.get_caller_identity()'
check_eq "no terminal: exit 253" "$RC" 253
check_eq "no terminal: one line naming profile, serial and fix" "$ERR" \
  "iamsh: profile 'admin' needs an MFA code for $SERIAL (mfa_serial) and there is no terminal to ask on: run iamsh from a terminal once (the role's credentials are then cached in ~/.aws/cli/cache for later runs), or \`aws sts assume-role\` there"
pty admin '' 'sts.get_caller_identity()'
check_match "no code typed: the line" "$OUT" "iamsh: profile 'admin': no MFA code entered for $SERIAL: run again"
check_match "no code typed: exit 253" "$OUT" "EXIT 253\$"
printf 'wait Enter MFA code for %s: $\nkey C-c\n' "$SERIAL" >"$TMP/steps"
OUT=$(python3 "$IAMSH_TEST_SUPPORT/pty_session.py" --timeout 30 -- \
      "$IAMSH" --profile admin -e 'sts.get_caller_identity()' <"$TMP/steps")
check_match "Ctrl-C at the prompt: exit 130" "$OUT" "EXIT 130\$"
check "Ctrl-C at the prompt: nothing cached" test ! -e "$ADMIN_ENTRY"

# --- the cache shared with botocore and the AWS CLI, both ways -----------------------
pty mfa-shared 654321 'print("KEY " .. aws.config().access_key_id)'
KEY=$(printf '%s\n' "$OUT" | sed -n 's/^KEY \([A-Z0-9]*\).*/\1/p')
check "iamsh -> botocore: iamsh has a key" test -n "$KEY"
check_eq "iamsh -> botocore: botocore uses iamsh's entry (it may not prompt)" "$(botocore mfa-shared)" "$KEY"
check_eq "iamsh -> AWS CLI: the CLI uses iamsh's entry" \
  "$("$AWS_CLI" configure export-credentials --profile mfa-shared --format process </dev/null 2>&1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKeyId"])')" "$KEY"
PLAIN=$(botocore plain)
check "botocore -> iamsh: botocore assumed the role" test -n "$PLAIN"
run_iamsh --profile plain -e 'print(aws.config().access_key_id, sts.get_caller_identity().Arn)'
check_match "botocore -> iamsh: iamsh uses botocore's entry (its session name)" "$OUT" \
  "^$PLAIN	arn:aws:sts::123456789012:assumed-role/plain/botocore-session-[0-9]+\$"
check_eq "one entry a profile" "$(ls "$CLI_CACHE" | wc -l)" 2

finish
