#!/usr/bin/env bash
# Question: how long does the service take to match every stored inventory again when the
# vulnerability database changes, and does memory stay flat however many are stored?
# Goal (issue 5): 100,000 stored inventories re-evaluated in < 5 minutes on 2 cores; reported
# per 1,000 and projected (the work is linear: one inventory decoded, matched, saved at a time).
#
# Database A: ../shared/testdata/scan/vulns without the Debian feeds; database B: all of them
# (so re-evaluation finds the Debian findings as new). Inventories: this machine's root
# filesystem (Debian 12, ~900 packages), stored --count times (default 1000) under distinct
# digests in a SQLite store.
#
# Needs a build with -DBULWARK_BENCHMARKS=ON: BULWARK_BUILD (default build/) /bin/reevaluate_bench.
# Usage: benchmarks/reevaluate.sh [--count N]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
count=1000
[ "${1:-}" = "--count" ] && count=$2
build=${BULWARK_BUILD:-$repo/build}
bulwark=${BULWARK_BIN:-$build/bin/bulwark}
tool=$build/bin/reevaluate_bench
vulns=${BULWARK_TESTDATA:-$repo/../shared/testdata}/scan/vulns
[ -x "$tool" ] || {
  echo "reevaluate: $tool missing: configure with -DBULWARK_BENCHMARKS=ON and build the" \
       "reevaluate_bench target" >&2
  exit 2
}
[ -d "$vulns" ] || { echo "reevaluate: no feeds at $vulns" >&2; exit 2; }
work=$(mktemp -d /tmp/bulwark-bench-reevaluate.XXXXXX)
trap 'rm -rf "$work"' EXIT

feeds_a=()
for feed in "$vulns"/*; do
  [ "$(basename "$feed")" = debian ] || feeds_a+=("$feed")
done
"$bulwark" db import --db "$work/a.db" "${feeds_a[@]}" >/dev/null 2>&1
"$bulwark" db import --db "$work/b.db" "$vulns" >/dev/null 2>&1
"$tool" --target / --before "$work/a.db" --after "$work/b.db" --count "$count" \
  --store "$work/store.db"
