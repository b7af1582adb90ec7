#include "vulndb/feeds/secdb/secdb.h"

#include <map>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/text.h"
#include "vulndb/ecosystem.h"
#include "vulndb/feeds/json_util.h"

namespace bulwark::vulndb::feeds {

namespace {

namespace dom = simdjson::dom;
using model::Advisory;
using model::AffectedPackage;
using model::AffectedStatus;
using model::RangeEvent;
using model::VersionRange;

constexpr std::string_view kMalformed = "secdb.malformed-record";
constexpr std::size_t kMaxYamlBytes = std::size_t{64} << 20;

// Collects (package, version, ids) triples from either syntax and groups them by id.
class Collector {
 public:
  Collector(std::string_view where, core::Diagnostics& diagnostics)
      : where_(where), diagnostics_(diagnostics) {}

  // Each secdb file covers one branch and repository, and the same CVE appears in many of
  // them: the source names the file's branch and repository, so that (source, id) stays a
  // key and one branch's re-import never replaces another's statements.
  void setRelease(std::string_view distroversion, std::string_view reponame) {
    ecosystem_ = osEcosystem("alpine", distroversion);
    source_ = "alpine-secdb:" + std::string(core::trim(distroversion));
    if (!core::trim(reponame).empty()) source_ += "/" + std::string(core::trim(reponame));
  }
  [[nodiscard]] bool hasRelease() const { return !ecosystem_.empty(); }

  void malformed(std::string_view record, std::string detail) {
    diagnostics_.add(std::string(kMalformed),
                     record.empty() ? std::string(where_)
                                    : fmt::format("{}#{}", where_, core::printable(record)),
                     std::move(detail));
  }

  // One line of a secfixes list: "CVE-2019-1 XSA-12" (ids separated by blanks).
  void add(std::string_view package, std::string_view version, std::string_view line) {
    std::vector<std::string_view> ids;
    for (const auto word : core::split(line, ' ')) {
      if (const auto id = core::trim(word); !id.empty()) ids.push_back(id);
    }
    if (ids.empty() || version.empty()) {
      malformed(package,
                fmt::format("empty secfix entry for version \"{}\"", core::printable(version)));
      return;
    }
    auto found = advisories_.find(ids.front());
    if (found == advisories_.end()) {
      found = advisories_.emplace(std::string(ids.front()), Advisory{}).first;
      found->second.id = ids.front();
      found->second.source = source_;
    }
    Advisory& advisory = found->second;
    for (std::size_t i = 1; i < ids.size(); ++i) {
      if (std::find(advisory.aliases.begin(), advisory.aliases.end(), ids[i]) ==
          advisory.aliases.end()) {
        advisory.aliases.emplace_back(ids[i]);
      }
    }
    AffectedPackage affected;
    affected.ecosystem = ecosystem_;
    affected.name = package;
    if (version == "0") {
      affected.status = AffectedStatus::NotAffected;
    } else {
      affected.status = AffectedStatus::Fixed;
      affected.fixed_version = version;
      affected.ranges.push_back(
          {VersionRange::Type::Ecosystem,
           {{RangeEvent::Kind::Introduced, "0"}, {RangeEvent::Kind::Fixed, std::string(version)}}});
    }
    if (std::find(advisory.affected.begin(), advisory.affected.end(), affected) ==
        advisory.affected.end()) {
      advisory.affected.push_back(std::move(affected));
    }
  }

  void deliver(const AdvisorySink& sink) {
    for (auto& [id, advisory] : advisories_) sink(std::move(advisory));
    advisories_.clear();
  }

