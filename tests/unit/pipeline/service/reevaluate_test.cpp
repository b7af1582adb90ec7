// Re-evaluation against a real SQLite store: a stored inventory matched against a changed
// database records one new and one resolved finding with the database's build id and the time;
// a digest already evaluated with the build is skipped; 2,000 stored inventories are re-evaluated
// with at most one decoded at a time; a corrupt inventory is counted and the run goes on.
#include "pipeline/service/reevaluate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pipeline/sbom.h"
#include "pipeline/service/finding_records.h"
#include "pipeline/service/inventory_codec.h"
#include "service_test_support.h"
#include "testdata.h"

namespace bulwark::pipeline::service {
namespace {

namespace fs = std::filesystem;

constexpr store::Millis kScannedAt = 1'700'000'000'000;
constexpr store::Millis kReevaluatedAt = 1'700'000'500'000;
const std::string kDigest = "sha256:" + std::string(64, 'a');

fs::path advisories() { return bulwark::testing::fixtures() / "advisories" / "debian-mini"; }

// The fixture's tracker, changed: CVE-2024-0727 (open for the installed openssl) is now fixed in
// a version older than the installed one, and CVE-2099-0001 is a new open issue of openssl.
std::string changedTracker(const fs::path& dir) {
  auto tracker = nlohmann::json::parse(bulwark::testing::readFile(advisories() / "tracker.json"));
  auto& openssl = tracker["openssl"];
  openssl["CVE-2024-0727"]["releases"]["bookworm"] = {
      {"status", "resolved"},
      {"fixed_version", "3.0.11-1~deb12u1"},
      {"urgency", "low"},
      {"repositories", {{"bookworm", "3.0.11-1~deb12u2"}}}};
  openssl["CVE-2099-0001"] = {{"description", "a new flaw"},
                              {"scope", "remote"},
                              {"releases",
                               {{"bookworm",
                                 {{"status", "open"},
                                  {"urgency", "high"},
                                  {"repositories", {{"bookworm", "3.0.11-1~deb12u2"}}}}}}}};
  const fs::path path = dir / "tracker.json";
  std::ofstream(path) << tracker.dump();
  return path.string();
}

class Reevaluate : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::openStore("sqlite:" + (dir_.path() / "store.db").string());
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }

