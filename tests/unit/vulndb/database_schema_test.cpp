// Schema 4 of the vulnerability database: package statements grouped per advisory, interned
// package names and sources; what a lookup and an export return must not change with the
// grouping, and files of another schema are refused with a clear message.
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "vulndb/database.h"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/bulwark-db-schema-test-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { fs::remove_all(path_); }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

model::AffectedPackage package(const std::string& name, const std::string& fixed) {
  model::AffectedPackage p;
  p.ecosystem = "ubuntu:18.04";
  p.name = name;
  p.status = fixed.empty() ? model::AffectedStatus::Affected : model::AffectedStatus::Fixed;
  p.fixed_version = fixed;
  p.urgency = "medium";
  if (!fixed.empty()) {
    p.ranges.push_back(
        {model::VersionRange::Type::Ecosystem,
         {{model::RangeEvent::Kind::Introduced, "0"}, {model::RangeEvent::Kind::Fixed, fixed}}});
  }
  return p;
}

// An OVAL-like definition: binaries of one source package sharing one statement, a package
// with two statements in an order that differs from the order the statements first appear.
model::Advisory definition(const std::string& id, const std::string& modified) {
  model::Advisory a;
  a.id = id;
  a.source = "ubuntu-oval";
  a.modified = modified;
  a.summary = "summary of " + id;
  a.affected = {package("libssl-dev", "1.1.1-1ubuntu2.1"), package("openssl", "1.1.1-1ubuntu2.1"),
                package("libssl1.1", "1.1.1-1ubuntu2.1"), package("openssl", ""),
                package("libssl-dev", "1.1.1-1ubuntu2.1")};
  a.affected[3].status = model::AffectedStatus::WillNotFix;
  // libcrypto's will-not-fix statement is created first, so openssl's two statements (fixed,
  // then will-not-fix) are stored in the opposite order of its feed order.
  a.affected.insert(a.affected.begin(), package("libcrypto", ""));
  a.affected[0].status = model::AffectedStatus::WillNotFix;
  return a;
}

std::vector<model::AffectedPackage> expectedFor(const model::Advisory& a, const std::string& name) {
  std::vector<model::AffectedPackage> out;
  for (const auto& p : a.affected) {
    if (p.name == name) out.push_back(p);
  }
  return out;
}

void put(const std::string& path, const std::vector<model::Advisory>& advisories) {
  auto writer = DatabaseWriter::begin(path);
  ASSERT_TRUE(writer) << writer.error().message;
  for (const auto& a : advisories) {
    auto outcome = writer->put(a);
    ASSERT_TRUE(outcome) << outcome.error().message;
  }
  ASSERT_TRUE(writer->commit());
}

void execute(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  const int status = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  const std::string error = message != nullptr ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  ASSERT_EQ(status, SQLITE_OK) << error;
}

std::int64_t count(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_stmt* statement = nullptr;
  std::int64_t out = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    out = sqlite3_column_int64(statement, 0);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return out;
}

TEST(DatabaseSchema4, GroupedStatementsReadBackInFeedOrder) {
  TempDir dir;
  const std::string path = dir.file("bulwark.db");
  const auto a = definition("CVE-2024-10", "2024-01-01T00:00:00Z");
  put(path, {a});
  // Six package statements, two distinct ones (fixed in 2.1; will-not-fix), four packages.
  EXPECT_EQ(count(path, "SELECT count(*) FROM affected"), 6);
  EXPECT_EQ(count(path, "SELECT count(*) FROM statements"), 2);
  EXPECT_EQ(count(path, "SELECT count(*) FROM packages"), 4);

  auto db = Database::open(path);
  ASSERT_TRUE(db) << db.error().message;
  for (const std::string name : {"libcrypto", "libssl-dev", "openssl", "libssl1.1"}) {
    auto records = db->affecting("ubuntu:18.04", name);
    ASSERT_TRUE(records) << records.error().message;
    std::vector<model::AffectedPackage> got;
    for (const auto& r : *records) {
      EXPECT_EQ(r.advisory_id, "CVE-2024-10");
      EXPECT_EQ(r.source, "ubuntu-oval");
      got.push_back(r.affected);
    }
    EXPECT_EQ(got, expectedFor(a, name)) << name;
  }
  auto exported = db->advisories("CVE-2024-10");
  ASSERT_TRUE(exported) << exported.error().message;
  ASSERT_EQ(exported->size(), 1U);
  EXPECT_EQ(exported->front(), a);
}

