#include "trivy_fixture_db.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <system_error>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/text.h"
#include "model/package.h"
#include "version/scheme.h"
#include "vulndb/database.h"
#include "vulndb/ecosystem.h"

namespace bulwark::accuracy::trivy {

namespace {

namespace fs = std::filesystem;
using core::ErrorCode;

// node[key] for a map, else an undefined node. yaml-cpp throws when indexing a missing key's
// result again, so every lookup goes through here.
YAML::Node child(const YAML::Node& node, const std::string& key) {
  if (!node.IsDefined() || !node.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  YAML::Node found = node[key];
  return found.IsDefined() ? found : YAML::Node(YAML::NodeType::Undefined);
}

bool isMap(const YAML::Node& node) { return node.IsDefined() && node.IsMap(); }
bool isSequence(const YAML::Node& node) { return node.IsDefined() && node.IsSequence(); }

std::string scalar(const YAML::Node& node) {
  return node && node.IsScalar() ? std::string(core::trim(node.Scalar())) : std::string();
}

// Trivy's fixtures write some integers as floats ("Severity: 1.0").
int integer(const YAML::Node& node) {
  const std::string text = scalar(node);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0 || value > 1000) {
    return 0;
  }
  return static_cast<int>(value);
}

std::vector<std::string> strings(const YAML::Node& node) {
  std::vector<std::string> out;
  if (!isSequence(node)) return out;
  for (const auto& item : node) {
    if (auto text = scalar(item); !text.empty()) out.push_back(std::move(text));
  }
  return out;
}

void addUnique(std::vector<std::string>& list, const std::string& value) {
  if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end()) {
    list.push_back(value);
  }
}

// "cpe:/o:redhat:enterprise_linux:7::server" → "rhel:7"; "" for anything else.
std::string rhelEcosystem(std::string_view cpe) {
  constexpr std::string_view kPrefix = "cpe:/o:redhat:enterprise_linux:";
  if (!cpe.starts_with(kPrefix)) return {};
  cpe.remove_prefix(kPrefix.size());
  return vulndb::osEcosystem("rhel", cpe.substr(0, cpe.find(':')));
}

// The fields of a package bucket entry that Trivy's OS detectors read.
bool knownField(std::string_view field) {
  return field == "FixedVersion" || field == "Status" || field == "Severity" ||
         field == "VendorIDs" || field == "Entries" || field == "Arches";
}

class Converter {
 public:
  explicit Converter(ConversionReport& report) : report_(report) {}

