// Differential tests against Debian's `rpm` (4.18, librpm's own header code): every field and
// file bulwark decodes must equal what `rpm -qa --queryformat` prints for the same database,
// both for the real BerkeleyDB/sqlite fixtures and for an rpmdb.sqlite that rpm builds here
// from packages made with rpmbuild. Skipped when rpm or rpmbuild is not installed.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "catalog/rpm/database.h"
#include "catalog/rpm/header.h"
#include "testdata.h"

namespace bulwark::catalog::rpm {
namespace {

namespace fs = std::filesystem;

// One record per package: fields separated by tabs, then the files, each on its own line,
// closed by a line "@@".
constexpr const char* kQueryFormat =
    "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t"
    "%{LICENSE}\\t%{VENDOR}\\t%{SIZE}\\t%{SIGMD5}\\t%{MODULARITYLABEL}\\n"
    "[%{FILENAMES}\\n]@@\\n";

bool haveTool(const char* name) {
  return std::system(fmt::format("command -v {} >/dev/null 2>&1", name).c_str()) == 0;
}

std::string run(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  pclose(pipe);
  return output;
}

std::string render(const HeaderInfo& info) {
  std::string out =
      fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", info.name,
                  info.epoch ? std::to_string(*info.epoch) : "", info.version, info.release,
                  info.arch, info.source_rpm, info.license, info.vendor,
                  info.size ? std::to_string(*info.size) : "", info.sigmd5, info.modularity_label);
  for (const auto& file : info.files) out += file + "\n";
  return out + "@@\n";
}

// rpm prints "(none)" for an absent tag, bulwark leaves the field empty: compare them as equal.
std::string normalizeFields(const std::string& line) {
  std::string out;
  std::size_t start = 0;
  while (true) {
    const auto end = line.find('\t', start);
    const std::string field = line.substr(start, end - start);
    out += field == "(none)" ? "" : field;
    if (end == std::string::npos) break;
    out += '\t';
    start = end + 1;
  }
  return out;
}

// Splits the query output into records keyed by their first line (name and fields).
std::map<std::string, std::string> records(const std::string& text) {
  std::map<std::string, std::string> by_name;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find("@@\n", start);
    if (end == std::string::npos) break;
    const std::string record = text.substr(start, end + 3 - start);
    const auto first_end = record.find('\n');
    const std::string first = normalizeFields(record.substr(0, first_end));
    by_name[first] = first + record.substr(first_end);
    start = end + 3;
  }
  return by_name;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "bulwark-rpm-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Runs both readers on the database at `db`, compares their records one by one, and returns
// bulwark's packages.
std::vector<HeaderInfo> compareWithRpm(const fs::path& db) {
  std::vector<HeaderInfo> packages;
  const std::string rpm_output =
      run(fmt::format("rpm --dbpath '{}' -qa --queryformat '{}' 2>/dev/null",
                      db.parent_path().string(), kQueryFormat));
  std::string ours;
  core::Diagnostics diagnostics;
  const auto status = readDatabase(
      testing::readFile(db), db.string(),
      [&](std::uint64_t, std::string_view blob) {
        auto info = parseHeader(blob);
        ASSERT_TRUE(info) << info.error().message;
        if (info->name == "gpg-pubkey") return;
        ours += render(*info);
        packages.push_back(std::move(*info));
      },
      diagnostics);
  EXPECT_TRUE(status) << status.error().message;
  EXPECT_EQ(diagnostics.size(), 0U);
  const auto expected = records(rpm_output);
  const auto actual = records(ours);
  EXPECT_FALSE(expected.empty()) << "rpm printed nothing for " << db;
  EXPECT_EQ(actual.size(), expected.size()) << db;
  for (const auto& [key, record] : expected) {
    const auto it = actual.find(key);
    if (it == actual.end()) {
      ADD_FAILURE() << "missing or different: " << key;
      continue;
    }
    EXPECT_EQ(it->second, record) << db;
  }
  return packages;
}

TEST(RpmDifferential, RealDatabasesAgreeWithRpm) {
  if (!haveTool("rpm")) GTEST_SKIP() << "rpm is not installed (scripts/install-deps)";
  const std::pair<const char*, const char*> fixtures[] = {
      {"scan/pkgdb/rpm/go-rpmdb/libuuid/Packages", "Packages"},
      {"scan/pkgdb/rpm/syft-redhat/Packages", "Packages"},
      {"scan/pkgdb/rpm/osv-scalibr/Packages_epoch", "Packages"},
      {"scan/pkgdb/grype-match-coverage/image-centos-match-coverage/var/lib/rpm/Packages",
       "Packages"},
      {"scan/pkgdb/grype-match-coverage/image-sles-match-coverage/var/lib/rpm/Packages",
       "Packages"},
      {"scan/pkgdb/rpm/go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite", "rpmdb.sqlite"},
  };
  int compared = 0;
  for (const auto& [relative, name] : fixtures) {
    const fs::path source = testing::sharedTestdata() / relative;
    if (!fs::exists(source)) continue;
    TempDir dir;
    const fs::path copy = dir.path() / name;
    fs::copy_file(source, copy);
    fs::permissions(copy, fs::perms::owner_read | fs::perms::owner_write);
    SCOPED_TRACE(relative);
    compareWithRpm(copy);
    ++compared;
  }
  if (compared == 0) GTEST_SKIP() << "shared testdata absent";
}

// Packages built here with rpmbuild and installed (--justdb) into a fresh rpmdb.sqlite.
TEST(RpmDifferential, DatabaseBuiltByRpmAgrees) {
  if (!haveTool("rpm") || !haveTool("rpmbuild")) GTEST_SKIP() << "rpm/rpmbuild not installed";
  TempDir dir;
  const fs::path top = dir.path() / "build";
  const fs::path db = dir.path() / "db";
  fs::create_directories(db);
  struct Spec {
    std::string name;
    std::string extra;  // more preamble lines
    int files;
  };
  const std::vector<Spec> specs = {
      {"bulwark-alpha", "Epoch: 3\nVendor: Bulwark Tests\n", 3},
      {"bulwark-beta", "ModularityLabel: beta:1:8000:abcdef\n", 40},
      {"bulwark-gamma", "", 0},
  };
  std::vector<std::string> rpms;
  for (const auto& spec : specs) {
    std::string install;
    std::string files;
    for (int i = 0; i < spec.files; ++i) {
      const std::string dir_name = i % 2 == 0 ? "/usr/share/" + spec.name : "/etc/" + spec.name;
      install += fmt::format("mkdir -p %{{buildroot}}{0} && echo {1} > %{{buildroot}}{0}/f{1}\n",
                             dir_name, i);
      files += fmt::format("{}/f{}\n", dir_name, i);
    }
    const fs::path spec_path = dir.path() / (spec.name + ".spec");
    std::ofstream(spec_path) << fmt::format(
        "Name: {0}\nVersion: 1.2~rc1^git3\nRelease: 4.test\nSummary: test package {0}\n"
        "License: MIT AND (Apache-2.0 OR BSD-3-Clause)\nBuildArch: noarch\n{1}\n"
        "%description\nA package made by bulwark's tests.\n\n"
        "%install\n{2}\n%files\n{3}\n",
        spec.name, spec.extra, install, files);
    const std::string log = run(fmt::format(
        "rpmbuild --quiet -bb --define '_topdir {}' --define '_build_id_links none' '{}' 2>&1",
        top.string(), spec_path.string()));
    const fs::path built =
        top / "RPMS" / "noarch" / (spec.name + "-1.2~rc1^git3-4.test.noarch.rpm");
    ASSERT_TRUE(fs::exists(built)) << log;
    rpms.push_back(built.string());
  }
  std::string install = fmt::format(
      "rpm --dbpath '{}' --initdb && rpm --dbpath '{}' -i --justdb "
      "--nodeps --noscripts --ignorearch --ignoreos",
      db.string(), db.string());
  for (const auto& path : rpms) install += " '" + path + "'";
  const std::string log = run(install + " 2>&1");
  ASSERT_TRUE(fs::exists(db / "rpmdb.sqlite")) << log;
  const auto packages = compareWithRpm(db / "rpmdb.sqlite");
  ASSERT_EQ(packages.size(), 3U);
  std::map<std::string, const HeaderInfo*> by_name;
  for (const auto& info : packages) by_name[info.name] = &info;
  ASSERT_EQ(by_name.count("bulwark-alpha"), 1U);
  EXPECT_EQ(by_name["bulwark-alpha"]->epoch, 3U);
  EXPECT_EQ(by_name["bulwark-alpha"]->vendor, "Bulwark Tests");
  EXPECT_EQ(by_name["bulwark-alpha"]->version, "1.2~rc1^git3");
  ASSERT_EQ(by_name.count("bulwark-beta"), 1U);
  EXPECT_EQ(by_name["bulwark-beta"]->modularity_label, "beta:1:8000:abcdef");
  EXPECT_EQ(by_name["bulwark-beta"]->files.size(), 40U);
  ASSERT_EQ(by_name.count("bulwark-gamma"), 1U);
  EXPECT_TRUE(by_name["bulwark-gamma"]->files.empty());
}

}  // namespace
}  // namespace bulwark::catalog::rpm
