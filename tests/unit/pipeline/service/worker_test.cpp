// The scan worker against a REAL registry (Debian's docker-registry on loopback, images pushed
// with skopeo) and a real SQLite store: push → enqueue → runOnce stores the result with its
// findings; an index becomes one job per platform; an unreachable registry retries with
// back-off and dead-letters; an unknown registry and a corrupt image fail for good with the
// reason; two workers on one queue never run the same job twice; the quarantine decision and
// the promotion copy; a quarantined index promoted whole when every platform passes, kept when
// one fails or dies, and promoted once when two workers finish its last platforms together; an
// enqueue wakes an idle worker at once. Skips visibly without the tools.
#include "pipeline/service/worker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/sha256.h"
#include "image/registry/client.h"
#include "local_registry.h"
#include "pipeline/service/inventory_codec.h"
#include "pipeline/service/registry_access.h"

namespace bulwark::pipeline::service {
namespace {

namespace fs = std::filesystem;
using testing::LocalRegistry;
using testing::TestImages;

TestImages* images = nullptr;
std::string images_failure;

// Adds to the layout an arm64 image with debian-mini's /etc only (no packages, so no findings:
// it passes any policy) as tag "bare-arm64", and "mixed": an index of "amd64" (four findings)
// and "bare-arm64".
::testing::AssertionResult addMixedIndex(TestImages& images) {
  using bulwark::testing::runCommand;
  using bulwark::testing::shellQuote;
  const fs::path fixture = bulwark::testing::fixtures() / "rootfs" / "debian-mini";
  const std::string image = shellQuote(images.layout.string() + ":bare-arm64");
  for (const std::string& command :
       {"umoci new --image " + image,
        "umoci config --image " + image + " --os linux --architecture arm64",
        "umoci insert --image " + image + " " + shellQuote((fixture / "etc").string()) + " /etc"}) {
    if (auto ok = runCommand(command); !ok) return ok;
  }
  return bulwark::testing::addIndex(images.layout, "mixed",
                                    {{"amd64", "amd64", ""}, {"bare-arm64", "arm64", ""}});
}

class Environment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (!testing::missingRegistryTools().empty()) return;
    images = new TestImages();
    if (auto built = testing::buildImages(*images); !built) {
      images_failure = built.message();
    } else if (auto mixed = addMixedIndex(*images); !mixed) {
      images_failure = mixed.message();
    }
  }
  void TearDown() override {
    delete images;
    images = nullptr;
  }
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new Environment);

class Worker : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const auto missing = testing::missingRegistryTools(); !missing.empty()) {
      GTEST_SKIP() << "the worker tests need " << missing << " (run scripts/install-deps)";
    }
    ASSERT_NE(images, nullptr);
    ASSERT_TRUE(images_failure.empty()) << "building the test images failed: " << images_failure;
    ASSERT_TRUE(registry_.start());
    now_ = store::nowMillis();
    auto opened = store::openStore("sqlite:" + (dir_.path() / "store.db").string());
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    database_ = (dir_.path() / "vulndb.db").string();
    testing::importDatabase(
        database_, {(bulwark::testing::fixtures() / "advisories" / "debian-mini").string()});
    store::Registry local;
    local.name = "local";
    local.url = "http://" + registry_.host();
    local.insecure = true;
    ASSERT_TRUE(store_->addRegistry(local));
  }

  WorkerOptions options(const std::string& name = "test:1:0") {
    WorkerOptions o;
    o.name = name;
    o.lease = std::chrono::seconds(20);
    o.database = database_;
    o.bulwark_version = "0.0-test";
    o.backoff.initial = std::chrono::seconds(1);
    o.backoff.max = std::chrono::seconds(3);
    o.backoff.jitter = 0;
    o.source.parallelism = 1;
    return o;
  }

  store::JobRequest scanRequest(const std::string& repository, const std::string& digest,
                                const std::string& tag) {
    store::JobRequest request;
    request.registry = "local";
    request.repository = repository;
    request.digest = digest;
    request.tag = tag;
    request.source = "api";
    EXPECT_TRUE(store_->recordPush("local", repository, digest, tag, now_));
    return request;
  }

  std::int64_t enqueue(const store::JobRequest& request) {
    auto enqueued = store_->enqueue(request, now_);
    EXPECT_TRUE(enqueued) << enqueued.error().message;
    return enqueued ? enqueued->job_id : 0;
  }

  store::Job job(std::int64_t id) {
    auto found = store_->getJob(id);
    EXPECT_TRUE(found && *found);
    return found && *found ? **found : store::Job{};
  }

  JobOutcome runOnce(ScanWorker& worker, store::Millis now) {
    auto outcome = worker.runOnce(now);
    EXPECT_TRUE(outcome) << outcome.error().message;
    EXPECT_TRUE(outcome && *outcome) << "no job was claimed";
    return outcome && *outcome ? **outcome : JobOutcome{};
  }

  // The store's clock: jobs are claimed, leases renewed and results saved in real time.
  store::Millis now_ = 0;
  testing::TempDir dir_;
  LocalRegistry registry_;
  std::unique_ptr<store::Store> store_;
  std::string database_;
};

