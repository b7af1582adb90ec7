// deploy/kubernetes checked by bulwark's own Kubernetes benchmark: the server and everything
// around it pass every check; the agent fails exactly the checks its eBPF sensor needs (hostPID,
// capabilities, host paths, root, no AppArmor, the Docker socket) and deploy/README.md names —
// no more.
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "testdata.h"

namespace bulwark::testing {
namespace {

TEST(DeployManifests, OnlyTheAgentFailsAndOnlyWhatItsSensorNeeds) {
  const auto dir = sourceDir() / "deploy/kubernetes";
  std::string files;
  for (const char* name : {"namespace.yaml", "network-policy.yaml", "server.yaml", "agent.yaml"}) {
    files += " " + (dir / name).string();
  }
  const CliRunSplit run = runBulwarkSplit("bench k8s --format json" + files);
  ASSERT_EQ(run.status, 0) << run.err;
  const auto report = nlohmann::json::parse(run.out);
  std::map<std::string, std::set<std::string>> failed;
  std::size_t resources = 0;
  for (const auto& resource : report["resources"]) {
    ++resources;
    std::set<std::string>& ids = failed[resource["resource"].get<std::string>()];
    for (const auto& result : resource["results"]) {
      const std::string status = result["status"];
      EXPECT_NE(status, "not-evaluated") << resource["resource"] << " " << result["id"];
      if (status == "fail") ids.insert(result["id"].get<std::string>());
    }
  }
  EXPECT_EQ(resources, 13U);
  const std::set<std::string> agent = {"BW-K8S-102", "BW-K8S-104", "BW-K8S-105",
                                       "BW-K8S-107", "BW-K8S-121", "BW-K8S-123",
                                       "BW-K8S-124", "BW-K8S-126", "BW-K8S-503"};
  for (const auto& [resource, ids] : failed) {
    if (resource == "k8s:bulwark-agent/DaemonSet/bulwark-agent") {
      EXPECT_EQ(ids, agent);
    } else if (resource == "k8s:_cluster/Namespace/bulwark-agent") {
      EXPECT_EQ(ids, std::set<std::string>{"BW-K8S-504"});  // enforces "privileged"
    } else {
      EXPECT_TRUE(ids.empty()) << resource << " fails " << *ids.begin();
    }
  }
  EXPECT_EQ(failed.count("k8s:bulwark/Deployment/bulwark-server"), 1U);
}

}  // namespace
}  // namespace bulwark::testing
