// `bulwark bench k8s --kubeconfig` and `bulwark collect k8s` against a Kubernetes API server
// that plays back recorded responses (api_playback.h) over TLS with certificates made at test
// time (test_pki.h): bearer and client-certificate logins, a wrong CA, a user who may not list
// cluster-scoped resources, a list that hangs, 410 Gone on a continue token, an oversized body,
// and a snapshot that gives the same report as the live run. docs/dev/k8s-design.md §7.3.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "checks/k8s/collect/collect.h"
#include "cli_run.h"
#include "e2e/k8s/api_playback.h"
#include "e2e/k8s/test_pki.h"
#include "support/process.h"
#include "testdata.h"

namespace {

using bulwark::testing::ApiPlayback;
using bulwark::testing::runBulwark;
using bulwark::testing::shellQuote;
using bulwark::testing::TempDir;
using bulwark::testing::TestPki;
using bulwark::testing::writeFile;
using Json = nlohmann::json;
namespace fs = std::filesystem;
namespace collect = bulwark::checks::k8s::collect;

constexpr const char* kKubescape = "hardening/kubescape-regolibrary/rules";

std::string base64(const std::string& text) {
  std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

struct Verdict {
  std::string status;
  std::string cause;
  std::string reason;
  std::string assist;  // a manual result: what the tests said
  bool operator==(const Verdict&) const = default;
};

// resource → check id → verdict, from `bench k8s -f json`.
using Verdicts = std::map<std::string, std::map<std::string, Verdict>>;

Verdicts verdictsOf(const Json& report) {
  Verdicts out;
  for (const auto& resource : report.at("resources")) {
    auto& checks = out[resource.at("resource").get<std::string>()];
    for (const auto& r : resource.at("results")) {
      checks[r.at("id").get<std::string>()] = {r.value("status", ""), r.value("cause", ""),
                                               r.value("reason", ""), r.value("assist", "")};
    }
  }
  return out;
}

class K8sApiE2e : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TestPki(bulwark::testing::makeTestPki());
    other_ = new TestPki(bulwark::testing::makeTestPki("some-other-ca"));
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete other_;
  }

  void SetUp() override { BULWARK_REQUIRE_SHARED(kKubescape); }

  std::unique_ptr<ApiPlayback> start(const std::string& scenario) {
    return std::make_unique<ApiPlayback>(bulwark::testing::fixtures() / "k8s" / "api" / scenario,
                                         bulwark::testing::sharedTestdata(), *pki_);
  }

  // A kubeconfig with contexts `admin` (bearer token), `cert` (client certificate) and
  // `wrong-ca` (the token, but another CA).
  fs::path kubeconfig(const ApiPlayback& server) {
    const fs::path path = dir_.path() / "kubeconfig";
    writeFile(path,
              "apiVersion: v1\nkind: Config\ncurrent-context: admin\nclusters:\n"
              "- name: playback\n  cluster:\n    server: " +
                  server.url() + "\n    certificate-authority-data: " + base64(pki_->ca.cert) +
                  "\n- name: playback-wrong-ca\n  cluster:\n    server: " + server.url() +
                  "\n    certificate-authority-data: " + base64(other_->ca.cert) +
                  "\ncontexts:\n"
                  "- name: admin\n  context: {cluster: playback, user: admin}\n"
                  "- name: cert\n  context: {cluster: playback, user: cert}\n"
                  "- name: wrong-ca\n  context: {cluster: playback-wrong-ca, user: admin}\n"
                  "users:\n- name: admin\n  user:\n    token: fixture-token\n"
                  "- name: cert\n  user:\n    client-certificate-data: " +
                  base64(pki_->client.cert) + "\n    client-key-data: " + base64(pki_->client.key) +
                  "\n");
    return path;
  }

  // `bench k8s` with `args`, as JSON; the exit status must be 0.
  Json bench(const std::string& args) {
    const auto run = runBulwark("bench k8s " + args + " -f json");
    EXPECT_EQ(run.status, 0) << run.out;
    // Warnings (stderr) come first; the report starts at the first line that opens an object.
    const auto start = run.out.starts_with("{") ? 0 : run.out.find("\n{");
    if (start == std::string::npos) {
      ADD_FAILURE() << "no JSON report:\n" << run.out;
      return Json::object();
    }
    return Json::parse(run.out.substr(start), nullptr, false);
  }

