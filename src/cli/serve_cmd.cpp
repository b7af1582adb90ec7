// bulwark serve — the registry monitoring service: the /api/v1 API and webhooks (src/server),
// in-process scan workers, registry polling and re-evaluation (pipeline/service), on the store
// the configuration names (embedded SQLite by default). docs/serve.md.
//
// bulwark worker — scan workers only, against a shared (PostgreSQL) store: more machines for
// the same queue.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/service_options.h"
#include "core/secret_box.h"
#include "core/text.h"
#include "image/registry/client.h"
#include "pipeline/detect.h"
#include "pipeline/service/registry_access.h"
#include "pipeline/service/service.h"
#include "pipeline/service/stored_images.h"
#include "server/alert_retention.h"
#include "server/k8s_audit_api.h"
#include "server/metrics.h"
#include "server/server.h"
#include "server/service_routes.h"
#include "server/web_assets.h"

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "0.0.0"
#endif

namespace bulwark::cli {

namespace {

namespace service = pipeline::service;

struct ServeArgs {
  ServiceFlags service;
  std::string listen;
  std::string tls_cert;
  std::string tls_key;
  int workers = -1;                // -1: the configuration's
  std::string alert_retention;     // "30d"; "" keeps alerts forever
  std::vector<std::string> rules;  // for /k8s-audit; none: the built-in rules
};

// Blocks SIGINT and SIGTERM in every thread started after this (they inherit the mask) and
// returns the set, so that the main thread alone receives them with sigwait().
sigset_t blockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

int waitForStopSignal(const sigset_t& signals) {
  int received = 0;
  sigwait(&signals, &received);
  return received;
}

core::Result<pipeline::ServiceConfig> serveConfig(const ServeArgs& args) {
  auto config = loadServiceConfig(args.service);
  if (!config) return config;
  if (!args.listen.empty()) config->listen = args.listen;
  if (!args.tls_cert.empty()) config->tls_cert = args.tls_cert;
  if (!args.tls_key.empty()) config->tls_key = args.tls_key;
  if (args.workers >= 0) config->workers = args.workers;
  if (config->tls_cert.empty() != config->tls_key.empty()) {
    return core::fail(core::ErrorCode::Usage, "TLS needs both a certificate and a key");
  }
  return config;
}

// The admission decider: each image judged by its stored scan under the quarantine policy.
server::ImageDecider imageDecider(store::Store& store,
                                  const std::shared_ptr<const service::QuarantineConfig>& policy) {
  return [&store, policy](const std::string& image) -> server::ImageVerdict {
    auto judged = service::judgeStoredImage(store, *policy, image, store::nowMillis());
    if (!judged) return {server::ImageState::Error, judged.error().message};
    switch (judged->state) {
      case service::StoredImageState::Passed: return {server::ImageState::Passed, judged->reason};
      case service::StoredImageState::Failed: return {server::ImageState::Failed, judged->reason};
      case service::StoredImageState::NotScanned:
        return {server::ImageState::NotScanned, judged->reason};
    }
    return {server::ImageState::Error, "unknown verdict"};
  };
}

// The runtime rules /k8s-audit matches events against, as `detect -r` loads them; nullptr
// (after printing the errors) when they do not load.
std::shared_ptr<const pipeline::LoadedRules> serveRules(const ServeArgs& args) {
  std::shared_ptr<const pipeline::LoadedRules> loaded =
      pipeline::loadRules(args.rules, rules::Priority::Debug);
  for (const auto& message : loaded->result.messages) {
    if (message.error) std::fprintf(stderr, "%s\n", rules::toString(message).c_str());
  }
  if (!loaded->result.ok()) return nullptr;
  return loaded;
}

std::string serverHostName() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) return {};
  return name.data();
}

