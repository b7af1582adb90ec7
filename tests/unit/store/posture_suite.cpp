// The posture part of the Store contract (store.h; docs/dev/posture-design.md §2, §4, §5.4),
// checked on any backend: resource and assessment upserts, replace-scope, gone marking,
// exemptions by ancestry, the SQL counts against posture::countControls/countRecommendations on
// seeded random data, queries, score history and alert triage. Part of the shared suite
// (store_suite.h); both backends' tests link it.
#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "posture/catalogue.h"
#include "posture/exemption.h"
#include "posture/resource_key.h"
#include "posture/score.h"
#include "unit/store/store_suite.h"

namespace {

using bulwark::core::ErrorCode;
using bulwark::model::Assessment;
using bulwark::model::Health;
using bulwark::model::Resource;
using bulwark::model::ResourceType;
using bulwark::model::Severity;
using bulwark::model::SourceKind;
using namespace bulwark::store;  // NOLINT(google-build-using-namespace): the suite's subject
namespace posture = bulwark::posture;

constexpr Millis kT0 = 1'700'000'000'000;
constexpr Millis kDay = 86'400'000;

Assessment assessment(const Resource& resource, const std::string& source, Health status,
                      const std::string& recommendation = "BW-REC-010",
                      const std::string& control = "CTL-PRIV",
                      SourceKind kind = SourceKind::Check) {
  Assessment a;
  a.resource_id = resource.id;
  a.source = source;
  a.kind = kind;
  a.recommendation = recommendation;
  a.control = control;
  a.status = status;
  a.severity = Severity::High;
  a.reason = source + " said so";
  a.evidence = {{"privileged: true", "HostConfig.Privileged", "false"}};
  a.run_id = 7;
  return a;
}

// host h1 with containers c1, c2.
struct HostTree {
  Resource host = posture::hostResource("h1");
  Resource c1 = posture::dockerContainerResource("h1", std::string(64, 'a'), "web-1");
  Resource c2 = posture::dockerContainerResource("h1", std::string(64, 'b'), "db-1");
};

AssessmentBatch run(const HostTree& tree, Millis at, std::vector<Assessment> assessments,
                    bool with_c2 = true) {
  AssessmentBatch batch;
  batch.resources = {tree.host, tree.c1};
  if (with_c2) batch.resources.push_back(tree.c2);
  batch.assessments = std::move(assessments);
  batch.scope_id = tree.host.id;
  batch.complete = true;
  batch.cause = "run:" + std::to_string(at);
  batch.at = at;
  return batch;
}

std::map<std::string, Assessment> bySource(const AssessmentPage& page) {
  std::map<std::string, Assessment> out;
  for (const Assessment& a : page.assessments) out[a.resource_id + "|" + a.source] = a;
  return out;
}

AssessmentPage assessmentsOf(Store& store, const std::string& resource_id) {
  AssessmentQuery query;
  query.resource_id = resource_id;
  query.include_gone = true;
  query.limit = 1000;
  return MUST(store.queryAssessments(query));
}

}  // namespace

TEST_P(StoreSuite, PostureUpsertKeepsFirstSeenAndStatusSince) {
  const HostTree tree;
  auto first = MUST(store().applyAssessments(
      run(tree, kT0,
          {assessment(tree.c1, "BW-DKR-505", Health::Unhealthy),
           assessment(tree.c2, "BW-DKR-505", Health::Healthy),
           assessment(tree.host, "BW-DKR-101", Health::Healthy, "BW-REC-020", "CTL-HOST")})));
  EXPECT_EQ(first.resources, 3);
  EXPECT_EQ(first.assessments, 3);
  EXPECT_EQ(first.changes, 3);  // three appearances
  EXPECT_EQ(first.gone, 0);

  auto c1 = MUST(store().getResource(tree.c1.id));
  ASSERT_TRUE(c1.has_value());
  EXPECT_EQ(c1->resource.key, tree.c1.key);
  EXPECT_EQ(c1->resource.type, ResourceType::Container);
  EXPECT_EQ(c1->resource.parent_id, tree.host.id);
  EXPECT_EQ(c1->resource.name, "web-1");
  EXPECT_EQ(c1->path, "/" + tree.host.id + "/" + tree.c1.id + "/");
  EXPECT_EQ(c1->resource.first_seen, kT0);
  EXPECT_EQ(c1->health, Health::Unhealthy);
  EXPECT_EQ(c1->unhealthy, 1);
  EXPECT_EQ(c1->severity, Severity::High);
  EXPECT_FALSE(MUST(store().getResource(posture::hostResource("nope").id)).has_value());

  // A day later c2 turns unhealthy; c1 stays unhealthy.
  auto second = MUST(store().applyAssessments(
      run(tree, kT0 + kDay,
          {assessment(tree.c1, "BW-DKR-505", Health::Unhealthy),
           assessment(tree.c2, "BW-DKR-505", Health::Unhealthy),
           assessment(tree.host, "BW-DKR-101", Health::Healthy, "BW-REC-020", "CTL-HOST")})));
  EXPECT_EQ(second.changes, 1);
  c1 = MUST(store().getResource(tree.c1.id));
  EXPECT_EQ(c1->resource.first_seen, kT0);
  EXPECT_EQ(c1->resource.last_seen, kT0 + kDay);

  const auto rows = bySource(assessmentsOf(store(), tree.c1.id));
  ASSERT_EQ(rows.count(tree.c1.id + "|BW-DKR-505"), 1U);
  const Assessment& kept = rows.at(tree.c1.id + "|BW-DKR-505");
  EXPECT_EQ(kept.status_since, kT0);
  EXPECT_EQ(kept.kind, SourceKind::Check);
  EXPECT_EQ(kept.recommendation, "BW-REC-010");
  EXPECT_EQ(kept.control, "CTL-PRIV");
  EXPECT_EQ(kept.severity, Severity::High);
  EXPECT_EQ(kept.reason, "BW-DKR-505 said so");
  ASSERT_EQ(kept.evidence.size(), 1U);
  EXPECT_EQ(kept.evidence[0].where, "HostConfig.Privileged");
  EXPECT_EQ(kept.run_id, 7);
  EXPECT_EQ(kept.exempt_id, 0);
  const auto c2_rows = bySource(assessmentsOf(store(), tree.c2.id));
  EXPECT_EQ(c2_rows.at(tree.c2.id + "|BW-DKR-505").status_since, kT0 + kDay);

  // History, newest first: healthy → unhealthy, then the appearance.
  auto history = MUST(store().assessmentHistory(tree.c2.id, 0, 10));
  ASSERT_EQ(history.size(), 2U);
  EXPECT_EQ(history[0].from, Health::Healthy);
  EXPECT_EQ(history[0].to, Health::Unhealthy);
  EXPECT_EQ(history[0].at, kT0 + kDay);
  EXPECT_EQ(history[0].cause, "run:" + std::to_string(kT0 + kDay));
  EXPECT_EQ(history[1].from, std::nullopt);
  EXPECT_EQ(history[1].to, Health::Healthy);
  EXPECT_EQ(MUST(store().assessmentHistory(tree.c2.id, kT0 + 1, 10)).size(), 1U);
  EXPECT_EQ(MUST(store().assessmentHistory(tree.c2.id, 0, 1)).size(), 1U);
}

