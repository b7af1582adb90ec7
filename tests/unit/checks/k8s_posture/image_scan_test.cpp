// BW-K8S-407 and what it rests on (docs/dev/k8s-design.md §4.3): which repository digest an
// image reference or a node's imageID names, how a bulwark serve answer reads, and the check's
// verdicts over an inventory whose scan answers are given — scanned passes, never scanned
// fails, no digest or no answer is not evaluated, and no server at all is manual.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/check.h"
#include "checks/evaluate.h"
#include "checks/k8s/image_scans.h"
#include "checks/k8s/inventory.h"
#include "checks/k8s/manifest.h"
#include "checks/k8s/snapshot.h"

namespace bulwark::checks::k8s {
namespace {

using model::CheckStatus;

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');
const std::string kC = "sha256:" + std::string(64, 'c');

TEST(ImageScanTest, RepositoryDigestsComeFromPinnedReferencesAndRepoImageIds) {
  EXPECT_EQ(repositoryDigest("registry.example/app:1@" + kA), kA);
  EXPECT_EQ(repositoryDigest("docker-pullable://nginx@" + kB), kB);
  EXPECT_EQ(repositoryDigest("docker.io/library/nginx@" + kC), kC);
  // A bare image id is the local config digest: no registry serves it.
  EXPECT_EQ(repositoryDigest(kA), "");
  EXPECT_EQ(repositoryDigest("nginx:1.25"), "");
  EXPECT_EQ(repositoryDigest("app@sha256:abc"), "");
  EXPECT_EQ(repositoryDigest("app@sha256:" + std::string(64, 'A')), "");  // not lower-case hex
  EXPECT_EQ(repositoryDigest("app@sha512:" + std::string(128, 'a')), "");
}

TEST(ImageScanTest, ServerAnswersBecomeStates) {
  const ImageScan scanned =
      scanFromAnswer(200, R"({"digest":"x","scanned":true,"scan":{"scanned_at":1795000000000,
              "db_build_id":"2026112001"},"counts":{"critical":0,"high":2,"low":1}})");
  EXPECT_EQ(scanned.state, ImageScan::State::Scanned);
  EXPECT_EQ(scanned.detail, "scanned 2026-11-18T11:06:40Z, database 2026112001: 2 high, 1 low");

  const ImageScan recorded = scanFromAnswer(200, R"({"scanned":false,"scan":null})");
  EXPECT_EQ(recorded.state, ImageScan::State::NotScanned);
  EXPECT_EQ(scanFromAnswer(404, R"({"error":"not_found"})").state, ImageScan::State::NotScanned);

  const ImageScan refused = scanFromAnswer(401, "");
  EXPECT_EQ(refused.state, ImageScan::State::Unanswered);
  EXPECT_EQ(refused.cause, model::NotEvaluatedCause::PermissionDenied);
  const ImageScan broken = scanFromAnswer(200, "<html>");
  EXPECT_EQ(broken.state, ImageScan::State::Unanswered);
  EXPECT_EQ(broken.cause, model::NotEvaluatedCause::Malformed);
  EXPECT_EQ(scanFromAnswer(500, "").state, ImageScan::State::Unanswered);
}

const CheckSet& check407() {
  static const CheckSet set = [] {
    auto loaded = loadBuiltinChecks();
    EXPECT_TRUE(loaded.has_value());
    CheckSet one;
    if (loaded) {
      if (const Check* check = loaded->find("BW-K8S-407")) one.checks.push_back(*check);
    }
    EXPECT_EQ(one.checks.size(), 1U);
    return one;
  }();
  return set;
}

Inventory inventoryOf(const std::string& yaml) {
  Inventory inventory;
  core::Diagnostics diagnostics;
  addManifestText(yaml, "images.yaml", ManifestOptions{}, inventory, diagnostics);
  inventory.index();
  EXPECT_TRUE(inventory.problems.empty());
  return inventory;
}

const model::CheckResult& resultFor(const std::vector<model::CheckResult>& results,
                                    std::string_view resource) {
  const auto found = std::find_if(results.begin(), results.end(),
                                  [&](const auto& r) { return r.resource == resource; });
  EXPECT_NE(found, results.end()) << resource;
  static const model::CheckResult kNone;
  return found == results.end() ? kNone : *found;
}

std::string deployment(const std::string& name, const std::string& image) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name +
         ", namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: "
         "app, image: \"" +
         image + "\"}\n---\n";
}

