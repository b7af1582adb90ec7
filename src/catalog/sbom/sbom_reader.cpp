#include "catalog/sbom/sbom_reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <simdjson.h>

#include "catalog/rpm/header.h"
#include "core/text.h"
#include "model/purl.h"

namespace bulwark::catalog {

namespace {

namespace dom = simdjson::dom;
using core::ErrorCode;
using model::ParsedPurl;

// Diagnostics of one kind listed individually; the rest are summed up in one line.
constexpr std::size_t kMaxDiagnosticsPerKind = 50;

// Distribution names as SBOM tools write them (Trivy's OS families, purl namespaces) → the
// os-release ids the rest of bulwark uses (vulndb/ecosystem.h).
struct DistroAlias {
  std::string_view written;
  std::string_view id;
};
constexpr std::array<DistroAlias, 14> kDistroAliases = {{
    {"redhat", "rhel"},
    {"red hat", "rhel"},
    {"alma", "almalinux"},
    {"amazon", "amzn"},
    {"amazon linux", "amzn"},
    {"cbl-mariner", "mariner"},
    {"oracle", "ol"},
    {"oraclelinux", "ol"},
    {"opensuse.leap", "opensuse-leap"},
    {"opensuse.tumbleweed", "opensuse-tumbleweed"},
    {"suse linux enterprise server", "sles"},
    {"suse linux enterprise micro", "sle-micro"},
    {"rockylinux", "rocky"},
    {"azure linux", "azurelinux"},
}};

std::string lower(std::string_view text) {
  std::string out(core::trim(text));
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

std::string distroId(std::string_view written) {
  std::string id = lower(written);
  for (const auto& alias : kDistroAliases) {
    if (id == alias.written) return std::string(alias.id);
  }
  return id;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// A distribution as one SBOM statement names it.
struct DistroHint {
  std::string id;
  std::string version;
  std::string codename;

  [[nodiscard]] bool empty() const { return id.empty(); }
  [[nodiscard]] std::string text() const {
    if (!version.empty()) return id + " " + version;
    return codename.empty() ? id : id + " " + codename;
  }
};

// The same release written with more or less precision: "12" and "12.4", "3.19" and "3.19.1".
bool sameRelease(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty() || a == b) return true;
  if (a.size() > b.size()) std::swap(a, b);
  return startsWith(b, a) && b[a.size()] == '.';
}

bool compatible(const DistroHint& a, const DistroHint& b) {
  return a.id == b.id && sameRelease(a.version, b.version);
}

// Trivy writes Amazon Linux 2 as "2 (Karoo)": the release is the first word.
std::string releaseWord(std::string_view version) {
  version = core::trim(version);
  if (const auto space = version.find(' ');
      space != std::string_view::npos && !version.empty() && isDigit(version.front())) {
    version = version.substr(0, space);
  }
  return std::string(version);
}

// The purl `distro` qualifier: "debian-12", "alpine-3.19.1", "rhel-8.9", "cbl-mariner-2.0",
// "ubuntu-jammy", or a bare release ("3.19.1", Trivy's apk purls) under the purl namespace.
DistroHint distroFromQualifier(std::string_view value, std::string_view purl_namespace) {
  DistroHint hint;
  value = core::trim(value);
  if (value.empty()) return hint;
  if (isDigit(value.front())) {
    if (purl_namespace.empty()) return hint;
    hint.id = distroId(purl_namespace);
    hint.version = releaseWord(value);
    return hint;
  }
  for (std::size_t dash = value.find('-'); dash != std::string_view::npos;
       dash = value.find('-', dash + 1)) {
    if (dash + 1 < value.size() && isDigit(value[dash + 1])) {
      hint.id = distroId(value.substr(0, dash));
      hint.version = releaseWord(value.substr(dash + 1));
      return hint;
    }
  }
  if (const auto dash = value.rfind('-'); dash != std::string_view::npos && dash > 0) {
    hint.id = distroId(value.substr(0, dash));
    hint.codename = lower(value.substr(dash + 1));
    return hint;
  }
  hint.id = distroId(value);
  return hint;
}

// Splits "N:rest" (dpkg and rpm epochs). Leaves `version` alone when there is none.
std::optional<std::uint32_t> takeEpoch(std::string& version) {
  const auto colon = version.find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  const auto epoch = core::parseUnsigned(std::string_view(version).substr(0, colon));
  if (!epoch || *epoch > 0xffffffffULL) return std::nullopt;
  version.erase(0, colon + 1);
  return static_cast<std::uint32_t>(*epoch);
}

// What one CycloneDX component or SPDX package says, before it is read as a package.
struct Entry {
  std::string where;  // "bom-ref X" / "SPDXID X", for diagnostics
  std::string name;
  std::string version;
  std::string purl;
  std::string supplier;
  std::vector<std::string> licenses;
  std::vector<std::pair<std::string, std::string>> properties;
  std::string source_info;  // SPDX sourceInfo
  std::string comment;      // SPDX comment

  [[nodiscard]] std::string_view property(std::string_view key) const {
    for (const auto& [k, v] : properties) {
      if (k == key) return v;
    }
    return {};
  }
};

// simdjson accessors that turn every type mismatch into "absent".
std::string_view stringAt(dom::element element, std::string_view key) {
  std::string_view value;
  if (element[key].get(value) != simdjson::SUCCESS) return {};
  return value;
}

bool arrayAt(dom::element element, std::string_view key, dom::array& out) {
  return element[key].get(out) == simdjson::SUCCESS;
}

class InventoryBuilder {
 public:
  InventoryBuilder(std::string_view origin, core::Diagnostics& diagnostics)
      : origin_(origin), diagnostics_(diagnostics) {
    inventory_.target.name = std::string(origin);
    inventory_.target.kind = "sbom";
  }

  model::Target& target() { return inventory_.target; }
  const std::string& origin() const { return origin_; }

  // Counts one component read; false once kMaxSbomComponents is reached (reported once).
  bool admit() {
    if (++components_ <= kMaxSbomComponents) return true;
    if (components_ == kMaxSbomComponents + 1) {
      report("sbom.too-many-components", origin_,
             fmt::format("more than {} components; the rest are not read", kMaxSbomComponents));
    }
    return false;
  }

  void report(std::string_view kind, std::string where, std::string detail) {
    auto& count = per_kind_[std::string(kind)];
    if (++count <= kMaxDiagnosticsPerKind) {
      diagnostics_.add(std::string(kind), std::move(where), std::move(detail));
    }
  }

  void addOs(std::string_view name, std::string_view version, const std::string& where) {
    DistroHint hint;
    hint.id = distroId(name);
    hint.version = releaseWord(version);
    if (hint.id.empty() || hint.id == "none" || hint.id == "unknown") return;  // Trivy: no OS
    if (!os_.empty()) {
      if (!compatible(os_, hint)) {
        report("sbom.distro-mismatch", where,
               fmt::format("a second operating system ({}) besides {}; the first is used",
                           core::printable(hint.text()), core::printable(os_.text())));
      }
      return;
    }
    os_ = std::move(hint);
  }

  void addEntry(const Entry& entry) {
    if (entry.purl.empty()) {
      report("sbom.no-purl", entry.where,
             fmt::format("component '{}' has no purl; it is not matched",
                         core::printable(entry.name)));
      return;
    }
    const auto purl = model::parsePurl(entry.purl);
    if (!purl) {
      report("sbom.bad-purl", entry.where,
             fmt::format("'{}' is not a valid purl", core::printable(entry.purl.substr(0, 200))));
      return;
    }
    const model::EcosystemNames* ecosystem = model::ecosystemForPurlType(purl->type);
    if (ecosystem == nullptr) {
      // Distinct types are few in real documents; a hostile one gets one line for the rest.
      const bool listed =
          unsupported_.size() < kMaxDiagnosticsPerKind || unsupported_.contains(purl->type);
      ++unsupported_[listed ? purl->type : std::string("(other)")];
      return;
    }
    const model::PackageType type = ecosystem->type;
    if (!model::isOsPackage(type)) {
      if (auto package = toLanguagePackage(entry, *purl, type)) {
        packages_.push_back(Read{std::move(*package), {}, entry.where});
      }
      return;
    }
    auto package = toPackage(entry, *purl, type);
    if (!package) return;
    DistroHint hint = distroFromQualifier(purl->qualifier("distro"), purl->namespace_);
    if (hint.empty() && !purl->namespace_.empty()) hint.id = distroId(purl->namespace_);
    packages_.push_back(Read{std::move(*package), std::move(hint), entry.where});
  }

  model::Inventory finish() {
    chooseDistro();
    for (auto& read : packages_) inventory_.packages.push_back(std::move(read.package));
    std::sort(inventory_.packages.begin(), inventory_.packages.end(), model::packageLess);
    for (const auto& [type, count] : unsupported_) {
      diagnostics_.add("sbom.unsupported-type", origin_,
                       fmt::format("{} component(s) of purl type '{}' are not matched (bulwark "
                                   "has no version scheme or feeds for them)",
                                   count, core::printable(type)));
    }
    for (const auto& [kind, count] : per_kind_) {
      if (count > kMaxDiagnosticsPerKind) {
        diagnostics_.add(
            kind, origin_,
            fmt::format("{} more of this kind not listed", count - kMaxDiagnosticsPerKind));
      }
    }
    inventory_.diagnostics = diagnostics_.sorted();
    return std::move(inventory_);
  }

 private:
  struct Read {
    model::Package package;
    DistroHint distro;
    std::string where;
  };

  // A language package: the ecosystem's own name back from the purl's namespace and name
  // (the inverse of model::purl()), the version as published.
  std::optional<model::Package> toLanguagePackage(const Entry& entry, const ParsedPurl& purl,
                                                  model::PackageType type) {
    model::Package package;
    package.type = type;
    package.name = purl.name;
    if (!purl.namespace_.empty()) {
      const char separator = type == model::PackageType::Maven ? ':' : '/';
      package.name = purl.namespace_ + separator + purl.name;
    }
    package.version = purl.version.empty() ? entry.version : purl.version;
    if (package.version.empty()) {
      report("sbom.no-version", entry.where,
             fmt::format("package '{}' has no version; it is not matched",
                         core::printable(package.name)));
      return std::nullopt;
    }
    package.licenses = entry.licenses;
    readLocation(entry, package);
    return package;
  }

  std::optional<model::Package> toPackage(const Entry& entry, const ParsedPurl& purl,
                                          model::PackageType type) {
    model::Package package;
    package.type = type;
    package.name = purl.name;
    const bool has_epochs = type != model::PackageType::Apk;
    std::string version = purl.version.empty() ? entry.version : purl.version;
    std::optional<std::uint32_t> epoch = has_epochs ? takeEpoch(version) : std::nullopt;
    if (version.empty()) {
      report("sbom.no-version", entry.where,
             fmt::format("package '{}' has no version; it is not matched",
                         core::printable(package.name)));
      return std::nullopt;
    }
    if (const auto text = purl.qualifier("epoch"); !text.empty() && has_epochs) {
      const auto value = core::parseUnsigned(text);
      if (!value || *value > 0xffffffffULL) {
        report("sbom.bad-epoch", entry.where,
               fmt::format("epoch '{}' of '{}' is not a number; ignored", core::printable(text),
                           core::printable(package.name)));
      } else {
        if (epoch && *epoch != *value) {
          report("sbom.version-mismatch", entry.where,
                 fmt::format("'{}': epoch qualifier {} and version epoch {} differ; {} is used",
                             core::printable(package.name), *value, *epoch, *value));
        }
        epoch = static_cast<std::uint32_t>(*value);
      }
    }
    // The component's own version: bulwark writes "[epoch:]version" there, which is how an
    // epoch of 0 (absent from the purl) survives; a different version is a diagnostic.
    if (!entry.version.empty()) {
      std::string written = entry.version;
      const auto written_epoch = has_epochs ? takeEpoch(written) : std::nullopt;
      if (written != version) {
        report("sbom.version-mismatch", entry.where,
               fmt::format("'{}': component version '{}' differs from the purl's '{}'; the purl's "
                           "is used",
                           core::printable(package.name), core::printable(entry.version),
                           core::printable(version)));
      } else if (!epoch && written_epoch) {
        epoch = written_epoch;
      }
    }
    package.epoch = epoch;
    if (type == model::PackageType::Rpm) {
      const auto dash = version.rfind('-');
      if (dash != std::string::npos && dash > 0 && dash + 1 < version.size()) {
        package.release = version.substr(dash + 1);
        version.resize(dash);
      }
    }
    package.version = std::move(version);
    package.arch = std::string(purl.qualifier("arch"));
    package.licenses = entry.licenses;
    if (type == model::PackageType::Rpm) {
      package.vendor = entry.supplier;
    } else {
      package.maintainer = entry.supplier;
    }
    readSource(entry, purl, package);
    readLocation(entry, package);
    package.modularity_label = std::string(entry.property("bulwark:package:modularity_label"));
    if (package.modularity_label.empty()) {
      package.modularity_label = std::string(entry.property("aquasecurity:trivy:Modularitylabel"));
    }
    return package;
  }

  // The source package, from the first statement that names one (see the header).
  static void readSource(const Entry& entry, const ParsedPurl& purl, model::Package& package) {
    std::string name(entry.property("bulwark:package:source_name"));
    std::string version(entry.property("bulwark:package:source_version"));
    if (name.empty()) {
      name = entry.property("aquasecurity:trivy:SrcName");
      const auto src_version = entry.property("aquasecurity:trivy:SrcVersion");
      if (!name.empty() && !src_version.empty()) {
        const auto src_epoch = entry.property("aquasecurity:trivy:SrcEpoch");
        const auto src_release = entry.property("aquasecurity:trivy:SrcRelease");
        // bulwark's rpm source versions come from the source rpm's file name: no epoch.
        if (package.type == model::PackageType::Deb && !src_epoch.empty() && src_epoch != "0") {
          version = std::string(src_epoch) + ":";
        }
        version += src_version;
        if (!src_release.empty()) version += "-" + std::string(src_release);
      }
    }
    if (name.empty()) {
      name = entry.property("syft:metadata:source");
      version = entry.property("syft:metadata:sourceVersion");
    }
    if (name.empty()) name = entry.property("syft:metadata:originPackage");
    std::string source_rpm(entry.property("syft:metadata:sourceRpm"));
    if (name.empty()) {
      const std::string upstream(purl.qualifier("upstream"));
      if (package.type == model::PackageType::Rpm) {
        if (source_rpm.empty()) source_rpm = upstream;
      } else if (const auto at = upstream.find('@'); at != std::string::npos) {
        name = upstream.substr(0, at);
        version = upstream.substr(at + 1);
      } else {
        name = upstream;
      }
    }
    if (name.empty() && !source_rpm.empty()) {
      rpm::splitSourceRpm(source_rpm, name, version);
    }
    if (name.empty() && !entry.source_info.empty()) {
      // Trivy: "built package from: openssl 3.0.11-1~deb12u2"; bulwark: "built from glibc 2.36".
      std::string_view info = core::trim(entry.source_info);
      for (const std::string_view prefix : {"built package from:", "built from"}) {
        if (startsWith(info, prefix)) {
          info = core::trim(info.substr(prefix.size()));
          const auto space = info.find(' ');
          name = std::string(info.substr(0, space));
          if (space != std::string_view::npos) version = core::trim(info.substr(space + 1));
          break;
        }
      }
    }
    // The catalogers' defaults when the database names no source (dpkg_cataloger.cpp,
    // apk_cataloger.cpp): the binary itself.
    switch (package.type) {
      case model::PackageType::Deb:
        if (name.empty()) name = package.name;
        if (version.empty()) version = package.fullVersion();
        break;
      case model::PackageType::Apk:
        package.origin = name;
        if (name.empty()) name = package.name;
        if (version.empty()) version = package.version;
        break;
      default: break;
    }
    package.source_name = std::move(name);
    package.source_version = std::move(version);
  }

  static void readLocation(const Entry& entry, model::Package& package) {
    auto& location = package.location;
    location.path = entry.property("bulwark:package:path");
    location.layer_digest = entry.property("bulwark:package:layer_digest");
    if (location.path.empty()) location.path = entry.property("aquasecurity:trivy:FilePath");
    if (location.path.empty()) location.path = entry.property("syft:location:0:path");
    if (location.layer_digest.empty()) {
      location.layer_digest = entry.property("aquasecurity:trivy:LayerDigest");
    }
    // bulwark's SPDX: "found in var/lib/dpkg/status of layer sha256:…".
    constexpr std::string_view kFoundIn = "found in ";
    if (location.path.empty() && startsWith(entry.comment, kFoundIn)) {
      std::string_view rest = std::string_view(entry.comment).substr(kFoundIn.size());
      constexpr std::string_view kOfLayer = " of layer ";
      if (const auto of = rest.find(kOfLayer); of != std::string_view::npos) {
        location.layer_digest = rest.substr(of + kOfLayer.size());
        rest = rest.substr(0, of);
      }
      location.path = rest;
    }
    while (!location.path.empty() && location.path.front() == '/') location.path.erase(0, 1);
  }

  // The operating-system component wins; else the purls' most common distro qualifier.
  void chooseDistro() {
    std::size_t os_packages = packages_.size();
    DistroHint chosen = os_;
    std::string source = "sbom operating-system component";
    if (chosen.empty() || (chosen.version.empty() && chosen.codename.empty())) {
      std::map<std::pair<std::string, std::string>, std::size_t> votes;
      for (const auto& read : packages_) {
        if (!read.distro.empty() && (!read.distro.version.empty() || !read.distro.codename.empty()))
          ++votes[{read.distro.id, read.distro.version + "\n" + read.distro.codename}];
      }
      const std::pair<std::string, std::string>* best = nullptr;
      std::size_t best_count = 0;
      for (const auto& [key, count] : votes) {
        if (count > best_count && (chosen.empty() || key.first == chosen.id)) {
          best = &key;
          best_count = count;
        }
      }
      if (best != nullptr) {
        chosen.id = best->first;
        const auto newline = best->second.find('\n');
        chosen.version = best->second.substr(0, newline);
        chosen.codename = best->second.substr(newline + 1);
        source = "sbom purl distro qualifier";
      }
    }
    if (chosen.empty()) {
      // Only the purl namespace is known ("pkg:deb/debian/..."): the id without a release.
      for (const auto& read : packages_) {
        if (!read.distro.empty()) {
          chosen.id = read.distro.id;
          source = "sbom purl namespace";
          break;
        }
      }
    }
    if (os_packages > 0 &&
        (chosen.empty() || (chosen.version.empty() && chosen.codename.empty()))) {
      diagnostics_.add("sbom.no-distro", origin_,
                       fmt::format("the document names no {}release for its {} OS package(s); they "
                                   "cannot be matched against distribution advisories",
                                   chosen.empty() ? "distribution or " : "", os_packages));
    }
    std::size_t mismatches = 0;
    const Read* example = nullptr;
    for (const auto& read : packages_) {
      if (read.distro.empty() || chosen.empty()) continue;
      const auto& hint = read.distro;
      const bool differs =
          hint.id != chosen.id || !sameRelease(hint.version, chosen.version) ||
          (!hint.codename.empty() && !chosen.codename.empty() && hint.codename != chosen.codename);
      if (differs && ++mismatches == 1) example = &read;
    }
    if (example != nullptr) {
      diagnostics_.add(
          "sbom.distro-mismatch", origin_,
          fmt::format("{} package(s) name another distribution than {} (e.g. {} says "
                      "{}); all are matched as {}",
                      mismatches, core::printable(chosen.text()), core::printable(example->where),
                      core::printable(example->distro.text()), core::printable(chosen.text())));
    }
    if (!chosen.empty()) {
      inventory_.distro.id = chosen.id;
      inventory_.distro.version_id = chosen.version;
      inventory_.distro.codename = chosen.codename;
      inventory_.distro.source = source;
    }
  }

  std::string origin_;
  core::Diagnostics& diagnostics_;
  model::Inventory inventory_;
  DistroHint os_;
  std::vector<Read> packages_;
  std::map<std::string, std::size_t> unsupported_;
  std::map<std::string, std::size_t> per_kind_;
  std::size_t components_ = 0;
};

// ---- CycloneDX -------------------------------------------------------------------------------

void readProperties(dom::element element, Entry& entry) {
  dom::array properties;
  if (!arrayAt(element, "properties", properties)) return;
  for (const dom::element property : properties) {
    const auto name = stringAt(property, "name");
    if (!name.empty()) entry.properties.emplace_back(name, stringAt(property, "value"));
  }
}

void readCycloneDxLicenses(dom::element component, Entry& entry) {
  dom::array licenses;
  if (!arrayAt(component, "licenses", licenses)) return;
  for (const dom::element choice : licenses) {
    if (const auto expression = stringAt(choice, "expression"); !expression.empty()) {
      entry.licenses.emplace_back(expression);
      continue;
    }
    dom::element license;
    if (choice["license"].get(license) != simdjson::SUCCESS) continue;
    auto text = stringAt(license, "id");
    if (text.empty()) text = stringAt(license, "name");
    if (!text.empty()) entry.licenses.emplace_back(text);
  }
}

std::string componentWhere(const InventoryBuilder& builder, dom::element component) {
  const auto ref = stringAt(component, "bom-ref");
  if (!ref.empty()) return fmt::format("{}: bom-ref {}", builder.origin(), core::printable(ref));
  return fmt::format("{}: component {}", builder.origin(),
                     core::printable(stringAt(component, "name")));
}

void readComponents(dom::array components, int depth, InventoryBuilder& builder) {
  for (const dom::element component : components) {
    if (!builder.admit()) return;
    if (!component.is_object()) {
      builder.report("sbom.malformed", builder.origin(), "a component that is not an object");
      continue;
    }
    const auto type = stringAt(component, "type");
    const auto name = stringAt(component, "name");
    if (type == "operating-system") {
      builder.addOs(name, stringAt(component, "version"), componentWhere(builder, component));
    } else {
      Entry entry;
      entry.where = componentWhere(builder, component);
      entry.name = name;
      entry.version = stringAt(component, "version");
      entry.purl = stringAt(component, "purl");
      dom::element supplier;
      if (component["supplier"].get(supplier) == simdjson::SUCCESS) {
        entry.supplier = stringAt(supplier, "name");
      }
      if (entry.supplier.empty()) entry.supplier = stringAt(component, "publisher");
      readCycloneDxLicenses(component, entry);
      readProperties(component, entry);
      builder.addEntry(entry);
    }
    dom::array nested;
    if (arrayAt(component, "components", nested) && nested.size() > 0) {
      if (depth + 1 >= kMaxSbomNesting) {
        builder.report(
            "sbom.too-deep", componentWhere(builder, component),
            fmt::format("components nested deeper than {} levels are not read", kMaxSbomNesting));
        continue;
      }
      readComponents(nested, depth + 1, builder);
    }
  }
}

// The document's subject: bulwark's own properties and Trivy's image properties.
void readCycloneDxSubject(dom::element root, InventoryBuilder& builder) {
  dom::element subject;
  if (root["metadata"]["component"].get(subject) != simdjson::SUCCESS) return;
  Entry entry;
  readProperties(subject, entry);
  auto& target = builder.target();
  for (const auto& [key, value] : entry.properties) {
    if (key == "bulwark:image:config_digest" || key == "aquasecurity:trivy:ImageID") {
      target.config_digest = value;
    } else if (key == "bulwark:image:repo_tag" || key == "aquasecurity:trivy:RepoTag") {
      target.repo_tags.push_back(value);
    } else if (key == "bulwark:image:repo_digest" || key == "aquasecurity:trivy:RepoDigest") {
      target.repo_digests.push_back(value);
    }
  }
  if (!entry.property("bulwark:target:kind").empty()) {
    const auto version = stringAt(subject, "version");
    if (startsWith(version, "sha256:")) target.manifest_digest = version;
  }
}

core::Status readCycloneDx(dom::element root, InventoryBuilder& builder) {
  const auto spec = stringAt(root, "specVersion");
  const auto dot = spec.find('.');
  const auto major = core::parseUnsigned(spec.substr(0, dot));
  const auto minor =
      dot == std::string_view::npos ? std::nullopt : core::parseUnsigned(spec.substr(dot + 1));
  if (!major || !minor) {
    builder.report("sbom.unknown-version", builder.origin(),
                   fmt::format("CycloneDX specVersion '{}' is not MAJOR.MINOR; read as 1.6",
                               core::printable(spec.substr(0, 20))));
  } else if (*major != 1 || *minor < 2) {
    return core::fail(ErrorCode::Input, "{}: CycloneDX {} is not supported (JSON from 1.2 on)",
                      builder.origin(), core::printable(spec.substr(0, 20)));
  } else if (*minor > 7) {
    builder.report("sbom.unknown-version", builder.origin(),
                   fmt::format("CycloneDX {} is newer than bulwark knows; read as 1.7",
                               core::printable(spec.substr(0, 20))));
  }
  readCycloneDxSubject(root, builder);
  dom::element components;
  if (root["components"].get(components) != simdjson::SUCCESS) return {};
  dom::array list;
  if (components.get(list) != simdjson::SUCCESS) {
    builder.report("sbom.malformed", builder.origin(), "\"components\" is not an array");
    return {};
  }
  readComponents(list, 0, builder);
  return {};
}

// ---- SPDX ------------------------------------------------------------------------------------

// "Organization: X" / "Person: X" → "X"; NOASSERTION / NONE → "".
std::string spdxValue(std::string_view text) {
  text = core::trim(text);
  if (text == "NOASSERTION" || text == "NONE") return {};
  for (const std::string_view prefix : {"Organization:", "Person:", "Tool:"}) {
    if (startsWith(text, prefix)) return std::string(core::trim(text.substr(prefix.size())));
  }
  return std::string(text);
}

// Trivy writes its properties into SPDX as "Key: Value" annotations or attribution texts.
void readTrivyAnnotations(dom::element package, Entry& entry) {
  auto add = [&](std::string_view text) {
    const auto colon = text.find(": ");
    if (colon == std::string_view::npos || colon == 0) return;
    entry.properties.emplace_back("aquasecurity:trivy:" + std::string(text.substr(0, colon)),
                                  std::string(text.substr(colon + 2)));
  };
  dom::array list;
  if (arrayAt(package, "annotations", list)) {
    for (const dom::element annotation : list) add(stringAt(annotation, "comment"));
  }
  if (arrayAt(package, "attributionTexts", list)) {
    for (const dom::element text : list) {
      std::string_view value;
      if (text.get(value) == simdjson::SUCCESS) add(value);
    }
  }
}

core::Status readSpdx(dom::element root, InventoryBuilder& builder) {
  const auto version = stringAt(root, "spdxVersion");
  if (!startsWith(version, "SPDX-2.")) {
    return core::fail(ErrorCode::Input, "{}: SPDX version '{}' is not supported (2.2 and 2.3 JSON)",
                      builder.origin(), core::printable(version.substr(0, 20)));
  }
  if (version != "SPDX-2.2" && version != "SPDX-2.3") {
    builder.report("sbom.unknown-version", builder.origin(),
                   fmt::format("{} read as SPDX-2.3", core::printable(version.substr(0, 20))));
  }
  bool by_trivy = false;
  dom::array creators;
  if (root["creationInfo"]["creators"].get(creators) == simdjson::SUCCESS) {
    for (const dom::element creator : creators) {
      std::string_view text;
      if (creator.get(text) == simdjson::SUCCESS && text.find("trivy") != std::string_view::npos)
        by_trivy = true;
    }
  }
  // The packages the document describes are its subject (the image, the directory), not
  // contents, unless they are themselves OS packages.
  std::set<std::string, std::less<>> described;
  dom::array list;
  if (arrayAt(root, "documentDescribes", list)) {
    for (const dom::element id : list) {
      std::string_view text;
      if (id.get(text) == simdjson::SUCCESS) described.emplace(text);
    }
  }
  if (arrayAt(root, "relationships", list)) {
    for (const dom::element relation : list) {
      if (stringAt(relation, "relationshipType") == "DESCRIBES" &&
          stringAt(relation, "spdxElementId") == "SPDXRef-DOCUMENT") {
        described.emplace(stringAt(relation, "relatedSpdxElement"));
      }
    }
  }
  dom::element packages_value;
  if (root["packages"].get(packages_value) != simdjson::SUCCESS) return {};
  dom::array packages;
  if (packages_value.get(packages) != simdjson::SUCCESS) {
    builder.report("sbom.malformed", builder.origin(), "\"packages\" is not an array");
    return {};
  }
  for (const dom::element package : packages) {
    if (!builder.admit()) break;
    if (!package.is_object()) {
      builder.report("sbom.malformed", builder.origin(), "a package that is not an object");
      continue;
    }
    const auto id = stringAt(package, "SPDXID");
    Entry entry;
    entry.where = fmt::format("{}: {}", builder.origin(), core::printable(id));
    entry.name = stringAt(package, "name");
    entry.version = spdxValue(stringAt(package, "versionInfo"));
    if (stringAt(package, "primaryPackagePurpose") == "OPERATING-SYSTEM") {
      builder.addOs(entry.name, entry.version, entry.where);
      continue;
    }
    dom::array refs;
    if (arrayAt(package, "externalRefs", refs)) {
      for (const dom::element ref : refs) {
        if (stringAt(ref, "referenceType") == "purl") {
          entry.purl = stringAt(ref, "referenceLocator");
          break;
        }
      }
    }
    if (described.contains(id)) {
      const auto purl = model::parsePurl(entry.purl);
      const bool os_package =
          purl && (purl->type == "deb" || purl->type == "apk" || purl->type == "rpm");
      if (!os_package) continue;
    }
    entry.supplier = spdxValue(stringAt(package, "supplier"));
    entry.source_info = stringAt(package, "sourceInfo");
    entry.comment = stringAt(package, "comment");
    auto license = spdxValue(stringAt(package, "licenseDeclared"));
    if (license.empty()) {
      // bulwark: "as declared by the package database: A; B" when not an SPDX expression.
      constexpr std::string_view kDeclared = "as declared by the package database: ";
      const auto comments = stringAt(package, "licenseComments");
      if (startsWith(comments, kDeclared)) {
        for (const auto part : core::split(comments.substr(kDeclared.size()), ';')) {
          if (!core::trim(part).empty()) entry.licenses.emplace_back(core::trim(part));
        }
      }
    } else {
      entry.licenses.push_back(std::move(license));
    }
    if (by_trivy) readTrivyAnnotations(package, entry);
    builder.addEntry(entry);
  }
  return {};
}

char firstNonBlank(std::string_view text) {
  for (const char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c;
  }
  return '\0';
}

}  // namespace

core::Result<model::Inventory> readSbom(std::string_view bytes, std::string_view origin,
                                        core::Diagnostics& diagnostics) {
  if (bytes.size() > kMaxSbomBytes) {
    return core::fail(ErrorCode::Limit, "{}: {} bytes is more than the {} an SBOM may have", origin,
                      bytes.size(), kMaxSbomBytes);
  }
  // Byte order marks are common in SBOMs written on Windows.
  if (startsWith(bytes, "\xEF\xBB\xBF")) bytes.remove_prefix(3);
  const char first = firstNonBlank(bytes);
  if (first == '<') {
    return core::fail(ErrorCode::Input,
                      "{}: an XML document; bulwark reads CycloneDX and SPDX as JSON", origin);
  }
  if (first != '{') {
    return core::fail(
        ErrorCode::Input, "{}: not a JSON document (CycloneDX or SPDX JSON expected{})", origin,
        startsWith(core::trim(bytes), "SPDXVersion:") ? "; SPDX tag-value is not read" : "");
  }
  dom::parser parser;
  const simdjson::padded_string storage(bytes);
  dom::element root;
  if (const auto error = parser.parse(storage).get(root); error != simdjson::SUCCESS) {
    return core::fail(ErrorCode::Input, "{}: invalid JSON: {}", origin,
                      simdjson::error_message(error));
  }
  InventoryBuilder builder(origin, diagnostics);
  core::Status status;
  if (stringAt(root, "bomFormat") == "CycloneDX") {
    status = readCycloneDx(root, builder);
  } else if (!stringAt(root, "spdxVersion").empty()) {
    status = readSpdx(root, builder);
  } else {
    return core::fail(ErrorCode::Input,
                      "{}: neither CycloneDX (\"bomFormat\") nor SPDX (\"spdxVersion\") JSON",
                      origin);
  }
  if (!status) return tl::unexpected(status.error());
  return builder.finish();
}

core::Result<model::Inventory> readSbomFile(const std::filesystem::path& path,
                                            core::Diagnostics& diagnostics) {
  const std::string name = path.string();
  struct stat st {};
  if (::stat(name.c_str(), &st) != 0)
    return core::fail(ErrorCode::NotFound, "{}: no such file", name);
  if (!S_ISREG(st.st_mode)) return core::fail(ErrorCode::Input, "{}: not a regular file", name);
  if (static_cast<std::uint64_t>(st.st_size) > kMaxSbomBytes) {
    return core::fail(ErrorCode::Limit, "{}: {} bytes is more than the {} an SBOM may have", name,
                      st.st_size, kMaxSbomBytes);
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(name.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) return core::fail(ErrorCode::Io, "{}: cannot open", name);
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  const std::size_t got = std::fread(bytes.data(), 1, bytes.size(), file.get());
  if (got != bytes.size() || std::ferror(file.get()) != 0) {
    return core::fail(ErrorCode::Io, "{}: read failed", name);
  }
  return readSbom(bytes, name, diagnostics);
}

}  // namespace bulwark::catalog
