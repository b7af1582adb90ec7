// `bulwark db export --all`: every stored advisory, one JSON document a line, ordered by
// (source, id), exactly as stored; either an ID or --all.
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_run.h"
#include "vulndb/advisory_json.h"
#include "vulndb/database.h"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;
using bulwark::testing::runBulwark;

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/bulwark-db-export-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { fs::remove_all(path_); }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

model::Advisory advisory(const std::string& id, const std::string& source) {
  model::Advisory a;
  a.id = id;
  a.source = source;
  a.aliases = {"GHSA-aaaa-bbbb-cccc"};
  a.modified = "2024-05-01T00:00:00Z";
  a.details = "line one\nline two";  // a newline inside a document stays escaped in its line
  model::AffectedPackage p;
  p.ecosystem = "PyPI";
  p.name = "requests";
  p.ranges.push_back(
      {model::VersionRange::Type::Ecosystem,
       {{model::RangeEvent::Kind::Introduced, "2.0"}, {model::RangeEvent::Kind::Fixed, "2.31.0"}}});
  a.affected = {p};
  return a;
}

TEST(DbExportAll, PrintsEveryAdvisoryAsOneJsonLine) {
  TempDir dir;
  const std::string db = dir.file("bulwark.db");
  const std::vector<model::Advisory> stored = {
      advisory("CVE-2024-2", "osv"), advisory("CVE-2024-1", "osv"), advisory("CVE-2024-0", "pypa")};
  {
    auto writer = DatabaseWriter::begin(db);
    ASSERT_TRUE(writer) << writer.error().message;
    for (const auto& a : stored) ASSERT_TRUE(writer->put(a));
    ASSERT_TRUE(writer->commit());
  }
  const auto result = runBulwark("db export --all --db " + db);
  ASSERT_EQ(result.status, 0) << result.out;
  std::istringstream lines(result.out);
  std::vector<model::Advisory> exported;
  for (std::string line; std::getline(lines, line);) {
    auto a = advisoryFromJson(line);
    ASSERT_TRUE(a) << line;
    exported.push_back(*a);
  }
  ASSERT_EQ(exported.size(), 3U) << result.out;
  EXPECT_EQ(exported[0], stored[1]);  // osv CVE-2024-1
  EXPECT_EQ(exported[1], stored[0]);  // osv CVE-2024-2
  EXPECT_EQ(exported[2], stored[2]);  // pypa

  const auto neither = runBulwark("db export --db " + db);
  EXPECT_EQ(neither.status, 2);
  EXPECT_NE(neither.out.find("either an ID or --all"), std::string::npos) << neither.out;
  const auto both = runBulwark("db export CVE-2024-1 --all --db " + db);
  EXPECT_EQ(both.status, 2);
}

}  // namespace
}  // namespace bulwark::vulndb
