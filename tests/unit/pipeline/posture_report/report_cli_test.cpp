// `bulwark report` on a real SQLite store seeded through the Store API (report_seed.h): the
// JSON document's figures, the store found as `bulwark serve` finds it ($BULWARK_STORE), a
// scope, HTML to stdout and to a file, one-line exit-2 errors for bad flags, and the PDF smoke
// test (a `%PDF-` file of at least one page by pdfinfo; skipped without chromium or pdfinfo).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <regex>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "store/sqlite_store.h"
#include "unit/pipeline/posture_report/report_seed.h"

namespace bulwark::testing {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One line: the whole output is a single line ending in a newline.
bool oneLine(const std::string& out) {
  return !out.empty() && out.back() == '\n' && out.find('\n') == out.size() - 1;
}

// Sets an environment variable (inherited by the command) until the end of the scope, then
// puts back what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class ReportCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern = (fs::temp_directory_path() / "bulwark-report-cli-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    suite_dir = new fs::path(pattern);
    auto opened = store::openSqliteStore((*suite_dir / "store.db").string());
    ASSERT_TRUE(opened) << opened.error().message;
    auto catalogue = posture::builtinCatalogue();
    ASSERT_TRUE(catalogue) << catalogue.error().message;
    // The command takes the real clock; the seed's times are relative to it.
    suite_seed = new Seeded(seedPosture(**opened, *catalogue, store::nowMillis()));
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    if (suite_dir != nullptr) fs::remove_all(*suite_dir, ignored);
    delete suite_dir;
    delete suite_seed;
  }

  static std::string storeFlag() { return "--store sqlite:" + (*suite_dir / "store.db").string(); }

  static fs::path* suite_dir;
  static Seeded* suite_seed;
};

fs::path* ReportCli::suite_dir = nullptr;
Seeded* ReportCli::suite_seed = nullptr;

TEST_F(ReportCli, JsonFromTheStore) {
  const auto run = runBulwarkSplit("report " + storeFlag() + " --format json");
  ASSERT_EQ(run.status, 0) << run.err;
  const auto doc = nlohmann::json::parse(run.out);
  EXPECT_EQ(doc.at("schema"), "bulwark.posture/v1");
  EXPECT_TRUE(doc.at("scope").is_null());
  EXPECT_DOUBLE_EQ(doc.at("score").at("percent").get<double>(), 67.619);
  EXPECT_DOUBLE_EQ(doc.at("score").at("points").get<double>(), 14.2);
  EXPECT_DOUBLE_EQ(doc.at("score").at("max").get<double>(), 21);
  EXPECT_EQ(doc.at("recommendations").size(), 26U);
  // 30 days hold every seeded alert: the one "after" the seed's now is before the command's.
  EXPECT_EQ(doc.at("alerts").at("total"), 5 + kBulkAlerts);
  EXPECT_EQ(doc.at("exemptions").size(), 2U);
  EXPECT_EQ(doc.at("resources").size(), 5U);
  // The default window is 30 days: every in-window point of the seed is within it.
  EXPECT_GE(doc.at("trend").size(), 3U);
}

TEST_F(ReportCli, TheStoreComesFromBulwarkStoreAsForServe) {
  const ScopedEnv store("BULWARK_STORE", "sqlite:" + (*suite_dir / "store.db").string());
  const auto run = runBulwarkSplit("report --since 7d");
  ASSERT_EQ(run.status, 0) << run.err;
  const auto doc = nlohmann::json::parse(run.out);
  EXPECT_DOUBLE_EQ(doc.at("score").at("percent").get<double>(), 67.619);
  // 7 days leave out the alert seeded just before the seed's own 7-day window.
  EXPECT_EQ(doc.at("alerts").at("total"), 4 + kBulkAlerts);
}

TEST_F(ReportCli, ScopeToOneRepository) {
  const auto run =
      runBulwarkSplit("report " + storeFlag() + " --format json --scope " + suite_seed->app.id);
  ASSERT_EQ(run.status, 0) << run.err;
  const auto doc = nlohmann::json::parse(run.out);
  EXPECT_EQ(doc.at("scope").at("id"), suite_seed->app.id);
  EXPECT_EQ(doc.at("scope").at("name"), "app");
  EXPECT_DOUBLE_EQ(doc.at("score").at("percent").get<double>(), 33.333);
  EXPECT_TRUE(doc.at("trend").empty());
}

