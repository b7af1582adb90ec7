// Ubuntu CVE Tracker parser over the real tracker files.
#include <map>

#include <gtest/gtest.h>

#include "../feed_test_util.h"
#include "vulndb/ecosystem.h"
#include "vulndb/feeds/ubuntu/uct.h"

namespace bulwark::vulndb::feeds {
namespace {

using model::AffectedPackage;
using model::AffectedStatus;
using model::RangeEvent;
using model::Severity;
using model::VersionRange;
using testing::parseBytes;
using testing::parsePath;
using testing::vulns;

constexpr std::string_view kUct = "scan/vulns/ubuntu/ubuntu-cve-tracker";

const AffectedPackage* findPackage(const model::Advisory& advisory, std::string_view ecosystem,
                                   std::string_view name) {
  for (const auto& package : advisory.affected) {
    if (package.ecosystem == ecosystem && package.name == name) return &package;
  }
  return nullptr;
}

VersionRange rangeTo(std::string fixed) {
  VersionRange range;
  range.events.push_back({RangeEvent::Kind::Introduced, "0"});
  if (!fixed.empty()) range.events.push_back({RangeEvent::Kind::Fixed, std::move(fixed)});
  return range;
}

TEST(UbuntuCveTracker, WholeFixtureTree) {
  BULWARK_REQUIRE_SHARED(kUct);
  auto out = parsePath(vulns() / "ubuntu/ubuntu-cve-tracker");
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_TRUE(out.lines("feed.unrecognised").empty());
  EXPECT_TRUE(out.lines("uct.malformed-record").empty()) << out.lines("uct.malformed-record")[0];
  EXPECT_TRUE(out.lines("feed.unreadable").empty());
  ASSERT_EQ(out.advisories.size(), 205U);
  std::size_t packages = 0;
  std::size_t bionic = 0;
  std::map<AffectedStatus, std::size_t> statuses;
  for (const auto& a : out.advisories) {
    EXPECT_EQ(a.source, "ubuntu-cve-tracker");
    EXPECT_TRUE(a.id.starts_with("CVE-")) << a.id;
    packages += a.affected.size();
    for (const auto& p : a.affected) {
      ++statuses[p.status];
      bionic += p.ecosystem == "ubuntu:18.04" ? 1 : 0;
      EXPECT_TRUE(p.ecosystem.starts_with("ubuntu:")) << p.ecosystem;
      EXPECT_FALSE(p.urgency.empty()) << a.id << " " << p.name;
    }
  }
  // Counted independently from the files: statuses other than DNE of real releases.
  EXPECT_EQ(packages, 2519U);
  EXPECT_EQ(bionic, 337U);
  EXPECT_EQ(statuses[AffectedStatus::Fixed], 569U);
  EXPECT_EQ(statuses[AffectedStatus::NotAffected], 1001U);
  EXPECT_EQ(statuses[AffectedStatus::UnderInvestigation], 127U);
  EXPECT_EQ(statuses[AffectedStatus::Affected], 100U);
  EXPECT_EQ(statuses[AffectedStatus::FixDeferred], 27U);
  EXPECT_EQ(statuses[AffectedStatus::WillNotFix] + statuses[AffectedStatus::EndOfLife], 695U);
  EXPECT_GT(statuses[AffectedStatus::EndOfLife], 0U);
}

TEST(UbuntuCveTracker, NamedRecord) {
  BULWARK_REQUIRE_SHARED(std::string(kUct) + "/retired/CVE-2019-12900");
  auto out = parsePath(vulns() / "ubuntu/ubuntu-cve-tracker/retired/CVE-2019-12900");
  ASSERT_TRUE(out.ok) << out.error;
  ASSERT_EQ(out.advisories.size(), 1U);
  const auto& a = out.advisories[0];
  EXPECT_EQ(a.id, "CVE-2019-12900");
  EXPECT_EQ(a.published, "2019-06-19T23:15:00Z");
  EXPECT_EQ(a.summary,
            "BZ2_decompress in decompress.c in bzip2 through 1.0.6 has an out-of-bounds write "
            "when there are many selectors.");
  ASSERT_EQ(a.references.size(), 9U);  // 8 References + 1 Bugs
  EXPECT_EQ(a.references[0], "https://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2019-12900");
  EXPECT_EQ(a.references[8], "https://bugs.launchpad.net/ubuntu/+source/clamav/+bug/1841281");
  ASSERT_EQ(a.severities.size(), 2U);
  EXPECT_EQ(a.severities[0], (model::SeverityScore{.type = "CVSS_V3",
                                                   .vector = "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/"
                                                             "I:H/A:H",
                                                   .source = "nvd"}));
  EXPECT_EQ(a.severities[1], (model::SeverityScore{.type = "ubuntu-priority",
                                                   .vector = "medium",
                                                   .severity = Severity::Medium,
                                                   .source = "ubuntu"}));
  // bzip2: trusty, xenial, bionic, cosmic, disco; clamav: trusty, xenial, bionic, disco.
  // upstream, devel and the ESM pseudo releases are skipped.
  ASSERT_EQ(a.affected.size(), 9U);
  const auto* bionic = findPackage(a, "ubuntu:18.04", "bzip2");
  ASSERT_NE(bionic, nullptr);
  EXPECT_EQ(bionic->status, AffectedStatus::Fixed);
  EXPECT_EQ(bionic->fixed_version, "1.0.6-8.1ubuntu0.2");
  EXPECT_EQ(bionic->ranges, std::vector{rangeTo("1.0.6-8.1ubuntu0.2")});
  EXPECT_EQ(bionic->urgency, "medium");
  EXPECT_EQ(bionic->severity, Severity::Medium);
  const auto* trusty = findPackage(a, "ubuntu:14.04", "clamav");
  ASSERT_NE(trusty, nullptr);
  EXPECT_EQ(trusty->status, AffectedStatus::EndOfLife);  // "ignored (out of standard support)"
  EXPECT_EQ(trusty->ranges, std::vector{rangeTo("")});
  // disco and cosmic are kept under whatever key ecosystem.h gives them; while it knows no
  // version for them they are reported as unevaluable.
  EXPECT_NE(findPackage(a, osEcosystem("ubuntu", "disco"), "bzip2"), nullptr);
  const auto unevaluable = out.lines(kUnevaluable);
  if (releaseForCodename("ubuntu", "disco").empty()) {
    ASSERT_EQ(unevaluable.size(), 1U);
    EXPECT_NE(unevaluable[0].find("cosmic,disco"), std::string::npos) << unevaluable[0];
  } else {
    EXPECT_TRUE(unevaluable.empty());
  }
}

TEST(UbuntuCveTracker, StatusesPrioritiesAndDefects) {
  const std::string file =
      "Candidate: CVE-2020-1234\n"
      "PublicDate: 2020-01-02\n"
      "References:\n https://example.org/a (note)\n not-a-url\n"
      "Description:\n first line\n second line\n"
      "Ubuntu-Description:\n"
      "Priority: low\n"
      "\n"
      "Patches_foo:\n upstream: https://example.org/patch\n"
      "Priority_foo: high\n"
      "upstream_foo: released (2.0)\n"
      "bionic_foo: released (1.0-1ubuntu1\n"
      "focal_foo: needs-triage\n"
      "jammy_foo: deferred (2022-01-01)\n"
      "noble_foo: ignored (will not fix)\n"
      "xenial_foo: pending (1.0-1ubuntu0.1)\n"
      "trusty_foo: DNE\n"
      "esm-infra/xenial_foo: released (1.0-0ubuntu0.1~esm1)\n"
      "bionic/esm_foo: needed\n"
      "mantic_foo: not-affected (1.1-1)\n"
      "lunar_foo: released\n"
      "kinetic_foo: frobbed\n"
      "Bad_line_without_colon\n"
      "\n"
      "jammy_bar: needed\n"
      "bad!_bar: needed\n";
  auto out = parseBytes(parseUbuntuCveTracker, file, "f");
  ASSERT_TRUE(out.ok) << out.error;
  ASSERT_EQ(out.advisories.size(), 1U);
  const auto& a = out.advisories[0];
  EXPECT_EQ(a.published, "2020-01-02");
  EXPECT_EQ(a.summary, "first line second line");
  EXPECT_EQ(a.references, std::vector<std::string>{"https://example.org/a"});
  ASSERT_EQ(a.affected.size(), 8U);
  const auto expect = [&](std::string_view ecosystem, std::string_view name, AffectedStatus status,
                          std::string_view urgency) {
    const auto* p = findPackage(a, ecosystem, name);
    ASSERT_NE(p, nullptr) << ecosystem << " " << name;
    EXPECT_EQ(p->status, status) << ecosystem;
    EXPECT_EQ(p->urgency, urgency) << ecosystem;
  };
  expect("ubuntu:18.04", "foo", AffectedStatus::Fixed, "high");
  expect("ubuntu:20.04", "foo", AffectedStatus::UnderInvestigation, "high");
  expect("ubuntu:22.04", "foo", AffectedStatus::FixDeferred, "high");
  expect("ubuntu:24.04", "foo", AffectedStatus::WillNotFix, "high");
  expect("ubuntu:16.04", "foo", AffectedStatus::Affected, "high");
  expect("ubuntu:23.10", "foo", AffectedStatus::NotAffected, "high");
  expect("ubuntu:23.04", "foo", AffectedStatus::Fixed, "high");
  expect("ubuntu:22.04", "bar", AffectedStatus::Affected, "low");
  EXPECT_EQ(findPackage(a, "ubuntu:18.04", "foo")->fixed_version, "1.0-1ubuntu1");
  EXPECT_TRUE(findPackage(a, "ubuntu:23.04", "foo")->ranges.empty());
  EXPECT_TRUE(findPackage(a, "ubuntu:23.10", "foo")->ranges.empty());
  EXPECT_EQ(findPackage(a, "ubuntu:22.04", "bar")->severity, Severity::Low);
  EXPECT_EQ(out.lines("uct.malformed-record"),
            (std::vector<std::string>{
                "uct.malformed-record f:26: unknown status \"frobbed\" for kinetic_foo",
                "uct.malformed-record f:27: not a field: \"Bad_line_without_colon\"",
                "uct.malformed-record f:30: bad release/package \"bad!_bar\""}));
  EXPECT_EQ(out.lines(kUnevaluable),
            std::vector<std::string>{
                "feed.unevaluable f#CVE-2020-1234: lunar_foo: released without a version"});

  EXPECT_FALSE(parseBytes(parseUbuntuCveTracker, "Description: nothing\n").ok);
  EXPECT_FALSE(parseBytes(parseUbuntuCveTracker, "").ok);
}

TEST(UbuntuCveTracker, Detection) {
  EXPECT_TRUE(detectUbuntuCveTracker("x/CVE-2020-1", "Candidate: CVE-2020-1\n"));
  EXPECT_TRUE(detectUbuntuCveTracker("x/CVE-2020-1", "PublicDateAtUSN: x\nCandidate: CVE-1\n"));
  EXPECT_FALSE(detectUbuntuCveTracker("x/CVE-2020-1", "{\"Candidate: \": 1}"));
  EXPECT_FALSE(detectUbuntuCveTracker("x/README", "Some text\n"));
  const auto* format = detectFeed("a/CVE-2019-1", "PublicDateAtUSN: x\nCandidate: CVE-2019-1\n");
  ASSERT_NE(format, nullptr);
  EXPECT_EQ(format->name, "ubuntu-cve-tracker");
}

TEST(UbuntuCveTracker, CorruptedVariantsNeverCrash) {
  BULWARK_REQUIRE_SHARED(std::string(kUct) + "/retired/CVE-2019-12900");
  testing::expectRobust(
      parseUbuntuCveTracker,
      bulwark::testing::readFile(vulns() / "ubuntu/ubuntu-cve-tracker/retired/CVE-2019-12900"));
}

}  // namespace
}  // namespace bulwark::vulndb::feeds
