// Loading checks from YAML (check.h documents the format; docs/checks.md in full).
#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include "checks/check.h"
#include "checks/docker/json_path.h"
#include "core/text.h"
#include "core/yaml_fields.h"

namespace bulwark::checks {

namespace {

constexpr std::size_t kMaxCheckBytes = std::size_t{256} * 1024;
constexpr int kMaxGroupDepth = 8;  // any:/all: nesting

class Loader : core::YamlFields {
 public:
  Loader(std::string_view source, core::Diagnostics& diagnostics)
      : core::YamlFields(source, "checks.invalid-check", diagnostics) {}

  std::optional<Check> load(std::string_view text) {
    if (text.size() > kMaxCheckBytes) {
      error({}, fmt::format("larger than {} bytes", kMaxCheckBytes));
      return std::nullopt;
    }
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
      if (!root.IsMap()) {
        error(root, "a check is a mapping of fields");
        return std::nullopt;
      }
      Check check = document(root);
      if (errors() > 0) return std::nullopt;
      return check;
    } catch (const YAML::Exception& e) {
      diagnostics().add("checks.invalid-yaml",
                        fmt::format("{}:{}:{}", source(), e.mark.line + 1, e.mark.column + 1),
                        e.msg);
    } catch (const std::exception& e) {
      diagnostics().add("checks.invalid-yaml", std::string(source()), e.what());
    }
    return std::nullopt;
  }

 private:
  std::shared_ptr<const re2::RE2> regex(const YAML::Node& node, const std::string& pattern) {
    RE2::Options options;
    options.set_log_errors(false);
    auto compiled = std::make_shared<const RE2>(pattern, options);
    if (!compiled->ok()) {
      error(node, fmt::format("bad regular expression \"{}\": {}", pattern, compiled->error()));
      return nullptr;
    }
    return compiled;
  }

  model::CheckStatus outcome(const YAML::Node& node, std::string_view key,
                             model::CheckStatus fallback) {
    const std::string text = scalar(node, key, false);
    if (text.empty()) return fallback;
    if (text == "pass") return model::CheckStatus::Pass;
    if (text == "fail") return model::CheckStatus::Fail;
    if (text == "not-applicable") return model::CheckStatus::NotApplicable;
    if (text == "not-evaluated") return model::CheckStatus::NotEvaluated;
    if (text == "manual") return model::CheckStatus::Manual;
    error(node[std::string(key)],
          fmt::format("`{}` is one of pass, fail, not-applicable, not-evaluated, manual", key));
    return fallback;
  }

  // `input` receives the name of a `value: "{{name}}"` input; nullptr: inputs not allowed.
  std::optional<Comparison> comparison(const YAML::Node& node, std::string* input) {
    static constexpr std::pair<std::string_view, Op> kOps[] = {
        {"eq", Op::Eq},           {"ne", Op::Ne},
        {"lt", Op::Lt},           {"gt", Op::Gt},
        {"has", Op::Has},         {"not-has", Op::NotHas},
        {"regex", Op::Regex},     {"not-regex", Op::NotRegex},
        {"bitmask", Op::Bitmask}, {"mode-at-most", Op::Bitmask},
        {"in-set", Op::InSet},    {"not-in-set", Op::NotInSet},
        {"set", Op::Set},         {"unset", Op::Unset}};
    const std::string name = scalar(node, "compare", true);
    const auto* found = std::find_if(std::begin(kOps), std::end(kOps),
                                     [&](const auto& entry) { return entry.first == name; });
    if (found == std::end(kOps)) {
      if (!name.empty()) error(node["compare"], fmt::format("unknown comparison \"{}\"", name));
      return std::nullopt;
    }
    Comparison c;
    c.op = found->second;
    c.mode_at_most = name == "mode-at-most";
    const YAML::Node value = node["value"];
    c.values = strings(value, "value", true);
    if (node["case_insensitive"].IsDefined()) {
      c.case_insensitive = scalar(node, "case_insensitive", false) == "true";
    }
    const bool needs_value = c.op != Op::Set && c.op != Op::Unset;
    if (needs_value && c.values.empty()) {
      error(node, fmt::format("`{}` needs a `value`", name));
      return std::nullopt;
    }
    static const RE2 kInput(R"(\{\{\s*([A-Za-z0-9_.-]+)\s*\}\})");
    std::string input_name;
    for (const auto& v : c.values) {
      std::string matched;
      if (!RE2::FullMatch(v, kInput, &matched)) continue;
      if (input == nullptr || c.values.size() != 1) {
        error(value, input == nullptr ? "an input (\"{{name}}\") is not allowed here"
                                      : "an input (\"{{name}}\") is the whole `value`");
        return std::nullopt;
      }
      input_name = matched;
    }
    if (!input_name.empty()) {
      if (c.op == Op::Bitmask) {
        error(value, fmt::format("`{}` cannot take an input", name));
        return std::nullopt;
      }
      *input = input_name;
      return c;  // compiled once the input is known (evaluate.cpp)
    }
    if (const std::string problem = c.compile(); !problem.empty()) {
      error(value.IsDefined() ? value : node, problem);
      return std::nullopt;
    }
    return c;
  }