TEST_F(ReportCli, HtmlToStdoutAndToAFile) {
  const auto run = runBulwarkSplit("report " + storeFlag() + " --format html -o -");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_TRUE(run.out.starts_with("<!DOCTYPE html>")) << run.out.substr(0, 200);
  EXPECT_NE(run.out.find("67.6"), std::string::npos);
  EXPECT_NE(run.out.find("hardened by the platform team"), std::string::npos);
  EXPECT_EQ(run.out.find("<script"), std::string::npos);

  const fs::path file = *suite_dir / "report.html";
  const auto written =
      runBulwarkSplit("report " + storeFlag() + " --format html -o " + file.string());
  ASSERT_EQ(written.status, 0) << written.err;
  EXPECT_TRUE(written.out.empty());
  const std::string html = readFile(file);
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_NE(html.find("</html>"), std::string::npos);
  std::printf("report --format html: %zu bytes\n", html.size());
}

TEST_F(ReportCli, BadFlagsAreOneLineAndExit2) {
  const std::string store = storeFlag();
  const struct {
    std::string args;
    std::string message;
  } cases[] = {
      {"--format xml", "bulwark: report: --format must be json, html or pdf, not 'xml'"},
      {"--since soon", "bulwark: report: --since must be a duration such as 30d, 72h or 2w"},
      {"--since 0d", "bulwark: report: --since must be a duration"},
      {"--scope nope", "bulwark: report: --scope must be a resource id"},
      {"--scope 0123456789abcdef", "bulwark: report: no resource has the id 0123456789abcdef"},
      {"--format pdf", "bulwark: report: --format pdf needs -o FILE"},
      {"--format pdf -o -", "bulwark: report: --format pdf needs -o FILE"},
      {"--format pdf -o x.pdf --chromium /nonexistent/chromium",
       "bulwark: report: --format pdf needs chromium (apt-get install chromium)\n"},
  };
  for (const auto& c : cases) {
    const auto run = runBulwark("report " + store + " " + c.args);
    EXPECT_EQ(run.status, 2) << c.args << ": " << run.out;
    EXPECT_TRUE(run.out.starts_with(c.message)) << c.args << ": " << run.out;
    EXPECT_TRUE(oneLine(run.out)) << c.args << ": " << run.out;
  }
  // $BULWARK_CHROMIUM is the next place looked at.
  CliRun env;
  {
    const ScopedEnv chromium("BULWARK_CHROMIUM", "/nonexistent/chromium");
    env = runBulwark("report " + store + " --format pdf -o " + (*suite_dir / "x.pdf").string());
  }
  EXPECT_EQ(env.status, 2) << env.out;
  EXPECT_EQ(env.out, "bulwark: report: --format pdf needs chromium (apt-get install chromium)\n");
  EXPECT_FALSE(fs::exists(*suite_dir / "x.pdf"));
  // CLI11's own errors (an unknown flag) exit 2 too.
  EXPECT_EQ(runBulwark("report " + store + " --colour red").status, 2);
}

TEST_F(ReportCli, PdfSmoke) {
  const char* configured = std::getenv("BULWARK_CHROMIUM");
  const fs::path chromium = configured != nullptr ? configured : "/usr/bin/chromium";
  if (!fs::exists(chromium)) {
    GTEST_SKIP() << "chromium absent (" << chromium.string()
                 << "): apt-get install chromium, or set BULWARK_CHROMIUM";
  }
  if (std::system("command -v pdfinfo >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "pdfinfo absent: apt-get install poppler-utils";
  }
  const fs::path pdf = *suite_dir / "report.pdf";
  const auto started = std::chrono::steady_clock::now();
  const auto run = runBulwark("report " + storeFlag() + " --format pdf -o " + pdf.string() +
                              " --chromium " + chromium.string());
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  ASSERT_EQ(run.status, 0) << run.out;
  std::printf("report --format pdf: %.2f s\n", took.count());
  const std::string bytes = readFile(pdf);
  EXPECT_TRUE(bytes.starts_with("%PDF-")) << bytes.substr(0, 16);

  FILE* info = ::popen(("pdfinfo " + pdf.string() + " 2>&1").c_str(), "r");
  ASSERT_NE(info, nullptr);
  std::string text;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, info)) > 0) text.append(buffer, n);
  ASSERT_EQ(::pclose(info), 0) << text;
  std::smatch pages;
  ASSERT_TRUE(std::regex_search(text, pages, std::regex(R"(Pages:\s+(\d+))"))) << text;
  EXPECT_GE(std::stoi(pages[1].str()), 1) << text;
  std::printf("report --format pdf: %s pages, %zu bytes\n", pages[1].str().c_str(), bytes.size());
}

}  // namespace
}  // namespace bulwark::testing
