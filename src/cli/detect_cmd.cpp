// bulwark detect --rules FILE|DIR… --source k8s-audit:FILE|events:FILE… [-o SINK…] — run
// Falco-compatible rules over events and send an alert per match to the outputs (stdout by
// default, as Falco prints them: text, or Falco's JSON alerts; files, syslog, CEF, HTTP, NATS),
// optionally rate limited per rule. docs/dev/runtime-design.md §5.1, docs/cli.md "Outputs".
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/detect_cmd.h"
#include "cli/service_options.h"
#include "core/text.h"
#include "pipeline/detect.h"
#include "pipeline/simulate.h"
#include "pipeline/sinks/outputs.h"
#include "pipeline/sinks/rate_limit.h"

namespace bulwark::cli {

namespace {

// Set by SIGINT/SIGTERM: sources that never end stop, the summary is printed.
std::atomic<bool> g_stop{false};

extern "C" void onStopSignal(int /*signal*/) { g_stop = true; }

}  // namespace

core::Result<std::string> readToken(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  if (!in || !std::getline(in, token)) {
    return core::fail(core::ErrorCode::NotFound, "cannot read the token file {}", path);
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) return core::fail(core::ErrorCode::Input, "the token file {} is empty", path);
  return token;
}

std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

int runDetectCommand(const DetectArgs& args, const DetectHooks& hooks) {
  const std::string tag = "bulwark: " + hooks.command + ": ";
  rules::Priority min_priority{};
  if (!rules::parsePriority(args.min_priority, min_priority)) {
    return failWith(
        fmt::format("--min-priority: unknown priority '{}' (emergency, alert, "
                    "critical, error, warning, notice, info, debug)",
                    args.min_priority));
  }
  for (const auto& spec : args.sources) {
    if (auto ok = pipeline::parseSource(spec); !ok) return failWith(ok.error().message);
  }
  if (args.from == "end" && !args.follow) return failWith("--from end needs --follow");
  for (const auto& spec : args.outputs) {
    if (auto ok = pipeline::sinks::parseSinkSpec(spec); !ok) return failWith(ok.error().message);
  }
  std::optional<pipeline::sinks::RateLimiter> limiter;
  if (!args.rate_limit.empty()) {
    auto rate = pipeline::sinks::parseRate(args.rate_limit);
    if (!rate) return failWith(rate.error().message);
    // Without --rate-burst a rule may fire one second's worth at once.
    const double burst = args.rate_burst.value_or(*rate);
    if (burst < 1) return failWith("--rate-burst: must be at least 1");
    limiter.emplace(*rate, burst);
  } else if (args.rate_burst) {
    return failWith("--rate-burst needs --rate-limit");
  }
  pipeline::sinks::SinkContext sink_context;
  sink_context.version = BULWARK_VERSION;
  sink_context.procid = std::to_string(::getpid());
  sink_context.http_ca = args.output_ca;
  if (!args.output_token_file.empty()) {
    auto token = readToken(args.output_token_file);
    if (!token) return failWith("--output-token-file: " + token.error().message);
    sink_context.http_token = std::move(*token);
  }
  // --simulate: the rules' own trigger events instead of sources (the built-ins by default, the
  // intel sets pointed at the simulations' feeds), written to a scratch directory.
  const bool simulating = !args.simulate.empty();
  if (!simulating && args.live) return failWith("--live needs --simulate");
  if (!simulating && args.sources.empty()) {
    return failWith("detect: no --source (or --simulate) given");
  }
  if (simulating && !args.sources.empty()) {
    return failWith("--simulate replays its own events: leave out --source");
  }
  char scratch_template[] = "/tmp/bulwark-simulate-XXXXXX";
  std::filesystem::path scratch;
  if (simulating) {
    if (::mkdtemp(scratch_template) == nullptr) return failWith("cannot make a scratch directory");
    scratch = scratch_template;
  }
  struct RemoveScratch {
    const std::filesystem::path& dir;
    ~RemoveScratch() {
      std::error_code ignored;
      if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
    }
  } remove_scratch{scratch};
  std::vector<std::string> rule_paths = args.rules;
  if (simulating && !args.live) {
    if (rule_paths.empty()) rule_paths.emplace_back("builtin");
    auto feeds = pipeline::writeSimulationFeeds(scratch);
    if (!feeds) return failWith(feeds.error().message);
    rule_paths.push_back(*feeds);
  }
  const auto loaded = pipeline::loadRules(rule_paths, min_priority);
  if (simulating && args.live) {
    for (const auto& name : args.simulate) {
      if (auto done = pipeline::simulateLive(name, loaded->source, scratch); !done) {
        return failWith(done.error().message);
      }
      std::fprintf(stderr, "%ssimulate: %s performed for the live sensors\n", tag.c_str(),
                   core::printable(name).c_str());
    }
    return kExitOk;
  }
  std::size_t warnings = 0;
  for (const auto& message : loaded->result.messages) {
    if (message.error) {
      std::fprintf(stderr, "%s\n", rules::toString(message).c_str());
    } else {
      ++warnings;
    }
  }
  if (!loaded->result.ok()) return failWith("detect: the rules have errors; nothing was run");
  // --set-intel NAME=v1,v2: the set's content given here, its files not read again.
  for (const auto& text : args.set_intel) {
    const std::size_t equals = text.find('=');
    if (equals == std::string::npos || equals == 0) {
      return failWith("--set-intel: expected NAME=VALUE[,VALUE…], got '" + text + "'");
    }
    std::vector<std::string> values;
    for (const auto& value : core::split(std::string_view(text).substr(equals + 1), ',')) {
      if (!value.empty()) values.emplace_back(value);
    }
    auto set = rules::setIntel(loaded->ruleset.intel(), text.substr(0, equals), values);
    if (!set) return failWith("--set-intel: " + set.error().message);
  }
  if (hooks.on_rules) {
    if (auto ready = hooks.on_rules(loaded->ruleset); !ready)
      return failWith(ready.error().message);
  }
  std::fprintf(
      stderr, "%s%zu rule(s) loaded%s\n", tag.c_str(), loaded->ruleset.rules().size(),
      warnings == 0
          ? ""
          : fmt::format(", {} warning(s) (`bulwark rules validate` lists them)", warnings).c_str());

  pipeline::DetectOptions options;
  options.sources = args.sources;
  if (simulating) {
    const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    auto simulation = pipeline::prepareSimulation(args.simulate, loaded->source, scratch, now);
    if (!simulation) return failWith(simulation.error().message);
    options.sources = simulation->sources;
    options.simulated = true;
    std::fprintf(stderr, "%ssimulate: %zu rule(s)\n", tag.c_str(), simulation->rule_ids.size());
  }
  options.first_match = args.first_match;
  options.follow = args.follow;
  options.from_end = args.from == "end";
  options.tls_cert = args.tls_cert;
  options.tls_key = args.tls_key;
  options.proc_root = args.proc_root;
  options.hostname = args.hostname.empty() ? hostName() : args.hostname;
  options.record = args.record;
  options.docker_endpoint = args.docker_host;
  if (options.docker_endpoint.empty()) {
    const char* env = std::getenv("DOCKER_HOST");
    options.docker_endpoint = env != nullptr && *env != '\0' ? env : "unix:///var/run/docker.sock";
  }
  if (options.docker_endpoint == "none") options.docker_endpoint.clear();
  if (!args.webhook_token_file.empty()) {
    auto token = readToken(args.webhook_token_file);
    if (!token) return failWith("--webhook-token-file: " + token.error().message);
    options.webhook_token = std::move(*token);
  }
  options.stop = &g_stop;
  std::signal(SIGINT, onStopSignal);
  std::signal(SIGTERM, onStopSignal);
  options.on_listening = [tag, from_end = options.from_end](const pipeline::SourceSpec& spec,
                                                            int port) {
    if (spec.kind == pipeline::SourceSpec::Kind::Proc) {
      std::fprintf(stderr, "%sproc: watching this host's processes\n", tag.c_str());
      return;
    }
    if (spec.kind == pipeline::SourceSpec::Kind::Ebpf) {
      std::fprintf(stderr,
                   "%sebpf: tracing this host's processes, connections "
                   "and file opens\n",
                   tag.c_str());
      return;
    }
    if (spec.kind == pipeline::SourceSpec::Kind::AuditdLive) {
      std::fprintf(stderr, "%sauditd-live: reading the kernel's audit records\n", tag.c_str());
      return;
    }
    if (spec.kind == pipeline::SourceSpec::Kind::Docker) {
      std::fprintf(stderr, "%sdocker: following the daemon's container events\n", tag.c_str());
      return;
    }
    if (spec.kind == pipeline::SourceSpec::Kind::K8sAuditFile ||
        spec.kind == pipeline::SourceSpec::Kind::AuditdFile) {
      std::fprintf(stderr, "%s%s: following %s%s\n", tag.c_str(),
                   spec.kind == pipeline::SourceSpec::Kind::AuditdFile ? "auditd" : "k8s-audit",
                   spec.path.c_str(), from_end ? " from its end" : "");
      return;
    }
    std::fprintf(stderr, "%sk8s audit webhook listening on %s:%d\n", tag.c_str(),
                 spec.address.c_str(), port);
  };
  // A run that never ends reports diagnostics as they come.
  // Only files read once end; webhooks and live sensors (whatever their kind) run until stopped.
  bool unending = args.follow;
  for (const auto& text : args.sources) {
    const auto spec = pipeline::parseSource(text);
    using Kind = pipeline::SourceSpec::Kind;
    if (spec && spec->kind != Kind::K8sAuditFile && spec->kind != Kind::EventsFile &&
        spec->kind != Kind::AuditdFile) {
      unending = true;
    }
  }
  if (unending) {
    options.on_diagnostic = [tag](const core::Diagnostic& diagnostic) {
      std::fprintf(stderr, "%s%s: %s: %s\n", tag.c_str(), diagnostic.kind.c_str(),
                   diagnostic.where.c_str(), diagnostic.detail.c_str());
    };
  }
  // Each sink has its own thread and queue. A live run drops what a full queue cannot take
  // (the engine never waits for a receiver); a finite run waits instead, losing nothing.
  // The agent's outputs are its spool (and -o, when given); detect's default is stdout.
  auto outputs = pipeline::sinks::Outputs::open(args.outputs, sink_context, !unending,
                                                /*default_stdout=*/!hooks.add_outputs);
  if (!outputs) return failWith(outputs.error().message);
  if (hooks.add_outputs) {
    if (auto added = hooks.add_outputs(**outputs); !added) return failWith(added.error().message);
  }
  options.output_fields = args.format == "json" || (*outputs)->needsJson();
  // first_seen baselines (docs/rules.md, "Stateful rules"): read now, written at most once a
  // minute while running and once more at the end.
  if (!args.state_dir.empty()) {
    for (const auto& problem : loaded->ruleset.setStateDir(args.state_dir)) {
      std::fprintf(stderr, "%s--state-dir: %s\n", tag.c_str(), problem.c_str());
    }
  }
  const auto format =
      args.format == "json" ? pipeline::AlertFormat::Json : pipeline::AlertFormat::Text;
  const std::string& host = options.hostname;
  std::uint64_t suppressed = 0;
  // Called under the engine's lock: one alert at a time, so the limiter needs no lock.
  auto summary = pipeline::runDetect(options, loaded->ruleset, [&](const pipeline::Alert& alert) {
    if (limiter && !limiter->allow(alert.rule->item->name, alert.ts_ns)) {
      ++suppressed;
      if (hooks.on_alert) hooks.on_alert(alert, true);
      return;
    }
    if (hooks.on_alert) hooks.on_alert(alert, false);
    (*outputs)->deliver(std::make_shared<const pipeline::sinks::SinkAlert>(
        pipeline::sinks::toSinkAlert(alert, format, args.iso8601, host, (*outputs)->needsJson())));
  });
  (*outputs)->finish();
  if (hooks.on_finished) hooks.on_finished(**outputs);
  for (const auto& problem : loaded->ruleset.flushState()) {
    std::fprintf(stderr, "%s--state-dir: %s\n", tag.c_str(), problem.c_str());
  }
  for (const auto& [rule, stats] : loaded->ruleset.statefulStats()) {
    if (stats.evictions == 0 && stats.pairs_dropped == 0) continue;
    std::fprintf(stderr,
                 "%sstateful rule '%s': %llu key(s) evicted, %llu new pair(s) "
                 "not stored (state bounds reached)\n",
                 tag.c_str(), rule->item->name.c_str(),
                 static_cast<unsigned long long>(stats.evictions),
                 static_cast<unsigned long long>(stats.pairs_dropped));
  }
  std::fflush(stdout);
  if (!summary) return failWith("detect: " + summary.error().message);
  for (const auto& diagnostic : summary->diagnostics) {
    std::fprintf(stderr, "%s%s: %s: %s\n", tag.c_str(), diagnostic.kind.c_str(),
                 diagnostic.where.c_str(), diagnostic.detail.c_str());
  }
  std::fprintf(stderr, "%s%llu event(s), %llu alert(s), %zu diagnostic(s)\n", tag.c_str(),
               static_cast<unsigned long long>(summary->events),
               static_cast<unsigned long long>(summary->alerts), summary->diagnostic_count);
  if (limiter) {
    std::fprintf(stderr, "%srate limit: %llu alert(s) suppressed\n", tag.c_str(),
                 static_cast<unsigned long long>(suppressed));
    for (const auto& [rule, count] : limiter->suppressed()) {
      std::fprintf(stderr, "%srate limit: rule '%s': %llu suppressed\n", tag.c_str(),
                   core::printable(rule).c_str(), static_cast<unsigned long long>(count));
    }
  }
  if (!args.outputs.empty() || hooks.add_outputs) {
    for (const auto& line : (*outputs)->statsLines()) {
      std::fprintf(stderr, "%s%s\n", tag.c_str(), core::printable(line).c_str());
    }
  }
  return args.exit_code && summary->alerts != 0 ? kExitPolicy : kExitOk;
}

void addDetectCommand(CLI::App& root, Action& action) {
  auto args = std::make_shared<DetectArgs>();
  auto* command =
      root.add_subcommand("detect", "Run Falco-compatible rules over events; print alerts");
  command->add_option("--rules,-r", args->rules,
                      "Rule file or directory (repeatable, in order; `builtin`: bulwark's own "
                      "rules, the default)");
  command->add_option("--source,-s", args->sources,
                      "Event source (repeatable): k8s-audit:FILE | k8s-audit-webhook:[HOST:]PORT | "
                      "events:FILE | auditd:FILE | auditd-live | proc | ebpf | docker[:ENDPOINT]");
  command->add_option("--simulate", args->simulate,
                      "Replay the trigger events of a built-in rule (id, name or `all`; "
                      "repeatable) through the outputs, alerts marked simulated");
  command->add_flag("--live", args->live,
                    "With --simulate: perform the rule's harmless action for real instead, for "
                    "the sensors of a running detect or agent to see (BW-RT-215)");
  command->add_option("--proc-root", args->proc_root, "Host sensors: the host's /proc")
      ->capture_default_str();
  command->add_option("--docker-host", args->docker_host,
                      "Host sensors: the Docker socket that describes containers (unix://PATH; "
                      "default $DOCKER_HOST, else unix:///var/run/docker.sock; none: do not ask)");
  command->add_option("--record", args->record,
                      "Also write every host event to FILE (bulwark.events/v1; replay it with "
                      "-s events:FILE)");
  command->add_flag("--follow,-f", args->follow,
                    "Keep reading files as they grow (rotation and truncation handled)");
  command->add_option("--from", args->from, "With --follow: start at the files' start or end")
      ->check(CLI::IsMember({"start", "end"}));
  command->add_option("--webhook-token-file", args->webhook_token_file,
                      "Webhooks require this bearer token (without one they bind loopback only)");
  command->add_option("--tls-cert", args->tls_cert, "Webhooks serve TLS with this certificate");
  command->add_option("--tls-key", args->tls_key, "… and this key");
  command->add_flag("--first-match", args->first_match,
                    "Only the first matching rule fires per event (Falco's default)");
  command->add_option("--min-priority", args->min_priority,
                      "Leave out rules below this priority (default debug)");
  command->add_option("--format", args->format, "text or json (Falco's JSON alerts)")
      ->check(CLI::IsMember({"text", "json"}));
  command->add_flag("--time-iso8601", args->iso8601, "Alert times in ISO 8601 UTC");
  command->add_flag("--exit-code", args->exit_code, "Exit 1 when an alert fired");
  command->add_option("--output,-o", args->outputs,
                      "Where alerts go (repeatable; default stdout): stdout | file:PATH | "
                      "syslog+udp|tcp|tls://H:P | cef+udp|tcp://H:P | http(s)://URL | "
                      "nats://H:P/STREAM/SUBJECT (docs/cli.md \"Outputs\")");
  command->add_option("--output-token-file", args->output_token_file,
                      "HTTP outputs send this file's first line as the bearer token");
  command->add_option("--output-ca", args->output_ca,
                      "HTTPS outputs verify the server against this CA file");
  command->add_option("--rate-limit", args->rate_limit,
                      "At most N alerts per second per rule (N or N/s; event time)");
  command->add_option("--rate-burst", args->rate_burst,
                      "With --rate-limit: a rule may fire this many at once (default N)");
  command->add_option("--state-dir", args->state_dir,
                      "Stateful rules: keep first_seen baselines in DIR/baselines/ across runs");
  command->add_option("--set-intel", args->set_intel,
                      "NAME=VALUE[,VALUE…]: the content of intel set NAME (repeatable; e.g. "
                      "bw_k8s_api_ips=10.96.0.1); its files are not read");
  command->callback([args, &action] { action = [args] { return runDetectCommand(*args, {}); }; });
}

}  // namespace bulwark::cli
