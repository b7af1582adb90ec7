#include <archive.h>
#include <archive_entry.h>

#include <gtest/gtest.h>

#include "feed_test_util.h"
#include "vulndb/feeds/osv/osv.h"

namespace bulwark::vulndb::feeds {
namespace {

using model::AffectedStatus;
using model::RangeEvent;
using model::VersionRange;
using testing::Collected;
using testing::parseBytes;
using testing::parsePath;
using testing::vulns;

TEST(OsvEcosystem, MapsLanguageAndOsEcosystems) {
  EXPECT_EQ(mapOsvEcosystem("PyPI"), "PyPI");
  EXPECT_EQ(mapOsvEcosystem("crates.io"), "crates.io");
  EXPECT_EQ(mapOsvEcosystem("Go"), "Go");
  EXPECT_EQ(mapOsvEcosystem("Debian:12"), "debian:12");
  EXPECT_EQ(mapOsvEcosystem("Debian:7"), "debian:7");
  EXPECT_EQ(mapOsvEcosystem("Alpine:v3.19"), "alpine:3.19");
  EXPECT_EQ(mapOsvEcosystem("Ubuntu:22.04:LTS"), "ubuntu:22.04");
  EXPECT_EQ(mapOsvEcosystem("Ubuntu:Pro:18.04:LTS"), "ubuntu:18.04");
  EXPECT_EQ(mapOsvEcosystem("Rocky Linux:9"), "rocky:9");
  EXPECT_EQ(mapOsvEcosystem("AlmaLinux:9"), "almalinux:9");
  EXPECT_EQ(mapOsvEcosystem("Mariner:2.0"), "mariner:2.0");
  EXPECT_EQ(mapOsvEcosystem("Debian"), "");  // no release: cannot be evaluated
  EXPECT_EQ(mapOsvEcosystem("Ecosystem1"), "");
  EXPECT_EQ(mapOsvEcosystem(""), "");
}

TEST(Osv, ParsesEveryFieldOfARecord) {
  const std::string record = R"({
    "schema_version": "1.6.0", "id": "GHSA-xxxx-yyyy-zzzz", "modified": "2024-01-02T03:04:05Z",
    "published": "2023-12-01T00:00:00Z", "withdrawn": "2024-02-01T00:00:00Z",
    "aliases": ["CVE-2023-0001"], "related": ["CVE-2023-0002"], "summary": "s", "details": "d",
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
                 {"type": "Ubuntu", "score": "medium"}],
    "affected": [{
      "package": {"ecosystem": "npm", "name": "left-pad", "purl": "pkg:npm/left-pad"},
      "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "1.2.0"},
                                              {"introduced": "2.0.0"}, {"limit": "3.0.0"}]},
                 {"type": "GIT", "repo": "https://x", "events": [{"introduced": "abc"}]}],
      "versions": ["1.0.0", "1.1.0"],
      "database_specific": {"severity": "HIGH"}},
     {"package": {"ecosystem": "Alpine:v3.19", "name": "openssl"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},
                                                 {"last_affected": "3.1.4-r0"}]}]}],
    "references": [{"type": "WEB", "url": "https://example.org/a"}],
    "database_specific": {"severity": "MODERATE"}})";
  auto out = parseBytes(parseOsv, record);
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_TRUE(out.lines().empty());
  ASSERT_EQ(out.advisories.size(), 1U);
  const auto& a = out.advisories[0];
  EXPECT_EQ(a.id, "GHSA-xxxx-yyyy-zzzz");
  EXPECT_EQ(a.source, "osv");
  EXPECT_EQ(a.aliases, std::vector<std::string>{"CVE-2023-0001"});
  EXPECT_EQ(a.related, std::vector<std::string>{"CVE-2023-0002"});
  EXPECT_EQ(a.modified, "2024-01-02T03:04:05Z");
  EXPECT_EQ(a.published, "2023-12-01T00:00:00Z");
  EXPECT_EQ(a.withdrawn, "2024-02-01T00:00:00Z");
  EXPECT_EQ(a.summary, "s");
  EXPECT_EQ(a.details, "d");
  ASSERT_EQ(a.severities.size(), 3U);
  EXPECT_EQ(a.severities[0].type, "CVSS_V3");
  EXPECT_EQ(a.severities[0].vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
  EXPECT_FALSE(a.severities[0].score.has_value());
  EXPECT_EQ(a.severities[1].severity, model::Severity::Medium);
  EXPECT_EQ(a.severities[2].type, "database_specific");
  EXPECT_EQ(a.severities[2].severity, model::Severity::Medium);
  ASSERT_EQ(a.affected.size(), 2U);
  const auto& npm = a.affected[0];
  EXPECT_EQ(npm.ecosystem, "npm");
  EXPECT_EQ(npm.name, "left-pad");
  EXPECT_EQ(npm.purl, "pkg:npm/left-pad");
  EXPECT_EQ(npm.status, AffectedStatus::Affected);
  EXPECT_EQ(npm.fixed_version, "1.2.0");
  EXPECT_EQ(npm.severity, model::Severity::High);
  EXPECT_EQ(npm.versions, (std::vector<std::string>{"1.0.0", "1.1.0"}));
  ASSERT_EQ(npm.ranges.size(), 2U);
  EXPECT_EQ(npm.ranges[0].type, VersionRange::Type::Semver);
  EXPECT_EQ(npm.ranges[0].events, (std::vector<RangeEvent>{{RangeEvent::Kind::Introduced, "1.0.0"},
                                                           {RangeEvent::Kind::Fixed, "1.2.0"},
                                                           {RangeEvent::Kind::Introduced, "2.0.0"},
                                                           {RangeEvent::Kind::Limit, "3.0.0"}}));
  EXPECT_EQ(npm.ranges[1].type, VersionRange::Type::Git);
  EXPECT_EQ(a.affected[1].ecosystem, "alpine:3.19");
  EXPECT_EQ(a.affected[1].ranges[0].events[1].kind, RangeEvent::Kind::LastAffected);
  EXPECT_EQ(a.references, std::vector<std::string>{"https://example.org/a"});
}