TEST_P(StoreSuite, PostureReplaceScopeRemovesOnlyMissingSourcesOfItsKinds) {
  const HostTree tree;
  Assessment alert = assessment(tree.c1, "BW-RT-207", Health::Unhealthy, "BW-REC-010", "CTL-PRIV",
                                SourceKind::Rule);
  AssessmentBatch alerts;
  alerts.assessments = {alert};
  alerts.at = kT0;
  alerts.cause = "alert";
  MUST(store().applyAssessments(run(tree, kT0,
                                    {assessment(tree.c1, "BW-DKR-505", Health::Unhealthy),
                                     assessment(tree.c1, "BW-DKR-523", Health::Healthy)})));
  MUST(store().applyAssessments(alerts));  // no scope: upsert only
  EXPECT_EQ(assessmentsOf(store(), tree.c1.id).total, 3);

  // The next check run of the host has only BW-DKR-523 for c1: BW-DKR-505 goes, the rule's
  // assessment (another kind) stays.
  auto applied = MUST(store().applyAssessments(
      run(tree, kT0 + 1, {assessment(tree.c1, "BW-DKR-523", Health::Healthy)})));
  EXPECT_EQ(applied.removed, 1);
  const auto rows = bySource(assessmentsOf(store(), tree.c1.id));
  EXPECT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows.count(tree.c1.id + "|BW-DKR-505"), 0U);
  EXPECT_EQ(rows.count(tree.c1.id + "|BW-RT-207"), 1U);
  auto history = MUST(store().assessmentHistory(tree.c1.id, kT0 + 1, 10));
  ASSERT_EQ(history.size(), 1U);
  EXPECT_EQ(history[0].source, "BW-DKR-505");
  EXPECT_EQ(history[0].from, Health::Unhealthy);
  EXPECT_EQ(history[0].to, std::nullopt);

  // A batch of both kinds replaces both.
  AssessmentBatch both = run(tree, kT0 + 2, {});
  both.kinds = {SourceKind::Check, SourceKind::Rule};
  applied = MUST(store().applyAssessments(both));
  EXPECT_EQ(applied.removed, 2);
  EXPECT_EQ(assessmentsOf(store(), tree.c1.id).total, 0);
  EXPECT_EQ(MUST(store().getResource(tree.c1.id))->health, Health::NotApplicable);
}

TEST_P(StoreSuite, PostureCompleteRunMarksUnseenDescendantsGone) {
  const HostTree tree;
  MUST(store().applyAssessments(run(tree, kT0,
                                    {assessment(tree.c1, "BW-DKR-505", Health::Healthy),
                                     assessment(tree.c2, "BW-DKR-505", Health::Unhealthy)})));
  auto counts = MUST(store().controlCounts());
  ASSERT_EQ(counts.size(), 1U);
  EXPECT_EQ(counts[0], (PostureControlCount{"CTL-PRIV", 1, 1, 0, 0}));

  // An incomplete run without c2 leaves it alone.
  AssessmentBatch partial = run(tree, kT0 + 1, {}, false);
  partial.complete = false;
  EXPECT_EQ(MUST(store().applyAssessments(partial)).gone, 0);
  EXPECT_FALSE(MUST(store().getResource(tree.c2.id))->resource.gone_at.has_value());

  // A complete run without c2: gone, kept, out of the counts and of default listings.
  auto applied = MUST(store().applyAssessments(
      run(tree, kT0 + 2, {assessment(tree.c1, "BW-DKR-505", Health::Healthy)}, false)));
  EXPECT_EQ(applied.gone, 1);
  EXPECT_EQ(MUST(store().getResource(tree.c2.id))->resource.gone_at, kT0 + 2);
  EXPECT_EQ(assessmentsOf(store(), tree.c2.id).total, 1);  // its history stays
  counts = MUST(store().controlCounts());
  ASSERT_EQ(counts.size(), 1U);
  EXPECT_EQ(counts[0], (PostureControlCount{"CTL-PRIV", 1, 0, 0, 0}));
  ResourceQuery query;
  query.parent_id = tree.host.id;
  EXPECT_EQ(MUST(store().queryResources(query)).total, 1);
  query.include_gone = true;
  EXPECT_EQ(MUST(store().queryResources(query)).total, 2);
  AssessmentQuery visible;
  visible.scope_id = tree.host.id;
  EXPECT_EQ(MUST(store().queryAssessments(visible)).total, 1);

  // Seen again: back.
  MUST(store().applyAssessments(run(tree, kT0 + 3, {})));
  EXPECT_FALSE(MUST(store().getResource(tree.c2.id))->resource.gone_at.has_value());
}

TEST_P(StoreSuite, PostureRejectsBadBatchesAndWritesNothing) {
  const HostTree tree;
  AssessmentBatch orphan;
  orphan.resources = {tree.c1};  // its host is neither in the batch nor stored
  orphan.at = kT0;
  EXPECT_EQ(store().applyAssessments(orphan).error().code, ErrorCode::Input);

  AssessmentBatch bad_id = run(tree, kT0, {});
  bad_id.resources[1].id = "not-an-id";
  EXPECT_EQ(store().applyAssessments(bad_id).error().code, ErrorCode::Input);

  AssessmentBatch unknown = run(tree, kT0, {assessment(tree.c1, "BW-DKR-505", Health::Healthy)});
  unknown.assessments.push_back(
      assessment(posture::hostResource("elsewhere"), "BW-DKR-101", Health::Healthy));
  EXPECT_EQ(store().applyAssessments(unknown).error().code, ErrorCode::Input);

  AssessmentBatch no_time = run(tree, 0, {});
  EXPECT_EQ(store().applyAssessments(no_time).error().code, ErrorCode::Input);

  ResourceQuery all;
  all.include_gone = true;
  EXPECT_EQ(MUST(store().queryResources(all)).total, 0);  // the failed batches left nothing
}

