// `bulwark.k8s-snapshot/v1` (docs/dev/k8s-design.md §1.6): a snapshot read back gives the same
// results as the inventory it was written from; writing is byte-deterministic; unreadable lists
// survive; bad items cost only themselves; what is not a snapshot is refused.
#include "checks/k8s/snapshot.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "checks/check.h"
#include "checks/evaluate.h"
#include "checks/k8s/manifest.h"
#include "testdata.h"

namespace {

namespace k8s = bulwark::checks::k8s;
using bulwark::core::Diagnostics;
using bulwark::model::CheckResult;
using bulwark::model::CheckStatus;
using bulwark::model::NotEvaluatedCause;

constexpr std::string_view kAt = "2026-11-23T06:00:00Z";

const bulwark::checks::CheckSet& builtin() {
  static const auto checks = bulwark::checks::loadBuiltinChecks();
  EXPECT_TRUE(checks) << checks.error().message;
  return *checks;
}

k8s::Inventory benchManifests() {
  const std::vector<std::string> paths = {
      (bulwark::testing::fixtures() / "k8s" / "bench").string()};
  Diagnostics diagnostics;
  auto inventory = k8s::loadManifests(paths, {}, diagnostics);
  EXPECT_TRUE(inventory) << inventory.error().message;
  return std::move(*inventory);
}

// What a live collector gives: objects without a file, a line or the lines of their parts.
void asApiObjects(k8s::Inventory& inventory) {
  for (auto& object : inventory.objects) {
    object.origin = k8s::Origin{};
    object.lines.clear();
  }
}

std::vector<CheckResult> evaluate(const k8s::Inventory& inventory) {
  bulwark::checks::EvalContext context;
  context.k8s_version = bulwark::checks::K8sVersion{1, 30};
  return bulwark::checks::evaluateK8s(builtin(), inventory, context);
}

std::string describe(const CheckResult& r) {
  std::string text = r.check_id + " " + r.resource + " " +
                     std::string(bulwark::model::toString(r.status)) + " " +
                     std::string(bulwark::model::toString(r.cause)) + " " + r.reason;
  for (const auto& e : r.evidence)
    text += " | " + e.observed + " @ " + e.where + " ? " + e.expected;
  if (r.location) text += " (" + r.location->file + ":" + std::to_string(r.location->line) + ")";
  return text;
}

std::vector<std::string> described(const std::vector<CheckResult>& results) {
  std::vector<std::string> out;
  out.reserve(results.size());
  for (const auto& r : results) out.push_back(describe(r));
  return out;
}

k8s::Inventory roundTrip(const k8s::Inventory& inventory, std::string* text = nullptr) {
  const std::string written = k8s::writeK8sSnapshot(inventory, kAt, "0.1.0");
  if (text != nullptr) *text = written;
  Diagnostics diagnostics;
  auto read = k8s::readK8sSnapshot(written, "cluster.json", diagnostics);
  EXPECT_TRUE(read) << read.error().message;
  EXPECT_TRUE(diagnostics.size() == 0);
  return std::move(*read);
}

TEST(K8sSnapshot, RoundTripGivesTheSameResults) {
  k8s::Inventory inventory = benchManifests();
  ASSERT_FALSE(inventory.objects.empty());
  ASSERT_FALSE(inventory.problems.empty());  // agent.yaml's duplicate key
  asApiObjects(inventory);
  inventory.server_git_version = "v1.30.4";
  const auto before = described(evaluate(inventory));
  ASSERT_GT(before.size(), 20U);

  std::string text;
  const k8s::Inventory read = roundTrip(inventory, &text);
  EXPECT_EQ(read.objects.size(), inventory.objects.size());
  EXPECT_EQ(read.problems.size(), inventory.problems.size());
  EXPECT_EQ(read.server_git_version, "v1.30.4");
  ASSERT_TRUE(read.server_version);
  EXPECT_EQ(read.server_version->minor, 30);
  EXPECT_EQ(described(evaluate(read)), before);

  // Deterministic: the same inventory writes the same bytes, and a read snapshot writes itself.
  EXPECT_EQ(k8s::writeK8sSnapshot(inventory, kAt, "0.1.0"), text);
  EXPECT_EQ(k8s::writeK8sSnapshot(read, kAt, "0.1.0"), text);
  EXPECT_TRUE(text.starts_with("{\"schema\": \"bulwark.k8s-snapshot/v1\",\n"));
  EXPECT_TRUE(k8s::isK8sSnapshot(text));
}

TEST(K8sSnapshot, ManifestVerdictsSurviveWithoutTheirLocations) {
  const k8s::Inventory inventory = benchManifests();
  const k8s::Inventory read = roundTrip(inventory);
  using Verdict = std::tuple<std::string, std::string, CheckStatus, NotEvaluatedCause>;
  const auto verdicts = [](const std::vector<CheckResult>& results) {
    std::vector<Verdict> out;
    for (const auto& r : results) out.emplace_back(r.check_id, r.resource, r.status, r.cause);
    return out;
  };
  EXPECT_EQ(verdicts(evaluate(read)), verdicts(evaluate(inventory)));
  // The namespaces kubectl would have defaulted are written into the items.
  for (const auto& object : read.objects) {
    EXPECT_EQ(k8s::namespaced(object.kind), !object.ns.empty()) << object.name;
    EXPECT_FALSE(object.namespace_defaulted) << object.name;
  }
}

TEST(K8sSnapshot, UnreadableSourceSurvives) {
  k8s::Inventory inventory;
  inventory.cluster = "prod";
  inventory.source = "kubeconfig context prod (https://10.0.0.1:6443)";
  k8s::SourceState denied;
  denied.state.status = bulwark::checks::docker::FactStatus::PermissionDenied;
  denied.state.detail = "403: clusterroles.rbac.authorization.k8s.io is forbidden";
  denied.state.source = "GET /apis/rbac.authorization.k8s.io/v1/clusterroles";
  inventory.sources["rbac.authorization.k8s.io/clusterroles"] = denied;
  k8s::SourceState pods;
  pods.state.status = bulwark::checks::docker::FactStatus::Ok;
  pods.items = 0;
  inventory.sources["pods"] = pods;
  inventory.index();

  const k8s::Inventory read = roundTrip(inventory);
  EXPECT_EQ(read.cluster, "prod");
  EXPECT_EQ(read.source, inventory.source);
  ASSERT_EQ(read.sources.size(), 2U);
  const auto& state = read.sources.at("rbac.authorization.k8s.io/clusterroles").state;
  EXPECT_EQ(state.status, bulwark::checks::docker::FactStatus::PermissionDenied);
  EXPECT_EQ(state.detail, denied.state.detail);
  EXPECT_EQ(state.source, denied.state.source);

  const auto results = evaluate(read);
  EXPECT_EQ(described(results), described(evaluate(inventory)));
  const auto it = std::find_if(results.begin(), results.end(), [](const CheckResult& r) {
    return r.check_id == "BW-K8S-604" &&
           r.resource == "k8s-api:prod/rbac.authorization.k8s.io/clusterroles";
  });
  ASSERT_NE(it, results.end());
  EXPECT_EQ(it->status, CheckStatus::NotEvaluated);
  EXPECT_EQ(it->cause, NotEvaluatedCause::PermissionDenied);
}

TEST(K8sSnapshot, FixtureWithBadItems) {
  const std::string text = bulwark::testing::readFile(bulwark::testing::fixtures() / "k8s" /
                                                      "snapshot" / "namespaced-user.json");
  ASSERT_TRUE(k8s::isK8sSnapshot(text));
  Diagnostics diagnostics;
  const auto read = k8s::readK8sSnapshot(text, "namespaced-user.json", diagnostics);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->cluster, "fixture");
  ASSERT_EQ(read->objects.size(), 2U);
  ASSERT_EQ(read->problems.size(), 2U);
  EXPECT_EQ(read->problems[0].check_id, "BW-K8S-602");
  EXPECT_EQ(read->problems[0].resource, "file:namespaced-user.json#items[2]");
  EXPECT_NE(read->problems[0].reason.find("no metadata.name"), std::string::npos);
  EXPECT_EQ(read->problems[1].resource, "file:namespaced-user.json#items[3]");
  const k8s::Object* web = read->find("Deployment", "shop", "web");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->workload, k8s::WorkloadKind::Deployment);
  EXPECT_NE(web->podSpec(), nullptr);
  EXPECT_EQ(web->origin.item, "items[0]");
  EXPECT_TRUE(web->origin.file.empty());  // no manifest location in evidence

  const auto results = evaluate(*read);
  const auto failed = std::any_of(results.begin(), results.end(), [](const CheckResult& r) {
    return r.resource == "k8s:shop/Deployment/web" && r.status == CheckStatus::Fail;
  });
  EXPECT_TRUE(failed);  // privileged
  const auto denied = std::count_if(results.begin(), results.end(), [](const CheckResult& r) {
    return r.check_id == "BW-K8S-604";
  });
  EXPECT_EQ(denied, 1);

  // Written again: managedFields and status dropped, the image ids kept.
  const std::string written = k8s::writeK8sSnapshot(*read, kAt, "0.1.0");
  EXPECT_EQ(written.find("managedFields"), std::string::npos);
  EXPECT_EQ(written.find("\"replicas\""), std::string::npos);
  EXPECT_EQ(written.find("\"phase\""), std::string::npos);
  EXPECT_NE(written.find("\"imageID\":\"registry.example/agent@sha256:"), std::string::npos);
  EXPECT_NE(written.find("\"problems\": [{\"cause\":\"malformed\""), std::string::npos);
}