  collect::ClientConfig adminClient(const ApiPlayback& server) const {
    collect::ClientConfig client;
    client.context = "admin";
    client.server = server.url();
    client.ca_pem = pki_->ca.cert;
    client.token = "fixture-token";
    return client;
  }

  static TestPki* pki_;
  static TestPki* other_;
  TempDir dir_{"bulwark-k8s-e2e"};
};

TestPki* K8sApiE2e::pki_ = nullptr;
TestPki* K8sApiE2e::other_ = nullptr;

TEST_F(K8sApiE2e, AdminTokenReadsEveryListAndChecksTheObjects) {
  auto server = start("admin-token");
  const Json report = bench("--kubeconfig " + shellQuote(kubeconfig(*server).string()));
  ASSERT_TRUE(report.contains("clusters")) << report.dump(1);
  const Json& cluster = report["clusters"][0];
  EXPECT_EQ(cluster.value("name", ""), "admin");
  EXPECT_EQ(cluster.value("server_version", ""), "v1.30.4");
  // Without --k8s-version the server's minor picks the rules.
  EXPECT_EQ(cluster.value("rules_version", ""), "1.30");
  // Two pods of ReplicaSets and one ReplicaSet of a Deployment were left to their controllers.
  EXPECT_EQ(cluster.value("skipped_owned", 0), 3);
  EXPECT_EQ(cluster.value("unreadable_lists", -1), 0);

  const Verdicts v = verdictsOf(report);
  EXPECT_EQ(v.at("k8s:web/Pod/hostpid-pod").at("BW-K8S-102").status, "fail");
  EXPECT_EQ(v.at("k8s:web/Deployment/hostnet-deploy").at("BW-K8S-102").status, "fail");
  EXPECT_EQ(v.at("k8s:shop/CronJob/hostpid-cron").at("BW-K8S-102").status, "fail");
  EXPECT_EQ(v.at("k8s:shop/Pod/caps-pod").at("BW-K8S-104").status, "fail");
  EXPECT_EQ(v.at("k8s:shop/Deployment/nonroot-pass").at("BW-K8S-123").status, "pass");
  EXPECT_EQ(v.at("k8s:shop/Deployment/nonroot-fail").at("BW-K8S-123").status, "fail");
  EXPECT_EQ(v.at("k8s:_cluster/ClusterRole/everything").at("BW-K8S-202").status, "fail");
  EXPECT_EQ(v.at("k8s:_cluster/ClusterRole/view-pods").at("BW-K8S-202").status, "pass");
  EXPECT_EQ(v.at("k8s:web/Role/secret-reader").at("BW-K8S-203").status, "fail");
  // The static pod is checked; the pod its ReplicaSet made is not (its template is).
  EXPECT_TRUE(v.contains("k8s:kube-system/Pod/kube-apiserver-node-1"));
  EXPECT_FALSE(v.contains("k8s:web/Pod/web-7d9c6b8f5-x2x9q"));
  // Every list was read: no BW-K8S-604, no API source in any reason.
  for (const auto& [resource, checks] : v) {
    EXPECT_FALSE(resource.starts_with("k8s-api:")) << resource;
    EXPECT_FALSE(checks.contains("BW-K8S-604")) << resource;
  }
  // Pages of two: the pods list (5 pods) took more than one request.
  EXPECT_GE(server->count("/api/v1/pods"), 2U);
}

TEST_F(K8sApiE2e, CiliumPoliciesAreReadWhereDiscoveryServesThem) {
  // Without Cilium: discovery answers 404, the lists are not requested, nothing is isolated and
  // nothing is not-evaluated for it.
  auto plain = start("admin-token");
  const Verdicts without =
      verdictsOf(bench("--kubeconfig " + shellQuote(kubeconfig(*plain).string())));
  EXPECT_EQ(without.at("k8s:web/Pod/hostpid-pod").at("BW-K8S-305").status, "fail");
  EXPECT_EQ(plain->count("/apis/cilium.io/v2"), 1U);
  EXPECT_EQ(plain->count("/apis/cilium.io/v2/ciliumnetworkpolicies"), 0U);

  auto server = start("cilium");
  const Json report = bench("--kubeconfig " + shellQuote(kubeconfig(*server).string()));
  const Verdicts v = verdictsOf(report);
  EXPECT_EQ(v.at("k8s:web/Pod/hostpid-pod").at("BW-K8S-305").status, "pass");
  EXPECT_EQ(v.at("k8s:web/Deployment/hostnet-deploy").at("BW-K8S-305").status, "pass");
  EXPECT_EQ(v.at("k8s:web/Pod/hostpid-pod").at("BW-K8S-310").status, "fail");
  EXPECT_EQ(v.at("k8s:shop/Deployment/nonroot-pass").at("BW-K8S-305").status, "fail");
  EXPECT_EQ(v.at("k8s:shop/Deployment/nonroot-pass").at("BW-K8S-310").status, "pass");
  EXPECT_EQ(v.at("k8s:_cluster/Namespace/web").at("BW-K8S-304").status, "pass");
  EXPECT_GE(server->count("/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies"), 1U);
  for (const auto& [resource, checks] : v) {
    EXPECT_FALSE(checks.contains("BW-K8S-601")) << resource;  // the Cilium kinds are known
  }
}

