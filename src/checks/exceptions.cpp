// Check exceptions from the ignore file (exceptions.h documents the section).
#include "checks/exceptions.h"

#include <fnmatch.h>

#include <algorithm>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/date.h"
#include "core/text.h"
#include "core/yaml_config.h"

namespace bulwark::checks {

namespace {

constexpr std::size_t kMaxFileBytes = std::size_t{16} * 1024 * 1024;
constexpr std::size_t kMaxPatternBytes = 4096;

// Shell-style glob over the whole text ('*' crosses '/' and ':'): ids and resource names.
bool globMatches(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

std::string dateText(std::chrono::year_month_day date) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

class Parser {
 public:
  explicit Parser(std::string_view path) : path_(path), errors_(path) {}

  [[nodiscard]] bool ok() const { return errors_.empty(); }
  [[nodiscard]] std::string message() const { return errors_.message(); }

  std::string scalar(const YAML::Node& node, std::string_view key) {
    if (node.IsNull()) return {};
    if (!node.IsScalar()) {
      errors_.add(node, fmt::format("'{}' must be a string", key));
      return {};
    }
    if (node.Scalar().size() > kMaxPatternBytes) {
      errors_.add(node, fmt::format("'{}' is too long", key));
      return {};
    }
    return node.Scalar();
  }

  void entry(const YAML::Node& node, std::vector<Exception>& out) {
    if (!node.IsMap()) {
      errors_.add(node, "an entry is a mapping with 'id', 'reason' and 'expires'");
      return;
    }
    Exception exception;
    exception.source = fmt::format("{}:{}", path_, core::yamlLine(node));
    bool has_expires = false;
    for (const auto& field : node) {
      const std::string key = field.first.IsScalar() ? field.first.Scalar() : std::string();
      const YAML::Node& value = field.second;
      if (key == "id") {
        exception.check = std::string(core::trim(scalar(value, key)));
      } else if (key == "resources") {
        exception.resources = core::yamlStrings(
            value, key,
            [this](const YAML::Node& at, const std::string& what) { errors_.add(at, what); });
        for (const auto& glob : exception.resources) {
          if (glob.empty() || glob.size() > kMaxPatternBytes) {
            errors_.add(value, "'resources' holds non-empty globs");
          }
        }
      } else if (key == "reason" || key == "statement") {
        exception.reason = scalar(value, key);
      } else if (key == "expires" || key == "expired_at") {
        const std::string text(core::trim(scalar(value, key)));
        exception.expires = core::parseDate(text);
        has_expires = true;
        if (!exception.expires) {
          errors_.add(value, fmt::format("'{}' is not a date (YYYY-MM-DD): '{}'", key,
                                         core::printable(text)));
        }
      } else {
        errors_.add(field.first,
                    fmt::format("unknown key '{}' (id, resources, reason, statement, expires, "
                                "expired_at)",
                                core::printable(key)));
      }
    }
    if (exception.check.empty()) {
      errors_.add(node, "entry without an 'id'");
      return;
    }
    if (!has_expires) {
      errors_.add(node, fmt::format("the exception for {} needs 'expires' (YYYY-MM-DD)",
                                    core::printable(exception.check)));
      return;
    }
    out.push_back(std::move(exception));
  }

  void document(const YAML::Node& root, std::vector<Exception>& out) {
    if (!root.IsDefined() || root.IsNull() || !root.IsMap()) return;  // match/ignore reports it
    const YAML::Node section = root["misconfigurations"];
    if (!section.IsDefined() || section.IsNull()) return;
    if (!section.IsSequence()) {
      errors_.add(section, "'misconfigurations' must be a list of entries");
      return;
    }
    for (const auto& item : section) entry(item, out);
  }

 private:
  std::string path_;
  core::YamlErrors errors_;
};

}  // namespace

bool Exception::covers(const model::CheckResult& result) const {
  if (!globMatches(check, result.check_id)) return false;
  if (resources.empty()) return true;
  return std::any_of(resources.begin(), resources.end(),
                     [&](const std::string& glob) { return globMatches(glob, result.resource); });
}

bool Exception::expiredOn(std::chrono::year_month_day today) const {
  return expires &&
         static_cast<std::chrono::sys_days>(*expires) <= static_cast<std::chrono::sys_days>(today);
}

core::Result<std::vector<Exception>> parseExceptions(std::string_view text, std::string_view path) {
  if (text.size() > kMaxFileBytes) {
    return core::fail(core::ErrorCode::Limit, "{}: larger than {} bytes", path, kMaxFileBytes);
  }
  std::vector<Exception> out;
  Parser parser(path);
  try {
    parser.document(YAML::Load(std::string(text)), out);
  } catch (const YAML::Exception& e) {
    return core::fail(core::ErrorCode::Input, "{}:{}: {}", path, e.mark.line + 1, e.msg);
  }
  if (!parser.ok()) return core::fail(core::ErrorCode::Input, "{}", parser.message());
  return out;
}

core::Status checkExceptionIds(std::span<const Exception> exceptions, const CheckSet& set) {
  for (const auto& exception : exceptions) {
    const bool known = std::any_of(set.checks.begin(), set.checks.end(), [&](const Check& check) {
      return globMatches(exception.check, check.id);
    });
    if (!known) {
      return core::fail(core::ErrorCode::Usage, "{}: no check has the id \"{}\"", exception.source,
                        core::printable(exception.check));
    }
  }
  return {};
}

void applyExceptions(std::vector<model::CheckResult>& results,
                     std::span<const Exception> exceptions, std::chrono::year_month_day today,
                     core::Diagnostics& diagnostics) {
  std::vector<const Exception*> active;
  for (const auto& exception : exceptions) {
    if (exception.expiredOn(today)) {
      diagnostics.add("checks.exception-expired", exception.source,
                      fmt::format("exception for {} expired on {}",
                                  core::printable(exception.check), dateText(*exception.expires)));
      continue;
    }
    active.push_back(&exception);
  }
  for (auto& result : results) {
    for (const Exception* exception : active) {
      if (!exception->covers(result)) continue;
      result.suppression = model::CheckSuppression{
          exception->reason, exception->expires ? dateText(*exception->expires) : std::string(),
          exception->source};
      break;
    }
  }
}

}  // namespace bulwark::checks
