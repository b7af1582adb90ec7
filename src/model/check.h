// A check result: one hardening or configuration check evaluated against one resource (an
// image's config, a Dockerfile, later a Docker host or a Kubernetes object), with the evidence
// for the verdict. Never "not evaluated" reported as a pass.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/advisory.h"

namespace bulwark::model {

enum class CheckStatus { Pass, Fail, NotApplicable, NotEvaluated, Manual };

std::string_view toString(CheckStatus status);  // "pass", "fail", "not-applicable", ...

// What was observed, where it came from, and what the check expected.
struct Evidence {
  std::string observed;  // "USER is not set", "EXPOSE 22/tcp"
  std::string where;     // "Dockerfile:12", "image config: Config.User", "history[3]"
  std::string expected;  // "a non-root USER"
};

struct CheckResult {
  std::string check_id;  // bulwark's id: "BW-IMG-001"
  std::string title;     // our own words
  Severity severity = Severity::Unknown;
  CheckStatus status = CheckStatus::NotEvaluated;
  std::string reason;                   // why not-applicable or not-evaluated
  std::vector<std::string> references;  // "CIS Docker 1.6.0 4.1", "CKV_DOCKER_3", "DL3008"
  std::string remediation;
  std::string resource;  // what was checked: the image reference, the Dockerfile path
  std::vector<Evidence> evidence;
};

}  // namespace bulwark::model
