#include "vulndb/feeds/ubuntu/uct.h"

#include <map>

#include <fmt/format.h>

#include "core/text.h"
#include "vulndb/ecosystem.h"

namespace bulwark::vulndb::feeds {

namespace {

using model::Advisory;
using model::AffectedPackage;
using model::AffectedStatus;
using model::RangeEvent;
using model::VersionRange;

constexpr std::string_view kSource = "ubuntu-cve-tracker";
constexpr std::size_t kMaxUctBytes = std::size_t{16} << 20;  // real files are a few KiB

VersionRange rangeTo(std::string_view fixed_version) {
  VersionRange range{.type = VersionRange::Type::Ecosystem};
  range.events.push_back({RangeEvent::Kind::Introduced, "0"});
  if (!fixed_version.empty()) {
    range.events.push_back({RangeEvent::Kind::Fixed, std::string(fixed_version)});
  }
  return range;
}

bool isReleaseName(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '.')) {
      return false;
    }
  }
  return true;
}

bool isPseudoRelease(std::string_view release) {
  return release == "upstream" || release == "devel" || release == "product" || release == "snap" ||
         release.find('/') != std::string_view::npos;
}

// "2019-06-19 23:15:00 UTC" → "2019-06-19T23:15:00Z"; anything else is kept as written.
std::string rfc3339(std::string_view text) {
  text = core::trim(text);
  if (text.size() == 23 && text.substr(19) == " UTC" && text[10] == ' ') {
    return fmt::format("{}T{}Z", text.substr(0, 10), text.substr(11, 8));
  }
  return std::string(text);
}

struct Status {
  AffectedStatus status = AffectedStatus::Affected;
  bool skip = false;  // DNE
  bool open = false;  // gets an [introduced 0] range
};

bool mapStatus(std::string_view word, std::string_view note, Status& out) {
  if (word == "DNE") {
    out.skip = true;
  } else if (word == "released") {
    out.status = AffectedStatus::Fixed;
  } else if (word == "not-affected") {
    out.status = AffectedStatus::NotAffected;
  } else if (word == "needs-triage") {
    out = {AffectedStatus::UnderInvestigation, false, true};
  } else if (word == "needed" || word == "pending" || word == "active") {
    out = {AffectedStatus::Affected, false, true};
  } else if (word == "deferred") {
    out = {AffectedStatus::FixDeferred, false, true};
  } else if (word == "ignored") {
    const bool eol = note.find("end of life") != std::string_view::npos ||
                     note.find("end-of-life") != std::string_view::npos ||
                     note.find("out of standard support") != std::string_view::npos;
    out = {eol ? AffectedStatus::EndOfLife : AffectedStatus::WillNotFix, false, true};
  } else {
    return false;
  }
  return true;
}

class UctReader {
 public:
  UctReader(std::string_view where, core::Diagnostics& diagnostics)
      : where_(where), diagnostics_(diagnostics) {}

  core::Status read(std::string_view bytes, const AdvisorySink& sink) {
    if (bytes.size() > kMaxUctBytes) {
      return core::fail(core::ErrorCode::Limit, "{}: larger than {} bytes", where_, kMaxUctBytes);
    }
    advisory_.source = kSource;
    core::forEachLine(bytes,
                      [&](std::string_view line, std::size_t number) { onLine(line, number); });
    if (advisory_.id.empty()) {
      return core::fail(core::ErrorCode::Input, "{}: no \"Candidate:\" field", where_);
    }
    finish();
    sink(std::move(advisory_));
    return {};
  }