TEST_F(K8sApiE2e, OwnedPodsIncludedAndNamespaceFilter) {
  auto server = start("admin-token");
  const std::string config = shellQuote(kubeconfig(*server).string());
  const Verdicts all = verdictsOf(bench("--kubeconfig " + config + " --owned-pods include"));
  ASSERT_TRUE(all.contains("k8s:web/Pod/web-7d9c6b8f5-x2x9q"));
  // The webhook-injected sidecar's NET_ADMIN is seen only on the pod.
  EXPECT_EQ(all.at("k8s:web/Pod/web-7d9c6b8f5-x2x9q").at("BW-K8S-104").status, "fail");

  const std::size_t cluster_wide = server->count("/api/v1/pods");
  const Verdicts web = verdictsOf(bench("--kubeconfig " + config + " -n web"));
  EXPECT_TRUE(web.contains("k8s:web/Pod/hostpid-pod"));
  EXPECT_TRUE(web.contains("k8s:web/Deployment/hostnet-deploy"));
  for (const auto& [resource, checks] : web) {
    EXPECT_FALSE(resource.starts_with("k8s:shop/")) << resource;
    EXPECT_FALSE(resource.starts_with("k8s:kube-system/")) << resource;
  }
  // Cluster-scoped lists are still read.
  EXPECT_TRUE(web.contains("k8s:_cluster/ClusterRole/everything"));
  EXPECT_GE(server->count("/api/v1/namespaces/web/pods"), 1U);
  EXPECT_EQ(server->count("/api/v1/pods"), cluster_wide);
}

TEST_F(K8sApiE2e, ClientCertificateAndWrongCa) {
  auto server = start("client-cert");
  const std::string config = shellQuote(kubeconfig(*server).string());
  const Verdicts cert = verdictsOf(bench("--kubeconfig " + config + " --context cert"));
  EXPECT_EQ(cert.at("k8s:web/Pod/hostpid-pod").at("BW-K8S-102").status, "fail");
  EXPECT_FALSE(cert.contains("k8s-api:cert/pods"));

  // The token is not accepted here: 401 → every source PermissionDenied, nothing checked.
  const Verdicts token = verdictsOf(bench("--kubeconfig " + config + " --context admin"));
  ASSERT_TRUE(token.contains("k8s-api:admin/pods"));
  const Verdict& denied = token.at("k8s-api:admin/pods").at("BW-K8S-604");
  EXPECT_EQ(denied.status, "not-evaluated");
  EXPECT_EQ(denied.cause, "permission-denied");
  EXPECT_NE(denied.reason.find("credentials rejected"), std::string::npos) << denied.reason;
  EXPECT_FALSE(token.contains("k8s:web/Pod/hostpid-pod"));

  // Another CA: the server's certificate does not verify; unreachable, exit 0.
  const Verdicts wrong = verdictsOf(bench("--kubeconfig " + config + " --context wrong-ca"));
  ASSERT_TRUE(wrong.contains("k8s-api:wrong-ca/pods"));
  const Verdict& unreachable = wrong.at("k8s-api:wrong-ca/pods").at("BW-K8S-604");
  EXPECT_EQ(unreachable.cause, "unreachable");
  EXPECT_NE(unreachable.reason.find("certificate verify failed"), std::string::npos)
      << unreachable.reason;
}

