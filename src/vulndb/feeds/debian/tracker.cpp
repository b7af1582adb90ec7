#include "vulndb/feeds/debian/tracker.h"

#include <array>
#include <cctype>
#include <map>

#include <fmt/format.h>

#include "core/text.h"
#include "vulndb/ecosystem.h"
#include "vulndb/feeds/json_util.h"

namespace bulwark::vulndb::feeds {

namespace {

namespace dom = simdjson::dom;
using detail::getString;
using model::Advisory;
using model::AffectedPackage;
using model::AffectedStatus;
using model::RangeEvent;
using model::VersionRange;

constexpr std::string_view kMalformed = "debian.malformed-record";

// "high**" → "high"; "not yet assigned" stays (it maps to Unknown).
std::string_view urgencyWord(std::string_view urgency) {
  while (!urgency.empty() && (urgency.back() == '*' || urgency.back() == ' ')) {
    urgency.remove_suffix(1);
  }
  return core::trim(urgency);
}

model::Severity urgencySeverity(std::string_view urgency) {
  return model::parseSeverity(urgencyWord(urgency));  // unknown words → Unknown
}

VersionRange rangeTo(std::string_view fixed_version) {
  VersionRange range{.type = VersionRange::Type::Ecosystem};
  range.events.push_back({RangeEvent::Kind::Introduced, "0"});
  if (!fixed_version.empty())
    range.events.push_back({RangeEvent::Kind::Fixed, std::string(fixed_version)});
  return range;
}

bool isOpenStatus(AffectedStatus status) {
  return status == AffectedStatus::Affected || status == AffectedStatus::WillNotFix ||
         status == AffectedStatus::FixDeferred || status == AffectedStatus::EndOfLife ||
         status == AffectedStatus::UnderInvestigation;
}

// Reads one release entry of the tracker JSON into `package`; false + `error` when malformed.
bool readRelease(dom::element value, AffectedPackage& package, std::string& error) {
  dom::object object;
  if (value.get(object) != simdjson::SUCCESS) {
    error = "release entry is not an object";
    return false;
  }
  std::string status;
  std::string nodsa_reason;
  for (const auto field : object) {
    if (field.value.is_null()) continue;
    bool ok = true;
    if (field.key == "status") {
      ok = getString(field.value, status);
    } else if (field.key == "fixed_version") {
      ok = getString(field.value, package.fixed_version);
    } else if (field.key == "urgency") {
      ok = getString(field.value, package.urgency);
    } else if (field.key == "nodsa_reason") {
      ok = getString(field.value, nodsa_reason);
    }
    if (!ok) {
      error = fmt::format("\"{}\" is not a string", field.key);
      return false;
    }
  }
  package.severity = urgencySeverity(package.urgency);
  if (status == "resolved") {
    if (package.fixed_version.empty()) {
      error = "resolved without fixed_version";
      return false;
    }
    if (package.fixed_version == "0") {
      package.status = AffectedStatus::NotAffected;
      package.fixed_version.clear();
      return true;
    }
    package.status = AffectedStatus::Fixed;
    package.ranges.push_back(rangeTo(package.fixed_version));
    return true;
  }
  if (status == "open") {
    package.fixed_version.clear();
    if (nodsa_reason == "ignored") {
      package.status = AffectedStatus::WillNotFix;
    } else if (nodsa_reason == "postponed") {
      package.status = AffectedStatus::FixDeferred;
    } else if (urgencyWord(package.urgency) == "end-of-life") {
      package.status = AffectedStatus::EndOfLife;
    } else {
      package.status = AffectedStatus::Affected;
    }
    package.ranges.push_back(rangeTo({}));
    return true;
  }
  if (status == "undetermined") {
    package.fixed_version.clear();
    package.status = AffectedStatus::UnderInvestigation;
    package.ranges.push_back(rangeTo({}));
    return true;
  }
  error = fmt::format("unknown status \"{}\"", core::printable(status));
  return false;
}

void readTrackerEntry(std::string_view where, std::string_view source_package, std::string_view id,
                      dom::element value, Advisory& advisory, core::Diagnostics& diagnostics) {
  const auto malformed = [&](std::string_view suffix, std::string detail) {
    diagnostics.add(std::string(kMalformed),
                    fmt::format("{}#{}/{}{}", where, core::printable(source_package),
                                core::printable(id), suffix),
                    std::move(detail));
  };
  dom::object object;
  if (value.get(object) != simdjson::SUCCESS) {
    malformed("", "entry is not an object");
    return;
  }
  if (advisory.id.empty()) {
    advisory.id = id;
    advisory.source = "debian-tracker";
  }
  for (const auto field : object) {
    if (field.key == "description") {
      if (advisory.details.empty()) getString(field.value, advisory.details);
    } else if (field.key == "debianbug") {
      std::string bug;
      if (detail::getScalarText(field.value, bug) && !bug.empty()) {
        auto url = fmt::format("https://bugs.debian.org/{}", bug);
        if (std::find(advisory.references.begin(), advisory.references.end(), url) ==
            advisory.references.end()) {
          advisory.references.push_back(std::move(url));
        }
      }
    } else if (field.key == "releases") {
      if (detail::isEmptyValue(field.value)) continue;  // real files have "releases": []
      dom::object releases;
      if (field.value.get(releases) != simdjson::SUCCESS) {
        malformed("", "\"releases\" is not an object");
        continue;
      }
      for (const auto release : releases) {
        AffectedPackage package;
        package.name = source_package;
        package.ecosystem = osEcosystem("debian", release.key);
        std::string error;
        if (package.ecosystem.empty() || !readRelease(release.value, package, error)) {
          malformed(fmt::format("/{}", core::printable(release.key)),
                    error.empty() ? "empty release name" : error);
          continue;
        }
        advisory.affected.push_back(std::move(package));
      }
    }
  }
}

// --- DSA/DLA lists ---------------------------------------------------------------------------

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// "29 Mar 2023" → "2023-03-29", or "" when it is not such a date.
std::string isoDate(std::string_view text) {
  const auto parts = core::split(text, ' ');
  if (parts.size() != 3 || parts[0].size() > 2 || parts[2].size() != 4) return {};
  const auto day = core::parseUnsigned(parts[0]);
  const auto year = core::parseUnsigned(parts[2]);
  if (!day || !year || *day < 1 || *day > 31) return {};
  for (std::size_t month = 0; month < kMonths.size(); ++month) {
    if (parts[1] == kMonths[month]) return fmt::format("{:04}-{:02}-{:02}", *year, month + 1, *day);
  }
  return {};
}

bool isAdvisoryId(std::string_view id) {
  if (!id.starts_with("DSA-") && !id.starts_with("DLA-")) return false;
  id.remove_prefix(4);
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id.front())) == 0) return false;
  for (const char c : id) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0 && c != '-') return false;
  }
  return true;
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

