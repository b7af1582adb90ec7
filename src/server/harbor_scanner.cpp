#include "server/harbor_scanner.h"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "image/oci.h"
#include "server/webhooks/json_body.h"
#include "server/webhooks/push_event.h"

namespace bulwark::server {

namespace {

using nlohmann::json;
using webhooks::objectField;
using webhooks::shown;
using webhooks::stringField;

constexpr std::string_view kWhat = "Harbor scan request";
constexpr std::size_t kMaxDescriptionBytes = 4096;
constexpr std::size_t kMaxAuthorizationBytes = 8192;

core::Status parseRegistryUrl(std::string_view url, HarborScanRequest& out) {
  std::string_view rest = url;
  if (rest.substr(0, 8) == "https://") {
    rest.remove_prefix(8);
  } else if (rest.substr(0, 7) == "http://") {
    rest.remove_prefix(7);
    out.plain_http = true;
  } else {
    return core::fail(core::ErrorCode::Input, "{}: registry.url {} is not an http(s) URL", kWhat,
                      shown(url));
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('@') != std::string_view::npos) {
    // Never echo it: the part before '@' would be credentials.
    return core::fail(core::ErrorCode::Input, "{}: registry.url must not carry credentials", kWhat);
  }
  if (rest.find_first_of("/?#") != std::string_view::npos || !webhooks::validHost(rest)) {
    return core::fail(core::ErrorCode::Input, "{}: registry.url {} is not scheme://host[:port]",
                      kWhat, shown(url));
  }
  out.registry_host = std::string(rest);
  out.registry_url = std::string(url.substr(0, url.size() - (url.back() == '/' ? 1 : 0)));
  return {};
}

bool validAuthorization(std::string_view value) {
  return value.size() <= kMaxAuthorizationBytes &&
         std::all_of(value.begin(), value.end(), [](char c) { return c >= ' ' && c < 0x7f; });
}

std::string rfc3339Millis(std::int64_t millis) {
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  const auto rest = static_cast<int>(((millis % 1000) + 1000) % 1000);
  std::tm utc{};
  if (gmtime_r(&seconds, &utc) == nullptr) return "1970-01-01T00:00:00.000Z";
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:03}Z", buffer, rest);
}

json artifactJson(const HarborArtifact& artifact) {
  json out = {{"repository", artifact.repository}, {"digest", artifact.digest}};
  if (!artifact.tag.empty()) out["tag"] = artifact.tag;
  if (!artifact.mime_type.empty()) out["mime_type"] = artifact.mime_type;
  return out;
}

json scannerJson(const HarborScanner& scanner) {
  return {{"name", scanner.name}, {"vendor", scanner.vendor}, {"version", scanner.version}};
}

int rank(model::Severity severity) {
  switch (severity) {
    case model::Severity::Critical: return 4;
    case model::Severity::High: return 3;
    case model::Severity::Medium: return 2;
    case model::Severity::Low:
    case model::Severity::Negligible: return 1;
    case model::Severity::Unknown: break;
  }
  return 0;
}

std::optional<json> preferredCvss(const model::Finding& finding) {
  const bool v3 = finding.vector.rfind("CVSS:3.", 0) == 0;
  const bool v2 = finding.vector.rfind("AV:", 0) == 0;
  if (!v3 && !v2) return std::nullopt;
  json out = {{v3 ? "vector_v3" : "vector_v2", finding.vector}};
  if (finding.score) out[v3 ? "score_v3" : "score_v2"] = *finding.score;
  return out;
}

std::string truncated(const std::string& text, std::size_t max) {
  if (text.size() <= max) return text;
  std::string out = text.substr(0, max);
  while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
  if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80) != 0) out.pop_back();
  return out + "...";
}

}  // namespace

std::string renderHarborMetadata(
    const HarborScanner& scanner, std::string_view db_updated_at,
    const std::vector<std::pair<std::string, std::string>>& properties) {
  json props = {{"harbor.scanner-adapter/scanner-type", "os-package-vulnerability"}};
  if (!db_updated_at.empty()) {
    props["harbor.scanner-adapter/vulnerability-database-updated-at"] = db_updated_at;
  }
  for (const auto& [key, value] : properties) props[key] = value;
  const json metadata = {
      {"scanner", scannerJson(scanner)},
      {"capabilities",
       json::array(
           {{{"consumes_mime_types", {image::media::kOciManifest, image::media::kDockerManifest}},
             {"produces_mime_types", {kHarborReportMimeType, kHarborReportMimeTypeV10}}}})},
      {"properties", std::move(props)}};
  return webhooks::dumpJson(metadata);
}

