// The same checks on an image: config fields and the instructions its history records, the
// metadata scanner's layer facts, and the checks that cannot be evaluated on an image.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "checks/check.h"
#include "checks/evaluate.h"
#include "checks/metadata_scanner.h"

namespace {

using bulwark::model::CheckResult;
using bulwark::model::CheckStatus;

const CheckResult& find(const std::vector<CheckResult>& results, std::string_view id) {
  for (const auto& r : results) {
    if (r.check_id == id) return r;
  }
  static const CheckResult kNone;
  ADD_FAILURE() << "no result for " << id;
  return kNone;
}

bulwark::model::Target badImage() {
  bulwark::model::Target target;
  target.name = "docker-archive:bad.tar";
  auto& c = target.config;
  c.present = true;
  c.env = {"PATH=/usr/bin", "DB_PASSWORD=hunter2hunter2", "NODE_TLS_REJECT_UNAUTHORIZED=0"};
  c.exposed_ports = {"22/tcp", "8080/tcp"};
  const char* lines[] = {
      "/bin/sh -c #(nop) ADD file:0123abcd in / ",
      "/bin/sh -c #(nop)  CMD [\"bash\"]",
      "/bin/sh -c apt-get update",
      "RUN /bin/sh -c apt-get install -y curl # buildkit",
      "RUN |1 GITHUB_TOKEN=ghp_abcdefghijklmnop /bin/sh -c curl -k https://x | sh # buildkit",
      "ADD https://example.com/app.tar.gz /opt/ # buildkit",
      "WORKDIR app",
  };
  for (const char* line : lines) c.history.push_back({"", line, "", false});
  return target;
}

bulwark::model::Target goodImage() {
  bulwark::model::Target target;
  target.name = "docker-archive:good.tar";
  auto& c = target.config;
  c.present = true;
  c.user = "10001:10001";
  c.env = {"PATH=/usr/bin", "APP_TOKEN_FILE=/run/secrets/token"};
  c.exposed_ports = {"8080/tcp"};
  c.has_healthcheck = true;
  c.healthcheck_test = {"CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"};
  c.history.push_back({"", "/bin/sh -c #(nop) ADD file:0123abcd in / ", "", false});
  c.history.push_back({"",
                       "RUN /bin/sh -c apt-get update && apt-get install -y "
                       "--no-install-recommends curl=7.88.1-10 && rm -rf "
                       "/var/lib/apt/lists/* # buildkit",
                       "", false});
  c.history.push_back({"", "USER 10001:10001", "", false});
  return target;
}

class ImageChecks : public ::testing::Test {
 protected:
  void SetUp() override {
    auto set = bulwark::checks::loadBuiltinChecks();
    ASSERT_TRUE(set.has_value()) << set.error().message;
    set_ = std::move(*set);
  }
  bulwark::checks::CheckSet set_;
};

TEST_F(ImageChecks, BadImageFailsWithEvidenceFromConfigAndHistory) {
  const auto results = bulwark::checks::evaluateImage(set_, badImage(), {});
  const auto& root = find(results, "BW-IMG-001");
  EXPECT_EQ(root.status, CheckStatus::Fail);
  ASSERT_FALSE(root.evidence.empty());
  EXPECT_EQ(root.evidence[0].where, "image config: Config.User");
  EXPECT_EQ(find(results, "BW-IMG-002").status, CheckStatus::Fail);
  EXPECT_EQ(find(results, "BW-IMG-003").status, CheckStatus::Fail);
  const auto& secrets = find(results, "BW-IMG-004");
  EXPECT_EQ(secrets.status, CheckStatus::Fail);
  ASSERT_EQ(secrets.evidence.size(), 2U);
  for (const auto& e : secrets.evidence) {
    EXPECT_EQ(e.observed.find("hunter2hunter2"), std::string::npos) << "secret not redacted";
    EXPECT_EQ(e.observed.find("ghp_abcdefghijklmnop"), std::string::npos);
  }
  EXPECT_EQ(secrets.evidence[1].where, "history[4]");
  EXPECT_EQ(find(results, "BW-IMG-006").status, CheckStatus::Fail);
  const auto& alone = find(results, "BW-IMG-008");
  EXPECT_EQ(alone.status, CheckStatus::Fail);
  ASSERT_EQ(alone.evidence.size(), 1U);
  EXPECT_EQ(alone.evidence[0].where, "history[2]");
  EXPECT_EQ(find(results, "BW-IMG-014").status, CheckStatus::Fail);
  EXPECT_EQ(find(results, "BW-IMG-016").status, CheckStatus::Fail);
  EXPECT_EQ(find(results, "BW-IMG-017").status, CheckStatus::Fail);
  EXPECT_EQ(find(results, "BW-IMG-020").status, CheckStatus::Fail);
}

TEST_F(ImageChecks, GoodImagePasses) {
  const auto results = bulwark::checks::evaluateImage(set_, goodImage(), {});
  for (const char* id : {"BW-IMG-001", "BW-IMG-002", "BW-IMG-003", "BW-IMG-004", "BW-IMG-008",
                         "BW-IMG-009", "BW-IMG-010", "BW-IMG-011", "BW-IMG-014"}) {
    EXPECT_EQ(find(results, id).status, CheckStatus::Pass) << id;
  }
}

TEST_F(ImageChecks, WhatAnImageCannotShowIsNeverAPass) {
  const auto results = bulwark::checks::evaluateImage(set_, goodImage(), {});
  const auto& base = find(results, "BW-IMG-005");
  EXPECT_EQ(base.status, CheckStatus::NotEvaluated);
  EXPECT_NE(base.reason.find("built from"), std::string::npos);
  EXPECT_EQ(find(results, "BW-IMG-022").status, CheckStatus::NotApplicable);
  // Layers not scanned: setuid files unknown.
  const auto& setid = find(results, "BW-IMG-023");
  EXPECT_EQ(setid.status, CheckStatus::NotEvaluated);
  EXPECT_NE(setid.reason.find("not scanned"), std::string::npos);
  // The base layer's ADD records a content hash: COPY-vs-ADD cannot be told.
  EXPECT_EQ(find(results, "BW-IMG-007").status, CheckStatus::NotEvaluated);
}

// Past the limit the smallest paths are kept, whatever order the (parallel) layers arrived in.
TEST(MetadataScanner, KeepsTheFirstSetidFilesByPathWhateverTheOrder) {
  using bulwark::checks::MetadataScanner;
  const std::size_t total = MetadataScanner::kMaxSetidFiles + 5;
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < total; ++i) paths.push_back(fmt::format("bin/s{:06}", i));
  std::vector<std::vector<bulwark::checks::ImageFiles::File>> kept;
  for (const bool reversed : {false, true}) {
    MetadataScanner scanner;
    bulwark::core::Diagnostics diagnostics;
    for (std::size_t i = 0; i < total; ++i) {
      const std::string& path = paths[reversed ? total - 1 - i : i];
      scanner.scan({path, 04755, 1, "sha256:aaa"}, {}, diagnostics);
    }
    const auto found = scanner.results();
    ASSERT_EQ(found.setid_files.size(), MetadataScanner::kMaxSetidFiles);
    EXPECT_EQ(found.setid_files.back().path, paths[MetadataScanner::kMaxSetidFiles - 1]);
    ASSERT_EQ(diagnostics.size(), 1U);
    EXPECT_EQ(diagnostics.sorted()[0].kind, "image-checks.too-many-setid-files");
    kept.push_back(found.setid_files);
  }
  ASSERT_EQ(kept.size(), 2U);
  EXPECT_TRUE(std::equal(kept[0].begin(), kept[0].end(), kept[1].begin(),
                         [](const auto& a, const auto& b) { return a.path == b.path; }));
}

