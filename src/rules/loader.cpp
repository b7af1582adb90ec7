#include "rules/loader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "rules/lists.h"
#include "rules/macros.h"

namespace bulwark::rules {

namespace {

constexpr std::array<std::string_view, 8> kPriorities = {
    "Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug"};

const std::set<std::string, std::less<>> kComparisons = {
    "=",        "==",        "!=",        "<",          "<=",          ">",        ">=",
    "contains", "icontains", "bcontains", "startswith", "bstartswith", "endswith", "glob",
    "iglob",    "regex",     "in",        "intersects", "pmatch"};

// Keys each item may carry (others: a warning). Ours: id, remediation, references.
const std::set<std::string, std::less<>> kListKeys = {"list", "items", "append", "override"};
const std::set<std::string, std::less<>> kMacroKeys = {"macro", "condition", "append", "override"};
const std::set<std::string, std::less<>> kIntelKeys = {"intel",  "kind",   "files",
                                                       "format", "column", "reload"};
const std::set<std::string, std::less<>> kRuleKeys = {
    "rule",      "condition",   "output",           "desc",          "priority",
    "enabled",   "tags",        "source",           "exceptions",    "append",
    "override",  "capture",     "capture_duration", "warn_evttypes", "skip-if-unknown-filter",
    "id",        "remediation", "references",       "sequence",      "count",
    "first_seen"};
const std::set<std::string, std::less<>> kAppendable = {"condition", "output", "desc", "tags",
                                                        "exceptions"};
const std::set<std::string, std::less<>> kReplaceable = {"condition",
                                                         "output",
                                                         "desc",
                                                         "tags",
                                                         "exceptions",
                                                         "priority",
                                                         "enabled",
                                                         "capture",
                                                         "capture_duration",
                                                         "warn_evttypes",
                                                         "skip-if-unknown-filter"};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// yaml-cpp parses nesting recursively: input nested thousands deep would exhaust the stack.
// Flow brackets and block indentation (spaces and "- " that open nested sequences) are
// bounded before parsing; real rules files nest a few levels.
constexpr std::size_t kMaxYamlNesting = 256;

bool nestsTooDeep(std::string_view text) {
  std::size_t flow = 0;
  std::size_t indent = 0;
  bool line_start = true;
  for (const char c : text) {
    if (c == '\n') {
      line_start = true;
      indent = 0;
      continue;
    }
    if (line_start && (c == ' ' || c == '-' || c == '\t')) {
      if (++indent > 2 * kMaxYamlNesting + 64) return true;
      continue;
    }
    line_start = false;
    if (c == '[' || c == '{') {
      if (++flow > kMaxYamlNesting) return true;
    } else if ((c == ']' || c == '}') && flow > 0) {
      --flow;
    }
  }
  return false;
}

class Reader {
 public:
  Reader(std::string_view text, const std::string& file, RulesSource& source, LoadResult& result)
      : text_(text), file_(file), source_(source), result_(result) {}

  void read() {
    if (text_.size() > kMaxRulesFileBytes) {
      return error("rules content", "", {file_, 0, 0}, "LOAD_ERR_FILE_READ",
                   fmt::format("the file is larger than {} bytes", kMaxRulesFileBytes));
    }
    if (nestsTooDeep(text_)) {
      return error("rules content", "", {file_, 0, 0}, "LOAD_ERR_YAML_PARSE",
                   fmt::format("YAML nested more than {} levels deep", kMaxYamlNesting));
    }
    // Documents are split here and loaded one by one: yaml-cpp 0.7's LoadAll can loop forever
    // after a malformed document (found by rules_file_fuzz). A line starting with `---` (or
    // `...`) ends a document in YAML, wherever it stands.
    for (const auto& part : documents(text_)) {
      line_base_ = part.line;
      pos_base_ = part.pos;
      YAML::Node doc;
      try {
        doc = YAML::Load(std::string(part.text));
      } catch (const YAML::Exception& e) {
        error("rules content", "", markAt(e.mark), "LOAD_ERR_YAML_PARSE",
              fmt::format("not valid YAML: {}", e.msg));
        continue;
      }
      readDocument(doc);
    }
  }

 private:
  struct Document {
    std::string_view text;
    std::size_t line = 0;  // lines before it in the file
    std::size_t pos = 0;   // bytes before it
  };

  static std::vector<Document> documents(std::string_view text) {
    std::vector<Document> out;
    std::size_t start = 0;
    std::size_t start_line = 0;
    std::size_t line = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
      const std::size_t end = std::min(text.find('\n', pos), text.size());
      const std::string_view current = text.substr(pos, end - pos);
      const bool marker =
          (current.starts_with("---") || current.starts_with("...")) &&
          (current.size() == 3 || current[3] == ' ' || current[3] == '\t' || current[3] == '\r');
      if (marker) {
        out.push_back({text.substr(start, pos - start), start_line, start});
        start = end + 1 > text.size() ? text.size() : end + 1;
        start_line = line + 1;
      }
      if (end >= text.size()) break;
      pos = end + 1;
      ++line;
    }
    if (start < text.size()) out.push_back({text.substr(start), start_line, start});
    return out;
  }

  void readDocument(const YAML::Node& doc) {
    if (doc.IsNull()) return;
    if (doc.IsScalar()) {
      return error("rules content", "", at(doc), "LOAD_ERR_YAML_VALIDATE",
                   "the rules content is not YAML (a plain text document)");
    }
    if (!doc.IsSequence()) {
      return error("rules content", "", at(doc), "LOAD_ERR_YAML_VALIDATE",
                   "the rules content is not a YAML list of items");
    }
    for (const auto& item : doc) {
      try {
        readItem(item);
      } catch (const YAML::Exception& e) {
        error("rules content item", "", markAt(e.mark), "LOAD_ERR_YAML_VALIDATE",
              fmt::format("unreadable item: {}", e.msg));
      }
    }
  }

 private:
  Location markAt(const YAML::Mark& mark) const {
    if (mark.line < 0 || mark.column < 0) return {file_, 0, 0};
    return {file_, line_base_ + static_cast<std::size_t>(mark.line) + 1,
            static_cast<std::size_t>(mark.column) + 1};
  }
  Location at(const YAML::Node& node) const { return markAt(node.Mark()); }

