#!/usr/bin/env bash
# Question: how fast does bulwark import advisories, how big is its database per advisory, and
# how long does a cold scan (open the database + match) of a large inventory take?
# Goals (issue 3): import >= 5,000 advisories/s; cold scan of ~1,000 packages < 50 ms over
# `bulwark sbom` of the same target.
# Usage: benchmarks/vulndb.sh [--runs N]     (feeds: ../shared/testdata/scan/vulns, read in place)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
[ "${1:-}" = "--runs" ] && runs=$2
bin=${BULWARK_BIN:-build/bin/bulwark}
vulns=${BULWARK_TESTDATA:-../shared/testdata}/scan/vulns
[ -x "$bin" ] || { echo "build bulwark first (ninja -C build bulwark)"; exit 2; }
[ -d "$vulns" ] || { echo "no feeds at $vulns"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
now() { date +%s.%N; }

import_times=()
for _ in $(seq "$runs"); do
  rm -f "$work/bulwark.db"
  start=$(now)
  "$bin" db import --db "$work/bulwark.db" "$vulns" >"$work/import.txt" 2>&1
  import_times+=("$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')")
done
advisories=$(awk 'NR == 1 { print $2 }' "$work/import.txt")
import_s=$(printf '%s\n' "${import_times[@]}" | median)
db_bytes=$(stat -c %s "$work/bulwark.db")
stored=$("$bin" db stats --db "$work/bulwark.db" --format json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["advisories"])')

# A large inventory: this machine's own root filesystem (Debian 12 with the build toolchain).
scan_times=()
sbom_times=()
for _ in $(seq "$runs"); do
  start=$(now)
  "$bin" sbom / --format json -o /dev/null
  sbom_times+=("$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')")
  start=$(now)
  "$bin" scan / --db "$work/bulwark.db" --format json -o /dev/null
  scan_times+=("$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')")
done
packages=$("$bin" sbom / --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["packages"]))')
sbom_s=$(printf '%s\n' "${sbom_times[@]}" | median)
scan_s=$(printf '%s\n' "${scan_times[@]}" | median)

awk -v n="$advisories" -v s="$import_s" -v stored="$stored" -v bytes="$db_bytes" \
    -v p="$packages" -v sb="$sbom_s" -v sc="$scan_s" 'BEGIN {
  printf "%-44s %12s\n", "figure (median of runs)", "value"
  printf "%-44s %12d\n", "advisories read from the shared feeds", n
  printf "%-44s %12.2f s\n", "import time", s
  printf "%-44s %12.0f /s   (goal >= 5000)\n", "import rate", n / s
  printf "%-44s %12d\n", "advisories stored (after upserts)", stored
  printf "%-44s %12.1f MiB\n", "database size", bytes / 1048576
  printf "%-44s %12.0f B\n", "bytes per stored advisory", bytes / stored
  printf "%-44s %12d\n", "packages in the scanned inventory (/)", p
  printf "%-44s %12.1f ms\n", "bulwark sbom /", sb * 1000
  printf "%-44s %12.1f ms\n", "bulwark scan / (cold: open db + match)", sc * 1000
  printf "%-44s %12.1f ms   (goal < 50)\n", "scan minus sbom (database + matching)", (sc - sb) * 1000
  printf "import_rate_per_s=%.0f\nbytes_per_advisory=%.0f\nscan_over_sbom_ms=%.1f\n", n / s, bytes / stored, (sc - sb) * 1000
}'
