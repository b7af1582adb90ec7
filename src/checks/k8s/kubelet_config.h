// The effective configuration of a node's kubelet (and kube-proxy): for each option of
// kubelet_options.def, the value that applies and where it came from — a command-line flag
// (highest, the kubelet's own rule and kube-bench's), the config file `--config` names, or the
// component's default, which differs for a few kubelet options between a kubelet started with a
// config file and one started from flags only. The same idea as the dockerd configuration
// (docker/daemon_config.h), whose OptionValue it shares. docs/dev/k8s-design.md §5.3.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/docker/daemon_config.h"
#include "checks/docker/snapshot.h"
#include "core/diagnostic.h"

namespace bulwark::checks::k8s {

enum class Component { Kubelet, Proxy };
enum class KubeOptionType { Bool, String, Int, Duration, List, Gate };
enum class KubeOptionSource { Both, FlagOnly, FileOnly };

struct KubeOption {
  Component component = Component::Kubelet;
  std::string_view key;   // config-file path ("readOnlyPort"); flag-only: the flag's name
  std::string_view flag;  // "--read-only-port"; "" when the option has no flag
  KubeOptionType type = KubeOptionType::String;
  KubeOptionSource source = KubeOptionSource::Both;
  std::string_view with_config;  // default when `--config` is given (lists: comma-joined)
  std::string_view flags_only;   // default when it is not
};

std::string_view toString(Component component);  // "kubelet", "kube-proxy"

// The rows of kubelet_options.def, in that order; those of one component.
std::span<const KubeOption> kubeOptions();
std::vector<const KubeOption*> kubeOptions(Component component);
const KubeOption* findKubeOption(Component component, std::string_view key);

using OptionValue = docker::OptionValue;

struct ComponentConfig {
  Component component = Component::Kubelet;
  bool config_file = false;  // the command line names a config file (`--config`)
  // Every kubeOptions(component) key. Values: Bool "true"/"false", Int decimal, Duration whole
  // seconds, String as is, List each element, Gate "true"/"false".
  std::map<std::string, OptionValue, std::less<>> options;
  [[nodiscard]] const OptionValue* find(std::string_view key) const;
};
using KubeletConfig = ComponentConfig;

// One process's inputs: its argv (argv[0] the program; for hyperkube, argv[1] "kubelet" is
// skipped) with the state of reading it, and its config file as read (YAML or JSON → JSON).
struct ComponentInputs {
  const std::vector<std::string>* argv = nullptr;
  docker::FactState argv_state;
  std::string config_path;  // as the flag gave it; empty: no config file
  docker::FactState config_state;
  const nlohmann::json* config_doc = nullptr;  // null unless config_state is ok
  // The document is the component's effective configuration as it reports it (the kubelet's
  // /configz): flags are already merged into it, an option it leaves out (Go's omitempty) has
  // the config-file default, and a flag-only option is unknown with argv_state.
  bool effective = false;
};

// Flags are parsed with pflag's rules (`--x=v`, `--x v`, booleans `--x` / `--x=false`, `_` in
// a name read as `-`, the last occurrence wins, `--feature-gates` entries merge, a flag's gate
// overrides the file's). A default is used only when every source that could set the option
// was read (argv ok; the config file ok, or not in use); otherwise the option's origin is
// Unknown with the unread source's state (a Missing argv: no such process). A value of the
// wrong type is Unknown/Malformed with a diagnostic — never a default.
ComponentConfig effectiveComponentConfig(Component component, const ComponentInputs& inputs,
                                         core::Diagnostics& diagnostics);

// The value of a flag in argv (the last occurrence; `--x=v` or `--x v`), as pflag reads it.
std::optional<std::string> kubeFlagValue(const std::vector<std::string>& argv,
                                         std::string_view flag);

// A Go duration ("4h0m0s", "1.5h", "300ms", "-1s", "0") in nanoseconds; nullopt when it is not
// one (or overflows).
std::optional<std::int64_t> parseGoDuration(std::string_view text);

}  // namespace bulwark::checks::k8s
