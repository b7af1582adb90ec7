// The service configuration: YAML, then environment, then flags (the CLI applies the last).
#include "pipeline/service/service_config.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

namespace bulwark::pipeline {
namespace {

using namespace std::chrono_literals;

TEST(ServiceConfig, DefaultsAreSecure) {
  const ServiceConfig config;
  auto address = config.listenAddress();
  ASSERT_TRUE(address) << address.error().message;
  EXPECT_EQ(address->first, "127.0.0.1");
  EXPECT_EQ(address->second, 8080);
  EXPECT_TRUE(config.tls_cert.empty());
  EXPECT_TRUE(config.store.empty());
  EXPECT_EQ(config.workers, 2);
  EXPECT_EQ(config.poll_interval, 0s);  // registries are webhook-only unless told otherwise
}

TEST(ServiceConfig, ReadsEveryKey) {
  ServiceConfig config;
  const auto applied = applyConfigYaml(config, R"(
listen: "[::1]:9443"
tls: {cert: /etc/bulwark/tls.crt, key: /etc/bulwark/tls.key}
store: postgres://bulwark@127.0.0.1:5432/bulwark
secret_key_file: /etc/bulwark/secret.key
database: /var/lib/bulwark/db.sqlite
workers: 4
limits: {max_body_bytes: 1048576, requests_per_second: 20, burst: 40}
jobs: {lease: 90s, max_attempts: 3}
poll: {interval: 5m}
db_update: {interval: 1d}
quarantine:
  mappings:
    - {registry: local, from: "quarantine/*", to: "release/*"}
  policy: {severity: [CRITICAL, HIGH], ignore_unfixed: true, vex: [a.json, b.json],
           max_scan_age: 24h}
admission: {allowed_registries: [registry.example.com], audit_only: true,
            require_scanned: false}
)",
                                       "bulwark.yaml");
  ASSERT_TRUE(applied) << applied.error().message;
  auto address = config.listenAddress();
  ASSERT_TRUE(address);
  EXPECT_EQ(address->first, "::1");
  EXPECT_EQ(address->second, 9443);
  EXPECT_EQ(config.tls_key, "/etc/bulwark/tls.key");
  EXPECT_EQ(config.workers, 4);
  EXPECT_EQ(config.max_body_bytes, 1048576U);
  EXPECT_DOUBLE_EQ(config.burst, 40);
  EXPECT_EQ(config.lease, 90s);
  EXPECT_EQ(config.max_attempts, 3);
  EXPECT_EQ(config.poll_interval, 300s);
  EXPECT_EQ(config.db_update_interval, 86400s);
  ASSERT_EQ(config.quarantine.size(), 1U);
  EXPECT_EQ(config.quarantine[0].to, "release/*");
  EXPECT_EQ(config.policy.severities, (std::vector<std::string>{"CRITICAL", "HIGH"}));
  EXPECT_TRUE(config.policy.ignore_unfixed);
  EXPECT_EQ(config.policy.vex.size(), 2U);
  EXPECT_EQ(config.policy.max_scan_age, 86400s);
  EXPECT_TRUE(config.admission.audit_only);
  EXPECT_FALSE(config.admission.require_scanned);
}

TEST(ServiceConfig, ReportsEveryProblemWithItsLine) {
  ServiceConfig config;
  const auto applied =
      applyConfigYaml(config, "workers: many\nlisten_on: x\njobs: {lease: soon}\n", "bad.yaml");
  ASSERT_FALSE(applied);
  const auto& message = applied.error().message;
  EXPECT_NE(message.find("bad.yaml:1:"), std::string::npos) << message;
  EXPECT_NE(message.find("bad.yaml:2: unknown key 'listen_on'"), std::string::npos) << message;
  EXPECT_NE(message.find("bad.yaml:3:"), std::string::npos) << message;
}

TEST(ServiceConfig, PostureWindowsAndAgents) {
  ServiceConfig config;
  EXPECT_EQ(config.posture.alert_window, 7 * 24h);  // the defaults of docs/posture.md
  EXPECT_EQ(config.posture.sensor_timeout, 10min);
  EXPECT_EQ(config.posture.scan_max_age, 30 * 24h);
  EXPECT_EQ(config.posture.scan_grace, 1h);
  const auto applied = applyConfigYaml(config, R"(
posture:
  alert_window: 3d
  sensor_timeout: 5m
  scan_max_age: 14d
  scan_grace: 30m
  agents: {prod-audit: prod, edge-audit: edge}
)",
                                       "posture.yaml");
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(config.posture.alert_window, 3 * 24h);
  EXPECT_EQ(config.posture.sensor_timeout, 5min);
  EXPECT_EQ(config.posture.scan_max_age, 14 * 24h);
  EXPECT_EQ(config.posture.scan_grace, 30min);
  EXPECT_EQ(config.posture.agents,
            (std::map<std::string, std::string>{{"edge-audit", "edge"}, {"prod-audit", "prod"}}));

