#include "report/inventory_report.h"

#include <cstdlib>
#include <ctime>

#include <fmt/format.h>

#include "core/text.h"

namespace bulwark::report {

core::Result<Format> parseFormat(std::string_view name) {
  if (name == "table") return Format::Table;
  if (name == "json") return Format::Json;
  if (name == "cyclonedx") return Format::CycloneDx;
  if (name == "spdx" || name == "spdx-json") return Format::Spdx;
  return core::fail(core::ErrorCode::Usage, "unknown format '{}' (table, json, cyclonedx, spdx)",
                    core::printable(name));
}

std::string render(const model::Inventory& inventory, Format format, const RenderOptions& options) {
  switch (format) {
    case Format::Table: return renderTable(inventory, options);
    case Format::Json: return renderJson(inventory, options);
    case Format::CycloneDx: return renderCycloneDx(inventory, options);
    case Format::Spdx: return renderSpdx(inventory, options);
  }
  return {};
}

std::string documentTimestamp(const model::Inventory& inventory, const RenderOptions& options) {
  if (!options.timestamp.empty()) return options.timestamp;
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) {
    if (const auto seconds = core::parseUnsigned(epoch)) {
      const std::time_t t = static_cast<std::time_t>(*seconds);
      std::tm tm{};
      gmtime_r(&t, &tm);
      char buffer[32];
      std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
      return buffer;
    }
  }
  // The image's own creation time keeps the document a function of the image.
  const std::string& created = inventory.target.created;
  if (created.size() >= 19) return created.substr(0, 19) + "Z";
  return "1970-01-01T00:00:00Z";
}

std::string renderTable(const model::Inventory& inventory, const RenderOptions& options) {
  const auto& packages = inventory.packages;
  std::size_t type_width = 4, name_width = 4, version_width = 7, arch_width = 4;
  for (const auto& package : packages) {
    type_width = std::max(type_width, model::toString(package.type).size());
    name_width = std::max(name_width, package.name.size());
    version_width = std::max(version_width, package.fullVersion().size());
    arch_width = std::max(arch_width, package.arch.size());
  }
  const char* bold = options.color ? "\033[1m" : "";
  const char* reset = options.color ? "\033[0m" : "";
  std::string out;
  const auto& target = inventory.target;
  out += fmt::format("{}{}{} ({})\n", bold, core::printable(target.name), reset, target.kind);
  if (!target.manifest_digest.empty())
    out += fmt::format("  manifest  {}\n", target.manifest_digest);
  if (!target.config_digest.empty()) out += fmt::format("  config    {}\n", target.config_digest);
  if (!target.architecture.empty()) {
    out += fmt::format("  platform  {}/{}\n", target.os, target.architecture);
  }
  const auto& distro = inventory.distro;
  out += fmt::format("  os        {}\n",
                     distro.known()
                         ? fmt::format("{} {}{}", distro.id, distro.version_id,
                                       distro.codename.empty() ? "" : " (" + distro.codename + ")")
                         : std::string("unknown"));
  out += fmt::format("  packages  {}\n\n", packages.size());
  out += fmt::format("{}{:<{}}  {:<{}}  {:<{}}  {:<{}}  {}{}\n", bold, "TYPE", type_width, "NAME",
                     name_width, "VERSION", version_width, "ARCH", arch_width, "SOURCE", reset);
  for (const auto& package : packages) {
    const std::string source =
        package.source_name == package.name ? std::string() : package.source_name;
    out += fmt::format("{:<{}}  {:<{}}  {:<{}}  {:<{}}  {}\n", model::toString(package.type),
                       type_width, core::printable(package.name), name_width,
                       core::printable(package.fullVersion()), version_width,
                       core::printable(package.arch), arch_width, core::printable(source));
  }
  if (!inventory.diagnostics.empty()) {
    out += fmt::format("\n{} diagnostic(s):\n", inventory.diagnostics.size());
    for (const auto& d : inventory.diagnostics) {
      out += fmt::format("  {}  {}  {}\n", d.kind, core::printable(d.where),
                         core::printable(d.detail));
    }
  }
  return out;
}

}  // namespace bulwark::report