  void message(bool is_error, std::string item_type, std::string item_name, Location where,
               std::string code, std::string text) {
    result_.messages.push_back({is_error, std::move(code), std::move(item_type),
                                std::move(item_name), std::move(where), std::move(text)});
  }
  void error(std::string item_type, std::string item_name, Location where, std::string code,
             std::string text) {
    message(true, std::move(item_type), std::move(item_name), std::move(where), std::move(code),
            std::move(text));
  }
  void warning(std::string item_type, std::string item_name, Location where, std::string code,
               std::string text) {
    message(false, std::move(item_type), std::move(item_name), std::move(where), std::move(code),
            std::move(text));
  }

  // A string member, or nullopt with an error when present and not a scalar.
  bool stringOf(const YAML::Node& node, std::string& out) {
    if (!node.IsScalar()) return false;
    out = node.Scalar();
    return true;
  }

  void readItem(const YAML::Node& item) {
    if (item.IsNull()) return;  // a bare `-`: Falco skips it (k8saudit 0.5.0's rules have one)
    if (!item.IsMap()) {
      return error("rules content item", "", at(item), "LOAD_ERR_YAML_VALIDATE",
                   "an item must be a YAML map (list, macro, rule, …)");
    }
    if (item["required_engine_version"]) return readEngineVersion(item);
    if (item["required_plugin_versions"]) return;  // plugins are not ours to check
    if (item["list"]) return readList(item);
    if (item["intel"]) return readIntel(item);
    if (item["macro"]) return readMacro(item);
    if (item["rule"]) return readRule(item);
    warning("rules content item", "", at(item), "LOAD_UNKNOWN_ITEM",
            "an item that is neither a list, a macro, an intel set nor a rule is ignored");
  }

  void unknownKeys(const YAML::Node& item, const std::set<std::string, std::less<>>& known,
                   const std::string& type, const std::string& name) {
    for (const auto& member : item) {
      const std::string key = member.first.IsScalar() ? member.first.Scalar() : std::string();
      if (!known.contains(key)) {
        warning(type, name, at(member.first), "LOAD_UNKNOWN_ITEM",
                fmt::format("unknown key '{}' is ignored", key));
      }
    }
  }

  void readEngineVersion(const YAML::Node& item) {
    const YAML::Node value = item["required_engine_version"];
    std::string text;
    if (!stringOf(value, text)) {
      return error("required_engine_version", "", at(value), "LOAD_ERR_YAML_VALIDATE",
                   "required_engine_version must be a version (0.57.0) or a number");
    }
    int major = 0;
    int minor = 0;
    const auto parse = [](std::string_view part, int& out) {
      const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
      return ec == std::errc() && end == part.data() + part.size();
    };
    const auto dot = text.find('.');
    bool ok = false;
    if (dot == std::string::npos) {
      ok = parse(text, minor);  // the legacy integer n is 0.n.0
    } else {
      const auto second = text.find('.', dot + 1);
      ok = parse(std::string_view(text).substr(0, dot), major) &&
           parse(std::string_view(text).substr(
                     dot + 1, second == std::string::npos ? std::string::npos : second - dot - 1),
                 minor);
    }
    if (!ok) {
      return error("required_engine_version", "", at(value), "LOAD_ERR_YAML_VALIDATE",
                   fmt::format("required_engine_version '{}' is not a version", text));
    }
    if (major > 0 || minor > kEngineMinor) {
      error("required_engine_version", "", at(value), "LOAD_ERR_VALIDATE",
            fmt::format("the file needs engine version {}; bulwark reads files up to 0.{}.0", text,
                        kEngineMinor));
    }
  }

  // `append: true` or `override: {key: append|replace}`; false after an error.
  struct Merge {
    bool append = false;  // the deprecated form: every given key appends
    std::map<std::string, std::string, std::less<>> override;  // key → append|replace
  };
  bool readMerge(const YAML::Node& item, const std::string& type, const std::string& name,
                 const std::set<std::string, std::less<>>& appendable,
                 const std::set<std::string, std::less<>>& replaceable, Merge& merge) {
    const YAML::Node append = item["append"];
    const YAML::Node override = item["override"];
    if (append && override) {
      error(type, name, at(item), "LOAD_ERR_VALIDATE",
            "'append' and 'override' cannot be used together");
      return false;
    }
    if (append) {
      if (!append.IsScalar() || (append.Scalar() != "true" && append.Scalar() != "false")) {
        error(type, name, at(append), "LOAD_ERR_YAML_VALIDATE", "'append' must be true or false");
        return false;
      }
      merge.append = append.Scalar() == "true";
      if (merge.append) {
        warning(type, name, at(append), "LOAD_DEPRECATED_ITEM",
                "'append: true' is deprecated; use 'override: {KEY: append}'");
      }
    }
    if (override) {
      if (!override.IsMap()) {
        error(type, name, at(override), "LOAD_ERR_YAML_VALIDATE",
              "'override' must map keys to append or replace");
        return false;
      }
      for (const auto& member : override) {
        const std::string key = member.first.Scalar();
        const std::string how = member.second.IsScalar() ? member.second.Scalar() : "";
        const bool allowed = (how == "append" && appendable.contains(key)) ||
                             (how == "replace" && replaceable.contains(key));
        if (!allowed) {
          error(type, name, at(member.first), "LOAD_ERR_VALIDATE",
                fmt::format("key '{}' cannot be overridden with '{}'", key, how));
          return false;
        }
        if (!item[key]) {
          error(type, name, at(member.first), "LOAD_ERR_VALIDATE",
                fmt::format("'override' names '{}' but the item does not give it", key));
          return false;
        }
        merge.override.emplace(key, how);
      }
    }
    return true;
  }

  bool required(const YAML::Node& item, std::string_view key, const std::string& type,
                const std::string& name) {
    if (item[std::string(key)]) return true;
    error(type, name, at(item), "LOAD_ERR_YAML_VALIDATE",
          fmt::format("the {} has no '{}'", type, key));
    return false;
  }

  bool scalarKey(const YAML::Node& item, std::string_view key, const std::string& type,
                 const std::string& name, std::string& out) {
    const YAML::Node value = item[std::string(key)];
    if (!value) return false;
    if (!stringOf(value, out)) {
      error(type, name, at(value), "LOAD_ERR_YAML_VALIDATE",
            fmt::format("'{}' must be a string", key));
      return false;
    }
    return true;
  }

  SourceText sourceOf(const YAML::Node& value) const {
    SourceText out;
    out.at = at(value);
    out.document = text_;
    const auto mark = value.Mark();
    out.value_pos = pos_base_ + (mark.pos < 0 ? 0 : static_cast<std::size_t>(mark.pos));
    return out;
  }

