// The effective dockerd configuration: dockerd flags (parsed as spf13/pflag parses them) over
// daemon.json over Docker's defaults, one OptionValue per row of daemon_options.def.
#include "checks/docker/daemon_config.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace bulwark::checks::docker {

namespace {

constexpr std::array kOptions = {
#define BULWARK_DAEMON_OPTION(key, flags, type, fallback) \
  DaemonOption{key, flags, OptionType::type, fallback},
#include "checks/docker/daemon_options.def"
#undef BULWARK_DAEMON_OPTION
};

// Read from the command line only: daemon.json cannot set it.
constexpr std::string_view kArgvOnly = "config-file";

// Boolean flags of dockerd outside the table: they never take the next argument as a value.
constexpr std::array<std::string_view, 11> kOtherBoolFlags = {
    "help",    "version",  "validate", "ipv6", "ip6tables",     "ip-forward",
    "ip-masq", "raw-logs", "rootless", "init", "cri-containerd"};
constexpr std::string_view kOtherBoolShorthands = "hv";

// Where an option's flag names point: the row index, and the long name evidence shows.
struct FlagTable {
  std::map<std::string, std::size_t, std::less<>> by_long;
  std::array<int, 128> by_short{};   // row index + 1; 0 = unknown
  std::vector<std::string> display;  // per row: "--log-level"
};

const FlagTable& flagTable() {
  static const FlagTable kTable = [] {
    FlagTable t;
    t.display.resize(kOptions.size());
    for (std::size_t row = 0; row < kOptions.size(); ++row) {
      std::string_view rest = kOptions[row].flags;
      while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view name = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
        while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
        if (name.size() > 2 && name.starts_with("--")) {
          t.by_long.emplace(std::string(name.substr(2)), row);
          if (t.display[row].empty()) t.display[row] = std::string(name);
        } else if (name.size() == 2 && name[0] == '-') {
          t.by_short.at(static_cast<unsigned char>(name[1]) & 0x7FU) = static_cast<int>(row) + 1;
        }
      }
    }
    return t;
  }();
  return kTable;
}

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

// What the command line said about one option.
struct FlagUse {
  std::vector<std::string> values;   // each occurrence's value, in order
  std::vector<std::string> written;  // each occurrence as evidence shows it: "--icc=false"
  std::string problem;               // set when dockerd would have refused the flag
};

class ArgvParser {
 public:
  ArgvParser(const std::vector<std::string>& argv, std::vector<FlagUse>& uses)
      : argv_(argv), uses_(uses) {}

  void parse() {
    for (next_ = 1; next_ < argv_.size();) {
      const std::string_view arg = argv_[next_++];
      if (arg == "--") break;                         // the rest are positional arguments
      if (arg.size() < 2 || arg[0] != '-') continue;  // dockerd takes no positional arguments
      if (arg[1] == '-') {
        longFlag(arg.substr(2));
      } else {
        shorthands(arg.substr(1));
      }
    }
  }

 private:
  void longFlag(std::string_view body) {
    const auto eq = body.find('=');
    const std::string_view name = body.substr(0, eq);
    const std::optional<std::string_view> inline_value =
        eq == std::string_view::npos ? std::nullopt : std::optional(body.substr(eq + 1));
    const auto& table = flagTable();
    const auto it = table.by_long.find(name);
    if (it == table.by_long.end()) {
      skipUnknown(inline_value.has_value() ||
                  std::find(kOtherBoolFlags.begin(), kOtherBoolFlags.end(), name) !=
                      kOtherBoolFlags.end());
      return;
    }
    use(it->second, inline_value);
  }

  void shorthands(std::string_view letters) {
    const auto& table = flagTable();
    for (std::size_t i = 0; i < letters.size(); ++i) {
      const auto letter = static_cast<unsigned char>(letters[i]);
      const int row = letter < 128 ? table.by_short.at(letter) : 0;
      const bool is_bool =
          row > 0 ? kOptions.at(row - 1).type == OptionType::Bool
                  : kOtherBoolShorthands.find(static_cast<char>(letter)) != std::string_view::npos;
      const std::string_view rest = letters.substr(i + 1);
      if (is_bool) {
        if (rest.starts_with('=')) {  // -D=false
          if (row > 0) use(static_cast<std::size_t>(row - 1), rest.substr(1));
          return;
        }
        if (row > 0) use(static_cast<std::size_t>(row - 1), std::nullopt);
        continue;
      }
      // A shorthand with a value takes the rest of the word (-ldebug, -l=debug) or the next one.
      std::optional<std::string_view> value;
      if (!rest.empty()) value = rest.starts_with('=') ? rest.substr(1) : rest;
      if (row > 0) {
        use(static_cast<std::size_t>(row - 1), value);
      } else {
        skipUnknown(value.has_value());
      }
      return;
    }
  }

