// Trivy's CycloneDX and SPDX of a root filesystem, read by readSbom(), give the inventory bulwark
// itself finds there: the same packages, versions (with epochs), architectures and source
// packages, and the same distribution. Label peer: skips without /tmp/bulwark-peers/trivy
// (../shared/tools/get-peers installs it; TRIVY overrides the path).
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <tuple>

#include <gtest/gtest.h>

#include "catalog/sbom/sbom_reader.h"
#include "pipeline/sbom.h"
#include "sbom_test_support.h"
#include "testdata.h"

namespace {

namespace fs = std::filesystem;
using bulwark::model::Inventory;
using bulwark::testing::sbom::ProgramRun;
using bulwark::testing::sbom::TempDir;

// (name, [epoch:]version[-release], arch, source name, source version)
using Row = std::tuple<std::string, std::string, std::string, std::string, std::string>;

std::set<Row> rows(const Inventory& inventory) {
  std::set<Row> out;
  for (const auto& p : inventory.packages) {
    out.emplace(p.name, p.fullVersion(), p.arch, p.source_name, p.source_version);
  }
  return out;
}

std::string describe(const std::set<Row>& rows) {
  std::string out;
  for (const auto& [name, version, arch, source, source_version] : rows) {
    out += "  " + name + " " + version + " " + arch + " (" + source + " " + source_version + ")\n";
  }
  return out;
}

class TrivySbom : public ::testing::TestWithParam<std::string> {};

TEST_P(TrivySbom, SameInventoryAsBulwark) {
  const char* env = std::getenv("TRIVY");
  const std::string trivy = env != nullptr ? env : "/tmp/bulwark-peers/trivy";
  if (::access(trivy.c_str(), X_OK) != 0) {
    GTEST_SKIP() << "Trivy absent (" << trivy << "); run ../shared/tools/get-peers";
  }
  // debian-mini with its os-release symlink resolved and the etc/debian_version every Debian
  // root has: Trivy recognises Debian by that file, bulwark by os-release.
  const TempDir dir;
  const fs::path rootfs = dir.path() / "rootfs";
  fs::copy(bulwark::testing::fixtures() / "rootfs/debian-mini", rootfs,
           fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  fs::remove(rootfs / "etc/os-release");
  fs::copy_file(rootfs / "usr/lib/os-release", rootfs / "etc/os-release");
  std::ofstream(rootfs / "etc/debian_version") << "12.4\n";

  const fs::path tmp = dir.path() / "tmp";
  fs::create_directories(tmp);
  const ProgramRun scan = bulwark::testing::sbom::runProgram(
      {"env", "TMPDIR=" + tmp.string(), trivy, "rootfs", rootfs.string(), "--format", GetParam(),
       "--offline-scan", "--skip-db-update", "--quiet", "--cache-dir",
       (dir.path() / "cache").string()});
  ASSERT_EQ(scan.status, 0) << scan.err;

  bulwark::core::Diagnostics diagnostics;
  const auto from_trivy = bulwark::catalog::readSbom(scan.out, "trivy." + GetParam(), diagnostics);
  ASSERT_TRUE(from_trivy.has_value()) << from_trivy.error().message;
  const auto own = bulwark::pipeline::buildInventory(rootfs.string(), {});
  ASSERT_TRUE(own.has_value()) << own.error().message;

  ASSERT_FALSE(own->packages.empty());
  const auto theirs = rows(*from_trivy);
  const auto ours = rows(*own);
  EXPECT_EQ(theirs, ours) << "from Trivy's SBOM:\n"
                          << describe(theirs) << "bulwark:\n"
                          << describe(ours);
  EXPECT_EQ(from_trivy->distro.id, own->distro.id);
  // Trivy reads the point release from etc/debian_version ("12.4"), bulwark VERSION_ID ("12").
  EXPECT_EQ(from_trivy->distro.version_id.substr(0, own->distro.version_id.size() + 1),
            own->distro.version_id + ".");
  EXPECT_EQ(from_trivy->distro.source, "sbom operating-system component");
  for (const auto& d : from_trivy->diagnostics) {
    ADD_FAILURE() << "unexpected diagnostic " << d.kind << " " << d.where << ": " << d.detail;
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, TrivySbom, ::testing::Values("cyclonedx", "spdx-json"),
                         [](const auto& info) {
                           return info.param == "cyclonedx" ? std::string("CycloneDx")
                                                            : std::string("Spdx");
                         });

}  // namespace
