// bulwark agent --server URL --token-file FILE — the node agent (docs/agent.md): runs the host
// sources (eBPF, or the proc connector where eBPF is missing, and the Docker daemon's events)
// through the rules, as `bulwark detect` does, and delivers every alert to `bulwark serve`:
// first to an on-disk spool, then in NDJSON batches to POST /api/v1/alerts, at least once
// (alert ids make resends duplicates the server drops).
#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/detect_cmd.h"
#include "cli/service_options.h"
#include "core/text.h"
#include "pipeline/agent/bench_runner.h"
#include "pipeline/agent/cluster_sets.h"
#include "pipeline/agent/metrics.h"
#include "pipeline/agent/spool_sink.h"
#include "pipeline/agent/uploader.h"
#include "pipeline/posture/post_snapshot.h"
#include "pipeline/service/service_config.h"

namespace bulwark::cli {

namespace {

constexpr std::chrono::milliseconds kStopBound{5000};
constexpr const char* kSpoolSinkName = "spool";

struct AgentArgs {
  DetectArgs detect;
  std::string server;
  std::string token_file;
  std::string ca;
  std::string spool_dir = "/var/lib/bulwark/agent/spool";
  std::uint64_t spool_max = std::uint64_t{256} << 20;
  std::size_t batch_size = 500;
  std::string batch_wait = "1s";
  std::string metrics_listen;
  std::string cluster_addresses = "auto";  // auto | off
  std::string kubeconfig;
  std::string cluster_refresh = "5m";
  bool plain_http = false;
  std::vector<std::string> bench;  // docker, node
  std::string bench_interval = "1h";
  std::string cluster;  // the cluster a node bench's node is in
  std::string host_root = "/";
};

// The host sources the agent runs when none is given: eBPF where the kernel has BTF (else the
// proc connector), and the Docker daemon's events when its socket is there.
std::vector<std::string> defaultSources(const DetectArgs& args) {
  std::vector<std::string> sources;
  std::error_code error;
  sources.emplace_back(std::filesystem::exists("/sys/kernel/btf/vmlinux", error) ? "ebpf" : "proc");
  std::string docker = args.docker_host;
  if (docker.empty()) {
    const char* env = std::getenv("DOCKER_HOST");
    docker = env != nullptr && *env != '\0' ? env : "unix:///var/run/docker.sock";
  }
  constexpr std::string_view kUnix = "unix://";
  if (docker.starts_with(kUnix) &&
      std::filesystem::exists(std::string_view(docker).substr(kUnix.size()), error)) {
    sources.push_back("docker:" + docker);
  }
  return sources;
}

// "HOST:PORT" (HOST may be [V6]) → host, port.
core::Result<std::pair<std::string, int>> splitListen(const std::string& text) {
  pipeline::ServiceConfig config;
  config.listen = text;
  return config.listenAddress();
}

// The host libcurl will connect to is this machine's loopback: parsed by libcurl itself (a
// user part, `http://localhost:x@host/`, names another host than its first characters do).
bool loopbackUrl(const std::string& url) {
  CURLU* parsed = curl_url();
  if (parsed == nullptr) return false;
  char* host = nullptr;
  char* user = nullptr;
  bool loopback = false;
  if (curl_url_set(parsed, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(parsed, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(parsed, CURLUPART_USER, &user, 0) == CURLUE_NO_USER) {
    const std::string_view name(host);
    loopback = name == "127.0.0.1" || name == "localhost" || name == "[::1]";
  }
  curl_free(host);
  curl_free(user);
  curl_url_cleanup(parsed);
  return loopback;
}

int runAgent(AgentArgs args) {
  std::string server = args.server;
  while (server.ends_with('/')) server.pop_back();
  if (!server.starts_with("https://") && !server.starts_with("http://")) {
    return failWith("--server: expected http(s)://HOST[:PORT] of `bulwark serve`");
  }
  // The token and the alerts cross the network in clear over http://: loopback only, unless
  // asked for in so many words.
  if (server.starts_with("http://") && !args.plain_http && !loopbackUrl(server)) {
    return failWith(
        "--server: http:// sends the ingest token and the alerts unencrypted; use "
        "https:// (or --plain-http to accept that)");
  }
  auto token = readToken(args.token_file);
  if (!token) return failWith("--token-file: " + token.error().message);
  auto batch_wait = pipeline::parseDuration(args.batch_wait);
  if (!batch_wait) return failWith("--batch-wait: " + batch_wait.error().message);
  if (args.batch_size < 1 || args.batch_size > 5000) {
    return failWith("--batch-size: from 1 to 5000 alerts (the server takes 5000 per request)");
  }
  if (args.detect.sources.empty()) {
    args.detect.sources = defaultSources(args.detect);
    std::fprintf(stderr, "bulwark: agent: sources: %s\n",
                 core::printable(fmt::format("{}", fmt::join(args.detect.sources, ", "))).c_str());
  }
  // The cluster's API server and dashboard addresses for BW-RT-230/231: from --kubeconfig, or
  // in a pod from its service account; `off`, or outside a pod without a kubeconfig: none.
  // Both are read again before each refresh: the kubelet rotates the service account's token.
  pipeline::agent::ClusterSetsRefresher::ConfigSource cluster;
  auto refresh = pipeline::parseDuration(args.cluster_refresh);
  if (!refresh) return failWith("--cluster-refresh: " + refresh.error().message);
  if (args.cluster_addresses != "off") {
    if (!args.kubeconfig.empty()) {
      checks::k8s::collect::KubeconfigOptions options;
      options.path = args.kubeconfig;
      auto loaded = checks::k8s::collect::loadKubeconfig(options);
      if (!loaded) return failWith("--kubeconfig: " + loaded.error().message);
      loaded->wipeSecrets();
      cluster = [options] { return checks::k8s::collect::loadKubeconfig(options); };
    } else if (auto in_pod = pipeline::agent::inClusterConfig(); in_pod) {
      in_pod->wipeSecrets();
      cluster = [] { return pipeline::agent::inClusterConfig(); };
    }
  }
  pipeline::agent::BenchRunnerOptions bench;
  for (const auto& kind : args.bench) {
    auto parsed = pipeline::agent::parseBenchKind(kind);
    if (!parsed) return failWith("--bench: " + parsed.error().message);
    if (std::find(bench.kinds.begin(), bench.kinds.end(), *parsed) == bench.kinds.end()) {
      bench.kinds.push_back(*parsed);
    }
  }
  if (!bench.kinds.empty()) {
    auto interval = pipeline::parseDuration(args.bench_interval);
    if (!interval) return failWith("--bench-interval: " + interval.error().message);
    bench.interval = *interval;
    if (args.detect.docker_host == "none" &&
        std::find(bench.kinds.begin(), bench.kinds.end(), pipeline::agent::BenchKind::Docker) !=
            bench.kinds.end()) {
      return failWith("--bench docker needs the Docker socket (--docker-host is none)");
    }
  }
  std::optional<std::pair<std::string, int>> metrics_address;
  if (!args.metrics_listen.empty()) {
    auto address = splitListen(args.metrics_listen);
    if (!address) return failWith("--metrics-listen: " + address.error().message);
    metrics_address = *address;
  }

  auto spool = pipeline::agent::Spool::open({args.spool_dir, args.spool_max});
  if (!spool) return failWith(spool.error().message);
  const auto resumed = (*spool)->stats();
  if (resumed.pending_bytes > 0 || resumed.torn > 0) {
    std::fprintf(stderr,
                 "bulwark: agent: spool %s: %llu byte(s) of alerts from before are sent first%s\n",
                 core::printable(args.spool_dir).c_str(),
                 static_cast<unsigned long long>(resumed.pending_bytes),
                 resumed.torn > 0 ? " (a line a crash left half-written was cut off)" : "");
  }
  pipeline::agent::UploaderOptions upload;
  // The host names the agent's heartbeats (its runtime sensor in the posture).
  upload.url =
      server + "/api/v1/alerts?host=" +
      pipeline::queryValue(args.detect.hostname.empty() ? hostName() : args.detect.hostname);
  upload.token = *token;
  upload.ca = args.ca;
  upload.version = BULWARK_VERSION;
  upload.batch_lines = args.batch_size;
  upload.batch_wait = *batch_wait;
  auto uploader = pipeline::agent::Uploader::start(**spool, upload);
  if (!uploader) return failWith(uploader.error().message);

  // Scheduled bench runs of this host: snapshots posted to serve, evaluated by its workers.
  std::unique_ptr<pipeline::agent::BenchRunner> bench_runner;
  if (!bench.kinds.empty()) {
    bench.post.server = server;
    bench.post.token = *token;
    bench.post.ca = args.ca;
    bench.post.cluster = args.cluster;
    bench.post.version = BULWARK_VERSION;
    bench.docker_endpoint = args.detect.docker_host;
    bench.host_root = args.host_root;
    bench.log = [](const std::string& message) {
      std::fprintf(stderr, "bulwark: agent: %s\n", core::printable(message).c_str());
    };
    auto started = pipeline::agent::BenchRunner::start(std::move(bench));
    if (!started) return failWith("--bench: " + started.error().message);
    bench_runner = std::move(*started);
  }

  // What the metrics read: counters the engine's alert hook bumps, and the spool sink's
  // queue counts while the outputs exist (their last counts once they are gone).
  std::atomic<std::uint64_t> alerts{0};
  std::atomic<std::uint64_t> suppressed{0};
  std::mutex outputs_mutex;
  const pipeline::sinks::Outputs* outputs = nullptr;
  pipeline::sinks::SinkStats spool_sink_stats;
  auto sink_stats = [&] {
    std::lock_guard lock(outputs_mutex);
    if (outputs == nullptr) return spool_sink_stats;
    for (const auto& [name, stats] : outputs->stats()) {
      if (name == kSpoolSinkName) return stats;
    }
    return spool_sink_stats;
  };
  std::unique_ptr<pipeline::agent::MetricsEndpoint> metrics;
  if (metrics_address) {
    auto started = pipeline::agent::MetricsEndpoint::start(
        metrics_address->first, metrics_address->second, [&] {
          pipeline::agent::AgentSnapshot snapshot;
          snapshot.alerts = alerts.load();
          snapshot.suppressed = suppressed.load();
          const auto stats = sink_stats();
          snapshot.queue_dropped = stats.dropped;
          snapshot.spool_failed = stats.failed + stats.rejected;
          snapshot.spool = (*spool)->stats();
          snapshot.upload = (*uploader)->stats();
          return snapshot;
        });
    if (!started) return failWith(started.error().message);
    metrics = std::move(*started);
    std::fprintf(stderr, "bulwark: agent: metrics on http://%s:%d/metrics\n",
                 metrics_address->first.c_str(), metrics->port());
  }

  std::unique_ptr<pipeline::agent::ClusterSetsRefresher> refresher;
  DetectHooks hooks;
  hooks.command = "agent";
  hooks.on_rules = [&](const rules::Ruleset& ruleset) -> core::Status {
    if (!cluster) return {};
    auto started = pipeline::agent::ClusterSetsRefresher::start(
        cluster, ruleset.intel(), *refresh, [](const std::string& message) {
          std::fprintf(stderr, "bulwark: agent: %s\n", core::printable(message).c_str());
        });
    if (!started) return tl::unexpected(started.error());
    refresher = std::move(*started);
    // The first addresses before the first event, unless the API server is slow to answer.
    refresher->waitForFirst(std::chrono::seconds(10));
    return {};
  };
  hooks.add_outputs = [&](pipeline::sinks::Outputs& opened) -> core::Status {
    opened.add(kSpoolSinkName, pipeline::agent::makeSpoolSink(**spool), /*needs_json=*/true);
    std::lock_guard lock(outputs_mutex);
    outputs = &opened;
    return {};
  };
  hooks.on_alert = [&](const pipeline::Alert&, bool held_back) {
    (held_back ? suppressed : alerts).fetch_add(1, std::memory_order_relaxed);
  };
  hooks.on_finished = [&](const pipeline::sinks::Outputs& finished) {
    std::lock_guard lock(outputs_mutex);
    for (const auto& [name, stats] : finished.stats()) {
      if (name == kSpoolSinkName) spool_sink_stats = stats;
    }
    outputs = nullptr;
  };
  std::fprintf(stderr, "bulwark: agent: delivering to %s\n", upload.url.c_str());
  const int code = runDetectCommand(args.detect, hooks);
  refresher.reset();
  bench_runner.reset();  // a run under way finishes (its own timeouts) and is posted

  // The spool has every alert now; send what the server takes before the bound, keep the rest.
  (*uploader)->stop(kStopBound);
  const auto delivered = (*uploader)->stats();
  const auto left = (*spool)->stats();
  std::fprintf(stderr,
               "bulwark: agent: %llu alert(s) delivered (%llu new, %llu duplicate), %llu refused "
               "by the server, %llu byte(s) left in the spool for the next start\n",
               static_cast<unsigned long long>(delivered.accepted) +
                   static_cast<unsigned long long>(delivered.duplicates),
               static_cast<unsigned long long>(delivered.accepted),
               static_cast<unsigned long long>(delivered.duplicates),
               static_cast<unsigned long long>(delivered.rejected),
               static_cast<unsigned long long>(left.pending_bytes));
  if (!delivered.last_error.empty()) {
    std::fprintf(stderr, "bulwark: agent: last delivery error: %s\n",
                 core::printable(delivered.last_error).c_str());
  }
  return code;
}

}  // namespace

void addAgentCommand(CLI::App& root, Action& action) {
  auto args = std::make_shared<AgentArgs>();
  args->detect.state_dir = "/var/lib/bulwark/agent/state";
  auto* command = root.add_subcommand(
      "agent", "Run the host sensors and rules on this node; deliver alerts to `bulwark serve`");
  command->add_option("--server", args->server, "The server: http(s)://HOST[:PORT]")->required();
  command
      ->add_option("--token-file", args->token_file,
                   "A file whose first line is an ingest token (`bulwark token create "
                   "--role ingest`)")
      ->required();
  command->add_option("--ca", args->ca, "Verify the server's certificate against this CA file");
  command->add_flag("--plain-http", args->plain_http,
                    "Allow an http:// server that is not on loopback (token and alerts in clear)");
  command
      ->add_option("--spool-dir", args->spool_dir,
                   "Alerts wait here until the server has them (kept across restarts)")
      ->capture_default_str();
  command
      ->add_option("--spool-max", args->spool_max,
                   "The spool's size limit; past it the oldest alerts are dropped (counted)")
      ->transform(CLI::AsSizeValue(false))
      ->default_str("256MiB");
  command->add_option("--batch-size", args->batch_size, "At most this many alerts per request")
      ->capture_default_str();
  command
      ->add_option("--batch-wait", args->batch_wait,
                   "A batch waits this long for more alerts (250ms, 1s, …)")
      ->capture_default_str();
  command
      ->add_option("--cluster-addresses", args->cluster_addresses,
                   "auto: read the API server's and the dashboard's addresses (rules "
                   "BW-RT-230/231) from --kubeconfig or, in a pod, its service account; off")
      ->check(CLI::IsMember({"auto", "off"}))
      ->capture_default_str();
  command->add_option("--kubeconfig", args->kubeconfig,
                      "Read the cluster's addresses through this kubeconfig");
  command
      ->add_option("--cluster-refresh", args->cluster_refresh,
                   "Read the cluster's addresses again this often")
      ->capture_default_str();
  command
      ->add_option("--bench", args->bench,
                   "Also check this host on a schedule and post the snapshots to the server: "
                   "docker (its Docker Engine, as `bench docker`), node (its kubelet, as "
                   "`bench k8s --node`; needs --cluster); repeatable or comma-separated")
      ->delimiter(',');
  command->add_option("--bench-interval", args->bench_interval, "How often --bench runs")
      ->capture_default_str();
  command->add_option("--cluster", args->cluster, "The cluster this node is in (--bench node)");
  command
      ->add_option("--host-root", args->host_root,
                   "The host's / for --bench (a container mounts it read-only, e.g. /host)")
      ->capture_default_str();
  command->add_option("--metrics-listen", args->metrics_listen,
                      "Serve Prometheus metrics and /healthz on HOST:PORT (default: off)");
  DetectArgs& detect = args->detect;
  command->add_option("--rules,-r", detect.rules,
                      "Rule file or directory (repeatable; `builtin`: bulwark's own rules, the "
                      "default)");
  command->add_option("--source,-s", detect.sources,
                      "Event source (repeatable; default: ebpf, or proc without BTF, and docker "
                      "when its socket exists); every source of `bulwark detect` works");
  command->add_option("--hostname", detect.hostname,
                      "What alerts call this node (default: the host name; in a pod, pass the "
                      "node's name)");
  command->add_option("--proc-root", detect.proc_root, "The host's /proc")->capture_default_str();
  command->add_option("--docker-host", detect.docker_host,
                      "The Docker socket (unix://PATH; default $DOCKER_HOST, else "
                      "unix:///var/run/docker.sock; none: do not ask)");
  command
      ->add_option("--state-dir", detect.state_dir,
                   "Stateful rules keep their first_seen baselines in DIR/baselines/")
      ->capture_default_str();
  command->add_option("--min-priority", detect.min_priority,
                      "Leave out rules below this priority (default debug)");
  command->add_flag("--first-match", detect.first_match,
                    "Only the first matching rule fires per event (Falco's default)");
  command->add_option("--rate-limit", detect.rate_limit,
                      "At most N alerts per second per rule (N or N/s; event time)");
  command->add_option("--rate-burst", detect.rate_burst,
                      "With --rate-limit: a rule may fire this many at once (default N)");
  command->add_option("--set-intel", detect.set_intel,
                      "NAME=VALUE[,VALUE…]: the content of intel set NAME (repeatable)");
  command->add_option("--output,-o", detect.outputs,
                      "Also send alerts here (repeatable; the outputs of `bulwark detect`)");
  command->add_option("--output-token-file", detect.output_token_file,
                      "HTTP outputs send this file's first line as the bearer token");
  command->add_option("--output-ca", detect.output_ca,
                      "HTTPS outputs verify the server against this CA file");
  command->callback([args, &action] { action = [args] { return runAgent(*args); }; });
}

}  // namespace bulwark::cli
