#include "vulndb/ecosystem.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

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

// Distributions whose advisories are keyed by their id alone (ecosystem.h).
// Arch Linux would be one too, but no feed bulwark reads files advisories for it: without a
// key its packages are reported unmatched ("match.unknown-os") instead of silently clean.
constexpr std::array<std::string_view, 3> kRollingReleases = {
    "opensuse-tumbleweed",
    "wolfi",
    "chainguard",
};

bool isDigits(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

// "15-SP3", "15 SP3", "15.3", "15-SP3-LTSS" → "15.3"; "15" → "15"; others as they are.
std::string suseRelease(std::string_view release) {
  std::vector<std::string_view> numbers;
  std::string spaced(release);
  for (char& c : spaced) {
    if (c == '-' || c == '.' || c == '_') c = ' ';
  }
  for (auto word : core::split(spaced, ' ')) {
    if (word.starts_with("SP") || word.starts_with("sp")) word.remove_prefix(2);
    if (isDigits(word)) {
      numbers.push_back(word);
    } else if (!word.empty() && !numbers.empty()) {
      break;  // "-LTSS", "-ESPOS" after the numbers
    }
    if (numbers.size() == 2) break;
  }
  if (numbers.empty()) return std::string(release);
  // Leading zeros ("SP03") are not SUSE's spelling, but compare as numbers anyway.
  auto number = [](std::string_view digits) {
    while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
    return std::string(digits);
  };
  std::string out = number(numbers[0]);
  if (numbers.size() == 2) out += "." + number(numbers[1]);
  return out;
}

// The first word after `prefix` that starts with a digit ("openSUSE Leap 15.5 NonFree" → 15.5).
std::string_view releaseWordAfter(std::string_view text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return {};
  for (const auto word : core::split(text.substr(prefix.size()), ' ')) {
    if (!word.empty() && std::isdigit(static_cast<unsigned char>(word.front())) != 0) return word;
  }
  return {};
}

}  // namespace

bool isRollingRelease(std::string_view id) {
  return std::find(kRollingReleases.begin(), kRollingReleases.end(), id) != kRollingReleases.end();
}

std::string suseEcosystem(std::string_view product) {
  std::string name(core::trim(product));
  // OSV spells the vendor with a colon: "SUSE:Linux Enterprise Server 15 SP5",
  // "openSUSE:Leap 15.5".
  for (const std::string_view vendor : {std::string_view("SUSE:"), std::string_view("openSUSE:")}) {
    if (std::string_view(name).starts_with(vendor)) name[vendor.size() - 1] = ' ';
  }
  const std::string_view text = name;
  if (text.find("SUSE Manager") != std::string_view::npos) return {};
  if (text.starts_with("openSUSE Tumbleweed")) return osEcosystem("opensuse-tumbleweed", "");
  if (const auto release = releaseWordAfter(text, "openSUSE Leap Micro "); !release.empty()) {
    return osEcosystem("opensuse-leap-micro", release);
  }
  if (text.starts_with("openSUSE Leap Micro")) return {};
  if (const auto release = releaseWordAfter(text, "openSUSE Leap "); !release.empty()) {
    return osEcosystem("opensuse-leap", release);
  }
  if (text.starts_with("openSUSE Leap")) return {};
  if (text.starts_with("openSUSE ")) {  // the releases before Leap: "openSUSE 13.2"
    const std::string_view rest = core::trim(text.substr(9));
    const std::string_view word = rest.substr(0, rest.find(' '));
    if (!word.empty() && std::isdigit(static_cast<unsigned char>(word.front())) != 0) {
      return osEcosystem("opensuse", word);
    }
    return {};
  }
  for (const std::string_view micro :
       {std::string_view("SUSE Linux Enterprise Micro "), std::string_view("SUSE Linux Micro ")}) {
    if (!text.starts_with(micro)) continue;
    const auto release = releaseWordAfter(text, micro);  // "… Micro for Rancher 5.4" too
    return release.empty() ? std::string() : osEcosystem("sle-micro", release);
  }
  if (text.starts_with("SUSE Linux Enterprise Storage")) return {};
  if (const auto at = text.find("SUSE Linux Enterprise "); at != std::string_view::npos) {
    // The release is at the end: "… Server 12 SP4-LTSS", "… Module for Basesystem 15 SP3",
    // "… Module for Python 3 15" (15, not 3.15), "… Server 16.0".
    std::string spaced(text.substr(at));
    for (char& c : spaced) {
      if (c == '-') c = ' ';
    }
    std::vector<std::string_view> words;
    for (const auto word : core::split(spaced, ' ')) {
      if (!word.empty()) words.push_back(word);
    }
    for (std::size_t i = words.size(); i-- > 0;) {
      const std::string_view word = words[i];
      if (word.starts_with("SP") && isDigits(word.substr(2))) {
        if (i == 0 || !isDigits(words[i - 1])) return {};
        return osEcosystem("sles", std::string(words[i - 1]) + "." + std::string(word.substr(2)));
      }
      const auto dot = word.find('.');
      if (isDigits(word.substr(0, dot)) &&
          (dot == std::string_view::npos || isDigits(word.substr(dot + 1)))) {
        return osEcosystem("sles", word);
      }
    }
    return {};
  }
  return {};
}

std::string_view releaseForCodename(std::string_view id, std::string_view codename) {
  for (const auto& entry : kCodenames) {
    if (entry.id == id && entry.codename == codename) return entry.release;
  }
  return {};
}

std::string osEcosystem(std::string_view id, std::string_view release) {
  if (isRollingRelease(id)) return std::string(id);
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
  } else if (id == "sles" || id == "sled" || id == "sles_sap") {
    key = "sles";  // Desktop and SAP builds get SLES's fixes for the same service pack
    version = suseRelease(version);
  } else if (id == "opensuse") {
    // os-release ID "opensuse" up to Leap 42.3; releases 42 and 15 onward are Leap.
    const std::string major = leading(version, 1);
    if (isDigits(major) && major.size() <= 4 && std::stoi(major) >= 15) key = "opensuse-leap";
    version = leading(version, 2);
  } else if (id == "opensuse-leap" || id == "opensuse-leap-micro") {
    version = leading(version, 2);  // "15.2.1" (a beta) → "15.2"
  } else if (id == "sle-micro" || id == "sl-micro" || id == "sle-micro-rancher") {
    key = "sle-micro";
    version = leading(version, 2);
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
