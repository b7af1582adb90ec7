// The node collector over a temporary host root: a fake /proc/<pid>/{comm,cmdline,status,cwd}
// for the kubelet and kube-proxy, their config files, kubeconfigs and unit file with modes and
// owners set here, then all 25 node checks — a hardened node passes, a careless one fails.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "checks/check.h"
#include "checks/evaluate.h"
#include "checks/k8s/node/collect_node.h"
#include "checks/k8s/node_snapshot.h"

namespace bulwark::checks::k8s {
namespace {

namespace fs = std::filesystem;
using model::CheckStatus;

class NodeRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "bw-node-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    write("etc/hostname", "worker-1\n");
    write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nkube:x:1000:1000::/home:/bin/sh\n");
    write("etc/group", "root:x:0:\nkube:x:1000:\n");
  }
  void TearDown() override {
    std::error_code error;
    fs::remove_all(root_, error);
  }

  void write(const std::string& path, const std::string& text, mode_t mode = 0644,
             uid_t owner = 0) {
    const fs::path real = root_ / path;
    fs::create_directories(real.parent_path());
    std::ofstream(real, std::ios::binary) << text;
    ASSERT_EQ(::chmod(real.c_str(), mode), 0) << path;
    if (::geteuid() == 0) {
      ASSERT_EQ(::chown(real.c_str(), owner, owner), 0) << path;
    }
  }

  // /proc/<pid> of a process: comm, NUL-separated cmdline, status and the cwd link.
  void process(int pid, const std::string& comm, const std::vector<std::string>& argv,
               const std::string& cwd = "/") {
    const std::string dir = "proc/" + std::to_string(pid);
    std::string cmdline;
    for (const auto& arg : argv) cmdline += arg + '\0';
    write(dir + "/comm", comm + "\n");
    write(dir + "/cmdline", cmdline);
    write(dir + "/status", "Name:\t" + comm + "\nUid:\t0\t0\t0\t0\n");
    fs::create_directory_symlink(cwd, root_ / dir / "cwd");
  }

  // The kubelet, kube-proxy and their files. `secure`: as CIS wants them.
  void node(bool secure) {
    const mode_t tight = secure ? 0600 : 0644;
    const uid_t owner = secure ? 0 : 1000;
    std::vector<std::string> kubelet = {"/usr/bin/kubelet", "--config=config.yaml",
                                        "--kubeconfig=/etc/kubernetes/kubelet.conf"};
    if (!secure) {
      kubelet.emplace_back("--hostname-override=other");
      kubelet.emplace_back("--feature-gates=RotateKubeletServerCertificate=false");
    }
    process(4242, "kubelet", kubelet, "/var/lib/kubelet");
    process(4243, "kube-proxy",
            {"/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf"});
    process(17, "bash", {"/bin/bash"});
    write("var/lib/kubelet/config.yaml",
          secure ? "apiVersion: kubelet.config.k8s.io/v1beta1\n"
                   "kind: KubeletConfiguration\n"
                   "authentication:\n"
                   "  anonymous: {enabled: false}\n"
                   "  webhook: {enabled: true}\n"
                   "  x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}\n"
                   "authorization: {mode: Webhook}\n"
                   "readOnlyPort: 0\n"
                   "streamingConnectionIdleTimeout: 5m\n"
                   "eventRecordQPS: 5\n"
                   "serverTLSBootstrap: true\n"
                   "rotateCertificates: true\n"
                   "tlsCipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,\n"
                   "  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n"
                   "podPidsLimit: 4096\n"
                   "seccompDefault: true\n"
                 : "apiVersion: kubelet.config.k8s.io/v1beta1\n"
                   "kind: KubeletConfiguration\n"
                   "authentication:\n"
                   "  anonymous: {enabled: true}\n"
                   "authorization: {mode: AlwaysAllow}\n"
                   "readOnlyPort: 10255\n"
                   "streamingConnectionIdleTimeout: 0s\n"
                   "makeIPTablesUtilChains: false\n"
                   "eventRecordQPS: -5\n"
                   "tlsCertFile: /var/lib/kubelet/pki/kubelet.crt\n"
                   "tlsCipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,\n"
                   "  TLS_RSA_WITH_3DES_EDE_CBC_SHA]\n",
          tight, owner);
    write("etc/kubernetes/kubelet.conf", "apiVersion: v1\nkind: Config\n", tight, owner);
    write("etc/kubernetes/pki/ca.crt", "-----BEGIN CERTIFICATE-----\n", secure ? 0644 : 0666,
          owner);
    write("etc/systemd/system/kubelet.service.d/10-kubeadm.conf", "[Service]\n", tight, owner);
    write("var/lib/kube-proxy/config.conf",
          std::string("{\"kind\": \"KubeProxyConfiguration\", \"clientConnection\": "
                      "{\"kubeconfig\": \"/var/lib/kube-proxy/kubeconfig.conf\"}, "
                      "\"metricsBindAddress\": ") +
              (secure ? "\"\"}" : "\"0.0.0.0:10249\"}"),
          0644);
    write("var/lib/kube-proxy/kubeconfig.conf", "apiVersion: v1\n", tight, owner);
  }

