#!/usr/bin/env bash
# Question: how close does `bulwark sbom` come to the cost of merely decompressing an image's
# layers, and how much faster and leaner is it than Trivy on the same real images?
#
# For a Debian 12 minbase image (~95 packages, ~60 MB gz) and a large one (~250 packages, ~1 GB
# uncompressed), both gzip OCI images built by scripts/build-test-images (cached outside the
# repository), this prints, measured in the same run, the median of N runs (default 5) of:
#   bulwark ÷ floor   bulwark sbom oci-archive:IMG wall time ÷ `igzip -dc` of every layer blob
#                     (the fastest inflater here, so the floor)               goal ≤ 1.3
#   trivy ÷ bulwark   trivy image --input DIR ÷ bulwark sbom oci:DIR, both on the same OCI
#                     layout (Trivy cannot read an oci-archive tarball; it exits 1)
#                                                                 goal ≥ 10 minbase, ≥ 5 large
#   peak RSS          /usr/bin/time -v "Maximum resident set size"      goal bulwark ≤ 64 MB
# Trivy runs with a fresh --cache-dir every time (so it really scans) and
# --skip-db-update --offline-scan --skip-files "**/*.jar". Every command runs once unmeasured
# first, so all of them read the image from a warm page cache.
#
# Usage: benchmarks/sbom_vs_peers.sh [--runs N] [minbase] [large]      (default: both images)
# Environment: BULWARK_BIN (default build/bin/bulwark), TRIVY (default /tmp/bulwark-peers/trivy),
#              BULWARK_IMAGE_CACHE (see scripts/build-test-images).
# Output: a table, then one machine-readable line per figure:
#   BENCH image=minbase figure=bulwark_over_floor value=1.12 goal=<=1.3 met=yes
# A figure that cannot be measured (bulwark not built yet, Trivy absent) has value=NA met=NA.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=5
images=()
while [ $# -gt 0 ]; do
  case $1 in
    --runs)
      runs=$2
      shift
      ;;
    minbase | large) images+=("$1") ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "sbom_vs_peers: unknown argument '$1'" >&2
      exit 2
      ;;
  esac
  shift
