// The inventory's order and lookups (docs/dev/k8s-design.md §1.2, §1.5).
#include "checks/k8s/inventory.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace bulwark::checks::k8s {
namespace {

Object object(std::string kind, std::string ns, std::string name, std::string file = "a.yaml",
              std::size_t document = 0) {
  Object o;
  o.kind = std::move(kind);
  o.api_version = "v1";
  o.version = "v1";
  o.ns = std::move(ns);
  o.name = std::move(name);
  o.doc = {{"kind", o.kind}, {"metadata", {{"name", o.name}}}};
  o.origin.file = std::move(file);
  o.origin.document = document;
  o.state.status = docker::FactStatus::Ok;
  classify(o);
  return o;
}

std::vector<std::string> names(const Inventory& inventory) {
  std::vector<std::string> out;
  for (const auto& o : inventory.objects) out.push_back(o.resourceName());
  return out;
}

TEST(InventoryTest, SortsClusterScopedFirstThenWorkloadsInControllerOrderThenKinds) {
  Inventory inventory;
  inventory.objects = {
      object("Service", "alpha", "web"),
      object("Deployment", "alpha", "web"),
      object("Pod", "alpha", "zz"),
      object("CronJob", "alpha", "nightly"),
      object("ConfigMap", "alpha", "settings"),
      object("Certificate", "alpha", "tls"),
      object("Deployment", "alpha", "api"),
      object("ClusterRole", "", "reader"),
      object("Namespace", "", "alpha"),
      object("Pod", "1team", "p"),  // '1' sorts before '_': cluster-scoped still come first
      object("StatefulSet", "alpha", "db"),
  };
  inventory.index();
  const std::vector<std::string> expected = {
      "k8s:_cluster/ClusterRole/reader",
      "k8s:_cluster/Namespace/alpha",
      "k8s:1team/Pod/p",
      "k8s:alpha/Pod/zz",
      "k8s:alpha/Deployment/api",
      "k8s:alpha/Deployment/web",
      "k8s:alpha/StatefulSet/db",
      "k8s:alpha/CronJob/nightly",
      "k8s:alpha/Certificate/tls",
      "k8s:alpha/ConfigMap/settings",
      "k8s:alpha/Service/web",
  };
  EXPECT_EQ(names(inventory), expected);
}

TEST(InventoryTest, GenericWorkloadsFollowTheKnownControllers) {
  Inventory inventory;
  Object rollout = object("Rollout", "ns", "r");
  rollout.doc["spec"]["template"]["spec"]["containers"] = nlohmann::json::array();
  classify(rollout);
  ASSERT_EQ(rollout.workload, WorkloadKind::Generic);
  inventory.objects = {object("Service", "ns", "s"), rollout, object("PodTemplate", "ns", "t")};
  inventory.index();
  const std::vector<std::string> expected = {"k8s:ns/PodTemplate/t", "k8s:ns/Rollout/r",
                                             "k8s:ns/Service/s"};
  EXPECT_EQ(names(inventory), expected);
}

TEST(InventoryTest, SameNameOrdersByOriginAndTheFirstAnswersFind) {
  Inventory inventory;
  inventory.objects = {object("ConfigMap", "ns", "c", "b.yaml", 0),
                       object("ConfigMap", "ns", "c", "a.yaml", 3),
                       object("ConfigMap", "ns", "c", "a.yaml", 1)};
  inventory.index();
  EXPECT_EQ(inventory.objects[0].origin.file, "a.yaml");
  EXPECT_EQ(inventory.objects[0].origin.document, 1U);
  EXPECT_EQ(inventory.objects[1].origin.document, 3U);
  EXPECT_EQ(inventory.objects[2].origin.file, "b.yaml");
  EXPECT_EQ(inventory.find("ConfigMap", "ns", "c"), &inventory.objects[0]);
  EXPECT_EQ(inventory.ofKind("ConfigMap").size(), 3U);
}

TEST(InventoryTest, FindsObjectsByKindNamespaceAndName) {
  Inventory inventory;
  inventory.objects = {object("Role", "a", "reader"), object("Role", "b", "reader"),
                       object("ClusterRole", "", "reader"), object("Service", "a", "web")};
  inventory.index();
  const Object* role = inventory.find("Role", "b", "reader");
  ASSERT_NE(role, nullptr);
  EXPECT_EQ(role->ns, "b");
  EXPECT_NE(inventory.find("ClusterRole", "", "reader"), nullptr);
  EXPECT_EQ(inventory.find("ClusterRole", "a", "reader"), nullptr);
  EXPECT_EQ(inventory.find("Role", "c", "reader"), nullptr);
  EXPECT_EQ(inventory.find("Secret", "a", "web"), nullptr);

  const auto roles = inventory.ofKind("Role");
  ASSERT_EQ(roles.size(), 2U);
  EXPECT_EQ(roles[0]->ns, "a");
  EXPECT_EQ(roles[1]->ns, "b");
  EXPECT_TRUE(inventory.ofKind("Ingress").empty());
}

TEST(InventoryTest, NamespacesAreDeclaredAndImplied) {
  Inventory inventory;
  inventory.objects = {object("Namespace", "", "empty"),       object("Service", "shop", "web"),
                       object("Deployment", "default", "app"), object("ClusterRole", "", "r"),
                       object("Namespace", "", "shop"),        object("Namespace", "", "#4")};
  inventory.index();
  const std::vector<std::string> expected = {"default", "empty", "shop"};
  EXPECT_EQ(inventory.namespaces(), expected);
}

TEST(InventoryTest, CountsByKindClass) {
  Inventory inventory;
  inventory.objects = {object("Deployment", "a", "d"), object("Pod", "a", "p"),
                       object("Service", "a", "s"),    object("ConfigMap", "a", "c"),
                       object("Namespace", "", "a"),   object("Certificate", "a", "t")};
  inventory.index();
  EXPECT_EQ(inventory.count(KindClass::Workload), 2U);
  EXPECT_EQ(inventory.count(KindClass::Object), 1U);
  EXPECT_EQ(inventory.count(KindClass::Uninspected), 1U);
  EXPECT_EQ(inventory.count(KindClass::Namespace), 1U);
  EXPECT_EQ(inventory.count(KindClass::Unknown), 1U);
}

TEST(InventoryTest, IndexCanBeRebuilt) {
  Inventory inventory;
  inventory.objects = {object("Service", "a", "s")};
  inventory.index();
  inventory.objects.push_back(object("Service", "a", "r"));
  inventory.index();
  EXPECT_EQ(inventory.ofKind("Service").size(), 2U);
  EXPECT_EQ(inventory.find("Service", "a", "r"), &inventory.objects[0]);
}

}  // namespace
}  // namespace bulwark::checks::k8s