TEST(WorkerBackoff, ExponentialCappedJittered) {
  Backoff backoff;
  backoff.initial = std::chrono::seconds(2);
  backoff.max = std::chrono::seconds(60);
  backoff.jitter = 0.25;
  EXPECT_EQ(retryDelay(backoff, 1, 0.5).count(), 2000);
  EXPECT_EQ(retryDelay(backoff, 2, 0.5).count(), 4000);
  EXPECT_EQ(retryDelay(backoff, 5, 0.5).count(), 32000);
  EXPECT_EQ(retryDelay(backoff, 6, 0.5).count(), 60000);
  EXPECT_EQ(retryDelay(backoff, 1000, 0.5).count(), 60000);
  EXPECT_EQ(retryDelay(backoff, 1, 0.0).count(), 1500);
  EXPECT_EQ(retryDelay(backoff, 1, 1.0).count(), 2500);
  EXPECT_EQ(retryDelay(backoff, 0, 0.5).count(), 2000);
  EXPECT_TRUE(isRetryable(core::ErrorCode::Network));
  EXPECT_FALSE(isRetryable(core::ErrorCode::Integrity));
  EXPECT_FALSE(isRetryable(core::ErrorCode::Input));
  EXPECT_NE(defaultWorkerName(3).find(":" + std::to_string(::getpid()) + ":3"), std::string::npos);
}

