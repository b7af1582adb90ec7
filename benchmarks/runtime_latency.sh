#!/usr/bin/env bash
# runtime_latency.sh — how long from a process exec to its alert on stdout, and what does
# watching cost? (issue 7 §7: "end-to-end latency from a process exec to its alert on stdout,
# p50/p99")
#
#   latency: bulwark detect -s ebpf, then -s proc, with one rule on a marker program; the helper
#            spawns the marker N times, G ms apart, noting CLOCK_REALTIME just before each spawn,
#            and stamps every line of detect's stdout with CLOCK_REALTIME as read(2) returns it;
#            exec → alert p50/p99/max in ms (nearest rank), against the floor of the exec itself
#            (spawn → the marker's main(), which notes CLOCK_REALTIME too)
#   cpu:     detect's utime+stime (/proc/PID/stat) over S s idle and over S s of a loop spawning
#            /bin/true as fast as it can, as % of one core; and detect's CPU per exec against the
#            workload's own (the loop and its children): the floor
#   agent:   the same CPU figures for `bulwark agent` delivering to a `bulwark serve` on
#            loopback, and whether 50 markers' alerts all reached the server
#
# Usage: benchmarks/runtime_latency.sh [--execs N] [--gap-ms G] [--cpu-seconds S]
#                                      [--sensors "ebpf proc"]
# Needs root (the sensors) and -DBULWARK_BENCHMARKS=ON (BULWARK_BUILD, default build/). When the
# ebpf sensor cannot start, a note says why and proc is measured alone. Other load on the
# machine (builds, other sensors) shows in every figure: run it on a quiet machine.
set -euo pipefail

execs=200
gap_ms=20
cpu_seconds=10
sensors="ebpf proc"
while [ $# -gt 0 ]; do
  case "$1" in
    --execs) execs=$2; shift 2 ;;
    --gap-ms) gap_ms=$2; shift 2 ;;
    --cpu-seconds) cpu_seconds=$2; shift 2 ;;
    --sensors) sensors=$2; shift 2 ;;
    *) echo "usage: $0 [--execs N] [--gap-ms G] [--cpu-seconds S] [--sensors \"ebpf proc\"]" >&2
       exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BULWARK_BUILD:-$root/build}
bulwark=$build/bin/bulwark
helper=$build/bin/runtime_latency_helper
for tool in "$bulwark" "$helper"; do
  [ -x "$tool" ] || { echo "runtime_latency: $tool missing: configure with" \
    "-DBULWARK_BENCHMARKS=ON and build bulwark runtime_latency_helper" >&2; exit 2; }
done
if [ "$(id -u)" != 0 ]; then
  echo "runtime_latency: needs root (the ebpf and proc sensors)" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bulwark-latency-bench.XXXXXX")
started=()
cleanup() {
  for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The marker is the helper under another name: it stays 100 ms, long enough for proc to read it.
cp "$helper" "$work/bwlat_marker"
cat > "$work/rules.yaml" <<'EOF'
- rule: Latency marker exec
  desc: runtime_latency.sh's marker program ran
  condition: evt.type = execve and proc.name = bwlat_marker
  output: "bwlat_alert %proc.args"
  priority: NOTICE
EOF
clk_tck=$(getconf CLK_TCK)

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }  # utime + stime (comm has no spaces)
count() { grep -c "$1" "$2" || true; }
# a / b with `digits` decimals; "-" when b is not positive.
ratio() {
  awk -v a="$1" -v b="$2" -v n="$3" \
    'BEGIN { if (b + 0 > 0) printf("%." n "f", a / b); else print "-" }'
}
# Nearest-rank p50, p99 and max of the numbers on stdin; "- - -" when there are none.
percentiles() {
  sort -g | awk '{ v[NR] = $1 }
    END {
      if (NR == 0) { print "- - -"; exit }
      i = int(NR * 0.99); if (i < NR * 0.99) i++; if (i < 1) i = 1
      printf "%.3f %.3f %.3f\n", v[int((NR + 1) / 2)], v[i], v[NR]
    }'
}
# Polls until `pattern` appears in `file` at least `n` times or `seconds` pass.
wait_count() {
  local pattern=$1 file=$2 n=$3 seconds=$4 i
  for ((i = 0; i < seconds * 20; i++)); do
    [ "$(count "$pattern" "$file")" -ge "$n" ] && return 0
    sleep 0.05
  done
  return 1
}

