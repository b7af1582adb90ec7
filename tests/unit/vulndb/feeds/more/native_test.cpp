// RubyGems (ruby-advisory-db YAML) and Node.js security-wg JSON parsers.
#include <set>

#include <gtest/gtest.h>

#include "../feed_test_util.h"
#include "vulndb/feeds/native/native.h"

namespace bulwark::vulndb::feeds {
namespace {

using model::RangeEvent;
using model::Severity;
using model::VersionRange;
using testing::parseBytes;
using testing::parsePath;
using testing::vulns;

using Kind = RangeEvent::Kind;

VersionRange range(VersionRange::Type type, std::vector<RangeEvent> events) {
  return VersionRange{type, std::move(events)};
}

TEST(Rubysec, WholeFixtureTree) {
  BULWARK_REQUIRE_SHARED("scan/vulns/rubysec");
  auto out = parsePath(vulns() / "rubysec");
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_TRUE(out.lines("feed.unrecognised").empty()) << out.lines("feed.unrecognised")[0];
  EXPECT_TRUE(out.lines("feed.unreadable").empty());
  EXPECT_TRUE(out.lines("rubysec.malformed-record").empty());
  EXPECT_EQ(out.advisories.size(), 1234U);
  std::size_t with_ranges = 0;
  for (const auto& a : out.advisories) {
    EXPECT_EQ(a.source, "rubysec");
    ASSERT_EQ(a.affected.size(), 1U);
    EXPECT_EQ(a.affected[0].ecosystem, "RubyGems");
    with_ranges += a.affected[0].ranges.empty() ? 0 : 1;
  }
  // Every advisory without ranges is listed as unevaluable, and they are few.
  EXPECT_EQ(out.lines(std::string(kUnevaluable)).size(), out.advisories.size() - with_ranges);
  EXPECT_GT(with_ranges, 1234U * 95 / 100);
  for (const auto& line : out.lines(std::string(kUnevaluable))) std::printf("  %s\n", line.c_str());

  const auto* resque = out.find("CVE-2023-50725");
  ASSERT_NE(resque, nullptr);
  EXPECT_EQ(resque->aliases, std::vector<std::string>{"GHSA-gc3j-vvwf-4rp8"});
  EXPECT_EQ(resque->published, "2023-12-18");
  EXPECT_EQ(resque->summary,
            "Resque vulnerable to reflected XSS in resque-web failed and queues lists");
  EXPECT_TRUE(resque->details.starts_with("### Impact\n"));
  EXPECT_EQ(resque->references.size(), 4U);  // url + 3 distinct related urls
  ASSERT_EQ(resque->severities.size(), 1U);
  EXPECT_EQ(
      resque->severities[0],
      (model::SeverityScore{
          .type = "CVSS_V3", .score = 6.3, .severity = Severity::Medium, .source = "rubysec"}));
  EXPECT_EQ(resque->affected[0].name, "resque");
  EXPECT_EQ(resque->affected[0].fixed_version, "2.2.1");
  EXPECT_EQ(resque->affected[0].ranges,
            std::vector{range(VersionRange::Type::Ecosystem,
                              {{Kind::Introduced, "0"}, {Kind::Fixed, "2.2.1"}})});

  const auto* mailer = out.find("CVE-2024-47889");
  ASSERT_NE(mailer, nullptr);
  EXPECT_EQ(mailer->affected[0].name, "actionmailer");
  EXPECT_EQ(mailer->affected[0].fixed_version, "6.1.7.9");
  EXPECT_EQ(mailer->affected[0].ranges,
            (std::vector{range(VersionRange::Type::Ecosystem,
                               {{Kind::Introduced, "3.0.0"}, {Kind::Fixed, "6.1.7.9"}}),
                         range(VersionRange::Type::Ecosystem,
                               {{Kind::Introduced, "6.1.8"}, {Kind::Fixed, "7.0.8.5"}}),
                         range(VersionRange::Type::Ecosystem,
                               {{Kind::Introduced, "7.1"}, {Kind::Fixed, "7.1.4.1"}}),
                         range(VersionRange::Type::Ecosystem,
                               {{Kind::Introduced, "7.2"}, {Kind::Fixed, "7.2.1.1"}})}));
  // "<= 2.3.14" cannot be an OSV lower bound: no ranges, reported.
  const auto* pack = out.find("CVE-2012-3424");
  ASSERT_NE(pack, nullptr);
  EXPECT_TRUE(pack->affected[0].ranges.empty());
}

TEST(Rubysec, ConstraintsAndBadRecords) {
  auto out = parseBytes(parseRubysec,
                        "gem: g\nghsa: aaaa-bbbb-cccc\nosvdb: 1\n"
                        "unaffected_versions: ['< 1.0']\n"
                        "patched_versions: ['>= 3.0.1', '~> 2.3', '>= 1.5, < 2']\n"
                        "cvss_v2: 10.0\ncvss_v3: bogus\n");
  ASSERT_TRUE(out.ok) << out.error;
  ASSERT_EQ(out.advisories.size(), 1U);
  const auto& a = out.advisories[0];
  EXPECT_EQ(a.id, "GHSA-aaaa-bbbb-cccc");
  EXPECT_EQ(a.aliases, std::vector<std::string>{"OSVDB-1"});
  ASSERT_EQ(a.severities.size(), 1U);
  EXPECT_EQ(a.severities[0].type, "CVSS_V2");
  EXPECT_EQ(a.severities[0].severity, Severity::Critical);
  // Listed out of order on purpose: the intervals are sorted by version.
  EXPECT_EQ(a.affected[0].fixed_version, "1.5");
  EXPECT_EQ(
      a.affected[0].ranges,
      (std::vector{
          range(VersionRange::Type::Ecosystem, {{Kind::Introduced, "1.0"}, {Kind::Fixed, "1.5"}}),
          range(VersionRange::Type::Ecosystem, {{Kind::Introduced, "2"}, {Kind::Fixed, "2.3"}}),
          range(VersionRange::Type::Ecosystem,
                {{Kind::Introduced, "3"}, {Kind::Fixed, "3.0.1"}})}));
  EXPECT_TRUE(out.lines().empty());

  auto none = parseBytes(parseRubysec, "gem: g\ncve: 2020-1\n");
  ASSERT_EQ(none.advisories.size(), 1U);  // no constraints: every version is vulnerable
  EXPECT_EQ(none.advisories[0].affected[0].ranges,
            std::vector{range(VersionRange::Type::Ecosystem, {{Kind::Introduced, "0"}})});

  auto above = parseBytes(parseRubysec, "gem: g\ncve: 2020-3\nunaffected_versions: ['> 1.0']\n");
  ASSERT_EQ(above.advisories.size(), 1U);  // "> A" unaffected: vulnerable up to A included
  EXPECT_EQ(above.advisories[0].affected[0].ranges,
            std::vector{range(VersionRange::Type::Ecosystem,
                              {{Kind::Introduced, "0"}, {Kind::LastAffected, "1.0"}})});

  auto odd = parseBytes(parseRubysec, "gem: g\ncve: 2020-2\npatched_versions: ['<= 1.0']\n", "f");
  ASSERT_EQ(odd.advisories.size(), 1U);
  EXPECT_TRUE(odd.advisories[0].affected[0].ranges.empty());
  EXPECT_EQ(odd.lines(std::string(kUnevaluable)),
            std::vector<std::string>{"feed.unevaluable f#CVE-2020-2: patched_versions constraint "
                                     "\"<= 1.0\" is not a simple range"});

  EXPECT_EQ(parseBytes(parseRubysec, "gem: g\ntitle: x\n").lines("rubysec.malformed-record").size(),
            1U);
  EXPECT_FALSE(parseBytes(parseRubysec, "gem: [unclosed\n").ok);
  EXPECT_FALSE(parseBytes(parseRubysec, "- a list\n").ok);
  EXPECT_TRUE(detectRubysec("gems/g/CVE-1.yml", "---\ngem: g\ncve: 2020-1\n"));
  EXPECT_FALSE(detectRubysec("x.yaml", "distroversion: v3.1\npackages:\n"));
}

TEST(NodejsSecurityWg, WholeFixtureTree) {
  BULWARK_REQUIRE_SHARED("scan/vulns/nodejs-security-wg");
  auto out = parsePath(vulns() / "nodejs-security-wg/vuln/npm");
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_TRUE(out.lines("feed.unrecognised").empty()) << out.lines("feed.unrecognised")[0];
  EXPECT_EQ(out.lines("nodejs.malformed-record"), std::vector<std::string>{});
  // 467 files and index.json, which holds the same 467 records again.
  EXPECT_EQ(out.advisories.size(), 2U * 467);
  std::set<std::string> ids;
  for (const auto& a : out.advisories) ids.insert(a.id);
  EXPECT_EQ(ids.size(), 467U);
  std::size_t evaluable = 0;
  for (const auto& a : out.advisories) {
    EXPECT_TRUE(a.id.starts_with("NSWG-ECO-")) << a.id;
    ASSERT_EQ(a.affected.size(), 1U);
    EXPECT_EQ(a.affected[0].ecosystem, "npm");
    evaluable += a.affected[0].ranges.empty() && a.affected[0].versions.empty() ? 0 : 1;
  }
  EXPECT_EQ(out.lines(std::string(kUnevaluable)).size(), out.advisories.size() - evaluable);
  for (const auto& line : out.lines(std::string(kUnevaluable))) std::printf("  %s\n", line.c_str());

  const auto* merge = out.find("NSWG-ECO-410");
  ASSERT_NE(merge, nullptr);
  EXPECT_EQ(merge->summary, "merge-options prototype pollution");
  EXPECT_EQ(merge->published, "2018-04-09");
  EXPECT_EQ(merge->modified, "2018-04-09");
  EXPECT_EQ(merge->references, std::vector<std::string>{"https://hackerone.com/reports/311336"});
  ASSERT_EQ(merge->severities.size(), 1U);
  EXPECT_EQ(merge->severities[0],
            (model::SeverityScore{.type = "CVSS_V3",
                                  .vector = "CVSS:3.0/AV:N/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:L",
                                  .score = 2.0,
                                  .severity = Severity::Low,
                                  .source = "nodejs-security-wg"}));
  EXPECT_EQ(merge->affected[0].name, "merge-options");
  EXPECT_EQ(merge->affected[0].ranges,
            std::vector{range(VersionRange::Type::Semver,
                              {{Kind::Introduced, "0"}, {Kind::LastAffected, "1.0.0"}})});
}

TEST(NodejsSecurityWg, RangeShapes) {
  const auto parse = [](std::string vulnerable, std::string patched = "null") {
    return parseBytes(parseNodejsSecurityWg,
                      R"({"id": 1, "module_name": "m", "cves": ["CVE-2020-1"],
                          "vulnerable_versions": )" +
                          vulnerable + R"(, "patched_versions": )" + patched + "}",
                      "f");
  };
  auto a = parse(R"(">= 1.0.0 <1.2.3 || <=0.5.0 || 2.0.0 || *")");
  ASSERT_EQ(a.advisories.size(), 1U);
  EXPECT_EQ(a.advisories[0].aliases, std::vector<std::string>{"CVE-2020-1"});
  const auto& p = a.advisories[0].affected[0];
  EXPECT_EQ(p.fixed_version, "1.2.3");
  EXPECT_EQ(p.versions, std::vector<std::string>{"2.0.0"});
  EXPECT_EQ(p.ranges, (std::vector{range(VersionRange::Type::Semver,
                                         {{Kind::Introduced, "1.0.0"}, {Kind::Fixed, "1.2.3"}}),
                                   range(VersionRange::Type::Semver,
                                         {{Kind::Introduced, "0"}, {Kind::LastAffected, "0.5.0"}}),
                                   range(VersionRange::Type::Semver, {{Kind::Introduced, "0"}})}));
  EXPECT_TRUE(a.lines().empty());