  // Scans the debian-mini fixture against `db` and stores the result under `digest`.
  void storeScan(const vulndb::Database& db, const std::string& digest) {
    auto inventory = buildInventory(
        (bulwark::testing::fixtures() / "rootfs" / "debian-mini").string(), SbomOptions{});
    ASSERT_TRUE(inventory) << inventory.error().message;
    core::Diagnostics diagnostics;
    auto findings = matchFindings(db, *inventory, diagnostics);
    ASSERT_TRUE(findings) << findings.error().message;
    store::ScanResult result;
    result.digest = digest;
    result.inventory_json = encodeInventory(*inventory);
    result.findings = toFindingRecords(*findings, *inventory);
    result.metadata.db_build_id = db.metadata()->build_id;
    result.metadata.scanned_at = kScannedAt;
    result.metadata.evaluated_at = kScannedAt;
    result.metadata.package_count = static_cast<std::int64_t>(inventory->packages.size());
    auto saved = store_->saveResult(result);
    ASSERT_TRUE(saved) << saved.error().message;
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(Reevaluate, AChangedDatabaseRecordsNewAndResolvedFindings) {
  auto before =
      testing::importDatabase((dir_.path() / "before.db").string(), {advisories().string()});
  const fs::path feeds = dir_.path() / "feeds";
  fs::create_directories(feeds);
  auto after = testing::importDatabase(
      (dir_.path() / "after.db").string(),
      {(advisories() / "nvd-CVE-2024-2961.json").string(), changedTracker(feeds)});
  const std::string after_build = after.metadata()->build_id;
  ASSERT_NE(before.metadata()->build_id, after_build);

  storeScan(before, kDigest);
  auto stored = store_->findings({.digest = kDigest, .limit = 1000});
  ASSERT_TRUE(stored) << stored.error().message;
  const auto has = [](const std::vector<store::FindingRecord>& records, const std::string& id) {
    return std::any_of(records.begin(), records.end(),
                       [&](const auto& r) { return r.vulnerability_id == id; });
  };
  ASSERT_TRUE(has(stored->findings, "CVE-2024-0727"));
  ASSERT_FALSE(has(stored->findings, "CVE-2099-0001"));

  ReevaluateOptions options;
  options.now = [] { return kReevaluatedAt; };
  auto stats = reevaluateAll(*store_, after, options);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->db_build_id, after_build);
  EXPECT_EQ(stats->inventories, 1);
  EXPECT_EQ(stats->skipped, 0);
  EXPECT_EQ(stats->failed, 0);
  EXPECT_EQ(stats->new_findings, 1);
  EXPECT_EQ(stats->resolved, 1);
  EXPECT_EQ(stats->peak_decoded, 1);
  EXPECT_EQ(stats->findings, static_cast<std::int64_t>(stored->findings.size()));

  auto changes = store_->findingChanges(kDigest, 100);
  ASSERT_TRUE(changes) << changes.error().message;
  ASSERT_EQ(changes->size(), 2U);
  for (const auto& change : *changes) {
    EXPECT_EQ(change.at, kReevaluatedAt);
    EXPECT_EQ(change.db_build_id, after_build);
    EXPECT_EQ(change.package_name, "openssl");
    if (change.kind == store::FindingChangeKind::New) {
      EXPECT_EQ(change.vulnerability_id, "CVE-2099-0001");
    } else {
      EXPECT_EQ(change.vulnerability_id, "CVE-2024-0727");
    }
  }
  auto now_stored = store_->findings({.digest = kDigest, .limit = 1000});
  ASSERT_TRUE(now_stored);
  EXPECT_TRUE(has(now_stored->findings, "CVE-2099-0001"));
  EXPECT_FALSE(has(now_stored->findings, "CVE-2024-0727"));
  auto metadata = store_->resultMetadata(kDigest);
  ASSERT_TRUE(metadata && *metadata);
  EXPECT_EQ((*metadata)->db_build_id, after_build);
  EXPECT_EQ((*metadata)->evaluated_at, kReevaluatedAt);
  EXPECT_EQ((*metadata)->scanned_at, kScannedAt);
  auto setting = store_->getSetting(kReevaluatedSetting);
  ASSERT_TRUE(setting && *setting);
  EXPECT_EQ(**setting, after_build);

  // Already evaluated with this build: skipped; forced: matched again, nothing changes.
  auto again = reevaluateAll(*store_, after, options);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->skipped, 1);
  EXPECT_EQ(again->inventories, 0);
  options.force = true;
  auto forced = reevaluateAll(*store_, after, options);
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced->inventories, 1);
  EXPECT_EQ(forced->new_findings + forced->resolved, 0);
  auto unchanged = store_->findingChanges(kDigest, 100);
  ASSERT_TRUE(unchanged);
  EXPECT_EQ(unchanged->size(), 2U);
}

// A tracker with one open issue of a package the fixture's root filesystem does not have.
std::string nginxTracker(const fs::path& dir) {
  nlohmann::json tracker;
  tracker["nginx"]["CVE-2099-0002"] = {
      {"description", "a flaw in a package the image does not have"},
      {"scope", "remote"},
      {"releases",
       {{"bookworm",
         {{"status", "open"},
          {"urgency", "high"},
          {"repositories", {{"bookworm", "1.22.1-9"}}}}}}}};
  const fs::path path = dir / "nginx-tracker.json";
  std::ofstream(path) << tracker.dump();
  return path.string();
}

