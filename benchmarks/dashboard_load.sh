#!/usr/bin/env bash
# Question: how long does the dashboard take to show the secure score, from a cold browser (no
# cache), with 1,000 images and 100,000 findings in the store, and on the demo platform?
# (docs/dev/posture-design.md §8; goal < 1 s.)
#
#   seeded  benchmarks/posture_seed fills a SQLite store (3 registries, 50 repositories, --images
#           digests × --findings findings, 20 hosts × 30 containers, 10,000 alerts, the posture
#           computed); `bulwark serve` on it (no workers, no rate limit).
#   demo    scripts/demo-platform: everything the demo starts (root and dockerd for all of it).
# Each: headless Chromium (playwright-core from web/node_modules), --runs cold loads of
# `/#/overview` with the token in the tab's session, from navigation to the score on screen;
# the median. With BULWARK_URL and BULWARK_TOKEN set, that server alone is measured.
#
# Needs bulwark built with its dashboard (BULWARK_BIN, default build/bin/bulwark), for `seeded`
# a build with -DBULWARK_BENCHMARKS=ON (BULWARK_BUILD, default build/: bin/posture_seed),
# /usr/bin/chromium, node, web/node_modules (scripts/install-deps).
# Usage: benchmarks/dashboard_load.sh [--runs N] [--images N] [--findings N] [seeded] [demo]
#        (default: both)
# Output: the loads, then lines BENCH figure=dashboard_load_ms value=… goal=1000 store=…
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BULWARK_BUILD:-$repo/build}
bulwark=$(realpath "${BULWARK_BIN:-$build/bin/bulwark}")
seed=$build/bin/posture_seed
runs=5
images=1000
findings=100
stores=()
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --images) images=$2; shift 2 ;;
    --findings) findings=$2; shift 2 ;;
    seeded | demo) stores+=("$1"); shift ;;
    *) echo "dashboard_load: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ ${#stores[@]} -gt 0 ] || stores=(seeded demo)
[ -x /usr/bin/chromium ] || { echo "dashboard_load: needs /usr/bin/chromium" >&2; exit 2; }
[ -f "$repo/web/node_modules/playwright-core/package.json" ] ||
  { echo "dashboard_load: needs web/node_modules (scripts/install-deps)" >&2; exit 2; }
measure() { node "$repo/tests/e2e/web/dashboard_load.mjs" "$runs" "$1"; }

if [ -n "${BULWARK_URL:-}" ] && [ -n "${BULWARK_TOKEN:-}" ]; then
  measure given
  exit 0
fi
[ -x "$bulwark" ] || { echo "dashboard_load: build bulwark first ($bulwark)" >&2; exit 2; }

work=$(mktemp -d /tmp/bulwark-bench-dashboard.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

for store in "${stores[@]}"; do
  case $store in
    seeded)
      [ -x "$seed" ] || {
        echo "dashboard_load: $seed missing: configure with -DBULWARK_BENCHMARKS=ON" >&2
        exit 2
      }
      echo "== seeded: $images images x $findings findings (SQLite)"
      url=sqlite:$work/seeded.db
      "$seed" --store "$url" --images "$images" --findings "$findings" >"$work/seed.txt"
      BULWARK_TOKEN=$("$bulwark" token create --name bench --role admin --store "$url" 2>/dev/null)
      printf 'limits: {requests_per_second: 1000000, burst: 1000000}\n' >"$work/serve.yml"
      port=$(free_port)
      "$bulwark" serve --config "$work/serve.yml" --listen "127.0.0.1:$port" --workers 0 \
        --store "$url" >"$work/serve.log" 2>&1 &
      pids+=($!)
      for _ in $(seq 300); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.05; done
      BULWARK_URL=http://127.0.0.1:$port
      export BULWARK_URL BULWARK_TOKEN
      measure seeded
      ;;
    demo)
      echo "== demo: scripts/demo-platform"
      "$repo/scripts/demo-platform" --ready-file "$work/ready" "$bulwark" >"$work/demo.out" 2>&1 &
      pids+=($!)
      while [ ! -s "$work/ready" ]; do
        kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/demo.out" >&2; exit 1; }
        sleep 0.5
      done
      # shellcheck disable=SC1091
      source "$work/ready"
      export BULWARK_URL BULWARK_TOKEN
      measure demo
      ;;
  esac
done