  // An unknown flag: dockerd accepts none, but a newer dockerd may; its value is the next word
  // unless that is a flag itself.
  void skipUnknown(bool has_value) {
    if (!has_value && next_ < argv_.size() && !argv_[next_].starts_with('-')) ++next_;
  }

  void use(std::size_t row, std::optional<std::string_view> inline_value) {
    const auto& option = kOptions.at(row);
    const auto& display = flagTable().display.at(row);
    auto& use = uses_.at(row);
    if (option.type == OptionType::Bool) {
      if (!inline_value) {
        use.values.emplace_back("true");
        use.written.push_back(display);
        return;
      }
      const auto value = parseBool(*inline_value);
      if (!value) {
        use.problem = fmt::format("{}={} is not a boolean", display, *inline_value);
        return;
      }
      use.values.emplace_back(*value ? "true" : "false");
      use.written.push_back(fmt::format("{}={}", display, *inline_value));
      return;
    }
    std::string value;
    if (inline_value) {
      value = std::string(*inline_value);
    } else if (next_ < argv_.size()) {
      value = argv_[next_++];  // pflag takes the next word whatever it looks like
    } else {
      use.problem = fmt::format("{} needs a value", display);
      return;
    }
    use.written.push_back(fmt::format("{}={}", display, value));
    use.values.push_back(std::move(value));
  }

  const std::vector<std::string>& argv_;
  std::vector<FlagUse>& uses_;
  std::size_t next_ = 1;
};

std::vector<std::string> splitFallback(const DaemonOption& option) {
  std::vector<std::string> values;
  if (option.type == OptionType::Bool || option.type == OptionType::String) {
    values.emplace_back(option.fallback);
    return values;
  }
  std::string_view rest = option.fallback;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    values.emplace_back(rest.substr(0, comma));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return values;
}

std::string_view typeName(const nlohmann::json& value) { return value.type_name(); }

std::string_view expectedName(OptionType type) {
  switch (type) {
    case OptionType::Bool: return "a boolean";
    case OptionType::String: return "a string";
    case OptionType::List: return "an array of strings";
    case OptionType::Map: return "an object";
  }
  return "a value";
}

// "name=value" from a daemon.json map entry: a string (log-opts), or a ulimit object
// {"Name", "Soft", "Hard"} as dockerd writes default-ulimits.
std::optional<std::string> mapEntry(const std::string& name, const nlohmann::json& value) {
  if (value.is_string()) return name + "=" + value.get<std::string>();
  if (value.is_object()) {
    const auto soft = value.find("Soft");
    const auto hard = value.find("Hard");
    if (soft != value.end() && hard != value.end() && soft->is_number_integer() &&
        hard->is_number_integer()) {
      return fmt::format("{}={}:{}", name, soft->get<std::int64_t>(), hard->get<std::int64_t>());
    }
  }
  return std::nullopt;
}

// Values of a daemon.json member of the option's type; nullopt when the type is wrong.
std::optional<std::vector<std::string>> fileValues(const DaemonOption& option,
                                                   const nlohmann::json& value) {
  std::vector<std::string> values;
  switch (option.type) {
    case OptionType::Bool:
      if (!value.is_boolean()) return std::nullopt;
      values.emplace_back(value.get<bool>() ? "true" : "false");
      return values;
    case OptionType::String:
      if (!value.is_string()) return std::nullopt;
      values.push_back(value.get<std::string>());
      return values;
    case OptionType::List:
      if (!value.is_array()) return std::nullopt;
      for (const auto& element : value) {
        if (!element.is_string()) return std::nullopt;
        values.push_back(element.get<std::string>());
      }
      return values;
    case OptionType::Map:
      if (!value.is_object()) return std::nullopt;
      for (const auto& [name, entry] : value.items()) {  // sorted by name
        auto text = mapEntry(name, entry);
        if (!text) return std::nullopt;
        values.push_back(std::move(*text));
      }
      return values;
  }
  return std::nullopt;
}

// Flag values of one option: scalars the last occurrence, lists all, maps "name=value" with the
// last value of each name. Empty optional: a map entry without '='.
std::optional<std::vector<std::string>> flagValues(const DaemonOption& option, const FlagUse& use,
                                                   std::string& problem) {
  switch (option.type) {
    case OptionType::Bool:
    case OptionType::String: return std::vector<std::string>{use.values.back()};
    case OptionType::List: return use.values;
    case OptionType::Map: {
      std::map<std::string, std::string, std::less<>> entries;
      for (const auto& value : use.values) {
        const auto eq = value.find('=');
        if (eq == std::string::npos || eq == 0) {
          problem = fmt::format("{} is not name=value", value);
          return std::nullopt;
        }
        entries.insert_or_assign(value.substr(0, eq), value.substr(eq + 1));
      }
      std::vector<std::string> values;
      values.reserve(entries.size());
      for (const auto& [name, value] : entries) values.push_back(name + "=" + value);
      return values;
    }
  }
  return std::nullopt;
}

