#!/usr/bin/env bash
# IAM Identity Center (SSO) through the real binary, against a fake of SSO OIDC and the
# portal (tests/support/fake_sso.py) and moto for STS: `iamsh sso login` (pending,
# slow_down, success), sso_session and legacy profiles, the sign-in and the role
# credentials shared both ways with botocore and the AWS CLI (same files), the token's
# refresh, the messages when there is none, `iamsh sso logout`; no token or secret on
# any output, --debug included.
. "$IAMSH_TEST_SUPPORT/lib.sh"
start_moto
start_helper SSO_PORT fake_sso.py --device pending,slow_down,ok --token cli-legacy-token \
  --lifetime 280
start_helper FAST_PORT fake_sso.py --role-ttl 600 --lifetime 280
SSO_URL=http://127.0.0.1:$SSO_PORT FAST_URL=http://127.0.0.1:$FAST_PORT
# IAM Identity Center credentials only: no keys in the environment.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export AWS_ENDPOINT_URL_SSO=$SSO_URL AWS_ENDPOINT_URL_SSO_OIDC=$SSO_URL
export AWS_ENDPOINT_URL_STS=$ENDPOINT AWS_ENDPOINT_URL_IAM=$ENDPOINT AWS_REGION=us-east-1
START=https://d-123.awsapps.com/start
cat >"$TMP/aws-config" <<EOF
[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
[sso-session corp]
sso_start_url = $START
sso_region = us-east-1
sso_registration_scopes = sso:account:access
[profile legacy]
sso_start_url = $START
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = ReadOnly
[profile admin-via-sso]
role_arn = arn:aws:iam::123456789012:role/r
source_profile = dev
role_session_name = via-sso
[profile other]
sso_session = other
sso_account_id = 111122223333
sso_role_name = Admin
[sso-session other]
sso_start_url = https://other.awsapps.com/start
sso_region = us-east-1
[profile fast]
sso_session = fast
sso_account_id = 444455556666
sso_role_name = Fast
[sso-session fast]
sso_start_url = https://fast.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
[profile svc]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ViaServices
services = fakesso
[services fakesso]
sso =
  endpoint_url = $SSO_URL
sso_oidc =
  endpoint_url = $SSO_URL
EOF
cat >>"$TMP/aws-config" <<EOF
[profile plain-role]
role_arn = arn:aws:iam::123456789012:role/r
source_profile = keys
EOF
printf '[keys]\naws_access_key_id = AKIDFAKEFAKEFAKE02\naws_secret_access_key = fake/secret\n' \
  >"$TMP/aws-credentials"
CACHE=$HOME/.aws/sso/cache CLI_CACHE=$HOME/.aws/cli/cache
CORP_TOKEN=$CACHE/ee0bfd2552fbd840c02cc48b6e823320543c450f.json       # sha1("corp")
LEGACY_TOKEN=$CACHE/2b829a45f04c9828cb45b7d092d8e4aa30818393.json     # sha1(start URL)
CORP_ROLE=$CLI_CACHE/0cdbf32b99792a73981dd3f142bc63ab50240b44.json    # botocore's key

# field FILE KEY: a member of a JSON file
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$1" "$2"; }
# The fake's role credentials: ASIA + 16 hex of sha1("account/role").
role_key() { python3 -c 'import hashlib,sys; print("ASIA" + hashlib.sha1(sys.argv[1].encode()).hexdigest()[:16].upper())' "$1"; }
# How many requests the fake saw for PATH (and, with a third argument, whose body has it).
seen() { curl -s "$1/__requests" | python3 -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin) if r["path"].split("?")[0] == sys.argv[1] and sys.argv[2] in r["body"]))' "$2" "${3:-}"; }
botocore() { python3 "$IAMSH_TEST_SUPPORT/botocore_creds.py" "$@" 2>&1; }
key_of() { "$IAMSH" --profile "$1" -e 'local c = aws.config() print(c.credential_source, c.access_key_id)' 2>&1; }

# --- iamsh sso login: the device sign-in, pending, then slow_down, then approved ----
SECONDS=0
run_iamsh sso login --profile dev
ELAPSED=$SECONDS
check_eq "sso login exits 0" "$RC" 0
check_match "sso login shows the verification URL" "$OUT" "Please visit the following URL:.*https://device\.sso\.example/"
check_match "sso login shows the code" "$OUT" "Then enter the code:.*FAKE-CODE"
check_match "sso login names the start URL" "$OUT" "Successfully logged into Start URL: $START\$"
check_eq "sso login: CreateToken pending, slow_down, then the token" "$(seen "$SSO_URL" /token device_code)" 3
check "sso login: slow_down honoured (1 s, then 1 + 5 s between attempts)" test "$ELAPSED" -ge 6
check_eq "sso login: the token file, as botocore names it, mode 0600" "$(stat -c %a "$CORP_TOKEN")" 600
ACCESS=$(field "$CORP_TOKEN" accessToken) REFRESH=$(field "$CORP_TOKEN" refreshToken)
CLIENT_SECRET=$(field "$CORP_TOKEN" clientSecret)
check_eq "sso login: token file shape" "$(field "$CORP_TOKEN" startUrl) $(field "$CORP_TOKEN" region)" "$START us-east-1"
for s in "$ACCESS" "$REFRESH" "$CLIENT_SECRET"; do
  check_absent "sso login prints no token or secret" "$OUT$ERR" "$s"
