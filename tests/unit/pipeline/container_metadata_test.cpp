// Containers as the host sensors describe them, from Docker's inspect documents
// (src/pipeline/container_metadata): the authored inspect fixtures of
// ../shared/testdata/hardening/authored-docker-engine, and a kubelet-made container's pod labels.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pipeline/container_metadata.h"
#include "testdata.h"

namespace bulwark::pipeline {
namespace {

constexpr const char* kPrivileged =
    "hardening/authored-docker-engine/container-privileged-hostns.inspect.json";

const events::host::ContainerRef kRef{std::string(64, 'a'), "docker"};

nlohmann::json inspect(const char* file) {
  auto doc = nlohmann::json::parse(testing::readFile(testing::sharedTestdata() / file));
  return doc.is_array() ? doc.at(0) : doc;
}

TEST(ContainerMetadata, PrivilegedWithTheHostsNamespacesAndMounts) {
  BULWARK_REQUIRE_SHARED(kPrivileged);
  const auto container = containerFromInspect(kRef, inspect(kPrivileged));
  EXPECT_EQ(container->id, kRef.id);
  EXPECT_EQ(container->type, "docker");
  EXPECT_EQ(container->name, "ops-debug");
  EXPECT_EQ(container->image, "ubuntu:latest");
  EXPECT_TRUE(container->privileged);
  EXPECT_TRUE(container->host_pid);
  EXPECT_TRUE(container->host_network);
  EXPECT_TRUE(container->host_ipc);
  ASSERT_EQ(container->mounts.size(), 3U);
  EXPECT_EQ(container->mounts[0].source, "/");
  EXPECT_EQ(container->mounts[0].destination, "/host");
  EXPECT_TRUE(container->mounts[0].rw);
  EXPECT_EQ(container->start_ns, 1'735'689'601'000'000'000);
}

TEST(ContainerMetadata, KubeletLabelsAndMissingDocuments) {
  const auto pod = containerFromInspect(
      {std::string(64, 'b'), "cri"},
      nlohmann::json::parse(R"({"Name":"/k8s_web_web-0_shop_1234_0","Config":{"Image":"nginx",
        "Labels":{"io.kubernetes.pod.namespace":"shop","io.kubernetes.pod.name":"web-0",
        "io.kubernetes.pod.uid":"1234"}},"HostConfig":{"Privileged":false,"PidMode":""},
        "Mounts":[{"Source":"/var/lib/kubelet/pods/1234/volumes/x","Destination":"/data",
        "RW":false,"Mode":"ro"}]})"));
  EXPECT_EQ(pod->type, "docker");
  EXPECT_EQ(pod->k8s_namespace, "shop");
  EXPECT_EQ(pod->k8s_pod_name, "web-0");
  EXPECT_EQ(pod->k8s_pod_uid, "1234");
  EXPECT_FALSE(pod->privileged);
  EXPECT_FALSE(pod->host_pid);
  ASSERT_EQ(pod->mounts.size(), 1U);
  EXPECT_FALSE(pod->mounts[0].rw);
  // No document (the daemon is gone, or another runtime): id and runtime only.
  const auto bare = containerFromInspect({std::string(64, 'c'), "containerd"}, nlohmann::json());
  EXPECT_EQ(bare->type, "containerd");
  EXPECT_EQ(bare->name, "");
  EXPECT_FALSE(bare->privileged);
}

TEST(ContainerMetadata, AResolverWithoutADaemonStillDescribesContainers) {
  auto resolver = dockerContainerResolver("unix:///nonexistent/docker.sock");
  ASSERT_TRUE(resolver) << resolver.error().message;
  const auto container = (*resolver)(kRef);
  EXPECT_EQ(container->id, kRef.id);
  EXPECT_EQ(container->type, "docker");
  EXPECT_FALSE(dockerContainerResolver("tcp://127.0.0.1:2375"));
}

}  // namespace
}  // namespace bulwark::pipeline
