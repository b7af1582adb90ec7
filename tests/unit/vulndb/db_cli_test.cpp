// `bulwark db import|stats|export` over the real feeds in ../shared/testdata/scan/vulns.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "testdata.h"

namespace {

namespace fs = std::filesystem;
using bulwark::testing::sharedTestdata;

using bulwark::testing::runBulwark;

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/bulwark-dbcli-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { fs::remove_all(path_); }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

TEST(DbCli, ImportsTheSharedFeedsAndExportsRecords) {
  BULWARK_REQUIRE_SHARED("scan/vulns/go-osv");
  const fs::path vulns = sharedTestdata() / "scan/vulns";
  TempDir dir;
  const std::string db = "--db " + dir.file("bulwark.db");
  const std::string feeds = (vulns / "go-osv").string() + " " +
                            (vulns / "alpine-secdb/json").string() + " " +
                            (vulns / "debian/security-tracker").string();
  const auto first = runBulwark("db import " + db + " " + feeds);
  ASSERT_EQ(first.status, 0) << first.out;
  EXPECT_NE(first.out.find("0 updated"), std::string::npos) << first.out;

  const auto stats = runBulwark("db stats --format json " + db);
  ASSERT_EQ(stats.status, 0) << stats.out;
  const auto doc = nlohmann::json::parse(stats.out);
  EXPECT_EQ(doc["schema_version"], 4);
  EXPECT_EQ(doc["per_source"]["debian-dsa"], 5406);
  EXPECT_EQ(doc["per_source"]["debian-dla"], 3534);
  EXPECT_EQ(doc["per_source"]["alpine-secdb:v3.11/main"].get<int>() > 1000, true);
  EXPECT_EQ(doc["per_ecosystem"]["Go"].get<int>() > 4000, true);
  const std::string build_id = doc["build_id"];

  // Importing the same feeds again changes nothing but the build id.
  const auto again = runBulwark("db import " + db + " " + feeds);
  ASSERT_EQ(again.status, 0) << again.out;
  EXPECT_NE(again.out.find("(0 new, 0 updated"), std::string::npos) << again.out;
  const auto stats2 = nlohmann::json::parse(runBulwark("db stats --format json " + db).out);
  EXPECT_EQ(stats2["advisories"], doc["advisories"]);
  EXPECT_NE(stats2["build_id"], build_id);

  const auto exported =
      runBulwark("db export " + db + " CVE-2023-25690");  // an alias of DSA-5376-1
  ASSERT_EQ(exported.status, 0) << exported.out;
  const auto records = nlohmann::json::parse(exported.out);
  bool found = false;
  for (const auto& r : records) found = found || r["id"] == "DSA-5376-1";
  EXPECT_TRUE(found) << exported.out;
  EXPECT_EQ(runBulwark("db export " + db + " CVE-0000-0000").status, 2);
}

TEST(DbCli, BadInputLeavesTheDatabaseAlone) {
  BULWARK_REQUIRE_SHARED("scan/vulns/go-osv");
  TempDir dir;
  const std::string db = "--db " + dir.file("bulwark.db");
  ASSERT_EQ(runBulwark("db import " + db + " " + (sharedTestdata() / "scan/vulns/go-osv").string())
                .status,
            0);
  const auto before = runBulwark("db stats --format json " + db).out;
  std::ofstream(dir.file("broken.json")) << R"({"id": "GO-1", "affected": [)";
  const auto bad = runBulwark("db import " + db + " " + dir.file("broken.json"));
  EXPECT_EQ(bad.status, 2) << bad.out;
  EXPECT_NE(bad.out.find("not changed"), std::string::npos) << bad.out;
  EXPECT_EQ(runBulwark("db stats --format json " + db).out, before);
  std::ofstream(dir.file("garbage.db")) << "not a database at all";
  EXPECT_EQ(runBulwark("db stats --db " + dir.file("garbage.db")).status, 2);
  EXPECT_EQ(runBulwark("db stats --db " + dir.file("missing.db")).status, 2);
}

}  // namespace

TEST(DbCli, ScanWarnsWhenTheDatabaseIsOlderThanMaxDbAge) {
  const char* source = std::getenv("BULWARK_SOURCE_DIR");
  const fs::path root = source != nullptr ? source : ".";
  TempDir dir;
  const std::string db = dir.file("bulwark.db");
  const auto imported = runBulwark("db import --db " + db + " " +
                                   (root / "tests/fixtures/advisories/debian-mini").string());
  ASSERT_EQ(imported.status, 0) << imported.out;
  const std::string scan = "scan --db " + db + " -f json -o " + dir.file("out.json") + " " +
                           (root / "tests/fixtures/rootfs/debian-mini").string();
  // Just built: no warning with the default (7d).
  auto fresh = runBulwark(scan);
  ASSERT_EQ(fresh.status, 0) << fresh.out;
  EXPECT_EQ(fresh.out.find("old (built"), std::string::npos) << fresh.out;
  // A database older than the limit: one warning line naming its build time; same exit code.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto stale = runBulwark(scan + " --max-db-age 1s");
  ASSERT_EQ(stale.status, 0) << stale.out;
  EXPECT_NE(stale.out.find(" seconds old (built 20"), std::string::npos) << stale.out;
  EXPECT_EQ(runBulwark(scan + " --max-db-age 0").out.find("old (built"), std::string::npos);
  EXPECT_EQ(runBulwark(scan + " --max-db-age soon").status, 2);
}
