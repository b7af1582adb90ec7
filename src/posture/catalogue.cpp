// The posture catalogue loader (catalogue.h documents the file).
#include "posture/catalogue.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/sha256.h"
#include "core/yaml_fields.h"

namespace bulwark::posture {

namespace {

constexpr std::string_view kKind = "posture.invalid-catalogue";
constexpr std::size_t kMaxCatalogueBytes = std::size_t{1} << 20;
constexpr double kMaxControlScore = 1000;

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isUpperOrDigit(char c) { return isUpper(c) || isDigit(c); }

template <class Predicate>
bool allOf(std::string_view text, Predicate predicate) {
  return !text.empty() && std::all_of(text.begin(), text.end(), predicate);
}

// "CTL-PRIV"
bool isControlId(std::string_view id) {
  return id.starts_with("CTL-") && allOf(id.substr(4), isUpper);
}

// "BW-REC-010"
bool isRecommendationId(std::string_view id) {
  return id.starts_with("BW-REC-") && id.size() == 10 && allOf(id.substr(7), isDigit);
}

// "BW-DKR-505", "BW-RT-207": BW-, a family of upper-case letters and digits, -, a number.
bool isSourceId(std::string_view id) {
  if (!id.starts_with("BW-")) return false;
  const std::string_view rest = id.substr(3);
  const auto dash = rest.find('-');
  if (dash == std::string_view::npos) return false;
  return allOf(rest.substr(0, dash), isUpperOrDigit) && allOf(rest.substr(dash + 1), isDigit);
}

bool isRuleId(std::string_view id) { return isSourceId(id) && id.starts_with("BW-RT-"); }

}  // namespace

// Reads the YAML tree into a Catalogue, reporting every problem and going on.
class CatalogueLoader : core::YamlFields {
 public:
  CatalogueLoader(std::string_view source, core::Diagnostics& diagnostics)
      : core::YamlFields(source, kKind, diagnostics) {}

  core::Result<Catalogue> load(std::string_view text) {
    catalogue_.source_ = std::string(source());
    catalogue_.sha256_ = core::sha256Hex(text);
    if (text.size() > kMaxCatalogueBytes) {
      error({}, fmt::format("larger than {} bytes", kMaxCatalogueBytes));
    } else {
      try {
        const YAML::Node root = YAML::Load(std::string(text));
        if (root.IsMap()) {
          document(root);
        } else {
          error(root, "a catalogue is a mapping with controls, recommendations and unmapped");
        }
      } catch (const YAML::Exception& e) {
        errorAt(fmt::format("{}:{}:{}", source(), e.mark.line + 1, e.mark.column + 1), e.msg);
      }
    }
    if (errors() > 0) {
      return core::fail(core::ErrorCode::Input, "{} problem(s) in the posture catalogue, e.g. {}",
                        errors(), firstError());
    }
    return std::move(catalogue_);
  }

 private:
  // Every key of `node` is one of `known`.
  void onlyKeys(const YAML::Node& node, std::initializer_list<std::string_view> known,
                std::string_view what) {
    for (const auto& entry : node) {
      const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        error(entry.first, fmt::format("unknown {} field `{}`", what, key));
      }
    }
  }

  // The string at node[key]; empty (an error when `required`) when absent or not a string; a
  // required one must not be empty either.
  std::string scalar(const YAML::Node& node, std::string_view key, bool required) {
    std::string value = YamlFields::scalar(node, key, required);
    if (required && value.empty() && node[std::string(key)].IsScalar()) {
      error(node[std::string(key)], fmt::format("`{}` is empty", key));
    }
    return value;
  }

  // The strings of the list at node[key]; absent is an empty list.
  std::vector<std::pair<std::string, YAML::Node>> strings(const YAML::Node& node,
                                                          std::string_view key) {
    std::vector<std::pair<std::string, YAML::Node>> out;
    const YAML::Node value = node[std::string(key)];
    if (!value.IsDefined() || value.IsNull()) return out;
    if (!value.IsSequence()) {
      error(value, fmt::format("`{}` must be a list of strings", key));
      return out;
    }
    for (const auto& item : value) {
      if (!item.IsScalar() || item.Scalar().empty()) {
        error(item, fmt::format("`{}` must hold non-empty strings", key));
        continue;
      }
      out.emplace_back(item.Scalar(), item);
    }
    return out;
  }

  // A sequence of mappings at root[key], each handed to `each`.
  template <class Fn>
  void mappings(const YAML::Node& root, std::string_view key, bool required, Fn&& each) {
    const YAML::Node list = root[std::string(key)];
    if (!list.IsDefined() || list.IsNull()) {
      if (required) error(root, fmt::format("missing field `{}`", key));
      return;
    }
    if (!list.IsSequence()) {
      error(list, fmt::format("`{}` is a list", key));
      return;
    }
    for (const auto& item : list) {
      if (!item.IsMap()) {
        error(item, fmt::format("each of `{}` is a mapping", key));
        continue;
      }
      each(item);
    }
  }

