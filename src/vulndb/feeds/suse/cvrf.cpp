#include "vulndb/feeds/suse/cvrf.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>
#include <pugixml.hpp>

#include "core/text.h"
#include "core/utf8.h"
#include "version/scheme.h"
#include "vulndb/ecosystem.h"
#include "vulndb/feeds/xml_util.h"

namespace bulwark::vulndb::feeds {

namespace {

using model::Advisory;
using model::AffectedPackage;
using model::AffectedStatus;
using model::RangeEvent;
using model::Severity;
using model::VersionRange;

constexpr std::string_view kSource = "suse-cvrf";
constexpr std::string_view kMalformed = "suse-cvrf.malformed-record";
constexpr std::string_view kMalformedXml = "suse-cvrf.malformed-xml";
constexpr std::string_view kEncoding = "suse-cvrf.encoding";
constexpr std::size_t kMaxListedPlatforms = 20;

// --- XML helpers (vulndb/feeds/xml_util.h; CVRF elements carry default namespaces, a "cvrf:"
// prefix is allowed too); attribute values are trimmed here ---

using detail::child;
using detail::forChildren;
using detail::localName;
using detail::text;

std::string_view attr(const pugi::xml_node& node, const char* name) {
  return core::trim(detail::attr(node, name));
}

void addUnique(std::vector<std::string>& list, std::string value) {
  if (value.empty()) return;
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

// --- encoding -------------------------------------------------------------------------------

// Bytes that are not UTF-8 are read as Latin-1 (each becomes its code point in UTF-8).
std::string repairUtf8(std::string_view bytes, std::size_t& latin1) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 16);
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t length = core::utf8SequenceLength(bytes.substr(i));
    if (length > 0) {
      out.append(bytes.substr(i, length));
      i += length;
      continue;
    }
    const auto c = static_cast<unsigned char>(bytes[i]);
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
    ++latin1;
    ++i;
  }
  return out;
}

// --- package references ---------------------------------------------------------------------

constexpr std::array<std::string_view, 17> kArchSuffixes = {
    ".x86_64", ".aarch64", ".ppc64le", ".s390x",  ".i586",    ".i686",
    ".noarch", ".riscv64", ".armv7hl", ".armv7l", ".armv6hl", ".ppc64",
    ".arm64",  ".s390",    ".ppc",     ".src",    ".nosrc",
};

bool startsWithAlnum(std::string_view text) {
  return !text.empty() && std::isalnum(static_cast<unsigned char>(text.front())) != 0;
}

// --- statuses -------------------------------------------------------------------------------

std::optional<AffectedStatus> statusOf(std::string_view type) {
  const std::string lower = core::asciiLower(type);
  if (lower == "fixed" || lower == "first fixed") return AffectedStatus::Fixed;
  if (lower == "known affected" || lower == "first affected" || lower == "last affected") {
    return AffectedStatus::Affected;
  }
  if (lower == "known not affected") return AffectedStatus::NotAffected;
  if (lower == "under investigation") return AffectedStatus::UnderInvestigation;
  return std::nullopt;
}

struct Relationship {
  std::string product_id;
  std::string reference;  // the component
  std::string platform;
  std::string ecosystem;
  std::string name;
  std::string version;  // VERSION-RELEASE, "" when the reference has none
  bool listed = false;  // named by some status
};

struct Mention {
  AffectedStatus status = AffectedStatus::Fixed;
  Severity severity = Severity::Unknown;
  std::string word;  // the threat's word for that severity
};

class Reader {
 public:
  Reader(std::string_view where, core::Diagnostics& diagnostics, SuseCvrfSummary& summary)
      : where_(where), diagnostics_(diagnostics), summary_(summary) {}

