#!/usr/bin/env bash
# Question: how fast does the registry monitoring service turn a push into findings, and how many
# push notifications can it take in?
#
#   push → findings   Debian 12 minbase (scripts/build-test-images) pushed with skopeo to a local
#                     docker-registry that notifies `bulwark serve` (SQLite, 2 workers); timed from
#                     the start of the push until GET …/tags/T says scanned. Each of N pushes
#                     (default 10) adds one small layer so that every push is a new digest.
#                     Median and max; goal < 5 s (the seed system: ~10 minutes). The floor, in the
#                     same run: `bulwark scan` of the same registry image from the CLI
#                     (service ÷ floor: what the queue, webhook and store add).
#   webhook ingest    wrk (benchmarks/service_webhook.lua) POSTs Distribution events, each a push of
#                     a new digest, to a server without workers for 10 s on 2 connections:
#                     requests/s and p50/p99 latency (every request records a push and enqueues
#                     a job in SQLite).
# Re-evaluation per 1,000 stored inventories: benchmarks/reevaluate.sh.
#
# Usage: benchmarks/service.sh [--runs N]
# Environment: BULWARK_BIN (default build/bin/bulwark), BULWARK_TESTDATA, BULWARK_IMAGE_CACHE.
# Output: a table, then machine-readable lines: BENCH figure=push_to_findings_s value=… goal=<5
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=10
[ "${1:-}" = "--runs" ] && runs=$2
bulwark=$(realpath "${BULWARK_BIN:-$repo/build/bin/bulwark}")
vulns=${BULWARK_TESTDATA:-$repo/../shared/testdata}/scan/vulns
[ -x "$bulwark" ] || { echo "service: build bulwark first (ninja -C build bulwark)" >&2; exit 2; }
[ -d "$vulns" ] || { echo "service: no feeds at $vulns" >&2; exit 2; }
for tool in docker-registry skopeo umoci jq wrk curl; do
  command -v "$tool" >/dev/null || { echo "service: $tool missing: run scripts/install-deps" >&2; exit 2; }
done
oci=$("$repo/scripts/build-test-images" minbase | awk '$2 == "dir" { print $3 }')/oci
[ -d "$oci" ] || { echo "service: the minbase image could not be built" >&2; exit 2; }

work=$(mktemp -d /tmp/bulwark-bench-service.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export XDG_DATA_HOME=$work/data

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
wait_http() { for _ in $(seq 200); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }

"$bulwark" db import --db "$work/vuln.db" "$vulns" >/dev/null 2>&1
admin=$("$bulwark" token create --name bench --role admin 2>/dev/null)
ingest=$("$bulwark" token create --name registry --role ingest 2>/dev/null)

# ---- push → findings --------------------------------------------------------------------------
registry_port=$(free_port)
service_port=$(free_port)
"$bulwark" registry add local "http://127.0.0.1:$registry_port" --insecure >/dev/null
cat >"$work/registry.yml" <<YAML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: 127.0.0.1:$registry_port}
notifications:
  endpoints:
    - {name: bulwark, url: "http://127.0.0.1:$service_port/api/v1/webhooks/distribution/local",
       headers: {Authorization: ["Bearer $ingest"]}, timeout: 2s, threshold: 3, backoff: 200ms}
YAML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
pids+=($!)
"$bulwark" serve --listen "127.0.0.1:$service_port" --db "$work/vuln.db" --workers 2 \
  >"$work/serve.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$service_port/healthz"
wait_http "http://127.0.0.1:$registry_port/v2/"

cp -a "$oci" "$work/oci"
skopeo copy --quiet --dest-tls-verify=false "oci:$work/oci:latest" \
  "docker://127.0.0.1:$registry_port/bench/minbase:base"  # the base layers, once

# The floor: the CLI scanning the same image from the registry.
floor_times=()
for _ in 1 2 3; do
  start=$(now)
  "$bulwark" scan --db "$work/vuln.db" --insecure "127.0.0.1:$registry_port/bench/minbase:base" \
    --format json >/dev/null 2>&1
  floor_times+=("$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')")
done
floor=$(printf '%s\n' "${floor_times[@]}" | median)

