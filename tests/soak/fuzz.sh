#!/usr/bin/env bash
# Every libFuzzer target (tests/fuzz/fuzz_*.c) run to a number of executions, from a
# copy of its seed corpus; a Markdown section with the figures per target.
#   bash tests/soak/fuzz.sh --runs N [--seconds S] [--out FILE] [--build DIR] [--only NAME,...]
#                           [--jobs J] [--readme tests/fuzz/README.md --command "..."]
# --seconds caps each target's time (0, the default: no cap); the table says how many
# executions each target made.
# The targets are built as tools/fuzz.sh builds them (clang, -DIAMSH_FUZZ=ON:
# libFuzzer, ASan, UBSan), but optimised (RelWithDebInfo) into build-fuzz-rel/:
# the same checks, several times the executions per second of the Debug build.
# A finding (crash, leak, timeout, sanitizer report) leaves its input in
# BUILD/fuzz-artifacts/ and fails the script. --readme rewrites the figures between
# the <!-- fuzz-figures --> markers of that file. --jobs J runs J targets at once (each
# still one process; default 1), so a 2-CPU machine does the round in half the time.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs="" seconds=0 out=/dev/stdout build="$root/build-fuzz-rel" only="" readme="" command="" jobs=1
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --readme) readme=$2; shift 2 ;;
    --command) command=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    *) echo "fuzz.sh: unknown argument $1" >&2; exit 252 ;;
  esac
done
[ -n "$runs" ] || { echo "fuzz.sh: --runs N is required" >&2; exit 252; }
CC=clang cmake -S "$root" -B "$build" -DIAMSH_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# The slowest targets first (a few thousand executions a second under ASan), so that with
# --jobs the lanes end together; then the rest in name order.
targets=()
for src in fuzz_sigv4_url fuzz_policy fuzz_model_decode "$root"/tests/fuzz/fuzz_*.c; do
  name=$(basename "$src" .c)
  [ -f "$root/tests/fuzz/$name.c" ] || continue
  [[ " ${targets[*]} " == *" $name "* ]] && continue
  if [ -z "$only" ] || [[ ",$only," == *",$name,"* ]]; then targets+=("$name"); fi
done
cmake --build "$build" -j2 $(printf -- '--target fuzz-%s ' "${targets[@]}") >/dev/null
mkdir -p "$build/fuzz-artifacts"
date=$(date -u '+%Y-%m-%d %H:%M UTC')
load=$(cut -d' ' -f1-3 /proc/loadavg)
rowdir=$(mktemp -d)
trap 'rm -rf "$rowdir"' EXIT
# One target: its row of the table in $rowdir/NAME, exit 1 on a finding.
fuzz_one() {
  local name=$1 work log start rc secs execs rss cov corpus finding rate seeds
  work=$(mktemp -d)
  cp -r "$root/tests/fuzz/corpus/$name"/. "$work"/
  seeds=$(find "$work" -type f | wc -l)
  log="$build/fuzz-$name.log"
  echo "fuzz: $name to $runs executions$([ "$seconds" -gt 0 ] && echo " or $seconds s")" >&2
  start=$(date +%s.%N)
  rc=0
  "$build/tests/fuzz-$name" -runs="$runs" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=60 \
    -artifact_prefix="$build/fuzz-artifacts/$name-" -print_final_stats=1 "$work" >"$log" 2>&1 || rc=$?
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  execs=$(grep -m1 "stat::number_of_executed_units:" "$log" | awk '{print $2}')
  rss=$(grep -m1 "stat::peak_rss_mb:" "$log" | awk '{print $2}')
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 | awk '{print $2 " / " $4}')
  corpus=$(find "$work" -type f | wc -l)
  finding="none"
  if [ "$rc" -ne 0 ]; then
    finding="**exit $rc**: $(grep -m1 -E 'ERROR: |runtime error|Test unit written' "$log" | sed 's/|/\\|/g' | cut -c1-160)"
    echo "fuzz: $name FAILED (see $log and $build/fuzz-artifacts/)" >&2
  fi
  rate=$(echo "${execs:-0} / $secs" | bc)
  printf '| %s | %s | %.0f | %s | %s | %s -> %s | %s MB | %s |\n' "$name" "${execs:-?}" "$secs" "$rate" \
    "${cov:-?}" "$seeds" "$corpus" "${rss:-?}" "$finding" >"$rowdir/$name"
  rm -rf "$work"
  echo "$rc" >"$rowdir/$name.rc"
}
total_start=$(date +%s)
for name in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
  fuzz_one "$name" &
done
wait
status=0 rows=""
for name in "${targets[@]}"; do
  rows+=$(cat "$rowdir/$name")$'\n'
  [ "$(cat "$rowdir/$name.rc")" = 0 ] || status=1
done
total=$(( $(date +%s) - total_start ))
section="## Fuzzing

$date, $(nproc) CPUs (load $(cut -d' ' -f1-3 /proc/loadavg)), clang $(clang --version | head -1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1),
libFuzzer with ASan and UBSan, RelWithDebInfo; each target one process ($jobs at a time), from a copy of
its seed corpus, \`-runs=$runs -max_total_time=$seconds -max_len=65536 -rss_limit_mb=2048 -timeout=60\`
(\`-max_total_time=0\`: no time limit); ${total} s in all.

| target | executions | seconds | exec/s | coverage (cov / ft) | corpus (seeds -> end) | peak RSS | findings |
|---|---|---|---|---|---|---|---|
$rows"
printf '%s\n' "$section" >"$out"
if [ -n "$readme" ]; then
  python3 - "$readme" "$section" "${command:-tests/soak/fuzz.sh --runs $runs}" <<'EOF'
import sys
path, section, command = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
start, end = "<!-- fuzz-figures -->", "<!-- /fuzz-figures -->"
body = section.split("\n", 2)[2].strip()   # without the "## Fuzzing" heading
new = "%s\nCommand: `%s`\n\n%s\n%s" % (start, command, body, end)
if start in text:
    text = text[:text.index(start)] + new + text[text.index(end) + len(end):]
else:
    text = text.rstrip("\n") + "\n\n" + new + "\n"
open(path, "w").write(text)
EOF
fi
exit $status
