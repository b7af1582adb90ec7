#!/usr/bin/env bash
# Question: how long does `bulwark bench docker` take on a Docker host with 50 containers, and
# how much faster is it than gathering the same facts the docker-bench-security way (one
# process per fact: benchmarks/docker_bench_facts.sh)?
#
#   setup     a dockerd of its own (data and exec roots under a temp dir, its own socket, vfs,
#             no bridge, no iptables), a tiny static image, 50 running containers: 40 configured
#             well, 10 rotating through bad options (added capability, host PID, /etc mounted,
#             host network, sshd as the entrypoint)
#   bulwark   hyperfine --runs 5: `bulwark bench docker -H … --format json` (collect + evaluate +
#             render, all containers), and its --timings split
#   baseline  hyperfine --runs 2: benchmarks/docker_bench_facts.sh
#   agreement the baseline's PASS/WARN verdicts against bulwark's for the same (check, container)
#
# Goal (issue 6): under 1 s and at least 50x faster than the baseline.
# Usage: benchmarks/docker_bench.sh [--containers N]   (root; docker.io from scripts/install-deps)
# Output: a table, then machine-readable lines: BENCH figure=… value=… goal=…
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
count=50
[ "${1:-}" = "--containers" ] && count=$2
bulwark=$(realpath "${BULWARK_BIN:-$repo/build/bin/bulwark}")
[ -x "$bulwark" ] || { echo "docker_bench: build bulwark first (ninja -C build bulwark)" >&2; exit 2; }
for tool in dockerd docker containerd runc hyperfine jq cc curl; do
  command -v "$tool" >/dev/null || { echo "docker_bench: $tool missing: run scripts/install-deps" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "docker_bench: dockerd needs root" >&2; exit 2; }

work=$(mktemp -d /tmp/bulwark-bench-docker.XXXXXX)
export DOCKER_HOST=unix://$work/docker.sock
cleanup() {
  docker ps -aq 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1 || true
  [ -f "$work/dockerd.pid" ] && kill "$(cat "$work/dockerd.pid")" 2>/dev/null || true
  for _ in $(seq 50); do [ -S "$work/docker.sock" ] || break; sleep 0.2; done
  # dockerd leaves its network namespace mounted under the exec root.
  awk -v p="$work/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo '{"log-level": "info", "live-restore": true}' >"$work/daemon.json"
dockerd --config-file "$work/daemon.json" --data-root "$work/data" --exec-root "$work/exec" \
  --pidfile "$work/dockerd.pid" -H "$DOCKER_HOST" --iptables=false --ip-masq=false \
  --bridge=none --storage-driver=vfs >"$work/dockerd.log" 2>&1 &
for _ in $(seq 120); do curl -sf --unix-socket "$work/docker.sock" http://d/_ping >/dev/null 2>&1 && break; sleep 0.25; done
docker version >/dev/null || { cat "$work/dockerd.log" >&2; exit 2; }

mkdir -p "$work/root/usr/sbin" "$work/root/etc"
cat >"$work/pause.c" <<'C'
#include <signal.h>
#include <unistd.h>
static void stop(int s) { (void)s; _exit(0); }
int main(void) { signal(SIGTERM, stop); for (;;) pause(); }
C
cc -static -O2 -o "$work/root/pause" "$work/pause.c"
cp "$work/root/pause" "$work/root/usr/sbin/sshd"
echo 'app:x:10001:10001::/:/pause' >"$work/root/etc/passwd"
tar -C "$work/root" -cf "$work/rootfs.tar" .
docker import --change 'CMD ["/pause"]' "$work/rootfs.tar" bulwark-bench:1 >/dev/null

bad=("--cap-add SYS_ADMIN" "--pid host" "-v /etc:/host-etc" "--network host"
     "--entrypoint /usr/sbin/sshd")
for i in $(seq 1 "$count"); do
  if [ $((i % 5)) -eq 0 ]; then
    opts="--network none ${bad[$(((i / 5) % ${#bad[@]}))]}"
    [[ $opts == *"--network host"* ]] && opts=${opts/--network none /}
  else
    opts="--network none --user 10001 --read-only --memory 64m --cpu-shares 512 --pids-limit 64 --security-opt no-new-privileges --cap-drop ALL"
  fi
  # shellcheck disable=SC2086
  docker run -d --name "c$i" $opts bulwark-bench:1 >/dev/null
done
running=$(docker ps -q | wc -l)

hyperfine --style none --warmup 1 --runs 5 --export-json "$work/bulwark.json" \
  "$bulwark bench docker -H $DOCKER_HOST --format json -o /dev/null" >/dev/null
hyperfine --style none --runs 2 --export-json "$work/facts.json" \
  "$repo/benchmarks/docker_bench_facts.sh >/dev/null" >/dev/null
ours=$(jq '.results[0].median' "$work/bulwark.json")
theirs=$(jq '.results[0].median' "$work/facts.json")
timings=$("$bulwark" bench docker -H "$DOCKER_HOST" --timings --format json -o "$work/report.json" 2>&1 | grep timings || true)

# Agreement on the (check, container) verdicts both evaluate.
"$repo/benchmarks/docker_bench_facts.sh" | sort >"$work/facts.tsv"
jq -r '.resources[] | select(.kind == "docker-container") | .resource as $r | .results[]
       | select(.status == "pass" or .status == "fail")
       | [.id, $r, (if .status == "pass" then "PASS" else "WARN" end)] | @tsv' \
  "$work/report.json" | sort >"$work/ours.tsv"
compared=$(join -t $'\t' <(awk -F'\t' '{print $1":"$2"\t"$3}' "$work/facts.tsv" | sort) \
                         <(awk -F'\t' '{print $1":"$2"\t"$3}' "$work/ours.tsv" | sort))
total=$(echo "$compared" | grep -c . || true)
agree=$(echo "$compared" | awk -F'\t' '$2 == $3' | grep -c . || true)

printf '%-44s %s\n' "containers (running)" "$count ($running)"
printf '%-44s %.3f s\n' "bulwark bench docker (median of 5)" "$ours"
printf '%-44s %.3f s\n' "docker-bench-style facts script (median of 2)" "$theirs"
printf '%-44s %.0fx\n' "ratio" "$(echo "$theirs / $ours" | bc -l)"
printf '%-44s %s\n' "bulwark split" "${timings#bulwark: timings: }"
printf '%-44s %s of %s\n' "verdicts agreeing with the baseline" "$agree" "$total"
echo "$compared" | awk -F'\t' '$2 != $3 { print "  differs: " $0 }'
echo "BENCH figure=bench_docker_s value=$ours goal=<1"
echo "BENCH figure=bench_docker_vs_facts_ratio value=$(echo "$theirs / $ours" | bc -l | cut -c1-6) goal=>=50"
