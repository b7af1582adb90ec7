// evaluateDocker over a composed snapshot: the host checks once, the container checks per
// container (sorted by name), the image checks on each host image (built from /images/{id}/json
// and /history), the resource names and kinds, and images whose documents were not read.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/check.h"
#include "checks/docker/snapshot.h"
#include "checks/evaluate.h"

namespace {

using bulwark::checks::Check;
using bulwark::checks::CheckSet;
using bulwark::checks::Observation;
using bulwark::checks::Params;
using bulwark::checks::ProbeKind;
using bulwark::checks::ProbeResult;
using bulwark::checks::Resource;
using bulwark::checks::ResourceKind;
using bulwark::checks::docker::FactStatus;
using bulwark::model::CheckStatus;
using bulwark::model::NotEvaluatedCause;
using nlohmann::json;

// Observes the resource's name, and whether the run's effective daemon config was passed.
ProbeResult nameOf(const Params& /*params*/, const Resource& resource) {
  ProbeResult result;
  Observation o;
  o.values = {resource.name};
  o.where = resource.daemon != nullptr && resource.snapshot != nullptr ? "daemon" : "none";
  result.observations.push_back(o);
  return result;
}

const ProbeKind kNameOf{"name-of", "test probe", {}, &nameOf, false};

Check hostAndContainerCheck() {
  Check check;
  check.id = "BW-T-100";
  check.title = "every resource is named";
  for (const auto kind : {ResourceKind::DockerHost, ResourceKind::DockerContainer}) {
    check.applies.at(static_cast<std::size_t>(kind)) =
        bulwark::checks::Applicability{CheckStatus::Pass, ""};
  }
  bulwark::checks::Test test;
  test.probe = &kNameOf;
  test.compare.op = bulwark::checks::Op::Regex;
  test.compare.values = {"^(docker-host|container):"};
  EXPECT_EQ(test.compare.compile(), "");
  check.tests.push_back(test);
  return check;
}

Check yamlCheck(const std::string& id, const std::string& tests) {
  bulwark::core::Diagnostics diagnostics;
  auto check =
      bulwark::checks::loadCheck("id: " + id +
                                     "\ntitle: t\nsection: s\nseverity: low\n"
                                     "rationale: r\nremediation: r\n"
                                     "applies_to: {dockerfile: evaluate, image: evaluate}\n"
                                     "tests:\n" +
                                     tests,
                                 "checks/image/t.yaml", diagnostics);
  EXPECT_TRUE(check.has_value()) << id;
  return check ? *check : Check{};
}

bulwark::checks::docker::Image image(std::string id, std::vector<std::string> tags) {
  bulwark::checks::docker::Image out;
  out.id = std::move(id);
  out.tags = std::move(tags);
  out.inspect.state.status = FactStatus::Ok;
  out.inspect.doc = json::parse(R"({
    "Os": "linux", "Architecture": "amd64", "Created": "2026-01-01T00:00:00Z",
    "Config": {"User": "app", "Env": ["PATH=/bin"], "ExposedPorts": {"8080/tcp": {}, "22/tcp": {}},
               "Healthcheck": {"Test": ["NONE"]}, "Labels": {"b": "2", "a": "1"}}})");
  out.history.state.status = FactStatus::Ok;
  // Newest first, as the Engine API lists it.
  out.history.doc = json::parse(R"([
    {"CreatedBy": "/bin/sh -c #(nop)  USER app", "Size": 0},
    {"CreatedBy": "/bin/sh -c #(nop) ADD file:abc in /opt/app ", "Size": 1000},
    {"CreatedBy": "/bin/sh -c #(nop) ADD file:base in / ", "Size": 5000000}])");
  return out;
}

bulwark::checks::docker::Snapshot snapshot() {
  bulwark::checks::docker::Snapshot s;
  s.hostname = "build-7";
  s.engine.info.state.status = FactStatus::Ok;
  s.engine.info.doc = json{{"Name", "engine-7"}};
  for (const char* name : {"web", "db"}) {
    bulwark::checks::docker::Container c;
    c.id = std::string(64, name[0]);
    c.name = name;
    c.inspect.state.status = FactStatus::Ok;
    s.engine.containers.push_back(c);
  }
  s.engine.images.push_back(image("sha256:" + std::string(64, 'b'), {"web:1", "app:2"}));
  auto unread = image("sha256:0123456789abcdef" + std::string(48, 'c'), {});
  unread.inspect.state = {FactStatus::PermissionDenied, "HTTP 403", "GET /images/x/json"};
  unread.inspect.doc = nullptr;
  s.engine.images.push_back(unread);
  auto no_history = image("sha256:" + std::string(64, 'a'), {"zed:1"});
  no_history.history.state = {FactStatus::NotCollected, "", ""};
  no_history.history.doc = nullptr;
  s.engine.images.push_back(no_history);
  s.host.dockerd.state.status = FactStatus::Ok;
  s.host.dockerd.argv = {"/usr/bin/dockerd"};
  s.host.daemon_json.state.status = FactStatus::Missing;
  return s;
}

