// Benchmark profiles (profile.h documents the file).
#include "checks/profile.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include "core/yaml_fields.h"

namespace bulwark::checks {

namespace {

constexpr std::size_t kMaxProfileBytes = std::size_t{1} << 20;
constexpr std::size_t kMaxControls = 10'000;

class ProfileLoader : core::YamlFields {
 public:
  ProfileLoader(std::string_view source, core::Diagnostics& diagnostics)
      : core::YamlFields(source, "checks.invalid-profile", diagnostics) {}

  core::Result<Profile> load(std::string_view text) {
    if (text.size() > kMaxProfileBytes) {
      return failure({}, fmt::format("larger than {} bytes", kMaxProfileBytes));
    }
    Profile profile;
    profile.source = std::string(source());
    try {
      const YAML::Node root = YAML::Load(std::string(text));
      if (!root.IsMap()) return failure(root, "a profile is a mapping with name and controls");
      document(root, profile);
    } catch (const YAML::Exception& e) {
      const std::string where =
          fmt::format("{}:{}:{}", source(), e.mark.line + 1, e.mark.column + 1);
      diagnostics().add("checks.invalid-profile", where, e.msg);
      return core::fail(core::ErrorCode::Input, "{}: {}", where, e.msg);
    } catch (const std::exception& e) {
      return failure({}, e.what());
    }
    if (errors() > 0) {
      return core::fail(core::ErrorCode::Input, "{} problem(s) in profile, e.g. {}", errors(),
                        firstError());
    }
    return profile;
  }

 private:
  core::Result<Profile> failure(const YAML::Node& node, std::string message) {
    error(node, std::move(message));
    return core::fail(core::ErrorCode::Input, "{}", firstError());
  }

  bool boolean(const YAML::Node& node, std::string_view key, bool fallback) {
    const std::string text = scalar(node, key, false);
    if (text.empty()) return fallback;
    if (text != "true" && text != "false") {
      error(node[std::string(key)], fmt::format("`{}` is true or false", key));
      return fallback;
    }
    return text == "true";
  }

  void control(const YAML::Node& node, Profile& profile, std::set<std::string>& seen) {
    static const std::vector<std::string_view> kKeys = {"id",     "title",  "automated", "level",
                                                        "scored", "checks", "since",     "until"};
    if (!node.IsMap()) {
      error(node, "a control is a mapping with id and checks");
      return;
    }
    for (const auto& entry : node) {
      const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
      if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
        error(entry.first, fmt::format("unknown control field `{}`", key));
      }
    }
    Control c;
    c.id = scalar(node, "id", true);
    if (c.id.empty()) return;
    if (!seen.insert(c.id).second) {
      error(node["id"], fmt::format("control {} is listed twice", c.id));
      return;
    }
    c.title = scalar(node, "title", false);
    c.automated = boolean(node, "automated", true);
    c.scored = boolean(node, "scored", c.automated);
    const std::string level = scalar(node, "level", false);
    if (level == "2") {
      c.level = 2;
    } else if (!level.empty() && level != "1") {
      error(node["level"], "level is 1 or 2");
    }
    c.checks = strings(node["checks"], "checks", false);
    const std::string since = scalar(node, "since", false);
    const std::string until = scalar(node, "until", false);
    if (!since.empty() || !until.empty()) {
      if (!profile.versioned) {
        error(node, "since/until need `versioned: true` on the profile");
      } else if (auto range = parseK8sRange(since, until); !range) {
        error(node, range.error().message);
      } else {
        c.versions = *range;
      }
    }
    if (c.checks.empty() && c.automated) {
      error(node, fmt::format("automated control {} names no check", c.id));
    }
    profile.controls.push_back(std::move(c));
  }

  void document(const YAML::Node& root, Profile& profile) {
    static const std::vector<std::string_view> kKeys = {"name",    "title",    "version",
                                                        "targets", "controls", "versioned"};
    for (const auto& entry : root) {
      const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
      if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
        error(entry.first, fmt::format("unknown field `{}`", key));
      }
    }
    profile.name = scalar(root, "name", true);
    static const RE2 kName("[a-z0-9][a-z0-9.-]*");
    if (!profile.name.empty() && !RE2::FullMatch(profile.name, kName)) {
      error(root["name"], fmt::format("name \"{}\" is not like cis-docker-1.6", profile.name));
    }
    profile.title = scalar(root, "title", false);
    profile.version = scalar(root, "version", false);
    profile.targets = strings(root["targets"], "targets", false);
    profile.versioned = boolean(root, "versioned", false);
    const YAML::Node controls = root["controls"];
    if (!controls.IsDefined() || !controls.IsSequence() || controls.size() == 0) {
      error(controls.IsDefined() ? controls : root, "`controls` is a non-empty list");
      return;
    }
    if (controls.size() > kMaxControls) {
      error(controls, fmt::format("more than {} controls", kMaxControls));
      return;
    }
    std::set<std::string> seen;
    for (const auto& node : controls) control(node, profile, seen);
  }
};

}  // namespace