measure() {
  local sensor=$1 out=$work/$1
  mkfifo "$out.fifo"
  "$helper" stamp < "$out.fifo" > "$out.stamped" &
  local stamper=$!
  "$bulwark" detect -s "$sensor" -r "$work/rules.yaml" --docker-host none \
    > "$out.fifo" 2> "$out.err" &
  local detect=$!
  started+=("$detect" "$stamper")
  local ready=0 i
  for ((i = 0; i < 300; i++)); do
    kill -0 "$detect" 2>/dev/null || break
    if grep -qs "bulwark: detect: $sensor: " "$out.err"; then ready=1; break; fi
    sleep 0.1
  done
  sleep 0.2
  if [ "$ready" = 0 ] || ! kill -0 "$detect" 2>/dev/null; then
    echo "note: -s $sensor did not start: $(tr '\n' ' ' < "$out.err" | head -c 400)"
    kill "$detect" 2>/dev/null || true
    wait "$detect" 2>/dev/null || true
    wait "$stamper" 2>/dev/null || true
    return 1
  fi

  # Warm up (page cache, the process table, the first alert's allocations) until one alert.
  local warm=0
  for ((i = 1; i <= 20; i++)); do
    "$helper" launch "$work/bwlat_marker" 1 0 "warm$i" > /dev/null 2>&1
    if wait_count "bwlat_alert warm$i-1" "$out.stamped" 1 1; then warm=1; break; fi
  done
  [ "$warm" = 1 ] || echo "note: -s $sensor: no alert for the warm-up marker"

  # The markers append "run-<i> <ns>" to $out.started as they begin (the floor).
  "$helper" launch "$work/bwlat_marker" "$execs" "$gap_ms" run > "$out.launched" 2>> "$out.started"
  wait_count "bwlat_alert run-" "$out.stamped" "$execs" 10 || true
  # ns since the epoch lose ~0.3 µs as awk doubles: nothing at the ms scale.
  awk 'NR == FNR { at[$1] = $2; next }
       match($0, /bwlat_alert run-[0-9]+/) {
         i = substr($0, RSTART + 16, RLENGTH - 16)
         if ((i in at) && !(i in seen)) { seen[i] = 1; printf "%.6f\n", ($1 - at[i]) / 1e6 }
       }' "$out.launched" "$out.stamped" > "$out.latency"
  awk 'NR == FNR { at["run-" $1] = $2; next }
       ($1 in at) { printf "%.6f\n", ($2 - at[$1]) / 1e6 }' "$out.launched" "$out.started" \
    > "$out.floor"
  local got p50 p99 max floor50 floor99 over
  got=$(wc -l < "$out.latency")
  read -r p50 p99 max < <(percentiles < "$out.latency")
  read -r floor50 floor99 _ < <(percentiles < "$out.floor")
  over=$(ratio "$p50" "$floor50" 2)

  local t0 t1 idle busy spawned workload_cpu per_exec floor_ratio
  t0=$(ticks "$detect"); sleep "$cpu_seconds"; t1=$(ticks "$detect")
  idle=$(ratio "$(((t1 - t0) * 100))" "$((clk_tck * cpu_seconds))" 2)
  t0=$(ticks "$detect")
  read -r spawned workload_cpu < <("$helper" spawn "$cpu_seconds" /bin/true)
  t1=$(ticks "$detect")
  busy=$(ratio "$(((t1 - t0) * 100))" "$((clk_tck * cpu_seconds))" 2)
  per_exec=$(ratio "$(((t1 - t0) * 1000000))" "$((clk_tck * spawned))" 1)  # µs
  floor_ratio=$(ratio "$((t1 - t0))" "$(awk -v w="$workload_cpu" -v hz="$clk_tck" \
    'BEGIN { print w * hz }')" 3)

  kill -TERM "$detect" 2>/dev/null || true
  wait "$detect" 2>/dev/null || true
  wait "$stamper" 2>/dev/null || true

  printf '%-5s exec→alert p50 %s ms  p99 %s ms  max %s ms  (%s/%s alerts); ' \
    "$sensor" "$p50" "$p99" "$max" "$got" "$execs"
  printf 'floor spawn→main p50 %s ms  p99 %s ms: p50 %sx the floor\n' \
    "$floor50" "$floor99" "$over"
  printf '%-5s cpu idle %s %%  busy %s %% of one core ' "$sensor" "$idle" "$busy"
  printf '(%s execs of /bin/true in %s s: %s µs of detect CPU per exec, ' \
    "$spawned" "$cpu_seconds" "$per_exec"
  printf '%sx the workload'"'"'s own CPU)\n' "$floor_ratio"
  echo "figure latency_p50_ms{$sensor} $p50"
  echo "figure latency_p99_ms{$sensor} $p99"
  echo "figure latency_max_ms{$sensor} $max"
  echo "figure latency_floor_p50_ms{$sensor} $floor50"
  echo "figure latency_over_floor{$sensor} $over"
  echo "figure cpu_idle_pct{$sensor} $idle"
  echo "figure cpu_busy_pct{$sensor} $busy"
  echo "figure cpu_over_workload{$sensor} $floor_ratio"
}