TEST_P(StoreSuite, PostureExemptionsCoverAScopeAndItsDescendants) {
  // local → library/app → two images; local → library/db → one image.
  const Resource registry = posture::registryResource("local");
  const Resource app = posture::repositoryResource("local", "library/app");
  const Resource db = posture::repositoryResource("local", "library/db");
  const Resource app1 = posture::imageResource("local", "library/app", "sha256:01");
  const Resource app2 = posture::imageResource("local", "library/app", "sha256:02");
  const Resource db1 = posture::imageResource("local", "library/db", "sha256:03");
  AssessmentBatch batch;
  batch.resources = {app1, app2, db1, app, db, registry};  // children before parents
  for (const Resource& image : {app1, app2, db1}) {
    batch.assessments.push_back(assessment(image, "vuln:severe", Health::Unhealthy, "BW-REC-001",
                                           "CTL-VULN", SourceKind::Derived));
    batch.assessments.push_back(assessment(image, "vuln:fixable", Health::Healthy, "BW-REC-002",
                                           "CTL-VULN", SourceKind::Derived));
  }
  batch.at = kT0;
  MUST(store().applyAssessments(batch));
  EXPECT_EQ(MUST(store().getResource(app2.id))->path,
            "/" + registry.id + "/" + app.id + "/" + app2.id + "/");

  bulwark::model::Exemption exemption;
  exemption.recommendation = "BW-REC-001";
  exemption.scope_id = app.id;
  exemption.category = bulwark::model::ExemptionCategory::Mitigated;
  exemption.reason = "patched by the vendor's backport";
  exemption.created_by = "admin";
  exemption.created_at = kT0 + 1;
  exemption.expires_at = kT0 + 30 * kDay;
  const auto added = MUST(store().addExemption(exemption));
  EXPECT_GT(added.id, 0);
  EXPECT_EQ(MUST(store().getExemption(added.id))->reason, exemption.reason);

  const auto exempt_of = [&](const Resource& image, const std::string& source) {
    return bySource(assessmentsOf(store(), image.id)).at(image.id + "|" + source).exempt_id;
  };
  EXPECT_EQ(exempt_of(app1, "vuln:severe"), added.id);
  EXPECT_EQ(exempt_of(app2, "vuln:severe"), added.id);
  EXPECT_EQ(exempt_of(db1, "vuln:severe"), 0);                             // another repository
  EXPECT_EQ(exempt_of(app1, "vuln:fixable"), 0);                           // another recommendation
  EXPECT_EQ(MUST(store().getResource(app1.id))->health, Health::Healthy);  // the rest of it
  auto counts = MUST(store().controlCounts());
  ASSERT_EQ(counts.size(), 1U);
  EXPECT_EQ(counts[0], (PostureControlCount{"CTL-VULN", 2, 1, 0, 0}));

  // One active exemption per (recommendation, scope, source).
  EXPECT_EQ(store().addExemption(exemption).error().code, ErrorCode::Input);
  // A scope that is no resource id is refused.
  auto bad = exemption;
  bad.scope_id = "%";
  EXPECT_EQ(store().addExemption(bad).error().code, ErrorCode::Input);

  // A new image of the exempt repository is covered when it arrives.
  const Resource app3 = posture::imageResource("local", "library/app", "sha256:04");
  AssessmentBatch later;
  later.resources = {app3};
  later.assessments = {assessment(app3, "vuln:severe", Health::Unhealthy, "BW-REC-001", "CTL-VULN",
                                  SourceKind::Derived)};
  later.at = kT0 + 2;
  MUST(store().applyAssessments(later));
  EXPECT_EQ(exempt_of(app3, "vuln:severe"), added.id);

  // A second exemption for one source of the whole registry, expiring soon.
  auto narrow = exemption;
  narrow.scope_id = registry.id;
  narrow.source = "vuln:severe";
  narrow.expires_at = kT0 + 10;
  const auto second = MUST(store().addExemption(narrow));
  EXPECT_EQ(exempt_of(db1, "vuln:severe"), second.id);
  EXPECT_EQ(exempt_of(app1, "vuln:severe"), added.id);  // the lowest covering id

  ExemptionQuery active;
  active.active_at = kT0 + 5;
  EXPECT_EQ(MUST(store().listExemptions(active)).size(), 2U);
  active.active_at = kT0 + 20;
  EXPECT_EQ(MUST(store().listExemptions(active)).size(), 1U);
  ExemptionQuery for_scope;
  for_scope.scope_id = registry.id;
  ASSERT_EQ(MUST(store().listExemptions(for_scope)).size(), 1U);
  EXPECT_EQ(MUST(store().listExemptions(for_scope))[0].source, "vuln:severe");

  // Expiry: a refresh after expires_at uncovers db1.
  EXPECT_EQ(MUST(store().refreshExemptions(kT0 + 20)), 1);
  EXPECT_EQ(exempt_of(db1, "vuln:severe"), 0);
  EXPECT_EQ(MUST(store().refreshExemptions(kT0 + 21)), 0);

  // Revocation uncovers the repository and stays as history.
  MUST(store().revokeExemption(added.id, kT0 + 30));
  EXPECT_EQ(exempt_of(app1, "vuln:severe"), 0);
  EXPECT_EQ(MUST(store().getExemption(added.id))->revoked_at, kT0 + 30);
  EXPECT_EQ(store().revokeExemption(added.id, kT0 + 31).error().code, ErrorCode::Input);
  EXPECT_EQ(store().revokeExemption(9999, kT0 + 31).error().code, ErrorCode::NotFound);
  EXPECT_EQ(MUST(store().getResource(app1.id))->health, Health::Unhealthy);
  // Revoked, the same exemption may be granted again.
  exemption.created_at = kT0 + 40;
  const auto regranted = MUST(store().addExemption(exemption));
  EXPECT_GT(regranted.id, second.id);

  // Inactive ones: revoked (whenever) or expired at the time; the complement of active.
  const auto ids = [&](const ExemptionQuery& query) {
    std::vector<std::int64_t> out;
    for (const auto& found : MUST(store().listExemptions(query))) out.push_back(found.id);
    return out;
  };
  ExemptionQuery inactive;
  inactive.inactive_at = kT0 + 5;
  EXPECT_EQ(ids(inactive), (std::vector<std::int64_t>{added.id}));
  inactive.inactive_at = kT0 + 10;  // expires_at is exclusive
  EXPECT_EQ(ids(inactive), (std::vector<std::int64_t>{added.id, second.id}));
  inactive.inactive_at = kT0 + 31 * kDay;
  EXPECT_EQ(ids(inactive), (std::vector<std::int64_t>{added.id, second.id, regranted.id}));
  inactive.inactive_at = kT0 + 50;
  inactive.scope_id = registry.id;
  EXPECT_EQ(ids(inactive), (std::vector<std::int64_t>{second.id}));
  inactive.scope_id.clear();
  inactive.limit = 1;
  inactive.offset = 1;
  EXPECT_EQ(ids(inactive), (std::vector<std::int64_t>{second.id}));
  active = {};
  active.active_at = kT0 + 50;
  EXPECT_EQ(ids(active), (std::vector<std::int64_t>{regranted.id}));
  active.inactive_at = kT0 + 50;  // both: nothing is
  EXPECT_TRUE(ids(active).empty());
}

