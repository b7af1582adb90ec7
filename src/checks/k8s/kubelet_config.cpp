// The effective kubelet and kube-proxy configuration: flags (as spf13/pflag parses them) over
// the config file over the component's defaults, one OptionValue per row of
// kubelet_options.def. docs/dev/k8s-design.md §5.3.
#include "checks/k8s/kubelet_config.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "core/text.h"

namespace bulwark::checks::k8s {

namespace {

using docker::FactState;
using docker::FactStatus;

constexpr std::array kOptions = {
#define BULWARK_KUBE_OPTION(component, key, flag, type, source, with_config, flags_only) \
  KubeOption{Component::component,     key,         flag,      KubeOptionType::type,     \
             KubeOptionSource::source, with_config, flags_only},
#include "checks/k8s/kubelet_options.def"
#undef BULWARK_KUBE_OPTION
};

constexpr std::string_view kFeatureGates = "feature-gates";

// strconv.ParseBool, which pflag uses for boolean flags.
std::optional<bool> parseBool(std::string_view text) {
  if (text == "1" || text == "t" || text == "T" || text == "true" || text == "TRUE" ||
      text == "True") {
    return true;
  }
  if (text == "0" || text == "f" || text == "F" || text == "false" || text == "FALSE" ||
      text == "False") {
    return false;
  }
  return std::nullopt;
}

// strconv.ParseInt(text, 0, 64) for decimal text with an optional sign (what flags carry).
std::optional<std::int64_t> parseInt(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  const auto magnitude = core::parseUnsigned(text);
  if (!magnitude) return std::nullopt;
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (*magnitude > kMax + (negative ? 1 : 0)) return std::nullopt;
  if (negative) {
    return *magnitude == kMax + 1 ? std::numeric_limits<std::int64_t>::min()
                                  : -static_cast<std::int64_t>(*magnitude);
  }
  return static_cast<std::int64_t>(*magnitude);
}

// Nanoseconds → whole seconds, a positive remainder rounded up: "300ms" must never look like 0
// (no timeout) to a check.
std::int64_t secondsOf(std::int64_t nanoseconds) {
  constexpr std::int64_t kSecond = 1'000'000'000;
  std::int64_t seconds = nanoseconds / kSecond;
  if (nanoseconds % kSecond > 0) ++seconds;
  return seconds;
}

std::string normalisedName(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

// What the command line said about one option (or one feature gate).
struct FlagUse {
  std::vector<std::string> values;  // each occurrence's value (List: each element), in order
  std::string written;              // the last occurrence as evidence shows it
  std::string problem;              // set when the component would refuse the flag
};

class ArgvParser {
 public:
  ArgvParser(Component component, const std::vector<std::string>& argv)
      : component_(component), argv_(argv) {}

  // Per option row index (into kOptions), and per feature gate name.
  std::map<std::size_t, FlagUse> uses;
  std::map<std::string, FlagUse, std::less<>> gates;

  void parse() {
    std::size_t first = 1;
    // `hyperkube kubelet …`: the subcommand is not a flag.
    if (argv_.size() > 1 && !argv_[1].starts_with('-')) first = 2;
    for (next_ = first; next_ < argv_.size();) {
      const std::string_view arg = argv_[next_++];
      if (arg == "--") break;
      if (arg.size() < 2 || arg[0] != '-') continue;
      if (arg[1] != '-') {
        // Shorthands (-v=2, -v 2 for klog's verbosity): none of them is an option we read.
        if (arg.size() == 2 && next_ < argv_.size() && !argv_[next_].starts_with('-')) ++next_;
        continue;
      }
      longFlag(arg.substr(2));
    }
  }

 private:
  void longFlag(std::string_view body) {
    const auto eq = body.find('=');
    const std::string name = normalisedName(body.substr(0, eq));
    const std::optional<std::string_view> inline_value =
        eq == std::string_view::npos ? std::nullopt : std::optional(body.substr(eq + 1));
    if (name == kFeatureGates && hasGateRows()) {
      const auto value = valueOf(inline_value);
      if (value) featureGates(*value);
      return;
    }
    const std::size_t row = rowOf(name);
    if (row == kOptions.size()) {
      // Unknown to us: its value is the next word unless that is a flag itself.
      if (!inline_value && next_ < argv_.size() && !argv_[next_].starts_with('-')) ++next_;
      return;
    }
    const auto& option = kOptions.at(row);
    auto& use = uses[row];
    const std::string display = fmt::format("--{}", name);
    if (option.type == KubeOptionType::Bool) {
      if (!inline_value) {  // pflag booleans never take the next word
        use.values.assign({"true"});
        use.written = display;
        return;
      }
      const auto value = parseBool(*inline_value);
      if (!value) {
        use.problem = fmt::format("{}={} is not a boolean", display, *inline_value);
        return;
      }
      use.values.assign({*value ? "true" : "false"});
      use.written = fmt::format("{}={}", display, *inline_value);
      return;
    }
    const auto value = valueOf(inline_value);
    if (!value) {
      use.problem = fmt::format("{} needs a value", display);
      return;
    }
    use.written = fmt::format("{}={}", display, *value);
    switch (option.type) {
      case KubeOptionType::Int: {
        const auto number = parseInt(*value);
        if (!number) {
          use.problem = fmt::format("{}={} is not an integer", display, *value);
          return;
        }
        use.values.assign({std::to_string(*number)});
        return;
      }
      case KubeOptionType::Duration: {
        const auto duration = parseGoDuration(*value);
        if (!duration) {
          use.problem = fmt::format("{}={} is not a duration", display, *value);
          return;
        }
        use.values.assign({std::to_string(secondsOf(*duration))});
        return;
      }
      case KubeOptionType::List:  // StringSlice: every occurrence appends its elements
        for (const auto element : core::split(*value, ',')) {
          const auto trimmed = core::trim(element);
          if (!trimmed.empty()) use.values.emplace_back(trimmed);
        }
        return;
      default: use.values.assign({*value}); return;
    }
  }

  // The flag's value: inline, else the next word whatever it looks like (pflag's rule).
  std::optional<std::string> valueOf(std::optional<std::string_view> inline_value) {
    if (inline_value) return std::string(*inline_value);
    if (next_ < argv_.size()) return argv_[next_++];
    return std::nullopt;
  }

  // `--feature-gates=A=true,B=false`; repeated flags merge, the last value of a gate wins.
  void featureGates(std::string_view value) {
    for (const auto entry : core::split(value, ',')) {
      const auto trimmed = core::trim(entry);
      if (trimmed.empty()) continue;
      const auto eq = trimmed.find('=');
      const std::string gate(core::trim(trimmed.substr(0, eq)));
      auto& use = gates[gate];
      if (eq == std::string_view::npos) {
        use.problem = fmt::format("--feature-gates {} has no value", gate);
        continue;
      }
      const auto text = core::trim(trimmed.substr(eq + 1));
      const auto parsed = parseBool(text);
      if (!parsed) {
        use.problem = fmt::format("--feature-gates {}={} is not a boolean", gate, text);
        continue;
      }
      use.problem.clear();
      use.values.assign({*parsed ? "true" : "false"});
      use.written = fmt::format("--feature-gates {}={}", gate, text);
    }
  }

  [[nodiscard]] bool hasGateRows() const {
    return std::any_of(kOptions.begin(), kOptions.end(), [&](const KubeOption& o) {
      return o.component == component_ && o.type == KubeOptionType::Gate;
    });
  }

  [[nodiscard]] std::size_t rowOf(std::string_view name) const {
    for (std::size_t row = 0; row < kOptions.size(); ++row) {
      const auto& option = kOptions.at(row);
      if (option.component != component_ || option.flag.size() < 3 ||
          option.type == KubeOptionType::Gate) {
        continue;
      }
      if (option.flag.substr(2) == name) return row;
    }
    return kOptions.size();
  }

  Component component_;
  const std::vector<std::string>& argv_;
  std::size_t next_ = 1;
};

// The member the dot-separated key names in the config document, or nullptr (absent or null).
const nlohmann::json* atKey(const nlohmann::json& doc, std::string_view key) {
  const nlohmann::json* at = &doc;
  for (const auto segment : core::split(key, '.')) {
    if (!at->is_object()) return nullptr;
    const auto it = at->find(segment);
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at->is_null() ? nullptr : at;
}

std::string_view expectedName(KubeOptionType type) {
  switch (type) {
    case KubeOptionType::Bool:
    case KubeOptionType::Gate: return "a boolean";
    case KubeOptionType::String: return "a string";
    case KubeOptionType::Int: return "an integer";
    case KubeOptionType::Duration: return "a duration string";
    case KubeOptionType::List: return "an array of strings";
  }
  return "a value";
}

// Values of a config-file member; nullopt when its type is wrong. An empty string counts as
// unset (Kubernetes' defaulting fills empty strings), signalled by an empty vector for a
// String option.
std::optional<std::vector<std::string>> fileValues(const KubeOption& option,
                                                   const nlohmann::json& value) {
  switch (option.type) {
    case KubeOptionType::Bool:
    case KubeOptionType::Gate:
      if (!value.is_boolean()) return std::nullopt;
      return std::vector<std::string>{value.get<bool>() ? "true" : "false"};
    case KubeOptionType::String:
      if (!value.is_string()) return std::nullopt;
      if (value.get_ref<const std::string&>().empty()) return std::vector<std::string>{};
      return std::vector<std::string>{value.get<std::string>()};
    case KubeOptionType::Int:
      if (value.is_number_unsigned()) {
        if (value.get<std::uint64_t>() >
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          return std::nullopt;
        }
        return std::vector<std::string>{std::to_string(value.get<std::uint64_t>())};
      }
      if (!value.is_number_integer()) return std::nullopt;
      return std::vector<std::string>{std::to_string(value.get<std::int64_t>())};
    case KubeOptionType::Duration: {
      if (!value.is_string()) return std::nullopt;
      const auto duration = parseGoDuration(value.get_ref<const std::string&>());
      if (!duration) return std::nullopt;
      return std::vector<std::string>{std::to_string(secondsOf(*duration))};
    }
    case KubeOptionType::List: {
      if (!value.is_array()) return std::nullopt;
      std::vector<std::string> values;
      for (const auto& element : value) {
        if (!element.is_string()) return std::nullopt;
        values.push_back(element.get<std::string>());
      }
      return values;
    }
  }
  return std::nullopt;
}

std::vector<std::string> splitDefault(const KubeOption& option, bool config_file) {
  const std::string_view text = config_file ? option.with_config : option.flags_only;
  if (option.type != KubeOptionType::List) return {std::string(text)};
  std::vector<std::string> values;
  for (const auto element : core::split(text, ',')) {
    if (!element.empty()) values.emplace_back(element);
  }
  return values;
}

std::string gateName(std::string_view key) {
  const auto dot = key.rfind('.');
  return std::string(dot == std::string_view::npos ? key : key.substr(dot + 1));
}

}  // namespace

std::string_view toString(Component component) {
  return component == Component::Kubelet ? "kubelet" : "kube-proxy";
}

std::span<const KubeOption> kubeOptions() { return kOptions; }

std::vector<const KubeOption*> kubeOptions(Component component) {
  std::vector<const KubeOption*> out;
  for (const auto& option : kOptions) {
    if (option.component == component) out.push_back(&option);
  }
  return out;
}

const KubeOption* findKubeOption(Component component, std::string_view key) {
  const auto it = std::find_if(kOptions.begin(), kOptions.end(), [&](const KubeOption& option) {
    return option.component == component && option.key == key;
  });
  return it == kOptions.end() ? nullptr : &*it;
}

const OptionValue* ComponentConfig::find(std::string_view key) const {
  const auto it = options.find(key);
  return it == options.end() ? nullptr : &it->second;
}

std::optional<std::string> kubeFlagValue(const std::vector<std::string>& argv,
                                         std::string_view flag) {
  const std::string wanted = normalisedName(flag.starts_with("--") ? flag.substr(2) : flag);
  std::optional<std::string> value;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (!arg.starts_with("--")) continue;
    const auto eq = arg.find('=');
    if (normalisedName(arg.substr(
            2, eq == std::string_view::npos ? std::string_view::npos : eq - 2)) != wanted) {
      continue;
    }
    if (eq != std::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (i + 1 < argv.size()) {
      value = argv[++i];
    }
  }
  return value;
}

std::optional<std::int64_t> parseGoDuration(std::string_view text) {
  // time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+, or "0"; at most 1<<63 - 1 ns.
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return 0;
  if (text.empty()) return std::nullopt;
  struct Unit {
    std::string_view name;
    std::uint64_t nanoseconds;
  };
  static constexpr Unit kUnits[] = {
      {"ns", 1},         {"us", 1'000},        {"\xC2\xB5s", 1'000},  {"\xCE\xBCs", 1'000},
      {"ms", 1'000'000}, {"s", 1'000'000'000}, {"m", 60'000'000'000}, {"h", 3'600'000'000'000},
  };
  constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;
  std::uint64_t total = 0;
  while (!text.empty()) {
    std::uint64_t whole = 0;
    std::size_t digits = 0;
    while (!text.empty() && text.front() >= '0' && text.front() <= '9') {
      if (__builtin_mul_overflow(whole, 10U, &whole) ||
          __builtin_add_overflow(whole, static_cast<unsigned>(text.front() - '0'), &whole) ||
          whole > kLimit) {
        return std::nullopt;
      }
      text.remove_prefix(1);
      ++digits;
    }
    std::uint64_t fraction = 0;
    std::uint64_t scale = 1;
    if (!text.empty() && text.front() == '.') {
      text.remove_prefix(1);
      while (!text.empty() && text.front() >= '0' && text.front() <= '9') {
        if (scale < 1'000'000'000'000'000'000ULL) {  // more digits cannot change nanoseconds
          fraction = fraction * 10 + static_cast<unsigned>(text.front() - '0');
          scale *= 10;
        }
        text.remove_prefix(1);
        ++digits;
      }
    }
    if (digits == 0) return std::nullopt;
    std::size_t unit_length = 0;
    while (unit_length < text.size() && text[unit_length] != '.' &&
           (text[unit_length] < '0' || text[unit_length] > '9')) {
      ++unit_length;
    }
    const std::string_view unit_name = text.substr(0, unit_length);
    const auto* unit = std::find_if(std::begin(kUnits), std::end(kUnits),
                                    [&](const Unit& u) { return u.name == unit_name; });
    if (unit == std::end(kUnits)) return std::nullopt;
    text.remove_prefix(unit_length);
    std::uint64_t part = 0;
    if (__builtin_mul_overflow(whole, unit->nanoseconds, &part)) return std::nullopt;
    const auto fractional = static_cast<std::uint64_t>(static_cast<long double>(fraction) *
                                                       static_cast<long double>(unit->nanoseconds) /
                                                       static_cast<long double>(scale));
    if (__builtin_add_overflow(part, fractional, &part) ||
        __builtin_add_overflow(total, part, &total) || total > kLimit) {
      return std::nullopt;
    }
  }
  if (negative) {
    return total == kLimit ? std::numeric_limits<std::int64_t>::min()
                           : -static_cast<std::int64_t>(total);
  }
  if (total >= kLimit) return std::nullopt;
  return static_cast<std::int64_t>(total);
}

ComponentConfig effectiveComponentConfig(Component component, const ComponentInputs& inputs,
                                         core::Diagnostics& diagnostics) {
  const std::string name(toString(component));
  ComponentConfig config;
  config.component = component;
  config.config_file = !inputs.config_path.empty();
  const bool argv_read = inputs.argv_state.ok() && inputs.argv != nullptr;
  static const std::vector<std::string> kNoArgv;
  ArgvParser parser(component, argv_read ? *inputs.argv : kNoArgv);
  if (argv_read) parser.parse();
  const std::string argv_source =
      inputs.argv_state.source.empty() ? name + " command line" : inputs.argv_state.source;

  // The config file read but not an object: every option it could set is unknown.
  FactState config_state = inputs.config_state;
  const nlohmann::json* doc = nullptr;
  if (config.config_file && config_state.ok()) {
    if (inputs.config_doc != nullptr && inputs.config_doc->is_object()) {
      doc = inputs.config_doc;
    } else {
      config_state = {
          FactStatus::Malformed,
          fmt::format("{} config is {}, not an object", name,
                      inputs.config_doc == nullptr ? "missing" : inputs.config_doc->type_name()),
          inputs.config_path};
      diagnostics.add("k8s.node-config.malformed", inputs.config_path, config_state.detail);
    }
  }

  for (std::size_t row = 0; row < kOptions.size(); ++row) {
    const auto& option = kOptions.at(row);
    if (option.component != component) continue;
    OptionValue value;

    const FlagUse* use = nullptr;
    if (option.type == KubeOptionType::Gate) {
      const auto it = parser.gates.find(gateName(option.key));
      if (it != parser.gates.end()) use = &it->second;
    } else if (option.source != KubeOptionSource::FileOnly) {
      const auto it = parser.uses.find(row);
      if (it != parser.uses.end()) use = &it->second;
    }

    const nlohmann::json* in_file = nullptr;
    if (doc != nullptr && option.source != KubeOptionSource::FlagOnly) {
      in_file = atKey(*doc, option.key);
    }

    if (use != nullptr && !use->problem.empty()) {
      diagnostics.add("k8s.node-flag.malformed", argv_source,
                      fmt::format("{} flag {}: {} refuses it", name, use->problem, name));
      value.unread = {FactStatus::Malformed, fmt::format("{} flag {}", name, use->problem),
                      argv_source};
    } else if (use != nullptr && !use->values.empty()) {
      value.origin = OptionValue::Origin::Flag;
      value.values = use->values;
      value.where = fmt::format("{} flag {}", name, use->written);
    } else if (use != nullptr && option.type == KubeOptionType::List) {
      value.origin = OptionValue::Origin::Flag;  // `--tls-cipher-suites=` : an empty list
      value.where = fmt::format("{} flag {}", name, use->written);
    } else if (in_file != nullptr) {
      auto values = fileValues(option, *in_file);
      if (!values) {
        const auto detail = fmt::format("`{}` is {}, {} expects {}", option.key,
                                        in_file->type_name(), name, expectedName(option.type));
        diagnostics.add("k8s.node-config.type", inputs.config_path, detail);
        value.unread = {FactStatus::Malformed, detail, inputs.config_path};
      } else if (values->empty() && option.type == KubeOptionType::String) {
        value.origin = OptionValue::Origin::Default;  // "" in the file: the default applies
        value.values = splitDefault(option, true);
        value.where =
            fmt::format("{} default (config {} `{}` empty)", name, inputs.config_path, option.key);
      } else {
        value.origin = OptionValue::Origin::File;
        value.values = std::move(*values);
        value.where = fmt::format("{} config {} {}", name, inputs.config_path, option.key);
      }
    } else if (inputs.effective && doc != nullptr && option.source != KubeOptionSource::FlagOnly) {
      value.origin = OptionValue::Origin::Default;
      value.values = splitDefault(option, true);
      value.where =
          fmt::format("{} default ({} leaves `{}` out)", name, inputs.config_path, option.key);
    } else if (!argv_read) {
      value.unread = inputs.argv_state;
      if (value.unread.source.empty()) value.unread.source = argv_source;
    } else if (config.config_file && option.source != KubeOptionSource::FlagOnly &&
               !config_state.ok()) {
      value.unread = config_state;
      if (value.unread.source.empty()) value.unread.source = inputs.config_path;
    } else {
      value.origin = OptionValue::Origin::Default;
      value.values = splitDefault(option, config.config_file);
      value.where = fmt::format("{} default ({})", name,
                                config.config_file ? "config file given" : "flags only");
    }
    config.options.emplace(std::string(option.key), std::move(value));
  }
  return config;
}

}  // namespace bulwark::checks::k8s
