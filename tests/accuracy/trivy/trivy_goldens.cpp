#include "trivy_goldens.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace bulwark::accuracy::trivy {

namespace {

namespace fs = std::filesystem;
using core::ErrorCode;
using nlohmann::json;

core::Result<json> readJson(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(ErrorCode::NotFound, "{}: cannot open", path.string());
  json out = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded()) return core::fail(ErrorCode::Input, "{}: not JSON", path.string());
  return out;
}

std::string text(const json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::uint32_t number(const json& object, const char* key) {
  if (!object.is_object()) return 0;
  const auto found = object.find(key);
  return found != object.end() && found->is_number_unsigned() ? found->get<std::uint32_t>() : 0;
}

// "pkg:rpm/amazon/curl@7.61.1?arch=x86_64&distro=amazon-2" → "x86_64".
std::string purlQualifier(std::string_view purl, std::string_view name) {
  const auto query = purl.find('?');
  if (query == std::string_view::npos) return {};
  std::string_view rest = purl.substr(query + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    if (pair.starts_with(name) && pair.size() > name.size() && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return {};
}

// "[epoch:]rest" → epoch (when numeric and non-zero) and rest.
std::string splitEpoch(std::string_view full, std::optional<std::uint32_t>& epoch) {
  const auto colon = full.find(':');
  if (colon == std::string_view::npos) return std::string(full);
  std::uint32_t value = 0;
  const auto [end, error] = std::from_chars(full.data(), full.data() + colon, value);
  if (error != std::errc() || end != full.data() + colon) return std::string(full);
  if (value != 0) epoch = value;
  return std::string(full.substr(colon + 1));
}

std::string joinVersion(std::uint32_t epoch, const std::string& version,
                        const std::string& release) {
  std::string out = epoch != 0 ? fmt::format("{}:", epoch) : std::string();
  out += version;
  if (!release.empty()) out += "-" + release;
  return out;
}

}  // namespace

core::Result<IntegrationGolden> readIntegrationGolden(const fs::path& path) {
  auto document = readJson(path);
  if (!document) return tl::unexpected(document.error());
  IntegrationGolden out;
  const json& metadata = (*document)["Metadata"];
  if (metadata.is_object() && metadata.contains("OS")) {
    out.family = text(metadata["OS"], "Family");
    out.name = text(metadata["OS"], "Name");
  }
  const json& results = (*document)["Results"];
  if (!results.is_array()) return out;
  std::set<std::tuple<std::string, std::string, std::string>> packages;
  for (const auto& result : results) {
    const std::string result_class = text(result, "Class");
    if (result_class != "os-pkgs" && result_class != "lang-pkgs") continue;
    if (const auto listed = result.find("Packages");
        result_class == "lang-pkgs" && listed != result.end() && listed->is_array()) {
      for (const auto& p : *listed) {
        out.language_packages.emplace_back(text(p, "Name"), text(p, "Version"));
      }
    }
    const auto vulnerabilities = result.find("Vulnerabilities");
    if (vulnerabilities == result.end() || !vulnerabilities->is_array()) continue;
    for (const auto& v : *vulnerabilities) {
      VulnerabilityRow row{.id = text(v, "VulnerabilityID"),
                           .package = text(v, "PkgName"),
                           .installed = text(v, "InstalledVersion"),
                           .fixed = text(v, "FixedVersion"),
                           .status = text(v, "Status"),
                           .severity = text(v, "Severity")};
      if (result_class == "lang-pkgs") {
        out.language_rows.push_back(std::move(row));
        continue;
      }
      std::string arch;
      if (const auto identifier = v.find("PkgIdentifier"); identifier != v.end()) {
        arch = purlQualifier(text(*identifier, "PURL"), "arch");
      }
      packages.emplace(row.package, row.installed, arch);
      out.rows.push_back(std::move(row));
    }
  }
  std::sort(out.rows.begin(), out.rows.end());
  std::sort(out.language_rows.begin(), out.language_rows.end());
  std::sort(out.language_packages.begin(), out.language_packages.end());
  for (const auto& [name, installed, arch] : packages)
    out.packages.push_back({name, installed, arch});
  return out;
}

model::Distro distroFromTrivyOs(std::string_view family, std::string_view name) {
  struct Family {
    std::string_view trivy;
    std::string_view id;
  };
  static constexpr Family kFamilies[] = {
      {"alpine", "alpine"},
      {"debian", "debian"},
      {"ubuntu", "ubuntu"},
      {"centos", "centos"},
      {"redhat", "rhel"},
      {"alma", "almalinux"},
      {"rocky", "rocky"},
      {"oracle", "ol"},
      {"amazon", "amzn"},
      {"cbl-mariner", "mariner"},
      {"azurelinux", "azurelinux"},
      {"photon", "photon"},
      {"fedora", "fedora"},
      {"opensuse-leap", "opensuse-leap"},
      {"opensuse-tumbleweed", "opensuse-tumbleweed"},
      {"sles", "sles"},
      {"slem", "sle-micro"},
  };
  model::Distro distro;
  for (const auto& entry : kFamilies) {
    if (entry.trivy == family) distro.id = std::string(entry.id);
  }
  // The first word that starts with a digit: "2 (Karoo)" → "2", "AMI release 2018.03" →
  // "2018.03", "10.1" → "10.1".
  std::size_t pos = 0;
  while (pos < name.size()) {
    const auto end = std::min(name.find(' ', pos), name.size());
    const std::string_view word = name.substr(pos, end - pos);
    if (!word.empty() && word.front() >= '0' && word.front() <= '9') {
      distro.version_id = std::string(word);
      break;
    }
    pos = end + 1;
  }
  distro.pretty_name = fmt::format("{} {}", family, name);
  distro.source = "trivy golden Metadata.OS";
  return distro;
}

std::optional<model::PackageType> packageTypeFor(std::string_view family) {
  if (family == "alpine") return model::PackageType::Apk;
  if (family == "debian" || family == "ubuntu") return model::PackageType::Deb;
  if (family.empty()) return std::nullopt;
  return model::PackageType::Rpm;
}

core::Result<std::vector<model::Package>> readFanalPackages(const fs::path& path,
                                                            model::PackageType type) {
  auto document = readJson(path);
  if (!document) return tl::unexpected(document.error());
  if (!document->is_array()) {
    return core::fail(ErrorCode::Input, "{}: not a package list", path.string());
  }
  std::vector<model::Package> out;
  for (const auto& item : *document) {
    model::Package p;
    p.type = type;
    p.name = text(item, "Name");
    p.arch = text(item, "Arch");
    const std::string version = text(item, "Version");
    const std::string release = text(item, "Release");
    const std::uint32_t epoch = number(item, "Epoch");
    const std::string src_name = text(item, "SrcName");
    const std::string src_version =
        joinVersion(number(item, "SrcEpoch"), text(item, "SrcVersion"), text(item, "SrcRelease"));
    p.source_name = src_name.empty() ? p.name : src_name;
    p.source_version = src_version;
    switch (type) {
      case model::PackageType::Deb: {
        // Newer goldens split dpkg versions into Version and Release; older ones keep the
        // whole "[epoch:]upstream-revision" in Version.
        const std::string full = release.empty() ? version : version + "-" + release;
        p.version = splitEpoch(full, p.epoch);
        if (!p.epoch && epoch != 0) p.epoch = epoch;
        break;
      }
      case model::PackageType::Apk:
        p.version = version;
        p.origin = p.source_name;
        break;
      case model::PackageType::Rpm:
        p.version = version;
        p.release = release;
        if (epoch != 0) p.epoch = epoch;
        p.modularity_label = text(item, "Modularitylabel");
        break;
      default: break;  // fanal package goldens list OS packages only
    }
    if (p.name.empty() || p.version.empty()) continue;
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<model::Package> packagesFromGolden(const IntegrationGolden& golden,
                                               model::PackageType type,
                                               const SourceNames& sources) {
  std::vector<model::Package> out;
  for (const auto& g : golden.packages) {
    model::Package p;
    p.type = type;
    p.name = g.name;
    p.arch = g.arch;
    const auto source = sources.find(g.name);
    p.source_name = source != sources.end() ? source->second : g.name;
    switch (type) {
      case model::PackageType::Deb: p.version = splitEpoch(g.installed, p.epoch); break;
      case model::PackageType::Apk:
        p.version = g.installed;
        p.origin = p.source_name;
        break;
      case model::PackageType::Rpm: {
        const std::string rest = splitEpoch(g.installed, p.epoch);
        const auto dash = rest.rfind('-');
        p.version = rest.substr(0, dash);
        if (dash != std::string::npos) p.release = rest.substr(dash + 1);
        break;
      }
      default: break;  // OS goldens: the three OS package types only
    }
    p.source_version = p.fullVersion();
    out.push_back(std::move(p));
  }
  return out;
}

std::string_view trivyStatus(model::AffectedStatus status) {
  switch (status) {
    case model::AffectedStatus::Affected: return "affected";
    case model::AffectedStatus::Fixed: return "fixed";
    case model::AffectedStatus::WillNotFix: return "will_not_fix";
    case model::AffectedStatus::FixDeferred: return "fix_deferred";
    case model::AffectedStatus::EndOfLife: return "end_of_life";
    case model::AffectedStatus::UnderInvestigation: return "under_investigation";
    case model::AffectedStatus::NotAffected: return "not_affected";
  }
  return "unknown";
}

std::string_view trivySeverity(model::Severity severity) {
  switch (severity) {
    case model::Severity::Unknown: return "UNKNOWN";
    case model::Severity::Negligible: return "NEGLIGIBLE";  // Trivy has no such level
    case model::Severity::Low: return "LOW";
    case model::Severity::Medium: return "MEDIUM";
    case model::Severity::High: return "HIGH";
    case model::Severity::Critical: return "CRITICAL";
  }
  return "UNKNOWN";
}

VulnerabilityRow rowFromFinding(const model::Finding& finding) {
  return {.id = finding.vulnerability_id,
          .package = finding.package_name,
          .installed = finding.installed_version,
          .fixed = finding.fixed_version,
          .status = std::string(trivyStatus(finding.status)),
          .severity = std::string(trivySeverity(finding.severity))};
}

std::vector<std::string> compareRows(const std::vector<VulnerabilityRow>& trivy,
                                     const std::vector<VulnerabilityRow>& bulwark) {
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, const VulnerabilityRow*> theirs;
  std::map<Key, const VulnerabilityRow*> ours;
  for (const auto& row : trivy) theirs.emplace(Key{row.id, row.package, row.installed}, &row);
  for (const auto& row : bulwark) ours.emplace(Key{row.id, row.package, row.installed}, &row);
  auto describe = [](const VulnerabilityRow& row) {
    return fmt::format("{} {} {} (fixed {}, {}, {})", row.id, row.package, row.installed,
                       row.fixed.empty() ? "-" : row.fixed, row.status, row.severity);
  };
  std::vector<std::string> out;
  for (const auto& [key, row] : theirs) {
    const auto found = ours.find(key);
    if (found == ours.end()) {
      out.push_back("missing " + describe(*row));
      continue;
    }
    const VulnerabilityRow& mine = *found->second;
    std::string detail;
    auto field = [&](std::string_view what, const std::string& a, const std::string& b) {
      if (a == b) return;
      detail += fmt::format("{}{} trivy={} bulwark={}", detail.empty() ? "" : "; ", what,
                            a.empty() ? "-" : a, b.empty() ? "-" : b);
    };
    field("fixed", row->fixed, mine.fixed);
    field("status", row->status, mine.status);
    field("severity", row->severity, mine.severity);
    if (!detail.empty()) {
      out.push_back(
          fmt::format("differs {} {} {}: {}", row->id, row->package, row->installed, detail));
    }
  }
  for (const auto& [key, row] : ours) {
    if (!theirs.contains(key)) out.push_back("extra " + describe(*row));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> comparePackages(
    const std::vector<std::pair<std::string, std::string>>& trivy,
    const std::vector<std::pair<std::string, std::string>>& bulwark) {
  std::map<std::pair<std::string, std::string>, long> balance;  // trivy count - bulwark count
  for (const auto& p : trivy) ++balance[p];
  for (const auto& p : bulwark) --balance[p];
  std::vector<std::string> out;
  for (const auto& [p, count] : balance) {
    for (long i = 0; i < count; ++i)
      out.push_back(fmt::format("package missing {} {}", p.first, p.second));
    for (long i = 0; i > count; --i)
      out.push_back(fmt::format("package extra {} {}", p.first, p.second));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> compareRowCounts(const std::vector<VulnerabilityRow>& trivy,
                                          const std::vector<VulnerabilityRow>& bulwark) {
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, std::pair<std::size_t, std::size_t>> counts;
  for (const auto& row : trivy) ++counts[Key{row.id, row.package, row.installed}].first;
  for (const auto& row : bulwark) ++counts[Key{row.id, row.package, row.installed}].second;
  std::vector<std::string> out = compareRows(trivy, bulwark);
  for (const auto& [key, count] : counts) {
    if (count.first == count.second || count.first == 0 || count.second == 0) continue;
    out.push_back(fmt::format("count {} {} {}: trivy={} bulwark={}", std::get<0>(key),
                              std::get<1>(key), std::get<2>(key), count.first, count.second));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace bulwark::accuracy::trivy
