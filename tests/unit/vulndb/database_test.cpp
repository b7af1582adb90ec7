#include "vulndb/database.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "vulndb/advisory_json.h"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/bulwark-db-test-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { fs::remove_all(path_); }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

model::Advisory sample(const std::string& id, const std::string& modified,
                       const std::string& fixed = "1.2-3") {
  model::Advisory a;
  a.id = id;
  a.source = "debian-tracker";
  a.aliases = {"DSA-1-1"};
  a.modified = modified;
  a.summary = "a \"quoted\" summary";
  a.severities.push_back({"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8,
                          model::Severity::Critical, "nvd"});
  model::AffectedPackage p;
  p.ecosystem = "debian:12";
  p.name = "openssl";
  p.status = model::AffectedStatus::Fixed;
  p.fixed_version = fixed;
  p.urgency = "low**";
  p.severity = model::Severity::Low;
  p.ranges.push_back(
      {model::VersionRange::Type::Ecosystem,
       {{model::RangeEvent::Kind::Introduced, "0"}, {model::RangeEvent::Kind::Fixed, fixed}}});
  p.versions = {"1.0-1", "1.1-1"};
  a.affected.push_back(p);
  a.references = {"https://security-tracker.debian.org/tracker/" + id};
  return a;
}

TEST(AdvisoryJson, RoundTripsEveryField) {
  const auto a = sample("CVE-2024-1", "2024-01-01T00:00:00Z");
  auto back = advisoryFromJson(advisoryToJson(a));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, a);
}

TEST(Database, ImportLookupAndUpsertRules) {
  TempDir dir;
  const std::string path = dir.file("bulwark.db");
  {
    auto writer = DatabaseWriter::begin(path);
    ASSERT_TRUE(writer) << writer.error().message;
    EXPECT_EQ(*writer->put(sample("CVE-2024-1", "2024-01-01T00:00:00Z")),
              DatabaseWriter::Outcome::Inserted);
    EXPECT_EQ(*writer->put(sample("CVE-2024-2", "2024-01-01T00:00:00Z")),
              DatabaseWriter::Outcome::Inserted);
    ASSERT_TRUE(writer->recordFeed({"debian-tracker", "fixture", "", 2}));
    ASSERT_TRUE(writer->commit());
  }
  auto db = Database::open(path);
  ASSERT_TRUE(db) << db.error().message;
  auto records = db->affecting("debian:12", "openssl");
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 2U);
  EXPECT_EQ((*records)[0].advisory_id, "CVE-2024-1");
  EXPECT_EQ((*records)[0].advisory_severity, model::Severity::Critical);
  EXPECT_EQ((*records)[0].affected.status, model::AffectedStatus::Fixed);
  EXPECT_EQ((*records)[0].affected.fixed_version, "1.2-3");
  EXPECT_EQ((*records)[0].affected.versions, (std::vector<std::string>{"1.0-1", "1.1-1"}));
  EXPECT_EQ((*records)[0].affected.ranges, sample("x", "").affected[0].ranges);
  EXPECT_TRUE(db->affecting("debian:11", "openssl")->empty());
  auto by_alias = db->advisories("DSA-1-1");
  ASSERT_TRUE(by_alias);
  EXPECT_EQ(by_alias->size(), 2U);

  // A second import: older records are kept, newer replace, withdrawn ones disappear.
  {
    auto writer = DatabaseWriter::begin(path);
    ASSERT_TRUE(writer) << writer.error().message;
    EXPECT_EQ(*writer->put(sample("CVE-2024-1", "2023-06-01T00:00:00Z", "0.9-1")),
              DatabaseWriter::Outcome::Unchanged);
    EXPECT_EQ(*writer->put(sample("CVE-2024-1", "2024-01-01T00:00:00Z")),
              DatabaseWriter::Outcome::Unchanged);
    EXPECT_EQ(*writer->put(sample("CVE-2024-2", "2024-02-01T00:00:00Z", "1.5-1")),
              DatabaseWriter::Outcome::Updated);
    auto withdrawn = sample("CVE-2024-1", "2024-03-01T00:00:00Z");
    withdrawn.withdrawn = "2024-03-01T00:00:00Z";
    EXPECT_EQ(*writer->put(withdrawn), DatabaseWriter::Outcome::Withdrawn);
    ASSERT_TRUE(writer->commit());
  }
  auto after = Database::open(path);
  ASSERT_TRUE(after);
  records = after->affecting("debian:12", "openssl");
  ASSERT_EQ(records->size(), 1U);
  EXPECT_EQ((*records)[0].advisory_id, "CVE-2024-2");
  EXPECT_EQ((*records)[0].affected.fixed_version, "1.5-1");
  auto stats = after->stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->advisories, 1U);
  EXPECT_EQ(stats->schema_version, kSchemaVersion);
  EXPECT_FALSE(stats->build_id.empty());
  ASSERT_EQ(stats->feeds.size(), 1U);
}