TEST(Osv, ReportsMalformedAndUnevaluableRecordsAndContinues) {
  const std::string array = R"([
    {"id": "OK-1", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1"}]}]}]},
    {"id": 7},
    {"summary": "no id"},
    "not an object",
    {"id": "BAD-RANGE", "affected": [{"package": {"ecosystem": "PyPI", "name": "b"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "1"}]},
                 {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1"},
                                                 {"last_affected": "2"}]}]}]},
    {"id": "UNKNOWN-ECO", "affected": [{"package": {"ecosystem": "Nowhere:1", "name": "c"}}]},
    {"id": "BAD-TYPE", "affected": [{"ranges": [{"type": "WEIRD", "events": []}]}]},
    {"id": "OK-2"}])";
  auto out = parseBytes(parseOsv, array, "f.json");
  ASSERT_TRUE(out.ok) << out.error;
  std::vector<std::string> ids;
  for (const auto& a : out.advisories) ids.push_back(a.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"OK-1", "BAD-RANGE", "UNKNOWN-ECO", "OK-2"}));
  EXPECT_EQ(out.lines(), (std::vector<std::string>{
                             "feed.unevaluable f.json#BAD-RANGE: ECOSYSTEM range of b has both "
                             "\"fixed\" and \"last_affected\"",
                             "feed.unevaluable f.json#BAD-RANGE: ECOSYSTEM range of b has no "
                             "\"introduced\" event",
                             "feed.unevaluable f.json#UNKNOWN-ECO: unknown ecosystem \"Nowhere:1\"",
                             "osv.malformed-record f.json#1: \"id\" is not a string",
                             "osv.malformed-record f.json#2: record has no \"id\"",
                             "osv.malformed-record f.json#3: record is not an object",
                             "osv.malformed-record f.json#6#BAD-TYPE: unknown range type \"WEIRD\"",
                         }));
}

TEST(Osv, RejectsNonJsonCleanly) {
  for (const std::string_view bad : {"", "{", "[1,", "null", "42", "\"x\"", "{\"id\": \"x\""}) {
    auto out = parseBytes(parseOsv, bad);
    EXPECT_TRUE(out.advisories.empty()) << bad;
    if (bad != "null" && bad != "42" && bad != "\"x\"") {
      EXPECT_FALSE(out.ok) << bad;
    }
  }
}

