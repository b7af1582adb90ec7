// The secret scanner: one Hyperscan pass over a file finds every rule keyword; only the rules
// whose keywords occur run their RE2 regex, and only on the lines around each hit. Findings
// carry redacted text only: a secret is never stored or printed in full (docs/secrets.md).
//
//   auto rules = secrets::loadRules(config_path);          // "" = builtin rules only
//   secrets::Scanner scanner(*rules);                      // an image::ContentScanner
//   ... the layer walker calls wants/acceptsHead/scan from several threads ...
//   report.secrets = scanner.findings();                   // sorted, deduplicated
//   auto more = secrets::scanImageConfig(**rules, target.config);
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "image/content_scanner.h"
#include "model/finding.h"
#include "model/package.h"
#include "secrets/rules.h"

namespace bulwark::secrets {

inline constexpr std::uint64_t kDefaultMaxFileBytes = std::uint64_t{10} * 1024 * 1024;
// More raw matches than this in one file are not looked at (a diagnostic says so).
inline constexpr std::size_t kMaxMatchesPerFile = 1000;

struct ScannerOptions {
  std::uint64_t max_file_bytes = kDefaultMaxFileBytes;
};

class Scanner final : public image::ContentScanner {
 public:
  explicit Scanner(std::shared_ptr<const RuleSet> rules, ScannerOptions options = {});

  [[nodiscard]] std::string_view name() const override { return "secret"; }
  // Content, unless a path-only allow rule matches (binaries by name, docs, lockfiles, ...).
  [[nodiscard]] Want wants(const image::ScannedFile& file) const noexcept override;
  [[nodiscard]] std::uint64_t maxFileBytes() const override { return options_.max_file_bytes; }
  // False for binary content (looksBinary()).
  [[nodiscard]] bool acceptsHead(const image::ScannedFile& file,
                                 std::string_view head) const noexcept override;
  void scan(const image::ScannedFile& file, std::string_view content,
            core::Diagnostics& diagnostics) override;

  // Every finding so far, sorted by (path, layer, line, rule) and deduplicated on those.
  [[nodiscard]] std::vector<model::SecretFinding> findings() const;
  [[nodiscard]] std::uint64_t filesScanned() const { return files_scanned_.load(); }
  [[nodiscard]] std::uint64_t bytesScanned() const { return bytes_scanned_.load(); }

 private:
  std::shared_ptr<const RuleSet> rules_;
  ScannerOptions options_;
  std::atomic<std::uint64_t> files_scanned_{0};
  std::atomic<std::uint64_t> bytes_scanned_{0};
  mutable std::mutex mutex_;
  std::vector<model::SecretFinding> findings_;
};

// Scans one text as the file `path` (layer ""), applying every rule and allow rule. Returns
// the findings sorted by (line, rule). Files a path-only allow rule matches and binary
// content (looksBinary() of the first 512 bytes) give nothing. Optional `diagnostics` hears
// about files with too many matches.
std::vector<model::SecretFinding> scanText(const RuleSet& rules, std::string_view path,
                                           std::string_view content,
                                           core::Diagnostics* diagnostics = nullptr);

// The image config: each Env entry ("config:Env", line = the entry's 1-based index), each
// label as "key=value" ("config:Labels", likewise), and each history entry's created_by
// ("history[N]", N its 0-based index in the config; line within created_by).
std::vector<model::SecretFinding> scanImageConfig(const RuleSet& rules,
                                                  const model::ImageConfig& config);

// A text sniff of a file's head: NUL bytes, or more than 10% control bytes other than
// whitespace and ESC, make it binary. Invalid UTF-8 is text.
bool looksBinary(std::string_view head);

// "AKIAABCDEFGHIJKLMNOP" → "AKIA****************": a few leading characters (4 of 20 or more,
// 2 of 12 or more, none of a shorter secret), then one '*' per hidden character, at most 32.
std::string redact(std::string_view secret);

// Sorts by (path, layer, line, rule) and drops later duplicates of those four.
void sortAndDeduplicate(std::vector<model::SecretFinding>& findings);

}  // namespace bulwark::secrets