  template <typename Item>
  Item* find(std::vector<Item>& items, const std::string& name) {
    const auto it =
        std::find_if(items.begin(), items.end(), [&](const Item& i) { return i.name == name; });
    return it == items.end() ? nullptr : &*it;
  }

  void readList(const YAML::Node& item) {
    std::string name;
    if (!scalarKey(item, "list", "list", "", name) || name.empty()) {
      return error("list", "", at(item), "LOAD_ERR_YAML_VALIDATE", "a list needs a name");
    }
    unknownKeys(item, kListKeys, "list", name);
    if (!required(item, "items", "list", name)) return;
    const YAML::Node values = item["items"];
    if (!values.IsSequence()) {
      return error("list", name, at(values), "LOAD_ERR_YAML_VALIDATE",
                   "'items' must be a list of strings");
    }
    ListItem list{name, {}, at(item)};
    for (const auto& value : values) {
      if (!value.IsScalar()) {
        return error("list", name, at(value), "LOAD_ERR_YAML_VALIDATE",
                     "'items' must be a list of strings");
      }
      list.items.push_back(value.Scalar());
    }
    Merge merge;
    if (!readMerge(item, "list", name, {"items"}, {"items"}, merge)) return;
    ListItem* existing = find(source_.lists, name);
    const bool appends = merge.append || (merge.override.contains("items") &&
                                          merge.override.at("items") == "append");
    if (appends && existing == nullptr) {
      return error("list", name, at(item), "LOAD_ERR_VALIDATE",
                   "the list appends to a list that is not defined before it");
    }
    if (existing == nullptr) {
      source_.lists.push_back(std::move(list));
    } else if (appends) {
      existing->items.insert(existing->items.end(), list.items.begin(), list.items.end());
    } else {
      existing->items = std::move(list.items);
    }
  }

  // `- intel: NAME` (ours, docs/dev/runtime-design.md §3.7): a threat-intel set read from feed
  // files now; `files` are relative to the rules file.
  void readIntel(const YAML::Node& item) {
    std::string name;
    if (!scalarKey(item, "intel", "intel", "", name) || name.empty()) {
      return error("intel", "", at(item), "LOAD_ERR_YAML_VALIDATE", "an intel set needs a name");
    }
    unknownKeys(item, kIntelKeys, "intel", name);
    if (find(source_.lists, name) != nullptr) {
      return error("intel", name, at(item), "LOAD_ERR_VALIDATE",
                   "a list of the same name is defined: conditions could not tell them apart");
    }
    IntelDef def;
    def.name = name;
    std::string text;
    if (!required(item, "kind", "intel", name) || !scalarKey(item, "kind", "intel", name, text)) {
      return;
    }
    if (!parseIntelKind(text, def.kind)) {
      return error("intel", name, at(item["kind"]), "LOAD_ERR_YAML_VALIDATE",
                   fmt::format("unknown kind '{}' (ip, domain, hash or string)", text));
    }
    std::vector<std::string> files;
    if (!required(item, "files", "intel", name) || !readStrings(item, "files", name, files)) return;
    if (files.empty()) {
      return error("intel", name, at(item["files"]), "LOAD_ERR_YAML_VALIDATE",
                   "'files' names no file");
    }
    std::string format = "text";
    if (item["format"] && !scalarKey(item, "format", "intel", name, format)) return;
    if (format != "text" && format != "csv") {
      return error("intel", name, at(item["format"]), "LOAD_ERR_YAML_VALIDATE",
                   fmt::format("unknown format '{}' (text or csv)", format));
    }
    def.format.csv = format == "csv";
    if (def.format.csv && (!required(item, "column", "intel", name) ||
                           !scalarKey(item, "column", "intel", name, def.format.column))) {
      return;
    }
    std::string reload = "true";
    if (item["reload"] && !scalarKey(item, "reload", "intel", name, reload)) return;
    if (reload != "true" && reload != "false") {
      return error("intel", name, at(item["reload"]), "LOAD_ERR_YAML_VALIDATE",
                   "'reload' must be true or false");
    }
    const bool builtin = file_.starts_with("builtin:");
    def.reload = reload == "true" && !builtin;  // embedded files never change
    for (const auto& file : files) {
      if (builtin) {
        const std::string_view base = std::string_view(file_).substr(0, file_.rfind('/') + 1);
        def.files.push_back(std::string(base) + file);
      } else {
        const std::filesystem::path path(file);
        def.files.push_back(path.is_absolute()
                                ? file
                                : (std::filesystem::path(file_).parent_path() / path).string());
      }
    }
    auto read = rules::readIntel(def);
    if (!read) {
      return error("intel", name, at(item["files"]), "LOAD_ERR_INTEL_FILE", read.error().message);
    }
    for (const auto& problem : read->problems) {
      warning("intel", name, at(item["files"]), "LOAD_INTEL_FILE", problem);
    }
    if (read->bad_lines > read->problems.size()) {
      warning("intel", name, at(item["files"]), "LOAD_INTEL_FILE",
              fmt::format("{} more bad line(s)", read->bad_lines - read->problems.size()));
    }
    auto handle = std::make_shared<IntelHandle>(std::move(def));
    handle->stamps = std::move(read->stamps);
    handle->replace(read->set);
    source_.intel[name] = std::move(handle);  // a redefinition replaces the set
  }

  void readMacro(const YAML::Node& item) {
    std::string name;
    if (!scalarKey(item, "macro", "macro", "", name) || name.empty()) {
      return error("macro", "", at(item), "LOAD_ERR_YAML_VALIDATE", "a macro needs a name");
    }
    unknownKeys(item, kMacroKeys, "macro", name);
    if (!required(item, "condition", "macro", name)) return;
    MacroItem macro{name, {}, at(item), {sourceOf(item["condition"])}};
    if (!scalarKey(item, "condition", "macro", name, macro.condition)) return;
    Merge merge;
    if (!readMerge(item, "macro", name, {"condition"}, {"condition"}, merge)) return;
    MacroItem* existing = find(source_.macros, name);
    const bool appends = merge.append || (merge.override.contains("condition") &&
                                          merge.override.at("condition") == "append");
    if (appends && existing == nullptr) {
      return error("macro", name, at(item), "LOAD_ERR_VALIDATE",
                   "the macro appends to a macro that is not defined before it");
    }
    if (existing == nullptr) {
      source_.macros.push_back(std::move(macro));
    } else if (appends) {
      SourceText part = macro.condition_sources.front();
      part.start = existing->condition.size() + 1;
      existing->condition += " " + macro.condition;
      existing->condition_sources.push_back(part);
    } else {
      existing->condition = std::move(macro.condition);
      existing->condition_sources = std::move(macro.condition_sources);
    }
  }

