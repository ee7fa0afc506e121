# lib.sh - helpers for the shell tests that run the real iamsh binary.
# Source it; then use check/check_eq/check_rc/...; end with `finish`.
set -u
: "${IAMSH:?IAMSH must point at the iamsh binary}"
: "${IAMSH_TEST_SUPPORT:?}"
# The AWS CLI v2 from Debian, as an independent client (not the v1 in pyenv).
AWS_CLI=/usr/bin/aws
PASSED=0
FAILED=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Obviously fake credentials; no real account is ever reached.
export AWS_ACCESS_KEY_ID=AKIDFAKEFAKEFAKE01
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
export AWS_CONFIG_FILE="$TMP/aws-config" AWS_SHARED_CREDENTIALS_FILE="$TMP/aws-credentials"
export AWS_EC2_METADATA_DISABLED=true
# A home of its own: iamsh and the AWS CLI keep caches there (~/.aws/cli/cache,
# ~/.aws/sso/cache) that must not come from, or go to, the user running the tests.
export HOME="$TMP/home"
mkdir -p "$HOME"
# The endpoints are on loopback: never send them through a proxy from the environment.
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_SESSION_TOKEN \
      AWS_ENDPOINT_URL AWS_ENDPOINT_URL_IAM AWS_ENDPOINT_URL_STS 2>/dev/null || true

pass() { PASSED=$((PASSED + 1)); }
# A failure also shows the stderr of the last run_iamsh, if any: a check on the exit code
# or the output alone would otherwise hide why iamsh failed.
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL: $*" >&2
  if [ -n "${ERR:-}" ]; then printf '  (stderr of the last run_iamsh: %s)\n' "${ERR:0:2000}" >&2; fi
}

# check NAME CMD...: the command succeeds
check() { local n=$1; shift; if "$@"; then pass; else fail "$n"; fi; }
# check_eq NAME GOT EXPECTED
check_eq() {
  if [ "$2" == "$3" ]; then pass; else fail "$1: got [$2], expected [$3]"; fi
}
# check_match NAME GOT REGEX
check_match() {
  if [[ "$2" =~ $3 ]]; then pass; else fail "$1: [$2] does not match /$3/"; fi
}
check_nomatch() {
  if [[ "$2" =~ $3 ]]; then fail "$1: [$2] matches /$3/"; else pass; fi
}
# check_absent NAME TEXT SECRET: the literal SECRET is not in TEXT (grep -F: a secret
# holds '+' and '/', which a pattern would read as operators). An empty SECRET fails:
# a test that looks for nothing proves nothing.
check_absent() {
  if [ -z "$3" ]; then
    fail "$1: no secret to look for"
  elif printf '%s' "$2" | grep -qF -- "$3"; then
    fail "$1: the secret is in the output"
  else
    pass
  fi
}
# run_iamsh ARGS...: sets OUT, ERR, RC
run_iamsh() {
  "$IAMSH" "$@" >"$TMP/out" 2>"$TMP/err"
  RC=$?
  OUT=$(cat "$TMP/out")
  ERR=$(cat "$TMP/err")
}

# start_moto: moto_server on a free loopback port; sets MOTO_PORT and ENDPOINT.
# moto stops when this shell exits (its stdin, our coprocess pipe, closes).
# IAMSH_TEST_IAM=serve: `iamsh serve` instead (the real handlers, state in memory, the
# environment's keys as the root's), so that a test written for moto runs on both.
start_moto() {
  if [ "${IAMSH_TEST_IAM:-moto}" = serve ]; then
    start_iamsh_serve
    return
  fi
  coproc MOTO { exec python3 "$IAMSH_TEST_SUPPORT/moto.py"; }
  if ! read -r -t 60 MOTO_PORT <&"${MOTO[0]}" || [ -z "$MOTO_PORT" ]; then
    echo "could not start moto_server" >&2
    exit 1
  fi
  ENDPOINT="http://127.0.0.1:$MOTO_PORT"
}

# start_helper VAR SCRIPT [ARGS...]: a tests/support helper (fake_sso.py, fault_server.py,
# ...) in the background, its port in VAR. Its stdin is a pipe this shell holds open,
# so it stops when the test ends; unlike coproc, any number can run at once.
start_helper() {
  local var=$1 script=$2 out fd
  shift 2
  out=$(mktemp "$TMP/helper.XXXXXX")
  exec {fd}> >(exec python3 "$IAMSH_TEST_SUPPORT/$script" "$@" >"$out")
  for _ in $(seq 600); do [ -s "$out" ] && break; sleep 0.05; done
  printf -v "$var" '%s' "$(head -1 "$out")"
  if [ -z "${!var}" ]; then
    echo "could not start $script" >&2
    exit 1
  fi
}

# start_iamsh_serve: `iamsh serve` on a free loopback port for this shell's life;
# sets ENDPOINT (and MOTO_PORT, its port).
start_iamsh_serve() {
  coproc SERVE { exec "$IAMSH" serve --quiet --listen 127.0.0.1:0; }
  if ! read -r -t 60 ENDPOINT <&"${SERVE[0]}" || [ -z "$ENDPOINT" ]; then
    echo "could not start iamsh serve" >&2
    exit 1
  fi
  MOTO_PORT=${ENDPOINT##*:}
  trap 'kill "$SERVE_PID" 2>/dev/null; rm -rf "$TMP"' EXIT
}

# aws_cli ARGS...: the AWS CLI against moto
aws_cli() { "$AWS_CLI" --endpoint-url "$ENDPOINT" --region us-east-1 --output json "$@"; }

finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
