// The secret Scanner inside the image reader: a root filesystem walked with the scanner in its
// PathFilter reports the planted secrets with their paths and lines, and skips binary files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "image/source.h"
#include "secrets/scanner.h"
#include "testdata.h"

namespace bulwark::secrets {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

TEST(SecretImage, RootfsWalkFeedsTheScanner) {
  const fs::path root = fs::path(::testing::TempDir()) / "bulwark-secret-rootfs";
  fs::remove_all(root);
  std::mt19937 rng(99);
  std::string token = "ghp_";
  const std::string alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  for (int i = 0; i < 36; ++i) token.push_back(alnum[rng() % alnum.size()]);
  write(root / "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
  write(root / "root/.ssh/id_rsa",
        testing::readFile(testing::fixtures() / "secrets" / "rsa_traditional.pem"));
  write(root / "app/.env", "# settings\nGITHUB=" + token + "\n");
  write(root / "usr/lib/libx.so.1", "token " + token + "\n");              // skipped by path
  write(root / "app/blob.dat", std::string("\0\0ELF", 5) + token + "\n");  // binary head
  write(root / "app/README.md", token + "\n");                             // documentation

  auto rules = loadRules("");
  ASSERT_TRUE(rules.has_value()) << rules.error().message;
  Scanner scanner(*rules);
  auto image = image::openImage(root.string(), image::SourceOptions{});
  ASSERT_TRUE(image.has_value()) << image.error().message;
  core::Diagnostics diagnostics;
  const image::PathFilter filter({}, {}, {&scanner});
  auto view = (*image)->readFiles(filter, diagnostics, false);
  ASSERT_TRUE(view.has_value()) << view.error().message;

  const auto findings = scanner.findings();
  ASSERT_EQ(findings.size(), 2U);
  EXPECT_EQ(findings[0].path, "app/.env");
  EXPECT_EQ(findings[0].rule_id, "github-pat");
  EXPECT_EQ(findings[0].line, 2U);
  EXPECT_EQ(findings[1].path, "root/.ssh/id_rsa");
  EXPECT_EQ(findings[1].rule_id, "private-key");
  for (const auto& f : findings) EXPECT_EQ(f.excerpt.find(token), std::string::npos);
  EXPECT_GE(scanner.filesScanned(), 3U);
  fs::remove_all(root);
}

}  // namespace
}  // namespace bulwark::secrets