TEST_F(K8sApiE2e, NamespacedUserGetsPermissionDeniedForClusterLists) {
  auto server = start("namespaced-user");
  const Json report = bench("--kubeconfig " + shellQuote(kubeconfig(*server).string()));
  // The header counts the lists that could not be read.
  EXPECT_EQ(report["clusters"][0].value("unreadable_lists", 0), 4) << report["clusters"].dump();
  const Verdicts v = verdictsOf(report);
  for (const char* list : {"namespaces", "nodes", "rbac.authorization.k8s.io/clusterroles",
                           "rbac.authorization.k8s.io/clusterrolebindings"}) {
    const std::string resource = std::string("k8s-api:admin/") + list;
    ASSERT_TRUE(v.contains(resource)) << resource;
    const Verdict& r = v.at(resource).at("BW-K8S-604");
    EXPECT_EQ(r.status, "not-evaluated");
    EXPECT_EQ(r.cause, "permission-denied");
    EXPECT_NE(r.reason.find("forbidden"), std::string::npos) << r.reason;
  }
  EXPECT_FALSE(v.contains("k8s-api:admin/pods"));
  // The binding of a ClusterRole that could not be listed is not judged; never a pass.
  const Verdict& binding = v.at("k8s:web/RoleBinding/web-view-pods").at("BW-K8S-203");
  EXPECT_EQ(binding.status, "not-evaluated");
  EXPECT_EQ(binding.cause, "permission-denied");
  EXPECT_FALSE(v.contains("k8s:_cluster/ClusterRole/everything"));
  // Workload checks still run.
  EXPECT_EQ(v.at("k8s:web/Pod/hostpid-pod").at("BW-K8S-102").status, "fail");
}

TEST_F(K8sApiE2e, HangingListTimesOut) {
  auto server = start("hang");
  const Verdicts v = verdictsOf(
      bench("--kubeconfig " + shellQuote(kubeconfig(*server).string()) + " --timeout 1"));
  ASSERT_TRUE(v.contains("k8s-api:admin/apps/deployments"));
  EXPECT_EQ(v.at("k8s-api:admin/apps/deployments").at("BW-K8S-604").cause, "timeout");
  EXPECT_FALSE(v.contains("k8s:web/Deployment/hostnet-deploy"));
  EXPECT_EQ(v.at("k8s:web/Pod/hostpid-pod").at("BW-K8S-102").status, "fail");
}

TEST_F(K8sApiE2e, GoneOnContinueRestartsTheListOnce) {
  auto server = start("gone");
  const Verdicts v = verdictsOf(bench("--kubeconfig " + shellQuote(kubeconfig(*server).string())));
  EXPECT_FALSE(v.contains("k8s-api:admin/pods"));
  EXPECT_TRUE(v.contains("k8s:web/Pod/hostpid-pod"));
  EXPECT_TRUE(v.contains("k8s:shop/Pod/caps-pod"));
  EXPECT_TRUE(v.contains("k8s:kube-system/Pod/kube-apiserver-node-1"));
  // Page 1, 410 Gone for page 2, then pages 1 to 3 again (5 pods, 2 a page).
  EXPECT_EQ(server->count("/api/v1/pods"), 5U);
}

TEST_F(K8sApiE2e, ThrottledRequestsWaitAndRetry) {
  auto server = start("throttled");
  const Verdicts v = verdictsOf(bench("--kubeconfig " + shellQuote(kubeconfig(*server).string())));
  EXPECT_FALSE(v.contains("k8s-api:admin/pods"));
  EXPECT_FALSE(v.contains("k8s-api:admin/apps/deployments"));
  EXPECT_EQ(v.at("k8s:web/Deployment/hostnet-deploy").at("BW-K8S-102").status, "fail");
  EXPECT_TRUE(v.contains("k8s:shop/Pod/caps-pod"));
  // The 429, then pages 1 to 3 of the pods (5 pods, 2 a page).
  EXPECT_EQ(server->count("/api/v1/pods"), 4U);
}

TEST_F(K8sApiE2e, OversizedBodyIsMalformed) {
  auto server = start("oversize");
  collect::ClusterCollectOptions options;
  options.client = adminClient(*server);
  options.max_body_bytes = std::size_t{1} << 20;
  bulwark::core::Diagnostics diagnostics;
  auto inventory = collect::collectCluster(options, diagnostics);
  ASSERT_TRUE(inventory) << inventory.error().message;
  const auto& pods = inventory->sources.at("pods");
  EXPECT_EQ(pods.state.status, bulwark::checks::docker::FactStatus::Malformed);
  EXPECT_NE(pods.state.detail.find("exceeds"), std::string::npos) << pods.state.detail;
  EXPECT_TRUE(inventory->sources.at("apps/deployments").state.ok());
  EXPECT_EQ(inventory->server_git_version, "v1.30.4");
}

