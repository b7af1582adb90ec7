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
read -r stored rows < <("$bin" db stats --db "$work/bulwark.db" --format json |
  python3 -c 'import json,sys; d = json.load(sys.stdin); print(d["advisories"], d["affected"])')

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

# The whole scan of the large Debian image against its inventory alone (goal: <= 1.2x), when
# scripts/build-test-images has built it.
large=${BULWARK_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bulwark/images}/large/image.oci.tar
large_sbom_s=0
large_scan_s=0
if [ -f "$large" ]; then
  large_sbom=()
  large_scan=()
  "$bin" scan "oci-archive:$large" --db "$work/bulwark.db" --format json -o /dev/null  # warm cache
  for _ in $(seq "$runs"); do
    start=$(now)
    "$bin" sbom "oci-archive:$large" --format json -o /dev/null
    large_sbom+=("$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')")
    start=$(now)
    "$bin" scan "oci-archive:$large" --db "$work/bulwark.db" --format json -o /dev/null
    large_scan+=("$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')")
  done
  large_sbom_s=$(printf '%s\n' "${large_sbom[@]}" | median)
  large_scan_s=$(printf '%s\n' "${large_scan[@]}" | median)
fi

awk -v n="$advisories" -v s="$import_s" -v stored="$stored" -v rows="$rows" -v bytes="$db_bytes" \
    -v p="$packages" -v sb="$sbom_s" -v sc="$scan_s" -v lb="$large_sbom_s" -v lc="$large_scan_s" 'BEGIN {
  printf "%-44s %12s\n", "figure (median of runs)", "value"
  printf "%-44s %12d\n", "advisories read from the shared feeds", n
  printf "%-44s %12.2f s\n", "import time", s
  printf "%-44s %12.0f /s   (goal >= 5000)\n", "import rate", n / s
  printf "%-44s %12d\n", "advisories stored (after upserts)", stored
  printf "%-44s %12.1f MiB\n", "database size", bytes / 1048576
  printf "%-44s %12.0f B\n", "bytes per stored advisory", bytes / stored
  printf "%-44s %12d\n", "affected-package rows", rows
  printf "%-44s %12d\n", "packages in the scanned inventory (/)", p
  printf "%-44s %12.1f ms\n", "bulwark sbom /", sb * 1000
  printf "%-44s %12.1f ms\n", "bulwark scan / (cold: open db + match)", sc * 1000
  printf "%-44s %12.1f ms   (goal < 50)\n", "scan minus sbom (database + matching)", (sc - sb) * 1000
  if (lb > 0) {
    printf "%-44s %12.2f s\n", "bulwark sbom of the large image", lb
    printf "%-44s %12.2f s\n", "bulwark scan of the large image", lc
    printf "%-44s %12.2f x   (goal <= 1.2)\n", "scan / sbom, large image", lc / lb
  } else {
    print "large image not built (scripts/build-test-images large): scan/sbom ratio skipped"
  }
  printf "import_rate_per_s=%.0f\nbytes_per_advisory=%.0f\nscan_over_sbom_ms=%.1f\n", n / s, bytes / stored, (sc - sb) * 1000
  if (lb > 0) printf "large_scan_over_sbom=%.2f\n", lc / lb
}'