// Random posture state through the Store; the SQL counts must equal the in-memory reference over
// what the store holds, and the store's exempt ids must equal posture::applyExemptions'.
TEST_P(StoreSuite, PostureSqlCountsEqualTheInMemoryReference) {
  const auto catalogue = posture::builtinCatalogue();
  ASSERT_TRUE(catalogue) << catalogue.error().message;
  const auto& recommendations = catalogue->recommendations();
  for (unsigned seed : {1U, 2U, 3U}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    store_.reset();
    SetUp();
    std::mt19937 random(seed);
    const auto pick = [&](std::size_t n) {
      return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
    };
    std::vector<Resource> resources;
    std::vector<Assessment> expected;
    for (int h = 0; h < 3; ++h) {
      const std::string host = "host-" + std::to_string(h);
      const Resource root = posture::hostResource(host);
      AssessmentBatch batch;
      batch.resources.push_back(root);
      for (int c = 0; c < 6; ++c) {
        batch.resources.push_back(posture::dockerContainerResource(
            host, std::string(63, static_cast<char>('a' + c)) + std::to_string(h),
            "c" + std::to_string(c)));
      }
      for (const Resource& resource : batch.resources) {
        const std::size_t n = pick(6);
        std::set<std::string> sources;
        for (std::size_t i = 0; i < n; ++i) {
          const auto& recommendation = recommendations[pick(recommendations.size())];
          const std::string source = "src-" + std::to_string(pick(8));
          if (!sources.insert(source).second) continue;
          Assessment a = assessment(resource, source, static_cast<Health>(pick(4)),
                                    recommendation.id, recommendation.control);
          batch.assessments.push_back(a);
        }
        resources.push_back(resource);
      }
      batch.scope_id = root.id;
      batch.at = kT0;
      MUST(store().applyAssessments(batch));
    }
    // Some containers of host-0 go away in a complete run.
    {
      AssessmentBatch rerun;
      rerun.scope_id = resources[0].id;
      rerun.resources = {resources[0], resources[1], resources[2]};
      rerun.complete = true;
      rerun.at = kT0 + 1;
      AssessmentQuery kept;
      kept.resource_id = resources[1].id;
      kept.limit = 1000;
      rerun.assessments = MUST(store().queryAssessments(kept)).assessments;
      kept.resource_id = resources[2].id;
      for (auto& a : MUST(store().queryAssessments(kept)).assessments) {
        rerun.assessments.push_back(a);
      }
      kept.resource_id = resources[0].id;
      for (auto& a : MUST(store().queryAssessments(kept)).assessments) {
        rerun.assessments.push_back(a);
      }
      EXPECT_EQ(MUST(store().applyAssessments(rerun)).gone, 4);
    }
    // Exemptions of random stored assessments' recommendations, scoped to the resource or to
    // its host, half of them for the one source only.
    AssessmentQuery before;
    before.include_gone = true;
    before.limit = 10'000;
    const auto candidates = MUST(store().queryAssessments(before)).assessments;
    ASSERT_FALSE(candidates.empty());
    std::map<std::string, std::string> parent_of;
    for (const Resource& resource : resources) parent_of[resource.id] = resource.parent_id;
    std::vector<bulwark::model::Exemption> exemptions;
    for (int e = 0; e < 8; ++e) {
      const Assessment& target = candidates[pick(candidates.size())];
      bulwark::model::Exemption exemption;
      exemption.recommendation = target.recommendation;
      const std::string& parent = parent_of[target.resource_id];
      exemption.scope_id = e % 3 == 0 && !parent.empty() ? parent : target.resource_id;
      exemption.source = e % 2 == 0 ? "" : target.source;
      exemption.reason = "random";
      exemption.created_at = kT0 + 2;
      exemption.expires_at = kT0 + kDay;
      auto added = store().addExemption(exemption);
      if (added) exemptions.push_back(*added);  // a random duplicate is refused: fine
    }

    AssessmentQuery all;
    all.include_gone = true;
    all.limit = 10'000;
    const auto stored = MUST(store().queryAssessments(all));
    ASSERT_GT(stored.total, 20);
    std::vector<Assessment> held = stored.assessments;
    ResourceQuery everything;
    everything.include_gone = true;
    everything.limit = 1000;
    posture::ResourceIdSet gone;
    std::vector<Resource> models;
    for (const auto& record : MUST(store().queryResources(everything)).resources) {
      if (record.resource.gone_at) gone.insert(record.resource.id);
      models.push_back(record.resource);
    }
    EXPECT_EQ(gone.size(), 4U);

    // The store's exempt ids are posture::applyExemptions' over the same data.
    std::vector<Assessment> reference = held;
    posture::applyExemptions(reference, exemptions, posture::parentMap(models), kT0 + 3);
    std::int64_t exempted = 0;
    for (std::size_t i = 0; i < held.size(); ++i) {
      EXPECT_EQ(held[i].exempt_id, reference[i].exempt_id)
          << held[i].resource_id << " " << held[i].source;
      exempted += held[i].exempt_id != 0 ? 1 : 0;
    }
    EXPECT_GT(exempted, 0);

    const auto controls = posture::countControls(*catalogue, held, gone);
    std::map<std::string, PostureControlCount> sql_controls;
    for (const auto& count : MUST(store().controlCounts())) sql_controls[count.control] = count;
    for (const auto& count : controls) {
      const auto found = sql_controls.find(count.control);
      const PostureControlCount got =
          found != sql_controls.end() ? found->second : PostureControlCount{count.control};
      EXPECT_EQ(got, (PostureControlCount{count.control, count.healthy, count.unhealthy,
                                          count.not_evaluated, count.exempt}))
          << count.control;
    }
    EXPECT_LE(sql_controls.size(), controls.size());

    const auto by_recommendation = posture::countRecommendations(*catalogue, held, gone);
    std::map<std::string, PostureRecommendationCount> sql_recommendations;
    for (const auto& count : MUST(store().recommendationCounts())) {
      sql_recommendations[count.recommendation] = count;
    }
    std::int64_t only = 0;
    for (const auto& count : by_recommendation) {
      const auto found = sql_recommendations.find(count.recommendation);
      const PostureRecommendationCount got = found != sql_recommendations.end()
                                                 ? found->second
                                                 : PostureRecommendationCount{count.recommendation};
      EXPECT_EQ(got, (PostureRecommendationCount{
                         count.recommendation, count.healthy, count.unhealthy, count.not_evaluated,
                         count.not_applicable, count.exempt, count.unhealthy_only}))
          << count.recommendation;
      only += count.unhealthy_only;
    }
    EXPECT_GT(only, 0);
  }
}

TEST_P(StoreSuite, PostureQueryResourcesFiltersSortsAndPages) {
  const HostTree tree;
  MUST(store().applyAssessments(run(tree, kT0,
                                    {assessment(tree.c1, "BW-DKR-505", Health::Unhealthy),
                                     assessment(tree.c2, "BW-DKR-505", Health::Healthy)})));
  Resource cluster = posture::clusterResource("prod");
  Resource ns = posture::namespaceResource("prod", "shop_100%");
  AssessmentBatch k8s;
  k8s.resources = {cluster, ns};
  k8s.at = kT0 + 5;
  MUST(store().applyAssessments(k8s));

  const auto names = [&](const ResourceQuery& query) {
    std::vector<std::string> out;
    for (const auto& record : MUST(store().queryResources(query)).resources) {
      out.push_back(record.resource.name);
    }
    return out;
  };
  ResourceQuery query;
  EXPECT_EQ(names(query), (std::vector<std::string>{"db-1", "h1", "prod", "shop_100%", "web-1"}));
  query.types = {ResourceType::Host, ResourceType::Cluster};
  EXPECT_EQ(names(query), (std::vector<std::string>{"h1", "prod"}));
  query = {};
  query.parent_id = "";
  EXPECT_EQ(names(query), (std::vector<std::string>{"h1", "prod"}));
  query.parent_id = tree.host.id;
  EXPECT_EQ(names(query), (std::vector<std::string>{"db-1", "web-1"}));
  query = {};
  query.scope_id = tree.host.id;
  EXPECT_EQ(names(query), (std::vector<std::string>{"db-1", "h1", "web-1"}));
  query = {};
  query.health = Health::Unhealthy;
  EXPECT_EQ(names(query), (std::vector<std::string>{"web-1"}));
  query = {};
  query.sort = "health";
  EXPECT_EQ(names(query), (std::vector<std::string>{"web-1", "db-1", "h1", "prod", "shop_100%"}));
  query.sort = "last_seen";  // newest first: the cluster and its namespace
  const auto newest = names(query);
  EXPECT_EQ(std::set<std::string>(newest.begin(), newest.begin() + 2),
            (std::set<std::string>{"prod", "shop_100%"}));
  // Search is a case-insensitive substring; % and _ are plain characters.
  query = {};
  query.search = "WEB";
  EXPECT_EQ(names(query), (std::vector<std::string>{"web-1"}));
  query.search = "_100%";
  EXPECT_EQ(names(query), (std::vector<std::string>{"shop_100%"}));
  query.search = "p%1";  // a wildcard would match "shop_100%"
  EXPECT_TRUE(names(query).empty());
  // Pages.
  query = {};
  query.limit = 2;
  query.offset = 2;
  auto page = MUST(store().queryResources(query));
  EXPECT_EQ(page.total, 5);
  ASSERT_EQ(page.resources.size(), 2U);
  EXPECT_EQ(page.resources[0].resource.name, "prod");
  // Misuse.
  query = {};
  query.sort = "name; DROP TABLE posture_resources";
  EXPECT_EQ(store().queryResources(query).error().code, ErrorCode::Input);
  query = {};
  query.limit = -1;
  EXPECT_EQ(store().queryResources(query).error().code, ErrorCode::Input);
  query = {};
  query.scope_id = "'; --";
  EXPECT_EQ(store().queryResources(query).error().code, ErrorCode::Input);
  // Labels and attributes round-trip.
  Resource labelled = posture::hostResource("h9");
  labelled.labels = {{"team", "payments"}, {"quote", "a\"b"}};
  labelled.attrs = {{"docker_version", "26.1.4"}};
  AssessmentBatch one;
  one.resources = {labelled};
  one.at = kT0;
  MUST(store().applyAssessments(one));
  const auto got = MUST(store().getResource(labelled.id));
  EXPECT_EQ(got->resource.labels, labelled.labels);
  EXPECT_EQ(got->resource.attrs, labelled.attrs);
}