  core::Status read(const pugi::xml_node& root, const AdvisorySink& sink) {
    const auto tracking = child(root, "DocumentTracking");
    advisory_.id = text(child(child(tracking, "Identification"), "ID"));
    if (advisory_.id.empty()) {
      return core::fail(core::ErrorCode::Input, "{}: CVRF document without a tracking id", where_);
    }
    advisory_.source = kSource;
    advisory_.summary = text(child(root, "DocumentTitle"));
    advisory_.published = text(child(tracking, "InitialReleaseDate"));
    advisory_.modified = text(child(tracking, "CurrentReleaseDate"));
    if (advisory_.modified.empty()) advisory_.modified = advisory_.published;
    std::string topic;
    forChildren(child(root, "DocumentNotes"), "Note", [&](const pugi::xml_node& note) {
      if (attr(note, "Title") == "Details" && advisory_.details.empty()) {
        advisory_.details = text(note);
      }
      if (attr(note, "Title") == "Topic" && topic.empty()) topic = text(note);
    });
    if (advisory_.details.empty()) advisory_.details = topic;
    forChildren(child(root, "DocumentReferences"), "Reference", [&](const pugi::xml_node& ref) {
      addUnique(advisory_.references, text(child(ref, "URL")));
    });

    readRelationships(child(root, "ProductTree"));
    forChildren(root, "Vulnerability", [&](const pugi::xml_node& v) { readVulnerability(v); });
    buildPackages();

    if (document_severity_ != Severity::Unknown) {
      advisory_.severities.push_back({.type = "suse-severity",
                                      .severity = document_severity_,
                                      .source = std::string(kSource)});
    }
    if (!unkeyed_platforms_.empty()) {
      std::string list;
      std::size_t shown = 0;
      for (const auto& platform : unkeyed_platforms_) {
        if (shown++ == kMaxListedPlatforms) {
          list += fmt::format(", and {} more", unkeyed_platforms_.size() - kMaxListedPlatforms);
          break;
        }
        list += (list.empty() ? "" : ", ") + core::printable(platform);
      }
      diagnostics_.add(std::string(kUnevaluable), fmt::format("{}#{}", where_, advisory_.id),
                       fmt::format("{} statement(s) about platforms without a release key: {}",
                                   summary_.unevaluable_platforms, list));
    }
    if (advisory_.affected.empty()) {
      diagnostics_.add(std::string(kUnevaluable), fmt::format("{}#{}", where_, advisory_.id),
                       "no package statement for a release bulwark keys");
    }
    if (suppressed_ > 0) {
      diagnostics_.add(std::string(kMalformed), std::string(where_),
                       fmt::format("{} more malformed statement(s) not listed", suppressed_));
    }
    summary_.packages = advisory_.affected.size();
    sink(std::move(advisory_));
    return {};
  }

 private:
  void malformed(std::string detail) {
    ++summary_.malformed;
    if (reported_ >= kMaxSuseCvrfDiagnostics) {
      ++suppressed_;
      return;
    }
    ++reported_;
    diagnostics_.add(std::string(kMalformed), fmt::format("{}#{}", where_, advisory_.id),
                     std::move(detail));
  }

  // Resolves the platform and the package of a relationship.
  void resolve(Relationship& relationship) {
    relationship.ecosystem = suseEcosystem(relationship.platform);
    if (relationship.ecosystem.empty()) {
      ++summary_.unevaluable_platforms;
      if (!relationship.platform.empty()) unkeyed_platforms_.insert(relationship.platform);
      return;
    }
    auto [name, version] = splitSuseRpmReference(relationship.reference);
    if (name.empty()) {
      // Statements that are not about a fixed build may name the package alone ("Known
      // Affected" lists in SUSE's per-CVE documents).
      name = relationship.reference;
      for (const auto suffix : kArchSuffixes) {
        if (name.ends_with(suffix)) name.resize(name.size() - suffix.size());
      }
    }
    relationship.name = std::move(name);
    relationship.version = std::move(version);
  }

  void readRelationships(const pugi::xml_node& tree) {
    forChildren(tree, "Relationship", [&](const pugi::xml_node& node) {
      ++summary_.relationships;
      Relationship relationship;
      relationship.reference = std::string(attr(node, "ProductReference"));
      relationship.platform = std::string(attr(node, "RelatesToProductReference"));
      relationship.product_id = std::string(attr(child(node, "FullProductName"), "ProductID"));
      if (relationship.product_id.empty()) {
        relationship.product_id = relationship.platform + ":" + relationship.reference;
      }
      if (relationship.reference.empty() || relationship.platform.empty()) {
        malformed(fmt::format("relationship {} without a product or a platform",
                              core::printable(relationship.product_id)));
        return;
      }
      resolve(relationship);
      if (by_id_.count(relationship.product_id) != 0) return;  // listed twice: the same thing
      by_id_.emplace(relationship.product_id, relationships_.size());
      relationships_.push_back(std::move(relationship));
    });
  }

