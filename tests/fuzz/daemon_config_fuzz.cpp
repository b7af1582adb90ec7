// Fuzzes effectiveConfig. Input: one byte choosing the two source states, then dockerd's argv
// as NUL-separated words up to an empty word (two NULs), then daemon.json text. Nothing may
// crash, every option must come out, and an option is either decided (values and a `where`) or
// unknown with the state of a source that was not read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "checks/docker/daemon_config.h"

namespace docker = bulwark::checks::docker;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  constexpr int kStatuses = 7;
  const auto status = [](int n) { return static_cast<docker::FactStatus>(n % kStatuses); };
  docker::Snapshot::Host::Dockerd dockerd;
  dockerd.state.status = status(data[0] & 0x0F);
  docker::Snapshot::Host::DaemonJson daemon_json;
  daemon_json.path = "/etc/docker/daemon.json";
  daemon_json.state.status = status(data[0] >> 4);

  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  while (!rest.empty() && dockerd.argv.size() < 4096) {
    const auto nul = rest.find('\0');
    const auto word = rest.substr(0, nul);
    rest = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
    if (word.empty()) break;
    dockerd.argv.emplace_back(word);
  }
  if (daemon_json.state.ok()) {
    daemon_json.doc = nlohmann::json::parse(rest, nullptr, false);
    if (daemon_json.doc.is_discarded()) daemon_json.state.status = docker::FactStatus::Malformed;
  }
  if (!daemon_json.state.ok()) daemon_json.doc = nullptr;

  bulwark::core::Diagnostics diagnostics;
  const auto config = docker::effectiveConfig(dockerd, daemon_json, diagnostics);
  if (config.options.size() != docker::daemonOptions().size()) std::abort();
  for (const auto& option : docker::daemonOptions()) {
    const auto* value = config.find(option.key);
    if (value == nullptr) std::abort();
    if (value->origin == docker::OptionValue::Origin::Unknown) {
      if (!value->values.empty() || value->unread.ok() ||
          value->unread.status == docker::FactStatus::Missing) {
        std::abort();
      }
    } else {
      if (value->where.empty()) std::abort();
      const bool scalar =
          option.type == docker::OptionType::Bool || option.type == docker::OptionType::String;
      if (scalar && value->values.size() != 1) std::abort();
      if (option.type == docker::OptionType::Bool && value->values[0] != "true" &&
          value->values[0] != "false") {
        std::abort();
      }
    }
  }
  return 0;
}
