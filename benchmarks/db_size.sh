#!/usr/bin/env bash
# Question: how big is bulwark's vulnerability database against Trivy's database layout for the
# same content? Goal (issue 3): at most a quarter of Trivy's size.
# Imports all of ../shared/testdata/scan/vulns, exports every stored advisory
# (`bulwark db export --all`), writes the same advisories in trivy-db's bbolt layout
# (benchmarks/trivy-layout, Go + Debian's bbolt, built offline from /usr/share/gocode) and prints
# both sizes, the ratio, bytes per advisory and per package statement, and where bulwark's bytes
# go (SQLite dbstat).
# Usage: benchmarks/db_size.sh [--keep DIR]   (DIR keeps bulwark.db, export.jsonl, trivy*.db)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BULWARK_BIN:-build/bin/bulwark}
vulns=${BULWARK_TESTDATA:-../shared/testdata}/scan/vulns
[ -x "$bin" ] || { echo "build bulwark first (ninja -C build bulwark)"; exit 2; }
[ -d "$vulns" ] || { echo "no feeds at $vulns"; exit 2; }
command -v go >/dev/null || { echo "needs golang-go (scripts/install-deps)"; exit 2; }
[ -d /usr/share/gocode/src/go.etcd.io/bbolt ] ||
  { echo "needs golang-github-coreos-bbolt-dev (scripts/install-deps)"; exit 2; }
if [ "${1:-}" = "--keep" ]; then
  work=$2
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

# GOPATH mode against Debian's Go packages: no module proxy, no network.
GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOPROXY=off GOCACHE="$work/gocache" \
  go build -o "$work/trivy-layout" ./benchmarks/trivy-layout

rm -f "$work/bulwark.db"
"$bin" db import --db "$work/bulwark.db" "$vulns" >"$work/import.txt" 2>&1
"$bin" db export --all --db "$work/bulwark.db" >"$work/export.jsonl"
"$work/trivy-layout" -in "$work/export.jsonl" -out "$work/trivy.db" -fill 0.5 >"$work/trivy.txt"
"$work/trivy-layout" -in "$work/export.jsonl" -out "$work/trivy-dense.db" -fill 1.0 \
  >"$work/trivy-dense.txt"

kv() { awk -F= -v k="$1" '$1 == k { print $2 }' "$2"; }
bulwark_bytes=$(stat -c %s "$work/bulwark.db")
read -r advisories statements < <("$bin" db stats --db "$work/bulwark.db" --format json |
  python3 -c 'import json,sys; d = json.load(sys.stdin); print(d["advisories"], d["affected"])')
export_bytes=$(stat -c %s "$work/export.jsonl")
trivy_bytes=$(kv used_bytes "$work/trivy.txt")
dense_bytes=$(kv used_bytes "$work/trivy-dense.txt")

awk -v b="$bulwark_bytes" -v t="$trivy_bytes" -v d="$dense_bytes" -v n="$advisories" \
    -v s="$statements" -v e="$export_bytes" -v vr="$(kv vulnerability_records "$work/trivy.txt")" \
    -v av="$(kv advisory_values "$work/trivy.txt")" \
    -v tv="$(kv vulnerability_bucket_bytes "$work/trivy.txt")" \
    -v ta="$(kv advisory_buckets_bytes "$work/trivy.txt")" 'BEGIN {
  printf "%-52s %14s\n", "figure (all of scan/vulns)", "value"
  printf "%-52s %14d\n", "advisories stored by bulwark", n
  printf "%-52s %14d\n", "package statements stored by bulwark", s
  printf "%-52s %14.1f MB\n", "the same, as JSON lines (db export --all)", e / 1e6
  printf "%-52s %14d\n", "trivy layout: vulnerability records", vr
  printf "%-52s %14d\n", "trivy layout: (bucket, package, id) values", av
  printf "%-52s %14.1f MB\n", "bulwark database", b / 1e6
  printf "%-52s %14.1f MB\n", "trivy layout, bbolt fill 0.5 (as trivy-db writes)", t / 1e6
  printf "%-52s %14.1f MB\n", "trivy layout, bbolt fill 1.0 (densest bbolt)", d / 1e6
  printf "%-52s %14.1f MB\n", "  of which the vulnerability bucket (fill 0.5)", tv / 1e6
  printf "%-52s %14.1f MB\n", "  of which the per-source buckets (fill 0.5)", ta / 1e6
  printf "%-52s %14.3f   (goal <= 0.25)\n", "ratio bulwark / trivy layout (fill 0.5)", b / t
  printf "%-52s %14.3f\n", "ratio bulwark / trivy layout (fill 1.0)", b / d
  printf "%-52s %14.0f B\n", "bulwark bytes per advisory", b / n
  printf "%-52s %14.0f B\n", "trivy layout bytes per advisory (fill 0.5)", t / n
  printf "%-52s %14.0f B\n", "bulwark bytes per package statement", b / s
  printf "%-52s %14.0f B\n", "trivy layout bytes per package statement (fill 0.5)", t / s
  printf "bulwark_bytes=%d\ntrivy_bytes=%d\ntrivy_dense_bytes=%d\nratio=%.3f\n", b, t, d, b / t
}'

echo
echo "where bulwark's bytes go (SQLite dbstat, MB):"
python3 - "$work/bulwark.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
rows = db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
for name, size in rows:
    if size >= 50000:
        print(f"  {name:<36} {size / 1e6:8.2f}")
EOF
