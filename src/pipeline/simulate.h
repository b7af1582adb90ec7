// `bulwark detect --simulate NAME|ID|all` (the seed system's "simulate alerts"): the events that
// trigger a built-in rule — the rule's hit fixture, shipped as data/rules/simulate/<id>.jsonl —
// replayed through the normal pipeline and outputs, times moved to now, so that users can test
// their alert path end to end. `--live` instead performs the harmless action of the rules that
// have one, for the real sensors of a running `bulwark detect` or agent to see.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "rules/loader.h"

namespace bulwark::pipeline {

struct Simulation {
  std::vector<std::string> sources;   // --source arguments for runDetect, one file per rule
  std::vector<std::string> rule_ids;  // the rules simulated
};

// Writes the threat-intel feeds simulations run with (documentation addresses in the sets
// tor_exits and c2_addresses) into `dir`; returns the rules file that points the sets at them,
// to be loaded after the built-ins (it replaces the user's feeds for this run only).
core::Result<std::string> writeSimulationFeeds(const std::filesystem::path& dir);

// Writes the trigger events of the named rules (an id such as BW-RT-215, a rule's name in any
// case, or "all") into `dir`, their times moved so that each file's last event is at `now_ns`.
// Errors: a name no rule has, a rule without a simulation (only built-in rules have one).
core::Result<Simulation> prepareSimulation(const std::vector<std::string>& names,
                                           const rules::RulesSource& source,
                                           const std::filesystem::path& dir, std::int64_t now_ns);

// The rules whose simulation can also be performed for real (`--live`).
std::vector<std::string> liveSimulations();

// Performs rule `name`'s harmless action in `dir` (a scratch directory): e.g. BW-RT-215 runs a
// copy of `sleep` named bulwark-alert-test (for 0.2 s). Usage error for a rule without a live
// simulation.
core::Status simulateLive(const std::string& name, const rules::RulesSource& source,
                          const std::filesystem::path& dir);

}  // namespace bulwark::pipeline
