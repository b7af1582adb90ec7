#include "vulndb/feeds/csaf/csaf.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "core/text.h"
#include "model/purl.h"
#include "vulndb/advisory_json.h"
#include "vulndb/cvss/cvss.h"
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

constexpr std::string_view kMalformed = "csaf.malformed-record";
constexpr std::string_view kVexSource = "redhat-vex";
constexpr std::string_view kAdvisorySource = "redhat-csaf";
constexpr std::size_t kMaxBranchDepth = 32;  // Red Hat trees are 3-4 levels deep

bool isObject(dom::element element) { return element.type() == dom::element_type::OBJECT; }

std::string stringAt(dom::element element, std::string_view key) {
  std::string out;
  if (isObject(element)) getString(element[key], out);
  return out;
}

void addUnique(std::vector<std::string>& list, std::string value) {
  if (value.empty()) return;
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ---- CPE and purl --------------------------------------------------------------------------

// "cpe:/o:redhat:enterprise_linux:8::baseos", "cpe:/a:redhat:enterprise_linux:8::appstream",
// "cpe:2.3:o:redhat:enterprise_linux:8:*:*:*:*:*:*:*" → "rhel:8"; anything else → "".
std::string rhelEcosystem(std::string_view cpe) {
  const auto parts = core::split(cpe, ':');
  std::size_t vendor = 0;
  if (parts.size() >= 5 && parts[0] == "cpe" && parts[1].starts_with('/')) {
    vendor = 2;
  } else if (parts.size() >= 6 && parts[0] == "cpe" && parts[1] == "2.3") {
    vendor = 3;
  } else {
    return {};
  }
  if (parts[vendor] != "redhat" || parts[vendor + 1] != "enterprise_linux") return {};
  const std::string_view version = parts[vendor + 2];
  if (version.empty() || std::isdigit(static_cast<unsigned char>(version.front())) == 0) return {};
  for (const char c : version) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0 && c != '.') return {};
  }
  return osEcosystem("rhel", version);
}

bool isRpmName(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '+' ||
           c == '-';
  });
}

bool isKnownArch(std::string_view arch) {
  static constexpr std::string_view kArches[] = {
      "src",   "noarch", "x86_64", "i686", "i386", "aarch64", "ppc64le",
      "ppc64", "s390x",  "s390",   "ppc",  "ia64", "armv7hl", "nosrc",
  };
  return std::find(std::begin(kArches), std::end(kArches), arch) != std::end(kArches);
}

// "name:stream:version:context" → "name:stream".
std::string moduleStream(std::string_view rpmmod) {
  const auto parts = core::split(rpmmod, ':');
  if (parts.size() < 2 || parts[0].empty() || parts[1].empty()) return {};
  return fmt::format("{}:{}", parts[0], parts[1]);
}

// "1:1.2-3" stays, "0:1.2-3" → "1.2-3" (as the OVAL parser writes versions).
std::string evr(std::string_view epoch, std::string_view version_release) {
  if (epoch.empty() || epoch == "0") return std::string(version_release);
  return fmt::format("{}:{}", epoch, version_release);
}

// A package statement's subject.
struct Component {
  std::string name;
  std::string evr;   // empty: unversioned
  std::string arch;  // empty: none stated
  std::string module;
};

// "curl-0:7.76.1-14.el9_0.9.src" (Red Hat's product_version ids) → its parts.
std::optional<Component> parseNevra(std::string_view id) {
  const auto dot = id.rfind('.');
  if (dot == std::string_view::npos || !isKnownArch(id.substr(dot + 1))) return std::nullopt;
  Component out;
  out.arch = std::string(id.substr(dot + 1));
  const std::string_view nevr = id.substr(0, dot);
  const auto release_dash = nevr.rfind('-');
  if (release_dash == std::string_view::npos) return std::nullopt;
  const auto version_dash = nevr.substr(0, release_dash).rfind('-');
  if (version_dash == std::string_view::npos || version_dash == 0) return std::nullopt;
  std::string_view version = nevr.substr(version_dash + 1);
  std::string_view epoch;
  if (const auto colon = version.find(':'); colon != std::string_view::npos) {
    epoch = version.substr(0, colon);
    version = version.substr(colon + 1);
  }
  if (version.empty() || version.starts_with('-')) return std::nullopt;
  out.name = std::string(nevr.substr(0, version_dash));
  if (!isRpmName(out.name)) return std::nullopt;
  out.evr = evr(epoch, version);
  return out;
}

