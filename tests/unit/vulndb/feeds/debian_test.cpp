#include <gtest/gtest.h>

#include "feed_test_util.h"
#include "vulndb/feeds/debian/tracker.h"

namespace bulwark::vulndb::feeds {
namespace {

using model::AffectedStatus;
using model::RangeEvent;
using model::Severity;
using testing::parseBytes;
using testing::parsePath;
using testing::vulns;

const model::AffectedPackage* findAffected(const model::Advisory& advisory,
                                           std::string_view ecosystem, std::string_view name) {
  for (const auto& p : advisory.affected) {
    if (p.ecosystem == ecosystem && p.name == name) return &p;
  }
  return nullptr;
}

TEST(DebianTracker, MapsStatusesAndUrgencies) {
  const std::string json = R"({
    "openssl": {"CVE-2024-1": {"description": "desc", "debianbug": 123, "releases": {
        "bookworm": {"status": "resolved", "fixed_version": "3.0.11-1~deb12u2", "urgency": "high**"},
        "bullseye": {"status": "resolved", "fixed_version": "0", "urgency": "unimportant"},
        "buster": {"status": "open", "urgency": "low", "nodsa": "Minor", "nodsa_reason": "ignored"},
        "stretch": {"status": "open", "urgency": "medium", "nodsa_reason": "postponed"},
        "sid": {"status": "undetermined", "urgency": "not yet assigned"},
        "trixie": {"status": "open", "urgency": "medium"},
        "jessie": {"status": "open", "urgency": "end-of-life"},
        "wheezy": {"status": "bogus"}}}},
    "openssl1.1": {"CVE-2024-1": {"releases": {
        "bookworm": {"status": "resolved", "fixed_version": "1.1.1w-0+deb12u1"}}},
                   "TEMP-0000000-ABCDEF": {"releases": {}}},
    "broken": 5})";
  auto out = parseBytes(parseDebianTracker, json, "t.json");
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.lines(),
            (std::vector<std::string>{
                "debian.malformed-record t.json#broken: package entry is not an object",
                "debian.malformed-record t.json#openssl/CVE-2024-1/wheezy: unknown "
                "status \"bogus\""}));
  ASSERT_EQ(out.advisories.size(), 2U);
  const auto& a = out.advisories[0];
  EXPECT_EQ(a.id, "CVE-2024-1");
  EXPECT_EQ(a.source, "debian-tracker");
  EXPECT_EQ(a.details, "desc");
  EXPECT_EQ(a.references, std::vector<std::string>{"https://bugs.debian.org/123"});
  ASSERT_EQ(a.affected.size(), 8U);
  const auto* fixed = findAffected(a, "debian:12", "openssl");
  ASSERT_NE(fixed, nullptr);
  EXPECT_EQ(fixed->status, AffectedStatus::Fixed);
  EXPECT_EQ(fixed->fixed_version, "3.0.11-1~deb12u2");
  EXPECT_EQ(fixed->urgency, "high**");
  EXPECT_EQ(fixed->severity, Severity::High);
  EXPECT_EQ(fixed->ranges.at(0).events,
            (std::vector<RangeEvent>{{RangeEvent::Kind::Introduced, "0"},
                                     {RangeEvent::Kind::Fixed, "3.0.11-1~deb12u2"}}));
  const auto* not_affected = findAffected(a, "debian:11", "openssl");
  ASSERT_NE(not_affected, nullptr);
  EXPECT_EQ(not_affected->status, AffectedStatus::NotAffected);
  EXPECT_EQ(not_affected->severity, Severity::Negligible);
  EXPECT_TRUE(not_affected->ranges.empty());
  EXPECT_EQ(findAffected(a, "debian:10", "openssl")->status, AffectedStatus::WillNotFix);
  EXPECT_EQ(findAffected(a, "debian:9", "openssl")->status, AffectedStatus::FixDeferred);
  const auto* sid = findAffected(a, "debian:sid", "openssl");
  ASSERT_NE(sid, nullptr);
  EXPECT_EQ(sid->status, AffectedStatus::UnderInvestigation);
  EXPECT_EQ(sid->severity, Severity::Unknown);
  EXPECT_EQ(findAffected(a, "debian:13", "openssl")->status, AffectedStatus::Affected);
  EXPECT_EQ(findAffected(a, "debian:8", "openssl")->status, AffectedStatus::EndOfLife);
  EXPECT_EQ(findAffected(a, "debian:12", "openssl1.1")->fixed_version, "1.1.1w-0+deb12u1");
  EXPECT_EQ(out.advisories[1].id, "TEMP-0000000-ABCDEF");
  EXPECT_TRUE(detectDebianTracker("x", json));
  testing::expectRobust(parseDebianTracker, json);
}

TEST(DebianTracker, VunnelInput) {
  BULWARK_REQUIRE_SHARED("scan/vulns/debian/vunnel/input/debian.json");
  auto out = parsePath(vulns() / "debian/vunnel/input/debian.json");
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_TRUE(out.lines().empty()) << ::testing::PrintToString(out.lines());
  EXPECT_EQ(out.advisories.size(), 7U);
  const auto* a = out.find("CVE-2008-7220");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->references, std::vector<std::string>{"https://bugs.debian.org/555217"});
  const auto* stretch = findAffected(*a, "debian:9", "prototypejs");
  ASSERT_NE(stretch, nullptr);
  EXPECT_EQ(stretch->status, AffectedStatus::Fixed);
  EXPECT_EQ(stretch->fixed_version, "1.6.0.2-1");
  EXPECT_EQ(stretch->severity, Severity::High);
  EXPECT_NE(findAffected(*a, "debian:sid", "prototypejs"), nullptr);
}

