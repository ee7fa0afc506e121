#!/usr/bin/env bash
# valgrind finds no memory errors and no definite leaks in typical runs: start-up,
# JSON and signing, calls with results and with AWS errors, pagination, --debug.
. "$IAMSH_TEST_SUPPORT/lib.sh"
if [ "${IAMSH_SANITIZED:-0}" = 1 ]; then
  echo "sanitizer build: valgrind does not run under ASan (the ASan run covers it)"
  echo "0 passed, 0 failed"
  exit 0
fi
if ! command -v valgrind >/dev/null; then
  echo "valgrind is not installed (apt-get install valgrind)" >&2
  exit 1
fi
start_moto
vg() {
  valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite "$IAMSH" "$@" >"$TMP/out" 2>"$TMP/err"
  RC=$?
}
vg -e ''
check_eq "valgrind: start-up" "$RC" 0
vg -e 'aws.json.decode(aws.json.encode({a = {1, 2, {b = aws.json.null}}})) pcall(aws.json.decode, "[[[")
  aws.sigv4.sign{url = "https://example.amazonaws.com/?a=b", region = "us-east-1", service = "iam",
    access_key = "AKIDEXAMPLE", secret_key = "x", session_token = "t", timestamp = "20150830T123600Z"}
  pcall(iam.create_role, {RoleName = "x"})'
check_eq "valgrind: json, signer, validation" "$RC" 0
vg --endpoint-url "$ENDPOINT" -e '
  local trust = {Version = "2012-10-17", Statement = {{Effect = "Allow", Principal = {Service = "x.amazonaws.com"}, Action = "sts:AssumeRole"}}}
  iam.create_role{RoleName = "vg", AssumeRolePolicyDocument = trust, Tags = {{Key = "k", Value = "v"}}}
  iam.get_role{RoleName = "vg"}
  iam.attach_role_policy{RoleName = "vg", PolicyArn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"}
  iam.attach_role_policy{RoleName = "vg", PolicyArn = "arn:aws:iam::aws:policy/IAMFullAccess"}
  assert(#iam.all("list_attached_role_policies", {RoleName = "vg", MaxItems = 1}) == 2)
  assert(not pcall(iam.get_role, {RoleName = "missing"}))
  sts.get_caller_identity()'
check_eq "valgrind: calls, errors, pages" "$RC" 0
[ "$RC" = 0 ] || cat "$TMP/err" >&2
vg --quiet --endpoint-url "$ENDPOINT" run sagemaker out_dir="$TMP"
check_eq "valgrind: the SageMaker set-up" "$RC" 0
[ "$RC" = 0 ] || cat "$TMP/err" >&2
vg --quiet --endpoint-url "$ENDPOINT" --plan run sagemaker out_dir="$TMP"
check_eq "valgrind: the SageMaker plan (no change)" "$RC" 0
vg --quiet --endpoint-url "$ENDPOINT" run sagemaker-teardown out_dir="$TMP"
check_eq "valgrind: the SageMaker teardown" "$RC" 0
vg --debug --endpoint-url "$ENDPOINT" -e 'iam.get_role{RoleName = "missing"}'
check_eq "valgrind: uncaught service error with --debug" "$RC" 254
vg --endpoint-url http://127.0.0.1:9 -e 'sts.get_caller_identity()'
check_eq "valgrind: unreachable endpoint" "$RC" 255
# The REPL: piped (results, the printer, an AWS error, help) and at a terminal
# (readline, completion, Ctrl-C, Ctrl-D).
printf 'x = iam.list_roles()\niam.get_role{RoleName = "nope"}\nx\nhelp(iam.create_role)\nerror("x")\n' \
  >"$TMP/repl-in"
vg -i --endpoint-url "$ENDPOINT" <"$TMP/repl-in"
check_eq "valgrind: the REPL with piped stdin" "$RC" 0
[ "$RC" = 0 ] || cat "$TMP/err" >&2
cat >"$TMP/steps" <<'EOF'
wait > $
send iam.get_accou
key Tab
wait get_account_$
key Tab
key Tab
wait get_account_summary
key C-u
send iam.create_role{Ro
key Tab
wait RoleName=$
key C-c
wait > $
line 1 + 1
wait > $
key C-d
EOF
OUT=$(HOME="$TMP" python3 "$IAMSH_TEST_SUPPORT/pty_session.py" --timeout 60 -- valgrind -q \
  --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
  "$IAMSH" --endpoint-url "$ENDPOINT" <"$TMP/steps")
check_match "valgrind: the REPL at a terminal" "$OUT" "EXIT 0$"
[[ "$OUT" =~ "EXIT 0"$ ]] || printf '%s\n' "$OUT" >&2
finish