done

# --- the sign-in's role credentials, in iamsh, botocore and the AWS CLI ------------
ADMIN=$(role_key 111122223333/Admin)
check_eq "sso_session profile resolves the portal's credentials" "$(key_of dev)" "sso	$ADMIN"
check_eq "STS with them (moto)" "$("$IAMSH" --profile dev -e 'print(sts.get_caller_identity().Account)' 2>&1)" 123456789012
check_eq "botocore reads iamsh's sign-in to the same credentials" "$(botocore --no-cache dev)" "$ADMIN"
check_eq "role credentials cached under botocore's key, 0600" "$(stat -c %a "$CORP_ROLE")" 600
check_eq "the cache entry is IAM Identity Center's" "$(field "$CORP_ROLE" ProviderType)" sso
check_eq "the AWS CLI takes iamsh's cached credentials" \
  "$("$AWS_CLI" configure export-credentials --profile dev --format process 2>&1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKeyId"])')" "$ADMIN"
rm -f "$CORP_ROLE"
check_eq "botocore (as the CLI) writes the same cache file" "$(botocore dev)" "$ADMIN"
check "botocore's entry has iamsh's file name" test -f "$CORP_ROLE"
BEFORE=$(seen "$SSO_URL" /federation/credentials)
check_eq "iamsh takes botocore's entry" "$(AWS_ENDPOINT_URL_SSO=http://127.0.0.1:9 key_of dev)" "sso	$ADMIN"
check_eq "... without a call to the portal" "$(seen "$SSO_URL" /federation/credentials)" "$BEFORE"
# An http:// portal or OIDC endpoint off this machine would carry the sign-in's tokens in
# clear text: told once, as for IAM and STS (the cached credentials need no call).
AWS_ENDPOINT_URL_SSO=http://sso.example.test:9 AWS_ENDPOINT_URL_SSO_OIDC=http://sso.example.test:9 \
  run_iamsh --profile dev -e 'print(aws.config().access_key_id)'
check_eq "http:// SSO endpoints off this machine: the credentials" "$OUT" "$ADMIN"
check_eq "http:// SSO endpoints off this machine: one warning line" "$ERR" \
  "iamsh: warning: requests go to http://sso.example.test:9 over plain HTTP: they and any session token can be read on the network (use https://)"
check_eq "a services section names the endpoints" \
  "$(env -u AWS_ENDPOINT_URL_SSO -u AWS_ENDPOINT_URL_SSO_OIDC "$IAMSH" --profile svc -e 'print(aws.config().access_key_id)' 2>&1)" \
  "$(role_key 111122223333/ViaServices)"
run_iamsh --profile admin-via-sso -e 'print(sts.get_caller_identity().Arn)'
check_eq "a role assumed with SSO source credentials" "$OUT" "arn:aws:sts::123456789012:assumed-role/r/via-sso"
# The issue's "done when": the shipped flow run with nothing but the SSO profile, as
# `aws --profile dev ...` would be (IAM on moto, signed with the portal's credentials).
mkdir -p "$TMP/work"
cd "$TMP/work" && run_iamsh --profile dev run sagemaker; cd - >/dev/null
check_eq "iamsh --profile dev run sagemaker (an SSO profile) exits 0" "$RC" 0
check_match "... and sets the role up" "$ERR" "\+ create role SageMakerExecutionRoleLLM"
cd "$TMP/work" && run_iamsh --profile dev --plan run sagemaker; cd - >/dev/null
check_eq "... a second run has nothing to do" "$RC" 0

# --- a legacy profile, with a token as the AWS CLI writes it -----------------------
printf '{"startUrl": "%s", "region": "us-east-1", "accessToken": "cli-legacy-token", "expiresAt": "2099-01-01T00:00:00UTC"}' \
  "$START" >"$LEGACY_TOKEN"
READONLY=$(role_key 111122223333/ReadOnly)
check_eq "legacy profile with the CLI's token" "$(key_of legacy)" "sso	$READONLY"
check_eq "botocore agrees" "$(botocore --no-cache legacy)" "$READONLY"

