// The configuration of `bulwark serve` and `bulwark worker`: a YAML file, then environment
// variables, then command-line flags, each overriding the one before (docs/serve.md).
//
//   listen: 127.0.0.1:8080          # BULWARK_LISTEN; port 0 picks a free one
//   tls: {cert: FILE, key: FILE}    # BULWARK_TLS_CERT, BULWARK_TLS_KEY (both or neither)
//   store: sqlite:PATH | postgres://…   # BULWARK_STORE; default $XDG_DATA_HOME/bulwark/bulwark.db
//   secret_key_file: FILE           # BULWARK_SECRET_KEY_FILE: seals registry passwords;
//                                   # default: secret.key beside the SQLite store, created 0600
//   database: FILE                  # BULWARK_DB: the vulnerability database
//   workers: 2                      # BULWARK_WORKERS: in-process scan workers (0: none)
//   limits: {max_body_bytes: 4194304, requests_per_second: 50, burst: 100}
//   jobs: {lease: 120s, max_attempts: 5}
//   poll: {interval: 0s}            # the poll interval of registries added without one
//                                   # (`registry add --poll-interval`); 0s: webhooks only
//   db_update: {interval: 24h, feeds_file: F, mirror: URL}   # `db update` (0s: never)
//   reevaluate: {check_interval: 30s}   # a changed database (update or import) → re-evaluation
//   quarantine:
//     mappings: [{registry: local, from: "quarantine/*", to: "release/*"}]
//     policy: {severity: [CRITICAL, HIGH], ignore_unfixed: true, ignore_file: F, vex: [F…],
//              max_scan_age: 24h}
//   admission: {allowed_registries: ["registry.example.com", "*.corp"], audit_only: false,
//               require_scanned: true}
//   posture:                        # docs/posture.md
//     alert_window: 7d              # open alerts older than this no longer make a resource
//                                   # unhealthy
//     sensor_timeout: 10m
//     scan_max_age: 30d             # an older scan is stale (BW-REC-004)
//     scan_grace: 1h                # time a pushed image has to be scanned
//     agents: {prod-audit: prod}    # ingest token name → cluster of its Kubernetes audit alerts
//     docker:                       # Docker hosts serve checks itself, on a schedule
//       - {endpoint: unix:///var/run/docker.sock, interval: 1h, name: web-1, host_root: /}
//     kubernetes:                   # clusters serve checks itself, on a schedule
//       - {name: prod, kubeconfig: FILE, context: prod, namespaces: [a, b], interval: 6h,
//          kubelet_configz: false, timeout: 10s}
// Durations are integers with a unit: ms, s, m, h, d.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace bulwark::pipeline {

struct QuarantineMapping {
  std::string registry;  // Registry name; "" = every registry
  std::string from;      // "quarantine/*"
  std::string to;        // "release/*"
};

struct PolicyConfig {
  std::vector<std::string> severities;  // "CRITICAL", "HIGH"; empty: every severity
  bool ignore_unfixed = false;
  std::string ignore_file;
  std::vector<std::string> vex;
  std::chrono::seconds max_scan_age{0};  // 0: any age
};

struct AdmissionConfig {
  std::vector<std::string> allowed_registries;  // host patterns; empty: any registry
  bool audit_only = false;
  bool require_scanned = true;
};

// A Docker host serve collects and checks itself every `interval` (posture.docker).
struct DockerTargetConfig {
  std::string endpoint;  // unix:///…; empty: $DOCKER_HOST, else the default socket
  // The host's name as Docker reports it (/info Name), which names its posture resource; empty:
  // learnt from the first collection.
  std::string name;
  std::string host_root = "/";
  std::chrono::milliseconds interval{std::chrono::hours(1)};
};

// A Kubernetes cluster serve reads and checks itself every `interval` (posture.kubernetes).
struct KubernetesTargetConfig {
  std::string name;        // the cluster's name: its posture resource is cluster:<name>
  std::string kubeconfig;  // empty: $KUBECONFIG, else ~/.kube/config
  std::string context;     // empty: the kubeconfig's current-context
  std::vector<std::string> namespaces;  // empty: every namespace
  bool kubelet_configz = false;
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};  // per API request
  std::chrono::milliseconds interval{std::chrono::hours(6)};
};

// The posture sync's windows, the cluster of each audit webhook sender, and the targets serve
// collects on its own schedule.
struct PostureConfig {
  std::chrono::milliseconds alert_window{std::chrono::hours(24 * 7)};
  std::chrono::milliseconds sensor_timeout{std::chrono::minutes(10)};
  std::chrono::milliseconds scan_max_age{std::chrono::hours(24 * 30)};
  std::chrono::milliseconds scan_grace{std::chrono::hours(1)};
  std::map<std::string, std::string> agents;  // ingest token name → cluster
  std::vector<DockerTargetConfig> docker;
  std::vector<KubernetesTargetConfig> kubernetes;
};

struct ServiceConfig {
  std::string listen = "127.0.0.1:8080";
  std::string tls_cert;
  std::string tls_key;
  std::string store;  // "" = store::defaultStorePath()
  std::string secret_key_file;
  std::string database;  // "" = vulndb::defaultDatabasePath()
  int workers = 2;
  std::uint64_t max_body_bytes = 4U << 20;
  double requests_per_second = 50;
  double burst = 100;
  std::chrono::milliseconds lease{std::chrono::seconds(120)};
  int max_attempts = 5;
  std::chrono::seconds poll_interval{0};
  std::chrono::seconds db_update_interval{0};
  std::string db_update_feeds_file;  // "": the default OSV feeds
  std::string db_update_mirror;
  std::chrono::milliseconds reevaluate_check_interval{std::chrono::seconds(30)};
  std::vector<QuarantineMapping> quarantine;
  PolicyConfig policy;
  AdmissionConfig admission;
  PostureConfig posture;

  // "host:port" split; the host may be an [IPv6] literal.
  [[nodiscard]] core::Result<std::pair<std::string, int>> listenAddress() const;
};

// "90s", "5m", "24h", "2d", "250ms" → duration; a bare number is seconds.
core::Result<std::chrono::milliseconds> parseDuration(std::string_view text);

// Applies a YAML document (`where` names it in errors: "FILE:LINE: what").
core::Status applyConfigYaml(ServiceConfig& config, std::string_view yaml, std::string_view where);
core::Status applyConfigFile(ServiceConfig& config, const std::string& path);
// Applies BULWARK_* variables from `environment` (name → value).
core::Status applyConfigEnvironment(ServiceConfig& config,
                                    const std::map<std::string, std::string>& environment);
// The process environment's BULWARK_* variables.
std::map<std::string, std::string> bulwarkEnvironment();

}  // namespace bulwark::pipeline