TEST_P(StoreSuite, PostureQueryResourcesFilterOnLabels) {
  // Hosts with labels; a filter keeps those that have every wanted label with exactly its value.
  const auto host = [](const std::string& name, std::map<std::string, std::string> labels) {
    Resource resource = posture::hostResource(name);
    resource.labels = std::move(labels);
    return resource;
  };
  AssessmentBatch batch;
  batch.resources = {host("h1", {{"team", "payments"}, {"env", "prod"}}),
                     host("h2", {{"team", "payments"}, {"env", "dev"}}),
                     host("h3", {{"app.kubernetes.io/name", "web"}, {"Team", "Payments"}}),
                     host("h4", {{"quote", "a\"b"}, {"pct", "100%"}, {"empty", ""}}),
                     host("h5", {}),
                     host("h6", {{"team", "payments-eu"}, {"n", "1"}})};
  batch.at = kT0;
  MUST(store().applyAssessments(batch));
  // A container under h1 with the same labels: the type filter and labels combine.
  Resource container = posture::dockerContainerResource("h1", std::string(64, 'c'), "c1");
  container.labels = {{"team", "payments"}};
  AssessmentBatch child;
  child.resources = {container};
  child.at = kT0;
  MUST(store().applyAssessments(child));

  const auto names = [&](std::map<std::string, std::string> labels,
                         std::vector<ResourceType> types = {ResourceType::Host}) {
    ResourceQuery query;
    query.labels = std::move(labels);
    query.types = std::move(types);
    const auto page = MUST(store().queryResources(query));
    std::vector<std::string> out;
    for (const auto& record : page.resources) out.push_back(record.resource.name);
    EXPECT_EQ(page.total, static_cast<std::int64_t>(out.size()));
    return out;
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(names({}), (Names{"h1", "h2", "h3", "h4", "h5", "h6"}));
  EXPECT_EQ(names({{"team", "payments"}}), (Names{"h1", "h2"}));  // exact: not payments-eu
  EXPECT_EQ(names({{"team", "payments"}}, {}), (Names{"c1", "h1", "h2"}));
  EXPECT_EQ(names({{"team", "payments"}, {"env", "prod"}}), (Names{"h1"}));
  EXPECT_EQ(names({{"team", "payments"}, {"env", "staging"}}), Names{});
  EXPECT_EQ(names({{"env", "PROD"}}), Names{});       // values are case-sensitive
  EXPECT_EQ(names({{"team", "Payments"}}), Names{});  // and keys
  EXPECT_EQ(names({{"Team", "Payments"}}), (Names{"h3"}));
  EXPECT_EQ(names({{"app.kubernetes.io/name", "web"}}), (Names{"h3"}));  // no JSON path
  EXPECT_EQ(names({{"quote", "a\"b"}}), (Names{"h4"}));
  EXPECT_EQ(names({{"pct", "100%"}}), (Names{"h4"}));
  EXPECT_EQ(names({{"pct", "1%"}}), Names{});  // no wildcards
  EXPECT_EQ(names({{"empty", ""}}), (Names{"h4"}));
  EXPECT_EQ(names({{"missing", ""}}), Names{});  // absent is not empty
  EXPECT_EQ(names({{"n", "1"}}), (Names{"h6"}));
  EXPECT_EQ(names({{"team\":\"payments", "x"}}), Names{});
  // Paging counts the filtered rows.
  ResourceQuery query;
  query.labels = {{"team", "payments"}};
  query.limit = 1;
  query.offset = 1;
  const auto page = MUST(store().queryResources(query));
  EXPECT_EQ(page.total, 3);
  ASSERT_EQ(page.resources.size(), 1U);
  EXPECT_EQ(page.resources[0].resource.name, "h1");
}

TEST_P(StoreSuite, PostureQueryAssessmentsFilters) {
  const HostTree tree;
  MUST(store().applyAssessments(
      run(tree, kT0,
          {assessment(tree.c1, "BW-DKR-505", Health::Unhealthy),
           assessment(tree.c1, "BW-DKR-511", Health::NotEvaluated, "BW-REC-050", "CTL-CONF"),
           assessment(tree.c2, "BW-DKR-505", Health::Healthy),
           assessment(tree.host, "BW-DKR-101", Health::Unhealthy, "BW-REC-020", "CTL-HOST")})));
  const auto count = [&](const AssessmentQuery& query) {
    return MUST(store().queryAssessments(query)).total;
  };
  AssessmentQuery query;
  EXPECT_EQ(count(query), 4);
  query.recommendation = "BW-REC-010";
  EXPECT_EQ(count(query), 2);
  query.status = Health::Unhealthy;
  EXPECT_EQ(count(query), 1);
  query = {};
  query.control = "CTL-HOST";
  EXPECT_EQ(count(query), 1);
  query = {};
  query.kind = SourceKind::Rule;
  EXPECT_EQ(count(query), 0);
  query = {};
  query.exempt = true;
  EXPECT_EQ(count(query), 0);
  query.exempt = false;
  EXPECT_EQ(count(query), 4);
  query = {};
  query.scope_id = tree.c1.id;
  EXPECT_EQ(count(query), 2);
  query.limit = 1;
  query.offset = 1;
  const auto page = MUST(store().queryAssessments(query));
  ASSERT_EQ(page.assessments.size(), 1U);
  EXPECT_EQ(page.assessments[0].source, "BW-DKR-511");  // by resource, then source
  EXPECT_EQ(page.assessments[0].status, Health::NotEvaluated);
}

TEST_P(StoreSuite, PostureQueryAssessmentsByResourceTypeAndNameSorted) {
  // BW-REC-010 on h1's containers web-1 (unhealthy, critical, since t0 + 2), db-1 (healthy,
  // since t0) and the cluster's workload "api_1%" (unhealthy, high, since t0 + 1).
  const HostTree tree;
  auto web = assessment(tree.c1, "BW-DKR-505", Health::Healthy);
  const auto db = assessment(tree.c2, "BW-DKR-505", Health::Healthy);
  MUST(store().applyAssessments(run(tree, kT0, {web, db})));
  web.status = Health::Unhealthy;  // web-1 turns unhealthy at t0 + 2
  web.severity = Severity::Critical;
  MUST(store().applyAssessments(run(tree, kT0 + 2, {web, db})));
  const Resource cluster = posture::clusterResource("prod");
  const Resource ns = posture::namespaceResource("prod", "shop");
  const Resource workload = posture::workloadResource("prod", "shop", "Deployment", "api_1%");
  AssessmentBatch k8s;
  k8s.resources = {cluster, ns, workload};
  k8s.assessments = {assessment(workload, "BW-K8S-001", Health::Unhealthy)};
  k8s.at = kT0 + 1;
  MUST(store().applyAssessments(k8s));

  const auto names = [&](const AssessmentQuery& query) {
    const auto page = MUST(store().queryAssessments(query));
    std::vector<std::string> out;
    for (const auto& found : page.assessments) {
      out.push_back(MUST(store().getResource(found.resource_id))->resource.name);
    }
    EXPECT_EQ(page.total, static_cast<std::int64_t>(out.size()));
    return out;
  };
  using Names = std::vector<std::string>;
  const std::string api_name = "Deployment/api_1%";  // a workload's name has its kind
  AssessmentQuery query;
  query.recommendation = "BW-REC-010";
  query.sort = "name";
  EXPECT_EQ(names(query), (Names{api_name, "db-1", "web-1"}));
  query.descending = true;
  EXPECT_EQ(names(query), (Names{"web-1", "db-1", api_name}));
  // Severity: by status (unhealthy first), then severity, then name.
  query.sort = "severity";
  EXPECT_EQ(names(query), (Names{"web-1", api_name, "db-1"}));
  query.descending = false;
  EXPECT_EQ(names(query), (Names{"db-1", api_name, "web-1"}));
  // Since: status_since, newest first.
  query.sort = "since";
  query.descending = true;
  EXPECT_EQ(names(query), (Names{"web-1", api_name, "db-1"}));
  query.descending = false;
  EXPECT_EQ(names(query), (Names{"db-1", api_name, "web-1"}));
  // Resource types and a search on the name or key (case-insensitive, no wildcards).
  query = {};
  query.recommendation = "BW-REC-010";
  query.resource_types = {ResourceType::Workload};
  EXPECT_EQ(names(query), (Names{api_name}));
  query.resource_types = {ResourceType::Container, ResourceType::Host};
  EXPECT_EQ(names(query).size(), 2U);
  query.resource_types = {ResourceType::Image};
  EXPECT_TRUE(names(query).empty());
  query = {};
  query.recommendation = "BW-REC-010";
  query.search = "WEB";
  EXPECT_EQ(names(query), (Names{"web-1"}));
  query.search = "_1%";
  EXPECT_EQ(names(query), (Names{api_name}));
  query.search = "i%1";  // a wildcard would match "api_1%"
  EXPECT_TRUE(names(query).empty());
  query.search = "h1";  // the containers' keys name their host
  EXPECT_EQ(names(query).size(), 2U);
  // Paging follows the sort.
  query = {};
  query.recommendation = "BW-REC-010";
  query.sort = "severity";
  query.descending = true;
  query.limit = 1;
  query.offset = 1;
  const auto page = MUST(store().queryAssessments(query));
  EXPECT_EQ(page.total, 3);
  ASSERT_EQ(page.assessments.size(), 1U);
  EXPECT_EQ(MUST(store().getResource(page.assessments[0].resource_id))->resource.name, api_name);
  // Another sort is refused.
  query.sort = "r.name; DROP TABLE posture_assessments";
  EXPECT_EQ(store().queryAssessments(query).error().code, ErrorCode::Input);
}

TEST_P(StoreSuite, PostureScoreHistoryKeepsExactPoints) {
  const std::vector<ScorePoint> points = {
      {"", kT0, 19.486 / 32 * 100, 32, 0, 0},
      {"CTL-VULN", kT0, 6.0 * 8 / 14, 6, 8, 6},
      {"CTL-VULN", kT0 + 3'600'000, 6.0 * 9 / 14, 6, 9, 5},
  };
  MUST(store().appendScore(points));
  auto all = MUST(store().scoreHistory(0, kT0 + kDay, std::nullopt));
  EXPECT_EQ(all, points);  // by at, then control; doubles exact
  auto vuln = MUST(store().scoreHistory(kT0 + 1, kT0 + kDay, std::string("CTL-VULN")));
  ASSERT_EQ(vuln.size(), 1U);
  EXPECT_EQ(vuln[0].healthy, 9);
  auto total = MUST(store().scoreHistory(0, kT0 + kDay, std::string()));
  ASSERT_EQ(total.size(), 1U);
  EXPECT_EQ(total[0].control, "");
  // A repeated (control, at) replaces the point.
  const std::vector<ScorePoint> again = {{"CTL-VULN", kT0, 6.0, 6, 14, 0}};
  MUST(store().appendScore(again));
  all = MUST(store().scoreHistory(0, kT0 + kDay, std::nullopt));
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[1], again[0]);
}