  NodeSnapshot collect() {
    NodeCollectOptions options;
    options.host_root = root_.string();
    options.collected_at = "2026-11-23T06:00:00Z";
    auto node = collectNode(options);
    EXPECT_TRUE(node) << node.error().message;
    return node ? std::move(*node) : NodeSnapshot{};
  }

  static std::map<std::string, const model::CheckResult*> byId(
      const std::vector<model::CheckResult>& results) {
    std::map<std::string, const model::CheckResult*> out;
    for (const auto& r : results) out[r.check_id] = &r;
    return out;
  }
  // The pointers would dangle: keep the results in a variable.
  static std::map<std::string, const model::CheckResult*> byId(
      std::vector<model::CheckResult>&& results) = delete;

  static std::vector<model::CheckResult> evaluate(const NodeSnapshot& node) {
    auto checks = loadBuiltinChecks();
    EXPECT_TRUE(checks);
    core::Diagnostics diagnostics;
    return evaluateK8sNode(*checks, node, EvalContext{}, diagnostics);
  }

  fs::path root_;
};

// What a check gives: its status, or for a manual check its automated verdict.
CheckStatus verdict(const model::CheckResult& r) {
  return r.status == CheckStatus::Manual && r.assist ? *r.assist : r.status;
}

const std::vector<std::string> kAllIds = {
    "BW-K8S-701", "BW-K8S-702", "BW-K8S-703", "BW-K8S-704", "BW-K8S-705",
    "BW-K8S-706", "BW-K8S-707", "BW-K8S-708", "BW-K8S-709", "BW-K8S-710",
    "BW-K8S-721", "BW-K8S-722", "BW-K8S-723", "BW-K8S-724", "BW-K8S-725",
    "BW-K8S-726", "BW-K8S-727", "BW-K8S-728", "BW-K8S-729", "BW-K8S-730",
    "BW-K8S-731", "BW-K8S-732", "BW-K8S-733", "BW-K8S-734", "BW-K8S-741"};

TEST_F(NodeRoot, CollectsProcessesConfigsAndAliases) {
  node(true);
  const NodeSnapshot node = collect();
  EXPECT_EQ(node.host.hostname, "worker-1");
  ASSERT_EQ(node.kubelet.state.status, docker::FactStatus::Ok);
  EXPECT_EQ(node.kubelet.pid, 4242);
  EXPECT_EQ(node.kubelet.cwd, "/var/lib/kubelet");
  EXPECT_EQ(node.proxy.pid, 4243);
  // --config=config.yaml is relative to the kubelet's working directory.
  EXPECT_EQ(node.kubelet_config.path, "/var/lib/kubelet/config.yaml");
  ASSERT_EQ(node.kubelet_config.state.status, docker::FactStatus::Ok);
  EXPECT_EQ(node.kubelet_config.doc["readOnlyPort"], 0);
  ASSERT_EQ(node.proxy_config.state.status, docker::FactStatus::Ok);
  using Paths = std::vector<std::string>;
  const auto& paths = node.host.host.paths;
  EXPECT_EQ(paths.at("kubelet:service"),
            Paths{"/etc/systemd/system/kubelet.service.d/10-kubeadm.conf"});
  EXPECT_EQ(paths.at("kubelet:kubeconfig"), Paths{"/etc/kubernetes/kubelet.conf"});
  EXPECT_EQ(paths.at("kubelet:config"), Paths{"/var/lib/kubelet/config.yaml"});
  EXPECT_EQ(paths.at("kubelet:client-ca"), Paths{"/etc/kubernetes/pki/ca.crt"});
  EXPECT_EQ(paths.at("proxy:kubeconfig"), Paths{"/var/lib/kube-proxy/kubeconfig.conf"});
  const auto& file = node.host.host.files.at("/etc/kubernetes/kubelet.conf");
  EXPECT_EQ(file.mode, 0600U);
  EXPECT_EQ(file.type, "file");
}

TEST_F(NodeRoot, HardenedNodePassesEveryCheck) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the files to root:root";
  node(true);
  const auto results = evaluate(collect());
  const auto ids = byId(results);
  ASSERT_EQ(ids.size(), 25U);
  for (const auto& id : kAllIds) {
    ASSERT_TRUE(ids.contains(id)) << id;
    EXPECT_EQ(verdict(*ids.at(id)), CheckStatus::Pass)
        << id << ": " << ids.at(id)->reason
        << (ids.at(id)->evidence.empty() ? "" : " " + ids.at(id)->evidence.front().observed);
  }
}

