// A check result: one hardening or configuration check evaluated against one resource (an
// image's config, a Dockerfile, later a Docker host or a Kubernetes object), with the evidence
// for the verdict. Never "not evaluated" reported as a pass.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/advisory.h"

namespace bulwark::model {

enum class CheckStatus { Pass, Fail, NotApplicable, NotEvaluated, Manual };

std::string_view toString(CheckStatus status);  // "pass", "fail", "not-applicable", ...

// Why a check could not be evaluated, for machines; CheckResult::reason says it for people.
enum class NotEvaluatedCause {
  None,
  PermissionDenied,  // the collector was refused (EACCES, socket 403, auditctl not root)
  Unreachable,       // the Docker socket or API server did not answer the connection
  Timeout,           // it accepted but did not answer in time
  MissingInput,      // the fact was not collected (not in the snapshot, collector disabled)
  Malformed,         // what came back could not be parsed
  Undetermined       // the value cannot be known statically (an unresolved variable)
};

std::string_view toString(NotEvaluatedCause cause);  // "", "permission-denied", ...

// An exception covering a result: it keeps its status and stays visible, marked suppressed.
struct CheckSuppression {
  std::string reason;
  std::string expires;  // "YYYY-MM-DD", empty: never
  std::string source;   // "FILE:LINE" of the exception
};

// What was observed, where it came from, and what the check expected.
struct Evidence {
  std::string observed;  // "USER is not set", "EXPOSE 22/tcp"
  std::string where;     // "Dockerfile:12", "image config: Config.User", "history[3]"
  std::string expected;  // "a non-root USER"
};

// Where in a file the checked thing is (a Kubernetes manifest object), for SARIF and tables.
struct SourceLocation {
  std::string file;
  std::size_t line = 0;  // 1-based; 0: unknown
};

struct CheckResult {
  std::string check_id;  // bulwark's id: "BW-IMG-001"
  std::string title;     // our own words
  Severity severity = Severity::Unknown;
  CheckStatus status = CheckStatus::NotEvaluated;
  std::string reason;                                 // why not-applicable or not-evaluated
  NotEvaluatedCause cause = NotEvaluatedCause::None;  // set when status is NotEvaluated
  // Manual checks whose tests could run: what the automated part suggests (never scored).
  std::optional<CheckStatus> assist;
  std::optional<CheckSuppression> suppression;
  std::string resource_kind;            // "docker-host", "docker-container", "image", "dockerfile"
  std::vector<std::string> controls;    // benchmark controls it answers: "cis-docker-1.6:5.4"
  std::vector<std::string> references;  // "CIS Docker 1.6.0 4.1", "CKV_DOCKER_3", "DL3008"
  std::string remediation;
  std::string resource;  // what was checked: the image reference, the Dockerfile path
  std::vector<Evidence> evidence;
  std::optional<SourceLocation> location;
};

}  // namespace bulwark::model
