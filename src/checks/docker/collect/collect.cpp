// Runs the collectors in order: the Engine API first (the dockerd search prefers the daemon on
// the endpoint's socket; the data-root alias prefers /info), then dockerd and daemon.json, whose
// effective configuration names the files, the group and the sockets the host collectors read.
#include "checks/docker/collect/collect.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>

#include "checks/docker/collect/collectors.h"
#include "checks/docker/collect/engine_client.h"
#include "checks/docker/collect/host_facts.h"
#include "checks/docker/daemon_config.h"
#include "core/date.h"
#include "core/text.h"

namespace bulwark::checks::docker {
namespace {

std::optional<std::string> ownContainerId() {
  const auto cgroup = collect::readHostFile("/proc/self/cgroup", 1u << 20);
  const auto mountinfo = collect::readHostFile("/proc/self/mountinfo", 16u << 20);
  return collect::selfContainerId(cgroup.state.ok() ? cgroup.text : std::string(),
                                  mountinfo.state.ok() ? mountinfo.text : std::string());
}

}  // namespace

core::Result<Snapshot> collectDocker(const CollectOptions& given) {
  CollectOptions options = given;
  if (options.endpoint.empty()) options.endpoint = std::string(kDefaultEndpoint);
  if (options.host_root.empty()) options.host_root.push_back('/');  // (GCC 12 -Wrestrict)
  if (options.timeout.count() <= 0) {
    return core::fail(core::ErrorCode::Usage, "the Engine API timeout must be positive");
  }
  EngineClient::Options client_options;
  client_options.timeout = options.timeout;
  client_options.connect_timeout = std::min(options.timeout, std::chrono::milliseconds(2000));
  auto client = EngineClient::open(options.endpoint, client_options);
  if (!client) return tl::unexpected(client.error());

  Snapshot snapshot;
  snapshot.collected_at = core::nowUtc();
  snapshot.collector_version = options.tool_version;
  snapshot.collector_uid = ::geteuid();
  snapshot.hostname = collect::hostnameOf(options.host_root);
  snapshot.engine.endpoint = options.endpoint;
  snapshot.host.root = options.host_root;
  core::Diagnostics diagnostics;

  collect::collectEngine(**client, options, ownContainerId(), snapshot, diagnostics);
  collect::collectProcesses(**client, options, snapshot);
  collect::collectDockerd(options, (*client)->socketPath(), snapshot);
  collect::collectDaemonJson(options, snapshot);
  core::Diagnostics config_diagnostics;  // the evaluator reports them from the snapshot
  const DaemonConfig config =
      effectiveConfig(snapshot.host.dockerd, snapshot.host.daemon_json, config_diagnostics);
  collect::collectSystemdUnits(options, snapshot);
  collect::collectHostFiles(options, config, snapshot, diagnostics);
  std::string group = "docker";
  if (const OptionValue* value = config.find("group");
      value != nullptr && value->origin != OptionValue::Origin::Unknown && !value->values.empty() &&
      !value->values.front().empty()) {
    group = value->values.front();
  }
  collect::collectDockerGroup(options, group, snapshot, diagnostics);
  collect::collectAuditRules(options, snapshot, diagnostics);
  collect::collectListening(options, snapshot, diagnostics);
  collect::collectMountinfo(options, snapshot, diagnostics);
  const char* trust = std::getenv("DOCKER_CONTENT_TRUST");
  snapshot.host.environment["DOCKER_CONTENT_TRUST"] =
      trust != nullptr ? std::optional<std::string>(trust) : std::nullopt;
  snapshot.diagnostics = diagnostics.sorted();
  return snapshot;
}

}  // namespace bulwark::checks::docker
