// Resource keys and ids (posture/resource_key.h; docs/dev/posture-design.md §1.2).
#include "posture/resource_key.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace bulwark::posture {
namespace {

TEST(ResourceKey, IdIsTheFirstSixteenHexDigitsOfSha256) {
  // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad (FIPS 180-2).
  EXPECT_EQ(resourceId("abc"), "ba7816bf8f01cfea");
  EXPECT_EQ(resourceId("host:web-1"), resourceId("host:web-1"));
  EXPECT_NE(resourceId("host:web-1"), resourceId("host:web-2"));
  EXPECT_TRUE(isResourceId(resourceId("registry:local")));
}

TEST(ResourceKey, IsResourceIdAcceptsOnlySixteenLowerCaseHexDigits) {
  EXPECT_TRUE(isResourceId("0123456789abcdef"));
  EXPECT_FALSE(isResourceId("0123456789ABCDEF"));
  EXPECT_FALSE(isResourceId("0123456789abcde"));
  EXPECT_FALSE(isResourceId("0123456789abcdef0"));
  EXPECT_FALSE(isResourceId("0123456789abcdeg"));
  EXPECT_FALSE(isResourceId(""));
  EXPECT_FALSE(isResourceId("../../etc/passwd"));
}

TEST(ResourceKey, SegmentsEscapeBoundariesAndControlBytes) {
  EXPECT_EQ(keySegment("web-1"), "web-1");
  EXPECT_EQ(keySegment("a/b@c%d~e\x01\x7f:f"), "a%2Fb%40c%25d%7Ee%01%7F:f");
  EXPECT_EQ(keySegment("library/debian", true), "library/debian");
  EXPECT_EQ(keySegment("a/b@c", true), "a/b%40c");
  EXPECT_EQ(keySegment("żółw"), "żółw") << "UTF-8 names stay readable";
}

TEST(ResourceKey, RegistryChain) {
  const auto registry = registryResource("local");
  const auto repository = repositoryResource("local", "library/debian");
  const auto image = imageResource("local", "library/debian", "sha256:0a1b");
  EXPECT_EQ(registry.key, "registry:local");
  EXPECT_EQ(registry.type, model::ResourceType::Registry);
  EXPECT_EQ(registry.parent_id, "");
  EXPECT_EQ(repository.key, "repository:local/library/debian");
  EXPECT_EQ(repository.type, model::ResourceType::Repository);
  EXPECT_EQ(repository.parent_id, registry.id);
  EXPECT_EQ(repository.name, "library/debian");
  EXPECT_EQ(image.key, "image:local/library/debian@sha256:0a1b");
  EXPECT_EQ(image.type, model::ResourceType::Image);
  EXPECT_EQ(image.parent_id, repository.id);
  EXPECT_EQ(image.id, resourceId(image.key));
}

TEST(ResourceKey, DockerHostChain) {
  const auto host = hostResource("web-1");
  const std::string id64(64, 'c');
  const auto container = dockerContainerResource("web-1", id64, "api");
  const auto local = hostImageResource("web-1", "sha256:feed", "app:dev");
  EXPECT_EQ(host.key, "host:web-1");
  EXPECT_EQ(host.parent_id, "");
  EXPECT_EQ(container.key, "container:docker/web-1/" + id64);
  EXPECT_EQ(container.type, model::ResourceType::Container);
  EXPECT_EQ(container.parent_id, host.id);
  EXPECT_EQ(container.name, "api");
  EXPECT_EQ(local.key, "image:~web-1/sha256:feed");
  EXPECT_EQ(local.type, model::ResourceType::Image);
  EXPECT_EQ(local.parent_id, host.id);
  // A registry whose name starts with '~' cannot pass for a host-local image.
  EXPECT_EQ(imageResource("~web-1", "sha256:feed", "x").key.rfind("image:%7Eweb-1/", 0), 0U);
}

TEST(ResourceKey, KubernetesChain) {
  const auto cluster = clusterResource("prod");
  const auto node = nodeResource("prod", "node-1");
  const auto ns = namespaceResource("prod", "shop");
  const auto workload = workloadResource("prod", "shop", "Deployment", "api");
  const auto container = k8sContainerResource("prod", "shop", "Deployment", "api", "web");
  const auto role = k8sObjectResource("prod", "shop", "Role", "reader");
  const auto cluster_role = k8sObjectResource("prod", "", "ClusterRole", "admin");
  EXPECT_EQ(cluster.key, "cluster:prod");
  EXPECT_EQ(node.key, "node:prod/node-1");
  EXPECT_EQ(node.parent_id, cluster.id);
  EXPECT_EQ(ns.key, "namespace:prod/shop");
  EXPECT_EQ(ns.parent_id, cluster.id);
  EXPECT_EQ(workload.key, "workload:prod/shop/Deployment/api");
  EXPECT_EQ(workload.parent_id, ns.id);
  EXPECT_EQ(workload.name, "Deployment/api");
  EXPECT_EQ(container.key, "container:k8s/prod/shop/Deployment/api/web");
  EXPECT_EQ(container.parent_id, workload.id);
  EXPECT_EQ(role.key, "k8s-object:prod/shop/Role/reader");
  EXPECT_EQ(role.parent_id, ns.id);
  EXPECT_EQ(cluster_role.key, "k8s-object:prod/_cluster/ClusterRole/admin");
  EXPECT_EQ(cluster_role.parent_id, cluster.id);
  EXPECT_NE(k8sObjectResource("prod", "_cluster", "ClusterRole", "admin").key, cluster_role.key);
}

TEST(ResourceKey, SlashesInNamesCannotForgeAnotherKey) {
  // kubeconfig contexts may hold '/': "a/b" + "c" must differ from "a" + "b/c".
  EXPECT_NE(namespaceResource("a/b", "c").key, namespaceResource("a", "b/c").key);
  EXPECT_EQ(clusterResource("arn:aws:eks:eu-west-1:1:cluster/prod").key,
            "cluster:arn:aws:eks:eu-west-1:1:cluster%2Fprod");
  EXPECT_NE(workloadResource("c", "n", "Pod", "a/b").key,
            workloadResource("c", "n", "Pod/a", "b").key);
  std::set<std::string> ids;
  for (const auto& key : {registryResource("r").id, hostResource("r").id, clusterResource("r").id,
                          repositoryResource("r", "x").id}) {
    ids.insert(key);
  }
  EXPECT_EQ(ids.size(), 4U) << "the type prefix keeps same-named resources apart";
}

TEST(ResourceKey, CheckKindsMapToResourceTypes) {
  EXPECT_EQ(resourceTypeOfCheckKind("docker-host"), model::ResourceType::Host);
  EXPECT_EQ(resourceTypeOfCheckKind("docker-container"), model::ResourceType::Container);
  EXPECT_EQ(resourceTypeOfCheckKind("image"), model::ResourceType::Image);
  EXPECT_EQ(resourceTypeOfCheckKind("dockerfile"), model::ResourceType::Image);
  EXPECT_EQ(resourceTypeOfCheckKind("k8s-workload"), model::ResourceType::Workload);
  EXPECT_EQ(resourceTypeOfCheckKind("k8s-namespace"), model::ResourceType::Namespace);
  EXPECT_EQ(resourceTypeOfCheckKind("k8s-object"), model::ResourceType::K8sObject);
  EXPECT_EQ(resourceTypeOfCheckKind("k8s-node"), model::ResourceType::Node);
  EXPECT_FALSE(resourceTypeOfCheckKind("k8s-input"));
}

TEST(PostureNames, RoundTrip) {
  for (int i = 0; i < 10; ++i) {
    const auto type = static_cast<model::ResourceType>(i);
    EXPECT_EQ(model::parseResourceType(model::toString(type)), type);
  }
  EXPECT_EQ(model::toString(model::ResourceType::K8sObject), "k8s-object");
  for (int i = 0; i < 4; ++i) {
    const auto health = static_cast<model::Health>(i);
    EXPECT_EQ(model::parseHealth(model::toString(health)), health);
  }
  EXPECT_EQ(model::toString(model::Health::NotApplicable), "not-applicable");
  EXPECT_EQ(model::parseExemptionCategory("risk-accepted"), model::ExemptionCategory::RiskAccepted);
  EXPECT_EQ(model::parseAlertStatus("dismissed"), model::AlertStatus::Dismissed);
  EXPECT_FALSE(model::parseHealth("Healthy"));
  EXPECT_FALSE(model::parseResourceType(""));
  // The roll-up order: unhealthy > healthy > not-evaluated > not-applicable.
  EXPECT_LT(model::Health::NotApplicable, model::Health::NotEvaluated);
  EXPECT_LT(model::Health::NotEvaluated, model::Health::Healthy);
  EXPECT_LT(model::Health::Healthy, model::Health::Unhealthy);
}

}  // namespace
}  // namespace bulwark::posture
