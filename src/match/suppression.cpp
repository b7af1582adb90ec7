#include "match/suppression.h"

#include <algorithm>
#include <array>

#include "core/text.h"

namespace bulwark::match {

namespace {

constexpr std::size_t kMaxPurlBytes = std::size_t{64} * 1024;

// Types whose namespace and name the purl specification says are case-insensitive.
constexpr std::array<std::string_view, 11> kCaseInsensitiveTypes = {
    "alpm", "apk", "bitbucket", "composer", "deb", "github", "gitlab", "hex", "npm", "pypi", "rpm"};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
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

core::Result<std::string> percentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) {
      return core::fail(core::ErrorCode::Input, "truncated percent escape");
    }
    const int high = hexValue(text[i + 1]);
    const int low = hexValue(text[i + 2]);
    if (high < 0 || low < 0) return core::fail(core::ErrorCode::Input, "bad percent escape");
    out.push_back(static_cast<char>((high << 4) | low));
    i += 2;
  }
  return out;
}

std::string_view Purl::qualifier(std::string_view key) const {
  for (const auto& [k, v] : qualifiers) {
    if (k == key) return v;
  }
  return {};
}

core::Result<Purl> parsePurl(std::string_view text) {
  text = core::trim(text);
  if (text.size() > kMaxPurlBytes) return core::fail(core::ErrorCode::Limit, "purl too long");
  if (text.size() < 4 || !equalsIgnoreCase(text.substr(0, 4), "pkg:")) {
    return core::fail(core::ErrorCode::Input, "not a purl (no 'pkg:' scheme)");
  }
  text.remove_prefix(4);
  while (!text.empty() && text.front() == '/') text.remove_prefix(1);
  Purl purl;
  if (const auto hash = text.rfind('#'); hash != std::string_view::npos) {
    auto subpath = percentDecode(core::trim(text.substr(hash + 1)));
    if (!subpath) return tl::unexpected(subpath.error());
    purl.subpath = std::move(*subpath);
    text = text.substr(0, hash);
  }
  if (const auto question = text.rfind('?'); question != std::string_view::npos) {
    for (const auto pair : core::split(text.substr(question + 1), '&')) {
      const auto equals = pair.find('=');
      if (equals == std::string_view::npos || equals == 0) {
        if (pair.empty()) continue;
        return core::fail(core::ErrorCode::Input, "qualifier without '=': '{}'",
                          core::printable(pair));
      }
      auto value = percentDecode(pair.substr(equals + 1));
      if (!value) return tl::unexpected(value.error());
      if (value->empty()) continue;
      purl.qualifiers.emplace_back(lowered(pair.substr(0, equals)), std::move(*value));
    }
    std::sort(purl.qualifiers.begin(), purl.qualifiers.end());
    text = text.substr(0, question);
  }
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    return core::fail(core::ErrorCode::Input, "purl without a type and a name");
  }
  purl.type = lowered(text.substr(0, slash));
  text.remove_prefix(slash + 1);
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  const auto last_slash = text.rfind('/');
  const std::size_t name_start = last_slash == std::string_view::npos ? 0 : last_slash + 1;
  if (const auto at = text.find('@', name_start); at != std::string_view::npos) {
    auto version = percentDecode(text.substr(at + 1));
    if (!version) return tl::unexpected(version.error());
    purl.version = std::move(*version);
    text = text.substr(0, at);
  }
  auto name = percentDecode(text.substr(name_start));
  if (!name) return tl::unexpected(name.error());
  if (name->empty()) return core::fail(core::ErrorCode::Input, "purl without a name");
  purl.name = std::move(*name);
  if (name_start > 0) {
    std::string joined;
    for (const auto segment : core::split(text.substr(0, name_start - 1), '/')) {
      if (segment.empty()) continue;
      auto decoded = percentDecode(segment);
      if (!decoded) return tl::unexpected(decoded.error());
      if (!joined.empty()) joined += '/';
      joined += *decoded;
    }
    purl.package_namespace = std::move(joined);
  }
  return purl;
}

bool Subject::hasId(std::string_view id) const {
  if (id.empty()) return false;
  if (equalsIgnoreCase(vulnerability_id, id)) return true;
  return std::any_of(aliases.begin(), aliases.end(),
                     [&](const std::string& alias) { return equalsIgnoreCase(alias, id); });
}

bool purlCovers(const Purl& pattern, const Subject& subject) {
  const Purl& actual = subject.purl;
  if (actual.type.empty() || pattern.type != actual.type) return false;
  const bool fold = std::find(kCaseInsensitiveTypes.begin(), kCaseInsensitiveTypes.end(),
                              pattern.type) != kCaseInsensitiveTypes.end();
  const auto same = [fold](std::string_view a, std::string_view b) {
    return fold ? equalsIgnoreCase(a, b) : a == b;
  };
  if (!same(pattern.package_namespace, actual.package_namespace) ||
      !same(pattern.name, actual.name)) {
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

bool purlNamesTarget(const Purl& pattern, const Subject& subject) {
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