  void params(const YAML::Node& node, Test& test) {
    static const std::vector<std::string_view> kTestKeys = {
        "probe",  "compare", "value",        "case_insensitive", "select",   "missing",
        "absent", "unknown", "if_collected", "expected",         "evidence", "k8s_versions"};
    for (const auto& entry : node) {
      const std::string key = entry.first.as<std::string>();
      if (std::find(kTestKeys.begin(), kTestKeys.end(), key) != kTestKeys.end()) continue;
      const auto spec = std::find_if(test.probe->params.begin(), test.probe->params.end(),
                                     [&](const ParamSpec& p) { return p.name == key; });
      if (spec == test.probe->params.end()) {
        error(entry.first, fmt::format("probe `{}` has no parameter `{}`", test.probe->kind, key));
        continue;
      }
      const YAML::Node& value = entry.second;
      switch (spec->type) {
        case ParamType::String: {
          const std::string text = scalar(node, key, true);
          if (!spec->choices.empty() &&
              std::find(spec->choices.begin(), spec->choices.end(), text) == spec->choices.end()) {
            error(value, fmt::format("`{}` cannot be \"{}\"", key, text));
          }
          test.params.set(key, text);
          break;
        }
        case ParamType::StringList: {
          auto items = strings(value, key, true);
          for (const auto& item : items) {
            if (!spec->choices.empty() && std::find(spec->choices.begin(), spec->choices.end(),
                                                    item) == spec->choices.end()) {
              error(value, fmt::format("`{}` cannot hold \"{}\"", key, item));
            }
          }
          test.params.set(key, std::move(items));
          break;
        }
        case ParamType::Regex: {
          auto compiled = regex(value, scalar(node, key, true));
          if (compiled) test.params.set(key, std::move(compiled));
          break;
        }
        case ParamType::Integer: {
          const auto parsed = core::parseUnsigned(scalar(node, key, true));
          if (!parsed || *parsed > (1ULL << 40)) {
            error(value, fmt::format("`{}` must be a non-negative number", key));
          } else {
            test.params.set(key, static_cast<std::int64_t>(*parsed));
          }
          break;
        }
        case ParamType::Boolean: {
          const std::string text = scalar(node, key, true);
          if (text != "true" && text != "false") {
            error(value, fmt::format("`{}` must be true or false", key));
          }
          test.params.set(key, text == "true");
          break;
        }
        case ParamType::Path: {
          const std::string text = scalar(node, key, true);
          if (text.empty()) break;
          auto compiled = docker::JsonPath::compile(text);
          if (!compiled) {
            error(value, fmt::format("`{}` is not a JSON path: {}", key, compiled.error().message));
          } else {
            test.params.set(key, std::make_shared<const docker::JsonPath>(std::move(*compiled)));
          }
          break;
        }
      }
    }
    for (const auto& spec : test.probe->params) {
      if (spec.required && !test.params.has(spec.name)) {
        error(node, fmt::format("probe `{}` needs `{}`", test.probe->kind, spec.name));
      }
    }
  }

  bool flagField(const YAML::Node& node, std::string_view key) {
    const std::string text = scalar(node, key, false);
    if (text.empty() || text == "false") return false;
    if (text != "true") error(node[std::string(key)], fmt::format("`{}` is true or false", key));
    return text == "true";
  }

  static bool onlyEvidence(const std::vector<Test>& tests) {
    return !tests.empty() &&
           std::all_of(tests.begin(), tests.end(), [](const Test& t) { return t.evidence; });
  }

