#include "vulndb/advisory_json.h"

#include <algorithm>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace bulwark::vulndb {

using Json = nlohmann::ordered_json;

namespace {

std::string_view kindName(model::RangeEvent::Kind kind) {
  switch (kind) {
    case model::RangeEvent::Kind::Introduced: return "introduced";
    case model::RangeEvent::Kind::Fixed: return "fixed";
    case model::RangeEvent::Kind::LastAffected: return "last_affected";
    case model::RangeEvent::Kind::Limit: return "limit";
  }
  return "introduced";
}

std::string_view typeName(model::VersionRange::Type type) {
  switch (type) {
    case model::VersionRange::Type::Ecosystem: return "ECOSYSTEM";
    case model::VersionRange::Type::Semver: return "SEMVER";
    case model::VersionRange::Type::Git: return "GIT";
  }
  return "ECOSYSTEM";
}

Json rangesJson(const std::vector<model::VersionRange>& ranges) {
  Json out = Json::array();
  for (const auto& range : ranges) {
    Json events = Json::array();
    for (const auto& event : range.events) {
      events.push_back(Json{{std::string(kindName(event.kind)), event.version}});
    }
    out.push_back(Json{{"type", typeName(range.type)}, {"events", std::move(events)}});
  }
  return out;
}

core::Result<std::vector<model::VersionRange>> parseRanges(const Json& json) {
  std::vector<model::VersionRange> ranges;
  if (!json.is_array()) return core::fail(core::ErrorCode::Input, "ranges: not an array");
  for (const auto& r : json) {
    if (!r.is_object()) return core::fail(core::ErrorCode::Input, "range: not an object");
    model::VersionRange range;
    const std::string type = r.value("type", "ECOSYSTEM");
    range.type = type == "SEMVER" ? model::VersionRange::Type::Semver
                 : type == "GIT"  ? model::VersionRange::Type::Git
                                  : model::VersionRange::Type::Ecosystem;
    const auto events = r.find("events");
    if (events == r.end() || !events->is_array()) continue;
    for (const auto& e : *events) {
      if (!e.is_object() || e.size() != 1 || !e.begin().value().is_string()) {
        return core::fail(core::ErrorCode::Input, "range event: not {kind: version}");
      }
      const std::string& key = e.begin().key();
      model::RangeEvent event;
      event.version = e.begin().value().get<std::string>();
      if (key == "introduced")
        event.kind = model::RangeEvent::Kind::Introduced;
      else if (key == "fixed")
        event.kind = model::RangeEvent::Kind::Fixed;
      else if (key == "last_affected")
        event.kind = model::RangeEvent::Kind::LastAffected;
      else if (key == "limit")
        event.kind = model::RangeEvent::Kind::Limit;
      else
        return core::fail(core::ErrorCode::Input, "range event: unknown kind '{}'", key);
      range.events.push_back(std::move(event));
    }
    ranges.push_back(std::move(range));
  }
  return ranges;
}

model::AffectedStatus statusFrom(std::string_view text) {
  using S = model::AffectedStatus;
  for (const S s : {S::Affected, S::Fixed, S::WillNotFix, S::FixDeferred, S::EndOfLife,
                    S::UnderInvestigation, S::NotAffected}) {
    if (model::toString(s) == text) return s;
  }
  return S::Affected;
}

template <class T>
std::vector<T> stringsOf(const Json& json, const char* key) {
  std::vector<T> out;
  const auto it = json.find(key);
  if (it == json.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

void putIf(Json& json, const char* key, const std::string& value) {
  if (!value.empty()) json[key] = value;
}

// Longest CWE number accepted: the catalogue is at four digits; nine keep any id within int32.
constexpr std::size_t kMaxCweDigits = 9;

// "CWE-79", "cwe-079", " 79 " → 79; 0 for anything else (NVD-CWE-Other, NVD-CWE-noinfo, text).
std::uint32_t cweNumber(std::string_view id) {
  while (!id.empty() && (id.front() == ' ' || id.front() == '\t')) id.remove_prefix(1);
  while (!id.empty() && (id.back() == ' ' || id.back() == '\t')) id.remove_suffix(1);
  if (id.size() > 4 && (id[0] == 'C' || id[0] == 'c') && (id[1] == 'W' || id[1] == 'w') &&
      (id[2] == 'E' || id[2] == 'e') && id[3] == '-') {
    id.remove_prefix(4);
  }
  while (id.size() > 1 && id.front() == '0') id.remove_prefix(1);
  if (id.empty() || id.size() > kMaxCweDigits) return 0;
  std::uint32_t number = 0;
  for (const char c : id) {
    if (c < '0' || c > '9') return 0;
    number = number * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return number;
}

}  // namespace

std::vector<std::string> normalizeCwes(const std::vector<std::string>& ids) {
  std::vector<std::uint32_t> numbers;
  for (const auto& id : ids) {
    if (const auto number = cweNumber(id); number != 0) numbers.push_back(number);
  }
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  std::vector<std::string> out;
  out.reserve(numbers.size());
  for (const auto number : numbers) out.push_back("CWE-" + std::to_string(number));
  return out;
}

std::string rangesToJson(const std::vector<model::VersionRange>& ranges) {
  return rangesJson(ranges).dump(-1, ' ', false, Json::error_handler_t::replace);
}

core::Result<std::vector<model::VersionRange>> rangesFromJson(std::string_view json) {
  const Json parsed = Json::parse(json, nullptr, false);
  if (parsed.is_discarded()) return core::fail(core::ErrorCode::Input, "ranges: not JSON");
  return parseRanges(parsed);
}

std::string advisoryToJson(const model::Advisory& a, int indent) {
  Json doc;
  doc["id"] = a.id;
  if (!a.aliases.empty()) doc["aliases"] = a.aliases;
  if (!a.related.empty()) doc["related"] = a.related;
  doc["source"] = a.source;
  putIf(doc, "published", a.published);
  putIf(doc, "modified", a.modified);
  putIf(doc, "withdrawn", a.withdrawn);
  putIf(doc, "summary", a.summary);
  putIf(doc, "details", a.details);
  Json severities = Json::array();
  for (const auto& s : a.severities) {
    Json entry{{"type", s.type}};
    putIf(entry, "vector", s.vector);
    if (s.score) entry["score"] = *s.score;
    entry["severity"] = model::toString(s.severity);
    putIf(entry, "source", s.source);
    severities.push_back(std::move(entry));
  }
  if (!severities.empty()) doc["severity"] = std::move(severities);
  Json affected = Json::array();
  for (const auto& p : a.affected) {
    Json entry{{"ecosystem", p.ecosystem}, {"name", p.name}, {"status", model::toString(p.status)}};
    if (!p.ranges.empty()) entry["ranges"] = rangesJson(p.ranges);
    if (!p.versions.empty()) entry["versions"] = p.versions;
    putIf(entry, "fixed_version", p.fixed_version);
    putIf(entry, "urgency", p.urgency);
    if (p.severity != model::Severity::Unknown) entry["severity"] = model::toString(p.severity);
    if (!p.arches.empty()) entry["arches"] = p.arches;
    putIf(entry, "module_stream", p.module_stream);
    putIf(entry, "purl", p.purl);
    affected.push_back(std::move(entry));
  }
  doc["affected"] = std::move(affected);
  if (!a.references.empty()) doc["references"] = a.references;
  if (!a.cwes.empty()) doc["cwes"] = a.cwes;
  return doc.dump(indent, ' ', false, Json::error_handler_t::replace);
}

core::Result<model::Advisory> advisoryFromJson(std::string_view text) {
  const Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return core::fail(core::ErrorCode::Input, "stored advisory is not a JSON object");
  }
  model::Advisory a;
  a.id = doc.value("id", "");
  a.aliases = stringsOf<std::string>(doc, "aliases");
  a.related = stringsOf<std::string>(doc, "related");
  a.source = doc.value("source", "");
  a.published = doc.value("published", "");
  a.modified = doc.value("modified", "");
  a.withdrawn = doc.value("withdrawn", "");
  a.summary = doc.value("summary", "");
  a.details = doc.value("details", "");
  if (const auto it = doc.find("severity"); it != doc.end() && it->is_array()) {
    for (const auto& s : *it) {
      if (!s.is_object()) continue;
      model::SeverityScore score;
      score.type = s.value("type", "");
      score.vector = s.value("vector", "");
      if (const auto v = s.find("score"); v != s.end() && v->is_number()) {
        score.score = v->get<double>();
      }
      score.severity = model::parseSeverity(s.value("severity", ""));
      score.source = s.value("source", "");
      a.severities.push_back(std::move(score));
    }
  }
  if (const auto it = doc.find("affected"); it != doc.end() && it->is_array()) {
    for (const auto& p : *it) {
      if (!p.is_object()) continue;
      model::AffectedPackage affected;
      affected.ecosystem = p.value("ecosystem", "");
      affected.name = p.value("name", "");
      affected.status = statusFrom(p.value("status", "affected"));
      if (const auto r = p.find("ranges"); r != p.end()) {
        auto ranges = parseRanges(*r);
        if (!ranges) return tl::unexpected(ranges.error());
        affected.ranges = std::move(*ranges);
      }
      affected.versions = stringsOf<std::string>(p, "versions");
      affected.fixed_version = p.value("fixed_version", "");
      affected.urgency = p.value("urgency", "");
      affected.severity = model::parseSeverity(p.value("severity", ""));
      affected.arches = stringsOf<std::string>(p, "arches");
      affected.module_stream = p.value("module_stream", "");
      affected.purl = p.value("purl", "");
      a.affected.push_back(std::move(affected));
    }
  }
  a.references = stringsOf<std::string>(doc, "references");
  // Documents stored before weaknesses were kept have no "cwes": an empty list.
  a.cwes = normalizeCwes(stringsOf<std::string>(doc, "cwes"));
  return a;
}

}  // namespace bulwark::vulndb
