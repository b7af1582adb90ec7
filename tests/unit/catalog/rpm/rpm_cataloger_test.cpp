// The rpm cataloger over an FsView: database discovery (both directories, symlinked
// var/lib/rpm, one format per directory), package fields and locations, gpg-pubkey skipping,
// and diagnostics for malformed headers and unreadable databases.
#include "catalog/rpm/rpm_cataloger.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "header_builder.h"
#include "testdata.h"

namespace bulwark::catalog {
namespace {

constexpr const char* kMariner = "scan/pkgdb/rpm/go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite";
constexpr const char* kLibuuid = "scan/pkgdb/rpm/go-rpmdb/libuuid/Packages";

image::FileEntry file(std::string content, std::string layer = "sha256:layer1") {
  image::FileEntry entry;
  entry.type = image::FileType::Regular;
  entry.size = content.size();
  entry.content = std::move(content);
  entry.layer_digest = std::move(layer);
  return entry;
}

image::FileEntry symlink(std::string target) {
  image::FileEntry entry;
  entry.type = image::FileType::Symlink;
  entry.link_target = std::move(target);
  return entry;
}

struct Outcome {
  std::vector<model::Package> packages;
  std::vector<core::Diagnostic> diagnostics;
};

Outcome catalog(const image::FsView& fs) {
  Outcome run;
  core::Diagnostics diagnostics;
  makeRpmCataloger()->catalog(fs, model::Distro{}, run.packages, diagnostics);
  run.diagnostics = diagnostics.sorted();
  return run;
}

// An rpmdb.sqlite image holding the given header blobs as rows 1..n.
std::string sqliteDb(const std::vector<std::string>& blobs) {
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  sqlite3_exec(db,
               "CREATE TABLE Packages(hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO Packages(blob) VALUES (?)", -1, &insert, nullptr);
  for (const auto& blob : blobs) {
    sqlite3_bind_blob(insert, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(insert), SQLITE_DONE);
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  sqlite3_int64 size = 0;
  unsigned char* bytes = sqlite3_serialize(db, "main", &size, 0);
  std::string image(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size));
  sqlite3_free(bytes);
  sqlite3_close(db);
  return image;
}

TEST(RpmCataloger, Describes) {
  const auto cataloger = makeRpmCataloger();
  EXPECT_EQ(cataloger->name(), "rpm");
  EXPECT_FALSE(cataloger->version().empty());
  const auto patterns = cataloger->patterns();
  for (const char* expected :
       {"var/lib/rpm/Packages", "var/lib/rpm/Packages.db", "var/lib/rpm/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/Packages", "usr/lib/sysimage/rpm/Packages.db",
        "usr/lib/sysimage/rpm/rpmdb.sqlite"}) {
    EXPECT_NE(std::find(patterns.begin(), patterns.end(), expected), patterns.end()) << expected;
  }
}

TEST(RpmCataloger, FillsPackagesFromHeaders) {
  image::FsView fs;
  fs.put("var/lib/rpm/rpmdb.sqlite",
         file(sqliteDb({testing::samplePackage().build(), testing::HeaderBuilder()
                                                              .string(1000, "gpg-pubkey")
                                                              .string(1001, "fd431d51")
                                                              .string(1002, "4ae0493b")
                                                              .build()})));
  const Outcome run = catalog(fs);
  EXPECT_TRUE(run.diagnostics.empty());
  ASSERT_EQ(run.packages.size(), 1U);  // gpg-pubkey is not a package
  const model::Package& p = run.packages[0];
  EXPECT_EQ(p.type, model::PackageType::Rpm);
  EXPECT_EQ(p.name, "zlib");
  EXPECT_EQ(p.epoch, 2U);
  EXPECT_EQ(p.version, "1.2.11");
  EXPECT_EQ(p.release, "10.el8");
  EXPECT_EQ(p.arch, "x86_64");
  EXPECT_EQ(p.source_name, "zlib");
  EXPECT_EQ(p.source_version, "1.2.11-10.el8");
  EXPECT_EQ(p.licenses, std::vector<std::string>{"zlib and Boost"});
  EXPECT_EQ(p.vendor, "Red Hat, Inc.");
  EXPECT_EQ(p.modularity_label, "zlib:1.2:8000:abc");
  EXPECT_EQ(p.files.size(), 3U);
  EXPECT_EQ(p.location, (model::Location{"sha256:layer1", "var/lib/rpm/rpmdb.sqlite"}));
  EXPECT_EQ(p.fullVersion(), "2:1.2.11-10.el8");
}

TEST(RpmCataloger, MalformedHeadersAreDiagnosedAndTheRestKept) {
  image::FsView fs;
  std::string broken = testing::samplePackage("broken").build();
  broken[broken.size() - 20] = 'x';  // inside the region trailer's neighbourhood
  broken.resize(broken.size() - 3);  // and shorter than il/dl say
  fs.put("usr/lib/sysimage/rpm/rpmdb.sqlite",
         file(sqliteDb({testing::samplePackage("one").build(), broken,
                        testing::samplePackage("three").build()})));
  const Outcome run = catalog(fs);
  ASSERT_EQ(run.packages.size(), 2U);
  ASSERT_EQ(run.diagnostics.size(), 1U);
  EXPECT_EQ(run.diagnostics[0].kind, "rpm.malformed-header");
  EXPECT_EQ(run.diagnostics[0].where, "usr/lib/sysimage/rpm/rpmdb.sqlite record 2");
}

TEST(RpmCataloger, UnreadableDatabaseIsOneDiagnostic) {
  image::FsView fs;
  fs.put("var/lib/rpm/Packages", file("this is not a BerkeleyDB file at all, just text"));
  const Outcome run = catalog(fs);
  EXPECT_TRUE(run.packages.empty());
  ASSERT_EQ(run.diagnostics.size(), 1U);
  EXPECT_EQ(run.diagnostics[0].kind, "rpm.unreadable-database");
  EXPECT_EQ(run.diagnostics[0].where, "var/lib/rpm/Packages");
}

// Fedora: var/lib/rpm is a link to usr/lib/sysimage/rpm; the database is read once, under
// its real path. A stale Packages beside rpmdb.sqlite is ignored.
TEST(RpmCataloger, SymlinkedDirectoryIsReadOnce) {
  BULWARK_REQUIRE_SHARED(kMariner);
  BULWARK_REQUIRE_SHARED(kLibuuid);
  image::FsView fs;
  fs.put("var/lib/rpm", symlink("../../usr/lib/sysimage/rpm"));
  fs.put("usr/lib/sysimage/rpm/rpmdb.sqlite",
         file(testing::readFile(testing::sharedTestdata() / kMariner), "sha256:layer2"));
  fs.put("usr/lib/sysimage/rpm/Packages",
         file(testing::readFile(testing::sharedTestdata() / kLibuuid)));
  const Outcome run = catalog(fs);
  EXPECT_TRUE(run.diagnostics.empty());
  ASSERT_EQ(run.packages.size(), 129U);
  for (const auto& p : run.packages) {
    EXPECT_EQ(p.location, (model::Location{"sha256:layer2", "usr/lib/sysimage/rpm/rpmdb.sqlite"}));
  }
}

// A root filesystem source follows the link itself and holds two identical regular files.
TEST(RpmCataloger, IdenticalCopiesAreReadOnce) {
  BULWARK_REQUIRE_SHARED(kMariner);
  image::FsView fs;
  const std::string bytes = testing::readFile(testing::sharedTestdata() / kMariner);
  fs.put("var/lib/rpm/rpmdb.sqlite", file(bytes, ""));
  fs.put("usr/lib/sysimage/rpm/rpmdb.sqlite", file(bytes, ""));
  const Outcome run = catalog(fs);
  EXPECT_TRUE(run.diagnostics.empty());
  ASSERT_EQ(run.packages.size(), 129U);
  EXPECT_EQ(run.packages[0].location.path, "usr/lib/sysimage/rpm/rpmdb.sqlite");
}

// The reverse link (usr/lib/sysimage/rpm -> var/lib/rpm) names the real var/lib/rpm path.
TEST(RpmCataloger, ReverseSymlinkNamesTheRealPath) {
  image::FsView fs;
  fs.put("usr/lib/sysimage/rpm", symlink("/var/lib/rpm"));
  fs.put("var/lib/rpm/rpmdb.sqlite", file(sqliteDb({testing::samplePackage().build()})));
  const Outcome run = catalog(fs);
  ASSERT_EQ(run.packages.size(), 1U);
  EXPECT_EQ(run.packages[0].location.path, "var/lib/rpm/rpmdb.sqlite");
}

TEST(RpmCataloger, BothDirectoriesWithDistinctDatabases) {
  BULWARK_REQUIRE_SHARED(kLibuuid);
  image::FsView fs;
  fs.put("var/lib/rpm/Packages", file(testing::readFile(testing::sharedTestdata() / kLibuuid)));
  fs.put("usr/lib/sysimage/rpm/rpmdb.sqlite", file(sqliteDb({testing::samplePackage().build()})));
  const Outcome run = catalog(fs);
  EXPECT_TRUE(run.diagnostics.empty());
  ASSERT_EQ(run.packages.size(), 2U);
  std::vector<std::string> names;
  for (const auto& p : run.packages) names.push_back(p.name + "@" + p.location.path);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"libuuid@var/lib/rpm/Packages",
                                             "zlib@usr/lib/sysimage/rpm/rpmdb.sqlite"}));
}

}  // namespace
}  // namespace bulwark::catalog