TEST(K8sSnapshot, SecretValuesAreNeverWritten) {
  k8s::Inventory inventory;
  Diagnostics diagnostics;
  k8s::addManifestText(
      "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\n"
      "data: {password: c2VjcmV0LWZpeHR1cmU=}\nstringData: {token: plain-fixture-secret}\n",
      "secret.yaml", {}, inventory, diagnostics);
  inventory.index();
  ASSERT_EQ(inventory.objects.size(), 1U);
  const std::string text = k8s::writeK8sSnapshot(inventory, kAt, "0.1.0");
  EXPECT_EQ(text.find("c2VjcmV0LWZpeHR1cmU="), std::string::npos) << text;
  EXPECT_EQ(text.find("plain-fixture-secret"), std::string::npos) << text;
  EXPECT_NE(text.find("\"kind\":\"Secret\""), std::string::npos);
}

TEST(K8sSnapshot, NotASnapshotIsRefused) {
  Diagnostics diagnostics;
  const auto wrong = k8s::readK8sSnapshot(R"({"schema":"bulwark.docker-snapshot/v1","items":[]})",
                                          "x.json", diagnostics);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, bulwark::core::ErrorCode::Input);
  EXPECT_NE(wrong.error().message.find("bulwark.k8s-snapshot/v1"), std::string::npos);
  EXPECT_FALSE(k8s::readK8sSnapshot(R"({"items":[]})", "x.json", diagnostics));
  EXPECT_FALSE(k8s::readK8sSnapshot("[1,2]", "x.json", diagnostics));
  EXPECT_FALSE(k8s::readK8sSnapshot("apiVersion: v1\nkind: Pod\n", "x.yaml", diagnostics));
  const std::string deep = R"({"schema":"bulwark.k8s-snapshot/v1","items":[)" +
                           std::string(1000, '[') + std::string(1000, ']') + "]}";
  const auto too_deep = k8s::readK8sSnapshot(deep, "x.json", diagnostics);
  ASSERT_FALSE(too_deep);
  EXPECT_EQ(too_deep.error().code, bulwark::core::ErrorCode::Limit);

  EXPECT_FALSE(k8s::isK8sSnapshot("apiVersion: v1\nkind: Pod\n"));
  EXPECT_FALSE(k8s::isK8sSnapshot(R"({"schema":"bulwark.docker-snapshot/v1"})"));
  EXPECT_FALSE(k8s::isK8sSnapshot(""));
  EXPECT_TRUE(k8s::isK8sSnapshot(R"({"items":[],"schema":"bulwark.k8s-snapshot/v1"})"));
}