struct FixtureSet {
  const char* folder;
  std::size_t files;
  std::size_t unevaluable;
};

class OsvFixtures : public ::testing::TestWithParam<FixtureSet> {};

TEST_P(OsvFixtures, EveryFileParsesWithoutDiagnostics) {
  const auto& set = GetParam();
  BULWARK_REQUIRE_SHARED(std::string("scan/vulns/") + set.folder);
  auto out = parsePath(vulns() / set.folder);
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.advisories.size(), set.files);  // one record per file
  EXPECT_EQ(out.diagnostics->size(), set.unevaluable) << ::testing::PrintToString(out.lines());
  EXPECT_EQ(out.lines(std::string(kUnevaluable)).size(), set.unevaluable);
}

INSTANTIATE_TEST_SUITE_P(Real, OsvFixtures,
                         ::testing::Values(FixtureSet{"go-osv", 4291, 0},
                                           FixtureSet{"pypi-osv", 2661, 0},
                                           FixtureSet{"rustsec-osv", 1206, 0}),
                         [](const auto& info) {
                           std::string name = info.param.folder;
                           for (auto& c : name)
                             c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

TEST(OsvFixtures, ExactRecords) {
  BULWARK_REQUIRE_SHARED("scan/vulns/go-osv");
  auto go = parsePath(vulns() / "go-osv/GO-2022-0956.json");
  ASSERT_EQ(go.advisories.size(), 1U);
  const auto& g = go.advisories[0];
  EXPECT_EQ(g.aliases, (std::vector<std::string>{"CVE-2022-3064", "GHSA-6q6q-88xp-6f2r"}));
  ASSERT_EQ(g.affected.size(), 1U);
  EXPECT_EQ(g.affected[0].ecosystem, "Go");
  EXPECT_EQ(g.affected[0].name, "gopkg.in/yaml.v2");
  EXPECT_EQ(g.affected[0].fixed_version, "2.2.4");
  EXPECT_EQ(g.affected[0].ranges[0].type, VersionRange::Type::Semver);

  auto withdrawn = parsePath(vulns() / "go-osv/GO-2022-0617.json");
  ASSERT_EQ(withdrawn.advisories.size(), 1U);
  EXPECT_EQ(withdrawn.advisories[0].withdrawn, "2024-08-21T16:25:56Z");

  BULWARK_REQUIRE_SHARED("scan/vulns/pypi-osv");
  auto py = parsePath(vulns() / "pypi-osv/PYSEC-2022-42969.json");
  ASSERT_EQ(py.advisories.size(), 1U);
  const auto& p = py.advisories[0].affected.at(0);
  EXPECT_EQ(p.ecosystem, "PyPI");
  EXPECT_EQ(p.name, "py");
  EXPECT_EQ(p.versions.size(), 65U);
  EXPECT_EQ(p.ranges.at(0).events.at(1), (RangeEvent{RangeEvent::Kind::LastAffected, "1.11.0"}));
  EXPECT_TRUE(p.fixed_version.empty());

  BULWARK_REQUIRE_SHARED("scan/vulns/rustsec-osv");
  auto rust = parsePath(vulns() / "rustsec-osv/RUSTSEC-2024-0445.json");
  ASSERT_EQ(rust.advisories.size(), 1U);
  ASSERT_EQ(rust.advisories[0].severities.size(), 1U);
  EXPECT_EQ(rust.advisories[0].severities[0].type, "CVSS_V4");
  EXPECT_EQ(rust.advisories[0].severities[0].vector,
            "CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N");
}

TEST(OsvFixtures, OsvDevTestdataMixedFolder) {
  BULWARK_REQUIRE_SHARED("scan/vulns/osv.dev-testdata");
  auto out = parsePath(vulns() / "osv.dev-testdata");
  ASSERT_TRUE(out.ok) << out.error;
  const auto* ubuntu = out.find("UBUNTU-CVE-2025-38094");
  ASSERT_NE(ubuntu, nullptr);
  EXPECT_EQ(ubuntu->affected.at(0).ecosystem, "ubuntu:14.04");
  EXPECT_EQ(ubuntu->affected.at(0).name, "linux");
  ASSERT_FALSE(ubuntu->severities.empty());
  EXPECT_EQ(ubuntu->severities[0].severity, model::Severity::Medium);
  // Expected diagnostics: files of no feed format (osv.dev's internal "parts") and the test
  // records' made-up ecosystems. The folder's NVD and CVE JSON 5 files are read by their own
  // parsers.
  std::map<std::string, std::size_t> kinds;
  for (const auto& d : out.diagnostics->sorted()) ++kinds[d.kind];
  EXPECT_EQ(kinds, (std::map<std::string, std::size_t>{{"feed.unrecognised", 16},
                                                       {"feed.unevaluable", 16}}))
      << ::testing::PrintToString(out.lines());
  for (const auto& line : out.lines("feed.unrecognised")) {
    const bool other_format = line.find("/cve5/") != std::string::npos ||
                              line.find("/cvelistV5/") != std::string::npos ||
                              line.find("/nvdcve-") != std::string::npos ||
                              line.find("/nvd/testdata/") != std::string::npos ||
                              line.find("/parts/") != std::string::npos;
    EXPECT_TRUE(other_format) << line;
  }
  for (const auto& line : out.lines(std::string(kUnevaluable))) {
    const bool expected = line.find("unknown ecosystem \"Ecosystem") != std::string::npos ||
                          line.find("without a package ecosystem") != std::string::npos ||
                          line.find("CVE-5.json") != std::string::npos;  // Amazon, Oracle, SUSE
    EXPECT_TRUE(expected) << line;
  }
  // 35 OSV records, 3 CVEs from the Debian tracker mock in the same folder, 669 NVD 1.1 and 36
  // NVD 2.0 records, 24 CVE JSON 5 records.
  EXPECT_EQ(out.advisories.size(), 767U);
}

// Builds a zip in memory with libarchive.
std::string makeZip(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out;
  struct archive* writer = archive_write_new();
  archive_write_set_format_zip(writer);
  archive_write_open(
      writer, &out, nullptr,
      [](struct archive*, void* data, const void* buffer, size_t size) -> la_ssize_t {
        static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), size);
        return static_cast<la_ssize_t>(size);
      },
      nullptr);
  for (const auto& [name, body] : members) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, name.c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(body.size()));
    archive_write_header(writer, entry);
    archive_write_data(writer, body.data(), body.size());
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
  return out;
}

