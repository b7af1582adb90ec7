// daemon.json: dockerd's --config-file, else /etc/docker/daemon.json, under the host root.
// An absent file is the fact `missing` (Docker's defaults apply), not an error.
#include "checks/docker/collect/collectors.h"
#include "checks/docker/collect/host_facts.h"
#include "core/text.h"

namespace bulwark::checks::docker::collect {
namespace {

constexpr std::size_t kMaxDaemonJson = 1u << 20;
constexpr int kMaxDepth = 64;

}  // namespace

void collectDaemonJson(const CollectOptions& options, Snapshot& snapshot) {
  auto& daemon_json = snapshot.host.daemon_json;
  daemon_json = {};
  std::optional<std::string> flag;
  if (snapshot.host.dockerd.state.ok()) flag = configFileFlag(snapshot.host.dockerd.argv);
  daemon_json.path = flag && !flag->empty() ? *flag : std::string("/etc/docker/daemon.json");
  const auto real = underRoot(options.host_root, daemon_json.path);
  const FileRead read = readHostFile(real, kMaxDaemonJson);
  daemon_json.state = read.state;
  daemon_json.state.source = daemon_json.path;
  if (!read.state.ok()) return;
  const bool shallow = core::jsonNestingWithin(read.text, kMaxDepth);
  auto doc = shallow ? nlohmann::json::parse(read.text, nullptr, false)
                     : nlohmann::json(nlohmann::json::value_t::discarded);
  if (doc.is_discarded() || !doc.is_object()) {
    daemon_json.state.status = FactStatus::Malformed;
    daemon_json.state.detail = "not a JSON object";
    return;
  }
  daemon_json.doc = std::move(doc);
}

}  // namespace bulwark::checks::docker::collect
