#!/usr/bin/env bash
# `iamsh serve`'s protocol side, with the stub handlers (tests/support/local_stub.lua):
# requests signed by botocore (both forms) and tampered with, clock skew, unknown keys;
# the AWS CLI, boto3 and iamsh as clients; malformed HTTP and the limits; --faults,
# reproducibly; --enforce=soft and the reasons of denials; root keys (the environment's
# stay in memory); SIGTERM; SIGKILL under a write load loses nothing acknowledged.
. "$IAMSH_TEST_SUPPORT/lib.sh"
export IAMSH_LOCAL_HANDLERS="$IAMSH_TEST_SUPPORT/local_stub.lua"
export AWS_REGION=us-east-1
CLIENT=(python3 "$IAMSH_TEST_SUPPORT/serve_client.py")

# start_serve ARGS...: a server on a free port; sets SERVE_PID and URL. Its stdout is
# $TMP/serve.out, its log $TMP/serve.log.
start_serve() {
  "$IAMSH" serve --listen 127.0.0.1:0 "$@" >"$TMP/serve.out" 2>"$TMP/serve.log" &
  SERVE_PID=$!
  # Up to a minute: the sanitizer build on a loaded machine has taken over 10 s to make
  # a new state and print its URL.
  for _ in $(seq 1200); do
    [ -s "$TMP/serve.out" ] && break
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.05
  done
  URL=$(head -1 "$TMP/serve.out")
}
stop_serve() {
  kill -TERM "$SERVE_PID" 2>/dev/null
  wait "$SERVE_PID"
  SERVE_RC=$?
}
aws_local() { "$AWS_CLI" --endpoint-url "$URL" --region us-east-1 --output json "$@"; }
json() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1], {"d": d}))' "$1"; }

# --- signatures ------------------------------------------------------------------------
start_serve
check_match "URL first" "$URL" '^http://127\.0\.0\.1:[0-9]+$'
check_eq "environment keys are not printed" "$(wc -l <"$TMP/serve.out")" 1
check_eq "botocore header signature" "$("${CLIENT[@]}" "$URL" signed)" \
  "sts-get-caller-identity 200 -
iam-list-users 200 -
iam-create-user-tags 200 -"
check_eq "botocore presigned URLs" "$("${CLIENT[@]}" "$URL" presigned)" \
  "presigned-list-users 200 -
presigned-get-caller-identity 200 -"
check_eq "tampered requests" "$("${CLIENT[@]}" "$URL" tampered)" \
  "body 403 SignatureDoesNotMatch
date 403 SignatureDoesNotMatch
signature 403 SignatureDoesNotMatch
incomplete 400 IncompleteSignature
other-service-scope 403 SignatureDoesNotMatch
presigned-query 403 SignatureDoesNotMatch"
check_eq "clock skew" "$("${CLIENT[@]}" "$URL" skew)" \
  "past-16min 400 RequestExpired
future-16min 400 RequestExpired
past-14min 200 -"
check_eq "unknown key" "$("${CLIENT[@]}" "$URL" unknown-key)" "unknown-key 403 InvalidClientTokenId"
check "the log names the caller" grep -q ' 200 iam:CreateUser [0-9.]*ms arn:aws:iam::123456789012:root ' "$TMP/serve.log"

# --- the AWS CLI, boto3 and iamsh -------------------------------------------------------
OUT=$(aws_local iam create-user --user-name alice --tags Key=team,Value=blue)
check_eq "aws: create-user" "$(json 'd["User"]["Arn"]' <<<"$OUT")" "arn:aws:iam::123456789012:user/alice"
check_eq "aws: get-user tags" "$(aws_local iam get-user --user-name alice | json 'd["User"]["Tags"]')" \
  "[{'Key': 'team', 'Value': 'blue'}]"
check_eq "aws: sts" "$(aws_local sts get-caller-identity | json 'd["Arn"]')" "arn:aws:iam::123456789012:root"
ERR=$(aws_local iam get-user --user-name nobody 2>&1)
check_match "aws: an error as AWS words it" "$ERR" 'NoSuchEntity.*The user with name nobody cannot be found'
KEY_JSON=$(aws_local iam create-access-key --user-name alice)
USER_KEY=$(json 'd["AccessKey"]["AccessKeyId"]' <<<"$KEY_JSON")
USER_SECRET=$(json 'd["AccessKey"]["SecretAccessKey"]' <<<"$KEY_JSON")
check_match "aws: an access key" "$USER_KEY" '^AKIA[A-Z2-7]{16}$'
OUT=$(python3 - "$URL" <<'EOF'
import sys, boto3, botocore.exceptions
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1")
for i in range(5):
    iam.create_user(UserName="page-%d" % i)
names = [u["UserName"] for p in iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 2}) for u in p["Users"]]
print(len(names), "page-4" in names)
try:
    iam.delete_user(UserName="alice")
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
EOF
)
check_eq "boto3: pages and an error" "$OUT" "7 True
DeleteConflict 409"
run_iamsh --endpoint-url "$URL" -e 'print(iam.get_user{UserName = "alice"}.User.UserId)'
check_match "iamsh as the client" "$OUT" '^AIDA[A-Z2-7]{17}$'

