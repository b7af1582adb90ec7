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

}  // namespace bulwark::model
