// runNodeChecks over the node snapshot fixture, with and without the CIS profile.
#include <gtest/gtest.h>

#include <map>

#include "pipeline/harden_node.h"
#include "testdata.h"

namespace bulwark::pipeline {
namespace {

using model::CheckStatus;

std::string fixture() {
  return (testing::fixtures() / "k8s" / "node" / "node-snapshot.json").string();
}

TEST(NodePipeline, ProfileRunOnASnapshot) {
  NodeBenchOptions options;
  options.node_snapshot_path = fixture();
  options.benchmark = "cis-k8s-node-1.12";
  auto report = runNodeChecks(options);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->results.size(), 25U);
  ASSERT_EQ(report->hosts.size(), 1U);
  EXPECT_EQ(report->hosts[0].resource, "k8s-node:kind-worker");
  std::map<std::string, const model::CheckResult*> by_id;
  for (const auto& r : report->results) {
    by_id[r.check_id] = &r;
    EXPECT_EQ(r.resource, "k8s-node:kind-worker");
    ASSERT_EQ(r.controls.size(), 1U) << r.check_id;
    EXPECT_TRUE(r.controls[0].starts_with("cis-k8s-node-1.12:4.")) << r.controls[0];
  }
  // The fixture: unit and config files 0644, streaming timeout 0, no kube-proxy.
  EXPECT_EQ(by_id.at("BW-K8S-701")->status, CheckStatus::Fail);
  EXPECT_EQ(by_id.at("BW-K8S-705")->status, CheckStatus::Pass);
  EXPECT_EQ(by_id.at("BW-K8S-709")->status, CheckStatus::Fail);
  EXPECT_EQ(by_id.at("BW-K8S-721")->status, CheckStatus::Pass);
  EXPECT_EQ(by_id.at("BW-K8S-725")->status, CheckStatus::Manual);
  EXPECT_EQ(by_id.at("BW-K8S-725")->assist, CheckStatus::Fail);
  EXPECT_EQ(by_id.at("BW-K8S-730")->status, CheckStatus::Pass);
  EXPECT_EQ(by_id.at("BW-K8S-741")->status, CheckStatus::NotApplicable);
  EXPECT_EQ(report->catalog.size(), 25U);
}

TEST(NodePipeline, OnlyAndSkipAndErrors) {
  NodeBenchOptions options;
  options.node_snapshot_path = fixture();
  options.only = {"BW-K8S-721", "BW-K8S-722"};
  options.skip = {"BW-K8S-722"};
  auto report = runNodeChecks(options);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->results.size(), 1U);
  EXPECT_EQ(report->results[0].check_id, "BW-K8S-721");
  options.node_snapshot_path = "/nonexistent/node.json";
  EXPECT_FALSE(runNodeChecks(options));
  options.node_snapshot_path = fixture();
  options.benchmark = "no-such-benchmark";
  EXPECT_FALSE(runNodeChecks(options));
}

}  // namespace
}  // namespace bulwark::pipeline
