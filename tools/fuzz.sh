#!/usr/bin/env bash
# Build the libFuzzer targets with clang and run each for a while, starting from its
# seed corpus (copied, so the committed corpus only grows by hand).
#   bash tools/fuzz.sh [SECONDS_PER_TARGET] [BUILD_DIR]
# A crash leaves its input in BUILD_DIR/fuzz-artifacts/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
build=${2:-build-fuzz}
CC=clang cmake -S . -B "$build" -DIAMSH_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j2 >/dev/null
mkdir -p "$build/fuzz-artifacts"
status=0
for corpus in tests/fuzz/corpus/*/; do
  name=$(basename "$corpus")
  bin="$build/tests/fuzz-$name"
  work=$(mktemp -d)
  cp -r "$corpus"/. "$work"/
  echo "fuzz: $name for ${secs}s"
  if ! "$bin" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
      -artifact_prefix="$build/fuzz-artifacts/$name-" -print_final_stats=1 "$work" \
      >"$build/fuzz-$name.log" 2>&1; then
    echo "fuzz: $name FAILED (see $build/fuzz-$name.log and $build/fuzz-artifacts/)" >&2
    tail -30 "$build/fuzz-$name.log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "$build/fuzz-$name.log" | tail -2
  fi
  rm -rf "$work"
done
exit $status
