// Re-evaluation cost (issue 5 §7): N stored inventories (default 1,000) of one real target,
// matched against database A and saved as the service saves scan results; then database B is
// "released" and reevaluateAll() matches every stored inventory again against it. Prints the
// time per 1,000 inventories, the projection to 100,000, the changes found and the peak RSS.
// With --then DB_C (database B's file updated in place by a small import, as a daily `db update`
// does), the inventories are re-evaluated once more against C: only those with a package C
// changed are matched again, the others are marked evaluated.
//
// Usage: reevaluate_bench --target TARGET --before DB_A --after DB_B [--then DB_C] [--count N]
//        --store PATH
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "core/sha256.h"
#include "pipeline/sbom.h"
#include "pipeline/service/finding_records.h"
#include "pipeline/service/inventory_codec.h"
#include "pipeline/service/reevaluate.h"
#include "store/store.h"
#include "vulndb/database.h"

namespace {

using namespace bulwark;

long peakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "reevaluate_bench: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"re-evaluation of stored inventories"};
  std::string target = "/";
  std::string before;
  std::string after;
  std::string then;
  std::string store_path;
  int count = 1000;
  int threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  app.add_option("--target", target);
  app.add_option("--before", before)->required();
  app.add_option("--after", after)->required();
  app.add_option("--then", then);
  app.add_option("--store", store_path)->required();
  app.add_option("--count", count)->check(CLI::Range(1, 1000000));
  app.add_option("--threads", threads)->check(CLI::Range(1, 64));
  CLI11_PARSE(app, argc, argv);

  auto inventory = pipeline::buildInventory(target, {});
  if (!inventory) return fail(inventory.error().message);
  auto database_before = vulndb::Database::open(before);
  if (!database_before) return fail(database_before.error().message);
  core::Diagnostics diagnostics;
  auto findings = pipeline::service::matchFindings(*database_before, *inventory, diagnostics);
  if (!findings) return fail(findings.error().message);
  auto metadata = database_before->metadata();
  if (!metadata) return fail(metadata.error().message);

  auto store = store::openStore("sqlite:" + store_path);
  if (!store) return fail(store.error().message);
  store::ScanResult result;
  result.inventory_json = pipeline::service::encodeInventory(*inventory);
  result.findings = pipeline::service::toFindingRecords(*findings, *inventory);
  result.metadata.db_build_id = metadata->build_id;
  result.metadata.package_count = static_cast<std::int64_t>(inventory->packages.size());
  const auto fill_start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    result.digest = "sha256:" + core::sha256Hex(fmt::format("inventory {}", i));
    result.metadata.scanned_at = result.metadata.evaluated_at = store::nowMillis();
    if (auto saved = (*store)->saveResult(result); !saved) return fail(saved.error().message);
  }
  const double fill_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - fill_start).count();
  const long rss_before = peakRssMb();

  auto database_after = vulndb::Database::open(after);
  if (!database_after) return fail(database_after.error().message);
  pipeline::service::ReevaluateOptions options;
  options.threads = threads;
  options.open_database = [&after] { return vulndb::Database::open(after); };
  auto stats = pipeline::service::reevaluateAll(**store, *database_after, options);
  if (!stats) return fail(stats.error().message);
  const double seconds = static_cast<double>(stats->duration_ms) / 1000.0;
  const double per_1000 = seconds * 1000.0 / static_cast<double>(count);

  std::printf("%-48s %s\n", "figure", "value");
  std::printf("%-48s %zu packages, %zu findings (database A)\n", "inventory",
              inventory->packages.size(), findings->size());
  std::printf("%-48s %d (saved in %.1f s)\n", "stored inventories", count, fill_s);
  std::printf("%-48s %lld matched, %lld failed, %lld new, %lld resolved findings\n",
              "re-evaluation against database B", static_cast<long long>(stats->inventories),
              static_cast<long long>(stats->failed), static_cast<long long>(stats->new_findings),
              static_cast<long long>(stats->resolved));
  std::printf("%-48s %.2f s on %d thread(s)\n", "re-evaluation time", seconds, threads);
  std::printf("%-48s %.2f s\n", "per 1,000 inventories", per_1000);
  std::printf("%-48s %.1f min (goal < 5 min)\n", "projected for 100,000", per_1000 * 100 / 60);
  std::printf("%-48s %ld MB before, %ld MB after (decoded at once: %lld)\n", "peak RSS", rss_before,
              peakRssMb(), static_cast<long long>(stats->peak_decoded));
  std::printf("BENCH figure=reevaluate_per_1000_s value=%.2f goal=report\n", per_1000);
  std::printf("BENCH figure=reevaluate_100k_projected_min value=%.1f goal=<5\n",
              per_1000 * 100 / 60);
  if (stats->failed != 0) return 1;
  if (then.empty()) return 0;

  auto database_then = vulndb::Database::open(then);
  if (!database_then) return fail(database_then.error().message);
  options.open_database = [&then] { return vulndb::Database::open(then); };
  auto update = pipeline::service::reevaluateAll(**store, *database_then, options);
  if (!update) return fail(update.error().message);
  const double update_s = static_cast<double>(update->duration_ms) / 1000.0;
  const double update_per_1000 = update_s * 1000.0 / static_cast<double>(count);
  std::printf("%-48s %lld matched, %lld without a changed package, %lld failed\n",
              "re-evaluation after a small update (C)", static_cast<long long>(update->inventories),
              static_cast<long long>(update->unaffected), static_cast<long long>(update->failed));
  std::printf("%-48s %.2f s (%.2f s per 1,000)\n", "re-evaluation time (C)", update_s,
              update_per_1000);
  std::printf("%-48s %.1f min (goal < 5 min)\n", "projected for 100,000 (C)",
              update_per_1000 * 100 / 60);
  std::printf("BENCH figure=reevaluate_small_update_per_1000_s value=%.2f goal=report\n",
              update_per_1000);
  std::printf("BENCH figure=reevaluate_small_update_100k_projected_min value=%.1f goal=<5\n",
              update_per_1000 * 100 / 60);
  return update->failed == 0 ? 0 : 1;
}