 private:
  std::string_view where_;
  core::Diagnostics& diagnostics_;
  std::string ecosystem_;
  std::string source_;
  std::map<std::string, Advisory, std::less<>> advisories_;
};

// --- JSON --------------------------------------------------------------------------------------

void readJsonPackage(dom::element value, std::size_t index, Collector& collector) {
  dom::object pkg;
  std::string name;
  if (value["pkg"].get(pkg) != simdjson::SUCCESS || !detail::getString(pkg["name"], name) ||
      name.empty()) {
    collector.malformed(fmt::format("packages[{}]", index), "entry without pkg.name");
    return;
  }
  dom::element secfixes_value;
  if (pkg["secfixes"].get(secfixes_value) != simdjson::SUCCESS || secfixes_value.is_null()) {
    return;  // a package without secfixes
  }
  dom::object secfixes;
  if (secfixes_value.get(secfixes) != simdjson::SUCCESS) {
    collector.malformed(name, "\"secfixes\" is not an object");
    return;
  }
  for (const auto fix : secfixes) {
    dom::array ids;
    if (detail::isEmptyValue(fix.value)) continue;  // "7.4.0-r0": "" in v3.6/main.json
    if (fix.value.get(ids) != simdjson::SUCCESS) {
      collector.malformed(
          name, fmt::format("secfixes of \"{}\" is not a list", core::printable(fix.key)));
      continue;
    }
    for (const auto id : ids) {
      std::string line;
      if (!detail::getScalarText(id, line)) {
        collector.malformed(name, "secfix id is not a string");
        continue;
      }
      collector.add(name, fix.key, line);
    }
  }
}

core::Status parseJsonSecdb(std::string_view bytes, std::string_view where,
                            const AdvisorySink& sink, core::Diagnostics& diagnostics) {
  dom::parser parser;
  simdjson::padded_string storage;
  auto root = detail::parseJson(parser, storage, bytes, where);
  if (!root) return tl::unexpected(root.error());
  Collector collector(where, diagnostics);
  std::string distroversion;
  dom::element packages_value;
  dom::array packages;
  if (!detail::getString((*root)["distroversion"], distroversion) ||
      (*root)["packages"].get(packages_value) != simdjson::SUCCESS ||
      (!detail::isEmptyValue(packages_value) &&
       packages_value.get(packages) != simdjson::SUCCESS)) {
    return core::fail(core::ErrorCode::Input,
                      "{}: not an Alpine secdb (no distroversion or packages)", where);
  }
  std::string reponame;
  (void)detail::getString((*root)["reponame"], reponame);
  collector.setRelease(distroversion, reponame);
  if (!collector.hasRelease()) {
    return core::fail(core::ErrorCode::Input, "{}: empty distroversion", where);
  }
  std::size_t index = 0;
  if (!detail::isEmptyValue(packages_value)) {  // a default dom::array must not be iterated
    for (const auto package : packages) readJsonPackage(package, index++, collector);
  }
  collector.deliver(sink);
  return {};
}

// --- YAML --------------------------------------------------------------------------------------

// The text of a scalar node ("" for anything else). yaml-cpp only throws on misuse, which the
// IsScalar() check rules out, but every call site is inside the try of parseYamlSecdb anyway.
// A missing key yields an invalid node on which only IsDefined() may be called.
std::string scalar(const YAML::Node& node) {
  return node.IsDefined() && node.IsScalar() ? node.Scalar() : std::string();
}
bool isMap(const YAML::Node& node) { return node.IsDefined() && node.IsMap(); }

void readYamlPackage(const YAML::Node& node, std::size_t index, Collector& collector) {
  const YAML::Node pkg = isMap(node) ? node["pkg"] : YAML::Node();
  const std::string name = isMap(pkg) ? scalar(pkg["name"]) : std::string();
  if (name.empty()) {
    collector.malformed(fmt::format("packages[{}]", index), "entry without pkg.name");
    return;
  }
  const YAML::Node secfixes = pkg["secfixes"];
  if (!secfixes.IsDefined() || secfixes.IsNull()) return;
  if (!secfixes.IsMap()) {
    collector.malformed(name, "\"secfixes\" is not a mapping");
    return;
  }
  for (const auto& fix : secfixes) {
    const std::string version = scalar(fix.first);
    if (fix.second.IsNull()) continue;
    if (!fix.second.IsSequence()) {
      collector.malformed(
          name, fmt::format("secfixes of \"{}\" is not a list", core::printable(version)));
      continue;
    }
    for (const auto& id : fix.second) {
      if (!id.IsScalar()) {
        collector.malformed(name, "secfix id is not a string");
        continue;
      }
      collector.add(name, version, id.Scalar());
    }
  }
}

core::Status parseYamlSecdb(std::string_view bytes, std::string_view where,
                            const AdvisorySink& sink, core::Diagnostics& diagnostics) {
  if (bytes.size() > kMaxYamlBytes) {
    return core::fail(core::ErrorCode::Limit, "{}: YAML secdb larger than {} bytes", where,
                      kMaxYamlBytes);
  }
  Collector collector(where, diagnostics);
  try {
    const YAML::Node root = YAML::Load(std::string(bytes));
    const YAML::Node packages = isMap(root) ? root["packages"] : YAML::Node();
    // An empty repository has "packages:" with no value.
    if (!packages.IsDefined() || !(packages.IsSequence() || packages.IsNull())) {
      return core::fail(core::ErrorCode::Input,
                        "{}: not an Alpine secdb (no distroversion or packages)", where);
    }
    collector.setRelease(scalar(root["distroversion"]), scalar(root["reponame"]));
    if (!collector.hasRelease()) {
      return core::fail(core::ErrorCode::Input, "{}: empty distroversion", where);
    }
    std::size_t index = 0;
    for (const auto& package : packages) readYamlPackage(package, index++, collector);
  } catch (const YAML::Exception& error) {
    return core::fail(core::ErrorCode::Input, "{}: invalid YAML: {}", where, error.what());
  } catch (const std::exception& error) {
    return core::fail(core::ErrorCode::Input, "{}: unreadable YAML: {}", where, error.what());
  }
  collector.deliver(sink);
  return {};
}

bool hasKey(std::string_view head, std::string_view key) {
  return head.find(key) != std::string_view::npos;
}

}  // namespace

bool detectSecdb(std::string_view /*path*/, std::string_view head) {
  const char first = detail::firstNonBlank(head);
  if (first == '{') return hasKey(head, "\"distroversion\"") && hasKey(head, "\"packages\"");
  return hasKey(head, "distroversion:") && hasKey(head, "packages:");
}

core::Status parseSecdb(std::string_view bytes, std::string_view where, const AdvisorySink& sink,
                        core::Diagnostics& diagnostics) {
  if (detail::firstNonBlank(bytes) == '{') return parseJsonSecdb(bytes, where, sink, diagnostics);
  return parseYamlSecdb(bytes, where, sink, diagnostics);
}

}  // namespace bulwark::vulndb::feeds