int runServe(const ServeArgs& args) {
  auto config = serveConfig(args);
  if (!config) return failWith(config.error().message);
  auto runtime_rules = serveRules(args);
  if (!runtime_rules) return failWith("serve: the --rules have errors");
  auto address = config->listenAddress();
  if (!address) return failWith(address.error().message);
  auto store = openConfiguredStore(*config);
  if (!store) return failWith(store.error().message);
  auto box = core::loadOrCreateKeyFile(secretKeyPath(*config));
  if (!box) return failWith(box.error().message);
  auto policy = service::quarantineConfig({}, config->policy);
  if (!policy) return failWith(policy.error().message);
  auto shared_policy = std::make_shared<const service::QuarantineConfig>(std::move(*policy));

  const sigset_t stop_signals = blockStopSignals();
  server::Metrics metrics;
  service::ServiceParts parts;
  parts.bulwark_version = BULWARK_VERSION;
  parts.credentials = service::sealedCredentials(*box);
  parts.after_save = [&metrics](const service::SavedScan& saved) {
    metrics.countScan("ok", static_cast<double>(saved.result.metadata.duration_ms) / 1000.0);
  };
  service::Service background(**store, *config, parts);

  server::ServerOptions options;
  options.address = address->first;
  options.port = address->second;
  options.tls_cert = config->tls_cert;
  options.tls_key = config->tls_key;
  options.max_body_bytes = config->max_body_bytes;
  options.requests_per_second = config->requests_per_second;
  options.burst = config->burst;

  server::Hooks hooks;
  hooks.on_enqueue = [&background] { background.wake(); };
  hooks.status = [&background, &config] {
    return server::StatusInfo{BULWARK_VERSION, background.databaseBuildId(), config->workers};
  };
  hooks.seal_secret = [box = *box](std::string_view plaintext) { return box.seal(plaintext); };
  hooks.resolve_tag = [credentials = parts.credentials](
                          const store::Registry& registry, std::string_view repository,
                          std::string_view tag) -> core::Result<std::string> {
    auto registry_options = service::registryOptions(registry, credentials);
    if (!registry_options) return tl::unexpected(registry_options.error());
    auto client = image::registry::RegistryClient::create(service::registryDomain(registry.url),
                                                          *registry_options);
    if (!client) return tl::unexpected(client.error());
    auto head = (*client)->headManifest(repository, tag);
    if (!head) return tl::unexpected(head.error());
    return head->digest;
  };
  hooks.posture_targets = [&background] {
    std::vector<server::PostureTargetInfo> out;
    for (auto& target : background.postureTargets()) {
      out.push_back({std::move(target.key), std::move(target.kind), std::move(target.name),
                     target.interval_ms});
    }
    return out;
  };
  hooks.reevaluate = [&background]() -> core::Status {
    background.requestReevaluation();
    return {};
  };
  server::Server http(options, **store, hooks, metrics);

  server::ServiceRouteHooks route_hooks;
  route_hooks.wake = [&background] { background.wake(); };
  route_hooks.max_attempts = config->max_attempts;
  route_hooks.admission.allowed_registries = config->admission.allowed_registries;
  route_hooks.admission.audit_only = config->admission.audit_only;
  route_hooks.admission.require_scanned = config->admission.require_scanned;
  route_hooks.decide_image = imageDecider(**store, shared_policy);
  route_hooks.scanner.version = BULWARK_VERSION;
  route_hooks.db_built_at = [&background] { return background.databaseBuiltAt(); };
  route_hooks.seal_secret = hooks.seal_secret;
  route_hooks.open_secret = [box = *box](std::string_view sealed) {
    auto opened = box.open(sealed);
    return opened ? *opened : std::string();
  };
  if (auto added = server::registerServiceRoutes(http, **store, route_hooks); !added) {
    return failWith(added.error().message);
  }

  server::K8sAuditOptions k8s_audit;
  k8s_audit.rules = runtime_rules;
  k8s_audit.hostname = serverHostName();
  k8s_audit.metrics = &metrics;
  if (auto added = server::registerK8sAuditRoutes(http, **store, std::move(k8s_audit)); !added) {
    return failWith(added.error().message);
  }
  // The dashboard at / (docs/dashboard.md).
  if (auto added = server::registerWebRoutes(http); !added) return failWith(added.error().message);

  std::optional<store::Millis> retention_ms;
  if (!args.alert_retention.empty()) {
    const auto seconds = core::parseDurationSeconds(args.alert_retention);
    if (!seconds || *seconds <= 0) {
      return failWith("--alert-retention must be a duration such as 30d or 720h");
    }
    retention_ms = *seconds * 1000;
  }

  if (auto started = background.start(); !started) return failWith(started.error().message);
  std::optional<server::AlertRetention> alert_retention;
  if (retention_ms) alert_retention.emplace(**store, *retention_ms);
  if (auto started = http.start(); !started) {
    background.stop();
    return failWith(started.error().message);
  }
  spdlog::info("bulwark serve: listening on {}://{}:{} ({} store, {} worker(s))",
               http.tls() ? "https" : "http", options.address, http.port(), (*store)->backend(),
               config->workers);
  const int signal = waitForStopSignal(stop_signals);
  spdlog::info("bulwark serve: {} received, stopping", signal == SIGINT ? "SIGINT" : "SIGTERM");
  http.stop();
  if (alert_retention) alert_retention->stop();
  background.stop();
  return kExitOk;
}

