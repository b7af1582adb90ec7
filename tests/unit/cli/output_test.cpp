// cli::Output: a report file is replaced only by a whole report (written beside it, renamed
// over it), keeps the mode of the file it replaces, and writes through what is not a regular
// file (a symbolic link, /dev/null) as before.
#include "cli/output.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/process.h"

namespace bulwark::cli {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) { return testing::readFile(path); }

void write(const fs::path& path, const std::string& text) {
  Output out(path.string());
  out.write(text);
  ASSERT_TRUE(out.finish());
}

std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

TEST(Output, PiecesMakeTheFileAndNothingIsLeftBeside) {
  testing::TempDir dir;
  const fs::path report = dir.path() / "report.json";
  Output out(report.string());
  out.write("{\"a\": ");
  out.write("1}\n");
  EXPECT_FALSE(fs::exists(report));  // not before finish()
  ASSERT_TRUE(out.finish());
  EXPECT_EQ(read(report), "{\"a\": 1}\n");
  EXPECT_EQ(entries(dir.path()), 1U);
}

TEST(Output, AnUnfinishedReportLeavesTheOldFile) {
  testing::TempDir dir;
  const fs::path report = dir.path() / "report.json";
  write(report, "old\n");
  {
    Output out(report.string());
    out.write("half of a new");
  }  // an exception while rendering: never finished
  EXPECT_EQ(read(report), "old\n");
  EXPECT_EQ(entries(dir.path()), 1U);
}

TEST(Output, ReplacedFileKeepsItsMode) {
  testing::TempDir dir;
  const fs::path report = dir.path() / "report.json";
  write(report, "old\n");
  ASSERT_EQ(::chmod(report.c_str(), 0600), 0);
  write(report, "new\n");
  struct stat st {};
  ASSERT_EQ(::stat(report.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600U);
  EXPECT_EQ(read(report), "new\n");
}

TEST(Output, WritesThroughASymbolicLink) {
  testing::TempDir dir;
  const fs::path target = dir.path() / "target.json";
  const fs::path link = dir.path() / "link.json";
  write(target, "old\n");
  fs::create_symlink(target, link);
  write(link, "new\n");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(read(target), "new\n");
}

TEST(Output, AFolderThatDoesNotExistIsAnError) {
  testing::TempDir dir;
  Output out((dir.path() / "missing" / "report.json").string());
  out.write("x");
  ::testing::internal::CaptureStderr();
  EXPECT_FALSE(out.finish());
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("bulwark: cannot write"), std::string::npos) << err;
}

}  // namespace
}  // namespace bulwark::cli
