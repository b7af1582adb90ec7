// Database::changesSince: each commit of a writer over an existing file records the packages it
// changed; a reader can tell which packages may match or read differently since any of the
// file's last kKeptBuilds builds, and says "unknown" for anything else.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/process.h"
#include "vulndb/database.h"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;

using bulwark::testing::TempDir;

std::string fileIn(const TempDir& dir, const std::string& name) {
  return (dir.path() / name).string();
}

model::Advisory advisory(const std::string& id, const std::string& source,
                         const std::vector<std::pair<std::string, std::string>>& packages,
                         const std::string& fixed, std::vector<std::string> aliases = {}) {
  model::Advisory a;
  a.id = id;
  a.source = source;
  a.aliases = std::move(aliases);
  a.modified = "2024-01-01T00:00:00Z";
  for (const auto& [ecosystem, name] : packages) {
    model::AffectedPackage p;
    p.ecosystem = ecosystem;
    p.name = name;
    p.status = model::AffectedStatus::Fixed;
    p.fixed_version = fixed;
    p.ranges.push_back(
        {model::VersionRange::Type::Ecosystem,
         {{model::RangeEvent::Kind::Introduced, "0"}, {model::RangeEvent::Kind::Fixed, fixed}}});
    a.affected.push_back(p);
  }
  return a;
}

model::Advisory nvd(const std::string& cve, const std::string& vector) {
  model::Advisory a = advisory(cve, "nvd", {}, "");
  a.severities.push_back({"CVSS_V3", vector, 0, model::Severity::Unknown, "nvd"});
  return a;
}

// One writer commit over `path` with `advisories`; returns the new build id.
std::string commit(const std::string& path, const std::vector<model::Advisory>& advisories) {
  auto writer = DatabaseWriter::begin(path);
  EXPECT_TRUE(writer) << writer.error().message;
  for (const auto& a : advisories) EXPECT_TRUE(writer->put(a));
  EXPECT_TRUE(writer->commit());
  auto db = Database::open(path);
  EXPECT_TRUE(db) << db.error().message;
  return db->metadata()->build_id;
}

std::optional<BuildChanges> changesSince(const std::string& path, const std::string& build) {
  auto db = Database::open(path);
  EXPECT_TRUE(db) << db.error().message;
  auto changes = db->changesSince(build);
  EXPECT_TRUE(changes) << changes.error().message;
  return changes ? *changes : std::nullopt;
}

const std::string kHigh = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
const std::string kLow = "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N";

std::vector<model::Advisory> base() {
  return {
      advisory("CVE-2024-1", "debian-tracker", {{"debian:12", "openssl"}}, "3.0.1-1", {"DSA-1-1"}),
      advisory("CVE-2024-2", "debian-tracker", {{"debian:12", "zlib"}}, "1.2-1"),
      advisory("CVE-2024-3", "debian-tracker", {{"debian:12", "curl"}}, "7.0-1"),
      advisory("GHSA-aaaa-bbbb-cccc", "ghsa", {{"PyPI", "Django"}}, "4.2.1", {"CVE-2024-4"}),
      nvd("CVE-2024-1", kHigh)};
}

TEST(BuildChanges, AnUpdateRecordsTheChangedPackagesBeforeAndAfter) {
  TempDir dir;
  const std::string path = fileIn(dir, "bulwark.db");
  const std::string first = commit(path, base());
  // A new file has no earlier build: nothing is known about ids it never had.
  EXPECT_FALSE(changesSince(path, "0123456789abcdef").has_value());
  auto same = changesSince(path, first);
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->size(), 0U);

  // zlib's advisory moves to a new fix; curl's statement now names libcurl instead; the rest
  // is re-imported unchanged.
  auto updated = base();
  updated[1] = advisory("CVE-2024-2", "debian-tracker", {{"debian:12", "zlib"}}, "1.3-1");
  updated[2] = advisory("CVE-2024-3", "debian-tracker", {{"debian:12", "libcurl"}}, "7.0-1");
  updated.push_back(advisory("CVE-2024-9", "debian-tracker", {{"debian:12", "tar"}}, "1.35-1"));
  const std::string second = commit(path, updated);
  ASSERT_NE(first, second);

  auto changes = changesSince(path, first);
  ASSERT_TRUE(changes.has_value());
  EXPECT_TRUE(changes->touches("debian:12", "zlib"));
  EXPECT_TRUE(changes->touches("debian:12", "curl"));  // its statement went away
  EXPECT_TRUE(changes->touches("debian:12", "libcurl"));
  EXPECT_TRUE(changes->touches("debian:12", "tar"));  // a new advisory
  EXPECT_FALSE(changes->touches("debian:12", "openssl"));
  EXPECT_FALSE(changes->touches("PyPI", "django"));
  EXPECT_FALSE(changes->touches("debian:11", "zlib"));  // another release is another package
  EXPECT_EQ(changes->size(), 4U);
}