TEST_P(StoreSuite, AlertStatusIsSetAndRead) {
  AlertRecord alert;
  alert.alert_id = "6f1c2a3b-0000-4abc-9def-0000000000aa";
  alert.rule = "Privileged container started";
  alert.time_ms = kT0;
  alert.received_ms = kT0 + 1;
  alert.status = bulwark::model::AlertStatus::Resolved;  // ignored: new alerts are "new"
  alert.status_comment = "ignored too";
  ASSERT_EQ(MUST(store().addAlerts(std::vector<AlertRecord>{alert})).inserted, 1);
  auto stored = MUST(store().getAlert(alert.alert_id));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->status, bulwark::model::AlertStatus::New);
  EXPECT_FALSE(stored->status_at.has_value());
  EXPECT_EQ(stored->status_comment, "");

  // The comment is kept as given (quotes, newlines, UTF-8) and read by every alert read.
  const std::string comment = "a debugging session: 'kubectl exec' by \"ops\"\nsee INC-42 \xc3\xa9";
  MUST(store().setAlertStatus(alert.alert_id, bulwark::model::AlertStatus::Dismissed, "admin",
                              kT0 + 10, comment));
  stored = MUST(store().getAlert(alert.alert_id));
  EXPECT_EQ(stored->status, bulwark::model::AlertStatus::Dismissed);
  EXPECT_EQ(stored->status_at, kT0 + 10);
  EXPECT_EQ(stored->status_by, "admin");
  EXPECT_EQ(stored->status_comment, comment);
  AlertQuery query;
  const auto page = MUST(store().queryAlerts(query));
  ASSERT_EQ(page.alerts.size(), 1U);
  EXPECT_EQ(page.alerts[0].status, bulwark::model::AlertStatus::Dismissed);
  EXPECT_EQ(page.alerts[0].status_comment, comment);
  const auto fed = MUST(store().alertsReceivedAfter(FeedMark{}, 10));
  ASSERT_EQ(fed.size(), 1U);
  EXPECT_EQ(fed[0].status_comment, comment);
  // A later status without a comment clears it: the comment explains the current status.
  MUST(
      store().setAlertStatus(alert.alert_id, bulwark::model::AlertStatus::Active, "bob", kT0 + 20));
  stored = MUST(store().getAlert(alert.alert_id));
  EXPECT_EQ(stored->status_by, "bob");
  EXPECT_EQ(stored->status_comment, "");
  EXPECT_EQ(store()
                .setAlertStatus("no-such-alert", bulwark::model::AlertStatus::Active, "admin", 1)
                .error()
                .code,
            ErrorCode::NotFound);
}