TEST_F(Worker, PushEnqueueScanStoresTheResult) {
  const std::string digest = registry_.push(*images, "amd64", "test/app:1.0");
  ASSERT_TRUE(digest.starts_with("sha256:")) << digest;
  const auto id = enqueue(scanRequest("test/app", digest, "1.0"));

  int saved = 0;
  auto o = options();
  o.after_save = [&](const SavedScan& scan) {
    ++saved;
    EXPECT_EQ(scan.job.id, id);
    EXPECT_EQ(scan.report.findings.size(), scan.result.findings.size());
    EXPECT_TRUE(scan.changes.empty());  // the digest's first result
  };
  ScanWorker worker(*store_, o);
  const auto outcome = runOnce(worker, now_);
  EXPECT_EQ(outcome.kind, JobOutcome::Kind::Done) << outcome.error;
  EXPECT_EQ(outcome.job_id, id);
  EXPECT_EQ(outcome.findings, 4);
  EXPECT_EQ(saved, 1);
  EXPECT_EQ(job(id).state, store::JobState::Done);
  EXPECT_EQ(job(id).worker, "test:1:0");

  auto metadata = store_->resultMetadata(digest);
  ASSERT_TRUE(metadata && *metadata);
  const auto& m = **metadata;
  EXPECT_FALSE(m.db_build_id.empty());
  EXPECT_EQ(m.bulwark_version, "0.0-test");
  EXPECT_EQ(m.os, "debian 12");
  EXPECT_EQ(m.platform, "linux/amd64");
  EXPECT_EQ(m.package_count, 5);
  EXPECT_EQ(m.scanned_at, now_);
  EXPECT_GE(m.evaluated_at, now_);
  auto findings = store_->findings({.digest = digest, .limit = 100});
  ASSERT_TRUE(findings);
  EXPECT_EQ(findings->total, 4);
  std::set<std::string> ids;
  for (const auto& f : findings->findings) ids.insert(f.vulnerability_id);
  EXPECT_EQ(ids, (std::set<std::string>{"CVE-2010-4756", "CVE-2023-5678", "CVE-2024-0727",
                                        "CVE-2024-2961"}));
  auto inventory = store_->inventory(digest);
  ASSERT_TRUE(inventory && *inventory);
  auto decoded = decodeInventory(**inventory);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->target.manifest_digest, digest);
  EXPECT_EQ(decoded->target.repo_tags,
            (std::vector<std::string>{registry_.host() + "/test/app:1.0"}));
  EXPECT_EQ(decoded->target.layers.size(), 3U);
  auto tagged = store_->findTag("local", "test/app", "1.0");
  ASSERT_TRUE(tagged && *tagged);
  EXPECT_TRUE((*tagged)->scan.has_value());
  EXPECT_EQ((*tagged)->counts.total(), 4);

  auto none = worker.runOnce(now_);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST_F(Worker, AnIndexBecomesOneJobPerPlatform) {
  const std::string index = registry_.push(*images, "multi", "test/multi:latest", true);
  ASSERT_TRUE(index.starts_with("sha256:")) << index;
  const auto id = enqueue(scanRequest("test/multi", index, "latest"));
  ScanWorker worker(*store_, options());
  const auto expanded = runOnce(worker, now_);
  EXPECT_EQ(expanded.kind, JobOutcome::Kind::Done) << expanded.error;
  EXPECT_EQ(expanded.job_id, id);
  ASSERT_EQ(expanded.children.size(), 2U);
  auto index_result = store_->resultMetadata(index);
  ASSERT_TRUE(index_result);
  EXPECT_FALSE(index_result->has_value()) << "an index has no result of its own";

  std::set<std::string> platforms;
  for (int i = 0; i < 2; ++i) {
    const auto outcome = runOnce(worker, now_);
    EXPECT_EQ(outcome.kind, JobOutcome::Kind::Done) << outcome.error;
    const auto child = job(outcome.job_id);
    EXPECT_EQ(child.request.tag, "latest");
    EXPECT_EQ(child.request.parent_digest, index);
    EXPECT_EQ(child.request.parent_job_id, id);
    auto metadata = store_->resultMetadata(child.request.digest);
    ASSERT_TRUE(metadata && *metadata);
    EXPECT_EQ((*metadata)->platform, child.request.platform);
    platforms.insert((*metadata)->platform);
    EXPECT_EQ(outcome.findings, 4);
  }
  EXPECT_EQ(platforms, (std::set<std::string>{"linux/amd64", "linux/arm64/v8"}));
  auto listed = store_->listImages("local", "test/multi");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 3U);  // the index and its two platforms
}

TEST_F(Worker, AnUnreachableRegistryRetriesWithBackoffThenDeadLetters) {
  store::Registry down;
  down.name = "down";
  down.url = "http://127.0.0.1:" + std::to_string(testing::freePort());
  down.insecure = true;
  ASSERT_TRUE(store_->addRegistry(down));
  auto request = scanRequest("test/app", "sha256:" + std::string(64, 'd'), "1.0");
  request.registry = "down";
  request.max_attempts = 3;
  const auto id = enqueue(request);

  ScanWorker worker(*store_, options());
  store::Millis now = now_;
  std::vector<store::Millis> delays;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    const auto outcome = runOnce(worker, now);
    EXPECT_EQ(outcome.job_id, id);
    EXPECT_NE(outcome.error.find("127.0.0.1"), std::string::npos) << outcome.error;
    if (attempt < 3) {
      ASSERT_EQ(outcome.kind, JobOutcome::Kind::Retry) << outcome.error;
      ASSERT_TRUE(outcome.retry_at);
      delays.push_back(*outcome.retry_at - now);
      // Not claimable before its time.
      auto early = worker.runOnce(*outcome.retry_at - 1);
      ASSERT_TRUE(early);
      EXPECT_FALSE(early->has_value());
      EXPECT_EQ(job(id).state, store::JobState::Queued);
      now = *outcome.retry_at;
    } else {
      EXPECT_EQ(outcome.kind, JobOutcome::Kind::Dead);
      EXPECT_FALSE(outcome.retry_at);
    }
  }
  ASSERT_EQ(delays.size(), 2U);
  EXPECT_GE(delays[0], 1000);
  EXPECT_LT(delays[0], 2000);
  EXPECT_GE(delays[1], 2000);  // doubled
  EXPECT_LT(delays[1], 3000);
  const auto dead = job(id);
  EXPECT_EQ(dead.state, store::JobState::Dead);
  EXPECT_EQ(dead.attempts, 3);
  EXPECT_NE(dead.last_error.find("127.0.0.1"), std::string::npos) << dead.last_error;
}

