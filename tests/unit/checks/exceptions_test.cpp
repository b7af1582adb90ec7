// Check exceptions: the `misconfigurations:` section of the ignore file, scopes with globs,
// expiry (a warning, and the exception stops applying), and unknown ids.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "checks/check.h"
#include "checks/exceptions.h"

namespace {

using bulwark::model::CheckResult;
using bulwark::model::CheckStatus;
using namespace std::chrono;

constexpr std::string_view kFile =
    "vulnerabilities:\n"
    "  - id: CVE-2024-1\n"
    "misconfigurations:\n"
    "  - id: BW-DKR-510\n"
    "    resources: [\"container:node-exporter\", \"container:monitoring-*\"]\n"
    "    reason: node-exporter reads host network counters\n"
    "    expires: 2027-03-31\n"
    "  - id: BW-DKR-2*\n"
    "    statement: lab host\n"
    "    expired_at: 2026-01-01\n"
    "  - id: BW-IMG-001\n"
    "    resources: image:registry.example/app:*\n"
    "    reason: distroless nonroot is set at run time\n"
    "    expires: 2027-01-01\n";

CheckResult result(const std::string& id, const std::string& resource, CheckStatus status) {
  CheckResult r;
  r.check_id = id;
  r.resource = resource;
  r.status = status;
  return r;
}

TEST(Exceptions, ParsesTheMisconfigurationsSection) {
  const auto parsed = bulwark::checks::parseExceptions(kFile, ".bulwarkignore.yaml");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 3U);
  const auto& first = (*parsed)[0];
  EXPECT_EQ(first.check, "BW-DKR-510");
  EXPECT_EQ(first.resources.size(), 2U);
  EXPECT_EQ(first.reason, "node-exporter reads host network counters");
  ASSERT_TRUE(first.expires.has_value());
  EXPECT_EQ(*first.expires, year_month_day(year(2027), month(3), day(31)));
  EXPECT_EQ(first.source, ".bulwarkignore.yaml:4");
  EXPECT_EQ((*parsed)[1].reason, "lab host");
  EXPECT_EQ((*parsed)[2].resources, std::vector<std::string>{"image:registry.example/app:*"});
}

TEST(Exceptions, RejectsBadEntriesWithTheirLines) {
  const auto parsed = bulwark::checks::parseExceptions(
      "misconfigurations:\n"
      "  - id: BW-DKR-510\n"
      "    reason: no expiry\n"
      "  - id: BW-DKR-511\n"
      "    expires: someday\n"
      "  - resource: [x]\n"
      "    expires: 2027-01-01\n"
      "  - just a string\n",
      "x.yaml");
  ASSERT_FALSE(parsed.has_value());
  const std::string& message = parsed.error().message;
  EXPECT_NE(message.find("x.yaml:2: the exception for BW-DKR-510 needs 'expires'"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("x.yaml:5: 'expires' is not a date"), std::string::npos) << message;
  EXPECT_NE(message.find("x.yaml:6: unknown key 'resource'"), std::string::npos) << message;
  EXPECT_NE(message.find("x.yaml:8: an entry is a mapping"), std::string::npos) << message;
  EXPECT_FALSE(bulwark::checks::parseExceptions("misconfigurations: {a: b}\n", "x").has_value());
  EXPECT_FALSE(bulwark::checks::parseExceptions("misconfigurations: [\n", "x").has_value());
  const auto none = bulwark::checks::parseExceptions("vulnerabilities: []\n", "x");
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

TEST(Exceptions, AppliesWithGlobsAndKeepsStatus) {
  const auto parsed = bulwark::checks::parseExceptions(kFile, ".bulwarkignore.yaml");
  ASSERT_TRUE(parsed.has_value());
  std::vector<CheckResult> results = {
      result("BW-DKR-510", "container:node-exporter", CheckStatus::Fail),
      result("BW-DKR-510", "container:monitoring-grafana", CheckStatus::Fail),
      result("BW-DKR-510", "container:web", CheckStatus::Fail),
      result("BW-DKR-511", "container:node-exporter", CheckStatus::Fail),
      result("BW-IMG-001", "image:registry.example/app:1.2", CheckStatus::Fail),
      result("BW-DKR-202", "docker-host:lab", CheckStatus::Fail)};
  bulwark::core::Diagnostics diagnostics;
  bulwark::checks::applyExceptions(results, *parsed, year_month_day(year(2026), month(11), day(23)),
                                   diagnostics);
  ASSERT_TRUE(results[0].suppression.has_value());
  EXPECT_EQ(results[0].status, CheckStatus::Fail) << "a suppressed result keeps its status";
  EXPECT_EQ(results[0].suppression->reason, "node-exporter reads host network counters");
  EXPECT_EQ(results[0].suppression->expires, "2027-03-31");
  EXPECT_EQ(results[0].suppression->source, ".bulwarkignore.yaml:4");
  EXPECT_TRUE(results[1].suppression.has_value());
  EXPECT_FALSE(results[2].suppression.has_value());
  EXPECT_FALSE(results[3].suppression.has_value());
  EXPECT_TRUE(results[4].suppression.has_value()) << "'*' crosses '/' in resource names";
  EXPECT_FALSE(results[5].suppression.has_value()) << "expired";
  const auto all = diagnostics.sorted();
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].kind, "checks.exception-expired");
  EXPECT_EQ(all[0].where, ".bulwarkignore.yaml:8");
  EXPECT_EQ(all[0].detail, "exception for BW-DKR-2* expired on 2026-01-01");
}

TEST(Exceptions, ExpiresAtTheStartOfItsDate) {
  bulwark::checks::Exception e;
  e.check = "BW-X-1";
  e.expires = year_month_day(year(2027), month(3), day(31));
  EXPECT_FALSE(e.expiredOn(year_month_day(year(2027), month(3), day(30))));
  EXPECT_TRUE(e.expiredOn(year_month_day(year(2027), month(3), day(31))));
}

TEST(Exceptions, UnknownIdsAreAUsageError) {
  bulwark::checks::CheckSet set;
  bulwark::checks::Check check;
  check.id = "BW-DKR-510";
  set.checks.push_back(check);
  bulwark::checks::Exception known;
  known.check = "BW-DKR-5*";
  known.source = "f:2";
  bulwark::checks::Exception unknown;
  unknown.check = "BW-DKR-999";
  unknown.source = "f:6";
  EXPECT_TRUE(bulwark::checks::checkExceptionIds(std::vector{known}, set).has_value());
  const auto bad = bulwark::checks::checkExceptionIds(std::vector{known, unknown}, set);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, bulwark::core::ErrorCode::Usage);
  EXPECT_EQ(bad.error().message, "f:6: no check has the id \"BW-DKR-999\"");
}

}  // namespace