enum class ComponentKind { Rpm, NonRpm, Malformed };

// The package a component product stands for, from its purl or, without one, its id.
ComponentKind resolveComponent(std::string_view id, std::string_view purl_text, Component& out,
                               std::string& problem) {
  if (!purl_text.empty()) {
    const auto purl = model::parsePurl(purl_text);
    if (!purl) {
      problem = fmt::format("unparseable purl \"{}\": {}", core::printable(purl_text),
                            purl.error().message);
      return ComponentKind::Malformed;
    }
    if (purl->type != "rpm" || purl->namespace_ != "redhat") return ComponentKind::NonRpm;
    if (!isRpmName(purl->name)) {
      problem = fmt::format("purl \"{}\" has no valid rpm name", core::printable(purl_text));
      return ComponentKind::Malformed;
    }
    out.name = purl->name;
    const auto qualifier = [&](std::string_view key) { return std::string(purl->qualifier(key)); };
    if (!purl->version.empty()) out.evr = evr(qualifier("epoch"), purl->version);
    out.arch = qualifier("arch");
    if (const auto rpmmod = qualifier("rpmmod"); !rpmmod.empty()) {
      out.module = moduleStream(rpmmod);
      if (out.module.empty()) {
        problem = fmt::format("purl \"{}\": rpmmod is not name:stream", core::printable(purl_text));
        return ComponentKind::Malformed;
      }
    }
    return ComponentKind::Rpm;
  }
  if (isRpmName(id)) {  // unfixed statements name the package only
    if (auto nevra = parseNevra(id)) {
      out = std::move(*nevra);
    } else if (id.ends_with(".src") && id.size() > 4) {  // "curl.src"
      out.name = std::string(id.substr(0, id.size() - 4));
      out.arch = "src";
    } else {
      out.name = std::string(id);
    }
    return ComponentKind::Rpm;
  }
  // "nodejs:18/nodejs": a module stream's package.
  if (const auto slash = id.find('/'); slash != std::string_view::npos) {
    const std::string_view module = id.substr(0, slash);
    const std::string_view name = id.substr(slash + 1);
    const auto parts = core::split(module, ':');
    if (parts.size() == 2 && isRpmName(parts[0]) && isRpmName(parts[1]) && isRpmName(name)) {
      out.module = std::string(module);
      out.name = std::string(name);
      return ComponentKind::Rpm;
    }
    if (auto nevra = parseNevra(name)) {  // "module:stream:…/nevra" without a purl
      out = std::move(*nevra);
      out.module = moduleStream(module);
      return ComponentKind::Rpm;
    }
  }
  return ComponentKind::NonRpm;  // containers ("rhel8/buildah"), Maven coordinates, ...
}

// ---- the product tree ----------------------------------------------------------------------

struct ProductInfo {
  std::string cpe;
  std::string purl;
};

struct Relationship {
  std::string component;
  std::string platform;
};

class ProductTree {
 public:
  void read(dom::element tree, const std::function<void(std::string)>& bad) {
    if (!isObject(tree)) return;
    dom::array branches;
    if (tree["branches"].get(branches) == simdjson::SUCCESS) walk(branches, 0, bad);
    dom::array names;
    if (tree["full_product_names"].get(names) == simdjson::SUCCESS) {
      for (const auto product : names) addProduct(product);
    }
    dom::array relationships;
    if (tree["relationships"].get(relationships) != simdjson::SUCCESS) return;
    for (const auto relationship : relationships) {
      std::string id;
      dom::element full_name;
      if (isObject(relationship) &&
          relationship["full_product_name"].get(full_name) == simdjson::SUCCESS) {
        id = stringAt(full_name, "product_id");
      }
      Relationship value{.component = stringAt(relationship, "product_reference"),
                         .platform = stringAt(relationship, "relates_to_product_reference")};
      if (id.empty() || value.component.empty() || value.platform.empty()) {
        bad("relationship without product_id, product_reference or "
            "relates_to_product_reference");
        continue;
      }
      relationships_.try_emplace(id, std::move(value));
    }
  }