TEST(OsvZip, ReadsMembersAndSurvivesTruncation) {
  const std::string zip = makeZip({{"A-1.json", R"({"id": "A-1", "modified": "x"})"},
                                   {"README", "not json"},
                                   {"B-1.json", R"({"id": "B-1"})"},
                                   {"broken.json", R"({"id": )"},
                                   {"C-1.json", R"([{"id": "C-1"}, {"id": "C-2"}])"}});
  auto out = parseBytes(parseOsvZip, zip, "all.zip");
  ASSERT_TRUE(out.ok) << out.error;
  std::vector<std::string> ids;
  for (const auto& a : out.advisories) ids.push_back(a.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"A-1", "B-1", "C-1", "C-2"}));
  ASSERT_EQ(out.lines().size(), 1U);
  EXPECT_TRUE(out.lines()[0].starts_with("osv.malformed-record all.zip!broken.json: "))
      << out.lines()[0];
  ASSERT_NE(detectFeed("all.zip", zip), nullptr);
  EXPECT_EQ(detectFeed("all.zip", zip)->name, "osv-zip");
  testing::expectRobust(parseOsvZip, zip);
  // Cut inside the second member: the first is delivered, then a clean error.
  auto truncated = parseBytes(parseOsvZip, std::string_view(zip).substr(0, 200), "all.zip");
  EXPECT_FALSE(truncated.ok);
  EXPECT_NE(truncated.error.find("zip"), std::string::npos) << truncated.error;
  EXPECT_EQ(truncated.advisories.size(), 1U);
}

TEST(Osv, TruncatedAndCorruptedRealRecords) {
  BULWARK_REQUIRE_SHARED("scan/vulns/go-osv/GO-2022-0956.json");
  testing::expectRobust(parseOsv, bulwark::testing::readFile(vulns() / "go-osv/GO-2022-0956.json"));
}

}  // namespace
}  // namespace bulwark::vulndb::feeds
