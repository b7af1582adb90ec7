#!/usr/bin/env bash
# Question: how fast are the dashboard's drill-down queries and the posture overview with 1,000
# images and 100,000 findings in the store, on SQLite and on PostgreSQL, and how long do the
# posture sync's full recomputation and one scan's reassessment take?
# (docs/dev/posture-design.md §5.4, §8.)
#
#   seed      benchmarks/posture_seed fills the store through the Store interface (3 registries,
#             50 repositories, --images digests × --findings findings, 20 hosts × 30 containers
#             of check assessments, 10,000 alerts), then runs the posture sync: full
#             recomputation (goal < 2 s) and one re-evaluated digest's pass (goal < 50 ms).
#   queries   `bulwark serve` on that store (no workers, no rate limit); wrk, one connection,
#             --duration seconds (default 5) per query: p50 and p99 against the goals (SQLite
#             p50 < 20 ms, p99 < 100 ms; PostgreSQL within 1.5×). The floor, in the same run:
#             GET /healthz (no store, no token).
# PostgreSQL: a throwaway cluster of Debian's postgresql (initdb/pg_ctl as the postgres user
# when run as root) on a loopback port; skipped with a message when it cannot start.
#
# Needs a build with -DBULWARK_BENCHMARKS=ON (BULWARK_BUILD, default build/): bin/bulwark and
# bin/posture_seed; wrk, curl, jq.
# Usage: benchmarks/posture_api.sh [--images N] [--findings N] [--duration S] [--no-postgres]
# Output: a table per backend, then lines BENCH figure=… value=… goal=…
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BULWARK_BUILD:-$repo/build}
bulwark=$(realpath "${BULWARK_BIN:-$build/bin/bulwark}")
seed=$build/bin/posture_seed
images=1000
findings=100
duration=5
postgres=true
while [ $# -gt 0 ]; do
  case $1 in
    --images) images=$2; shift 2 ;;
    --findings) findings=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --no-postgres) postgres=false; shift ;;
    *) echo "posture_api: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$bulwark" ] || { echo "posture_api: build bulwark first" >&2; exit 2; }
[ -x "$seed" ] || {
  echo "posture_api: $seed missing: configure with -DBULWARK_BENCHMARKS=ON and build posture_seed" >&2
  exit 2
}
for tool in wrk curl jq; do
  command -v "$tool" >/dev/null || { echo "posture_api: $tool missing" >&2; exit 2; }
done

work=$(mktemp -d /tmp/bulwark-bench-posture.XXXXXX)
chmod 755 "$work"
serve_pid=""
pg_bin=""
pg_dir=""
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  [ -n "$pg_dir" ] && as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop \
    >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {
  for _ in $(seq 300); do curl -fs -o /dev/null "$1" && return 0; sleep 0.05; done
  echo "posture_api: $1 did not answer" >&2; exit 1
}
# wrk's latency ("812.00us", "1.23ms", "1.02s") in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
    else printf "%s", v }'
}

bench_lines=()

