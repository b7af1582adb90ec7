// The three rpm database readers over real databases from ../shared/testdata (BerkeleyDB from
// RHEL/CentOS/SLES images, ndb from SLE 15 BCI, sqlite from CBL-Mariner 2.0), compared with the
// go-rpmdb expected list, plus truncated, corrupted and crafted variants of each.
#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include "catalog/rpm/bdb.h"
#include "catalog/rpm/database.h"
#include "catalog/rpm/header.h"
#include "catalog/rpm/ndb.h"
#include "catalog/rpm/sqlite_db.h"
#include "header_builder.h"
#include "testdata.h"

namespace bulwark::catalog::rpm {
namespace {

constexpr const char* kLibuuid = "scan/pkgdb/rpm/go-rpmdb/libuuid/Packages";
constexpr const char* kSyft = "scan/pkgdb/rpm/syft-redhat/Packages";
constexpr const char* kEpoch = "scan/pkgdb/rpm/osv-scalibr/Packages_epoch";
constexpr const char* kCentos =
    "scan/pkgdb/grype-match-coverage/image-centos-match-coverage/var/lib/rpm/Packages";
constexpr const char* kSles =
    "scan/pkgdb/grype-match-coverage/image-sles-match-coverage/var/lib/rpm/Packages";
constexpr const char* kMariner = "scan/pkgdb/rpm/go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite";
constexpr const char* kSle15 = "scan/pkgdb/rpm/go-rpmdb/sle15-bci/Packages.db";
constexpr const char* kSle15Expected = "scan/expected/go-rpmdb/sle15-bci-Packages.db.packages.json";

struct Scan {
  bool ok = false;
  std::string error;
  std::vector<std::uint64_t> records;
  std::vector<HeaderInfo> packages;
  std::size_t bad_headers = 0;
  std::vector<core::Diagnostic> diagnostics;
};

Scan scan(std::string_view bytes) {
  Scan result;
  core::Diagnostics diagnostics;
  const auto status = readDatabase(
      bytes, "db",
      [&](std::uint64_t record, std::string_view blob) {
        result.records.push_back(record);
        auto info = parseHeader(blob);
        if (info) {
          result.packages.push_back(std::move(*info));
        } else {
          ++result.bad_headers;
        }
      },
      diagnostics);
  result.ok = static_cast<bool>(status);
  if (!status) result.error = status.error().message;
  result.diagnostics = diagnostics.sorted();
  return result;
}

std::string load(const char* relative) {
  return testing::readFile(testing::sharedTestdata() / relative);
}

const HeaderInfo* find(const Scan& result, std::string_view name) {
  for (const auto& info : result.packages) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

TEST(RpmDatabase, DetectsFormats) {
  EXPECT_EQ(detectDatabase(std::string("SQLite format 3\0xxxx", 20)), DatabaseKind::Sqlite);
  EXPECT_EQ(detectDatabase("RpmP...."), DatabaseKind::Ndb);
  EXPECT_EQ(detectDatabase(std::string("\0\0\0\0\0\0\0\0\0\0\0\0\x61\x15\x06\x00", 16)),
            DatabaseKind::BerkeleyDb);
  EXPECT_EQ(detectDatabase(std::string("\0\0\0\0\0\0\0\0\0\0\0\0\x00\x06\x15\x61", 16)),
            DatabaseKind::BerkeleyDb);
  EXPECT_FALSE(detectDatabase("Package: dpkg\n"));
  EXPECT_FALSE(scan("not a database").ok);
}

TEST(RpmDatabase, BerkeleyLibuuid) {
  BULWARK_REQUIRE_SHARED(kLibuuid);
  const Scan result = scan(load(kLibuuid));
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(result.diagnostics.empty());
  ASSERT_EQ(result.packages.size(), 1U);
  const HeaderInfo& p = result.packages[0];
  EXPECT_EQ(p.name, "libuuid");
  EXPECT_FALSE(p.epoch);
  EXPECT_EQ(p.version, "2.32.1");
  EXPECT_EQ(p.release, "42.el8_8");
  EXPECT_EQ(p.arch, "x86_64");
  EXPECT_EQ(p.source_rpm, "util-linux-2.32.1-42.el8_8.src.rpm");
  EXPECT_EQ(p.license, "BSD");
  EXPECT_EQ(p.vendor, "Red Hat, Inc.");
  EXPECT_FALSE(p.files.empty());
}

TEST(RpmDatabase, BerkeleySyftGrypeAndEpoch) {
  for (const char* path : {kSyft, kCentos, kSles}) {
    if (!std::filesystem::exists(testing::sharedTestdata() / path)) GTEST_SKIP() << path;
    const Scan result = scan(load(path));
    ASSERT_TRUE(result.ok) << path << ": " << result.error;
    EXPECT_TRUE(result.diagnostics.empty()) << path;
    ASSERT_EQ(result.packages.size(), 1U) << path;
    const HeaderInfo& p = result.packages[0];
    EXPECT_EQ(p.name, "dive");
    EXPECT_EQ(p.version, "0.9.2");
    EXPECT_EQ(p.release, "1");
    EXPECT_EQ(p.arch, "x86_64");
    EXPECT_EQ(p.source_rpm, "dive-0.9.2-1.src.rpm");
    EXPECT_EQ(p.license, "MIT");
    EXPECT_EQ(p.vendor, "");
    EXPECT_EQ(p.size, 12406784U);
    EXPECT_EQ(p.files, std::vector<std::string>{"/usr/local/bin/dive"});
  }
  BULWARK_REQUIRE_SHARED(kEpoch);
  const Scan result = scan(load(kEpoch));
  ASSERT_TRUE(result.ok) << result.error;
  ASSERT_EQ(result.packages.size(), 1U);
  EXPECT_EQ(result.packages[0].name, "hello");
  EXPECT_EQ(result.packages[0].epoch, 1U);
  EXPECT_EQ(result.packages[0].version, "0.0.1");
  EXPECT_EQ(result.packages[0].release, "rls");
  EXPECT_EQ(result.packages[0].sigmd5, "cf2ddad93eb8bde0848348b7dd2318a9");
}

TEST(RpmDatabase, SqliteMariner) {
  BULWARK_REQUIRE_SHARED(kMariner);
  const Scan result = scan(load(kMariner));
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(result.diagnostics.empty());
  EXPECT_EQ(result.bad_headers, 0U);
  EXPECT_EQ(result.packages.size(), 129U);
  const HeaderInfo* zlib = find(result, "zlib");
  ASSERT_NE(zlib, nullptr);
  EXPECT_EQ(zlib->version, "1.2.11");
  EXPECT_EQ(zlib->release, "5.cm2");
  EXPECT_EQ(zlib->arch, "x86_64");
  EXPECT_EQ(zlib->vendor, "Microsoft Corporation");
  EXPECT_EQ(zlib->size, 104173U);
  EXPECT_EQ(zlib->sigmd5, "26b5ae370d09fa0f57d2f4ba1452c5c3");
  EXPECT_EQ(zlib->files.size(), 4U);
  const HeaderInfo* glibc = find(result, "glibc");
  ASSERT_NE(glibc, nullptr);
  EXPECT_EQ(glibc->license, "BSD AND GPLv2+ AND Inner-Net AND ISC AND LGPLv2+ AND MIT");
  EXPECT_EQ(glibc->files.size(), 84U);
}

// Every field go-rpmdb's SLE15WithNDB case lists, package by package.
TEST(RpmDatabase, NdbSle15MatchesGoRpmdb) {
  BULWARK_REQUIRE_SHARED(kSle15);
  BULWARK_REQUIRE_SHARED(kSle15Expected);
  const Scan result = scan(load(kSle15));
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(result.diagnostics.empty());
  EXPECT_EQ(result.bad_headers, 0U);
  const auto expected = nlohmann::json::parse(load(kSle15Expected))["packages"];
  ASSERT_EQ(result.packages.size(), expected.size());
  for (const auto& want : expected) {
    const std::string name = want["name"];
    const HeaderInfo* got = find(result, name);
    ASSERT_NE(got, nullptr) << name;
    if (want["epoch"].is_null()) {
      EXPECT_FALSE(got->epoch) << name;
    } else {
      EXPECT_EQ(got->epoch, want["epoch"].get<std::uint32_t>()) << name;
    }
    EXPECT_EQ(got->version, want["version"]) << name;
    EXPECT_EQ(got->release, want["release"]) << name;
    EXPECT_EQ(got->arch, want["arch"]) << name;
    EXPECT_EQ(got->source_rpm, want["sourceRpm"]) << name;
    EXPECT_EQ(got->size, want["size"].get<std::uint64_t>()) << name;
    EXPECT_EQ(got->license, want["license"]) << name;
    EXPECT_EQ(got->vendor, want["vendor"]) << name;
    EXPECT_EQ(got->modularity_label, want["modularitylabel"]) << name;
    EXPECT_EQ(got->summary, want["summary"]) << name;
    EXPECT_EQ(got->sigmd5, want["sigmd5"]) << name;
  }
}

// Truncations and random corruption of every real database: never a crash (the suite also
// runs under ASan/UBSan), and a shortened file never passes silently as complete.
TEST(RpmDatabase, CorruptedVariantsFailCleanly) {
  std::mt19937 random(20240607);
  for (const char* path : {kLibuuid, kSyft, kEpoch, kMariner, kSle15}) {
    if (!std::filesystem::exists(testing::sharedTestdata() / path)) GTEST_SKIP() << path;
    const std::string good = load(path);
    const Scan full = scan(good);
    ASSERT_TRUE(full.ok) << path;
    for (int step = 1; step < 24; ++step) {
      const std::size_t cut = good.size() * step / 24;
      const Scan cut_scan = scan(good.substr(0, cut));
      EXPECT_TRUE(!cut_scan.ok || !cut_scan.diagnostics.empty() ||
                  cut_scan.packages.size() < full.packages.size())
          << path << " cut at " << cut;
    }
    for (int round = 0; round < 40; ++round) {
      std::string bad = good;
      const int flips = 1 + round % 8;
      for (int i = 0; i < flips; ++i) {
        bad[random() % bad.size()] = static_cast<char>(random());
      }
      const Scan bad_scan = scan(bad);
      EXPECT_LE(bad_scan.packages.size(), full.packages.size() + 1) << path;
    }
  }
}

// Overflow chains that loop back on themselves or run off the file end, on the libuuid
// database: each overflow page's next pointer is aimed at itself, then at a page past the end.
TEST(RpmDatabase, BerkeleyCyclicAndDanglingOverflowChains) {
  BULWARK_REQUIRE_SHARED(kLibuuid);
  const std::string good = load(kLibuuid);
  std::uint32_t page_size = 0;
  std::memcpy(&page_size, good.data() + 20, 4);  // little-endian file on a little-endian host
  ASSERT_EQ(page_size, 4096U);
  for (const std::uint32_t target : {0xffffffffU, 1U, 0U}) {
    std::string bad = good;
    int patched = 0;
    for (std::size_t page = 1; (page + 1) * page_size <= bad.size(); ++page) {
      char* p = bad.data() + page * page_size;
      if (static_cast<std::uint8_t>(p[25]) != 7) continue;
      const std::uint32_t next = target == 1U ? static_cast<std::uint32_t>(page) : target;
      std::memcpy(p + 16, &next, 4);
      ++patched;
    }
    ASSERT_GT(patched, 0);
    const Scan result = scan(bad);
    EXPECT_TRUE(result.ok);
    EXPECT_TRUE(result.packages.empty()) << target;
    EXPECT_FALSE(result.diagnostics.empty()) << target;
  }
}

// The same database written big-endian (as BerkeleyDB on s390x or ppc64 writes it): meta page
// fields, page headers, item offsets, off-page references and the record keys swapped.
std::string toBigEndian(std::string file) {
  auto swap16 = [&](std::size_t at) { std::swap(file[at], file[at + 1]); };
  auto swap32 = [&](std::size_t at) {
    std::swap(file[at], file[at + 3]);
    std::swap(file[at + 1], file[at + 2]);
  };
  auto le16 = [&](std::size_t at) {
    return static_cast<std::size_t>(static_cast<unsigned char>(file[at]) |
                                    static_cast<unsigned char>(file[at + 1]) << 8);
  };
  std::uint32_t page_size = 0;
  std::memcpy(&page_size, file.data() + 20, 4);
  for (std::size_t at = 8; at < 224; at += 4) swap32(at);
  for (std::size_t page = 1; (page + 1) * page_size <= file.size(); ++page) {
    const std::size_t base = page * page_size;
    const auto type = static_cast<std::uint8_t>(file[base + 25]);
    const std::size_t entries = le16(base + 20);
    if (type == 13 || type == 2) {
      for (std::size_t i = 0; i < entries; ++i) {
        const std::size_t offset = le16(base + 26 + 2 * i);
        if (file[base + offset] == 3) {
          swap32(base + offset + 4);
          swap32(base + offset + 8);
        } else if (i % 2 == 0 && file[base + offset] == 1) {
          swap32(base + offset + 1);  // the 4-byte record number key
        }
        swap16(base + 26 + 2 * i);
      }
    }
    swap32(base + 8);
    swap32(base + 12);
    swap32(base + 16);
    swap16(base + 20);
    swap16(base + 22);
  }
  return file;
}

TEST(RpmDatabase, BerkeleyBigEndian) {
  BULWARK_REQUIRE_SHARED(kLibuuid);
  const Scan little = scan(load(kLibuuid));
  const Scan big = scan(toBigEndian(load(kLibuuid)));
  ASSERT_TRUE(big.ok) << big.error;
  EXPECT_TRUE(big.diagnostics.empty());
  ASSERT_EQ(big.packages.size(), 1U);
  EXPECT_EQ(big.packages[0].name, "libuuid");
  EXPECT_EQ(big.packages[0].files, little.packages[0].files);
  EXPECT_EQ(big.records, little.records);
}

// ndb: a wrong checksum, a blob whose head names another package, two slots sharing blocks.
TEST(RpmDatabase, NdbCorruptBlobsAreDiagnosedAndSkipped) {
  BULWARK_REQUIRE_SHARED(kSle15);
  const std::string good = load(kSle15);
  const Scan full = scan(good);
  ASSERT_EQ(full.packages.size(), 35U);
  auto le32 = [](const std::string& s, std::size_t at) {
    std::uint32_t v = 0;
    std::memcpy(&v, s.data() + at, 4);
    return v;
  };
  // First used slot is slot 2 (bytes 32..47): pkgidx, blkoff, blkcnt.
  const std::size_t blob_start = std::size_t{le32(good, 32 + 8)} * 16;
  const std::size_t blob_blocks = le32(good, 32 + 12);
  {
    std::string bad = good;
    bad[blob_start + 16 + 100] ^= 0x55;  // inside the header blob: checksum no longer matches
    const Scan result = scan(bad);
    EXPECT_EQ(result.packages.size(), 34U);
    ASSERT_EQ(result.diagnostics.size(), 1U);
    EXPECT_EQ(result.diagnostics[0].kind, kMalformedDatabase);
    EXPECT_NE(result.diagnostics[0].detail.find("checksum"), std::string::npos);
  }
  {
    std::string bad = good;
    bad[blob_start + 4] ^= 0x01;  // head names another package
    EXPECT_EQ(scan(bad).packages.size(), 34U);
  }
  {
    std::string bad = good;
    std::memcpy(bad.data() + 48 + 8, bad.data() + 32 + 8, 8);  // slot 3 reuses slot 2's blocks
    const Scan result = scan(bad);
    EXPECT_EQ(result.packages.size(), 34U);
    EXPECT_FALSE(result.diagnostics.empty());
  }
  EXPECT_GT(blob_blocks, 0U);
}

// Builds an SQLite database image in memory from `sql`.
std::string sqliteImage(const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_int64 size = 0;
  unsigned char* bytes = sqlite3_serialize(db, "main", &size, 0);
  std::string image(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size));
  sqlite3_free(bytes);
  sqlite3_close(db);
  return image;
}

TEST(RpmDatabase, SqliteCraftedDatabases) {
  const Scan missing = scan(sqliteImage("CREATE TABLE Other(x);"));
  EXPECT_FALSE(missing.ok);
  EXPECT_NE(missing.error.find("no Packages table"), std::string::npos) << missing.error;

  // A view could run any query; it is refused before it is read.
  const Scan view = scan(sqliteImage(
      "CREATE TABLE t(hnum INTEGER, blob BLOB);"
      "CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
      "SELECT x AS hnum, zeroblob(10) AS blob FROM c;"));
  EXPECT_FALSE(view.ok);
  EXPECT_NE(view.error.find("view"), std::string::npos) << view.error;

  // Rows that are not header blobs: a NULL, a text, a bad header; the good row still counts.
  const std::string good_blob = testing::samplePackage().build();
  std::string hex;
  for (const unsigned char c : good_blob) hex += fmt::format("{:02x}", c);
  const std::string sql =
      "CREATE TABLE Packages(hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB);"
      "INSERT INTO Packages VALUES (1, NULL), (2, 'text'), (3, x'00000001'), (4, x'" +
      hex + "');";
  const Scan rows = scan(sqliteImage(sql.c_str()));
  ASSERT_TRUE(rows.ok) << rows.error;
  EXPECT_EQ(rows.packages.size(), 1U);
  EXPECT_EQ(rows.bad_headers, 1U);
  EXPECT_EQ(rows.diagnostics.size(), 2U);
  EXPECT_EQ(rows.records, (std::vector<std::uint64_t>{3, 4}));
}

}  // namespace
}  // namespace bulwark::catalog::rpm
