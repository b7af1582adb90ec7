// Fills a store for the posture API benchmark (benchmarks/posture_api.sh; posture design §8)
// through the Store interface, as the service writes it: 3 registries, 50 repositories,
// --images digests (default 1,000) pushed and scanned with --findings synthetic findings each
// (default 100), --hosts Docker hosts (default 20) of --containers containers each (default 30)
// with check assessments, and --alerts alerts (default 10,000) on them. Then the posture sync
// runs its first pass over all of it (the full recomputation, timed), and a re-evaluation of
// one digest and the pass that follows (one scan's reassessment, timed). Prints
// `BENCH figure=… value=… goal=…` lines and the ids the script queries.
//
// Usage: posture_seed --store URL [--images N] [--findings N] [--hosts N] [--containers N]
//        [--alerts N]
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "pipeline/posture/sync.h"
#include "posture/catalogue.h"
#include "posture/resource_key.h"
#include "store/store.h"

namespace {

using namespace bulwark;
using Clock = std::chrono::steady_clock;

int fail(const std::string& message) {
  std::fprintf(stderr, "posture_seed: %s\n", message.c_str());
  return 2;
}

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

constexpr model::Severity kSeverities[] = {model::Severity::Critical, model::Severity::High,
                                           model::Severity::Medium, model::Severity::Low,
                                           model::Severity::Negligible};

// Findings of one digest: package p-<i % 40>, one vulnerability per finding, a mix of
// severities and fixed versions; the ids repeat across images, as real findings do.
std::vector<store::FindingRecord> findingsOf(int image, int count) {
  std::vector<store::FindingRecord> out;
  out.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    store::FindingRecord f;
    f.vulnerability_id = fmt::format("CVE-2026-{:05d}", (image * 7 + i * 13) % 20000);
    f.package_name = fmt::format("p-{}", i % 40);
    f.installed_version = fmt::format("1.{}.0", i % 9);
    f.fixed_version = i % 3 == 0 ? "" : fmt::format("1.{}.1", i % 9);
    f.severity = kSeverities[(image + i) % 5];
    f.detail_json =
        fmt::format(R"({{"description":"synthetic finding {} of image {}"}})", i, image);
    out.push_back(std::move(f));
  }
  return out;
}