  core::Status read(const fs::path& dir) {
    std::error_code error;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, error)) {
      if (entry.path().extension() == ".yaml") files.push_back(entry.path());
    }
    if (error) return core::fail(ErrorCode::Io, "{}: {}", dir.string(), error.message());
    if (files.empty()) return core::fail(ErrorCode::NotFound, "{}: no *.yaml", dir.string());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      try {
        const YAML::Node root = YAML::LoadFile(file.string());
        if (!isSequence(root)) {
          return core::fail(ErrorCode::Input, "{}: not a list of buckets", file.string());
        }
        for (const auto& bucket : root) buckets_.push_back(bucket);
      } catch (const YAML::Exception& e) {
        return core::fail(ErrorCode::Input, "{}: {}", file.string(), e.what());
      }
    }
    // The lookup buckets first: vulnerability details, data sources, Red Hat CPEs.
    for (const auto& bucket : buckets_) {
      const std::string name = scalar(child(bucket, "bucket"));
      const YAML::Node pairs = child(bucket, "pairs");
      if (!isSequence(pairs)) continue;
      if (name == "vulnerability") {
        for (const auto& pair : pairs)
          vulnerabilities_[scalar(child(pair, "key"))] = child(pair, "value");
      } else if (name == "data-source") {
        for (const auto& pair : pairs) {
          data_sources_[scalar(child(pair, "key"))] = scalar(child(child(pair, "value"), "ID"));
        }
      } else if (name == "Red Hat CPE") {
        for (const auto& sub : pairs) {
          if (scalar(child(sub, "bucket")) != "cpe" || !isSequence(child(sub, "pairs"))) continue;
          for (const auto& pair : child(sub, "pairs")) {
            rhel_cpes_[scalar(child(pair, "key"))] = scalar(child(pair, "value"));
          }
        }
      }
    }
    return {};
  }

  void convert() {
    for (const auto& bucket : buckets_) {
      const std::string name = scalar(child(bucket, "bucket"));
      if (name == "vulnerability" || name == "data-source" || name == "Red Hat CPE") continue;
      if (name.find("::") != std::string::npos) {
        convertLanguage(bucket, name);
        continue;
      }
      const bool redhat = name == "Red Hat";
      const std::string ecosystem = redhat ? std::string() : ecosystemForBucket(name);
      if (!redhat && ecosystem.empty()) {
        report_.skipped.emplace_back(
            name, "no bulwark ecosystem key (a rolling release has no version to key on)");
        continue;
      }
      const auto source_id = data_sources_.find(name);
      Bucket context{
          .name = name,
          .ecosystem = ecosystem,
          .data_source = source_id == data_sources_.end() ? std::string() : source_id->second,
          .rpm = !ecosystem.starts_with("debian:") && !ecosystem.starts_with("ubuntu:") &&
                 !ecosystem.starts_with("alpine:"),
      };
      std::set<std::string> written;
      const YAML::Node packages = child(bucket, "pairs");
      if (!isSequence(packages)) continue;
      for (const auto& package : packages) {
        const std::string package_name = scalar(child(package, "bucket"));
        if (package_name.empty() || !isSequence(child(package, "pairs"))) continue;
        for (const auto& pair : child(package, "pairs")) {
          const std::string key = scalar(child(pair, "key"));
          if (key.empty()) continue;
          if (redhat) {
            convertRedHat(context, package_name, key, child(pair, "value"), written);
          } else {
            convertEntry(context, package_name, key, child(pair, "value"));
            written.insert(ecosystem);
          }
        }
      }
      std::string keys;
      for (const auto& key : written) keys += (keys.empty() ? "" : " ") + key;
      report_.mapped.emplace_back(name, keys);
    }
    for (const auto& [id, value] : vulnerabilities_) addDetails(id, value);
  }

  std::vector<model::Advisory> take() {
    std::vector<model::Advisory> out;
    out.reserve(advisories_.size());
    for (auto& [key, advisory] : advisories_) {
      report_.statements += advisory.affected.size();
      out.push_back(std::move(advisory));
    }
    report_.advisories = out.size();
    return out;
  }

 private:
  struct Bucket {
    std::string name;
    std::string ecosystem;
    std::string data_source;  // data-source.yaml ID, "" when the bucket has none
    bool rpm = false;
  };

  model::Advisory& advisory(const Bucket& bucket, const std::string& id) {
    const std::string source =
        "trivy-db:" + (bucket.data_source.empty() ? std::string("none") : bucket.data_source);
    auto& out = advisories_[{source, id}];
    out.id = id;
    out.source = source;
    return out;
  }

  // VendorSeverity[data source] of vulnerability.yaml: the distribution's severity for the id.
  // Without one, and without NVD data for bulwark's own fallback, the record's plain Severity,
  // as Trivy falls back to it (the "openSUSE Tumbleweed" bucket has no data source).
  model::Severity vendorSeverity(const Bucket& bucket, const std::string& id) const {
    const auto found = vulnerabilities_.find(id);
    if (found == vulnerabilities_.end() || !isMap(found->second)) return model::Severity::Unknown;
    const YAML::Node vendor = child(found->second, "VendorSeverity");
    if (!bucket.data_source.empty()) {
      const auto severity = severityFromTrivy(integer(child(vendor, bucket.data_source)));
      if (severity != model::Severity::Unknown) return severity;
    }
    if (isMap(child(child(found->second, "CVSS"), "nvd")) || isMap(child(vendor, "nvd"))) {
      return model::Severity::Unknown;
    }
    return model::parseSeverity(scalar(child(found->second, "Severity")));
  }

  std::string fixedVersion(const Bucket& bucket, const YAML::Node& node) const {
    std::string fixed = scalar(child(node, "FixedVersion"));
    if (bucket.rpm && fixed.starts_with("0:")) fixed.erase(0, 2);
    return fixed;
  }

  model::AffectedPackage statement(const Bucket& bucket, const std::string& ecosystem,
                                   const std::string& package, const YAML::Node& node) const {
    model::AffectedPackage out;
    out.ecosystem = ecosystem;
    out.name = package;
    out.fixed_version = fixedVersion(bucket, node);
    out.status = out.fixed_version.empty() ? statusFromTrivy(integer(child(node, "Status")))
                                           : model::AffectedStatus::Fixed;
    out.arches = strings(child(node, "Arches"));
    return out;
  }

  void noteIgnoredFields(const Bucket& bucket, const std::string& package, const std::string& key,
                         const YAML::Node& value) {
    if (!isMap(value)) return;
    for (const auto& field : value) {
      const std::string name = scalar(field.first);
      if (knownField(name)) continue;
      report_.ignored.push_back(fmt::format("{}/{}/{}: field {}: {} (not read by Trivy)",
                                            bucket.name, package, key, name, scalar(field.second)));
    }
  }

  void convertEntry(const Bucket& bucket, const std::string& package, const std::string& key,
                    const YAML::Node& value) {
    auto& out = advisory(bucket, key);
    noteIgnoredFields(bucket, package, key, value);
    model::Severity severity = model::Severity::Unknown;
    if (isMap(value)) {
      severity = severityFromTrivy(integer(child(value, "Severity")));
      for (const auto& id : strings(child(value, "VendorIDs"))) addUnique(out.aliases, id);
    }
    if (severity == model::Severity::Unknown) severity = vendorSeverity(bucket, key);
    const YAML::Node entries = child(value, "Entries");
    if (isSequence(entries) && entries.size() > 0) {
      // Per-architecture statements (Oracle, Rocky): the top-level FixedVersion repeats them.
      for (const auto& entry : entries) {
        auto affected = statement(bucket, bucket.ecosystem, package, entry);
        affected.severity = severity;
        for (const auto& id : strings(child(entry, "VendorIds"))) addUnique(out.aliases, id);
        for (const auto& id : strings(child(entry, "VendorIDs"))) addUnique(out.aliases, id);
        out.affected.push_back(std::move(affected));
      }
      return;
    }
    auto affected = statement(bucket, bucket.ecosystem, package, value);
    affected.severity = severity;
    out.affected.push_back(std::move(affected));
  }

  void convertRedHat(const Bucket& bucket, const std::string& package, const std::string& key,
                     const YAML::Node& value, std::set<std::string>& written) {
    if (!isMap(value) || !isSequence(child(value, "Entries"))) {
      report_.ignored.push_back(
          fmt::format("{}/{}/{}: no Entries: not convertible", bucket.name, package, key));
      return;
    }
    for (const auto& entry : child(value, "Entries")) {
      std::set<std::string> ecosystems;
      for (const auto& index : strings(child(entry, "Affected"))) {
        const auto cpe = rhel_cpes_.find(index);
        if (cpe == rhel_cpes_.end()) continue;
        if (auto ecosystem = rhelEcosystem(cpe->second); !ecosystem.empty()) {
          ecosystems.insert(std::move(ecosystem));
        }
      }
      if (ecosystems.empty()) {
        report_.ignored.push_back(
            fmt::format("{}/{}/{}: an entry names no CPE of the Red Hat CPE bucket", bucket.name,
                        package, key));
        continue;
      }
      // One statement per CVE: an RHSA lists several, each with its own severity.
      std::vector<std::pair<std::string, model::Severity>> cves;
      if (isSequence(child(entry, "Cves"))) {
        for (const auto& cve : child(entry, "Cves")) {
          std::string id = scalar(child(cve, "ID"));
          if (id.empty()) id = key;
          cves.emplace_back(std::move(id), severityFromTrivy(integer(child(cve, "Severity"))));
        }
      }
      if (cves.empty()) cves.emplace_back(key, vendorSeverity(bucket, key));
      for (const auto& [id, severity] : cves) {
        auto& out = advisory(bucket, id);
        if (id != key) addUnique(out.aliases, key);
        for (const auto& ecosystem : ecosystems) {
          auto affected = statement(bucket, ecosystem, package, entry);
          affected.severity = severity;
          out.affected.push_back(std::move(affected));
          written.insert(ecosystem);
        }
      }
    }
  }

  // The comparator of an OSV ecosystem's versions, as the matcher picks it (Go: semver, which
  // takes versions with and without Go's "v").
  static version::CompareFn compareFor(std::string_view ecosystem) {
    const model::EcosystemNames* names = model::ecosystemForOsv(ecosystem);
    if (names == nullptr) return nullptr;
    const version::SchemeInfo* scheme =
        version::findScheme(names->type == model::PackageType::Go ? "semver" : names->scheme);
    return scheme == nullptr ? nullptr : scheme->compare;
  }

  void convertLanguage(const YAML::Node& bucket_node, const std::string& name) {
    const std::string ecosystem = osvEcosystemForBucket(name);
    const version::CompareFn compare = compareFor(ecosystem);
    if (ecosystem.empty() || compare == nullptr) {
      report_.skipped.emplace_back(name, "no bulwark package type for this language ecosystem");
      return;
    }
    const auto source_id = data_sources_.find(name);
    const Bucket context{
        .name = name,
        .ecosystem = ecosystem,
        .data_source = source_id == data_sources_.end() ? std::string() : source_id->second,
    };
    const YAML::Node packages = child(bucket_node, "pairs");
    if (isSequence(packages)) {
      for (const auto& package : packages) {
        const std::string package_name = scalar(child(package, "bucket"));
        if (package_name.empty() || !isSequence(child(package, "pairs"))) continue;
        for (const auto& pair : child(package, "pairs")) {
          const std::string key = scalar(child(pair, "key"));
          if (!key.empty()) convertLanguageEntry(context, compare, package_name, key, pair);
        }
      }
    }
    report_.mapped.emplace_back(name, ecosystem);
  }

  void convertLanguageEntry(const Bucket& bucket, version::CompareFn compare,
                            const std::string& package, const std::string& key,
                            const YAML::Node& pair) {
    const YAML::Node value = child(pair, "value");
    ConversionReport::LanguageEntry entry{
        .bucket = bucket.name,
        .ecosystem = bucket.ecosystem,
        .package = package,
        .id = key,
        .vulnerable = strings(child(value, "VulnerableVersions"))};
    entry.safe = strings(child(value, "PatchedVersions"));
    for (auto& text : strings(child(value, "UnaffectedVersions"))) {
      entry.safe.push_back(std::move(text));
    }
    if (isMap(value)) {
      for (const auto& field : value) {
        const std::string field_name = scalar(field.first);
        if (field_name != "VulnerableVersions" && field_name != "PatchedVersions" &&
            field_name != "UnaffectedVersions") {
          report_.ignored.push_back(fmt::format("{}/{}/{}: field {} (not read by Trivy)",
                                                bucket.name, package, key, field_name));
        }
      }
    }
    const std::string where = fmt::format("{}/{}/{}", bucket.name, package, key);
    std::string problem;
    auto statements = entry.vulnerable.empty() ? fromSafe(entry, compare, problem)
                                               : fromVulnerable(entry, problem);
    if (!problem.empty()) {
      report_.unconvertible.push_back(where + ": " + problem);
      return;
    }
    const model::Severity severity = vendorSeverity(bucket, key);
    auto& out = advisory(bucket, key);
    for (auto& statement : statements) {
      statement.ecosystem = bucket.ecosystem;
      statement.name = package;
      statement.severity = severity;
      out.affected.push_back(statement);
    }
    entry.affected = std::move(statements);
    report_.language.push_back(std::move(entry));
  }

  // Each VulnerableVersions constraint → one statement.
  static std::vector<model::AffectedPackage> fromVulnerable(
      const ConversionReport::LanguageEntry& entry, std::string& problem) {
    std::vector<model::AffectedPackage> out;
    for (const auto& text : entry.vulnerable) {
      auto interval = readInterval(text);
      if (!interval) {
        problem = fmt::format("vulnerable \"{}\": {}", text, interval.error().message);
        return {};
      }
      model::AffectedPackage statement;
      if (interval->exact) {
        statement.versions.push_back(interval->lower);
        out.push_back(std::move(statement));
        continue;
      }
      if (!interval->lower.empty() && !interval->lower_inclusive) {
        problem = fmt::format("vulnerable \"{}\": an exclusive lower bound has no OSV event", text);
        return {};
      }
      model::VersionRange range;
      range.events.push_back({model::RangeEvent::Kind::Introduced,
                              interval->lower.empty() ? std::string("0") : interval->lower});
      if (!interval->upper.empty()) {
        range.events.push_back({interval->upper_inclusive ? model::RangeEvent::Kind::LastAffected
                                                          : model::RangeEvent::Kind::Fixed,
                                interval->upper});
        if (!interval->upper_inclusive) {
          statement.fixed_version = interval->upper;
        } else if (!entry.safe.empty() &&
                   std::all_of(entry.safe.begin(), entry.safe.end(), [](const std::string& v) {
                     return v.find_first_of("<>=~^, ") == std::string::npos;
                   })) {
          // "<= 2.9.10.3" with PatchedVersions ["2.9.10.4"] (GHSA's Maven records): the match
          // stops at the last affected version; the fix is the patched versions, which Trivy
          // shows joined. (Patched specifiers, as RubyGems' "~> 5.2.4, >= 5.2.4.3", are not
          // versions: no fixed version then.)
          for (const auto& patched : entry.safe) {
            if (!statement.fixed_version.empty()) statement.fixed_version += ", ";
            statement.fixed_version += patched;
          }
        }
      }
      statement.status = statement.fixed_version.empty() ? model::AffectedStatus::Affected
                                                         : model::AffectedStatus::Fixed;
      statement.ranges.push_back(std::move(range));
      out.push_back(std::move(statement));
    }
    return out;
  }

  // No VulnerableVersions: the gaps between the safe (patched, unaffected) intervals, one
  // statement each.
  static std::vector<model::AffectedPackage> fromSafe(const ConversionReport::LanguageEntry& entry,
                                                      version::CompareFn compare,
                                                      std::string& problem) {
    std::vector<Interval> safe;
    for (const auto& text : entry.safe) {
      auto interval = readInterval(text);
      if (!interval) {
        problem = fmt::format("safe \"{}\": {}", text, interval.error().message);
        return {};
      }
      if (interval->exact) {
        problem = fmt::format("safe \"{}\": a single safe version has no OSV event", text);
        return {};
      }
      if (!interval->upper.empty() && interval->upper_inclusive) {
        problem = fmt::format("safe \"{}\": \"<=\" ending a safe interval has no OSV event", text);
        return {};
      }
      if (interval->lower.empty()) interval->lower = "0";
      safe.push_back(std::move(*interval));
    }
    auto lower_less = [&](const Interval& a, const Interval& b) {
      if (a.lower == b.lower) return false;
      if (a.lower == "0") return true;
      if (b.lower == "0") return false;
      return compare(a.lower, b.lower) < 0;
    };
    std::stable_sort(safe.begin(), safe.end(), lower_less);
    std::vector<Interval> merged;
    for (auto& interval : safe) {
      if (!merged.empty() &&
          (merged.back().upper.empty() || compare(interval.lower, merged.back().upper) <= 0)) {
        auto& back = merged.back();
        if (interval.upper.empty() ||
            (!back.upper.empty() && compare(interval.upper, back.upper) > 0)) {
          back.upper = interval.upper;
        }
        continue;
      }
      merged.push_back(std::move(interval));
    }
    std::vector<model::AffectedPackage> out;
    std::string introduced = "0";
    std::size_t first = 0;
    if (!merged.empty() && merged.front().lower == "0" && merged.front().lower_inclusive) {
      introduced = merged.front().upper;  // "" when every version is safe
      first = 1;
    }
    for (std::size_t i = first; i < merged.size() && !introduced.empty(); ++i) {
      model::AffectedPackage statement;
      model::VersionRange range;
      range.events.push_back({model::RangeEvent::Kind::Introduced, introduced});
      if (merged[i].lower_inclusive) {
        range.events.push_back({model::RangeEvent::Kind::Fixed, merged[i].lower});
        statement.fixed_version = merged[i].lower;
        statement.status = model::AffectedStatus::Fixed;
      } else {
        range.events.push_back({model::RangeEvent::Kind::LastAffected, merged[i].lower});
      }
      statement.ranges.push_back(std::move(range));
      out.push_back(std::move(statement));
      introduced = merged[i].upper;
    }
    if (!introduced.empty()) {
      model::AffectedPackage statement;
      statement.ranges.push_back({.events = {{model::RangeEvent::Kind::Introduced, introduced}}});
      out.push_back(std::move(statement));
    }
    if (out.empty()) problem = "every version is safe";
    return out;
  }

  void addDetails(const std::string& id, const YAML::Node& value) {
    if (id.empty() || !isMap(value)) return;
    auto& out = advisories_[{"trivy-db:vulnerability", id}];
    out.id = id;
    out.source = "trivy-db:vulnerability";
    out.summary = scalar(child(value, "Title"));
    out.details = scalar(child(value, "Description"));
    out.published = scalar(child(value, "PublishedDate"));
    out.modified = scalar(child(value, "LastModifiedDate"));
    out.references = strings(child(value, "References"));
    const YAML::Node nvd = child(child(value, "CVSS"), "nvd");
    if (!isMap(nvd)) return;
    for (const auto& [field, type] :
         {std::pair{"V40Vector", "CVSS_V4"}, std::pair{"V3Vector", "CVSS_V3"},
          std::pair{"V2Vector", "CVSS_V2"}}) {
      if (auto vector = scalar(child(nvd, field)); !vector.empty()) {
        out.severities.push_back({.type = type, .vector = std::move(vector), .source = "nvd"});
      }
    }
  }

  ConversionReport& report_;
  std::vector<YAML::Node> buckets_;
  std::map<std::string, YAML::Node> vulnerabilities_;
  std::map<std::string, std::string> data_sources_;
  std::map<std::string, std::string> rhel_cpes_;
  std::map<std::pair<std::string, std::string>, model::Advisory> advisories_;
};

}  // namespace

