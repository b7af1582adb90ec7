// The daemon's effective configuration: for each option dockerd has, the value that applies
// and where it came from — a dockerd flag (highest), daemon.json, or Docker's default (only
// when both sources were read). The options are listed once, in daemon_options.def.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/docker/snapshot.h"
#include "core/diagnostic.h"

namespace bulwark::checks::docker {

enum class OptionType { Bool, String, List, Map };

struct DaemonOption {
  std::string_view key;    // the daemon.json key: "icc", "insecure-registries"
  std::string_view flags;  // "--icc", "-l, --log-level"
  OptionType type = OptionType::String;
  std::string_view
      fallback;  // Docker's default as text ("true", "info", "" …; lists: comma-joined)
};

// The options of daemon_options.def, in that order.
std::span<const DaemonOption> daemonOptions();
const DaemonOption* findDaemonOption(std::string_view key);

struct OptionValue {
  enum class Origin { Flag, File, Default, Unknown };
  Origin origin = Origin::Unknown;
  // Bool/String: one value; List: each element; Map: "name=value" per entry, sorted.
  std::vector<std::string> values;
  std::string where;  // "dockerd flag --icc=false", "daemon.json `icc`", "Docker default"
  // Origin Unknown: the state of the source that could not be read (its status is the cause).
  FactState unread;
};

struct DaemonConfig {
  std::map<std::string, OptionValue, std::less<>> options;  // every daemonOptions() key
  [[nodiscard]] const OptionValue* find(std::string_view key) const;
};

// Combines dockerd's argv (argv[0] is the program) and daemon.json with pflag's rules: `--x=v`,
// `--x v`, `-l v`, repeated list flags accumulate, booleans `--x` / `--x=false`, the last
// scalar wins. An option in both → a diagnostic (dockerd refuses to start) and the flag wins.
DaemonConfig effectiveConfig(const Snapshot::Host::Dockerd& dockerd,
                             const Snapshot::Host::DaemonJson& daemon_json,
                             core::Diagnostics& diagnostics);

}  // namespace bulwark::checks::docker