  void readRule(const YAML::Node& item) {
    std::string name;
    if (!scalarKey(item, "rule", "rule", "", name) || name.empty()) {
      return error("rule", "", at(item), "LOAD_ERR_YAML_VALIDATE", "a rule needs a name");
    }
    unknownKeys(item, kRuleKeys, "rule", name);
    Merge merge;
    if (!readMerge(item, "rule", name, kAppendable, kReplaceable, merge)) return;
    RuleItem* existing = find(source_.rules, name);
    std::string enabled_text;
    bool enabled = true;
    if (scalarKey(item, "enabled", "rule", name, enabled_text)) {
      if (enabled_text != "true" && enabled_text != "false") {
        return error("rule", name, at(item["enabled"]), "LOAD_ERR_YAML_VALIDATE",
                     "'enabled' must be true or false");
      }
      enabled = enabled_text == "true";
    }
    if (merge.append) {
      if (existing == nullptr) {
        return error("rule", name, at(item), "LOAD_ERR_VALIDATE",
                     "the rule appends to a rule that is not defined before it");
      }
      if (!item["condition"] && !item["exceptions"]) {
        return error("rule", name, at(item), "LOAD_ERR_VALIDATE",
                     "an appended rule must give a condition or exceptions");
      }
      if (existing->stateful.kind != StatefulKind::None && item["condition"]) {
        return error("rule", name, at(item), "LOAD_ERR_VALIDATE",
                     "a stateful rule's steps cannot be appended to; give exceptions instead");
      }
      appendTo(*existing, item, name, {"condition", "output", "desc", "tags", "exceptions"});
      return;
    }
    if (!merge.override.empty()) {
      if (existing == nullptr) {
        return error("rule", name, at(item), "LOAD_ERR_VALIDATE",
                     "the rule overrides a rule that is not defined before it");
      }
      std::set<std::string, std::less<>> appended;
      for (const auto& [key, how] : merge.override) {
        if (how == "append") appended.insert(key);
      }
      appendTo(*existing, item, name, appended);
      replaceIn(*existing, item, name, merge.override);
      return;
    }
    // Only `enabled` (with the name): a toggle of the existing rule.
    if (existing != nullptr && item.size() == 2 && item["enabled"]) {
      existing->enabled = enabled;
      return;
    }
    RuleItem rule;
    rule.name = name;
    rule.at = at(item);
    rule.enabled = enabled;
    // A rule has exactly one of condition, sequence, count, first_seen (design §3.8).
    std::vector<std::string> kinds;
    for (const char* key : {"condition", "sequence", "count", "first_seen"}) {
      if (item[key]) kinds.emplace_back(key);
    }
    if (kinds.size() > 1) {
      return error("rule", name, at(item), "LOAD_ERR_VALIDATE",
                   fmt::format("a rule has exactly one of condition, sequence, count, first_seen; "
                               "this one has {}",
                               fmt::join(kinds, " and ")));
    }
    const bool stateful = !kinds.empty() && kinds.front() != "condition";
    for (const char* key : {"condition", "output", "desc", "priority"}) {
      if (stateful && std::string_view(key) == "condition") continue;
      if (!required(item, key, "rule", name)) return;
    }
    if (stateful && !readStateful(item, kinds.front(), name, rule)) return;
    std::string priority;
    if ((!stateful && !scalarKey(item, "condition", "rule", name, rule.condition)) ||
        !scalarKey(item, "output", "rule", name, rule.output) ||
        !scalarKey(item, "desc", "rule", name, rule.desc) ||
        !scalarKey(item, "priority", "rule", name, priority)) {
      return;
    }
    if (!stateful) rule.condition_sources = {sourceOf(item["condition"])};
    if (!parsePriority(priority, rule.priority)) {
      return error("rule", name, at(item["priority"]), "LOAD_ERR_YAML_VALIDATE",
                   fmt::format("unknown priority '{}'", priority));
    }
    if (item["source"]) scalarKey(item, "source", "rule", name, rule.source);
    if (item["id"]) scalarKey(item, "id", "rule", name, rule.id);
    if (item["remediation"]) scalarKey(item, "remediation", "rule", name, rule.remediation);
    if (!readTags(item, name, rule.tags)) return;
    if (!readStrings(item, "references", name, rule.references)) return;
    if (!readExceptions(item, name, nullptr, rule.exceptions)) return;
    if (existing != nullptr) {
      const Location first = existing->at;
      *existing = std::move(rule);  // keeps its place in the order
      existing->at = first;
    } else {
      source_.rules.push_back(std::move(rule));
    }
  }