# `bulwark agent` on the same sensor, delivering to a `bulwark serve` on loopback (built-in
# rules plus the marker's): its CPU idle and busy as above, and whether the markers' alerts
# all reached the server.
measure_agent() {
  local sensor=$1 dir=$work/agent-$1 port i
  mkdir -p "$dir"
  "$bulwark" token create --name bench --role ingest --store "sqlite:$dir/store.db" 2>/dev/null |
    tail -1 > "$dir/token"
  "$bulwark" token create --name reader --role reader --store "sqlite:$dir/store.db" 2>/dev/null |
    tail -1 > "$dir/reader"
  port=$((20000 + RANDOM % 20000))
  "$bulwark" serve --listen "127.0.0.1:$port" --store "sqlite:$dir/store.db" --workers 0 \
    > "$dir/serve.log" 2>&1 &
  started+=("$!")
  for ((i = 0; i < 100; i++)); do
    curl -fs "http://127.0.0.1:$port/healthz" > /dev/null 2>&1 && break
    sleep 0.1
  done
  "$bulwark" agent --server "http://127.0.0.1:$port" --token-file "$dir/token" \
    --spool-dir "$dir/spool" --state-dir "$dir/state" -s "$sensor" -r builtin \
    -r "$work/rules.yaml" --docker-host none --batch-wait 250ms > "$dir/agent.log" 2>&1 &
  local agent=$!
  started+=("$agent")
  for ((i = 0; i < 300; i++)); do
    grep -qs "bulwark: agent: $sensor: " "$dir/agent.log" && break
    sleep 0.1
  done
  sleep 0.5
  if ! kill -0 "$agent" 2>/dev/null; then
    echo "note: agent -s $sensor did not start: $(tr '\n' ' ' < "$dir/agent.log" | head -c 400)"
    return 1
  fi
  local t0 t1 idle busy spawned workload_cpu delivered
  t0=$(ticks "$agent"); sleep "$cpu_seconds"; t1=$(ticks "$agent")
  idle=$(ratio "$(((t1 - t0) * 100))" "$((clk_tck * cpu_seconds))" 2)
  t0=$(ticks "$agent")
  read -r spawned workload_cpu < <("$helper" spawn "$cpu_seconds" /bin/true)
  t1=$(ticks "$agent")
  busy=$(ratio "$(((t1 - t0) * 100))" "$((clk_tck * cpu_seconds))" 2)
  "$helper" launch "$work/bwlat_marker" 50 "$gap_ms" agent > /dev/null 2>&1
  for ((i = 0; i < 100; i++)); do
    delivered=$(curl -fs -H "Authorization: Bearer $(cat "$dir/reader")" \
      "http://127.0.0.1:$port/api/v1/alerts?rule=Latency%20marker%20exec&limit=1000" |
      grep -o '"alert_id"' | wc -l)
    [ "$delivered" -ge 50 ] && break
    sleep 0.1
  done
  kill -TERM "$agent" 2>/dev/null || true
  wait "$agent" 2>/dev/null || true
  printf '%-5s agent cpu idle %s %%  busy %s %% of one core (%s execs of /bin/true in %s s); ' \
    "$sensor" "$idle" "$busy" "$spawned" "$cpu_seconds"
  printf '%s/50 marker alerts delivered to serve\n' "$delivered"
  echo "figure agent_cpu_idle_pct{$sensor} $idle"
  echo "figure agent_cpu_busy_pct{$sensor} $busy"
  echo "figure agent_delivered_of_50{$sensor} $delivered"
}

echo "runtime_latency: $execs execs of a marker ${gap_ms} ms apart per sensor; CPU over" \
  "${cpu_seconds} s idle and ${cpu_seconds} s busy; $(nproc) cores, kernel $(uname -r)"
for sensor in $sensors; do
  if ! measure "$sensor" && [ "$sensor" = ebpf ]; then
    echo "note: eBPF unavailable: -s proc alone is measured"
    case " $sensors " in *" proc "*) ;; *) measure proc || true ;; esac
  fi
done
for sensor in $sensors; do
  measure_agent "$sensor" || true
done
