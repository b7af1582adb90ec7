#include "match/ignore.h"

#include <algorithm>
#include <array>
#include <fstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/date.h"
#include "core/text.h"
#include "core/yaml_config.h"
#include "model/purl.h"

namespace bulwark::match {

namespace {

constexpr std::size_t kMaxIgnoreFileBytes = std::size_t{16} * 1024 * 1024;
constexpr std::size_t kMaxPatternBytes = 4096;

// Sections of Trivy's ignore file that bulwark has no findings for yet: accepted, not used.
constexpr std::array<std::string_view, 3> kOtherSections = {"misconfigurations", "secrets",
                                                            "licenses"};

class Parser {
 public:
  explicit Parser(std::string_view path) : errors_(path) {}

  void error(const YAML::Node& node, std::string_view message) { errors_.add(node, message); }

  [[nodiscard]] bool ok() const { return errors_.empty(); }
  [[nodiscard]] std::string message() const { return errors_.message(); }

  // A scalar or a sequence of scalars, as a list of strings.
  std::vector<std::string> strings(const YAML::Node& node, std::string_view key) {
    auto out = core::yamlStrings(
        node, key, [this](const YAML::Node& at, const std::string& what) { error(at, what); });
    for (const auto& value : out) {
      if (value.size() > kMaxPatternBytes) error(node, fmt::format("'{}' entry too long", key));
    }
    return out;
  }

  std::string scalar(const YAML::Node& node, std::string_view key) {
    if (node.IsNull()) return {};
    if (!node.IsScalar()) {
      error(node, fmt::format("'{}' must be a string", key));
      return {};
    }
    return node.Scalar();
  }

  void purls(const YAML::Node& node, const std::string& text, IgnoreRule& rule) {
    auto purl = model::parsePurl(text);
    if (!purl) {
      error(node, fmt::format("'{}' is not a valid purl: {}", core::printable(text),
                              purl.error().message));
      return;
    }
    rule.purls.push_back(std::move(*purl));
  }

  void entry(const YAML::Node& node, IgnoreFile& file) {
    if (!node.IsMap()) {
      error(node, "an entry must be a mapping with at least an 'id'");
      return;
    }
    IgnoreRule rule;
    rule.line = core::yamlLine(node);
    bool has_id = false;
    for (const auto& field : node) {
      const std::string key = field.first.IsScalar() ? field.first.Scalar() : std::string();
      const YAML::Node& value = field.second;
      if (key == "id") {
        rule.id = std::string(core::trim(scalar(value, key)));
        has_id = true;
      } else if (key == "packages") {
        for (const auto& item : strings(value, key)) {
          if (item.rfind("pkg:", 0) == 0) {
            purls(value, item, rule);
          } else {
            rule.names.push_back(item);
          }
        }
      } else if (key == "purls") {
        for (const auto& item : strings(value, key)) purls(value, item, rule);
      } else if (key == "paths") {
        for (auto item : strings(value, key)) {
          while (!item.empty() && item.front() == '/') item.erase(0, 1);
          rule.paths.push_back(std::move(item));
        }
      } else if (key == "reason" || key == "statement") {
        rule.reason = scalar(value, key);
      } else if (key == "expires" || key == "expired_at") {
        rule.expires_text = std::string(core::trim(scalar(value, key)));
        rule.expires = parseDate(rule.expires_text);
        if (!rule.expires) {
          error(value, fmt::format("'{}' is not a date (YYYY-MM-DD): '{}'", key,
                                   core::printable(rule.expires_text)));
        }
      } else {
        error(field.first, fmt::format("unknown key '{}' (id, packages, purls, paths, reason, "
                                       "statement, expires, expired_at)",
                                       core::printable(key)));
      }
    }
    if (!has_id || rule.id.empty()) {
      error(node, "entry without an 'id'");
      return;
    }
    file.rules.push_back(std::move(rule));
  }

  void document(const YAML::Node& root, IgnoreFile& file) {
    if (root.IsNull() || !root.IsDefined()) return;  // an empty file ignores nothing
    if (!root.IsMap()) {
      error(root, "expected a mapping with a 'vulnerabilities' list");
      return;
    }
    for (const auto& section : root) {
      const std::string key = section.first.IsScalar() ? section.first.Scalar() : std::string();
      const YAML::Node& value = section.second;
      if (key == "vulnerabilities") {
        if (value.IsNull()) continue;
        if (!value.IsSequence()) {
          error(value, "'vulnerabilities' must be a list of entries");
          continue;
        }
        for (const auto& item : value) entry(item, file);
      } else if (std::find(kOtherSections.begin(), kOtherSections.end(), key) ==
                 kOtherSections.end()) {
        error(section.first,
              fmt::format("unknown section '{}' (vulnerabilities)", core::printable(key)));
      }
    }
  }

 private:
  core::YamlErrors errors_;
};

}  // namespace

std::optional<std::chrono::year_month_day> parseDate(std::string_view text) {
  return core::parseDate(text);
}

std::chrono::year_month_day today() { return core::today(); }

bool IgnoreRule::covers(const Subject& subject) const {
  if (!subject.hasId(id)) return false;
  if (!names.empty() || !purls.empty()) {
    const bool by_name = std::any_of(names.begin(), names.end(), [&](const std::string& name) {
      return name == subject.package_name ||
             (!subject.source_name.empty() && name == subject.source_name);
    });
    const bool by_purl =
        std::any_of(purls.begin(), purls.end(),
                    [&](const model::ParsedPurl& purl) { return purlCovers(purl, subject); });
    if (!by_name && !by_purl) return false;
  }
  if (!paths.empty()) {
    const bool by_path = std::any_of(paths.begin(), paths.end(), [&](const std::string& glob) {
      return core::globMatch(glob, subject.path);
    });
    if (!by_path) return false;
  }
  return true;
}

bool IgnoreRule::expiredOn(std::chrono::year_month_day today) const {
  // As Trivy's expired_at: the entry stops applying at the start of its date.
  return expires &&
         static_cast<std::chrono::sys_days>(*expires) <= static_cast<std::chrono::sys_days>(today);
}

core::Result<IgnoreFile> parseIgnoreFile(std::string_view text, std::string_view path) {
  if (text.size() > kMaxIgnoreFileBytes) {
    return core::fail(core::ErrorCode::Limit, "{}: ignore file larger than {} bytes", path,
                      kMaxIgnoreFileBytes);
  }
  IgnoreFile file;
  file.path = std::string(path);
  Parser parser(path);
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    parser.document(root, file);
  } catch (const YAML::Exception& error) {
    const std::size_t line =
        error.mark.line >= 0 ? static_cast<std::size_t>(error.mark.line) + 1 : 0;
    return core::fail(core::ErrorCode::Input, "{}:{}: invalid YAML: {}", path, line, error.msg);
  } catch (const std::exception& error) {
    return core::fail(core::ErrorCode::Input, "{}: unreadable YAML: {}", path, error.what());
  }
  if (!parser.ok()) return core::fail(core::ErrorCode::Input, parser.message());
  return file;
}

core::Result<IgnoreFile> loadIgnoreFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(core::ErrorCode::NotFound, "cannot open ignore file {}", path);
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxIgnoreFileBytes) {
      return core::fail(core::ErrorCode::Limit, "{}: ignore file larger than {} bytes", path,
                        kMaxIgnoreFileBytes);
    }
  }
  if (in.bad()) return core::fail(core::ErrorCode::Io, "cannot read ignore file {}", path);
  return parseIgnoreFile(text, path);
}

}  // namespace bulwark::match
