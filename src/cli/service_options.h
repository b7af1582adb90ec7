// What `serve`, `worker`, `token` and `registry` share: the service configuration (a YAML
// file, then BULWARK_* variables, then flags) and the store and secret key it names.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "core/result.h"
#include "pipeline/service/service_config.h"
#include "store/store.h"

namespace bulwark::cli {

struct ServiceFlags {
  std::string config_file;  // --config
  std::string store;        // --store
  std::string secret_key_file;
  std::string database;  // --db
};

// Adds --config, --store, --secret-key-file (and --db when `with_database`) to a subcommand.
void addServiceFlags(CLI::App& command, ServiceFlags& flags, bool with_database);

// The configuration after the file, the environment and the flags, in that order.
core::Result<pipeline::ServiceConfig> loadServiceConfig(const ServiceFlags& flags);

// The store the configuration names (migrated), and the key file that seals registry
// passwords: the configured one, else secret.key beside the SQLite store (created 0600).
core::Result<std::unique_ptr<store::Store>> openConfiguredStore(
    const pipeline::ServiceConfig& config);
std::string secretKeyPath(const pipeline::ServiceConfig& config);

// Prints "bulwark: MESSAGE" on stderr and returns kExitInput.
int failWith(const std::string& message);

}  // namespace bulwark::cli