  const ProductInfo* product(const std::string& id) const {
    const auto it = products_.find(id);
    return it == products_.end() ? nullptr : &it->second;
  }
  const Relationship* relationship(const std::string& id) const {
    const auto it = relationships_.find(id);
    return it == relationships_.end() ? nullptr : &it->second;
  }

 private:
  void addProduct(dom::element product) {
    if (!isObject(product)) return;
    const std::string id = stringAt(product, "product_id");
    if (id.empty()) return;
    ProductInfo info;
    dom::element helper;
    if (product["product_identification_helper"].get(helper) == simdjson::SUCCESS &&
        isObject(helper)) {
      getString(helper["cpe"], info.cpe);
      getString(helper["purl"], info.purl);
    }
    products_.try_emplace(id, std::move(info));
  }

  void walk(dom::array branches, std::size_t depth, const std::function<void(std::string)>& bad) {
    if (depth > kMaxBranchDepth) {
      bad(fmt::format("product_tree branches nested deeper than {}", kMaxBranchDepth));
      return;
    }
    for (const auto branch : branches) {
      if (!isObject(branch)) continue;
      dom::element product;
      if (branch["product"].get(product) == simdjson::SUCCESS) addProduct(product);
      dom::array children;
      if (branch["branches"].get(children) == simdjson::SUCCESS) walk(children, depth + 1, bad);
    }
  }

  std::unordered_map<std::string, ProductInfo> products_;
  std::unordered_map<std::string, Relationship> relationships_;
};

// ---- statements ----------------------------------------------------------------------------

struct Remedy {
  std::string category;  // no_fix_planned, none_available, vendor_fix, ...
  std::string details;
};

AffectedStatus unfixedStatus(const Remedy* remedy) {
  if (remedy == nullptr) return AffectedStatus::Affected;
  const std::string details = lower(remedy->details);
  if (details.find("out of support") != std::string::npos) return AffectedStatus::EndOfLife;
  if (details.find("will not fix") != std::string::npos) return AffectedStatus::WillNotFix;
  if (details.find("defer") != std::string::npos) return AffectedStatus::FixDeferred;
  if (remedy->category == "no_fix_planned") return AffectedStatus::WillNotFix;
  return AffectedStatus::Affected;
}

struct StatusList {
  std::string_view key;
  enum class Kind { Fixed, Affected, NotAffected, Investigating } kind;
};
constexpr StatusList kStatusLists[] = {
    {"fixed", StatusList::Kind::Fixed},
    {"first_fixed", StatusList::Kind::Fixed},
    {"known_affected", StatusList::Kind::Affected},
    {"first_affected", StatusList::Kind::Affected},
    {"last_affected", StatusList::Kind::Affected},
    {"known_not_affected", StatusList::Kind::NotAffected},
    {"under_investigation", StatusList::Kind::Investigating},
};

// (ecosystem, module stream, name, status, fixed EVR)
using PackageKey = std::tuple<std::string, std::string, std::string, int, std::string>;

struct PackageEntry {
  AffectedPackage package;
  std::set<std::string> arches;
  bool every_arch = false;
};

class Reader {
 public:
  Reader(std::string_view where, core::Diagnostics& diagnostics, CsafSummary& summary)
      : where_(where), diagnostics_(diagnostics), summary_(summary) {}

  void bad(std::string detail) {
    ++problems_;
    if (problems_ <= kMaxCsafDiagnostics) {
      diagnostics_.add(std::string(kMalformed), std::string(where_), std::move(detail));
    }
  }

  void finish() {
    if (problems_ > kMaxCsafDiagnostics) {
      diagnostics_.add(
          std::string(kMalformed), std::string(where_),
          fmt::format("{} more problems in this file not listed", problems_ - kMaxCsafDiagnostics));
    }
  }