  // A list of tests (`tests:`, `applies_when:`, a group's children).
  std::vector<Test> testList(const YAML::Node& list, int depth) {
    std::vector<Test> out;
    for (const auto& node : list) {
      if (auto test = testOf(node, depth)) out.push_back(std::move(*test));
    }
    return out;
  }

  std::optional<Test> testOf(const YAML::Node& node, int depth = 0) {
    if (!node.IsMap()) {
      error(node, "a test is a mapping");
      return std::nullopt;
    }
    Test test;
    if (node["any"].IsDefined() || node["all"].IsDefined()) {
      const bool any = node["any"].IsDefined();
      const YAML::Node children = node[any ? "any" : "all"];
      if (node.size() != 1) {
        error(node, "a group is a mapping with only `any` or `all`");
        return std::nullopt;
      }
      if (depth >= kMaxGroupDepth) {
        error(node, fmt::format("groups nest at most {} deep", kMaxGroupDepth));
        return std::nullopt;
      }
      if (!children.IsSequence() || children.size() == 0) {
        error(children, fmt::format("`{}` is a non-empty list of tests", any ? "any" : "all"));
        return std::nullopt;
      }
      test.group = any ? Test::Group::Any : Test::Group::All;
      test.children = testList(children, depth + 1);
      if (test.children.empty()) return std::nullopt;
      if (onlyEvidence(test.children)) {
        error(node,
              fmt::format("`{}` needs a test that is not `evidence: true`", any ? "any" : "all"));
      }
      return test;
    }
    const std::string kind = scalar(node, "probe", true);
    test.probe = findProbe(kind);
    if (test.probe == nullptr) {
      if (!kind.empty()) error(node["probe"], fmt::format("unknown probe kind \"{}\"", kind));
      return std::nullopt;
    }
    params(node, test);
    auto compare = comparison(node, &test.input);
    if (!compare) return std::nullopt;
    if (!test.input.empty()) {
      if (const auto it = input_defaults_.find(test.input); it != input_defaults_.end()) {
        test.input_default = it->second;
      }
    }
    test.compare = std::move(*compare);
    if (node["select"].IsDefined()) {
      const YAML::Node select = node["select"];
      if (!select.IsMap()) {
        error(select, "`select` is a mapping with `compare` and `value`");
      } else {
        test.select = comparison(select, nullptr);
      }
    }
    test.missing = outcome(node, "missing", model::CheckStatus::NotApplicable);
    test.absent = outcome(node, "absent", test.missing);
    test.unknown = outcome(node, "unknown", model::CheckStatus::NotEvaluated);
    test.if_collected = flagField(node, "if_collected");
    test.evidence = flagField(node, "evidence");
    if (test.evidence && in_gate_) {
      error(node["evidence"], "`evidence` is not allowed in `applies_when` (a gate decides)");
    }
    test.expected = scalar(node, "expected", false);
    if (test.expected.empty()) test.expected = test.compare.describe();
    if (const YAML::Node versions = node["k8s_versions"]; versions.IsDefined()) {
      test.k8s_versions = versionRange(versions);
    }
    return test;
  }

  // `k8s_versions: {since: "1.19", until: "1.30"}`.
  std::optional<K8sVersionRange> versionRange(const YAML::Node& node) {
    if (!node.IsMap() || node.size() == 0) {
      error(node, "`k8s_versions` is a mapping with since and/or until");
      return std::nullopt;
    }
    for (const auto& entry : node) {
      const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
      if (key != "since" && key != "until") {
        error(entry.first, fmt::format("`k8s_versions` has since and until, not `{}`", key));
      }
    }
    auto range = parseK8sRange(scalar(node, "since", false), scalar(node, "until", false));
    if (!range) {
      error(node, range.error().message);
      return std::nullopt;
    }
    return *range;
  }

  Applicability applicability(const YAML::Node& value, std::string_view key) {
    Applicability a;
    const std::string text = value.IsScalar() ? value.as<std::string>() : std::string();
    if (!value.IsScalar()) {
      error(value, fmt::format("`{}` must be a string", key));
      return a;
    }
    if (text == "evaluate") {
      a.status = model::CheckStatus::Pass;
      return a;
    }
    const auto colon = text.find(':');
    const std::string_view status = core::trim(std::string_view(text).substr(0, colon));
    a.reason = colon == std::string::npos ? "" : std::string(core::trim(text.substr(colon + 1)));
    if (status == "not-evaluated") {
      a.status = model::CheckStatus::NotEvaluated;
    } else if (status == "not-applicable") {
      a.status = model::CheckStatus::NotApplicable;
    } else {
      error(value, fmt::format(
                       "`{}` is evaluate, \"not-evaluated: why\" or \"not-applicable: why\"", key));
    }
    if (a.reason.empty()) error(value, "give the reason after the colon");
    return a;
  }