  // A duration of event time: a whole number and a unit (ms, s, m, h, d), at most 365 days.
  static bool parseDuration(const std::string& text, std::int64_t& out_ns) {
    std::size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])) != 0) {
      ++digits;
    }
    if (digits == 0 || digits > 9) return false;
    const std::int64_t number = std::stoll(text.substr(0, digits));
    const std::string unit = text.substr(digits);
    static const std::map<std::string, std::int64_t, std::less<>> kUnits = {
        {"ms", 1'000'000},
        {"s", 1'000'000'000},
        {"m", 60'000'000'000},
        {"h", 3'600'000'000'000},
        {"d", 86'400'000'000'000}};
    const auto found = kUnits.find(unit);
    if (found == kUnits.end() || number <= 0) return false;
    if (number > 365 * kUnits.at("d") / found->second) return false;
    out_ns = number * found->second;
    return true;
  }

  // One field name, or a list of them, of a stateful rule's `key`.
  bool fieldList(const YAML::Node& node, std::string_view key, const std::string& name,
                 std::vector<std::string>& out) {
    const auto bad = [&] {
      error("rule", name, at(node), "LOAD_ERR_VALIDATE",
            fmt::format("'{}' must be a field name or a list of field names", key));
      return false;
    };
    if (node.IsScalar()) {
      out.push_back(node.Scalar());
    } else if (node.IsSequence() && node.size() > 0 && node.size() <= 16) {
      for (const auto& element : node) {
        if (!element.IsScalar()) return bad();
        out.push_back(element.Scalar());
      }
    } else {
      return bad();
    }
    for (const auto& field : out) {
      if (field.empty() || field.find_first_of(" \t()") != std::string::npos) return bad();
    }
    return true;
  }

  // `sequence:`, `count:` or `first_seen:` of a rule (design §3.8) into `rule.stateful`; the
  // rule's `condition` becomes its steps' `or`, for listings.
  bool readStateful(const YAML::Node& item, const std::string& kind, const std::string& name,
                    RuleItem& rule) {
    const YAML::Node spec = item[kind];
    const auto fail = [&](const YAML::Node& where, std::string text) {
      error("rule", name, at(where), "LOAD_ERR_VALIDATE", std::move(text));
      return false;
    };
    if (!spec.IsMap()) return fail(spec, fmt::format("'{}' must be a map", kind));
    StatefulItem& out = rule.stateful;
    const auto allowed =
        kind == "sequence" ? std::set<std::string>{"by", "within", "steps"}
        : kind == "count"
            ? std::set<std::string>{"condition", "by", "distinct", "threshold", "within"}
            : std::set<std::string>{"condition", "key", "value", "learn"};
    for (const auto& member : spec) {
      const std::string key = member.first.IsScalar() ? member.first.Scalar() : "";
      if (!allowed.contains(key)) {
        return fail(member.first, fmt::format("unknown key '{}' in '{}'", key, kind));
      }
    }
    for (const auto& key : allowed) {
      if (!spec[key] && key != "distinct") {
        return fail(spec, fmt::format("'{}' needs '{}'", kind, key));
      }
    }
    const auto duration = [&](const char* key, std::int64_t& ns) {
      const YAML::Node value = spec[key];
      if (!value.IsScalar() || !parseDuration(value.Scalar(), ns)) {
        return fail(value, fmt::format("'{}' must be a duration such as 90s, 5m, 24h or 7d (at "
                                       "most 365d)",
                                       key));
      }
      return true;
    };
    const auto condition = [&](const YAML::Node& holder) {
      const YAML::Node value = holder["condition"];
      std::string text;
      if (!value || !stringOf(value, text) || text.empty()) {
        return fail(holder, "a step needs a 'condition' string");
      }
      out.steps.push_back(std::move(text));
      out.step_sources.push_back({sourceOf(value)});
      return true;
    };
    if (kind == "sequence" || kind == "count") {
      const YAML::Node by = spec["by"];
      if (by.IsScalar() && by.Scalar() == "process_tree") {
        out.by = StateBy::ProcessTree;
      } else if (by.IsScalar() && by.Scalar() == "container") {
        out.by = StateBy::Container;
      } else if (by.IsSequence()) {
        out.by = StateBy::Fields;
        if (!fieldList(by, "by", name, out.by_fields)) return false;
      } else {
        return fail(by, "'by' must be process_tree, container or a list of fields");
      }
      if (!duration("within", out.within_ns)) return false;
    }
    if (kind == "sequence") {
      out.kind = StatefulKind::Sequence;
      const YAML::Node steps = spec["steps"];
      if (!steps.IsSequence() || steps.size() < 2 || steps.size() > 8) {
        return fail(steps, "'steps' must be a list of 2 to 8 steps");
      }
      for (const auto& step : steps) {
        if (!step.IsMap()) return fail(step, "a step must be a map with a 'condition'");
        if (!condition(step)) return false;
      }
    } else if (kind == "count") {
      out.kind = StatefulKind::Count;
      if (!condition(spec)) return false;
      if (spec["distinct"]) {
        std::vector<std::string> fields;
        if (!fieldList(spec["distinct"], "distinct", name, fields)) return false;
        if (fields.size() != 1) return fail(spec["distinct"], "'distinct' names one field");
        out.distinct = fields.front();
      }
      const YAML::Node threshold = spec["threshold"];
      const std::string text = threshold.IsScalar() ? threshold.Scalar() : "";
      if (text.empty() || text.size() > 5 ||
          !std::all_of(text.begin(), text.end(),
                       [](unsigned char c) { return std::isdigit(c) != 0; }) ||
          std::stoul(text) < 1 || std::stoul(text) > 10000) {
        return fail(threshold, "'threshold' must be a whole number from 1 to 10000");
      }
      out.threshold = std::stoul(text);
    } else {
      out.kind = StatefulKind::FirstSeen;
      if (!condition(spec)) return false;
      if (!fieldList(spec["key"], "key", name, out.key) ||
          !fieldList(spec["value"], "value", name, out.value) || !duration("learn", out.learn_ns)) {
        return false;
      }
    }
    for (std::size_t i = 0; i < out.steps.size(); ++i) {
      rule.condition += (i == 0 ? "(" : " or (") + out.steps[i] + ")";
    }
    return true;
  }

  bool readTags(const YAML::Node& item, const std::string& name, std::vector<std::string>& out) {
    return readStrings(item, "tags", name, out);
  }

  bool readStrings(const YAML::Node& item, const std::string& key, const std::string& name,
                   std::vector<std::string>& out) {
    const YAML::Node values = item[key];
    if (!values) return true;
    const std::string message = fmt::format("'{}' must be a list of strings", key);
    if (!values.IsSequence()) {
      error("rule", name, at(values), "LOAD_ERR_YAML_VALIDATE", message);
      return false;
    }
    for (const auto& value : values) {
      if (!value.IsScalar()) {
        error("rule", name, at(value), "LOAD_ERR_YAML_VALIDATE", message);
        return false;
      }
      out.push_back(value.Scalar());
    }
    return true;
  }

  // A value of an exception row: a scalar, or a nested list written `(a, b)`; items with a
  // blank are quoted as list items are.
  static std::string exceptionValue(const YAML::Node& value) {
    const auto quote = [](const std::string& v) {
      const bool blank = v.find_first_of(" \t") != std::string::npos;
      const bool quoted =
          v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front();
      return blank && !quoted ? "\"" + v + "\"" : v;
    };
    if (value.IsScalar()) return quote(value.Scalar());
    std::string out = "(";
    for (const auto& element : value) {
      if (out.size() > 1) out += ", ";
      out += element.IsScalar() ? quote(element.Scalar()) : std::string("\"\"");
    }
    return out + ")";
  }

  // `exceptions:` of a rule item into `out`. With `existing` (an append), an entry whose name
  // the rule already has adds its values to it; a new name must be a whole definition.
  bool readExceptions(const YAML::Node& item, const std::string& rule,
                      std::vector<ExceptionItem>* existing, std::vector<ExceptionItem>& out) {
    const YAML::Node list = item["exceptions"];
    if (!list) return true;
    if (!list.IsSequence()) {
      error("rule", rule, at(list), "LOAD_ERR_YAML_VALIDATE", "'exceptions' must be a list");
      return false;
    }
    for (const auto& entry : list) {
      if (!entry.IsMap() || !entry["name"] || !entry["name"].IsScalar()) {
        error("exception", "", at(entry), "LOAD_ERR_YAML_VALIDATE", "an exception needs a name");
        return false;
      }
      const std::string name = entry["name"].Scalar();
      ExceptionItem* into = nullptr;
      if (existing != nullptr) {
        for (auto& known : *existing) {
          if (known.name == name) into = &known;
        }
      }
      if (into != nullptr) {
        // An append of values to an exception of the rule.
        std::vector<ExceptionItem> values;
        ExceptionItem shape = *into;
        shape.values.clear();
        if (!readValues(entry, rule, shape)) return false;
        into->values.insert(into->values.end(), shape.values.begin(), shape.values.end());
        continue;
      }
      ExceptionItem exception;
      exception.name = name;
      exception.at = at(entry);
      const YAML::Node fields = entry["fields"];
      if (!fields || (!fields.IsScalar() && !fields.IsSequence())) {
        error("exception", name, at(entry),
              existing != nullptr ? "LOAD_ERR_VALIDATE" : "LOAD_ERR_YAML_VALIDATE",
              "an exception needs 'fields' (a field or a list of fields)");
        return false;
      }
      exception.list_form = fields.IsSequence();
      if (exception.list_form) {
        for (const auto& field : fields) {
          if (!field.IsScalar()) {
            error("exception", name, at(field), "LOAD_ERR_YAML_VALIDATE",
                  "'fields' must hold field names");
            return false;
          }
          exception.fields.push_back(field.Scalar());
        }
      } else {
        exception.fields.push_back(fields.Scalar());
      }
      const YAML::Node comps = entry["comps"];
      if (!comps) {
        exception.comps.assign(exception.fields.size(), exception.list_form ? "=" : "in");
      } else if (comps.IsScalar()) {
        exception.comps.push_back(comps.Scalar());
      } else if (comps.IsSequence()) {
        for (const auto& comp : comps) {
          exception.comps.push_back(comp.IsScalar() ? comp.Scalar() : std::string());
        }
      }
      if (exception.comps.size() != exception.fields.size()) {
        error("exception", name, at(entry), "LOAD_ERR_VALIDATE",
              "'fields' and 'comps' must have the same length");
        return false;
      }
      for (const auto& comp : exception.comps) {
        const bool scalar_ok = comp == "in" || comp == "pmatch" || comp == "intersects";
        if (!kComparisons.contains(comp) || (!exception.list_form && !scalar_ok)) {
          error("exception", name, at(entry), "LOAD_ERR_VALIDATE",
                fmt::format("'{}' is not an operator an exception can use", comp));
          return false;
        }
      }
      if (!readValues(entry, rule, exception)) return false;
      out.push_back(std::move(exception));
    }
    return true;
  }

  bool readValues(const YAML::Node& entry, const std::string& rule, ExceptionItem& exception) {
    (void)rule;
    const YAML::Node values = entry["values"];
    if (!values) return true;
    if (!values.IsSequence()) {
      error("exception", exception.name, at(values), "LOAD_ERR_YAML_VALIDATE",
            "'values' must be a list");
      return false;
    }
    if (!exception.list_form) {
      std::vector<std::string> row;
      for (const auto& value : values) row.push_back(exceptionValue(value));
      exception.values.push_back(std::move(row));
      return true;
    }
    for (const auto& value : values) {
      if (!value.IsSequence() || value.size() != exception.fields.size()) {
        error("exception", exception.name, at(value), "LOAD_ERR_VALIDATE",
              "each row of 'values' must have one value per field");
        return false;
      }
      std::vector<std::string> row;
      for (const auto& element : value) row.push_back(exceptionValue(element));
      exception.values.push_back(std::move(row));
    }
    return true;
  }

  void appendTo(RuleItem& rule, const YAML::Node& item, const std::string& name,
                const std::set<std::string, std::less<>>& keys) {
    std::string text;
    if (keys.contains("condition") && scalarKey(item, "condition", "rule", name, text)) {
      SourceText part = sourceOf(item["condition"]);
      part.start = rule.condition.size() + 1;
      rule.condition += " " + text;
      rule.condition_sources.push_back(part);
    }
    if (keys.contains("output") && scalarKey(item, "output", "rule", name, text)) {
      rule.output += " " + text;
    }
    if (keys.contains("desc") && scalarKey(item, "desc", "rule", name, text)) {
      rule.desc += " " + text;
    }
    if (keys.contains("tags")) readTags(item, name, rule.tags);
    if (keys.contains("exceptions") && item["exceptions"]) {
      readExceptions(item, name, &rule.exceptions, rule.exceptions);
    }
  }

  void replaceIn(RuleItem& rule, const YAML::Node& item, const std::string& name,
                 const std::map<std::string, std::string, std::less<>>& how) {
    const auto replaces = [&](std::string_view key) {
      const auto found = how.find(key);
      return found != how.end() && found->second == "replace";
    };
    std::string text;
    if (replaces("condition") && scalarKey(item, "condition", "rule", name, text)) {
      rule.condition = text;
      rule.condition_sources = {sourceOf(item["condition"])};
    }
    if (replaces("output") && scalarKey(item, "output", "rule", name, text)) rule.output = text;
    if (replaces("desc") && scalarKey(item, "desc", "rule", name, text)) rule.desc = text;
    if (replaces("priority") && scalarKey(item, "priority", "rule", name, text) &&
        !parsePriority(text, rule.priority)) {
      error("rule", name, at(item["priority"]), "LOAD_ERR_YAML_VALIDATE",
            fmt::format("unknown priority '{}'", text));
    }
    if (replaces("enabled") && scalarKey(item, "enabled", "rule", name, text)) {
      rule.enabled = text == "true";
    }
    if (replaces("tags")) {
      rule.tags.clear();
      readTags(item, name, rule.tags);
    }
    if (replaces("exceptions")) {
      rule.exceptions.clear();
      readExceptions(item, name, nullptr, rule.exceptions);
    }
  }

  std::string_view text_;
  const std::string& file_;
  RulesSource& source_;
  LoadResult& result_;
  std::size_t line_base_ = 0;  // of the document being read
  std::size_t pos_base_ = 0;
};

