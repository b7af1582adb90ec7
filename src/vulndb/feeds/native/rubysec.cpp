#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/text.h"
#include "vulndb/feeds/native/native.h"

namespace bulwark::vulndb::feeds {

namespace {

using model::Advisory;
using model::AffectedPackage;
using model::RangeEvent;
using model::VersionRange;

constexpr std::string_view kSource = "rubysec";
constexpr std::size_t kMaxYamlBytes = std::size_t{4} << 20;  // real files are a few KiB
constexpr std::size_t kMaxConstraints = 1000;

std::string scalar(const YAML::Node& node) {
  if (!node.IsDefined() || !node.IsScalar()) return {};
  return node.Scalar();
}

std::vector<std::string> scalars(const YAML::Node& node) {
  std::vector<std::string> out;
  if (!node.IsDefined()) return out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (out.size() >= kMaxConstraints) break;
      if (item.IsScalar()) out.push_back(item.Scalar());
    }
  }
  return out;
}

bool parseScore(std::string_view text, double& out) {
  text = core::trim(text);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size() && out >= 0 && out <= 10;
}

model::Severity severityOfScore(double score) {
  if (score >= 9.0) return model::Severity::Critical;
  if (score >= 7.0) return model::Severity::High;
  if (score >= 4.0) return model::Severity::Medium;
  if (score > 0.0) return model::Severity::Low;
  return model::Severity::Unknown;
}

// Gem::Version#bump: drop prerelease (non-numeric) segments, then the last segment when more
// than one is left, and increment the last one. "" when `version` is not dotted digits enough.
std::string bump(std::string_view version) {
  std::vector<std::string_view> segments;
  for (const auto part : core::split(version, '.')) {
    if (part.empty()) return {};
    bool numeric = true;
    for (const char c : part) numeric &= std::isdigit(static_cast<unsigned char>(c)) != 0;
    if (!numeric) break;
    segments.push_back(part);
  }
  if (segments.empty()) return {};
  if (segments.size() > 1) segments.pop_back();
  std::string last(segments.back());
  if (last.size() > 18) return {};
  const auto value = core::parseUnsigned(last);
  if (!value) return {};
  std::string out;
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) out += fmt::format("{}.", segments[i]);
  return out + std::to_string(*value + 1);
}

// Gem::Version#<=>, only to put the intervals of one advisory in order: segments are runs of
// digits or of letters; numbers compare as numbers, a letter run (pre-release) sorts below any
// number, missing segments count as 0. (The version schemes of the matcher are elsewhere.)
std::vector<std::string_view> gemSegments(std::string_view version) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < version.size() && out.size() < 64) {
    const bool digit = std::isdigit(static_cast<unsigned char>(version[i])) != 0;
    const bool alpha = std::isalpha(static_cast<unsigned char>(version[i])) != 0;
    if (!digit && !alpha) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < version.size() &&
           (digit ? std::isdigit(static_cast<unsigned char>(version[i])) != 0
                  : std::isalpha(static_cast<unsigned char>(version[i])) != 0)) {
      ++i;
    }
    out.push_back(version.substr(start, i - start));
  }
  return out;
}

int compareGem(std::string_view a, std::string_view b) {
  const auto left = gemSegments(a);
  const auto right = gemSegments(b);
  for (std::size_t i = 0; i < std::max(left.size(), right.size()); ++i) {
    std::string_view x = i < left.size() ? left[i] : "0";
    std::string_view y = i < right.size() ? right[i] : "0";
    const bool x_number = std::isdigit(static_cast<unsigned char>(x.front())) != 0;
    const bool y_number = std::isdigit(static_cast<unsigned char>(y.front())) != 0;
    if (x_number != y_number) return x_number ? 1 : -1;
    if (x_number) {
      while (x.size() > 1 && x.front() == '0') x.remove_prefix(1);
      while (y.size() > 1 && y.front() == '0') y.remove_prefix(1);
      if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
    }
    if (const int c = x.compare(y); c != 0) return c < 0 ? -1 : 1;
  }
  return 0;
}

