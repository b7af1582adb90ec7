// CVSS base scores: the specifications' examples, FIRST reference-implementation outputs, strict
// parsing, and every (vector, score) pair published in the real feeds of
// ../shared/testdata/scan/vulns (NVD/CVE/CSAF JSON "vectorString"+"baseScore", OVAL
// cvss2/cvss3 "score/vector" attributes): zero mismatches allowed.
#include "vulndb/cvss/cvss.h"

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testdata.h"

namespace bulwark::vulndb::cvss {
namespace {

using model::Severity;

struct Case {
  const char* vector;
  double score;
};

void expectScore(std::string_view vector, double expected, std::string_view where = "") {
  const auto result = parseAndScore(vector);
  ASSERT_TRUE(result.has_value()) << vector << " " << where << ": " << result.error().message;
  EXPECT_DOUBLE_EQ(result->base_score, expected) << vector << " " << where;
}

// CVSS v3.1 Specification Document examples (FIRST, "CVSS v3.1 Examples").
TEST(CvssTest, V31SpecificationExamples) {
  const Case cases[] = {
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},  // CVE-2013-1937 phpMyAdmin
      {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4},  // CVE-2013-0375 MySQL
      {"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1},  // CVE-2014-3566 POODLE
      {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9},  // CVE-2012-1516 VMware
      {"CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 4.2},  // CVE-2009-0783 Tomcat
      {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8},  // CVE-2012-0384 Cisco IOS
      {"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8},  // CVE-2015-1098 Apple iWork
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5},  // CVE-2014-0160 Heartbleed
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},  // CVE-2014-6271 Shellshock
      {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 6.8},  // CVE-2008-1447 DNS
      {"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8},  // CVE-2014-2005 Sophos
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8},  // CVE-2010-0467 Joomla
      {"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8},  // CVE-2011-1265 Bluetooth
      {"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", 4.6},  // CVE-2014-2019 Apple iOS
      {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.4},  // CVE-2014-0224 OpenSSL CCS
  };
  for (const Case& c : cases) expectScore(c.vector, c.score);
  // v3.0 vectors score the same base values (the Roundup variants differ only off-base).
  expectScore("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8);
  expectScore("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1);
}

// "A Complete Guide to the CVSS Version 2.0", §3.3 examples.
TEST(CvssTest, V2GuideExamples) {
  expectScore("AV:N/AC:L/Au:N/C:N/I:N/A:C", 7.8);   // CVE-2002-0392 Apache chunked encoding
  expectScore("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0);  // CVE-2003-0818 Microsoft ASN.1
  expectScore("AV:L/AC:H/Au:N/C:C/I:C/A:C", 6.2);   // CVE-2003-0062 Nortel
  expectScore("(AV:N/AC:L/Au:N/C:P/I:P/A:P)", 7.5);
  expectScore("AV:N/AC:L/Au:N/C:P/I:P/A:P/E:F/RL:OF/RC:C", 7.5);  // temporal: base unchanged
}

// CVSS v4.0: outputs of FIRST's reference implementation (cvss40.js); bulwark agrees with it on
// all 104,976 base vectors (docs/dev/cvss.md, "differential run").
TEST(CvssTest, V4ReferenceImplementation) {
  const Case cases[] = {
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10.0},
      {"CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:P/VC:N/VI:H/VA:H/SC:L/SI:H/SA:L", 7.1},
      {"CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:N/VC:L/VI:H/VA:H/SC:N/SI:H/SA:N", 9.0},
      {"CVSS:4.0/AV:A/AC:L/AT:N/PR:L/UI:A/VC:H/VI:H/VA:L/SC:H/SI:L/SA:H", 8.5},
      {"CVSS:4.0/AV:A/AC:H/AT:N/PR:N/UI:N/VC:N/VI:H/VA:L/SC:L/SI:L/SA:L", 6.0},
      {"CVSS:4.0/AV:A/AC:H/AT:P/PR:L/UI:A/VC:L/VI:H/VA:L/SC:N/SI:L/SA:N", 4.4},
      {"CVSS:4.0/AV:L/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:N/SC:H/SI:N/SA:H", 8.6},
      {"CVSS:4.0/AV:L/AC:H/AT:N/PR:L/UI:A/VC:N/VI:H/VA:N/SC:L/SI:N/SA:L", 4.1},
      {"CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:P/VC:L/VI:H/VA:N/SC:N/SI:N/SA:N", 5.2},
      {"CVSS:4.0/AV:P/AC:L/AT:P/PR:H/UI:N/VC:H/VI:L/VA:H/SC:L/SI:H/SA:H", 6.0},
      {"CVSS:4.0/AV:P/AC:H/AT:P/PR:N/UI:P/VC:N/VI:L/VA:H/SC:N/SI:H/SA:L", 5.7},
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0},
  };
  for (const Case& c : cases) expectScore(c.vector, c.score);
}

TEST(CvssTest, V4ThreatAndEnvironmentalDoNotChangeTheBaseScore) {
  const char* base = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N";
  const auto plain = parseAndScore(base);
  const auto full = parseAndScore(std::string(base) + "/E:U/CR:L/MAV:A/MSI:S/S:P/U:Amber");
  ASSERT_TRUE(plain && full);
  EXPECT_DOUBLE_EQ(full->base_score, plain->base_score);
  EXPECT_EQ(full->vector, std::string(base) + "/E:U/CR:L/MAV:A/MSI:S/S:P/U:Amber");
}

TEST(CvssTest, VersionSeverityAndNormalizedVector) {
  auto s = parseAndScore("  CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N/E:X/RL:O ");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->version, "3.1");
  EXPECT_EQ(s->severity, Severity::Critical);
  EXPECT_EQ(s->vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/RL:O");

  s = parseAndScore("(AV:N/AC:M/Au:N/C:N/I:P/A:N/E:ND)");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->version, "2.0");
  EXPECT_DOUBLE_EQ(s->base_score, 4.3);
  EXPECT_EQ(s->severity, Severity::Medium);
  EXPECT_EQ(s->vector, "AV:N/AC:M/Au:N/C:N/I:P/A:N");

  s = parseAndScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N");
  ASSERT_TRUE(s);
  EXPECT_DOUBLE_EQ(s->base_score, 0.0);
  EXPECT_EQ(s->severity, Severity::Negligible);  // CVSS "None"

  EXPECT_EQ(severityFor("3.1", 3.9), Severity::Low);
  EXPECT_EQ(severityFor("4.0", 4.0), Severity::Medium);
  EXPECT_EQ(severityFor("4.0", 8.9), Severity::High);
  EXPECT_EQ(severityFor("3.0", 9.0), Severity::Critical);
  EXPECT_EQ(severityFor("2.0", 10.0), Severity::High);  // v2 has no Critical
  EXPECT_EQ(severityFor("2.0", 6.9), Severity::Medium);
}

TEST(CvssTest, StrictParsingErrors) {
  const struct {
    const char* vector;
    const char* message;
  } cases[] = {
      {"CVSS:3.1/AV:N/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1: metric AC missing"},
      {"CVSS:3.1/AV:N/AC:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1: metric AC given twice"},
      {"CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
       "CVSS:3.1: invalid value 'Q' for metric AV (allowed: N A L P)"},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1", "CVSS:3.1: unknown metric 'ZZ'"},
      {"CVSS:3.1/AV:N//AC:L", "CVSS:3.1: '' is not a KEY:VALUE metric"},
      {"CVSS:3.1", "CVSS:3.1: no metrics"},
      {"CVSS:3.2/AV:N", "unsupported CVSS version 'CVSS:3.2'"},
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/SC:N/VI:H/SI:N/VA:H/SA:N",
       "CVSS:4.0: metric VI out of order (the specification fixes the order)"},
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N",
       "CVSS:4.0: invalid value 'S' for metric SI (allowed: H L N)"},
      {"AV:N/AC:L/Au:N/C:P/I:P", "CVSS v2: metric A missing"},
      {"(AV:N/AC:L/Au:N/C:P/I:P/A:P", "CVSS v2: unbalanced parentheses"},
      {"CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
       "CVSS:3.1: invalid value 'n' for metric AV (allowed: N A L P)"},
      {"", "empty CVSS vector"},
  };
  for (const auto& c : cases) {
    const auto result = parseAndScore(c.vector);
    ASSERT_FALSE(result.has_value()) << c.vector;
    EXPECT_EQ(result.error().message, c.message) << c.vector;
    EXPECT_EQ(result.error().code, core::ErrorCode::Input);
  }
  EXPECT_EQ(parseAndScore(std::string(kMaxVectorLength + 1, 'A')).error().code,
            core::ErrorCode::Limit);
  // Tolerated: a single trailing '/' (published so in GHSA-f5pg-7wfw-84q9).
  expectScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C/", 9.8);
}

// ---- Real feeds ------------------------------------------------------------------------------

struct Published {
  std::string vector;
  double score;
  std::string where;
};

void collectJson(const nlohmann::json& node, const std::string& where,
                 std::vector<Published>& out) {
  if (node.is_object()) {
    const auto vector = node.find("vectorString");
    const auto score = node.find("baseScore");
    if (vector != node.end() && score != node.end() && vector->is_string() && score->is_number()) {
      out.push_back({vector->get<std::string>(), score->get<double>(), where});
    }
    for (const auto& [key, child] : node.items()) collectJson(child, where, out);
  } else if (node.is_array()) {
    for (const auto& child : node) collectJson(child, where, out);
  }
}

std::vector<Published> publishedPairs(const std::filesystem::path& root) {
  std::vector<Published> pairs;
  // OVAL (Red Hat, SUSE): <cve cvss3="7.5/CVSS:3.1/AV:N/..."> and cvss2="5.0/AV:N/...".
  const std::regex oval_attribute(R"re(cvss[23]?="([0-9.]+)/([^"]+)")re");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const std::string extension = entry.path().extension().string();
    const std::string where = entry.path().lexically_relative(root).string();
    if (extension == ".json") {
      const auto json = nlohmann::json::parse(testing::readFile(entry.path()), nullptr, false);
      if (!json.is_discarded()) collectJson(json, where, pairs);
    } else if (extension == ".xml") {
      const std::string text = testing::readFile(entry.path());
      for (std::sregex_iterator it(text.begin(), text.end(), oval_attribute), end; it != end;
           ++it) {
        pairs.push_back({(*it)[2].str(), std::stod((*it)[1].str()), where});
      }
    }
  }
  return pairs;
}

TEST(CvssTest, EveryPublishedScoreInTheSharedFeedsIsReproduced) {
  BULWARK_REQUIRE_SHARED("scan/vulns");
  const std::vector<Published> pairs = publishedPairs(testing::sharedTestdata() / "scan/vulns");
  ASSERT_GT(pairs.size(), 1000U) << "expected the NVD/CVE/CSAF JSON and OVAL fixtures";
  std::size_t compared = 0;
  std::size_t mismatches = 0;
  std::size_t v4 = 0;
  for (const Published& p : pairs) {
    const auto result = parseAndScore(p.vector);
    ++compared;
    if (!result || result->base_score != p.score) {
      ++mismatches;
      ADD_FAILURE() << p.where << ": " << p.vector << " published " << p.score << ", bulwark "
                    << (result ? std::to_string(result->base_score) : result.error().message);
    }
    if (p.vector.starts_with("CVSS:4.0/")) ++v4;
  }
  EXPECT_EQ(mismatches, 0U);
  EXPECT_GT(v4, 0U);
  std::printf("compared %zu published (vector, score) pairs (%zu CVSS v4.0), %zu mismatches\n",
              compared, v4, mismatches);
}

// OSV "severity" entries carry only the vector: every one must parse, except the known
// malformed fixture below.
TEST(CvssTest, EveryOsvSeverityVectorParses) {
  BULWARK_REQUIRE_SHARED("scan/vulns");
  const std::regex osv_score(R"re("score"\s*:\s*"((?:CVSS:|AV:)[^"]*)")re");
  const std::filesystem::path root = testing::sharedTestdata() / "scan/vulns";
  std::size_t parsed = 0;
  std::size_t rejected = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    const std::string text = testing::readFile(entry.path());
    for (std::sregex_iterator it(text.begin(), text.end(), osv_score), end; it != end; ++it) {
      const std::string vector = (*it)[1].str();
      const auto result = parseAndScore(vector);
      if (result) {
        ++parsed;
        continue;
      }
      ++rejected;
      // trivy-db's PYSEC-2026-2 fixture lists v4.0 metrics out of the specification's order.
      EXPECT_EQ(entry.path().filename(), "PYSEC-2026-2.json")
          << vector << ": " << result.error().message;
    }
  }
  EXPECT_GT(parsed, 500U);
  EXPECT_LE(rejected, 1U);
  std::printf("parsed %zu OSV severity vectors, rejected %zu\n", parsed, rejected);
}

}  // namespace
}  // namespace bulwark::vulndb::cvss
