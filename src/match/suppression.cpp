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

}  // namespace

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
