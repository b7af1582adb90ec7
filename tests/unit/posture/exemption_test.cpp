// Exemptions: validation of what users send, scope by ancestry, source, expiry and revocation
// (posture/exemption.h; docs/dev/posture-design.md §4.1).
#include "posture/exemption.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "loaded_catalogue.h"
#include "posture/resource_key.h"

namespace bulwark::posture {
namespace {

constexpr std::int64_t kNow = 1'750'000'000'000;

const model::Resource kRegistry = registryResource("local");
const model::Resource kRepository = repositoryResource("local", "shop/api");
const model::Resource kImage = imageResource("local", "shop/api", "sha256:1");
const model::Resource kOtherImage = imageResource("local", "shop/web", "sha256:2");

model::Exemption valid() {
  model::Exemption e;
  e.id = 7;
  e.recommendation = "BW-REC-001";
  e.scope_id = kRepository.id;
  e.category = model::ExemptionCategory::RiskAccepted;
  e.reason = "internal tool, not reachable from outside";
  e.created_by = "admin";
  e.created_at = kNow;
  e.expires_at = kNow + 90 * kDayMs;
  return e;
}

std::string problem(const model::Exemption& e) {
  const auto status = validateExemption(e, loadedCatalogue(), kNow);
  if (status) return "";
  EXPECT_EQ(status.error().code, core::ErrorCode::Input);
  return status.error().message;
}

TEST(ValidateExemption, AcceptsAGoodOne) {
  EXPECT_EQ(problem(valid()), "");
  auto one_source = valid();
  one_source.recommendation = "BW-REC-011";
  one_source.source = "BW-DKR-510";
  EXPECT_EQ(problem(one_source), "");
  auto derived = valid();
  derived.source = "vuln:severe";
  EXPECT_EQ(problem(derived), "");
  auto multiline = valid();
  multiline.reason = "line one\n\tline two — mitigated by the WAF";
  EXPECT_EQ(problem(multiline), "");
}

TEST(ValidateExemption, RefusesWhatUsersGetWrong) {
  const auto refused = [](auto change, std::string_view expected) {
    auto e = valid();
    change(e);
    const std::string message = problem(e);
    EXPECT_NE(message.find(expected), std::string::npos)
        << "expected \"" << expected << "\", got \"" << message << "\"";
  };
  refused([](auto& e) { e.recommendation = "BW-REC-999"; }, "unknown recommendation");
  refused([](auto& e) { e.recommendation = ""; }, "unknown recommendation");
  refused([](auto& e) { e.scope_id = "local/shop"; }, "scope is not a resource id");
  refused([](auto& e) { e.scope_id = ""; }, "scope is not a resource id");
  refused([](auto& e) { e.source = "BW-DKR-510"; }, "BW-REC-001 has no source \"BW-DKR-510\"");
  refused([](auto& e) { e.reason = ""; }, "a reason is required");
  refused([](auto& e) { e.reason = " \n\t "; }, "a reason is required");
  refused([](auto& e) { e.reason = std::string(1001, 'x'); }, "longer than 1000 bytes");
  refused([](auto& e) { e.reason = "ok\x1b[31m"; }, "not UTF-8 text");
  refused([](auto& e) { e.reason = "bad \xff byte"; }, "not UTF-8 text");
  refused([](auto& e) { e.expires_at = 0; }, "expiry (expires_at) is required");
  refused([](auto& e) { e.expires_at = kNow; }, "not in the future");
  refused([](auto& e) { e.expires_at = kNow - kDayMs; }, "not in the future");
  refused([](auto& e) { e.expires_at = kNow + 732 * kDayMs; }, "more than two years ahead");
  auto exactly_1000 = valid();
  exactly_1000.reason = std::string(1000, 'x');
  EXPECT_EQ(problem(exactly_1000), "");
}

ParentMap tree() {
  const std::vector<model::Resource> resources = {kRegistry, kRepository, kImage, kOtherImage};
  return parentMap(resources);
}

TEST(Ancestry, WalksToTheRootAndSurvivesCycles) {
  EXPECT_EQ(ancestry(tree(), kImage.id),
            (std::vector<std::string>{kImage.id, kRepository.id, kRegistry.id}));
  EXPECT_EQ(ancestry(tree(), "0000000000000000"), std::vector<std::string>{"0000000000000000"});
  ParentMap cycle = {{"a", "b"}, {"b", "a"}};
  EXPECT_EQ(ancestry(cycle, "a"), (std::vector<std::string>{"a", "b"}));
  ParentMap self = {{"a", "a"}};
  EXPECT_EQ(ancestry(self, "a"), std::vector<std::string>{"a"});
}

model::Assessment assessment(const model::Resource& resource, std::string recommendation,
                             std::string source) {
  model::Assessment a;
  a.resource_id = resource.id;
  a.recommendation = std::move(recommendation);
  a.source = std::move(source);
  a.status = model::Health::Unhealthy;
  a.exempt_id = 99;  // stale: applyExemptions recomputes it
  return a;
}

TEST(ApplyExemptions, ScopeCoversTheResourceAndItsDescendants) {
  std::vector<model::Assessment> assessments = {
      assessment(kImage, "BW-REC-001", "vuln:severe"),
      assessment(kImage, "BW-REC-002", "vuln:fixable"),
      assessment(kOtherImage, "BW-REC-001", "vuln:severe"),
      assessment(kRepository, "BW-REC-001", "vuln:severe"),
  };
  const std::vector<model::Exemption> exemptions = {valid()};
  applyExemptions(assessments, exemptions, tree(), kNow);
  EXPECT_EQ(assessments[0].exempt_id, 7) << "an image below the repository";
  EXPECT_EQ(assessments[1].exempt_id, 0) << "another recommendation";
  EXPECT_EQ(assessments[2].exempt_id, 0) << "an image of another repository";
  EXPECT_EQ(assessments[3].exempt_id, 7) << "the scope itself";
  EXPECT_EQ(assessments[0].status, model::Health::Unhealthy) << "status is kept";
}

TEST(ApplyExemptions, SourceExpiryRevocationAndOrder) {
  const model::Resource host = hostResource("web-1");
  const model::Resource container = dockerContainerResource("web-1", "c1", "api");
  const std::vector<model::Resource> resources = {host, container};
  const ParentMap parents = parentMap(resources);

  auto by_source = valid();
  by_source.id = 3;
  by_source.recommendation = "BW-REC-011";
  by_source.scope_id = host.id;
  by_source.source = "BW-DKR-510";
  auto expired = by_source;
  expired.id = 1;
  expired.source = "";
  expired.expires_at = kNow - 1;
  auto revoked = expired;
  revoked.id = 2;
  revoked.expires_at = kNow + kDayMs;
  revoked.revoked_at = kNow - kHourMs;
  auto whole = by_source;
  whole.id = 5;
  whole.source = "";
  whole.scope_id = container.id;
  auto unsaved = whole;
  unsaved.id = 0;

  std::vector<model::Assessment> assessments = {
      assessment(container, "BW-REC-011", "BW-DKR-510"),
      assessment(container, "BW-REC-011", "BW-DKR-516"),
  };
  std::vector<model::Exemption> exemptions = {expired, revoked, by_source, unsaved};
  applyExemptions(assessments, exemptions, parents, kNow);
  EXPECT_EQ(assessments[0].exempt_id, 3) << "the named source, scope an ancestor";
  EXPECT_EQ(assessments[1].exempt_id, 0) << "other sources stay; expired and revoked don't apply";

  exemptions.push_back(whole);
  applyExemptions(assessments, exemptions, parents, kNow);
  EXPECT_EQ(assessments[0].exempt_id, 3) << "the lowest id of those that cover it";
  EXPECT_EQ(assessments[1].exempt_id, 5);

  applyExemptions(assessments, exemptions, parents, by_source.expires_at + 1);
  EXPECT_EQ(assessments[0].exempt_id, 0) << "every exemption has expired by then";
}

TEST(FindDuplicate, OneActivePerRecommendationScopeAndSource) {
  auto existing = valid();
  std::vector<model::Exemption> all = {existing};
  auto candidate = valid();
  candidate.id = 0;
  EXPECT_EQ(findDuplicate(all, candidate, kNow), &all[0]);
  candidate.source = "vuln:severe";
  EXPECT_EQ(findDuplicate(all, candidate, kNow), nullptr) << "another source";
  candidate.source = "";
  all[0].revoked_at = kNow - 1;
  EXPECT_EQ(findDuplicate(all, candidate, kNow), nullptr) << "revoked";
  all[0].revoked_at.reset();
  EXPECT_EQ(findDuplicate(all, candidate, existing.expires_at), nullptr) << "expired";
  EXPECT_TRUE(exemptionActive(existing, existing.expires_at - 1));
  EXPECT_FALSE(exemptionActive(existing, existing.expires_at));
}

}  // namespace
}  // namespace bulwark::posture