// The file position of byte `offset` of a condition value: the value's characters are found
// again in the document after its start (folded line breaks and indentation are skipped).
Location locatePart(const SourceText& source, std::string_view value, std::size_t offset) {
  Location out = source.at;
  if (source.document.empty() || source.value_pos >= source.document.size()) return out;
  std::size_t pos = source.value_pos;
  const std::string_view doc = source.document;
  if (doc[pos] == '|' || doc[pos] == '>') {
    const std::size_t newline = doc.find('\n', pos);
    if (newline == std::string_view::npos) return out;
    pos = newline + 1;
  } else if (doc[pos] == '"' || doc[pos] == '\'') {
    ++pos;
  }
  std::size_t i = 0;
  while (i < offset && i < value.size() && pos < doc.size()) {
    if (doc[pos] == value[i]) {
      ++i;
      ++pos;
    } else if (doc[pos] == ' ' || doc[pos] == '\n' || doc[pos] == '\r' || doc[pos] == '\t') {
      ++pos;
    } else {
      ++i;
      ++pos;
    }
  }
  // Line and column of `pos`.
  const std::size_t line_start = doc.rfind('\n', pos == 0 ? 0 : pos - 1);
  out.line = static_cast<std::size_t>(
                 std::count(doc.begin(), doc.begin() + static_cast<std::ptrdiff_t>(pos), '\n')) +
             1;
  out.column = line_start == std::string_view::npos || pos == 0 ? pos + 1 : pos - line_start;
  return out;
}

