#include "catalog/ruby/ruby_cataloger.h"

#include <set>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "catalog/common/lockfile_files.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

constexpr std::string_view kSpecNew = "Gem::Specification.new";

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// Trivy's trim(): spaces, then a ".freeze" suffix, then quotes on either side.
std::string_view trimValue(std::string_view value) {
  value = core::trim(value);
  if (value.ends_with(".freeze")) value.remove_suffix(7);
  while (!value.empty() && (value.front() == '"' || value.front() == '\'')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '"' || value.back() == '\'')) value.remove_suffix(1);
  return value;
}

// `rest` follows "<var>.<attribute>": optional spaces, '=', optional spaces, then the value.
// Returns the value up to the first space (Trivy's `\.attr\s*=\s*(\S+)`), or nullopt.
std::optional<std::string_view> assignedToken(std::string_view rest) {
  std::size_t i = 0;
  while (i < rest.size() && isSpace(rest[i])) ++i;
  if (i >= rest.size() || rest[i] != '=') return std::nullopt;
  ++i;
  while (i < rest.size() && isSpace(rest[i])) ++i;
  std::size_t end = i;
  while (end < rest.size() && !isSpace(rest[end])) ++end;
  if (end == i) return std::nullopt;
  return rest.substr(i, end - i);
}

// The block variable of "Gem::Specification.new do |s|": what lies between the first and the
// last '|' (Trivy's `\|(.*)\|`).
std::string_view blockVariable(std::string_view line) {
  const auto first = line.find('|');
  const auto last = line.rfind('|');
  if (first == std::string_view::npos || last == first) return {};
  return line.substr(first + 1, last - first - 1);
}

std::vector<std::string> parseLicenseList(std::string_view rest) {
  // `\s*=\s*\[(.+)\]`: everything between the first '[' after '=' and the last ']'.
  std::size_t i = 0;
  while (i < rest.size() && isSpace(rest[i])) ++i;
  if (i >= rest.size() || rest[i] != '=') return {};
  ++i;
  while (i < rest.size() && isSpace(rest[i])) ++i;
  if (i >= rest.size() || rest[i] != '[') return {};
  const auto close = rest.rfind(']');
  if (close == std::string_view::npos || close <= i + 1) return {};
  std::vector<std::string> out;
  for (const auto item : core::split(rest.substr(i + 1, close - i - 1), ',')) {
    const auto value = trimValue(item);
    if (!value.empty()) out.emplace_back(value);
  }
  return out;
}

}  // namespace

std::optional<model::Package> parseGemspec(std::string_view content, std::string_view path,
                                           core::Diagnostics& diagnostics) {
  std::string variable;
  std::string name;
  std::string version;
  std::vector<std::string> licenses;
  bool done = false;
  core::forEachLine(content, [&](std::string_view raw, std::size_t /*number*/) {
    if (done) return;
    const std::string_view line = core::trim(raw);
    if (line.find(kSpecNew) != std::string_view::npos) variable = blockVariable(line);
    if (variable.empty()) return;
    if (!line.starts_with(variable) || line.size() <= variable.size() ||
        line[variable.size()] != '.') {
      return;
    }
    const std::string_view member = line.substr(variable.size() + 1);
    auto token = [&](std::size_t attribute_length) {
      const auto value = assignedToken(member.substr(attribute_length));
      return value ? std::string(trimValue(*value)) : std::string();
    };
    if (member.starts_with("name")) {
      name = token(4);
    } else if (member.starts_with("version")) {
      version = token(7);
    } else if (member.starts_with("licenses")) {
      licenses = parseLicenseList(member.substr(8));
    } else if (member.starts_with("license")) {
      licenses.clear();
      if (auto license = token(7); !license.empty()) licenses.push_back(std::move(license));
    }
    done = !name.empty() && !version.empty() && !licenses.empty();
  });
  if (name.empty() || version.empty()) {
    diagnostics.add("ruby.malformed-gemspec", std::string(path),
                    variable.empty() ? "no 'Gem::Specification.new do |var|' block"
                    : name.empty()   ? "no name attribute"
                                     : "no version attribute");
    return std::nullopt;
  }
  model::Package package;
  package.type = model::PackageType::Gem;
  package.name = std::move(name);
  package.version = std::move(version);
  package.licenses = std::move(licenses);
  package.location.path = std::string(path);
  return package;
}

