// `bulwark.node-snapshot/v1`: round trip, and untrusted input that must not crash or pass.
#include <gtest/gtest.h>

#include "checks/k8s/node_snapshot.h"
#include "testdata.h"

namespace bulwark::checks::k8s {
namespace {

using docker::FactStatus;

NodeSnapshot sample() {
  NodeSnapshot node;
  node.collected_at = "2026-11-23T06:00:00Z";
  node.collector_version = "0.9.0";
  node.host.hostname = "worker-1";
  node.host.host.root = "/host";
  node.host.host.paths["kubelet:config"] = {"/var/lib/kubelet/config.yaml"};
  node.host.host.paths["kubelet:service"] = {};
  docker::FileFact file;
  file.path = "/var/lib/kubelet/config.yaml";
  file.state = {FactStatus::Ok, {}, file.path};
  file.type = "file";
  file.mode = 0600;
  file.user = "root";
  file.group = "root";
  node.host.host.files[file.path] = file;
  node.kubelet.state = {FactStatus::Ok, {}, "/proc/42/cmdline"};
  node.kubelet.pid = 42;
  node.kubelet.argv = {"/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml"};
  node.kubelet.cwd = "/";
  node.proxy.state = {FactStatus::Missing, "no kube-proxy process", "/proc"};
  node.kubelet_config.path = "/var/lib/kubelet/config.yaml";
  node.kubelet_config.state = {FactStatus::Ok, {}, node.kubelet_config.path};
  node.kubelet_config.doc = {{"readOnlyPort", 0}};
  node.proxy_config.state = {FactStatus::NotCollected, "the process was not read", {}};
  node.host.diagnostics.push_back({"k8s.x", "here", "something"});
  return node;
}

TEST(NodeSnapshot, RoundTrip) {
  const std::string text = writeNodeSnapshot(sample());
  core::Diagnostics diagnostics;
  auto node = readNodeSnapshot(text, diagnostics);
  ASSERT_TRUE(node) << node.error().message;
  EXPECT_EQ(diagnostics.size(), 0U);
  EXPECT_EQ(writeNodeSnapshot(*node), text);
  EXPECT_EQ(node->kubelet.argv.size(), 2U);
  EXPECT_EQ(node->proxy.state.status, FactStatus::Missing);
  EXPECT_EQ(node->host.host.files.at("/var/lib/kubelet/config.yaml").mode, 0600U);
  EXPECT_EQ(node->host.host.paths.at("kubelet:service").size(), 0U);
  EXPECT_EQ(nodeResourceName(*node), "k8s-node:worker-1");
}

TEST(NodeSnapshot, RejectsWhatIsNotASnapshot) {
  core::Diagnostics diagnostics;
  EXPECT_FALSE(readNodeSnapshot("", diagnostics));
  EXPECT_FALSE(readNodeSnapshot("[]", diagnostics));
  EXPECT_FALSE(readNodeSnapshot(R"({"schema": "bulwark.docker-snapshot/v1"})", diagnostics));
  EXPECT_FALSE(readNodeSnapshot(std::string(100'000, '['), diagnostics));
}

TEST(NodeSnapshot, BadMembersBecomeMalformedFacts) {
  core::Diagnostics diagnostics;
  auto node = readNodeSnapshot(
      R"({"schema": "bulwark.node-snapshot/v1",
          "kubelet": {"state": {"status": "ok"}, "argv": [1, 2]},
          "proxy": {"state": {"status": "weird"}},
          "kubelet_config": {"path": 7, "state": {"status": "ok"}},
          "host": {"files": {"/x": {"state": {"status": "ok"}, "mode": "banana"}}}})",
      diagnostics);
  ASSERT_TRUE(node) << node.error().message;
  EXPECT_EQ(node->kubelet.state.status, FactStatus::Malformed);
  EXPECT_TRUE(node->kubelet.argv.empty());
  EXPECT_EQ(node->proxy.state.status, FactStatus::Malformed);
  EXPECT_EQ(node->kubelet_config.state.status, FactStatus::Malformed);
  EXPECT_NE(node->host.host.files.at("/x").state.status, FactStatus::Ok);
  EXPECT_GE(diagnostics.size(), 4U);
}

TEST(NodeSnapshot, Fixture) {
  const auto path = testing::fixtures() / "k8s" / "node" / "node-snapshot.json";
  core::Diagnostics diagnostics;
  auto node = readNodeSnapshot(testing::readFile(path), diagnostics);
  ASSERT_TRUE(node) << path << ": " << node.error().message;
  EXPECT_EQ(diagnostics.size(), 0U);
  EXPECT_EQ(node->kubelet.state.status, FactStatus::Ok);
  EXPECT_EQ(node->kubelet_config.doc["authentication"]["anonymous"]["enabled"], false);
}

}  // namespace
}  // namespace bulwark::checks::k8s