TEST(BuildChanges, EnrichmentSourcesMarkThePackagesOfTheirIds) {
  TempDir dir;
  const std::string path = fileIn(dir, "bulwark.db");
  const std::string first = commit(path, base());
  // NVD rescores CVE-2024-1 (openssl's finding reads its CVSS from there) and adds a record for
  // CVE-2024-4, an alias of the Django advisory: neither names a package of its own.
  const std::string second = commit(path, {nvd("CVE-2024-1", kLow), nvd("CVE-2024-4", kHigh)});
  ASSERT_NE(first, second);
  auto changes = changesSince(path, first);
  ASSERT_TRUE(changes.has_value());
  EXPECT_TRUE(changes->touches("debian:12", "openssl"));
  // Names are compared as the database stores them: PyPI names normalised.
  EXPECT_TRUE(changes->touches("PyPI", "django"));
  EXPECT_TRUE(changes->touches("PyPI", "Django"));
  EXPECT_FALSE(changes->touches("debian:12", "zlib"));
}

TEST(BuildChanges, AWithdrawnAdvisoryChangesItsPackages) {
  TempDir dir;
  const std::string path = fileIn(dir, "bulwark.db");
  const std::string first = commit(path, base());
  model::Advisory withdrawn = advisory("CVE-2024-2", "debian-tracker", {}, "");
  withdrawn.withdrawn = "2024-02-01T00:00:00Z";
  withdrawn.modified = "2024-02-01T00:00:00Z";
  commit(path, {withdrawn});
  auto changes = changesSince(path, first);
  ASSERT_TRUE(changes.has_value());
  EXPECT_TRUE(changes->touches("debian:12", "zlib"));
  EXPECT_EQ(changes->size(), 1U);
}

TEST(BuildChanges, ChangesAddUpAlongTheHistoryAndOldBuildsAreForgotten) {
  TempDir dir;
  const std::string path = fileIn(dir, "bulwark.db");
  std::vector<std::string> builds{commit(path, base())};
  builds.push_back(
      commit(path, {advisory("CVE-2024-2", "debian-tracker", {{"debian:12", "zlib"}}, "1.3-1")}));
  builds.push_back(
      commit(path, {advisory("CVE-2024-3", "debian-tracker", {{"debian:12", "curl"}}, "7.1-1")}));
  auto both = changesSince(path, builds[0]);
  ASSERT_TRUE(both.has_value());
  EXPECT_TRUE(both->touches("debian:12", "zlib"));
  EXPECT_TRUE(both->touches("debian:12", "curl"));
  auto last = changesSince(path, builds[1]);
  ASSERT_TRUE(last.has_value());
  EXPECT_FALSE(last->touches("debian:12", "zlib"));
  EXPECT_TRUE(last->touches("debian:12", "curl"));

  // An import that changes nothing is still a build, with no changed package.
  builds.push_back(commit(path, {}));
  auto nothing = changesSince(path, builds[2]);
  ASSERT_TRUE(nothing.has_value());
  EXPECT_EQ(nothing->size(), 0U);

  for (int i = 0; i < Database::kKeptBuilds; ++i) {
    builds.push_back(commit(path, {advisory("CVE-2024-2", "debian-tracker", {{"debian:12", "zlib"}},
                                            "1.4-" + std::to_string(i))}));
  }
  // The last kKeptBuilds builds are kept, each with the one before it: the earliest build still
  // reachable is the one before the oldest kept.
  const std::size_t earliest = builds.size() - 1 - Database::kKeptBuilds;
  auto kept = changesSince(path, builds[earliest]);
  ASSERT_TRUE(kept.has_value());
  EXPECT_TRUE(kept->touches("debian:12", "zlib"));
  EXPECT_FALSE(kept->touches("debian:12", "curl"));
  EXPECT_FALSE(changesSince(path, builds[earliest - 1]).has_value());
  EXPECT_FALSE(changesSince(path, builds[0]).has_value());
}

TEST(BuildChanges, ARebuiltFileHasNoHistoryOfTheOldOne) {
  TempDir dir;
  const std::string path = fileIn(dir, "bulwark.db");
  const std::string first = commit(path, base());
  fs::remove(path);
  commit(path, base());
  EXPECT_FALSE(changesSince(path, first).has_value());
}

}  // namespace
}  // namespace bulwark::vulndb