TEST_P(StoreSuite, LeaseHasOneHolderUntilItExpires) {
  EXPECT_TRUE(MUST(store().takeLease("posture", "server-a", kT0, kT0 + 30'000)));
  EXPECT_FALSE(MUST(store().takeLease("posture", "server-b", kT0 + 1, kT0 + 30'001)));
  EXPECT_TRUE(MUST(store().takeLease("posture", "server-a", kT0 + 2, kT0 + 60'000)));  // renew
  EXPECT_FALSE(MUST(store().takeLease("posture", "server-b", kT0 + 30'000, kT0 + 90'000)));
  EXPECT_TRUE(MUST(store().takeLease("other", "server-b", kT0, kT0 + 1)));  // another name
  // Expired: the next taker wins, and the old holder has lost it.
  EXPECT_TRUE(MUST(store().takeLease("posture", "server-b", kT0 + 60'000, kT0 + 90'000)));
  EXPECT_FALSE(MUST(store().takeLease("posture", "server-a", kT0 + 60'001, kT0 + 90'001)));
}

TEST_P(StoreSuite, SensorsKeepTheirLatestReport) {
  MUST(store().touchSensor({"agent-b", "node-1", "", kT0 + 10}));
  MUST(store().touchSensor({"agent-a", "node-2", "prod", kT0}));
  MUST(store().touchSensor({"agent-b", "node-1", "", kT0 + 5}));  // older: last_seen stays
  MUST(store().touchSensor({"agent-a", "node-1", "prod", kT0 + 1}));
  const auto sensors = MUST(store().listSensors());
  EXPECT_EQ(sensors, (std::vector<SensorRecord>{{"agent-a", "node-1", "prod", kT0 + 1},
                                                {"agent-a", "node-2", "prod", kT0},
                                                {"agent-b", "node-1", "", kT0 + 10}}));
}

TEST_P(StoreSuite, ScheduleClaimIsACompareAndSet) {
  MUST(store().putSchedule({"host:local", kT0, 0}));
  MUST(store().putSchedule({"cluster:prod", kT0 + 5, 0}));
  // Two servers saw next_run_at = kT0: one claim wins.
  EXPECT_TRUE(MUST(store().claimSchedule("host:local", kT0, kT0 + 3'600'000, 11)));
  EXPECT_FALSE(MUST(store().claimSchedule("host:local", kT0, kT0 + 3'600'000, 12)));
  EXPECT_FALSE(MUST(store().claimSchedule("host:none", kT0, kT0 + 1, 13)));
  EXPECT_EQ(MUST(store().listSchedules()),
            (std::vector<ScheduleRecord>{{"cluster:prod", kT0 + 5, 0},
                                         {"host:local", kT0 + 3'600'000, 11}}));
  EXPECT_EQ(store().putSchedule({"", 1, 0}).error().code, ErrorCode::Input);

  // addSchedule never moves a schedule another server made.
  EXPECT_FALSE(MUST(store().addSchedule({"host:local", kT0, 0})));
  EXPECT_TRUE(MUST(store().addSchedule({"host:web-2", kT0 + 7, 0})));
  EXPECT_EQ(MUST(store().listSchedules()),
            (std::vector<ScheduleRecord>{{"cluster:prod", kT0 + 5, 0},
                                         {"host:local", kT0 + 3'600'000, 11},
                                         {"host:web-2", kT0 + 7, 0}}));
  EXPECT_EQ(store().addSchedule({"", 1, 0}).error().code, ErrorCode::Input);
}

TEST_P(StoreSuite, RunsAreStartedFinishedAndListedNewestFirst) {
  PostureRun first;
  first.kind = "docker";
  first.target_key = "host:h1";
  first.source = "agent:h1";
  first.input_sha256 = std::string(64, 'c');
  first.started_at = kT0;
  const auto started = MUST(store().startRun(first));
  EXPECT_GT(started.id, 0);
  EXPECT_EQ(started.status, "running");
  PostureRun second = first;
  second.kind = "k8s";
  second.target_key = "cluster:prod";
  second.started_at = kT0 + 10;
  const auto other = MUST(store().startRun(second));

  PostureRun finished = started;
  finished.finished_at = kT0 + 5;
  finished.status = "done";
  finished.summary_json = R"({"containers":3})";
  finished.results = 117;
  finished.diagnostics_json = R"([{"kind":"docker.partial"}])";
  MUST(store().finishRun(finished));
  PostureRun missing = finished;
  missing.id = other.id + 100;
  EXPECT_EQ(store().finishRun(missing).error().code, ErrorCode::NotFound);

  const auto all = MUST(store().listRuns({}));
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0], other);
  EXPECT_EQ(all[1], finished);
  PostureRunQuery for_host;
  for_host.target_key = "host:h1";
  EXPECT_EQ(MUST(store().listRuns(for_host)), std::vector<PostureRun>{finished});
  PostureRunQuery by_kind;
  by_kind.kind = "k8s";
  by_kind.limit = 1;
  EXPECT_EQ(MUST(store().listRuns(by_kind)), std::vector<PostureRun>{other});
  // countRuns: the matching runs, whatever the page.
  EXPECT_EQ(MUST(store().countRuns({})), 2);
  EXPECT_EQ(MUST(store().countRuns(for_host)), 1);
  by_kind.offset = 5;
  EXPECT_EQ(MUST(store().countRuns(by_kind)), 1);
  PostureRunQuery none;
  none.target_key = "host:h1";
  none.kind = "k8s";
  EXPECT_EQ(MUST(store().countRuns(none)), 0);
  EXPECT_TRUE(MUST(store().listRuns(none)).empty());
  PostureRun nameless;
  EXPECT_EQ(store().startRun(nameless).error().code, ErrorCode::Input);
}

TEST_P(StoreSuite, ResultChecksAreReplacedPerDigest) {
  const std::vector<ResultCheck> checks = {
      {"BW-IMG-003", bulwark::model::CheckStatus::Pass, Severity::Medium, "{}"},
      {"BW-IMG-001", bulwark::model::CheckStatus::Fail, Severity::High, R"({"user":""})"},
  };
  EXPECT_EQ(store().replaceResultChecks("sha256:none", checks).error().code, ErrorCode::NotFound);
  ScanResult scan;
  scan.digest = "sha256:0c";
  scan.inventory_json = "{}";
  MUST(store().saveResult(scan));
  MUST(store().replaceResultChecks(scan.digest, checks));
  EXPECT_EQ(MUST(store().resultChecks(scan.digest)),
            (std::vector<ResultCheck>{checks[1], checks[0]}));  // by check id
  const std::vector<ResultCheck> fewer = {
      {"BW-IMG-001", bulwark::model::CheckStatus::Pass, Severity::High, "{}"}};
  MUST(store().replaceResultChecks(scan.digest, fewer));
  EXPECT_EQ(MUST(store().resultChecks(scan.digest)), fewer);
  EXPECT_TRUE(MUST(store().resultChecks("sha256:none")).empty());
}

TEST_P(StoreSuite, InputsRoundTripOnceAndAreDeleted) {
  PostureInput input;
  input.sha256 = std::string(64, 'e');
  input.schema = "bulwark.docker-snapshot/v1";
  input.target_key = "host:h1";
  for (int i = 0; i < 5000; ++i) input.body += "{\"container\":" + std::to_string(i % 70) + "}";
  input.body += std::string("\0\xff\x01", 3);  // any byte survives
  input.received_at = kT0;
  EXPECT_TRUE(MUST(store().putInput(input)));
  PostureInput again = input;
  again.body = "other";
  EXPECT_FALSE(MUST(store().putInput(again)));  // the first is kept
  const auto stored = MUST(store().getInput(input.sha256));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(*stored, input);
  PostureInput tiny = input;
  tiny.sha256 = std::string(64, 'f');
  tiny.body = std::string("{}\0", 3);
  EXPECT_TRUE(MUST(store().putInput(tiny)));
  EXPECT_EQ(MUST(store().getInput(tiny.sha256)), tiny);
  EXPECT_FALSE(MUST(store().getInput(std::string(64, '0'))).has_value());
  MUST(store().deleteInput(input.sha256));
  EXPECT_FALSE(MUST(store().getInput(input.sha256)).has_value());
  EXPECT_EQ(store().deleteInput(input.sha256).error().code, ErrorCode::NotFound);
}

// ---- posture API queries (P4) -----------------------------------------------------------------

namespace {

FindingRecord crossFinding(const std::string& id, const std::string& package, Severity severity,
                           const std::string& fixed = "") {
  FindingRecord record;
  record.vulnerability_id = id;
  record.package_name = package;
  record.installed_version = "1.0";
  record.fixed_version = fixed;
  record.severity = severity;
  record.detail_json = "{}";
  return record;
}

ScanResult crossResult(const std::string& digest, std::vector<FindingRecord> findings, Millis at) {
  ScanResult scan;
  scan.digest = digest;
  scan.inventory_json = R"({"packages":[]})";
  scan.findings = std::move(findings);
  scan.metadata.db_build_id = "db-1";
  scan.metadata.scanned_at = at;
  scan.metadata.evaluated_at = at;
  return scan;
}

std::vector<std::string> crossRows(const Store::CrossFindingPage& page) {
  std::vector<std::string> out;
  for (const auto& row : page.findings) {
    out.push_back(row.finding.vulnerability_id + " " + row.registry + "/" + row.repository + "@" +
                  row.digest.substr(7, 1));
  }
  return out;
}

}  // namespace

TEST_P(StoreSuite, FindingsAcrossImagesFilterSortAndPage) {
  const std::string a = "sha256:" + std::string(64, 'a');
  const std::string b = "sha256:" + std::string(64, 'b');
  const std::string c = "sha256:" + std::string(64, 'c');
  MUST(store().recordPush("r1", "app", a, "latest", kT0));
  MUST(store().recordPush("r1", "web", a, "v1", kT0));  // one digest, two repositories
  MUST(store().recordPush("r2", "app", b, "latest", kT0));
  MUST(store().saveResult(crossResult(a,
                                      {crossFinding("CVE-1", "openssl", Severity::Critical, "3.1"),
                                       crossFinding("CVE-2", "curl", Severity::Low)},
                                      kT0)));
  MUST(store().saveResult(crossResult(b,
                                      {crossFinding("CVE-1", "openssl", Severity::Critical, "3.1"),
                                       crossFinding("CVE-3", "zlib", Severity::High)},
                                      kT0 + kDay)));
  // A result no image row points at is not listed, though it counts in `images`.
  MUST(store().saveResult(
      crossResult(c, {crossFinding("CVE-1", "openssl", Severity::Critical)}, kT0)));

  Store::CrossFindingQuery query;
  auto page = MUST(store().crossImageFindings(query));
  EXPECT_EQ(page.total, 6);
  EXPECT_EQ(crossRows(page),
            (std::vector<std::string>{"CVE-1 r1/app@a", "CVE-1 r1/web@a", "CVE-1 r2/app@b",
                                      "CVE-3 r2/app@b", "CVE-2 r1/app@a", "CVE-2 r1/web@a"}));
  EXPECT_EQ(page.findings[0].images, 3);
  EXPECT_EQ(page.findings[3].images, 1);
  EXPECT_EQ(page.findings[0].finding.fixed_version, "3.1");
  EXPECT_EQ(page.findings[0].finding.severity, Severity::Critical);
  EXPECT_EQ(page.findings[0].digest, a);

  const auto count = [&](const std::function<void(Store::CrossFindingQuery&)>& set) {
    Store::CrossFindingQuery filtered;
    set(filtered);
    return MUST(store().crossImageFindings(filtered)).total;
  };
  EXPECT_EQ(count([](auto& q) { q.registry = "r2"; }), 2);
  EXPECT_EQ(count([](auto& q) { q.repository = "web"; }), 2);
  EXPECT_EQ(count([](auto& q) { q.min_severity = Severity::High; }), 4);
  EXPECT_EQ(count([](auto& q) { q.fixable_only = true; }), 3);
  EXPECT_EQ(count([](auto& q) { q.search = "OPEN"; }), 3);
  EXPECT_EQ(count([](auto& q) { q.search = "cve-2"; }), 2);
  EXPECT_EQ(count([](auto& q) { q.search = "%"; }), 0);  // no wildcard of the user's
  EXPECT_EQ(count([](auto& q) { q.vulnerability = "CVE-3"; }), 1);
  EXPECT_EQ(count([](auto& q) { q.vulnerability = "CVE-9"; }), 0);

  query.sort = "package";
  EXPECT_EQ(MUST(store().crossImageFindings(query)).findings.front().finding.package_name, "curl");
  query.sort = "images";
  EXPECT_EQ(MUST(store().crossImageFindings(query)).findings.front().finding.vulnerability_id,
            "CVE-1");
  query.sort = "id";
  EXPECT_EQ(crossRows(MUST(store().crossImageFindings(query))).front(), "CVE-1 r1/app@a");
  query.sort = "first_seen";
  const auto newest = MUST(store().crossImageFindings(query));
  for (std::size_t i = 1; i < newest.findings.size(); ++i) {
    EXPECT_GE(newest.findings[i - 1].finding.first_seen, newest.findings[i].finding.first_seen);
  }
  query.sort = "severity";
  query.limit = 2;
  query.offset = 4;
  page = MUST(store().crossImageFindings(query));
  EXPECT_EQ(page.total, 6);
  EXPECT_EQ(crossRows(page), (std::vector<std::string>{"CVE-2 r1/app@a", "CVE-2 r1/web@a"}));
  query.sort = "severity; DROP TABLE findings";
  EXPECT_EQ(store().crossImageFindings(query).error().code, ErrorCode::Input);
  query.sort = "id";
  query.offset = -1;
  EXPECT_EQ(store().crossImageFindings(query).error().code, ErrorCode::Input);
}
