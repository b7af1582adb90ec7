#include "pipeline/posture/result_checks.h"

#include <nlohmann/json.hpp>

namespace bulwark::pipeline {
namespace {

using Json = nlohmann::json;

std::string textAt(const Json& doc, const char* key) {
  const auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

model::NotEvaluatedCause causeNamed(std::string_view name) {
  using model::NotEvaluatedCause;
  for (NotEvaluatedCause cause :
       {NotEvaluatedCause::PermissionDenied, NotEvaluatedCause::Unreachable,
        NotEvaluatedCause::Timeout, NotEvaluatedCause::MissingInput, NotEvaluatedCause::Malformed,
        NotEvaluatedCause::Undetermined}) {
    if (model::toString(cause) == name) return cause;
  }
  return NotEvaluatedCause::None;
}

std::optional<model::CheckStatus> statusNamed(std::string_view name) {
  using model::CheckStatus;
  for (CheckStatus status : {CheckStatus::Pass, CheckStatus::Fail, CheckStatus::NotApplicable,
                             CheckStatus::NotEvaluated, CheckStatus::Manual}) {
    if (model::toString(status) == name) return status;
  }
  return std::nullopt;
}

}  // namespace

std::vector<store::ResultCheck> toResultChecks(std::span<const model::CheckResult> results) {
  std::vector<store::ResultCheck> rows;
  rows.reserve(results.size());
  for (const model::CheckResult& r : results) {
    Json evidence = Json::array();
    for (const model::Evidence& e : r.evidence) {
      evidence.push_back({{"observed", e.observed}, {"where", e.where}, {"expected", e.expected}});
    }
    Json detail = {{"title", r.title},
                   {"reason", r.reason},
                   {"cause", std::string(model::toString(r.cause))},
                   {"evidence", std::move(evidence)},
                   {"remediation", r.remediation}};
    if (r.assist) detail["assist"] = std::string(model::toString(*r.assist));
    rows.push_back({r.check_id, r.status, r.severity,
                    detail.dump(-1, ' ', false, Json::error_handler_t::replace)});
  }
  return rows;
}

model::CheckResult fromResultCheck(const store::ResultCheck& row) {
  model::CheckResult result;
  result.check_id = row.check_id;
  result.status = row.status;
  result.severity = row.severity;
  result.resource_kind = "image";
  const Json detail = Json::parse(row.detail_json, nullptr, false);
  if (!detail.is_object()) return result;
  result.title = textAt(detail, "title");
  result.reason = textAt(detail, "reason");
  result.remediation = textAt(detail, "remediation");
  result.cause = causeNamed(textAt(detail, "cause"));
  result.assist = statusNamed(textAt(detail, "assist"));
  if (const auto it = detail.find("evidence"); it != detail.end() && it->is_array()) {
    for (const Json& e : *it) {
      if (!e.is_object()) continue;
      result.evidence.push_back({textAt(e, "observed"), textAt(e, "where"), textAt(e, "expected")});
    }
  }
  return result;
}

}  // namespace bulwark::pipeline