TEST(ImageScanTest, VerdictsFollowTheServersAnswers) {
  Inventory inventory = inventoryOf(deployment("scanned", "registry.example/shop/a@" + kA) +
                                    deployment("unscanned", "registry.example/shop/b:2@" + kB) +
                                    deployment("unanswered", "registry.example/shop/c@" + kC) +
                                    deployment("tagged", "registry.example/shop/d:1") +
                                    // Live: the controller's pods were skipped, their digests kept.
                                    deployment("running", "registry.example/shop/e:3"));
  inventory.running_images["Deployment/shop/running"]["registry.example/shop/e:3"] = {kA};
  ImageScans scans;
  scans.server = "http://127.0.0.1:8080";
  scans.by_digest[kA] = {ImageScan::State::Scanned, "scanned 2026-11-18T08:26:40Z: 2 high"};
  scans.by_digest[kB] = {ImageScan::State::NotScanned, "bulwark serve has no scan result for it"};
  scans.by_digest[kC] = {ImageScan::State::Unanswered, "bulwark serve at …: refused",
                         model::NotEvaluatedCause::PermissionDenied};
  EvalContext context;
  context.image_scans = &scans;
  const auto results = evaluateK8s(check407(), inventory, context);

  const auto& scanned = resultFor(results, "k8s:shop/Deployment/scanned");
  EXPECT_EQ(scanned.status, CheckStatus::Pass);
  ASSERT_EQ(scanned.evidence.size(), 1U);
  EXPECT_NE(scanned.evidence[0].observed.find("2 high"), std::string::npos)
      << scanned.evidence[0].observed;
  EXPECT_EQ(scanned.evidence[0].where.rfind("spec.template.spec.containers[name=app].image", 0), 0U)
      << scanned.evidence[0].where;

  const auto& unscanned = resultFor(results, "k8s:shop/Deployment/unscanned");
  EXPECT_EQ(unscanned.status, CheckStatus::Fail);
  ASSERT_EQ(unscanned.evidence.size(), 1U);
  EXPECT_NE(unscanned.evidence[0].observed.find("no scan result"), std::string::npos);

  const auto& unanswered = resultFor(results, "k8s:shop/Deployment/unanswered");
  EXPECT_EQ(unanswered.status, CheckStatus::NotEvaluated);
  EXPECT_EQ(unanswered.cause, model::NotEvaluatedCause::PermissionDenied);

  const auto& tagged = resultFor(results, "k8s:shop/Deployment/tagged");
  EXPECT_EQ(tagged.status, CheckStatus::NotEvaluated);
  EXPECT_EQ(tagged.cause, model::NotEvaluatedCause::MissingInput);
  EXPECT_NE(tagged.reason.find("names no digest"), std::string::npos) << tagged.reason;

  const auto& running = resultFor(results, "k8s:shop/Deployment/running");
  EXPECT_EQ(running.status, CheckStatus::Pass) << running.reason;
  ASSERT_EQ(running.evidence.size(), 1U);
  EXPECT_NE(running.evidence[0].observed.find("registry.example/shop/e:3 (sha256:aaaaaaaaaaaa…)"),
            std::string::npos)
      << running.evidence[0].observed;

  // Every digest the run asks about, once.
  EXPECT_EQ(inventoryDigests(inventory), (std::vector<std::string>{kA, kB, kC}));
}

TEST(ImageScanTest, ABarePodReadsItsOwnStatusAndOneUnscannedDigestFails) {
  // Two nodes pulled the same tag at different times: both digests run, one never scanned.
  const Inventory inventory = inventoryOf(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  containers:\n"
      "    - {name: web, image: \"nginx:1.25\"}\n  initContainers:\n"
      "    - {name: init, image: \"busybox:1\"}\nstatus:\n  containerStatuses:\n"
      "    - {name: web, imageID: \"docker.io/library/nginx@" +
      kA +
      "\"}\n  initContainerStatuses:\n    - {name: init, imageID: \"docker-pullable://busybox@" +
      kB + "\"}\n");
  ImageScans scans;
  scans.by_digest[kA] = {ImageScan::State::Scanned, "scanned"};
  scans.by_digest[kB] = {ImageScan::State::NotScanned, "never"};
  EvalContext context;
  context.image_scans = &scans;
  const auto results = evaluateK8s(check407(), inventory, context);
  const auto& pod = resultFor(results, "k8s:shop/Pod/web");
  EXPECT_EQ(pod.status, CheckStatus::Fail);
  ASSERT_EQ(pod.evidence.size(), 1U);
  EXPECT_NE(pod.evidence[0].where.find("initContainers[name=init].image"), std::string::npos);
}

TEST(ImageScanTest, WithoutAServerTheCheckIsManual) {
  const Inventory inventory = inventoryOf(deployment("any", "registry.example/shop/a@" + kA));
  const auto results = evaluateK8s(check407(), inventory, EvalContext{});
  const auto& any = resultFor(results, "k8s:shop/Deployment/any");
  EXPECT_EQ(any.status, CheckStatus::Manual);
  EXPECT_NE(any.reason.find("--scan-server"), std::string::npos) << any.reason;
}

TEST(ImageScanTest, SnapshotsKeepTheRunningImagesOfSkippedPods) {
  Inventory inventory = inventoryOf(deployment("running", "registry.example/shop/e:3"));
  inventory.running_images["Deployment/shop/running"]["registry.example/shop/e:3"] = {kA, kB};
  const std::string written = writeK8sSnapshot(inventory, "2026-11-23T00:00:00Z", "test");
  core::Diagnostics diagnostics;
  auto read = readK8sSnapshot(written, "snap.json", diagnostics);
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->running_images, inventory.running_images);
  EXPECT_TRUE(diagnostics.sorted().empty());

  // A value that is no digest is dropped and said.
  std::string bad = written;
  bad.replace(bad.find(kA), kA.size(), "sha256:nothex");
  core::Diagnostics bad_diagnostics;
  auto partly = readK8sSnapshot(bad, "snap.json", bad_diagnostics);
  ASSERT_TRUE(partly.has_value());
  EXPECT_EQ(partly->running_images["Deployment/shop/running"]["registry.example/shop/e:3"],
            (std::set<std::string>{kB}));
  EXPECT_EQ(bad_diagnostics.sorted().size(), 1U);
}

}  // namespace
}  // namespace bulwark::checks::k8s