#ifdef BULWARK_NO_BUILTIN_PROFILES
std::span<const core::EmbeddedFile> builtinProfileFiles() { return {}; }
#endif

const Control* Profile::find(std::string_view control_id) const {
  for (const auto& control : controls) {
    if (control.id == control_id) return &control;
  }
  return nullptr;
}

core::Result<Profile> loadProfile(std::string_view text, std::string_view source,
                                  core::Diagnostics& diagnostics) {
  return ProfileLoader(source, diagnostics).load(text);
}

core::Result<std::vector<Profile>> builtinProfiles() {
  std::vector<Profile> out;
  core::Diagnostics diagnostics;
  for (const auto& file : builtinProfileFiles()) {
    auto profile = loadProfile(file.content, file.path, diagnostics);
    if (!profile) return core::fail(profile.error().code, "{}", profile.error().message);
    out.push_back(std::move(*profile));
  }
  std::sort(out.begin(), out.end(),
            [](const Profile& a, const Profile& b) { return a.name < b.name; });
  return out;
}

core::Result<Profile> builtinProfile(std::string_view name) {
  auto all = builtinProfiles();
  if (!all) return core::fail(all.error().code, "{}", all.error().message);
  std::string known;
  for (auto& profile : *all) {
    if (profile.name == name) return std::move(profile);
    if (!known.empty()) known += ", ";
    known += profile.name;
  }
  return core::fail(core::ErrorCode::Usage, "no benchmark is called \"{}\" (known: {})", name,
                    known.empty() ? "none" : known);
}

namespace {

bool inVersion(const Profile& profile, const Control& control, const K8sVersion& version) {
  return !profile.versioned || control.versions.contains(version);
}

}  // namespace

core::Result<CheckSet> profileChecks(const CheckSet& set, const Profile& profile,
                                     const K8sVersion& version) {
  std::set<std::string, std::less<>> wanted;
  for (const auto& control : profile.controls) {
    for (const auto& id : control.checks) {
      if (set.find(id) == nullptr) {
        return core::fail(core::ErrorCode::Input, "benchmark {} control {} names {}, no such check",
                          profile.name, control.id, id);
      }
      if (inVersion(profile, control, version)) wanted.insert(id);
    }
  }
  CheckSet out;
  for (const auto& check : set.checks) {
    if (wanted.count(check.id) != 0) out.checks.push_back(check);
  }
  return out;
}

void annotate(std::vector<model::CheckResult>& results, const Profile& profile,
              const K8sVersion& version) {
  const std::string name =
      profile.versioned ? fmt::format("{}@{}", profile.name, version.text()) : profile.name;
  struct Mapping {
    std::vector<std::string> controls;
    bool manual = true;  // every control naming the check is manual
  };
  std::map<std::string, Mapping, std::less<>> by_check;
  for (const auto& control : profile.controls) {
    if (!inVersion(profile, control, version)) continue;
    for (const auto& id : control.checks) {
      Mapping& mapping = by_check[id];
      mapping.controls.push_back(fmt::format("{}:{}", name, control.id));
      mapping.manual = mapping.manual && !control.automated;
    }
  }
  for (auto& result : results) {
    const auto it = by_check.find(result.check_id);
    if (it == by_check.end()) continue;
    for (const auto& control : it->second.controls) {
      if (std::find(result.controls.begin(), result.controls.end(), control) ==
          result.controls.end()) {
        result.controls.push_back(control);
      }
    }
    if (!it->second.manual) continue;
    if (result.status == model::CheckStatus::Pass || result.status == model::CheckStatus::Fail ||
        result.status == model::CheckStatus::NotEvaluated) {
      result.assist = result.status;
      result.status = model::CheckStatus::Manual;
      result.cause = model::NotEvaluatedCause::None;
    }
  }
}

}  // namespace bulwark::checks