TEST_F(K8sApiE2e, CollectedSnapshotGivesTheLiveReport) {
  // admin-token: no Cilium (its lists recorded as empty); cilium: its policies in the snapshot.
  for (const char* scenario : {"admin-token", "cilium"}) {
    SCOPED_TRACE(scenario);
    auto server = start(scenario);
    const std::string config = shellQuote(kubeconfig(*server).string());
    const fs::path snapshot = dir_.path() / (std::string(scenario) + ".json");
    const auto collected =
        runBulwark("collect k8s --kubeconfig " + config + " -o " + shellQuote(snapshot.string()));
    ASSERT_EQ(collected.status, 0) << collected.out;
    const Json snap = Json::parse(bulwark::testing::readFile(snapshot), nullptr, false);
    ASSERT_TRUE(snap.is_object());
    EXPECT_EQ(snap.value("schema", ""), "bulwark.k8s-snapshot/v1");
    if (std::string_view(scenario) == "admin-token") {
      // The skipped pod's repository digest is kept under its ReplicaSet's Deployment; the
      // bare image id of its mysql container (no repository digest) is not.
      const Json expected = {
          {"Deployment/web/hostnet-deploy",
           {{"php:7.0-apache",
             {"sha256:0000000000000000000000000000000000000000000000000000000000000002"}}}},
          {"ReplicaSet/web/web-7d9c6b8f5",
           {{"nginx:1.27",
             {"sha256:0000000000000000000000000000000000000000000000000000000000000001"}}}}};
      EXPECT_EQ(snap.value("running_images", Json()), expected) << snap.dump(1);
    }

    Json live = bench("--kubeconfig " + config);
    Json offline = bench("--snapshot " + shellQuote(snapshot.string()));
    // The header's source names where the inventory came from; the results must not differ.
    for (Json* report : {&live, &offline}) {
      for (auto& cluster : (*report)["clusters"]) {
        cluster.erase("source");
        cluster.erase("collected_at");
      }
    }
    EXPECT_EQ(live, offline) << "live:\n" << live.dump(1) << "\nsnapshot:\n" << offline.dump(1);
  }
}

TEST_F(K8sApiE2e, KubeletConfigzChecksEachNodeThroughTheApi) {
  auto server = start("configz");
  const std::string config = shellQuote(kubeconfig(*server).string());
  const Json report = bench("--kubeconfig " + config + " --kubelet-configz");
  const Verdicts v = verdictsOf(report);
  ASSERT_TRUE(v.contains("k8s-node:node-1")) << report.dump(1);
  const auto& node1 = v.at("k8s-node:node-1");
  // Only what /configz can say: kubelet settings, no file modes, no kube-proxy.
  EXPECT_FALSE(node1.contains("BW-K8S-701")) << "a file check";
  EXPECT_FALSE(node1.contains("BW-K8S-741")) << "a kube-proxy check";
  EXPECT_EQ(node1.at("BW-K8S-721").status, "pass");  // anonymous auth off
  EXPECT_EQ(node1.at("BW-K8S-722").status, "pass");  // Webhook authorization
  EXPECT_EQ(node1.at("BW-K8S-726").status, "pass");  // makeIPTablesUtilChains
  // Manual in CIS: the tests' verdict assists. readOnlyPort 10255, podPidsLimit -1.
  EXPECT_EQ(node1.at("BW-K8S-724").status, "manual");
  EXPECT_EQ(node1.at("BW-K8S-724").assist, "fail");
  EXPECT_EQ(node1.at("BW-K8S-733").assist, "fail");
  // Left out of /configz (Go's omitempty): the config-file default, said so.
  EXPECT_EQ(node1.at("BW-K8S-731").assist, "pass");
  // A flag-only option (--hostname-override) is not in /configz: unknown, never defaulted.
  EXPECT_EQ(node1.at("BW-K8S-727").assist, "not-evaluated");
  EXPECT_NE(node1.at("BW-K8S-727").reason.find("not its command line"), std::string::npos)
      << node1.at("BW-K8S-727").reason;
  // node-2's configz is forbidden: no kubelet check passes; each says why.
  ASSERT_TRUE(v.contains("k8s-node:node-2"));
  ASSERT_EQ(v.at("k8s-node:node-2").size(), node1.size());
  for (const auto& [id, verdict] : v.at("k8s-node:node-2")) {
    if (verdict.status == "manual") {
      EXPECT_EQ(verdict.assist, "not-evaluated") << id;
    } else {
      EXPECT_EQ(verdict.status, "not-evaluated") << id;
      EXPECT_EQ(verdict.cause, "permission-denied") << id;
    }
    EXPECT_NE(verdict.reason.find("nodes/proxy"), std::string::npos) << id << verdict.reason;
  }
  EXPECT_EQ(server->count("/api/v1/nodes/node-1/proxy/configz"), 1U);

  // A snapshot keeps the answers: the same results offline.
  const fs::path snapshot = dir_.path() / "configz.json";
  const auto collected = runBulwark("collect k8s --kubelet-configz --kubeconfig " + config +
                                    " -o " + shellQuote(snapshot.string()));
  ASSERT_EQ(collected.status, 0) << collected.out;
  EXPECT_EQ(verdictsOf(bench("--snapshot " + shellQuote(snapshot.string()))), v);
  // Without the flag nobody asks the nodes.
  EXPECT_FALSE(verdictsOf(bench("--kubeconfig " + config)).contains("k8s-node:node-1"));
}