TEST_F(Reevaluate, OnlyInventoriesWithAChangedPackageAreMatchedAgain) {
  // One database file, updated in place as `db update` does: each import records what it
  // changed since the build before.
  const std::string path = (dir_.path() / "db.db").string();
  auto first = testing::importDatabase(path, {advisories().string()});
  storeScan(first, kDigest);
  auto before = store_->findings({.digest = kDigest, .limit = 1000});
  ASSERT_TRUE(before) << before.error().message;

  const fs::path feeds = dir_.path() / "feeds";
  fs::create_directories(feeds);
  auto second = testing::importDatabase(path, {nginxTracker(feeds)});
  const std::string second_build = second.metadata()->build_id;
  auto nginx = second.affecting("debian:12", "nginx");
  ASSERT_TRUE(nginx) << nginx.error().message;
  ASSERT_EQ(nginx->size(), 1U);  // the import did change something
  ReevaluateOptions options;
  options.now = [] { return kReevaluatedAt; };
  auto stats = reevaluateAll(*store_, second, options);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->unaffected, 1);
  EXPECT_EQ(stats->inventories, 0);
  EXPECT_EQ(stats->failed, 0);
  auto metadata = store_->resultMetadata(kDigest);
  ASSERT_TRUE(metadata && *metadata);
  EXPECT_EQ((*metadata)->db_build_id, second_build);
  EXPECT_EQ((*metadata)->evaluated_at, kReevaluatedAt);
  auto kept = store_->findings({.digest = kDigest, .limit = 1000});
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->findings.size(), before->findings.size());
  auto none = store_->findingChanges(kDigest, 100);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto setting = store_->getSetting(kReevaluatedSetting);
  ASSERT_TRUE(setting && *setting);
  EXPECT_EQ(**setting, second_build);

  // openssl changes: the inventory has it, so it is matched again, against the history of
  // both imports since it was scanned.
  auto third = testing::importDatabase(path, {changedTracker(feeds)});
  auto matched = reevaluateAll(*store_, third, options);
  ASSERT_TRUE(matched) << matched.error().message;
  EXPECT_EQ(matched->unaffected, 0);
  EXPECT_EQ(matched->inventories, 1);
  EXPECT_EQ(matched->new_findings, 1);
  EXPECT_EQ(matched->resolved, 1);
}

TEST_F(Reevaluate, WithoutHistoryEveryInventoryIsMatchedAgain) {
  // A database rebuilt from scratch (another file) knows nothing of the build the result was
  // matched against: the inventory is matched even though no package of it changed.
  auto first =
      testing::importDatabase((dir_.path() / "first.db").string(), {advisories().string()});
  storeScan(first, kDigest);
  auto rebuilt =
      testing::importDatabase((dir_.path() / "rebuilt.db").string(), {advisories().string()});
  auto stats = reevaluateAll(*store_, rebuilt);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->unaffected, 0);
  EXPECT_EQ(stats->inventories, 1);
  EXPECT_EQ(stats->new_findings + stats->resolved, 0);
}

TEST_F(Reevaluate, ManyInventoriesOneDecodedAtATime) {
  auto db = testing::importDatabase((dir_.path() / "db.db").string(), {advisories().string()});
  model::Inventory inventory;
  inventory.distro.id = "debian";
  inventory.distro.version_id = "12";
  inventory.distro.codename = "bookworm";
  model::Package openssl;
  openssl.name = "openssl";
  openssl.version = "3.0.11-1~deb12u2";
  openssl.source_name = "openssl";
  openssl.location.path = "var/lib/dpkg/status";
  inventory.packages.push_back(openssl);
  const std::string text = encodeInventory(inventory);
  constexpr int kInventories = 2000;
  for (int i = 0; i < kInventories; ++i) {
    store::ScanResult result;
    result.digest = fmt::format("sha256:{:064x}", i);
    result.inventory_json = text;
    result.metadata.db_build_id = "old";
    auto saved = store_->saveResult(result);
    ASSERT_TRUE(saved) << saved.error().message;
  }
  ReevaluateOptions options;
  options.batch_size = 128;
  auto stats = reevaluateAll(*store_, db, options);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->inventories, kInventories);
  EXPECT_EQ(stats->failed, 0);
  EXPECT_EQ(stats->peak_decoded, 1);
  // Every inventory gained openssl's findings (none before: the first result had none).
  EXPECT_GT(stats->findings, kInventories);
  auto last = store_->findings({.digest = fmt::format("sha256:{:064x}", kInventories - 1)});
  ASSERT_TRUE(last);
  EXPECT_FALSE(last->findings.empty());
}

