// Harbor's POST /api/v1/scan bodies: any bytes must parse or fail cleanly; a parsed request
// has a valid host, repository and digest, and renders into a report that is valid JSON.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/harbor_scanner.h"
#include "server/webhooks/push_event.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::server;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto request = parseHarborScanRequest(body);
  if (!request) {
    if (request.error().message.empty()) std::abort();
    return 0;
  }
  if (!webhooks::validHost(request->registry_host) ||
      !webhooks::validRepository(request->artifact.repository) ||
      !webhooks::validDigest(request->artifact.digest)) {
    std::abort();
  }
  for (const char c : request->authorization) {
    if (c < ' ' || c == 0x7f) std::abort();  // never a header injection
  }
  bulwark::model::Finding finding;
  finding.vulnerability_id = request->artifact.tag;
  finding.package_name = request->registry_url;
  const auto report = nlohmann::json::parse(
      renderHarborReport(request->artifact, HarborScanner{}, 0, {finding}), nullptr, false);
  if (report.is_discarded()) std::abort();
  return 0;
}