# A user's own key: signed in as the user; a write is denied, with a reason.
OUT=$(AWS_ACCESS_KEY_ID=$USER_KEY AWS_SECRET_ACCESS_KEY=$USER_SECRET aws_local sts get-caller-identity | json 'd["Arn"]')
check_eq "the user's key" "$OUT" "arn:aws:iam::123456789012:user/alice"
AWS_ACCESS_KEY_ID=$USER_KEY AWS_SECRET_ACCESS_KEY=$USER_SECRET run_iamsh --debug --endpoint-url "$URL" \
  -e 'iam.create_user{UserName = "mallory"}'
check_eq "denied: exit 254" "$RC" 254
check_match "denied: AWS's message" "$ERR" 'AccessDenied.*User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:CreateUser'
check_match "denied: the reason with --debug" "$ERR" 'X-Iamsh-Reason: no statement of user alice allows iam:CreateUser'
check_absent "no secret in the debug log" "$ERR" "$USER_SECRET"
check "denied: the reason in the server's log" grep -q 'AccessDenied reason: no statement of user alice allows iam:CreateUser' "$TMP/serve.log"
check_absent "no secret in the server's log" "$(cat "$TMP/serve.log")" "$USER_SECRET"
check_eq "a session's token" "$("${CLIENT[@]}" "$URL" session "$USER_KEY" "$USER_SECRET" made-up-token)" \
  "with-token 403 InvalidClientTokenId
without-token 200 -"