# run_backend NAME STORE_URL P50_GOAL P99_GOAL
run_backend() {
  local name=$1 url=$2 p50_goal=$3 p99_goal=$4
  echo "== $name: seeding $images images x $findings findings"
  "$seed" --store "$url" --images "$images" --findings "$findings" >"$work/seed-$name.txt"
  grep -v '^BENCH' "$work/seed-$name.txt" | grep -v '=' || true
  while read -r line; do
    bench_lines+=("${line} backend=$name")
  done < <(grep '^BENCH' "$work/seed-$name.txt")
  grep '^BENCH' "$work/seed-$name.txt" | sed 's/^BENCH /  /'
  local digest registry repository image host
  digest=$(awk -F= '$1 == "digest" { print $2 }' "$work/seed-$name.txt")
  registry=$(awk -F= '$1 == "registry" { print $2 }' "$work/seed-$name.txt")
  repository=$(awk -F= '$1 == "repository" { print $2 }' "$work/seed-$name.txt")
  image=$(awk -F= '$1 == "image_resource" { print $2 }' "$work/seed-$name.txt")
  host=$(awk -F= '$1 == "host_resource" { print $2 }' "$work/seed-$name.txt")

  local admin port
  admin=$("$bulwark" token create --name bench --role admin --store "$url" 2>/dev/null)
  printf 'limits: {requests_per_second: 1000000, burst: 1000000}\n' >"$work/serve.yml"
  port=$(free_port)
  "$bulwark" serve --config "$work/serve.yml" --listen "127.0.0.1:$port" --workers 0 \
    --store "$url" >"$work/serve-$name.log" 2>&1 &
  serve_pid=$!
  wait_http "http://127.0.0.1:$port/healthz"
  local base="http://127.0.0.1:$port"
  local vulnerability package
  vulnerability=$(curl -fs -H "Authorization: Bearer $admin" \
    "$base/api/v1/images/$digest/findings?limit=1" | jq -r '.findings[0].vulnerability_id')
  package=$(curl -fs -H "Authorization: Bearer $admin" \
    "$base/api/v1/images/$digest/findings?limit=1" | jq -r '.findings[0].package_name')
  local queries=(
    "healthz (floor)|/healthz"
    "registries|/api/v1/registries"
    "repositories|/api/v1/registries/$registry/repositories"
    "images of a repository|/api/v1/registries/$registry/images?repository=$repository"
    "findings by severity|/api/v1/images/$digest/findings?severity=high"
    "findings, offset 50|/api/v1/images/$digest/findings?severity=low&offset=50"
    "one finding|/api/v1/images/$digest/findings/$vulnerability?package=$package"
    "overview|/api/v1/posture/overview"
    "score|/api/v1/posture/score"
    "recommendations|/api/v1/posture/recommendations"
    "a recommendation's resources|/api/v1/posture/recommendations/BW-REC-001/resources"
    "unhealthy images|/api/v1/posture/resources?type=image&health=unhealthy"
    "an image's assessments|/api/v1/posture/resources/$image/assessments"
    "a host's children|/api/v1/posture/resources/$host/children"
    "findings across images|/api/v1/posture/findings"
    "findings across images, offset 50000|/api/v1/posture/findings?offset=50000"
  )
  printf '%-40s %10s %10s\n' "query ($name, 1 connection, ${duration}s)" "p50 ms" "p99 ms"
  local entry label path status p50 p99 slug
  for entry in "${queries[@]}"; do
    label=${entry%%|*}
    path=${entry#*|}
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $admin" "$base$path")
    if [ "$status" != 200 ]; then
      echo "posture_api: $path answered $status" >&2
      exit 1
    fi
    wrk -t1 -c1 -d"${duration}s" --latency -H "Authorization: Bearer $admin" "$base$path" \
      >"$work/wrk.txt"
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$work/wrk.txt")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$work/wrk.txt")")
    printf '%-40s %10s %10s\n' "$label" "$p50" "$p99"
    slug=$(tr -c 'a-z0-9\n' '_' <<<"$label" | tr -s '_' | sed 's/_$//')
    bench_lines+=("BENCH figure=posture_api_${slug}_p50_ms value=$p50 goal=$p50_goal backend=$name")
    bench_lines+=("BENCH figure=posture_api_${slug}_p99_ms value=$p99 goal=$p99_goal backend=$name")
  done
  kill "$serve_pid"
  wait "$serve_pid" 2>/dev/null || true
  serve_pid=""
}

run_backend sqlite "sqlite:$work/posture.db" 20 100

if [ "$postgres" = true ]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$pg_bin" ] || { [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; }; then
    echo "== postgres: skipped (no postgresql binaries, or no postgres user to run them as)"
  else
    pg_dir=$work/pg
    mkdir -p "$pg_dir"
    [ "$(id -u)" = 0 ] && chown postgres "$pg_dir"
    pg_port=$(free_port)
    as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust >/dev/null
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
      -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$pg_dir" \
      start >/dev/null
    as_postgres "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres bulwark
    run_backend postgres "postgres://postgres@127.0.0.1:$pg_port/bulwark" 30 150
  fi
fi

printf '%s\n' "${bench_lines[@]}"