TEST_F(NodeRoot, CarelessNodeFailsEveryCheck) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the files to another user";
  node(false);
  const auto results = evaluate(collect());
  const auto ids = byId(results);
  ASSERT_EQ(ids.size(), 25U);
  // 732 lists one weak suite; 733 and 734 are unset (the defaults fail them).
  for (const auto& id : kAllIds) {
    ASSERT_TRUE(ids.contains(id)) << id;
    EXPECT_EQ(verdict(*ids.at(id)), CheckStatus::Fail) << id << ": " << ids.at(id)->reason;
  }
  // Manual controls keep their verdict as `assist`.
  EXPECT_EQ(ids.at("BW-K8S-724")->status, CheckStatus::Manual);
  EXPECT_EQ(ids.at("BW-K8S-721")->status, CheckStatus::Fail);
}

TEST_F(NodeRoot, NoKubeletNoFiles) {
  process(17, "bash", {"/bin/bash"});
  const NodeSnapshot node = collect();
  EXPECT_EQ(node.kubelet.state.status, docker::FactStatus::Missing);
  EXPECT_EQ(node.kubelet.state.detail, "no kubelet process");
  EXPECT_EQ(node.proxy.state.status, docker::FactStatus::Missing);
  const auto results = evaluate(node);
  const auto ids = byId(results);
  ASSERT_EQ(ids.size(), 25U);
  for (const auto& id : kAllIds) {
    const auto status = ids.at(id)->status;
    if (id == "BW-K8S-732") {  // no cipher list to look at: a person decides
      EXPECT_EQ(status, CheckStatus::Manual) << id;
      continue;
    }
    EXPECT_EQ(status, CheckStatus::NotApplicable) << id << ": " << ids.at(id)->reason;
  }
}

TEST_F(NodeRoot, UnreadableConfigIsNotEvaluated) {
  node(true);
  write("var/lib/kubelet/config.yaml", "authentication: [unclosed\n", 0600);
  const NodeSnapshot node = collect();
  EXPECT_EQ(node.kubelet_config.state.status, docker::FactStatus::Malformed);
  const auto results = evaluate(node);
  const auto ids = byId(results);
  EXPECT_EQ(ids.at("BW-K8S-721")->status, CheckStatus::NotEvaluated);
  EXPECT_EQ(ids.at("BW-K8S-721")->cause, model::NotEvaluatedCause::Malformed);
  EXPECT_EQ(ids.at("BW-K8S-727")->status, CheckStatus::Manual);  // a flag: still decided
  EXPECT_EQ(ids.at("BW-K8S-727")->assist, CheckStatus::Pass);
}

TEST_F(NodeRoot, SnapshotRoundTripGivesTheSameResults) {
  node(false);
  const NodeSnapshot collected = collect();
  const std::string written = writeNodeSnapshot(collected);
  core::Diagnostics diagnostics;
  auto read = readNodeSnapshot(written, diagnostics);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(diagnostics.size(), 0U);
  EXPECT_EQ(writeNodeSnapshot(*read), written);
  const auto a = evaluate(collected);
  const auto b = evaluate(*read);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].check_id, b[i].check_id);
    EXPECT_EQ(a[i].status, b[i].status) << a[i].check_id;
    EXPECT_EQ(a[i].assist, b[i].assist) << a[i].check_id;
  }
}

// kube-proxy as a DaemonSet pod: its --config is a path in the pod, read through
// /proc/<pid>/root (here a link into the tree).
TEST_F(NodeRoot, ConfigReadThroughTheProcessRoot) {
  node(true);
  fs::remove(root_ / "var/lib/kube-proxy/config.conf");
  write("containers/kp/var/lib/kube-proxy/config.conf",
        "kind: KubeProxyConfiguration\nmetricsBindAddress: 0.0.0.0:10249\n");
  fs::create_directory_symlink(root_ / "containers/kp", root_ / "proc/4243/root");
  const NodeSnapshot node = collect();
  ASSERT_EQ(node.proxy_config.state.status, docker::FactStatus::Ok);
  EXPECT_EQ(node.proxy_config.path, "/var/lib/kube-proxy/config.conf");
  const auto results = evaluate(node);
  const auto ids = byId(results);
  EXPECT_EQ(ids.at("BW-K8S-741")->status, CheckStatus::Fail);
}

TEST(CollectNode, HostRootMustBeADirectory) {
  NodeCollectOptions options;
  options.host_root = "/nonexistent/bulwark-host-root";
  EXPECT_FALSE(collectNode(options));
}

}  // namespace
}  // namespace bulwark::checks::k8s
