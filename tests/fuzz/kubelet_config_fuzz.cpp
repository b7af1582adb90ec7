// Fuzzes effectiveComponentConfig (the kubelet's and kube-proxy's effective configuration).
// Input: one byte choosing the two source states (low nibble: argv, high nibble: config file;
// its low bit of the second nibble also picks kube-proxy), then argv as NUL-separated words up
// to an empty word (two NULs), then the config file's text (YAML or JSON). Nothing may crash,
// every option must come out, and an option is either decided (typed values and a `where`) or
// unknown with the state of a source that was not read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "checks/k8s/kubelet_config.h"
#include "checks/k8s/yaml_json.h"

namespace k8s = bulwark::checks::k8s;
namespace docker = bulwark::checks::docker;

namespace {

bool isInteger(const std::string& text) {
  if (text.empty()) return false;
  std::size_t i = text[0] == '-' ? 1 : 0;
  if (i == text.size()) return false;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  constexpr int kStatuses = 7;
  const auto status = [](int n) { return static_cast<docker::FactStatus>(n % kStatuses); };
  const k8s::Component component =
      (data[0] & 0x80) != 0 ? k8s::Component::Proxy : k8s::Component::Kubelet;
  std::vector<std::string> argv;
  k8s::ComponentInputs inputs;
  inputs.argv = &argv;
  inputs.argv_state.status = status(data[0] & 0x0F);
  inputs.config_state.status = status((data[0] >> 4) & 0x07);

  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  while (!rest.empty() && argv.size() < 4096) {
    const auto nul = rest.find('\0');
    const auto word = rest.substr(0, nul);
    rest = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
    if (word.empty()) break;
    argv.emplace_back(word);
    (void)k8s::parseGoDuration(word);
  }
  if (const auto flag = k8s::kubeFlagValue(argv, "--config")) inputs.config_path = *flag;
  nlohmann::json doc;
  if (inputs.config_state.ok()) {
    auto parsed = k8s::yamlToJson(rest, k8s::YamlLimits{100'000, 64});
    if (parsed) {
      doc = std::move(parsed->value);
      inputs.config_doc = &doc;
    } else {
      inputs.config_state.status = docker::FactStatus::Malformed;
    }
  }

  bulwark::core::Diagnostics diagnostics;
  const auto config = k8s::effectiveComponentConfig(component, inputs, diagnostics);
  const auto options = k8s::kubeOptions(component);
  if (config.options.size() != options.size()) std::abort();
  for (const auto* option : options) {
    const auto* value = config.find(option->key);
    if (value == nullptr) std::abort();
    if (value->origin == docker::OptionValue::Origin::Unknown) {
      if (!value->values.empty() || value->unread.ok()) std::abort();
      continue;
    }
    if (value->where.empty()) std::abort();
    if (option->type == k8s::KubeOptionType::List) continue;
    if (value->values.size() != 1) std::abort();
    const std::string& text = value->values[0];
    switch (option->type) {
      case k8s::KubeOptionType::Bool:
      case k8s::KubeOptionType::Gate:
        if (text != "true" && text != "false") std::abort();
        break;
      case k8s::KubeOptionType::Int:
      case k8s::KubeOptionType::Duration:
        if (!isInteger(text)) std::abort();
        break;
      default: break;
    }
  }
  return 0;
}
