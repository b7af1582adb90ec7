#!/usr/bin/env bash
# ctest's web_e2e_test: starts the whole platform (scripts/demo-platform --ready-file) with the
# build's bulwark, runs the browser tests (node --test tests/e2e/web/*.test.mjs) against it with
# BULWARK_URL and BULWARK_TOKEN, and stops the platform, also when a test fails. Exit 77 (ctest
# SKIP_RETURN_CODE) with the reason when something it needs is missing.
#
# Environment: BULWARK_BIN (the bulwark under test), BULWARK_WEB_ARTIFACTS (screenshots;
# default build/test-artifacts/web), BULWARK_UPDATE_DOCS_IMAGES=1 (copy the curated screenshots
# to docs/images/ after a passing run).
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$source_dir"
bulwark=${BULWARK_BIN:-$source_dir/build/bin/bulwark}
artifacts=${BULWARK_WEB_ARTIFACTS:-$source_dir/build/test-artifacts/web}

skip() {
  echo "SKIPPED: web_e2e_test: $*"
  exit 77
}
[ -x /usr/bin/chromium ] || skip "needs /usr/bin/chromium (scripts/install-deps installs it)"
[ -f web/node_modules/playwright-core/package.json ] && [ -f web/node_modules/axe-core/axe.min.js ] ||
  skip "needs web/node_modules with playwright-core and axe-core (scripts/install-deps: npm ci in web/)"
command -v node >/dev/null || skip "needs node"
[ "$(id -u)" = 0 ] || skip "needs root (the platform's private dockerd)"
for tool in dockerd docker docker-registry skopeo umoci unshare cc jq curl; do
  command -v "$tool" >/dev/null || skip "needs $tool (scripts/install-deps installs it)"
done
[ -x "$bulwark" ] || { echo "web_e2e_test: no bulwark at $bulwark" >&2; exit 1; }

work=$(mktemp -d)
demo_pid=""
stop_platform() {
  if [ -n "$demo_pid" ]; then
    kill -TERM "$demo_pid" 2>/dev/null || true
    wait "$demo_pid" 2>/dev/null || true
    demo_pid=""
  fi
}
trap 'stop_platform; rm -rf "$work"' EXIT

started=$(date +%s)
scripts/demo-platform --ready-file "$work/ready" "$bulwark" >"$work/demo.out" 2>"$work/demo.err" &
demo_pid=$!
while [ ! -s "$work/ready" ]; do
  if ! kill -0 "$demo_pid" 2>/dev/null || [ $(($(date +%s) - started)) -gt 240 ]; then
    echo "web_e2e_test: scripts/demo-platform did not get ready:" >&2
    cat "$work/demo.err" "$work/demo.out" >&2
    exit 1
  fi
  sleep 0.5
done
cat "$work/demo.err" "$work/demo.out"
echo "platform ready in $(($(date +%s) - started)) s"
# shellcheck disable=SC1091
source "$work/ready"
export BULWARK_URL BULWARK_TOKEN
if curl -fsS "$BULWARK_URL/" | grep -q 'dashboard not built'; then
  skip "this bulwark was built without its dashboard (web/node_modules was missing at build time)"
fi

rm -rf "$artifacts"
mkdir -p "$artifacts"
export BULWARK_WEB_ARTIFACTS=$artifacts
status=0
node --test --test-concurrency=1 tests/e2e/web/*.test.mjs >"$work/node.out" 2>&1 || status=$?
cat "$work/node.out"
# The figures, as the benchmarks print them.
sed -n 's/^# \(BENCH figure=.*\)$/\1/p' "$work/node.out"
echo "screenshots: $artifacts"

if [ $status -eq 0 ] && [ "${BULWARK_UPDATE_DOCS_IMAGES:-0}" = 1 ]; then
  # The curated set for docs/ (README.md, docs/dashboard.md).
  mkdir -p docs/images
  for pair in overview:dashboard-overview registries:dashboard-registries \
    finding-details:dashboard-finding-details recommendations:dashboard-recommendations \
    exempted:dashboard-recommendation alerts:dashboard-alerts alert-details:dashboard-alert \
    containers-hosts:dashboard-hosts resource-cluster:dashboard-cluster; do
    file=$(ls "$artifacts"/[0-9][0-9]-"${pair%%:*}".png 2>/dev/null | head -1)
    [ -n "$file" ] && cp "$file" "docs/images/${pair#*:}.png"
  done
  echo "copied the curated screenshots to docs/images/"
fi
exit $status
