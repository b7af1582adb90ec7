#!/usr/bin/env bash
# runtime_syscall.sh — how fast does bulwark match host events against Falco's syscall rules?
#
#   engine:  runtime_syscall_bench — synthetic exec/connect/open events (built in memory first)
#            matched on one thread against falco_rules.yaml, then with the incubating and sandbox
#            rules too; events/s and rule conditions/s (issue 7's goal: ≥ 1,000,000 per core;
#            Falco publishes about 250,000 syscalls/s per core)
#   replay:  bulwark detect -s events:FILE over the same stream written as a recording, against
#            the floor of merely parsing that file with simdjson (simdjson_lines)
# Median of R runs each; peak RSS of the engine run.
#
# Usage: benchmarks/runtime_syscall.sh [--events N] [--runs R]
# Needs -DBULWARK_BENCHMARKS=ON (BULWARK_BUILD, default build/).
set -euo pipefail

events=5000000
runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --events) events=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--events N] [--runs R]" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BULWARK_BUILD:-$root/build}
rules=${BULWARK_TESTDATA:-$root/../shared/testdata}/runtime/falcosecurity-rules/HEAD
bench=$build/bin/runtime_syscall_bench
bulwark=$build/bin/bulwark
floor=$build/bin/simdjson_lines
for tool in "$bench" "$bulwark" "$floor"; do
  [ -x "$tool" ] || { echo "runtime_syscall: $tool missing: configure with -DBULWARK_BENCHMARKS=ON and build" >&2; exit 2; }
done
[ -f "$rules/falco_rules.yaml" ] || { echo "runtime_syscall: $rules missing (../shared/testdata)" >&2; exit 2; }

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

engine() {  # label, then runtime_syscall_bench arguments
  local label=$1; shift
  local rates=() conditions=() rss=0 out
  for _ in $(seq "$runs"); do
    out=$("$bench" --events "$events" "$@")
    rates+=("$(awk '/^events_per_s/ { print $2 }' <<<"$out")")
    conditions+=("$(awk '/^conditions_per_s/ { print $2 }' <<<"$out")")
    rss=$(awk '/^peak_rss_mb/ { print $2 }' <<<"$out")
  done
  printf '%-40s %12s events/s %14s conditions/s  rss %s MiB\n' "$label" \
    "$(printf '%s\n' "${rates[@]}" | median)" "$(printf '%s\n' "${conditions[@]}" | median)" "$rss"
  echo "figure engine_events_per_s{$label} $(printf '%s\n' "${rates[@]}" | median)"
}

echo "runtime_syscall: $events events per run, median of $runs, one thread"
engine "falco_rules.yaml" --rules "$rules/falco_rules.yaml"
engine "falco_rules.yaml --first-match" --rules "$rules/falco_rules.yaml" --first-match
engine "+ incubating + sandbox" --rules "$rules/falco_rules.yaml" \
  --rules "$rules/falco-incubating_rules.yaml" --rules "$rules/falco-sandbox_rules.yaml"

work=$(mktemp -d "${TMPDIR:-/tmp}/bulwark-syscall-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
recorded=200000
"$bench" --write "$work/stream.jsonl" --events "$recorded"
cat "$work/stream.jsonl" > /dev/null  # warm page cache for both
floor_times=() detect_times=()
for _ in $(seq "$runs"); do
  # (its exit status says whether every line had an auditID: not a question for host events)
  start=$(date +%s.%N); "$floor" "$work/stream.jsonl" > /dev/null || true; end=$(date +%s.%N)
  floor_times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")
  start=$(date +%s.%N)
  "$bulwark" detect -r "$rules/falco_rules.yaml" -s "events:$work/stream.jsonl" > /dev/null 2>&1
  end=$(date +%s.%N)
  detect_times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")
done
floor_s=$(printf '%s\n' "${floor_times[@]}" | median)
detect_s=$(printf '%s\n' "${detect_times[@]}" | median)
printf 'replay of %s recorded events (%s MB): simdjson %.3f s, bulwark detect %.3f s\n' \
  "$recorded" "$(( $(stat -c %s "$work/stream.jsonl") / 1000000 ))" "$floor_s" "$detect_s"
awk -v n="$recorded" -v f="$floor_s" -v d="$detect_s" \
  'BEGIN { printf "figure replay_events_per_s %d\nfigure replay_over_floor %.2f\n", n / d, f / d }'
