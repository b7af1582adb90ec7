#include "vulndb/feeds/nvd/nvd.h"

#include <fmt/format.h>

#include "core/text.h"
#include "vulndb/advisory_json.h"
#include "vulndb/feeds/json_util.h"

namespace bulwark::vulndb::feeds {

namespace {

namespace dom = simdjson::dom;
using detail::getString;
using model::Advisory;
using model::SeverityScore;

constexpr std::string_view kNvdSource = "nvd";
constexpr std::string_view kCve5Source = "cve5";
constexpr std::string_view kNvdAuthority = "nvd@nist.gov";

bool fail(std::string& error, std::string detail) {
  error = std::move(detail);
  return false;
}

bool isObject(dom::element element) { return element.type() == dom::element_type::OBJECT; }

std::optional<double> getNumber(simdjson::simdjson_result<dom::element> result) {
  double value = 0;
  if (result.get(value) == simdjson::SUCCESS) return value;
  return std::nullopt;
}

// The English entry of [{lang, value}] (the first entry when none is English).
std::string englishText(simdjson::simdjson_result<dom::element> result) {
  dom::array array;
  if (result.get(array) != simdjson::SUCCESS) return {};
  std::string first;
  for (const auto item : array) {
    std::string lang;
    std::string value;
    if (!getString(item["value"], value)) continue;
    getString(item["lang"], lang);
    if (lang == "en" || lang.starts_with("en-") || lang.starts_with("en_")) return value;
    if (first.empty()) first = std::move(value);
  }
  return first;
}

// URLs of [{url, ...}].
void readReferences(simdjson::simdjson_result<dom::element> result, std::vector<std::string>& out) {
  dom::array array;
  if (result.get(array) != simdjson::SUCCESS) return;
  for (const auto item : array) {
    std::string url;
    if (getString(item["url"], url) && !url.empty()) out.push_back(std::move(url));
  }
}

// Weakness ids from a list of {"description": [{"lang", "value"}]} (NVD API 2.0 "weaknesses"
// with key "description", NVD 1.1 "problemtype_data" likewise) into `out`, normalised. NVD's
// "NVD-CWE-Other" and "NVD-CWE-noinfo" (no CWE assigned) are left out by normalizeCwes().
void readNvdWeaknesses(simdjson::simdjson_result<dom::element> result,
                       std::vector<std::string>& out) {
  dom::array array;
  if (result.get(array) != simdjson::SUCCESS) return;
  std::vector<std::string> ids;
  for (const auto weakness : array) {
    dom::array descriptions;
    if (weakness["description"].get(descriptions) != simdjson::SUCCESS) continue;
    for (const auto description : descriptions) {
      std::string value;
      if (getString(description["value"], value)) ids.push_back(std::move(value));
    }
  }
  ids.insert(ids.end(), out.begin(), out.end());
  out = normalizeCwes(ids);
}

// A CVSS data object {vectorString, baseScore, baseSeverity}; `severity_word` overrides the
// severity (NVD v2 metrics carry it beside cvssData).
bool readCvss(dom::element data, std::string_view type, std::string_view source,
              std::string_view severity_word, std::vector<SeverityScore>& out) {
  SeverityScore score;
  score.type = type;
  score.source = source;
  if (!getString(data["vectorString"], score.vector)) return false;
  score.score = getNumber(data["baseScore"]);
  std::string word(severity_word);
  if (word.empty()) getString(data["baseSeverity"], word);
  score.severity = model::parseSeverity(word);
  out.push_back(std::move(score));
  return true;
}

void malformed(core::Diagnostics& diagnostics, std::string_view where, std::size_t index,
               std::string_view id, std::string detail) {
  std::string location = fmt::format("{}#{}", where, index);
  if (!id.empty()) location += fmt::format("#{}", core::printable(id));
  diagnostics.add("nvd.malformed-record", std::move(location), std::move(detail));
}

// ---- NVD API 2.0 ----

struct MetricKind {
  std::string_view key;
  std::string_view type;
};
constexpr MetricKind kNvdMetrics[] = {
    {"cvssMetricV40", "CVSS_V4"},
    {"cvssMetricV31", "CVSS_V3"},
    {"cvssMetricV30", "CVSS_V3"},
    {"cvssMetricV2", "CVSS_V2"},
};

bool readNvd2Cve(dom::element cve, Advisory& advisory, std::string& error) {
  if (!isObject(cve)) return fail(error, "\"cve\" is not an object");
  advisory.source = kNvdSource;
  if (!getString(cve["id"], advisory.id) || advisory.id.empty()) {
    return fail(error, "record has no \"id\"");
  }
  getString(cve["published"], advisory.published);
  getString(cve["lastModified"], advisory.modified);
  advisory.summary = englishText(cve["descriptions"]);
  std::string status;
  getString(cve["vulnStatus"], status);
  if (status == "Rejected") {
    advisory.withdrawn = advisory.modified.empty() ? std::string("rejected") : advisory.modified;
  }
  dom::object metrics;
  if (cve["metrics"].get(metrics) == simdjson::SUCCESS) {
    for (const auto& kind : kNvdMetrics) {
      dom::array list;
      if (metrics[kind.key].get(list) != simdjson::SUCCESS) continue;
      for (const auto metric : list) {
        std::string source;
        std::string word;
        getString(metric["source"], source);
        getString(metric["baseSeverity"], word);  // v2: beside cvssData
        dom::element data;
        if (metric["cvssData"].get(data) != simdjson::SUCCESS ||
            !readCvss(data, kind.type, source, word, advisory.severities)) {
          return fail(error, fmt::format("{} entry without cvssData.vectorString", kind.key));
        }
      }
    }
  }
  readReferences(cve["references"], advisory.references);
  readNvdWeaknesses(cve["weaknesses"], advisory.cwes);
  return true;
}

core::Status parseNvd2Root(dom::element root, std::string_view where, const AdvisorySink& sink,
                           core::Diagnostics& diagnostics) {
  dom::array list;
  if (root["vulnerabilities"].get(list) != simdjson::SUCCESS) {
    return core::fail(core::ErrorCode::Input, "{}: no \"vulnerabilities\" array", where);
  }
  std::size_t index = 0;
  for (const auto item : list) {
    Advisory advisory;
    std::string error;
    dom::element cve;
    if (item["cve"].get(cve) != simdjson::SUCCESS) {
      malformed(diagnostics, where, index, {}, "entry without \"cve\"");
    } else if (readNvd2Cve(cve, advisory, error)) {
      sink(std::move(advisory));
    } else {
      malformed(diagnostics, where, index, advisory.id, std::move(error));
    }
    ++index;
  }
  return {};
}

// ---- NVD 1.1 feeds ----

bool readNvd11Item(dom::element item, Advisory& advisory, std::string& error) {
  if (!isObject(item)) return fail(error, "item is not an object");
  advisory.source = kNvdSource;
  dom::element cve;
  if (item["cve"].get(cve) != simdjson::SUCCESS) return fail(error, "item without \"cve\"");
  if (!getString(cve["CVE_data_meta"]["ID"], advisory.id) || advisory.id.empty()) {
    return fail(error, "record has no CVE_data_meta.ID");
  }
  getString(item["publishedDate"], advisory.published);
  getString(item["lastModifiedDate"], advisory.modified);
  advisory.summary = englishText(cve["description"]["description_data"]);
  if (advisory.summary.starts_with("** REJECT **")) {
    advisory.withdrawn = advisory.modified.empty() ? std::string("rejected") : advisory.modified;
  }
  dom::object impact;
  if (item["impact"].get(impact) == simdjson::SUCCESS) {
    dom::element data;
    if (impact["baseMetricV3"]["cvssV3"].get(data) == simdjson::SUCCESS &&
        !readCvss(data, "CVSS_V3", kNvdAuthority, {}, advisory.severities)) {
      return fail(error, "baseMetricV3 without cvssV3.vectorString");
    }
    if (impact["baseMetricV2"]["cvssV2"].get(data) == simdjson::SUCCESS) {
      std::string word;
      getString(impact["baseMetricV2"]["severity"], word);
      if (!readCvss(data, "CVSS_V2", kNvdAuthority, word, advisory.severities)) {
        return fail(error, "baseMetricV2 without cvssV2.vectorString");
      }
    }
  }
  readReferences(cve["references"]["reference_data"], advisory.references);
  readNvdWeaknesses(cve["problemtype"]["problemtype_data"], advisory.cwes);
  return true;
}

core::Status parseNvd11Root(dom::element root, std::string_view where, const AdvisorySink& sink,
                            core::Diagnostics& diagnostics) {
  dom::array list;
  if (root["CVE_Items"].get(list) != simdjson::SUCCESS) {
    return core::fail(core::ErrorCode::Input, "{}: no \"CVE_Items\" array", where);
  }
  std::size_t index = 0;
  for (const auto item : list) {
    Advisory advisory;
    std::string error;
    if (readNvd11Item(item, advisory, error)) {
      sink(std::move(advisory));
    } else {
      malformed(diagnostics, where, index, advisory.id, std::move(error));
    }
    ++index;
  }
  return {};
}

// ---- CVE JSON 5 ----

constexpr MetricKind kCve5Metrics[] = {
    {"cvssV4_0", "CVSS_V4"},
    {"cvssV3_1", "CVSS_V3"},
    {"cvssV3_0", "CVSS_V3"},
    {"cvssV2_0", "CVSS_V2"},
};

void readCve5Metrics(dom::element container, std::vector<SeverityScore>& out) {
  std::string source;
  if (!getString(container["providerMetadata"]["shortName"], source)) source = kCve5Source;
  dom::array metrics;
  if (container["metrics"].get(metrics) != simdjson::SUCCESS) return;
  for (const auto metric : metrics) {
    for (const auto& kind : kCve5Metrics) {
      dom::element data;
      if (metric[kind.key].get(data) == simdjson::SUCCESS) {
        readCvss(data, kind.type, source, {}, out);  // a metric without a vector is skipped
      }
    }
  }
}

// CVE JSON 5 problemTypes[].descriptions[].cweId of one container (descriptions that are free
// text without a cweId say nothing bulwark can use).
void readCve5Weaknesses(dom::element container, std::vector<std::string>& out) {
  dom::array problem_types;
  if (container["problemTypes"].get(problem_types) != simdjson::SUCCESS) return;
  std::vector<std::string> ids;
  for (const auto problem_type : problem_types) {
    dom::array descriptions;
    if (problem_type["descriptions"].get(descriptions) != simdjson::SUCCESS) continue;
    for (const auto description : descriptions) {
      std::string id;
      if (getString(description["cweId"], id)) ids.push_back(std::move(id));
    }
  }
  ids.insert(ids.end(), out.begin(), out.end());
  out = normalizeCwes(ids);
}

}  // namespace

bool detectNvd(std::string_view /*path*/, std::string_view head) {
  if (detail::firstNonBlank(head) != '{') return false;
  if (head.find("\"CVE_Items\"") != std::string_view::npos) return true;
  if (head.find("\"vulnerabilities\"") == std::string_view::npos) return false;
  return head.find("\"NVD_CVE\"") != std::string_view::npos ||
         head.find("\"sourceIdentifier\"") != std::string_view::npos;
}

core::Status parseNvd(std::string_view bytes, std::string_view where, const AdvisorySink& sink,
                      core::Diagnostics& diagnostics) {
  thread_local dom::parser parser;
  simdjson::padded_string storage;
  auto root = detail::parseJson(parser, storage, bytes, where);
  if (!root) return tl::unexpected(root.error());
  if (!isObject(*root)) return core::fail(core::ErrorCode::Input, "{}: not an NVD feed", where);
  if ((*root)["CVE_Items"].error() == simdjson::SUCCESS) {
    return parseNvd11Root(*root, where, sink, diagnostics);
  }
  return parseNvd2Root(*root, where, sink, diagnostics);
}

bool detectCve5(std::string_view /*path*/, std::string_view head) {
  return detail::firstNonBlank(head) == '{' &&
         head.find("\"cveMetadata\"") != std::string_view::npos;
}

core::Status parseCve5(std::string_view bytes, std::string_view where, const AdvisorySink& sink,
                       core::Diagnostics& diagnostics) {
  thread_local dom::parser parser;
  simdjson::padded_string storage;
  auto root = detail::parseJson(parser, storage, bytes, where);
  if (!root) return tl::unexpected(root.error());
  dom::object metadata;
  if (!isObject(*root) || (*root)["cveMetadata"].get(metadata) != simdjson::SUCCESS) {
    return core::fail(core::ErrorCode::Input, "{}: not a CVE JSON 5 record", where);
  }
  Advisory advisory;
  advisory.source = kCve5Source;
  if (!getString(metadata["cveId"], advisory.id) || advisory.id.empty()) {
    diagnostics.add("cve5.malformed-record", std::string(where), "no cveMetadata.cveId");
    return {};
  }
  getString(metadata["datePublished"], advisory.published);
  getString(metadata["dateUpdated"], advisory.modified);
  std::string state;
  getString(metadata["state"], state);
  dom::element cna;
  const bool has_cna = (*root)["containers"]["cna"].get(cna) == simdjson::SUCCESS && isObject(cna);
  if (state == "REJECTED") {
    advisory.withdrawn = advisory.modified.empty() ? std::string("rejected") : advisory.modified;
    if (has_cna) advisory.summary = englishText(cna["rejectedReasons"]);
  }
  if (has_cna) {
    if (advisory.summary.empty()) advisory.summary = englishText(cna["descriptions"]);
    readCve5Metrics(cna, advisory.severities);
    readReferences(cna["references"], advisory.references);
    readCve5Weaknesses(cna, advisory.cwes);
  }
  dom::array adps;
  if ((*root)["containers"]["adp"].get(adps) == simdjson::SUCCESS) {
    for (const auto adp : adps) {
      if (!isObject(adp)) continue;
      readCve5Metrics(adp, advisory.severities);
      // CISA's ADP assigns CWEs where the CNA gave none.
      if (advisory.cwes.empty()) readCve5Weaknesses(adp, advisory.cwes);
    }
  }
  sink(std::move(advisory));
  return {};
}

}  // namespace bulwark::vulndb::feeds