  void document(const YAML::Node& root) {
    onlyKeys(root, {"controls", "recommendations", "unmapped"}, "catalogue");
    mappings(root, "controls", true, [&](const YAML::Node& node) { control(node); });
    mappings(root, "recommendations", true, [&](const YAML::Node& node) { recommendation(node); });
    mappings(root, "unmapped", false, [&](const YAML::Node& node) { unmapped(node); });
    for (const auto& c : catalogue_.controls_) {
      if (c.recommendations.empty()) {
        error(control_nodes_.at(c.id), fmt::format("control {} has no recommendation", c.id));
      }
    }
  }

  void control(const YAML::Node& node) {
    onlyKeys(node, {"id", "title", "max"}, "control");
    Control c;
    c.id = scalar(node, "id", true);
    c.title = scalar(node, "title", true);
    if (!c.id.empty() && !isControlId(c.id)) {
      error(node["id"], fmt::format("control id \"{}\" is not like CTL-PRIV", c.id));
    }
    const YAML::Node max = node["max"];
    if (!max.IsDefined() || !max.IsScalar() || !YAML::convert<double>::decode(max, c.max) ||
        !std::isfinite(c.max) || c.max <= 0 || c.max > kMaxControlScore) {
      error(max.IsDefined() ? max : node,
            fmt::format("`max` is a number above 0 and at most {}", kMaxControlScore));
    }
    if (c.id.empty()) return;
    if (catalogue_.control_index_.count(c.id) != 0) {
      error(node["id"], fmt::format("control {} is listed twice", c.id));
      return;
    }
    control_nodes_.emplace(c.id, node);
    catalogue_.control_index_.emplace(c.id, catalogue_.controls_.size());
    catalogue_.controls_.push_back(std::move(c));
  }

  void recommendation(const YAML::Node& node) {
    onlyKeys(node,
             {"id", "title", "control", "severity", "resource_types", "description", "remediation",
              "sources"},
             "recommendation");
    Recommendation r;
    r.id = scalar(node, "id", true);
    if (!r.id.empty() && !isRecommendationId(r.id)) {
      error(node["id"], fmt::format("recommendation id \"{}\" is not like BW-REC-010", r.id));
    }
    r.title = scalar(node, "title", true);
    r.description = scalar(node, "description", true);
    r.control = scalar(node, "control", true);
    if (!r.control.empty() && catalogue_.control_index_.count(r.control) == 0) {
      error(node["control"], fmt::format("unknown control {}", r.control));
    }
    const std::string severity = scalar(node, "severity", true);
    static constexpr std::pair<std::string_view, model::Severity> kSeverities[] = {
        {"low", model::Severity::Low},
        {"medium", model::Severity::Medium},
        {"high", model::Severity::High},
        {"critical", model::Severity::Critical}};
    const auto* level = std::find_if(std::begin(kSeverities), std::end(kSeverities),
                                     [&](const auto& entry) { return entry.first == severity; });
    if (level != std::end(kSeverities)) {
      r.severity = level->second;
    } else if (!severity.empty()) {
      error(node["severity"], "severity is low, medium, high or critical");
    }
    for (const auto& [name, item] : strings(node, "resource_types")) {
      const auto type = model::parseResourceType(name);
      if (!type) {
        error(item, fmt::format("unknown resource type \"{}\"", name));
      } else if (std::find(r.resource_types.begin(), r.resource_types.end(), *type) !=
                 r.resource_types.end()) {
        error(item, fmt::format("resource type {} is listed twice", name));
      } else {
        r.resource_types.push_back(*type);
      }
    }
    if (r.resource_types.empty()) error(node, "`resource_types` names at least one type");
    for (auto& [step, item] : strings(node, "remediation")) r.remediation.push_back(step);
    if (r.remediation.empty()) error(node, "`remediation` lists at least one step");
    sources(node, r);
    if (r.id.empty()) return;
    if (catalogue_.recommendation_index_.count(r.id) != 0) {
      error(node["id"], fmt::format("recommendation {} is listed twice", r.id));
      return;
    }
    const std::size_t index = catalogue_.recommendations_.size();
    for (const auto& id : r.checks) addSource(id, model::SourceKind::Check, index);
    for (const auto& id : r.rules) addSource(id, model::SourceKind::Rule, index);
    for (const auto& id : r.derived) addSource(id, model::SourceKind::Derived, index);
    if (const auto it = catalogue_.control_index_.find(r.control);
        it != catalogue_.control_index_.end()) {
      catalogue_.controls_[it->second].recommendations.push_back(r.id);
    }
    catalogue_.recommendation_index_.emplace(r.id, index);
    catalogue_.recommendations_.push_back(std::move(r));
  }