  auto b = parse("null", R"(">=2.0.1")");
  ASSERT_EQ(b.advisories.size(), 1U);
  EXPECT_EQ(b.advisories[0].affected[0].ranges,
            std::vector{range(VersionRange::Type::Semver,
                              {{Kind::Introduced, "0"}, {Kind::Fixed, "2.0.1"}})});

  auto c = parse(R"("^1.2.0 || <2")");
  ASSERT_EQ(c.advisories.size(), 1U);
  EXPECT_TRUE(c.advisories[0].affected[0].ranges.empty());
  EXPECT_EQ(c.lines(std::string(kUnevaluable)),
            std::vector<std::string>{
                "feed.unevaluable f#NSWG-ECO-1: vulnerable_versions \"^1.2.0\" is not a simple "
                "range"});

  EXPECT_EQ(parseBytes(parseNodejsSecurityWg, R"({"module_name": "m"})")
                .lines("nodejs.malformed-record")
                .size(),
            1U);
  EXPECT_FALSE(parseBytes(parseNodejsSecurityWg, "[]").ok);
  EXPECT_FALSE(parseBytes(parseNodejsSecurityWg, "{").ok);
}

TEST(NativeFeeds, CorruptedVariantsNeverCrash) {
  BULWARK_REQUIRE_SHARED("scan/vulns/rubysec/gems/resque/CVE-2023-50725.yml");
  testing::expectRobust(
      parseRubysec, bulwark::testing::readFile(vulns() / "rubysec/gems/resque/CVE-2023-50725.yml"));
  testing::expectRobust(
      parseNodejsSecurityWg,
      bulwark::testing::readFile(vulns() / "nodejs-security-wg/vuln/npm/410.json"));
}

}  // namespace
}  // namespace bulwark::vulndb::feeds