std::string ecosystemForBucket(std::string_view bucket) {
  struct Rule {
    std::string_view prefix;  // the bucket name up to the release
    std::string_view id;      // os-release ID
  };
  static constexpr Rule kRules[] = {
      {"debian ", "debian"},          {"ubuntu ", "ubuntu"},    {"alpine ", "alpine"},
      {"amazon linux ", "amzn"},      {"alma ", "almalinux"},   {"rocky ", "rocky"},
      {"Oracle Linux ", "ol"},        {"Photon OS ", "photon"}, {"CBL-Mariner ", "mariner"},
      {"Azure Linux ", "azurelinux"},
  };
  // SUSE's buckets are named after its products ("SUSE Linux Enterprise 15-SP3", "openSUSE Leap
  // 15.1", "SUSE Linux Enterprise Micro 5.3", and the rolling "openSUSE Tumbleweed", keyed by
  // its id alone), as bulwark's SUSE CVRF importer reads them.
  if (bucket.starts_with("SUSE ") || bucket.starts_with("openSUSE ")) {
    return vulndb::suseEcosystem(bucket);
  }
  for (const auto& rule : kRules) {
    if (!bucket.starts_with(rule.prefix)) continue;
    return vulndb::osEcosystem(rule.id, bucket.substr(rule.prefix.size()));
  }
  return {};
}

