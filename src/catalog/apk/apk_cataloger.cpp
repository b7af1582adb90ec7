#include "catalog/apk/apk_cataloger.h"

#include <fmt/format.h>

#include "core/text.h"

namespace bulwark::catalog {

namespace {

struct Record {
  std::size_t line = 0;
  bool any = false;
  model::Package package;
  std::string directory;  // the current F: while R: lines follow
};

void finishRecord(Record& record, std::string_view where, std::vector<model::Package>& out,
                  core::Diagnostics& diagnostics) {
  if (!record.any) return;
  auto& package = record.package;
  if (package.name.empty() || package.version.empty()) {
    diagnostics.add("apk.malformed-record", fmt::format("{}:{}", where, record.line),
                    package.name.empty() ? "record without a P: (name) line"
                                         : fmt::format("package '{}' without a V: line",
                                                       core::printable(package.name)));
    return;
  }
  package.type = model::PackageType::Apk;
  package.source_name = package.origin.empty() ? package.name : package.origin;
  package.source_version = package.version;
  out.push_back(std::move(package));
}

}  // namespace

std::vector<model::Package> parseApkInstalled(std::string_view content, std::string_view where,
                                              core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  Record record;
  core::forEachLine(content, [&](std::string_view line, std::size_t number) {
    if (core::trim(line).empty()) {
      finishRecord(record, where, out, diagnostics);
      record = Record{};
      return;
    }
    if (!record.any) {
      record.any = true;
      record.line = number;
    }
    if (line.size() < 2 || line[1] != ':') {
      diagnostics.add("apk.malformed-line", fmt::format("{}:{}", where, number),
                      "line is not 'K:value'");
      return;
    }
    const std::string_view value = line.substr(2);
    auto& package = record.package;
    switch (line[0]) {
      case 'P': package.name = std::string(value); break;
      case 'V': package.version = std::string(value); break;
      case 'A': package.arch = std::string(value); break;
      case 'L':
        if (!value.empty()) package.licenses.emplace_back(value);
        break;
      case 'o': package.origin = std::string(value); break;
      case 'm': package.maintainer = std::string(value); break;
      case 'D':
        for (const auto dep : core::split(value, ' ')) {
          if (!dep.empty()) package.depends.emplace_back(dep);
        }
        break;
      case 'F': record.directory = std::string(value); break;
      case 'R':
        package.files.push_back(record.directory.empty()
                                    ? std::string(value)
                                    : record.directory + "/" + std::string(value));
        break;
      default: break;  // checksums, sizes, build time, commit, permissions: not inventory
    }
  });
  finishRecord(record, where, out, diagnostics);
  return out;
}

namespace {

class ApkCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "apk"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string_view> patterns() const override {
    return {"lib/apk/db/installed", "usr/lib/apk/db/installed"};
  }
  void catalog(const image::FsView& fs, const model::Distro& /*distro*/,
               std::vector<model::Package>& packages,
               core::Diagnostics& diagnostics) const override {
    const image::FileEntry* seen = nullptr;
    for (const std::string_view path : {"lib/apk/db/installed", "usr/lib/apk/db/installed"}) {
      const image::FileEntry* entry = fs.resolve(path);
      if (entry == nullptr || entry->type != image::FileType::Regular || entry == seen) continue;
      seen = entry;
      for (auto& package : parseApkInstalled(entry->content, path, diagnostics)) {
        package.location = {entry->layer_digest, std::string(path)};
        packages.push_back(std::move(package));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Cataloger> makeApkCataloger() { return std::make_unique<ApkCataloger>(); }

}  // namespace bulwark::catalog
