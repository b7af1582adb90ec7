// Reading and writing `bulwark.node-snapshot/v1`, and importing kubescape host-sensor documents.
//
// The host part (paths, files) has the Docker snapshot's shape and goes through the Docker
// snapshot reader, with its limits and type checks; the kubelet and kube-proxy parts are checked
// here the same way: a bad member makes its fact Malformed (with a diagnostic), never a crash.
#include "checks/k8s/node_snapshot.h"

#include <algorithm>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "checks/k8s/kubelet_config.h"
#include "checks/k8s/yaml_json.h"
#include "core/secret_box.h"
#include "core/text.h"

namespace bulwark::checks::k8s {

namespace {

using docker::FactState;
using docker::FactStatus;
using nlohmann::json;

constexpr int kMaxDepth = 256;
constexpr std::size_t kMaxBytes = 64u << 20;
constexpr std::size_t kMaxArgs = 16'384;
constexpr std::size_t kMaxConfigBytes = 1u << 20;
constexpr std::string_view kMalformed = "node-snapshot.malformed";

json stateJson(const FactState& state) {
  json out = json::object();
  out["status"] = std::string(docker::toString(state.status));
  if (!state.detail.empty()) out["detail"] = state.detail;
  if (!state.source.empty()) out["source"] = state.source;
  return out;
}

json processJson(const NodeSnapshot::Process& process) {
  json out = {{"state", stateJson(process.state)}};
  if (!process.state.ok()) return out;
  out["pid"] = process.pid;
  out["uid"] = process.uid;
  out["argv"] = process.argv;
  if (!process.cwd.empty()) out["cwd"] = process.cwd;
  return out;
}

json configJson(const NodeSnapshot::Config& config) {
  json out = {{"path", config.path}, {"state", stateJson(config.state)}};
  out["doc"] = config.state.ok() ? config.doc : json(nullptr);
  return out;
}

class Reader {
 public:
  explicit Reader(core::Diagnostics& diagnostics) : diagnostics_(diagnostics) {}

  void problem(const std::string& where, std::string_view detail) {
    diagnostics_.add(std::string(kMalformed), where, std::string(detail));
  }

  const json* member(const json& parent, std::string_view key) {
    if (!parent.is_object()) return nullptr;
    const auto it = parent.find(key);
    return it == parent.end() || it->is_null() ? nullptr : &*it;
  }

  std::string string(const json& parent, std::string_view key, const std::string& where) {
    const json* value = member(parent, key);
    if (value == nullptr) return {};
    if (!value->is_string()) {
      problem(where, fmt::format("{} instead of a string", value->type_name()));
      bad_ = true;
      return {};
    }
    return value->get<std::string>();
  }

  FactState state(const json& section, const std::string& where) {
    FactState out;  // NotCollected unless said otherwise
    const json* state = member(section, "state");
    if (state == nullptr) return out;
    if (!state->is_object()) {
      problem(where + ".state", "not an object");
      return {FactStatus::Malformed, "state is not an object", where};
    }
    const std::string status = string(*state, "status", where + ".state.status");
    if (!docker::parseFactStatus(status, out.status)) {
      problem(where + ".state.status",
              fmt::format("unknown status \"{}\"", core::printable(status)));
      return {FactStatus::Malformed, "unknown state", where};
    }
    out.detail = string(*state, "detail", where + ".state.detail");
    out.source = string(*state, "source", where + ".state.source");
    return out;
  }

