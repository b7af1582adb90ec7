#include "pipeline/service/quarantine_policy.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include <fmt/format.h>

#include "core/text.h"
#include "pipeline/service/finding_records.h"
#include "pipeline/service/inventory_codec.h"
#include "pipeline/service/promote.h"

namespace bulwark::pipeline::service {

namespace {

constexpr std::size_t kNamedFindings = 5;  // the reason names at most this many

// "24h", "90s", "2d", "250ms": the largest unit, rounded down.
std::string humanDuration(std::int64_t ms) {
  constexpr std::int64_t kSecond = 1000;
  constexpr std::int64_t kMinute = 60 * kSecond;
  constexpr std::int64_t kHour = 60 * kMinute;
  constexpr std::int64_t kDay = 24 * kHour;
  if (ms >= 2 * kDay) return fmt::format("{}d", ms / kDay);
  if (ms >= kHour) return fmt::format("{}h", ms / kHour);
  if (ms >= kMinute) return fmt::format("{}m", ms / kMinute);
  if (ms >= kSecond) return fmt::format("{}s", ms / kSecond);
  return fmt::format("{}ms", ms);
}

// The parts of a pattern around its '*' (at most one).
struct Pattern {
  std::string_view prefix;
  std::string_view suffix;
  bool wildcard = false;
};

std::optional<Pattern> splitPattern(std::string_view pattern) {
  const auto star = pattern.find('*');
  if (star == std::string_view::npos) return Pattern{pattern, {}, false};
  if (pattern.find('*', star + 1) != std::string_view::npos) return std::nullopt;
  return Pattern{pattern.substr(0, star), pattern.substr(star + 1), true};
}

}  // namespace

core::Result<QuarantineConfig> quarantineConfig(const std::vector<QuarantineMapping>& mappings,
                                                const PolicyConfig& policy) {
  QuarantineConfig config;
  for (const auto& mapping : mappings) {
    const auto from = splitPattern(mapping.from);
    const auto to = splitPattern(mapping.to);
    if (mapping.from.empty() || mapping.to.empty() || !from || !to ||
        (to->wildcard && !from->wildcard)) {
      return core::fail(core::ErrorCode::Usage,
                        "quarantine mapping '{}' → '{}': at most one '*' in each, and one in "
                        "the target only when the source has one",
                        core::printable(mapping.from), core::printable(mapping.to));
    }
  }
  config.mappings = mappings;
  std::string severities;
  for (const auto& severity : policy.severities) {
    severities += (severities.empty() ? "" : ",") + severity;
  }
  if (!severities.empty()) {
    auto parsed = match::parseSeverities(severities);
    if (!parsed) return tl::unexpected(parsed.error());
    config.policy.severities = std::move(*parsed);
  }
  config.policy.ignore_unfixed = policy.ignore_unfixed;
  if (!policy.ignore_file.empty()) {
    auto ignore = match::loadIgnoreFile(policy.ignore_file);
    if (!ignore) return tl::unexpected(ignore.error());
    config.policy.ignore = std::move(*ignore);
  }
  for (const auto& path : policy.vex) {
    auto vex = match::loadVex(path);
    if (!vex) return tl::unexpected(vex.error());
    config.policy.vex.push_back(std::move(*vex));
  }
  config.max_scan_age = policy.max_scan_age;
  return config;
}

std::optional<std::string> releaseRepository(const std::vector<QuarantineMapping>& mappings,
                                             std::string_view registry,
                                             std::string_view repository) {
  for (const auto& mapping : mappings) {
    if (!mapping.registry.empty() && mapping.registry != registry) continue;
    if (auto target = mapQuarantine(mapping.from, mapping.to, repository)) return target;
  }
  return std::nullopt;
}

QuarantineVerdict decide(const QuarantineConfig& config, const store::ScanResult& result,
                         store::Millis now) {
  QuarantineVerdict verdict;
  const std::int64_t max_age = config.max_scan_age.count();
  if (max_age > 0 && now - result.metadata.scanned_at > max_age) {
    verdict.reason = fmt::format("scan older than {} (scanned {} ago)", humanDuration(max_age),
                                 humanDuration(now - result.metadata.scanned_at));
    return verdict;
  }

  model::ScanReport report;
  auto inventory = decodeInventory(result.inventory_json);
  if (!inventory) {
    verdict.reason = "the stored scan cannot be read: " + inventory.error().message;
    return verdict;
  }
  report.inventory = std::move(*inventory);
  report.findings.reserve(result.findings.size());
  for (const auto& record : result.findings) {
    auto finding = fromFindingRecord(record);
    if (!finding) {
      verdict.reason = "the stored scan cannot be read: " + finding.error().message;
      return verdict;
    }
    if (finding->package_index >= report.inventory.packages.size()) {
      verdict.reason = fmt::format("the stored scan cannot be read: finding {} names no package",
                                   core::printable(finding->vulnerability_id));
      return verdict;
    }
    report.findings.push_back(std::move(*finding));
  }

  const auto applied = match::applyPolicy(config.policy, report);
  verdict.failing = applied.failing;
  verdict.suppressed = applied.suppressed;
  if (applied.failing == 0) {
    verdict.promote = true;
    verdict.reason = "policy passed";
    if (applied.suppressed > 0) {
      verdict.reason += fmt::format(" ({} suppressed)", applied.suppressed);
    }
    return verdict;
  }
  // The worst first, then by id.
  std::vector<const model::Finding*> counted;
  for (std::size_t i = 0; i < report.findings.size(); ++i) {
    if (applied.counted[i]) counted.push_back(&report.findings[i]);
  }
  std::stable_sort(counted.begin(), counted.end(),
                   [](const model::Finding* a, const model::Finding* b) {
                     if (a->severity != b->severity) return a->severity > b->severity;
                     return a->vulnerability_id < b->vulnerability_id;
                   });
  std::string named;
  for (std::size_t i = 0; i < counted.size() && i < kNamedFindings; ++i) {
    const auto& f = *counted[i];
    named += fmt::format("{}{} ({}, {} {})", i == 0 ? "" : ", ",
                         core::printable(f.vulnerability_id), model::toString(f.severity),
                         core::printable(f.package_name), core::printable(f.installed_version));
  }
  if (counted.size() > kNamedFindings) {
    named += fmt::format(" and {} more", counted.size() - kNamedFindings);
  }
  verdict.reason =
      fmt::format("{} finding{} fail{} the policy: {}", applied.failing,
                  applied.failing == 1 ? "" : "s", applied.failing == 1 ? "s" : "", named);
  return verdict;
}

}  // namespace bulwark::pipeline::service