core::Result<HarborScanRequest> parseHarborScanRequest(std::string_view body) {
  try {
    auto root = webhooks::parseJsonBody(body, kWhat, webhooks::TopLevel::Object,
                                        kMaxHarborScanRequestBytes);
    if (!root) return tl::unexpected(root.error());
    const json* registry = objectField(*root, "registry");
    const json* artifact = objectField(*root, "artifact");
    if (registry == nullptr || artifact == nullptr) {
      return core::fail(core::ErrorCode::Input, "{}: needs \"registry\" and \"artifact\" objects",
                        kWhat);
    }
    HarborScanRequest out;
    const std::string* url = stringField(*registry, "url", 2048);
    if (url == nullptr || url->empty()) {
      return core::fail(core::ErrorCode::Input, "{}: no registry.url", kWhat);
    }
    if (auto status = parseRegistryUrl(*url, out); !status) {
      return tl::unexpected(status.error());
    }
    if (registry->contains("authorization")) {
      const std::string* authorization =
          stringField(*registry, "authorization", kMaxAuthorizationBytes);
      if (authorization == nullptr || !validAuthorization(*authorization)) {
        return core::fail(core::ErrorCode::Input,
                          "{}: registry.authorization is not a printable header value", kWhat);
      }
      out.authorization = *authorization;
    }
    const std::string* repository = stringField(*artifact, "repository", 1024);
    if (repository == nullptr || !webhooks::validRepository(*repository)) {
      return core::fail(core::ErrorCode::Input, "{}: invalid artifact.repository {}", kWhat,
                        repository == nullptr ? "(none)" : shown(*repository));
    }
    const std::string* digest = stringField(*artifact, "digest", 1024);
    if (digest == nullptr || !webhooks::validDigest(*digest)) {
      return core::fail(core::ErrorCode::Input,
                        "{}: invalid artifact.digest {} (expected sha256:<64 hex>)", kWhat,
                        digest == nullptr ? "(none)" : shown(*digest));
    }
    out.artifact.repository = *repository;
    out.artifact.digest = *digest;
    if (const auto it = artifact->find("tag"); it != artifact->end() && !it->is_null()) {
      const std::string* tag = stringField(*artifact, "tag", 1024);
      if (tag == nullptr || (!tag->empty() && !webhooks::validTag(*tag))) {
        return core::fail(core::ErrorCode::Input, "{}: invalid artifact.tag {}", kWhat,
                          tag == nullptr ? "(not a string)" : shown(*tag));
      }
      out.artifact.tag = *tag;
    }
    if (const auto it = artifact->find("mime_type"); it != artifact->end() && !it->is_null()) {
      const std::string* mime_type = stringField(*artifact, "mime_type", 1024);
      if (mime_type == nullptr ||
          (!mime_type->empty() && *mime_type != image::media::kOciManifest &&
           *mime_type != image::media::kDockerManifest)) {
        return core::fail(core::ErrorCode::Input, "{}: unsupported artifact.mime_type {}", kWhat,
                          mime_type == nullptr ? "(not a string)" : shown(*mime_type));
      }
      out.artifact.mime_type = *mime_type;
    }
    return out;
  } catch (const std::exception& error) {
    // nlohmann's messages name types and positions, never values.
    return core::fail(core::ErrorCode::Input, "{}: {}", kWhat, error.what());
  }
}

std::string renderHarborScanResponse(std::string_view id) {
  return webhooks::dumpJson(json{{"id", id}});
}

bool validHarborScanId(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::string renderHarborError(std::string_view message) {
  return webhooks::dumpJson(json{{"error", {{"message", message}}}});
}

std::optional<std::string_view> harborReportMimeTypeFor(std::string_view accept) {
  const std::string lower = core::asciiLower(accept);
  const auto normalized = [](std::string_view text) {
    std::string out;
    for (const char c : text) {
      if (c != ' ') out += c;
    }
    return out;
  };
  const std::string wanted = normalized(lower);
  if (wanted.empty() || wanted.find("*/*") != std::string::npos) return kHarborReportMimeType;
  if (wanted.find(normalized(core::asciiLower(kHarborReportMimeType))) != std::string::npos) {
    return kHarborReportMimeType;
  }
  if (wanted.find(normalized(core::asciiLower(kHarborReportMimeTypeV10))) != std::string::npos) {
    return kHarborReportMimeTypeV10;
  }
  return std::nullopt;
}

std::string_view harborSeverity(model::Severity severity) {
  switch (severity) {
    case model::Severity::Critical: return "Critical";
    case model::Severity::High: return "High";
    case model::Severity::Medium: return "Medium";
    case model::Severity::Low:
    case model::Severity::Negligible: return "Low";
    case model::Severity::Unknown: break;
  }
  return "Unknown";
}

std::string renderHarborReport(const HarborArtifact& artifact, const HarborScanner& scanner,
                               std::int64_t generated_at_ms,
                               const std::vector<model::Finding>& findings) {
  json vulnerabilities = json::array();
  model::Severity highest = model::Severity::Unknown;
  for (const auto& finding : findings) {
    if (rank(finding.severity) > rank(highest)) highest = finding.severity;
    json item = {{"id", finding.vulnerability_id},
                 {"package", finding.package_name},
                 {"version", finding.installed_version}};
    if (!finding.fixed_version.empty()) item["fix_version"] = finding.fixed_version;
    item["severity"] = harborSeverity(finding.severity);
    item["description"] = truncated(finding.title, kMaxDescriptionBytes);
    item["links"] = finding.references;
    if (auto cvss = preferredCvss(finding)) item["preferred_cvss"] = std::move(*cvss);
    if (!finding.cwes.empty()) item["cwe_ids"] = finding.cwes;
    vulnerabilities.push_back(std::move(item));
  }
  const json report = {{"generated_at", rfc3339Millis(generated_at_ms)},
                       {"artifact", artifactJson(artifact)},
                       {"scanner", scannerJson(scanner)},
                       {"severity", harborSeverity(highest)},
                       {"vulnerabilities", std::move(vulnerabilities)}};
  return webhooks::dumpJson(report);
}

}  // namespace bulwark::server
