// dpkg and apk catalogers and OS detection over real package databases from
// ../shared/testdata/scan/pkgdb (read in place), plus a differential test against dpkg-query.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "catalog/apk/apk_cataloger.h"
#include "catalog/dpkg/copyright.h"
#include "catalog/dpkg/dpkg_cataloger.h"
#include "catalog/os/os_release.h"
#include "testdata.h"

namespace bulwark::catalog {
namespace {

namespace fs = std::filesystem;
using bulwark::testing::readFile;
using bulwark::testing::sharedTestdata;

const fs::path kPkgdb = "scan/pkgdb";

std::set<std::string> nameVersions(const std::vector<model::Package>& packages) {
  std::set<std::string> out;
  for (const auto& p : packages) out.insert(p.name + " " + p.fullVersion() + " " + p.arch);
  return out;
}

TEST(Dpkg, TrivyValidStatusMatchesDpkgQuery) {
  const auto relative = kPkgdb / "dpkg/trivy/valid/var/lib/dpkg/status";
  BULWARK_REQUIRE_SHARED(relative);
  const std::string content = readFile(sharedTestdata() / relative);
  core::Diagnostics diagnostics;
  const auto packages = parseDpkgStatus(content, "status", diagnostics);
  EXPECT_EQ(packages.size(), 90U);  // 91 paragraphs, one not "install ok installed"
  EXPECT_EQ(diagnostics.size(), 0U);
  const auto libc = std::find_if(packages.begin(), packages.end(),
                                 [](const auto& p) { return p.name == "libc6"; });
  ASSERT_NE(libc, packages.end());
  EXPECT_EQ(libc->source_name, "glibc");
  EXPECT_FALSE(libc->maintainer.empty());
}

// Every dpkg status fixture, compared with what dpkg itself says is installed.
TEST(Dpkg, DifferentialAgainstDpkgQuery) {
  if (std::system("command -v dpkg-query >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "dpkg-query not installed";
  }
  const fs::path fixtures[] = {
      kPkgdb / "dpkg/trivy/valid/var/lib/dpkg/status", kPkgdb / "dpkg/osv-scalibr/valid",
      kPkgdb / "grype-match-coverage/image-debian-match-coverage/var/lib/dpkg/status"};
  int compared = 0;
  for (const auto& relative : fixtures) {
    if (!fs::exists(sharedTestdata() / relative)) continue;
    const fs::path admin = fs::temp_directory_path() / ("bulwark-dpkg-" + std::to_string(getpid()));
    fs::create_directories(admin / "info");
    fs::copy_file(sharedTestdata() / relative, admin / "status",
                  fs::copy_options::overwrite_existing);
    const std::string command =
        "dpkg-query --admindir=" + admin.string() +
        " -W -f='${db:Status-Abbrev}|${Package}|${Version}|${Architecture}\\n'"
        " 2>/dev/null";
    std::set<std::string> expected;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
      char line[4096];
      while (std::fgets(line, sizeof line, pipe) != nullptr) {
        std::string text(line);
        if (text.rfind("ii ", 0) != 0) continue;
        text = text.substr(text.find('|') + 1);
        text.pop_back();
        const auto a = text.find('|');
        const auto b = text.find('|', a + 1);
        expected.insert(text.substr(0, a) + " " + text.substr(a + 1, b - a - 1) + " " +
                        text.substr(b + 1));
      }
      ::pclose(pipe);
    }
    fs::remove_all(admin);
    core::Diagnostics diagnostics;
    const auto packages =
        parseDpkgStatus(readFile(sharedTestdata() / relative), relative.string(), diagnostics);
    EXPECT_EQ(nameVersions(packages), expected) << relative;
    ++compared;
  }
  if (compared == 0) GTEST_SKIP() << "shared testdata absent";
}

TEST(Dpkg, DistrolessStatusDirectory) {
  const auto relative = kPkgdb / "dpkg/distroless-status.d/syft";
  BULWARK_REQUIRE_SHARED(relative);
  core::Diagnostics diagnostics;
  const auto single =
      parseDpkgStatus(readFile(sharedTestdata() / relative / "single"), "single", diagnostics);
  ASSERT_EQ(single.size(), 1U);
  EXPECT_EQ(single[0].name, "apt");
  const auto deinstall = parseDpkgStatus(readFile(sharedTestdata() / relative / "deinstall"),
                                         "deinstall", diagnostics);
  ASSERT_EQ(deinstall.size(), 1U);  // the second kernel is "deinstall ok config-files"
  EXPECT_EQ(deinstall[0].name, "linux-image-6.14.0-1012-aws");
  EXPECT_EQ(diagnostics.size(), 0U);
}

// dpkg-query rejects this whole file (its first paragraph is an empty "Package:"); bulwark
// reports that paragraph and still inventories the rest.
TEST(Dpkg, EmptyPackageParagraphIsADiagnostic) {
  const auto relative = kPkgdb / "dpkg/syft-image-dpkg/var/lib/dpkg/status";
  BULWARK_REQUIRE_SHARED(relative);
  core::Diagnostics diagnostics;
  const auto packages = parseDpkgStatus(readFile(sharedTestdata() / relative), "s", diagnostics);
  ASSERT_EQ(packages.size(), 1U);
  EXPECT_EQ(packages[0].name, "libpam-runtime");
  EXPECT_EQ(packages[0].source_name, "pam");
  EXPECT_EQ(diagnostics.size(), 1U);
}

TEST(Dpkg, MalformedRecordsAreCountedAndTheRestKept) {
  core::Diagnostics diagnostics;
  const auto packages = parseDpkgStatus(
      "Package: good\nStatus: install ok installed\nVersion: 1:2.3-4\nSource: src (2.3-3)\n\n"
      "Version: 1.0\n\n"
      "Package: badversion\nVersion: x:1\n\n"
      "garbage line\n"
      "Package: also-good\nVersion: 5\nArchitecture: all\n",
      "status", diagnostics);
  ASSERT_EQ(packages.size(), 2U);
  EXPECT_EQ(packages[0].epoch, 1U);
  EXPECT_EQ(packages[0].version, "2.3-4");
  EXPECT_EQ(packages[0].fullVersion(), "1:2.3-4");
  EXPECT_EQ(packages[0].source_name, "src");
  EXPECT_EQ(packages[0].source_version, "2.3-3");
  EXPECT_EQ(packages[1].name, "also-good");
  EXPECT_EQ(diagnostics.size(), 3U);
}

TEST(DpkgCopyright, MachineReadableAndFreeFormFiles) {
  EXPECT_EQ(licensesFromCopyright("Format: x\n\nFiles: *\nLicense: GPL-2+\n\nFiles: a\n"
                                  "License: BSD-3-clause\n\nLicense: GPL-2+\n Full text\n"),
            (std::vector<std::string>{"GPL-2.0-or-later", "BSD-3-Clause"}));
  EXPECT_EQ(licensesFromCopyright("see /usr/share/common-licenses/GPL-3. and "
                                  "/usr/share/common-licenses/LGPL-2.1\n"),
            (std::vector<std::string>{"GPL-3.0-only", "LGPL-2.1-only"}));
  EXPECT_EQ(spdxFromDebian("GPL-1+ or Artistic"), "GPL-1.0-or-later OR Artistic-1.0");
  EXPECT_EQ(spdxFromDebian("LGPL-3+ and Expat"), "LGPL-3.0-or-later AND MIT");
  EXPECT_EQ(spdxFromDebian("RRA-KEEP-THIS-NOTICE"), "RRA-KEEP-THIS-NOTICE");
  EXPECT_TRUE(licensesFromCopyright("no licenses named here").empty());
}

TEST(Apk, TrivyInstalledDatabase) {
  const auto relative = kPkgdb / "apk/trivy/lib/apk/db/installed";
  BULWARK_REQUIRE_SHARED(relative);
  core::Diagnostics diagnostics;
  const auto packages =
      parseApkInstalled(readFile(sharedTestdata() / relative), "installed", diagnostics);
  EXPECT_EQ(packages.size(), 15U);
  ASSERT_EQ(diagnostics.size(), 1U);  // "invalidPackageWithoutAVersion"
  EXPECT_EQ(diagnostics.sorted()[0].kind, "apk.malformed-record");
  ASSERT_FALSE(packages.empty());
  EXPECT_EQ(packages[0].name, "musl");
  EXPECT_EQ(packages[0].version, "1.1.14-r10");
  EXPECT_EQ(packages[0].licenses, std::vector<std::string>{"MIT"});
  EXPECT_EQ(packages[0].origin, "musl");
  EXPECT_EQ(packages[0].files,
            (std::vector<std::string>{"lib/libc.musl-x86_64.so.1", "lib/ld-musl-x86_64.so.1"}));
}

TEST(Apk, EveryFixtureParsesWithAllRecords) {
  const std::pair<fs::path, std::size_t> fixtures[] = {
      {kPkgdb / "apk/osv-scalibr/installed", 15},
      {kPkgdb / "apk/syft-base/installed", 1},
      {kPkgdb / "apk/syft-extra-file-attributes/installed", 1},
      {kPkgdb / "apk/syft-multiple-2/lib/apk/db/installed", 14},
      {kPkgdb / "grype-match-coverage/image-alpine-match-coverage/lib/apk/db/installed", 3}};
  for (const auto& [relative, count] : fixtures) {
    if (!fs::exists(sharedTestdata() / relative)) GTEST_SKIP() << "absent: " << relative;
    core::Diagnostics diagnostics;
    const auto packages =
        parseApkInstalled(readFile(sharedTestdata() / relative), relative.string(), diagnostics);
    EXPECT_EQ(packages.size(), count) << relative;
    EXPECT_EQ(diagnostics.size(), 0U) << relative;
  }
}

model::Distro detectFrom(const std::vector<std::pair<std::string, fs::path>>& files) {
  image::FsView view;
  for (const auto& [path, source] : files) {
    image::FileEntry entry;
    entry.content = readFile(sharedTestdata() / source);
    view.put(path, std::move(entry));
  }
  core::Diagnostics diagnostics;
  return detectDistro(view, diagnostics);
}

TEST(OsRelease, RealReleaseFiles) {
  const fs::path release = kPkgdb / "os-release/trivy/release";
  BULWARK_REQUIRE_SHARED(release);
  struct Case {
    const char* file;
    const char* id;
    const char* version;
  };
  const Case cases[] = {{"alpine", "alpine", "3.15.4"},    {"centos", "centos", "7"},
                        {"fedora", "fedora", "42"},        {"rhel", "rhel", "9.4"},
                        {"mariner-2.0", "mariner", "2.0"}, {"azurelinux-3.0", "azurelinux", "3.0"},
                        {"sles", "sles", "15.3"},          {"photon", "photon", "4.0"}};
  for (const auto& c : cases) {
    if (!fs::exists(sharedTestdata() / release / c.file)) continue;
    const auto distro = detectFrom({{"etc/os-release", release / c.file}});
    EXPECT_EQ(distro.id, c.id) << c.file;
    EXPECT_EQ(distro.version_id, c.version) << c.file;
  }
}

TEST(OsRelease, OlderReleaseFiles) {
  const fs::path base = kPkgdb / "os-release";
  BULWARK_REQUIRE_SHARED(base);
  auto centos =
      detectFrom({{"etc/centos-release", base / "trivy/redhatbase/centos/centos-release"}});
  EXPECT_EQ(centos.id, "centos");
  EXPECT_FALSE(centos.version_id.empty());
  auto debian =
      detectFrom({{"etc/debian_version", base / "trivy/debian/debian_9/etc/debian_version"}});
  EXPECT_EQ(debian.id, "debian");
  EXPECT_EQ(debian.version_id.substr(0, 1), "9");
  auto ubuntu = detectFrom({{"etc/lsb-release", base / "trivy/ubuntu/lsb-release"}});
  EXPECT_EQ(ubuntu.id, "ubuntu");
  EXPECT_FALSE(ubuntu.version_id.empty());
}

TEST(OsRelease, AlpineBranchFromRepositories) {
  auto with_repositories = [](std::string repositories) {
    image::FsView view;
    image::FileEntry release;
    release.content = "ID=alpine\nVERSION_ID=3.16.2\n";
    view.put("etc/os-release", std::move(release));
    image::FileEntry repos;
    repos.content = std::move(repositories);
    view.put("etc/apk/repositories", std::move(repos));
    core::Diagnostics diagnostics;
    return detectDistro(view, diagnostics);
  };
  // An image FROM alpine:3.16 that installs from edge is matched against edge.
  auto edge = with_repositories(
      "https://dl-cdn.alpinelinux.org/alpine/edge/main\n"
      "# https://dl-cdn.alpinelinux.org/alpine/v3.16/community\n"
      "https://dl-cdn.alpinelinux.org/alpine/edge/community\n");
  EXPECT_EQ(edge.version_id, "3.16.2");
  EXPECT_EQ(edge.codename, "edge");
  auto pinned = with_repositories("http://mirror.example/alpine/v3.15/main\n");
  EXPECT_EQ(pinned.codename, "v3.15");
  // Mixed branches decide nothing: the release file's version stands.
  auto mixed = with_repositories(
      "https://dl-cdn.alpinelinux.org/alpine/v3.16/main\n"
      "https://dl-cdn.alpinelinux.org/alpine/edge/testing\n");
  EXPECT_EQ(mixed.codename, "");
  auto unrelated = with_repositories("/home/builder/packages/main\n");
  EXPECT_EQ(unrelated.codename, "");
}

TEST(OsRelease, QuotingRules) {
  auto fields =
      parseOsRelease("ID=\"debian\"\nNAME='Debian GNU'\nX=a\\\"b\n# c\nPRETTY=\"a \\\"q\\\"\"\n");
  EXPECT_EQ(fields["ID"], "debian");
  EXPECT_EQ(fields["NAME"], "Debian GNU");
  EXPECT_EQ(fields["PRETTY"], "a \"q\"");
}

}  // namespace
}  // namespace bulwark::catalog