TEST_F(Worker, AnUnknownRegistryOrACorruptImageFailsForGood) {
  auto unknown = scanRequest("test/app", "sha256:" + std::string(64, 'e'), "");
  unknown.registry = "nope";
  const auto unknown_id = enqueue(unknown);
  ScanWorker worker(*store_, options());
  auto outcome = runOnce(worker, now_);
  EXPECT_EQ(outcome.job_id, unknown_id);
  EXPECT_EQ(outcome.kind, JobOutcome::Kind::Dead);
  EXPECT_EQ(job(unknown_id).last_error, "registry 'nope' is not known");
  EXPECT_EQ(job(unknown_id).attempts, 1);

  // A layer whose bytes in the registry no longer match its digest.
  const std::string digest = registry_.push(*images, "amd64", "test/corrupt:1");
  auto manifest = nlohmann::json::parse(
      bulwark::testing::readFile(images->layout / "blobs" / "sha256" / digest.substr(7)));
  const std::string layer = manifest["layers"][0]["digest"];
  const fs::path blob = registry_.blobFile(layer);
  ASSERT_TRUE(fs::exists(blob)) << blob;
  std::string bytes = bulwark::testing::readFile(blob);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x20);
  testing::writeFile(blob, bytes);
  const auto corrupt_id = enqueue(scanRequest("test/corrupt", digest, "1"));
  outcome = runOnce(worker, now_);
  EXPECT_EQ(outcome.job_id, corrupt_id);
  EXPECT_EQ(outcome.kind, JobOutcome::Kind::Dead) << outcome.error;
  const auto failed = job(corrupt_id);
  EXPECT_EQ(failed.state, store::JobState::Dead);
  EXPECT_EQ(failed.attempts, 1);
  EXPECT_NE(failed.last_error.find(layer), std::string::npos) << failed.last_error;
  auto metadata = store_->resultMetadata(digest);
  ASSERT_TRUE(metadata);
  EXPECT_FALSE(metadata->has_value());
}

TEST_F(Worker, TwoWorkersNeverRunTheSameJob) {
  const std::string digest = registry_.push(*images, "amd64", "test/shared:1");
  constexpr int kJobs = 8;
  std::set<std::int64_t> ids;
  for (int i = 0; i < kJobs; ++i) {
    const std::string repository = "test/app" + std::to_string(i);
    registry_.push(*images, "amd64", repository + ":1");
    ids.insert(enqueue(scanRequest(repository, digest, "1")));
  }
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kJobs));

  std::mutex mutex;
  std::multiset<std::int64_t> done;
  std::map<std::string, int> per_worker;
  const auto work = [&](const std::string& name) {
    ScanWorker worker(*store_, options(name));
    for (;;) {
      auto outcome = worker.runOnce(store::nowMillis());
      ASSERT_TRUE(outcome) << outcome.error().message;
      if (!*outcome) return;
      std::lock_guard lock(mutex);
      EXPECT_EQ((*outcome)->kind, JobOutcome::Kind::Done) << (*outcome)->error;
      done.insert((*outcome)->job_id);
      ++per_worker[name];
    }
  };
  std::thread first(work, "host:1:0");
  std::thread second(work, "host:1:1");
  first.join();
  second.join();
  EXPECT_EQ(done.size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(std::set<std::int64_t>(done.begin(), done.end()), ids) << "a job ran twice";
  for (const auto id : ids) {
    EXPECT_EQ(job(id).state, store::JobState::Done);
    EXPECT_EQ(job(id).attempts, 1);
  }
  EXPECT_EQ(per_worker.size(), 2U) << "one worker took every job (possible, but unlikely)";
}

