// Weakness ids (CWE) from feed to finding: their normal form (vulndb/advisory_json.h), what each
// feed contributes (real records, read in place), storage in the database, and which record's
// CWEs enrichFindings copies onto a finding (match/enrich.h).
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "match/enrich.h"
#include "testdata.h"
#include "vulndb/advisory_json.h"
#include "vulndb/database.h"
#include "vulndb/feeds/feeds.h"

namespace bulwark::match {
namespace {

namespace fs = std::filesystem;
using bulwark::testing::sharedTestdata;
using Cwes = std::vector<std::string>;

TEST(Cwes, NormalFormIsCwePrefixedSortedByNumberAndUnique) {
  EXPECT_EQ(vulndb::normalizeCwes({"CWE-787", "cwe-079", " 20 ", "CWE-79", "CWE-119"}),
            (Cwes{"CWE-20", "CWE-79", "CWE-119", "CWE-787"}));
  // NVD's placeholders and anything that is not a CWE number are dropped.
  EXPECT_EQ(vulndb::normalizeCwes({"NVD-CWE-Other", "NVD-CWE-noinfo", "CWE-", "CWE-x1", "", "0",
                                   "CWE-1234567890", "Other"}),
            Cwes{});
  EXPECT_EQ(vulndb::normalizeCwes({"CWE-999999999"}), Cwes{"CWE-999999999"});
}

TEST(Cwes, StoredWithTheAdvisoryAndOldDocumentsStillRead) {
  model::Advisory advisory;
  advisory.id = "CVE-2024-0001";
  advisory.source = "nvd";
  advisory.cwes = {"CWE-20", "CWE-787"};
  const std::string json = vulndb::advisoryToJson(advisory);
  EXPECT_EQ(nlohmann::json::parse(json).at("cwes"), nlohmann::json({"CWE-20", "CWE-787"}));
  auto back = vulndb::advisoryFromJson(json);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, advisory);
  // No weaknesses: no key (documents stay as they were).
  advisory.cwes.clear();
  EXPECT_FALSE(nlohmann::json::parse(vulndb::advisoryToJson(advisory)).contains("cwes"));
  // A document written before the field existed, and one with junk in it.
  auto old = vulndb::advisoryFromJson(R"({"id": "CVE-1", "source": "nvd", "affected": []})");
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_TRUE(old->cwes.empty());
  auto junk = vulndb::advisoryFromJson(
      R"({"id": "CVE-1", "source": "nvd", "cwes": ["CWE-79", 3, "NVD-CWE-Other"]})");
  ASSERT_TRUE(junk) << junk.error().message;
  EXPECT_EQ(junk->cwes, Cwes{"CWE-79"});
}

// id → CWEs of every advisory a feed file yields.
std::map<std::string, Cwes> feedCwes(const std::string& relative) {
  std::map<std::string, Cwes> out;
  core::Diagnostics diagnostics;
  const auto parsed = vulndb::feeds::parseFeedPath(
      sharedTestdata() / relative, [&](model::Advisory&& a) { out[a.id] = a.cwes; }, diagnostics);
  EXPECT_TRUE(parsed) << relative << ": " << (parsed ? "" : parsed.error().message);
  return out;
}

TEST(FeedCwes, OsvGhsaDatabaseSpecific) {
  const std::string relative =
      "scan/vulns/trivy-db-testdata/ghsa/testdata/happy/ghsa/advisories/github-reviewed/2019/12/"
      "GHSA-wjx8-cgrm-hh8p/GHSA-wjx8-cgrm-hh8p.json";
  BULWARK_REQUIRE_SHARED(relative);
  EXPECT_EQ(feedCwes(relative).at("GHSA-wjx8-cgrm-hh8p"), Cwes{"CWE-434"});
}

TEST(FeedCwes, NvdApi2WeaknessesWithoutPlaceholders) {
  const std::string dir = "scan/vulns/osv.dev-testdata/vulnfeeds/test_data/nvdcve-2.0/";
  BULWARK_REQUIRE_SHARED(dir + "CVE-2022-1122.json");
  // Primary and secondary weaknesses, merged.
  EXPECT_EQ(feedCwes(dir + "CVE-2022-1122.json").at("CVE-2022-1122"), (Cwes{"CWE-665", "CWE-824"}));
  EXPECT_EQ(feedCwes(dir + "CVE-2022-2956.json").at("CVE-2022-2956"), Cwes{"CWE-79"});
  EXPECT_EQ(feedCwes(dir + "CVE-2016-1585.json").at("CVE-2016-1585"), Cwes{})
      << "NVD-CWE-noinfo is no CWE";
}

TEST(FeedCwes, Nvd11Problemtype) {
  const std::string relative =
      "scan/vulns/osv.dev-testdata/vulnfeeds/test_data/nvdcve-1.1-test-data.json";
  BULWARK_REQUIRE_SHARED(relative);
  const auto cwes = feedCwes(relative);
  EXPECT_EQ(cwes.at("CVE-2022-0090"), Cwes{"CWE-269"});
  EXPECT_EQ(cwes.at("CVE-2022-3037"), Cwes{"CWE-416"});
  EXPECT_EQ(cwes.at("CVE-2022-33745"), Cwes{}) << "NVD-CWE-noinfo";
  EXPECT_EQ(cwes.at("CVE-2022-36749"), Cwes{}) << "no problem type";
}

TEST(FeedCwes, CveJson5ProblemTypes) {
  const std::string relative =
      "scan/vulns/osv.dev-testdata/vulnfeeds/test_data/cvelistV5/cves/2021/44xxx/"
      "CVE-2021-44228.json";
  BULWARK_REQUIRE_SHARED(relative);
  EXPECT_EQ(feedCwes(relative).at("CVE-2021-44228"), (Cwes{"CWE-20", "CWE-400", "CWE-502"}));
}

TEST(FeedCwes, RedHatCsafVex) {
  const std::string relative = "scan/vulns/rhel/claircore-vex/cve-2023-42670.json";
  BULWARK_REQUIRE_SHARED(relative);
  EXPECT_EQ(feedCwes(relative).at("CVE-2023-42670"), Cwes{"CWE-400"});
}

// --- enrichFindings: which record's CWEs a finding gets --------------------------------------

class EnrichCwes : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("bulwark-cwe-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    model::Package package;
    package.type = model::PackageType::Deb;
    package.name = "libc6";
    package.source_name = "glibc";
    package.version = "2.36-9+deb12u4";
    inventory_.distro.id = "debian";
    inventory_.distro.version_id = "12";
    inventory_.packages.push_back(package);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Findings for `ids` after enrichment against a database of `advisories`.
  std::vector<model::Finding> enrich(const std::vector<model::Advisory>& advisories,
                                     const std::vector<std::string>& ids) {
    const std::string path = (dir_ / "bulwark.db").string();
    auto writer = vulndb::DatabaseWriter::begin(path);
    EXPECT_TRUE(writer) << writer.error().message;
    for (const auto& advisory : advisories) EXPECT_TRUE(writer->put(advisory));
    EXPECT_TRUE(writer->commit());
    auto db = vulndb::Database::open(path);
    EXPECT_TRUE(db) << db.error().message;
    std::vector<model::Finding> findings;
    for (const auto& id : ids) {
      model::Finding f;
      f.vulnerability_id = id;
      f.package_name = "libc6";
      f.installed_version = "2.36-9+deb12u4";
      findings.push_back(f);
    }
    EXPECT_TRUE(enrichFindings(*db, inventory_, findings));
    return findings;
  }

  static model::Advisory record(std::string id, std::string source, Cwes cwes,
                                std::string summary = {}) {
    model::Advisory a;
    a.id = std::move(id);
    a.source = std::move(source);
    a.modified = "2024-01-01T00:00:00Z";
    a.summary = std::move(summary);
    a.cwes = std::move(cwes);
    return a;
  }

  fs::path dir_;
  model::Inventory inventory_;
};

TEST_F(EnrichCwes, NvdFillsInWhenTheDistributionRecordHasNone) {
  const auto findings =
      enrich({record("CVE-2024-2961", "debian-tracker", {}, "glibc: iconv overflow"),
              record("CVE-2024-2961", "nvd", {"CWE-787"}, "The iconv() function ...")},
             {"CVE-2024-2961"});
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings[0].title, "glibc: iconv overflow") << "the title rule is unchanged";
  EXPECT_EQ(findings[0].cwes, Cwes{"CWE-787"});
}

