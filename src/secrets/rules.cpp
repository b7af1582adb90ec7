#include "secrets/rules.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>
#include <hs.h>
#include <re2/re2.h>
#include <re2/set.h>
#include <yaml-cpp/yaml.h>

#include "core/embedded.h"
#include "core/text.h"
#include "core/yaml_config.h"

namespace bulwark::secrets {

namespace embedded {
std::span<const core::EmbeddedFile> secretRuleFiles();
}  // namespace embedded

namespace {

constexpr std::size_t kMaxConfigBytes = std::size_t{4} * 1024 * 1024;
constexpr std::size_t kMaxRules = 4096;
constexpr std::size_t kMaxKeywordBytes = 256;
constexpr std::size_t kMaxRegexBytes = std::size_t{16} * 1024;
constexpr std::size_t kMaxWindow = std::size_t{64} * 1024;
constexpr std::int64_t kRegexMaxMem = std::int64_t{16} << 20;

std::shared_ptr<const re2::RE2> compileRegex(std::string_view pattern, std::string* error) {
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kRegexMaxMem);
  // ^ and $ are line anchors: rules see lines, not whole files.
  auto regex = std::make_shared<re2::RE2>(fmt::format("(?m){}", pattern), options);
  if (!regex->ok()) {
    *error = regex->error();
    return nullptr;
  }
  return regex;
}

// Everything one config document says, before it is merged with the builtin rules.
struct ConfigData {
  std::vector<Rule> rules;
  std::vector<AllowRule> allow_rules;
  std::optional<std::vector<std::string>> enable_builtin_rules;
  std::vector<std::string> disable_rules;
  std::vector<std::string> disable_allow_rules;
};

class Parser {
 public:
  Parser(std::string_view where, bool builtin) : builtin_(builtin), errors_(where) {}

  void error(const YAML::Node& node, std::string_view message) { errors_.add(node, message); }
  void error(std::string_view message) { errors_.add(message); }

  [[nodiscard]] bool ok() const { return errors_.empty(); }
  [[nodiscard]] std::string message() const { return errors_.message(); }

  std::optional<ConfigData> parse(std::string_view text) {
    if (text.size() > kMaxConfigBytes) {
      error(fmt::format("larger than {} bytes", kMaxConfigBytes));
      return std::nullopt;
    }
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      error(fmt::format("not YAML: {}", e.what()));
      return std::nullopt;
    }
    ConfigData data;
    if (root.IsNull()) return data;
    if (!root.IsMap()) {
      error(root, "the secret config must be a mapping");
      return std::nullopt;
    }
    try {
      for (const auto& entry : root) {
        const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
        const YAML::Node& value = entry.second;
        if (key == "rules") {
          for (const auto& item : sequence(value, key)) {
            if (data.rules.size() >= kMaxRules) {
              error(item, fmt::format("more than {} rules", kMaxRules));
              break;
            }
            if (auto rule = parseRule(item)) data.rules.push_back(std::move(*rule));
          }
        } else if (key == "allow-rules") {
          for (const auto& item : sequence(value, key)) {
            if (auto allow = parseAllowRule(item)) {
              data.allow_rules.push_back(std::move(*allow));
            }
          }
        } else if (key == "enable-builtin-rules") {
          data.enable_builtin_rules = strings(value, key);
        } else if (key == "disable-rules") {
          data.disable_rules = strings(value, key);
        } else if (key == "disable-allow-rules") {
          data.disable_allow_rules = strings(value, key);
        } else {
          error(entry.first, fmt::format("unknown key '{}'", core::printable(key)));
        }
      }
    } catch (const YAML::Exception& e) {
      error(fmt::format("malformed YAML: {}", e.what()));
    }
    if (!ok()) return std::nullopt;
    return data;
  }

 private:
  std::vector<YAML::Node> sequence(const YAML::Node& node, std::string_view key) {
    std::vector<YAML::Node> out;
    if (!node.IsDefined() || node.IsNull()) return out;
    if (!node.IsSequence()) {
      error(node, fmt::format("'{}' must be a list", key));
      return out;
    }
    for (const auto& item : node) out.push_back(item);
    return out;
  }

  // A scalar or a sequence of scalars, as a list of strings.
  std::vector<std::string> strings(const YAML::Node& node, std::string_view key) {
    return core::yamlStrings(
        node, key, [this](const YAML::Node& at, const std::string& what) { error(at, what); });
  }