  // The relationship a status's product id names. An id without a relationship but with the
  // "PLATFORM:PACKAGE" shape SUSE gives them is read from the id itself.
  Relationship* lookup(const std::string& product_id) {
    if (const auto it = by_id_.find(product_id); it != by_id_.end()) {
      return &relationships_[it->second];
    }
    const auto colon = product_id.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == product_id.size()) {
      malformed(
          fmt::format("product {} is not defined by a relationship", core::printable(product_id)));
      return nullptr;
    }
    malformed(fmt::format("product {} is not defined by a relationship; read as PLATFORM:PACKAGE",
                          core::printable(product_id)));
    Relationship relationship;
    relationship.product_id = product_id;
    relationship.platform = product_id.substr(0, colon);
    relationship.reference = product_id.substr(colon + 1);
    ++summary_.relationships;
    resolve(relationship);
    by_id_.emplace(product_id, relationships_.size());
    relationships_.push_back(std::move(relationship));
    return &relationships_.back();
  }

  void readVulnerability(const pugi::xml_node& node) {
    ++summary_.vulnerabilities;
    const std::string cve = text(child(node, "CVE"));
    if (cve != advisory_.id) addUnique(advisory_.aliases, cve);
    Severity severity = Severity::Unknown;
    std::string word;
    forChildren(child(node, "Threats"), "Threat", [&](const pugi::xml_node& threat) {
      if (attr(threat, "Type") != "Impact") return;
      const std::string description = text(child(threat, "Description"));
      const Severity parsed = model::parseSeverity(description);
      if (!description.empty() && (word.empty() || parsed > severity)) {
        severity = parsed;
        word = description;
      }
    });
    if (!word.empty() && (document_word_.empty() || severity > document_severity_)) {
      document_severity_ = severity;
      document_word_ = word;
    }
    forChildren(child(node, "References"), "Reference", [&](const pugi::xml_node& ref) {
      addUnique(advisory_.references, text(child(ref, "URL")));
    });
    forChildren(child(node, "Remediations"), "Remediation", [&](const pugi::xml_node& remedy) {
      addUnique(advisory_.references, text(child(remedy, "URL")));
    });
    const std::string label =
        cve.empty() ? fmt::format("vulnerability {}", attr(node, "Ordinal")) : core::printable(cve);
    forChildren(child(node, "ProductStatuses"), "Status", [&](const pugi::xml_node& status) {
      const std::string_view type = attr(status, "Type");
      const auto kind = statusOf(type);
      if (!kind) {
        malformed(fmt::format("{}: unknown status type \"{}\"", label, core::printable(type)));
        return;
      }
      std::size_t products = 0;
      forChildren(status, "ProductID", [&](const pugi::xml_node& id) {
        ++products;
        Relationship* relationship = lookup(text(id));
        if (relationship == nullptr) return;
        relationship->listed = true;
        mentions_[relationship->product_id].push_back({*kind, severity, word});
      });
      if (products == 0) {
        malformed(
            fmt::format("{}: a \"{}\" status that lists no product", label, core::printable(type)));
      }
    });
  }

  void addStatement(const Relationship& relationship, AffectedStatus status, Severity severity,
                    const std::string& word) {
    if (status == AffectedStatus::Fixed && relationship.version.empty()) {
      malformed(fmt::format("fixed product {} names no version",
                            core::printable(relationship.product_id)));
      return;
    }
    ++summary_.statements;
    const auto key = std::make_tuple(relationship.ecosystem, relationship.name, status);
    auto [it, inserted] = packages_.try_emplace(key);
    Grouped& group = it->second;
    if (inserted || (status == AffectedStatus::Fixed &&
                     compareRpm(relationship.version, group.fixed_version) < 0)) {
      group.fixed_version = status == AffectedStatus::Fixed ? relationship.version : "";
    }
    if (inserted || severity > group.severity) {
      group.severity = severity;
      group.word = word;
    }
  }

  static int compareRpm(std::string_view a, std::string_view b) {
    static const version::SchemeInfo* const kRpm = version::findScheme("rpm");
    if (kRpm == nullptr) return a.compare(b);
    return kRpm->compare(a, b);
  }

  void buildPackages() {
    for (const auto& relationship : relationships_) {
      if (relationship.ecosystem.empty() || relationship.name.empty()) continue;
      const auto it = mentions_.find(relationship.product_id);
      if (it == mentions_.end()) {
        ++summary_.unlisted_relationships;
        addStatement(relationship, AffectedStatus::Fixed, document_severity_, document_word_);
        continue;
      }
      // One statement per status the vulnerabilities give the product, with the highest
      // severity among them.
      std::map<AffectedStatus, Mention> strongest;
      for (const auto& mention : it->second) {
        auto [entry, inserted] = strongest.try_emplace(mention.status, mention);
        if (!inserted && mention.severity > entry->second.severity) entry->second = mention;
      }
      for (const auto& [status, mention] : strongest) {
        addStatement(relationship, status, mention.severity, mention.word);
      }
    }
    for (auto& [key, group] : packages_) {
      AffectedPackage package;
      package.ecosystem = std::get<0>(key);
      package.name = std::get<1>(key);
      package.status = std::get<2>(key);
      package.severity = group.severity;
      package.urgency = group.word;
      if (package.status != AffectedStatus::NotAffected) {
        VersionRange range{.type = VersionRange::Type::Ecosystem};
        range.events.push_back({RangeEvent::Kind::Introduced, "0"});
        if (package.status == AffectedStatus::Fixed) {
          range.events.push_back({RangeEvent::Kind::Fixed, group.fixed_version});
          package.fixed_version = group.fixed_version;
        }
        package.ranges.push_back(std::move(range));
      }
      advisory_.affected.push_back(std::move(package));
    }
  }

  struct Grouped {
    std::string fixed_version;
    Severity severity = Severity::Unknown;
    std::string word;
  };

  std::string_view where_;
  core::Diagnostics& diagnostics_;
  SuseCvrfSummary& summary_;
  Advisory advisory_;
  std::vector<Relationship> relationships_;
  std::unordered_map<std::string, std::size_t> by_id_;
  std::unordered_map<std::string, std::vector<Mention>> mentions_;
  std::map<std::tuple<std::string, std::string, AffectedStatus>, Grouped> packages_;
  std::set<std::string> unkeyed_platforms_;
  Severity document_severity_ = Severity::Unknown;
  std::string document_word_;
  std::size_t reported_ = 0;
  std::size_t suppressed_ = 0;
};

}  // namespace

