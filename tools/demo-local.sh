#!/usr/bin/env bash
# Build iamsh and run the SageMaker set-up against a local IAM endpoint (moto_server
# on 127.0.0.1), then print the execution role's ARN. No AWS account is involved:
# the credentials below are fake and only the loopback endpoint is reached.
#   bash tools/demo-local.sh [BUILD_DIR]
# With IAMSH_BIN set to a built iamsh, nothing is installed or built (the tests use this).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
iamsh=${IAMSH_BIN:-$build/iamsh}

if [ -z "${IAMSH_BIN:-}" ]; then
deps="cmake make gcc pkg-config liblua5.4-dev libcurl4-openssl-dev libssl-dev libxml2-dev libcjson-dev libreadline-dev"
missing=$(dpkg-query -W -f='${Status} ${Package}\n' $deps 2>/dev/null | grep -vc "install ok installed" || true)
if [ "$(id -u)" = 0 ] && { [ "$missing" != 0 ] || ! dpkg-query -W $deps >/dev/null 2>&1; }; then
  echo "demo: installing build dependencies" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $deps >/dev/null
fi

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target iamsh >/dev/null
fi

coproc MOTO { exec python3 tests/support/moto.py; }
read -r -t 60 port <&"${MOTO[0]}" || { echo "demo: could not start moto_server" >&2; exit 1; }
echo "demo: local IAM endpoint on http://127.0.0.1:$port" >&2

out=$(mktemp -d)
export AWS_ACCESS_KEY_ID=AKIDFAKEFAKEFAKE01 AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
"$iamsh" --endpoint-url "http://127.0.0.1:$port" run sagemaker out_dir="$out"
echo "demo: outputs in $out:" >&2
ls -l "$out" >&2
echo "demo: a second run changes nothing:" >&2
"$iamsh" --endpoint-url "http://127.0.0.1:$port" --plan run sagemaker out_dir="$out" >&2