TEST_F(EnrichCwes, TheBestRecordWithAnyWinsAsForTitles) {
  // A GHSA record (OSV, the finding's CVE as its alias) names CWE-79; NVD says CWE-20; CVE JSON
  // 5 says CWE-116. The first in the title order that has any wins: OSV.
  auto ghsa = record("GHSA-aaaa-bbbb-cccc", "osv", {"CWE-79"});
  ghsa.aliases = {"CVE-2024-0001"};
  const auto findings =
      enrich({ghsa, record("CVE-2024-0001", "nvd", {"CWE-20"}),
              record("CVE-2024-0001", "cve5", {"CWE-116"}), record("CVE-2024-0002", "nvd", {}),
              record("CVE-2024-0003", "cve5", {"CWE-22"})},
             {"CVE-2024-0001", "CVE-2024-0002", "CVE-2024-0003", "CVE-2024-0004"});
  std::map<std::string, Cwes> by_id;
  for (const auto& f : findings) by_id[f.vulnerability_id] = f.cwes;
  EXPECT_EQ(by_id.at("CVE-2024-0001"), Cwes{"CWE-79"});
  EXPECT_EQ(by_id.at("CVE-2024-0002"), Cwes{}) << "NVD names none";
  EXPECT_EQ(by_id.at("CVE-2024-0003"), Cwes{"CWE-22"}) << "the CNA's, without NVD";
  EXPECT_EQ(by_id.at("CVE-2024-0004"), Cwes{}) << "no record at all";
}

}  // namespace
}  // namespace bulwark::match
