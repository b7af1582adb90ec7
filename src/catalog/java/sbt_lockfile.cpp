// build.sbt.lock (sbt-dependency-lock's lock format version 1, JSON): "dependencies" is the whole
// resolved graph, each entry { "org", "name", "version", "configurations": [...] , ... }. Every
// entry is a package "org:name"; one that neither the compile nor the runtime configuration
// needs (test-only, provided, ...) is a development dependency — the packages Trivy leaves out.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "catalog/java/java_archive_cataloger.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

std::string stringAt(const nlohmann::json& object, const char* key) {
  const auto found = object.find(key);
  if (found == object.end() || !found->is_string()) return {};
  return found->get<std::string>();
}

}  // namespace

std::vector<model::Package> parseSbtLockfile(std::string_view content, std::string_view path,
                                             core::Diagnostics& diagnostics) {
  std::vector<model::Package> packages;
  if (content.size() > kMaxJavaLockfileBytes) {
    diagnostics.add("java.too-large", std::string(path),
                    fmt::format("build.sbt.lock of {} bytes exceeds the {} byte limit; not parsed",
                                content.size(), kMaxJavaLockfileBytes));
    return packages;
  }
  const auto document = nlohmann::json::parse(content.begin(), content.end(), nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    diagnostics.add("java.malformed-sbt-lockfile", std::string(path),
                    "build.sbt.lock is not a JSON object");
    return packages;
  }
  if (const auto version = document.find("lockVersion");
      version != document.end() && !(version->is_number_integer() && *version == 1)) {
    diagnostics.add("java.malformed-sbt-lockfile", std::string(path),
                    fmt::format("lockVersion {} (version 1 is read)",
                                core::printable(version->dump().substr(0, 40))));
  }
  const auto dependencies = document.find("dependencies");
  if (dependencies == document.end()) return packages;
  if (!dependencies->is_array()) {
    diagnostics.add("java.malformed-sbt-lockfile", std::string(path),
                    "\"dependencies\" is not an array");
    return packages;
  }
  for (const auto& dependency : *dependencies) {
    if (!dependency.is_object()) {
      diagnostics.add("java.malformed-sbt-lockfile", std::string(path),
                      "a dependency is not an object");
      continue;
    }
    const std::string org = stringAt(dependency, "org");
    const std::string name = stringAt(dependency, "name");
    std::string version = stringAt(dependency, "version");
    if (org.empty() || name.empty() || version.empty()) {
      diagnostics.add(
          "java.malformed-sbt-lockfile", std::string(path),
          fmt::format("a dependency without org, name or version ('{}:{}')",
                      core::printable(org.substr(0, 120)), core::printable(name.substr(0, 120))));
      continue;
    }
    bool runtime = false;
    if (const auto configurations = dependency.find("configurations");
        configurations != dependency.end() && configurations->is_array()) {
      runtime = std::any_of(configurations->begin(), configurations->end(),
                            [](const nlohmann::json& configuration) {
                              return configuration.is_string() &&
                                     (configuration == "compile" || configuration == "runtime");
                            });
    }
    model::Package package;
    package.type = model::PackageType::Maven;
    package.name = fmt::format("{}:{}", org, name);
    package.version = std::move(version);
    package.location.path = std::string(path);
    package.development = !runtime;
    packages.push_back(std::move(package));
  }
  return packages;
}

}  // namespace bulwark::catalog