std::string osvEcosystemForBucket(std::string_view bucket) {
  static constexpr std::pair<std::string_view, std::string_view> kPrefixes[] = {
      {"pip", "PyPI"},
      {"npm", "npm"},
      {"go", "Go"},
      {"cargo", "crates.io"},
      {"composer", "Packagist"},
      {"nuget", "NuGet"},
      {"rubygems", "RubyGems"},
      {"maven", "Maven"},
  };
  const auto separator = bucket.find("::");
  if (separator == std::string_view::npos) return {};
  const std::string_view prefix = bucket.substr(0, separator);
  for (const auto& [trivy, osv] : kPrefixes) {
    if (prefix == trivy) return std::string(osv);
  }
  return {};
}

core::Result<Interval> readInterval(std::string_view constraint) {
  std::string_view text = core::trim(constraint);
  if (text.empty()) return core::fail(ErrorCode::Input, "empty constraint");
  Interval out;
  if (text.front() == '[' || text.front() == '(') {
    // Maven: "[A,B)", "(,B]", "[A,)", "[A]".
    const char close = text.back();
    if (close != ']' && close != ')') return core::fail(ErrorCode::Input, "unclosed range");
    const std::string_view inner = text.substr(1, text.size() - 2);
    const auto comma = inner.find(',');
    if (comma == std::string_view::npos) {
      if (text.front() != '[' || close != ']' || core::trim(inner).empty()) {
        return core::fail(ErrorCode::Input, "not a Maven range");
      }
      out.lower = out.upper = std::string(core::trim(inner));
      out.exact = out.lower_inclusive = out.upper_inclusive = true;
      return out;
    }
    if (inner.find(',', comma + 1) != std::string_view::npos) {
      return core::fail(ErrorCode::Input, "several Maven ranges");
    }
    out.lower = std::string(core::trim(inner.substr(0, comma)));
    out.upper = std::string(core::trim(inner.substr(comma + 1)));
    out.lower_inclusive = text.front() == '[';
    out.upper_inclusive = close == ']';
    return out;
  }
  if (text.find("||") != std::string_view::npos) {
    return core::fail(ErrorCode::Input, "\"||\" alternatives");
  }
  bool has_lower = false;
  bool has_upper = false;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view clause = core::trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (clause.empty() || (comma != std::string_view::npos && core::trim(text).empty())) {
      return core::fail(ErrorCode::Input, "empty clause");
    }
    std::string_view op;
    for (const std::string_view candidate : {">=", "<=", "!=", "==", ">", "<", "=", "~", "^"}) {
      if (clause.starts_with(candidate)) {
        op = candidate;
        break;
      }
    }
    const std::string_view version = core::trim(clause.substr(op.size()));
    if (version.empty() || version.find_first_of(" \t") != std::string_view::npos) {
      return core::fail(ErrorCode::Input, "clause \"{}\" is not `op version`", clause);
    }
    if (op == "!=" || op == "~" || op == "^") {
      return core::fail(ErrorCode::Input, "operator \"{}\"", op);
    }
    if (op.empty() || op == "=" || op == "==") {
      if (has_lower || has_upper) return core::fail(ErrorCode::Input, "\"=\" with other bounds");
      out.lower = out.upper = std::string(version);
      out.exact = out.lower_inclusive = out.upper_inclusive = has_lower = has_upper = true;
      continue;
    }
    const bool lower = op.front() == '>';
    bool& seen = lower ? has_lower : has_upper;
    if (seen || out.exact)
      return core::fail(ErrorCode::Input, "two {} bounds", lower ? "lower" : "upper");
    seen = true;
    (lower ? out.lower : out.upper) = std::string(version);
    (lower ? out.lower_inclusive : out.upper_inclusive) = op.size() == 2;
  }
  return out;
}