struct Marker {
  std::string_view word;
  AffectedStatus status;
};
constexpr std::array<Marker, 7> kMarkers = {{
    {"<not-affected>", AffectedStatus::NotAffected},
    {"<end-of-life>", AffectedStatus::EndOfLife},
    {"<unfixed>", AffectedStatus::Affected},
    {"<ignored>", AffectedStatus::WillNotFix},
    {"<no-dsa>", AffectedStatus::WillNotFix},
    {"<postponed>", AffectedStatus::FixDeferred},
    {"<removed>", AffectedStatus::EndOfLife},
}};

class ListParser {
 public:
  ListParser(std::string_view where, const AdvisorySink& sink, core::Diagnostics& diagnostics)
      : where_(where), sink_(sink), diagnostics_(diagnostics) {}

  void line(std::string_view text, std::size_t number) {
    const std::string_view trimmed = core::trim(text);
    if (trimmed.empty()) return;
    const bool indented = text.front() == ' ' || text.front() == '\t';
    if (!indented && text.front() == '[') {
      header(trimmed, number);
    } else if (!indented) {
      malformed(number, "unexpected line outside an advisory");
    } else if (!current_) {
      return;  // the body of a header already reported as malformed
    } else if (trimmed.front() == '{') {
      cves(trimmed, number);
    } else if (trimmed.front() == '[') {
      fixedLine(trimmed, number);
    } else if (!trimmed.starts_with("NOTE:")) {
      malformed(number, "unexpected line in an advisory");
    }
  }

  void finish() { flush(); }

 private:
  void malformed(std::size_t number, std::string detail) {
    diagnostics_.add(std::string(kMalformed), fmt::format("{}:{}", where_, number),
                     std::move(detail));
  }

  void flush() {
    if (current_) sink_(std::move(*current_));
    current_.reset();
  }

  void header(std::string_view text, std::size_t number) {
    flush();
    const std::size_t close = text.find(']');
    const std::string date =
        close == std::string_view::npos ? std::string() : isoDate(text.substr(1, close - 1));
    const auto rest =
        close == std::string_view::npos ? std::string_view() : core::trim(text.substr(close + 1));
    const auto id = rest.substr(0, rest.find_first_of(" \t"));
    if (date.empty() || !isAdvisoryId(id)) {
      malformed(number, fmt::format("bad advisory header \"{}\"", core::printable(text)));
      return;
    }
    current_.emplace();
    current_->id = id;
    current_->source = id.starts_with("DSA") ? "debian-dsa" : "debian-dla";
    current_->published = date;
    const auto description = core::trim(rest.substr(id.size()));
    if (const auto dash = description.find(" - "); dash != std::string_view::npos) {
      package_ = core::trim(description.substr(0, dash));
      current_->summary = core::trim(description.substr(dash + 3));
    } else {
      package_.clear();
      current_->summary = description;
    }
  }

  void cves(std::string_view text, std::size_t number) {
    const std::size_t close = text.find('}');
    if (close == std::string_view::npos) {
      malformed(number, "unterminated {CVE list}");
      return;
    }
    for (const auto id : words(text.substr(1, close - 1))) current_->aliases.emplace_back(id);
  }