  void process(const json& root, std::string_view key, NodeSnapshot::Process& out) {
    const std::string where(key);
    const json* section = member(root, key);
    if (section == nullptr) return;
    if (!section->is_object()) {
      problem(where, "not an object");
      out.state = {FactStatus::Malformed, "not an object", where};
      return;
    }
    bad_ = false;
    out.state = state(*section, where);
    if (const json* pid = member(*section, "pid")) {
      if (pid->is_number_integer() && pid->get<std::int64_t>() >= 0 &&
          pid->get<std::int64_t>() <= std::numeric_limits<int>::max()) {
        out.pid = pid->get<int>();
      } else {
        problem(where + ".pid", "not a process id");
        bad_ = true;
      }
    }
    if (const json* uid = member(*section, "uid")) {
      if (uid->is_number_integer() && uid->get<std::int64_t>() >= 0 &&
          uid->get<std::int64_t>() <= std::numeric_limits<std::uint32_t>::max()) {
        out.uid = uid->get<std::uint32_t>();
      } else {
        problem(where + ".uid", "not a user id");
        bad_ = true;
      }
    }
    if (const json* argv = member(*section, "argv")) {
      if (!argv->is_array() || argv->size() > kMaxArgs) {
        problem(where + ".argv", "not an array of at most 16384 strings");
        bad_ = true;
      } else {
        for (const auto& arg : *argv) {
          if (!arg.is_string()) {
            problem(where + ".argv[]", "not a string");
            bad_ = true;
            break;
          }
          out.argv.push_back(arg.get<std::string>());
        }
      }
    }
    out.cwd = string(*section, "cwd", where + ".cwd");
    if (bad_ && out.state.ok()) {
      out.state = {FactStatus::Malformed, "a member has the wrong type", where};
      out.argv.clear();
    }
    if (out.state.ok() && out.argv.empty()) {
      problem(where + ".argv", "empty for a process read");
      out.state = {FactStatus::Malformed, "empty argv", where};
    }
  }

  void config(const json& root, std::string_view key, NodeSnapshot::Config& out) {
    const std::string where(key);
    const json* section = member(root, key);
    if (section == nullptr) return;
    if (!section->is_object()) {
      problem(where, "not an object");
      out.state = {FactStatus::Malformed, "not an object", where};
      return;
    }
    bad_ = false;
    out.path = string(*section, "path", where + ".path");
    out.state = state(*section, where);
    if (bad_ && out.state.ok()) out.state = {FactStatus::Malformed, "bad path", where};
    if (out.state.ok()) {
      const json* doc = member(*section, "doc");
      if (doc == nullptr) {
        problem(where + ".doc", "missing for a config read");
        out.state = {FactStatus::Malformed, "no document", where};
      } else {
        out.doc = *doc;
      }
    }
  }

