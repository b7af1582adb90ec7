// Fuzzes kubeconfig resolution without side effects: resolveKubeconfigText with exec plugins
// off reads no file and runs nothing. Nothing may crash or hang; a resolved context has a
// server of an allowed scheme; a token never appears in an error message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "checks/k8s/collect/kubeconfig.h"

namespace collect = bulwark::checks::k8s::collect;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  collect::KubeconfigOptions options;
  options.max_file_bytes = 1 << 16;
  for (const char* context : {"", "fuzz"}) {
    options.context = context;
    auto config = collect::resolveKubeconfigText(text, "/nonexistent", options, false);
    if (!config) {
      if (config.error().message.empty()) std::abort();
      continue;
    }
    if (!config->server.starts_with("https://") && !config->server.starts_with("http://")) {
      std::abort();
    }
    if (config->auth_kind.empty()) std::abort();
    if (config->auth_kind.starts_with("exec:") && !config->token.empty()) std::abort();
    if (!config->token_file.empty() && !config->token.empty()) std::abort();  // not read
    config->wipeSecrets();
    if (!config->token.empty() || !config->client_key_pem.empty()) std::abort();
  }
  return 0;
}