// A container's check assessments (the Docker container checks' sources and their mapping).
const char* const kContainerChecks[][3] = {
    {"BW-DKR-505", "BW-REC-010", "CTL-PRIV"}, {"BW-DKR-504", "BW-REC-012", "CTL-PRIV"},
    {"BW-DKR-510", "BW-REC-011", "CTL-PRIV"}, {"BW-DKR-511", "BW-REC-050", "CTL-CONF"},
    {"BW-DKR-513", "BW-REC-051", "CTL-CONF"}, {"BW-DKR-401", "BW-REC-013", "CTL-PRIV"},
    {"BW-DKR-506", "BW-REC-016", "CTL-PRIV"}, {"BW-DKR-507", "BW-REC-042", "CTL-NET"},
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Fill a store for the posture API benchmark"};
  std::string url;
  int images = 1000;
  int findings = 100;
  int hosts = 20;
  int containers = 30;
  int alerts = 10000;
  app.add_option("--store", url, "The store URL")->required();
  app.add_option("--images", images)->check(CLI::Range(1, 1000000));
  app.add_option("--findings", findings)->check(CLI::Range(0, 10000));
  app.add_option("--hosts", hosts)->check(CLI::Range(0, 10000));
  app.add_option("--containers", containers)->check(CLI::Range(0, 10000));
  app.add_option("--alerts", alerts)->check(CLI::Range(0, 10000000));
  CLI11_PARSE(app, argc, argv);

  auto opened = store::openStore(url);
  if (!opened) return fail(opened.error().message);
  store::Store& store = **opened;
  auto catalogue = posture::builtinCatalogue();
  if (!catalogue) return fail(catalogue.error().message);
  const store::Millis now = store::nowMillis();

  const auto seed_start = Clock::now();
  for (int r = 0; r < 3; ++r) {
    store::Registry registry;
    registry.name = fmt::format("reg-{}", r);
    registry.url = fmt::format("http://127.0.0.1:{}", 5000 + r);
    if (auto added = store.addRegistry(registry); !added) return fail(added.error().message);
  }
  std::string some_digest, some_registry, some_repository;
  for (int i = 0; i < images; ++i) {
    const std::string registry = fmt::format("reg-{}", i % 3);
    const std::string repository = fmt::format("team-{}/app-{}", i % 50 / 10, i % 50);
    const std::string digest = fmt::format("sha256:{:064x}", i + 1);
    if (auto pushed =
            store.recordPush(registry, repository, digest, fmt::format("v{}", i), now - 3'600'000);
        !pushed) {
      return fail(pushed.error().message);
    }
    store::ScanResult result;
    result.digest = digest;
    result.inventory_json = "{}";
    result.findings = findingsOf(i, findings);
    result.metadata.db_build_id = "bench-1";
    result.metadata.scanned_at = now - 3'000'000;
    result.metadata.evaluated_at = now - 3'000'000;
    result.metadata.os = "debian 12";
    result.metadata.platform = "linux/amd64";
    if (auto saved = store.saveResult(result); !saved) return fail(saved.error().message);
    if (i == images / 2) {
      some_digest = digest;
      some_registry = registry;
      some_repository = repository;
    }
  }
  for (int h = 0; h < hosts; ++h) {
    const std::string host_name = fmt::format("host-{:02d}", h);
    store::AssessmentBatch batch;
    batch.at = now;
    batch.cause = "run:0";
    model::Resource host = posture::hostResource(host_name);
    host.attrs = {{"docker_version", "24.0.7"}, {"cis_score", "72.5"}};
    batch.resources.push_back(host);
    batch.scope_id = host.id;
    batch.complete = true;
    for (int c = 0; c < containers; ++c) {
      model::Resource container = posture::dockerContainerResource(
          host_name, fmt::format("{:064x}", h * 1000 + c + 1), fmt::format("app-{}", c));
      for (const auto& check : kContainerChecks) {
        model::Assessment a;
        a.resource_id = container.id;
        a.source = check[0];
        a.recommendation = check[1];
        a.control = check[2];
        a.status = (h + c) % 4 == 0 ? model::Health::Unhealthy : model::Health::Healthy;
        a.severity = model::Severity::High;
        a.reason = "synthetic";
        a.assessed_at = now;
        batch.assessments.push_back(std::move(a));
      }
      batch.resources.push_back(std::move(container));
    }
    if (auto applied = store.applyAssessments(batch); !applied) {
      return fail(applied.error().message);
    }
  }
  std::vector<store::AlertRecord> batch;
  for (int i = 0; i < alerts; ++i) {
    store::AlertRecord alert;
    alert.alert_id = fmt::format("00000000-0000-4000-8000-{:012d}", i);
    alert.time_ms = now - static_cast<store::Millis>(i) * 60'000;
    alert.received_ms = alert.time_ms;
    alert.rule = "Terminal shell in container";
    alert.rule_id = "BW-RT-201";
    alert.priority = 3 + i % 3;
    alert.source = "syscall";
    alert.host = fmt::format("host-{:02d}", i % (hosts > 0 ? hosts : 1));
    alert.container_id = fmt::format("{:012x}", 0);
    alert.output = "synthetic alert";
    batch.push_back(std::move(alert));
    if (batch.size() == 1000 || i + 1 == alerts) {
      if (auto added = store.addAlerts(batch); !added) return fail(added.error().message);
      batch.clear();
    }
  }
  std::printf("seeded: %d images x %d findings, %d hosts x %d containers, %d alerts in %.0f ms\n",
              images, findings, hosts, containers, alerts, msSince(seed_start));

  pipeline::PostureSyncOptions options;
  options.holder = "posture_seed";
  options.page = 1000;
  pipeline::PostureSync sync(store, *catalogue, options);
  auto start = Clock::now();
  auto first = sync.runOnce(now);
  if (!first) return fail(first.error().message);
  const double recompute_ms = msSince(start);
  std::printf("full recomputation: %lld images, %lld alerts, %lld changes\n",
              static_cast<long long>(first->images), static_cast<long long>(first->alerts),
              static_cast<long long>(first->changes));
  std::printf("BENCH figure=posture_full_recompute_ms value=%.0f goal=2000\n", recompute_ms);

  // One re-evaluation of one digest, as a database update's makes, and the pass after it.
  if (auto replaced =
          store.replaceFindings(some_digest, findingsOf(1, findings / 2), "bench-2", now + 1000);
      !replaced) {
    return fail(replaced.error().message);
  }
  start = Clock::now();
  auto one = sync.runOnce(now + 2000);
  if (!one) return fail(one.error().message);
  std::printf("BENCH figure=posture_one_scan_reassess_ms value=%.1f goal=50\n", msSince(start));
  std::printf("digest=%s\n", some_digest.c_str());
  std::printf("registry=%s\nrepository=%s\n", some_registry.c_str(), some_repository.c_str());
  std::printf("image_resource=%s\n",
              posture::imageResource(some_registry, some_repository, some_digest).id.c_str());
  std::printf("host_resource=%s\n", posture::hostResource("host-00").id.c_str());
  return 0;
}
