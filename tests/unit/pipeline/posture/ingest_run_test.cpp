// Bench runs into posture state (src/pipeline/posture/ingest_run.h): the three snapshot kinds
// are identified by their schema, evaluated with the embedded checks and written to a real
// SQLite store as the target's tree with one assessment per placed result; the Docker host's
// assessments against a reviewed golden (tests/golden/posture/ingest-docker.tsv;
// BULWARK_UPDATE_GOLDEN=1 rewrites it); a second run replaces the first and marks what it no
// longer saw as gone; a snapshot that cannot be evaluated leaves the stored state alone.
#include "pipeline/posture/ingest_run.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "posture/resource_key.h"
#include "store/store.h"
#include "testdata.h"
#include "unit/pipeline/posture/store_fixture.h"
#include "unit/posture/loaded_catalogue.h"

namespace {

namespace fs = std::filesystem;
namespace posture = bulwark::posture;
namespace pipeline = bulwark::pipeline;
namespace store = bulwark::store;
namespace model = bulwark::model;
using Json = nlohmann::json;

constexpr std::int64_t kNow = 1'790'000'000'000;  // 2026-09-21

std::string fixture(const std::string& relative) {
  return bulwark::testing::readFile(bulwark::testing::fixtures() / relative);
}

class IngestRunTest : public bulwark::testing::SqliteStoreTest {
 protected:
  // Identifies and ingests a snapshot; the test fails on an error.
  pipeline::IngestOutcome ingest(const std::string& body, const std::string& cluster = "",
                                 std::int64_t now = kNow) {
    auto target = pipeline::identifySnapshot(body, cluster);
    EXPECT_TRUE(target) << target.error().message;
    if (!target) return {};
    pipeline::IngestRequest request{*target, body, "test", bulwark::core::sha256Hex(body)};
    posture::AssessContext context;
    context.now_ms = now;
    auto outcome = pipeline::ingestSnapshot(*store_, posture::loadedCatalogue(), request, context);
    EXPECT_TRUE(outcome) << outcome.error().message;
    return outcome ? *outcome : pipeline::IngestOutcome{};
  }

  std::vector<store::ResourceRecord> resources(bool include_gone = false) {
    store::ResourceQuery query;
    query.limit = 1000;
    query.include_gone = include_gone;
    query.sort = "name";
    auto page = store_->queryResources(query);
    EXPECT_TRUE(page) << page.error().message;
    return page ? page->resources : std::vector<store::ResourceRecord>{};
  }

  std::vector<model::Assessment> assessments(const std::string& resource_id) {
    store::AssessmentQuery query;
    query.resource_id = resource_id;
    query.limit = 1000;
    auto page = store_->queryAssessments(query);
    EXPECT_TRUE(page) << page.error().message;
    return page ? page->assessments : std::vector<model::Assessment>{};
  }
};

TEST_F(IngestRunTest, IdentifiesEachSchemaAndRefusesTheRest) {
  auto docker = pipeline::identifySnapshot(fixture("hardening/docker/host.snapshot.json"), "");
  ASSERT_TRUE(docker) << docker.error().message;
  EXPECT_EQ(docker->kind, pipeline::SnapshotKind::Docker);
  EXPECT_EQ(docker->target_key, "host:build-7");

  const std::string k8s_body = fixture("k8s/snapshot/namespaced-user.json");
  auto k8s = pipeline::identifySnapshot(k8s_body, "prod");
  ASSERT_TRUE(k8s) << k8s.error().message;
  EXPECT_EQ(k8s->kind, pipeline::SnapshotKind::K8s);
  EXPECT_EQ(k8s->target_key, "cluster:prod");
  auto no_cluster = pipeline::identifySnapshot(k8s_body, "");
  ASSERT_FALSE(no_cluster);
  EXPECT_EQ(no_cluster.error().message, "a k8s snapshot needs the cluster's name");

  auto node = pipeline::identifySnapshot(fixture("k8s/node/node-snapshot.json"), "prod");
  ASSERT_TRUE(node) << node.error().message;
  EXPECT_EQ(node->kind, pipeline::SnapshotKind::Node);
  EXPECT_EQ(node->target_key, "node:prod/kind-worker");

  for (const std::string bad : {"", "[]", "{\"schema\": 3}", "{\"schema\": \"bulwark.x/v1\"}",
                                "{\"schema\": \"bulwark.docker-snapshot/v1\", \"engine\": 7}"}) {
    auto refused = pipeline::identifySnapshot(bad, "prod");
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, bulwark::core::ErrorCode::Input) << bad;
  }
  EXPECT_NE(
      pipeline::identifySnapshot("{\"schema\": \"x\"}", "")
          .error()
          .message.find(
              "bulwark.docker-snapshot/v1, bulwark.k8s-snapshot/v1 or bulwark.node-snapshot/v1"),
      std::string::npos);
}