struct Interval {
  std::string lower;             // "0": from the start
  std::string upper;             // "": unbounded
  bool lower_exclusive = false;  // "> A": (A, ∞)
};

// One patched/unaffected entry ("~> 4.2.11, >= 4.2.11.1") as an interval, or nullopt.
std::optional<Interval> readInterval(std::string_view entry) {
  std::string pessimistic;
  std::string at_least;
  std::string below;
  std::string above;
  for (auto part : core::split(entry, ',')) {
    part = core::trim(part);
    std::size_t op_end = 0;
    while (op_end < part.size() &&
           std::string_view("<>=~!").find(part[op_end]) != std::string_view::npos) {
      ++op_end;
    }
    const std::string_view op = part.substr(0, op_end);
    const std::string_view version = core::trim(part.substr(op_end));
    if (version.empty() || version.find_first_of(" \t") != std::string_view::npos) return {};
    std::string* target = op == "~>"   ? &pessimistic
                          : op == ">=" ? &at_least
                          : op == ">"  ? &above
                          : op == "<"  ? &below
                                       : nullptr;
    if (target == nullptr || !target->empty()) return {};
    target->assign(version);
  }
  if (!above.empty()) {  // only "> A" alone: vulnerable up to A included
    if (!pessimistic.empty() || !at_least.empty() || !below.empty()) return {};
    return Interval{above, {}, true};
  }
  if (!pessimistic.empty()) {
    if (!below.empty()) return {};
    std::string upper = bump(pessimistic);
    if (upper.empty()) return {};
    return Interval{at_least.empty() ? pessimistic : at_least, std::move(upper)};
  }
  if (at_least.empty() && below.empty()) return {};
  return Interval{at_least.empty() ? std::string("0") : at_least, below};
}

class RubysecReader {
 public:
  RubysecReader(std::string_view where, core::Diagnostics& diagnostics)
      : where_(where), diagnostics_(diagnostics) {}

  core::Status read(const YAML::Node& root, const AdvisorySink& sink) {
    if (!root.IsMap()) {
      return core::fail(core::ErrorCode::Input, "{}: not a ruby-advisory-db record", where_);
    }
    Advisory advisory;
    advisory.source = kSource;
    const std::string cve = scalar(root["cve"]);
    const std::string ghsa = scalar(root["ghsa"]);
    const std::string osvdb = scalar(root["osvdb"]);
    std::vector<std::string> ids;
    if (!cve.empty()) ids.push_back("CVE-" + cve);
    if (!ghsa.empty()) ids.push_back("GHSA-" + ghsa);
    if (!osvdb.empty()) ids.push_back("OSVDB-" + osvdb);
    if (ids.empty()) {
      diagnostics_.add("rubysec.malformed-record", std::string(where_), "no cve, ghsa or osvdb id");
      return {};
    }
    advisory.id = ids.front();
    advisory.aliases.assign(ids.begin() + 1, ids.end());
    advisory.published = scalar(root["date"]);
    advisory.summary = scalar(root["title"]);
    advisory.details = scalar(root["description"]);
    if (auto url = scalar(root["url"]); !url.empty()) advisory.references.push_back(url);
    if (const YAML::Node related = root["related"]; related.IsDefined() && related.IsMap()) {
      for (auto& url : scalars(related["url"])) {
        if (url != (advisory.references.empty() ? "" : advisory.references.front())) {
          advisory.references.push_back(std::move(url));
        }
      }
    }
    for (const auto& [key, type] :
         {std::pair{"cvss_v4", "CVSS_V4"}, std::pair{"cvss_v3", "CVSS_V3"},
          std::pair{"cvss_v2", "CVSS_V2"}}) {
      const std::string text = scalar(root[key]);
      double score = 0;
      if (text.empty() || !parseScore(text, score)) continue;
      advisory.severities.push_back({.type = type,
                                     .score = score,
                                     .severity = severityOfScore(score),
                                     .source = std::string(kSource)});
    }
    AffectedPackage package;
    package.ecosystem = "RubyGems";
    package.name = scalar(root["gem"]);
    if (package.name.empty()) {
      diagnostics_.add("rubysec.malformed-record", fmt::format("{}#{}", where_, advisory.id),
                       "no gem name (interpreter advisories are not imported)");
      return {};
    }
    readRanges(root, advisory.id, package);
    advisory.affected.push_back(std::move(package));
    sink(std::move(advisory));
    return {};
  }

