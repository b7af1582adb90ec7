#include "model/package.h"

#include <array>
#include <tuple>

namespace bulwark::model {

namespace {

// In enum order (ecosystemNames() indexes it).
constexpr std::array<EcosystemNames, 11> kEcosystems = {{
    {PackageType::Deb, "deb", "deb", "", "dpkg"},
    {PackageType::Apk, "apk", "apk", "", "apk"},
    {PackageType::Rpm, "rpm", "rpm", "", "rpm"},
    {PackageType::Python, "python", "pypi", "PyPI", "pep440"},
    {PackageType::Npm, "npm", "npm", "npm", "npm"},
    {PackageType::Go, "go", "golang", "Go", "go"},
    {PackageType::Maven, "maven", "maven", "Maven", "maven"},
    {PackageType::Gem, "gem", "gem", "RubyGems", "gem"},
    {PackageType::Cargo, "cargo", "cargo", "crates.io", "cargo"},
    {PackageType::NuGet, "nuget", "nuget", "NuGet", "nuget"},
    {PackageType::Composer, "composer", "composer", "Packagist", "composer"},
}};

constexpr bool inEnumOrder() {
  for (std::size_t i = 0; i < kEcosystems.size(); ++i) {
    if (static_cast<std::size_t>(kEcosystems[i].type) != i) return false;
  }
  return true;
}
static_assert(inEnumOrder(), "ecosystemNames() indexes kEcosystems by enum value");

}  // namespace

const EcosystemNames& ecosystemNames(PackageType type) {
  return kEcosystems.at(static_cast<std::size_t>(type));
}

const EcosystemNames* ecosystemForPurlType(std::string_view purl_type) {
  for (const auto& names : kEcosystems) {
    if (names.purl_type == purl_type) return &names;
  }
  return nullptr;
}

const EcosystemNames* ecosystemForOsv(std::string_view osv) {
  if (osv.empty()) return nullptr;
  for (const auto& names : kEcosystems) {
    if (names.osv == osv) return &names;
  }
  return nullptr;
}

std::string_view toString(PackageType type) { return ecosystemNames(type).name; }

std::string_view toString(Relationship relationship) {
  switch (relationship) {
    case Relationship::Root: return "root";
    case Relationship::Direct: return "direct";
    case Relationship::Indirect: return "indirect";
    case Relationship::Unknown: break;
  }
  return "";
}

bool isOsPackage(PackageType type) {
  return type == PackageType::Deb || type == PackageType::Apk || type == PackageType::Rpm;
}

std::string Package::fullVersion() const {
  std::string out;
  if (epoch) {
    out = std::to_string(*epoch) + ":";
  }
  out += version;
  if (!release.empty()) {
    out += "-";
    out += release;
  }
  return out;
}

bool packageLess(const Package& a, const Package& b) {
  return std::tie(a.type, a.name, a.version, a.release, a.epoch, a.arch, a.location.path,
                  a.location.layer_digest) < std::tie(b.type, b.name, b.version, b.release, b.epoch,
                                                      b.arch, b.location.path,
                                                      b.location.layer_digest);
}

}  // namespace bulwark::model
