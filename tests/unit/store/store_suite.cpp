// The Store contract (store.h), checked on any backend: see store_suite.h.
#include "unit/store/store_suite.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

using bulwark::core::ErrorCode;
using bulwark::model::Severity;
using namespace bulwark::store;  // NOLINT(google-build-using-namespace): the suite's subject

template <class T>
ErrorCode errorOf(const bulwark::core::Result<T>& result) {
  EXPECT_FALSE(result.has_value());
  return result ? ErrorCode::Internal : result.error().code;
}

// Runs work(0) and work(1) at the same time, each on its own thread.
template <class Work>
void onTwoThreads(Work& work) {
  std::thread first(work, 0);
  std::thread second(work, 1);
  first.join();
  second.join();
}

constexpr Millis kT0 = 1'700'000'000'000;  // a fixed "now" for the job tests

JobRequest scanRequest(const std::string& digest, const std::string& repository = "library/app",
                       int max_attempts = 5) {
  JobRequest request;
  request.kind = JobKind::Scan;
  request.registry = "local";
  request.repository = repository;
  request.digest = digest;
  request.tag = "latest";
  request.source = "webhook:distribution";
  request.max_attempts = max_attempts;
  return request;
}

FindingRecord finding(const std::string& id, const std::string& package, Severity severity,
                      const std::string& fixed = "", const std::string& version = "1.0") {
  FindingRecord record;
  record.vulnerability_id = id;
  record.package_name = package;
  record.installed_version = version;
  record.fixed_version = fixed;
  record.severity = severity;
  record.detail_json = R"({"id":")" + id + R"(","package":")" + package + R"("})";
  return record;
}

ScanResult result(const std::string& digest, std::vector<FindingRecord> findings, Millis at,
                  const std::string& db_build_id = "db-1") {
  ScanResult scan;
  scan.digest = digest;
  scan.inventory_json =
      R"({"packages":[{"name":"openssl","version":"3.0.11"}],"digest":")" + digest + R"("})";
  scan.findings = std::move(findings);
  scan.metadata.db_build_id = db_build_id;
  scan.metadata.bulwark_version = "0.5.0";
  scan.metadata.duration_ms = 1234;
  scan.metadata.scanned_at = at;
  scan.metadata.evaluated_at = at;
  scan.metadata.os = "debian 12";
  scan.metadata.platform = "linux/amd64";
  scan.metadata.package_count = 87;
  return scan;
}

std::vector<std::string> ids(const std::vector<FindingRecord>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.vulnerability_id + "/" + f.package_name);
  return out;
}

std::map<std::string, FindingRecord> byId(const std::vector<FindingRecord>& findings) {
  std::map<std::string, FindingRecord> out;
  for (const auto& f : findings) out[f.vulnerability_id + "/" + f.package_name] = f;
  return out;
}

SeverityCounts counts(std::int64_t critical, std::int64_t high, std::int64_t medium,
                      std::int64_t low, std::int64_t negligible, std::int64_t unknown) {
  SeverityCounts c;
  c.critical = critical;
  c.high = high;
  c.medium = medium;
  c.low = low;
  c.negligible = negligible;
  c.unknown = unknown;
  return c;
}

}  // namespace

void StoreSuite::SetUp() {
  auto opened = GetParam()();
  if (!opened && opened.error().message.rfind("skip: ", 0) == 0) {
    GTEST_SKIP() << opened.error().message;
  }
  ASSERT_TRUE(opened.has_value()) << opened.error().message;
  store_ = std::move(*opened);
}

// ---- basics -----------------------------------------------------------------------------------

TEST_P(StoreSuite, SchemaVersionPingAndBackend) {
  EXPECT_EQ(MUST(store().schemaVersion()), kSchemaVersion);
  EXPECT_TRUE(store().ping().has_value());
  EXPECT_TRUE(store().backend() == "sqlite" || store().backend() == "postgres");
}

// ---- tokens -------------------------------------------------------------------------------------

