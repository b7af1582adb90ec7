#include "catalog/rpm/rpm_cataloger.h"

#include <algorithm>
#include <array>
#include <string>

#include <fmt/format.h>

#include "catalog/rpm/database.h"
#include "catalog/rpm/header.h"

namespace bulwark::catalog {

namespace {

// Where rpm keeps its database, newest format first within each directory: when a directory
// holds more than one (a leftover from a backend migration), only the first is read, as rpm
// itself reads only its configured backend.
constexpr std::array<std::string_view, 2> kDirectories = {"usr/lib/sysimage/rpm", "var/lib/rpm"};
constexpr std::array<std::string_view, 3> kFiles = {"rpmdb.sqlite", "Packages.db", "Packages"};
constexpr std::array<std::string_view, 6> kPatterns = {
    "var/lib/rpm/rpmdb.sqlite",
    "var/lib/rpm/Packages.db",
    "var/lib/rpm/Packages",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/Packages.db",
    "usr/lib/sysimage/rpm/Packages",
};

// rpm's gpg-pubkey pseudo-packages are imported signing keys, not software.
constexpr std::string_view kPubkeyName = "gpg-pubkey";

model::Package toPackage(rpm::HeaderInfo&& info, const image::FileEntry& entry,
                         std::string_view path) {
  model::Package package;
  package.type = model::PackageType::Rpm;
  package.name = std::move(info.name);
  package.epoch = info.epoch;
  package.version = std::move(info.version);
  package.release = std::move(info.release);
  package.arch = std::move(info.arch);
  rpm::splitSourceRpm(info.source_rpm, package.source_name, package.source_version);
  if (!info.license.empty()) package.licenses.push_back(std::move(info.license));
  package.vendor = std::move(info.vendor);
  package.modularity_label = std::move(info.modularity_label);
  package.files = std::move(info.files);
  package.location = model::Location{entry.layer_digest, std::string(path)};
  return package;
}

void catalogDatabase(const image::FileEntry& entry, std::string_view path,
                     std::vector<model::Package>& packages, core::Diagnostics& diagnostics) {
  auto status = rpm::readDatabase(
      entry.content, path,
      [&](std::uint64_t record, std::string_view blob) {
        auto info = rpm::parseHeader(blob);
        if (!info) {
          diagnostics.add("rpm.malformed-header", fmt::format("{} record {}", path, record),
                          info.error().message);
          return;
        }
        if (info->name == kPubkeyName) return;
        packages.push_back(toPackage(std::move(*info), entry, path));
      },
      diagnostics);
  if (!status) {
    diagnostics.add("rpm.unreadable-database", std::string(path), status.error().message);
  }
}

class RpmCataloger final : public Cataloger {
 public:
  [[nodiscard]] std::string_view name() const override { return "rpm"; }
  [[nodiscard]] std::string_view version() const override { return "1"; }
  [[nodiscard]] std::vector<std::string_view> patterns() const override {
    return {kPatterns.begin(), kPatterns.end()};
  }

  void catalog(const image::FsView& fs, const model::Distro& /*distro*/,
               std::vector<model::Package>& packages,
               core::Diagnostics& diagnostics) const override {
    // The same database may be reachable twice: through a symlinked directory (Fedora links
    // var/lib/rpm to usr/lib/sysimage/rpm), or as two identical copies when a root filesystem
    // source has already followed that link. Each database is read once, named by a path that
    // is not a link, usr/lib/sysimage/rpm first.
    struct Database {
      const image::FileEntry* entry;
      std::string path;
    };
    std::vector<Database> databases;
    for (const auto directory : kDirectories) {
      for (const auto file : kFiles) {
        std::string path = fmt::format("{}/{}", directory, file);
        const image::FileEntry* entry = fs.resolve(path);
        if (entry == nullptr || entry->type != image::FileType::Regular) continue;
        auto same = std::find_if(databases.begin(), databases.end(), [&](const Database& seen) {
          return seen.entry == entry || seen.entry->content == entry->content;
        });
        if (same == databases.end()) {
          databases.push_back({entry, std::move(path)});
        } else if (same->entry == entry && fs.find(same->path) != entry && fs.find(path) == entry) {
          same->path = std::move(path);
        }
        break;  // newest format in this directory wins
      }
    }
    for (const auto& [entry, path] : databases) {
      catalogDatabase(*entry, path, packages, diagnostics);
    }
  }
};

}  // namespace

std::unique_ptr<Cataloger> makeRpmCataloger() { return std::make_unique<RpmCataloger>(); }

}  // namespace bulwark::catalog