  std::string scalar(const YAML::Node& node, std::string_view key) {
    if (!node.IsDefined() || node.IsNull()) return {};
    if (!node.IsScalar()) {
      error(node, fmt::format("'{}' must be a string", key));
      return {};
    }
    return node.Scalar();
  }

  std::shared_ptr<const re2::RE2> regex(const YAML::Node& node, std::string_view key,
                                        std::string_view pattern) {
    if (pattern.size() > kMaxRegexBytes) {
      error(node, fmt::format("'{}' longer than {} bytes", key, kMaxRegexBytes));
      return nullptr;
    }
    std::string why;
    auto compiled = compileRegex(pattern, &why);
    if (!compiled) error(node, fmt::format("'{}' does not compile: {}", key, why));
    return compiled;
  }

  void checkKeys(const YAML::Node& node, std::initializer_list<std::string_view> known) {
    for (const auto& entry : node) {
      const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        error(entry.first, fmt::format("unknown key '{}'", core::printable(key)));
      }
    }
  }

  std::optional<AllowRule> parseAllowRule(const YAML::Node& node) {
    if (!node.IsMap()) {
      error(node, "an allow rule must be a mapping");
      return std::nullopt;
    }
    checkKeys(node, {"id", "description", "path", "regex"});
    AllowRule allow;
    allow.id = scalar(node["id"], "id");
    allow.description = scalar(node["description"], "description");
    if (allow.id.empty()) error(node, "an allow rule needs an 'id'");
    // Trivy accepts a list of paths; one alternation is the same test.
    const auto paths = strings(node["path"], "path");
    if (!paths.empty()) {
      std::string joined;
      for (const auto& path : paths) {
        joined += joined.empty() ? "" : "|";
        joined += fmt::format("(?:{})", path);
      }
      allow.path = regex(node["path"], "path", joined);
    }
    const std::string pattern = scalar(node["regex"], "regex");
    if (!pattern.empty()) allow.regex = regex(node["regex"], "regex", pattern);
    if (paths.empty() && pattern.empty()) {
      error(node,
            fmt::format("allow rule '{}' needs a 'path' or a 'regex'", core::printable(allow.id)));
    }
    return allow;
  }

  std::optional<Rule> parseRule(const YAML::Node& node) {
    if (!node.IsMap()) {
      error(node, "a rule must be a mapping");
      return std::nullopt;
    }
    checkKeys(node, {"id", "category", "title", "severity", "keywords", "regex",
                     "secret-group-name", "path", "window", "allow-rules", "description"});
    Rule rule;
    rule.builtin = builtin_;
    rule.id = scalar(node["id"], "id");
    rule.category = scalar(node["category"], "category");
    rule.title = scalar(node["title"], "title");
    const std::string id = core::printable(rule.id);
    if (rule.id.empty()) error(node, "a rule needs an 'id'");
    if (rule.category.empty()) error(node, fmt::format("rule '{}' needs a 'category'", id));
    if (rule.title.empty()) error(node, fmt::format("rule '{}' needs a 'title'", id));
    const std::string severity = scalar(node["severity"], "severity");
    rule.severity = model::parseSeverity(severity);
    if (rule.severity == model::Severity::Unknown) {
      error(node, fmt::format("rule '{}': severity must be CRITICAL, HIGH, MEDIUM or LOW", id));
    }
    for (auto& keyword : strings(node["keywords"], "keywords")) {
      if (keyword.size() > kMaxKeywordBytes) {
        error(node["keywords"],
              fmt::format("rule '{}': keyword longer than {} bytes", id, kMaxKeywordBytes));
        continue;
      }
      rule.keywords.push_back(core::asciiLower(keyword));
    }
    const std::string pattern = scalar(node["regex"], "regex");
    if (pattern.empty()) {
      error(node, fmt::format("rule '{}' needs a 'regex'", id));
    } else {
      rule.regex = regex(node["regex"], "regex", pattern);
    }
    const std::string group = scalar(node["secret-group-name"], "secret-group-name");
    if (rule.regex) {
      const auto& groups = rule.regex->NamedCapturingGroups();
      const auto found = groups.find(group.empty() ? "secret" : group);
      if (found != groups.end()) {
        rule.secret_group = found->second;
      } else if (!group.empty()) {
        error(node["secret-group-name"], fmt::format("rule '{}': the regex has no group named '{}'",
                                                     id, core::printable(group)));
      }
    }
    for (const auto& path : strings(node["path"], "path")) {
      if (auto compiled = regex(node["path"], "path", path)) {
        rule.paths.push_back(std::move(compiled));
      }
    }
    const std::string window = scalar(node["window"], "window");
    if (!window.empty()) {
      const auto bytes = core::parseUnsigned(window);
      if (!bytes || *bytes > kMaxWindow) {
        error(node["window"], fmt::format("rule '{}': window must be 0..{}", id, kMaxWindow));
      } else {
        rule.window = static_cast<std::size_t>(*bytes);
      }
    }
    for (const auto& item : sequence(node["allow-rules"], "allow-rules")) {
      if (auto allow = parseAllowRule(item)) rule.allow_rules.push_back(std::move(*allow));
    }
    return rule;
  }

  bool builtin_;
  core::YamlErrors errors_;
};

