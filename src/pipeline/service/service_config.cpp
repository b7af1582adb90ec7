#include "pipeline/service/service_config.h"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "core/yaml_config.h"

extern char** environ;  // NOLINT(readability-identifier-naming): POSIX

namespace bulwark::pipeline {

namespace {

constexpr std::size_t kMaxConfigBytes = 1U << 20;

core::Result<std::int64_t> parseInteger(std::string_view text) {
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) {
    return core::fail(core::ErrorCode::Usage, "'{}' is not a whole number", text);
  }
  return value;
}

core::Result<bool> parseBool(std::string_view text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  return core::fail(core::ErrorCode::Usage, "'{}' is not true or false", text);
}

core::Result<std::chrono::seconds> parseSeconds(std::string_view text) {
  auto duration = parseDuration(text);
  if (!duration) return tl::unexpected(duration.error());
  return std::chrono::duration_cast<std::chrono::seconds>(*duration);
}

// Reads the YAML keys of one document into `config`, collecting every problem.
class YamlReader {
 public:
  YamlReader(ServiceConfig& config, std::string_view where) : config_(config), errors_(where) {}

  core::Status read(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull()) return {};
    if (!root.IsMap()) {
      errors_.add(root, "the configuration must be a mapping of keys");
      return finish();
    }
    for (const auto& entry : root) {
      const auto key = entry.first.Scalar();
      const auto& value = entry.second;
      if (key == "listen") {
        scalar(value, config_.listen);
      } else if (key == "tls") {
        mapping(value, [&](const std::string& k, const YAML::Node& v) {
          if (k == "cert") return scalar(v, config_.tls_cert);
          if (k == "key") return scalar(v, config_.tls_key);
          return unknown(v, "tls." + k);
        });
      } else if (key == "store") {
        scalar(value, config_.store);
      } else if (key == "secret_key_file") {
        scalar(value, config_.secret_key_file);
      } else if (key == "database") {
        scalar(value, config_.database);
      } else if (key == "workers") {
        integer(value, config_.workers, 0, 64);
      } else if (key == "limits") {
        mapping(value, [&](const std::string& k, const YAML::Node& v) {
          if (k == "max_body_bytes") return integer(v, config_.max_body_bytes, 1024, 1ULL << 30);
          if (k == "requests_per_second") return number(v, config_.requests_per_second);
          if (k == "burst") return number(v, config_.burst);
          return unknown(v, "limits." + k);
        });
      } else if (key == "jobs") {
        mapping(value, [&](const std::string& k, const YAML::Node& v) {
          if (k == "lease") return duration(v, config_.lease);
          if (k == "max_attempts") return integer(v, config_.max_attempts, 1, 100);
          return unknown(v, "jobs." + k);
        });
      } else if (key == "poll") {
        mapping(value, [&](const std::string& k, const YAML::Node& v) {
          if (k == "interval") return seconds(v, config_.poll_interval);
          return unknown(v, "poll." + k);
        });
      } else if (key == "db_update") {
        mapping(value, [&](const std::string& k, const YAML::Node& v) {
          if (k == "interval") return seconds(v, config_.db_update_interval);
          if (k == "feeds_file") return scalar(v, config_.db_update_feeds_file);
          if (k == "mirror") return scalar(v, config_.db_update_mirror);
          return unknown(v, "db_update." + k);
        });
      } else if (key == "reevaluate") {
        mapping(value, [&](const std::string& k, const YAML::Node& v) {
          if (k == "check_interval") return duration(v, config_.reevaluate_check_interval);
          return unknown(v, "reevaluate." + k);
        });
      } else if (key == "quarantine") {
        quarantine(value);
      } else if (key == "posture") {
        mapping(value, [&](const std::string& k, const YAML::Node& v) {
          auto& posture = config_.posture;
          if (k == "alert_window") return duration(v, posture.alert_window);
          if (k == "sensor_timeout") return duration(v, posture.sensor_timeout);
          if (k == "scan_max_age") return duration(v, posture.scan_max_age);
          if (k == "scan_grace") return duration(v, posture.scan_grace);
          if (k == "agents") {
            return mapping(v, [&](const std::string& agent, const YAML::Node& cluster) {
              scalar(cluster, posture.agents[agent]);
            });
          }
          if (k == "docker") return dockerTargets(v);
          if (k == "kubernetes") return kubernetesTargets(v);
          return unknown(v, "posture." + k);
        });
      } else if (key == "admission") {
        mapping(value, [&](const std::string& k, const YAML::Node& v) {
          auto& admission = config_.admission;
          if (k == "allowed_registries") return strings(v, k, admission.allowed_registries);
          if (k == "audit_only") return boolean(v, admission.audit_only);
          if (k == "require_scanned") return boolean(v, admission.require_scanned);
          return unknown(v, "admission." + k);
        });
      } else {
        unknown(value, key);
      }
    }
    return finish();
  }

