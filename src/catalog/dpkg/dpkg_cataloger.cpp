#include "catalog/dpkg/dpkg_cataloger.h"

#include <fmt/format.h>

#include "catalog/dpkg/copyright.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

constexpr std::size_t kMaxFieldBytes = 1U << 20;

struct Paragraph {
  std::size_t line = 0;
  std::vector<std::pair<std::string_view, std::string>> fields;

  [[nodiscard]] const std::string* get(std::string_view key) const {
    for (const auto& [name, value] : fields) {
      if (name.size() == key.size() &&
          std::equal(name.begin(), name.end(), key.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
        return &value;
      }
    }
    return nullptr;
  }
};

// Splits "[epoch:]rest" and checks what dpkg itself insists on: a numeric epoch, a non-empty
// version starting with a digit... dpkg only warns about the latter, so only the former fails.
bool splitEpoch(std::string_view full, model::Package& package) {
  full = core::trim(full);
  if (full.empty()) return false;
  if (const auto colon = full.find(':'); colon != std::string_view::npos) {
    const auto epoch = core::parseUnsigned(full.substr(0, colon));
    if (!epoch || *epoch > 0xffffffffULL) return false;
    package.epoch = static_cast<std::uint32_t>(*epoch);
    full.remove_prefix(colon + 1);
  }
  if (full.empty() || full.find_first_of(" \t") != std::string_view::npos) return false;
  package.version = std::string(full);
  return true;
}

// "Depends: libc6 (>= 2.34), libfoo | libbar" → {"libc6", "libfoo", "libbar"}
std::vector<std::string> dependencyNames(std::string_view field) {
  std::vector<std::string> names;
  for (const auto alternative_group : core::split(field, ',')) {
    for (const auto alternative : core::split(alternative_group, '|')) {
      std::string_view name = core::trim(alternative);
      name = name.substr(0, name.find_first_of(" (:["));
      if (!name.empty()) names.emplace_back(name);
    }
  }
  return names;
}

void finishParagraph(Paragraph& paragraph, std::string_view where, std::vector<model::Package>& out,
                     core::Diagnostics& diagnostics) {
  if (paragraph.fields.empty()) return;
  const std::string* name = paragraph.get("Package");
  const std::string* version = paragraph.get("Version");
  const auto place = fmt::format("{}:{}", where, paragraph.line);
  if (name == nullptr || core::trim(*name).empty()) {
    diagnostics.add("dpkg.malformed-record", place, "paragraph without a Package field");
    return;
  }
  if (const std::string* status = paragraph.get("Status")) {
    // "want flag status": only fully installed packages are on the system.
    const auto words = core::split(core::trim(*status), ' ');
    if (words.size() != 3 || words[2] != "installed") return;
  }
  model::Package package;
  package.type = model::PackageType::Deb;
  package.name = std::string(core::trim(*name));
  if (version == nullptr || !splitEpoch(*version, package)) {
    diagnostics.add("dpkg.malformed-record", place,
                    fmt::format("package '{}' has a missing or invalid Version",
                                core::printable(package.name)));
    return;
  }
  if (const std::string* arch = paragraph.get("Architecture")) {
    package.arch = std::string(core::trim(*arch));
  }
  if (const std::string* maintainer = paragraph.get("Maintainer")) {
    package.maintainer = std::string(core::trim(*maintainer));
  }
  // "Source: glibc (2.36-9)" or "Source: glibc"; absent means the binary's own name and version.
  package.source_name = package.name;
  package.source_version = std::string(core::trim(*version));
  if (const std::string* source = paragraph.get("Source")) {
    std::string_view text = core::trim(*source);
    const auto paren = text.find('(');
    package.source_name = std::string(core::trim(text.substr(0, paren)));
    if (paren != std::string_view::npos) {
      const auto close = text.find(')', paren);
      const auto inner = core::trim(text.substr(
          paren + 1, close == std::string_view::npos ? std::string_view::npos : close - paren - 1));
      if (!inner.empty()) package.source_version = std::string(inner);
    }
  }
  if (const std::string* depends = paragraph.get("Depends")) {
    package.depends = dependencyNames(*depends);
  }
  out.push_back(std::move(package));
}

}  // namespace