TEST(EvaluateDocker, HostContainersAndImagesInOrder) {
  CheckSet set;
  set.checks.push_back(hostAndContainerCheck());
  set.checks.push_back(yamlCheck("BW-T-201",
                                 "  - probe: healthcheck\n"
                                 "    compare: not-regex\n"
                                 "    value: '^NONE'\n"
                                 "    missing: fail\n"));
  set.checks.push_back(yamlCheck("BW-T-202",
                                 "  - probe: instruction\n"
                                 "    instruction: [ADD]\n"
                                 "    compare: unset\n"
                                 "    missing: pass\n"
                                 "    select: {compare: regex, value: 'opt'}\n"));
  const auto s = snapshot();
  bulwark::core::Diagnostics diagnostics;
  const auto results = bulwark::checks::evaluateDocker(set, s, {}, diagnostics);
  std::vector<std::string> order;
  for (const auto& r : results) order.push_back(r.check_id + " " + r.resource);
  EXPECT_EQ(order, (std::vector<std::string>{
                       "BW-T-100 docker-host:engine-7", "BW-T-100 container:db",
                       "BW-T-100 container:web", "BW-T-201 image:0123456789ab",
                       "BW-T-202 image:0123456789ab", "BW-T-201 image:app:2",
                       "BW-T-202 image:app:2", "BW-T-201 image:zed:1", "BW-T-202 image:zed:1"}));
  ASSERT_EQ(results.size(), 9U);
  EXPECT_EQ(results[0].resource_kind, "docker-host");
  EXPECT_EQ(results[0].status, CheckStatus::Pass);
  ASSERT_FALSE(results[0].evidence.empty());
  EXPECT_EQ(results[0].evidence[0].where, "daemon") << "the effective config is passed";
  EXPECT_EQ(results[1].resource_kind, "docker-container");
  // The untagged image whose inspect document was refused.
  EXPECT_EQ(results[3].status, CheckStatus::NotEvaluated);
  EXPECT_EQ(results[3].cause, NotEvaluatedCause::PermissionDenied);
  EXPECT_NE(results[3].reason.find("permission-denied: HTTP 403"), std::string::npos)
      << results[3].reason;
  EXPECT_EQ(results[3].resource_kind, "image");
  // The tagged image: Healthcheck NONE fails; the ADD in /opt/app (from history) fails.
  EXPECT_EQ(results[5].status, CheckStatus::Fail);
  EXPECT_EQ(results[6].status, CheckStatus::Fail);
  ASSERT_FALSE(results[6].evidence.empty());
  EXPECT_EQ(results[6].evidence[0].where, "history[1]") << "history oldest first";
  // No history: build steps cannot be read — not evaluated, never a pass.
  EXPECT_EQ(results[7].status, CheckStatus::NotEvaluated);
  EXPECT_EQ(results[8].status, CheckStatus::NotEvaluated);
  EXPECT_EQ(results[8].cause, NotEvaluatedCause::MissingInput);
  EXPECT_NE(results[8].reason.find("history is not-collected"), std::string::npos)
      << results[8].reason;
}

TEST(EvaluateDocker, HostNameFallsBackToTheSnapshotHostname) {
  CheckSet set;
  set.checks.push_back(hostAndContainerCheck());
  auto s = snapshot();
  s.engine.info.state.status = FactStatus::Timeout;
  s.engine.info.doc = nullptr;
  s.engine.containers.clear();
  s.engine.images.clear();
  bulwark::core::Diagnostics diagnostics;
  const auto results = bulwark::checks::evaluateDocker(set, s, {}, diagnostics);
  ASSERT_EQ(results.size(), 1U);
  EXPECT_EQ(results[0].resource, "docker-host:build-7");
}

TEST(EvaluateDocker, ImageTargetOf) {
  const auto target = bulwark::checks::docker::imageTargetOf(
      image("sha256:" + std::string(64, 'b'), {"web:1", "app:2"}));
  EXPECT_EQ(target.name, "app:2");
  EXPECT_TRUE(target.config.present);
  EXPECT_EQ(target.os, "linux");
  EXPECT_EQ(target.config.user, "app");
  EXPECT_EQ(target.config.exposed_ports, (std::vector<std::string>{"22/tcp", "8080/tcp"}));
  EXPECT_FALSE(target.config.has_healthcheck);
  ASSERT_EQ(target.config.labels.size(), 2U);
  EXPECT_EQ(target.config.labels[0].first, "a");
  ASSERT_EQ(target.config.history.size(), 3U);
  EXPECT_EQ(target.config.history[0].created_by, "/bin/sh -c #(nop) ADD file:base in / ");
  EXPECT_TRUE(target.config.history[2].empty_layer);
  EXPECT_FALSE(target.config.history[0].empty_layer);
  bulwark::checks::docker::Image broken;
  broken.id = "sha256:1234";
  broken.inspect.state.status = FactStatus::Ok;
  broken.inspect.doc = json::parse(R"({"Config": {"User": 7, "Env": "x", "Labels": [1]}})");
  broken.history.state.status = FactStatus::Ok;
  broken.history.doc = json::parse(R"([1, null, {"CreatedBy": 5}])");
  const auto tolerant = bulwark::checks::docker::imageTargetOf(broken);
  EXPECT_EQ(tolerant.name, "1234");
  EXPECT_TRUE(tolerant.config.user.empty());
  EXPECT_TRUE(tolerant.config.env.empty());
  EXPECT_EQ(tolerant.config.history.size(), 1U);
}

}  // namespace