# --- refresh: the token has expired; the refresh token gets a new one --------------
python3 - "$CORP_TOKEN" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1])); doc["expiresAt"] = "2020-01-01T00:00:00Z"
json.dump(doc, open(sys.argv[1], "w"))
PY
rm -rf "$CLI_CACHE"
run_iamsh --debug --profile dev -e 'print(aws.config().access_key_id)'
check_eq "an expired sign-in is refreshed" "$OUT" "$ADMIN"
check_eq "refresh: CreateToken with the refresh token" "$(seen "$SSO_URL" /token refresh_token)" 1
NEW_ACCESS=$(field "$CORP_TOKEN" accessToken) NEW_REFRESH=$(field "$CORP_TOKEN" refreshToken)
check "refresh: the cache has the new token" test "$NEW_ACCESS" != "$ACCESS" -a "$NEW_REFRESH" != "$REFRESH"
check "refresh: the new expiry is ahead" test "$(field "$CORP_TOKEN" expiresAt)" \> "2026-"
check_eq "refresh: still mode 0600" "$(stat -c %a "$CORP_TOKEN")" 600
check_eq "botocore reads the refreshed token" "$(botocore --no-cache dev)" "$ADMIN"
check_match "--debug shows the refresh" "$ERR" "POST $SSO_URL/token"
for s in "$ACCESS" "$REFRESH" "$NEW_ACCESS" "$NEW_REFRESH" "$CLIENT_SECRET"; do
  check_absent "--debug hides tokens and the client secret" "$ERR" "$s"
done
check_absent "--debug hides the role's secret" "$ERR" "ssoSecret/"

# --- the messages: no sign-in, an expired one that cannot be refreshed -------------
run_iamsh --profile other -e 'sts.get_caller_identity()'
check_eq "no sign-in: exit 253" "$RC" 253
check_eq "no sign-in: the line" "$ERR" \
  "iamsh: profile 'other': no IAM Identity Center sign-in for session 'other' (no $CACHE/$(printf other | sha1sum | cut -c1-40).json): run iamsh sso login --profile other"
python3 - "$CORP_TOKEN" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["expiresAt"] = doc["registrationExpiresAt"] = "2020-01-01T00:00:00Z"
json.dump(doc, open(sys.argv[1], "w"))
PY
rm -rf "$CLI_CACHE"
run_iamsh --profile dev -e 'sts.get_caller_identity()'
check_eq "expired, unrefreshable: exit 253" "$RC" 253
check_eq "expired, unrefreshable: the line" "$ERR" \
  "iamsh: profile 'dev': the IAM Identity Center sign-in for session 'corp' expired at 2020-01-01T00:00:00Z and could not be refreshed (its client registration expired at 2020-01-01T00:00:00Z): run iamsh sso login --profile dev"
check_absent "the message holds no token" "$ERR" "$NEW_ACCESS"

# --- a sign-in with --debug, at a second fake that approves at once ---------------
fast() { AWS_ENDPOINT_URL_SSO=$FAST_URL AWS_ENDPOINT_URL_SSO_OIDC=$FAST_URL "$@"; }
fast run_iamsh --debug --profile fast sso login
FAST_TOKEN=$CACHE/$(printf fast | sha1sum | cut -c1-40).json
check_eq "sso login --debug exits 0" "$RC" 0
for k in accessToken refreshToken clientSecret; do
  check_absent "sso login --debug hides $k" "$OUT$ERR" "$(field "$FAST_TOKEN" "$k")"
done
check_absent "sso login --debug hides the device code" "$ERR" "fake-device-code-"
check_match "sso login --debug shows the flow" "$ERR" "POST $FAST_URL/device_authorization"

# --- sign-out: every sign-in and the role credentials fetched with it --------------
check_eq "the fast sign-in works" "$(fast key_of fast)" "sso	$(role_key 444455556666/Fast)"
# Role credentials with 10 minutes left (within the 15-minute window) are fetched again
# before each call, as the CLI refreshes them.
BEFORE=$(seen "$FAST_URL" /federation/credentials)
fast "$IAMSH" --profile fast -e 'for _ = 1, 3 do sts.get_caller_identity() end' >/dev/null 2>&1
check_eq "role credentials near their end are fetched again" \
  "$(( $(seen "$FAST_URL" /federation/credentials) - BEFORE ))" 3
"$IAMSH" --profile plain-role -e 'sts.get_caller_identity()' >/dev/null 2>&1
fast run_iamsh sso logout
check_eq "sso logout exits 0" "$RC" 0
check "sso logout removes the sign-ins" test ! -e "$FAST_TOKEN" -a ! -e "$LEGACY_TOKEN" -a ! -e "$CORP_TOKEN"
check_eq "sso logout keeps the client registrations" \
  "$(grep -l clientSecret "$CACHE"/*.json | xargs grep -L accessToken | wc -l)" 2
check_eq "sso logout tells the portal, once a sign-in" "$(seen "$FAST_URL" /logout)" 3
check_eq "sso logout keeps assume-role entries, drops IAM Identity Center ones" \
  "$(grep -l ProviderType "$CLI_CACHE"/*.json 2>/dev/null | wc -l) $(ls "$CLI_CACHE" | wc -l)" "0 1"
fast run_iamsh --profile fast -e 'sts.get_caller_identity()'
check_match "after logout: sign in again" "$ERR" "no IAM Identity Center sign-in for session 'fast'.*run iamsh sso login --profile fast$"
run_iamsh sso
check_eq "sso without a command: usage, 252" "$RC" 252
run_iamsh sso login --profile none-such
check_eq "sso login for a missing profile: 253" "$RC" 253

finish
