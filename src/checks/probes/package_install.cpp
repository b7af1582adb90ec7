// package-install: each package a RUN installs by name, with the version it pins. Value: the
// pin ("=1.2.3", "==2.0", "@4.17.21", ":1.0") or "" when unpinned. Rules follow hadolint
// (DL3008 apt, DL3018 apk, DL3013 pip, DL3016 npm, DL3028 gem, DL3033/DL3041 yum/dnf, DL3037
// zypper); local files, URLs, paths and requirement files are not packages by name.
#include <fmt/format.h>
#include <re2/re2.h>

#include "checks/probes/common.h"

namespace bulwark::checks {

namespace {

constexpr ParamSpec kParams[] = {
    {"manager", ParamType::StringList, false, "managers to look at (default: all)"},
};

bool hasOption(const probes::PackageCommand& c, std::initializer_list<std::string_view> names) {
  for (const auto& option : c.options) {
    const std::string_view name = std::string_view(option).substr(0, option.find('='));
    for (const auto n : names) {
      if (name == n) return true;
    }
  }
  return false;
}

bool isLocal(std::string_view package) {
  return package.find('/') != std::string_view::npos || package.rfind('.', 0) == 0 ||
         package.find("://") != std::string_view::npos;
}

// The pin of `package`, "" when unpinned, nullopt when it is not a package by name.
std::optional<std::string> pinOf(const probes::PackageCommand& c, const std::string& package) {
  const std::string& m = c.manager;
  if (m == "apt-get" || m == "apt" || m == "aptitude") {
    if (isLocal(package) || package.ends_with(".deb")) return std::nullopt;
    const auto eq = package.find('=');
    return eq == std::string::npos ? "" : package.substr(eq);
  }
  if (m == "apk") {
    if (isLocal(package) || package.ends_with(".apk")) return std::nullopt;
    const auto at = package.find_first_of("=~<>");
    return at == std::string::npos ? "" : package.substr(at);
  }
  if (m == "pip") {
    if (isLocal(package) || package.ends_with(".whl") || package.ends_with(".tar.gz") ||
        package.ends_with(".zip") || package.find('+') != std::string::npos) {
      return std::nullopt;
    }
    const auto at = package.find_first_of("=<>~!@");
    return at == std::string::npos ? "" : package.substr(at);
  }
  if (m == "npm" || m == "yarn" || m == "pnpm") {
    if (package.rfind('.', 0) == 0 || package.rfind('/', 0) == 0 ||
        package.find(':') != std::string::npos || package.ends_with(".tgz") ||
        package.ends_with(".tar.gz")) {
      return std::nullopt;
    }
    const auto at = package.find('@', package.front() == '@' ? 1 : 0);
    if (at != std::string::npos) return package.substr(at);
    if (package.front() != '@' && package.find('/') != std::string::npos) return std::nullopt;
    return "";
  }
  if (m == "gem") {
    const auto colon = package.find(':');
    if (colon != std::string::npos) return package.substr(colon);
    if (hasOption(c, {"-v", "--version"})) return "-v";
    return "";
  }
  if (m == "yum" || m == "dnf" || m == "tdnf" || m == "microdnf") {
    if (isLocal(package) || package.ends_with(".rpm") || package.front() == '@') {
      return std::nullopt;
    }
    static const RE2 kVersion("(-[0-9].*)$");
    std::string pin;
    return RE2::PartialMatch(package, kVersion, &pin) ? pin : "";
  }
  if (m == "zypper") {
    if (isLocal(package) || package.ends_with(".rpm")) return std::nullopt;
    const auto at = package.find_first_of("=<>");
    return at == std::string::npos ? "" : package.substr(at);
  }
  return std::nullopt;
}

bool installsByName(const probes::PackageCommand& c) {
  // Upgrades name no package; `npm ci` and a bare `yarn install` read a lockfile.
  static constexpr std::string_view kVerbs[] = {"install", "add", "i", "in", "reinstall"};
  return c.action == "install" &&
         std::find(std::begin(kVerbs), std::end(kVerbs), c.verb) != std::end(kVerbs);
}

ProbeResult evaluatePackageInstall(const Params& params, const Resource& resource) {
  const auto managers = params.list("manager");
  ProbeResult result;
  for (const auto& run : probes::runCommands(resource)) {
    const std::string where = resource.where(*run.instruction);
    for (const auto& command : run.commands) {
      const auto package_command = probes::packageCommand(command);
      if (!package_command || !installsByName(*package_command)) continue;
      if (!managers.empty() &&
          std::find(managers.begin(), managers.end(), package_command->manager) == managers.end()) {
        continue;
      }
      for (const auto& package : package_command->packages) {
        if (package.empty()) continue;
        const auto pin = pinOf(*package_command, package);
        if (!pin) continue;
        Observation o;
        o.values = {*pin};
        o.display = fmt::format("{} {} {}", package_command->manager, package_command->verb,
                                probes::shorten(package, 100));
        o.where = where;
        if (package.find('$') != std::string::npos) {
          o.unknown = true;
          o.note = "the package name comes from a variable";
        }
        result.observations.push_back(std::move(o));
      }
    }
  }
  return result;
}

}  // namespace

const ProbeKind& packageInstallProbe() {
  static const ProbeKind kKind{"package-install", "packages installed by name, with their pins",
                               kParams, &evaluatePackageInstall};
  return kKind;
}

}  // namespace bulwark::checks
