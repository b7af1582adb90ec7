#!/usr/bin/env bash
# Question: how long does the service take to match every stored inventory again when the
# vulnerability database changes, and does memory stay flat however many are stored?
# Goal (issue 5): 100,000 stored inventories re-evaluated in < 5 minutes on 2 cores; reported
# per 1,000 and projected (the work is linear: one inventory decoded, matched, saved at a time).
#
# Database A: ../shared/testdata/scan/vulns without the Debian feeds; database B: all of them,
# built as another file, so B's history does not reach A and every inventory is matched again
# (the worst case: a rebuilt database). The Debian fixtures hold only a handful of bookworm
# statements, none about this host's packages, so "0 new" is expected there: the findings come
# from the language feeds. Database C: B updated in place with a small tracker file about
# source packages this host does not have (a daily update that touches no package of the
# image): the inventories are only marked evaluated. Inventories: this machine's root
# filesystem (Debian 12, OS and language packages), stored --count times (default 1000) under
# distinct digests in a SQLite store.
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
# C: B's file with one more import, so that C's history knows B (Database::changesSince).
cp "$work/b.db" "$work/c.db"
# Source packages, as the matcher asks about them (bind9's and samba's libraries are often
# installed without the servers).
installed_sources=$(dpkg-query -W -f='${source:Package}\n' 2>/dev/null | sort -u)
absent=()
for package in nginx exim4 redis apache2 bind9 squid samba; do
  grep -qx "$package" <<<"$installed_sources" || absent+=("$package")
done
echo "small update: advisories for ${absent[*]} (source packages not installed here)"
{
  printf '{'
  separator=
  number=0
  for package in "${absent[@]}"; do
    number=$((number + 1))
    printf '%s"%s":{"CVE-2099-%04d":{"description":"benchmark","scope":"remote","releases":' \
      "$separator" "$package" "$number"
    printf '{"bookworm":{"status":"open","urgency":"high","repositories":{"bookworm":"1.0-1"}}}}}'
    separator=,
  done
  printf '}\n'
} >"$work/small-tracker.json"
"$bulwark" db import --db "$work/c.db" "$work/small-tracker.json" >/dev/null 2>&1
"$tool" --target / --before "$work/a.db" --after "$work/b.db" --then "$work/c.db" \
  --count "$count" --store "$work/store.db"
