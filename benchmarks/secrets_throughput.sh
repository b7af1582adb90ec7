#!/usr/bin/env bash
# secrets_throughput.sh — how fast is bulwark's secret scanning, against the floor of
# `grep -F -r -i -f literals.txt` looking for the very same keyword literals?
#
# Builds a text corpus (default 300 MB) from this machine's /usr/share and /usr/lib/python3*
# (text files only, as `grep -I` judges), plants a set of fake secrets, then times, from a warm
# page cache, median of N runs:
#   floor:   LC_ALL=C grep -F -r -i -f literals.txt CORPUS      (prints every matching line)
#   bulwark: secrets_scan_dir --threads 1 CORPUS                 (prefilter + rule regexes)
#   bulwark: secrets_scan_dir --threads $(nproc) CORPUS
# with a config that switches the path allow rules off, so that bulwark reads every byte grep
# reads. The literals are the rules' own keywords (secrets_scan_dir --keywords).
#
# Usage: benchmarks/secrets_throughput.sh [--mb N] [--runs N] [--keep]
# Needs a build with -DBULWARK_BENCHMARKS=ON: BULWARK_BUILD (default build/) /bin/secrets_scan_dir.
set -euo pipefail

mb=300
runs=3
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --mb) mb=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--mb N] [--runs N] [--keep]" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BULWARK_BUILD:-$root/build}
tool=$build/bin/secrets_scan_dir
if [ ! -x "$tool" ]; then
  echo "secrets_throughput: $tool missing: configure with -DBULWARK_BENCHMARKS=ON and build" \
       "the secrets_scan_dir target (BULWARK_BUILD names the build directory)" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bulwark-secrets-bench.XXXXXX")
cleanup() { [ "$keep" = 1 ] && echo "kept $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT
corpus=$work/corpus
mkdir -p "$corpus"

# --- corpus: text files up to the budget ------------------------------------------------
budget=$((mb * 1000 * 1000))
sources=()
for d in /usr/share /usr/lib/python3 /usr/lib/python3.*; do [ -d "$d" ] && sources+=("$d"); done
find "${sources[@]}" -type f -size -10M -printf '%s\t%p\n' 2>/dev/null |
  sort -t$'\t' -k2 |
  awk -F'\t' -v budget="$budget" '{ if (sum < budget) { sum += $1; print $2 } }' \
  > "$work/candidates"
# Text only (grep -I skips binary files; bulwark's head sniff would too).
tr '\n' '\0' < "$work/candidates" | xargs -0 -r grep -IlZ '' -- 2>/dev/null |
  xargs -0 -r cp --parents -t "$corpus" -- 2>/dev/null || true

# --- planted secrets (fake, generated now) ----------------------------------------------
planted=$corpus/planted
mkdir -p "$planted/.docker"
rnd() { tr -dc "$1" < /dev/urandom | head -c "$2"; }
openssl genrsa -traditional 2048 2>/dev/null > "$planted/id_rsa"
ssh-keygen -q -t ed25519 -N '' -C bench -f "$planted/id_ed25519" && rm "$planted/id_ed25519.pub"
{
  echo "AWS_ACCESS_KEY_ID=AKIA$(rnd 'A-Z2-7' 16)"
  echo "aws_secret_access_key = $(rnd 'A-Za-z0-9/+' 40)"
  echo "GITHUB_TOKEN=ghp_$(rnd 'A-Za-z0-9' 36)"
  echo "GITLAB=glpat-$(rnd 'A-Za-z0-9' 20)"
  echo "SLACK=xoxb-$(rnd 0-9 12)-$(rnd 0-9 13)-$(rnd 'A-Za-z0-9' 24)"
  echo "STRIPE=sk_live_$(rnd 'A-Za-z0-9' 24)"
  echo "DATABASE_URL=postgres://app:$(rnd 'A-Za-z0-9' 16)@db.internal/app"
  echo "MAPS=AIza$(rnd 'A-Za-z0-9_-' 35)"
} > "$planted/app.env"
echo "//registry.npmjs.org/:_authToken=npm_$(rnd 'A-Za-z0-9' 36)" > "$planted/.npmrc"
printf '{"auths":{"r.internal":{"auth":"%s"}}}\n' "$(printf 'u:%s' "$(rnd 'a-z0-9' 16)" | base64 -w0)" \
  > "$planted/.docker/config.json"
planted_count=12  # 2 keys + 8 env lines + npmrc + docker config

files=$(find "$corpus" -type f | wc -l)
bytes=$(find "$corpus" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')

"$tool" --keywords > "$work/literals.txt"
cat > "$work/config.yaml" <<'YAML'
# Read every file, as grep does.
disable-allow-rules: [binary-and-media, documentation, lockfiles, test-directories,
                      dependency-examples, test-files]
YAML

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
seconds() {  # seconds of one run of "$@", output discarded
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null 2>&1 || true
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}

find "$corpus" -type f -exec cat {} + > /dev/null  # warm the page cache
grep_cmd=(env LC_ALL=C grep -F -r -i -f "$work/literals.txt" "$corpus")
one_cmd=("$tool" --config "$work/config.yaml" --threads 1 "$corpus")
nproc_n=$(nproc)
all_cmd=("$tool" --config "$work/config.yaml" --threads "$nproc_n" "$corpus")

run() { for _ in $(seq "$runs"); do seconds "$@"; done | median; }
"${grep_cmd[@]}" > /dev/null || true  # unmeasured warm-up
t_grep=$(run "${grep_cmd[@]}")
t_one=$(run "${one_cmd[@]}")
t_all=$(run "${all_cmd[@]}")

# Distinct planted lines reported (a line may match two rules).
found=$("$tool" --config "$work/config.yaml" --list "$corpus" | awk '/^planted\// { print $1 }' |
  sort -u | wc -l)
hits=$("${grep_cmd[@]}" | wc -l)

mbps() { echo "scale=1; $bytes / 1000000 / $1" | bc -l; }
ratio() { echo "scale=2; $1 / $2" | bc -l; }
printf '\nsecret scanning throughput: %s files, %s MB of text, %s keyword literals, median of %s\n' \
  "$files" "$((bytes / 1000000))" "$(wc -l < "$work/literals.txt")" "$runs"
printf '%-40s %8s %8s\n' "command" "seconds" "MB/s"
printf '%-40s %8.2f %8s\n' "grep -F -r -i -f literals (floor)" "$t_grep" "$(mbps "$t_grep")"
printf '%-40s %8.2f %8s\n' "bulwark secrets, 1 thread" "$t_one" "$(mbps "$t_one")"
printf '%-40s %8.2f %8s\n' "bulwark secrets, $nproc_n threads" "$t_all" "$(mbps "$t_all")"
printf 'grep matched %s lines; bulwark reported %s of the %s planted lines\n' \
  "$hits" "$found" "$planted_count"
echo "BENCH figure=grep_mb_per_s value=$(mbps "$t_grep") runs=$runs"
echo "BENCH figure=bulwark_1thread_mb_per_s value=$(mbps "$t_one") runs=$runs"
echo "BENCH figure=bulwark_${nproc_n}threads_mb_per_s value=$(mbps "$t_all") runs=$runs"
echo "BENCH figure=bulwark_1thread_over_grep value=$(ratio "$t_grep" "$t_one") goal=>=1 runs=$runs"
echo "BENCH figure=planted_found value=$found planted=$planted_count"