// " and not (…)" per exception with values, as Falco writes them in text: list form
// `((f1 c1 v1 and f2 c2 v2) or (…))`, scalar form `(f c (v1, v2))`; a single value under a
// list operator is parenthesised so that a list name in it is substituted.
std::string exceptionsText(const std::vector<ExceptionItem>& exceptions) {
  const auto is_list_op = [](const std::string& comp) {
    return comp == "in" || comp == "intersects" || comp == "pmatch";
  };
  std::string out;
  for (const auto& exception : exceptions) {
    if (exception.values.empty()) continue;
    std::string expr;
    if (!exception.list_form) {
      if (exception.values.front().empty()) continue;
      std::string joined;
      for (const auto& value : exception.values.front()) {
        joined += (joined.empty() ? "" : ", ") + value;
      }
      expr = fmt::format("({} {} ({}))", exception.fields.front(), exception.comps.front(), joined);
    } else {
      for (const auto& row : exception.values) {
        std::string conj;
        for (std::size_t i = 0; i < row.size() && i < exception.fields.size(); ++i) {
          std::string value = row[i];
          if (is_list_op(exception.comps[i]) && !value.starts_with("(")) value = "(" + value + ")";
          conj += fmt::format("{}{} {} {}", conj.empty() ? "" : " and ", exception.fields[i],
                              exception.comps[i], value);
        }
        expr += (expr.empty() ? "(" : " or (") + conj + ")";
      }
      expr = "(" + expr + ")";
    }
    out += " and not " + expr;
  }
  return out;
}

// The part of an appended-to condition that holds `offset`, located in its own file.
Location locate(const std::vector<SourceText>& parts, std::string_view value, std::size_t offset) {
  if (parts.empty()) return {};
  const SourceText* part = &parts.front();
  for (const auto& candidate : parts) {
    if (candidate.start <= offset) part = &candidate;
  }
  const std::size_t start = std::min(part->start, value.size());
  return locatePart(*part, value.substr(start), offset - std::min(offset, start));
}

}  // namespace

std::string_view toString(Priority priority) {
  return kPriorities.at(static_cast<std::size_t>(priority));
}

bool parsePriority(std::string_view text, Priority& out) {
  const std::string wanted = lower(text);
  if (wanted == "info") {
    out = Priority::Informational;
    return true;
  }
  for (std::size_t i = 0; i < kPriorities.size(); ++i) {
    if (lower(kPriorities[i]) == wanted) {
      out = static_cast<Priority>(i);
      return true;
    }
  }
  return false;
}

bool LoadResult::ok() const {
  return std::none_of(messages.begin(), messages.end(), [](const auto& m) { return m.error; });
}

void loadRulesText(std::string text, const std::string& file, RulesSource& source,
                   LoadResult& result) {
  source.texts.push_back(std::make_unique<std::string>(std::move(text)));
  Reader(*source.texts.back(), file, source, result).read();
}

std::string toString(const LoadMessage& message) {
  std::string where = message.at.file;
  if (message.at.line != 0) where += fmt::format(":{}:{}", message.at.line, message.at.column);
  std::string item = message.item_type;
  if (!message.item_name.empty()) item += fmt::format(" '{}'", message.item_name);
  return fmt::format("{}: {} {} {}: {}", where, message.error ? "error" : "warning", message.code,
                     item, message.text);
}

void loadRulesPath(const std::string& path, RulesSource& source, LoadResult& result) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> files;
  if (fs::is_directory(path, ec)) {
    for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      const auto extension = it->path().extension();
      if ((extension == ".yaml" || extension == ".yml") && it->is_regular_file(ec)) {
        files.push_back(it->path());
      }
    }
    std::sort(files.begin(), files.end());
    if (ec) {
      result.messages.push_back({true,
                                 "LOAD_ERR_FILE_READ",
                                 "rules content",
                                 "",
                                 {path, 0, 0},
                                 fmt::format("cannot list the directory: {}", ec.message())});
      return;
    }
  } else {
    files.emplace_back(path);
  }
  for (const auto& file : files) {
    const std::string name = file.string();
    const auto size = fs::file_size(file, ec);
    if (ec) {
      result.messages.push_back({true,
                                 "LOAD_ERR_FILE_READ",
                                 "rules content",
                                 "",
                                 {name, 0, 0},
                                 fmt::format("cannot read the file: {}", ec.message())});
      continue;
    }
    if (size > kMaxRulesFileBytes) {
      result.messages.push_back(
          {true,
           "LOAD_ERR_FILE_READ",
           "rules content",
           "",
           {name, 0, 0},
           fmt::format("the file is larger than {} bytes", kMaxRulesFileBytes)});
      continue;
    }
    std::ifstream in(file, std::ios::binary);
    std::string text(static_cast<std::size_t>(size), '\0');
    if (!in.read(text.data(), static_cast<std::streamsize>(size))) {
      result.messages.push_back(
          {true, "LOAD_ERR_FILE_READ", "rules content", "", {name, 0, 0}, "cannot read the file"});
      continue;
    }
    loadRulesText(std::move(text), name, source, result);
  }
}