TEST_F(Worker, QuarantinedImagesArePromotedOnlyWhenThePolicyPasses) {
  const std::string digest = registry_.push(*images, "amd64", "quarantine/app:1.0");
  auto o = options();
  o.quarantine.emplace();
  o.quarantine->mappings = {{"local", "quarantine/*", "release/*"}};
  {
    // Every severity counts: the four findings keep it in quarantine.
    ScanWorker strict(*store_, o);
    enqueue(scanRequest("quarantine/app", digest, "1.0"));
    const auto outcome = runOnce(strict, now_);
    EXPECT_EQ(outcome.kind, JobOutcome::Kind::Done) << outcome.error;
    EXPECT_FALSE(outcome.promote_job);
    auto decisions = store_->decisions(digest);
    ASSERT_TRUE(decisions);
    ASSERT_EQ(decisions->size(), 1U);
    EXPECT_FALSE(decisions->front().promoted);
    EXPECT_EQ(decisions->front().target_repository, "release/app");
    EXPECT_TRUE(decisions->front().reason.starts_with(
        "4 findings fail the policy: CVE-2024-2961 (HIGH, libc6 2.36-9+deb12u4)"))
        << decisions->front().reason;
  }
  // Only CRITICAL counts: promoted.
  o.quarantine->policy.severities = {model::Severity::Critical};
  ScanWorker lenient(*store_, o);
  enqueue(scanRequest("quarantine/app", digest, "1.0"));
  const auto scanned = runOnce(lenient, now_ + 1);
  EXPECT_EQ(scanned.kind, JobOutcome::Kind::Done) << scanned.error;
  ASSERT_TRUE(scanned.promote_job);
  const auto promoted = runOnce(lenient, store::nowMillis() + 1000);
  EXPECT_EQ(promoted.job_id, *scanned.promote_job);
  EXPECT_EQ(promoted.job_kind, store::JobKind::Promote);
  EXPECT_EQ(promoted.kind, JobOutcome::Kind::Done) << promoted.error;
  auto decisions = store_->decisions(digest);
  ASSERT_TRUE(decisions);
  ASSERT_EQ(decisions->size(), 3U);
  EXPECT_TRUE(decisions->front().promoted);
  EXPECT_TRUE(decisions->front().reason.starts_with("promoted to release/app:1.0"))
      << decisions->front().reason;

  // The registry now serves the same manifest under release/app:1.0.
  auto client = image::registry::RegistryClient::create(
      registry_.host(), registryOptions(*store_->findRegistry("local").value(), {}).value());
  ASSERT_TRUE(client) << client.error().message;
  auto manifest = (*client)->fetchManifest("release/app", "1.0");
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(manifest->digest, digest);
  auto released = store_->findTag("local", "release/app", "1.0");
  ASSERT_TRUE(released && *released);
  EXPECT_EQ((*released)->digest, digest);
}

