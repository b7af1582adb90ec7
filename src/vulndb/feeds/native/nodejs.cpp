#include <cctype>
#include <utility>

#include <fmt/format.h>

#include "core/text.h"
#include "vulndb/feeds/json_util.h"
#include "vulndb/feeds/native/native.h"

namespace bulwark::vulndb::feeds {

namespace {

namespace dom = simdjson::dom;
using detail::getString;
using model::Advisory;
using model::AffectedPackage;
using model::RangeEvent;
using model::VersionRange;

constexpr std::string_view kSource = "nodejs-security-wg";
constexpr std::size_t kMaxAlternatives = 256;

model::Severity severityOfScore(double score) {
  if (score >= 9.0) return model::Severity::Critical;
  if (score >= 7.0) return model::Severity::High;
  if (score >= 4.0) return model::Severity::Medium;
  if (score > 0.0) return model::Severity::Low;
  return model::Severity::Unknown;
}

struct Comparator {
  std::string op;  // "<", "<=", ">=", ">", "=", "^", "~", ...
  std::string version;
};

// "  >= 1.0.0  <2 " → [{">=", "1.0.0"}, {"<", "2"}] (operators may be spaced from versions).
std::vector<Comparator> comparators(std::string_view text) {
  std::vector<Comparator> out;
  std::size_t i = 0;
  while (i < text.size() && out.size() < kMaxAlternatives) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i >= text.size()) break;
    Comparator c;
    while (i < text.size() && std::string_view("<>=~^").find(text[i]) != std::string_view::npos) {
      c.op.push_back(text[i++]);
    }
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') c.version.push_back(text[i++]);
    if (c.op.empty()) c.op = "=";
    if (c.version.starts_with('v')) c.version.erase(0, 1);
    out.push_back(std::move(c));
  }
  return out;
}

// A version, not an x-range: starts with a digit, no "x" / "*" component.
bool isPlainVersion(std::string_view version) {
  if (version.empty() || std::isdigit(static_cast<unsigned char>(version.front())) == 0) {
    return false;
  }
  for (const auto part : core::split(version, '.')) {
    if (part == "x" || part == "X" || part == "*" || part.empty()) return false;
  }
  return version.find_first_of("|,") == std::string_view::npos;
}

// One "||" alternative → a range (or an exact version), false when not simple.
bool readAlternative(std::string_view text, AffectedPackage& package) {
  auto list = comparators(text);
  if (list.size() == 1 && list[0].version == "*") {
    package.ranges.push_back({VersionRange::Type::Semver, {{RangeEvent::Kind::Introduced, "0"}}});
    return true;
  }
  if (list.empty() || list.size() > 2) return false;
  for (const auto& c : list) {
    if (!isPlainVersion(c.version)) return false;
  }
  if (list.size() == 1 && list[0].op == "=") {
    package.versions.push_back(list[0].version);
    return true;
  }
  if (list.size() == 2 && list[1].op == ">=") std::swap(list[0], list[1]);  // "<B >=A"
  VersionRange range{.type = VersionRange::Type::Semver};
  std::size_t next = 0;
  if (list[0].op == ">=") {
    range.events.push_back({RangeEvent::Kind::Introduced, list[0].version});
    next = 1;
  } else {
    range.events.push_back({RangeEvent::Kind::Introduced, "0"});
  }
  if (next < list.size()) {
    if (next + 1 != list.size()) return false;
    const auto& end = list[next];
    if (end.op == "<") {
      range.events.push_back({RangeEvent::Kind::Fixed, end.version});
    } else if (end.op == "<=") {
      range.events.push_back({RangeEvent::Kind::LastAffected, end.version});
    } else {
      return false;
    }
  } else if (list.size() != 1) {
    return false;
  }
  package.ranges.push_back(std::move(range));
  return true;
}

bool readRanges(std::string_view vulnerable, std::string_view patched, AffectedPackage& package,
                std::string& problem) {
  vulnerable = core::trim(vulnerable);
  if (vulnerable.empty()) {
    const auto list = comparators(patched);
    if (list.size() == 1 && list[0].op == ">=" && isPlainVersion(list[0].version)) {
      package.ranges.push_back(
          {VersionRange::Type::Semver,
           {{RangeEvent::Kind::Introduced, "0"}, {RangeEvent::Kind::Fixed, list[0].version}}});
      return true;
    }
    problem = fmt::format("no vulnerable_versions and patched_versions \"{}\" is not \">= V\"",
                          core::printable(patched));
    return false;
  }
  std::size_t count = 0;
  while (!vulnerable.empty()) {
    if (++count > kMaxAlternatives) {
      problem = "too many alternatives";
      return false;
    }
    const auto bar = vulnerable.find("||");
    const std::string_view alternative = vulnerable.substr(0, bar);
    if (!readAlternative(alternative, package)) {
      problem = fmt::format("vulnerable_versions \"{}\" is not a simple range",
                            core::printable(core::trim(alternative)));
      package.ranges.clear();
      package.versions.clear();
      return false;
    }
    if (bar == std::string_view::npos) break;
    vulnerable.remove_prefix(bar + 2);
  }
  return true;
}