TEST_F(Reevaluate, ThreadsShareThePagesAndFindTheSameChanges) {
  const std::string path = (dir_.path() / "db.db").string();
  auto db = testing::importDatabase(path, {advisories().string()});
  model::Inventory inventory;
  inventory.distro.id = "debian";
  inventory.distro.version_id = "12";
  model::Package openssl;
  openssl.name = "openssl";
  openssl.version = "3.0.11-1~deb12u2";
  openssl.source_name = "openssl";
  inventory.packages.push_back(openssl);
  const std::string text = encodeInventory(inventory);
  constexpr int kInventories = 300;
  for (int i = 0; i < kInventories; ++i) {
    store::ScanResult result;
    result.digest = fmt::format("sha256:{:064x}", i);
    result.inventory_json = text;
    result.metadata.db_build_id = "old";
    ASSERT_TRUE(store_->saveResult(result));
  }
  ReevaluateOptions options;
  options.batch_size = 64;
  options.threads = 3;
  int opened = 0;
  options.open_database = [&]() -> core::Result<vulndb::Database> {
    ++opened;
    return vulndb::Database::open(path);
  };
  auto stats = reevaluateAll(*store_, db, options);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(opened, 2);  // the caller's database plus two more
  EXPECT_EQ(stats->inventories, kInventories);
  EXPECT_EQ(stats->failed, 0);
  EXPECT_GE(stats->peak_decoded, 1);
  EXPECT_LE(stats->peak_decoded, 3);
  // Every inventory was matched once: each gained the same findings, recorded as new.
  const auto per_inventory = stats->findings / kInventories;
  EXPECT_GT(per_inventory, 0);
  EXPECT_EQ(stats->findings, per_inventory * kInventories);
  EXPECT_EQ(stats->new_findings, stats->findings);
  for (int i : {0, kInventories / 2, kInventories - 1}) {
    auto found = store_->findings({.digest = fmt::format("sha256:{:064x}", i)});
    ASSERT_TRUE(found);
    EXPECT_EQ(static_cast<std::int64_t>(found->findings.size()), per_inventory);
  }
}

TEST_F(Reevaluate, ACorruptInventoryIsCountedAndTheRunGoesOn) {
  auto db = testing::importDatabase((dir_.path() / "db.db").string(), {advisories().string()});
  storeScan(db, kDigest);
  store::ScanResult corrupt;
  corrupt.digest = "sha256:" + std::string(64, 'b');
  corrupt.inventory_json = R"({"v":1,"p":[{"y":"deb","n":7}]})";
  ASSERT_TRUE(store_->saveResult(corrupt));
  ReevaluateOptions options;
  options.force = true;
  auto stats = reevaluateAll(*store_, db, options);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->inventories, 1);
  EXPECT_EQ(stats->failed, 1);
  // Not recorded as done: the next run tries the failed digest again.
  auto setting = store_->getSetting(kReevaluatedSetting);
  ASSERT_TRUE(setting);
  EXPECT_FALSE(setting->has_value());

  std::atomic<bool> stop{true};
  options.stop = &stop;
  auto stopped = reevaluateAll(*store_, db, options);
  ASSERT_TRUE(stopped);
  EXPECT_TRUE(stopped->stopped);
  EXPECT_EQ(stopped->inventories, 0);
}

}  // namespace
}  // namespace bulwark::pipeline::service
