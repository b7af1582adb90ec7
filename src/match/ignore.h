// The ignore file (.bulwarkignore.yaml): findings a person has decided not to count, each with a
// scope, a reason and an optional expiry date. The keys follow Trivy's .trivyignore.yaml where
// it has one, so that such a file works unchanged (docs/suppression.md):
//
//   vulnerabilities:
//     - id: CVE-2024-2961            # the vulnerability id or any of its aliases (required)
//       packages: [libc6, glibc]     # package or source package names, or purls   (optional)
//       purls: ["pkg:deb/debian/libc6"]  # Trivy's key: purls                       (optional)
//       paths: ["var/lib/dpkg/**"]   # globs on where the package was found          (optional)
//       reason: "iconv is not used"  # also `statement`
//       expires: 2025-06-30          # also `expired_at`; from this date (UTC) the entry no
//                                    # longer suppresses
//
// A package scope (`packages` and `purls` together) matches when any of its entries does; a
// `paths` scope likewise; both must match when both are given. An unknown key is an error,
// not a warning: a misspelt scope key would otherwise widen the suppression silently.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "match/suppression.h"
#include "model/purl.h"

namespace bulwark::match {

struct IgnoreRule {
  std::string id;
  std::vector<std::string> names;        // package or source package names
  std::vector<model::ParsedPurl> purls;  // from `purls` and from `packages` entries that are purls
  std::vector<std::string> paths;        // globs (core::globMatch), no leading '/'
  std::string reason;
  std::optional<std::chrono::year_month_day> expires;
  std::string expires_text;  // as written
  std::size_t line = 0;      // 1-based line of the entry in its file

  // Does the rule's scope cover the subject? (Expiry is the caller's business.)
  [[nodiscard]] bool covers(const Subject& subject) const;
  [[nodiscard]] bool expiredOn(std::chrono::year_month_day today) const;
};

struct IgnoreFile {
  std::string path;  // as given, for messages
  std::vector<IgnoreRule> rules;
};

// Parses the YAML text of an ignore file. Errors name "PATH:LINE" and say what is wrong; every
// bad entry is reported, not only the first.
core::Result<IgnoreFile> parseIgnoreFile(std::string_view text, std::string_view path);

// Reads and parses the file at `path`.
core::Result<IgnoreFile> loadIgnoreFile(const std::string& path);

// "2025-06-30": forwards to core::parseDate (core/date.h).
std::optional<std::chrono::year_month_day> parseDate(std::string_view text);

// Today's date in UTC: forwards to core::today().
std::chrono::year_month_day today();

}  // namespace bulwark::match