 private:
  core::Status finish() {
    if (errors_.empty()) return {};
    return core::fail(core::ErrorCode::Usage, errors_.message());
  }

  template <typename Fn>
  void mapping(const YAML::Node& node, Fn&& fn) {
    if (node.IsNull()) return;
    if (!node.IsMap()) {
      errors_.add(node, "expected a mapping");
      return;
    }
    for (const auto& entry : node) fn(entry.first.Scalar(), entry.second);
  }

  void unknown(const YAML::Node& node, const std::string& key) {
    errors_.add(node, "unknown key '" + key + "'");
  }

  void scalar(const YAML::Node& node, std::string& out) {
    if (!node.IsScalar()) {
      errors_.add(node, "expected a single value");
      return;
    }
    out = node.Scalar();
  }

  template <typename Int>
  void integer(const YAML::Node& node, Int& out, std::int64_t min, std::uint64_t max) {
    std::string text;
    scalar(node, text);
    if (text.empty()) return;
    auto value = parseInteger(text);
    if (!value || *value < min || static_cast<std::uint64_t>(*value) > max) {
      errors_.add(node, fmt::format("expected a whole number from {} to {}", min, max));
      return;
    }
    out = static_cast<Int>(*value);
  }

  void number(const YAML::Node& node, double& out) {
    try {
      out = node.as<double>();
      if (out <= 0) errors_.add(node, "expected a positive number");
    } catch (const YAML::Exception&) {
      errors_.add(node, "expected a number");
    }
  }

  void boolean(const YAML::Node& node, bool& out) {
    std::string text;
    scalar(node, text);
    if (text.empty()) return;
    auto value = parseBool(text);
    if (!value) {
      errors_.add(node, value.error().message);
      return;
    }
    out = *value;
  }

  void duration(const YAML::Node& node, std::chrono::milliseconds& out) {
    std::string text;
    scalar(node, text);
    if (text.empty()) return;
    auto value = parseDuration(text);
    if (!value) {
      errors_.add(node, value.error().message);
      return;
    }
    out = *value;
  }

  void seconds(const YAML::Node& node, std::chrono::seconds& out) {
    std::chrono::milliseconds value{};
    duration(node, value);
    out = std::chrono::duration_cast<std::chrono::seconds>(value);
  }

  void strings(const YAML::Node& node, std::string_view key, std::vector<std::string>& out) {
    out = core::yamlStrings(
        node, key, [&](const YAML::Node& at, std::string_view what) { errors_.add(at, what); });
  }

  void quarantine(const YAML::Node& node) {
    mapping(node, [&](const std::string& k, const YAML::Node& v) {
      if (k == "mappings") return mappings(v);
      if (k == "policy") return policy(v);
      return unknown(v, "quarantine." + k);
    });
  }

