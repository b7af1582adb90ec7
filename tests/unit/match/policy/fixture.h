// A scan report shaped like tests/fixtures/rootfs/debian-mini scanned against
// tests/fixtures/advisories/debian-mini, built in memory for the policy tests.
#pragma once

#include <string>

#include "match/ignore.h"
#include "match/policy.h"
#include "match/vex.h"
#include "model/finding.h"
#include "model/purl.h"
#include "testdata.h"

namespace bulwark::match::testing {

inline model::Package package(std::string name, std::string source, std::string version) {
  model::Package p;
  p.type = model::PackageType::Deb;
  p.name = std::move(name);
  p.source_name = std::move(source);
  p.version = std::move(version);
  p.arch = "amd64";
  p.location.path = "var/lib/dpkg/status";
  return p;
}

inline model::Finding finding(std::size_t package_index, const model::Inventory& inventory,
                              std::string id, model::Severity severity, std::string fixed) {
  model::Finding f;
  f.vulnerability_id = std::move(id);
  f.package_index = package_index;
  f.package_name = inventory.packages[package_index].name;
  f.installed_version = inventory.packages[package_index].fullVersion();
  f.severity = severity;
  f.fixed_version = std::move(fixed);
  return f;
}

// libc6 (glibc) 2.36-9+deb12u4: CVE-2024-2961 HIGH (fixed, alias DSA-5692-1), CVE-2010-4756
// NEGLIGIBLE; openssl 3.0.11-1~deb12u2: CVE-2023-5678 LOW (fixed), CVE-2024-0727 NEGLIGIBLE.
inline model::ScanReport debianMini() {
  model::ScanReport report;
  auto& inventory = report.inventory;
  inventory.target.name = "tests/fixtures/rootfs/debian-mini";
  inventory.target.kind = "rootfs";
  inventory.distro.id = "debian";
  inventory.distro.version_id = "12";
  inventory.distro.codename = "bookworm";
  inventory.packages.push_back(package("libc6", "glibc", "2.36-9+deb12u4"));
  inventory.packages.push_back(package("openssl", "openssl", "3.0.11-1~deb12u2"));
  report.findings.push_back(
      finding(0, inventory, "CVE-2024-2961", model::Severity::High, "2.36-9+deb12u7"));
  report.findings.back().aliases = {"DSA-5692-1"};
  report.findings.push_back(
      finding(0, inventory, "CVE-2010-4756", model::Severity::Negligible, ""));
  report.findings.push_back(
      finding(1, inventory, "CVE-2023-5678", model::Severity::Low, "3.0.13-1~deb12u1"));
  report.findings.push_back(
      finding(1, inventory, "CVE-2024-0727", model::Severity::Negligible, ""));
  return report;
}

// The subject policy.cpp builds for finding `i` of a report.
inline Subject subjectOf(const model::ScanReport& report, std::size_t i) {
  const auto& f = report.findings[i];
  const auto& p = report.inventory.packages[f.package_index];
  Subject s;
  s.vulnerability_id = f.vulnerability_id;
  s.aliases = f.aliases;
  s.package_name = p.name;
  s.source_name = p.source_name;
  s.full_version = p.fullVersion();
  s.purl_text = model::purl(p, report.inventory.distro);
  s.purl = *model::parsePurl(s.purl_text);
  s.path = p.location.path;
  s.distro_codename = report.inventory.distro.codename;
  s.target = &report.inventory.target;
  return s;
}

inline std::string fixture(const std::string& relative) {
  return (bulwark::testing::fixtures() / relative).string();
}

inline std::chrono::year_month_day date(int y, unsigned m, unsigned d) {
  return std::chrono::year_month_day{std::chrono::year(y), std::chrono::month(m),
                                     std::chrono::day(d)};
}

}  // namespace bulwark::match::testing