 private:
  void readRanges(const YAML::Node& root, std::string_view id, AffectedPackage& package) {
    std::vector<Interval> intervals;
    for (const auto* key : {"unaffected_versions", "patched_versions"}) {
      for (const auto& entry : scalars(root[key])) {
        auto interval = readInterval(entry);
        if (!interval) {
          unevaluable(id, fmt::format("{} constraint \"{}\" is not a simple range", key,
                                      core::printable(entry)));
          return;
        }
        intervals.push_back(std::move(*interval));
      }
    }
    // Safe intervals in version order, overlapping ones merged; one range per gap between.
    std::stable_sort(intervals.begin(), intervals.end(), [](const Interval& a, const Interval& b) {
      return compareGem(a.lower, b.lower) < 0;
    });
    std::vector<Interval> merged;
    for (auto& interval : intervals) {
      if (!merged.empty() &&
          (merged.back().upper.empty() || compareGem(interval.lower, merged.back().upper) <= 0)) {
        auto& back = merged.back();
        if (interval.upper.empty() ||
            (!back.upper.empty() && compareGem(interval.upper, back.upper) > 0)) {
          back.upper = interval.upper;
        }
        continue;
      }
      merged.push_back(std::move(interval));
    }
    std::string introduced = "0";
    std::size_t first = 0;
    if (!merged.empty() && merged.front().lower == "0") {
      if (merged.front().upper.empty()) {
        unevaluable(id, "every version is unaffected");
        return;
      }
      introduced = merged.front().upper;
      first = 1;
    }
    for (std::size_t i = first; i < merged.size() && !introduced.empty(); ++i) {
      const auto& interval = merged[i];
      VersionRange range{.type = VersionRange::Type::Ecosystem};
      range.events.push_back({RangeEvent::Kind::Introduced, introduced});
      range.events.push_back(
          {interval.lower_exclusive ? RangeEvent::Kind::LastAffected : RangeEvent::Kind::Fixed,
           interval.lower});
      if (!interval.lower_exclusive && package.fixed_version.empty()) {
        package.fixed_version = interval.lower;
      }
      package.ranges.push_back(std::move(range));
      introduced = interval.upper;
    }
    if (!introduced.empty()) {
      package.ranges.push_back(
          {VersionRange::Type::Ecosystem, {{RangeEvent::Kind::Introduced, introduced}}});
    }
  }

  void unevaluable(std::string_view id, std::string reason) {
    diagnostics_.add(std::string(kUnevaluable), fmt::format("{}#{}", where_, core::printable(id)),
                     std::move(reason));
  }

  std::string_view where_;
  core::Diagnostics& diagnostics_;
};

}  // namespace

bool detectRubysec(std::string_view path, std::string_view head) {
  if (!path.ends_with(".yml") && !path.ends_with(".yaml")) return false;
  const bool gem = head.starts_with("gem:") || head.find("\ngem:") != std::string_view::npos;
  return gem && (head.find("\ncve:") != std::string_view::npos ||
                 head.find("\nghsa:") != std::string_view::npos ||
                 head.find("\nosvdb:") != std::string_view::npos);
}

core::Status parseRubysec(std::string_view bytes, std::string_view where, const AdvisorySink& sink,
                          core::Diagnostics& diagnostics) {
  if (bytes.size() > kMaxYamlBytes) {
    return core::fail(core::ErrorCode::Limit, "{}: larger than {} bytes", where, kMaxYamlBytes);
  }
  try {
    const YAML::Node root = YAML::Load(std::string(bytes));
    return RubysecReader(where, diagnostics).read(root, sink);
  } catch (const YAML::Exception& error) {
    return core::fail(core::ErrorCode::Input, "{}: invalid YAML: {}", where, error.what());
  } catch (const std::exception& error) {
    return core::fail(core::ErrorCode::Input, "{}: {}", where, error.what());
  }
}

}  // namespace bulwark::vulndb::feeds