TEST_F(Worker, AnIndexWhosePlatformsAllPassIsPromotedWhole) {
  const std::string index = registry_.push(*images, "multi", "quarantine/multi:1.0", true);
  ASSERT_TRUE(index.starts_with("sha256:")) << index;
  auto o = options();
  o.quarantine.emplace();
  o.quarantine->mappings = {{"local", "quarantine/*", "release/*"}};
  o.quarantine->policy.severities = {model::Severity::Critical};  // both platforms pass
  ScanWorker worker(*store_, o);
  const auto id = enqueue(scanRequest("quarantine/multi", index, "1.0"));
  const auto expanded = runOnce(worker, now_);
  ASSERT_EQ(expanded.children.size(), 2U);

  // The first platform: judged, recorded, waiting for the other.
  const auto first = runOnce(worker, now_);
  EXPECT_EQ(first.kind, JobOutcome::Kind::Done) << first.error;
  EXPECT_FALSE(first.promote_job);
  const auto first_job = job(first.job_id);
  auto child_decisions = store_->decisions(first_job.request.digest);
  ASSERT_TRUE(child_decisions);
  ASSERT_EQ(child_decisions->size(), 1U);
  EXPECT_FALSE(child_decisions->front().promoted);
  EXPECT_NE(child_decisions->front().reason.find("one platform of index " + index),
            std::string::npos)
      << child_decisions->front().reason;
  auto index_decisions = store_->decisions(index);
  ASSERT_TRUE(index_decisions);
  EXPECT_TRUE(index_decisions->empty()) << "judged before its last platform was scanned";

  // The last platform decides: one Promote job for the index, with the pushed tag.
  const auto last = runOnce(worker, now_);
  EXPECT_EQ(last.kind, JobOutcome::Kind::Done) << last.error;
  ASSERT_TRUE(last.promote_job);
  const auto promote_job = job(*last.promote_job);
  EXPECT_EQ(promote_job.request.kind, store::JobKind::Promote);
  EXPECT_EQ(promote_job.request.digest, index);
  EXPECT_EQ(promote_job.request.tag, "1.0");
  EXPECT_EQ(promote_job.request.target_repository, "release/multi");
  EXPECT_EQ(promote_job.request.parent_job_id, id);
  index_decisions = store_->decisions(index);
  ASSERT_TRUE(index_decisions);
  ASSERT_EQ(index_decisions->size(), 1U);
  EXPECT_TRUE(index_decisions->front().promoted);
  EXPECT_TRUE(index_decisions->front().reason.starts_with(
      "all 2 platforms pass the policy (linux/amd64, linux/arm64/v8); promotion of the index to "
      "release/multi queued"))
      << index_decisions->front().reason;

  const auto promoted = runOnce(worker, store::nowMillis());
  EXPECT_EQ(promoted.job_id, *last.promote_job);
  EXPECT_EQ(promoted.kind, JobOutcome::Kind::Done) << promoted.error;
  EXPECT_FALSE(worker.runOnce(store::nowMillis()).value().has_value()) << "nothing else to do";
  index_decisions = store_->decisions(index);
  ASSERT_TRUE(index_decisions);
  ASSERT_EQ(index_decisions->size(), 2U);
  EXPECT_TRUE(index_decisions->front().reason.starts_with("promoted to release/multi:1.0"))
      << index_decisions->front().reason;

  // The release repository has the index by digest and by tag, and both platforms.
  auto client = image::registry::RegistryClient::create(
      registry_.host(), registryOptions(*store_->findRegistry("local").value(), {}).value());
  ASSERT_TRUE(client) << client.error().message;
  auto by_tag = (*client)->fetchManifest("release/multi", "1.0");
  ASSERT_TRUE(by_tag) << by_tag.error().message;
  EXPECT_EQ(by_tag->digest, index);
  auto by_digest = (*client)->fetchManifest("release/multi", index);
  ASSERT_TRUE(by_digest) << by_digest.error().message;
  for (const auto child : expanded.children) {
    const std::string digest = job(child).request.digest;
    auto manifest = (*client)->fetchManifest("release/multi", digest);
    EXPECT_TRUE(manifest) << digest << ": " << manifest.error().message;
  }
  auto released = store_->findTag("local", "release/multi", "1.0");
  ASSERT_TRUE(released && *released);
  EXPECT_EQ((*released)->digest, index);
}

TEST_F(Worker, AnIndexWithAFailingPlatformStaysInQuarantine) {
  // amd64 has four findings, the bare arm64 none: every severity counts, so amd64 fails.
  const std::string index = registry_.push(*images, "mixed", "quarantine/mixed:2.0", true);
  ASSERT_TRUE(index.starts_with("sha256:")) << index;
  auto o = options();
  o.quarantine.emplace();
  o.quarantine->mappings = {{"local", "quarantine/*", "release/*"}};
  ScanWorker worker(*store_, o);
  enqueue(scanRequest("quarantine/mixed", index, "2.0"));
  ASSERT_EQ(runOnce(worker, now_).children.size(), 2U);
  for (int i = 0; i < 2; ++i) {
    const auto outcome = runOnce(worker, now_);
    EXPECT_EQ(outcome.kind, JobOutcome::Kind::Done) << outcome.error;
    EXPECT_FALSE(outcome.promote_job);
  }
  EXPECT_FALSE(worker.runOnce(store::nowMillis()).value().has_value()) << "no Promote job";
  auto decisions = store_->decisions(index);
  ASSERT_TRUE(decisions);
  ASSERT_EQ(decisions->size(), 1U);
  const auto& decision = decisions->front();
  EXPECT_FALSE(decision.promoted);
  EXPECT_EQ(decision.target_repository, "release/mixed");
  EXPECT_EQ(decision.tag, "2.0");
  EXPECT_TRUE(decision.reason.starts_with(
      "1 of 2 platforms fails the policy: linux/amd64: 4 findings fail the policy: "
      "CVE-2024-2961 (HIGH, libc6 2.36-9+deb12u4)"))
      << decision.reason;
  EXPECT_EQ(decision.reason.find("linux/arm64"), std::string::npos) << decision.reason;
  store::JobFilter promotes;
  promotes.digest = index;
  auto jobs = store_->listJobs(promotes);
  ASSERT_TRUE(jobs);
  for (const auto& j : *jobs) EXPECT_EQ(j.request.kind, store::JobKind::Scan);

  // Nothing reached the release repository.
  auto client = image::registry::RegistryClient::create(
      registry_.host(), registryOptions(*store_->findRegistry("local").value(), {}).value());
  ASSERT_TRUE(client) << client.error().message;
  EXPECT_FALSE((*client)->fetchManifest("release/mixed", "2.0"));
}

