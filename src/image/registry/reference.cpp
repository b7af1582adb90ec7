#include "image/registry/reference.h"

#include <algorithm>

#include "core/text.h"
#include "image/oci.h"

namespace bulwark::image::registry {
namespace {

bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool isAlnum(char c) { return isLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }

// component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
bool validComponent(std::string_view text) {
  if (text.empty() || !isLowerAlnum(text.front()) || !isLowerAlnum(text.back())) return false;
  std::size_t i = 0;
  while (i < text.size()) {
    if (isLowerAlnum(text[i])) {
      ++i;
      continue;
    }
    // A separator run, followed by an alphanumeric (guaranteed by the back() check).
    const std::size_t start = i;
    while (i < text.size() && !isLowerAlnum(text[i])) ++i;
    const std::string_view sep = text.substr(start, i - start);
    const bool dashes = std::all_of(sep.begin(), sep.end(), [](char c) { return c == '-'; });
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
  }
  return true;
}

// dcomp := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool validDomainComponent(std::string_view text) {
  if (text.empty() || !isAlnum(text.front()) || !isAlnum(text.back())) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return isAlnum(c) || c == '-'; });
}

bool validPort(std::string_view text) {
  if (text.empty() || text.size() > 5) return false;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  const auto value = core::parseUnsigned(text);
  return value && *value <= 65535;
}

bool validDomain(std::string_view text) {
  std::string_view host = text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    const std::string_view ipv6 = text.substr(1, close - 1);
    const bool hex_or_colon = std::all_of(ipv6.begin(), ipv6.end(), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':';
    });
    if (!hex_or_colon || ipv6.find(':') == std::string_view::npos) return false;
    const std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return true;
    return rest.front() == ':' && validPort(rest.substr(1));
  }
  if (const auto colon = text.find(':'); colon != std::string_view::npos) {
    if (!validPort(text.substr(colon + 1))) return false;
    host = text.substr(0, colon);
  }
  const auto parts = core::split(host, '.');
  return std::all_of(parts.begin(), parts.end(), validDomainComponent);
}

bool validTag(std::string_view text) {
  if (text.empty() || text.size() > 128) return false;
  const auto word = [](char c) { return isAlnum(c) || c == '_'; };
  if (!word(text.front())) return false;
  return std::all_of(text.begin(), text.end(),
                     [&](char c) { return word(c) || c == '.' || c == '-'; });
}

}  // namespace

core::Result<Reference> Reference::parse(std::string_view text) {
  const std::string shown = core::printable(text.substr(0, 300));
  if (text.empty()) return core::fail(core::ErrorCode::Usage, "empty image reference");
  if (text.size() > kMaxNameLength + 1 + 128 + 1 + 71) {
    return core::fail(core::ErrorCode::Usage, "image reference too long: {}", shown);
  }
  Reference ref;
  std::string_view rest = text;
  if (const auto at = rest.find('@'); at != std::string_view::npos) {
    const std::string_view digest = rest.substr(at + 1);
    if (!image::checkDigest(digest)) {
      return core::fail(core::ErrorCode::Usage,
                        "invalid digest in image reference {} (expected sha256:<64 hex>)", shown);
    }
    ref.digest = std::string(digest);
    rest = rest.substr(0, at);
  }
  // A tag is the part after the last ':' that follows the last '/' (a ':' before is a port).
  const auto last_slash = rest.rfind('/');
  const auto last_colon = rest.rfind(':');
  if (last_colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || last_colon > last_slash)) {
    const std::string_view tag = rest.substr(last_colon + 1);
    if (!validTag(tag)) {
      return core::fail(core::ErrorCode::Usage, "invalid tag in image reference {}", shown);
    }
    ref.tag = std::string(tag);
    rest = rest.substr(0, last_colon);
  }
  if (rest.empty()) return core::fail(core::ErrorCode::Usage, "missing repository in {}", shown);

  std::string_view path = rest;
  const auto slash = rest.find('/');
  if (slash != std::string_view::npos) {
    const std::string_view first = rest.substr(0, slash);
    const bool is_domain = first.find_first_of(".:") != std::string_view::npos ||
                           first == "localhost" || first.front() == '[' ||
                           std::any_of(first.begin(), first.end(), isUpper);
    if (is_domain) {
      if (!validDomain(first)) {
        return core::fail(core::ErrorCode::Usage, "invalid registry host in {}", shown);
      }
      ref.domain = std::string(first);
      path = rest.substr(slash + 1);
    }
  }
  if (ref.domain.empty() || ref.domain == "index.docker.io") ref.domain = kDockerHubDomain;

  for (const auto component : core::split(path, '/')) {
    if (!validComponent(component)) {
      const bool upper = std::any_of(component.begin(), component.end(), isUpper);
      return core::fail(core::ErrorCode::Usage, "invalid repository name in {}{}", shown,
                        upper ? " (repository names must be lower-case)" : "");
    }
  }
  ref.repository = std::string(path);
  if (ref.domain == kDockerHubDomain && path.find('/') == std::string_view::npos) {
    ref.repository = "library/" + ref.repository;
  }
  if (ref.domain.size() + 1 + ref.repository.size() > kMaxNameLength) {
    return core::fail(core::ErrorCode::Usage, "repository name longer than {} characters in {}",
                      kMaxNameLength, shown);
  }
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

std::string Reference::apiHost() const {
  return domain == kDockerHubDomain ? std::string(kDockerHubApiHost) : domain;
}

std::string Reference::manifestReference() const { return digest.empty() ? tag : digest; }

std::string Reference::str() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

}  // namespace bulwark::image::registry
