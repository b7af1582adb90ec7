#!/usr/bin/env bash
# Question: what do the scanners besides vulnerabilities (secrets, malware, image config) cost
# on a real image full of application code, and how does the whole scan compare with Trivy's
# inventory of the same image?
#
# The image: the large Debian 12 test image (scripts/build-test-images: python3, nodejs, a JRE,
# perl, ruby, gcc, postgresql, ~1 GB uncompressed) plus one added layer of application
# dependencies, made here from what this machine has: the node_modules of tests/tools (npm ci),
# Java archives from /usr/share/java and /usr/share/maven/lib, and the Python packages of
# /usr/lib/python3/dist-packages, copied under /app as an application would vendor them.
# Measured in the same run (median of N runs, default 3, after one unmeasured warm-up):
#   vuln          bulwark scan --scanners vuln                       (the baseline)
#   all           bulwark scan --scanners vuln,secret,malware,config
#   all ÷ vuln    the price of the other scanners (malware: every file through YARA and
#                 SHA-256; secrets: text files only)                     reported, no goal
#   trivy ÷ all   trivy image --input (inventory only, its default analyzers) ÷ all  goal ≥ 1.0
#                 (every bulwark scanner together costs less than Trivy's inventory); Trivy skips
#                 the jars (--skip-files "**/*.jar": it must download its Java DB to read them,
#                 and this machine cannot), so it does less work than bulwark here
# The database is built from ../shared/testdata/scan/vulns (benchmarks/vulndb.sh does the same).
#
# Usage: benchmarks/scan_scanners.sh [--runs N]
# Environment: BULWARK_BIN (default build/bin/bulwark), TRIVY (default /tmp/bulwark-peers/trivy),
#              BULWARK_IMAGE_CACHE (see scripts/build-test-images), BULWARK_TESTDATA.
# Output: a table, then machine-readable lines: BENCH figure=all_over_vuln value=1.42 goal=<=2.0
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=3
[ "${1:-}" = "--runs" ] && runs=$2
bulwark=${BULWARK_BIN:-$repo/build/bin/bulwark}
trivy=${TRIVY:-/tmp/bulwark-peers/trivy}
vulns=${BULWARK_TESTDATA:-$repo/../shared/testdata}/scan/vulns
[ -x "$bulwark" ] || { echo "scan_scanners: build bulwark first (ninja -C build bulwark)" >&2; exit 2; }
[ -d "$vulns" ] || { echo "scan_scanners: no feeds at $vulns" >&2; exit 2; }
for tool in umoci jq /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "scan_scanners: $tool missing: run scripts/install-deps" >&2; exit 2; }
done

cache=$("$repo/scripts/build-test-images" --cached large 2>/dev/null | awk '$2 == "dir" { print $3 }') ||
  true
[ -d "$cache/oci" ] || {
  echo "scan_scanners: the large image is not built (scripts/build-test-images large)" >&2
  exit 2
}

work=$(mktemp -d /tmp/scan_scanners.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The application layer.
app=$work/app-root/app
mkdir -p "$app/lib" "$app/venv/lib/python3.11/site-packages"
[ -d "$repo/tests/tools/node_modules" ] && cp -a "$repo/tests/tools/node_modules" "$app/"
for jar in /usr/share/java/*.jar /usr/share/maven/lib/*.jar; do
  [ -f "$jar" ] && [ ! -L "$jar" ] && cp "$jar" "$app/lib/"
done
cp -a /usr/lib/python3/dist-packages/. "$app/venv/lib/python3.11/site-packages/" 2>/dev/null || true
tar -C "$work/app-root" --owner=0 --group=0 -cf "$work/app.tar" app
app_mb=$(du -sm "$work/app-root" | cut -f1)

# The image: the large OCI layout (hard-linked, umoci only adds files) plus that layer.
cp -al "$cache/oci" "$work/oci"
tag=latest
umoci raw add-layer --image "$work/oci:$tag" --tag app "$work/app.tar" >/dev/null
umoci rm --image "$work/oci:$tag"  # one image in the layout: Trivy takes the only one
"$bulwark" db import --db "$work/bulwark.db" "$vulns" >/dev/null 2>&1

measure() { # measure LABEL CMD...: warm-up, then $runs timed runs → "LABEL seconds rss_kb"
  local label=$1 i t0 t1
  shift
  "$@" >/dev/null 2>"$work/stderr" || { echo "scan_scanners: '$label' failed: $(tail -3 "$work/stderr")" >&2; return 1; }
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N)
    /usr/bin/time -v -o "$work/time" "$@" >/dev/null 2>"$work/stderr"
    t1=$(date +%s%N)
    echo "$label $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')" \
      "$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time")" >>"$work/samples"
  done
}
median() {
  awk -v l="$1" -v c="$2" '$1 == l { print $c }' "$work/samples" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) print "NA"; else print v[int((NR + 1) / 2)] }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA" || b == 0) print "NA"; else printf "%.2f", a / b }'; }

target="oci:$work/oci:app"
measure vuln "$bulwark" scan "$target" --db "$work/bulwark.db" --scanners vuln --format json
measure all "$bulwark" scan "$target" --db "$work/bulwark.db" \
  --scanners vuln,secret,malware,config --format json
"$bulwark" scan "$target" --db "$work/bulwark.db" --scanners vuln,secret,malware,config \
  --format json -o "$work/all.json" 2>/dev/null
have_trivy=0
if [ -x "$trivy" ]; then
  have_trivy=1
  trivy_scan() {
    rm -rf "$work/trivy-cache" && mkdir -p "$work/trivy-cache/tmp"
    TMPDIR=$work/trivy-cache/tmp "$trivy" image --input "$work/oci" --format cyclonedx \
      --skip-db-update --offline-scan --skip-files "**/*.jar" --cache-dir "$work/trivy-cache" \
      --quiet
  }
  export -f trivy_scan
  export work trivy
  measure trivy bash -c trivy_scan
fi

vuln_s=$(median vuln 2); all_s=$(median all 2); trivy_s=$(median trivy 2)
printf 'application layer: %s MB; findings: %s packages, %s vulnerabilities, %s secrets, %s malware, %s failed checks\n' \
  "$app_mb" "$(jq '[.findings[].package.name] | unique | length' "$work/all.json")" \
  "$(jq '.findings | length' "$work/all.json")" "$(jq '.secrets | length' "$work/all.json")" \
  "$(jq '.malware | length' "$work/all.json")" \
  "$(jq '[.misconfigurations[] | select(.status == "fail")] | length' "$work/all.json")"
printf '%-44s %10s %10s\n' measurement "median s" "RSS MB"
for label in vuln all trivy; do
  s=$(median "$label" 2); rss=$(median "$label" 3)
  [ "$s" = NA ] && continue
  printf '%-44s %10s %10s\n' "$label" "$s" "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')"
done
all_over_vuln=$(ratio "$all_s" "$vuln_s")
echo "BENCH figure=all_over_vuln value=$all_over_vuln"
if [ "$have_trivy" = 1 ]; then
  trivy_over_all=$(ratio "$trivy_s" "$all_s")
  echo "BENCH figure=trivy_inventory_over_all value=$trivy_over_all goal=>=1.0" \
    "met=$(awk -v v="$trivy_over_all" 'BEGIN { print (v == "NA" ? "NA" : (v + 0 >= 1.0 ? "yes" : "no")) }')"
else
  echo "BENCH figure=trivy_inventory_over_all value=NA (Trivy not found at $trivy)"
fi
