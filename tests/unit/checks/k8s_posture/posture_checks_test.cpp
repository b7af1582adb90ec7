// The Kubernetes resources, images and workload hardening checks (docs/dev/k8s-design.md §4.3,
// §4.5: BW-K8S-401…406, 501, 503) on our own fixtures (tests/fixtures/k8s/posture/, README
// there): each row runs the built-in checks on one manifest file and asserts, for one object
// and one check, the status and — for failures — exactly which fields the evidence names.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "checks/check.h"
#include "checks/evaluate.h"
#include "checks/k8s/inventory.h"
#include "checks/k8s/manifest.h"
#include "checks/k8s/version.h"
#include "checks/profile.h"
#include "model/check.h"
#include "testdata.h"

namespace bulwark::checks {
namespace {

using model::CheckStatus;

const CheckSet& builtinSet() {
  static const CheckSet set = [] {
    auto loaded = loadBuiltinChecks();
    if (!loaded) ADD_FAILURE() << "built-in checks do not load: " << loaded.error().message;
    return loaded ? std::move(*loaded) : CheckSet{};
  }();
  return set;
}

struct Options {
  std::string_view version = "latest";
  std::map<std::string, std::vector<std::string>> inputs;
  std::string given_namespace;  // as `-n NAME`
};

// Every result of the built-in checks on one fixture file, as `bulwark bench k8s FILE` gives.
std::vector<model::CheckResult> runFixture(std::string_view file, const Options& options = {}) {
  const std::string text =
      bulwark::testing::readFile(bulwark::testing::fixtures() / "k8s" / "posture" / file);
  EXPECT_FALSE(text.empty()) << file << " is missing";
  k8s::Inventory inventory;
  core::Diagnostics diagnostics;
  k8s::ManifestOptions manifest;
  if (!options.given_namespace.empty()) {
    manifest.default_namespace = options.given_namespace;
    manifest.namespace_given = true;
  }
  k8s::addManifestText(text, file, manifest, inventory, diagnostics);
  inventory.index();
  EXPECT_TRUE(inventory.problems.empty()) << file << " has documents the reader could not use";
  EvalContext context;
  auto version = parseK8sVersion(options.version);
  EXPECT_TRUE(version.has_value()) << options.version;
  if (version) context.k8s_version = *version;
  context.inputs = options.inputs;
  return evaluateK8s(builtinSet(), inventory, context);
}

const model::CheckResult* resultFor(const std::vector<model::CheckResult>& results,
                                    std::string_view resource, std::string_view id) {
  const auto found = std::find_if(results.begin(), results.end(), [&](const auto& r) {
    return r.resource == resource && r.check_id == id;
  });
  return found == results.end() ? nullptr : &*found;
}

// The field paths of the evidence the verdict rests on, without the " (file:line)" that
// manifests add. Evidence of `evidence: true` tests (shown to a reviewer, never judged; told
// apart by their `expected`) is left out.
std::vector<std::string> wheres(const model::CheckResult& result) {
  std::vector<std::string> shown_only;
  if (const Check* check = builtinSet().find(result.check_id)) {
    for (const auto& test : check->tests) {
      if (test.evidence) shown_only.push_back(test.expected);
    }
  }
  std::vector<std::string> out;
  for (const auto& e : result.evidence) {
    if (std::find(shown_only.begin(), shown_only.end(), e.expected) != shown_only.end()) continue;
    out.push_back(e.where.substr(0, e.where.find(" (")));
  }
  return out;
}

std::string describe(const model::CheckResult& r) {
  std::string out = fmt::format("{} {} {}{}\n", model::toString(r.status), r.check_id, r.resource,
                                r.reason.empty() ? "" : fmt::format(" ({})", r.reason));
  for (const auto& e : r.evidence) {
    out += fmt::format("    {} at {}; expected {}\n", e.observed, e.where, e.expected);
  }
  return out;
}

struct Row {
  std::string_view resource;
  std::string_view check;
  CheckStatus status;
  std::vector<std::string> failing = {};  // Fail: the evidence's field paths, in order
};

void expectRows(std::string_view file, const std::vector<Row>& rows, const Options& options = {}) {
  const auto results = runFixture(file, options);
  for (const auto& row : rows) {
    const std::string label = fmt::format("{} {} {}", file, row.resource, row.check);
    const auto* result = resultFor(results, row.resource, row.check);
    ASSERT_NE(result, nullptr) << label << ": no result";
    EXPECT_EQ(model::toString(result->status), model::toString(row.status)) << label << "\n"
                                                                            << describe(*result);
    if (row.status == CheckStatus::Fail) {
      EXPECT_EQ(wheres(*result), row.failing) << label << "\n" << describe(*result);
    }
  }
}

constexpr std::string_view kWeb = "k8s:prod/Deployment/web";
constexpr std::string_view kComplete = "k8s:prod/Deployment/complete";
constexpr std::string_view kMigrate = "spec.template.spec.initContainers[name=migrate]";

TEST(PostureResources, InitContainerWithoutResourcesFailsEveryResourceCheck) {
  const std::string m(kMigrate);
  expectRows("resources-limits.yaml",
             {
                 {kWeb, "BW-K8S-401", CheckStatus::Fail, {m + ".resources.limits.cpu"}},
                 {kWeb, "BW-K8S-402", CheckStatus::Fail, {m + ".resources.limits.memory"}},
                 {kWeb, "BW-K8S-403", CheckStatus::Fail, {m + ".resources{*}.cpu"}},
                 {kWeb, "BW-K8S-404", CheckStatus::Fail, {m + ".resources{*}.memory"}},
                 {kComplete, "BW-K8S-401", CheckStatus::Pass},
                 {kComplete, "BW-K8S-402", CheckStatus::Pass},
                 {kComplete, "BW-K8S-403", CheckStatus::Pass},
                 {kComplete, "BW-K8S-404", CheckStatus::Pass},
             });
}

// Per container: a limit is a request, so `mixed` (one container with only limits, one with
// only requests) has requests everywhere; an `any:` of two pod-wide tests would fail it.
TEST(PostureResources, LimitCountsAsRequestPerContainer) {
  constexpr std::string_view kMixed = "k8s:prod/Pod/mixed";
  constexpr std::string_view kHalf = "k8s:prod/Pod/half";
  expectRows("resources-limit-or-request.yaml",
             {
                 {kMixed, "BW-K8S-403", CheckStatus::Pass},
                 {kMixed, "BW-K8S-404", CheckStatus::Pass},
                 {kMixed,
                  "BW-K8S-401",
                  CheckStatus::Fail,
                  {"spec.containers[name=only-request].resources.limits.cpu"}},
                 {kMixed,
                  "BW-K8S-402",
                  CheckStatus::Fail,
                  {"spec.containers[name=only-request].resources.limits.memory"}},
                 {kHalf,
                  "BW-K8S-403",
                  CheckStatus::Fail,
                  {"spec.containers[name=unbounded].resources{*}.cpu"}},
                 {kHalf,
                  "BW-K8S-404",
                  CheckStatus::Fail,
                  {"spec.containers[name=unbounded].resources{*}.memory"}},
                 {kHalf,
                  "BW-K8S-401",
                  CheckStatus::Fail,
                  {"spec.containers[name=unbounded].resources.limits.cpu"}},
             });
}

TEST(PostureResources, EphemeralContainersAreNotJudged) {
  constexpr std::string_view kPod = "k8s:prod/Pod/debugged";
  expectRows("resources-ephemeral.yaml", {
                                             {kPod, "BW-K8S-401", CheckStatus::Pass},
                                             {kPod, "BW-K8S-402", CheckStatus::Pass},
                                             {kPod, "BW-K8S-403", CheckStatus::Pass},
                                             {kPod, "BW-K8S-404", CheckStatus::Pass},
                                         });
}

// Pod-level limits stand in for the containers' own from 1.34, when the API keeps them.
TEST(PostureResources, PodLevelResourcesCountFrom134) {
  constexpr std::string_view kPod = "k8s:prod/Pod/pod-level";
  const std::string app = "spec.containers[name=app]";
  expectRows("resources-pod-level.yaml",
             {
                 {kPod, "BW-K8S-401", CheckStatus::Fail, {app + ".resources.limits.cpu"}},
                 {kPod, "BW-K8S-402", CheckStatus::Fail, {app + ".resources.limits.memory"}},
                 {kPod, "BW-K8S-403", CheckStatus::Fail, {app + ".resources{*}.cpu"}},
                 {kPod, "BW-K8S-404", CheckStatus::Fail, {app + ".resources{*}.memory"}},
             },
             {.version = "1.33"});
  expectRows("resources-pod-level.yaml",
             {
                 {kPod, "BW-K8S-401", CheckStatus::Pass},
                 {kPod, "BW-K8S-402", CheckStatus::Pass},
                 {kPod, "BW-K8S-403", CheckStatus::Pass},
                 {kPod, "BW-K8S-404", CheckStatus::Pass},
             },
             {.version = "1.34"});
}

constexpr std::string_view kUntagged = "k8s:apps/Pod/untagged";
constexpr std::string_view kLatest = "k8s:apps/Pod/latest";
constexpr std::string_view kVersioned = "k8s:apps/Pod/versioned";
constexpr std::string_view kDigest = "k8s:apps/Pod/digest";
constexpr std::string_view kLocal = "k8s:apps/Pod/local-registry";
const std::string kImage = "spec.containers[name=web].image";

TEST(PostureImages, LatestOrMissingTagFails) {
  expectRows("image-references.yaml", {
                                          {kUntagged, "BW-K8S-406", CheckStatus::Fail, {kImage}},
                                          {kLatest, "BW-K8S-406", CheckStatus::Fail, {kImage}},
                                          {kVersioned, "BW-K8S-406", CheckStatus::Pass},
                                          {kDigest, "BW-K8S-406", CheckStatus::Pass},
                                          {kLocal, "BW-K8S-406", CheckStatus::Fail, {kImage}},
                                      });
}

// Without --input allowed_registries a person decides, with each container's registry shown.
TEST(PostureImages, RegistryAllowListWithoutInputIsManual) {
  const auto results = runFixture("image-references.yaml");
  const std::map<std::string_view, std::vector<std::string>> registries = {
      {kUntagged, {"docker.io"}},
      {kLatest, {"docker.io"}},
      {kVersioned, {"ghcr.io", "docker.io"}},  // regular containers, then init
      {kDigest, {"reg.io"}},
      {kLocal, {"localhost:5000"}},
  };
  for (const auto& [resource, expected] : registries) {
    const auto* result = resultFor(results, resource, "BW-K8S-405");
    ASSERT_NE(result, nullptr) << resource;
    EXPECT_EQ(model::toString(result->status), model::toString(CheckStatus::Manual))
        << describe(*result);
    std::vector<std::string> observed;
    for (const auto& e : result->evidence) observed.push_back(e.observed);
    std::vector<std::string> sorted_expected = expected;
    std::sort(observed.begin(), observed.end());
    std::sort(sorted_expected.begin(), sorted_expected.end());
    EXPECT_EQ(observed, sorted_expected) << describe(*result);
  }
}

TEST(PostureImages, RegistryAllowListWithInput) {
  // Upper case on purpose: registry host names compare case-insensitively.
  const Options options{.inputs = {{"allowed_registries", {"docker.io", "REG.io"}}}};
  expectRows(
      "image-references.yaml",
      {
          {kUntagged, "BW-K8S-405", CheckStatus::Pass},
          {kLatest, "BW-K8S-405", CheckStatus::Pass},
          {kVersioned, "BW-K8S-405", CheckStatus::Fail, {"spec.initContainers[name=setup].image"}},
          {kDigest, "BW-K8S-405", CheckStatus::Pass},
          {kLocal, "BW-K8S-405", CheckStatus::Fail, {kImage}},
      },
      options);
}

TEST(PostureHardening, ReadOnlyRootFilesystemMustBeTrue) {
  const std::string field = "spec.containers[name=app].securityContext.readOnlyRootFilesystem";
  expectRows("read-only-root.yaml",
             {
                 {"k8s:apps/Pod/rofs-unset", "BW-K8S-501", CheckStatus::Fail, {field}},
                 {"k8s:apps/Pod/rofs-false", "BW-K8S-501", CheckStatus::Fail, {field}},
                 {"k8s:apps/Pod/rofs-true", "BW-K8S-501", CheckStatus::Pass},
                 {"k8s:apps/Pod/rofs-windows", "BW-K8S-501", CheckStatus::NotApplicable},
             });
}

TEST(PostureHardening, RuntimeSocketMountFails) {
  expectRows("runtime-sockets.yaml",
             {
                 {"k8s:ops/Pod/docker-sock",
                  "BW-K8S-503",
                  CheckStatus::Fail,
                  {"spec.volumes[name=docker].hostPath.path"}},
                 {"k8s:ops/DaemonSet/containerd-sock",
                  "BW-K8S-503",
                  CheckStatus::Fail,
                  {"spec.template.spec.volumes[name=runtime].hostPath.path"}},
                 {"k8s:ops/Pod/run-dir",
                  "BW-K8S-503",
                  CheckStatus::Fail,
                  {"spec.volumes[name=run].hostPath.path"}},
                 {"k8s:ops/Pod/log-reader", "BW-K8S-503", CheckStatus::Pass},
                 {"k8s:ops/Pod/no-host-path", "BW-K8S-503", CheckStatus::Pass},
             });
}

// What the container ends up with, as the runtimes read the names (any case): ALL, or each
// default capability by name; NET_RAW dropped and not added back.
TEST(PostureHardening, DefaultCapabilitiesAndNetRaw) {
  const std::string app = "spec.containers[name=app].securityContext.capabilities";
  const std::string init =
      "spec.template.spec.initContainers[name=migrate].securityContext.capabilities";
  expectRows("capabilities.yaml",
             {
                 {"k8s:prod/Pod/drops-all", "BW-K8S-505", CheckStatus::Pass},
                 {"k8s:prod/Pod/drops-all", "BW-K8S-506", CheckStatus::Pass},
                 {"k8s:prod/Pod/drops-all-lower", "BW-K8S-505", CheckStatus::Pass},
                 {"k8s:prod/Pod/drops-all-lower", "BW-K8S-506", CheckStatus::Pass},
                 {"k8s:prod/Pod/drops-each", "BW-K8S-505", CheckStatus::Pass},
                 {"k8s:prod/Pod/drops-each", "BW-K8S-506", CheckStatus::Pass},
                 {"k8s:prod/Pod/drops-most", "BW-K8S-505", CheckStatus::Fail, {app}},
                 {"k8s:prod/Pod/drops-most", "BW-K8S-506", CheckStatus::Pass},
                 {"k8s:prod/Pod/drops-net-raw", "BW-K8S-505", CheckStatus::Fail, {app}},
                 {"k8s:prod/Pod/drops-net-raw", "BW-K8S-506", CheckStatus::Pass},
                 {"k8s:prod/Pod/adds-net-raw-back", "BW-K8S-505", CheckStatus::Pass},
                 {"k8s:prod/Pod/adds-net-raw-back", "BW-K8S-506", CheckStatus::Fail, {app}},
                 {"k8s:prod/Pod/adds-all", "BW-K8S-505", CheckStatus::Fail, {app}},
                 {"k8s:prod/Pod/adds-all-drops-all", "BW-K8S-505", CheckStatus::Pass},
                 {"k8s:prod/Pod/not-a-list", "BW-K8S-505", CheckStatus::NotEvaluated},
                 {"k8s:prod/Deployment/init-keeps", "BW-K8S-505", CheckStatus::Fail, {init}},
                 {"k8s:prod/Deployment/init-keeps", "BW-K8S-506", CheckStatus::Fail, {init}},
                 {"k8s:prod/Pod/windows", "BW-K8S-505", CheckStatus::NotApplicable},
                 {"k8s:prod/Pod/windows", "BW-K8S-506", CheckStatus::NotApplicable},
             });
  // The evidence says what is kept.
  const auto results = runFixture("capabilities.yaml");
  const auto* most = resultFor(results, "k8s:prod/Pod/drops-most", "BW-K8S-505");
  ASSERT_NE(most, nullptr);
  ASSERT_EQ(most->evidence.size(), 1U);
  EXPECT_EQ(most->evidence[0].observed, "container app does not drop SYS_CHROOT");
  const auto* back = resultFor(results, "k8s:prod/Pod/adds-net-raw-back", "BW-K8S-506");
  ASSERT_NE(back, nullptr);
  ASSERT_EQ(back->evidence.size(), 1U);
  EXPECT_EQ(back->evidence[0].observed, "container app keeps NET_RAW");
  const auto* each = resultFor(results, "k8s:prod/Pod/drops-each", "BW-K8S-505");
  ASSERT_NE(each, nullptr);
  ASSERT_EQ(each->evidence.size(), 1U);
  EXPECT_EQ(each->evidence[0].observed, "container app drops every default");
}

// A profile named for every container, resolved as the kubelet does: the container's own
// field, then its pod annotation (when the kubelet can parse it), then the pod's field.
TEST(PostureHardening, AppArmorProfileChosenForEveryContainer) {
  const std::string field = ".securityContext.appArmorProfile.type";
  expectRows("apparmor.yaml",
             {
                 {"k8s:prod/Pod/pod-field", "BW-K8S-507", CheckStatus::Pass},
                 {"k8s:prod/Pod/container-field", "BW-K8S-507", CheckStatus::Pass},
                 {"k8s:prod/Deployment/annotated", "BW-K8S-507", CheckStatus::Pass},
                 {"k8s:prod/Pod/unset",
                  "BW-K8S-507",
                  CheckStatus::Fail,
                  {"spec.containers[name=app]" + field}},
                 {"k8s:prod/Pod/annotation-for-one",
                  "BW-K8S-507",
                  CheckStatus::Fail,
                  {"spec.containers[name=sidecar]" + field}},
                 // Unconfined is a choice (507 passes); 107 judges it.
                 {"k8s:prod/Pod/precedence", "BW-K8S-507", CheckStatus::Pass},
                 {"k8s:prod/Pod/empty-annotation",
                  "BW-K8S-507",
                  CheckStatus::Fail,
                  {"spec.containers[name=app]" + field}},
                 {"k8s:prod/Pod/empty-annotation-pod-field", "BW-K8S-507", CheckStatus::Pass},
                 {"k8s:prod/Pod/windows", "BW-K8S-507", CheckStatus::NotApplicable},
                 // An explicit unconfined is also the baseline standard's failure.
                 {"k8s:prod/Pod/precedence",
                  "BW-K8S-107",
                  CheckStatus::Fail,
                  {"metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]",
                   "metadata.annotations[container.apparmor.security.beta.kubernetes.io/"
                   "sidecar]"}},
                 {"k8s:prod/Pod/unset", "BW-K8S-107", CheckStatus::Pass},
             });
  // The evidence says where each container's profile came from.
  const auto results = runFixture("apparmor.yaml");
  const auto* annotated = resultFor(results, "k8s:prod/Deployment/annotated", "BW-K8S-507");
  ASSERT_NE(annotated, nullptr);
  ASSERT_EQ(annotated->evidence.size(), 2U) << describe(*annotated);
  // (The annotation's line is the object's: lines are kept for containers and volumes.)
  EXPECT_EQ(annotated->evidence[0].observed,
            "RuntimeDefault (from the pod annotation spec.template.metadata.annotations"
            "[container.apparmor.security.beta.kubernetes.io/app] (apparmor.yaml:21))");
  EXPECT_EQ(annotated->evidence[0].where,
            "spec.template.spec.containers[name=app].securityContext.appArmorProfile.type "
            "(apparmor.yaml:36)");
  EXPECT_EQ(annotated->evidence[1].observed,
            "Localhost (from the pod annotation spec.template.metadata.annotations"
            "[container.apparmor.security.beta.kubernetes.io/migrate] (apparmor.yaml:21))");
  // Own field over annotation over the pod's field, container by container.
  const auto* precedence = resultFor(results, "k8s:prod/Pod/precedence", "BW-K8S-507");
  ASSERT_NE(precedence, nullptr);
  ASSERT_EQ(precedence->evidence.size(), 3U) << describe(*precedence);
  EXPECT_EQ(precedence->evidence[0].observed, "RuntimeDefault") << describe(*precedence);
  EXPECT_TRUE(precedence->evidence[1].observed.starts_with(
      "Unconfined (from the pod annotation metadata.annotations[container.apparmor.security.beta."
      "kubernetes.io/sidecar]"))
      << describe(*precedence);
  EXPECT_TRUE(precedence->evidence[2].observed.starts_with(
      "RuntimeDefault (inherited from the pod: spec.securityContext.appArmorProfile.type"))
      << describe(*precedence);
  const auto* unset = resultFor(results, "k8s:prod/Pod/unset", "BW-K8S-507");
  ASSERT_NE(unset, nullptr);
  ASSERT_EQ(unset->evidence.size(), 1U);
  EXPECT_EQ(unset->evidence[0].observed,
            "not set in container app, its pod annotation nor on the pod");
}

// The dashboard is known by its image (any version's) or by the labels its manifests put on
// the pod; a name that merely contains it is something else.
TEST(PostureHardening, KubernetesDashboardByImageOrLabel) {
  expectRows("dashboard.yaml",
             {
                 {"k8s:kubernetes-dashboard/Deployment/kubernetes-dashboard",
                  "BW-K8S-508",
                  CheckStatus::Fail,
                  {"spec.template.spec.containers[name=kubernetes-dashboard].image",
                   "spec.template.metadata.labels.k8s-app"}},
                 {"k8s:kubernetes-dashboard/Deployment/dashboard-web",
                  "BW-K8S-508",
                  CheckStatus::Fail,
                  {"spec.template.spec.containers[name=web].image",
                   "spec.template.metadata.labels[app.kubernetes.io/name]",
                   "spec.template.metadata.labels[app.kubernetes.io/part-of]"}},
                 {"k8s:ops/Pod/legacy",
                  "BW-K8S-508",
                  CheckStatus::Fail,
                  {"spec.containers[name=ui].image"}},
                 {"k8s:ops/Pod/labelled", "BW-K8S-508", CheckStatus::Fail, {"metadata.labels.app"}},
                 {"k8s:ops/Pod/headlamp", "BW-K8S-508", CheckStatus::Pass},
                 {"k8s:ops/Pod/lookalike", "BW-K8S-508", CheckStatus::Pass},
             });
}

TEST(PostureHardening, DefaultNamespaceOrNoneFails) {
  expectRows(
      "default-namespace.yaml",
      {
          {"k8s:default/Pod/unnamespaced", "BW-K8S-502", CheckStatus::Fail, {"metadata.namespace"}},
          {"k8s:default/Deployment/in-default",
           "BW-K8S-502",
           CheckStatus::Fail,
           {"metadata.namespace"}},
          {"k8s:prod/Deployment/in-prod", "BW-K8S-502", CheckStatus::Pass},
          {"k8s:default/Service/kubernetes", "BW-K8S-502", CheckStatus::NotApplicable},
          {"k8s:default/ServiceAccount/default", "BW-K8S-502", CheckStatus::NotApplicable},
          {"k8s:default/ServiceAccount/deployer",
           "BW-K8S-502",
           CheckStatus::Fail,
           {"metadata.namespace"}},
      });
  const auto results = runFixture("default-namespace.yaml");
  const auto* unnamespaced = resultFor(results, "k8s:default/Pod/unnamespaced", "BW-K8S-502");
  ASSERT_NE(unnamespaced, nullptr);
  ASSERT_EQ(unnamespaced->evidence.size(), 1U);
  EXPECT_EQ(unnamespaced->evidence[0].where,
            "metadata.namespace (default-namespace.yaml:1) (not set: kubectl puts the object in "
            "its context's namespace)");
  EXPECT_EQ(resultFor(results, "k8s:_cluster/ClusterRole/cluster-wide", "BW-K8S-502"), nullptr);
  // `-n prod`: the namespace the manifest leaves out is the user's choice.
  const auto given = runFixture("default-namespace.yaml", {.given_namespace = "prod"});
  const auto* chosen = resultFor(given, "k8s:prod/Pod/unnamespaced", "BW-K8S-502");
  ASSERT_NE(chosen, nullptr);
  EXPECT_EQ(chosen->status, CheckStatus::Pass) << describe(*chosen);
  ASSERT_EQ(chosen->evidence.size(), 1U);
  EXPECT_EQ(chosen->evidence[0].where, "-n prod (the manifest names no namespace)");
}

// Every fixture is a valid manifest: none of these checks is left not-evaluated on any of its
// workloads, and every workload gets a result from each.
TEST(PostureFixtures, EveryWorkloadEvaluated) {
  const std::vector<std::string_view> files = {"resources-limits.yaml",
                                               "resources-limit-or-request.yaml",
                                               "resources-ephemeral.yaml",
                                               "resources-pod-level.yaml",
                                               "image-references.yaml",
                                               "read-only-root.yaml",
                                               "runtime-sockets.yaml",
                                               "apparmor.yaml",
                                               "dashboard.yaml"};
  const std::vector<std::string_view> ids = {
      "BW-K8S-401", "BW-K8S-402", "BW-K8S-403", "BW-K8S-404", "BW-K8S-405", "BW-K8S-406",
      "BW-K8S-501", "BW-K8S-503", "BW-K8S-505", "BW-K8S-506", "BW-K8S-507", "BW-K8S-508"};
  for (const auto file : files) {
    const auto results = runFixture(file);
    std::size_t workloads = 0;
    for (const auto& r : results) {
      if (r.resource_kind != "k8s-workload") continue;
      if (r.check_id == "BW-K8S-401") ++workloads;
      if (std::find(ids.begin(), ids.end(), r.check_id) == ids.end()) continue;
      EXPECT_NE(r.status, CheckStatus::NotEvaluated) << file << "\n" << describe(r);
    }
    EXPECT_GT(workloads, 0U) << file;
    for (const auto id : ids) {
      const auto count = std::count_if(results.begin(), results.end(),
                                       [&](const auto& r) { return r.check_id == id; });
      EXPECT_EQ(static_cast<std::size_t>(count), workloads) << file << " " << id;
    }
  }
}

// The profile names each of these checks once, under its own id, and every one exists.
TEST(PostureProfile, NamesEveryCheckOnce) {
  auto profile = builtinProfile("k8s-posture");
  ASSERT_TRUE(profile.has_value()) << profile.error().message;
  EXPECT_FALSE(profile->versioned);
  const std::vector<std::string> ids = {"BW-K8S-401", "BW-K8S-402", "BW-K8S-403", "BW-K8S-404",
                                        "BW-K8S-405", "BW-K8S-406", "BW-K8S-407", "BW-K8S-501",
                                        "BW-K8S-502", "BW-K8S-503", "BW-K8S-504", "BW-K8S-505",
                                        "BW-K8S-506", "BW-K8S-507", "BW-K8S-508"};
  ASSERT_EQ(profile->controls.size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(profile->controls[i].id, ids[i]);
    EXPECT_EQ(profile->controls[i].checks, std::vector<std::string>{ids[i]});
  }
  auto checks = profileChecks(builtinSet(), *profile);
  ASSERT_TRUE(checks.has_value()) << checks.error().message;
  EXPECT_EQ(checks->checks.size(), ids.size());
}

}  // namespace
}  // namespace bulwark::checks
