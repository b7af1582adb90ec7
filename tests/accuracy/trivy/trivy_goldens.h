// Test support: reading Trivy's golden files into bulwark's types and comparing results.
//  - integration goldens (trivy `integration/testdata/*.json.golden`): the OS (Metadata.OS) and
//    the vulnerabilities of the "os-pkgs" results;
//  - fanal package goldens (trivy `pkg/fanal/test/integration/testdata/goldens/packages/`): the
//    package inventory Trivy's own analyzers read from the same image.
// Comparison is on (VulnerabilityID, PkgName, InstalledVersion) → (FixedVersion, Status,
// Severity), with Trivy's spellings ("will_not_fix", "MEDIUM").
#pragma once

#include <compare>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/finding.h"
#include "model/package.h"

namespace bulwark::accuracy::trivy {

struct VulnerabilityRow {
  std::string id;
  std::string package;
  std::string installed;
  std::string fixed;
  std::string status;    // Trivy's word: "fixed", "affected", "will_not_fix", ...
  std::string severity;  // "LOW" ... "CRITICAL", "UNKNOWN"

  auto operator<=>(const VulnerabilityRow&) const = default;
};

// A vulnerable package as an integration golden names it.
struct GoldenPackage {
  std::string name;
  std::string installed;  // InstalledVersion: "[epoch:]version[-release]"
  std::string arch;       // from the purl's arch qualifier
};

struct IntegrationGolden {
  std::string family;  // Metadata.OS.Family: "debian", "alma", "amazon", ...
  std::string name;    // Metadata.OS.Name: "10.1", "2 (Karoo)", "AMI release 2018.03"
  std::vector<VulnerabilityRow> rows;           // every os-pkgs vulnerability, sorted
  std::vector<GoldenPackage> packages;          // the distinct vulnerable packages, sorted
  std::vector<VulnerabilityRow> language_rows;  // every lang-pkgs vulnerability, sorted
  // Packages[] (Name, Version) of every lang-pkgs result (--list-all-pkgs goldens), sorted.
  std::vector<std::pair<std::string, std::string>> language_packages;
};

core::Result<IntegrationGolden> readIntegrationGolden(const std::filesystem::path& path);

// Trivy's OS family → os-release ID, and its OS name → VERSION_ID ("2 (Karoo)" → "2",
// "AMI release 2018.03" → "2018.03"): the Distro bulwark's own detection gives that image.
model::Distro distroFromTrivyOs(std::string_view family, std::string_view name);
std::optional<model::PackageType> packageTypeFor(std::string_view family);

// A fanal package golden → bulwark packages (rpm: epoch only when non-zero, as Trivy prints).
core::Result<std::vector<model::Package>> readFanalPackages(const std::filesystem::path& path,
                                                            model::PackageType type);

// Binary package name → source package name.
using SourceNames = std::map<std::string, std::string>;

// An inventory made of the golden's own vulnerable packages, for images without a fanal
// golden. Goldens carry no source package names: `sources` supplies them (default: the name).
std::vector<model::Package> packagesFromGolden(const IntegrationGolden& golden,
                                               model::PackageType type, const SourceNames& sources);

std::string_view trivyStatus(model::AffectedStatus status);
std::string_view trivySeverity(model::Severity severity);
VulnerabilityRow rowFromFinding(const model::Finding& finding);

// Every difference, one line each, sorted: "missing …" (Trivy only), "extra …" (bulwark only),
// "differs …" (same id, package and installed version; other fields differ).
std::vector<std::string> compareRows(const std::vector<VulnerabilityRow>& trivy,
                                     const std::vector<VulnerabilityRow>& bulwark);

// compareRows for results that may hold the same row more than once (one lockfile per
// directory: gomod's go.mod and submod/go.mod): rows are compared as compareRows does, and a
// key found a different number of times adds "count … trivy=N bulwark=M".
// Two package lists (name, version) as multisets: "package missing NAME VERSION" (Trivy only),
// "package extra NAME VERSION" (bulwark only), sorted.
std::vector<std::string> comparePackages(
    const std::vector<std::pair<std::string, std::string>>& trivy,
    const std::vector<std::pair<std::string, std::string>>& bulwark);

std::vector<std::string> compareRowCounts(const std::vector<VulnerabilityRow>& trivy,
                                          const std::vector<VulnerabilityRow>& bulwark);

}  // namespace bulwark::accuracy::trivy
