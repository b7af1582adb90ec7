#include "pipeline/service/finding_records.h"

#include <cstdint>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "match/enrich.h"
#include "match/matcher.h"
#include "report/scan_report.h"

namespace bulwark::pipeline::service {

namespace {

using Json = nlohmann::ordered_json;

constexpr int kLastStatus = static_cast<int>(model::AffectedStatus::NotAffected);
constexpr int kLastSeverity = static_cast<int>(model::Severity::Critical);

bool parseStatus(std::string_view text, model::AffectedStatus& out) {
  for (int i = 0; i <= kLastStatus; ++i) {
    const auto status = static_cast<model::AffectedStatus>(i);
    if (model::toString(status) == text) {
      out = status;
      return true;
    }
  }
  return false;
}

bool parseSeverityExact(std::string_view text, model::Severity& out) {
  for (int i = 0; i <= kLastSeverity; ++i) {
    const auto severity = static_cast<model::Severity>(i);
    if (model::toString(severity) == text) {
      out = severity;
      return true;
    }
  }
  return false;
}

// Optional members of the wrong type are errors; absent ones keep the default.
bool readText(const Json& j, const char* key, std::string& out) {
  const auto it = j.find(key);
  if (it == j.end()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

bool readTexts(const Json& j, const char* key, std::vector<std::string>& out) {
  const auto it = j.find(key);
  if (it == j.end()) return true;
  if (!it->is_array()) return false;
  for (const auto& value : *it) {
    if (!value.is_string()) return false;
    out.push_back(value.get<std::string>());
  }
  return true;
}

}  // namespace

store::FindingRecord toFindingRecord(const model::Finding& finding,
                                     const model::Inventory& inventory) {
  store::FindingRecord record;
  record.vulnerability_id = finding.vulnerability_id;
  record.package_name = finding.package_name;
  record.installed_version = finding.installed_version;
  record.fixed_version = finding.fixed_version;
  record.severity = finding.severity;
  record.detail_json = report::findingJsonText(finding, inventory, /*with_package_index=*/true);
  return record;
}

std::vector<store::FindingRecord> toFindingRecords(const std::vector<model::Finding>& findings,
                                                   const model::Inventory& inventory) {
  std::vector<store::FindingRecord> records;
  records.reserve(findings.size());
  for (const auto& finding : findings) records.push_back(toFindingRecord(finding, inventory));
  return records;
}

core::Result<model::Finding> fromFindingRecord(const store::FindingRecord& record) {
  auto invalid = [&](std::string_view what) {
    return core::fail(core::ErrorCode::Input, "stored finding {} in {}: {}",
                      core::printable(record.vulnerability_id),
                      core::printable(record.package_name), what);
  };
  model::Finding f;
  f.vulnerability_id = record.vulnerability_id;
  f.package_name = record.package_name;
  f.installed_version = record.installed_version;
  f.fixed_version = record.fixed_version;
  f.severity = record.severity;
  if (record.detail_json.empty()) return f;
  if (record.detail_json.size() > kMaxFindingDetailBytes) return invalid("detail too large");
  const Json j = Json::parse(record.detail_json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return invalid("detail is not a JSON object");
  std::string status = "affected";
  if (!readText(j, "status", status) || !parseStatus(status, f.status)) {
    return invalid("bad status");
  }
  if (!readTexts(j, "aliases", f.aliases) || !readText(j, "urgency", f.urgency) ||
      !readText(j, "severity_source", f.severity_source) || !readText(j, "title", f.title) ||
      !readTexts(j, "references", f.references) || !readTexts(j, "cwes", f.cwes) ||
      !readTexts(j, "data_sources", f.data_sources) || !readText(j, "explanation", f.explanation) ||
      !readText(j, "remediation", f.remediation)) {
    return invalid("a field has the wrong type");
  }
  if (std::string severity; j.contains("severity")) {
    if (!readText(j, "severity", severity) || !parseSeverityExact(severity, f.severity)) {
      return invalid("bad severity");
    }
    f.severity = record.severity;  // the column wins
  }
  if (const auto cvss = j.find("cvss"); cvss != j.end()) {
    if (!cvss->is_object()) return invalid("bad cvss");
    const auto score = cvss->find("score");
    if (score == cvss->end() || !score->is_number()) return invalid("bad cvss score");
    f.score = score->get<double>();
    if (!readText(*cvss, "vector", f.vector)) return invalid("bad cvss vector");
  }
  if (const auto index = j.find("package_index"); index != j.end()) {
    if (!index->is_number_unsigned()) return invalid("bad package_index");
    f.package_index = index->get<std::size_t>();
  }
  return f;
}

core::Result<std::vector<model::Finding>> matchFindings(const vulndb::Database& database,
                                                        const model::Inventory& inventory,
                                                        core::Diagnostics& diagnostics) {
  auto findings = match::matchInventory(database, inventory, diagnostics);
  if (!findings) return findings;
  if (auto ok = match::enrichFindings(database, inventory, *findings); !ok) {
    return tl::unexpected(ok.error());
  }
  return findings;
}

std::string osName(const model::Distro& distro) {
  if (!distro.known()) return "";
  if (distro.version_id.empty()) return distro.id;
  return distro.id + " " + distro.version_id;
}

}  // namespace bulwark::pipeline::service