# --- malformed HTTP and the limits --------------------------------------------------------
OUT=$(python3 - "${URL##*:}" <<'EOF'
import socket, sys
port = int(sys.argv[1])
def status(data):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(data)
    out = b""
    try:
        while b"\r\n\r\n" not in out:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except OSError:
        pass
    s.close()
    return out.split(b" ")[1].decode() if out.startswith(b"HTTP/1.1 ") else "closed"
print("garbage", status(b"GARBAGE\r\n\r\n"))
print("bad-header", status(b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"))
print("no-host", status(b"GET /?Action=ListUsers HTTP/1.1\r\n\r\n"))
print("bad-length", status(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"))
print("bad-chunk", status(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"))
print("version", status(b"GET / HTTP/7.0\r\nHost: x\r\n\r\n"))
print("big-headers", status(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n"))
print("big-body", status(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n"))
print("method", status(b"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n"))
print("unsigned", status(b"GET /?Action=ListUsers&Version=2010-05-08 HTTP/1.1\r\nHost: x\r\n\r\n"))
EOF
)
check_eq "malformed HTTP and limits" "$OUT" "garbage closed
bad-header 400
no-host 400
bad-length 400
bad-chunk 400
version 505
big-headers 431
big-body 413
method 405
unsigned 403"
check_eq "still serving after all that" "$("${CLIENT[@]}" "$URL" unknown-key)" \
  "unknown-key 403 InvalidClientTokenId"
stop_serve
check_eq "SIGTERM: a clean stop" "$SERVE_RC" 0
check "SIGTERM: logged" grep -q 'SIGTERM: stopping' "$TMP/serve.log"

# --- --enforce=soft ------------------------------------------------------------------------
start_serve --state "$TMP/soft.db" --enforce=soft
aws_local iam create-user --user-name bob >/dev/null
KEY_JSON=$(aws_local iam create-access-key --user-name bob)
K=$(json 'd["AccessKey"]["AccessKeyId"]' <<<"$KEY_JSON")
S=$(json 'd["AccessKey"]["SecretAccessKey"]' <<<"$KEY_JSON")
OUT=$(AWS_ACCESS_KEY_ID=$K AWS_SECRET_ACCESS_KEY=$S aws_local iam create-user --user-name carol | json 'd["User"]["UserName"]')
check_eq "soft: allowed" "$OUT" carol
check "soft: logged" grep -q ' 200 iam:CreateUser .* reason: allowed by --enforce=soft: no statement of user bob' "$TMP/serve.log"
kill -INT "$SERVE_PID"
wait "$SERVE_PID"
check_eq "SIGINT: a clean stop" "$?" 0

# --- root keys ---------------------------------------------------------------------------
check_absent "the environment's secret is not in the state" \
  "$(cat "$TMP/soft.db" "$TMP"/soft.db-wal 2>/dev/null | tr -c '[:print:]' '\n')" "$AWS_SECRET_ACCESS_KEY"
(
  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
  start_serve --state "$TMP/gen.db"
  grep -c '^export AWS_' "$TMP/serve.out" >"$TMP/first"
  eval "$(grep '^export' "$TMP/serve.out")"
  aws_local sts get-caller-identity | json 'd["Arn"]' >"$TMP/gen-arn"
  stop_serve
  start_serve --state "$TMP/gen.db"
  grep -c '^export AWS_' "$TMP/serve.out" >"$TMP/second"
  stop_serve
)
check_eq "new root keys printed once" "$(cat "$TMP/first") $(cat "$TMP/second")" "2 0"
check_eq "the printed keys work" "$(cat "$TMP/gen-arn")" "arn:aws:iam::123456789012:root"
run_iamsh serve --listen 127.0.0.1:0 --state "$TMP/gen.db" --account-id 111122223333
check_eq "another account on a state: refused" "$RC" 1
check_match "another account on a state: why" "$ERR" 'belongs to account 123456789012, not 111122223333'
run_iamsh serve --listen nowhere:1
check_eq "a bad address: usage" "$RC" 1
check_match "a bad address: why" "$ERR" "is not an IP address"
run_iamsh serve --faults jitter=1
check_eq "bad --faults: usage" "$RC" 252

# --- --faults ------------------------------------------------------------------------------
SPEC=throttle=0.25,error500=0.2,reset=0.2,seed=7
start_serve --faults "$SPEC"
"${CLIENT[@]}" "$URL" sequence 40 >"$TMP/seq1"
stop_serve
start_serve --faults "$SPEC"
"${CLIENT[@]}" "$URL" sequence 40 >"$TMP/seq2"
stop_serve
check "faults: the same seed, the same faults" cmp -s "$TMP/seq1" "$TMP/seq2"
check "faults: throttling" grep -q '^400 Throttling$' "$TMP/seq1"
check "faults: 500s" grep -q '^500 InternalFailure$' "$TMP/seq1"
check "faults: dropped connections" grep -q '^dropped' "$TMP/seq1"
check "faults: successes" grep -q '^200 -$' "$TMP/seq1"
start_serve --faults latency=300ms
T0=$(date +%s%N)
"${CLIENT[@]}" "$URL" unknown-key >/dev/null
check "faults: latency" test $((($(date +%s%N) - T0) / 1000000)) -ge 300
# a slow answer delays its own connection, not the others': 4 clients for 3 s get about
# 40 answers (10 if the server slept for each in turn)
"${CLIENT[@]}" "$URL" load 3 4 "$TMP/slow-acked" >/dev/null 2>&1
check "faults: latency delays each connection on its own" \
  test "$(wc -l <"$TMP/slow-acked")" -ge 20
stop_serve
# reset after the change: dropped, yet made
start_serve --state "$TMP/reset.db" --faults reset=1,seed=3
AWS_MAX_ATTEMPTS=1 run_iamsh --endpoint-url "$URL" -e 'for i = 1, 8 do pcall(iam.create_user, {UserName = "r" .. i}) end'
stop_serve
AFTER=$(grep -c 'iam:CreateUser .*fault=reset-after' "$TMP/serve.log")
start_serve --state "$TMP/reset.db"
run_iamsh --endpoint-url "$URL" -e 'local n = 0
for _, u in ipairs(iam.all("list_users")) do n = n + (u.UserName:match("^r%d$") and 1 or 0) end
print(n)'
MADE=$OUT
stop_serve
check_eq "faults: reset after the change kept the change" "$MADE" "$AFTER"
check "faults: both kinds of reset" test "$AFTER" -gt 0 -a "$AFTER" -lt 8

# --- SIGKILL during a write load ------------------------------------------------------------
start_serve --state "$TMP/crash.db"
"${CLIENT[@]}" "$URL" load 30 4 "$TMP/acked" &
LOAD=$!
# killed in the middle of the load: once 200 writes are acknowledged (or 20 s passed)
for _ in $(seq 200); do
  [ "$(wc -l <"$TMP/acked" 2>/dev/null || echo 0)" -ge 200 ] && break
  sleep 0.1
done
kill -KILL "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null
wait "$LOAD"
ACKED=$(wc -l <"$TMP/acked")
check "crash: a write load ran ($ACKED acknowledged)" test "$ACKED" -ge 200
start_serve --state "$TMP/crash.db"
python3 - "$URL" "$TMP/acked" >"$TMP/missing" <<'EOF'
import sys, boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1")
have = {u["UserName"] for p in iam.get_paginator("list_users").paginate() for u in p["Users"]}
for name in open(sys.argv[2]).read().split():
    if name not in have:
        print(name)
EOF
stop_serve
check_eq "crash: every acknowledged change survived SIGKILL" "$(cat "$TMP/missing")" ""

finish