  void mappings(const YAML::Node& node) {
    if (!node.IsSequence()) {
      errors_.add(node, "quarantine.mappings must be a list");
      return;
    }
    config_.quarantine.clear();
    for (const auto& item : node) {
      QuarantineMapping mapping_entry;
      mapping(item, [&](const std::string& k, const YAML::Node& v) {
        if (k == "registry") return scalar(v, mapping_entry.registry);
        if (k == "from") return scalar(v, mapping_entry.from);
        if (k == "to") return scalar(v, mapping_entry.to);
        return unknown(v, "quarantine.mappings." + k);
      });
      if (mapping_entry.from.empty() || mapping_entry.to.empty()) {
        errors_.add(item, "a quarantine mapping needs 'from' and 'to'");
        continue;
      }
      config_.quarantine.push_back(std::move(mapping_entry));
    }
  }

  // A collection interval: at least a minute (the collectors are not free for the host).
  void interval(const YAML::Node& node, std::chrono::milliseconds& out) {
    std::chrono::milliseconds value = out;
    duration(node, value);
    if (value < std::chrono::minutes(1)) {
      errors_.add(node, "an interval of at least 1m");
      return;
    }
    out = value;
  }

  void dockerTargets(const YAML::Node& node) {
    if (!node.IsSequence()) {
      errors_.add(node, "posture.docker must be a list");
      return;
    }
    config_.posture.docker.clear();
    for (const auto& item : node) {
      DockerTargetConfig target;
      mapping(item, [&](const std::string& k, const YAML::Node& v) {
        if (k == "endpoint") return scalar(v, target.endpoint);
        if (k == "name") return scalar(v, target.name);
        if (k == "host_root") return scalar(v, target.host_root);
        if (k == "interval") return interval(v, target.interval);
        return unknown(v, "posture.docker." + k);
      });
      if (!target.endpoint.empty() && !target.endpoint.starts_with("unix://")) {
        errors_.add(item, "a Docker endpoint is unix:///PATH");
        continue;
      }
      config_.posture.docker.push_back(std::move(target));
    }
  }

  void kubernetesTargets(const YAML::Node& node) {
    if (!node.IsSequence()) {
      errors_.add(node, "posture.kubernetes must be a list");
      return;
    }
    config_.posture.kubernetes.clear();
    std::set<std::string> names;
    for (const auto& item : node) {
      KubernetesTargetConfig target;
      mapping(item, [&](const std::string& k, const YAML::Node& v) {
        if (k == "name") return scalar(v, target.name);
        if (k == "kubeconfig") return scalar(v, target.kubeconfig);
        if (k == "context") return scalar(v, target.context);
        if (k == "namespaces") return strings(v, k, target.namespaces);
        if (k == "kubelet_configz") return boolean(v, target.kubelet_configz);
        if (k == "timeout") return duration(v, target.timeout);
        if (k == "interval") return interval(v, target.interval);
        return unknown(v, "posture.kubernetes." + k);
      });
      if (target.name.empty()) {
        errors_.add(item, "a Kubernetes target needs its cluster's 'name'");
        continue;
      }
      if (!names.insert(target.name).second) {
        errors_.add(item, "the cluster '" + target.name + "' is listed twice");
        continue;
      }
      if (target.timeout <= std::chrono::milliseconds(0) ||
          target.timeout > std::chrono::hours(1)) {
        errors_.add(item, "a timeout between 1ms and 1h");
        continue;
      }
      config_.posture.kubernetes.push_back(std::move(target));
    }
  }

  void policy(const YAML::Node& node) {
    auto& policy_config = config_.policy;
    mapping(node, [&](const std::string& k, const YAML::Node& v) {
      if (k == "severity") return strings(v, k, policy_config.severities);
      if (k == "ignore_unfixed") return boolean(v, policy_config.ignore_unfixed);
      if (k == "ignore_file") return scalar(v, policy_config.ignore_file);
      if (k == "vex") return strings(v, k, policy_config.vex);
      if (k == "max_scan_age") return seconds(v, policy_config.max_scan_age);
      return unknown(v, "quarantine.policy." + k);
    });
  }

  ServiceConfig& config_;
  core::YamlErrors errors_;
};

}  // namespace

