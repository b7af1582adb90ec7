// bulwark registry add|list|remove — the registries the service watches. Passwords are sealed
// with the service's secret key before they reach the store (core/secret_box.h).
#include <chrono>
#include <cstdio>
#include <optional>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/service_options.h"
#include "core/secret_box.h"
#include "image/registry/credentials.h"
#include "pipeline/service/service_config.h"

namespace bulwark::cli {

namespace {

struct RegistryArgs {
  ServiceFlags service;
  std::string name;
  std::string url;
  std::string username;
  bool password_stdin = false;
  bool insecure = false;
  std::string ca_file;
  std::string poll_interval;  // "": the configuration's poll.interval
};

// "host:5000" → "https://host:5000"; a URL keeps its scheme; a path or query is refused.
core::Result<std::string> normalizeRegistryUrl(std::string url, bool insecure) {
  if (url.find("://") == std::string::npos) url = (insecure ? "http://" : "https://") + url;
  while (url.ends_with('/')) url.pop_back();
  const auto scheme_end = url.find("://");
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return core::fail(core::ErrorCode::Usage, "registry URL '{}': http or https only", url);
  }
  const std::string host = url.substr(scheme_end + 3);
  if (host.empty() || host.find_first_of("/?#@ ") != std::string::npos) {
    return core::fail(core::ErrorCode::Usage,
                      "registry URL '{}': expected scheme://host[:port] without a path", url);
  }
  return url;
}

int runAdd(const RegistryArgs& args) {
  auto config = loadServiceConfig(args.service);
  if (!config) return failWith(config.error().message);
  auto url = normalizeRegistryUrl(args.url, args.insecure);
  if (!url) return failWith(url.error().message);
  auto interval = args.poll_interval.empty()
                      ? core::Result<std::chrono::milliseconds>(config->poll_interval)
                      : pipeline::parseDuration(args.poll_interval);
  if (!interval) return failWith("--poll-interval: " + interval.error().message);

  store::Registry registry;
  registry.name = args.name;
  registry.url = *url;
  registry.username = args.username;
  registry.insecure = args.insecure;
  registry.ca_file = args.ca_file;
  registry.poll_interval_s = std::chrono::duration_cast<std::chrono::seconds>(*interval).count();
  if (args.password_stdin) {
    auto password = image::registry::readPasswordFromStream(stdin);
    if (!password) return failWith(password.error().message);
    auto box = core::loadOrCreateKeyFile(secretKeyPath(*config));
    if (!box) return failWith(box.error().message);
    auto sealed = box->seal(*password);
    if (!sealed) return failWith(sealed.error().message);
    registry.password_sealed = *sealed;
  }
  auto store = openConfiguredStore(*config);
  if (!store) return failWith(store.error().message);
  auto added = (*store)->addRegistry(registry);
  if (!added) return failWith(added.error().message);
  std::printf("registry %s added: %s%s%s\n", added->name.c_str(), added->url.c_str(),
              added->username.empty() ? "" : fmt::format(" as {}", added->username).c_str(),
              added->poll_interval_s > 0
                  ? fmt::format(", polled every {} s", added->poll_interval_s).c_str()
                  : "");
  return kExitOk;
}

int runList(const RegistryArgs& args) {
  auto config = loadServiceConfig(args.service);
  if (!config) return failWith(config.error().message);
  auto store = openConfiguredStore(*config);
  if (!store) return failWith(store.error().message);
  auto registries = (*store)->listRegistries();
  if (!registries) return failWith(registries.error().message);
  std::printf("%-20s %-40s %-16s %s\n", "NAME", "URL", "USER", "POLL");
  for (const auto& r : *registries) {
    std::printf("%-20s %-40s %-16s %s\n", r.name.c_str(), r.url.c_str(),
                r.username.empty() ? "-" : r.username.c_str(),
                r.poll_interval_s > 0 ? fmt::format("{}s", r.poll_interval_s).c_str() : "webhook");
  }
  return kExitOk;
}

int runRemove(const RegistryArgs& args) {
  auto config = loadServiceConfig(args.service);
  if (!config) return failWith(config.error().message);
  auto store = openConfiguredStore(*config);
  if (!store) return failWith(store.error().message);
  if (auto removed = (*store)->removeRegistry(args.name); !removed) {
    return failWith(removed.error().message);
  }
  std::printf("registry %s removed\n", args.name.c_str());
  return kExitOk;
}

}  // namespace

void addRegistryCommand(CLI::App& root, Action& action) {
  auto args = std::make_shared<RegistryArgs>();
  auto* command = root.add_subcommand("registry", "Registries the service watches");
  command->require_subcommand(1);

  auto* add = command->add_subcommand("add", "Register a registry (NAME URL)");
  add->add_option("name", args->name, "A name of your choice")->required();
  add->add_option("url", args->url, "https://host[:port] (or host[:port])")->required();
  add->add_option("--username", args->username, "User name for the registry");
  add->add_flag("--password-stdin", args->password_stdin,
                "Read the password (or token) from stdin; stored sealed");
  add->add_flag("--insecure", args->insecure, "Allow plain HTTP and unverified TLS");
  add->add_option("--ca-file", args->ca_file, "PEM bundle to trust for this registry");
  add->add_option("--poll-interval", args->poll_interval,
                  "Poll _catalog and tags this often (e.g. 5m); 0s: webhooks only "
                  "(default: the configuration's poll.interval, 0s)");
  addServiceFlags(*add, args->service, false);
  add->callback([args, &action] { action = [args] { return runAdd(*args); }; });

  auto* list = command->add_subcommand("list", "List registered registries");
  addServiceFlags(*list, args->service, false);
  list->callback([args, &action] { action = [args] { return runList(*args); }; });

  auto* remove = command->add_subcommand("remove", "Forget a registry (NAME)");
  remove->add_option("name", args->name, "The registry's name")->required();
  addServiceFlags(*remove, args->service, false);
  remove->callback([args, &action] { action = [args] { return runRemove(*args); }; });
}

}  // namespace bulwark::cli