int runWorker(const ServeArgs& args) {
  auto config = serveConfig(args);
  if (!config) return failWith(config.error().message);
  if (config->workers <= 0) config->workers = 1;
  auto store = openConfiguredStore(*config);
  if (!store) return failWith(store.error().message);
  auto box = core::loadOrCreateKeyFile(secretKeyPath(*config));
  if (!box) return failWith(box.error().message);

  const sigset_t stop_signals = blockStopSignals();
  service::ServiceParts parts;
  parts.bulwark_version = BULWARK_VERSION;
  parts.credentials = service::sealedCredentials(*box);
  // Polling, database updates and re-evaluation belong to the server; workers only scan.
  parts.roles = {.poller = false,
                 .db_update = false,
                 .reevaluate = false,
                 .posture = false,
                 .schedule = false};
  service::Service background(**store, *config, parts);
  if (auto started = background.start(); !started) return failWith(started.error().message);
  spdlog::info("bulwark worker: {} worker(s) on the {} store", config->workers,
               (*store)->backend());
  waitForStopSignal(stop_signals);
  background.stop();
  return kExitOk;
}

}  // namespace

void addServeCommand(CLI::App& root, Action& action) {
  auto args = std::make_shared<ServeArgs>();
  auto* serve =
      root.add_subcommand("serve", "Run the service: API, webhooks, scan workers (docs/serve.md)");
  serve->add_option("--listen", args->listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  serve->add_option("--tls-cert", args->tls_cert, "PEM certificate: serve HTTPS");
  serve->add_option("--tls-key", args->tls_key, "PEM private key of --tls-cert");
  serve->add_option("--workers", args->workers, "In-process scan workers (default 2)")
      ->check(CLI::Range(0, 64));
  serve->add_option("--alert-retention", args->alert_retention,
                    "Delete runtime alerts older than this (30d, 720h), hourly; default: keep");
  serve->add_option("-r,--rules", args->rules,
                    "Runtime rules for POST /k8s-audit: a file or directory, repeatable; "
                    "`builtin` for bulwark's (the default)");
  addServiceFlags(*serve, args->service, true);
  serve->callback([args, &action] { action = [args] { return runServe(*args); }; });

  auto* worker = root.add_subcommand(
      "worker", "Run scan workers only, on a shared store (--store postgres://…)");
  worker->add_option("--workers", args->workers, "Scan workers in this process (default 2)")
      ->check(CLI::Range(1, 64));
  addServiceFlags(*worker, args->service, true);
  worker->callback([args, &action] { action = [args] { return runWorker(*args); }; });
}

}  // namespace bulwark::cli
