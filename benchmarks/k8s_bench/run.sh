#!/usr/bin/env bash
# Question: how long does `bulwark bench k8s --benchmark pss-restricted` take over 10,000
# manifests, does it scale linearly from 1,000 to 50,000, and are its verdicts right at that
# scale?
#
#   sets     benchmarks/k8s_bench/generate.py --seed 1 --count N (10,000; also 1,000 and 50,000
#            unless QUICK=1): one object per file under objects/, the same objects as one
#            multi-document all.yaml and as one `kind: List` list.json; one workload in five
#            carries injected Pod Security Standards violations, listed in expected.tsv
#   memory   one run per form under /usr/bin/time -v (maximum RSS) with --timings (the split
#            load checks / read manifests / evaluate / render); its report is kept for `correct`
#   timing   hyperfine --warmup 1 --runs 5 per form, report rendered as JSON to /dev/null
#   correct  compare.py: every injected violation fails, no other check fails, every workload
#            has results
#
# Goal (docs/dev/k8s-design.md §7.4): 10,000 manifests in < 2 s wall and < 500 MiB RSS; ms per
# 1,000 objects the same at 1,000 and 50,000. Nothing is downloaded and nothing is built.
# Usage: benchmarks/k8s_bench/run.sh   (BULWARK_BIN=… another binary, QUICK=1 only the 10,000
#        set, RUNS=N hyperfine runs)
# Output: a table, the comparison, then machine-readable lines: BENCH figure=… value=… goal=…
# Exit: 0; 1 when a verdict differs from expected.tsv or a timing run failed; 2 when a tool or
# bulwark is missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
runs=${RUNS:-5}
counts=(10000)
[ "${QUICK:-0}" = 1 ] || counts=(1000 10000 50000)
bulwark=$(realpath "${BULWARK_BIN:-$repo/build/bin/bulwark}")
[ -x "$bulwark" ] || { echo "k8s_bench: build bulwark first (ninja -C build bulwark)" >&2; exit 2; }
"$bulwark" bench k8s --help >/dev/null 2>&1 ||
  { echo "k8s_bench: $bulwark has no \`bench k8s\`" >&2; exit 2; }
for tool in hyperfine jq bc python3 /usr/bin/time; do
  command -v "$tool" >/dev/null ||
    { echo "k8s_bench: $tool missing: run scripts/install-deps" >&2; exit 2; }
done
# bulwark refuses single files over 64 MiB by default (design §1.3); the 50,000 set's all.yaml
# and list.json are larger, so they need --max-file-size where this bulwark has it.
file_limit=$((64 << 20))
has_max_file_size=0
"$bulwark" bench k8s --help 2>&1 | grep -q -- '--max-file-size' && has_max_file_size=1

work=$(mktemp -d /tmp/bulwark-bench-k8s.XXXXXX)
trap 'rm -rf "$work"' EXIT
# Run a copy: on a shared machine a rebuild would otherwise remove the binary mid-run.
cp "$bulwark" "$work/bulwark"
bulwark=$work/bulwark

echo "bulwark $("$bulwark" --version 2>/dev/null | head -1); $(nproc) cores;" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg); runs $runs"
printf '%-7s %-11s %9s %10s %9s %8s  %s\n' objects form "median s" objects/s ms/1000 "RSS MiB" \
  "split (--timings)"

declare -A median_s rss_mib
bench_lines=()
comparisons=()
mismatch=0
mismatches=0
for count in "${counts[@]}"; do
  set_dir=$work/set-$count
  python3 "$here/generate.py" --seed 1 --count "$count" --out "$set_dir" \
    >"$work/generate-$count.txt"
  for form in objects all.yaml list.json; do
    input=$set_dir/$form
    extra=()
    if [ -f "$input" ] && [ "$(stat -c %s "$input")" -gt "$file_limit" ]; then
      if [ "$has_max_file_size" = 1 ]; then
        extra=(--max-file-size "$(($(stat -c %s "$input") + 1))")
      else
        printf '%-7s %-11s skipped: %d MiB, over the 64 MiB file limit, and no --max-file-size\n' \
          "$count" "$form" $(($(stat -c %s "$input") >> 20))
        continue
      fi
    fi
    cmd=("$bulwark" bench k8s --benchmark pss-restricted "${extra[@]}" -f json)
    report=$work/report.json
    if ! /usr/bin/time -v -o "$work/time.txt" "${cmd[@]}" --timings -o "$report" "$input" \
      2>"$work/stderr.txt"; then
      echo "k8s_bench: bulwark failed on $form ($count objects):" >&2
      tail -n 20 "$work/stderr.txt" >&2
      exit 1
    fi
    rss=$(awk '/Maximum resident set size/ { printf "%.0f", $NF / 1024 }' "$work/time.txt")
    split=$(sed -n 's/^bulwark: timings: //p' "$work/stderr.txt" | tail -n 1)
    if ! python3 "$here/compare.py" "$report" "$set_dir" --label "$count $form" \
      >"$work/compare.txt"; then
      mismatch=1
    fi
    comparisons+=("$(cat "$work/compare.txt")")
    found=$(sed -n 's/.*; mismatches \([0-9]*\)$/\1/p' "$work/compare.txt" | head -n 1)
    mismatches=$((mismatches + ${found:-1}))  # no count: compare.py could not read the report
    rm -f "$report"

    if ! hyperfine --style none --warmup 1 --runs "$runs" --export-json "$work/hyperfine.json" \
      "$(printf '%q ' "${cmd[@]}") -o /dev/null $(printf '%q' "$input")" >/dev/null; then
      printf '%-7s %-11s hyperfine failed\n' "$count" "$form"
      mismatch=1
      continue
    fi
    median=$(jq '.results[0].median' "$work/hyperfine.json")
    median_s[$count/$form]=$median
    rss_mib[$count/$form]=$rss
    printf '%-7s %-11s %9.3f %10.0f %9.1f %8s  %s\n' "$count" "$form" "$median" \
      "$(echo "$count / $median" | bc -l)" "$(echo "$median * 1000000 / $count" | bc -l)" \
      "$rss" "${split:-(none printed)}"
  done
  rm -rf "$set_dir"
done

echo
sed 's/^/generate.py --count 10000: /' "$work/generate-10000.txt"
printf '%s\n' "${comparisons[@]}"
echo
for form in objects all.yaml list.json; do
  tag=${form%%.*}
  if [ -n "${median_s[10000/$form]:-}" ]; then
    s=${median_s[10000/$form]}
    ratio=$(printf '%.2f' "$(echo "$s / 2" | bc -l)")
    value=$(printf '%.3f' "$s")
    bench_lines+=("BENCH figure=k8s_10k_s form=$tag value=$value goal=<2 ratio_to_goal=$ratio")
    bench_lines+=("BENCH figure=k8s_10k_rss_mib form=$tag value=${rss_mib[10000/$form]} goal=<500")
  fi
  if [ -n "${median_s[1000/$form]:-}" ] && [ -n "${median_s[50000/$form]:-}" ]; then
    # ms per 1,000 objects at 50,000 over the same at 1,000: 1.00 is linear.
    growth=$(echo "(${median_s[50000/$form]} / 50) / (${median_s[1000/$form]} / 1)" | bc -l)
    value=$(printf '%.2f' "$growth")
    bench_lines+=("BENCH figure=k8s_per_object_50k_over_1k form=$tag value=$value goal=~1")
  fi
done
bench_lines+=("BENCH figure=k8s_verdict_mismatches value=$mismatches goal=0")
printf '%s\n' "${bench_lines[@]}"
exit "$mismatch"
