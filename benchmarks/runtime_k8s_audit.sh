#!/usr/bin/env bash
# runtime_k8s_audit.sh — how close does `bulwark detect`, running Falco's k8s audit rules over
# a Kubernetes audit log, come to the speed of merely parsing that log with simdjson?
#
# Builds an audit log of N MB by repeating the 51 real events of
# ../shared/testdata/runtime/derived/k8s_audit_events.jsonl (each copy with fresh auditIDs so no
# two lines are equal), then times, from a warm page cache, median of R runs:
#   floor:   simdjson_lines LOG                          (simdjson parse_many, nothing else)
#   bulwark: bulwark detect -r k8s_audit_rules.yaml -s k8s-audit:LOG (issue 7's definition)
#            in all-match (default) and --first-match mode, alerts written to /dev/null, and
#            all-match again with falco_rules.yaml loaded first, as Falco's own k8s audit
#            tests load it (its syscall rules cost only their loading here)
# and prints events/s of each and the ratio detect ÷ floor (issue 7's goal: ≥ 0.5), plus
# bulwark's peak RSS.
#
# Usage: benchmarks/runtime_k8s_audit.sh [--mb N] [--runs R] [--keep]
# Needs -DBULWARK_BENCHMARKS=ON (BULWARK_BUILD, default build/: bin/bulwark, bin/simdjson_lines).
set -euo pipefail

mb=200
runs=3
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --mb) mb=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--mb N] [--runs R] [--keep]" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BULWARK_BUILD:-$root/build}
shared=${BULWARK_TESTDATA:-$root/../shared/testdata}/runtime
bulwark=$build/bin/bulwark
floor=$build/bin/simdjson_lines
for tool in "$bulwark" "$floor"; do
  if [ ! -x "$tool" ]; then
    echo "runtime_k8s_audit: $tool missing: configure with -DBULWARK_BENCHMARKS=ON and build" >&2
    exit 2
  fi
done
events=$shared/derived/k8s_audit_events.jsonl
rules=(-r "$shared/falcosecurity-plugins/k8saudit/k8s_audit_rules.yaml")
with_falco=(-r "$shared/falcosecurity-rules/falco-rules-0.1.0/falco_rules.yaml" "${rules[@]}")
[ -f "$events" ] || { echo "runtime_k8s_audit: $events missing (../shared/testdata)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bulwark-runtime-bench.XXXXXX")
cleanup() { [ "$keep" = 1 ] && echo "kept $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT
log=$work/audit.jsonl

# --- the log: copies of the real events, each copy's auditIDs made unique ------------------
budget=$((mb * 1000 * 1000))
size=$(stat -c %s "$events")
copies=$(( (budget + size - 1) / size ))
awk -v copies="$copies" '
  { line[NR] = $0 }
  END {
    for (c = 1; c <= copies; c++)
      for (i = 1; i <= NR; i++) {
        l = line[i]
        sub(/"auditID": *"/, "&" c "-", l)
        print l
      }
  }' "$events" > "$log"
lines=$(wc -l < "$log")
echo "log: $(( $(stat -c %s "$log") / 1000000 )) MB, $lines events ($copies copies of 51)"

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
seconds_of() { # command… → wall seconds
  local start end
  start=$(date +%s.%N); "$@" > /dev/null 2> "$work/stderr"; end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}

cat "$log" > /dev/null  # warm the page cache
"$floor" "$log" > /dev/null

floor_times=(); all_times=(); first_times=(); falco_times=()
for _ in $(seq "$runs"); do
  floor_times+=("$("$floor" "$log" | awk '{ print $2 }')")
  all_times+=("$(seconds_of "$bulwark" detect "${rules[@]}" -s "k8s-audit:$log")")
  first_times+=("$(seconds_of "$bulwark" detect --first-match "${rules[@]}" -s "k8s-audit:$log")")
  alerts=$(grep -o '[0-9]* alert(s)' "$work/stderr" | head -1)
  falco_times+=("$(seconds_of "$bulwark" detect "${with_falco[@]}" -s "k8s-audit:$log")")
done
rss=$( { /usr/bin/time -f '%M' "$bulwark" detect "${rules[@]}" -s "k8s-audit:$log" > /dev/null \
         2> "$work/time"; } ; tail -1 "$work/time")

floor_s=$(printf '%s\n' "${floor_times[@]}" | median)
all_s=$(printf '%s\n' "${all_times[@]}" | median)
first_s=$(printf '%s\n' "${first_times[@]}" | median)
falco_s=$(printf '%s\n' "${falco_times[@]}" | median)
rate() { echo "$lines / $1" | bc -l | xargs printf '%.0f'; }
ratio() { echo "$floor_s / $1" | bc -l | xargs printf '%.2f'; }

printf '%-34s %10s %14s\n' "run (median of $runs)" "seconds" "events/s"
printf '%-34s %10.3f %14s\n' "floor: simdjson parse_many" "$floor_s" "$(rate "$floor_s")"
printf '%-34s %10.3f %14s\n' "bulwark detect (all match)" "$all_s" "$(rate "$all_s")"
printf '%-34s %10.3f %14s\n' "bulwark detect --first-match" "$first_s" "$(rate "$first_s")"
printf '%-34s %10.3f %14s\n' "  all match, falco_rules.yaml too" "$falco_s" "$(rate "$falco_s")"
echo "first-match run: $alerts; bulwark peak RSS: $((rss / 1024)) MiB"
echo "figure detect_over_floor_all_match $(ratio "$all_s") goal>=0.5"
echo "figure detect_over_floor_first_match $(ratio "$first_s") goal>=0.5"
echo "figure detect_over_floor_with_falco_rules $(ratio "$falco_s")"
echo "figure detect_peak_rss_mib $((rss / 1024))"