TEST(K8sSnapshot, BadMembersAreDiagnosedNotFatal) {
  Diagnostics diagnostics;
  const auto read = k8s::readK8sSnapshot(
      R"({"schema":"bulwark.k8s-snapshot/v1","cluster":5,
          "sources":{"pods":{"status":"exploded"},"nodes":7},
          "problems":[{"check_id":"BW-K8S-101","resource":"k8s:x/Pod/y","cause":"malformed"},
                      {"check_id":"BW-K8S-603","resource":"file:a.yaml","cause":"permission-denied"}],
          "items":[{"kind":"ClusterRole","metadata":{"generateName":"gen-"}}]})",
      "odd.json", diagnostics);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_GE(diagnostics.size(), 3U);
  // A source of unknown state is kept as unreadable, never as a clean list.
  ASSERT_EQ(read->sources.count("pods"), 1U);
  EXPECT_EQ(read->sources.at("pods").state.status, bulwark::checks::docker::FactStatus::Malformed);
  ASSERT_EQ(read->problems.size(), 1U);  // a snapshot cannot make a BW-K8S-101 result
  EXPECT_EQ(read->problems[0].cause, NotEvaluatedCause::PermissionDenied);
  ASSERT_EQ(read->objects.size(), 1U);
  EXPECT_EQ(read->objects[0].name, "gen-*");
  EXPECT_TRUE(read->objects[0].ns.empty());
}

// An item an API server could not have returned (a string where it decodes an integer) is
// held to the rule manifests are: a problem naming the field, not an object to judge.
TEST(K8sSnapshot, ItemsTheApiServerCannotDecodeAreProblems) {
  Diagnostics diagnostics;
  const auto read = k8s::readK8sSnapshot(
      R"({"schema":"bulwark.k8s-snapshot/v1",
          "items":[{"apiVersion":"v1","kind":"Service","metadata":{"name":"s","namespace":"a"},
                    "spec":{"type":"NodePort","ports":[{"port":"22"}]}},
                   {"apiVersion":"v1","kind":"Service","metadata":{"name":"t","namespace":"a"},
                    "spec":{"type":"NodePort","ports":[{"port":22}]}}]})",
      "edited.json", diagnostics);
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->objects.size(), 1U);
  EXPECT_EQ(read->objects[0].name, "t");
  ASSERT_EQ(read->problems.size(), 1U);
  EXPECT_EQ(read->problems[0].check_id, "BW-K8S-602");
  EXPECT_EQ(read->problems[0].resource, "file:edited.json#items[0]");
  EXPECT_NE(read->problems[0].reason.find(
                "Service s: spec.ports[0].port is a string (22), not a 32-bit integer"),
            std::string::npos)
      << read->problems[0].reason;
}

}  // namespace
