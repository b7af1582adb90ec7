// package-cache: package-manager caches left in a layer. For a Dockerfile (and for an image
// whose layers were not scanned, from its history), each RUN that installs with a manager is
// one observation per manager: value "" when the same RUN avoids or removes the cache
// (`--no-cache`, `--no-cache-dir`, `rm -rf /var/lib/apt/lists/*`, `… cache clean`, a
// `--mount=type=cache` on the directory), else the cache directory left behind. For a scanned
// image: one observation per layer and cache directory holding files (value: the directory),
// or a single "" when no layer has any.
#include <fmt/format.h>

#include "checks/probes/common.h"

namespace bulwark::checks {

namespace {

struct CacheRule {
  std::string_view family;     // managers sharing the cache
  std::string_view directory;  // what is left behind
  std::vector<std::string_view> managers;
  std::vector<std::string_view> avoid_options;  // on the install command
  std::vector<std::string_view> removed;        // rm operands (substring) that clean it
  std::vector<std::string_view> clean_verbs;    // "<manager> <verb>" commands that clean it
  std::vector<std::string_view> env;            // variables that disable the cache
};

const std::vector<CacheRule>& rules() {
  static const std::vector<CacheRule> kRules = {
      {"apt",
       "/var/lib/apt/lists",
       {"apt-get", "apt", "aptitude"},
       {},
       {"/var/lib/apt/lists"},
       {},
       {}},
      {"apk", "/var/cache/apk", {"apk"}, {"--no-cache"}, {"/var/cache/apk"}, {"cache"}, {}},
      {"pip",
       "~/.cache/pip",
       {"pip"},
       {"--no-cache-dir"},
       {".cache/pip", ".cache"},
       {"cache"},
       {"PIP_NO_CACHE_DIR"}},
      {"npm", "~/.npm", {"npm"}, {}, {".npm"}, {"cache"}, {}},
      {"yarn", "yarn cache", {"yarn"}, {}, {".cache/yarn", "yarn"}, {"cache"}, {}},
      {"yum",
       "/var/cache/yum or /var/cache/dnf",
       {"yum", "dnf", "tdnf", "microdnf"},
       {},
       {"/var/cache/yum", "/var/cache/dnf"},
       {"clean"},
       {}},
  };
  return kRules;
}

template <class List>
bool contains(const List& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool cleaned(const CacheRule& rule, const probes::RunCommands& run,
             const dockerfile::SimpleCommand& install, const probes::PackageCommand& package) {
  for (const auto& option : package.options) {
    if (contains(rule.avoid_options, std::string_view(option).substr(0, option.find('=')))) {
      return true;
    }
  }
  for (const auto& assignment : install.assignments) {
    for (const auto name : rule.env) {
      if (assignment.rfind(std::string(name) + "=", 0) == 0) return true;
    }
  }
  if (const auto* mount = run.instruction->flag("mount");
      mount != nullptr && mount->value.find("type=cache") != std::string::npos) {
    for (const auto removed : rule.removed) {
      if (mount->value.find(removed) != std::string::npos) return true;
    }
    if (rule.family == "apt" && mount->value.find("/var/lib/apt") != std::string::npos) {
      return true;
    }
  }
  for (const auto& command : run.commands) {
    if (command.program() == "rm") {
      for (std::size_t i = 1; i < command.argv.size(); ++i) {
        for (const auto removed : rule.removed) {
          if (command.argv[i].find(removed) != std::string::npos) return true;
        }
      }
    }
    const auto other = probes::packageCommand(command);
    if (other && contains(rule.managers, other->manager) &&
        contains(rule.clean_verbs, other->verb)) {
      return true;
    }
  }
  return false;
}

ProbeResult fromFiles(const Resource& resource) {
  ProbeResult result;
  for (const auto& cache : resource.files->caches) {
    result.observations.push_back(
        {{"/" + cache.directory},
         false,
         false,
         fmt::format("/{}: {} file(s), {} bytes", cache.directory, cache.files, cache.bytes),
         "layer " + cache.layer,
         {}});
  }
  if (result.observations.empty()) {
    result.observations.push_back(
        {{""}, false, false, "no package-manager cache files in any layer", "layers", {}});
  }
  return result;
}

ProbeResult evaluatePackageCache(const Params& /*params*/, const Resource& resource) {
  if (resource.kind == ResourceKind::Image && resource.files != nullptr &&
      resource.files->scanned) {
    return fromFiles(resource);
  }
  ProbeResult result;
  for (const auto& run : probes::runCommands(resource)) {
    std::vector<std::string_view> seen;
    for (const auto& command : run.commands) {
      const auto package = probes::packageCommand(command);
      if (!package || package->action != "install") continue;
      for (const auto& rule : rules()) {
        if (!contains(rule.managers, package->manager) || contains(seen, rule.family)) continue;
        seen.push_back(rule.family);
        Observation o;
        o.where = resource.where(*run.instruction);
        o.display = probes::commandText(command);
        o.values = {cleaned(rule, run, command, *package) ? "" : std::string(rule.directory)};
        if (!o.values[0].empty()) o.display += " (leaves " + o.values[0] + ")";
        result.observations.push_back(std::move(o));
      }
    }
  }
  return result;
}

}  // namespace

const ProbeKind& packageCacheProbe() {
  static const ProbeKind kKind{
      "package-cache", "package-manager caches a layer keeps", {}, &evaluatePackageCache, false};
  return kKind;
}

}  // namespace bulwark::checks