void removeAllowRules(std::vector<AllowRule>& rules, const std::set<std::string>& disabled) {
  std::erase_if(rules, [&](const AllowRule& allow) { return disabled.contains(allow.id); });
}

}  // namespace

struct RuleSet::PathSet {
  explicit PathSet(const re2::RE2::Options& options) : set(options, re2::RE2::UNANCHORED) {}
  re2::RE2::Set set;
};

RuleSet::RuleSet(std::vector<Rule> rules, std::vector<AllowRule> allow_rules)
    : rules_(std::move(rules)), allow_rules_(std::move(allow_rules)) {
  // Keywords: distinct, each naming the rules it triggers.
  std::unordered_map<std::string, std::size_t> index;
  for (std::uint32_t r = 0; r < rules_.size(); ++r) {
    auto& keywords = rules_[r].keywords;
    std::sort(keywords.begin(), keywords.end());
    keywords.erase(std::unique(keywords.begin(), keywords.end()), keywords.end());
    std::erase_if(keywords, [](const std::string& keyword) { return keyword.empty(); });
    if (keywords.empty()) unkeyed_rules_.push_back(r);
    for (const auto& keyword : keywords) {
      auto [it, inserted] = index.emplace(keyword, keywords_.size());
      if (inserted) {
        keywords_.push_back(keyword);
        keyword_rules_.emplace_back();
      }
      keyword_rules_[it->second].push_back(r);
    }
  }
  // Global allow rules: path-only ones become one set tested per file.
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kRegexMaxMem);
  auto set = std::make_unique<PathSet>(options);
  bool any_path = false;
  for (std::size_t i = 0; i < allow_rules_.size(); ++i) {
    const auto& allow = allow_rules_[i];
    if (allow.regex) {
      secret_allows_.push_back(i);
    } else if (allow.path) {
      std::string why;
      if (set->set.Add(allow.path->pattern(), &why) < 0) {
        compile_error_ = fmt::format("allow rule '{}': {}", allow.id, why);
      }
      any_path = true;
    }
  }
  if (any_path) {
    if (set->set.Compile()) {
      skip_paths_ = std::move(set);
    } else {
      compile_error_ = "the path allow rules do not compile together (too large)";
    }
  }
  if (keywords_.empty()) return;
  std::vector<const char*> expressions;
  std::vector<unsigned> flags(keywords_.size(), HS_FLAG_CASELESS);
  std::vector<unsigned> ids;
  std::vector<std::size_t> lengths;
  for (std::size_t i = 0; i < keywords_.size(); ++i) {
    expressions.push_back(keywords_[i].data());
    ids.push_back(static_cast<unsigned>(i));
    lengths.push_back(keywords_[i].size());
  }
  hs_compile_error_t* error = nullptr;
  if (hs_compile_lit_multi(expressions.data(), flags.data(), ids.data(), lengths.data(),
                           static_cast<unsigned>(keywords_.size()), HS_MODE_BLOCK, nullptr,
                           &database_, &error) != HS_SUCCESS) {
    compile_error_ =
        fmt::format("keyword database: {}",
                    error != nullptr && error->message != nullptr ? error->message : "failed");
    hs_free_compile_error(error);
    database_ = nullptr;
    return;
  }
  if (hs_alloc_scratch(database_, &prototype_) != HS_SUCCESS) {
    compile_error_ = "keyword database: cannot allocate scratch space";
    prototype_ = nullptr;
  }
}

RuleSet::~RuleSet() {
  for (auto* scratch : pool_) hs_free_scratch(scratch);
  if (prototype_ != nullptr) hs_free_scratch(prototype_);
  if (database_ != nullptr) hs_free_database(database_);
}

RuleSet::ScratchLease::~ScratchLease() {
  if (scratch_ != nullptr) owner_->release(scratch_);
}