TEST_P(StoreSuite, TokensCreateFindListRevoke) {
  const Millis before = nowMillis();
  Token admin = MUST(store().createToken("ci", Role::Admin, "aa11", std::nullopt));
  Token reader = MUST(store().createToken("dash", Role::Reader, "bb22", kT0 + 5000));
  EXPECT_GT(admin.id, 0);
  EXPECT_NE(admin.id, reader.id);
  EXPECT_GE(admin.created_at, before);
  EXPECT_FALSE(admin.revoked);

  auto found = MUST(store().findToken("bb22"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, reader.id);
  EXPECT_EQ(found->name, "dash");
  EXPECT_EQ(found->role, Role::Reader);
  EXPECT_EQ(found->secret_hash, "bb22");
  EXPECT_EQ(found->expires_at, std::optional<Millis>(kT0 + 5000));
  EXPECT_EQ(found->created_at, reader.created_at);
  EXPECT_FALSE(MUST(store().findToken("cc33")).has_value());

  // The secret hash is unique.
  EXPECT_EQ(errorOf(store().createToken("again", Role::Ingest, "aa11", std::nullopt)),
            ErrorCode::Input);

  auto listed = MUST(store().listTokens());
  ASSERT_EQ(listed.size(), 2U);
  EXPECT_EQ(listed[0].id, admin.id);
  EXPECT_EQ(listed[1].id, reader.id);
  EXPECT_FALSE(listed[0].expires_at.has_value());

  MUST(store().revokeToken(admin.id));
  EXPECT_TRUE(MUST(store().findToken("aa11"))->revoked);
  EXPECT_FALSE(MUST(store().findToken("bb22"))->revoked);
  EXPECT_EQ(errorOf(store().revokeToken(admin.id + reader.id + 100)), ErrorCode::NotFound);
}

// ---- registries ---------------------------------------------------------------------------------

TEST_P(StoreSuite, RegistriesAddFindListRemove) {
  Registry harbor;
  harbor.name = "harbor-prod";
  harbor.url = "https://harbor.example.com:8443";
  harbor.username = "robot$scanner";
  harbor.password_sealed = "sealed:abc";
  harbor.insecure = true;
  harbor.ca_file = "/etc/ssl/harbor.pem";
  harbor.poll_interval_s = 300;
  harbor.created_at = kT0;
  Registry added = MUST(store().addRegistry(harbor));
  EXPECT_GT(added.id, 0);

  Registry local;
  local.name = "local";
  local.url = "http://127.0.0.1:5000";
  const Millis before = nowMillis();
  Registry added_local = MUST(store().addRegistry(local));
  EXPECT_GE(added_local.created_at, before);  // 0 means "now"

  auto found = MUST(store().findRegistry("harbor-prod"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, added.id);
  EXPECT_EQ(found->url, harbor.url);
  EXPECT_EQ(found->username, harbor.username);
  EXPECT_EQ(found->password_sealed, harbor.password_sealed);
  EXPECT_TRUE(found->insecure);
  EXPECT_EQ(found->ca_file, harbor.ca_file);
  EXPECT_EQ(found->poll_interval_s, 300);
  EXPECT_EQ(found->created_at, kT0);
  EXPECT_FALSE(found->last_polled_at.has_value());
  EXPECT_FALSE(MUST(store().findRegistry("nope")).has_value());

  EXPECT_EQ(errorOf(store().addRegistry(harbor)), ErrorCode::Input);  // name taken

  auto listed = MUST(store().listRegistries());
  ASSERT_EQ(listed.size(), 2U);
  EXPECT_EQ(listed[0].name, "harbor-prod");
  EXPECT_EQ(listed[1].name, "local");

  MUST(store().markPolled("local", kT0 + 7));
  EXPECT_EQ(MUST(store().findRegistry("local"))->last_polled_at, std::optional<Millis>(kT0 + 7));
  EXPECT_EQ(errorOf(store().markPolled("nope", kT0)), ErrorCode::NotFound);

  MUST(store().removeRegistry("harbor-prod"));
  EXPECT_FALSE(MUST(store().findRegistry("harbor-prod")).has_value());
  EXPECT_EQ(errorOf(store().removeRegistry("harbor-prod")), ErrorCode::NotFound);
  EXPECT_EQ(MUST(store().listRegistries()).size(), 1U);
  // The name is free again.
  EXPECT_TRUE(store().addRegistry(harbor).has_value());
}

// ---- jobs ---------------------------------------------------------------------------------------

TEST_P(StoreSuite, EnqueueDeduplicatesQueuedAndRunningJobs) {
  EnqueueResult first = MUST(store().enqueue(scanRequest("sha256:a1"), kT0));
  EXPECT_TRUE(first.created);
  EnqueueResult again = MUST(store().enqueue(scanRequest("sha256:a1"), kT0 + 1));
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.job_id, first.job_id);

  // Another digest, repository, kind or promotion target is another job.
  EXPECT_TRUE(MUST(store().enqueue(scanRequest("sha256:b2"), kT0)).created);
  EXPECT_TRUE(MUST(store().enqueue(scanRequest("sha256:a1", "other/app"), kT0)).created);
  JobRequest promote = scanRequest("sha256:a1");
  promote.kind = JobKind::Promote;
  promote.target_repository = "release/app";
  EnqueueResult promoted = MUST(store().enqueue(promote, kT0));
  EXPECT_TRUE(promoted.created);
  promote.target_repository = "release/other";
  EXPECT_TRUE(MUST(store().enqueue(promote, kT0)).created);

  // Still deduplicated while running.
  auto claimed = MUST(store().claimJob("w1", kT0 + 10, 60'000));
  ASSERT_TRUE(claimed.has_value());
  EXPECT_EQ(claimed->id, first.job_id);
  EnqueueResult while_running = MUST(store().enqueue(scanRequest("sha256:a1"), kT0 + 11));
  EXPECT_FALSE(while_running.created);
  EXPECT_EQ(while_running.job_id, first.job_id);

  // Once done, a new push is a new job.
  MUST(store().completeJob(first.job_id, "w1", kT0 + 20));
  EnqueueResult after_done = MUST(store().enqueue(scanRequest("sha256:a1"), kT0 + 21));
  EXPECT_TRUE(after_done.created);
  EXPECT_NE(after_done.job_id, first.job_id);
}

TEST_P(StoreSuite, ClaimTakesTheOldestClaimableJobAndSetsTheLease) {
  EXPECT_FALSE(MUST(store().claimJob("w1", kT0, 1000)).has_value());  // empty queue

  JobRequest request = scanRequest("sha256:c1");
  request.platform = "linux/arm64";
  request.tag = "v1";
  const auto first = MUST(store().enqueue(request, kT0));
  const auto second = MUST(store().enqueue(scanRequest("sha256:c2"), kT0 + 1));

  auto job = MUST(store().claimJob("w1", kT0 + 5, 30'000));
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->id, first.job_id);
  EXPECT_EQ(job->state, JobState::Running);
  EXPECT_EQ(job->worker, "w1");
  EXPECT_EQ(job->attempts, 1);
  EXPECT_EQ(job->lease_expires, kT0 + 5 + 30'000);
  EXPECT_EQ(job->started_at, std::optional<Millis>(kT0 + 5));
  EXPECT_EQ(job->created_at, kT0);
  EXPECT_EQ(job->request.kind, JobKind::Scan);
  EXPECT_EQ(job->request.registry, "local");
  EXPECT_EQ(job->request.repository, "library/app");
  EXPECT_EQ(job->request.digest, "sha256:c1");
  EXPECT_EQ(job->request.tag, "v1");
  EXPECT_EQ(job->request.platform, "linux/arm64");
  EXPECT_EQ(job->request.source, "webhook:distribution");
  EXPECT_EQ(job->request.max_attempts, 5);

  auto stored = MUST(store().getJob(first.job_id));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->state, JobState::Running);
  EXPECT_EQ(stored->lease_expires, job->lease_expires);

  auto next = MUST(store().claimJob("w2", kT0 + 6, 30'000));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->id, second.job_id);
  EXPECT_FALSE(MUST(store().claimJob("w3", kT0 + 7, 30'000)).has_value());
  EXPECT_FALSE(MUST(store().getJob(second.job_id + 1000)).has_value());
}

TEST_P(StoreSuite, JobsAreNotClaimedBeforeRunAfter) {
  const auto id = MUST(store().enqueue(scanRequest("sha256:d1"), kT0)).job_id;
  MUST(store().claimJob("w1", kT0, 1000));
  MUST(store().failJob(id, "w1", "registry unreachable", kT0 + 10, kT0 + 5000));
  auto failed = MUST(store().getJob(id));
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->state, JobState::Queued);
  EXPECT_EQ(failed->run_after, kT0 + 5000);
  EXPECT_EQ(failed->last_error, "registry unreachable");
  EXPECT_EQ(failed->attempts, 1);

  EXPECT_FALSE(MUST(store().claimJob("w1", kT0 + 4999, 1000)).has_value());
  auto retried = MUST(store().claimJob("w1", kT0 + 5000, 1000));
  ASSERT_TRUE(retried.has_value());
  EXPECT_EQ(retried->id, id);
  EXPECT_EQ(retried->attempts, 2);
}

TEST_P(StoreSuite, FailedJobsGoDeadAtMaxAttempts) {
  const auto id = MUST(store().enqueue(scanRequest("sha256:e1", "library/app", 2), kT0)).job_id;
  MUST(store().claimJob("w1", kT0, 1000));
  MUST(store().failJob(id, "w1", "first", kT0 + 1, kT0 + 2));
  EXPECT_EQ(MUST(store().getJob(id))->state, JobState::Queued);
  MUST(store().claimJob("w1", kT0 + 3, 1000));
  MUST(store().failJob(id, "w1", "second", kT0 + 4, kT0 + 5));
  auto dead = MUST(store().getJob(id));
  ASSERT_TRUE(dead.has_value());
  EXPECT_EQ(dead->state, JobState::Dead);
  EXPECT_EQ(dead->attempts, 2);
  EXPECT_EQ(dead->last_error, "second");
  EXPECT_EQ(dead->finished_at, std::optional<Millis>(kT0 + 4));
  EXPECT_FALSE(MUST(store().claimJob("w1", kT0 + 100, 1000)).has_value());
  // A dead job does not block a new one for the same image.
  EXPECT_TRUE(MUST(store().enqueue(scanRequest("sha256:e1"), kT0 + 101)).created);
}

TEST_P(StoreSuite, PermanentFailureGoesDeadAtOnce) {
  const auto id = MUST(store().enqueue(scanRequest("sha256:f1"), kT0)).job_id;
  MUST(store().claimJob("w1", kT0, 1000));
  MUST(store().failJob(id, "w1", "manifest is not an image", kT0 + 1, std::nullopt));
  auto dead = MUST(store().getJob(id));
  EXPECT_EQ(dead->state, JobState::Dead);
  EXPECT_EQ(dead->attempts, 1);
  EXPECT_EQ(dead->last_error, "manifest is not an image");
}

TEST_P(StoreSuite, ExpiredLeaseIsReclaimedAndTheOldHolderLosesTheJob) {
  const auto id = MUST(store().enqueue(scanRequest("sha256:g1"), kT0)).job_id;
  ASSERT_TRUE(MUST(store().claimJob("w1", kT0, 1000)).has_value());
  EXPECT_FALSE(MUST(store().claimJob("w2", kT0 + 999, 1000)).has_value());   // lease holds
  EXPECT_FALSE(MUST(store().claimJob("w2", kT0 + 1000, 1000)).has_value());  // not yet passed
  auto reclaimed = MUST(store().claimJob("w2", kT0 + 1001, 1000));
  ASSERT_TRUE(reclaimed.has_value());
  EXPECT_EQ(reclaimed->id, id);
  EXPECT_EQ(reclaimed->worker, "w2");
  EXPECT_EQ(reclaimed->attempts, 2);

  EXPECT_FALSE(MUST(store().renewLease(id, "w1", kT0 + 1002, 1000)));
  EXPECT_EQ(errorOf(store().completeJob(id, "w1", kT0 + 1003)), ErrorCode::Input);
  EXPECT_EQ(errorOf(store().failJob(id, "w1", "x", kT0 + 1003, kT0 + 2000)), ErrorCode::Input);
  EXPECT_EQ(errorOf(store().releaseJob(id, "w1", kT0 + 1003)), ErrorCode::Input);
  MUST(store().completeJob(id, "w2", kT0 + 1004));
  auto done = MUST(store().getJob(id));
  EXPECT_EQ(done->state, JobState::Done);
  EXPECT_EQ(done->finished_at, std::optional<Millis>(kT0 + 1004));
  EXPECT_EQ(errorOf(store().completeJob(id, "w2", kT0 + 1005)), ErrorCode::Input);  // done
  EXPECT_EQ(errorOf(store().completeJob(id + 1000, "w2", kT0)), ErrorCode::NotFound);
}

TEST_P(StoreSuite, ExpiredLeaseAtMaxAttemptsIsDeadLettered) {
  const auto id = MUST(store().enqueue(scanRequest("sha256:h1", "library/app", 1), kT0)).job_id;
  ASSERT_TRUE(MUST(store().claimJob("w1", kT0, 1000)).has_value());
  EXPECT_FALSE(MUST(store().claimJob("w2", kT0 + 5000, 1000)).has_value());
  auto dead = MUST(store().getJob(id));
  EXPECT_EQ(dead->state, JobState::Dead);
  EXPECT_FALSE(dead->last_error.empty());
}

TEST_P(StoreSuite, RenewLeaseOnlyForTheHolder) {
  const auto id = MUST(store().enqueue(scanRequest("sha256:i1"), kT0)).job_id;
  MUST(store().claimJob("w1", kT0, 1000));
  EXPECT_TRUE(MUST(store().renewLease(id, "w1", kT0 + 900, 1000)));
  EXPECT_EQ(MUST(store().getJob(id))->lease_expires, kT0 + 1900);
  EXPECT_FALSE(MUST(store().claimJob("w2", kT0 + 1500, 1000)).has_value());  // renewed
  EXPECT_FALSE(MUST(store().renewLease(id, "w2", kT0 + 901, 1000)));
  EXPECT_FALSE(MUST(store().renewLease(id + 1000, "w1", kT0 + 901, 1000)));
  MUST(store().completeJob(id, "w1", kT0 + 950));
  EXPECT_FALSE(MUST(store().renewLease(id, "w1", kT0 + 960, 1000)));
}

TEST_P(StoreSuite, ReleaseReturnsTheJobUntouched) {
  const auto id = MUST(store().enqueue(scanRequest("sha256:j1"), kT0)).job_id;
  MUST(store().claimJob("w1", kT0, 60'000));
  MUST(store().releaseJob(id, "w1", kT0 + 10));
  auto released = MUST(store().getJob(id));
  EXPECT_EQ(released->state, JobState::Queued);
  EXPECT_EQ(released->attempts, 0);
  auto again = MUST(store().claimJob("w2", kT0 + 11, 60'000));  // at once, not after the lease
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->id, id);
  EXPECT_EQ(again->attempts, 1);
  EXPECT_EQ(errorOf(store().releaseJob(id + 1000, "w2", kT0)), ErrorCode::NotFound);
}

TEST_P(StoreSuite, ListAndCountJobs) {
  for (int i = 0; i < 5; ++i) {
    JobRequest request = scanRequest("sha256:k" + std::to_string(i));
    if (i == 4) request.registry = "harbor";
    MUST(store().enqueue(request, kT0 + i));
  }
  auto running = MUST(store().claimJob("w1", kT0 + 10, 1000));  // k0
  ASSERT_TRUE(running.has_value());
  auto dead = MUST(store().claimJob("w1", kT0 + 10, 1000));  // k1
  MUST(store().failJob(dead->id, "w1", "bad", kT0 + 11, std::nullopt));
  auto done = MUST(store().claimJob("w1", kT0 + 12, 1000));  // k2
  MUST(store().completeJob(done->id, "w1", kT0 + 13));

  JobFilter all;
  auto listed = MUST(store().listJobs(all));
  ASSERT_EQ(listed.size(), 5U);
  EXPECT_EQ(listed[0].request.digest, "sha256:k4");  // newest first
  EXPECT_EQ(listed[4].request.digest, "sha256:k0");

  JobFilter queued;
  queued.state = JobState::Queued;
  auto queued_jobs = MUST(store().listJobs(queued));
  ASSERT_EQ(queued_jobs.size(), 2U);
  EXPECT_EQ(queued_jobs[0].request.digest, "sha256:k4");
  EXPECT_EQ(queued_jobs[1].request.digest, "sha256:k3");

  JobFilter harbor;
  harbor.registry = "harbor";
  auto harbor_jobs = MUST(store().listJobs(harbor));
  ASSERT_EQ(harbor_jobs.size(), 1U);
  EXPECT_EQ(harbor_jobs[0].request.digest, "sha256:k4");

  JobFilter by_digest;
  by_digest.digest = "sha256:k1";
  auto digest_jobs = MUST(store().listJobs(by_digest));
  ASSERT_EQ(digest_jobs.size(), 1U);
  EXPECT_EQ(digest_jobs[0].state, JobState::Dead);

  JobFilter page;
  page.limit = 2;
  page.offset = 1;
  auto paged = MUST(store().listJobs(page));
  ASSERT_EQ(paged.size(), 2U);
  EXPECT_EQ(paged[0].request.digest, "sha256:k3");
  EXPECT_EQ(paged[1].request.digest, "sha256:k2");
  page.offset = 5;
  EXPECT_TRUE(MUST(store().listJobs(page)).empty());

  auto counted = MUST(store().countJobs());
  std::map<JobState, std::int64_t> by_state(counted.begin(), counted.end());
  EXPECT_EQ(counted.size(), 5U);  // every state, zeros included
  EXPECT_EQ(by_state[JobState::Queued], 2);
  EXPECT_EQ(by_state[JobState::Running], 1);
  EXPECT_EQ(by_state[JobState::Done], 1);
  EXPECT_EQ(by_state[JobState::Dead], 1);
  EXPECT_EQ(by_state[JobState::Failed], 0);
}

TEST_P(StoreSuite, ChildJobsKeepTheirParentAndAreEnqueuedOncePerParent) {
  // An index's Scan job enqueues one job per platform: each knows its index and parent job.
  const auto index = MUST(store().enqueue(scanRequest("sha256:ix"), kT0));
  JobRequest child = scanRequest("sha256:c1");
  child.platform = "linux/arm64";
  child.parent_digest = "sha256:ix";
  child.parent_job_id = index.job_id;
  const auto first = MUST(store().enqueue(child, kT0 + 1));
  EXPECT_TRUE(first.created);
  const auto stored = MUST(store().getJob(first.job_id));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->request.parent_digest, "sha256:ix");
  EXPECT_EQ(stored->request.parent_job_id, index.job_id);
  EXPECT_EQ(stored->request.platform, "linux/arm64");
  JobFilter by_digest;
  by_digest.digest = "sha256:c1";
  const auto listed = MUST(store().listJobs(by_digest));
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed[0].request.parent_digest, "sha256:ix");
  EXPECT_EQ(listed[0].request.parent_job_id, index.job_id);
  // Jobs without a parent read back as such.
  const auto plain = MUST(store().getJob(index.job_id));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->request.parent_digest, "");
  EXPECT_EQ(plain->request.parent_job_id, 0);

  // The index's Promote job: once per parent, even after it finished (two workers finishing the
  // last two platforms both ask for it).
  JobRequest promote = scanRequest("sha256:ix");
  promote.kind = JobKind::Promote;
  promote.target_repository = "release/app";
  promote.parent_job_id = index.job_id;
  const auto promoted = MUST(store().enqueue(promote, kT0 + 2));
  EXPECT_TRUE(promoted.created);
  EXPECT_FALSE(MUST(store().enqueue(promote, kT0 + 3)).created);
  // Claim everything up to the Promote job and finish it.
  for (int i = 0; i < 3; ++i) {
    auto claimed = MUST(store().claimJob("w1", kT0 + 10, 60'000));
    ASSERT_TRUE(claimed.has_value());
    MUST(store().completeJob(claimed->id, "w1", kT0 + 11));
  }
  EXPECT_EQ(MUST(store().getJob(promoted.job_id))->state, JobState::Done);
  const auto after_done = MUST(store().enqueue(promote, kT0 + 20));
  EXPECT_FALSE(after_done.created);
  EXPECT_EQ(after_done.job_id, promoted.job_id);
  // The same child again from its parent: the one it already has, done or not.
  const auto child_again = MUST(store().enqueue(child, kT0 + 21));
  EXPECT_FALSE(child_again.created);
  EXPECT_EQ(child_again.job_id, first.job_id);

  // Another scan of the index (another parent job) promotes again; a job without a parent is
  // deduplicated among active jobs only, as before.
  JobRequest next = promote;
  next.parent_job_id = index.job_id + 1000;
  const auto again = MUST(store().enqueue(next, kT0 + 22));
  EXPECT_TRUE(again.created);
  JobRequest active = promote;
  active.parent_job_id = 0;
  const auto deduplicated = MUST(store().enqueue(active, kT0 + 23));
  EXPECT_FALSE(deduplicated.created);
  EXPECT_EQ(deduplicated.job_id, again.job_id);
}

TEST_P(StoreSuite, ConcurrentEnqueuesOfOnePromoteJobCreateOne) {
  // Two workers (threads here; processes on PostgreSQL) enqueue the same parent's Promote job
  // while claiming and finishing whatever they find: exactly one is created.
  constexpr int kRounds = 20;
  int created[2] = {0, 0};
  std::string errors[2];
  auto work = [&](int w) {
    const std::string worker = "w" + std::to_string(w);
    for (int round = 0; round < kRounds; ++round) {
      JobRequest promote = scanRequest("sha256:race" + std::to_string(round));
      promote.kind = JobKind::Promote;
      promote.target_repository = "release/app";
      promote.parent_job_id = 7000 + round;
      auto enqueued = store().enqueue(promote, kT0);
      if (!enqueued) {
        errors[w] = enqueued.error().message;
        return;
      }
      if (enqueued->created) ++created[w];
      auto job = store().claimJob(worker, kT0 + 1, 600'000);
      if (job && *job) (void)store().completeJob((*job)->id, worker, kT0 + 2);
    }
  };
  onTwoThreads(work);
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
  EXPECT_EQ(created[0] + created[1], kRounds);
}

TEST_P(StoreSuite, ConcurrentClaimsNeverYieldTheSameJob) {
  constexpr int kJobs = 40;
  for (int i = 0; i < kJobs; ++i) {
    MUST(store().enqueue(scanRequest("sha256:m" + std::to_string(i)), kT0));
  }
  std::vector<std::int64_t> claimed[2];
  std::string errors[2];
  auto work = [&](int w) {
    const std::string worker = "w" + std::to_string(w);
    for (int round = 0; round < 2 * kJobs; ++round) {
      auto job = store().claimJob(worker, kT0 + 1, 600'000);
      if (!job) {
        errors[w] = job.error().message;
        return;
      }
      if (!*job) return;
      claimed[w].push_back((*job)->id);
      auto completed = store().completeJob((*job)->id, worker, kT0 + 2);
      if (!completed) {
        errors[w] = completed.error().message;
        return;
      }
    }
  };
  onTwoThreads(work);
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
  std::set<std::int64_t> all(claimed[0].begin(), claimed[0].end());
  for (std::int64_t id : claimed[1]) EXPECT_TRUE(all.insert(id).second) << "job " << id;
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(claimed[0].size() + claimed[1].size(), static_cast<std::size_t>(kJobs));
}

// ---- images -------------------------------------------------------------------------------------

TEST_P(StoreSuite, RecordPushMovesTags) {
  MUST(store().recordPush("local", "library/app", "sha256:01", "latest", kT0));
  MUST(store().recordPush("local", "library/app", "sha256:01", "v1", kT0 + 1));
  auto tagged = MUST(store().findTag("local", "library/app", "latest"));
  ASSERT_TRUE(tagged.has_value());
  EXPECT_EQ(tagged->digest, "sha256:01");
  EXPECT_EQ(tagged->tags, (std::vector<std::string>{"latest", "v1"}));
  EXPECT_EQ(tagged->first_seen, kT0);
  EXPECT_EQ(tagged->last_pushed, kT0 + 1);
  EXPECT_FALSE(tagged->scan.has_value());

  MUST(store().recordPush("local", "library/app", "sha256:02", "latest", kT0 + 10));
  EXPECT_EQ(MUST(store().findTag("local", "library/app", "latest"))->digest, "sha256:02");
  EXPECT_EQ(MUST(store().findTag("local", "library/app", "v1"))->digest, "sha256:01");
  auto old = MUST(store().findImage("local", "library/app", "sha256:01"));
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->tags, (std::vector<std::string>{"v1"}));
  MUST(store().recordPush("local", "library/app", "sha256:02", "v1", kT0 + 11));
  old = MUST(store().findImage("local", "library/app", "sha256:01"));
  ASSERT_TRUE(old.has_value());  // untagged images stay
  EXPECT_TRUE(old->tags.empty());

  // Same tag elsewhere: another repository, another registry; a digest-only push.
  MUST(store().recordPush("local", "library/other", "sha256:03", "latest", kT0 + 12));
  MUST(store().recordPush("harbor", "library/app", "sha256:04", "latest", kT0 + 13));
  MUST(store().recordPush("local", "library/app", "sha256:05", "", kT0 + 14));
  EXPECT_EQ(MUST(store().findTag("local", "library/app", "latest"))->digest, "sha256:02");
  EXPECT_EQ(MUST(store().findTag("local", "library/other", "latest"))->digest, "sha256:03");
  EXPECT_EQ(MUST(store().findTag("harbor", "library/app", "latest"))->digest, "sha256:04");
  auto untagged = MUST(store().findImage("local", "library/app", "sha256:05"));
  ASSERT_TRUE(untagged.has_value());
  EXPECT_TRUE(untagged->tags.empty());

  auto images = MUST(store().listImages("local", "library/app"));
  ASSERT_EQ(images.size(), 3U);
  EXPECT_EQ(images[0].digest, "sha256:05");  // most recently pushed first
  EXPECT_EQ(images[1].digest, "sha256:02");
  EXPECT_EQ(images[1].tags, (std::vector<std::string>{"latest", "v1"}));
  EXPECT_EQ(images[2].digest, "sha256:01");

  EXPECT_FALSE(MUST(store().findTag("local", "library/app", "nope")).has_value());
  EXPECT_FALSE(MUST(store().findTag("nope", "library/app", "latest")).has_value());
  EXPECT_FALSE(MUST(store().findImage("local", "library/app", "sha256:99")).has_value());
  EXPECT_FALSE(MUST(store().findImage("local", "library/other", "sha256:01")).has_value());
  EXPECT_TRUE(MUST(store().listImages("local", "nope")).empty());
  EXPECT_TRUE(MUST(store().listRepositories("nope")).empty());
}

TEST_P(StoreSuite, CountsAtEveryLevel) {
  Registry local;
  local.name = "local";
  local.url = "http://127.0.0.1:5000";
  MUST(store().addRegistry(local));
  Registry empty;
  empty.name = "empty";
  empty.url = "https://empty.example.com";
  MUST(store().addRegistry(empty));

  MUST(store().recordPush("local", "team/a", "sha256:a1", "latest", kT0));
  MUST(store().recordPush("local", "team/a", "sha256:a2", "v2", kT0 + 5));
  MUST(store().recordPush("local", "team/b", "sha256:b1", "latest", kT0 + 3));
  MUST(store().recordPush("local", "team/b", "sha256:a1", "copy", kT0 + 4));    // same digest
  MUST(store().recordPush("local", "team/c", "sha256:c1", "latest", kT0 + 1));  // never scanned

  MUST(store().saveResult(
      result("sha256:a1",
             {finding("CVE-1", "openssl", Severity::Critical, "3.0.12"),
              finding("CVE-2", "zlib", Severity::High), finding("CVE-3", "bash", Severity::Low)},
             kT0)));
  MUST(store().saveResult(result("sha256:a2", {finding("CVE-4", "curl", Severity::Medium)}, kT0)));
  MUST(store().saveResult(result(
      "sha256:b1",
      {finding("CVE-5", "tar", Severity::Negligible), finding("CVE-6", "perl", Severity::Unknown)},
      kT0)));

  auto image = MUST(store().findImage("local", "team/a", "sha256:a1"));
  ASSERT_TRUE(image.has_value());
  ASSERT_TRUE(image->scan.has_value());
  EXPECT_EQ(image->scan->db_build_id, "db-1");
  EXPECT_EQ(image->scan->package_count, 87);
  EXPECT_EQ(image->counts, counts(1, 1, 0, 1, 0, 0));
  EXPECT_EQ(image->counts.total(), 3);
  auto unscanned = MUST(store().findImage("local", "team/c", "sha256:c1"));
  EXPECT_FALSE(unscanned->scan.has_value());
  EXPECT_EQ(unscanned->counts, SeverityCounts{});

  auto repositories = MUST(store().listRepositories("local"));
  ASSERT_EQ(repositories.size(), 3U);
  EXPECT_EQ(repositories[0].repository, "team/a");
  EXPECT_EQ(repositories[0].registry, "local");
  EXPECT_EQ(repositories[0].images, 2);
  EXPECT_EQ(repositories[0].scanned, 2);
  EXPECT_EQ(repositories[0].counts, counts(1, 1, 1, 1, 0, 0));
  EXPECT_EQ(repositories[0].last_pushed, kT0 + 5);
  EXPECT_EQ(repositories[1].repository, "team/b");
  EXPECT_EQ(repositories[1].images, 2);
  EXPECT_EQ(repositories[1].counts, counts(1, 1, 0, 1, 1, 1));
  EXPECT_EQ(repositories[2].repository, "team/c");
  EXPECT_EQ(repositories[2].images, 1);
  EXPECT_EQ(repositories[2].scanned, 0);
  EXPECT_EQ(repositories[2].counts, SeverityCounts{});

  auto summaries = MUST(store().registrySummaries());
  ASSERT_EQ(summaries.size(), 2U);
  EXPECT_EQ(summaries[0].registry.name, "empty");
  EXPECT_EQ(summaries[0].images, 0);
  EXPECT_EQ(summaries[0].counts, SeverityCounts{});
  EXPECT_EQ(summaries[1].registry.name, "local");
  EXPECT_EQ(summaries[1].registry.url, "http://127.0.0.1:5000");
  EXPECT_EQ(summaries[1].repositories, 3);
  EXPECT_EQ(summaries[1].images, 5);
  EXPECT_EQ(summaries[1].scanned, 4);
  EXPECT_EQ(summaries[1].counts, counts(2, 2, 1, 2, 1, 1));

  // Counts follow the latest result of a digest.
  MUST(store().saveResult(
      result("sha256:a1", {finding("CVE-3", "bash", Severity::Low)}, kT0 + 100)));
  EXPECT_EQ(MUST(store().findImage("local", "team/b", "sha256:a1"))->counts,
            counts(0, 0, 0, 1, 0, 0));
  EXPECT_EQ(MUST(store().listRepositories("local"))[0].counts, counts(0, 0, 1, 1, 0, 0));
  MUST(store().replaceFindings("sha256:a2", {}, "db-2", kT0 + 200));
  EXPECT_EQ(MUST(store().registrySummaries())[1].counts, counts(0, 0, 0, 2, 1, 1));
}

// ---- results ------------------------------------------------------------------------------------

TEST_P(StoreSuite, SaveResultRoundTrip) {
  EXPECT_FALSE(MUST(store().resultMetadata("sha256:r1")).has_value());
  EXPECT_FALSE(MUST(store().inventory("sha256:r1")).has_value());
  ScanResult scan = result("sha256:r1", {finding("CVE-1", "openssl", Severity::High, "3.1")}, kT0);
  auto changes = MUST(store().saveResult(scan));
  EXPECT_TRUE(changes.empty());  // the first result of a digest records no changes
  EXPECT_TRUE(MUST(store().findingChanges("sha256:r1", 100)).empty());

  auto metadata = MUST(store().resultMetadata("sha256:r1"));
  ASSERT_TRUE(metadata.has_value());
  EXPECT_EQ(metadata->db_build_id, "db-1");
  EXPECT_EQ(metadata->bulwark_version, "0.5.0");
  EXPECT_EQ(metadata->duration_ms, 1234);
  EXPECT_EQ(metadata->scanned_at, kT0);
  EXPECT_EQ(metadata->evaluated_at, kT0);
  EXPECT_EQ(metadata->os, "debian 12");
  EXPECT_EQ(metadata->platform, "linux/amd64");
  EXPECT_EQ(metadata->package_count, 87);
  EXPECT_EQ(MUST(store().inventory("sha256:r1")), std::optional<std::string>(scan.inventory_json));

  auto stored = MUST(store().finding("sha256:r1", "CVE-1", "openssl"));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->installed_version, "1.0");
  EXPECT_EQ(stored->fixed_version, "3.1");
  EXPECT_EQ(stored->severity, Severity::High);
  EXPECT_EQ(stored->detail_json, scan.findings[0].detail_json);
  EXPECT_EQ(stored->first_seen, kT0);
  EXPECT_FALSE(MUST(store().finding("sha256:r1", "CVE-1", "zlib")).has_value());
  EXPECT_FALSE(MUST(store().finding("sha256:zz", "CVE-1", "openssl")).has_value());
}

TEST_P(StoreSuite, LargeInventoriesRoundTrip) {
  std::string inventory = R"({"packages":[)";
  for (std::int64_t i = 0; inventory.size() < 24'000'000; ++i) {
    inventory += R"({"name":"package-)" + std::to_string(i) + R"(","version":"1.)" +
                 std::to_string(i * 7919 % 10007) + R"(-)" + std::to_string(i % 13) +
                 R"(","files":["/usr/lib/)" + std::to_string(i * 31) + R"(.so"]},)";
  }
  inventory += "{}]}";
  ScanResult scan = result("sha256:big", {}, kT0);
  scan.inventory_json = inventory;
  MUST(store().saveResult(scan));
  auto read = MUST(store().inventory("sha256:big"));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->size(), inventory.size());
  EXPECT_TRUE(*read == inventory);
}

TEST_P(StoreSuite, SaveResultRecordsChangesAndKeepsFirstSeen) {
  MUST(store().saveResult(result(
      "sha256:s1",
      {finding("CVE-1", "openssl", Severity::Critical), finding("CVE-2", "zlib", Severity::Medium)},
      kT0)));
  auto changes = MUST(store().saveResult(
      result("sha256:s1",
             {finding("CVE-2", "zlib", Severity::Medium), finding("CVE-3", "curl", Severity::High)},
             kT0 + 1000, "db-2")));
  ASSERT_EQ(changes.size(), 2U);
  EXPECT_EQ(changes[0].kind, FindingChangeKind::New);
  EXPECT_EQ(changes[0].vulnerability_id, "CVE-3");
  EXPECT_EQ(changes[0].package_name, "curl");
  EXPECT_EQ(changes[0].severity, Severity::High);
  EXPECT_EQ(changes[0].db_build_id, "db-2");
  EXPECT_EQ(changes[0].at, kT0 + 1000);
  EXPECT_EQ(changes[0].digest, "sha256:s1");
  EXPECT_EQ(changes[1].kind, FindingChangeKind::Resolved);
  EXPECT_EQ(changes[1].vulnerability_id, "CVE-1");
  EXPECT_EQ(changes[1].severity, Severity::Critical);

  FindingQuery query;
  query.digest = "sha256:s1";
  auto stored = byId(MUST(store().findings(query)).findings);
  ASSERT_EQ(stored.size(), 2U);
  EXPECT_EQ(stored["CVE-2/zlib"].first_seen, kT0);  // kept
  EXPECT_EQ(stored["CVE-3/curl"].first_seen, kT0 + 1000);

  auto recorded = MUST(store().findingChanges("sha256:s1", 100));
  ASSERT_EQ(recorded.size(), 2U);
  EXPECT_EQ(recorded[0].vulnerability_id, "CVE-3");
  EXPECT_EQ(recorded[0].kind, FindingChangeKind::New);
  EXPECT_EQ(recorded[1].vulnerability_id, "CVE-1");
  EXPECT_EQ(recorded[1].kind, FindingChangeKind::Resolved);
  EXPECT_EQ(recorded[1].db_build_id, "db-2");
  EXPECT_EQ(recorded[1].at, kT0 + 1000);
  EXPECT_EQ(MUST(store().findingChanges("sha256:s1", 1)).size(), 1U);
  EXPECT_TRUE(MUST(store().findingChanges("sha256:other", 100)).empty());
}

TEST_P(StoreSuite, ReplaceFindingsKeepsInventoryAndFirstSeen) {
  ScanResult scan = result(
      "sha256:t1",
      {finding("CVE-1", "openssl", Severity::High), finding("CVE-2", "zlib", Severity::Low)}, kT0);
  MUST(store().saveResult(scan));
  auto changes = MUST(store().replaceFindings(
      "sha256:t1",
      {finding("CVE-2", "zlib", Severity::Medium), finding("CVE-9", "glibc", Severity::Critical)},
      "db-7", kT0 + 5000));
  ASSERT_EQ(changes.size(), 2U);
  EXPECT_EQ(changes[0].kind, FindingChangeKind::New);
  EXPECT_EQ(changes[0].vulnerability_id, "CVE-9");
  EXPECT_EQ(changes[0].db_build_id, "db-7");
  EXPECT_EQ(changes[0].at, kT0 + 5000);
  EXPECT_EQ(changes[1].kind, FindingChangeKind::Resolved);
  EXPECT_EQ(changes[1].vulnerability_id, "CVE-1");

  auto metadata = MUST(store().resultMetadata("sha256:t1"));
  EXPECT_EQ(metadata->db_build_id, "db-7");
  EXPECT_EQ(metadata->evaluated_at, kT0 + 5000);
  EXPECT_EQ(metadata->scanned_at, kT0);  // untouched
  EXPECT_EQ(metadata->package_count, 87);
  EXPECT_EQ(MUST(store().inventory("sha256:t1")), std::optional<std::string>(scan.inventory_json));

  auto zlib = MUST(store().finding("sha256:t1", "CVE-2", "zlib"));
  ASSERT_TRUE(zlib.has_value());
  EXPECT_EQ(zlib->first_seen, kT0);
  EXPECT_EQ(zlib->severity, Severity::Medium);  // the new details replace the old
  EXPECT_EQ(MUST(store().finding("sha256:t1", "CVE-9", "glibc"))->first_seen, kT0 + 5000);

  // Unchanged findings record nothing.
  EXPECT_TRUE(MUST(store().replaceFindings("sha256:t1",
                                           {finding("CVE-9", "glibc", Severity::Critical),
                                            finding("CVE-2", "zlib", Severity::Medium)},
                                           "db-8", kT0 + 6000))
                  .empty());
  EXPECT_EQ(MUST(store().findingChanges("sha256:t1", 100)).size(), 2U);
  EXPECT_EQ(MUST(store().finding("sha256:t1", "CVE-2", "zlib"))->first_seen, kT0);

  EXPECT_EQ(errorOf(store().replaceFindings("sha256:none", {}, "db-8", kT0)), ErrorCode::NotFound);
}

TEST_P(StoreSuite, MarkEvaluatedMovesTheBuildAndKeepsTheFindings) {
  ScanResult scan = result("sha256:m1", {finding("CVE-1", "openssl", Severity::High, "3.1")}, kT0);
  MUST(store().saveResult(scan));
  MUST(store().markEvaluated("sha256:m1", "db-9", kT0 + 7000));
  auto metadata = MUST(store().resultMetadata("sha256:m1"));
  ASSERT_TRUE(metadata.has_value());
  EXPECT_EQ(metadata->db_build_id, "db-9");
  EXPECT_EQ(metadata->evaluated_at, kT0 + 7000);
  EXPECT_EQ(metadata->scanned_at, kT0);
  auto kept = MUST(store().finding("sha256:m1", "CVE-1", "openssl"));
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->first_seen, kT0);
  EXPECT_EQ(kept->fixed_version, "3.1");
  EXPECT_TRUE(MUST(store().findingChanges("sha256:m1", 100)).empty());
  EXPECT_EQ(errorOf(store().markEvaluated("sha256:none", "db-9", kT0)), ErrorCode::NotFound);
}

TEST_P(StoreSuite, IdentityIncludesTheInstalledVersion) {
  MUST(store().saveResult(result("sha256:u1",
                                 {finding("CVE-1", "libssl", Severity::High, "", "1.0"),
                                  finding("CVE-1", "libssl", Severity::High, "", "1.1"),
                                  finding("CVE-1", "libssl", Severity::High, "", "1.1")},
                                 kT0)));
  FindingQuery query;
  query.digest = "sha256:u1";
  EXPECT_EQ(MUST(store().findings(query)).total, 2);  // the duplicate is stored once
  auto changes = MUST(store().replaceFindings(
      "sha256:u1", {finding("CVE-1", "libssl", Severity::High, "", "1.1")}, "db-2", kT0 + 1));
  ASSERT_EQ(changes.size(), 1U);
  EXPECT_EQ(changes[0].kind, FindingChangeKind::Resolved);
  EXPECT_EQ(changes[0].installed_version, "1.0");
}

TEST_P(StoreSuite, FindingsFilterSortAndPage) {
  MUST(store().saveResult(result("sha256:v1",
                                 {finding("CVE-2024-0003", "zlib", Severity::Low, "1.3"),
                                  finding("CVE-2024-0001", "OpenSSL", Severity::Critical, "3.0.12"),
                                  finding("CVE-2024-0002", "libssh", Severity::High),
                                  finding("GHSA-aaaa", "requests", Severity::Medium, "2.31"),
                                  finding("CVE-2024-0005", "bash", Severity::Unknown),
                                  finding("CVE-2024-0004", "tar", Severity::High, "1.35")},
                                 kT0)));
  MUST(store().replaceFindings("sha256:v1",
                               {finding("CVE-2024-0003", "zlib", Severity::Low, "1.3"),
                                finding("CVE-2024-0001", "OpenSSL", Severity::Critical, "3.0.12"),
                                finding("CVE-2024-0002", "libssh", Severity::High),
                                finding("GHSA-aaaa", "requests", Severity::Medium, "2.31"),
                                finding("CVE-2024-0005", "bash", Severity::Unknown),
                                finding("CVE-2024-0004", "tar", Severity::High, "1.35"),
                                finding("CVE-2024-0009", "curl", Severity::Low)},
                               "db-2", kT0 + 10));
  MUST(store().saveResult(result("sha256:other", {finding("CVE-X", "x", Severity::High)}, kT0)));

  FindingQuery query;
  query.digest = "sha256:v1";
  auto page = MUST(store().findings(query));
  EXPECT_EQ(page.total, 7);
  EXPECT_EQ(ids(page.findings), (std::vector<std::string>{
                                    "CVE-2024-0001/OpenSSL", "CVE-2024-0002/libssh",
                                    "CVE-2024-0004/tar", "GHSA-aaaa/requests", "CVE-2024-0003/zlib",
                                    "CVE-2024-0009/curl", "CVE-2024-0005/bash"}));

  query.sort = "id";
  EXPECT_EQ(MUST(store().findings(query)).findings.front().vulnerability_id, "CVE-2024-0001");
  EXPECT_EQ(MUST(store().findings(query)).findings.back().vulnerability_id, "GHSA-aaaa");
  query.sort = "package";  // case-insensitive
  EXPECT_EQ(
      ids(MUST(store().findings(query)).findings),
      (std::vector<std::string>{"CVE-2024-0005/bash", "CVE-2024-0009/curl", "CVE-2024-0002/libssh",
                                "CVE-2024-0001/OpenSSL", "GHSA-aaaa/requests", "CVE-2024-0004/tar",
                                "CVE-2024-0003/zlib"}));
  query.sort = "first_seen";  // newest first
  EXPECT_EQ(MUST(store().findings(query)).findings.front().vulnerability_id, "CVE-2024-0009");
  query.sort = "nonsense";
  EXPECT_EQ(errorOf(store().findings(query)), ErrorCode::Input);
  query.sort = "severity";

  query.min_severity = Severity::High;
  page = MUST(store().findings(query));
  EXPECT_EQ(page.total, 3);
  EXPECT_EQ(ids(page.findings),
            (std::vector<std::string>{"CVE-2024-0001/OpenSSL", "CVE-2024-0002/libssh",
                                      "CVE-2024-0004/tar"}));
  query.fixable_only = true;
  page = MUST(store().findings(query));
  EXPECT_EQ(ids(page.findings),
            (std::vector<std::string>{"CVE-2024-0001/OpenSSL", "CVE-2024-0004/tar"}));
  query.min_severity.reset();
  EXPECT_EQ(MUST(store().findings(query)).total, 4);
  query.fixable_only = false;

  query.search = "openssl";  // case-insensitive, package name
  EXPECT_EQ(ids(MUST(store().findings(query)).findings),
            (std::vector<std::string>{"CVE-2024-0001/OpenSSL"}));
  query.search = "ghsa";  // vulnerability id
  EXPECT_EQ(MUST(store().findings(query)).total, 1);
  query.search = "ssl";
  EXPECT_EQ(MUST(store().findings(query)).total, 1);
  query.search = "ss";  // OpenSSL and libssh
  EXPECT_EQ(MUST(store().findings(query)).total, 2);
  query.search = "%";  // no wildcard
  EXPECT_EQ(MUST(store().findings(query)).total, 0);
  query.search.clear();

  query.limit = 2;
  query.offset = 2;
  page = MUST(store().findings(query));
  EXPECT_EQ(page.total, 7);
  EXPECT_EQ(ids(page.findings),
            (std::vector<std::string>{"CVE-2024-0004/tar", "GHSA-aaaa/requests"}));
  query.offset = 7;
  page = MUST(store().findings(query));
  EXPECT_EQ(page.total, 7);
  EXPECT_TRUE(page.findings.empty());

  FindingQuery unknown;
  unknown.digest = "sha256:none";
  page = MUST(store().findings(unknown));
  EXPECT_EQ(page.total, 0);
  EXPECT_TRUE(page.findings.empty());
}

TEST_P(StoreSuite, ResultDigestsPageInDigestOrder) {
  EXPECT_TRUE(MUST(store().resultDigests("", 10)).empty());
  for (const char* digest : {"sha256:04", "sha256:01", "sha256:05", "sha256:03", "sha256:02"}) {
    MUST(store().saveResult(result(digest, {}, kT0)));
  }
  MUST(store().recordPush("local", "a", "sha256:00", "", kT0));  // pushed, not scanned

  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    auto digests = MUST(store().resultDigests(after, 2));
    EXPECT_LE(digests.size(), 2U);
    if (digests.empty()) break;
    seen.insert(seen.end(), digests.begin(), digests.end());
    after = digests.back();
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"sha256:01", "sha256:02", "sha256:03", "sha256:04",
                                            "sha256:05"}));
  EXPECT_EQ(MUST(store().resultDigests("sha256:04", 100)), (std::vector<std::string>{"sha256:05"}));
}

// ---- quarantine and settings --------------------------------------------------------------------

TEST_P(StoreSuite, DecisionsNewestFirst) {
  QuarantineDecision held;
  held.registry = "local";
  held.repository = "quarantine/app";
  held.digest = "sha256:q1";
  held.target_repository = "release/app";
  held.tag = "1.0";
  held.promoted = false;
  held.reason = "2 critical findings";
  held.at = kT0;
  MUST(store().recordDecision(held));
  QuarantineDecision passed = held;
  passed.promoted = true;
  passed.reason = "policy passed";
  passed.at = kT0 + 100;
  MUST(store().recordDecision(passed));
  QuarantineDecision other = held;
  other.digest = "sha256:q2";
  MUST(store().recordDecision(other));

  auto decisions = MUST(store().decisions("sha256:q1"));
  ASSERT_EQ(decisions.size(), 2U);
  EXPECT_TRUE(decisions[0].promoted);
  EXPECT_EQ(decisions[0].reason, "policy passed");
  EXPECT_EQ(decisions[0].at, kT0 + 100);
  EXPECT_FALSE(decisions[1].promoted);
  EXPECT_EQ(decisions[1].registry, "local");
  EXPECT_EQ(decisions[1].repository, "quarantine/app");
  EXPECT_EQ(decisions[1].target_repository, "release/app");
  EXPECT_EQ(decisions[1].tag, "1.0");
  EXPECT_EQ(decisions[1].reason, "2 critical findings");
  EXPECT_TRUE(MUST(store().decisions("sha256:none")).empty());
}

TEST_P(StoreSuite, Settings) {
  EXPECT_FALSE(MUST(store().getSetting("reevaluated_db_build_id")).has_value());
  MUST(store().putSetting("reevaluated_db_build_id", "db-1"));
  EXPECT_EQ(MUST(store().getSetting("reevaluated_db_build_id")),
            std::optional<std::string>("db-1"));
  MUST(store().putSetting("reevaluated_db_build_id", "db-2"));
  EXPECT_EQ(MUST(store().getSetting("reevaluated_db_build_id")),
            std::optional<std::string>("db-2"));
  MUST(store().putSetting("empty", ""));
  EXPECT_EQ(MUST(store().getSetting("empty")), std::optional<std::string>(""));
}

TEST_P(StoreSuite, BadArgumentsAreInputErrors) {
  EXPECT_EQ(errorOf(store().recordPush("local", "", "sha256:x", "t", kT0)), ErrorCode::Input);
  EXPECT_EQ(errorOf(store().recordPush("local", "a", "", "t", kT0)), ErrorCode::Input);
  EXPECT_EQ(errorOf(store().enqueue(scanRequest(""), kT0)), ErrorCode::Input);
  Registry unnamed;
  EXPECT_EQ(errorOf(store().addRegistry(unnamed)), ErrorCode::Input);
  ScanResult no_digest = result("", {}, kT0);
  EXPECT_EQ(errorOf(store().saveResult(no_digest)), ErrorCode::Input);
  FindingQuery negative;
  negative.digest = "sha256:x";
  negative.limit = -1;
  EXPECT_EQ(errorOf(store().findings(negative)), ErrorCode::Input);
  JobFilter filter;
  filter.offset = -5;
  EXPECT_EQ(errorOf(store().listJobs(filter)), ErrorCode::Input);
}