TEST(MetadataScanner, RecordsSetidFilesAndCachesPerLayer) {
  bulwark::checks::MetadataScanner scanner;
  bulwark::core::Diagnostics diagnostics;
  using Want = bulwark::image::ContentScanner::Want;
  const bulwark::image::ScannedFile files[] = {
      {"usr/bin/passwd", 04755, 68208, "sha256:aaa"},
      {"usr/bin/wall", 02755, 35048, "sha256:aaa"},
      {"usr/bin/ls", 0755, 100, "sha256:aaa"},
      {"var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease", 0644, 151000,
       "sha256:bbb"},
      {"var/lib/apt/lists/lock", 0640, 0, "sha256:aaa"},
      {"home/app/.cache/pip/http/abc", 0644, 10, "sha256:ccc"},
      {"root/.npm/_cacache/index-v5/x", 0644, 20, "sha256:ccc"},
  };
  for (const auto& f : files) {
    if (scanner.wants(f) == Want::Nothing) continue;
    EXPECT_EQ(scanner.wants(f), Want::Metadata);
    scanner.scan(f, {}, diagnostics);
  }
  EXPECT_EQ(scanner.wants(files[2]), Want::Nothing);
  EXPECT_EQ(scanner.wants(files[4]), Want::Nothing);
  const auto found = scanner.results();
  EXPECT_TRUE(found.scanned);
  ASSERT_EQ(found.setid_files.size(), 2U);
  EXPECT_EQ(found.setid_files[0].path, "usr/bin/passwd");
  EXPECT_EQ(found.setid_files[0].mode, 04755U);
  ASSERT_EQ(found.caches.size(), 3U);
  EXPECT_EQ(found.caches[0].directory, "home/app/.cache/pip");
  EXPECT_EQ(found.caches[2].directory, "var/lib/apt/lists");
  EXPECT_EQ(found.caches[2].bytes, 151000U);

  auto set = bulwark::checks::loadBuiltinChecks();
  ASSERT_TRUE(set.has_value());
  const auto results = bulwark::checks::evaluateImage(*set, goodImage(), found);
  const auto& setid = find(results, "BW-IMG-023");
  EXPECT_EQ(setid.status, CheckStatus::Fail);
  ASSERT_EQ(setid.evidence.size(), 2U);
  EXPECT_EQ(setid.evidence[0].observed, "/usr/bin/passwd (mode 4755)");
  EXPECT_EQ(setid.evidence[0].where, "layer sha256:aaa");
  const auto& cache = find(results, "BW-IMG-011");
  EXPECT_EQ(cache.status, CheckStatus::Fail);
  EXPECT_EQ(cache.evidence.size(), 3U);

  bulwark::checks::ImageFiles clean;
  clean.scanned = true;
  const auto clean_results = bulwark::checks::evaluateImage(*set, goodImage(), clean);
  EXPECT_EQ(find(clean_results, "BW-IMG-023").status, CheckStatus::Pass);
  EXPECT_EQ(find(clean_results, "BW-IMG-011").status, CheckStatus::Pass);
}

}  // namespace