std::string joinWritten(const std::vector<std::string>& written) {
  std::string text;
  for (const auto& item : written) {
    if (!text.empty()) text += ' ';
    text += item;
  }
  return text;
}

bool readable(const FactState& state) {
  return state.status == FactStatus::Ok || state.status == FactStatus::Missing;
}

}  // namespace

std::span<const DaemonOption> daemonOptions() { return kOptions; }

const DaemonOption* findDaemonOption(std::string_view key) {
  const auto it = std::find_if(kOptions.begin(), kOptions.end(),
                               [&](const DaemonOption& option) { return option.key == key; });
  return it == kOptions.end() ? nullptr : &*it;
}

const OptionValue* DaemonConfig::find(std::string_view key) const {
  const auto it = options.find(key);
  return it == options.end() ? nullptr : &it->second;
}

DaemonConfig effectiveConfig(const Snapshot::Host::Dockerd& dockerd,
                             const Snapshot::Host::DaemonJson& daemon_json,
                             core::Diagnostics& diagnostics) {
  const bool argv_read = dockerd.state.ok();
  std::vector<FlagUse> uses(kOptions.size());
  if (argv_read) ArgvParser(dockerd.argv, uses).parse();
  const std::string argv_source =
      dockerd.state.source.empty() ? std::string("dockerd command line") : dockerd.state.source;
  const std::string json_where =
      daemon_json.path.empty() ? std::string("daemon.json") : daemon_json.path;

  // daemon.json read but not an object: every option it could set is unknown.
  FactState json_state = daemon_json.state;
  const nlohmann::json* json_doc = nullptr;
  if (json_state.ok()) {
    if (daemon_json.doc.is_object()) {
      json_doc = &daemon_json.doc;
    } else {
      json_state = {FactStatus::Malformed,
                    fmt::format("daemon.json is {}, not an object", typeName(daemon_json.doc)),
                    json_where};
      diagnostics.add("docker.daemon-json.malformed", json_where, json_state.detail);
    }
  }

  DaemonConfig config;
  for (std::size_t row = 0; row < kOptions.size(); ++row) {
    const auto& option = kOptions.at(row);
    const bool argv_only = option.key == kArgvOnly;
    auto& use = uses[row];
    OptionValue value;

    const nlohmann::json* in_file = nullptr;
    if (json_doc != nullptr && !argv_only) {
      const auto it = json_doc->find(option.key);
      if (it != json_doc->end() && !it->is_null()) in_file = &*it;
    }

    std::string problem = use.problem;
    std::optional<std::vector<std::string>> from_flags;
    if (problem.empty() && !use.values.empty()) from_flags = flagValues(option, use, problem);

    if (!problem.empty()) {
      diagnostics.add("docker.dockerd-flag.malformed", argv_source,
                      fmt::format("dockerd flag {}: dockerd refuses it", problem));
      value.unread = {FactStatus::Malformed, "dockerd flag " + problem, argv_source};
    } else if (from_flags) {
      value.origin = OptionValue::Origin::Flag;
      value.values = std::move(*from_flags);
      value.where = "dockerd flag " + (option.type == OptionType::List ? joinWritten(use.written)
                                                                       : use.written.back());
      if (in_file != nullptr) {
        diagnostics.add("docker.daemon-config.conflict", json_where,
                        fmt::format("`{}` is set both by {} and in daemon.json: dockerd refuses "
                                    "to start with both; the flag is used",
                                    option.key, value.where));
      }
    } else if (in_file != nullptr) {
      auto values = fileValues(option, *in_file);
      if (values) {
        value.origin = OptionValue::Origin::File;
        value.values = std::move(*values);
        value.where = fmt::format("daemon.json `{}`", option.key);
      } else {
        const auto detail = fmt::format("`{}` is {}, dockerd expects {}", option.key,
                                        typeName(*in_file), expectedName(option.type));
        diagnostics.add("docker.daemon-json.type", json_where, detail);
        value.unread = {FactStatus::Malformed, detail, json_where};
      }
    } else if (!readable(dockerd.state)) {
      value.unread = dockerd.state;
    } else if (!argv_only && !readable(json_state)) {
      value.unread = json_state;
    } else {
      value.origin = OptionValue::Origin::Default;
      value.values = splitFallback(option);
      value.where = "Docker default";
    }
    config.options.emplace(std::string(option.key), std::move(value));
  }
  return config;
}

}  // namespace bulwark::checks::docker