  const auto refused = applyConfigYaml(
      config, "posture:\n  alert_window: soon\n  windows: 3\n  agents: [a]\n", "bad.yaml");
  ASSERT_FALSE(refused);
  const auto& message = refused.error().message;
  EXPECT_NE(message.find("bad.yaml:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("bad.yaml:3: unknown key 'posture.windows'"), std::string::npos)
      << message;
  EXPECT_NE(message.find("bad.yaml:4: expected a mapping"), std::string::npos) << message;
}

TEST(ServiceConfig, PostureTargetsServeCollects) {
  ServiceConfig config;
  const auto applied = applyConfigYaml(config, R"(
posture:
  docker:
    - {endpoint: unix:///run/docker.sock, interval: 30m, name: web-1}
    - {}
  kubernetes:
    - name: prod
      kubeconfig: /etc/bulwark/prod.kubeconfig
      context: prod-admin
      namespaces: [shop, payments]
      kubelet_configz: true
      timeout: 20s
      interval: 2h
)",
                                       "targets.yaml");
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_EQ(config.posture.docker.size(), 2U);
  EXPECT_EQ(config.posture.docker[0].endpoint, "unix:///run/docker.sock");
  EXPECT_EQ(config.posture.docker[0].name, "web-1");
  EXPECT_EQ(config.posture.docker[0].interval, 30min);
  EXPECT_EQ(config.posture.docker[1].endpoint, "");  // $DOCKER_HOST, else the default socket
  EXPECT_EQ(config.posture.docker[1].interval, 1h);
  EXPECT_EQ(config.posture.docker[1].host_root, "/");
  ASSERT_EQ(config.posture.kubernetes.size(), 1U);
  const auto& prod = config.posture.kubernetes[0];
  EXPECT_EQ(prod.name, "prod");
  EXPECT_EQ(prod.kubeconfig, "/etc/bulwark/prod.kubeconfig");
  EXPECT_EQ(prod.context, "prod-admin");
  EXPECT_EQ(prod.namespaces, (std::vector<std::string>{"shop", "payments"}));
  EXPECT_TRUE(prod.kubelet_configz);
  EXPECT_EQ(prod.timeout, 20s);
  EXPECT_EQ(prod.interval, 2h);

  const auto refused = applyConfigYaml(config, R"(posture:
  docker:
    - {endpoint: tcp://10.0.0.1:2375}
    - {interval: 5s}
  kubernetes:
    - {kubeconfig: /k}
    - {name: a}
    - {name: a}
)",
                                       "bad.yaml");
  ASSERT_FALSE(refused);
  const auto& message = refused.error().message;
  EXPECT_NE(message.find("bad.yaml:3: a Docker endpoint is unix:///PATH"), std::string::npos)
      << message;
  EXPECT_NE(message.find("bad.yaml:4: an interval of at least 1m"), std::string::npos) << message;
  EXPECT_NE(message.find("bad.yaml:6: a Kubernetes target needs its cluster's 'name'"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("bad.yaml:8: the cluster 'a' is listed twice"), std::string::npos)
      << message;
}

TEST(ServiceConfig, MalformedYamlIsOneClearError) {
  ServiceConfig config;
  const auto applied = applyConfigYaml(config, "listen: [unclosed\n", "broken.yaml");
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code, core::ErrorCode::Usage);
  EXPECT_NE(applied.error().message.find("broken.yaml:"), std::string::npos);
}

TEST(ServiceConfig, EnvironmentOverridesTheFile) {
  ServiceConfig config;
  ASSERT_TRUE(applyConfigYaml(config, "workers: 4\nstore: sqlite:/a.db\n", "f.yaml"));
  ASSERT_TRUE(applyConfigEnvironment(config, {{"BULWARK_WORKERS", "1"},
                                              {"BULWARK_STORE", "sqlite:/b.db"},
                                              {"BULWARK_POLL_INTERVAL", "30s"}}));
  EXPECT_EQ(config.workers, 1);
  EXPECT_EQ(config.store, "sqlite:/b.db");
  EXPECT_EQ(config.poll_interval, 30s);
  EXPECT_FALSE(applyConfigEnvironment(config, {{"BULWARK_WORKERS", "-3"}}));
}

TEST(ServiceConfig, Durations) {
  EXPECT_EQ(*parseDuration("250ms"), 250ms);
  EXPECT_EQ(*parseDuration("90"), 90s);
  EXPECT_EQ(*parseDuration("5m"), 300s);
  EXPECT_EQ(*parseDuration("2d"), 172800s);
  EXPECT_FALSE(parseDuration(""));
  EXPECT_FALSE(parseDuration("m"));
  EXPECT_FALSE(parseDuration("5 weeks"));
  EXPECT_FALSE(parseDuration("99999999999999999999s"));
}

TEST(ServiceConfig, BadListenAddresses) {
  for (const char* listen : {"localhost", ":80", "127.0.0.1:http", "127.0.0.1:70000"}) {
    ServiceConfig config;
    config.listen = listen;
    EXPECT_FALSE(config.listenAddress()) << listen;
  }
}

}  // namespace
}  // namespace bulwark::pipeline
