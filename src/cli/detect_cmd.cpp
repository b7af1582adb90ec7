// bulwark detect --rules FILE|DIR… --source k8s-audit:FILE|events:FILE… — run Falco-compatible
// rules over events and print an alert per match, as Falco prints them (text, or Falco's JSON
// alerts). docs/dev/runtime-design.md §5.1.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/service_options.h"
#include "pipeline/detect.h"

namespace bulwark::cli {

namespace {

struct DetectArgs {
  std::vector<std::string> rules;
  std::vector<std::string> sources;
  bool first_match = false;
  std::string min_priority = "debug";
  std::string format = "text";
  bool iso8601 = false;
  bool exit_code = false;
  bool follow = false;
  std::string from = "start";
  std::string webhook_token_file;
  std::string tls_cert;
  std::string tls_key;
  std::string proc_root = "/proc";
  std::string docker_host;
  std::string record;
};

// Set by SIGINT/SIGTERM: sources that never end stop, the summary is printed.
std::atomic<bool> g_stop{false};

extern "C" void onStopSignal(int /*signal*/) { g_stop = true; }

// The token file's first line (a Kubernetes webhook kubeconfig carries the same token).
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

int runDetect(const DetectArgs& args) {
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
  const auto loaded = pipeline::loadRules(args.rules, min_priority);
  std::size_t warnings = 0;
  for (const auto& message : loaded->result.messages) {
    if (message.error) {
      std::fprintf(stderr, "%s\n", rules::toString(message).c_str());
    } else {
      ++warnings;
    }
  }
  if (!loaded->result.ok()) return failWith("detect: the rules have errors; nothing was run");
  std::fprintf(
      stderr, "bulwark: detect: %zu rule(s) loaded%s\n", loaded->ruleset.rules().size(),
      warnings == 0
          ? ""
          : fmt::format(", {} warning(s) (`bulwark rules validate` lists them)", warnings).c_str());

  pipeline::DetectOptions options;
  options.sources = args.sources;
  options.first_match = args.first_match;
  options.follow = args.follow;
  options.from_end = args.from == "end";
  options.tls_cert = args.tls_cert;
  options.tls_key = args.tls_key;
  options.proc_root = args.proc_root;
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
  options.on_listening = [](const pipeline::SourceSpec& spec, int port) {
    if (spec.kind == pipeline::SourceSpec::Kind::Proc) {
      std::fprintf(stderr, "bulwark: detect: proc: watching this host's processes\n");
      return;
    }
    if (spec.kind == pipeline::SourceSpec::Kind::Ebpf) {
      std::fprintf(stderr,
                   "bulwark: detect: ebpf: tracing this host's processes, connections "
                   "and file opens\n");
      return;
    }
    std::fprintf(stderr, "bulwark: detect: k8s audit webhook listening on %s:%d\n",
                 spec.address.c_str(), port);
  };
  // A run that never ends reports diagnostics as they come.
  bool unending = args.follow;
  for (const auto& spec : args.sources) {
    if (spec.starts_with("k8s-audit-webhook:") || spec == "proc" || spec == "ebpf") {
      unending = true;
    }
  }
  if (unending) {
    options.on_diagnostic = [](const core::Diagnostic& diagnostic) {
      std::fprintf(stderr, "bulwark: detect: %s: %s: %s\n", diagnostic.kind.c_str(),
                   diagnostic.where.c_str(), diagnostic.detail.c_str());
    };
  }
  options.output_fields = args.format == "json";
  const auto format =
      args.format == "json" ? pipeline::AlertFormat::Json : pipeline::AlertFormat::Text;
  const std::string host = hostName();
  auto summary = pipeline::runDetect(options, loaded->ruleset, [&](const pipeline::Alert& alert) {
    std::printf("%s\n", pipeline::formatAlert(alert, format, args.iso8601, host).c_str());
    if (unending) std::fflush(stdout);  // a live stream: each alert as it fires
  });
  std::fflush(stdout);
  if (!summary) return failWith("detect: " + summary.error().message);
  for (const auto& diagnostic : summary->diagnostics) {
    std::fprintf(stderr, "bulwark: detect: %s: %s: %s\n", diagnostic.kind.c_str(),
                 diagnostic.where.c_str(), diagnostic.detail.c_str());
  }
  std::fprintf(stderr, "bulwark: detect: %llu event(s), %llu alert(s), %zu diagnostic(s)\n",
               static_cast<unsigned long long>(summary->events),
               static_cast<unsigned long long>(summary->alerts), summary->diagnostic_count);
  return args.exit_code && summary->alerts != 0 ? kExitPolicy : kExitOk;
}

}  // namespace

void addDetectCommand(CLI::App& root, Action& action) {
  auto args = std::make_shared<DetectArgs>();
  auto* command =
      root.add_subcommand("detect", "Run Falco-compatible rules over events; print alerts");
  command->add_option("--rules,-r", args->rules,
                      "Rule file or directory (repeatable, in order; `builtin`: bulwark's own "
                      "rules, the default)");
  command
      ->add_option("--source,-s", args->sources,
                   "Event source: k8s-audit:FILE | k8s-audit-webhook:[HOST:]PORT | events:FILE | "
                   "proc (repeatable)")
      ->required();
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
  command->callback([args, &action] { action = [args] { return runDetect(*args); }; });
}

}  // namespace bulwark::cli
