// AdmissionReview bodies come from the Kubernetes API server, or from whoever reaches the
// endpoint: any bytes must parse or fail cleanly, and a parsed review must always yield a
// response that is valid JSON and echoes the uid. The decider's verdict is derived from the
// image so that every branch of the decision runs.
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/admission.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::server;
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto request = parseAdmissionReview(body);
  if (!request) return 0;
  AdmissionPolicy policy;
  policy.audit_only = (flags & 1) != 0;
  policy.require_scanned = (flags & 2) != 0;
  if ((flags & 4) != 0) policy.allowed_registries = {"docker.io", "*.example.com"};
  if ((flags & 8) != 0) policy.exempt_namespaces = {"kube-system"};
  const ImageDecider decide = [](const std::string& image) {
    if (image.empty()) std::abort();  // only canonical references are looked up
    const auto state = static_cast<ImageState>(std::hash<std::string>{}(image) % 4);
    return ImageVerdict{state, image.size() % 2 == 0 ? "" : "1 critical finding fails policy"};
  };
  const auto response = decideAdmission(*request, policy, decide);
  if (response.uid != request->uid) std::abort();
  if (policy.audit_only && !response.allowed) std::abort();
  if (response.warnings.size() > kMaxWarnings) std::abort();
  const auto review = nlohmann::json::parse(renderAdmissionReview(response), nullptr, false);
  if (review.is_discarded() || review["response"]["uid"] != request->uid) std::abort();
  return 0;
}