  void fixedLine(std::string_view text, std::size_t number) {
    const std::size_t close = text.find(']');
    const auto parts = close == std::string_view::npos ? std::vector<std::string_view>()
                                                       : words(text.substr(close + 1));
    if (close == std::string_view::npos || parts.size() < 3 || parts[0] != "-") {
      malformed(number, fmt::format("bad release line \"{}\"", core::printable(text)));
      return;
    }
    const auto codename = text.substr(1, close - 1);
    AffectedPackage package;
    package.ecosystem = osEcosystem("debian", codename);
    package.name = parts[1];
    const std::string_view version = parts[2];
    if (version.front() == '<') {
      const auto* marker = std::find_if(kMarkers.begin(), kMarkers.end(),
                                        [&](const Marker& m) { return m.word == version; });
      if (marker == kMarkers.end()) {
        malformed(number, fmt::format("unknown marker \"{}\"", core::printable(version)));
        return;
      }
      package.status = marker->status;
      if (isOpenStatus(package.status)) package.ranges.push_back(rangeTo({}));
    } else {
      package.status = AffectedStatus::Fixed;
      package.fixed_version = version;
      package.ranges.push_back(rangeTo(version));
    }
    if (package.ecosystem.empty()) {
      malformed(number, "empty release name");
      return;
    }
    current_->affected.push_back(std::move(package));
  }

  std::string_view where_;
  const AdvisorySink& sink_;
  core::Diagnostics& diagnostics_;
  std::optional<Advisory> current_;
  std::string package_;
};

}  // namespace

bool detectDebianTracker(std::string_view /*path*/, std::string_view head) {
  // {"<package>": {"CVE-…" or "TEMP-…": {
  std::size_t i = 0;
  const auto skip = [&] {
    while (i < head.size() &&
           (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
      ++i;
  };
  const auto expect = [&](char c) {
    skip();
    if (i >= head.size() || head[i] != c) return false;
    ++i;
    return true;
  };
  const auto string = [&](std::string_view& out) {
    skip();
    if (i >= head.size() || head[i] != '"') return false;
    const std::size_t end = head.find('"', i + 1);
    if (end == std::string_view::npos) return false;
    out = head.substr(i + 1, end - i - 1);
    i = end + 1;
    return true;
  };
  std::string_view package;
  std::string_view id;
  if (!expect('{') || !string(package) || !expect(':') || !expect('{') || !string(id)) {
    return false;
  }
  return id.starts_with("CVE-") || id.starts_with("TEMP-");
}

core::Status parseDebianTracker(std::string_view bytes, std::string_view where,
                                const AdvisorySink& sink, core::Diagnostics& diagnostics) {
  dom::parser parser;
  simdjson::padded_string storage;
  auto root = detail::parseJson(parser, storage, bytes, where);
  if (!root) return tl::unexpected(root.error());
  dom::object packages;
  if (root->get(packages) != simdjson::SUCCESS) {
    return core::fail(core::ErrorCode::Input, "{}: not a tracker JSON object", where);
  }
  std::map<std::string, Advisory, std::less<>> advisories;
  for (const auto package : packages) {
    dom::object ids;
    if (package.value.get(ids) != simdjson::SUCCESS) {
      diagnostics.add(std::string(kMalformed),
                      fmt::format("{}#{}", where, core::printable(package.key)),
                      "package entry is not an object");
      continue;
    }
    for (const auto entry : ids) {
      if (entry.key.empty()) {
        diagnostics.add(std::string(kMalformed),
                        fmt::format("{}#{}", where, core::printable(package.key)), "empty id");
        continue;
      }
      auto found = advisories.find(entry.key);
      if (found == advisories.end())
        found = advisories.emplace(std::string(entry.key), Advisory{}).first;
      readTrackerEntry(where, package.key, entry.key, entry.value, found->second, diagnostics);
    }
  }
  for (auto& [id, advisory] : advisories) {
    if (!advisory.id.empty()) sink(std::move(advisory));
  }
  return {};
}

bool detectDebianAdvisoryList(std::string_view /*path*/, std::string_view head) {
  const std::string_view first = head.substr(0, head.find('\n'));
  const std::size_t close = first.find(']');
  if (!first.starts_with('[') || close == std::string_view::npos) return false;
  const auto rest = core::trim(first.substr(close + 1));
  return !isoDate(first.substr(1, close - 1)).empty() &&
         isAdvisoryId(rest.substr(0, rest.find_first_of(" \t")));
}

core::Status parseDebianAdvisoryList(std::string_view bytes, std::string_view where,
                                     const AdvisorySink& sink, core::Diagnostics& diagnostics) {
  ListParser parser(where, sink, diagnostics);
  core::forEachLine(bytes,
                    [&](std::string_view line, std::size_t number) { parser.line(line, number); });
  parser.finish();
  return {};
}

}  // namespace bulwark::vulndb::feeds
