#!/usr/bin/env bash
# `iamsh --local`: the local endpoint in the client's process (no socket), with the stub
# handlers (tests/support/local_stub.lua): the banner, the state's root keys when the
# environment has none, the environment's otherwise, a state that lasts, the wire log
# of --debug (the same request and answer as on a socket, a denial's reason, no secret),
# the REPL, and what cannot go with --local.
. "$IAMSH_TEST_SUPPORT/lib.sh"
export IAMSH_LOCAL_HANDLERS="$IAMSH_TEST_SUPPORT/local_stub.lua"
cd "$TMP" || exit 1

# No keys in the environment: the state's root keys (made on first use).
(
  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
  run_iamsh --local -e 'print(sts.get_caller_identity().Arn)
print(aws.config().credential_source)
print(iam.create_user{UserName = "dana"}.User.Arn)'
  printf '%s\n%s\n%s\n' "$RC" "$OUT" "$ERR" >"$TMP/first"
  run_iamsh --local -e 'print(iam.get_user{UserName = "dana"}.User.UserName)'
  printf '%s\n' "$OUT" >"$TMP/second"
)
check_eq "no keys: the state's root" "$(sed -n 1,4p "$TMP/first")" "0
arn:aws:iam::123456789012:root
local-root
arn:aws:iam::123456789012:user/dana"
check_eq "the banner" "$(sed -n 5p "$TMP/first")" \
  "iamsh: local IAM and STS (state .iamsh/local.db): no AWS account is used"
check_eq "the state lasts (.iamsh/local.db)" "$(cat "$TMP/second")" dana
check_eq "the state is private" "$(stat -c %a .iamsh .iamsh/local.db)" "700
600"

# In-process, nothing goes over the network: neither libcurl nor libmicrohttpd is mapped
# (they are opened when first needed: host/core/dynlib.c), while a request was made.
run_iamsh --local="$TMP/maps.db" -e 'iam.list_users{}
local maps = io.open("/proc/self/maps"):read("a")
print(maps:find("libcurl", 1, true) ~= nil, maps:find("libmicrohttpd", 1, true) ~= nil)'
check_eq "--local maps neither libcurl nor libmicrohttpd" "$RC $OUT" "0 false	false"
run_iamsh -e 'local v = aws.versions().libcurl
local maps = io.open("/proc/self/maps"):read("a")
print(v:match("^libcurl %d") ~= nil, maps:find("libcurl", 1, true) ~= nil)'
check_eq "aws.versions() opens libcurl" "$RC $OUT" "0 true	true"

# The environment's keys: the root's too, and never written to the state.
run_iamsh --local="$TMP/env.db" -e 'print(sts.get_caller_identity().Arn, aws.config().credential_source)'
check_eq "environment keys: the root" "$OUT" "arn:aws:iam::123456789012:root	env"
check_absent "environment keys: not in the state" \
  "$(cat "$TMP"/env.db* | tr -c '[:print:]' '\n')" "$AWS_SECRET_ACCESS_KEY"
run_iamsh --quiet --local="$TMP/env.db" -e ''
check_eq "--quiet: no banner" "$ERR" ""

# A user's key: the same sign-in and denials as on a port, shown by --debug.
run_iamsh --local="$TMP/env.db" -e 'iam.create_user{UserName = "erin"}
local k = iam.create_access_key{UserName = "erin"}.AccessKey
print(k.AccessKeyId .. " " .. k.SecretAccessKey)'
read -r EK ES <<<"$OUT"
AWS_ACCESS_KEY_ID=$EK AWS_SECRET_ACCESS_KEY=$ES run_iamsh --debug --local="$TMP/env.db" \
  -e 'print(sts.get_caller_identity().Arn); iam.create_user{UserName = "x"}'
check_eq "a user's key: denied" "$RC" 254
check_match "a user's key: signed in" "$OUT" 'arn:aws:iam::123456789012:user/erin'
check_match "--debug: the request as sent" "$ERR" '\[debug\] \* POST http://local\.iamsh/'
check_match "--debug: signed (and redacted)" "$ERR" 'Authorization: <redacted>'
check_match "--debug: the reason" "$ERR" 'X-Iamsh-Reason: no statement of user erin allows iam:CreateUser'
check_match "--debug: AWS's error" "$ERR" '<Code>AccessDenied</Code>'
check_absent "--debug: no secret" "$ERR" "$ES"
run_iamsh --local="$TMP/env.db" -e 'iam.delete_account_alias{AccountAlias = "oops"}'
check_match "a handler's bug: a 500 for the client" "$ERR" 'InternalFailure'

# The REPL on the local endpoint.
cat >"$TMP/steps" <<'EOF'
wait > $
line sts.get_caller_identity().Account
wait 123456789012
wait > $
key C-d
EOF
OUT=$(HOME="$TMP" python3 "$IAMSH_TEST_SUPPORT/pty_session.py" --timeout 30 -- \
  "$IAMSH" --local="$TMP/env.db" <"$TMP/steps")
check_match "the REPL: local" "$OUT" '123456789012'
check_match "the REPL: exits" "$OUT" 'EXIT 0$'

# What cannot go together, and a state that is not one.
run_iamsh --local --endpoint-url http://127.0.0.1:9 -e ''
check_eq "--local with --endpoint-url" "$RC" 252
run_iamsh --local serve
check_eq "--local with serve" "$RC" 252
echo "not a database" >"$TMP/bad.db"
run_iamsh --local="$TMP/bad.db" -e 'sts.get_caller_identity()'
check_eq "a state that is not one: configuration error" "$RC" 253
check_match "a state that is not one: why" "$ERR" 'bad.db: .*not a database'

finish