namespace {

std::size_t leadingSpaces(std::string_view line) {
  std::size_t count = 0;
  while (count < line.size() && line[count] == ' ') ++count;
  return count;
}

std::vector<std::string_view> fields(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && isSpace(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && !isSpace(text[i])) ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

}  // namespace

std::vector<model::Package> parseGemfileLock(std::string_view content, std::string_view path,
                                             core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  std::set<std::pair<std::string, std::string>, std::less<>> seen;
  model::Package* current = nullptr;  // the spec the 6-space dependency lines belong to
  bool has_specs = false;
  core::forEachLine(content, [&](std::string_view line, std::size_t number) {
    const std::size_t indent = leadingSpaces(line);
    if (indent == 2 && core::trim(line) == "specs:") has_specs = true;
    if (indent == 4) {
      current = nullptr;
      const auto parts = fields(line);
      if (parts.size() != 2) return;
      std::string_view version = parts[1];
      while (!version.empty() && version.front() == '(') version.remove_prefix(1);
      while (!version.empty() && version.back() == ')') version.remove_suffix(1);
      version = version.substr(0, version.find('-'));  // 1.13.6-x86_64-linux → 1.13.6
      if (version.empty()) {
        diagnostics.add("ruby.malformed-lockfile", fmt::format("{}:{}", path, number),
                        fmt::format("gem '{}' without a version", core::printable(parts[0])));
        return;
      }
      if (!seen.emplace(std::string(parts[0]), std::string(version)).second) return;
      model::Package package;
      package.type = model::PackageType::Gem;
      package.name = std::string(parts[0]);
      package.version = std::string(version);
      package.location.path = std::string(path);
      out.push_back(std::move(package));
      current = &out.back();
      return;
    }
    if (indent == 6 && current != nullptr) {
      const auto parts = fields(line);
      if (!parts.empty()) current->depends.emplace_back(parts[0]);
      return;
    }
    if (indent < 4) current = nullptr;
  });
  if (!has_specs && out.empty()) {
    diagnostics.add("ruby.malformed-lockfile", std::string(path),
                    "no 'specs:' section: not a Gemfile.lock");
  }
  return out;
}

namespace {

constexpr std::string_view kGemspecPatterns[] = {"**/specifications/*.gemspec",
                                                 "**/specifications/default/*.gemspec"};
constexpr std::string_view kLockPattern = "**/Gemfile.lock";

class RubyCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "ruby"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string_view> patterns() const override { return {}; }
  std::vector<std::string_view> installedPatterns() const override {
    return {kGemspecPatterns[0], kGemspecPatterns[1]};
  }
  std::vector<std::string_view> projectPatterns() const override { return {kLockPattern}; }
  void catalog(const image::FsView& fs, const model::Distro& /*distro*/,
               std::vector<model::Package>& packages,
               core::Diagnostics& diagnostics) const override {
    for (const auto pattern : kGemspecPatterns) {
      for (const auto& [path, entry] : fs.glob(pattern)) {
        if (auto package = parseGemspec(entry->content, path, diagnostics)) {
          package->location.layer_digest = entry->layer_digest;
          packages.push_back(std::move(*package));
        }
      }
    }
    catalogFiles(fs, kLockPattern, &parseGemfileLock, packages, diagnostics);
  }
};

}  // namespace

std::unique_ptr<Cataloger> makeRubyCataloger() { return std::make_unique<RubyCataloger>(); }

}  // namespace bulwark::catalog