  core::Status read(dom::element root, const AdvisorySink& sink) {
    dom::element document;
    if (!isObject(root) || root["document"].get(document) != simdjson::SUCCESS ||
        !isObject(document)) {
      return core::fail(core::ErrorCode::Input, "{}: not a CSAF document (no \"document\")",
                        where_);
    }
    const std::string category = stringAt(document, "category");
    const bool vex = category == "csaf_vex";
    if (!vex && category != "csaf_security_advisory") {
      return core::fail(core::ErrorCode::Input,
                        "{}: CSAF category \"{}\" is not supported (csaf_vex, "
                        "csaf_security_advisory)",
                        where_, core::printable(category));
    }
    dom::element tracking;
    if (document["tracking"].get(tracking) != simdjson::SUCCESS || !isObject(tracking)) {
      return core::fail(core::ErrorCode::Input, "{}: CSAF document without \"tracking\"", where_);
    }
    const std::string tracking_id = stringAt(tracking, "id");
    if (tracking_id.empty()) {
      return core::fail(core::ErrorCode::Input, "{}: CSAF document without tracking id", where_);
    }
    dom::array vulnerabilities;
    const bool has_vulnerabilities =
        root["vulnerabilities"].get(vulnerabilities) == simdjson::SUCCESS;
    if (!has_vulnerabilities && root["vulnerabilities"].error() != simdjson::NO_SUCH_FIELD) {
      return core::fail(core::ErrorCode::Input, "{}: \"vulnerabilities\" is not an array", where_);
    }
    dom::element tree;
    if (root["product_tree"].get(tree) == simdjson::SUCCESS) {
      tree_.read(tree, [this](std::string detail) { bad(std::move(detail)); });
    }

    Advisory base;
    base.source = vex ? kVexSource : kAdvisorySource;
    base.modified = stringAt(tracking, "current_release_date");
    base.published = stringAt(tracking, "initial_release_date");
    if (stringAt(tracking, "status") == "deleted") {
      base.withdrawn = base.modified.empty() ? std::string("deleted") : base.modified;
    }
    dom::element aggregate;
    if (document["aggregate_severity"].get(aggregate) == simdjson::SUCCESS) {
      aggregate_word_ = stringAt(aggregate, "text");
    }
    if (!aggregate_word_.empty()) {
      base.severities.push_back({.type = fmt::format("{}-severity", base.source),
                                 .severity = model::parseSeverity(aggregate_word_),
                                 .source = base.source});
    }
    readReferences(document["references"], base.references);

    if (!vex) {  // one advisory: the RHSA with its CVEs
      base.id = tracking_id;
      base.summary = stringAt(document, "title");
      readNotes(document["notes"], "summary", "general", base);
      if (has_vulnerabilities) {
        for (const auto vulnerability : vulnerabilities) {
          ++summary_.vulnerabilities;
          if (!isObject(vulnerability)) {
            bad(fmt::format("vulnerability #{} is not an object", summary_.vulnerabilities));
            continue;
          }
          addUnique(base.aliases, stringAt(vulnerability, "cve"));
          readScores(vulnerability["scores"], base);
          readReferences(vulnerability["references"], base.references);
          readStatuses(vulnerability, base, /*fixes_only=*/true);
        }
      }
      deliver(std::move(base), sink);
      return {};
    }

    // VEX: one advisory per vulnerability (Red Hat writes one, named like the document).
    std::size_t index = 0;
    if (has_vulnerabilities) {
      for (const auto vulnerability : vulnerabilities) {
        ++index;
        ++summary_.vulnerabilities;
        if (!isObject(vulnerability)) {
          bad(fmt::format("vulnerability #{} is not an object", index));
          continue;
        }
        Advisory advisory = base;
        advisory.id = stringAt(vulnerability, "cve");
        if (advisory.id.empty()) advisory.id = tracking_id;
        advisory.summary = stringAt(vulnerability, "title");
        readNotes(vulnerability["notes"], "summary", "description", advisory);
        if (const auto released = stringAt(vulnerability, "release_date"); !released.empty()) {
          advisory.published = released;
        }
        readScores(vulnerability["scores"], advisory);
        std::vector<std::string> own;
        readReferences(vulnerability["references"], own);
        for (auto& reference : advisory.references) addUnique(own, std::move(reference));
        advisory.references = std::move(own);
        dom::element cwe;
        if (vulnerability["cwe"].get(cwe) == simdjson::SUCCESS) {
          advisory.cwes = normalizeCwes({stringAt(cwe, "id")});
        }
        readStatuses(vulnerability, advisory, /*fixes_only=*/false);
        deliver(std::move(advisory), sink);
      }
    }
    if (index == 0) {
      base.id = tracking_id;
      deliver(std::move(base), sink);
    }
    return {};
  }

