// Small builders for the Docker probe tests: snapshots, facts and parameters in code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "checks/docker/daemon_config.h"
#include "checks/docker/json_path.h"
#include "checks/docker/snapshot.h"
#include "checks/probes/probe.h"

namespace bulwark::checks::testing {

using docker::FactState;
using docker::FactStatus;
using model::NotEvaluatedCause;

inline FactState state(FactStatus status, std::string detail = {}) {
  FactState s;
  s.status = status;
  s.detail = std::move(detail);
  return s;
}
inline FactState okState() { return state(FactStatus::Ok); }

// Every state that is neither Ok nor Missing, with the cause a probe must report for it.
struct BadState {
  FactStatus status;
  NotEvaluatedCause cause;
};
inline std::vector<BadState> badStates() {
  return {{FactStatus::PermissionDenied, NotEvaluatedCause::PermissionDenied},
          {FactStatus::Unreachable, NotEvaluatedCause::Unreachable},
          {FactStatus::Timeout, NotEvaluatedCause::Timeout},
          {FactStatus::Malformed, NotEvaluatedCause::Malformed},
          {FactStatus::NotCollected, NotEvaluatedCause::MissingInput}};
}

inline docker::FileFact file(std::uint32_t mode, std::uint32_t uid = 0, std::uint32_t gid = 0,
                             std::string user = "root", std::string group = "root",
                             std::string type = "file") {
  docker::FileFact f;
  f.state = okState();
  f.mode = mode;
  f.uid = uid;
  f.gid = gid;
  f.user = std::move(user);
  f.group = std::move(group);
  f.type = std::move(type);
  return f;
}
inline docker::FileFact fileIn(FactStatus status) {
  docker::FileFact f;
  f.state = state(status);
  return f;
}

inline Resource hostResource(const docker::Snapshot& snapshot,
                             const docker::DaemonConfig* daemon = nullptr) {
  Resource r;
  r.kind = ResourceKind::DockerHost;
  r.name = "docker-host:test";
  r.snapshot = &snapshot;
  r.daemon = daemon;
  return r;
}

inline Resource containerResource(const docker::Snapshot& snapshot,
                                  const docker::Container& container) {
  Resource r;
  r.kind = ResourceKind::DockerContainer;
  r.name = "container:" + container.name;
  r.snapshot = &snapshot;
  r.container = &container;
  return r;
}

inline std::shared_ptr<const docker::JsonPath> jsonPath(std::string_view text) {
  auto compiled = docker::JsonPath::compile(text);
  EXPECT_TRUE(compiled.has_value()) << text;
  if (!compiled) return nullptr;
  return std::make_shared<const docker::JsonPath>(std::move(*compiled));
}

inline ProbeResult run(std::string_view kind, const Params& params, const Resource& resource) {
  const ProbeKind* probe = findProbe(kind);
  EXPECT_NE(probe, nullptr) << kind;
  if (probe == nullptr) return ProbeResult::notEvaluated("no such probe");
  return probe->evaluate(params, resource);
}

// The observed values, in order ("<absent>" for an absent observation, "[a,b]" for lists).
inline std::vector<std::string> values(const ProbeResult& result) {
  std::vector<std::string> out;
  for (const auto& o : result.observations) {
    if (o.absent) {
      out.emplace_back("<absent>");
    } else if (o.is_list) {
      std::string text = "[";
      for (const auto& v : o.values) text += (text.size() > 1 ? "," : "") + v;
      out.push_back(text + "]");
    } else {
      out.push_back(o.values.empty() ? "<none>" : o.values.front());
    }
  }
  return out;
}

using Values = std::vector<std::string>;

#define EXPECT_NOT_EVALUATED(result, expected_cause)                  \
  do {                                                                \
    const ::bulwark::checks::ProbeResult& r_ = (result);              \
    EXPECT_EQ(r_.state, ::bulwark::checks::ProbeState::NotEvaluated); \
    EXPECT_EQ(r_.cause, (expected_cause)) << r_.reason;               \
    EXPECT_TRUE(r_.observations.empty());                             \
    EXPECT_FALSE(r_.reason.empty());                                  \
  } while (false)

}  // namespace bulwark::checks::testing
