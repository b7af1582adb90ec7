// What `bulwark detect` and `bulwark agent` share: the detect run with its flags. The agent is
// a detect run with its own defaults and one more output (the spool its uploader sends from).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "pipeline/detect.h"
#include "pipeline/sinks/outputs.h"

namespace bulwark::cli {

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
  std::vector<std::string> outputs;  // -o
  std::string output_token_file;
  std::string output_ca;
  std::string rate_limit;
  std::optional<double> rate_burst;
  std::vector<std::string> simulate;  // rule ids or names, or "all"
  std::string state_dir;              // stateful rules: first_seen baselines persist here
  bool live = false;
  std::string hostname;                // what alerts call this host (default: gethostname)
  std::vector<std::string> set_intel;  // NAME=v1,v2,…: an intel set's content, pinned
};

struct DetectHooks {
  std::string command = "detect";  // what stderr lines start with: "bulwark: COMMAND: "
  // Called with the outputs of -o before the first event (the agent adds its spool here).
  std::function<core::Status(pipeline::sinks::Outputs&)> add_outputs;
  // Every alert that passed the rate limit, and every one it suppressed (under the engine's
  // lock: one at a time; keep it short).
  std::function<void(const pipeline::Alert&, bool suppressed)> on_alert;
  // The rules loaded and --set-intel applied, before the first event (the agent starts its
  // cluster-address refresher on their intel sets here).
  std::function<core::Status(const rules::Ruleset&)> on_rules;
  // The outputs drained (their final counts), just before they are closed.
  std::function<void(const pipeline::sinks::Outputs&)> on_finished;
};

// Runs detect with `args`; the process's exit code.
int runDetectCommand(const DetectArgs& args, const DetectHooks& hooks);

// A token file's first line (a Kubernetes webhook kubeconfig carries the same token).
core::Result<std::string> readToken(const std::string& path);
// This host's name for alerts ("unknown" when it has none).
std::string hostName();

}  // namespace bulwark::cli
