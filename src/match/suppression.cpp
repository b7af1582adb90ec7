#include "match/suppression.h"

#include <algorithm>
#include <array>

namespace bulwark::match {

namespace {

// Types whose namespace and name the purl specification says are case-insensitive.
constexpr std::array<std::string_view, 11> kCaseInsensitiveTypes = {
    "alpm", "apk", "bitbucket", "composer", "deb", "github", "gitlab", "hex", "npm", "pypi", "rpm"};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

// The last path component of an image name: "docker.io/library/alpine:3.19" → "alpine".
std::string_view repositoryName(std::string_view reference) {
  if (const auto at = reference.find('@'); at != std::string_view::npos) {
    reference = reference.substr(0, at);
  }
  if (const auto slash = reference.rfind('/'); slash != std::string_view::npos) {
    reference = reference.substr(slash + 1);
  }
  if (const auto colon = reference.find(':'); colon != std::string_view::npos) {
    reference = reference.substr(0, colon);
  }
  return reference;
}

// CPE vendor:product pairs that name an operating system, and its distribution id.
struct CpeOs {
  std::string_view vendor;
  std::string_view product;
  std::string_view distro;
};
constexpr std::array<CpeOs, 8> kCpeOperatingSystems = {{
    {"redhat", "enterprise_linux", "rhel"},
    {"canonical", "ubuntu_linux", "ubuntu"},
    {"debian", "debian_linux", "debian"},
    {"alpinelinux", "alpine_linux", "alpine"},
    {"centos", "centos", "centos"},
    {"rocky", "rocky", "rocky"},
    {"almalinux", "almalinux", "almalinux"},
    {"amazon", "amazon_linux", "amzn"},
}};

// Field `index` (0-based) of a ':'-separated text, or "" past the end.
std::string_view field(std::string_view text, std::size_t index) {
  for (std::size_t i = 0; i < index; ++i) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return {};
    text.remove_prefix(colon + 1);
  }
  return text.substr(0, text.find(':'));
}

// "rhel-9.2" → {"rhel", "9.2"}; "opensuse-leap-15.5" → {"opensuse-leap", "15.5"}.
std::pair<std::string_view, std::string_view> splitDistro(std::string_view distro) {
  for (auto dash = distro.rfind('-'); dash != std::string_view::npos && dash > 0;
       dash = distro.rfind('-', dash - 1)) {
    if (dash + 1 < distro.size() && distro[dash + 1] >= '0' && distro[dash + 1] <= '9') {
      return {distro.substr(0, dash), distro.substr(dash + 1)};
    }
  }
  return {distro, {}};
}

}  // namespace

bool cpeNamesDistro(std::string_view cpe, const Subject& subject) {
  // CPE 2.2 URI: cpe:/PART:VENDOR:PRODUCT:VERSION…; CPE 2.3: cpe:2.3:PART:VENDOR:PRODUCT:VERSION…
  std::size_t vendor_field = 0;
  if (cpe.starts_with("cpe:/")) {
    vendor_field = 2;
  } else if (cpe.starts_with("cpe:2.3:")) {
    vendor_field = 3;
  } else {
    return false;
  }
  const std::string_view vendor = field(cpe, vendor_field);
  const std::string_view product = field(cpe, vendor_field + 1);
  const std::string_view version = field(cpe, vendor_field + 2);
  const auto parts = splitDistro(subject.purl.qualifier("distro"));
  const std::string_view distro = parts.first;
  const std::string_view release = parts.second;
  if (distro.empty()) return false;
  const bool known =
      std::any_of(kCpeOperatingSystems.begin(), kCpeOperatingSystems.end(), [&](const CpeOs& os) {
        return equalsIgnoreCase(os.vendor, vendor) && equalsIgnoreCase(os.product, product) &&
               equalsIgnoreCase(os.distro, distro);
      });
  if (!known) return false;
  if (version.empty() || version == "*" || version == "-") return true;
  return release == version || (release.size() > version.size() && release.starts_with(version) &&
                                release[version.size()] == '.');
}

bool Subject::hasId(std::string_view id) const {
  if (id.empty()) return false;
  if (equalsIgnoreCase(vulnerability_id, id)) return true;
  return std::any_of(aliases.begin(), aliases.end(),
                     [&](const std::string& alias) { return equalsIgnoreCase(alias, id); });
}

bool purlCovers(const model::ParsedPurl& pattern, const Subject& subject) {
  const model::ParsedPurl& actual = subject.purl;
  if (actual.type.empty() || pattern.type != actual.type) return false;
  const bool fold = std::find(kCaseInsensitiveTypes.begin(), kCaseInsensitiveTypes.end(),
                              pattern.type) != kCaseInsensitiveTypes.end();
  const auto same = [fold](std::string_view a, std::string_view b) {
    return fold ? equalsIgnoreCase(a, b) : a == b;
  };
  if (!same(pattern.namespace_, actual.namespace_) || !same(pattern.name, actual.name)) {
    return false;
  }
  if (!pattern.version.empty() && pattern.version != actual.version) {
    // An epoch written inside the version ("1:6.0.25+dfsg-1") against our epoch qualifier.
    const bool with_epoch =
        pattern.version.find(':') != std::string::npos && pattern.version == subject.full_version;
    if (!with_epoch) return false;
  }
  for (const auto& [key, value] : pattern.qualifiers) {
    if (actual.qualifier(key) == value) continue;
    if (key == "distro" && !subject.distro_codename.empty() && value == subject.distro_codename) {
      continue;
    }
    return false;
  }
  return true;
}

bool purlNamesTarget(const model::ParsedPurl& pattern, const Subject& subject) {
  if (pattern.type != "oci" || subject.target == nullptr || pattern.version.empty()) return false;
  const model::Target& target = *subject.target;
  bool digest_matches =
      pattern.version == target.manifest_digest || pattern.version == target.config_digest;
  std::vector<std::string_view> names;
  for (const auto& reference : target.repo_digests) {
    const auto at = reference.find('@');
    if (at != std::string::npos && std::string_view(reference).substr(at + 1) == pattern.version) {
      digest_matches = true;
    }
    names.push_back(repositoryName(reference));
  }
  for (const auto& tag : target.repo_tags) names.push_back(repositoryName(tag));
  if (!digest_matches) return false;
  if (names.empty()) return true;  // nothing to compare the name with: the digest decides
  return std::any_of(names.begin(), names.end(),
                     [&](std::string_view name) { return equalsIgnoreCase(name, pattern.name); });
}

}  // namespace bulwark::match