TEST(DebianAdvisoryList, ParsesHeadersCvesAndReleaseLines) {
  const std::string list =
      "[29 Mar 2023] DSA-5380-1 xorg-server - security update\n"
      "\t{CVE-2023-1393 CVE-2023-0001}\n"
      "\t[bullseye] - xorg-server 2:1.20.11-1+deb11u6\n"
      "\t[buster] - xorg-server <not-affected> (Vulnerable code not present)\n"
      "\t[stretch] - xorg-server <end-of-life>\n"
      "\tNOTE: fixed in testing at time of DSA\n"
      "[19 Jul 2021] MALFORMED HEADER\n"
      "\t{CVE-2021-29969}\n"
      "[02 Jan 2001] DLA-1-1 foo\n"
      "        [jessie] - foo <unfixed>\n"
      "\t[jessie] - foo <strange>\n";
  auto out = parseBytes(parseDebianAdvisoryList, list, "list");
  ASSERT_TRUE(out.ok);
  EXPECT_EQ(out.lines(),
            (std::vector<std::string>{
                "debian.malformed-record list:11: unknown marker \"<strange>\"",
                "debian.malformed-record list:7: bad advisory header \"[19 Jul 2021] MALFORMED "
                "HEADER\""}));
  ASSERT_EQ(out.advisories.size(), 2U);
  const auto& dsa = out.advisories[0];
  EXPECT_EQ(dsa.id, "DSA-5380-1");
  EXPECT_EQ(dsa.source, "debian-dsa");
  EXPECT_EQ(dsa.published, "2023-03-29");
  EXPECT_EQ(dsa.summary, "security update");
  EXPECT_EQ(dsa.aliases, (std::vector<std::string>{"CVE-2023-1393", "CVE-2023-0001"}));
  ASSERT_EQ(dsa.affected.size(), 3U);
  EXPECT_EQ(dsa.affected[0].ecosystem, "debian:11");
  EXPECT_EQ(dsa.affected[0].status, AffectedStatus::Fixed);
  EXPECT_EQ(dsa.affected[0].fixed_version, "2:1.20.11-1+deb11u6");
  EXPECT_EQ(dsa.affected[1].status, AffectedStatus::NotAffected);
  EXPECT_EQ(dsa.affected[2].status, AffectedStatus::EndOfLife);
  const auto& dla = out.advisories[1];
  EXPECT_EQ(dla.id, "DLA-1-1");
  EXPECT_EQ(dla.source, "debian-dla");
  ASSERT_EQ(dla.affected.size(), 1U);
  EXPECT_EQ(dla.affected[0].status, AffectedStatus::Affected);
  EXPECT_TRUE(detectDebianAdvisoryList("x", list));
  testing::expectRobust(parseDebianAdvisoryList, list);
}

TEST(DebianAdvisoryList, RealLists) {
  BULWARK_REQUIRE_SHARED("scan/vulns/debian/security-tracker/data/DSA/list");
  auto dsa = parsePath(vulns() / "debian/security-tracker/data/DSA/list");
  ASSERT_TRUE(dsa.ok) << dsa.error;
  EXPECT_EQ(dsa.advisories.size(), 5406U);
  EXPECT_TRUE(dsa.lines().empty()) << ::testing::PrintToString(dsa.lines());
  const auto* a = dsa.find("DSA-5376-1");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->aliases.size(), 5U);
  EXPECT_EQ(a->affected.at(0).ecosystem, "debian:11");
  EXPECT_EQ(a->affected.at(0).name, "apache2");
  EXPECT_EQ(a->affected.at(0).fixed_version, "2.4.56-1~deb11u1");

  auto dla = parsePath(vulns() / "debian/security-tracker/data/DLA/list");
  ASSERT_TRUE(dla.ok) << dla.error;
  EXPECT_EQ(dla.advisories.size(), 3534U);
  EXPECT_TRUE(dla.lines().empty()) << ::testing::PrintToString(dla.lines());

  auto vunnel = parsePath(vulns() / "debian/vunnel/input/DSA");
  EXPECT_TRUE(vunnel.ok);
  EXPECT_TRUE(vunnel.lines().empty()) << ::testing::PrintToString(vunnel.lines());
  EXPECT_GT(vunnel.advisories.size(), 0U);

  // vuln-list-update's test lists contain one deliberately malformed header.
  auto vlu = parsePath(vulns() / "debian/vuln-list-update/data/DLA/list");
  EXPECT_TRUE(vlu.ok);
  ASSERT_EQ(vlu.lines().size(), 1U) << ::testing::PrintToString(vlu.lines());
  EXPECT_NE(vlu.lines()[0].find("MALFORMED HEADER"), std::string::npos);
  auto vlu_dsa = parsePath(vulns() / "debian/vuln-list-update/data/DSA/list");
  EXPECT_TRUE(vlu_dsa.lines().empty()) << ::testing::PrintToString(vlu_dsa.lines());
}

}  // namespace
}  // namespace bulwark::vulndb::feeds