std::pair<std::string, std::string> splitSuseRpmReference(std::string_view reference) {
  reference = core::trim(reference);
  for (const auto suffix : kArchSuffixes) {
    if (reference.ends_with(suffix)) {
      reference.remove_suffix(suffix.size());
      break;
    }
  }
  const auto release_dash = reference.rfind('-');
  if (release_dash == std::string_view::npos || release_dash == 0) return {};
  const auto version_dash = reference.rfind('-', release_dash - 1);
  if (version_dash == std::string_view::npos || version_dash == 0) return {};
  const std::string_view version = reference.substr(version_dash + 1);
  const std::string_view release = reference.substr(release_dash + 1);
  // Releases start with a digit or SUSE's "lp150." style prefix; nothing has spaces.
  if (!startsWithAlnum(version) || !startsWithAlnum(release) ||
      reference.find(' ') != std::string_view::npos) {
    return {};
  }
  return {std::string(reference.substr(0, version_dash)), std::string(version)};
}

bool detectSuseCvrf(std::string_view /*path*/, std::string_view head) {
  return head.find("<cvrfdoc") != std::string_view::npos &&
         head.find("SUSE") != std::string_view::npos;
}

core::Result<SuseCvrfSummary> parseSuseCvrfDocument(std::string_view bytes, std::string_view where,
                                                    const AdvisorySink& sink,
                                                    core::Diagnostics& diagnostics) {
  if (bytes.size() > kMaxFeedFileBytes) {
    return core::fail(core::ErrorCode::Limit, "{}: larger than {} bytes", where, kMaxFeedFileBytes);
  }
  SuseCvrfSummary summary;
  std::string buffer;
  if (simdjson::validate_utf8(bytes.data(), bytes.size())) {
    buffer.assign(bytes);
  } else {
    buffer = repairUtf8(bytes, summary.latin1_bytes);
    diagnostics.add(std::string(kEncoding), std::string(where),
                    fmt::format("not UTF-8: {} byte(s) read as Latin-1", summary.latin1_bytes));
  }
  pugi::xml_document document;
  const auto parsed = document.load_buffer_inplace(buffer.data(), buffer.size(),
                                                   pugi::parse_default, pugi::encoding_utf8);
  pugi::xml_node root;
  for (auto it = document.first_child(); it; it = it.next_sibling()) {
    if (it.type() == pugi::node_element && localName(it) == "cvrfdoc") root = it;
  }
  if (!root) {
    return core::fail(core::ErrorCode::Input, "{}: not a CVRF document ({} at offset {})", where,
                      parsed.description(), parsed.offset);
  }
  if (!parsed) {
    diagnostics.add(std::string(kMalformedXml), fmt::format("{}@{}", where, parsed.offset),
                    fmt::format("{}; what was read before it is kept", parsed.description()));
  }
  Reader reader(where, diagnostics, summary);
  if (auto read = reader.read(root, sink); !read) return tl::unexpected(read.error());
  return summary;
}

core::Status parseSuseCvrf(std::string_view bytes, std::string_view where, const AdvisorySink& sink,
                           core::Diagnostics& diagnostics) {
  auto summary = parseSuseCvrfDocument(bytes, where, sink, diagnostics);
  if (!summary) return tl::unexpected(summary.error());
  return {};
}

}  // namespace bulwark::vulndb::feeds
