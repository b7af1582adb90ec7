#include <gtest/gtest.h>

#include "feed_test_util.h"
#include "vulndb/feeds/secdb/secdb.h"

namespace bulwark::vulndb::feeds {
namespace {

using model::AffectedStatus;
using testing::parseBytes;
using testing::parsePath;
using testing::vulns;

constexpr std::string_view kJson = R"({"distroversion": "v3.19", "reponame": "main",
  "packages": [
    {"pkg": {"name": "xen", "secfixes": {"4.17.2-r0": ["CVE-2023-1 XSA-400", "CVE-2023-2"],
                                          "0": ["CVE-2020-9"]}}},
    {"pkg": {"name": "openssl", "secfixes": {"3.1.4-r1": ["CVE-2023-1"]}}},
    {"pkg": {"name": "nofixes"}},
    {"pkg": {}},
    {"pkg": {"name": "weird", "secfixes": {"1-r0": "CVE-2023-3"}}}]})";

constexpr std::string_view kYaml = R"(---
distroversion: v3.19
reponame: main
packages:
  - pkg:
      name: xen
      secfixes:
        4.17.2-r0:
          - CVE-2023-1 XSA-400
          - CVE-2023-2
        0:
          - CVE-2020-9
  - pkg:
      name: openssl
      secfixes:
        3.1.4-r1:
          - CVE-2023-1
  - pkg:
      name: nofixes
  - pkg: {}
  - pkg:
      name: weird
      secfixes:
        1-r0: CVE-2023-3
)";

void checkSample(const testing::Collected& out) {
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.lines(),
            (std::vector<std::string>{
                "secdb.malformed-record t#packages[3]: entry without pkg.name",
                "secdb.malformed-record t#weird: secfixes of \"1-r0\" is not a list"}));
  ASSERT_EQ(out.advisories.size(), 3U);
  const auto& a = out.advisories[0];
  EXPECT_EQ(a.id, "CVE-2020-9");
  EXPECT_EQ(a.source, "alpine-secdb:v3.19/main");  // one source per branch and repository
  ASSERT_EQ(a.affected.size(), 1U);
  EXPECT_EQ(a.affected[0].status, AffectedStatus::NotAffected);
  EXPECT_EQ(a.affected[0].ecosystem, "alpine:3.19");
  const auto& b = out.advisories[1];
  EXPECT_EQ(b.id, "CVE-2023-1");
  EXPECT_EQ(b.aliases, std::vector<std::string>{"XSA-400"});
  ASSERT_EQ(b.affected.size(), 2U);
  EXPECT_EQ(b.affected[0].name, "xen");
  EXPECT_EQ(b.affected[0].status, AffectedStatus::Fixed);
  EXPECT_EQ(b.affected[0].fixed_version, "4.17.2-r0");
  EXPECT_EQ(b.affected[0].ranges.at(0).events.at(1).version, "4.17.2-r0");
  EXPECT_EQ(b.affected[1].name, "openssl");
  EXPECT_EQ(out.advisories[2].id, "CVE-2023-2");
}

TEST(Secdb, JsonAndYamlGiveTheSameAdvisories) {
  auto json = parseBytes(parseSecdb, kJson);
  checkSample(json);
  auto yaml = parseBytes(parseSecdb, kYaml);
  checkSample(yaml);
  EXPECT_EQ(json.advisories, yaml.advisories);
  EXPECT_TRUE(detectSecdb("x", kJson));
  EXPECT_TRUE(detectSecdb("x", kYaml));
}

TEST(Secdb, BadInputIsAnErrorNotACrash) {
  for (const std::string_view bad :
       {"", "{", "[]", "{\"packages\": []}", "- a\n- b\n", "key: [unclosed", "\t\x01\xff",
        "distroversion: v3.1\npackages: 5\n", "{\"distroversion\": \"\", \"packages\": []}"}) {
    auto out = parseBytes(parseSecdb, bad);
    EXPECT_FALSE(out.ok) << bad;
    EXPECT_TRUE(out.advisories.empty());
  }
  // Deep nesting must not overflow the stack.
  std::string deep(100000, '[');
  EXPECT_FALSE(parseBytes(parseSecdb, deep).ok);
  testing::expectRobust(parseSecdb, std::string(kJson));
  testing::expectRobust(parseSecdb, std::string(kYaml));
}

TEST(Secdb, RealFiles) {
  BULWARK_REQUIRE_SHARED("scan/vulns/alpine-secdb");
  auto json = parsePath(vulns() / "alpine-secdb/json");
  ASSERT_TRUE(json.ok) << json.error;
  EXPECT_TRUE(json.lines().empty()) << ::testing::PrintToString(json.lines());
  auto yaml = parsePath(vulns() / "alpine-secdb/yaml");
  ASSERT_TRUE(yaml.ok) << yaml.error;
  EXPECT_TRUE(yaml.lines().empty()) << ::testing::PrintToString(yaml.lines());
  EXPECT_EQ(json.advisories.size(), 11453U);
  const auto* a = json.find("CVE-2017-17439");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(json.advisories, yaml.advisories);  // same content in both syntaxes
}

}  // namespace
}  // namespace bulwark::vulndb::feeds