TEST(DatabaseSchema4, UpdatesAndWithdrawalsRemoveEveryGroupedRow) {
  TempDir dir;
  const std::string path = dir.file("bulwark.db");
  auto first = definition("CVE-2024-11", "2024-01-01T00:00:00Z");
  auto other = definition("CVE-2024-12", "2024-01-01T00:00:00Z");
  other.source = "ubuntu-cve-tracker";
  put(path, {first, other});
  EXPECT_EQ(count(path, "SELECT count(*) FROM affected"), 12);

  auto newer = first;
  newer.modified = "2024-02-01T00:00:00Z";
  newer.affected = {package("openssl", "1.1.1-1ubuntu2.5")};
  auto withdrawn = other;
  withdrawn.modified = "2024-02-01T00:00:00Z";
  withdrawn.withdrawn = "2024-02-01T00:00:00Z";
  put(path, {newer, withdrawn});
  EXPECT_EQ(count(path, "SELECT count(*) FROM affected"), 1);
  EXPECT_EQ(count(path, "SELECT count(*) FROM statements"), 1);

  auto db = Database::open(path);
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_TRUE(db->affecting("ubuntu:18.04", "libssl-dev")->empty());
  auto records = db->affecting("ubuntu:18.04", "openssl");
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 1U);
  EXPECT_EQ((*records)[0].affected.fixed_version, "1.1.1-1ubuntu2.5");
  auto stats = db->stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->advisories, 1U);
  EXPECT_EQ(stats->affected, 1U);
  ASSERT_EQ(stats->per_source.size(), 1U);
  EXPECT_EQ(stats->per_source[0].first, "ubuntu-oval");
  ASSERT_EQ(stats->per_ecosystem.size(), 1U);
  EXPECT_EQ(stats->per_ecosystem[0], (std::pair<std::string, std::uint64_t>{"ubuntu:18.04", 1}));
}

TEST(DatabaseSchema4, ForEachAdvisoryVisitsEveryAdvisoryBySourceAndId) {
  TempDir dir;
  const std::string path = dir.file("bulwark.db");
  auto b = definition("CVE-2024-2", "2024-01-01T00:00:00Z");
  auto a = definition("CVE-2024-1", "2024-01-01T00:00:00Z");
  auto c = definition("CVE-2024-0", "2024-01-01T00:00:00Z");
  c.source = "zz-last-source";
  put(path, {c, b, a});
  auto db = Database::open(path);
  ASSERT_TRUE(db) << db.error().message;
  std::vector<model::Advisory> seen;
  auto done = db->forEachAdvisory([&](const model::Advisory& advisory) -> core::Status {
    seen.push_back(advisory);
    return {};
  });
  ASSERT_TRUE(done) << done.error().message;
  ASSERT_EQ(seen.size(), 3U);
  EXPECT_EQ(seen[0], a);
  EXPECT_EQ(seen[1], b);
  EXPECT_EQ(seen[2], c);

  int visits = 0;
  auto stopped = db->forEachAdvisory([&](const model::Advisory&) -> core::Status {
    ++visits;
    return core::fail(core::ErrorCode::Io, "stop");
  });
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().message, "stop");
  EXPECT_EQ(visits, 1);
}

TEST(DatabaseSchema4, OtherSchemasAreRefusedNeverMisread) {
  TempDir dir;
  const std::string path = dir.file("bulwark.db");
  put(path, {definition("CVE-2024-3", "2024-01-01T00:00:00Z")});

  execute(path, "UPDATE meta SET value = '3' WHERE key = 'schema_version'");
  auto old = Database::open(path);
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().code, core::ErrorCode::Input);
  EXPECT_NE(old.error().message.find("schema 3 is too old"), std::string::npos)
      << old.error().message;
  EXPECT_NE(old.error().message.find("bulwark db update"), std::string::npos);
  EXPECT_FALSE(DatabaseWriter::begin(path)) << "an old database must not be extended";

  execute(path, "UPDATE meta SET value = '" + std::to_string(kSchemaVersion + 1) +
                    "' WHERE key = 'schema_version'");
  auto newer = Database::open(path);
  ASSERT_FALSE(newer);
  EXPECT_NE(newer.error().message.find("newer bulwark"), std::string::npos)
      << newer.error().message;
}

TEST(DatabaseSchema4, CorruptPackageListsAreErrorsNotCrashes) {
  TempDir dir;
  const std::string path = dir.file("bulwark.db");
  put(path, {definition("CVE-2024-4", "2024-01-01T00:00:00Z")});
  // A truncated varint, then a package id no package row has.
  execute(path, "UPDATE statements SET packages = x'8080'");
  auto db = Database::open(path);
  ASSERT_TRUE(db) << db.error().message;
  auto exported = db->advisories("CVE-2024-4");
  ASSERT_FALSE(exported);
  EXPECT_NE(exported.error().message.find("corrupt database"), std::string::npos);
  auto rewrite = DatabaseWriter::begin(path);
  ASSERT_TRUE(rewrite) << rewrite.error().message;
  auto replaced = definition("CVE-2024-4", "2024-02-01T00:00:00Z");
  replaced.summary = "changed";
  EXPECT_FALSE(rewrite->put(replaced)) << "a corrupt statement is not silently replaced";

  execute(path, "UPDATE statements SET packages = x'7f00'");
  auto again = Database::open(path);
  ASSERT_TRUE(again);
  auto missing = again->advisories("CVE-2024-4");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("corrupt database"), std::string::npos);
}

}  // namespace
}  // namespace bulwark::vulndb