TEST_F(Worker, APlatformWhoseScanDiesKeepsItsIndexInQuarantine) {
  auto o = options();
  o.quarantine.emplace();
  o.quarantine->mappings = {{"", "quarantine/*", "release/*"}};
  ScanWorker worker(*store_, o);
  const std::string index = "sha256:" + std::string(64, 'a');
  auto child = scanRequest("quarantine/gone", "sha256:" + std::string(64, 'b'), "4.0");
  child.registry = "unregistered";
  child.platform = "linux/arm64";
  child.parent_digest = index;
  child.parent_job_id = 99;
  enqueue(child);
  const auto outcome = runOnce(worker, now_);
  EXPECT_EQ(outcome.kind, JobOutcome::Kind::Dead);
  auto decisions = store_->decisions(index);
  ASSERT_TRUE(decisions);
  ASSERT_EQ(decisions->size(), 1U);
  EXPECT_FALSE(decisions->front().promoted);
  EXPECT_EQ(decisions->front().target_repository, "release/gone");
  EXPECT_EQ(decisions->front().reason,
            "platform linux/arm64 (sha256:" + std::string(64, 'b') +
                ") could not be scanned: registry 'unregistered' is not known");
}

TEST_F(Worker, TwoWorkersFinishingTheLastTwoPlatformsPromoteTheIndexOnce) {
  const std::string index = registry_.push(*images, "multi", "quarantine/race:3.0", true);
  ASSERT_TRUE(index.starts_with("sha256:")) << index;
  auto o = options();
  o.quarantine.emplace();
  o.quarantine->mappings = {{"local", "quarantine/*", "release/*"}};
  o.quarantine->policy.severities = {model::Severity::Critical};
  {
    ScanWorker expander(*store_, o);
    enqueue(scanRequest("quarantine/race", index, "3.0"));
    ASSERT_EQ(runOnce(expander, now_).children.size(), 2U);
  }
  // The worst case: both workers save their platform's result before either judges the index,
  // so both see every platform scanned; the first enqueues the promotion, which runs to the end
  // before the second judges (no queued or running Promote job is left to deduplicate against).
  std::mutex mutex;
  std::condition_variable cv;
  int saved = 0;
  bool promoted_done = false;
  const auto wait_for = [&](const std::function<bool()>& ready) {
    std::unique_lock lock(mutex);
    ++saved;
    cv.notify_all();
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), ready));
  };
  std::vector<JobOutcome> outcomes(2);
  const auto work = [&](int n) {
    auto own = o;
    own.name = "race:" + std::to_string(n);
    own.after_save = [&, n](const SavedScan&) {
      if (n == 0) {
        wait_for([&] { return saved == 2; });
      } else {
        wait_for([&] { return promoted_done; });
      }
    };
    ScanWorker racer(*store_, own);
    auto outcome = racer.runOnce(store::nowMillis());
    ASSERT_TRUE(outcome && *outcome);
    outcomes[static_cast<std::size_t>(n)] = **outcome;
  };
  std::thread first(work, 0);
  {
    std::unique_lock lock(mutex);  // the first holds a platform before the second claims
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return saved >= 1; }));
  }
  std::thread second(work, 1);
  first.join();
  EXPECT_EQ(outcomes[0].kind, JobOutcome::Kind::Done) << outcomes[0].error;
  EXPECT_TRUE(outcomes[0].promote_job) << "the first to judge enqueues the promotion";

  auto promoter_options = options();
  promoter_options.quarantine = o.quarantine;
  ScanWorker promoter(*store_, promoter_options);
  const auto promoted = runOnce(promoter, store::nowMillis());
  EXPECT_EQ(promoted.job_kind, store::JobKind::Promote);
  EXPECT_EQ(promoted.kind, JobOutcome::Kind::Done) << promoted.error;
  {
    std::lock_guard lock(mutex);
    promoted_done = true;
  }
  cv.notify_all();
  second.join();
  EXPECT_EQ(saved, 2);
  EXPECT_EQ(outcomes[1].kind, JobOutcome::Kind::Done) << outcomes[1].error;
  EXPECT_FALSE(outcomes[1].promote_job) << "the index was promoted twice";

  store::JobFilter by_index;
  by_index.digest = index;
  auto jobs = store_->listJobs(by_index);
  ASSERT_TRUE(jobs);
  int promotes = 0;
  for (const auto& j : *jobs) promotes += j.request.kind == store::JobKind::Promote ? 1 : 0;
  EXPECT_EQ(promotes, 1);
  EXPECT_FALSE(promoter.runOnce(store::nowMillis()).value().has_value()) << "nothing left";
  auto decisions = store_->decisions(index);
  ASSERT_TRUE(decisions);
  ASSERT_EQ(decisions->size(), 2U);  // queued, then promoted
  EXPECT_TRUE(decisions->front().reason.starts_with("promoted to release/race:3.0"))
      << decisions->front().reason;
  auto released = store_->findTag("local", "release/race", "3.0");
  ASSERT_TRUE(released && *released);
  EXPECT_EQ((*released)->digest, index);
}