 private:
  void deliver(Advisory&& advisory, const AdvisorySink& sink) {
    if (advisory.affected.empty() && advisory.withdrawn.empty()) {
      diagnostics_.add(std::string(kUnevaluable), fmt::format("{}#{}", where_, advisory.id),
                       "no statement about a Red Hat Enterprise Linux rpm (other products are "
                       "not stored)");
    }
    ++summary_.advisories;
    sink(std::move(advisory));
  }

  static void readReferences(simdjson::simdjson_result<dom::element> result,
                             std::vector<std::string>& out) {
    dom::array array;
    if (result.get(array) != simdjson::SUCCESS) return;
    for (const auto item : array) addUnique(out, stringAt(item, "url"));
  }

  static void readNotes(simdjson::simdjson_result<dom::element> result,
                        std::string_view summary_category, std::string_view details_category,
                        Advisory& advisory) {
    dom::array array;
    if (result.get(array) != simdjson::SUCCESS) return;
    for (const auto note : array) {
      const std::string category = stringAt(note, "category");
      if (category == details_category && advisory.details.empty()) {
        advisory.details = stringAt(note, "text");
      } else if (category == summary_category && advisory.summary.empty()) {
        advisory.summary = stringAt(note, "text");
      }
    }
  }

  void readScores(simdjson::simdjson_result<dom::element> result, Advisory& advisory) {
    dom::array array;
    if (result.get(array) != simdjson::SUCCESS) return;
    static constexpr std::pair<std::string_view, std::string_view> kKinds[] = {
        {"cvss_v4", "CVSS_V4"}, {"cvss_v3", "CVSS_V3"}, {"cvss_v2", "CVSS_V2"}};
    for (const auto entry : array) {
      if (!isObject(entry)) continue;
      for (const auto& [key, type] : kKinds) {
        dom::element data;
        if (entry[key].get(data) != simdjson::SUCCESS || !isObject(data)) continue;
        model::SeverityScore score{.type = std::string(type), .source = "redhat"};
        if (!getString(data["vectorString"], score.vector) || score.vector.empty()) continue;
        if (auto computed = cvss::parseAndScore(score.vector)) {
          score.score = computed->base_score;
          score.severity = computed->severity;
        } else {
          bad(fmt::format("{}: {}", advisory.id, computed.error().message));
          double base = 0;
          if (data["baseScore"].get(base) == simdjson::SUCCESS) score.score = base;
          score.severity = model::parseSeverity(stringAt(data, "baseSeverity"));
        }
        if (std::find(advisory.severities.begin(), advisory.severities.end(), score) ==
            advisory.severities.end()) {
          advisory.severities.push_back(std::move(score));
        }
      }
    }
  }

  // product id → the list it appears in, for remediations and threats.
  static void indexProducts(simdjson::simdjson_result<dom::element> result,
                            const std::function<void(dom::element, dom::array*)>& each) {
    dom::array array;
    if (result.get(array) != simdjson::SUCCESS) return;
    for (const auto item : array) {
      if (!isObject(item)) continue;
      dom::array ids;
      if (item["product_ids"].get(ids) == simdjson::SUCCESS) {
        each(item, &ids);
      } else {
        each(item, nullptr);
      }
    }
  }