TEST(Database, StoredAdvisoriesReadBackExactly) {
  // Enough documents to train the compression dictionary, ranges in every encoded form
  // (the "introduced 0, fixed = fixed_version" shorthand, several events, semver, git, none),
  // lists, arches, module streams and purls: what export returns is what was put.
  TempDir dir;
  const std::string path = dir.file("bulwark.db");
  std::vector<model::Advisory> stored;
  for (int i = 0; i < 600; ++i) {
    auto a = sample("CVE-2024-" + std::to_string(1000 + i), "2024-01-01T00:00:00Z",
                    "1." + std::to_string(i) + "-1");
    a.aliases = {"DSA-" + std::to_string(i) + "-1"};
    a.details = "Details of advisory " + std::to_string(i) + ": a buffer overflow in the parser.";
    auto& p = a.affected[0];
    if (i % 3 == 1) {  // not the shorthand: the fixed event differs from fixed_version
      p.ranges[0].events[1].version = "1.0-" + std::to_string(i);
      p.ranges.push_back({model::VersionRange::Type::Semver,
                          {{model::RangeEvent::Kind::Introduced, "1.0.0"},
                           {model::RangeEvent::Kind::LastAffected, "1.4.2"},
                           {model::RangeEvent::Kind::Limit, "2.0.0"}}});
      p.ranges.push_back(
          {model::VersionRange::Type::Git, {{model::RangeEvent::Kind::Introduced, "abc123"}}});
      p.arches = {"x86_64", "aarch64"};
      p.module_stream = "nodejs:18";
      p.purl = "pkg:rpm/redhat/openssl";
    } else if (i % 3 == 2) {
      p.ranges.clear();
      p.versions.clear();
    }
    stored.push_back(a);
  }
  {
    auto writer = DatabaseWriter::begin(path);
    ASSERT_TRUE(writer) << writer.error().message;
    for (const auto& a : stored) ASSERT_TRUE(writer->put(a));
    ASSERT_TRUE(writer->commit());
  }
  auto db = Database::open(path);
  ASSERT_TRUE(db) << db.error().message;
  for (const auto& a : stored) {
    auto back = db->advisories(a.id);
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_EQ(back->size(), 1U) << a.id;
    EXPECT_EQ(back->front(), a) << a.id;
  }
  auto records = db->affecting("debian:12", "openssl");
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), stored.size());
  EXPECT_EQ((*records)[1].affected, stored[1].affected[0]);
}

TEST(Database, AnAbandonedUpdateLeavesTheOldDatabase) {
  TempDir dir;
  const std::string path = dir.file("bulwark.db");
  {
    auto writer = DatabaseWriter::begin(path);
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->put(sample("CVE-2024-1", "2024-01-01T00:00:00Z")));
    ASSERT_TRUE(writer->commit());
  }
  {
    auto writer = DatabaseWriter::begin(path);
    ASSERT_TRUE(writer);
    auto gone = sample("CVE-2024-1", "2024-05-01T00:00:00Z");
    gone.withdrawn = "2024-05-01T00:00:00Z";
    ASSERT_TRUE(writer->put(gone));
    // No commit: as if the process died or the disk filled up.
  }
  auto db = Database::open(path);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->affecting("debian:12", "openssl")->size(), 1U);
  std::size_t leftovers = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(path).parent_path())) {
    leftovers += entry.path().filename() != "bulwark.db";
  }
  EXPECT_EQ(leftovers, 0U);
}

TEST(Database, UnusableFilesAreClearErrors) {
  TempDir dir;
  auto missing = Database::open(dir.file("none.db"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::ErrorCode::NotFound);
  std::ofstream(dir.file("garbage.db")) << "this is not sqlite";
  auto garbage = Database::open(dir.file("garbage.db"));
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, core::ErrorCode::Input);
  auto extend = DatabaseWriter::begin(dir.file("garbage.db"));
  ASSERT_FALSE(extend) << "a corrupt database must not be extended";
}

}  // namespace
}  // namespace bulwark::vulndb
