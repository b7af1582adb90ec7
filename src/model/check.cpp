#include "model/check.h"

namespace bulwark::model {

std::string_view toString(CheckStatus status) {
  switch (status) {
    case CheckStatus::Pass: return "pass";
    case CheckStatus::Fail: return "fail";
    case CheckStatus::NotApplicable: return "not-applicable";
    case CheckStatus::NotEvaluated: return "not-evaluated";
    case CheckStatus::Manual: return "manual";
  }
  return "not-evaluated";
}

std::string_view toString(NotEvaluatedCause cause) {
  switch (cause) {
    case NotEvaluatedCause::None: return "";
    case NotEvaluatedCause::PermissionDenied: return "permission-denied";
    case NotEvaluatedCause::Unreachable: return "unreachable";
    case NotEvaluatedCause::Timeout: return "timeout";
    case NotEvaluatedCause::MissingInput: return "missing-input";
    case NotEvaluatedCause::Malformed: return "malformed";
    case NotEvaluatedCause::Undetermined: return "undetermined";
  }
  return "undetermined";
}

}  // namespace bulwark::model