TEST_F(Worker, AnEnqueueWakesAnIdleWorkerAtOnce) {
  const std::string digest = registry_.push(*images, "amd64", "test/wake:1");
  auto o = options();
  o.idle_poll = std::chrono::minutes(10);  // only the wake-up can make it look again
  o.wake = std::make_shared<WakeSignal>();
  std::mutex mutex;
  std::condition_variable saved_cv;
  bool saved = false;
  o.after_save = [&](const SavedScan&) {
    std::lock_guard lock(mutex);
    saved = true;
    saved_cv.notify_all();
  };
  ScanWorker worker(*store_, o);
  std::jthread thread([&](const std::stop_token& stop) { worker.run(stop); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // idle by now
  const auto id = enqueue(scanRequest("test/wake", digest, "1"));
  o.wake->notify();
  {
    std::unique_lock lock(mutex);
    EXPECT_TRUE(saved_cv.wait_for(lock, std::chrono::seconds(60), [&] { return saved; }));
  }
  thread.request_stop();
  thread.join();  // the stop also ends the idle wait at once
  EXPECT_EQ(job(id).state, store::JobState::Done);
}

// A "registry" that accepts connections and never answers, for as long as it lives.
class SilentServer {
 public:
  SilentServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    listen(fd_, 16);
    socklen_t length = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~SilentServer() { close(fd_); }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  [[nodiscard]] int port() const { return port_; }

 private:
  int fd_ = -1;  // the kernel completes handshakes into the backlog; nobody reads
  int port_ = 0;
};

TEST_F(Worker, AGracefulStopReleasesAJobStuckOnAHangingRegistry) {
  SilentServer silent;
  store::Registry hanging;
  hanging.name = "hanging";
  hanging.url = "http://127.0.0.1:" + std::to_string(silent.port());
  hanging.insecure = true;
  ASSERT_TRUE(store_->addRegistry(hanging));
  auto request = scanRequest("test/app", "sha256:" + std::string(64, 'f'), "1.0");
  request.registry = "hanging";
  const auto id = enqueue(request);

  auto o = options();
  o.stop_deadline = std::chrono::milliseconds(300);
  std::atomic<int> asked{0};
  o.credentials = [&](const store::Registry& registry) {
    ++asked;
    auto access = registryOptions(registry, {}).value();
    access.connect_timeout = std::chrono::seconds(3);
    access.stall_timeout = std::chrono::seconds(3);
    return core::Result<image::registry::RegistryOptions>(access);
  };
  ScanWorker worker(*store_, o);
  std::jthread thread([&](const std::stop_token& stop) { worker.run(stop); });
  for (int i = 0; i < 200 && job(id).state != store::JobState::Running; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(job(id).state, store::JobState::Running);
  thread.request_stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  // Past the deadline the job is back in the queue, its attempt not counted, while the worker
  // still waits for the registry.
  const auto released = job(id);
  EXPECT_EQ(released.state, store::JobState::Queued);
  EXPECT_EQ(released.attempts, 0);
  thread.join();  // the registry's timeouts end the attempt; its outcome is dropped
  EXPECT_EQ(job(id).state, store::JobState::Queued);
  EXPECT_EQ(asked.load(), 1);
}

}  // namespace
}  // namespace bulwark::pipeline::service
