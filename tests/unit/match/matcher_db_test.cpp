// matchInventory through a real database file: which names and releases a package is looked up
// under, and which statement decides.
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "match/matcher.h"
#include "vulndb/database.h"

namespace bulwark::match {
namespace {

namespace fs = std::filesystem;
using model::AffectedStatus;
using model::RangeEvent;

class MatcherDb : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("bulwark-matcher-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  vulndb::Database write(const std::vector<model::Advisory>& advisories) {
    const std::string path = (dir_ / "bulwark.db").string();
    auto writer = vulndb::DatabaseWriter::begin(path);
    EXPECT_TRUE(writer) << writer.error().message;
    for (const auto& advisory : advisories) EXPECT_TRUE(writer->put(advisory));
    EXPECT_TRUE(writer->commit());
    auto db = vulndb::Database::open(path);
    EXPECT_TRUE(db) << db.error().message;
    return std::move(*db);
  }

  fs::path dir_;
};

model::Advisory statement(std::string id, std::string source, std::string ecosystem,
                          std::string package, AffectedStatus status, std::string fixed) {
  model::Advisory advisory;
  advisory.id = std::move(id);
  advisory.source = std::move(source);
  advisory.modified = "2024-01-01T00:00:00Z";
  model::AffectedPackage affected;
  affected.ecosystem = std::move(ecosystem);
  affected.name = std::move(package);
  affected.status = status;
  affected.fixed_version = fixed;
  std::vector<RangeEvent> events{{RangeEvent::Kind::Introduced, "0"}};
  if (!fixed.empty()) events.push_back({RangeEvent::Kind::Fixed, fixed});
  affected.ranges.push_back({model::VersionRange::Type::Ecosystem, std::move(events)});
  advisory.affected.push_back(std::move(affected));
  return advisory;
}

model::Package rpm(std::string name, std::string source, std::string version, std::string release) {
  model::Package package;
  package.type = model::PackageType::Rpm;
  package.name = std::move(name);
  package.source_name = std::move(source);
  package.epoch = 1;
  package.version = std::move(version);
  package.release = std::move(release);
  package.arch = "x86_64";
  return package;
}

TEST_F(MatcherDb, RpmStatementsUnderTheSourcePackageReachItsBinaries) {
  // Red Hat CSAF files unfixed issues under the source rpm; OVAL names binaries.
  auto db = write({
      statement("CVE-2024-0001", "redhat-vex", "rhel:8", "openssl", AffectedStatus::WillNotFix, ""),
      statement("CVE-2024-0002", "redhat-oval", "rhel:8", "openssl-libs", AffectedStatus::Fixed,
                "1:1.1.1k-12.el8_9"),
      statement("CVE-2024-0003", "redhat-vex", "rhel:8", "openssl", AffectedStatus::NotAffected,
                ""),
  });
  model::Inventory inventory;
  inventory.distro.id = "centos";  // matched against Red Hat's statements
  inventory.distro.version_id = "8";
  inventory.packages.push_back(rpm("openssl-libs", "openssl", "1.1.1k", "9.el8_7"));
  core::Diagnostics diagnostics;
  auto findings = matchInventory(db, inventory, diagnostics);
  ASSERT_TRUE(findings) << findings.error().message;
  ASSERT_EQ(findings->size(), 2U);
  EXPECT_EQ((*findings)[0].vulnerability_id, "CVE-2024-0001");
  EXPECT_EQ((*findings)[0].status, AffectedStatus::WillNotFix);
  EXPECT_EQ((*findings)[1].vulnerability_id, "CVE-2024-0002");
  EXPECT_EQ((*findings)[1].fixed_version, "1:1.1.1k-12.el8_9");
}

TEST_F(MatcherDb, OneFindingWhenBothNamesCarryTheSameVulnerability) {
  // The tracker (source name) outranks the OVAL (binary name); the finding is one.
  auto db = write({
      statement("CVE-2024-0004", "redhat-vex", "rhel:9", "curl", AffectedStatus::Fixed,
                "0:7.76.1-26.el9_3.2"),
      statement("CVE-2024-0004", "redhat-oval", "rhel:9", "libcurl", AffectedStatus::Fixed,
                "0:7.76.1-26.el9_3.3"),
  });
  model::Inventory inventory;
  inventory.distro.id = "rhel";
  inventory.distro.version_id = "9.3";
  auto package = rpm("libcurl", "curl", "7.76.1", "26.el9_3");
  package.epoch.reset();
  inventory.packages.push_back(package);
  core::Diagnostics diagnostics;
  auto findings = matchInventory(db, inventory, diagnostics);
  ASSERT_TRUE(findings) << findings.error().message;
  ASSERT_EQ(findings->size(), 1U);
  EXPECT_EQ(findings->front().fixed_version, "0:7.76.1-26.el9_3.2");
  EXPECT_EQ(findings->front().data_sources,
            (std::vector<std::string>{"redhat-oval", "redhat-vex"}));
}

TEST_F(MatcherDb, AlpineEdgeImagesUseTheEdgeBranch) {
  auto db = write({
      statement("CVE-2024-0005", "alpine-secdb:edge/main", "alpine:edge", "busybox",
                AffectedStatus::Fixed, "1.36.1-r20"),
      statement("CVE-2024-0006", "alpine-secdb:v3.16/main", "alpine:3.16", "busybox",
                AffectedStatus::Fixed, "1.36.1-r20"),
  });
  model::Inventory inventory;
  inventory.distro.id = "alpine";
  inventory.distro.version_id = "3.16.2";
  inventory.distro.codename = "edge";
  model::Package busybox;
  busybox.type = model::PackageType::Apk;
  busybox.name = "busybox";
  busybox.source_name = "busybox";
  busybox.version = "1.36.1-r2";
  inventory.packages.push_back(busybox);
  core::Diagnostics diagnostics;
  auto findings = matchInventory(db, inventory, diagnostics);
  ASSERT_TRUE(findings) << findings.error().message;
  ASSERT_EQ(findings->size(), 1U);
  EXPECT_EQ(findings->front().vulnerability_id, "CVE-2024-0005");
}

// Language packages: the registry's advisories under its OSV name, names compared as the
// registry compares them, versions in the ecosystem's scheme — also without an OS.
TEST_F(MatcherDb, LanguagePackagesMatchTheirRegistrysAdvisories) {
  auto db = write({
      statement("GHSA-aaaa", "osv", "PyPI", "Django", AffectedStatus::Affected, "4.2.8"),
      statement("GHSA-bbbb", "osv", "npm", "@scope/pkg", AffectedStatus::Affected, "1.0.0-rc.2"),
      statement("GO-2024-0001", "osv", "Go", "golang.org/x/net", AffectedStatus::Affected,
                "0.17.0"),
      statement("GHSA-cccc", "osv", "Maven", "org.example:lib", AffectedStatus::Affected,
                "2.0-beta"),
      statement("GHSA-dddd", "osv", "PyPI", "other", AffectedStatus::Affected, "9"),
  });
  model::Inventory inventory;  // no distribution: language packages are matched anyway
  auto add = [&](model::PackageType type, std::string name, std::string version) {
    model::Package package;
    package.type = type;
    package.name = std::move(name);
    package.version = std::move(version);
    inventory.packages.push_back(std::move(package));
  };
  add(model::PackageType::Python, "django", "4.2.7");                // PEP 503 name
  add(model::PackageType::Python, "Django", "4.2.8");                // fixed
  add(model::PackageType::Npm, "@scope/pkg", "1.0.0-rc.1");          // semver pre-release
  add(model::PackageType::Go, "golang.org/x/net", "v0.16.0");        // Go's "v"
  add(model::PackageType::Maven, "org.example:lib", "2.0-alpha-1");  // alpha < beta
  add(model::PackageType::Maven, "org.example:lib", "2.0");          // release > beta
  core::Diagnostics diagnostics;
  auto findings = matchInventory(db, inventory, diagnostics);
  ASSERT_TRUE(findings) << findings.error().message;
  std::vector<std::pair<std::size_t, std::string>> got;
  for (const auto& finding : *findings) {
    got.emplace_back(finding.package_index, finding.vulnerability_id);
  }
  const std::vector<std::pair<std::size_t, std::string>> expected = {
      {0, "GHSA-aaaa"}, {2, "GHSA-bbbb"}, {3, "GO-2024-0001"}, {4, "GHSA-cccc"}};
  EXPECT_EQ(got, expected);
  EXPECT_EQ(findings->front().fixed_version, "4.2.8");
  EXPECT_NE(findings->front().explanation.find("pep440"), std::string::npos)
      << findings->front().explanation;
  EXPECT_EQ(diagnostics.size(), 0U);  // no "unknown OS": there are no OS packages
}

}  // namespace
}  // namespace bulwark::match