TEST_F(K8sApiE2e, UsageErrors) {
  auto server = start("admin-token");
  const std::string config = shellQuote(kubeconfig(*server).string());
  auto run = runBulwark("bench k8s --kubeconfig " + config + " --context nope");
  EXPECT_EQ(run.status, 2) << run.out;
  run = runBulwark("bench k8s --kubeconfig " + shellQuote((dir_.path() / "absent").string()));
  EXPECT_EQ(run.status, 2) << run.out;
  run = runBulwark("bench k8s --kubeconfig " + config + " some.yaml");
  EXPECT_EQ(run.status, 2) << run.out;
  run = runBulwark("bench k8s --kubeconfig " + config + " --snapshot x.json");
  EXPECT_EQ(run.status, 2) << run.out;
  run = runBulwark("bench k8s --print-rbac");
  EXPECT_EQ(run.status, 0) << run.out;
  EXPECT_NE(run.out.find("kind: ClusterRole"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("secrets"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("nodes/proxy"), std::string::npos) << run.out;
  run = runBulwark("bench k8s --print-rbac --kubelet-configz");
  EXPECT_NE(run.out.find("resources: [nodes/proxy]\n    verbs: [get]\n"), std::string::npos)
      << run.out;
  // /configz is read live only; a --scan-server needs its token.
  run = runBulwark("bench k8s --kubelet-configz some.yaml");
  EXPECT_EQ(run.status, 2) << run.out;
  run = runBulwark("bench k8s --kubeconfig " + config +
                   " --scan-server http://127.0.0.1:9 --scan-token-env BULWARK_E2E_UNSET_TOKEN");
  EXPECT_EQ(run.status, 2) << run.out;
  EXPECT_NE(run.out.find("set BULWARK_E2E_UNSET_TOKEN"), std::string::npos) << run.out;
}

// A real client reads our wire format: kubectl lists the deployments the collector sees.
TEST_F(K8sApiE2e, KubectlAgreesOnTheWireFormat) {
  if (!bulwark::testing::haveTool("kubectl")) GTEST_SKIP() << "kubectl not installed";
  auto server = start("admin-token");
  const fs::path config = kubeconfig(*server);
  std::string output;
  ASSERT_TRUE(bulwark::testing::runCommand(
      "HOME=" + shellQuote(dir_.path().string()) + " kubectl --kubeconfig " +
          shellQuote(config.string()) + " get deployments -A -o json --request-timeout=20s",
      &output));
  const auto start = output.find('{');
  ASSERT_NE(start, std::string::npos) << output;
  const Json list = Json::parse(output.substr(start), nullptr, false);
  ASSERT_TRUE(list.is_object()) << output;

  collect::ClusterCollectOptions options;
  options.client = adminClient(*server);
  bulwark::core::Diagnostics diagnostics;
  auto inventory = collect::collectCluster(options, diagnostics);
  ASSERT_TRUE(inventory);
  EXPECT_EQ(list.at("items").size(), inventory->ofKind("Deployment").size());
  EXPECT_EQ(inventory->sources.at("apps/deployments").items, 3U);
}

}  // namespace
