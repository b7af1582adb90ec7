// `bulwark scan sbom:FILE` through the CLI: bulwark's own CycloneDX and SPDX of debian-mini
// give exactly the findings of scanning the directory itself; unusable documents exit 2.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "sbom_test_support.h"
#include "testdata.h"

namespace {

namespace fs = std::filesystem;
using bulwark::testing::sbom::ProgramRun;
using bulwark::testing::sbom::runProgram;
using bulwark::testing::sbom::TempDir;
using Json = nlohmann::json;

constexpr std::string_view kRootfs = "tests/fixtures/rootfs/debian-mini";

class SbomScan : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    bin_ = bulwark::testing::sbom::bulwarkBinary();
    if (!fs::exists(bin_)) GTEST_SKIP() << "bulwark is not built: " << bin_;
    db_ = (dir_.path() / "bulwark.db").string();
    const ProgramRun import = runBulwark(std::vector<std::string>{
        "db", "import", "--db", db_, "tests/fixtures/advisories/debian-mini"});
    ASSERT_EQ(import.status, 0) << import.err;
  }

  ProgramRun runBulwark(std::vector<std::string> args) const {
    args.insert(args.begin(), bin_);
    return runProgram(args, bulwark::testing::sourceDir());
  }

  Json scanJson(const std::string& target) const {
    const ProgramRun scan = runBulwark({"scan", target, "--db", db_, "--format", "json"});
    EXPECT_EQ(scan.status, 0) << scan.err;
    auto json = Json::parse(scan.out, nullptr, false);
    EXPECT_FALSE(json.is_discarded()) << scan.out.substr(0, 500);
    return json;
  }

  std::string bin_;
  TempDir dir_;
  std::string db_;
};

TEST_P(SbomScan, SameFindingsAsTheDirectory) {
  const std::string format = GetParam();
  const fs::path document = dir_.path() / ("debian-mini." + format + ".json");
  const ProgramRun sbom = runBulwark({"sbom", std::string(kRootfs), "--format", format});
  ASSERT_EQ(sbom.status, 0) << sbom.err;
  std::ofstream(document, std::ios::binary) << sbom.out;

  const Json direct = scanJson(std::string(kRootfs));
  const Json via_sbom = scanJson("sbom:" + document.string());
  ASSERT_TRUE(direct.contains("findings"));
  EXPECT_FALSE(direct["findings"].empty()) << "the fixture database gives findings";
  EXPECT_EQ(via_sbom["findings"], direct["findings"]);
  EXPECT_EQ(via_sbom["target"]["kind"], "sbom");
  EXPECT_EQ(via_sbom["target"]["name"], "sbom:" + document.string());
  EXPECT_EQ(via_sbom["distro"]["id"], direct["distro"]["id"]);
  EXPECT_EQ(via_sbom["distro"]["version_id"], direct["distro"]["version_id"]);

  // `bulwark sbom sbom:F` lists the same packages as the directory's own inventory.
  const ProgramRun again = runBulwark({"sbom", "sbom:" + document.string(), "--format", "json"});
  ASSERT_EQ(again.status, 0) << again.err;
  const ProgramRun original = runBulwark({"sbom", std::string(kRootfs), "--format", "json"});
  ASSERT_EQ(original.status, 0) << original.err;
  auto packages = [](const std::string& text) {
    Json list = Json::parse(text, nullptr, false).value("packages", Json::array());
    for (auto& package : list) package.erase("licenses");  // SPDX keeps them as one expression
    return list;
  };
  EXPECT_EQ(packages(again.out), packages(original.out));
}

INSTANTIATE_TEST_SUITE_P(Formats, SbomScan, ::testing::Values("cyclonedx", "spdx"));

TEST(SbomScanCli, UnusableDocumentsExitTwoWithOneLine) {
  const std::string bin = bulwark::testing::sbom::bulwarkBinary();
  if (!fs::exists(bin)) GTEST_SKIP() << "bulwark is not built: " << bin;
  const TempDir dir;
  // scan opens its database before the target: give it one.
  const std::string db = (dir.path() / "bulwark.db").string();
  const ProgramRun import =
      runProgram({bin, "db", "import", "--db", db, "tests/fixtures/advisories/debian-mini"},
                 bulwark::testing::sourceDir());
  ASSERT_EQ(import.status, 0) << import.err;
  struct Case {
    std::string name;
    std::string content;
  };
  for (const auto& [name, content] : std::vector<Case>{
           {"truncated.json", R"({"bomFormat": "CycloneDX", "specVersion": "1.5", "compo)"},
           {"other.json", R"({"name": "not an sbom"})"},
           {"bom.xml",
            R"(<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>)"},
           {"old.json", R"({"bomFormat": "CycloneDX", "specVersion": "1.0"})"},
       }) {
    const fs::path path = dir.path() / name;
    std::ofstream(path, std::ios::binary) << content;
    for (const std::string command : {"scan", "sbom"}) {
      std::vector<std::string> argv{bin, command, "sbom:" + path.string()};
      if (command == "scan") argv.insert(argv.end(), {"--db", db});
      const ProgramRun result = runProgram(argv);
      EXPECT_EQ(result.status, 2) << command << " " << name << ": " << result.err;
      EXPECT_NE(result.err.find(path.string()), std::string::npos) << result.err;
      EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
      EXPECT_TRUE(result.out.empty()) << result.out;
    }
  }
  const ProgramRun missing =
      runProgram({bin, "scan", "sbom:" + (dir.path() / "absent.json").string(), "--db", db});
  EXPECT_EQ(missing.status, 2) << missing.err;
  EXPECT_NE(missing.err.find("absent.json"), std::string::npos) << missing.err;
}

}  // namespace
