#include "model/purl.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/text.h"

namespace bulwark::model {

namespace {

char lowerChar(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lowerChar);
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes each '/'-separated segment of `path`, dropping empty ones and "." / "..".
core::Result<std::string> decodeSegments(std::string_view path) {
  std::string out;
  for (const auto segment : core::split(path, '/')) {
    if (segment.empty() || segment == "." || segment == "..") continue;
    auto decoded = percentDecode(segment);
    if (!decoded) return tl::unexpected(decoded.error());
    if (!out.empty()) out.push_back('/');
    out += *decoded;
  }
  return out;
}

}  // namespace

std::string_view ParsedPurl::qualifier(std::string_view key) const {
  for (const auto& [k, v] : qualifiers) {
    if (k == key) return v;
  }
  return {};
}

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

core::Result<ParsedPurl> parsePurl(std::string_view text) {
  text = core::trim(text);
  if (text.size() > kMaxPurlBytes) return core::fail(core::ErrorCode::Limit, "purl too long");
  if (text.size() < 4 || lowered(text.substr(0, 4)) != "pkg:") {
    return core::fail(core::ErrorCode::Input, "not a purl (no 'pkg:' scheme)");
  }
  text.remove_prefix(4);
  while (!text.empty() && text.front() == '/') text.remove_prefix(1);  // "pkg://" is tolerated
  ParsedPurl purl;
  if (const auto hash = text.rfind('#'); hash != std::string_view::npos) {
    auto subpath = decodeSegments(core::trim(text.substr(hash + 1)));
    if (!subpath) return tl::unexpected(subpath.error());
    purl.subpath = std::move(*subpath);
    text = text.substr(0, hash);
  }
  if (const auto question = text.rfind('?'); question != std::string_view::npos) {
    for (const auto pair : core::split(text.substr(question + 1), '&')) {
      if (pair.empty()) continue;  // "a=1&&b=2"
      const auto equals = pair.find('=');
      if (equals == std::string_view::npos || equals == 0) {
        return core::fail(core::ErrorCode::Input, "qualifier without '=': '{}'",
                          core::printable(pair));
      }
      auto value = percentDecode(pair.substr(equals + 1));
      if (!value) return tl::unexpected(value.error());
      if (value->empty()) continue;  // the spec: an empty value means "absent"
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
  // The version follows the first '@' of the last segment, so an unencoded scoped npm
  // namespace ("pkg:npm/@angular/core") is not taken for one.
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
    auto name_space = decodeSegments(text.substr(0, name_start - 1));
    if (!name_space) return tl::unexpected(name_space.error());
    purl.namespace_ = std::move(*name_space);
  }
  return purl;
}

std::string purlEncode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const unsigned char c : text) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '~' || c == '+';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

namespace {

// The purl namespace of an OS package: the distribution, lower case; "redhat" for RHEL as
// the purl spec's examples write it.
std::string namespaceFor(const Package& package, const Distro& distro) {
  if (!distro.id.empty()) {
    if (distro.id == "rhel") return "redhat";
    return distro.id;
  }
  switch (package.type) {
    case PackageType::Apk: return "alpine";
    case PackageType::Rpm: return "redhat";
    default: return "debian";
  }
}

// Percent-encodes each '/'-separated segment, keeping the separators.
std::string encodeSegments(std::string_view text) {
  std::string out;
  for (const auto segment : core::split(text, '/')) {
    if (!out.empty()) out += '/';
    out += purlEncode(segment);
  }
  return out;
}

// pkg:pypi/django@4.2.1, pkg:npm/%40angular/core@16.0.0, pkg:golang/github.com/x/y@v1.2.3,
// pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1, pkg:composer/symfony/console@v6.0.0:
// the ecosystem's name split into namespace and name as the purl spec's types define.
std::string languagePurl(const Package& package) {
  std::string_view name = package.name;
  std::string prefix;
  std::string owned;
  switch (package.type) {
    case PackageType::Python: {
      // The spec: lower case, '_' written as '-'.
      owned = core::asciiLower(name);
      std::replace(owned.begin(), owned.end(), '_', '-');
      name = owned;
      break;
    }
    case PackageType::Maven:
      if (const auto colon = name.find(':'); colon != std::string_view::npos) {
        prefix = encodeSegments(name.substr(0, colon));
        name.remove_prefix(colon + 1);
      }
      break;
    case PackageType::Npm:
    case PackageType::Go:
    case PackageType::Composer:
      if (const auto slash = name.rfind('/'); slash != std::string_view::npos) {
        prefix = encodeSegments(name.substr(0, slash));
        name.remove_prefix(slash + 1);
      }
      break;
    default: break;
  }
  std::string out = fmt::format("pkg:{}/", ecosystemNames(package.type).purl_type);
  if (!prefix.empty()) out += prefix + '/';
  out += purlEncode(name);
  if (!package.version.empty()) out += '@' + purlEncode(package.version);
  return out;
}

}  // namespace

std::string purl(const Package& package, const Distro& distro) {
  if (!isOsPackage(package.type)) return languagePurl(package);
  std::string out =
      fmt::format("pkg:{}/{}/{}@", toString(package.type),
                  purlEncode(namespaceFor(package, distro)), purlEncode(package.name));
  out += purlEncode(package.version);
  if (!package.release.empty()) {
    out += '-';
    out += purlEncode(package.release);
  }
  // Keys in lexical order: arch, distro, epoch.
  char separator = '?';
  auto qualifier = [&](std::string_view key, std::string_view value) {
    if (value.empty()) return;
    out += separator;
    out += key;
    out += '=';
    out += purlEncode(value);
    separator = '&';
  };
  qualifier("arch", package.arch);
  if (distro.known()) {
    qualifier("distro",
              distro.version_id.empty() ? distro.id : distro.id + "-" + distro.version_id);
  }
  if (package.epoch && *package.epoch != 0) qualifier("epoch", std::to_string(*package.epoch));
  return out;
}

}  // namespace bulwark::model