model::Severity severityFromTrivy(int value) {
  switch (value) {
    case 1: return model::Severity::Low;
    case 2: return model::Severity::Medium;
    case 3: return model::Severity::High;
    case 4: return model::Severity::Critical;
    default: return model::Severity::Unknown;
  }
}

model::AffectedStatus statusFromTrivy(int value) {
  switch (value) {
    case 1: return model::AffectedStatus::NotAffected;
    case 3: return model::AffectedStatus::Fixed;
    case 4: return model::AffectedStatus::UnderInvestigation;
    case 5: return model::AffectedStatus::WillNotFix;
    case 6: return model::AffectedStatus::FixDeferred;
    case 7: return model::AffectedStatus::EndOfLife;
    default: return model::AffectedStatus::Affected;  // 0 unknown, 2 affected
  }
}

core::Result<std::vector<model::Advisory>> convertFixtureDb(const fs::path& fixtures_dir,
                                                            ConversionReport& report) {
  Converter converter(report);
  if (auto ok = converter.read(fixtures_dir); !ok) return tl::unexpected(ok.error());
  try {
    converter.convert();
  } catch (const YAML::Exception& e) {
    return core::fail(ErrorCode::Input, "{}: {}", fixtures_dir.string(), e.what());
  }
  return converter.take();
}

core::Result<ConversionReport> writeFixtureDb(const fs::path& fixtures_dir,
                                              const std::string& database_path) {
  ConversionReport report;
  auto advisories = convertFixtureDb(fixtures_dir, report);
  if (!advisories) return tl::unexpected(advisories.error());
  auto writer = vulndb::DatabaseWriter::begin(database_path);
  if (!writer) return tl::unexpected(writer.error());
  for (const auto& advisory : *advisories) {
    if (auto put = writer->put(advisory); !put) {
      return core::withContext(put.error(), advisory.source + " " + advisory.id);
    }
  }
  vulndb::FeedRecord feed{.name = "trivy-fixture-db",
                          .location = fixtures_dir.string(),
                          .imported_at = "1970-01-01T00:00:00Z",
                          .advisories = advisories->size()};
  if (auto ok = writer->recordFeed(feed); !ok) return tl::unexpected(ok.error());
  if (auto ok = writer->commit(); !ok) return tl::unexpected(ok.error());
  return report;
}

}  // namespace bulwark::accuracy::trivy