std::vector<CompiledRule> compileRules(const RulesSource& source, LoadResult& result) {
  std::vector<ListDef> defs;
  defs.reserve(source.lists.size());
  for (const auto& list : source.lists) defs.push_back({list.name, list.items});
  const auto flat = flattenLists(defs);
  std::set<std::string, std::less<>> used_lists;
  // Lists named inside earlier-declared lists' items count as used.
  for (std::size_t i = 0; i < source.lists.size(); ++i) {
    for (const auto& item : source.lists[i].items) {
      for (std::size_t j = 0; j < i; ++j) {
        if (source.lists[j].name == item) used_lists.insert(item);
      }
    }
  }
  const auto report = [&](bool is_error, const char* type, const std::string& name, Location where,
                          const char* code, std::string text) {
    result.messages.push_back({is_error, code, type, name, std::move(where), std::move(text)});
  };
  // Substitutes and parses; a parse error is reported at its file position.
  // `text` is the condition, or for a rule with exceptions "(" + condition + ") and not (…)":
  // `shift` bytes precede the condition and offsets past it fall in the exceptions.
  const auto compile = [&](const char* type, const std::string& name, const std::string& text,
                           const std::vector<SourceText>& where, std::size_t shift = 0,
                           std::size_t condition_size = std::string::npos,
                           const Location* exceptions_at = nullptr) -> std::unique_ptr<Node> {
    const std::string_view condition =
        std::string_view(text).substr(std::min(shift, text.size()), condition_size);
    const auto position = [&](std::size_t offset) {
      if (exceptions_at != nullptr && offset >= shift + condition.size()) return *exceptions_at;
      return locate(where, condition, offset - std::min(offset, shift));
    };
    bool truncated = false;
    const Substituted out = substituteLists(text, flat, kMaxConditionBytes, truncated);
    used_lists.insert(out.used.begin(), out.used.end());
    if (truncated) {
      report(true, type, name, position(0), "LOAD_ERR_COMPILE_CONDITION",
             fmt::format("the condition grows past {} bytes once lists are substituted",
                         kMaxConditionBytes));
      return nullptr;
    }
    auto node = parseCondition(out.text);
    if (!node) {
      report(true, type, name, position(out.originOf(node.error().offset, text.size())),
             "LOAD_ERR_COMPILE_CONDITION", node.error().message);
      return nullptr;
    }
    return std::move(*node);
  };

  MacroTable macros;
  std::map<std::string, const MacroItem*, std::less<>> macro_items;
  for (const auto& macro : source.macros) {
    macros.add(macro.name, compile("macro", macro.name, macro.condition, macro.condition_sources));
    macro_items[macro.name] = &macro;
  }
  for (const auto& problem : macros.resolve()) {
    const MacroItem* item = macro_items.at(problem.macro);
    report(true, "macro", problem.macro,
           locate(item->condition_sources, item->condition, problem.offset), "LOAD_ERR_VALIDATE",
           problem.message);
  }

  std::vector<CompiledRule> out;
  for (const auto& rule : source.rules) {
    if (!rule.enabled) continue;
    const std::string exceptions = exceptionsText(rule.exceptions);
    if (rule.stateful.kind != StatefulKind::None) {
      // Each step as a condition (the exceptions apply to every step); the rule's condition is
      // their `or`, for the index.
      CompiledRule compiled;
      compiled.item = &rule;
      auto any = std::make_unique<Node>();
      any->kind = NodeKind::Or;
      bool ok = true;
      for (std::size_t i = 0; i < rule.stateful.steps.size() && ok; ++i) {
        const std::string& text = rule.stateful.steps[i];
        const auto& where = rule.stateful.step_sources[i];
        auto step = exceptions.empty()
                        ? compile("rule", rule.name, text, where)
                        : compile("rule", rule.name, "(" + text + ")" + exceptions, where, 1,
                                  text.size(), &rule.exceptions.front().at);
        if (!step) {
          ok = false;
          break;
        }
        if (auto expanded = macros.expand(step); !expanded) {
          report(true, "rule", rule.name, locate(where, text, expanded.error().offset),
                 "LOAD_ERR_VALIDATE", expanded.error().message);
          ok = false;
          break;
        }
        any->children.push_back(clone(*step));
        compiled.steps.push_back(std::move(step));
      }
      if (!ok) continue;
      compiled.condition = std::move(any);
      compiled.output = parseOutput(rule.output);
      for (const auto& warning : compiled.output.warnings) {
        report(false, "rule", rule.name, rule.at, "LOAD_DEPRECATED_ITEM", warning);
      }
      out.push_back(std::move(compiled));
      continue;
    }
    auto condition = exceptions.empty()
                         ? compile("rule", rule.name, rule.condition, rule.condition_sources)
                         : compile("rule", rule.name, "(" + rule.condition + ")" + exceptions,
                                   rule.condition_sources, 1, rule.condition.size(),
                                   &rule.exceptions.front().at);
    if (!condition) continue;
    if (auto expanded = macros.expand(condition); !expanded) {
      report(true, "rule", rule.name,
             locate(rule.condition_sources, rule.condition, expanded.error().offset),
             "LOAD_ERR_VALIDATE", expanded.error().message);
      continue;
    }
    CompiledRule compiled;
    compiled.item = &rule;
    compiled.condition = std::move(condition);
    compiled.output = parseOutput(rule.output);
    for (const auto& warning : compiled.output.warnings) {
      report(false, "rule", rule.name, rule.at, "LOAD_DEPRECATED_ITEM", warning);
    }
    out.push_back(std::move(compiled));
  }
  for (const auto& name : macros.unused()) {
    report(false, "macro", name, macro_items.at(name)->at, "LOAD_UNUSED_MACRO",
           "no rule or macro uses this macro");
  }
  for (const auto& list : source.lists) {
    if (!used_lists.contains(list.name)) {
      report(false, "list", list.name, list.at, "LOAD_UNUSED_LIST",
             "no rule, macro or list uses this list");
    }
  }
  return out;
}

}  // namespace bulwark::rules
