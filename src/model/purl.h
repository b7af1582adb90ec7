// Package URLs (https://github.com/package-url/purl-spec): building them for OS packages and
// parsing them back from untrusted text (SBOMs, VEX documents, ignore files, CSAF feeds).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "model/package.h"

namespace bulwark::model {

// pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12
// pkg:rpm/redhat/openssl@1.1.1k-9.el8?arch=x86_64&distro=rhel-8.9&epoch=1
// pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1
// Qualifiers are sorted by key, as the spec's canonical form requires.
std::string purl(const Package& package, const Distro& distro);

// Percent-encodes everything but RFC 3986 unreserved characters and '+'.
std::string purlEncode(std::string_view text);

// A package URL split into its parts, each percent-decoded:
//   pkg:TYPE/NAMESPACE/NAME@VERSION?KEY=VALUE&...#SUBPATH
struct ParsedPurl {
  std::string type;        // lower case: "deb", "apk", "rpm", "npm", ...
  std::string namespace_;  // decoded segments joined by '/': "debian", "@angular", "github.com/x"
  std::string name;        // never empty
  std::string version;     // may be empty
  // Keys lower case, sorted; qualifiers with an empty value are left out (the spec: "absent").
  std::vector<std::pair<std::string, std::string>> qualifiers;
  std::string subpath;  // decoded segments joined by '/', without empty, "." and ".." segments

  // The value of qualifier `key` (lower case), or "" when absent.
  [[nodiscard]] std::string_view qualifier(std::string_view key) const;
};

// Longest purl accepted (after trimming whitespace); real purls are a few hundred bytes.
inline constexpr std::size_t kMaxPurlBytes = 8192;

// Parses `text` (surrounding whitespace ignored). Fails with ErrorCode::Limit when longer than
// kMaxPurlBytes, with ErrorCode::Input when there is no "pkg:" scheme (any case), no type or no
// name, a qualifier is not KEY=VALUE, or a percent escape is truncated or not hex.
// The version is what follows the first '@' of the last path segment.
core::Result<ParsedPurl> parsePurl(std::string_view text);

// "%2B" → "+"; a truncated or non-hex escape is an error (ErrorCode::Input).
core::Result<std::string> percentDecode(std::string_view text);

}  // namespace bulwark::model