push_times=()
for i in $(seq "$runs"); do
  printf 'run %s\n' "$i" >"$work/marker"
  umoci insert --image "$work/oci:latest" --tag "run$i" "$work/marker" /etc/bench-run >/dev/null
  start=$(now)
  skopeo copy --quiet --dest-tls-verify=false "oci:$work/oci:run$i" \
    "docker://127.0.0.1:$registry_port/bench/minbase:run$i"
  scanned=false
  for _ in $(seq 1200); do
    body=$(curl -fs -H "Authorization: Bearer $admin" \
      "http://127.0.0.1:$service_port/api/v1/registries/local/tags/run$i?repository=bench/minbase" ||
      true)
    if [ -n "$body" ] && [ "$(jq -r .scanned <<<"$body")" = true ]; then scanned=true; break; fi
    sleep 0.02
  done
  [ "$scanned" = true ] || { echo "service: run $i was not scanned:" >&2; tail "$work/serve.log" >&2; exit 1; }
  push_times+=("$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')")
done
push_median=$(printf '%s\n' "${push_times[@]}" | median)
push_max=$(printf '%s\n' "${push_times[@]}" | sort -g | tail -1)
packages=$(jq -r .scan.package_count <<<"$body")
findings=$(jq -r .counts.total <<<"$body")
kill "${pids[1]}"
wait "${pids[1]}" 2>/dev/null || true

# ---- webhook ingestion --------------------------------------------------------------------------
ingest_port=$(free_port)
"$bulwark" serve --listen "127.0.0.1:$ingest_port" --db "$work/vuln.db" --workers 0 \
  --store "sqlite:$work/ingest.db" >"$work/ingest.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$ingest_port/healthz"
"$bulwark" registry add local "http://127.0.0.1:$registry_port" --insecure \
  --store "sqlite:$work/ingest.db" >/dev/null
ingest2=$("$bulwark" token create --name wrk --role ingest --store "sqlite:$work/ingest.db" 2>/dev/null)
reader=$("$bulwark" token create --name metrics --role reader --store "sqlite:$work/ingest.db" 2>/dev/null)
# The server reads limits from its config: lift the rate limit for the load generator.
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
printf 'limits: {requests_per_second: 1000000, burst: 1000000}\n' >"$work/ingest.yml"
"$bulwark" serve --config "$work/ingest.yml" --listen "127.0.0.1:$ingest_port" \
  --db "$work/vuln.db" --workers 0 --store "sqlite:$work/ingest.db" >"$work/ingest.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$ingest_port/healthz"
BULWARK_TOKEN=$ingest2 wrk -t2 -c2 -d10s --latency -s "$repo/benchmarks/service_webhook.lua" \
  "http://127.0.0.1:$ingest_port/api/v1/webhooks/distribution/local" >"$work/wrk.txt"
rps=$(awk '/Requests\/sec/ { print $2 }' "$work/wrk.txt")
p50=$(awk '$1 == "50%" { print $2 }' "$work/wrk.txt")
p99=$(awk '$1 == "99%" { print $2 }' "$work/wrk.txt")
non2xx=$(awk '/Non-2xx/ { print $NF }' "$work/wrk.txt")
jobs=$(curl -fs -H "Authorization: Bearer $reader" "http://127.0.0.1:$ingest_port/metrics" |
  awk '/^jobs\{state="queued"\}/ { print $2 }' || true)

printf '\n%-44s %s\n' "figure" "value"
printf '%-44s %s\n' "image" "Debian 12 minbase, $packages packages, $findings findings"
printf '%-44s %.2f s (max %.2f s, %s pushes)\n' "push → findings visible, median" "$push_median" "$push_max" "$runs"
printf '%-44s %.2f s\n' "floor: bulwark scan from the registry (CLI)" "$floor"
printf '%-44s %.2f\n' "service ÷ floor" "$(awk -v a="$push_median" -v b="$floor" 'BEGIN { print a / b }')"
printf '%-44s %s req/s, p50 %s, p99 %s, non-2xx %s\n' "webhook ingest (wrk, 2 conns, 10 s)" "$rps" "$p50" "$p99" "${non2xx:-0}"
printf '%-44s %s\n' "jobs queued by the ingest run" "${jobs:-?}"
echo
echo "BENCH figure=push_to_findings_s value=$push_median goal=<5"
echo "BENCH figure=push_over_cli_scan value=$(awk -v a="$push_median" -v b="$floor" 'BEGIN { printf "%.2f", a / b }') goal=report"
echo "BENCH figure=webhook_requests_per_s value=$rps goal=report"
echo "BENCH figure=webhook_p99 value=$p99 goal=report"