  void appliesTo(const YAML::Node& root, Check& check) {
    const YAML::Node applies = root["applies_to"];
    if (!applies.IsDefined() || !applies.IsMap() || applies.size() == 0) {
      error(applies.IsDefined() ? applies : root,
            "`applies_to` maps resource kinds (dockerfile, image, docker-host, docker-container, "
            "k8s-object, k8s-workload, k8s-namespace) to evaluate or a reason");
      return;
    }
    for (const auto& entry : applies) {
      const std::string key = entry.first.IsScalar() ? entry.first.as<std::string>() : "";
      ResourceKind kind = ResourceKind::Dockerfile;
      if (!parseResourceKind(key, kind)) {
        error(entry.first, fmt::format("unknown resource kind `{}` (dockerfile, image, "
                                       "docker-host, docker-container, k8s-object, "
                                       "k8s-workload, k8s-namespace)",
                                       key));
        continue;
      }
      check.applies.at(static_cast<std::size_t>(kind)) = applicability(entry.second, key);
    }
  }

  Check document(const YAML::Node& root) {
    static const std::vector<std::string_view> kKeys = {
        "id",         "title",      "section",    "severity",     "level",     "scored",
        "assessment", "references", "applies_to", "applies_when", "rationale", "remediation",
        "audit",      "tests",      "kinds",      "input",        "inputs"};
    for (const auto& entry : root) {
      const std::string key = entry.first.as<std::string>();
      if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
        error(entry.first, fmt::format("unknown field `{}`", key));
      }
    }
    Check check;
    check.source = std::string(source());
    // "checks/docker/x.yaml" → "docker": the folder under data/checks.
    if (const auto slash = source().rfind('/'); slash != std::string_view::npos) {
      const std::string_view folder = source().substr(0, slash);
      const auto previous = folder.rfind('/');
      check.group =
          std::string(previous == std::string_view::npos ? folder : folder.substr(previous + 1));
    }
    check.id = scalar(root, "id", true);
    static const RE2 kId("[A-Z][A-Z0-9]*(-[A-Z0-9.]+)+");
    if (!check.id.empty() && !RE2::FullMatch(check.id, kId)) {
      error(root["id"], fmt::format("id \"{}\" is not like BW-IMG-001", check.id));
    }
    check.title = scalar(root, "title", true);
    check.section = scalar(root, "section", true);
    const std::string severity = scalar(root, "severity", true);
    if (severity == "low")
      check.severity = model::Severity::Low;
    else if (severity == "medium")
      check.severity = model::Severity::Medium;
    else if (severity == "high")
      check.severity = model::Severity::High;
    else if (severity == "critical")
      check.severity = model::Severity::Critical;
    else if (!severity.empty())
      error(root["severity"], "severity is low, medium, high or critical");
    const std::string level = scalar(root, "level", false);
    if (level == "2")
      check.level = 2;
    else if (!level.empty() && level != "1")
      error(root["level"], "level is 1 or 2");
    const std::string scored = scalar(root, "scored", false);
    check.scored = scored != "false";
    const std::string assessment = scalar(root, "assessment", false);
    if (assessment == "manual") {
      check.automated = false;
    } else if (!assessment.empty() && assessment != "automated") {
      error(root["assessment"], "assessment is automated or manual");
    }
    check.references = strings(root["references"], "references", true);
    check.rationale = scalar(root, "rationale", true);
    check.remediation = scalar(root, "remediation", true);
    check.audit = scalar(root, "audit", false);
    check.input = flagField(root, "input");
    if (check.input) {
      for (const std::string_view key : {"applies_to", "applies_when", "tests", "kinds"}) {
        if (root[std::string(key)].IsDefined()) {
          error(root[std::string(key)],
                fmt::format("an `input` check has no `{}`: the evaluator reports it", key));
        }
      }
      return check;
    }
    appliesTo(root, check);
    inputDefaults(root["inputs"]);
    check.k8s_kinds = strings(root["kinds"], "kinds", false);
    if (!check.k8s_kinds.empty() && !check.appliesTo(ResourceKind::K8sObject) &&
        !check.appliesTo(ResourceKind::K8sWorkload)) {
      error(root["kinds"], "`kinds` needs k8s-object or k8s-workload in applies_to");
    }
    if (const YAML::Node when = root["applies_when"]; when.IsDefined() && !when.IsNull()) {
      if (!when.IsSequence()) {
        error(when, "`applies_when` is a list of tests");
      } else {
        in_gate_ = true;
        check.applies_when = testList(when, 0);
        in_gate_ = false;
      }
    }
    const YAML::Node tests = root["tests"];
    const bool none =
        !tests.IsDefined() || tests.IsNull() || (tests.IsSequence() && tests.size() == 0);
    if (none && !check.automated) {
      if (check.audit.empty()) error(root, "a manual check without tests needs an `audit`");
    } else if (none || !tests.IsSequence()) {
      error(root, "`tests` is a non-empty list");
    } else {
      check.tests = testList(tests, 0);
      if (check.automated && onlyEvidence(check.tests)) {
        error(tests, "an automated check needs a test that is not `evidence: true`");
      }
    }
    return check;
  }