// One record; a bad record becomes a diagnostic.
void readRecord(dom::object object, const std::string& where, const AdvisorySink& sink,
                core::Diagnostics& diagnostics) {
  Advisory advisory;
  advisory.source = kSource;
  std::string number;
  dom::element id_element;
  if (object["id"].get(id_element) != simdjson::SUCCESS ||
      !detail::getScalarText(id_element, number) || number.empty()) {
    diagnostics.add("nodejs.malformed-record", std::string(where), "no \"id\"");
    return;
  }
  advisory.id = "NSWG-ECO-" + number;
  dom::array cves;
  if (object["cves"].get(cves) == simdjson::SUCCESS) {
    for (const auto cve : cves) {
      std::string id;
      if (getString(cve, id) && !id.empty()) advisory.aliases.push_back(std::move(id));
    }
  }
  getString(object["publish_date"], advisory.published);
  getString(object["updated_at"], advisory.modified);
  getString(object["title"], advisory.summary);
  getString(object["overview"], advisory.details);
  dom::array references;
  if (object["references"].get(references) == simdjson::SUCCESS) {
    for (const auto reference : references) {
      std::string url;
      if (getString(reference, url) && !url.empty()) advisory.references.push_back(std::move(url));
    }
  }
  std::string vector;
  double score = 0;
  const bool has_score = object["cvss_score"].get(score) == simdjson::SUCCESS;
  if (getString(object["cvss_vector"], vector) && !vector.empty()) {
    advisory.severities.push_back(
        {.type = vector.starts_with("CVSS:4")   ? "CVSS_V4"
                 : vector.starts_with("CVSS:3") ? "CVSS_V3"
                                                : "CVSS_V2",
         .vector = vector,
         .score = has_score ? std::optional<double>(score) : std::nullopt,
         .severity = has_score ? severityOfScore(score) : model::Severity::Unknown,
         .source = std::string(kSource)});
  }
  AffectedPackage package;
  package.ecosystem = "npm";
  if (!getString(object["module_name"], package.name) || package.name.empty()) {
    diagnostics.add("nodejs.malformed-record", fmt::format("{}#{}", where, advisory.id),
                    "no \"module_name\"");
    return;
  }
  std::string vulnerable;
  std::string patched;
  getString(object["vulnerable_versions"], vulnerable);
  getString(object["patched_versions"], patched);
  std::string problem;
  if (!readRanges(vulnerable, patched, package, problem)) {
    diagnostics.add(std::string(kUnevaluable), fmt::format("{}#{}", where, advisory.id),
                    std::move(problem));
  }
  for (const auto& range : package.ranges) {
    for (const auto& event : range.events) {
      if (event.kind == RangeEvent::Kind::Fixed && package.fixed_version.empty()) {
        package.fixed_version = event.version;
      }
    }
  }
  advisory.affected.push_back(std::move(package));
  sink(std::move(advisory));
}

}  // namespace

bool detectNodejsSecurityWg(std::string_view /*path*/, std::string_view head) {
  return detail::firstNonBlank(head) == '{' &&
         head.find("\"module_name\"") != std::string_view::npos &&
         head.find("\"vulnerable_versions\"") != std::string_view::npos;
}

core::Status parseNodejsSecurityWg(std::string_view bytes, std::string_view where,
                                   const AdvisorySink& sink, core::Diagnostics& diagnostics) {
  thread_local dom::parser parser;
  simdjson::padded_string storage;
  auto root = detail::parseJson(parser, storage, bytes, where);
  if (!root) return tl::unexpected(root.error());
  dom::object object;
  if (root->get(object) != simdjson::SUCCESS) {
    return core::fail(core::ErrorCode::Input, "{}: not a security-wg record", where);
  }
  if (object["module_name"].error() == simdjson::SUCCESS) {
    readRecord(object, std::string(where), sink, diagnostics);
    return {};
  }
  // vuln/npm/index.json: {"<id>": record, ...}, the same records as the files beside it.
  for (const auto field : object) {
    dom::object record;
    const std::string location = fmt::format("{}#{}", where, core::printable(field.key));
    if (field.value.get(record) != simdjson::SUCCESS) {
      diagnostics.add("nodejs.malformed-record", location, "not an object");
      continue;
    }
    readRecord(record, location, sink, diagnostics);
  }
  return {};
}

}  // namespace bulwark::vulndb::feeds