  void readStatuses(dom::element vulnerability, Advisory& advisory, bool fixes_only) {
    // Remediations that decide an unfixed status, and the errata that fix products.
    std::unordered_map<std::string, Remedy> remedies;
    std::unordered_map<std::string, std::string> errata;  // product id → RHSA id
    indexProducts(vulnerability["remediations"], [&](dom::element item, dom::array* ids) {
      const std::string category = stringAt(item, "category");
      if (ids == nullptr) return;
      if (category == "vendor_fix") {
        const std::string url = stringAt(item, "url");
        const auto slash = url.rfind('/');
        const std::string erratum = slash == std::string::npos ? url : url.substr(slash + 1);
        for (const auto id : *ids) {
          std::string key;
          if (getString(id, key)) errata.try_emplace(std::move(key), erratum);
        }
        return;
      }
      if (category != "no_fix_planned" && category != "none_available") return;
      for (const auto id : *ids) {
        std::string key;
        if (getString(id, key)) {
          remedies.try_emplace(std::move(key),
                               Remedy{.category = category, .details = stringAt(item, "details")});
        }
      }
    });
    std::unordered_map<std::string, std::string> impacts;  // product id → "Important"
    std::string general_impact;
    indexProducts(vulnerability["threats"], [&](dom::element item, dom::array* ids) {
      if (stringAt(item, "category") != "impact") return;
      const std::string word = stringAt(item, "details");
      if (ids == nullptr) {
        if (general_impact.empty()) general_impact = word;
        return;
      }
      for (const auto id : *ids) {
        std::string key;
        if (getString(id, key)) impacts.try_emplace(std::move(key), word);
      }
    });

    dom::element statuses;
    if (vulnerability["product_status"].get(statuses) != simdjson::SUCCESS) return;
    if (!isObject(statuses)) {
      bad(fmt::format("{}: product_status is not an object", advisory.id));
      return;
    }
    std::map<PackageKey, PackageEntry> packages;
    for (const auto& list : kStatusLists) {
      if (fixes_only && list.kind != StatusList::Kind::Fixed) continue;
      dom::array ids;
      if (statuses[list.key].get(ids) != simdjson::SUCCESS) continue;
      for (const auto id_element : ids) {
        std::string id;
        if (!getString(id_element, id)) {
          bad(fmt::format("{}: {} entry is not a string", advisory.id, list.key));
          continue;
        }
        ++summary_.statements;
        const Relationship* relationship = tree_.relationship(id);
        if (relationship == nullptr) {
          if (tree_.product(id) != nullptr) {  // a whole product ("Text-Only JBCS")
            ++summary_.other_platforms;
          } else {
            ++summary_.malformed;
            bad(fmt::format("{}: product \"{}\" is not defined in the product_tree", advisory.id,
                            core::printable(id)));
          }
          continue;
        }
        const ProductInfo* platform = tree_.product(relationship->platform);
        const std::string ecosystem = platform != nullptr ? rhelEcosystem(platform->cpe) : "";
        if (ecosystem.empty()) {
          ++summary_.other_platforms;
          continue;
        }
        const ProductInfo* component_info = tree_.product(relationship->component);
        Component component;
        std::string problem;
        const auto kind = resolveComponent(relationship->component,
                                           component_info != nullptr ? component_info->purl : "",
                                           component, problem);
        if (kind == ComponentKind::NonRpm) {
          ++summary_.non_rpm;
          continue;
        }
        if (kind == ComponentKind::Malformed) {
          ++summary_.malformed;
          bad(fmt::format("{}: {}: {}", advisory.id, core::printable(id), problem));
          continue;
        }
        AffectedStatus status = AffectedStatus::Affected;
        switch (list.kind) {
          case StatusList::Kind::Fixed: status = AffectedStatus::Fixed; break;
          case StatusList::Kind::NotAffected: status = AffectedStatus::NotAffected; break;
          case StatusList::Kind::Investigating: status = AffectedStatus::UnderInvestigation; break;
          case StatusList::Kind::Affected: {
            const auto remedy = remedies.find(id);
            status = unfixedStatus(remedy == remedies.end() ? nullptr : &remedy->second);
            break;
          }
        }
        if (status == AffectedStatus::Fixed && component.evr.empty()) {
          ++summary_.malformed;
          bad(fmt::format("{}: fixed product \"{}\" names no version", advisory.id,
                          core::printable(id)));
          continue;
        }
        ++summary_.rhel_statements;
        if (const auto erratum = errata.find(id); erratum != errata.end()) {
          if (advisory.source == kVexSource && erratum->second.starts_with("RH")) {
            addUnique(advisory.aliases, erratum->second);
          }
        }
        std::string word = general_impact;
        if (const auto impact = impacts.find(id); impact != impacts.end()) word = impact->second;
        if (word.empty()) word = aggregate_word_;

        const std::string fixed = status == AffectedStatus::Fixed ? component.evr : std::string();
        PackageKey key{ecosystem, component.module, component.name, static_cast<int>(status),
                       fixed};
        auto [it, inserted] = packages.try_emplace(std::move(key));
        PackageEntry& entry = it->second;
        if (inserted) {
          AffectedPackage& package = entry.package;
          package.ecosystem = ecosystem;
          package.name = component.name;
          package.module_stream = component.module;
          package.status = status;
          if (status == AffectedStatus::Fixed) {
            package.fixed_version = fixed;
            package.ranges.push_back({.type = VersionRange::Type::Ecosystem,
                                      .events = {{RangeEvent::Kind::Introduced, "0"},
                                                 {RangeEvent::Kind::Fixed, fixed}}});
          } else if (status != AffectedStatus::NotAffected) {
            package.ranges.push_back({.type = VersionRange::Type::Ecosystem,
                                      .events = {{RangeEvent::Kind::Introduced, "0"}}});
          }
        }
        if (model::parseSeverity(word) > entry.package.severity || entry.package.urgency.empty()) {
          if (!word.empty()) {
            entry.package.urgency = word;
            entry.package.severity = model::parseSeverity(word);
          }
        }
        if (component.arch.empty() || component.arch == "src" || component.arch == "nosrc") {
          entry.every_arch = true;
        } else {
          entry.arches.insert(component.arch);
        }
      }
    }
    for (auto& [key, entry] : packages) {
      if (!entry.every_arch) entry.package.arches.assign(entry.arches.begin(), entry.arches.end());
      if (std::find(advisory.affected.begin(), advisory.affected.end(), entry.package) ==
          advisory.affected.end()) {
        advisory.affected.push_back(std::move(entry.package));
      }
    }
  }

