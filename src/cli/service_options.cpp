#include "cli/service_options.h"

#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "core/text.h"

namespace bulwark::cli {

void addServiceFlags(CLI::App& command, ServiceFlags& flags, bool with_database) {
  command.add_option("--config", flags.config_file, "Service configuration file (YAML)");
  command.add_option("--store", flags.store,
                     "Where results live: sqlite:PATH or postgres://… (default: "
                     "$XDG_DATA_HOME/bulwark/bulwark.db)");
  command.add_option("--secret-key-file", flags.secret_key_file,
                     "Key that seals registry passwords (default: secret.key beside the "
                     "SQLite store)");
  if (with_database) {
    command.add_option("--db", flags.database, "Vulnerability database file");
  }
}

core::Result<pipeline::ServiceConfig> loadServiceConfig(const ServiceFlags& flags) {
  pipeline::ServiceConfig config;
  if (!flags.config_file.empty()) {
    if (auto applied = pipeline::applyConfigFile(config, flags.config_file); !applied) {
      return tl::unexpected(applied.error());
    }
  }
  if (auto applied = pipeline::applyConfigEnvironment(config, pipeline::bulwarkEnvironment());
      !applied) {
    return tl::unexpected(applied.error());
  }
  if (!flags.store.empty()) config.store = flags.store;
  if (!flags.secret_key_file.empty()) config.secret_key_file = flags.secret_key_file;
  if (!flags.database.empty()) config.database = flags.database;
  return config;
}

core::Result<std::unique_ptr<store::Store>> openConfiguredStore(
    const pipeline::ServiceConfig& config) {
  return store::openStore(config.store);
}

std::string secretKeyPath(const pipeline::ServiceConfig& config) {
  if (!config.secret_key_file.empty()) return config.secret_key_file;
  std::string_view url = config.store;
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    // A shared store needs a shared key: it must be configured. The data directory's key is
    // only a fallback that works on one machine.
    return (std::filesystem::path(store::defaultStorePath()).parent_path() / "secret.key").string();
  }
  if (url.starts_with("sqlite:")) url.remove_prefix(7);
  const std::string path = url.empty() ? store::defaultStorePath() : std::string(url);
  return (std::filesystem::path(path).parent_path() / "secret.key").string();
}

int failWith(const std::string& message) {
  std::fprintf(stderr, "bulwark: %s\n", core::printable(message).c_str());
  return kExitInput;
}

}  // namespace bulwark::cli
