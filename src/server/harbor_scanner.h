// Harbor's pluggable scanner API (goharbor/pluggable-scanner-spec,
// api/spec/scanner-adapter-openapi-v1.1.yaml), so that Harbor can use bulwark as its scanner:
//
//   GET  /api/v1/metadata               → ScannerAdapterMetadata   (renderHarborMetadata)
//   POST /api/v1/scan  ScanRequest      → 202 ScanResponse {"id"}  (parseHarborScanRequest,
//                                                                   renderHarborScanResponse)
//   GET  /api/v1/scan/{id}/report       → HarborVulnerabilityReport (renderHarborReport), or
//                                         302 + Refresh-After while the scan runs
//   errors                              → ErrorResponse {"error": {"message"}}
//
// ScanRequest: {"registry": {"url", "authorization"},
//               "artifact": {"repository", "digest", "tag", "mime_type"}}.
// The authorization is a secret (Harbor's robot credentials for the pull): it is never part of
// an error message, a diagnostic or a rendered document, and callers must not log it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "model/finding.h"

namespace bulwark::server {

// The report Harbor 2.x asks for, and the older name of the same document.
inline constexpr std::string_view kHarborReportMimeType =
    "application/vnd.security.vulnerability.report; version=1.1";
inline constexpr std::string_view kHarborReportMimeTypeV10 =
    "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0";
inline constexpr std::string_view kHarborMetadataMimeType =
    "application/vnd.scanner.adapter.metadata+json; version=1.0";
inline constexpr std::string_view kHarborScanRequestMimeType =
    "application/vnd.scanner.adapter.scan.request+json; version=1.0";
inline constexpr std::string_view kHarborScanResponseMimeType =
    "application/vnd.scanner.adapter.scan.response+json; version=1.0";
inline constexpr std::string_view kHarborErrorMimeType =
    "application/vnd.scanner.adapter.error+json; version=1.0";

// Harbor's scan request bodies are a few hundred bytes.
inline constexpr std::size_t kMaxHarborScanRequestBytes = std::size_t{64} << 10;

struct HarborScanner {
  std::string name = "bulwark";
  std::string vendor = "bulwark";
  std::string version;  // bulwark's version
};

struct HarborArtifact {
  std::string repository;  // "library/mongo"
  std::string digest;      // "sha256:<64 hex>"
  std::string tag;         // "" when Harbor did not say
  std::string mime_type;   // the manifest media type; "" when Harbor did not say

  friend bool operator==(const HarborArtifact&, const HarborArtifact&) = default;
};

struct HarborScanRequest {
  std::string registry_url;   // "https://core.harbor.domain" (scheme + host[:port], no path)
  std::string registry_host;  // "core.harbor.domain" (with ":port" when the URL has one)
  bool plain_http = false;    // the URL is http://
  std::string authorization;  // SECRET: the Authorization header value for the pull; may be ""
  HarborArtifact artifact;
};

// `properties` are added to the metadata's (string → string) properties after bulwark's own
// ("harbor.scanner-adapter/scanner-type": "os-package-vulnerability");
// `db_updated_at` (RFC 3339), when not empty, becomes
// "harbor.scanner-adapter/vulnerability-database-updated-at".
std::string renderHarborMetadata(
    const HarborScanner& scanner, std::string_view db_updated_at = {},
    const std::vector<std::pair<std::string, std::string>>& properties = {});

// Parses and validates a ScanRequest. ErrorCode::Input (one line, never the authorization)
// when it is not JSON, fields have the wrong types, or a value is invalid: the registry URL
// (http or https, a valid host, no credentials, no path beyond "/"), the repository, the
// digest, the tag, a mime_type other than the OCI or Docker v2 manifest, an authorization with
// control characters; ErrorCode::Limit when over kMaxHarborScanRequestBytes.
core::Result<HarborScanRequest> parseHarborScanRequest(std::string_view body);

// {"id": "…"}
std::string renderHarborScanResponse(std::string_view id);
// Whether a scan request id from a URL path is one we could have issued: 1..128 of
// [A-Za-z0-9._-].
bool validHarborScanId(std::string_view id);
// {"error": {"message": "…"}}
std::string renderHarborError(std::string_view message);

// The report media type to answer with for an Accept header ("" or "*/*" → the 1.1 report);
// nullopt when the client accepts neither report type (answer 406 Not Acceptable).
std::optional<std::string_view> harborReportMimeTypeFor(std::string_view accept);

// Harbor's severity for ours: Critical, High, Medium, Low (Negligible too), Unknown.
std::string_view harborSeverity(model::Severity severity);

// The HarborVulnerabilityReport of `findings` (in their order): generated_at (RFC 3339 UTC with
// milliseconds), the artifact, the scanner, the highest severity ("Unknown" with no findings)
// and one item per finding: id, package, version, fix_version (when fixed), severity,
// description (the title), links (the references), preferred_cvss (CVSS v3 or v2 score and
// vector, when known) and cwe_ids.
std::string renderHarborReport(const HarborArtifact& artifact, const HarborScanner& scanner,
                               std::int64_t generated_at_ms,
                               const std::vector<model::Finding>& findings);

}  // namespace bulwark::server
