// Reading package URLs (https://github.com/package-url/purl-spec) as SBOMs write them:
//   pkg:TYPE/NAMESPACE/NAME@VERSION?KEY=VALUE&...#SUBPATH
// The builder lives in model/purl.h; this is the other direction, for untrusted text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bulwark::catalog::sbom {

struct ParsedPurl {
  std::string type;        // lower case: "deb", "apk", "rpm", "npm", ...
  std::string namespace_;  // percent-decoded segments joined by '/': "debian", "alpine"
  std::string name;        // percent-decoded
  std::string version;     // percent-decoded; may be empty
  std::vector<std::pair<std::string, std::string>> qualifiers;  // keys lower case, decoded
  std::string subpath;

  // The value of qualifier `key`, or "" when absent.
  [[nodiscard]] std::string_view qualifier(std::string_view key) const;
};

// Longest purl accepted; SBOM purls are a few hundred bytes.
inline constexpr std::size_t kMaxPurlBytes = 8192;

// Parses `text`; nullopt when it is not a purl (no "pkg:" scheme, no type or no name, a bad
// percent escape, longer than kMaxPurlBytes).
std::optional<ParsedPurl> parsePurl(std::string_view text);

// Percent-decodes `text`; nullopt on a truncated or non-hex escape.
std::optional<std::string> percentDecode(std::string_view text);

}  // namespace bulwark::catalog::sbom