RuleSet::ScratchLease RuleSet::acquireScratch() const {
  if (prototype_ == nullptr) return {*this, nullptr};
  {
    const std::lock_guard lock(pool_mutex_);
    if (!pool_.empty()) {
      hs_scratch* scratch = pool_.back();
      pool_.pop_back();
      return {*this, scratch};
    }
  }
  hs_scratch* scratch = nullptr;
  if (hs_clone_scratch(prototype_, &scratch) != HS_SUCCESS) scratch = nullptr;
  return {*this, scratch};
}

void RuleSet::release(hs_scratch* scratch) const {
  const std::lock_guard lock(pool_mutex_);
  pool_.push_back(scratch);
}

bool RuleSet::pathAllowed(std::string_view path) const {
  return skip_paths_ && skip_paths_->set.Match(path, nullptr);
}

std::string_view RuleSet::allowedSecret(std::string_view path, std::string_view secret) const {
  for (const std::size_t i : secret_allows_) {
    const auto& allow = allow_rules_[i];
    if (!re2::RE2::PartialMatch(secret, *allow.regex)) continue;
    if (allow.path && !re2::RE2::PartialMatch(path, *allow.path)) continue;
    return allow.id;
  }
  return {};
}

std::string_view builtinRulesText() {
  for (const auto& file : embedded::secretRuleFiles()) {
    if (file.path == "secrets/rules.yaml") return file.content;
  }
  return {};
}

core::Result<std::shared_ptr<const RuleSet>> loadRulesFromText(std::string_view config_text,
                                                               std::string_view where) {
  // The builtin rules are parsed and their regexes compiled once; rule sets share them.
  static const auto kBuiltin = []() -> core::Result<ConfigData> {
    Parser parser("builtin secrets/rules.yaml", true);
    auto parsed = parser.parse(builtinRulesText());
    if (!parsed) {
      return core::fail(core::ErrorCode::Internal, "builtin secret rules: {}", parser.message());
    }
    return std::move(*parsed);
  }();
  if (!kBuiltin) return tl::unexpected(kBuiltin.error());
  auto builtin = std::make_optional(*kBuiltin);
  ConfigData user;
  if (!where.empty() || !config_text.empty()) {
    Parser parser(where, false);
    auto parsed = parser.parse(config_text);
    if (!parsed) return core::fail(core::ErrorCode::Input, "{}", parser.message());
    user = std::move(*parsed);
  }

  const std::set<std::string> disabled(user.disable_rules.begin(), user.disable_rules.end());
  const std::set<std::string> disabled_allows(user.disable_allow_rules.begin(),
                                              user.disable_allow_rules.end());
  std::set<std::string> own_ids;
  for (const auto& rule : user.rules) own_ids.insert(rule.id);

  std::vector<Rule> rules;
  for (auto& rule : builtin->rules) {
    if (user.enable_builtin_rules &&
        std::find(user.enable_builtin_rules->begin(), user.enable_builtin_rules->end(), rule.id) ==
            user.enable_builtin_rules->end()) {
      continue;
    }
    if (disabled.contains(rule.id) || own_ids.contains(rule.id)) continue;  // own rule replaces
    rules.push_back(std::move(rule));
  }
  for (auto& rule : user.rules) {
    if (!disabled.contains(rule.id)) rules.push_back(std::move(rule));
  }
  for (auto& rule : rules) removeAllowRules(rule.allow_rules, disabled_allows);

  std::vector<AllowRule> allows = std::move(builtin->allow_rules);
  for (auto& allow : user.allow_rules) allows.push_back(std::move(allow));
  removeAllowRules(allows, disabled_allows);

  auto set = std::make_shared<const RuleSet>(std::move(rules), std::move(allows));
  if (!set->compileError().empty()) {
    return core::fail(core::ErrorCode::Input, "{}: {}", where.empty() ? "secret rules" : where,
                      set->compileError());
  }
  return set;
}

core::Result<std::shared_ptr<const RuleSet>> loadRules(const std::string& config_path) {
  if (config_path.empty()) return loadRulesFromText({}, {});
  std::ifstream in(config_path, std::ios::binary);
  if (!in) {
    return core::fail(core::ErrorCode::NotFound, "secret config {}: cannot be opened", config_path);
  }
  std::string text;
  text.resize(kMaxConfigBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) {
    return core::fail(core::ErrorCode::Io, "secret config {}: read failed", config_path);
  }
  return loadRulesFromText(text, config_path);
}

}  // namespace bulwark::secrets