std::vector<model::Package> parseDpkgStatus(std::string_view content, std::string_view where,
                                            core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  Paragraph paragraph;
  bool oversize_reported = false;
  core::forEachLine(content, [&](std::string_view line, std::size_t number) {
    if (core::trim(line).empty()) {
      finishParagraph(paragraph, where, out, diagnostics);
      paragraph = Paragraph{};
      return;
    }
    if (paragraph.fields.empty()) paragraph.line = number;
    if (line.front() == ' ' || line.front() == '\t') {
      // Continuation of a multi-line field (Description, Conffiles): kept only for short fields.
      if (!paragraph.fields.empty()) {
        auto& value = paragraph.fields.back().second;
        if (value.size() < kMaxFieldBytes) {
          value += '\n';
          value += line;
        } else if (!oversize_reported) {
          oversize_reported = true;
          diagnostics.add("dpkg.oversize-field", fmt::format("{}:{}", where, number),
                          "field longer than 1 MiB truncated");
        }
      }
      return;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      diagnostics.add("dpkg.malformed-line", fmt::format("{}:{}", where, number),
                      "line is neither 'Field: value' nor a continuation");
      return;
    }
    paragraph.fields.emplace_back(line.substr(0, colon),
                                  std::string(core::trim(line.substr(colon + 1))));
  });
  finishParagraph(paragraph, where, out, diagnostics);
  return out;
}

namespace {

class DpkgCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "dpkg"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string_view> patterns() const override {
    return {"var/lib/dpkg/status", "var/lib/dpkg/status.d/*", "var/lib/dpkg/info/*.list",
            "usr/share/doc/*/copyright"};
  }
  void catalog(const image::FsView& fs, const model::Distro& /*distro*/,
               std::vector<model::Package>& packages,
               core::Diagnostics& diagnostics) const override {
    auto add = [&](std::string_view path, const image::FileEntry& entry) {
      for (auto& package : parseDpkgStatus(entry.content, path, diagnostics)) {
        package.location = {entry.layer_digest, std::string(path)};
        const image::FileEntry* copyright =
            fs.resolve("usr/share/doc/" + package.name + "/copyright");
        if (copyright != nullptr && copyright->type == image::FileType::Regular) {
          package.licenses = licensesFromCopyright(copyright->content);
        }
        // The files dpkg installed for it ("<name>.list", or "<name>:<arch>.list" for
        // Multi-Arch: same packages), so language packages inside them count once.
        const image::FileEntry* list = fs.resolve("var/lib/dpkg/info/" + package.name + ".list");
        if (list == nullptr && !package.arch.empty()) {
          list = fs.resolve("var/lib/dpkg/info/" + package.name + ":" + package.arch + ".list");
        }
        if (list != nullptr && list->type == image::FileType::Regular) {
          core::forEachLine(list->content, [&](std::string_view line, std::size_t /*number*/) {
            while (!line.empty() && line.front() == '/') line.remove_prefix(1);
            if (!line.empty()) package.files.emplace_back(line);
          });
        }
        packages.push_back(std::move(package));
      }
    };
    if (const image::FileEntry* status = fs.resolve("var/lib/dpkg/status");
        status != nullptr && status->type == image::FileType::Regular) {
      add("var/lib/dpkg/status", *status);
    }
    for (const auto& [path, entry] : fs.glob("var/lib/dpkg/status.d/*")) {
      // Distroless keeps "<pkg>.md5sums" beside each "<pkg>" record.
      if (path.ends_with(".md5sums") || path.ends_with(".list")) continue;
      add(path, *entry);
    }
  }
};

}  // namespace

std::unique_ptr<Cataloger> makeDpkgCataloger() { return std::make_unique<DpkgCataloger>(); }

}  // namespace bulwark::catalog