  void sources(const YAML::Node& node, Recommendation& r) {
    const YAML::Node sources = node["sources"];
    if (!sources.IsDefined() || !sources.IsMap()) {
      error(sources.IsDefined() ? sources : node,
            "`sources` is a mapping with checks, rules and derived");
      return;
    }
    onlyKeys(sources, {"checks", "rules", "derived"}, "sources");
    for (auto& [id, item] : strings(sources, "checks")) {
      if (!isSourceId(id) || isRuleId(id)) {
        error(item, fmt::format("\"{}\" is not a check id like BW-DKR-505", id));
      } else if (remember(id, item)) {
        r.checks.push_back(id);
      }
    }
    for (auto& [id, item] : strings(sources, "rules")) {
      if (!isRuleId(id)) {
        error(item, fmt::format("\"{}\" is not a rule id like BW-RT-207", id));
      } else if (remember(id, item)) {
        r.rules.push_back(id);
      }
    }
    for (auto& [id, item] : strings(sources, "derived")) {
      if (std::find(std::begin(kDerivedSources), std::end(kDerivedSources), id) ==
          std::end(kDerivedSources)) {
        error(item, fmt::format("unknown derived source \"{}\" (known: vuln:severe, vuln:fixable, "
                                "vuln:running, scan, runtime, sensor)",
                                id));
      } else if (remember(id, item)) {
        r.derived.push_back(id);
      }
    }
    if (r.checks.empty() && r.rules.empty() && r.derived.empty()) {
      error(sources, "`sources` names at least one check, rule or derived source");
    }
  }

  // Whether `id` is seen for the first time in the whole file (an error otherwise).
  bool remember(const std::string& id, const YAML::Node& item) {
    const auto [it, inserted] = seen_.emplace(id, item);
    if (!inserted) {
      error(item, fmt::format("{} is already listed at line {}: each source feeds one "
                              "recommendation or is unmapped",
                              id, it->second.Mark().line + 1));
    }
    return inserted;
  }

  void addSource(const std::string& id, model::SourceKind kind, std::size_t recommendation) {
    Catalogue::SourceEntry entry;
    entry.kind = kind;
    entry.recommendation = recommendation;
    catalogue_.sources_.emplace(id, entry);
  }

  void unmapped(const YAML::Node& node) {
    onlyKeys(node, {"ids", "reason"}, "unmapped");
    Unmapped u;
    u.reason = scalar(node, "reason", true);
    const std::size_t index = catalogue_.unmapped_.size();
    const auto ids = strings(node, "ids");
    if (ids.empty()) error(node, "`ids` lists at least one check or rule id");
    for (const auto& [id, item] : ids) {
      if (!isSourceId(id)) {
        error(item, fmt::format("\"{}\" is not a check or rule id", id));
      } else if (remember(id, item)) {
        Catalogue::SourceEntry entry;
        entry.kind = isRuleId(id) ? model::SourceKind::Rule : model::SourceKind::Check;
        entry.unmapped = true;
        entry.unmapped_index = index;
        catalogue_.sources_.emplace(id, entry);
        u.ids.push_back(id);
      }
    }
    catalogue_.unmapped_.push_back(std::move(u));
  }

  Catalogue catalogue_;
  std::map<std::string, YAML::Node, std::less<>> control_nodes_;
  std::map<std::string, YAML::Node, std::less<>> seen_;
};

const Control* Catalogue::control(std::string_view id) const {
  const auto it = control_index_.find(id);
  return it == control_index_.end() ? nullptr : &controls_[it->second];
}

const Recommendation* Catalogue::recommendation(std::string_view id) const {
  const auto it = recommendation_index_.find(id);
  return it == recommendation_index_.end() ? nullptr : &recommendations_[it->second];
}

SourceRef Catalogue::source(std::string_view id) const {
  SourceRef ref;
  const auto it = sources_.find(id);
  if (it == sources_.end()) return ref;
  ref.kind = it->second.kind;
  if (it->second.unmapped) {
    ref.unmapped = &unmapped_[it->second.unmapped_index];
  } else {
    ref.recommendation = &recommendations_[it->second.recommendation];
  }
  return ref;
}

double Catalogue::maxTotal() const {
  double total = 0;
  for (const auto& c : controls_) total += c.max;
  return total;
}

core::Result<Catalogue> loadCatalogue(std::string_view text, std::string_view source,
                                      core::Diagnostics& diagnostics) {
  return CatalogueLoader(source, diagnostics).load(text);
}

core::Result<Catalogue> builtinCatalogue() {
  for (const auto& file : builtinCatalogueFiles()) {
    if (file.path != "posture/catalogue.yaml") continue;
    core::Diagnostics diagnostics;
    return loadCatalogue(file.content, file.path, diagnostics);
  }
  return core::fail(core::ErrorCode::Internal, "posture/catalogue.yaml is not embedded");
}

}  // namespace bulwark::posture
