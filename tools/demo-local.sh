#!/usr/bin/env bash
# Build iamsh and run the SageMaker set-up on iamsh's own local IAM and STS
# (`iamsh --local run sagemaker`: the endpoint in the same process, its state in
# .iamsh/local.db), then print the execution role's ARN. No AWS account, no
# credentials, no network, no moto: the state's own root keys sign the requests.
#   bash tools/demo-local.sh [BUILD_DIR]
# With IAMSH_BIN set to a built iamsh, nothing is installed or built (the tests use this).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
iamsh=${IAMSH_BIN:-$build/iamsh}

if [ -z "${IAMSH_BIN:-}" ]; then
deps="cmake make gcc pkg-config liblua5.4-dev libcurl4-openssl-dev libssl-dev libxml2-dev libcjson-dev libpcre2-dev libreadline-dev libsqlite3-dev libmicrohttpd-dev"
missing=$(dpkg-query -W -f='${Status} ${Package}\n' $deps 2>/dev/null | grep -vc "install ok installed" || true)
if [ "$(id -u)" = 0 ] && { [ "$missing" != 0 ] || ! dpkg-query -W $deps >/dev/null 2>&1; }; then
  echo "demo: installing build dependencies" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $deps >/dev/null
fi

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target iamsh >/dev/null
fi

iamsh=$(realpath "$iamsh")
out=$(mktemp -d)
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
cd "$out"
"$iamsh" --local run sagemaker
echo "demo: outputs in $out:" >&2
ls -l "$out" >&2
echo "demo: a second run changes nothing:" >&2
"$iamsh" --local --plan run sagemaker >&2