  // `inputs: {name: [a, b]}`: the defaults the check's `{{name}}` values take.
  void inputDefaults(const YAML::Node& node) {
    input_defaults_.clear();
    if (!node.IsDefined() || node.IsNull()) return;
    if (!node.IsMap()) {
      error(node, "`inputs` maps input names to their default values");
      return;
    }
    for (const auto& entry : node) {
      const std::string name = entry.first.IsScalar() ? entry.first.Scalar() : "";
      if (name.empty()) {
        error(entry.first, "an input name is a string");
        continue;
      }
      auto values = strings(entry.second, name, false);
      if (values.empty()) error(entry.second, fmt::format("input `{}` needs values", name));
      input_defaults_[name] = std::move(values);
    }
  }

  bool in_gate_ = false;  // loading `applies_when`
  std::map<std::string, std::vector<std::string>, std::less<>> input_defaults_;
};

}  // namespace

const Check* CheckSet::find(std::string_view id) const {
  for (const auto& check : checks) {
    if (check.id == id) return &check;
  }
  return nullptr;
}

std::optional<Check> loadCheck(std::string_view text, std::string_view source,
                               core::Diagnostics& diagnostics) {
  return Loader(source, diagnostics).load(text);
}

core::Result<CheckSet> loadChecks(std::span<const core::EmbeddedFile> files,
                                  core::Diagnostics& diagnostics) {
  CheckSet set;
  const std::size_t before = diagnostics.size();
  for (const auto& file : files) {
    auto check = loadCheck(file.content, file.path, diagnostics);
    if (!check) continue;
    if (const Check* other = set.find(check->id)) {
      diagnostics.add("checks.duplicate-id", std::string(file.path),
                      fmt::format("id {} is also used by {}", check->id, other->source));
      continue;
    }
    set.checks.push_back(std::move(*check));
  }
  if (diagnostics.size() > before) {
    const auto all = diagnostics.sorted();
    return core::fail(core::ErrorCode::Input, "{} problem(s) in checks, e.g. {}: {}",
                      diagnostics.size() - before, all.front().where, all.front().detail);
  }
  std::sort(set.checks.begin(), set.checks.end(),
            [](const Check& a, const Check& b) { return a.id < b.id; });
  return set;
}

core::Result<CheckSet> loadBuiltinChecks() {
  core::Diagnostics diagnostics;
  return loadChecks(builtinCheckFiles(), diagnostics);
}

core::Result<CheckSet> selectChecks(const CheckSet& set, const std::vector<std::string>& only,
                                    const std::vector<std::string>& skip) {
  for (const auto* list : {&only, &skip}) {
    for (const auto& id : *list) {
      if (set.find(id) == nullptr) {
        return core::fail(core::ErrorCode::Usage, "no check has the id \"{}\"", id);
      }
    }
  }
  CheckSet out;
  for (const auto& check : set.checks) {
    const bool wanted = only.empty() || std::find(only.begin(), only.end(), check.id) != only.end();
    if (wanted && std::find(skip.begin(), skip.end(), check.id) == skip.end()) {
      out.checks.push_back(check);
    }
  }
  return out;
}

}  // namespace bulwark::checks
