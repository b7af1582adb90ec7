#include "vulndb/ecosystem.h"

#include <array>

#include "core/text.h"

namespace bulwark::vulndb {

namespace {

struct Codename {
  std::string_view id;
  std::string_view codename;
  std::string_view release;
};

constexpr std::array<Codename, 46> kCodenames = {{
    {"debian", "buzz", "1.1"},     {"debian", "woody", "3.0"},     {"debian", "sarge", "3.1"},
    {"debian", "etch", "4"},       {"debian", "lenny", "5"},       {"debian", "squeeze", "6"},
    {"debian", "wheezy", "7"},     {"debian", "jessie", "8"},      {"debian", "stretch", "9"},
    {"debian", "buster", "10"},    {"debian", "bullseye", "11"},   {"debian", "bookworm", "12"},
    {"debian", "trixie", "13"},    {"debian", "forky", "14"},      {"ubuntu", "trusty", "14.04"},
    {"ubuntu", "xenial", "16.04"}, {"ubuntu", "bionic", "18.04"},  {"ubuntu", "focal", "20.04"},
    {"ubuntu", "groovy", "20.10"}, {"ubuntu", "hirsute", "21.04"}, {"ubuntu", "impish", "21.10"},
    {"ubuntu", "jammy", "22.04"},  {"ubuntu", "kinetic", "22.10"}, {"ubuntu", "lunar", "23.04"},
    {"ubuntu", "mantic", "23.10"}, {"ubuntu", "noble", "24.04"},   {"ubuntu", "oracular", "24.10"},
}};

// The first `parts` dot-separated components of a version: ("3.19.1", 2) → "3.19".
std::string leading(std::string_view version, int parts) {
  std::string out;
  int seen = 0;
  for (const char c : version) {
    if (c == '.' && ++seen == parts) break;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string_view releaseForCodename(std::string_view id, std::string_view codename) {
  for (const auto& entry : kCodenames) {
    if (entry.id == id && entry.codename == codename) return entry.release;
  }
  return {};
}

std::string osEcosystem(std::string_view id, std::string_view release) {
  release = core::trim(release);
  if (id.empty() || release.empty()) return {};
  std::string key(id);
  std::string version(release);
  if (const auto known = releaseForCodename(id, release); !known.empty()) version = known;
  if (id == "debian") {
    version = leading(version, 1);  // "12.4" (debian_version) → "12"
  } else if (id == "alpine") {
    if (!version.empty() && version.front() == 'v') version.erase(0, 1);
    version = leading(version, 2);  // "3.19.1" → "3.19"
  } else if (id == "rhel" || id == "centos" || id == "rocky" || id == "almalinux" || id == "ol" ||
             id == "amzn") {
    version = leading(version, 1);  // "8.9" → "8"
  }
  return key + ":" + version;
}

std::string osEcosystem(const model::Distro& distro) {
  // CentOS is rebuilt from RHEL's sources and publishes no advisories of its own: it is matched
  // against Red Hat's statements for the same major release (as Trivy and Grype do).
  if (distro.id == "centos") return osEcosystem("rhel", distro.version_id);
  // Amazon Linux 1 names its releases by date ("2018.03"); its advisories (ALAS) are for
  // "amzn:1". Amazon Linux 2 and 2023 have VERSION_ID "2" and "2023".
  if (distro.id == "amzn" && distro.version_id.size() > 4 && distro.version_id[4] == '.' &&
      distro.version_id.starts_with("20")) {
    return osEcosystem("amzn", "1");
  }
  // Alpine's branch comes from etc/apk/repositories when it names one ("v3.16", "edge").
  if (distro.id == "alpine" && !distro.codename.empty()) {
    return osEcosystem(distro.id, distro.codename);
  }
  if (distro.id == "debian" && !distro.codename.empty() && distro.version_id.empty()) {
    return osEcosystem(distro.id, distro.codename);
  }
  return osEcosystem(distro.id, distro.version_id);
}

std::string packageKey(std::string_view ecosystem, std::string_view name) {
  if (ecosystem == "PyPI") {
    std::string out;
    out.reserve(name.size());
    for (const char c : name) {
      if (c == '-' || c == '_' || c == '.') {
        if (out.empty() || out.back() != '-') out += '-';
      } else {
        out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      }
    }
    return out;
  }
  if (ecosystem == "NuGet" || ecosystem == "Packagist") return core::asciiLower(name);
  return std::string(name);
}

}  // namespace bulwark::vulndb