  std::string_view where_;
  core::Diagnostics& diagnostics_;
  CsafSummary& summary_;
  ProductTree tree_;
  std::string aggregate_word_;
  std::size_t problems_ = 0;
};

}  // namespace

core::Result<CsafSummary> parseCsafDocument(std::string_view bytes, std::string_view where,
                                            const AdvisorySink& sink,
                                            core::Diagnostics& diagnostics) {
  thread_local dom::parser parser;  // reused: its buffers grow to the largest file seen
  simdjson::padded_string storage;
  auto root = detail::parseJson(parser, storage, bytes, where);
  if (!root) return tl::unexpected(root.error());
  CsafSummary summary;
  Reader reader(where, diagnostics, summary);
  auto status = reader.read(*root, sink);
  reader.finish();
  if (!status) return tl::unexpected(status.error());
  return summary;
}

bool detectCsaf(std::string_view /*path*/, std::string_view head) {
  if (detail::firstNonBlank(head) != '{') return false;
  if (head.find("\"document\"") == std::string_view::npos) return false;
  return head.find("\"csaf_vex\"") != std::string_view::npos ||
         head.find("\"csaf_security_advisory\"") != std::string_view::npos ||
         head.find("\"csaf_version\"") != std::string_view::npos;
}

core::Status parseCsaf(std::string_view bytes, std::string_view where, const AdvisorySink& sink,
                       core::Diagnostics& diagnostics) {
  auto summary = parseCsafDocument(bytes, where, sink, diagnostics);
  if (!summary) return tl::unexpected(summary.error());
  return {};
}

}  // namespace bulwark::vulndb::feeds
