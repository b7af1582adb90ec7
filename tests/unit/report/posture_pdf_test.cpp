// The posture report as PDF (report::renderPosturePdf). Stand-in "chromium" scripts check the
// command line, the private temporary directory, failures with stderr and the timeout; the
// real chromium prints the worked example when /usr/bin/chromium (or $BULWARK_CHROMIUM) exists,
// and the test says so when it skips.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "posture_fixture.h"
#include "report/posture_report.h"
#include "testdata.h"

namespace {

namespace fs = std::filesystem;
namespace report = bulwark::report;
using bulwark::testing::readFile;

class PosturePdf : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "bulwark-pdf-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // An executable shell script standing in for chromium.
  fs::path script(const std::string& name, const std::string& body) {
    fs::path path = dir_ / name;
    std::ofstream(path) << "#!/bin/sh\n" << body;
    fs::permissions(path, fs::perms::owner_all);
    return path;
  }

  fs::path dir_;
};

TEST_F(PosturePdf, MissingChromiumSaysHowToInstallIt) {
  const auto status = report::renderPosturePdf("<html></html>", dir_ / "chromium", dir_ / "o.pdf");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, report::kChromiumMissing);
  std::ofstream(dir_ / "not-executable") << "#!/bin/sh\n";
  const auto plain = report::renderPosturePdf("x", dir_ / "not-executable", dir_ / "o.pdf");
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().message, report::kChromiumMissing);
}

TEST_F(PosturePdf, PrintsThePageFromAPrivateTemporaryDirectory) {
  // Records its arguments and the page, then writes a minimal "PDF" where it is told to.
  const fs::path fake = script("chromium", R"sh(log="$(dirname "$0")/args"
: > "$log"
for arg in "$@"; do
  echo "$arg" >> "$log"
  case "$arg" in
    --print-to-pdf=*) out="${arg#--print-to-pdf=}" ;;
    file://*) page="${arg#file://}" ;;
  esac
done
cp "$page" "$(dirname "$0")/page.html"
stat -c %a "$(dirname "$page")" > "$(dirname "$0")/mode"
printf '%%PDF-1.4 fake\n' > "$out"
)sh");
  const std::string html = report::renderPostureHtml(bulwark::testing::workedExample());
  const auto status = report::renderPosturePdf(html, fake, dir_ / "report.pdf");
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(readFile(dir_ / "report.pdf"), "%PDF-1.4 fake\n");
  EXPECT_EQ(readFile(dir_ / "page.html"), html);
  EXPECT_EQ(readFile(dir_ / "mode"), "700\n");
  const std::string args = readFile(dir_ / "args");
  for (const char* flag : {"--headless\n", "--no-sandbox\n", "--disable-gpu\n",
                           "--disable-background-networking\n", "--no-pdf-header-footer\n"}) {
    EXPECT_NE(args.find(flag), std::string::npos) << flag;
  }
  EXPECT_NE(args.find("--print-to-pdf=" + fs::absolute(dir_ / "report.pdf").string() + "\n"),
            std::string::npos);
  // The temporary directory is gone afterwards.
  const auto at = args.find("file://");
  ASSERT_NE(at, std::string::npos);
  const fs::path page = args.substr(at + 7, args.find('\n', at) - at - 7);
  EXPECT_FALSE(fs::exists(page.parent_path())) << page.parent_path();
}

TEST_F(PosturePdf, FailureCarriesChromiumsStderr) {
  const fs::path fake = script("chromium", "echo 'ERROR: cannot open display' >&2\nexit 3\n");
  const auto status = report::renderPosturePdf("<html></html>", fake, dir_ / "o.pdf");
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("exit code 3"), std::string::npos)
      << status.error().message;
  EXPECT_NE(status.error().message.find("ERROR: cannot open display"), std::string::npos);
}

TEST_F(PosturePdf, NoPdfWrittenIsAnError) {
  const fs::path fake = script("chromium", "exit 0\n");
  const auto status = report::renderPosturePdf("<html></html>", fake, dir_ / "o.pdf");
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("wrote no PDF"), std::string::npos)
      << status.error().message;
}

TEST_F(PosturePdf, AHangingChromiumIsKilledAtTheTimeout) {
  const fs::path fake = script("chromium", "sleep 30\n");
  const auto started = std::chrono::steady_clock::now();
  const auto status =
      report::renderPosturePdf("<html></html>", fake, dir_ / "o.pdf", std::chrono::seconds(1));
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("did not print the PDF within 1 s"), std::string::npos)
      << status.error().message;
  EXPECT_LT(took, std::chrono::seconds(10));
}

TEST_F(PosturePdf, RealChromiumPrintsTheWorkedExample) {
  const char* configured = std::getenv("BULWARK_CHROMIUM");
  const fs::path chromium = configured != nullptr ? configured : "/usr/bin/chromium";
  if (!fs::exists(chromium)) {
    GTEST_SKIP() << "chromium absent (" << chromium.string()
                 << "): apt-get install chromium, or set BULWARK_CHROMIUM";
  }
  const std::string html = report::renderPostureHtml(bulwark::testing::workedExample());
  const auto status = report::renderPosturePdf(html, chromium, dir_ / "report.pdf");
  ASSERT_TRUE(status) << status.error().message;
  const std::string pdf = readFile(dir_ / "report.pdf");
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
  EXPECT_GT(pdf.size(), 10000U);
}

}  // namespace
