#!/usr/bin/env bash
# Every libFuzzer target (tests/fuzz/fuzz_*.c) run to a number of executions, from a
# copy of its seed corpus; a Markdown section with the figures per target.
#   bash tests/soak/fuzz.sh --runs N [--seconds S] [--out FILE] [--build DIR] [--only NAME,...]
#                           [--readme tests/fuzz/README.md --command "..."]
# --seconds caps each target's time (0, the default: no cap); the table says how many
# executions each target made.
# The targets are built as tools/fuzz.sh builds them (clang, -DIAMSH_FUZZ=ON:
# libFuzzer, ASan, UBSan), but optimised (RelWithDebInfo) into build-fuzz-rel/:
# the same checks, several times the executions per second of the Debug build.
# A finding (crash, leak, timeout, sanitizer report) leaves its input in
# BUILD/fuzz-artifacts/ and fails the script. --readme rewrites the figures between
# the <!-- fuzz-figures --> markers of that file.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs="" seconds=0 out=/dev/stdout build="$root/build-fuzz-rel" only="" readme="" command=""
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --readme) readme=$2; shift 2 ;;
    --command) command=$2; shift 2 ;;
    *) echo "fuzz.sh: unknown argument $1" >&2; exit 252 ;;
  esac
done
[ -n "$runs" ] || { echo "fuzz.sh: --runs N is required" >&2; exit 252; }
CC=clang cmake -S "$root" -B "$build" -DIAMSH_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=()
for src in "$root"/tests/fuzz/fuzz_*.c; do
  name=$(basename "$src" .c)
  if [ -z "$only" ] || [[ ",$only," == *",$name,"* ]]; then targets+=("$name"); fi
done
cmake --build "$build" -j2 $(printf -- '--target fuzz-%s ' "${targets[@]}") >/dev/null
mkdir -p "$build/fuzz-artifacts"
status=0
date=$(date -u '+%Y-%m-%d %H:%M UTC')
rows=""
total_start=$(date +%s)
for name in "${targets[@]}"; do
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
  figure() { grep -m1 "stat::$1:" "$log" | awk '{print $2}'; }
  execs=$(figure number_of_executed_units) rss=$(figure peak_rss_mb)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 | awk '{print $2 " / " $4}')
  corpus=$(find "$work" -type f | wc -l)
  finding="none"
  if [ "$rc" -ne 0 ]; then
    finding="**exit $rc**: $(grep -m1 -E 'ERROR: |runtime error|Test unit written' "$log" | sed 's/|/\\|/g' | cut -c1-160)"
    status=1
    echo "fuzz: $name FAILED (see $log and $build/fuzz-artifacts/)" >&2
  fi
  rate=$(echo "${execs:-0} / $secs" | bc)
  rows+=$(printf '| %s | %s | %.0f | %s | %s | %s -> %s | %s MB | %s |' "$name" "${execs:-?}" "$secs" "$rate" \
    "${cov:-?}" "$seeds" "$corpus" "${rss:-?}" "$finding")$'\n'
  rm -rf "$work"
done
total=$(( $(date +%s) - total_start ))
section="## Fuzzing

$date, $(nproc) CPUs (load $(cut -d' ' -f1-3 /proc/loadavg)), clang $(clang --version | head -1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1),
libFuzzer with ASan and UBSan, RelWithDebInfo; each target alone, one process, from a copy of
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