core::Result<std::pair<std::string, int>> ServiceConfig::listenAddress() const {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return core::fail(core::ErrorCode::Usage, "listen address '{}' is not HOST:PORT", listen);
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  auto port = parseInteger(std::string_view(listen).substr(colon + 1));
  if (!port || *port < 0 || *port > 65535) {
    return core::fail(core::ErrorCode::Usage, "listen address '{}': bad port", listen);
  }
  return std::pair{host, static_cast<int>(*port)};
}

core::Result<std::chrono::milliseconds> parseDuration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 12) {
    return core::fail(core::ErrorCode::Usage, "'{}' is not a duration (e.g. 90s, 5m, 24h)", text);
  }
  auto value = parseInteger(text.substr(0, digits));
  if (!value) return tl::unexpected(value.error());
  const auto unit = text.substr(digits);
  using std::chrono::milliseconds;
  if (unit == "ms") return milliseconds(*value);
  if (unit.empty() || unit == "s") return milliseconds(*value * 1000);
  if (unit == "m") return milliseconds(*value * 60'000);
  if (unit == "h") return milliseconds(*value * 3'600'000);
  if (unit == "d") return milliseconds(*value * 86'400'000);
  return core::fail(core::ErrorCode::Usage, "'{}': unknown unit (ms, s, m, h, d)", text);
}

core::Status applyConfigYaml(ServiceConfig& config, std::string_view yaml, std::string_view where) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return core::fail(core::ErrorCode::Usage, "{}:{}: {}", where, e.mark.line + 1, e.msg);
  }
  return YamlReader(config, where).read(root);
}

core::Status applyConfigFile(ServiceConfig& config, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(core::ErrorCode::NotFound, "{}: cannot open the file", path);
  std::string text(kMaxConfigBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxConfigBytes) {
    return core::fail(core::ErrorCode::Limit, "{}: larger than {} bytes", path, kMaxConfigBytes);
  }
  return applyConfigYaml(config, text, path);
}

core::Status applyConfigEnvironment(ServiceConfig& config,
                                    const std::map<std::string, std::string>& environment) {
  auto get = [&](const char* name) -> const std::string* {
    const auto found = environment.find(name);
    return found == environment.end() ? nullptr : &found->second;
  };
  auto bad = [](const char* name, const core::Error& error) {
    return core::fail(core::ErrorCode::Usage, "{}: {}", name, error.message);
  };
  if (const auto* v = get("BULWARK_LISTEN")) config.listen = *v;
  if (const auto* v = get("BULWARK_TLS_CERT")) config.tls_cert = *v;
  if (const auto* v = get("BULWARK_TLS_KEY")) config.tls_key = *v;
  if (const auto* v = get("BULWARK_STORE")) config.store = *v;
  if (const auto* v = get("BULWARK_SECRET_KEY_FILE")) config.secret_key_file = *v;
  if (const auto* v = get("BULWARK_DB")) config.database = *v;
  if (const auto* v = get("BULWARK_WORKERS")) {
    auto n = parseInteger(*v);
    if (!n || *n < 0 || *n > 64) {
      return core::fail(core::ErrorCode::Usage, "BULWARK_WORKERS: expected 0 to 64");
    }
    config.workers = static_cast<int>(*n);
  }
  if (const auto* v = get("BULWARK_POLL_INTERVAL")) {
    auto d = parseSeconds(*v);
    if (!d) return bad("BULWARK_POLL_INTERVAL", d.error());
    config.poll_interval = *d;
  }
  if (const auto* v = get("BULWARK_DB_UPDATE_INTERVAL")) {
    auto d = parseSeconds(*v);
    if (!d) return bad("BULWARK_DB_UPDATE_INTERVAL", d.error());
    config.db_update_interval = *d;
  }
  return {};
}

std::map<std::string, std::string> bulwarkEnvironment() {
  std::map<std::string, std::string> out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (!text.starts_with("BULWARK_")) continue;
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    out.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return out;
}

}  // namespace bulwark::pipeline