 private:
  core::Diagnostics& diagnostics_;
  bool bad_ = false;
};

// The host part through the Docker snapshot reader: `{"schema": docker, "hostname", "host"}`.
core::Result<docker::Snapshot> readHostPart(const json& root, core::Diagnostics& diagnostics) {
  json docker_root = json::object();
  docker_root["schema"] = std::string(docker::kSnapshotSchema);
  if (const auto it = root.find("hostname"); it != root.end()) docker_root["hostname"] = *it;
  if (const auto it = root.find("host"); it != root.end()) docker_root["host"] = *it;
  return docker::readSnapshot(docker_root.dump(), diagnostics);
}

// --- host-sensor import ------------------------------------------------------------------------

// "0600" from a permissions number (kubescape writes the decimal value of the mode bits).
void hostSensorFile(const json& entry, std::string_view alias, const std::string& where,
                    NodeSnapshot& node, core::Diagnostics& diagnostics) {
  if (!entry.is_object()) return;
  const auto path = entry.find("path");
  if (path == entry.end() || !path->is_string() || path->get_ref<const std::string&>().empty()) {
    return;
  }
  const std::string file_path = path->get<std::string>();
  auto& paths = node.host.host.paths[std::string(alias)];
  if (std::find(paths.begin(), paths.end(), file_path) == paths.end()) paths.push_back(file_path);
  docker::FileFact fact;
  fact.path = file_path;
  fact.type = "file";
  const auto permissions = entry.find("permissions");
  const auto ownership = entry.find("ownership");
  if (permissions == entry.end() || !permissions->is_number_unsigned() ||
      ownership == entry.end() || !ownership->is_object()) {
    // The document names the file without its facts: known to exist, not stat'ed.
    fact.state = {FactStatus::NotCollected, "the host-sensor document has no file facts", where};
    node.host.host.files.try_emplace(file_path, std::move(fact));
    return;
  }
  fact.state = {FactStatus::Ok, {}, where};
  fact.mode = static_cast<std::uint32_t>(permissions->get<std::uint64_t>() & 07777U);
  const auto id = [&](std::string_view key) -> std::uint32_t {
    const auto it = ownership->find(key);
    return it != ownership->end() && it->is_number_unsigned() &&
                   it->get<std::uint64_t>() <= std::numeric_limits<std::uint32_t>::max()
               ? it->get<std::uint32_t>()
               : 0;
  };
  const auto name = [&](std::string_view key, std::uint32_t fallback) {
    const auto it = ownership->find(key);
    return it != ownership->end() && it->is_string() && !it->get_ref<const std::string&>().empty()
               ? it->get<std::string>()
               : "#" + std::to_string(fallback);
  };
  fact.uid = id("uid");
  fact.gid = id("gid");
  fact.user = name("username", fact.uid);
  fact.group = name("groupname", fact.gid);
  if (!ownership->contains("uid") && !ownership->contains("username")) {
    diagnostics.add("node-snapshot.host-sensor", where, "ownership without uid or username");
  }
  node.host.host.files.insert_or_assign(file_path, std::move(fact));
}

void hostSensorProcess(const json& data, NodeSnapshot::Process& process, std::string_view what) {
  const auto cmdline = data.find("cmdLine");
  if (cmdline == data.end() || !cmdline->is_string()) {
    process.state = {FactStatus::NotCollected, "the host-sensor document has no cmdLine",
                     std::string(what)};
    return;
  }
  process.argv = core::shellWords(cmdline->get<std::string>());
  if (process.argv.size() > kMaxArgs) process.argv.resize(kMaxArgs);
  // Some documents hold the arguments without the program: argv[0] is never a flag.
  if (!process.argv.empty() && process.argv.front().starts_with('-')) {
    process.argv.insert(process.argv.begin(),
                        std::string(what == "KubeletInfo" ? "kubelet" : "kube-proxy"));
  }
  process.state = process.argv.empty()
                      ? FactState{FactStatus::Malformed, "empty cmdLine", std::string(what)}
                      : FactState{FactStatus::Ok, {}, std::string(what) + " cmdLine"};
}

// The config file's content (base64) as the kubelet reads it.
void hostSensorConfig(const json& data, const NodeSnapshot::Process& process,
                      NodeSnapshot::Config& config, core::Diagnostics& diagnostics) {
  const auto flag = process.state.ok() ? kubeFlagValue(process.argv, "--config") : std::nullopt;
  const auto file = data.find("configFile");
  const json* content = nullptr;
  if (file != data.end() && file->is_object()) {
    if (const auto path = file->find("path"); path != file->end() && path->is_string()) {
      config.path = path->get<std::string>();
    }
    if (const auto it = file->find("content"); it != file->end() && it->is_string()) {
      content = &*it;
    }
  }
  if (process.state.ok() && !flag) {
    // The kubelet reads a config file only when --config names one: content captured for a
    // kubelet without it is not its configuration.
    if (content != nullptr) {
      diagnostics.add("node-snapshot.host-sensor", "KubeletInfo configFile",
                      "the command line has no --config: the file is not the kubelet's config");
    }
    config.path.clear();
    config.state = {FactStatus::Missing, "no --config flag", {}};
    return;
  }
  if (config.path.empty() && flag) config.path = *flag;
  if (content == nullptr) {
    // A config file named but not captured cannot be read; no file: flags only.
    config.state = config.path.empty()
                       ? FactState{FactStatus::Missing, "no config file", {}}
                       : FactState{FactStatus::NotCollected,
                                   "the host-sensor document has no content", config.path};
    return;
  }
  if (config.path.empty()) config.path = "(host-sensor configFile)";
  auto bytes = core::base64Decode(content->get_ref<const std::string&>());
  if (!bytes || bytes->size() > kMaxConfigBytes) {
    config.state = {FactStatus::Malformed, "configFile.content is not base64 (or too large)",
                    config.path};
    diagnostics.add("node-snapshot.host-sensor", config.path, config.state.detail);
    return;
  }
  auto doc = yamlToJson(*bytes, YamlLimits{100'000, 64});
  if (!doc) {
    config.state = {FactStatus::Malformed,
                    fmt::format("line {}: {}", doc.error().line, doc.error().message), config.path};
    diagnostics.add("node-snapshot.host-sensor", config.path, config.state.detail);
    return;
  }
  config.doc = std::move(doc->value);
  config.state = {FactStatus::Ok, {}, config.path};
}

}  // namespace

std::string nodeResourceName(const NodeSnapshot& node) {
  return "k8s-node:" + (node.host.hostname.empty() ? std::string("localhost") : node.host.hostname);
}

std::string writeNodeSnapshot(const NodeSnapshot& node) {
  // The host part as the Docker snapshot writes it, keeping only what a node snapshot holds.
  const json docker_root = json::parse(docker::writeSnapshot(node.host));
  json host = json::object();
  for (const std::string_view key : {"root", "paths", "files"}) {
    if (const auto it = docker_root["host"].find(key); it != docker_root["host"].end()) {
      host[std::string(key)] = *it;
    }
  }
  json root = json::object();
  root["schema"] = node.schema;
  root["collected_at"] = node.collected_at;
  root["collector"] = {{"version", node.collector_version}};
  root["hostname"] = node.host.hostname;
  root["host"] = std::move(host);
  root["kubelet"] = processJson(node.kubelet);
  root["proxy"] = processJson(node.proxy);
  root["kubelet_config"] = configJson(node.kubelet_config);
  root["proxy_config"] = configJson(node.proxy_config);
  json diagnostics = json::array();
  for (const auto& d : node.host.diagnostics) {
    diagnostics.push_back({{"kind", d.kind}, {"where", d.where}, {"detail", d.detail}});
  }
  root["diagnostics"] = std::move(diagnostics);
  return root.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

core::Result<NodeSnapshot> readNodeSnapshot(std::string_view text, core::Diagnostics& diagnostics) {
  if (text.size() > kMaxBytes) {
    return core::fail(core::ErrorCode::Limit, "node snapshot is {} bytes, more than the {} allowed",
                      text.size(), kMaxBytes);
  }
  if (!core::jsonNestingWithin(text, kMaxDepth)) {
    return core::fail(core::ErrorCode::Limit, "node snapshot nests deeper than {} levels",
                      kMaxDepth);
  }
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& error) {
    return core::fail(core::ErrorCode::Input, "node snapshot is not JSON: {}", error.what());
  }
  if (!root.is_object())
    return core::fail(core::ErrorCode::Input, "node snapshot is not an object");
  const auto schema = root.find("schema");
  if (schema == root.end() || !schema->is_string()) {
    return core::fail(core::ErrorCode::Input, "not a node snapshot: no \"schema\" (expected {})",
                      kNodeSnapshotSchema);
  }
  if (schema->get_ref<const std::string&>() != kNodeSnapshotSchema) {
    return core::fail(core::ErrorCode::Input, "snapshot schema {} is not {}", schema->dump(),
                      kNodeSnapshotSchema);
  }
  NodeSnapshot node;
  auto host = readHostPart(root, diagnostics);
  if (!host) return tl::unexpected(host.error());
  node.host = std::move(*host);
  Reader reader(diagnostics);
  node.collected_at = reader.string(root, "collected_at", "collected_at");
  if (const json* collector = reader.member(root, "collector"); collector != nullptr) {
    node.collector_version = reader.string(*collector, "version", "collector.version");
  }
  reader.process(root, "kubelet", node.kubelet);
  reader.process(root, "proxy", node.proxy);
  reader.config(root, "kubelet_config", node.kubelet_config);
  reader.config(root, "proxy_config", node.proxy_config);
  if (const json* list = reader.member(root, "diagnostics"); list != nullptr && list->is_array()) {
    for (const auto& item : *list) {
      if (!item.is_object()) continue;
      core::Diagnostic d;
      d.kind = reader.string(item, "kind", "diagnostics[].kind");
      d.where = reader.string(item, "where", "diagnostics[].where");
      d.detail = reader.string(item, "detail", "diagnostics[].detail");
      node.host.diagnostics.push_back(std::move(d));
    }
  }
  return node;
}

core::Result<NodeSnapshot> nodeSnapshotFromHostSensor(std::string_view text,
                                                      core::Diagnostics& diagnostics) {
  if (text.size() > kMaxBytes) {
    return core::fail(core::ErrorCode::Limit, "host-sensor input is {} bytes, more than {}",
                      text.size(), kMaxBytes);
  }
  if (!core::jsonNestingWithin(text, kMaxDepth)) {
    return core::fail(core::ErrorCode::Limit, "host-sensor input nests too deep");
  }
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& error) {
    return core::fail(core::ErrorCode::Input, "host-sensor input is not JSON: {}", error.what());
  }
  std::vector<const json*> docs;
  if (root.is_array()) {
    for (const auto& item : root) docs.push_back(&item);
  } else {
    docs.push_back(&root);
  }
  NodeSnapshot node;
  node.host.hostname = "host-sensor";
  node.kubelet.state = {FactStatus::NotCollected, "no KubeletInfo document", {}};
  node.proxy.state = {FactStatus::NotCollected, "no KubeProxyInfo document", {}};
  bool found = false;
  for (const json* doc : docs) {
    if (!doc->is_object()) continue;
    const auto kind = doc->find("kind");
    const auto data = doc->find("data");
    if (kind == doc->end() || !kind->is_string() || data == doc->end() || !data->is_object()) {
      continue;
    }
    const auto& name = kind->get_ref<const std::string&>();
    if (name != "KubeletInfo" && name != "KubeProxyInfo") continue;
    found = true;
    if (const auto meta = doc->find("metadata"); meta != doc->end() && meta->is_object()) {
      if (const auto n = meta->find("name"); n != meta->end() && n->is_string()) {
        node.host.hostname = n->get<std::string>();
      }
    }
    if (name == "KubeletInfo") {
      hostSensorProcess(*data, node.kubelet, "KubeletInfo");
      hostSensorConfig(*data, node.kubelet, node.kubelet_config, diagnostics);
      if (const auto it = data->find("configFile"); it != data->end()) {
        hostSensorFile(*it, kKubeletConfigAlias, "KubeletInfo configFile", node, diagnostics);
      }
      if (const auto it = data->find("kubeConfigFile"); it != data->end()) {
        hostSensorFile(*it, kKubeletKubeconfigAlias, "KubeletInfo kubeConfigFile", node,
                       diagnostics);
      }
      if (const auto it = data->find("clientCAFile"); it != data->end()) {
        hostSensorFile(*it, kKubeletClientCaAlias, "KubeletInfo clientCAFile", node, diagnostics);
      }
      if (const auto it = data->find("serviceFiles"); it != data->end() && it->is_array()) {
        for (const auto& file : *it) {
          hostSensorFile(file, kKubeletServiceAlias, "KubeletInfo serviceFiles", node, diagnostics);
        }
      }
    } else {
      hostSensorProcess(*data, node.proxy, "KubeProxyInfo");
      node.proxy_config.state = {FactStatus::Missing, "no config file", {}};
      if (const auto flag =
              node.proxy.state.ok() ? kubeFlagValue(node.proxy.argv, "--config") : std::nullopt) {
        node.proxy_config.path = *flag;
        node.proxy_config.state = {FactStatus::NotCollected,
                                   "the host-sensor document has no config content", *flag};
      }
      if (const auto it = data->find("kubeConfigFile"); it != data->end()) {
        hostSensorFile(*it, kProxyKubeconfigAlias, "KubeProxyInfo kubeConfigFile", node,
                       diagnostics);
      }
    }
  }
  if (!found) {
    return core::fail(core::ErrorCode::Input, "no KubeletInfo or KubeProxyInfo document");
  }
  return node;
}

}  // namespace bulwark::checks::k8s