TEST_F(IngestRunTest, DockerHostBecomesItsTreeWithOneAssessmentPerResult) {
  const std::string body = fixture("hardening/docker/host.snapshot.json");
  const pipeline::IngestOutcome outcome = ingest(body);
  EXPECT_EQ(outcome.run.status, "done");
  EXPECT_EQ(outcome.run.kind, "docker");
  EXPECT_EQ(outcome.run.target_key, "host:build-7");
  EXPECT_EQ(outcome.run.input_sha256, bulwark::core::sha256Hex(body));
  // cis-docker-1.6 on the fixture: 158 results (bulwark bench docker --benchmark cis-docker-1.6).
  EXPECT_EQ(outcome.run.results, 158);
  EXPECT_EQ(outcome.applied.resources, 5);      // the host, 2 containers, 2 images
  EXPECT_EQ(outcome.applied.assessments, 160);  // + vuln:running of each container
  EXPECT_EQ(outcome.applied.gone, 0);
  const Json summary = Json::parse(outcome.run.summary_json);
  EXPECT_EQ(summary["docker_version"], "20.10.24");
  EXPECT_DOUBLE_EQ(summary["cis_score"].get<double>(), 58.5);

  const auto runs = store_->listRuns({});
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ(runs->front(), outcome.run);

  const auto host = store_->getResource(posture::hostResource("build-7").id);
  ASSERT_TRUE(host && *host);
  EXPECT_EQ((*host)->resource.attrs.at("docker_version"), "20.10.24");
  EXPECT_EQ((*host)->resource.attrs.at("cis_score"), "58.5");
  EXPECT_EQ((*host)->resource.attrs.at("containers"), "2");
  EXPECT_EQ((*host)->resource.attrs.at("engine_id"), "X7QJ:AAAA");
  EXPECT_EQ((*host)->health, model::Health::Unhealthy);

  // Every resource and assessment, one line each, against the reviewed golden.
  std::string lines;
  for (const store::ResourceRecord& record : resources()) {
    const model::Resource& r = record.resource;
    lines += r.key + "\t" + std::string(model::toString(r.type)) + "\t" +
             std::string(model::toString(record.health)) + "\n";
    for (const model::Assessment& a : assessments(r.id)) {
      // Check results carry their run; derived sources (vuln:running) none.
      EXPECT_EQ(a.run_id, a.kind == model::SourceKind::Check ? outcome.run.id : 0) << a.source;
      EXPECT_EQ(a.assessed_at, kNow);
      lines += "  " + a.source + "\t" + a.recommendation + "\t" +
               std::string(model::toString(a.status)) + (a.cause.empty() ? "" : "\t" + a.cause) +
               "\n";
    }
  }
  const fs::path golden = bulwark::testing::sourceDir() / "tests/golden/posture/ingest-docker.tsv";
  if (std::getenv("BULWARK_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden, std::ios::binary) << lines;
    GTEST_SKIP() << "rewrote " << golden;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " missing; run with BULWARK_UPDATE_GOLDEN=1";
  EXPECT_EQ(lines, bulwark::testing::readFile(golden));
}

TEST_F(IngestRunTest, ContainersCarryTheirImageAndLabels) {
  Json doc = Json::parse(fixture("hardening/docker/host.snapshot.json"));
  // The web container runs image web:1, pulled from a registry by digest.
  Json& web = doc["engine"]["containers"]["items"][0];
  ASSERT_EQ(web["name"], "/web");
  web["inspect"]["doc"]["Image"] = "sha256:2222";
  web["inspect"]["doc"]["Config"] = {{"Image", "web:1"}, {"Labels", {{"team", "shop"}}}};
  web["inspect"]["doc"]["State"] = {{"Status", "running"}};
  Json& image = doc["engine"]["images"]["items"][0];
  ASSERT_EQ(image["id"], "sha256:2222");
  image["inspect"]["doc"]["RepoDigests"] = {"local/web@sha256:abcd", "mirror/web@sha256:0123"};
  ingest(doc.dump());

  const model::Resource container =
      posture::dockerContainerResource("build-7", web["id"].get<std::string>(), "web");
  const auto stored = store_->getResource(container.id);
  ASSERT_TRUE(stored && *stored);
  const model::Resource& r = (*stored)->resource;
  EXPECT_EQ(r.parent_id, posture::hostResource("build-7").id);
  EXPECT_EQ(r.attrs.at("image"), "web:1");
  EXPECT_EQ(r.attrs.at("image_id"), "sha256:2222");
  EXPECT_EQ(r.attrs.at("image_digest"), "sha256:0123");  // the smallest of its repo digests
  EXPECT_EQ(r.attrs.at("state"), "running");
  EXPECT_EQ(r.attrs.at("privileged"), "false");
  EXPECT_EQ(r.labels, (std::map<std::string, std::string>{{"team", "shop"}}));

  const auto local =
      store_->getResource(posture::hostImageResource("build-7", "sha256:2222", "").id);
  ASSERT_TRUE(local && *local);
  EXPECT_EQ((*local)->resource.name, "web:1");
  EXPECT_EQ((*local)->resource.attrs.at("digest"), "sha256:0123");
  EXPECT_EQ((*local)->resource.labels.count("tag=web:1"), 1u);
}

TEST_F(IngestRunTest, ASecondRunReplacesTheFirstAndMarksWhatItNoLongerSaw) {
  Json doc = Json::parse(fixture("hardening/docker/host.snapshot.json"));
  const pipeline::IngestOutcome first = ingest(doc.dump());
  const pipeline::IngestOutcome same = ingest(doc.dump(), "", kNow + 60'000);
  EXPECT_EQ(same.applied.changes, 0);  // nothing changed status
  EXPECT_EQ(same.applied.removed, 0);
  EXPECT_EQ(same.applied.gone, 0);
  EXPECT_NE(same.run.id, first.run.id);

  // The db container is removed; web's capabilities are fixed.
  Json& items = doc["engine"]["containers"]["items"];
  const std::string db_id = items[1]["id"];
  ASSERT_EQ(items[1]["name"], "db");
  items.erase(1);
  const pipeline::IngestOutcome second = ingest(doc.dump(), "", kNow + 120'000);
  EXPECT_EQ(second.applied.gone, 1);
  const auto all = resources(true);
  const auto db = std::find_if(all.begin(), all.end(), [&](const store::ResourceRecord& r) {
    return r.resource.id == posture::dockerContainerResource("build-7", db_id, "db").id;
  });
  ASSERT_NE(db, all.end());
  EXPECT_EQ(db->resource.gone_at, kNow + 120'000);
  EXPECT_EQ(resources(false).size(), 4u);

  // A partial run (the container list unreadable) marks nothing gone.
  doc["engine"]["containers"] = {{"state", {{"status", "permission-denied"}, {"detail", "403"}}},
                                 {"items", Json::array()}};
  const pipeline::IngestOutcome partial = ingest(doc.dump(), "", kNow + 180'000);
  EXPECT_EQ(partial.applied.gone, 0);
  EXPECT_EQ(resources(false).size(), 4u);
}

TEST_F(IngestRunTest, KubernetesSnapshotBecomesTheClusterTree) {
  const pipeline::IngestOutcome outcome =
      ingest(fixture("k8s/snapshot/namespaced-user.json"), "prod");
  EXPECT_EQ(outcome.run.status, "done");
  EXPECT_EQ(outcome.run.target_key, "cluster:prod");
  // 83 results; the 3 input results (unreadable items and list) are the run's diagnostics.
  EXPECT_EQ(outcome.run.results, 83);
  EXPECT_EQ(outcome.applied.assessments, 82);  // + vuln:running of each container
  const Json diagnostics = Json::parse(outcome.run.diagnostics_json);
  EXPECT_TRUE(std::any_of(diagnostics.begin(), diagnostics.end(), [](const Json& d) {
    return d["kind"] == "posture.unplaced-results" &&
           d["detail"] == "3 results name no resource of the run (input checks)";
  }));

  std::vector<std::string> keys;
  for (const auto& record : resources()) keys.push_back(record.resource.key);
  std::sort(keys.begin(), keys.end());
  const std::vector<std::string> expected = {
      "cluster:prod",
      "container:k8s/prod/kube-system/Pod/static-agent/agent",
      "container:k8s/prod/shop/Deployment/web/web",
      "namespace:prod/kube-system",
      "namespace:prod/shop",
      "workload:prod/kube-system/Pod/static-agent",
      "workload:prod/shop/Deployment/web",
  };
  EXPECT_EQ(keys, expected);
  const auto web =
      store_->getResource(posture::workloadResource("prod", "shop", "Deployment", "web").id);
  ASSERT_TRUE(web && *web);
  EXPECT_EQ((*web)->resource.parent_id, posture::namespaceResource("prod", "shop").id);
  EXPECT_EQ(assessments((*web)->resource.id).size(), 37u);
  const auto cluster = store_->getResource(posture::clusterResource("prod").id);
  ASSERT_TRUE(cluster && *cluster);
  EXPECT_EQ((*cluster)->resource.attrs.at("server_version"), "v1.30.4");
  EXPECT_EQ((*cluster)->resource.attrs.at("rules_version"), "1.30");
}

TEST_F(IngestRunTest, NodeRunsJoinTheClusterAndManifestRunsLeaveThemAlone) {
  const pipeline::IngestOutcome node = ingest(fixture("k8s/node/node-snapshot.json"), "prod");
  EXPECT_EQ(node.run.kind, "node");
  EXPECT_EQ(node.run.results, 25);
  EXPECT_EQ(node.applied.resources, 2);  // the cluster (new) and the node
  const std::string node_id = posture::nodeResource("prod", "kind-worker").id;
  EXPECT_EQ(assessments(node_id).size(), 25u);
  const auto stored = store_->getResource(node_id);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->resource.attrs.at("cis_score"), "81.8");

  // A complete manifest run of the cluster: its namespaces and workloads, not the node.
  Json doc = Json::parse(fixture("k8s/snapshot/namespaced-user.json"));
  doc["problems"] = Json::array();
  doc["sources"] = Json::object();
  ingest(doc.dump(), "prod", kNow + 1000);
  const auto after = store_->getResource(node_id);
  ASSERT_TRUE(after && *after);
  EXPECT_FALSE((*after)->resource.gone_at.has_value());
  EXPECT_EQ(assessments(node_id).size(), 25u);
}

TEST_F(IngestRunTest, ASnapshotThatCannotBeEvaluatedFailsItsRunAndKeepsTheState) {
  ingest(fixture("hardening/docker/host.snapshot.json"));
  const auto before = resources();
  pipeline::SnapshotTarget target;
  target.kind = pipeline::SnapshotKind::Docker;
  target.target_key = "host:build-7";
  pipeline::IngestRequest request{target, "{\"schema\": \"bulwark.docker-snapshot/v1\"", "test",
                                  ""};
  posture::AssessContext context;
  context.now_ms = kNow + 1000;
  auto failed = pipeline::ingestSnapshot(*store_, posture::loadedCatalogue(), request, context);
  ASSERT_FALSE(failed);
  const auto runs = store_->listRuns({});
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ(runs->front().status, "failed");  // newest first
  EXPECT_TRUE(runs->front().finished_at.has_value());
  EXPECT_EQ(resources().size(), before.size());
  EXPECT_EQ(assessments(posture::hostResource("build-7").id).size(), 78u);
}

}  // namespace