done
[ ${#images[@]} -gt 0 ] || images=(minbase large)
[ "$runs" -ge 1 ] 2>/dev/null || {
  echo "sbom_vs_peers: --runs needs a positive number" >&2
  exit 2
}

bulwark=${BULWARK_BIN:-$repo/build/bin/bulwark}
trivy=${TRIVY:-/tmp/bulwark-peers/trivy}
for tool in igzip jq /usr/bin/time; do
  command -v "$tool" >/dev/null || {
    echo "sbom_vs_peers: $tool missing: run scripts/install-deps" >&2
    exit 2
  }
done
if [ ! -x "$trivy" ] && [ -x "$repo/../shared/tools/get-peers" ] && [ -z "${TRIVY:-}" ]; then
  "$repo/../shared/tools/get-peers" >&2 || true
fi

have_bulwark=1
if [ ! -x "$bulwark" ] || ! "$bulwark" sbom --help >/dev/null 2>&1; then
  have_bulwark=0
  echo "sbom_vs_peers: bulwark is not built yet ($bulwark has no working 'sbom' subcommand);" \
    "printing the igzip floor and Trivy figures only" >&2
fi
have_trivy=1
if [ ! -x "$trivy" ]; then
  have_trivy=0
  echo "sbom_vs_peers: Trivy not found at $trivy (../shared/tools/get-peers installs it)" >&2
fi

work=$(mktemp -d /tmp/sbom_vs_peers.XXXXXX)
trap 'rm -rf "$work"' EXIT

# measure LABEL CMD...: runs CMD once to warm up, then $runs times; appends
# "LABEL seconds rss_kb" per run to $work/samples. Standard output of CMD is discarded.
measure() {
  local label=$1 i t0 t1 rss
  shift
  if ! "$@" >/dev/null 2>"$work/stderr"; then
    echo "sbom_vs_peers: '$label' failed: $(tail -3 "$work/stderr")" >&2
    return 1
  fi
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N)
    if ! /usr/bin/time -v -o "$work/time" "$@" >/dev/null 2>"$work/stderr"; then
      echo "sbom_vs_peers: '$label' failed: $(tail -3 "$work/stderr")" >&2
      return 1
    fi
    t1=$(date +%s%N)
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time")
    echo "$label $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }') $rss" \
      >>"$work/samples"
  done
}

median() { # median LABEL COLUMN(2 seconds, 3 rss_kb)
  awk -v l="$1" -v c="$2" '$1 == l { print $c }' "$work/samples" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) print "NA";
      else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

inflateLayers() { # inflateLayers OCI_DIR: igzip -dc of every layer blob, in manifest order
  local dir=$1 manifest d
  manifest=$(jq -r '.manifests[0].digest' "$dir/index.json")
  for d in $(jq -r '.layers[].digest' "$dir/blobs/${manifest/://}"); do
    igzip -dc "$dir/blobs/${d/://}"
  done
}

trivyScan() { # trivyScan OCI_DIR: a real scan every time (fresh cache directory)
  local cache=$work/trivy-cache
  rm -rf "$cache"
  mkdir -p "$cache/tmp" # Trivy leaves empty analyzer-fs-* directories in TMPDIR
  TMPDIR=$cache/tmp "$trivy" image --input "$1" --format cyclonedx --skip-db-update --offline-scan \
    --skip-files "**/*.jar" --cache-dir "$cache" --quiet
  local rc=$?
  rm -rf "$cache"
  return $rc
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA" || b == 0) print "NA";
  else printf "%.2f", a / b }'; }
mb() { awk -v k="$1" 'BEGIN { if (k == "NA") print "NA"; else printf "%.1f", k / 1024 }'; }
met() { # met VALUE OP GOAL
  awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN { if (v == "NA") print "NA";
    else if (op == "<=") print (v + 0 <= g + 0 ? "yes" : "no");
    else print (v + 0 >= g + 0 ? "yes" : "no") }'
}

export -f inflateLayers trivyScan
export work trivy

declare -a figures=()
printf '%-8s %-44s %10s %10s\n' image measurement "median s" "RSS MB" >"$work/table"
for image in "${images[@]}"; do
  echo "sbom_vs_peers: preparing the $image image (cached after the first build)" >&2
  targets=$("$repo/scripts/build-test-images" "$image")
  archive=$(awk '$2 == "oci-archive" { print $3 }' <<<"$targets")
  layout_ref=$(awk '$2 == "oci" { print $3 }' <<<"$targets")
  layout=${layout_ref#oci:}
  layout=${layout%:latest}
  gz_bytes=$(stat -c %s "${archive#oci-archive:}")
  raw_bytes=$(inflateLayers "$layout" | wc -c)
  packages=$(wc -l <"$layout/../packages.txt")
  printf '%-8s %s\n' "$image" "$packages packages, $((gz_bytes / 1000000)) MB oci-archive, \
$((raw_bytes / 1000000)) MB of layer tar" >>"$work/table"
  echo "sbom_vs_peers: $image: measuring ($runs runs each)" >&2

  # shellcheck disable=SC2016 # $1 expands in the child shell
  measure "$image.floor" bash -c 'inflateLayers "$1"' _ "$layout"
  if [ "$have_bulwark" -eq 1 ]; then
    measure "$image.bulwark_archive" "$bulwark" sbom "$archive" --format cyclonedx || true
    measure "$image.bulwark_layout" "$bulwark" sbom "$layout_ref" --format cyclonedx || true
  fi
  if [ "$have_trivy" -eq 1 ]; then
    # shellcheck disable=SC2016
    measure "$image.trivy" bash -c 'trivyScan "$1"' _ "$layout" || true
  fi

  floor_s=$(median "$image.floor" 2)
  barc_s=$(median "$image.bulwark_archive" 2)
  blay_s=$(median "$image.bulwark_layout" 2)
  trivy_s=$(median "$image.trivy" 2)
  barc_rss=$(median "$image.bulwark_archive" 3)
  blay_rss=$(median "$image.bulwark_layout" 3)
  trivy_rss=$(median "$image.trivy" 3)
  {
    printf '%-8s %-44s %10s %10s\n' "$image" "igzip -dc of every layer (floor)" "$floor_s" \
      "$(mb "$(median "$image.floor" 3)")"
    printf '%-8s %-44s %10s %10s\n' "$image" "bulwark sbom oci-archive:" "$barc_s" \
      "$(mb "$barc_rss")"
    printf '%-8s %-44s %10s %10s\n' "$image" "bulwark sbom oci:DIR" "$blay_s" "$(mb "$blay_rss")"
    printf '%-8s %-44s %10s %10s\n' "$image" "trivy image --input DIR (fresh cache)" "$trivy_s" \
      "$(mb "$trivy_rss")"
  } >>"$work/table"

  trivy_goal=10
  [ "$image" = large ] && trivy_goal=5
  bulwark_rss_mb=$(mb "$(awk -v a="$barc_rss" -v b="$blay_rss" 'BEGIN {
    if (a == "NA") print b; else if (b == "NA") print a; else print (a > b ? a : b) }')")
  r_floor=$(ratio "$barc_s" "$floor_s")
  r_trivy=$(ratio "$trivy_s" "$blay_s")
  figures+=(
    "$image bulwark_over_floor $r_floor <= 1.3"
    "$image trivy_over_bulwark $r_trivy >= $trivy_goal"
    "$image bulwark_peak_rss_mb $bulwark_rss_mb <= 64"
    "$image trivy_peak_rss_mb $(mb "$trivy_rss") - -"
    "$image floor_seconds $floor_s - -"
    "$image bulwark_seconds $barc_s - -"
    "$image trivy_seconds $trivy_s - -"
  )
done

echo
cat "$work/table"
echo
printf '%-8s %-22s %8s  %-8s %s\n' image figure value goal met
for f in "${figures[@]}"; do
  read -r image name value op goal <<<"$f"
  if [ "$op" = - ]; then
    printf '%-8s %-22s %8s\n' "$image" "$name" "$value"
  else
    printf '%-8s %-22s %8s  %-8s %s\n' "$image" "$name" "$value" "$op $goal" \
      "$(met "$value" "$op" "$goal")"
  fi
done
echo
for f in "${figures[@]}"; do
  read -r image name value op goal <<<"$f"
  if [ "$op" = - ]; then
    echo "BENCH image=$image figure=$name value=$value runs=$runs"
  else
    echo "BENCH image=$image figure=$name value=$value goal=$op$goal" \
      "met=$(met "$value" "$op" "$goal") runs=$runs"
  fi
done
