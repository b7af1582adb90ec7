// Issue 4 §6: 100 MB lockfiles. A package-lock.json and a requirements.txt of about 100 MB each
// (valid, generated here) in a project directory next to small good ones, read by
// `bulwark sbom dir:DIR`: the big ones are rejected with a diagnostic naming the file and the
// cap (64 MiB, npm::kMaxFileBytes and kMaxPythonLockfileBytes), the good ones are read, and the
// run's peak RSS stays within the files' own size (read whole) plus a margin — nothing is parsed
// out of them.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "catalog/npm/npm_common.h"
#include "catalog/python/python_cataloger.h"
#include "unit/robustness/robustness_util.h"

namespace bulwark::testing {
namespace {

constexpr std::uint64_t kTargetBytes = 100ULL << 20;

void write(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::string bigPackageLock() {
  std::string out = R"({"name":"big","version":"1.0.0","lockfileVersion":3,"requires":true,)"
                    R"("packages":{"":{"name":"big","version":"1.0.0"})";
  out.reserve(kTargetBytes + 4096);
  for (std::uint64_t i = 0; out.size() < kTargetBytes; ++i) {
    out +=
        ",\"node_modules/pkg-" + std::to_string(i) +
        R"(":{"version":"1.0.0","resolved":"https://registry.npmjs.org/pkg/-/pkg-1.0.0.tgz",)"
        R"("integrity":"sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="})";
  }
  out += "}}\n";
  return out;
}

std::string bigRequirements() {
  std::string out;
  out.reserve(kTargetBytes + 64);
  for (std::uint64_t i = 0; out.size() < kTargetBytes; ++i) {
    out += "package-number-" + std::to_string(i) + "==1.0." + std::to_string(i % 100) + "\n";
  }
  return out;
}

TEST(RobustLockfiles, HundredMegabyteLockfilesAreRejectedNamingTheCap) {
  TempDir dir("lock");
  const auto project = dir.path() / "project";
  write(project / "big/package-lock.json", bigPackageLock());
  write(project / "big/requirements.txt", bigRequirements());
  ASSERT_GE(std::filesystem::file_size(project / "big/package-lock.json"), kTargetBytes);
  ASSERT_GE(std::filesystem::file_size(project / "big/requirements.txt"), kTargetBytes);
  write(project / "good/package-lock.json",
        R"({"name":"good","version":"1.0.0","lockfileVersion":3,"packages":{)"
        R"("":{"name":"good","version":"1.0.0"},)"
        R"("node_modules/left-pad":{"version":"1.3.0"}}})");
  write(project / "good/requirements.txt", "flask==2.0.1\n");
  // A small project to measure the baseline on.
  const auto small = dir.path() / "small";
  write(small / "requirements.txt", "flask==2.0.1\n");
  const auto baseline =
      runBulwarkChild({"sbom", "dir:" + small.string(), "--format", "json"}, dir.path());
  ASSERT_EQ(baseline.status, 0) << baseline.err;

  const auto run =
      runBulwarkChild({"sbom", "dir:" + project.string(), "--format", "json"}, dir.path());
  ASSERT_FALSE(run.signaled) << run.err;
  EXPECT_EQ(run.status, 0) << run.err;
  const auto doc = parseOutput(run);
  const auto found = packagesOf(doc);
  EXPECT_EQ(found.count({"left-pad", "1.3.0", "good/package-lock.json"}), 1U);
  EXPECT_EQ(found.count({"flask", "2.0.1", "good/requirements.txt"}), 1U);
  for (const auto& [name, version, path] : found) {
    EXPECT_FALSE(path.starts_with("big/")) << name << " from " << path;
  }
  const auto cap_of = [&](std::string_view kind, std::string_view file) {
    for (const auto& [k, where, detail] : diagnosticsOf(doc)) {
      if (k == kind && where.find(file) != std::string::npos) return detail;
    }
    return std::string();
  };
  const std::string npm = cap_of("npm.too-large", "big/package-lock.json");
  EXPECT_NE(npm.find(std::to_string(catalog::npm::kMaxFileBytes)), std::string::npos)
      << doc["diagnostics"].dump();
  const std::string python = cap_of("python.too-large", "big/requirements.txt");
  EXPECT_NE(python.find(std::to_string(catalog::kMaxPythonLockfileBytes)), std::string::npos)
      << doc["diagnostics"].dump();
  // The two files are held whole while the directory is read (200 MiB); parsing adds nothing.
  const std::uint64_t bound = 2 * (kTargetBytes >> 10) + 64 * kKibPerMib;
  expectRssWithin(run, baseline.max_rss_kib, bound, "sbom, two 100 MB lockfiles");
}

}  // namespace
}  // namespace bulwark::testing