 private:
  void onLine(std::string_view line, std::size_t number) {
    if (line.empty() || core::trim(line).empty()) {
      field_.clear();
      return;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      onContinuation(core::trim(line));
      return;
    }
    if (line.front() == '#') return;  // comment lines exist in some tracker files
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      malformed(number, fmt::format("not a field: \"{}\"", core::printable(line.substr(0, 80))));
      return;
    }
    const std::string_view key = line.substr(0, colon);
    const std::string_view value = core::trim(line.substr(colon + 1));
    field_ = key;
    const char first = key.front();
    if (first >= 'a' && first <= 'z' && key.find('_') != std::string_view::npos) {
      onStatus(key, value, number);
      field_.clear();
      return;
    }
    onField(key, value);
  }

  void onField(std::string_view key, std::string_view value) {
    if (key == "Candidate") {
      if (advisory_.id.empty()) advisory_.id = value;
    } else if (key == "PublicDate") {
      advisory_.published = rfc3339(value);
    } else if (key == "Priority") {
      priority_ = value;
    } else if (key.starts_with("Priority_")) {
      package_priorities_[std::string(key.substr(9))] = value;
    } else if (key == "Description") {
      appendText(advisory_.summary, value, ' ');
    } else if (key == "Ubuntu-Description") {
      appendText(advisory_.details, value, '\n');
    } else if (key == "References" || key == "Bugs") {
      addReference(value);
    } else if (key == "CVSS") {
      addCvss(value);
    }
  }

  void onContinuation(std::string_view text) {
    if (field_ == "Description") {
      appendText(advisory_.summary, text, ' ');
    } else if (field_ == "Ubuntu-Description") {
      appendText(advisory_.details, text, '\n');
    } else if (field_ == "References" || field_ == "Bugs") {
      addReference(text);
    } else if (field_ == "CVSS") {
      addCvss(text);
    }
  }

  static void appendText(std::string& out, std::string_view text, char separator) {
    if (text.empty()) return;
    if (!out.empty()) out.push_back(separator);
    out.append(text);
  }

  void addReference(std::string_view text) {
    const std::string_view url = text.substr(0, text.find_first_of(" \t"));
    if (url.starts_with("http://") || url.starts_with("https://")) {
      advisory_.references.emplace_back(url);
    }
  }

  // "nvd: CVSS:3.1/AV:L/..." (who: vector [score]).
  void addCvss(std::string_view text) {
    const auto colon = text.find(": ");
    if (colon == std::string_view::npos) return;
    std::string_view vector = core::trim(text.substr(colon + 2));
    vector = vector.substr(0, vector.find_first_of(" \t"));
    if (vector.empty()) return;
    model::SeverityScore score;
    score.type = vector.starts_with("CVSS:4")   ? "CVSS_V4"
                 : vector.starts_with("CVSS:3") ? "CVSS_V3"
                                                : "CVSS_V2";
    score.vector = vector;
    score.source = core::trim(text.substr(0, colon));
    advisory_.severities.push_back(std::move(score));
  }

  void onStatus(std::string_view key, std::string_view value, std::size_t number) {
    const auto underscore = key.find('_');
    const std::string_view release = key.substr(0, underscore);
    const std::string_view name = core::trim(key.substr(underscore + 1));
    if (!isReleaseName(release) || name.empty()) {
      malformed(number, fmt::format("bad release/package \"{}\"", core::printable(key)));
      return;
    }
    if (isPseudoRelease(release)) return;
    const auto space = value.find_first_of(" \t(");
    const std::string_view word = value.substr(0, space);
    std::string_view note;
    if (space != std::string_view::npos) {
      note = core::trim(value.substr(space));
      if (note.starts_with('(')) note.remove_prefix(1);
      if (note.ends_with(')')) note.remove_suffix(1);  // real files miss it sometimes
      note = core::trim(note);
    }
    Status status;
    if (!mapStatus(word, note, status)) {
      malformed(number, fmt::format("unknown status \"{}\" for {}", core::printable(word),
                                    core::printable(key)));
      return;
    }
    if (status.skip) return;
    AffectedPackage package;
    package.ecosystem = osEcosystem("ubuntu", release);
    package.name = name;
    package.status = status.status;
    if (releaseForCodename("ubuntu", release).empty() &&
        !unmapped_.contains(std::string(release))) {
      unmapped_.emplace(release, true);
    }
    if (status.status == AffectedStatus::Fixed) {
      if (note.empty() || note.find(' ') != std::string_view::npos) {
        unevaluable(fmt::format("{}: released without a version", core::printable(key)));
      } else {
        package.fixed_version = note;
        package.ranges.push_back(rangeTo(note));
      }
    } else if (status.open) {
      package.ranges.push_back(rangeTo({}));
    }
    advisory_.affected.push_back(std::move(package));
  }

  void finish() {
    if (!priority_.empty()) {
      advisory_.severities.push_back({.type = "ubuntu-priority",
                                      .vector = priority_,
                                      .severity = model::parseSeverity(priority_),
                                      .source = "ubuntu"});
    }
    for (auto& package : advisory_.affected) {
      const auto found = package_priorities_.find(package.name);
      package.urgency = found != package_priorities_.end() ? found->second : priority_;
      package.severity = model::parseSeverity(package.urgency);
    }
    if (!unmapped_.empty()) {
      std::string names;
      for (const auto& [name, unused] : unmapped_) appendText(names, name, ',');
      unevaluable(
          fmt::format("Ubuntu releases without a known version: {}", core::printable(names)));
    }
  }

  void malformed(std::size_t line, std::string detail) {
    diagnostics_.add("uct.malformed-record", fmt::format("{}:{}", where_, line), std::move(detail));
  }

  void unevaluable(std::string reason) {
    diagnostics_.add(std::string(kUnevaluable),
                     fmt::format("{}#{}", where_, core::printable(advisory_.id)),
                     std::move(reason));
  }

  std::string_view where_;
  core::Diagnostics& diagnostics_;
  Advisory advisory_;
  std::string field_;
  std::string priority_;
  std::map<std::string, std::string, std::less<>> package_priorities_;
  std::map<std::string, bool, std::less<>> unmapped_;
};

}  // namespace

bool detectUbuntuCveTracker(std::string_view path, std::string_view head) {
  const char first = head.empty() ? '\0' : head.front();
  if (first == '{' || first == '[' || first == '<') return false;
  if (head.starts_with("Candidate: ")) return true;
  const auto candidate = head.find("\nCandidate: ");
  if (candidate == std::string_view::npos) return false;
  const auto slash = path.find_last_of('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return name.starts_with("CVE-") || head.find("\nPublicDate:") != std::string_view::npos;
}

core::Status parseUbuntuCveTracker(std::string_view bytes, std::string_view where,
                                   const AdvisorySink& sink, core::Diagnostics& diagnostics) {
  UctReader reader(where, diagnostics);
  return reader.read(bytes, sink);
}

}  // namespace bulwark::vulndb::feeds
